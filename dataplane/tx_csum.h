/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TX checksum offload: on a port given it, a finished IPv4 TCP or UDP
 * frame leaves its checksums to the NIC, set up as DPDK requires
 * (rte_mbuf_core.h, RTE_MBUF_F_TX_*_CKSUM): RTE_MBUF_F_TX_IPV4, l2_len
 * and l3_len; for the IPv4 header RTE_MBUF_F_TX_IP_CKSUM with the
 * header's checksum zeroed; for TCP/UDP RTE_MBUF_F_TX_{TCP,UDP}_CKSUM
 * with the pseudo-header checksum (rte_ipv4_phdr_cksum, not inverted) in
 * the L4 checksum field, which the NIC completes over the segment.
 *
 * A layer the port was not given keeps the checksum the dataplane wrote
 * (virtio offers TCP/UDP but never the IPv4 header). A UDP datagram sent
 * without a checksum (0) keeps none. Anything else (ARP, ICMP,
 * fragments, a frame too short to hold its L4 header) goes as it is.
 *
 * The rewrite still updates checksums incrementally before this (RFC
 * 1624, two additions per field), so what a port without the offload
 * sends is complete; here only the final value is left to the NIC.
 */
#ifndef SL_TX_CSUM_H
#define SL_TX_CSUM_H

#include <stddef.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "wire.h"

/* What a port's TX checksum offload covers. */
#define SL_TX_CSUM_IP 0x1
#define SL_TX_CSUM_TCP 0x2
#define SL_TX_CSUM_UDP 0x4

static inline uint8_t sl_tx_csum_layers(uint64_t tx_offloads)
{
	return (uint8_t)((tx_offloads & RTE_ETH_TX_OFFLOAD_IPV4_CKSUM ? SL_TX_CSUM_IP : 0) |
			 (tx_offloads & RTE_ETH_TX_OFFLOAD_TCP_CKSUM ? SL_TX_CSUM_TCP : 0) |
			 (tx_offloads & RTE_ETH_TX_OFFLOAD_UDP_CKSUM ? SL_TX_CSUM_UDP : 0));
}

/* Where the L4 checksum of m's frame is, when `layers` leave it to the
 * NIC (its flag in *flag); NULL when they do not. */
static inline uint8_t *sl_tx_csum_l4_field(struct rte_mbuf *m, struct rte_ipv4_hdr *ip,
					   unsigned ihl, uint8_t layers, uint64_t *flag)
{
	uint8_t *l4 = (uint8_t *)ip + ihl;
	uint32_t room = rte_pktmbuf_data_len(m) - SL_ETH_HLEN - ihl;
	uint16_t udp_csum;

	if (ip->next_proto_id == IPPROTO_TCP && (layers & SL_TX_CSUM_TCP) &&
	    room >= sizeof(struct rte_tcp_hdr)) {
		*flag = RTE_MBUF_F_TX_TCP_CKSUM;
		return l4 + offsetof(struct rte_tcp_hdr, cksum);
	}
	if (ip->next_proto_id != IPPROTO_UDP || !(layers & SL_TX_CSUM_UDP) ||
	    room < sizeof(struct rte_udp_hdr))
		return NULL;
	memcpy(&udp_csum, l4 + offsetof(struct rte_udp_hdr, dgram_cksum), 2);
	if (udp_csum == 0)
		return NULL; /* sent without a checksum: keep it so */
	*flag = RTE_MBUF_F_TX_UDP_CKSUM;
	return l4 + offsetof(struct rte_udp_hdr, dgram_cksum);
}

/* Set m up for the NIC to write the checksums `layers` (SL_TX_CSUM_*)
 * cover. */
static inline void sl_tx_csum_offload(struct rte_mbuf *m, uint8_t layers)
{
	const struct sl_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct sl_ether_hdr *);
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *,
							  SL_ETH_HLEN);
	uint64_t l4_flag = 0;

	if (rte_pktmbuf_data_len(m) < SL_ETH_HLEN + SL_IPV4_HLEN ||
	    eth->type != sl_htons(SL_ETHERTYPE_IPV4))
		return;
	unsigned ihl = (ip->version_ihl & 0xf) * 4u;
	if (ihl < SL_IPV4_HLEN || rte_pktmbuf_data_len(m) < SL_ETH_HLEN + ihl ||
	    (ip->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_MF_FLAG |
						    RTE_IPV4_HDR_OFFSET_MASK)))
		return;
	uint8_t *l4 = sl_tx_csum_l4_field(m, ip, ihl, layers, &l4_flag);
	if (l4 == NULL && !(layers & SL_TX_CSUM_IP))
		return;
	m->l2_len = SL_ETH_HLEN;
	m->l3_len = ihl;
	m->ol_flags |= RTE_MBUF_F_TX_IPV4 | l4_flag;
	if (layers & SL_TX_CSUM_IP) {
		m->ol_flags |= RTE_MBUF_F_TX_IP_CKSUM;
		ip->hdr_checksum = 0;
	}
	if (l4 != NULL) {
		uint16_t phdr = rte_ipv4_phdr_cksum(ip, m->ol_flags);
		memcpy(l4, &phdr, 2);
	}
}

#endif
