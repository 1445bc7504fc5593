/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Frames for the packet fuzzer. Random bytes almost never make a packet
 * that reaches a connection (addresses, ports and two checksums must all
 * be right), so besides raw frames the fuzzer describes packets by a few
 * choices (which address, which port, which flags) and lets these
 * builders write them with correct checksums; it can also answer a frame
 * Sluice sent, which is the only way to learn a local port Sluice chose.
 */
#ifndef SL_FUZZ_FRAMES_H
#define SL_FUZZ_FRAMES_H

#include "pkt.h"

#define FZ_FRAME_MAX 1600

/* A packet to build. Addresses and ports in network order. */
struct fz_spec {
	uint8_t proto;          /* any IP protocol; TCP, UDP, ICMP get headers */
	sl_be32 src, dst;
	sl_be16 sport, dport;   /* ICMP echo: sport is the identifier */
	uint8_t tcp_flags;
	uint8_t ttl;
	uint32_t seq, ack;
	uint16_t payload;       /* bytes after the L4 header */
	uint8_t icmp_type, icmp_code;
	uint8_t dst_mac[6];
};

/* The bytes every built payload carries (byte i is i * 13 + 1): made
 * once, copied per frame. FZ_FRAME_MAX of them. */
const uint8_t *fz_payload_pattern(void);

/* An L4 header's fields; ICMP (v4 or v6) takes the ports as its four
 * bytes after the checksum (an echo's identifier and sequence). */
struct fz_l4 {
	sl_be16 sport, dport;
	uint32_t seq, ack;
	uint8_t tcp_flags, icmp_type, icmp_code;
};
enum { FZ_L4_TCP, FZ_L4_UDP, FZ_L4_ICMP, FZ_L4_NONE };

/* Write a TCP (20 bytes), UDP (8, length l4len) or ICMP (8) header,
 * checksum 0; nothing for FZ_L4_NONE. */
void fz_put_l4(uint8_t *l4, unsigned shape, const struct fz_l4 *h, unsigned l4len);

/* Write the frame; returns its length. */
uint32_t fz_build(uint8_t *f, const struct fz_spec *s);

/* Recompute the IP header checksum and, where the headers are intact
 * enough to say what they cover, the TCP/UDP/ICMP checksum. */
void fz_fix_csums(uint8_t *f, uint32_t len);

/* The reply to `sent` (a frame Sluice transmitted): addresses, ports and
 * MACs swapped, TCP flags `flags`, acknowledging what it carried, its
 * own sequence number `seq_delta` past what `sent` acknowledged, with
 * `payload` bytes (TCP). Returns the new frame's length, 0 if `sent` is
 * not TCP, UDP or an ICMP echo. */
uint32_t fz_reply(uint8_t *f, const uint8_t *sent, uint32_t len, uint8_t flags,
		  uint32_t seq_delta, uint16_t payload);

/* An ICMP error (type, code) from `from` about `sent`, as a router or
 * host on the far side would send it back. Returns its length. */
uint32_t fz_icmp_error(uint8_t *f, const uint8_t *sent, uint32_t len,
		       uint8_t type, uint8_t code, sl_be32 from);

/* An ARP request or reply. */
uint32_t fz_arp(uint8_t *f, uint16_t op, const uint8_t sha[6], sl_be32 spa,
		sl_be32 tpa);

#endif
