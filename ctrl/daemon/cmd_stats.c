/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * stats and conn.list. Counters are read straight from the workers'
 * structures (one writer each, aligned 64-bit words); connection lists
 * are asked of each worker through its control ring, since only a worker
 * may walk its own table (ctl_dump.c, answered later).
 */
#include <stdlib.h>
#include <string.h>

#include <rte_ethdev.h>

#include "addr.h"
#include "announce.h"
#include "commands.h"
#include "ctl_capture.h"
#include "jsonutil.h"
#include "server.h"

#define CONN_LIST_DEFAULT 100
#define CONN_LIST_MAX 10000

static void add_obj(struct sl_obj_stats *sum, const struct sl_obj_stats *o)
{
	sum->conns += o->conns;
	sum->expired += o->expired;
	sum->refused += o->refused;
	sum->packets_in += o->packets_in;
	sum->packets_out += o->packets_out;
	sum->bytes_in += o->bytes_in;
	sum->bytes_out += o->bytes_out;
}

static void sub_obj(struct sl_obj_stats *a, const struct sl_obj_stats *base)
{
	a->conns -= base->conns;
	a->expired -= base->expired;
	a->refused -= base->refused;
	a->packets_in -= base->packets_in;
	a->packets_out -= base->packets_out;
	a->bytes_in -= base->bytes_in;
	a->bytes_out -= base->bytes_out;
}

void sl_ctl_sum_svc(const struct sl_ctl *ctl, uint16_t id, struct sl_obj_stats *out)
{
	memset(out, 0, sizeof(*out));
	for (uint32_t w = 0; w < ctl->dp->nworkers; w++)
		add_obj(out, &ctl->dp->workers[w]->svc_stats[id]);
}

void sl_ctl_sum_rs(const struct sl_ctl *ctl, uint16_t id, struct sl_obj_stats *out)
{
	memset(out, 0, sizeof(*out));
	for (uint32_t w = 0; w < ctl->dp->nworkers; w++)
		add_obj(out, &ctl->dp->workers[w]->rs_stats[id]);
}

/* A new id's counters start from what the workers hold now. One pass
 * over each model with the ids `before` had marked (issue 19.3: looking
 * each id up in `before` was quadratic, 33M steps at 8,192 servers on
 * every rs set). */
void sl_ctl_rebase_ids(struct sl_ctl *ctl, const struct sl_model *before,
		       const struct sl_model *now)
{
	static bool had_svc[SL_MAX_SVC], had_rs[SL_MAX_RS];

	memset(had_svc, 0, sizeof(had_svc));
	memset(had_rs, 0, sizeof(had_rs));
	for (uint32_t v = 0; v < before->nsvcs; v++) {
		had_svc[before->svcs[v].id] = true;
		for (uint32_t r = 0; r < before->svcs[v].nrs; r++)
			had_rs[before->svcs[v].rs[r].id] = true;
	}
	for (uint32_t v = 0; v < now->nsvcs; v++) {
		const struct sl_model_svc *svc = &now->svcs[v];
		if (!had_svc[svc->id])
			sl_ctl_sum_svc(ctl, svc->id, &ctl->svc_base[svc->id]);
		for (uint32_t r = 0; r < svc->nrs; r++)
			if (!had_rs[svc->rs[r].id])
				sl_ctl_sum_rs(ctl, svc->rs[r].id,
					      &ctl->rs_base[svc->rs[r].id]);
	}
}

static void obj_fields(json_t *o, const struct sl_obj_stats *s)
{
	json_object_set_new(o, "conns", json_integer((json_int_t)s->conns));
	json_object_set_new(o, "active_conns",
			    json_integer((json_int_t)(s->conns - s->expired)));
	json_object_set_new(o, "packets_in", json_integer((json_int_t)s->packets_in));
	json_object_set_new(o, "packets_out", json_integer((json_int_t)s->packets_out));
	json_object_set_new(o, "bytes_in", json_integer((json_int_t)s->bytes_in));
	json_object_set_new(o, "bytes_out", json_integer((json_int_t)s->bytes_out));
}

