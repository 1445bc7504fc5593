/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Which checksums a received packet needs checked in software, from the
 * NIC's verdicts (mbuf ol_flags) and what the port was given.
 *
 * A verdict is read only on a port that was given that layer's RX
 * checksum offload (`trust`, set at start from the offloads taken): on
 * any other port the flags mean nothing Sluice asked for, and are left
 * alone (UNKNOWN: the config decides). Where read, GOOD skips the check,
 * and BAD forces it even when the config turned it off (verify_l4
 * false), so the parser drops the packet under its usual reason
 * (ip_bad_checksum, l4_bad_checksum): a packet the NIC found damaged
 * never passes unchecked. UNKNOWN and NONE leave the config's choice.
 */
#ifndef SL_RX_CSUM_H
#define SL_RX_CSUM_H

#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "pkt.h"

/* The layers whose verdicts port with `rx_offloads` may be read for:
 * SL_PARSE_VERIFY_IP_CSUM for the IPv4 header, SL_PARSE_VERIFY_L4_CSUM
 * when both TCP and UDP are offloaded (one L4 flag covers either). */
static inline uint8_t sl_rx_csum_trust(uint64_t rx_offloads)
{
	uint64_t l4 = RTE_ETH_RX_OFFLOAD_TCP_CKSUM | RTE_ETH_RX_OFFLOAD_UDP_CKSUM;

	return (uint8_t)((rx_offloads & RTE_ETH_RX_OFFLOAD_IPV4_CKSUM
				  ? SL_PARSE_VERIFY_IP_CSUM : 0) |
			 ((rx_offloads & l4) == l4 ? SL_PARSE_VERIFY_L4_CSUM : 0));
}

/* One layer: GOOD clears `bit` from v, BAD sets it, others leave it. */
static inline unsigned sl_rx_csum_layer(unsigned v, unsigned bit, uint64_t verdict,
					uint64_t good, uint64_t bad)
{
	if (verdict == bad)
		return v | bit;
	if (verdict == good)
		return v & ~bit;
	return v;
}

/* The SL_PARSE_VERIFY_* checks to run: `base` (the config's), adjusted
 * by the verdicts in ol_flags on the layers in `trust`. */
static inline unsigned sl_rx_csum_verify(unsigned base, uint8_t trust, uint64_t ol_flags)
{
	unsigned v = base;

	if (trust & SL_PARSE_VERIFY_IP_CSUM)
		v = sl_rx_csum_layer(v, SL_PARSE_VERIFY_IP_CSUM,
				     ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK,
				     RTE_MBUF_F_RX_IP_CKSUM_GOOD, RTE_MBUF_F_RX_IP_CKSUM_BAD);
	if (trust & SL_PARSE_VERIFY_L4_CSUM)
		v = sl_rx_csum_layer(v, SL_PARSE_VERIFY_L4_CSUM,
				     ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK,
				     RTE_MBUF_F_RX_L4_CKSUM_GOOD, RTE_MBUF_F_RX_L4_CKSUM_BAD);
	return v;
}

#endif
