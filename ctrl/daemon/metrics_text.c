/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The stats answer as Prometheus text. Every family is written once
 * with its HELP and TYPE, then one sample per object (worker, port,
 * VIP, server): the format wants a family's samples together. Names
 * follow Prometheus's conventions: the sluice_ prefix, _total on
 * counters, base units (bytes, seconds), dimensions as labels. The
 * workers' sums ("totals", "drops") are left out: sum() gives them, and
 * a sample of each would be counted twice.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics_cluster.h"
#include "metrics_family.h"
#include "metrics_text.h"

void sl_metrics_name(char *out, size_t len, const char *prefix, const char *key,
		     const char *suffix)
{
	int n = snprintf(out, len, "%s%s%s", prefix, key, suffix);

	if (n < 0 || len == 0)
		return;
	for (char *c = out; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || *c == '_' || *c == ':'))
			*c = '_';
	if (out[0] >= '0' && out[0] <= '9' && (size_t)n + 1 < len) {
		memmove(out + 1, out, (size_t)n + 1);
		out[0] = '_';
	}
}

static void worker_labels(const json_t *w, struct sl_mt_labels *l)
{
	sl_mt_label(l, "worker", json_object_get(w, "worker"));
}

/* A worker's scalar counters, whatever stats has: each a counter named
 * after its stats member, except the few that are levels. */
static const struct sl_mt_col worker_gauges[] = {
	{"conns_active", "sluice_worker_connections_active", "gauge",
	 "Connections made or synced and not yet expired (stats workers[].conns_active)", 0, 0},
	{"connections_in_table", "sluice_conn_table_entries", "gauge",
	 "Connections in the worker's table", 0, 0},
	{"connections_max", "sluice_conn_table_capacity", "gauge",
	 "Connections the worker's table holds at most (conn_table.max_connections)", 0, 0},
	{"v6_connections_in_table", "sluice_conn_table_v6_entries", "gauge",
	 "Connections with a v6 key in the worker's table", 0, 0},
	{"v6_connections_max", "sluice_conn_table_v6_capacity", "gauge",
	 "Connections with a v6 key the worker's table holds at most "
	 "(conn_table.max_v6_connections)", 0, 0},
};

static bool skipped_worker_key(const char *key)
{
	if (!strcmp(key, "worker") || !strcmp(key, "drops_total"))
		return true;
	for (size_t g = 0; g < NCOLS(worker_gauges); g++)
		if (!strcmp(key, worker_gauges[g].key))
			return true;
	return false;
}

static void workers(struct sl_text *t, const json_t *list)
{
	const char *key;
	json_t *v;
	char name[128], help[160];

	json_object_foreach(json_array_get(list, 0), key, v) {
		if (!json_is_integer(v) || skipped_worker_key(key))
			continue;
		sl_metrics_name(name, sizeof(name), "sluice_worker_", key, "_total");
		snprintf(help, sizeof(help), "stats workers[].%s", key);
		struct sl_mt_col c = {key, name, "counter", help, 0, 0};
		sl_mt_columns(t, list, &c, 1, worker_labels);
	}
	sl_mt_columns(t, list, worker_gauges, NCOLS(worker_gauges), worker_labels);
	if (json_array_size(list) == 0)
		return;
	sl_mt_family(t, "sluice_drops_total", "counter",
	       "Packets dropped, by worker and reason (dataplane/core/drop.h)");
	size_t i;
	json_t *w;
	json_array_foreach(list, i, w) {
		json_object_foreach(json_object_get(w, "drops"), key, v) {
			struct sl_mt_labels l = {0};
			worker_labels(w, &l);
			sl_mt_label_str(&l, "reason", key);
			sl_mt_sample(t, "sluice_drops_total", &l, v);
		}
	}
}

static void port_labels(const json_t *p, struct sl_mt_labels *l)
{
	sl_mt_label(l, "port", json_object_get(p, "port"));
}

