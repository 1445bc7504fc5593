/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What Sluice asks of a device, chosen from what the device says it can
 * do (rte_eth_dev_info), with no device needed: the unit test feeds it
 * the capabilities of real NICs.
 *
 *  - RSS whenever there is more than one queue and the device hashes any
 *    of IPv4/IPv6 with TCP/UDP ports (only the functions it offers);
 *    optionally with a symmetric key, so both directions of a flow hash
 *    alike (the key repeats one 16-bit word: Toeplitz then ignores the
 *    order of source and destination).
 *  - RX checksum offload (IPv4 header, TCP, UDP) where offered: the
 *    worker trusts GOOD flags, re-checks only UNKNOWN and counts BAD
 *    (dataplane/rx_csum.h: only on ports given it, and BAD
 *    forces the software check even with verify_l4 off).
 *  - TX checksum offload (IPv4 header, TCP, UDP) where offered: the
 *    worker leaves those checksums to the NIC (dataplane/tx_csum.h).
 *  - `offloads` off asks for no checksum offload.
 *  - A device carrying VLANs gets RX VLAN strip and TX VLAN insert where
 *    offered (dataplane/worker_vlan.c and sl_worker_tx do it otherwise).
 */
#ifndef SL_PORT_CONF_H
#define SL_PORT_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_ethdev.h>

#define SL_RSS_KEY_MAX 64

/* The RSS hash functions Sluice wants: addresses and ports. */
#define SL_RSS_WANTED (RTE_ETH_RSS_IPV4 | RTE_ETH_RSS_NONFRAG_IPV4_TCP |       \
		       RTE_ETH_RSS_NONFRAG_IPV4_UDP | RTE_ETH_RSS_IPV6 |         \
		       RTE_ETH_RSS_NONFRAG_IPV6_TCP | RTE_ETH_RSS_NONFRAG_IPV6_UDP)
#define SL_TX_CSUM_WANTED (RTE_ETH_TX_OFFLOAD_IPV4_CKSUM |                     \
			   RTE_ETH_TX_OFFLOAD_TCP_CKSUM | RTE_ETH_TX_OFFLOAD_UDP_CKSUM)
#define SL_VLAN_RX_WANTED RTE_ETH_RX_OFFLOAD_VLAN_STRIP
#define SL_VLAN_TX_WANTED RTE_ETH_TX_OFFLOAD_VLAN_INSERT
#define SL_RX_CSUM_WANTED (RTE_ETH_RX_OFFLOAD_IPV4_CKSUM |                     \
			   RTE_ETH_RX_OFFLOAD_TCP_CKSUM | RTE_ETH_RX_OFFLOAD_UDP_CKSUM)

/* The config's wishes for one port. */
struct sl_port_opts {
	bool offloads;          /* checksum offloads where offered (default) */
	bool rss_symmetric;     /* one hash for both directions of a flow */
	uint16_t mtu;           /* set on the device; 0: leave the driver's */
	bool vlan;              /* 802.1Q strip and insert where offered */
};

/* What the port was given. */
struct sl_port_choice {
	uint64_t rss_hf;        /* 0: no RSS */
	uint64_t rx_offloads;
	uint64_t tx_offloads;   /* 0: checksums written in software */
	uint8_t key_len;        /* 0: the driver's default key */
	_Alignas(8) uint8_t key[SL_RSS_KEY_MAX]; /* word reads: rte_softrss */
	const char *no_rss;     /* why not, when nq > 1 and rss_hf == 0 */
};

/* A port's link as the driver reports it. */
struct sl_port_link {
	bool up;
	bool full_duplex;
	bool autoneg;
	uint32_t speed_mbps;    /* 0: unknown (RTE_ETH_SPEED_NUM_UNKNOWN too) */
};

/* Whether two readings differ in anything worth a log line. */
bool sl_port_link_differs(const struct sl_port_link *a,
			  const struct sl_port_link *b);
/* "up, 10000 Mbps full-duplex" / "down", into buf. */
const char *sl_port_link_str(const struct sl_port_link *l, char *buf, size_t len);

/* Fill `conf` (zeroed first) and `choice` for nq queues. */
void sl_port_conf_choose(const struct rte_eth_dev_info *di, uint16_t nq,
			 const struct sl_port_opts *o, struct rte_eth_conf *conf,
			 struct sl_port_choice *choice);
/* Spread the redirection table evenly over nq queues: entry i -> i % nq.
 * 0, or a negative errno from the driver. */
int sl_port_reta_spread(uint16_t ethdev, uint16_t reta_size, uint16_t nq);
/* VLAN ports after their device's first are marked with an ethdev id of
 * their own (dataplane/worker.h rx_id), from the top of the range, which
 * DPDK hands out last. */
static inline uint16_t sl_port_vlan_ethdev(uint32_t port)
{
	return (uint16_t)(RTE_MAX_ETHPORTS - 1 - port);
}
/* The first of the n ports whose VLAN id (`vlan_id[p]`, UINT16_MAX for a
 * port with none) a device holds, `devices` having bit i set for each
 * ethdev i open; -1 when none. Asked once every device is open (ports,
 * exception devices, whatever the EAL probed), so a device that took a
 * VLAN port's id after the port was wired is found as surely as one that
 * held it before. */
int sl_port_vlan_clash(uint64_t devices, const uint16_t *vlan_id, unsigned n);
_Static_assert(RTE_MAX_ETHPORTS <= 64, "sl_port_vlan_clash: one bit per ethdev");

/* The longest frame a port of MTU `mtu` receives: with a VLAN tag and
 * the CRC. */
#define SL_PORT_FRAME(mtu) ((uint32_t)(mtu) + RTE_ETHER_HDR_LEN + RTE_VLAN_HLEN + \
			    RTE_ETHER_CRC_LEN)
/* Whether frames of MTU `mtu` fit one mbuf's data room (`room` bytes
 * after the headroom): 0 they do; -1 refused, errbuf saying why and the
 * fix. Scattered RX is never asked for, even where offered: the parser
 * reads one segment. `mtu` is the config's, or the device's own without
 * one. */
int sl_port_rx_room(uint16_t mtu, const struct rte_eth_dev_info *di, uint32_t room,
		    char *errbuf, size_t len);

/* "ipv4 ipv4-tcp ..." for an rss_hf, into buf. */
const char *sl_port_rss_names(uint64_t rss_hf, char *buf, size_t len);

#endif
