/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control thread's side of persistence (dataplane/core/persist.h): merge
 * the templates workers report into one table, expire them, and publish
 * the table as an immutable view with RCU.
 *
 * Merging: a client's first live choice wins. A report that names another
 * server replaces it only when the recorded one has expired or no longer
 * takes connections (the worker that reported chose anew for that very
 * reason); otherwise the reporting worker follows the view from its next
 * connection. A report naming the recorded server extends its expiry.
 *
 * Publishing copies the whole table, so it is rate-limited: at most every
 * PUBLISH_MIN_MS, plus 1 ms per 10000 templates (1M templates: every
 * ~110 ms). Expired templates are swept once a second. The table holds at
 * most persistence.max_templates (persist_merge.c evicts at the cap), so
 * neither memory nor a publish grows with a flood of new sources.
 */
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "ctl.h"
#include "log.h"

#define PUBLISH_MIN_MS 10u
#define SWEEP_MS 1000u
#define DRAIN_MAX 4096u

/* The workers' clock (worker.c: rdtsc / ms), which reports use. */
static uint32_t dp_now_ms(void)
{
	return (uint32_t)(rte_rdtsc() / (rte_get_tsc_hz() / 1000));
}

struct sl_persist_merge *sl_persist_merge_new(uint32_t max)
{
	struct sl_persist_merge *p = calloc(1, sizeof(*p));

	if (p && sl_persist_merge_init(p, max) != 0) {
		free(p);
		return NULL;
	}
	return p;
}

void sl_persist_merge_free(struct sl_persist_merge *p)
{
	if (p)
		sl_persist_merge_fini(p);
	free(p);
}

static bool takes_connections(const struct sl_snapshot *s, uint16_t rs_id)
{
	uint16_t slot = rs_id < SL_MAX_RS ? s->rs_slot[rs_id] : 0;
	return slot && s->rs[slot - 1].weight > 0;
}

static void merge(struct sl_persist_merge *p, const struct sl_snapshot *s,
		  const struct sl_persist_report *r, uint32_t now)
{
	uint32_t expire = r->at_ms + r->persist_ms;
	bool fresh;
	struct sl_persist_entry *e = sl_persist_merge_claim(p, r->svc_id, r->ip,
							    now, &fresh);

	if (e == NULL)
		return; /* out of memory: the workers' caches still hold it */
	if (fresh) {
		e->rs_id = r->rs_id;
		e->expire_ms = expire;
		p->dirty = true;
	} else if (e->rs_id == r->rs_id) {
		if (sl_time_before(e->expire_ms, expire)) {
			e->expire_ms = expire;
			p->dirty = true;
		}
	} else if (!sl_persist_live(e, now) || !takes_connections(s, e->rs_id)) {
		e->rs_id = r->rs_id;
		e->expire_ms = expire;
		p->dirty = true;
	}
}

static void publish_view(struct sl_ctl *ctl, struct sl_persist_merge *p,
			 uint32_t now)
{
	struct sl_persist_view *v = sl_persist_view_alloc(p->n);

	if (!v) {
		sl_warn("persistence: out of memory publishing %u templates", p->n);
		return;
	}
	for (uint32_t i = 0; i <= p->mask; i++)
		if (sl_persist_live(&p->e[i], now))
			sl_persist_view_add(v, &p->e[i]);
	struct sl_persist_view *old = __atomic_exchange_n(&ctl->dp->persist, v,
							  __ATOMIC_ACQ_REL);
	if (old) {
		rte_rcu_qsbr_synchronize(ctl->dp->qsbr, RTE_QSBR_THRID_INVALID);
		sl_persist_view_free(old);
	}
	p->dirty = false;
}

void sl_ctl_persist_work(struct sl_ctl *ctl, uint64_t now_ms)
{
	struct sl_persist_merge *p = ctl->persist;
	struct sl_persist_report r[64];
	uint32_t now = dp_now_ms(), drained = 0;
	unsigned n;

	if (!p || !ctl->dp->persist_ring)
		return;
	p->max = ctl->model.persist_max; /* live: a lower cap applies at the next new template */
	do {
		n = rte_ring_sc_dequeue_burst_elem(ctl->dp->persist_ring, r,
						   sizeof(r[0]), 64, NULL);
		for (unsigned i = 0; i < n; i++)
			merge(p, ctl->dp->snapshot, &r[i], now);
		drained += n;
	} while (n == 64 && drained < DRAIN_MAX);
	if (now_ms - p->swept_ms >= SWEEP_MS) {
		p->swept_ms = now_ms;
		if (sl_persist_merge_sweep(p, now) > 0)
			p->dirty = true;
	}
	if (p->dirty && now_ms - p->published_ms >= PUBLISH_MIN_MS + p->n / 10000) {
		p->published_ms = now_ms;
		publish_view(ctl, p, now);
	}
}
