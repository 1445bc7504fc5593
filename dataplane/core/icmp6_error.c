/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "csum.h"
#include "icmp6_error.h"
#include "nat66.h"

#define ICMP6_HDR 8
#define QUOTE_L4_MIN 8 /* the ports; a TCP quote's checksum needs 18 */

static bool all_zero(const uint8_t a[16])
{
	static const uint8_t zero[16];

	return memcmp(a, zero, 16) == 0;
}

enum sl_drop sl_icmp6_error_parse(const struct sl_pkt *pkt,
				  struct sl_icmp6_inner *in)
{
	unsigned len = pkt->l4_len;

	if (len < ICMP6_HDR + SL_IPV6_HLEN + QUOTE_L4_MIN)
		return SL_DROP_ICMP6_QUOTE_TRUNCATED;
	/* Verify the whole message whatever the port offloads: a corrupted
	 * quote must not steer a translation. */
	if (!sl_l4_csum_ok6(pkt))
		return SL_DROP_L4_BAD_CHECKSUM;
	in->ip6 = (void *)(pkt->l4 + ICMP6_HDR);
	if ((sl_ntohl(in->ip6->vtc_flow) >> 28) != 6)
		return SL_DROP_ICMP_BAD_QUOTE;
	in->proto = in->ip6->nexthdr;
	if (in->proto != SL_IPPROTO_TCP && in->proto != SL_IPPROTO_UDP)
		return SL_DROP_ICMP_UNSUPPORTED;
	in->l4 = (uint8_t *)in->ip6 + SL_IPV6_HLEN;
	in->l4_avail = (uint16_t)(len - ICMP6_HDR - SL_IPV6_HLEN);
	memcpy(in->key.saddr, in->ip6->saddr, 16);
	memcpy(in->key.daddr, in->ip6->daddr, 16);
	memcpy(&in->key.sport, in->l4, 4);
	if (all_zero(in->key.saddr) || all_zero(in->key.daddr) || !in->key.sport ||
	    !in->key.dport)
		return SL_DROP_ICMP_BAD_QUOTE;
	return SL_DROP_NONE;
}

/* The quoted ports and, where the quote holds it, the L4 checksum, for
 * the new tuple (its pseudo header's addresses and the ports). */
static void translate_quoted_l4(struct sl_icmp6_inner *in, const struct sl_v6key *quote)
{
	size_t at = in->proto == SL_IPPROTO_TCP ? offsetof(struct sl_tcp_hdr, csum)
						: offsetof(struct sl_udp_hdr, csum);
	uint16_t cs, d = sl_nat66_delta(&in->key, quote);

	memcpy(in->l4, &quote->sport, 4);
	if (in->l4_avail < at + 2)
		return;
	memcpy(&cs, in->l4 + at, 2);
	if (cs == 0)
		return; /* never sent by Sluice (udp6_zero_checksum) */
	cs = sl_csum_apply(cs, d);
	if (cs == 0 && in->proto == SL_IPPROTO_UDP)
		cs = 0xffff;
	memcpy(in->l4 + at, &cs, 2);
}

void sl_icmp6_error_translate(struct sl_pkt *pkt, struct sl_icmp6_inner *in,
			      const struct sl_v6key *quote, const uint8_t src[16],
			      const uint8_t dst[16], uint32_t mtu)
{
	struct sl_icmp6_hdr *icmp = (void *)pkt->l4;
	struct sl_ipv6_hdr *ip6 = pkt->ip6;

	translate_quoted_l4(in, quote);
	memcpy(in->ip6->saddr, quote->saddr, 16);
	memcpy(in->ip6->daddr, quote->daddr, 16);
	in->key = *quote;
	if (mtu != 0 && icmp->type == SL_ICMP6_PKT_TOO_BIG) {
		uint32_t be = sl_htonl(mtu);
		memcpy(pkt->l4 + 4, &be, 4);
	}
	memcpy(ip6->saddr, src, 16);
	memcpy(ip6->daddr, dst, 16);
	ip6->hop_limit--;
	/* The message changed in many places, and so did the addresses of
	 * its pseudo header: sum it again. */
	icmp->csum = 0;
	icmp->csum = sl_csum(pkt->l4, pkt->l4_len,
			     sl_csum_pseudo6(src, dst, SL_IPPROTO_ICMPV6, pkt->l4_len));
}
