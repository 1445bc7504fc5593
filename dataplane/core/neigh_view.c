/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdlib.h>
#include <string.h>

#include "neigh_view.h"

struct sl_neigh_view *sl_neigh_view_alloc(uint32_t n)
{
	uint32_t slots = 16;
	while (slots < n * 2)
		slots <<= 1;
	size_t bytes = sizeof(struct sl_neigh_view) + slots * sizeof(struct sl_snap_neigh);
	struct sl_neigh_view *v = aligned_alloc(64, (bytes + 63) & ~(size_t)63);
	if (v == NULL)
		return NULL;
	memset(v, 0, bytes);
	v->mask = slots - 1;
	return v;
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