/* The scalar worker counters, in the order they are printed. */
#define WORKER_COUNTERS(X)                                                     \
	X(rx_packets) X(rx_bytes) X(tx_packets) X(tx_bytes) X(conns_created)   \
	X(conns_synced) X(conns_expired) X(snat_mappings)                      \
	X(snat_mappings_expired) X(snat_sessions) X(snat_sessions_expired) X(icmp_errors_translated)    \
	X(steered_out) X(steered_in) X(flow_steered) X(arp_replies)            \
	X(arp_requests) X(icmp_echo_replies) X(icmp_errors_sent)                      \
	X(icmp_errors_limited) X(idle_sleeps) X(conns_refused) X(conns_flushed) \
	X(resets_sent) X(resets_deferred)                                      \
	X(persist_lost) X(arp_requests_unknown) X(frag_needed_sent)            \
	X(frag_needed_limited) X(mss_clamped) X(ndp_solicits) X(ndp_adverts)   \
	X(icmp6_echo_replies)

/* The kernel exception path's (dataplane/worker_host.c). */
#define HOST_COUNTERS(X) X(to_host) X(from_host)

/* The counters of a worker (or their sum) as JSON: scalar counters, plus
 * "drops" as the total and "drops_by_reason" as an object. */
static json_t *counters_json(const struct sl_worker_stats *s)
{
	json_t *o = json_object();
	uint64_t drops = 0;
#define X(f) json_object_set_new(o, #f, json_integer((json_int_t)s->f));
	WORKER_COUNTERS(X)
	HOST_COUNTERS(X)
#undef X
	json_object_set_new(o, "conns_active",
			    json_integer((json_int_t)(s->conns_created + s->conns_synced -
						     s->conns_expired)));
	json_t *d = json_object();
	for (unsigned r = 1; r < SL_DROP_MAX; r++) {
		json_object_set_new(d, sl_drop_name(r), json_integer((json_int_t)s->drops[r]));
		drops += s->drops[r];
	}
	json_object_set_new(o, "drops", json_integer((json_int_t)drops));
	json_object_set_new(o, "drops_by_reason", d);
	return o;
}

static void sum_workers(const struct sl_ctl *ctl, struct sl_worker_stats *t)
{
	memset(t, 0, sizeof(*t));
	for (uint32_t i = 0; i < ctl->dp->nworkers; i++) {
		const struct sl_worker_stats *s = &ctl->dp->workers[i]->stats;
#define X(f) t->f += s->f;
		WORKER_COUNTERS(X)
		HOST_COUNTERS(X)
#undef X
		for (unsigned r = 0; r < SL_DROP_MAX; r++)
			t->drops[r] += s->drops[r];
	}
}

static json_t *services_json(const struct sl_ctl *ctl, const struct sl_model *m,
			     json_t **servers)
{
	char ip[SL_ADDR_STRLEN];
	json_t *vips = json_array();
	struct sl_obj_stats st;

	*servers = json_array();
	for (uint32_t v = 0; v < m->nsvcs; v++) {
		const struct sl_model_svc *svc = &m->svcs[v];
		json_t *o = json_pack("{s:s,s:i,s:s}", "vip", sl_model_vip_str(svc, ip),
				      "port", sl_ntohs(svc->port), "proto",
				      sl_proto_name(svc->proto));
		sl_ctl_sum_svc(ctl, svc->id, &st);
		sub_obj(&st, &ctl->svc_base[svc->id]);
		obj_fields(o, &st);
		json_object_set_new(o, "refused", json_integer((json_int_t)st.refused));
		json_array_append_new(vips, o);
		for (uint32_t r = 0; r < svc->nrs; r++) {
			const struct sl_model_rs *rs = &svc->rs[r];
			json_t *ro = json_pack("{s:s,s:i,s:s}", "vip",
					       sl_model_vip_str(svc, ip), "vport",
					       sl_ntohs(svc->port), "proto",
					       sl_proto_name(svc->proto));
			json_object_set_new(ro, "ip", json_string(sl_model_rs_ip_str(rs, ip)));
			json_object_set_new(ro, "port", json_integer(sl_ntohs(rs->port)));
			json_object_set_new(ro, "weight", json_integer(rs->weight));
			json_object_set_new(ro, "state",
					    json_string(sl_ctl_rs_state(ctl, svc, rs)));
			sl_ctl_sum_rs(ctl, rs->id, &st);
			sub_obj(&st, &ctl->rs_base[rs->id]);
			obj_fields(ro, &st);
			json_array_append_new(*servers, ro);
		}
	}
	return vips;
}

