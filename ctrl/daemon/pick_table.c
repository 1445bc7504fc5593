/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Pick tables shared between snapshots (pick_table.h): built once per
 * change of their inputs, reference counted by the control thread.
 */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "pick_table.h"
#include "sched.h"

static bool same_inputs(const struct sl_pick_table *t, uint32_t sched,
			uint32_t mh_size, const uint64_t *ids,
			const uint32_t *weights, uint32_t n)
{
	return t && t->sched == sched && t->mh_size == mh_size && t->n == n &&
	       memcmp(t->ids, ids, n * sizeof(*ids)) == 0 &&
	       memcmp(t->weights, weights, n * sizeof(*weights)) == 0;
}

/* One block: the header, then ids, weights and the sequence. */
static struct sl_pick_table *build(uint32_t sched, uint32_t mh_size,
				   const uint64_t *ids, const uint32_t *weights,
				   uint32_t n, uint32_t len)
{
	size_t bytes = sizeof(struct sl_pick_table) + n * sizeof(*ids) +
		       n * sizeof(*weights) + len * sizeof(uint16_t);
	struct sl_pick_table *t = malloc(bytes);
	if (t == NULL)
		return NULL;
	*t = (struct sl_pick_table){.sched = sched, .mh_size = mh_size, .n = n};
	t->ids = (uint64_t *)(t + 1);
	t->weights = (uint32_t *)(t->ids + n);
	t->seq = (uint16_t *)(t->weights + n);
	memcpy(t->ids, ids, n * sizeof(*ids));
	memcpy(t->weights, weights, n * sizeof(*weights));
	t->len = sl_sched_table_build(sched, weights, ids, n, mh_size, t->seq);
	if (t->len != len) { /* a Maglev build that failed */
		free(t);
		return NULL;
	}
	return t;
}

struct sl_pick_table *sl_pick_get(struct sl_pick_cache *c, uint16_t svc_id,
				  uint32_t sched, uint32_t mh_size,
				  const uint64_t *ids, const uint32_t *weights,
				  uint32_t n, bool *nomem)
{
	struct sl_pick_table **slot = &c->by_svc[svc_id];
	uint32_t len = sl_sched_table_len(sched, weights, n, mh_size);

	*nomem = false;
	if (len == 0)
		return NULL;
	c->wanted[svc_id] = true;
	if (svc_id >= c->hi)
		c->hi = svc_id + 1u;
	if (same_inputs(*slot, sched, mh_size, ids, weights, n)) {
		c->shared++;
		(*slot)->refs++;
		return *slot;
	}
	struct sl_pick_table *t = build(sched, mh_size, ids, weights, n, len);
	if (t == NULL) {
		*nomem = true;
		return NULL;
	}
	c->built++;
	sl_debug("built the pick table of VIP id %u: %u servers, %u entries",
		 svc_id, n, len);
	if (*slot)
		sl_pick_put(*slot);
	else
		c->cached++;
	t->refs = 2; /* the cache's and the caller's */
	*slot = t;
	return t;
}

void sl_pick_put(struct sl_pick_table *t)
{
	if (t && --t->refs == 0)
		free(t);
}

int sl_pick_set_init(struct sl_pick_set *s, uint32_t n)
{
	s->n = n;
	s->t = calloc(n ? n : 1, sizeof(*s->t));
	return s->t ? 0 : -1;
}

void sl_pick_set_drop(struct sl_pick_set *s)
{
	for (uint32_t i = 0; s->t && i < s->n; i++)
		sl_pick_put(s->t[i]);
	free(s->t);
	*s = (struct sl_pick_set){0};
}

void sl_pick_cache_begin(struct sl_pick_cache *c)
{
	memset(c->wanted, 0, c->hi * sizeof(c->wanted[0]));
}

/* The cache's reference only: a snapshot still pointing at the table
 * keeps it until that snapshot's grace period is over. */
static void uncache(struct sl_pick_cache *c, unsigned svc_id)
{
	if (c->by_svc[svc_id] == NULL)
		return;
	sl_pick_put(c->by_svc[svc_id]);
	c->by_svc[svc_id] = NULL;
	c->cached--;
}

void sl_pick_cache_sweep(struct sl_pick_cache *c)
{
	uint32_t hi = 0;

	for (uint32_t i = 0; i < c->hi; i++) {
		if (!c->wanted[i])
			uncache(c, i);
		if (c->by_svc[i])
			hi = i + 1;
	}
	/* Wanted slots above the new bound (asked for, but the build ran
	 * out of memory) would escape the next begin's clearing. */
	memset(c->wanted + hi, 0, (c->hi - hi) * sizeof(c->wanted[0]));
	c->hi = hi;
}

void sl_pick_cache_free(struct sl_pick_cache *c)
{
	for (uint32_t i = 0; i < c->hi; i++)
		uncache(c, i);
	c->hi = 0;
}