static const struct sl_mt_col port_cols[] = {
	{"rx_packets", "sluice_port_rx_packets_total", "counter",
	 "Frames the port's driver received", 0, 0},
	{"tx_packets", "sluice_port_tx_packets_total", "counter",
	 "Frames the port's driver sent", 0, 0},
	{"rx_bytes", "sluice_port_rx_bytes_total", "counter", "Bytes received", 0, 0},
	{"tx_bytes", "sluice_port_tx_bytes_total", "counter", "Bytes sent", 0, 0},
	{"rx_missed", "sluice_port_rx_missed_packets_total", "counter",
	 "Frames the NIC or kernel ring dropped before a worker saw them", 0, 0},
	{"rx_nombuf", "sluice_port_rx_nombuf_packets_total", "counter",
	 "Frames the driver could not take for want of a buffer", 0, 0},
	{"rx_errors", "sluice_port_rx_errors_total", "counter", "Receive errors", 0, 0},
	{"tx_errors", "sluice_port_tx_errors_total", "counter", "Transmit errors", 0, 0},
	{"link_flaps", "sluice_port_link_flaps_total", "counter",
	 "Link up/down changes since start", 0, 0},
	{"link.up", "sluice_port_link_up", "gauge", "1 while the link is up", 0, 0},
	{"replies_on_queue", "sluice_port_replies_total", "counter",
	 "Replies of connections that arrived on their owner's RX queue, or were "
	 "steered to it by ring", "path", "queue"},
	{"replies_by_ring", "sluice_port_replies_total", "counter", NULL, "path", "ring"},
};

static void vip_labels(const json_t *v, struct sl_mt_labels *l)
{
	sl_mt_label(l, "vip", json_object_get(v, "vip"));
	sl_mt_label(l, "vip_port", json_object_get(v, "port"));
	sl_mt_label(l, "proto", json_object_get(v, "proto"));
}

/* Columns a VIP and a real server share, under `prefix`. */
#define OBJ_COLS(prefix, what)                                                   \
	{"conns", prefix "_connections_total", "counter",                          \
	 "Connections opened to the " what, 0, 0},                                 \
	{"active_conns", prefix "_connections_active", "gauge",                    \
	 "Connections to the " what " not yet expired", 0, 0},                     \
	{"packets_in", prefix "_packets_total", "counter",                         \
	 "Packets of the " what "'s connections (in: client to server)",           \
	 "direction", "in"},                                                       \
	{"packets_out", prefix "_packets_total", "counter", "", "direction", "out"}, \
	{"bytes_in", prefix "_bytes_total", "counter",                             \
	 "Bytes of the " what "'s connections (in: client to server)",             \
	 "direction", "in"},                                                       \
	{"bytes_out", prefix "_bytes_total", "counter", "", "direction", "out"}

static const struct sl_mt_col vip_cols[] = {
	OBJ_COLS("sluice_vip", "VIP"),
	{"refused", "sluice_vip_refused_connections_total", "counter",
	 "New connections refused (RST or ICMP) for want of a server", 0, 0},
};

static void rs_labels(const json_t *r, struct sl_mt_labels *l)
{
	sl_mt_label(l, "vip", json_object_get(r, "vip"));
	sl_mt_label(l, "vip_port", json_object_get(r, "vport"));
	sl_mt_label(l, "proto", json_object_get(r, "proto"));
	sl_mt_label(l, "server", json_object_get(r, "ip"));
	sl_mt_label(l, "server_port", json_object_get(r, "port"));
}

static const struct sl_mt_col rs_cols[] = {
	OBJ_COLS("sluice_real_server", "real server"),
	{"weight", "sluice_real_server_weight", "gauge",
	 "The server's configured weight (0: draining)", 0, 0},
};

/* The health state as a state set (stats real_servers[].state, as
 * rs.list says it: "down, kept up (panic)" is down). */