/* The driver's own counters per port: what the NIC (or the kernel ring
 * under af_packet/af_xdp) dropped before a worker ever saw it. */
static json_t *ports_json(const struct sl_ctl *ctl, const struct sl_model *m)
{
	json_t *list = json_array();

	for (uint32_t p = 0; p < ctl->dp->nports; p++) {
		struct rte_eth_stats st;
		if (rte_eth_stats_get(ctl->dp->ethdev[p], &st) != 0)
			memset(&st, 0, sizeof(st));
		json_t *o = json_pack("{s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "port",
				      m->ports[p].name, "rx_packets", (json_int_t)st.ipackets,
				      "tx_packets", (json_int_t)st.opackets, "rx_bytes",
				      (json_int_t)st.ibytes, "tx_bytes", (json_int_t)st.obytes,
				      "rx_missed", (json_int_t)st.imissed, "rx_nombuf",
				      (json_int_t)st.rx_nombuf, "rx_errors",
				      (json_int_t)st.ierrors, "tx_errors", (json_int_t)st.oerrors);
		json_object_update_new(o, sl_ctl_port_json(ctl, p));
		int fwd = sl_ctl_port_kernel_forwarding(ctl, p);
		if (fwd >= 0) /* read now: the operator may have changed it */
			json_object_set_new(o, "kernel_forwarding", json_boolean(fwd));
		json_array_append_new(list, o);
	}
	return list;
}

/* Shared resources: packet buffers and the learned-neighbor table. */
static json_t *resources_json(const struct sl_ctl *ctl)
{
	const struct rte_mempool *pool = ctl->dp->pool;
	const struct sl_neigh_table *t = &ctl->neigh;

	const struct sl_persist_table *p = ctl->dp->persist;

	return json_pack("{s:{s:I,s:I},s:{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I},s:{s:I,s:I,s:I,s:I}}",
			 "mbufs", "total",
			 (json_int_t)(pool ? pool->size : 0), "available",
			 (json_int_t)(pool ? rte_mempool_avail_count(pool) : 0),
			 "neighbors", "entries", (json_int_t)t->n, "max", (json_int_t)t->max,
			 "evicted", (json_int_t)t->evicted, "refused", (json_int_t)t->refused,
			 "unsolicited", (json_int_t)t->unsolicited,
			 "unknown_requests", (json_int_t)t->unknown_requests,
			 "v6_port_capped", (json_int_t)t->capped6,
			 "v6_not_overridden", (json_int_t)t->not_overridden,
			 "persistence", "templates", (json_int_t)(p ? p->n : 0),
			 "max", (json_int_t)(p ? p->max : 0),
			 "evicted", (json_int_t)(p ? p->evicted : 0),
			 "refused", (json_int_t)(p ? p->refused : 0));
}

