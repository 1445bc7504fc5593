/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The IPv6 half of a snapshot (issue 15): what a worker needs to serve
 * full-NAT 6->6 and NAT64 VIPs, in the same snapshot block as the v4
 * half, published and freed with it.
 *
 * Services of both families share svcs[] and rs[], so the schedulers,
 * pick tables, persistence, statistics ids and draining are one code
 * path. A v6 service is marked SL_SVC_V6 and its `vip` word is 0 (never
 * in the v4 service or address index); its address is svc_vip6[index].
 * Its servers are either all IPv6 (full-NAT 6->6: rs_ip6[rs index], the
 * rs word `ip` 0) or all IPv4 (NAT64, SL_SVC_NAT64: `ip` as for any v4
 * server, towards which it leaves from a v4 local address).
 *
 * Addresses Sluice owns in v6 (port addresses, VIPs, local addresses)
 * have their own open-addressing index, addrs6, keyed by the whole 16
 * bytes; kinds are the v4 SL_ADDR_* bits. Routes are a list, longest
 * prefix first, as routes[] (a v6 table is short on a balancer: a
 * default, the servers' networks).
 *
 * Everything is in network byte order.
 */
#ifndef SL_SNAPSHOT6_H
#define SL_SNAPSHOT6_H

#include "snapshot.h"

struct sl_snap6_lip {
	uint8_t ip[16];
	uint8_t slot;         /* stable slot: per-worker port allocator, the
			       * same slot space as v4 lips and pools */
	uint8_t port;
};

struct sl_snap6_route {
	uint8_t prefix[16];
	uint8_t via[16];      /* all zero: connected, the destination is the hop */
	uint8_t plen;
	uint8_t port;
};

struct sl_snap6_addr {
	uint8_t ip[16];
	uint8_t kinds;        /* SL_ADDR_*; 0: empty slot */
	uint8_t port;         /* for PORT and LIP */
	uint8_t lip_slot;     /* for LIP */
};

/* Is `a` in prefix/plen? Bytes then the partial byte. */
static inline bool sl_snap6_in_prefix(const uint8_t a[16],
				      const uint8_t prefix[16], uint8_t plen)
{
	unsigned full = plen / 8, rest = plen % 8;

	for (unsigned i = 0; i < full; i++)
		if (a[i] != prefix[i])
			return false;
	if (rest == 0)
		return true;
	uint8_t mask = (uint8_t)(0xff00u >> rest);
	return (a[full] & mask) == (prefix[full] & mask);
}

static inline uint32_t sl_snap6_ip_hash(const uint8_t ip[16])
{
	uint64_t w[2];

	__builtin_memcpy(w, ip, 16);
	uint64_t x = (w[0] ^ (w[1] * 0x9e3779b97f4a7c15ull));
	x ^= x >> 29;
	x *= 0xbf58476d1ce4e5b9ull;
	return (uint32_t)(x ^ (x >> 32));
}

static inline bool sl_snap6_eq(const uint8_t a[16], const uint8_t b[16])
{
	uint64_t x[2], y[2];

	__builtin_memcpy(x, a, 16);
	__builtin_memcpy(y, b, 16);
	return ((x[0] ^ y[0]) | (x[1] ^ y[1])) == 0;
}

/* The v6 address Sluice owns, or NULL. */
static inline const struct sl_snap6_addr *
sl_snap6_find_addr(const struct sl_snapshot *s, const uint8_t ip[16])
{
	if (s->addr6_mask == 0)
		return NULL;
	uint32_t i = sl_snap6_ip_hash(ip) & s->addr6_mask;
	for (;;) {
		const struct sl_snap6_addr *a = &s->addrs6[i];
		if (a->kinds == 0)
			return NULL;
		if (sl_snap6_eq(a->ip, ip))
			return a;
		i = (i + 1) & s->addr6_mask;
	}
}

static inline uint32_t sl_snap6_svc_hash(const uint8_t vip[16], sl_be16 port,
					 uint8_t proto)
{
	return sl_snap6_ip_hash(vip) ^
	       ((uint32_t)port << 8 | proto) * 0x85ebca6bu;
}

/* The v6 service for (vip, port, proto), or NULL. */
static inline const struct sl_snap_svc *
sl_snap6_find_svc(const struct sl_snapshot *s, const uint8_t vip[16],
		  sl_be16 port, uint8_t proto)
{
	if (s->svc6_mask == 0)
		return NULL;
	uint32_t i = sl_snap6_svc_hash(vip, port, proto) & s->svc6_mask;
	for (;;) {
		uint16_t v = s->svc6_index[i];
		if (v == 0)
			return NULL;
		const struct sl_snap_svc *svc = &s->svcs[v - 1];
		if (svc->vport == port && svc->proto == proto &&
		    sl_snap6_eq(s->svc_vip6[v - 1], vip))
			return svc;
		i = (i + 1) & s->svc6_mask;
	}
}

/* Longest-prefix match over routes6[], or NULL. The next hop is
 * route->via, or `dst` itself for a connected route. */
static inline const struct sl_snap6_route *
sl_snap6_route(const struct sl_snapshot *s, const uint8_t dst[16])
{
	for (uint32_t i = 0; i < s->nroutes6; i++)
		if (sl_snap6_in_prefix(dst, s->routes6[i].prefix,
				       s->routes6[i].plen))
			return &s->routes6[i];
	return NULL;
}

/* The next hop to `dst` by route `rt`: its via, or dst itself
 * (connected, via all zero). */
static inline const uint8_t *sl_snap6_next_hop(const struct sl_snap6_route *rt,
					       const uint8_t dst[16])
{
	static const uint8_t zero[16];
	return sl_snap6_eq(rt->via, zero) ? dst : rt->via;
}

#endif
