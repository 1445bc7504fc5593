/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "csum.h"
#include "icmp_error.h"

#define ICMP_HDR 8
#define QUOTE_L4_MIN 8 /* RFC 792: 64 bits of the original datagram */

enum sl_drop sl_icmp_error_parse(const struct sl_pkt *pkt,
				 struct sl_icmp_inner *in)
{
	unsigned len = pkt->l4_len;

	if (len < ICMP_HDR + SL_IPV4_HLEN + QUOTE_L4_MIN)
		return SL_DROP_L4_TRUNCATED;
	/* Verify the whole message: a corrupted quote must not steer a
	 * translation. */
	if (sl_csum_fold(sl_csum_partial(pkt->l4, len, 0)) != 0xffff)
		return SL_DROP_L4_BAD_CHECKSUM;
	in->ip = (void *)(pkt->l4 + ICMP_HDR);
	unsigned ihl = (in->ip->ver_ihl & 0xf) * 4u;
	if ((in->ip->ver_ihl >> 4) != 4 || ihl < SL_IPV4_HLEN ||
	    ICMP_HDR + ihl + QUOTE_L4_MIN > len)
		return SL_DROP_ICMP_BAD_QUOTE;
	if (!sl_ip_csum_ok(in->ip, ihl))
		return SL_DROP_ICMP_BAD_QUOTE;
	in->l4 = (uint8_t *)in->ip + ihl;
	in->l4_avail = (uint16_t)(len - ICMP_HDR - ihl);
	in->proto = in->ip->proto;
	memcpy(&in->key, &in->ip->saddr, 8);
	switch (in->proto) {
	case SL_IPPROTO_TCP:
	case SL_IPPROTO_UDP:
		memcpy(&in->key.sport, in->l4, 4);
		break;
	case SL_IPPROTO_ICMP: {
		const struct sl_icmp_hdr *q = (const void *)in->l4;
		/* Only a query can be matched to a mapping (by its id);
		 * errors about errors are never sent (RFC 1122). */
		if (q->type != SL_ICMP_ECHO_REQUEST && q->type != SL_ICMP_ECHO_REPLY)
			return SL_DROP_ICMP_UNSUPPORTED;
		in->key.sport = q->id;
		in->key.dport = q->id;
		break;
	}
	default:
		return SL_DROP_ICMP_UNSUPPORTED;
	}
	/* No packet Sluice forwards has address 0 or port (id) 0, but SNAT's
	 * bookkeeping keys do (mapping 0:0 -> P:pp, permit R:0 -> P:pp): a
	 * quote with one would be matched to them. */
	if (!in->key.saddr || !in->key.daddr || !in->key.sport || !in->key.dport)
		return SL_DROP_ICMP_QUOTE_WILDCARD;
	return SL_DROP_NONE;
}

/* The quoted transport header: ports (or the echo id) and, where the
 * quote holds it, the checksum, adjusted for the new tuple. */
static void translate_quoted_l4(struct sl_icmp_inner *in,
				const struct sl_v4key *old,
				const struct sl_v4key *quote)
{
	uint32_t addr_delta = sl_csum_delta32(old->saddr, quote->saddr) +
			      sl_csum_delta32(old->daddr, quote->daddr);
	uint32_t port_delta = sl_csum_delta16(old->sport, quote->sport) +
			      sl_csum_delta16(old->dport, quote->dport);

	switch (in->proto) {
	case SL_IPPROTO_TCP: {
		memcpy(in->l4, &quote->sport, 4);
		if (in->l4_avail >= 18) {
			struct sl_tcp_hdr *tcp = (void *)in->l4;
			tcp->csum = sl_csum_apply(tcp->csum,
						  sl_csum_fold((uint64_t)addr_delta + port_delta));
		}
		break;
	}
	case SL_IPPROTO_UDP: {
		struct sl_udp_hdr *udp = (void *)in->l4;
		memcpy(in->l4, &quote->sport, 4);
		if (udp->csum != 0) {
			uint16_t cs = sl_csum_apply(udp->csum,
						    sl_csum_fold((uint64_t)addr_delta + port_delta));
			udp->csum = cs ? cs : 0xffff;
		}
		break;
	}
	default: { /* ICMP echo: the id, no pseudo header */
		struct sl_icmp_hdr *q = (void *)in->l4;
		q->csum = sl_csum_apply(q->csum,
					sl_csum_fold(sl_csum_delta16(q->id, quote->sport)));
		q->id = quote->sport;
		break;
	}
	}
}

void sl_icmp_error_translate(struct sl_pkt *pkt, struct sl_icmp_inner *in,
			     const struct sl_v4key *quote, sl_be32 src,
			     sl_be32 dst)
{
	struct sl_v4key old = in->key;
	unsigned ihl = (in->ip->ver_ihl & 0xf) * 4u;
	struct sl_icmp_hdr *icmp = (void *)pkt->l4;

	translate_quoted_l4(in, &old, quote);
	in->ip->saddr = quote->saddr;
	in->ip->daddr = quote->daddr;
	in->ip->csum = 0;
	in->ip->csum = sl_csum(in->ip, ihl, 0);
	in->key = *quote;

	/* The message changed in many places: sum it again. */
	icmp->csum = 0;
	icmp->csum = sl_csum(pkt->l4, pkt->l4_len, 0);

	struct sl_ipv4_hdr *ip = pkt->ip;
	ip->saddr = src;
	ip->daddr = dst;
	ip->ttl--;
	ip->csum = 0;
	ip->csum = sl_csum(ip, SL_IPV4_HLEN, 0);
	pkt->key.saddr = src;
	pkt->key.daddr = dst;
}