int sl_cmd_stats(struct sl_ctl *ctl, struct sl_model *m, json_t *args,
		 json_t **result, struct sl_err *err)
{
	struct sl_worker_stats total;
	json_t *servers;
	(void)args;

	sum_workers(ctl, &total);
	json_t *totals = counters_json(&total);
	json_t *drops = json_incref(json_object_get(totals, "drops_by_reason"));
	json_object_del(totals, "drops_by_reason");
	json_t *workers = json_array();
	for (uint32_t i = 0; i < ctl->dp->nworkers; i++) {
		json_t *w = counters_json(&ctl->dp->workers[i]->stats);
		/* Per worker, "drops" is the object by reason (see README). */
		json_object_set(w, "drops_total", json_object_get(w, "drops"));
		json_object_set(w, "drops", json_object_get(w, "drops_by_reason"));
		json_object_del(w, "drops_by_reason");
		json_object_set_new(w, "worker", json_integer(i));
		json_object_set_new(w, "connections_in_table",
				    json_integer(ctl->dp->workers[i]->ct.nconns));
		json_object_set_new(w, "connections_max",
				    json_integer(ctl->dp->workers[i]->ct.max_conns));
		/* v6 connections each take one of the table's extensions */
		json_object_set_new(w, "v6_connections_in_table",
				    json_integer(ctl->dp->workers[i]->ct.ext_used));
		json_object_set_new(w, "v6_connections_max",
				    json_integer(ctl->dp->workers[i]->ct.max_ext));
		json_array_append_new(workers, w);
	}
	json_t *vips = services_json(ctl, m, &servers);
	*result = json_pack("{s:I,s:o,s:o,s:o,s:o,s:o,s:o}", "uptime_s",
			    (json_int_t)((sl_ctl_now_ms() - ctl->start_ms) / 1000),
			    "totals", totals, "drops", drops, "workers", workers,
			    "ports", ports_json(ctl, m), "vips", vips, "real_servers",
			    servers);
	json_object_set_new(*result, "xdp", sl_ctl_xdp_stats(ctl));
	json_object_set_new(*result, "resources", resources_json(ctl));
	json_object_set_new(*result, "capture", sl_ctl_capture_stats(ctl));
	json_t *control = json_pack(
		"{s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "publishes", (json_int_t)ctl->publishes,
		"stats_renders", (json_int_t)ctl->stats_doc_renders,
		"messages_waiting", (json_int_t)ctl->msgs_waiting,
		"messages_deferred", (json_int_t)ctl->msgs_deferred,
		"pick_tables_built", (json_int_t)ctl->picks.built,
		"pick_tables_shared", (json_int_t)ctl->picks.shared,
		"pick_tables_cached", (json_int_t)ctl->picks.cached);
	if (ctl->srv) /* the socket's limits at work (server.h) */
		json_object_update_new(control, json_pack(
			"{s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "turns_yielded",
			(json_int_t)ctl->srv->turns_yielded,
			"long_lines", (json_int_t)ctl->srv->long_lines,
			"readonly_refused", (json_int_t)ctl->srv->readonly_refused,
			"readonly_busy", (json_int_t)ctl->srv->readonly_busy,
			"busy_refused", (json_int_t)ctl->srv->busy_refused,
			"nomem_refused", (json_int_t)ctl->srv->nomem_refused,
			"accept_paused", (json_int_t)ctl->srv->accept_paused));
	json_object_set_new(*result, "control", control);
	if (ctl->health)
		json_object_set_new(*result, "health", json_pack(
			"{s:s,s:I,s:I,s:I,s:I,s:b,s:I,s:I}", "path",
			ctl->health->data_path ? "data" : "kernel", "targets",
			(json_int_t)ctl->health->ntargets, "in_flight",
			(json_int_t)ctl->health->inflight, "loop_stalls",
			(json_int_t)ctl->health->stalls, "local_errors",
			(json_int_t)ctl->health->local_errors, "panic",
			ctl->health->panic, "vips_in_panic",
			(json_int_t)ctl->health->vips_in_panic, "panics",
			(json_int_t)ctl->health->panics));
	if (ctl->announce)
		json_object_set_new(*result, "announce", sl_announce_summary_json(ctl->announce));
	if (ctl->cluster) /* cluster.status's answer: /metrics renders it */
		json_object_set_new(*result, "cluster", sl_ctl_cluster_status(ctl, err));
	return 0;
}

