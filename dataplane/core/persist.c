/* SPDX-License-Identifier: BSD-3-Clause */
/* Persistence templates: a worker's cache and the published view
 * (see persist.h). */
#include <stdlib.h>
#include <string.h>

#include "persist.h"

int sl_persist_cache_init(struct sl_persist_cache *c, uint32_t entries)
{
	uint32_t buckets = 1;

	while (buckets * SL_PERSIST_WAYS < entries && buckets < (1u << 24))
		buckets <<= 1;
	c->b = aligned_alloc(SL_CACHE_LINE, buckets * sizeof(*c->b));
	if (!c->b)
		return -1;
	memset(c->b, 0, buckets * sizeof(*c->b));
	c->mask = buckets - 1;
	return 0;
}

void sl_persist_cache_free(struct sl_persist_cache *c)
{
	free(c->b);
	c->b = NULL;
}

static struct sl_persist_bucket *bucket_of(struct sl_persist_cache *c,
					   uint16_t svc_id, sl_be32 ip)
{
	return &c->b[sl_persist_hash(svc_id, ip) & c->mask];
}

struct sl_persist_entry *sl_persist_cache_find(struct sl_persist_cache *c,
					       uint16_t svc_id, sl_be32 ip,
					       uint32_t now_ms)
{
	struct sl_persist_bucket *b = bucket_of(c, svc_id, ip);

	for (unsigned i = 0; i < SL_PERSIST_WAYS; i++) {
		struct sl_persist_entry *e = &b->e[i];
		if (e->ip == ip && e->svc_id == svc_id)
			return sl_persist_live(e, now_ms) ? e : NULL;
	}
	return NULL;
}

struct sl_persist_entry *sl_persist_cache_slot(struct sl_persist_cache *c,
					       uint16_t svc_id, sl_be32 ip,
					       uint32_t now_ms)
{
	struct sl_persist_bucket *b = bucket_of(c, svc_id, ip);
	struct sl_persist_entry *victim = NULL;

	for (unsigned i = 0; i < SL_PERSIST_WAYS; i++) {
		struct sl_persist_entry *e = &b->e[i];
		if (e->ip == ip && e->svc_id == svc_id)
			return e;
		if (!sl_persist_live(e, now_ms)) {
			if (!victim || sl_persist_live(victim, now_ms))
				victim = e;
		} else if (!victim || (sl_persist_live(victim, now_ms) &&
				       sl_time_before(e->expire_ms, victim->expire_ms))) {
			victim = e;
		}
	}
	*victim = (struct sl_persist_entry){.ip = ip, .svc_id = svc_id,
					    .expire_ms = now_ms};
	return victim;
}

struct sl_persist_view *sl_persist_view_alloc(uint32_t n)
{
	uint32_t slots = 16;

	while (slots < 2 * (uint64_t)n && slots < (1u << 30))
		slots <<= 1;
	struct sl_persist_view *v = calloc(1, sizeof(*v) + slots * sizeof(v->e[0]));
	if (v)
		v->mask = slots - 1;
	return v;
}

void sl_persist_view_free(struct sl_persist_view *v)
{
	free(v);
}

void sl_persist_view_add(struct sl_persist_view *v,
			 const struct sl_persist_entry *e)
{
	uint32_t i = sl_persist_hash(e->svc_id, e->ip) & v->mask;

	while (v->e[i].ip != 0)
		i = (i + 1) & v->mask;
	v->e[i] = *e;
	v->n++;
}
