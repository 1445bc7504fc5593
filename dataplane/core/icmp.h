/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ICMP that Sluice itself originates: echo replies for its own addresses
 * (VIPs, local addresses, port addresses) and errors (time exceeded) about
 * packets it cannot forward. Both are built in the received buffer, so
 * answering costs no allocation.
 */
#ifndef SL_ICMP_H
#define SL_ICMP_H

#include "pkt.h"

/* Turn a parsed echo request into its reply in place: addresses swapped,
 * type 0, fresh TTL, checksums fixed. Ethernet is left to the caller. */
void sl_icmp_echo_to_reply(struct sl_pkt *pkt);

/* Bytes an ICMP error puts in front of the quoted IP header. */
#define SL_ICMP_ERR_HDRS (SL_IPV4_HLEN + 8)
/* How much of the offending packet an error quotes: its IP header and
 * the first 8 bytes of payload (RFC 792), which hold the ports. */
#define SL_ICMP_ERR_QUOTE 8

#define SL_ICMP_FRAG_NEEDED 4     /* code of SL_ICMP_DEST_UNREACH (RFC 792) */

/* Write an ICMP error's IP and ICMP headers at `l3`; the quoted packet
 * must already sit at l3 + SL_ICMP_ERR_HDRS, `quote_len` bytes long.
 * `mtu` is the next-hop MTU of a "fragmentation needed" (RFC 1191: the
 * low 16 bits of the word after the checksum), 0 for other errors.
 * Returns the new IP total length. */
uint16_t sl_icmp_error_build(uint8_t *l3, sl_be32 src, sl_be32 dst,
			     uint8_t type, uint8_t code, uint16_t quote_len,
			     uint16_t mtu);

#endif
