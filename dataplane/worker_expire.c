/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The connection table's expiry callback: what ends with an entry
 * (worker_expire.h). A full-NAT connection leaves the counters (its local
 * port is free once the entry is gone: the table is the record, lport.h),
 * a peer's copy (session sync) only the worker's; SNAT entries have
 * their own bookkeeping (worker_snat.c).
 */
#include "worker_expire.h"
#include "worker_sync.h"

void sl_worker_conn_leaves(struct sl_worker *w, const struct sl_conn *c)
{
	bool copy = sl_unlikely(w->sync != NULL) && sl_worker_sync_gone(w, c);

	w->stats.conns_expired++;
	w->rs_active[c->rs_id]--;
	if (copy) /* a peer's: not in the service's and server's conns */
		return;
	w->svc_stats[c->svc_id].expired++;
	w->rs_stats[c->rs_id].expired++;
}

bool sl_worker_on_expire(void *ctx, struct sl_conn *c)
{
	struct sl_worker *w = ctx;

	if (c->flags & SL_CONN_F_KIND)
		return sl_worker_snat_expire(w, c);
	sl_worker_conn_leaves(w, c);
	return true;
}
