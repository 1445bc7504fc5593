/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control thread's side of persistence (dataplane/core/persist.h): merge
 * the templates workers report into the table every worker reads
 * (dataplane/persist_table.h), and expire them.
 *
 * Merging: a client's first live choice wins. A report that names another
 * server replaces it only when the recorded one has expired or no longer
 * takes connections (the worker that reported chose anew for that very
 * reason); otherwise the reporting worker follows the table from its next
 * connection. A report naming the recorded server extends its expiry.
 *
 * Each report costs at most one write to the shared table, visible to the
 * workers at once: nothing is copied or published, so neither a flood of
 * new sources nor a large table makes a turn of the loop longer. Expired
 * templates are swept a bounded number at a time, every turn. A change of
 * persistence.max_templates makes a new table (the one copy, at a config
 * change), swapped in with RCU.
 */
#include <stdio.h>
#include <stdlib.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "ctl.h"
#include "log.h"

#define SWEEP_PER_TURN 1024u
#define DRAIN_MAX 4096u
/* A turn deletes at most one template per report it merges; those slots
 * come back once the workers pass a quiescent state, by the next turn or
 * the one after. */
#define GRACE_DELETES (2 * DRAIN_MAX)

/* The workers' clock (worker.c: rdtsc / ms), which reports use. */
static uint32_t dp_now_ms(void)
{
	return (uint32_t)(rte_rdtsc() / (rte_get_tsc_hz() / 1000));
}

int sl_ctl_persist_init(struct sl_ctl *ctl, char *errbuf, size_t errlen)
{
	struct sl_dataplane *dp = ctl->dp;

	dp->persist = sl_persist_table_create(ctl->model.persist_max, GRACE_DELETES,
					      dp->qsbr);
	dp->persist_ring = rte_ring_create_elem(
		"sl_persist", sizeof(struct sl_persist_report), SL_PERSIST_RING_SIZE,
		SOCKET_ID_ANY, RING_F_SC_DEQ);
	if (!dp->persist || !dp->persist_ring) {
		snprintf(errbuf, errlen, "persistence: cannot allocate a table of %u "
			 "templates or its ring (persistence.max_templates): %s",
			 ctl->model.persist_max, rte_strerror(rte_errno));
		return -1;
	}
	return 0;
}

void sl_ctl_persist_free(struct sl_ctl *ctl)
{
	sl_persist_table_free(ctl->dp->persist);
	ctl->dp->persist = NULL;
	rte_ring_free(ctl->dp->persist_ring);
	ctl->dp->persist_ring = NULL;
}

static bool takes_connections(const struct sl_snapshot *s, uint16_t rs_id)
{
	uint16_t slot = rs_id < s->nrs_ids ? s->rs_slot[rs_id] : 0;
	return slot && s->rs[slot - 1].weight > 0;
}

static void merge(struct sl_persist_table *t, const struct sl_snapshot *s,
		  const struct sl_persist_report *r, uint32_t now)
{
	uint32_t expire = r->at_ms + r->persist_ms;
	struct sl_persist_entry held;

	if (!sl_persist_table_get(t, r->svc_id, r->ip, &held))
		sl_persist_table_put(t, r->svc_id, r->ip, r->rs_id, expire, true, now);
	else if (held.rs_id == r->rs_id ? sl_time_before(held.expire_ms, expire)
		 : !sl_persist_live(&held, now) || !takes_connections(s, held.rs_id))
		sl_persist_table_put(t, r->svc_id, r->ip, r->rs_id, expire, false, now);
}

/* persistence.max_templates changed: a table of the new size with the
 * live templates (as many as fit), swapped in once no worker reads the
 * old one. Left as it was when there is no memory for the new one. */
static void resize(struct sl_ctl *ctl, uint32_t now)
{
	struct sl_persist_table *old = ctl->dp->persist;
	struct sl_persist_table *t = sl_persist_table_create(ctl->model.persist_max,
							     GRACE_DELETES, ctl->dp->qsbr);
	if (!t) {
		sl_warn("persistence: no memory for %u templates; keeping %u",
			ctl->model.persist_max, old->max);
		return;
	}
	sl_persist_table_copy(t, old, now);
	t->evicted = old->evicted + (old->n - t->n);
	t->refused = old->refused;
	__atomic_store_n(&ctl->dp->persist, t, __ATOMIC_RELEASE);
	rte_rcu_qsbr_synchronize(ctl->dp->qsbr, RTE_QSBR_THRID_INVALID);
	sl_persist_table_free(old);
}

void sl_ctl_persist_work(struct sl_ctl *ctl)
{
	struct sl_persist_report r[64];
	uint32_t now = dp_now_ms(), drained = 0;
	unsigned n;

	if (!ctl->dp->persist || !ctl->dp->persist_ring)
		return;
	if (ctl->dp->persist->max != ctl->model.persist_max)
		resize(ctl, now);
	struct sl_persist_table *t = ctl->dp->persist;
	do {
		n = rte_ring_sc_dequeue_burst_elem(ctl->dp->persist_ring, r,
						   sizeof(r[0]), 64, NULL);
		for (unsigned i = 0; i < n; i++)
			merge(t, ctl->dp->snapshot, &r[i], now);
		drained += n;
	} while (n == 64 && drained < DRAIN_MAX);
	sl_persist_table_sweep(t, now, SWEEP_PER_TURN);
}
