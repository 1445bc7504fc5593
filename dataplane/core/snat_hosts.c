/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdlib.h>

#include "snapshot.h"
#include "snat_hosts.h"

int sl_hosts_init(struct sl_host_table *t, uint32_t hosts)
{
	uint32_t n = 16;
	while (n < 2 * (uint64_t)hosts)
		n <<= 1;
	t->slots = calloc(n, sizeof(*t->slots));
	t->mask = n - 1;
	t->used = 0;
	return t->slots ? 0 : -1;
}

void sl_hosts_free(struct sl_host_table *t)
{
	free(t->slots);
	t->slots = NULL;
}

static uint32_t home(const struct sl_host_table *t, sl_be32 ip)
{
	return sl_snap_ip_hash(ip) & t->mask;
}

static struct sl_host_count *find(const struct sl_host_table *t, sl_be32 ip)
{
	for (uint32_t i = home(t, ip);; i = (i + 1) & t->mask) {
		if (t->slots[i].ip == ip)
			return &t->slots[i];
		if (t->slots[i].ip == 0)
			return NULL;
	}
}

bool sl_hosts_charge(struct sl_host_table *t, sl_be32 ip, uint32_t limit)
{
	struct sl_host_count *h = find(t, ip);

	if (h == NULL) {
		if (limit == 0 || t->used >= (t->mask + 1) / 2)
			return false;
		uint32_t i = home(t, ip);
		while (t->slots[i].ip != 0)
			i = (i + 1) & t->mask;
		h = &t->slots[i];
		h->ip = ip;
		h->count = 0;
		t->used++;
	}
	if (h->count >= limit)
		return false;
	h->count++;
	return true;
}

/* Remove slot i, moving back any later entry of the same cluster whose
 * home is at or before the hole (Knuth's deletion for linear probing). */
static void remove_at(struct sl_host_table *t, uint32_t i)
{
	uint32_t hole = i;

	for (uint32_t j = (i + 1) & t->mask; t->slots[j].ip != 0; j = (j + 1) & t->mask) {
		uint32_t h = home(t, t->slots[j].ip);
		/* j may move to the hole if its home is not in (hole, j]. */
		bool stays = hole <= j ? (h > hole && h <= j) : (h > hole || h <= j);
		if (!stays) {
			t->slots[hole] = t->slots[j];
			hole = j;
		}
	}
	t->slots[hole].ip = 0;
	t->slots[hole].count = 0;
	t->used--;
}

void sl_hosts_release(struct sl_host_table *t, sl_be32 ip)
{
	struct sl_host_count *h = find(t, ip);
	if (h == NULL)
		return;
	if (h->count > 1) {
		h->count--;
		return;
	}
	remove_at(t, (uint32_t)(h - t->slots));
}

uint32_t sl_hosts_count(const struct sl_host_table *t, sl_be32 ip)
{
	const struct sl_host_count *h = find(t, ip);
	return h ? h->count : 0;
}
