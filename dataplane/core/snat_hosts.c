/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdlib.h>

#include "snapshot.h"
#include "snat_hosts.h"

/* Slots for `hosts` hosts: twice as many, a power of two, 16 at least. */
static uint32_t slots_for(uint32_t hosts)
{
	uint32_t n = 16;
	while (n < 2 * (uint64_t)hosts)
		n <<= 1;
	return n;
}

size_t sl_hosts_bytes(uint32_t hosts)
{
	return (size_t)slots_for(hosts) * sizeof(struct sl_host_count);
}

int sl_hosts_init(struct sl_host_table *t, uint32_t hosts)
{
	uint32_t n = slots_for(hosts);
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

/* Entries are written with relaxed atomic stores: other workers read
 * them (sl_hosts_pool_of) while this one changes them. */
static void put(struct sl_host_count *to, const struct sl_host_count *from)
{
	__atomic_store_n(&to->pool, from->pool, __ATOMIC_RELAXED);
	__atomic_store_n(&to->ip, from->ip, __ATOMIC_RELAXED);
	to->count = from->count;
}

struct sl_host_count *sl_hosts_charge(struct sl_host_table *t, sl_be32 ip,
				      uint32_t limit)
{
	struct sl_host_count *h = find(t, ip);

	if (h == NULL) {
		if (limit == 0 || t->used >= (t->mask + 1) / 2)
			return NULL;
		uint32_t i = home(t, ip);
		while (t->slots[i].ip != 0)
			i = (i + 1) & t->mask;
		h = &t->slots[i];
		put(h, &(struct sl_host_count){.ip = ip});
		t->used++;
	}
	if (h->count >= limit)
		return NULL;
	h->count++;
	return h;
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
			put(&t->slots[hole], &t->slots[j]);
			hole = j;
		}
	}
	put(&t->slots[hole], &(struct sl_host_count){0});
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

sl_be32 sl_hosts_pool_of(const struct sl_host_table *t, sl_be32 ip)
{
	/* At most the whole table: the owner may move entries meanwhile. */
	for (uint32_t i = home(t, ip), n = 0; n <= t->mask; i = (i + 1) & t->mask, n++) {
		sl_be32 at = __atomic_load_n(&t->slots[i].ip, __ATOMIC_RELAXED);
		if (at == 0)
			return 0;
		if (at == ip)
			return __atomic_load_n(&t->slots[i].pool, __ATOMIC_RELAXED);
	}
	return 0;
}
