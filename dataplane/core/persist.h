/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Persistence (ipvsadm -p): a client address keeps going to the same real
 * server of a service for `persist` seconds after its last new
 * connection, whichever worker its connections land on.
 *
 * Workers never write shared memory, so there is no shared template
 * table. Instead:
 *
 *  - each worker keeps a small cache of templates (sl_persist_cache:
 *    4-way buckets of one cache line, a fixed size, the soonest-expiring
 *    entry replaced when a bucket is full) that it alone reads and writes;
 *  - when it creates or changes a template, or refreshes one it has not
 *    reported for a while, it reports it to the control thread on a ring
 *    (struct sl_persist_report);
 *  - the control thread merges every worker's reports into one table,
 *    the first live choice for a client winning, and publishes it as an
 *    immutable view (sl_persist_view) with RCU, like a snapshot;
 *  - a worker looks in the published view first (the decision every
 *    worker agrees on), then in its own cache (its decisions the view
 *    does not have yet), and only then schedules; a new client's first
 *    server is picked by the hash of its address over the service's
 *    pick table (weighted), so workers agree on it without any template
 *    (worker_sched.c), except under lc/wlc, which pick by load.
 *
 * Limits, stated: under lc/wlc, two first connections of a new client
 * that land on different workers within one merge interval (a few
 * milliseconds) may be scheduled independently; the view then settles on
 * one server and both workers follow it from their next connection. A template is refreshed
 * in the view at most every SL_PERSIST_REPORT_MS, so it may expire from
 * the view up to that much early (the worker that saw the connection
 * still has it). A template whose server no longer takes connections
 * (down, drained, removed) is ignored and replaced.
 */
#ifndef SL_PERSIST_H
#define SL_PERSIST_H

#include "dp_types.h"

#define SL_PERSIST_WAYS 4
#define SL_PERSIST_REPORT_MS 1000u  /* re-report a refreshed template after */

/* One template. In a cache, `stamp_ms` is when it was last reported; in
 * a view it is unused. ip == 0 marks an empty slot. */
struct sl_persist_entry {
	sl_be32 ip;
	uint16_t svc_id;
	uint16_t rs_id;
	uint32_t expire_ms;   /* the workers' millisecond clock */
	uint32_t stamp_ms;
};

_Static_assert(sizeof(struct sl_persist_entry) == 16, "four entries a line");

struct sl_persist_bucket {
	struct sl_persist_entry e[SL_PERSIST_WAYS];
} SL_ALIGNED;

struct sl_persist_cache {
	struct sl_persist_bucket *b;
	uint32_t mask;        /* buckets - 1 */
};

/* What a worker tells the control thread. */
struct sl_persist_report {
	sl_be32 ip;
	uint16_t svc_id;
	uint16_t rs_id;
	uint32_t at_ms;       /* when the connection was made */
	uint32_t persist_ms;  /* the service's timeout then */
};

/* The merged templates, immutable once published. Open addressing,
 * linear probing, at most half full. */
struct sl_persist_view {
	uint32_t mask;        /* slots - 1 */
	uint32_t n;
	struct sl_persist_entry e[];
};

static inline uint32_t sl_persist_hash(uint16_t svc_id, sl_be32 ip)
{
	uint64_t x = (uint64_t)svc_id << 32 | ip;
	x *= 0x9e3779b97f4a7c15ull;
	return (uint32_t)(x >> 32);
}

static inline bool sl_persist_live(const struct sl_persist_entry *e,
				   uint32_t now_ms)
{
	return e->ip != 0 && sl_time_before(now_ms, e->expire_ms);
}

/* A cache of at least `entries` templates (rounded up to whole buckets,
 * a power of two). 0 or -1 (no memory). */
int sl_persist_cache_init(struct sl_persist_cache *c, uint32_t entries);
void sl_persist_cache_free(struct sl_persist_cache *c);

/* The live template for (svc, ip), or NULL. */
struct sl_persist_entry *sl_persist_cache_find(struct sl_persist_cache *c,
					       uint16_t svc_id, sl_be32 ip,
					       uint32_t now_ms);

/* The entry for (svc, ip): the existing one, else an empty or expired
 * slot, else the bucket's soonest-expiring entry, cleared (stamp 0) with
 * its key set. Never fails. */
struct sl_persist_entry *sl_persist_cache_slot(struct sl_persist_cache *c,
					       uint16_t svc_id, sl_be32 ip,
					       uint32_t now_ms);

/* A view with room for n templates, empty. NULL when out of memory. */
struct sl_persist_view *sl_persist_view_alloc(uint32_t n);
void sl_persist_view_free(struct sl_persist_view *v);
/* Add a template (keys unique; within the room allocated). */
void sl_persist_view_add(struct sl_persist_view *v,
			 const struct sl_persist_entry *e);

/* The control thread's merge of every worker's reports (persist_merge.c):
 * at most `max` templates, so memory and the cost of a publish stay
 * bounded whatever a flood of new sources reports. */
struct sl_persist_merge {
	struct sl_persist_entry *e;  /* ip == 0: empty; at most half full */
	uint32_t mask, n;
	uint32_t max;                /* the cap (config persistence.max_templates) */
	uint64_t evicted;            /* live templates dropped at the cap */
	bool dirty;                  /* differs from the published view */
	uint64_t published_ms, swept_ms; /* the control thread's bookkeeping */
};

int sl_persist_merge_init(struct sl_persist_merge *p, uint32_t max);
void sl_persist_merge_fini(struct sl_persist_merge *p);
/* Drop expired templates. 1 if any went, 0 if none, -1 out of memory. */
int sl_persist_merge_sweep(struct sl_persist_merge *p, uint32_t now);
/* The entry for (svc, ip): the existing one (*fresh false), or a new one
 * with its key set and rs_id/expire_ms for the caller to fill (*fresh
 * true), room made at the cap. NULL only when out of memory. */
struct sl_persist_entry *sl_persist_merge_claim(struct sl_persist_merge *p,
						uint16_t svc_id, sl_be32 ip,
						uint32_t now, bool *fresh);

static inline const struct sl_persist_entry *
sl_persist_view_find(const struct sl_persist_view *v, uint16_t svc_id,
		     sl_be32 ip)
{
	uint32_t i = sl_persist_hash(svc_id, ip) & v->mask;

	for (;;) {
		const struct sl_persist_entry *e = &v->e[i];
		if (e->ip == 0)
			return NULL;
		if (e->ip == ip && e->svc_id == svc_id)
			return e;
		i = (i + 1) & v->mask;
	}
}

#endif
