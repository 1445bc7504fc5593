/* SPDX-License-Identifier: BSD-3-Clause */
/* Persistence templates: a worker's cache (see persist.h). */
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
