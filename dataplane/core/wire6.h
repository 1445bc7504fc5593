/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv6 wire formats: the fixed header, ICMPv6 (RFC 4443) and neighbor
 * discovery (RFC 4861). Fixed-width types only, like wire.h, so the XDP
 * program may include it too.
 */
#ifndef SL_WIRE6_H
#define SL_WIRE6_H

#include "dp_types.h"
#include "wire.h"

#define SL_IPV6_HLEN 40
#define SL_IPV6_MIN_MTU 1280 /* RFC 8200 section 5 */

struct sl_ipv6_hdr {
	sl_be32 vtc_flow; /* version 4 bits, traffic class 8, flow label 20 */
	sl_be16 payload_len;
	uint8_t nexthdr;
	uint8_t hop_limit;
	uint8_t saddr[16];
	uint8_t daddr[16];
} __attribute__((packed));

#define SL_IPPROTO_HOPOPTS 0
#define SL_IPPROTO_ROUTING 43
#define SL_IPPROTO_FRAGMENT 44
#define SL_IPPROTO_ICMPV6 58
#define SL_IPPROTO_NONE 59
#define SL_IPPROTO_DSTOPTS 60

/* Traffic class of a header, and a version-6 word carrying one. */
static inline uint8_t sl_ipv6_tclass(const struct sl_ipv6_hdr *ip)
{
	return (uint8_t)(sl_ntohl(ip->vtc_flow) >> 20);
}

static inline sl_be32 sl_ipv6_vtc_flow(uint8_t tclass)
{
	return sl_htonl(6u << 28 | (uint32_t)tclass << 20);
}

/* A link-local unicast address (fe80::/10, RFC 4291 2.5.6): meaningful
 * only on the link it was seen on. */
static inline bool sl_ip6_is_link_local(const uint8_t a[16])
{
	return a[0] == 0xfe && (a[1] & 0xc0) == 0x80;
}

/* ICMPv6 header: type, code, checksum and the message's first word
 * (identifier and sequence, MTU, pointer, or unused). */
struct sl_icmp6_hdr {
	uint8_t type;
	uint8_t code;
	sl_be16 csum;
	sl_be32 data;
} __attribute__((packed));

#define SL_ICMP6_DEST_UNREACH 1
#define SL_ICMP6_PKT_TOO_BIG 2
#define SL_ICMP6_TIME_EXCEEDED 3
#define SL_ICMP6_PARAM_PROB 4
#define SL_ICMP6_ECHO_REQUEST 128
#define SL_ICMP6_ECHO_REPLY 129
#define SL_ICMP6_ROUTER_SOL 133
#define SL_ICMP6_ROUTER_ADV 134
#define SL_ICMP6_NEIGH_SOL 135
#define SL_ICMP6_NEIGH_ADV 136
#define SL_ICMP6_REDIRECT 137
#define SL_ICMP6_MLD2_REPORT 143 /* RFC 3810 */

/* Codes of the errors Sluice sends or translates (RFC 4443). */
#define SL_ICMP6_UNREACH_NOROUTE 0
#define SL_ICMP6_UNREACH_ADMIN 1
#define SL_ICMP6_UNREACH_BEYOND_SCOPE 2
#define SL_ICMP6_UNREACH_ADDR 3
#define SL_ICMP6_UNREACH_PORT 4
#define SL_ICMP6_TIME_HOPS 0
#define SL_ICMP6_PARAM_FIELD 0
#define SL_ICMP6_PARAM_NEXTHDR 1

/* Neighbor Solicitation and Advertisement (RFC 4861 4.3, 4.4): the ICMPv6
 * header (its data word is reserved, or the NA's flags), then the target,
 * then options. */
struct sl_nd_msg {
	struct sl_icmp6_hdr icmp;
	uint8_t target[16];
} __attribute__((packed));

#define SL_ND_NA_ROUTER 0x80000000u
#define SL_ND_NA_SOLICITED 0x40000000u
#define SL_ND_NA_OVERRIDE 0x20000000u

/* Options: type, length in units of 8 bytes (0 is invalid), value. */
#define SL_ND_OPT_SRC_LLADDR 1
#define SL_ND_OPT_TGT_LLADDR 2
#define SL_ND_OPT_LLADDR_LEN 8 /* type, length, 6-byte MAC */

/*
 * The XDP program's look at an IPv6 frame (wire.h's sl_wire_peek() is
 * IPv4's and ARP's): the addresses it is steered by, and for a Neighbor
 * Solicitation the target it asks about, and whether it is a Neighbor
 * Advertisement. No extension header is walked:
 * the addresses sit at fixed offsets, and an NS counts only when ICMPv6
 * follows the fixed header directly, as ndp.c requires too (an NS behind
 * an extension header is not Sluice's to answer). Bounded by
 * construction, so the verifier follows it; BPF-safe like wire.h.
 */
struct sl_wire6_dst {
	uint8_t src[16];
	uint8_t dst[16];
	uint8_t ns_target[16]; /* when `ns` */
	bool ns;               /* an ICMPv6 Neighbor Solicitation */
	bool na;               /* an ICMPv6 Neighbor Advertisement */
};

/* Fill `d` from the IPv6 frame [frame, end) (EtherType already checked).
 * False if too short to hold the fixed header. */
static __always_inline bool sl_wire_peek6(const uint8_t *frame, const uint8_t *end,
					  struct sl_wire6_dst *d)
{
	const struct sl_ipv6_hdr *ip = (const void *)(frame + SL_ETH_HLEN);
	const struct sl_nd_msg *nd =
		(const void *)(frame + SL_ETH_HLEN + SL_IPV6_HLEN);

	d->ns = false;
	d->na = false;
	if (frame + SL_ETH_HLEN + SL_IPV6_HLEN > end)
		return false;
	__builtin_memcpy(d->src, ip->saddr, 16);
	__builtin_memcpy(d->dst, ip->daddr, 16);
	if (ip->nexthdr != SL_IPPROTO_ICMPV6 ||
	    frame + SL_ETH_HLEN + SL_IPV6_HLEN + sizeof(*nd) > end)
		return true;
	d->na = nd->icmp.type == SL_ICMP6_NEIGH_ADV;
	if (nd->icmp.type != SL_ICMP6_NEIGH_SOL)
		return true;
	d->ns = true;
	__builtin_memcpy(d->ns_target, nd->target, 16);
	return true;
}

#endif
