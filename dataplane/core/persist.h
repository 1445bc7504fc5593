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
 *    the first live choice for a client winning: a DPDK hash the
 *    workers read lock-free (dataplane/persist_table.h);
 *  - a worker looks in that table first (the decision every worker
 *    agrees on), then in its own cache (its decisions the table does
 *    not have yet), and only then schedules; a new client's first
 *    server is picked by the hash of its address over the service's
 *    pick table (weighted), so workers agree on it without any template
 *    (worker_sched.c), except under lc/wlc, which pick by load.
 *
 * Limits, stated: under lc/wlc, two first connections of a new client
 * that land on different workers within one merge interval (a few
 * milliseconds) may be scheduled independently; the table then settles on
 * one server and both workers follow it from their next connection. A template is refreshed
 * in the table at most every SL_PERSIST_REPORT_MS, so it may expire from
 * the table up to that much early (the worker that saw the connection
 * still has it). A template whose server no longer takes connections
 * (down, drained, removed) is ignored and replaced.
 */
#ifndef SL_PERSIST_H
#define SL_PERSIST_H

#include "dp_types.h"

#define SL_PERSIST_WAYS 4
#define SL_PERSIST_REPORT_MS 1000u  /* re-report a refreshed template after */

/* One template. In a cache, `stamp_ms` is when it was last reported; in
 * the table it is unused. ip == 0 marks an empty slot. */
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

#endif
