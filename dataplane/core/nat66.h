/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Full-NAT 6->6 rewrite (issue 15), nat.h's twin for IPv6:
 *
 *   ORIG  (client C:cp -> VIP:vp)   becomes  LIP:lp -> RS:rp
 *   REPLY (RS:rp -> LIP:lp)         becomes  VIP:vp -> C:cp
 *
 * Again "write the reverse of the other direction's key". IPv6 has no
 * header checksum; the addresses are covered by the TCP/UDP pseudo
 * header, so one L4 delta (eight address words, two ports: RFC 1624)
 * carries the whole rewrite. It is computed once per connection
 * (sl_nat66_delta) and kept in the entry's csum_l4, which a v6 entry
 * has free like csum_l3 (conn.h). The hop limit is not in any checksum.
 */
#ifndef SL_NAT66_H
#define SL_NAT66_H

#include <stddef.h>
#include <string.h>

#include "csum.h"
#include "flow.h"
#include "pkt.h"

/* The folded L4 checksum delta of rewriting a packet keyed `from` into
 * one keyed `to` (the ORIG -> translated direction; the reply direction
 * applies its negation). */
static inline uint16_t sl_nat66_delta(const struct sl_v6key *from,
				      const struct sl_v6key *to)
{
	const uint8_t *f = (const uint8_t *)from, *t = (const uint8_t *)to;
	uint64_t sum = 0;

	for (unsigned i = 0; i < 32; i += 4) {
		uint32_t a, b;
		memcpy(&a, f + i, 4);
		memcpy(&b, t + i, 4);
		sum += sl_csum_delta32(a, b);
	}
	sum += sl_csum_delta16(from->sport, to->sport);
	sum += sl_csum_delta16(from->dport, to->dport);
	return sl_csum_fold(sum);
}

/* Rewrite a parsed v6 TCP/UDP packet to key `to` (the reverse of the
 * other direction's key), applying the folded delta `d4` to its L4
 * checksum, and decrement its hop limit (the caller has checked it is
 * above 1). A UDP checksum of 0 is left alone: parse6 refuses one on
 * receive (udp6_zero_checksum), so it never gets here. */
static inline void sl_nat66_rewrite(struct sl_pkt *pkt, const struct sl_v6key *to,
				    uint16_t d4)
{
	struct sl_ipv6_hdr *ip6 = pkt->ip6;
	uint8_t *field = pkt->l4 + (pkt->proto == SL_IPPROTO_TCP
					    ? offsetof(struct sl_tcp_hdr, csum)
					    : offsetof(struct sl_udp_hdr, csum));
	uint16_t cs;

	memcpy(ip6->saddr, to->saddr, 16);
	memcpy(ip6->daddr, to->daddr, 16);
	ip6->hop_limit--;
	memcpy(pkt->l4, &to->sport, 4);
	pkt->key.sport = to->sport;
	pkt->key.dport = to->dport;
	/* Applied whatever the field holds: a TCP checksum of 0 is as valid
	 * as 0xffff (skipping it would leave a rewritten segment with a
	 * stale sum, and its byte-identical retransmissions too). A v6 UDP
	 * checksum is never 0 here (sl_parse drops udp6_zero_checksum), and
	 * must not become 0, which would mean "none". */
	memcpy(&cs, field, 2);
	cs = sl_csum_apply(cs, d4);
	if (cs == 0 && pkt->proto == SL_IPPROTO_UDP)
		cs = 0xffff;
	memcpy(field, &cs, 2);
}

/* A parsed v6 packet's key, addresses from its header. */
static inline void sl_nat66_key(const struct sl_pkt *pkt, struct sl_v6key *k)
{
	memcpy(k->saddr, pkt->ip6->saddr, 16);
	memcpy(k->daddr, pkt->ip6->daddr, 16);
	k->sport = pkt->key.sport;
	k->dport = pkt->key.dport;
}

#endif
