/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cluster.status (issue 16): this node's readiness, each peer's state,
 * when it was last heard, records both ways, sync lag, loss and every
 * refusal, and which peers' local addresses this node announces and why.
 */
#include <string.h>

#include "cluster.h"
#include "commands.h"
#include "ctl_cluster.h"
#include "ctl_sync.h"
#include "worker_sync.h"

static const char *takeover_why(const struct sl_sync_peer *p)
{
	return p->state == SL_PEER_DEAD ? "peer dead" : "peer back, without its full dump";
}

/* Milliseconds since `t`, or null for never. */
static json_t *ago(uint64_t now, uint64_t t)
{
	return t ? json_integer((json_int_t)(now - t)) : json_null();
}

static json_t *peer_json(const struct sl_sync_peer *p, uint64_t now)
{
	const struct sl_sync_peer_stats *s = &p->st;
	char buf[SL_ADDR_STRLEN];
	json_t *l = json_array();
	json_t *o = json_pack(
		"{s:s, s:s, s:s, s:b, s:b, s:o, s:o, s:o}",
		"name", p->conf->name, "address", sl_fmt_addr(&p->conf->addr, buf),
		"state", sl_peer_state_name(p->state), "ready", p->ready,
		"dump_received", p->dump_done,
		"last_heard_ms_ago", ago(now, p->state == SL_PEER_UNKNOWN ? 0 : p->last_heard_ms),
		"sync_lag_ms", ago(now, p->last_record_ms), "local_addresses", l);

	for (uint32_t i = 0; o && i < p->conf->nladdrs; i++)
		json_array_append_new(l, json_string(sl_fmt_addr(&p->conf->laddrs[i], buf)));
	if (!o)
		return NULL;
	json_t *c = json_pack(
		"{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
		"rx_datagrams", (json_int_t)s->rx_dgrams, "rx_records", (json_int_t)s->rx_records,
		"tx_datagrams", (json_int_t)s->tx_dgrams, "tx_records", (json_int_t)s->tx_records,
		"tx_errors", (json_int_t)s->tx_errors, "lost", (json_int_t)s->lost,
		"replays", (json_int_t)s->replays, "bad_sender", (json_int_t)s->bad_sender,
		"refused_vip", (json_int_t)s->refused_vip,
		"refused_laddr", (json_int_t)s->refused_laddr,
		"refused_share", (json_int_t)s->refused_share,
		"installed", (json_int_t)s->installed, "dumps_sent", (json_int_t)s->dumps_sent,
		"dumps_received", (json_int_t)s->dumps_received);
	for (int b = SL_SYNC_BAD_TRUNCATED; c && b < SL_SYNC_BAD_MAX; b++)
		json_object_set_new(c, sl_sync_bad_name((enum sl_sync_bad)b),
				    json_integer((json_int_t)s->bad[b]));
	if (c) {
		json_object_set_new(c, "deaths", json_integer((json_int_t)s->deaths));
		json_object_set_new(c, "restarts", json_integer((json_int_t)s->restarts));
	}
	json_object_set_new(o, "counters", c ? c : json_null());
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

/* What became of the peers' records in the workers' tables. The
 * peers' "installed" counts records handed to the workers; whether a
 * worker then installed each one (or found it there, or refused it for
 * the share cap or a full table) is only known in its own counters,
 * summed here, beside the control thread's refusals of records no worker
 * saw, and the workers' own records lost to a full ring. Plain reads of
 * counters the workers keep writing, as stats does. */
static json_t *workers_json(const struct sl_ctl *ctl)
{
	const struct sl_ctl_sync_stats *c = sl_ctl_sync_stats(ctl);
	struct sl_sync_stats sum = {0};

	for (unsigned i = 0; c && i < ctl->dp->nworkers; i++) {
		const struct sl_worker_sync *y = ctl->dp->workers[i]->sync;
		if (y == NULL)
			continue;
		sum.installed += y->stats.installed;
		sum.updated += y->stats.updated;
		sum.removed += y->stats.removed;
		sum.refused_share += y->stats.refused_share;
		sum.refused_table += y->stats.refused_table;
		sum.ring_full += y->stats.ring_full;
	}
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
			 "installed", (json_int_t)sum.installed,
			 "updated", (json_int_t)sum.updated,
			 "removed", (json_int_t)sum.removed,
			 "refused_share", (json_int_t)sum.refused_share,
			 "refused_table", (json_int_t)sum.refused_table,
			 "ring_full", (json_int_t)sum.ring_full,
			 "refused_owner", (json_int_t)(c ? c->refused_owner : 0),
			 "no_memory", (json_int_t)(c ? c->no_memory : 0));
}

json_t *sl_ctl_cluster_status(const struct sl_ctl *ctl, struct sl_err *err)
{
	const struct sl_ctl_cluster *k = ctl->cluster;
	const struct sl_cluster_stats *s;
	const struct sl_cluster_conf *conf;
	uint64_t now = sl_ctl_now_ms();
	char buf[SL_ADDR_STRLEN];
	json_t *o, *peers;

	if (!k) {
		sl_err_set(err, SL_E_NOT_FOUND, "cluster", "no \"cluster\" block in the "
			   "configuration: this node syncs with nobody");
		return NULL;
	}
	s = sl_cluster_stats(k->c);
	conf = sl_cluster_conf(k->c);
	peers = json_array();
	o = json_pack("{s:s, s:s, s:i, s:b, s:o, s:o, s:{s:I, s:I, s:I, s:I, s:I, s:I, "
		      "s:I, s:I, s:I, s:I}}",
		      "node", conf->node, "sync_address", sl_fmt_addr(&conf->sync_addr, buf),
		      "sync_port", conf->sync_port, "ready", sl_cluster_ready(k->c),
		      "peers", peers, "takeover", takeover_json(k->c), "counters",
		      "unknown_peer", (json_int_t)s->unknown_peer,
		      "rx_errors", (json_int_t)s->rx_errors,
		      "tx_no_room", (json_int_t)s->tx_no_room,
		      "dump_timeouts", (json_int_t)s->dump_timeouts,
		      "takeover_changes", (json_int_t)s->takeover_changes,
		      "emitted", (json_int_t)s->emitted,
		      "installs_counted", (json_int_t)k->installs,
		      "dump_requests", (json_int_t)k->dump_requests,
		      "refreshes", (json_int_t)k->refreshes,
		      "takeover_calls", (json_int_t)k->takeover_calls);
	if (o)
		json_object_set_new(o, "workers", workers_json(ctl));
	for (uint32_t i = 0; o && i < sl_cluster_npeers(k->c); i++)
		if (json_array_append_new(peers, peer_json(sl_cluster_peer(k->c, i), now)) < 0) {
			json_decref(o);
			o = NULL;
		}
	if (!o)
		sl_err_set(err, SL_E_INTERNAL, "", "out of memory");
	return o;
}

int sl_cmd_cluster_status(struct sl_ctl *ctl, struct sl_model *m, json_t *args,
			  json_t **result, struct sl_err *err)
{
	(void)m;
	(void)args;
	*result = sl_ctl_cluster_status(ctl, err);
	return *result ? 0 : -1;
}
