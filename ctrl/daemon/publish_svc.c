/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A service as a snapshot publishes it: its options, its servers with the
 * weights they take new connections with (0 when drained, or down by
 * their health check), and its pick table (sched.h), shared with the
 * previous snapshot when its inputs did not change (pick_table.h).
 */
#include "ctl.h"
#include "log.h"
#include "maglev.h"
#include "sched.h"

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
		ids[r] = sl_maglev_id(ms->rs[r].ip, ms->rs[r].port);
	}
}

void sl_ctl_svc_fill(struct sl_ctl *ctl, const struct sl_model_svc *ms,
		     struct sl_snap_svc *ss, struct sl_snap_rs *rs,
		     struct sl_pick_table **table)
{
	uint32_t weights[SL_MAX_RS_PER_SVC];
	uint64_t ids[SL_MAX_RS_PER_SVC];
	bool nomem;

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
	for (uint32_t r = 0; r < ms->nrs; r++)
		rs[r] = (struct sl_snap_rs){
			.ip = ms->rs[r].ip,
			.port = ms->rs[r].port,
			.id = ms->rs[r].id,
			.weight = weights[r],
		};
	*table = sl_pick_get(&ctl->picks, ms->id, ms->sched, ms->mh_size, ids,
			     weights, ms->nrs, &nomem);
	if (nomem)
		sl_warn("VIP id %u: cannot build its pick table (out of memory): "
			"it takes no new connections", ms->id);
	ss->seq = *table ? (*table)->seq : NULL;
	ss->seq_len = *table ? (*table)->len : 0;
}