json_t *sl_ctl_stats_doc(struct sl_ctl *ctl, uint64_t max_age_ms)
{
	uint64_t now = sl_ctl_now_ms();
	json_t *fresh = NULL;
	struct sl_err err;

	if (ctl->stats_doc && now - ctl->stats_doc_ms <= max_age_ms)
		return json_incref(ctl->stats_doc);
	if (sl_cmd_stats(ctl, &ctl->model, NULL, &fresh, &err) != 0 || fresh == NULL)
		return NULL;
	json_decref(ctl->stats_doc);
	ctl->stats_doc = fresh;
	ctl->stats_doc_ms = now;
	ctl->stats_doc_renders++;
	return json_incref(fresh);
}

void sl_ctl_stats_doc_free(struct sl_ctl *ctl)
{
	json_decref(ctl->stats_doc);
	ctl->stats_doc = NULL;
}

/* ---- conn.list ---- */

/* Direction d's source (or destination) as "a.b.c.d:port" or
 * "[v6]:port": each direction in its own family (a NAT64 connection's
 * client and VIP are v6, its local address and server v4). */
static char *conn_end(const struct sl_conn_info *ci, enum sl_dir d, bool src,
		      char *buf)
{
	struct sl_addr a = {.af = SL_AF_V6};

	if (ci->v6[d])
		memcpy(a.v6, src ? ci->key6[d].saddr : ci->key6[d].daddr, 16);
	else
		a = sl_addr_v4(src ? ci->key[d].saddr : ci->key[d].daddr);
	return sl_fmt_addrport(&a, src ? ci->key[d].sport : ci->key[d].dport, buf);
}

static json_t *conn_json(const struct sl_conn_info *ci, unsigned worker)
{
	char a[SL_ADDRPORT_STRLEN], b[SL_ADDRPORT_STRLEN], c[SL_ADDRPORT_STRLEN],
		d[SL_ADDRPORT_STRLEN];

	return json_pack("{s:i,s:s,s:s,s:s,s:s,s:s,s:s,s:I,s:I}", "worker",
			 worker, "proto", sl_proto_name(ci->proto), "client",
			 conn_end(ci, SL_DIR_ORIG, true, a), "vip",
			 conn_end(ci, SL_DIR_ORIG, false, b), "local",
			 conn_end(ci, SL_DIR_REPLY, false, c), "rs",
			 conn_end(ci, SL_DIR_REPLY, true, d), "state",
			 sl_conn_state_name(ci->state), "age_s",
			 (json_int_t)(ci->age_ms / 1000), "expires_in_s",
			 (json_int_t)((ci->expires_in_ms + 999) / 1000));
}

/* args.vip, either family, into the dump's filter. */
static int read_vip_filter(json_t *args, struct sl_wmsg *filter,
			   struct sl_err *err)
{
	struct sl_addr vip = {.af = SL_AF_NONE};

	if (sl_json_addr(args, "vip", false, &vip, err) < 0)
		return -1;
	if (vip.af == SL_AF_V4)
		filter->dump.vip = vip.v4;
	filter->dump.vip_is_v6 = vip.af == SL_AF_V6;
	if (vip.af == SL_AF_V6)
		memcpy(filter->dump.vip6, vip.v6, 16);
	return 0;
}

int sl_cmd_conn_list(struct sl_ctl *ctl, struct sl_model *m, json_t *args,
		     json_t **result, struct sl_err *err)
{
	unsigned long limit = CONN_LIST_DEFAULT;
	struct sl_wmsg filter = {.type = SL_WMSG_CONN_DUMP};
	(void)m;

	if (read_vip_filter(args, &filter, err) < 0 ||
	    sl_json_port(args, "port", false, &filter.dump.vport, err) < 0 ||
	    sl_json_uint(args, "limit", false, 1, CONN_LIST_MAX, &limit, err) < 0)
		return -1;
	(void)result;
	return sl_ctl_dump(ctl, &filter, (uint32_t)limit, "connections", conn_json, err);
}
