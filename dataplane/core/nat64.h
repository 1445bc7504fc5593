/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NAT64 header translation (RFC 7915): an IPv6 packet becomes an IPv4
 * packet and back, for TCP, UDP and ICMP, errors included with the packet
 * they quote. Sluice is stateful and full-NAT (a v6 client -> v6 VIP
 * becomes a v4 local address -> v4 server), so the caller, which holds the
 * connection, says which addresses and ports the translated packet
 * carries; nothing here picks an address (RFC 6052 prefixes play no part).
 *
 * Translation is done in place. Each header is written immediately before
 * the bytes that follow it, which never move: a 6->4 packet loses 20 bytes
 * (or more with extension headers) at its front, a 4->6 packet gains 20
 * (40 for an error, whose quote grows too) and needs that much headroom.
 * Only an ICMP error is shortened at its end, to fit the minimum MTU of
 * its new family (576 for IPv4, RFC 1812 4.3.2.3; 1280 for IPv6, RFC 4443
 * 2.4(c)).
 *
 * Checksums: the transport checksum is recomputed from a full sum of the
 * segment and the new family's pseudo header (ICMPv6 has one, ICMPv4 does
 * not); the same pass verifies the old checksum, so a corrupted packet is
 * refused rather than given a good checksum. A quoted (embedded) transport
 * header is usually cut short, so its checksum can only be adjusted, by
 * the difference of the pseudo headers, where the quote holds it.
 *
 * Every refusal has a name (SL_XLAT_RESULTS) for the worker to count; two
 * of them ask the caller to answer: HOP_LIMIT (time exceeded) and TOO_BIG
 * (Packet Too Big / fragmentation needed, with sl_nat64_ptb_mtu6() and
 * sl_nat64_frag_mtu4()).
 */
#ifndef SL_NAT64_H
#define SL_NAT64_H

#include "flow.h"
#include "wire.h"
#include "wire6.h"

#define SL_XLAT_RESULTS(X)                                                     \
	X(OK, "ok")                                                            \
	X(TRUNCATED, "xlat_truncated")       /* shorter than its headers */    \
	X(BAD_HEADER, "xlat_bad_header")     /* wrong version, bad IHL */      \
	X(NO_HEADROOM, "xlat_no_headroom")   /* 4->6: no room to grow */       \
	X(FRAGMENT, "xlat_fragment")         /* fragments are not translated */\
	X(EXT_HEADERS, "xlat_ext_headers")   /* chain too long, or routing   \
						with segments left */           \
	X(HOP_LIMIT, "xlat_hop_limit")       /* TTL/hop limit would be 0 */    \
	X(TOO_BIG, "xlat_too_big")           /* over the next-hop MTU, DF */   \
	X(NEEDS_FRAGMENTING, "xlat_needs_fragmenting") /* ... no DF */         \
	X(BAD_CHECKSUM, "xlat_bad_checksum")                                   \
	X(UNKNOWN_PROTO, "xlat_unknown_proto")                                 \
	X(ICMP_TYPE, "xlat_icmp_type")       /* no counterpart (RFC 7915     \
						4.2, 5.2): dropped */           \
	X(ICMP_CODE, "xlat_icmp_code")       /* an error code with none */     \
	X(PARAM_POINTER, "xlat_param_pointer") /* points at a field with    \
						  no counterpart */             \
	X(INNER_TRUNCATED, "xlat_inner_truncated") /* quote too short */       \
	X(INNER_BAD, "xlat_inner_bad")       /* quote not the right family */  \
	X(INNER_FRAGMENT, "xlat_inner_fragment") /* quote has no L4 header */  \
	X(INNER_PROTO, "xlat_inner_proto")   /* quote not TCP/UDP/echo */      \
	X(INNER_ICMP_ERROR, "xlat_inner_icmp_error") /* error about an error */

enum sl_xlat {
#define SL_XLAT_ENUM(id, name) SL_XLAT_##id,
	SL_XLAT_RESULTS(SL_XLAT_ENUM)
#undef SL_XLAT_ENUM
	SL_XLAT_MAX
};

