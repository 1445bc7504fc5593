/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Full-NAT rewrite of a packet that matched a connection.
 *
 *   ORIG  (client C:cp -> VIP:vp)   becomes  LIP:lp -> RS:rp
 *   REPLY (RS:rp -> LIP:lp)         becomes  VIP:vp -> C:cp
 *
 * Both are "write the reverse of the other direction's key", which is why
 * the connection stores the two keys and nothing else about addresses.
 * Checksums are updated incrementally from the per-connection delta (see
 * csum.h), folding in the TTL decrement in the same add.
 */
#ifndef SL_NAT_H
#define SL_NAT_H

#include <string.h>

#include "conn.h"
#include "csum.h"
#include "pkt.h"

/* Compute c->csum_l3 / c->csum_l4 from the two keys. Call once when the
 * keys are final. */
static inline void sl_nat_prepare(struct sl_conn *c)
{
	const struct sl_v4key *from = &c->key[SL_DIR_ORIG];
	struct sl_v4key to = sl_v4key_reverse(&c->key[SL_DIR_REPLY]);
	uint32_t l3 = sl_csum_delta32(from->saddr, to.saddr) +
		      sl_csum_delta32(from->daddr, to.daddr);
	c->csum_l3 = sl_csum_fold(l3);
	if (c->proto == SL_IPPROTO_ICMP) {
		/* An echo's identifier is its port; ICMP has no pseudo
		 * header, so only the identifier counts. */
		c->csum_l4 = sl_csum_fold(sl_csum_delta16(from->sport, to.sport));
		return;
	}
	c->csum_l4 = sl_csum_fold((uint64_t)l3 +
				  sl_csum_delta16(from->sport, to.sport) +
				  sl_csum_delta16(from->dport, to.dport));
}

/* Rewrite a parsed TCP/UDP packet (or ICMP echo, whose identifier plays
 * the port) of direction `dir` of connection `c`, decrementing its TTL
 * (the caller has checked TTL > 1). */
static inline __attribute__((always_inline)) void
sl_nat_rewrite(struct sl_pkt *pkt, const struct sl_conn *c, enum sl_dir dir)
{
	struct sl_ipv4_hdr *ip = pkt->ip;
	const struct sl_v4key *other = &c->key[dir ^ 1];
	uint16_t d3 = dir == SL_DIR_ORIG ? c->csum_l3 : sl_csum_negate(c->csum_l3);
	uint16_t d4 = dir == SL_DIR_ORIG ? c->csum_l4 : sl_csum_negate(c->csum_l4);
	uint64_t addrs;
	uint32_t ports;

	/* The reverse of the other direction's key: swap the two addresses
	 * and the two ports, each a rotation of the word holding the pair. */
	memcpy(&addrs, other, 8);
	memcpy(&ports, &other->sport, 4);
	addrs = addrs >> 32 | addrs << 32;
	ports = ports >> 16 | ports << 16;
	memcpy(&ip->saddr, &addrs, 8);
	ip->ttl--;
	ip->csum = sl_csum_apply2(ip->csum, d3, SL_CSUM_TTL_DEC);
	memcpy(&pkt->key, &addrs, 8);
	memcpy(&pkt->key.sport, &ports, 4);

	if (sl_unlikely(pkt->proto == SL_IPPROTO_ICMP)) {
		struct sl_icmp_hdr *icmp = (void *)pkt->l4;
		icmp->id = pkt->key.sport;
		icmp->csum = sl_csum_apply(icmp->csum, d4);
		return;
	}
	memcpy(pkt->l4, &ports, 4);
	if (pkt->proto == SL_IPPROTO_TCP) {
		struct sl_tcp_hdr *tcp = (void *)pkt->l4;
		tcp->csum = sl_csum_apply(tcp->csum, d4);
	} else {
		struct sl_udp_hdr *udp = (void *)pkt->l4;
		if (udp->csum != 0) { /* zero means "no checksum": keep it */
			uint16_t cs = sl_csum_apply(udp->csum, d4);
			udp->csum = cs ? cs : 0xffff;
		}
	}
}

#endif
