/* SPDX-License-Identifier: BSD-3-Clause */
/* Choosing a port's RSS and offloads from its capabilities (port_conf.h). */
#include <stdio.h>
#include <string.h>

#include "port_conf.h"

/* A symmetric Toeplitz key: one 16-bit word repeated, so swapping source
 * and destination (both 32-bit addresses, both 16-bit ports) leaves the
 * hash alone. 0x6d5a is the word the literature uses. */
static void symmetric_key(uint8_t *key, uint8_t len)
{
	for (uint8_t i = 0; i < len; i++)
		key[i] = i % 2 ? 0x5a : 0x6d;
}

static void choose_rss(const struct rte_eth_dev_info *di, uint16_t nq,
		       const struct sl_port_opts *o, struct rte_eth_conf *conf,
		       struct sl_port_choice *c)
{
	if (nq < 2)
		return; /* one queue: nothing to spread */
	c->rss_hf = SL_RSS_WANTED & di->flow_type_rss_offloads;
	if (c->rss_hf == 0) {
		c->no_rss = di->flow_type_rss_offloads
			? "it hashes none of IPv4/IPv6 with TCP/UDP ports"
			: "it offers no RSS";
		return;
	}
	conf->rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
	conf->rx_adv_conf.rss_conf.rss_hf = c->rss_hf;
	if (o->rss_symmetric && di->hash_key_size > 0 &&
	    di->hash_key_size <= SL_RSS_KEY_MAX) {
		c->key_len = di->hash_key_size;
		symmetric_key(c->key, c->key_len);
		conf->rx_adv_conf.rss_conf.rss_key = c->key;
		conf->rx_adv_conf.rss_conf.rss_key_len = c->key_len;
	}
}

void sl_port_conf_choose(const struct rte_eth_dev_info *di, uint16_t nq,
			 const struct sl_port_opts *o, struct rte_eth_conf *conf,
			 struct sl_port_choice *choice)
{
	memset(conf, 0, sizeof(*conf));
	memset(choice, 0, sizeof(*choice));
	choose_rss(di, nq, o, conf, choice);
	if (o->offloads) {
		choice->rx_offloads = SL_RX_CSUM_WANTED & di->rx_offload_capa;
		choice->tx_offloads = SL_TX_CSUM_WANTED & di->tx_offload_capa;
	}
	if (o->vlan) {
		choice->rx_offloads |= SL_VLAN_RX_WANTED & di->rx_offload_capa;
		choice->tx_offloads |= SL_VLAN_TX_WANTED & di->tx_offload_capa;
	}
	conf->rxmode.offloads = choice->rx_offloads;
	conf->txmode.offloads = choice->tx_offloads;
}

int sl_port_reta_spread(uint16_t ethdev, uint16_t reta_size, uint16_t nq)
{
	struct rte_eth_rss_reta_entry64 reta[RTE_ETH_RSS_RETA_SIZE_512 /
					     RTE_ETH_RETA_GROUP_SIZE];

	if (reta_size == 0 || reta_size > RTE_ETH_RSS_RETA_SIZE_512 || nq == 0)
		return 0; /* none to set, or more than we know: the driver's */
	memset(reta, 0, sizeof(reta));
	for (uint16_t i = 0; i < reta_size; i++) {
		struct rte_eth_rss_reta_entry64 *g = &reta[i / RTE_ETH_RETA_GROUP_SIZE];
		g->mask |= 1ull << (i % RTE_ETH_RETA_GROUP_SIZE);
		g->reta[i % RTE_ETH_RETA_GROUP_SIZE] = i % nq;
	}
	return rte_eth_dev_rss_reta_update(ethdev, reta, reta_size);
}

const char *sl_port_rss_names(uint64_t rss_hf, char *buf, size_t len)
{
	static const struct { uint64_t bit; const char *name; } names[] = {
		{RTE_ETH_RSS_IPV4, "ipv4"}, {RTE_ETH_RSS_NONFRAG_IPV4_TCP, "ipv4-tcp"},
		{RTE_ETH_RSS_NONFRAG_IPV4_UDP, "ipv4-udp"}, {RTE_ETH_RSS_IPV6, "ipv6"},
		{RTE_ETH_RSS_NONFRAG_IPV6_TCP, "ipv6-tcp"},
		{RTE_ETH_RSS_NONFRAG_IPV6_UDP, "ipv6-udp"},
	};
	size_t n = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]) && n < len; i++)
		if (rss_hf & names[i].bit)
			n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? " " : "",
					      names[i].name);
	return buf;
}

bool sl_port_link_differs(const struct sl_port_link *a,
			  const struct sl_port_link *b)
{
	return a->up != b->up ||
	       (b->up && (a->speed_mbps != b->speed_mbps ||
			  a->full_duplex != b->full_duplex));
}

const char *sl_port_link_str(const struct sl_port_link *l, char *buf, size_t len)
{
	if (!l->up)
		snprintf(buf, len, "down");
	else if (l->speed_mbps == 0)
		snprintf(buf, len, "up, speed unknown");
	else
		snprintf(buf, len, "up, %u Mbps %s", l->speed_mbps,
			 l->full_duplex ? "full-duplex" : "half-duplex");
	return buf;
}

int sl_port_vlan_clash(uint64_t devices, const uint16_t *vlan_id, unsigned n)
{
	for (unsigned p = 0; p < n; p++)
		if (vlan_id[p] < RTE_MAX_ETHPORTS && (devices >> vlan_id[p]) & 1)
			return (int)p;
	return -1;
}

int sl_port_rx_room(uint16_t mtu, const struct rte_eth_dev_info *di, uint32_t room,
		    char *errbuf, size_t len)
{
	/* Scattered RX (even where the device offers it) would not help:
	 * the parser reads one segment, so every chained frame would be
	 * dropped as ip_bad_length while the MSS clamp advertised the
	 * larger MTU, a black hole. */
	if (SL_PORT_FRAME(mtu) <= room)
		return 0;
	snprintf(errbuf, len, "mtu %u (%s's) needs %u-byte buffers; the mbufs hold %u and "
		 "Sluice reads a frame from one buffer: give the port \"mtu\": %u (buffers "
		 "are sized for the largest port mtu) or lower the device's MTU", mtu,
		 di->driver_name, SL_PORT_FRAME(mtu), room, mtu);
	return -1;
}
