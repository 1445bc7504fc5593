/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ICMPv6 errors about translated packets (RFC 4443, RFC 8201), what
 * icmp_error.h is for v4: Destination Unreachable, Packet Too Big and
 * Time Exceeded quote the packet that caused them as it looked on one
 * side of Sluice. To be of use on the other side (path MTU discovery,
 * "connection refused") the quote is translated back through its
 * connection, the outer header pointed at the host on that side, and
 * the ICMPv6 checksum summed again (its pseudo header's addresses
 * change). The quote names the connection; an error never creates,
 * refreshes or removes one.
 */
#ifndef SL_ICMP6_ERROR_H
#define SL_ICMP6_ERROR_H

#include "drop.h"
#include "pkt.h"

/* The quoted packet. Pointers point into the frame. */
struct sl_icmp6_inner {
	struct sl_ipv6_hdr *ip6;
	uint8_t *l4;
	uint16_t l4_avail;       /* quoted L4 bytes (at least 8) */
	uint8_t proto;           /* TCP or UDP */
	struct sl_v6key key;     /* as quoted */
};

/* The errors carried across a connection. Parameter Problem only
 * through NAT64, which translates its pointer into the v4 header (RFC
 * 7915 5.2); FNAT66 does not relay one (worker_icmp6.c): its pointer
 * would name a byte of the other side's packet. */
static inline bool sl_icmp6_is_relayed_error(uint8_t type)
{
	return type == SL_ICMP6_DEST_UNREACH || type == SL_ICMP6_PKT_TOO_BIG ||
	       type == SL_ICMP6_TIME_EXCEEDED || type == SL_ICMP6_PARAM_PROB;
}

/* Validate an error (ICMPv6 checksum over the whole message; a quoted
 * IPv6 header whose next header is TCP or UDP, and 8 bytes of it) and
 * find the quoted tuple. SL_DROP_NONE or the reason to drop it:
 * icmp6_quote_truncated, icmp_bad_quote (not IPv6, wildcard), or
 * icmp_unsupported (a quote of another protocol or with extension
 * headers: no connection of Sluice's carries one). */
enum sl_drop sl_icmp6_error_parse(const struct sl_pkt *pkt,
				  struct sl_icmp6_inner *in);

/* Rewrite the error in place: the quote gets the tuple `quote` (its
 * L4 checksum adjusted where the quote holds it), the outer header the
 * addresses `src` -> `dst` and one hop less (the caller has checked the
 * hop limit is above 1), a Packet Too Big the MTU `mtu` (0: unchanged);
 * the ICMPv6 checksum is summed again. */
void sl_icmp6_error_translate(struct sl_pkt *pkt, struct sl_icmp6_inner *in,
			      const struct sl_v6key *quote, const uint8_t src[16],
			      const uint8_t dst[16], uint32_t mtu);

/* Bytes 4-7 of a Packet Too Big: the MTU of the next hop. */
static inline uint32_t sl_icmp6_ptb_mtu(const struct sl_pkt *pkt)
{
	const uint8_t *p = pkt->l4 + 4;

	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

#endif
