/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "csum.h"
#include "icmp.h"

#define SL_DEFAULT_TTL 64

static void ip_header_finish(struct sl_ipv4_hdr *ip)
{
	ip->csum = 0;
	ip->csum = sl_csum(ip, SL_IPV4_HLEN, 0);
}

void sl_icmp_echo_to_reply(struct sl_pkt *pkt)
{
	struct sl_ipv4_hdr *ip = pkt->ip;
	struct sl_icmp_hdr *icmp = (void *)pkt->l4;
	sl_be32 requester = ip->saddr;

	ip->saddr = ip->daddr;
	ip->daddr = requester;
	ip->ttl = SL_DEFAULT_TTL;
	ip_header_finish(ip);

	/* Only the type changes (8 -> 0): adjust rather than re-sum a
	 * payload that may be large. */
	uint16_t old_word = sl_htons((uint16_t)(icmp->type << 8 | icmp->code));
	icmp->type = SL_ICMP_ECHO_REPLY;
	uint16_t new_word = sl_htons((uint16_t)(icmp->type << 8 | icmp->code));
	icmp->csum = sl_csum_apply(icmp->csum,
				   sl_csum_fold(sl_csum_delta16(old_word, new_word)));
	/* An adjusted 0x0000 is ambiguous: right if the message sums to
	 * 0xffff, wrong (0xffff is) if it is all zeros, which a reply with
	 * identifier and sequence 0 and no payload is. ICMP has no pseudo
	 * header to rule that out, so settle it by summing. */
	if (icmp->csum == 0)
		icmp->csum = sl_csum(icmp, pkt->l4_len, 0);
	pkt->key.saddr = ip->saddr;
	pkt->key.daddr = ip->daddr;
}

uint16_t sl_icmp_error_build(uint8_t *l3, sl_be32 src, sl_be32 dst,
			     uint8_t type, uint8_t code, uint16_t quote_len,
			     uint16_t mtu)
{
	struct sl_ipv4_hdr *ip = (void *)l3;
	struct sl_icmp_hdr *icmp = (void *)(l3 + SL_IPV4_HLEN);
	uint16_t total = (uint16_t)(SL_ICMP_ERR_HDRS + quote_len);

	memset(ip, 0, sizeof(*ip));
	ip->ver_ihl = 0x45;
	ip->total_len = sl_htons(total);
	ip->ttl = SL_DEFAULT_TTL;
	ip->proto = SL_IPPROTO_ICMP;
	ip->saddr = src;
	ip->daddr = dst;
	ip_header_finish(ip);

	memset(icmp, 0, sizeof(*icmp)); /* id/seq double as "unused" */
	icmp->type = type;
	icmp->code = code;
	icmp->seq = sl_htons(mtu);
	icmp->csum = sl_csum(icmp, (size_t)8 + quote_len, 0);
	return total;
}
