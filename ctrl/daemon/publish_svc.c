/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A service as a snapshot publishes it: its options, its servers with the
 * weights they take new connections with (0 when drained, or down by
 * their health check), and its pick table (sched.h), shared with the
 * previous snapshot when its inputs did not change (pick_table.h).
 */
#include <string.h>

#include "ctl.h"
#include "log.h"
#include "maglev.h"
#include "sched.h"
#include "snapshot6.h"

uint32_t sl_ctl_rs_weight(const struct sl_ctl *ctl, uint16_t svc_id,
			  const struct sl_model_rs *rs)
{
	if (ctl->health && sl_health_down(ctl->health, svc_id, rs))
		return 0;
	return rs->weight;
}

/* A v6 server's Maglev identity: its address folded to the 48 bits
 * above the port that a v4 server's address and port take
 * (sl_maglev_id), so v6 servers with one port still differ. */
static uint64_t maglev_id6(const uint8_t ip[16], sl_be16 port)
{
	uint64_t w[2];

	memcpy(w, ip, 16);
	uint64_t x = w[0] * 0x9e3779b97f4a7c15ull ^ w[1];
	x ^= x >> 31;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 29;
	return (x << 16) | sl_ntohs(port);
}

/* A v6 VIP: flags, its address and its v6 servers' beside the v4 half. */
static void fill6(const struct sl_model_svc *ms, struct sl_snapshot *s,
		  uint32_t v, uint32_t first)
{
	struct sl_snap_svc *ss = &s->svcs[v];

	ss->flags |= SL_SVC_V6;
	if (sl_model_svc_mode_of(ms) == SL_MODE_NAT64)
		ss->flags |= SL_SVC_NAT64;
	memcpy(s->svc_vip6[v], ms->vip6, 16);
	for (uint32_t r = 0; r < ms->nrs; r++)
		if (ms->rs[r].ip == 0)
			memcpy(s->rs_ip6[first + r], ms->rs[r].ip6, 16);
}

static void inputs(const struct sl_ctl *ctl, const struct sl_model_svc *ms,
		   uint32_t *weights, uint64_t *ids)
{
	for (uint32_t r = 0; r < ms->nrs; r++) {
		weights[r] = sl_ctl_rs_weight(ctl, ms->id, &ms->rs[r]);
		ids[r] = ms->rs[r].ip != 0 ? sl_maglev_id(ms->rs[r].ip, ms->rs[r].port)
					   : maglev_id6(ms->rs[r].ip6, ms->rs[r].port);
	}
}

void sl_ctl_svc_fill(struct sl_ctl *ctl, const struct sl_model_svc *ms,
		     struct sl_snapshot *s, uint32_t v, uint32_t first,
		     struct sl_pick_table **table)
{
	struct sl_snap_svc *ss = &s->svcs[v];
	struct sl_snap_rs *rs = &s->rs[first];
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
	ss->persist_plen6 = ms->persist_plen6;
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
	if (ms->v6)
		fill6(ms, s, v, first);
}
