/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The merged persistence templates every worker follows (core/persist.h
 * says how templates are made and reported): one DPDK hash, written by
 * the control thread alone, read lock-free by the workers
 * (RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF).
 *
 * Why a shared hash and not a published copy: a copy costs the whole
 * table on every change, so a flood of new sources made the control
 * thread copy up to max_templates entries every few milliseconds. Here a
 * change costs one hash write whatever the table holds. A template's
 * server and expiry are packed into the hash's data word, so an update
 * is one atomic store; a deleted key's slot is reused only after every
 * worker has passed a quiescent state (the hash's own RCU defer queue on
 * the workers' QSBR variable), so a worker never reads a key that
 * changed under it.
 *
 * At the cap (max), expired templates go first; otherwise the one
 * nearest expiry among a sample of SL_PERSIST_SAMPLE is evicted and
 * counted: an approximation of "oldest first" that costs the same at any
 * size (Redis evicts the same way). A client whose template is evicted
 * loses only cross-worker agreement; each worker's cache still holds the
 * templates it made.
 */
#ifndef SL_PERSIST_TABLE_H
#define SL_PERSIST_TABLE_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_rcu_qsbr.h>

#include "persist.h"

#define SL_PERSIST_SAMPLE 16u  /* templates looked at to evict one */

struct rte_hash;

struct sl_persist_table {
	struct rte_hash *h;
	/* The control thread's, never read by workers. */
	uint32_t max;         /* templates held at most */
	uint32_t n;           /* templates held */
	uint32_t cursor;      /* rte_hash_iterate position: sweep, eviction */
	uint64_t evicted;     /* live templates dropped at the cap */
	uint64_t refused;     /* new templates the hash found no room for */
};

/* A table for `max` templates whose deleted slots wait for the workers
 * on `qs`; `pending` is how many deletes may wait for one grace period
 * (room beyond the cap, else new templates are refused until the
 * workers catch up). NULL (rte_errno set) when out of memory. */
struct sl_persist_table *sl_persist_table_create(uint32_t max, uint32_t pending,
						 struct rte_rcu_qsbr *qs);
/* Only once no worker can read it (after a grace period). */
void sl_persist_table_free(struct sl_persist_table *t);

/* Workers: the server of the live template (svc, ip), or false. */
bool sl_persist_table_find(const struct sl_persist_table *t, uint16_t svc_id,
			   sl_be32 ip, uint32_t now_ms, uint16_t *rs_id);

/* The control thread's side. The template held for (svc, ip), live or
 * expired: true and *out filled, or false. */
bool sl_persist_table_get(const struct sl_persist_table *t, uint16_t svc_id,
			  sl_be32 ip, struct sl_persist_entry *out);
/* Set (svc, ip) -> rs_id until expire_ms; `fresh` when get() found
 * nothing (room is made at the cap). 0, or -1 when the hash had no room
 * (counted in refused). */
int sl_persist_table_put(struct sl_persist_table *t, uint16_t svc_id,
			 sl_be32 ip, uint16_t rs_id, uint32_t expire_ms,
			 bool fresh, uint32_t now_ms);
/* Look at up to `budget` templates from where the last look stopped and
 * delete the expired ones. How many went. */
uint32_t sl_persist_table_sweep(struct sl_persist_table *t, uint32_t now_ms,
				uint32_t budget);
/* Copy the live templates of `from` into `to` (a resize), at most
 * to->max of them. */
void sl_persist_table_copy(struct sl_persist_table *to,
			   const struct sl_persist_table *from, uint32_t now_ms);

#endif
