/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The connection table's expiry callback: what ends with an entry
 * (worker_expire.h). A full-NAT connection leaves the counters (its local
 * port is free once the entry is gone: the table is the record, lport.h),
 * a peer's copy (session sync) only the worker's; SNAT entries have
 * their own bookkeeping (worker_snat.c).
 */
#include "worker_expire.h"

bool sl_worker_on_expire(void *ctx, struct sl_conn *c)
{
	struct sl_worker *w = ctx;

	if (c->flags & SL_CONN_F_KIND)
		return sl_worker_snat_expire(w, c);
	sl_worker_conn_leaves(w, c, SL_LEAVE_TELL);
	return true;
}
