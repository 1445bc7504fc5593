/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What ends with an entry leaving the table (worker_expire.c): the
 * table's expiry callback, and its full-NAT part on its own, which a
 * peer's stale copy replaced by a newer record also goes through
 * (worker_sync.c), so both count and free the same things.
 */
#ifndef SL_WORKER_EXPIRE_H
#define SL_WORKER_EXPIRE_H

#include "worker_sync.h"

/* sl_ct_expire's callback: SNAT bookkeeping, or a full-NAT leaving. */
bool sl_worker_on_expire(void *ctx, struct sl_conn *c);

/* A full-NAT connection leaves (the caller removes the entry): with
 * SL_LEAVE_TELL a GONE to the peers if sync says so, counted expired,
 * off its server's active count, and, when it was made here (not a
 * peer's copy), off its service's and server's counters. Inline, so
 * worker_sync.c and worker_expire.c do not call each other (a symbol
 * circle). */
static inline void sl_worker_conn_leaves(struct sl_worker *w, const struct sl_conn *c,
					 enum sl_leave_tell tell)
{
	bool copy = sl_unlikely(w->sync != NULL) && sl_worker_sync_gone(w, c, tell);

	w->stats.conns_expired++;
	w->rs_active[c->rs_id]--;
	if (copy) /* a peer's: not in the service's and server's conns */
		return;
	w->svc_stats[c->svc_id].expired++;
	w->rs_stats[c->rs_id].expired++;
}

#endif
