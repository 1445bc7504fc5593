/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The session-sync engine's state as JSON (ctrl/cluster/ has no JSON):
 * this node's readiness, each peer's state, when it was last heard,
 * records both ways, when a record last came, loss and every refusal, the engine's own
 * counters, and which peers' local addresses this node announces and
 * why. Needs only the engine, so the unit tests render it too; the
 * daemon adds what the workers count (cmd_cluster.c).
 */
#include "cluster_json.h"

static const char *takeover_why(const struct sl_sync_peer *p)
{
	if (p->state == SL_PEER_DEAD)
		return "peer dead";
	if (p->state == SL_PEER_UNKNOWN) /* learnt from a serving peer's down map */
		return "peer down, as a serving peer says (never heard here)";
	return "peer back, without its full dump";
}

/* Milliseconds since `t`, or null for never. */
static json_t *ago(uint64_t now, uint64_t t)
{
	return t ? json_integer((json_int_t)(now - t)) : json_null();
}

static json_t *peer_counters(const struct sl_sync_peer_stats *s)
{
	json_t *o = json_object();

	if (o) {
		SL_CLUSTER_PEER_COUNTERS(SL_JSON_COUNTER, SL_JSON_COUNTER)
	}
	return o;
}

static json_t *engine_counters(const struct sl_cluster_stats *s)
{
	json_t *o = json_object();

	if (o) {
		SL_CLUSTER_ENGINE_COUNTERS(SL_JSON_COUNTER, SL_JSON_COUNTER)
	}
	return o;
}

static json_t *peer_json(const struct sl_sync_peer *p, uint64_t now)
{
	char buf[SL_ADDR_STRLEN];
	json_t *l = json_array();
	json_t *o = json_pack(
		"{s:s, s:s, s:s, s:b, s:b, s:b, s:b, s:o, s:o, s:o, s:I, s:i, s:b, s:b, s:o*}",
		"name", p->conf->name, "address", sl_fmt_addr(&p->conf->addr, buf),
		"state", sl_peer_state_name(p->state), "ready", p->ready,
		"dump_received", p->dump_done, "holds_connections", p->holds, "down", p->down,
		"last_heard_ms_ago", ago(now, p->state == SL_PEER_UNKNOWN ? 0 : p->last_heard_ms),
		"last_record_ms_ago", ago(now, p->last_record_ms), "local_addresses", l,
		"epoch", (json_int_t)p->heard_epoch, "workers", (int)p->workers,
		"workers_differ", p->workers_differ, "has_current_key", p->has_key,
		"counters", peer_counters(&p->st));

	for (uint32_t i = 0; o && i < p->conf->nladdrs; i++)
		json_array_append_new(l, json_string(sl_fmt_addr(&p->conf->laddrs[i], buf)));
	return o;
}

static json_t *takeover_json(const struct sl_cluster *c)
{
	const struct sl_addr *a;
	const uint8_t *owner;
	uint32_t n = sl_cluster_takeover_list(c, &a, &owner);
	char buf[SL_ADDR_STRLEN];
	json_t *l = json_array();

	for (uint32_t i = 0; l && i < n; i++) {
		const struct sl_sync_peer *p = sl_cluster_peer(c, owner[i]);
		json_array_append_new(l, json_pack("{s:s, s:s, s:s}", "address",
						   sl_fmt_addr(&a[i], buf), "of", p->conf->name,
						   "why", takeover_why(p)));
	}
	return l;
}

json_t *sl_cluster_json(const struct sl_cluster *c, uint64_t now)
{
	const struct sl_cluster_stats *s = sl_cluster_stats(c);
	const struct sl_cluster_conf *conf = sl_cluster_conf(c);
	char buf[SL_ADDR_STRLEN];
	json_t *peers = json_array();
	json_t *o = json_pack("{s:s, s:s, s:i, s:b, s:I, s:i, s:i, s:o, s:o, s:o}",
			      "node", conf->node, "sync_address",
			      sl_fmt_addr(&conf->sync_addr, buf), "sync_port", conf->sync_port,
			      "ready", sl_cluster_ready(c), "epoch", (json_int_t)sl_cluster_epoch(c),
			      "socket_rcvbuf_bytes", s->rcvbuf_bytes,
			      "socket_sndbuf_bytes", s->sndbuf_bytes, "peers", peers, "takeover",
			      takeover_json(c), "counters", engine_counters(s));

	for (uint32_t i = 0; o && i < sl_cluster_npeers(c); i++) {
		json_t *p = peer_json(sl_cluster_peer(c, i), now);
		if (!p || json_array_append_new(peers, p) < 0) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}
