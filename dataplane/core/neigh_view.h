/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The neighbors workers send to: an immutable open-addressing table
 * published by RCU apart from the snapshot, because neighbors change far
 * more often than services (a learned ARP change rebuilds this table
 * only, never the Maglev tables). Each entry carries its ready-made
 * Ethernet header, so it is built with the ports' MACs at hand.
 */
#ifndef SL_NEIGH_VIEW_H
#define SL_NEIGH_VIEW_H

#include "snapshot6.h"

struct sl_snap_neigh {
	sl_be32 ip;           /* 0: empty slot */
	uint8_t mac[6];
	uint8_t port;
	uint8_t pad;
	uint8_t l2[12];       /* Ethernet dst + src towards it, ready to copy */
};

/* An IPv6 neighbor (NDP learned or static): the same, keyed by 16 bytes. */
struct sl_snap_neigh6 {
	uint8_t ip[16];
	uint8_t mac[6];
	uint8_t port;
	uint8_t used;         /* 0: empty slot (:: is never a neighbor) */
	uint8_t l2[12];
};

struct sl_neigh_view {
	/* Drawn from the same counter as snapshot generations, so the sum
	 * of the two a worker holds changes whenever either does. */
	uint64_t generation;
	uint32_t n;
	uint32_t mask;
	/* IPv6 neighbors, in the same allocation (one publish, one
	 * generation for both families); mask6 0: none. */
	uint32_t n6;
	uint32_t mask6;
	struct sl_snap_neigh6 *slot6;
	struct sl_snap_neigh slot[];
};

/* Room for `n` entries (at most half full); zeroed. NULL: no memory. */
struct sl_neigh_view *sl_neigh_view_alloc(uint32_t n);
/* The same with room for `n6` IPv6 entries too, in the same block (0: no
 * v6 table, every find6 misses). */
struct sl_neigh_view *sl_neigh_view_alloc6(uint32_t n, uint32_t n6);
void sl_neigh_view_free(struct sl_neigh_view *v);

/* Add or replace `ip` (a later add of the same address wins), reached
 * through `port` whose MAC is `port_mac`. 0, or -1 if full or ip is 0. */
int sl_neigh_view_add(struct sl_neigh_view *v, sl_be32 ip, const uint8_t mac[6],
		      uint8_t port, const uint8_t port_mac[6]);
/* The same for an IPv6 neighbor. -1 also if there is no v6 table or ip
 * is :: (the unspecified address is never a neighbor). */
int sl_neigh_view_add6(struct sl_neigh_view *v, const uint8_t ip[16],
		       const uint8_t mac[6], uint8_t port,
		       const uint8_t port_mac[6]);

static inline const struct sl_snap_neigh *
sl_neigh_view_find(const struct sl_neigh_view *v, sl_be32 ip)
{
	uint32_t i = sl_snap_ip_hash(ip) & v->mask;
	for (;;) {
		const struct sl_snap_neigh *n = &v->slot[i];
		if (n->ip == 0) /* empty first, as in sl_snap_find_addr() */
			return NULL;
		if (n->ip == ip)
			return n;
		i = (i + 1) & v->mask;
	}
}

static inline const struct sl_snap_neigh6 *
sl_neigh_view_find6(const struct sl_neigh_view *v, const uint8_t ip[16])
{
	if (v->mask6 == 0)
		return NULL;
	uint32_t i = sl_snap6_ip_hash(ip) & v->mask6;
	for (;;) {
		const struct sl_snap_neigh6 *n = &v->slot6[i];
		if (!n->used)
			return NULL;
		if (sl_snap6_eq(n->ip, ip))
			return n;
		i = (i + 1) & v->mask6;
	}
}

#endif
