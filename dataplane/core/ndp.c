/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "csum.h"
#include "ndp.h"
#include "result_names.h"

#define ND_HOP_LIMIT 255  /* RFC 4861 7.1: only from the same link */
#define ND_MSG_LEN 24     /* ICMPv6 header and target */

SL_RESULT_NAMES(sl_ndp_name, enum sl_ndp, SL_NDP_RESULTS, SL_NDP_MAX, "ndp_unknown")

static bool is_multicast(const uint8_t a[16])
{
	return a[0] == 0xff;
}

static bool is_unspecified(const uint8_t a[16])
{
	static const uint8_t zero[16];
	return memcmp(a, zero, 16) == 0;
}

void sl_ndp_solicited_node(const uint8_t addr[16], uint8_t out[16])
{
	static const uint8_t prefix[13] = {0xff, 0x02, [11] = 0x01, [12] = 0xff};

	memcpy(out, prefix, 13);
	memcpy(out + 13, addr + 13, 3);
}

bool sl_ndp_is_solicited_node(const uint8_t addr[16])
{
	uint8_t prefix[16];

	sl_ndp_solicited_node(addr, prefix); /* the last 3 bytes are addr's */
	return memcmp(addr, prefix, 13) == 0;
}

void sl_ndp_multicast_mac(const uint8_t group[16], uint8_t mac[6])
{
	mac[0] = 0x33;
	mac[1] = 0x33;
	memcpy(mac + 2, group + 12, 4);
}

/* Options after the message: every length non-zero and inside the
 * message (7.1.1); the link-layer address option of `want`, if any. */
static enum sl_ndp parse_options(const uint8_t *opt, unsigned len, uint8_t want,
				 const uint8_t **lladdr)
{
	unsigned o = 0;

	*lladdr = NULL;
	while (o < len) {
		if (o + 2 > len || opt[o + 1] == 0 || o + opt[o + 1] * 8u > len)
			return SL_NDP_BAD_OPTION;
		if (opt[o] == want && opt[o + 1] == 1)
			*lladdr = opt + o + 2;
		o += opt[o + 1] * 8u;
	}
	return SL_NDP_OK;
}

/* The checks that do not depend on the message type. */
static enum sl_ndp check_common(const struct sl_ipv6_hdr *ip, const uint8_t *msg,
				unsigned mlen)
{
	if (ip->nexthdr != SL_IPPROTO_ICMPV6 || mlen < 8)
		return SL_NDP_NOT_ND;
	if (msg[0] == SL_ICMP6_ROUTER_ADV)
		return SL_NDP_ROUTER_ADV;
	if (msg[0] != SL_ICMP6_NEIGH_SOL && msg[0] != SL_ICMP6_NEIGH_ADV)
		return SL_NDP_NOT_ND;
	if (ip->hop_limit != ND_HOP_LIMIT)
		return SL_NDP_HOP_LIMIT;
	if (msg[1] != 0)
		return SL_NDP_BAD_CODE;
	if (mlen < ND_MSG_LEN)
		return SL_NDP_TRUNCATED;
	uint64_t pseudo = sl_csum_pseudo6(ip->saddr, ip->daddr, SL_IPPROTO_ICMPV6,
					  (uint16_t)mlen);
	if (sl_csum_fold(sl_csum_partial(msg, mlen, pseudo)) != 0xffff)
		return SL_NDP_BAD_CHECKSUM;
	if (is_multicast(msg + 8))
		return SL_NDP_TARGET_MULTICAST;
	return SL_NDP_OK;
}

enum sl_ndp sl_ndp_parse(const uint8_t *l3, unsigned len, struct sl_nd_info *nd)
{
	const struct sl_ipv6_hdr *ip = (const void *)l3;

