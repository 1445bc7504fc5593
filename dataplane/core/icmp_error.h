/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ICMP errors about translated packets (RFC 5508 section 4; RFC 792).
 *
 * An error quotes the IP header and at least 8 bytes of the packet that
 * caused it, as that packet looked when the error was raised: on one
 * side of Sluice that is the translated form. To be of use on the other
 * side (path MTU discovery, "connection refused") the quote must be
 * translated back, the outer header pointed at the right host, and all
 * checksums fixed. The quote also names the connection, so an error is
 * matched to its connection by the quote, and never creates, refreshes or
 * removes anything.
 */
#ifndef SL_ICMP_ERROR_H
#define SL_ICMP_ERROR_H

#include "pkt.h"

/* The quoted packet. Pointers point into the frame. */
struct sl_icmp_inner {
	struct sl_ipv4_hdr *ip;
	uint8_t *l4;
	uint16_t l4_avail;       /* quoted L4 bytes (at least 8) */
	uint8_t proto;
	struct sl_v4key key;     /* as quoted; ICMP echo: id in both ports */
};

/* Destination unreachable, time exceeded and parameter problem are the
 * errors worth carrying across; others are dropped. */
static inline bool sl_icmp_is_error(uint8_t type)
{
	return type == SL_ICMP_DEST_UNREACH || type == SL_ICMP_TIME_EXCEEDED ||
	       type == 12;
}

/* Validate an ICMP error (outer ICMP checksum, the quoted IP header and
 * its checksum, a TCP/UDP/ICMP-echo quote of at least 8 bytes) and find
 * the quoted tuple. Returns SL_DROP_NONE or the reason to drop it. */
enum sl_drop sl_icmp_error_parse(const struct sl_pkt *pkt,
				 struct sl_icmp_inner *in);

/* Rewrite the error in place: the quote gets the tuple `quote`, the
 * outer header the addresses `src` -> `dst` and one hop less of TTL
 * (the caller has checked it is > 1); every checksum is fixed. */
void sl_icmp_error_translate(struct sl_pkt *pkt, struct sl_icmp_inner *in,
			     const struct sl_v4key *quote, sl_be32 src,
			     sl_be32 dst);

#endif
