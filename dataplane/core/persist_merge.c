/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control thread's merged template table (persist.h): open addressing,
 * at most half full, never more than `max` templates. A spoofed-source
 * flood at a persistent VIP reports a new template per source; without a
 * cap the table (and every view published from it) grew until the process
 * was killed. At the cap, expired templates go first; if that frees
 * nothing, the eighth of the table closest to expiry is evicted (counted):
 * those clients lose only cross-worker agreement, since each worker's own
 * cache still holds the templates it made.
 */
#include <stdlib.h>
#include <string.h>

#include "persist.h"

#define MERGE_MIN_SLOTS 1024u

static struct sl_persist_entry *slot_for(struct sl_persist_merge *p,
					 uint16_t svc_id, sl_be32 ip)
{
	uint32_t i = sl_persist_hash(svc_id, ip) & p->mask;

	while (p->e[i].ip != 0 && !(p->e[i].ip == ip && p->e[i].svc_id == svc_id))
		i = (i + 1) & p->mask;
	return &p->e[i];
}

/* Rebuild at `slots`, keeping the live templates with more than `keep_ms`
 * left (0: every live one). */
static int rebuild(struct sl_persist_merge *p, uint32_t slots, uint32_t now,
		   uint32_t keep_ms)
{
	struct sl_persist_entry *old = p->e;
	uint32_t old_slots = p->e ? p->mask + 1 : 0;
	struct sl_persist_entry *fresh = calloc(slots, sizeof(*fresh));

	if (!fresh)
		return -1;
	p->e = fresh;
	p->mask = slots - 1;
	p->n = 0;
	for (uint32_t i = 0; i < old_slots; i++) {
		if (!sl_persist_live(&old[i], now) ||
		    (keep_ms && old[i].expire_ms - now <= keep_ms))
			continue;
		*slot_for(p, old[i].svc_id, old[i].ip) = old[i];
		p->n++;
	}
	free(old);
	return 0;
}

int sl_persist_merge_init(struct sl_persist_merge *p, uint32_t max)
{
	memset(p, 0, sizeof(*p));
	p->max = max ? max : 1;
	return rebuild(p, MERGE_MIN_SLOTS, 0, 0);
}

void sl_persist_merge_fini(struct sl_persist_merge *p)
{
	free(p->e);
	p->e = NULL;
	p->n = 0;
}

int sl_persist_merge_sweep(struct sl_persist_merge *p, uint32_t now)
{
	uint32_t before = p->n;

	if (rebuild(p, p->mask + 1, now, 0) != 0)
		return -1;
	return before != p->n;
}

static int by_value(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

/* At the cap: drop the expired, then the eighth nearest expiry. */
static int make_room(struct sl_persist_merge *p, uint32_t now)
{
	if (sl_persist_merge_sweep(p, now) < 0)
		return -1;
	if (p->n < p->max)
		return 0;
	uint32_t *left = malloc((size_t)p->n * sizeof(*left)), k = 0;
	if (!left)
		return -1;
	for (uint32_t i = 0; i <= p->mask; i++)
		if (p->e[i].ip != 0)
			left[k++] = p->e[i].expire_ms - now;
	qsort(left, k, sizeof(*left), by_value);
	uint32_t keep_ms = left[k / 8], before = p->n;
	free(left);
	if (rebuild(p, p->mask + 1, now, keep_ms) != 0)
		return -1;
	p->evicted += before - p->n;
	return 0;
}

struct sl_persist_entry *sl_persist_merge_claim(struct sl_persist_merge *p,
						uint16_t svc_id, sl_be32 ip,
						uint32_t now, bool *fresh)
{
	struct sl_persist_entry *e = slot_for(p, svc_id, ip);

	*fresh = false;
	if (e->ip != 0)
		return e;
	if (p->n >= p->max) {
		if (make_room(p, now) != 0)
			return NULL;
		e = slot_for(p, svc_id, ip);
	}
	if (p->n + 1 > (p->mask + 1) / 2) {
		if (rebuild(p, (p->mask + 1) * 2, now, 0) != 0)
			return NULL;
		e = slot_for(p, svc_id, ip);
	}
	*e = (struct sl_persist_entry){.ip = ip, .svc_id = svc_id};
	p->n++;
	*fresh = true;
	return e;
}