static void rs_states(struct sl_text *t, const json_t *list)
{
	static const char *const states[] = {"up", "down", "draining"};

	sl_mt_state_set(t, list, "sluice_real_server_state",
			"1 for the server's state: up, down (failed its checks; also while "
			"kept up by panic) or draining (weight 0)",
			states, NCOLS(states), rs_labels);
}

static void xdp_labels(const json_t *p, struct sl_mt_labels *l)
{
	sl_mt_label(l, "port", json_object_get(p, "port"));
	sl_mt_label(l, "ifname", json_object_get(p, "ifname"));
}

/* The XDP program's counters per port, whatever xdp_abi.h has. */
static void xdp(struct sl_text *t, const json_t *x)
{
	json_t *ports = json_object_get(x, "ports"), *v;
	const char *key;
	char name[128], help[160];

	json_object_foreach(json_array_get(ports, 0), key, v) {
		if (!json_is_integer(v))
			continue;
		sl_metrics_name(name, sizeof(name), "sluice_xdp_", key, "_packets_total");
		snprintf(help, sizeof(help), "XDP program: frames counted as %s", key);
		struct sl_mt_col c = {key, name, "counter", help, 0, 0};
		sl_mt_columns(t, ports, &c, 1, xdp_labels);
	}
}

static const struct sl_mt_col resource_cols[] = {
	{"uptime_s", "sluice_uptime_seconds", "gauge", "Seconds since sluice started", 0, 0},
	{"resources.mbufs.total", "sluice_mbufs_capacity", "gauge",
	 "Packet buffers in the pool", 0, 0},
	{"resources.mbufs.available", "sluice_mbufs_available", "gauge",
	 "Packet buffers free in the pool (capacity - available: in use)", 0, 0},
	{"resources.neighbors.entries", "sluice_neighbors", "gauge",
	 "Learned neighbor entries", 0, 0},
	{"resources.neighbors.max", "sluice_neighbors_capacity", "gauge",
	 "Learned neighbor entries at most (limits.neighbors)", 0, 0},
	{"resources.neighbors.evicted", "sluice_neighbors_evicted_total", "counter",
	 "Incomplete neighbor entries evicted", 0, 0},
	{"resources.neighbors.refused", "sluice_neighbors_refused_total", "counter",
	 "New neighbor entries refused while the table was full", 0, 0},
	{"resources.neighbors.unsolicited", "sluice_neighbors_unsolicited_total", "counter",
	 "ARP replies about addresses Sluice never asked for (not learned)", 0, 0},
	{"resources.neighbors.unknown_requests", "sluice_neighbors_unknown_requests_total",
	 "counter", "ARP requests from unknown senders that reached the control thread", 0, 0},
	{"resources.neighbors.v6_port_capped", "sluice_neighbors_v6_port_capped_total",
	 "counter", "IPv6 neighbor entries not made: their port's cap (RFC 6583)", 0, 0},
	{"resources.neighbors.v6_not_overridden", "sluice_neighbors_v6_not_overridden_total",
	 "counter", "Neighbor Advertisements without Override not taken over a learned MAC",
	 0, 0},
	{"resources.persistence.templates", "sluice_persistence_templates", "gauge",
	 "Persistence templates merged", 0, 0},
	{"resources.persistence.max", "sluice_persistence_templates_capacity", "gauge",
	 "Persistence templates at most", 0, 0},
	{"resources.persistence.evicted", "sluice_persistence_evicted_total", "counter",
	 "Persistence templates evicted at the cap", 0, 0},
	{"resources.persistence.refused", "sluice_persistence_refused_total", "counter",
	 "Persistence templates refused", 0, 0},
	{"xdp.map_errors", "sluice_xdp_map_errors_total", "counter",
	 "XDP map writes the kernel refused", 0, 0},
	{"xdp.retries", "sluice_xdp_map_retries_total", "counter",
	 "Retries of failed XDP map writes", 0, 0},
	{"xdp.in_sync", "sluice_xdp_maps_in_sync", "gauge",
	 "1 while every XDP map matches the configuration", 0, 0},
	{"capture.active", "sluice_capture_active", "gauge",
	 "1 while a packet capture runs (sluicectl capture)", 0, 0},
	{"capture.copied", "sluice_capture_copied_total", "counter",
	 "Frames the workers copied for packet captures", 0, 0},
	{"capture.dropped", "sluice_capture_dropped_total", "counter",
	 "Capture copies lost to a full ring (the frame itself went on)", 0, 0},
	{"capture.no_mbuf", "sluice_capture_no_mbuf_total", "counter",
	 "Capture copies lost for want of a capture buffer (the frame went on)", 0, 0},
	{"health.targets", "sluice_health_targets", "gauge", "Health-checked servers", 0, 0},
	{"health.in_flight", "sluice_health_checks_in_flight", "gauge",
	 "Health checks under way", 0, 0},
	{"health.loop_stalls", "sluice_health_loop_stalls_total", "counter",
	 "Control loop stalls absorbed by the health checker", 0, 0},
	{"health.local_errors", "sluice_health_local_errors_total", "counter",
	 "Health checks that failed on Sluice's side (not counted against servers)", 0, 0},
	{"health.panic", "sluice_health_panic", "gauge",
	 "1 while some VIP ignores health (too many servers down)", 0, 0},
	{"health.vips_in_panic", "sluice_health_vips_in_panic", "gauge",
	 "VIPs ignoring health now", 0, 0},
	{"health.panics", "sluice_health_panics_total", "counter",
	 "Times a VIP went into panic", 0, 0},
};

