/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A service as a snapshot publishes it: its options, its servers with the
 * weights they take new connections with (0 when drained, or down by
 * their health check), and its pick table (sched.h).
 *
 * Maglev tables are kept per service between snapshots and rebuilt only
 * when their inputs change (which servers, their weights, the size):
 * every publish copies the whole snapshot, and a neighbor learned or a
 * weight changed elsewhere should not cost a 65537-slot rebuild per mh
 * service. The copy into the snapshot is a memcpy.
 */
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "log.h"
#include "maglev.h"
#include "sched.h"

struct sl_mh_cache {
	uint32_t m, n;
	uint64_t *ids;
	uint32_t *weights;
	uint16_t *table;
};

uint32_t sl_ctl_rs_weight(const struct sl_ctl *ctl, uint16_t svc_id,
			  const struct sl_model_rs *rs)
{
	if (ctl->health && sl_health_down(ctl->health, svc_id, rs))
		return 0;
	return rs->weight;
}

static void inputs(const struct sl_ctl *ctl, const struct sl_model_svc *ms,
		   uint32_t *weights, uint64_t *ids)
{
	for (uint32_t r = 0; r < ms->nrs; r++) {
		weights[r] = sl_ctl_rs_weight(ctl, ms->id, &ms->rs[r]);
		if (ids)
			ids[r] = sl_maglev_id(ms->rs[r].ip, ms->rs[r].port);
	}
}

uint32_t sl_ctl_svc_table_len(struct sl_ctl *ctl, const struct sl_model_svc *ms)
{
	uint32_t weights[SL_MAX_RS_PER_SVC];

	inputs(ctl, ms, weights, NULL);
	return sl_sched_table_len(ms->sched, weights, ms->nrs, ms->mh_size);
}

static void mh_free(struct sl_mh_cache *c)
{
	if (!c)
		return;
	free(c->ids);
	free(c->weights);
	free(c->table);
	free(c);
}

void sl_ctl_mh_cache_free(struct sl_ctl *ctl)
{
	for (unsigned i = 0; i < SL_MAX_SVC; i++) {
		mh_free(ctl->mh_cache[i]);
		ctl->mh_cache[i] = NULL;
	}
}

static bool mh_same(const struct sl_mh_cache *c, uint32_t m, uint32_t n,
		    const uint64_t *ids, const uint32_t *weights)
{
	return c && c->m == m && c->n == n &&
	       memcmp(c->ids, ids, n * sizeof(*ids)) == 0 &&
	       memcmp(c->weights, weights, n * sizeof(*weights)) == 0;
}

/* The service's Maglev table, from the cache or freshly built. */
static const uint16_t *mh_table(struct sl_ctl *ctl, const struct sl_model_svc *ms,
				const uint64_t *ids, const uint32_t *weights)
{
	struct sl_mh_cache *c = ctl->mh_cache[ms->id];
	uint32_t n = ms->nrs;

	if (mh_same(c, ms->mh_size, n, ids, weights))
		return c->table;
	mh_free(c);
	ctl->mh_cache[ms->id] = NULL;
	c = calloc(1, sizeof(*c));
	if (!c || !(c->ids = malloc((n ? n : 1) * sizeof(*ids))) ||
	    !(c->weights = malloc((n ? n : 1) * sizeof(*weights))) ||
	    !(c->table = malloc(ms->mh_size * sizeof(*c->table))) ||
	    sl_maglev_build(ids, weights, n, ms->mh_size, c->table) != 0) {
		mh_free(c);
		return NULL;
	}
	c->m = ms->mh_size;
	c->n = n;
	memcpy(c->ids, ids, n * sizeof(*ids));
	memcpy(c->weights, weights, n * sizeof(*weights));
	ctl->mh_cache[ms->id] = c;
	sl_debug("built the Maglev table of VIP id %u: %u servers, %u slots",
		 ms->id, n, ms->mh_size);
	return c->table;
}

static uint32_t fill_table(struct sl_ctl *ctl, const struct sl_model_svc *ms,
			   const uint32_t *weights, const uint64_t *ids,
			   uint16_t *table)
{
	if (ms->sched != SL_SCHED_MH)
		return sl_sched_table_build(ms->sched, weights, ids, ms->nrs,
					    ms->mh_size, table);
	if (sl_sched_table_len(ms->sched, weights, ms->nrs, ms->mh_size) == 0)
		return 0;
	const uint16_t *t = mh_table(ctl, ms, ids, weights);
	if (!t) {
		sl_warn("VIP id %u: cannot build its Maglev table (out of memory): "
			"it takes no new connections", ms->id);
		return 0;
	}
	memcpy(table, t, ms->mh_size * sizeof(*table));
	return ms->mh_size;
}

uint32_t sl_ctl_svc_fill(struct sl_ctl *ctl, const struct sl_model_svc *ms,
			 struct sl_snap_svc *ss, struct sl_snap_rs *rs,
			 uint16_t *table)
{
	uint32_t weights[SL_MAX_RS_PER_SVC];
	uint64_t ids[SL_MAX_RS_PER_SVC];

	inputs(ctl, ms, weights, ids);
	ss->vip = ms->vip;
	ss->vport = ms->port;
	ss->proto = ms->proto;
	ss->sched = ms->sched;
	ss->id = ms->id;
	ss->nrs = (uint16_t)ms->nrs;
	ss->flags = ms->hash_ports ? SL_SVC_HASH_PORTS : 0;
	ss->persist_ms = ms->persist_s * 1000;
	ss->rs = rs;
	ss->seq = table;
	for (uint32_t r = 0; r < ms->nrs; r++)
		rs[r] = (struct sl_snap_rs){
			.ip = ms->rs[r].ip,
			.port = ms->rs[r].port,
			.id = ms->rs[r].id,
			.weight = weights[r],
		};
	ss->seq_len = fill_table(ctl, ms, weights, ids, table);
	return ss->seq_len;
}
