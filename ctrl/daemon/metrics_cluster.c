/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Session sync and announcements as Prometheus families (issue 16's
 * counters, issue 17's sync-state gauges): stats "cluster" (the
 * cluster.status answer, cmd_cluster.c) and stats "announce". Per-peer
 * figures carry a `peer` label (the peer's name); the reasons a datagram
 * or record was refused are a `reason` label; times are seconds.
 */
#include <string.h>

#include "cluster_counters.h"
#include "metrics_cluster.h"
#include "metrics_family.h"

static void peer_labels(const json_t *p, struct sl_mt_labels *l)
{
	sl_mt_label(l, "peer", json_object_get(p, "name"));
}

/* A counter of a list (cluster_counters.h) as a column: its JSON key
 * under `part` of the answer. A counter only in the JSON makes none. */
#define SL_MT_COUNTER(part, key, field, family, help, label, value) \
	{part key, family, "counter", help, label, value},
#define SL_MT_COUNTERS(...) SL_MT_COUNTER("counters.", __VA_ARGS__)
#define SL_MT_SYNC(...) SL_MT_COUNTER("sync.", __VA_ARGS__)
#define SL_MT_WORKERS(...) SL_MT_COUNTER("workers.", __VA_ARGS__)
#define SL_MT_JSON_ONLY(key, field)

static const struct sl_mt_col peer_cols[] = {
	{"up", "sluice_cluster_peer_up", "gauge",
	 "1 while the peer is alive (heard within timers.dead_ms)", 0, 0},
	{"ready", "sluice_cluster_peer_ready", "gauge",
	 "1 while the peer's heartbeats say it has its full dump", 0, 0},
	{"dump_received", "sluice_cluster_peer_dump_received", "gauge",
	 "1 once the peer answered this node's dump request", 0, 0},
	{"last_heard_s", "sluice_cluster_peer_last_heard_seconds", "gauge",
	 "Seconds since the peer was last heard (no sample: never)", 0, 0},
	{"last_record_s", "sluice_cluster_peer_last_record_seconds", "gauge",
	 "Seconds since the peer's last record (no sample: none yet)", 0, 0},
	{"connections_held", "sluice_cluster_peer_connections", "gauge",
	 "Connections the peer installed in this node's tables", 0, 0},
	{"workers_differ", "sluice_cluster_peer_workers_differ", "gauge",
	 "1 while the peer runs another number of workers (its records are refused)", 0, 0},
	{"holds_connections", "sluice_cluster_peer_holds_connections", "gauge",
	 "1 once this node holds the peer's connections (its dump, or one relaying them, "
	 "is in): it may then take over the peer's local addresses", 0, 0},
	{"down", "sluice_cluster_peer_down", "gauge",
	 "1 while the peer is down (died or restarted, here or as a serving peer says) "
	 "and not serving again: its local addresses are taken over", 0, 0},
	SL_CLUSTER_PEER_COUNTERS(SL_MT_COUNTERS, SL_MT_JSON_ONLY)
};

/* The peers as the columns want them: state as `up`, times in seconds. */
static json_t *peers_for_columns(const json_t *peers)
{
	json_t *out = json_deep_copy(peers), *p;
	size_t i;

	json_array_foreach(out, i, p) {
		const char *state = json_string_value(json_object_get(p, "state"));
		json_t *heard = json_object_get(p, "last_heard_ms_ago"),
		       *lag = json_object_get(p, "last_record_ms_ago");
		json_object_set_new(p, "up", json_boolean(state && !strcmp(state, "alive")));
		if (json_is_integer(heard))
			json_object_set_new(p, "last_heard_s",
					    json_real((double)json_integer_value(heard) / 1000));
		if (json_is_integer(lag))
			json_object_set_new(p, "last_record_s",
					    json_real((double)json_integer_value(lag) / 1000));
	}
	return out;
}

/* A peer's state as a state set: one sample per state. */
static void peer_states(struct sl_text *t, const json_t *peers)
{
	static const char *const states[] = {"unknown", "alive", "dead"};

	sl_mt_state_set(t, peers, "sluice_cluster_peer_state",
			"1 for the peer's state: unknown (never heard), alive or dead",
			states, NCOLS(states), peer_labels);
}

static const struct sl_mt_col node_cols[] = {
	{"ready", "sluice_cluster_ready", "gauge",
	 "1 once this node has its peers' dumps (it announces VIPs only then)", 0, 0},
	SL_CLUSTER_ENGINE_COUNTERS(SL_MT_COUNTERS, SL_MT_JSON_ONLY)
	SL_CLUSTER_DAEMON_COUNTERS(SL_MT_COUNTERS, SL_MT_JSON_ONLY)
	SL_CLUSTER_SYNC_COUNTERS(SL_MT_SYNC, SL_MT_JSON_ONLY)
	SL_CLUSTER_WORKER_COUNTERS(SL_MT_WORKERS, SL_MT_JSON_ONLY)
};

static const struct sl_mt_col announce_cols[] = {
	{"drained", "sluice_node_drained", "gauge",
	 "1 while the node is drained (sluicectl node drain): no VIP announced", 0, 0},
	{"gate_open", "sluice_announce_gate_open", "gauge",
	 "1 while VIPs may be announced (0: the cluster has no full dump yet)", 0, 0},
	{"in_step", "sluice_announce_in_step", "gauge",
	 "1 while announce.table holds exactly the wanted routes", 0, 0},
	{"routes.vip", "sluice_announce_routes", "gauge",
	 "Host routes wanted in announce.table, by kind: VIPs, this node's local "
	 "addresses, dead peers' local addresses taken over", "kind", "vip"},
	{"routes.local", "sluice_announce_routes", "gauge", "", "kind", "local"},
	{"routes.takeover", "sluice_announce_routes", "gauge", "", "kind", "takeover"},
	{"counters.routes_added", "sluice_announce_route_changes_total", "counter",
	 "Routes added to or removed from announce.table", "change", "add"},
	{"counters.routes_removed", "sluice_announce_route_changes_total", "counter", "",
	 "change", "remove"},
	{"counters.errors", "sluice_announce_errors_total", "counter",
	 "rtnetlink requests the kernel refused", 0, 0},
	{"counters.table_reads", "sluice_announce_table_reads_total", "counter",
	 "Reads (dumps) of announce.table", 0, 0},
	{"counters.found_at_last_read", "sluice_announce_routes_found", "gauge",
	 "Routes of sluice's protocol found at the last read of the table", 0, 0},
	{"counters.answers_lost", "sluice_announce_answers_lost_total", "counter",
	 "rtnetlink answers lost (the table is read again)", 0, 0},
	{"counters.out_of_memory", "sluice_announce_out_of_memory_total", "counter",
	 "Recomputations of the wanted routes that ran out of memory", 0, 0},
};

void sl_metrics_cluster(struct sl_text *t, const json_t *stats)
{
	const json_t *cl = json_object_get(stats, "cluster");

	sl_mt_singles(t, json_object_get(stats, "announce"), announce_cols,
		      NCOLS(announce_cols));
	if (!json_is_object(cl))
		return;
	sl_mt_singles(t, cl, node_cols, NCOLS(node_cols));
	json_t *peers = peers_for_columns(json_object_get(cl, "peers"));
	peer_states(t, peers);
	sl_mt_columns(t, peers, peer_cols, NCOLS(peer_cols), peer_labels);
	json_decref(peers);
}
