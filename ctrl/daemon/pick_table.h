/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Pick tables (sched.h) shared between snapshots.
 *
 * A service's pick table depends only on its scheduler, the Maglev size,
 * and its servers' identities and weights in order. A publish that leaves
 * those alone hands the new snapshot the table the old one points at: a
 * change costs the tables it touches, not every service's (a Maglev
 * table is up to 2 MiB).
 *
 * A table is immutable once built. It is counted: one reference for the
 * per-service cache, one per snapshot that points at it. The control
 * thread alone takes and drops references, so they are plain integers; a
 * snapshot drops its references only after the grace period that frees
 * it, so no worker can still be reading a table when it is freed.
 */
#ifndef SL_PICK_TABLE_H
#define SL_PICK_TABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "dp_types.h"

struct sl_pick_table {
	uint32_t refs;
	uint32_t len;          /* entries in seq[]; > 0 */
	uint32_t sched, mh_size, n;
	uint64_t *ids;         /* [n], sl_maglev_id() of each server */
	uint32_t *weights;     /* [n] */
	uint16_t *seq;         /* [len]: indices into the service's servers */
};

/* The tables one snapshot points at, one per service (NULL: no table). */
struct sl_pick_set {
	uint32_t n;
	struct sl_pick_table **t;
};

struct sl_pick_cache {
	struct sl_pick_table *by_svc[SL_MAX_SVC];
	bool wanted[SL_MAX_SVC];  /* asked for since sl_pick_cache_begin() */
	uint32_t cached;          /* tables by_svc holds */
	/* One past the highest service id cached or asked for: begin and
	 * sweep stop there rather than walk all SL_MAX_SVC slots on every
	 * publish (ids are handed out low first). */
	uint32_t hi;
	uint64_t built, shared;   /* tables built, tables handed on unchanged */
};

/* The table for these inputs, with a reference taken for the caller:
 * the cached one if its inputs are the same, else a new one that also
 * replaces the cache's. NULL when no server takes new connections (the
 * length is 0), or out of memory (*nomem set). */
struct sl_pick_table *sl_pick_get(struct sl_pick_cache *c, uint16_t svc_id,
				  uint32_t sched, uint32_t mh_size,
				  const uint64_t *ids, const uint32_t *weights,
				  uint32_t n, bool *nomem);
void sl_pick_put(struct sl_pick_table *t);

/* A snapshot's set: room for n services; dropping it drops each
 * table's reference and empties the set. */
int sl_pick_set_init(struct sl_pick_set *s, uint32_t n);
void sl_pick_set_drop(struct sl_pick_set *s);

/* A publish asks for every service's table between begin and sweep;
 * once it is live, the sweep drops the cache's tables nobody asked for
 * (a service deleted, or left without servers), so the cache holds no
 * more than the live snapshot's services. */
void sl_pick_cache_begin(struct sl_pick_cache *c);
void sl_pick_cache_sweep(struct sl_pick_cache *c);
void sl_pick_cache_free(struct sl_pick_cache *c);

#endif