/* The result's stable name, for counters. */
const char *sl_xlat_name(enum sl_xlat r);

/* The packet: `l3` points at its network header, `len` bytes to its end
 * (link padding excluded), `headroom` writable bytes before `l3`. On
 * SL_XLAT_OK, l3/len/headroom describe the translated packet; on a
 * refusal the packet is unchanged. */
struct sl_nat64_buf {
	uint8_t *l3;
	uint16_t len;
	uint16_t headroom;
};

/* What the translation needs beyond the addresses. */
struct sl_nat64_ctx {
	uint16_t mtu4;  /* next-hop MTU on the IPv4 side */
	uint16_t mtu6;  /* ... and on the IPv6 side */
	sl_be16 ip_id;  /* 6->4: Identification (the worker's generator,
			 * RFC 7915 5.1) */
};

/* Translate an IPv6 packet to IPv4. `k` is the tuple the translated
 * packet carries (ICMP echo: the identifier in sport); `inner` the tuple
 * an ICMP error's quote gets (it is the packet the other way, as Sluice
 * sent it), ignored otherwise. The hop limit is decremented. */
enum sl_xlat sl_nat64_6to4(struct sl_nat64_buf *b, const struct sl_v4key *k,
			   const struct sl_v4key *inner,
			   const struct sl_nat64_ctx *ctx);

/* Translate an IPv4 packet (without options: the parser drops those) to
 * IPv6; as sl_nat64_6to4. */
enum sl_xlat sl_nat64_4to6(struct sl_nat64_buf *b, const struct sl_v6key *k,
			   const struct sl_v6key *inner,
			   const struct sl_nat64_ctx *ctx);

/* Headroom sl_nat64_4to6() may need. */
#define SL_NAT64_HEADROOM 40

/* The quote of an ICMPv6 error (after the ICMPv6 header at `icmp`,
 * `len` bytes of message): its tuple and protocol (ICMPv6 echo: the
 * identifier in both ports), to find the connection before translating.
 * The message itself is not checked here; sl_nat64_6to4() checks it. */
enum sl_xlat sl_nat64_quote6(const uint8_t *icmp, unsigned len,
			     struct sl_v6key *k, uint8_t *proto);
/* ... and of an ICMPv4 error. */
enum sl_xlat sl_nat64_quote4(const uint8_t *icmp, unsigned len,
			     struct sl_v4key *k, uint8_t *proto);

/* Is an ICMP type an error that is translated with its quote? */
bool sl_nat64_icmp6_is_error(uint8_t type);
bool sl_nat64_icmp4_is_error(uint8_t type);

/* The MTU to put in the answer to SL_XLAT_TOO_BIG: a Packet Too Big to
 * the IPv6 sender of a packet over mtu4, a "fragmentation needed" to the
 * IPv4 sender of a packet over mtu6 (20 bytes of header difference). */
static inline uint16_t sl_nat64_ptb_mtu6(uint16_t mtu4)
{
	/* Never under IPv6's minimum MTU (RFC 8200 5): a v4 side under
	 * 1260 cannot carry a full v6 packet without fragmenting, which
	 * Sluice does not do (README: NAT64 limits); a smaller PTB would be
	 * ignored by the client anyway. */
	return (uint16_t)(mtu4 + 20 < SL_IPV6_MIN_MTU ? SL_IPV6_MIN_MTU : mtu4 + 20);
}

static inline uint16_t sl_nat64_frag_mtu4(uint16_t mtu6)
{
	return (uint16_t)(mtu6 - 20);
}

/* Clamp the MSS option of a TCP SYN (header at `tcp`, `len` bytes of
 * segment) so that a full segment fits both sides: at most mtu4 - 40 and
 * mtu6 - 60, the IPv6 header being 20 bytes longer. The checksum is
 * adjusted. Returns true when the option was lowered. */
bool sl_nat64_mss_clamp(uint8_t *tcp, unsigned len, uint16_t mtu4,
			uint16_t mtu6);

#endif
