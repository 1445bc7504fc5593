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
	json_t *o = s ? json_object() : NULL;

	if (o) {
		SL_CLUSTER_SYNC_COUNTERS(SL_JSON_COUNTER, SL_JSON_COUNTER)
	}
	return o;
}

/* What became of records in the workers' tables: the workers' own
 * counters summed (the peers' "installed" only counts records handed to
 * the workers), beside the control thread's refusals of records no worker
 * saw (wrong owner, no memory). */
static json_t *workers_json(const struct sl_ctl *ctl)
{
	const struct sl_ctl_sync_stats *c = sl_ctl_sync_stats(ctl);
	struct sl_sync_stats sum;
	const struct sl_sync_stats *s = &sum;
	json_t *o = json_object();

	sl_ctl_sync_worker_stats(ctl, &sum);
	if (o) {
		SL_CLUSTER_WORKER_COUNTERS(SL_JSON_COUNTER, SL_JSON_COUNTER)
		json_object_set_new(o, "refused_owner",
				    json_integer((json_int_t)(c ? c->refused_owner : 0)));
		json_object_set_new(o, "no_memory", json_integer((json_int_t)(c ? c->no_memory : 0)));
	}
	return o;
}

/* The daemon's own calls into the engine, beside the engine's counters. */
static void daemon_counters(const struct sl_ctl_cluster *s, json_t *o)
{
	if (o) {
		SL_CLUSTER_DAEMON_COUNTERS(SL_JSON_COUNTER, SL_JSON_COUNTER)
	}
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
		peers_add_workers(ctl, json_object_get(o, "peers"));
		daemon_counters(k, json_object_get(o, "counters"));
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
