/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv6 frames for the packet fuzzer: TCP, UDP, ICMPv6 (echo, errors and
 * the neighbor discovery messages, with a target and a link-layer
 * address option) or any other next header, behind a chain of up to
 * three extension headers (hop-by-hop, routing, destination options,
 * fragment) in any order, so that every check of parse6.c can be
 * reached, and passed, from a few choices. Checksums come from the
 * byte-at-a-time reference in tests/unit/frames.h, as fuzz_frames.c's do.
 */
#ifndef SL_FUZZ_FRAMES6_H
#define SL_FUZZ_FRAMES6_H

#include "fuzz_frames.h"

/* A v6 packet to build. Ports in network order. */
struct fz_spec6 {
	uint8_t proto;          /* upper layer; TCP, UDP, ICMPv6 get headers */
	uint8_t src[16], dst[16];
	sl_be16 sport, dport;   /* ICMPv6: the four bytes after the checksum */
	uint8_t tcp_flags;
	uint8_t hop_limit;
	uint32_t seq, ack;
	uint16_t payload;       /* bytes after the L4 header (and NDP body) */
	uint8_t icmp_type, icmp_code;
	uint8_t target[16];     /* NS, NA, redirect: the target address */
	/* The chain: low two bits its length (0-3), then two bits per
	 * header, first first: 0 hop-by-hop, 1 routing, 2 destination
	 * options, 3 fragment. */
	uint8_t ext;
	/* Each option header's length in 8-byte units past the first
	 * (low five bits); bits 5-6 the fragment's offset low bit and M
	 * flag; bit 7 a routing header's segments left (1) or none (0). */
	uint8_t ext_units;
	uint8_t dst_mac[6];
};

/* Write the frame; returns its length. A multicast destination gets its
 * 33:33 MAC instead of dst_mac. */
uint32_t fz_build6(uint8_t *f, const struct fz_spec6 *s);

/* Recompute the TCP, UDP or ICMPv6 checksum where the chain can be
 * walked and the payload length covers the header. */
void fz_fix_csums6(uint8_t *f, uint32_t len);

/* Break a v6 frame in one of the ways parsers get wrong (`how` % 8:
 * truncated, payload length, next header or zero UDP checksum, first
 * extension's length or hop limit, TCP data offset or UDP length,
 * padding, version or ethertype). Returns the new length. */
uint32_t fz_mangle6(uint8_t *f, uint32_t len, unsigned how, unsigned arg);

/* Is the frame IPv6 (by its ethertype, with room for the header)? */
bool fz_is_v6(const uint8_t *f, uint32_t len);

/* The reply to a v6 frame Sluice sent, as fz_reply() answers a v4 one:
 * addresses, ports and MACs swapped, TCP flags `flags`, acknowledging
 * what it carried, its sequence number `seq_delta` past what `sent`
 * acknowledged, `payload` bytes (TCP); an echo answered by its other
 * half. 0 if `sent` is none of TCP, UDP, ICMPv6 echo. */
uint32_t fz_reply6(uint8_t *f, const uint8_t *sent, uint32_t len, uint8_t flags,
		   uint32_t seq_delta, uint16_t payload);

/* An ICMPv6 error to build about a v6 frame Sluice sent. */
struct fz_err6 {
	uint8_t type, code;
	uint32_t word;          /* PTB: the MTU; parameter problem: the pointer */
	uint8_t from[16];       /* the error's source */
	uint16_t quote;         /* bytes of the packet quoted; 0: all that fit */
	uint8_t hop_limit;
};

/* The error, to the sent packet's source, quoting the packet from its
 * IPv6 header (RFC 4443 2.4(c): as much as fits in 1280 bytes, or
 * `quote` bytes), checksum right. Returns its length, 0 if `sent` is
 * not a whole IPv6 packet. */
uint32_t fz_icmp6_error(uint8_t *f, const uint8_t *sent, uint32_t len,
			const struct fz_err6 *e);

#endif
