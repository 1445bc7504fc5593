/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Inside NAT64 (nat64.c: the packet, TCP and UDP; nat64_icmp.c: ICMP and
 * the quotes of errors; nat64_hdr.c: what both use). Not for callers:
 * nat64.h is the interface.
 */
#ifndef SL_NAT64_INT_H
#define SL_NAT64_INT_H

#include "nat64.h"

/* A transport message being translated: where it starts and how long it
 * is, before and after (an ICMP error's start moves, its end may be cut). */
struct sl_nat64_msg {
	uint8_t *l4;
	unsigned len;
};

/* Walk an IPv6 header and its extension headers within `avail` bytes
 * (hop-by-hop, destination options, routing with no segments left; at
 * most a few): the upper-layer protocol and its offset. */
enum sl_xlat sl_nat64_walk6(const uint8_t *ip6, unsigned avail,
			    uint8_t *proto, unsigned *off);

/* Write an IPv4 header at `at` for a packet translated from `from`
 * (traffic class, and DF by size, RFC 7915 5.1). */
void sl_nat64_put4(uint8_t *at, const struct sl_ipv6_hdr *from,
		   unsigned total, uint8_t proto, uint8_t ttl, sl_be32 saddr,
		   sl_be32 daddr, sl_be16 id);

/* Write an IPv6 header at `at` for a packet translated from `from`
 * (RFC 7915 4.1). */
void sl_nat64_put6(uint8_t *at, const struct sl_ipv4_hdr *from,
		   unsigned payload, uint8_t nexthdr, uint8_t hop_limit,
		   const uint8_t saddr[16], const uint8_t daddr[16]);

/* A stored checksum with the sum `removed` taken out of what it covers
 * and `added` put in. */
uint16_t sl_nat64_csum_adjust(uint16_t csum, uint64_t removed, uint64_t added);

/* The ICMP halves of sl_nat64_6to4() and sl_nat64_4to6(): translate the
 * message in `m` (checked against `old_pseudo`, the received packet's
 * pseudo header sum; 0 for ICMPv4). `floor` is the lowest address the
 * message may start at (room for the new IP header kept). Nothing is
 * written before every check has passed. */
enum sl_xlat sl_nat64_icmp_6to4(struct sl_nat64_msg *m, uint64_t old_pseudo,
				const struct sl_v4key *k,
				const struct sl_v4key *inner,
				const struct sl_nat64_ctx *ctx);
enum sl_xlat sl_nat64_icmp_4to6(struct sl_nat64_msg *m, const uint8_t *floor,
				const struct sl_v6key *k,
				const struct sl_v6key *inner,
				const struct sl_nat64_ctx *ctx);

#endif
