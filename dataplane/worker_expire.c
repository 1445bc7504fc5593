/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The connection table's expiry callback: what ends with an entry. A
 * full-NAT connection gives back its local port and leaves the counters;
 * SNAT entries have their own bookkeeping (worker_snat.c).
 */
#include "worker.h"

bool sl_worker_on_expire(void *ctx, struct sl_conn *c)
{
	struct sl_worker *w = ctx;

	if (c->flags & SL_CONN_F_KIND)
		return sl_worker_snat_expire(w, c);
	w->stats.conns_expired++;
	sl_worker_release_local(w, c->lip_slot, &c->key[SL_DIR_REPLY]);
	w->svc_stats[c->svc_id].expired++;
	w->rs_stats[c->rs_id].expired++;
	w->rs_active[c->rs_id]--;
	return true;
}