/* The control thread's counters (stats "control"): levels are gauges. */
static void control(struct sl_text *t, const json_t *c)
{
	const char *key;
	json_t *v;
	char name[128], help[160];

	json_object_foreach((json_t *)c, key, v) {
		bool level = !strcmp(key, "messages_waiting") ||
			     !strcmp(key, "pick_tables_cached");
		if (!json_is_integer(v))
			continue;
		sl_metrics_name(name, sizeof(name), "sluice_control_", key,
				level ? "" : "_total");
		snprintf(help, sizeof(help), "stats control.%s", key);
		struct sl_mt_col col = {key, name, level ? "gauge" : "counter", help, 0, 0};
		sl_mt_singles(t, c, &col, 1);
	}
}

/* Buffers in use: what the pool has less what is free. */
static void mbufs_in_use(struct sl_text *t, const json_t *stats)
{
	static const struct sl_mt_col c = {"in_use", "sluice_mbufs_in_use", "gauge",
				     "Packet buffers taken from the pool (in rings, "
				     "queues, caches or packets in flight)", 0, 0};
	json_t *total = sl_mt_get_path(stats, "resources.mbufs.total"),
	       *avail = sl_mt_get_path(stats, "resources.mbufs.available");

	if (!json_is_integer(total) || !json_is_integer(avail))
		return;
	json_t *o = json_pack("{s:I}", "in_use",
			      json_integer_value(total) - json_integer_value(avail));
	sl_mt_singles(t, o, &c, 1);
	json_decref(o);
}

int sl_metrics_render(const json_t *stats, struct sl_text *out)
{
	memset(out, 0, sizeof(*out));
	sl_mt_singles(out, stats, resource_cols, NCOLS(resource_cols));
	mbufs_in_use(out, stats);
	workers(out, json_object_get(stats, "workers"));
	sl_mt_columns(out, json_object_get(stats, "ports"), port_cols, NCOLS(port_cols),
		port_labels);
	sl_mt_columns(out, json_object_get(stats, "vips"), vip_cols, NCOLS(vip_cols), vip_labels);
	json_t *rs = json_object_get(stats, "real_servers");
	sl_mt_columns(out, rs, rs_cols, NCOLS(rs_cols), rs_labels);
	rs_states(out, rs);
	xdp(out, json_object_get(stats, "xdp"));
	control(out, json_object_get(stats, "control"));
	sl_metrics_cluster(out, stats);
	if (out->failed || !out->buf) {
		sl_text_free(out);
		return -1;
	}
	return 0;
}
