/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdlib.h>
#include <string.h>

#include "neigh_view.h"

/* A power of two at least twice `n` (and 16): at most half full. */
static uint32_t slots_for(uint32_t n)
{
	uint32_t slots = 16;
	while (slots < n * 2)
		slots <<= 1;
	return slots;
}

struct sl_neigh_view *sl_neigh_view_alloc6(uint32_t n, uint32_t n6)
{
	uint32_t slots = slots_for(n), slots6 = n6 ? slots_for(n6) : 0;
	/* The v6 slots follow the v4 ones, 8-byte aligned. */
	size_t off6 = (sizeof(struct sl_neigh_view) +
		       slots * sizeof(struct sl_snap_neigh) + 7) & ~(size_t)7;
	size_t bytes = off6 + slots6 * sizeof(struct sl_snap_neigh6);
	struct sl_neigh_view *v = aligned_alloc(64, (bytes + 63) & ~(size_t)63);
	if (v == NULL)
		return NULL;
	memset(v, 0, bytes);
	v->mask = slots - 1;
	if (slots6) {
		v->mask6 = slots6 - 1;
		v->slot6 = (struct sl_snap_neigh6 *)((uint8_t *)v + off6);
	}
	return v;
}

struct sl_neigh_view *sl_neigh_view_alloc(uint32_t n)
{
	return sl_neigh_view_alloc6(n, 0);
}

void sl_neigh_view_free(struct sl_neigh_view *v)
{
	free(v);
}

int sl_neigh_view_add(struct sl_neigh_view *v, sl_be32 ip, const uint8_t mac[6],
		      uint8_t port, const uint8_t port_mac[6])
{
	if (ip == 0)
		return -1;
	uint32_t i = sl_snap_ip_hash(ip) & v->mask;
	while (v->slot[i].ip != 0 && v->slot[i].ip != ip)
		i = (i + 1) & v->mask;
	if (v->slot[i].ip == 0) {
		/* Only a new entry needs room: at most half full keeps every
		 * probe short and always ending at an empty slot. */
		if (v->n >= (v->mask + 1) / 2)
			return -1;
		v->n++;
	}
	struct sl_snap_neigh *e = &v->slot[i];
	e->ip = ip;
	memcpy(e->mac, mac, 6);
	e->port = port;
	memcpy(e->l2, mac, 6);
	memcpy(e->l2 + 6, port_mac, 6);
	return 0;
}

int sl_neigh_view_add6(struct sl_neigh_view *v, const uint8_t ip[16],
		       const uint8_t mac[6], uint8_t port,
		       const uint8_t port_mac[6])
{
	static const uint8_t unspec[16];

	if (v->mask6 == 0 || sl_snap6_eq(ip, unspec))
		return -1;
	uint32_t i = sl_snap6_ip_hash(ip) & v->mask6;
	while (v->slot6[i].used && !sl_snap6_eq(v->slot6[i].ip, ip))
		i = (i + 1) & v->mask6;
	if (!v->slot6[i].used) {
		if (v->n6 >= (v->mask6 + 1) / 2) /* as above */
			return -1;
		v->n6++;
	}
	struct sl_snap_neigh6 *e = &v->slot6[i];
	memcpy(e->ip, ip, 16);
	memcpy(e->mac, mac, 6);
	e->port = port;
	e->used = 1;
	memcpy(e->l2, mac, 6);
	memcpy(e->l2 + 6, port_mac, 6);
	return 0;
}
