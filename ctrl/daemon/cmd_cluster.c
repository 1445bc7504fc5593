/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cluster.status (issue 16): the engine's view (cluster_json.c), with
 * what only the daemon knows: each peer's installs refused past its
 * share and the connections it holds (the workers count them), the
 * control thread's sync counters ("sync"), the workers' summed
 * ("workers"), the callbacks' counts, and what this node announces
 * ("announce"). The stats answer carries the same object as "cluster"
 * (ctrl/daemon/metrics_cluster.c makes /metrics of it).
 */
#include "announce.h"
#include "cluster_json.h"
#include "commands.h"
#include "ctl_cluster.h"
#include "ctl_sync.h"
#include "worker_sync.h"

/* The workers' part of each peer's counters. refused_share is the
 * engine's (what install() reported, none from this daemon) plus the
 * workers'. */
static void peers_add_workers(const struct sl_ctl *ctl, json_t *peers)
{
	size_t i;
	json_t *p;

	json_array_foreach(peers, i, p) {
		json_t *c = json_object_get(p, "counters");
		uint64_t refused, conns;
		sl_ctl_sync_peer_sums(ctl, (unsigned)i, &refused, &conns);
		json_int_t engine = json_integer_value(json_object_get(c, "refused_share"));
		json_object_set_new(c, "refused_share", json_integer(engine + (json_int_t)refused));
		json_object_set_new(p, "connections_held", json_integer((json_int_t)conns));
	}
}

static json_t *sync_json(const struct sl_ctl *ctl)
{
	const struct sl_ctl_sync_stats *s = sl_ctl_sync_stats(ctl);

	if (!s)
		return NULL;
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
			 "drained", (json_int_t)s->drained, "unsunk", (json_int_t)s->unsunk,
			 "wakes", (json_int_t)s->wakes, "drain_cut", (json_int_t)s->drain_cut,
			 "install_sent", (json_int_t)s->install_sent,
			 "refused_invalid", (json_int_t)s->refused_invalid,
			 "refused_vip", (json_int_t)s->refused_vip,
			 "refused_rs", (json_int_t)s->refused_rs,
			 "refused_laddr", (json_int_t)s->refused_laddr,
			 "refused_peer", (json_int_t)s->refused_peer,
			 "refused_owner", (json_int_t)s->refused_owner,
			 "no_memory", (json_int_t)s->no_memory, "walks", (json_int_t)s->walks);
}

/* What became of records in the workers' tables: the workers' own
 * counters summed (the peers' "installed" only counts records handed to
 * the workers), beside the control thread's refusals of records no worker
 * saw (wrong owner, no memory). */
static json_t *workers_json(const struct sl_ctl *ctl)
{
	const struct sl_ctl_sync_stats *c = sl_ctl_sync_stats(ctl);
	struct sl_sync_stats s;

	sl_ctl_sync_worker_stats(ctl, &s);
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I,"
			 " s:I, s:I, s:I}",
			 "gone_ignored", (json_int_t)s.gone_ignored,
			 "conflicts", (json_int_t)s.conflicts,
			 "late", (json_int_t)s.late, "backwards", (json_int_t)s.backwards,
			 "reopened", (json_int_t)s.reopened,
			 "replaced", (json_int_t)s.replaced, "clamped", (json_int_t)s.clamped,
			 "refused_owner", (json_int_t)(c ? c->refused_owner : 0),
			 "no_memory", (json_int_t)(c ? c->no_memory : 0),
			 "emitted", (json_int_t)s.emitted, "ring_full", (json_int_t)s.ring_full,
			 "installed", (json_int_t)s.installed, "updated", (json_int_t)s.updated,
			 "removed", (json_int_t)s.removed,
			 "refused_share", (json_int_t)s.refused_share,
			 "refused_table", (json_int_t)s.refused_table,
			 "walks", (json_int_t)s.walks);
}

json_t *sl_ctl_cluster_status(const struct sl_ctl *ctl, struct sl_err *err)
{
	const struct sl_ctl_cluster *k = ctl->cluster;
	json_t *o;

	if (!k) {
		sl_err_set(err, SL_E_NOT_FOUND, "cluster", "no \"cluster\" block in the "
			   "configuration: this node syncs with nobody");
		return NULL;
	}
	o = sl_cluster_json(k->c, sl_ctl_now_ms());
	if (o) {
		json_t *c = json_object_get(o, "counters");
		peers_add_workers(ctl, json_object_get(o, "peers"));
		json_object_set_new(c, "installs_counted", json_integer((json_int_t)k->installs));
		json_object_set_new(c, "dump_requests", json_integer((json_int_t)k->dump_requests));
		json_object_set_new(c, "refreshes", json_integer((json_int_t)k->refreshes));
		json_object_set_new(c, "takeover_calls",
				    json_integer((json_int_t)k->takeover_calls));
		json_object_set_new(o, "sync", sync_json(ctl) ?: json_null());
		json_object_set_new(o, "workers", workers_json(ctl) ?: json_null());
		json_object_set_new(o, "announce", ctl->announce ?
				    sl_announce_summary_json(ctl->announce) : json_null());
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
