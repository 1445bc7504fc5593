/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ICMPv6 that Sluice itself originates (RFC 4443): echo replies for the
 * addresses it owns, and its own errors (Packet Too Big for its egress
 * MTU, hop limit exceeded, destination unreachable). Both are built in
 * the received buffer: a reply in place, an error by writing its two
 * headers before the offending packet, which it quotes as far as the
 * IPv6 minimum MTU allows. Rate limiting is the caller's (tbucket.h).
 */
#ifndef SL_ICMP6_H
#define SL_ICMP6_H

#include "wire6.h"

#define SL_ICMP6_RESULTS(X)                                                    \
	X(OK, "ok")                                                            \
	X(TRUNCATED, "icmp6_truncated")                                        \
	X(BAD_CHECKSUM, "icmp6_bad_checksum")                                  \
	X(NOT_ECHO, "icmp6_not_echo")                                          \
	X(ABOUT_ERROR, "icmp6_about_error")     /* no error about an error    \
						   or a redirect (2.4 e.1-2) */ \
	X(BAD_SOURCE, "icmp6_bad_source")       /* unspecified or multicast   \
						   source: no one to tell */    \
	X(TO_MULTICAST, "icmp6_to_multicast")   /* 2.4 e.3: only PTB and an   \
						   unknown option may answer */

enum sl_icmp6 {
#define SL_ICMP6_ENUM(id, name) SL_ICMP6_##id,
	SL_ICMP6_RESULTS(SL_ICMP6_ENUM)
#undef SL_ICMP6_ENUM
	SL_ICMP6_MAX
};

const char *sl_icmp6_name(enum sl_icmp6 r);

/* Turn the echo request whose IPv6 header is at `l3` (`len` bytes to the
 * end) into its reply in place: addresses swapped, type 129, fresh hop
 * limit, checksum fixed. The request's checksum is verified first. The
 * caller has checked that the destination is an address Sluice owns;
 * Ethernet is left to it. */
enum sl_icmp6 sl_icmp6_echo_to_reply(uint8_t *l3, unsigned len);

/* Bytes an error puts before the quoted packet. */
#define SL_ICMP6_ERR_HDRS (SL_IPV6_HLEN + 8)

/* Build an error about the packet whose IPv6 header is at `quote` (`len`
 * bytes of it): its IPv6 and ICMPv6 headers are written in the
 * SL_ICMP6_ERR_HDRS bytes before `quote`, from `src` to the packet's
 * source; the quote is cut so the error is at most 1280 bytes. `word` is
 * the message's first word (MTU, pointer; 0 for the others). On
 * SL_ICMP6_OK, *out_len is the error's length from its IPv6 header,
 * which starts at quote - SL_ICMP6_ERR_HDRS. */
enum sl_icmp6 sl_icmp6_error_build(uint8_t *quote, unsigned len,
				   const uint8_t src[16], uint8_t type,
				   uint8_t code, uint32_t word,
				   uint16_t *out_len);

static inline enum sl_icmp6 sl_icmp6_too_big(uint8_t *quote, unsigned len,
					     const uint8_t src[16], uint32_t mtu,
					     uint16_t *out_len)
{
	return sl_icmp6_error_build(quote, len, src, SL_ICMP6_PKT_TOO_BIG, 0,
				    mtu, out_len);
}

static inline enum sl_icmp6 sl_icmp6_hop_exceeded(uint8_t *quote, unsigned len,
						  const uint8_t src[16],
						  uint16_t *out_len)
{
	return sl_icmp6_error_build(quote, len, src, SL_ICMP6_TIME_EXCEEDED,
				    SL_ICMP6_TIME_HOPS, 0, out_len);
}

static inline enum sl_icmp6 sl_icmp6_unreachable(uint8_t *quote, unsigned len,
						 const uint8_t src[16],
						 uint8_t code, uint16_t *out_len)
{
	return sl_icmp6_error_build(quote, len, src, SL_ICMP6_DEST_UNREACH, code,
				    0, out_len);
}

#endif
