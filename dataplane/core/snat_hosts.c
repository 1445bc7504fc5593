/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "mem.h"
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
	return hosts ? (size_t)slots_for(hosts) * sizeof(struct sl_host_count) : 0;
}

/* What the slots really take: sized by max when allocated, but max may
 * change after (a test lowers it), the mask does not. */
static size_t slots_bytes(const struct sl_host_table *t)
{
	return t->slots ? ((size_t)t->mask + 1) * sizeof(*t->slots) : 0;
}

size_t sl_hosts_mem(const struct sl_host_table *t)
{
	return slots_bytes(t);
}

void sl_hosts_plan(struct sl_host_table *t, uint32_t hosts)
{
	*t = (struct sl_host_table){.max = hosts};
}

int sl_hosts_alloc(struct sl_host_table *t)
{
	if (t->slots != NULL || t->max == 0)
		return 0;
	/* As the connection table's: pre-faulted here, on the control
	 * thread, so a worker's first charge of each page (up to 96 MiB at
	 * the largest max_hosts) takes no page fault on the packet path. */
	struct sl_host_count *slots = sl_mem_alloc(sl_hosts_bytes(t->max));
	if (slots == NULL)
		return -1;
	t->mask = slots_for(t->max) - 1;
	t->slots = slots;
	return 0;
}

int sl_hosts_init(struct sl_host_table *t, uint32_t hosts)
{
	sl_hosts_plan(t, hosts);
	return sl_hosts_alloc(t);
}

void sl_hosts_free(struct sl_host_table *t)
{
	sl_mem_free(t->slots, slots_bytes(t));
	t->slots = NULL;
	t->max = 0;
}

void sl_hosts_clear(struct sl_host_table *t)
{
	if (t->used > 0)
		memset(t->slots, 0, slots_bytes(t));
	t->used = 0;
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

enum sl_drop sl_hosts_charge(struct sl_host_table *t, sl_be32 ip, uint32_t limit,
			     struct sl_host_count **out)
{
	struct sl_host_count *h = t->slots ? find(t, ip) : NULL;

	if (h == NULL) {
		if (limit == 0)
			return SL_DROP_SNAT_HOST_LIMIT;
		if (t->used >= t->max || t->slots == NULL)
			return SL_DROP_SNAT_HOSTS_FULL;
		uint32_t i = home(t, ip);
		while (t->slots[i].ip != 0)
			i = (i + 1) & t->mask;
		h = &t->slots[i];
		put(h, &(struct sl_host_count){.ip = ip});
		t->used++;
	}
	if (h->count >= limit)
		return SL_DROP_SNAT_HOST_LIMIT;
	h->count++;
	*out = h;
	return SL_DROP_NONE;
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
	struct sl_host_count *h = t->slots ? find(t, ip) : NULL;
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
	const struct sl_host_count *h = t->slots ? find(t, ip) : NULL;
	return h ? h->count : 0;
}

sl_be32 sl_hosts_pool_of(const struct sl_host_table *t, sl_be32 ip)
{
	/* At most the whole table: the owner may move entries meanwhile. */
	if (t->slots == NULL)
		return 0;
	for (uint32_t i = home(t, ip), n = 0; n <= t->mask; i = (i + 1) & t->mask, n++) {
		sl_be32 at = __atomic_load_n(&t->slots[i].ip, __ATOMIC_RELAXED);
		if (at == 0)
			return 0;
		if (at == ip)
			return __atomic_load_n(&t->slots[i].pool, __ATOMIC_RELAXED);
	}
	return 0;
}
