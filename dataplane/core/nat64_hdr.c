/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NAT64's pieces both halves use (nat64.c for the packet, nat64_icmp.c
 * for an error's quote): the IPv6 extension header walk, the headers of
 * each family written from the other's, a checksum adjustment.
 */
#include <string.h>

#include "csum.h"
#include "nat64_int.h"

/* Extension headers walked before giving up: a real chain has two or
 * three; a long one is an attack on whoever walks it. */
#define EXT_MAX 4
/* RFC 7915 5.1: DF is set on a translated packet longer than this, so
 * that a small one may be fragmented on the IPv4 side. */
#define DF_ABOVE 1260

enum sl_xlat sl_nat64_walk6(const uint8_t *ip6, unsigned avail,
			    uint8_t *proto, unsigned *off)
{
	const struct sl_ipv6_hdr *h = (const void *)ip6;
	unsigned o = SL_IPV6_HLEN;

	if (avail < SL_IPV6_HLEN)
		return SL_XLAT_TRUNCATED;
	if ((ip6[0] >> 4) != 6)
		return SL_XLAT_BAD_HEADER;
	uint8_t nh = h->nexthdr;
	for (unsigned i = 0; i <= EXT_MAX; i++) {
		if (nh == SL_IPPROTO_FRAGMENT)
			return SL_XLAT_FRAGMENT;
		if (nh != SL_IPPROTO_HOPOPTS && nh != SL_IPPROTO_DSTOPTS &&
		    nh != SL_IPPROTO_ROUTING) {
			*proto = nh;
			*off = o;
			return o <= avail ? SL_XLAT_OK : SL_XLAT_TRUNCATED;
		}
		if (o + 8 > avail)
			return SL_XLAT_TRUNCATED;
		/* RFC 7915 5.1: a routing header with segments left is
		 * not for a translator to pass on. */
		if (nh == SL_IPPROTO_ROUTING && ip6[o + 3] != 0)
			return SL_XLAT_EXT_HEADERS;
		nh = ip6[o];
		o += (ip6[o + 1] + 1u) * 8;
	}
	return SL_XLAT_EXT_HEADERS;
}

void sl_nat64_put4(uint8_t *at, const struct sl_ipv6_hdr *from,
		   unsigned total, uint8_t proto, uint8_t ttl, sl_be32 saddr,
		   sl_be32 daddr, sl_be16 id)
{
	struct sl_ipv4_hdr ip = {
		.ver_ihl = 0x45,
		.tos = sl_ipv6_tclass(from),
		.total_len = sl_htons((uint16_t)total),
		.id = id,
		.frag_off = total > DF_ABOVE ? sl_htons(SL_IP_DF) : 0,
		.ttl = ttl,
		.proto = proto,
		.saddr = saddr,
		.daddr = daddr,
	};
	ip.csum = sl_csum(&ip, sizeof(ip), 0);
	memcpy(at, &ip, sizeof(ip));
}

void sl_nat64_put6(uint8_t *at, const struct sl_ipv4_hdr *from,
		   unsigned payload, uint8_t nexthdr, uint8_t hop_limit,
		   const uint8_t saddr[16], const uint8_t daddr[16])
{
	struct sl_ipv6_hdr ip = {
		.vtc_flow = sl_ipv6_vtc_flow(from->tos),
		.payload_len = sl_htons((uint16_t)payload),
		.nexthdr = nexthdr,
		.hop_limit = hop_limit,
	};
	memcpy(ip.saddr, saddr, 16);
	memcpy(ip.daddr, daddr, 16);
	memcpy(at, &ip, sizeof(ip));
}

uint16_t sl_nat64_csum_adjust(uint16_t csum, uint64_t removed, uint64_t added)
{
	uint32_t sum = (uint32_t)(uint16_t)~csum +
		       (uint16_t)~sl_csum_fold(removed) + sl_csum_fold(added);
	return (uint16_t)~sl_csum_fold32(sum);
}