	if (len < SL_IPV6_HLEN)
		return SL_NDP_TRUNCATED;
	unsigned mlen = sl_ntohs(ip->payload_len);
	if (SL_IPV6_HLEN + mlen > len)
		return SL_NDP_TRUNCATED;
	const uint8_t *msg = l3 + SL_IPV6_HLEN;
	enum sl_ndp r = check_common(ip, msg, mlen);
	if (r != SL_NDP_OK)
		return r;
	bool ns = msg[0] == SL_ICMP6_NEIGH_SOL;
	r = parse_options(msg + ND_MSG_LEN, mlen - ND_MSG_LEN,
			  ns ? SL_ND_OPT_SRC_LLADDR : SL_ND_OPT_TGT_LLADDR,
			  &nd->lladdr);
	if (r != SL_NDP_OK)
		return r;
	uint32_t flags;
	memcpy(&flags, msg + 4, 4);
	nd->type = msg[0];
	nd->target = msg + 8;
	nd->na_flags = ns ? 0 : sl_ntohl(flags);
	if (ns && is_unspecified(ip->saddr) &&
	    (!sl_ndp_is_solicited_node(ip->daddr) || nd->lladdr))
		return SL_NDP_UNSPEC_SOURCE;
	if (!ns && is_multicast(ip->daddr) && (nd->na_flags & SL_ND_NA_SOLICITED))
		return SL_NDP_SOLICITED_MULTICAST;
	return SL_NDP_OK;
}

/* Ethernet, IPv6 and the message with its link-layer address option;
 * the checksum last. */
static uint16_t build_nd(uint8_t *frame, const uint8_t eth_dst[6],
			 const uint8_t mac[6], const uint8_t src[16],
			 const uint8_t dst[16], uint8_t type, uint32_t flags,
			 const uint8_t target[16], uint8_t opt_type)
{
	struct sl_ether_hdr *eth = (void *)frame;
	struct sl_ipv6_hdr *ip = (void *)(frame + SL_ETH_HLEN);
	uint8_t *msg = frame + SL_ETH_HLEN + SL_IPV6_HLEN;
	unsigned mlen = ND_MSG_LEN + SL_ND_OPT_LLADDR_LEN;

	memcpy(eth->dst, eth_dst, 6);
	memcpy(eth->src, mac, 6);
	eth->type = sl_htons(SL_ETHERTYPE_IPV6);
	ip->vtc_flow = sl_ipv6_vtc_flow(0);
	ip->payload_len = sl_htons((uint16_t)mlen);
	ip->nexthdr = SL_IPPROTO_ICMPV6;
	ip->hop_limit = ND_HOP_LIMIT;
	memcpy(ip->saddr, src, 16);
	memcpy(ip->daddr, dst, 16);
	memset(msg, 0, 8);
	msg[0] = type;
	flags = sl_htonl(flags);
	memcpy(msg + 4, &flags, 4);
	memcpy(msg + 8, target, 16);
	msg[ND_MSG_LEN] = opt_type;
	msg[ND_MSG_LEN + 1] = 1;
	memcpy(msg + ND_MSG_LEN + 2, mac, 6);
	uint16_t c = sl_csum(msg, mlen, sl_csum_pseudo6(src, dst, SL_IPPROTO_ICMPV6,
							(uint16_t)mlen));
	memcpy(msg + 2, &c, 2);
	return SL_NDP_FRAME_LEN;
}

uint16_t sl_ndp_build_na(uint8_t *frame, const uint8_t mac[6],
			 const uint8_t target[16], const uint8_t ns_src[16],
			 const uint8_t ns_mac[6])
{
	static const uint8_t all_nodes[16] = {0xff, 0x02, [15] = 0x01};
	uint32_t flags = SL_ND_NA_OVERRIDE;
	const uint8_t *dst = ns_src;
	uint8_t eth_dst[6];

	if (is_unspecified(ns_src)) {
		dst = all_nodes;
		sl_ndp_multicast_mac(all_nodes, eth_dst);
	} else {
		flags |= SL_ND_NA_SOLICITED;
		memcpy(eth_dst, ns_mac, 6);
	}
	return build_nd(frame, eth_dst, mac, target, dst, SL_ICMP6_NEIGH_ADV,
			flags, target, SL_ND_OPT_TGT_LLADDR);
}

uint16_t sl_ndp_build_ns(uint8_t *frame, const uint8_t mac[6],
			 const uint8_t src[16], const uint8_t target[16])
{
	uint8_t group[16], eth_dst[6];

	sl_ndp_solicited_node(target, group);
	sl_ndp_multicast_mac(group, eth_dst);
	return build_nd(frame, eth_dst, mac, src, group, SL_ICMP6_NEIGH_SOL, 0,
			target, SL_ND_OPT_SRC_LLADDR);
}
