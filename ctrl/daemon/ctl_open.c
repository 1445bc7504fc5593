/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Opening the config's ports at start, and the dataplane's tables for
 * them. Ports that share devargs are logical ports of one device, one
 * per 802.1Q VLAN (at most one untagged): the device is opened once,
 * through its first port, with what all of them need (the largest MTU,
 * VLAN strip and insert where offered); every port keeps its own
 * address, routes, neighbors, MTU, exception device and TX buffer. The
 * workers poll the device once and hand each frame to its VLAN's port
 * (dataplane/worker_vlan.c).
 */
#include <stdio.h>
#include <string.h>

#include <rte_ethdev.h>

#include "ctl.h"
#include "ctl_xdp.h"
#include "log.h"
#include "rx_csum.h"

uint32_t sl_ctl_port_device(const struct sl_model *m, uint32_t p)
{
	for (uint32_t q = 0; q < p; q++)
		if (strcmp(m->ports[q].devargs, m->ports[p].devargs) == 0)
			return q;
	return p;
}

/* What device d (a first port) is opened with: its ports' largest MTU,
 * the VLAN offloads if any of them is tagged. */
static struct sl_port_opts device_opts(const struct sl_model *m, uint32_t d)
{
	const struct sl_model_port *mp = &m->ports[d];
	struct sl_port_opts o = {.offloads = mp->offloads,
				 .rss_symmetric = mp->rss_symmetric, .mtu = mp->mtu};

	for (uint32_t p = d; p < m->nports; p++) {
		if (sl_ctl_port_device(m, p) != d)
			continue;
		if (m->ports[p].mtu > o.mtu)
			o.mtu = m->ports[p].mtu;
		o.vlan |= m->ports[p].vlan != 0;
	}
	return o;
}

/* "ipv4 tcp udp" for the checksum offloads taken, or `none`. */
static const char *csum_words(uint64_t taken, uint64_t ip, uint64_t tcp, uint64_t udp,
			      const char *none, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s", taken & ip ? "ipv4 " : "", taken & tcp ? "tcp " : "",
		 taken & udp ? "udp" : "");
	return buf[0] ? buf : none;
}

/* What a device was given, once, at start: queues, RSS, offloads. */
static void log_port_choice(const char *name, const struct sl_port_info *pi)
{
	const struct sl_port_choice *c = &pi->choice;
	char rss[96], rx[32], tx[32];

	if (c->no_rss)
		sl_warn("port %s: %u queues but no RSS (%s: %s): frames reach the "
			"queues as the driver spreads them, and the workers steer "
			"what is not theirs", name, pi->queues, pi->driver, c->no_rss);
	else if (c->rss_hf)
		sl_info("port %s: RSS over %u queues on %s%s%s", name, pi->queues,
			sl_port_rss_names(c->rss_hf, rss, sizeof(rss)),
			c->key_len ? ", symmetric key" : "",
			pi->reta_size ? ", redirection table spread evenly" : "");
	sl_info("port %s: RX checksum offload: %s", name,
		csum_words(c->rx_offloads, RTE_ETH_RX_OFFLOAD_IPV4_CKSUM,
			   RTE_ETH_RX_OFFLOAD_TCP_CKSUM, RTE_ETH_RX_OFFLOAD_UDP_CKSUM,
			   "none (checked in software)", rx, sizeof(rx)));
	sl_info("port %s: TX checksum offload: %s", name,
		csum_words(c->tx_offloads, RTE_ETH_TX_OFFLOAD_IPV4_CKSUM,
			   RTE_ETH_TX_OFFLOAD_TCP_CKSUM, RTE_ETH_TX_OFFLOAD_UDP_CKSUM,
			   "none (written in software)", tx, sizeof(tx)));
}

/* Open device d's ethdev (port d's devargs) and fill its entries. */
static int open_device(struct sl_ctl *ctl, uint32_t d, char *errbuf, size_t len)
{
	const struct sl_model_port *mp = &ctl->model.ports[d];
	struct sl_dataplane *dp = ctl->dp;
	struct sl_port_opts opts = device_opts(&ctl->model, d);
	char devargs[SL_DEVARGS_MAX + 64];
	uint16_t nq = (uint16_t)ctl->model.workers;

	if (sl_port_check_queues(mp->devargs, nq, errbuf, len) != 0 ||
	    sl_ctl_port_devargs(ctl, d, devargs, sizeof(devargs), errbuf, len) != 0 ||
	    sl_port_open(devargs, nq, &opts, dp->pool, &ctl->ports[d], errbuf, len) != 0)
		return -1;
	uint16_t ethdev = ctl->ports[d].ethdev;
	dp->port_of_ethdev[ethdev] = (uint8_t)d;
	dp->csum_trust[ethdev] = sl_rx_csum_trust(ctl->ports[d].choice.rx_offloads);
	sl_info("port %s: %s ethdev %u (%s) %02x:%02x:%02x:%02x:%02x:%02x", mp->name,
		mp->devargs, ethdev, ctl->ports[d].driver, ctl->ports[d].mac[0],
		ctl->ports[d].mac[1], ctl->ports[d].mac[2], ctl->ports[d].mac[3],
		ctl->ports[d].mac[4], ctl->ports[d].mac[5]);
	log_port_choice(mp->name, &ctl->ports[d]);
	return 0;
}

/* Port p's VLAN on its device d: received through d's poll and the VLAN
 * map, marked with an ethdev id of its own (the top of the range, which
 * no device may hold: vlan_ids_free() checks once all are open), sent
 * with its tag by the NIC or in software. */
static void wire_vlan(struct sl_ctl *ctl, uint32_t p, uint32_t d)
{
	const struct sl_model_port *mp = &ctl->model.ports[p];
	struct sl_dataplane *dp = ctl->dp;
	struct sl_vlan_map *map = &dp->vlan_map[d];
	uint16_t real = ctl->ports[d].ethdev;
	uint16_t id = p == d ? real : sl_port_vlan_ethdev(p);
	bool hw = ctl->ports[d].choice.tx_offloads & RTE_ETH_TX_OFFLOAD_VLAN_INSERT;

	dp->rx_mode[p] = p == d ? SL_RX_VLAN : SL_RX_SHARED;
	dp->rx_id[p] = id;
	dp->port_of_ethdev[id] = (uint8_t)p;
	dp->csum_trust[id] = dp->csum_trust[real];
	map->vid[map->n] = mp->vlan;
	map->port[map->n++] = (uint8_t)p;
	dp->vlan_tci[p] = mp->vlan;
	dp->tx_vlan[p] = mp->vlan == 0 ? SL_TX_VLAN_NONE : hw ? SL_TX_VLAN_HW : SL_TX_VLAN_SW;
	if (mp->vlan)
		sl_info("port %s: vlan %u on port %s's device (%s): tag stripped by %s, "
			"inserted by %s", mp->name, mp->vlan, ctl->model.ports[d].name,
			ctl->ports[d].driver,
			ctl->ports[d].choice.rx_offloads & RTE_ETH_RX_OFFLOAD_VLAN_STRIP
				? "the NIC" : "the worker",
			hw ? "the NIC" : "the worker");
}

static bool device_tagged(const struct sl_model *m, uint32_t d)
{
	for (uint32_t p = d; p < m->nports; p++)
		if (sl_ctl_port_device(m, p) == d && m->ports[p].vlan)
			return true;
	return false;
}

/* No device, whenever it was opened (before a VLAN port was wired, or
 * after: a later port, an exception device), holds an id a VLAN port
 * stands for: its frames would be taken for that port's. */
static int vlan_ids_free(const struct sl_ctl *ctl)
{
	const struct sl_dataplane *dp = ctl->dp;
	uint16_t vlan_id[SL_MAX_PORTS];
	uint64_t devices = 0;
	char name[RTE_ETH_NAME_MAX_LEN] = "?";

	for (uint16_t id = 0; id < RTE_MAX_ETHPORTS; id++)
		if (rte_eth_dev_is_valid_port(id))
			devices |= 1ull << id;
	for (uint32_t p = 0; p < dp->nports; p++)
		vlan_id[p] = dp->rx_mode[p] == SL_RX_SHARED ? dp->rx_id[p] : UINT16_MAX;
	int p = sl_port_vlan_clash(devices, vlan_id, dp->nports);
	if (p < 0)
		return 0;
	rte_eth_dev_get_name_by_port(vlan_id[p], name);
	sl_err("ports[%d].vlan: port %s stands for ethdev %u, which device %s holds "
	       "(%u ethdevs open of %d): open fewer devices (allow only the NICs "
	       "Sluice drives, EAL -a) or give this VLAN an earlier place in \"ports\"",
	       p, ctl->model.ports[p].name, vlan_id[p], name,
	       (unsigned)__builtin_popcountll(devices), RTE_MAX_ETHPORTS);
	return -1;
}

int sl_ctl_open_ports(struct sl_ctl *ctl)
{
	struct sl_dataplane *dp = ctl->dp;
	char errbuf[256];

	memset(dp->port_of_ethdev, 0xff, sizeof(dp->port_of_ethdev));
	for (uint32_t p = 0; p < ctl->model.nports; p++) {
		const struct sl_model_port *mp = &ctl->model.ports[p];
		uint32_t d = sl_ctl_port_device(&ctl->model, p);
		if (d == p && open_device(ctl, p, errbuf, sizeof(errbuf)) != 0) {
			sl_err("port %s (%s): %s", mp->name, mp->devargs, errbuf);
			return -1;
		}
		ctl->ports[p] = ctl->ports[d];
		dp->ethdev[p] = ctl->ports[d].ethdev;
		dp->tx_csum[p] = sl_tx_csum_layers(ctl->ports[d].choice.tx_offloads);
		/* Without `mtu` the device keeps its own (af_packet's is the
		 * kernel interface's, never rewritten): the one it reported. */
		sl_dataplane_set_mtu(dp, p, mp->mtu ? mp->mtu : ctl->ports[d].mtu);
		if (device_tagged(&ctl->model, d))
			wire_vlan(ctl, p, d);
		dp->nports = p + 1;
		/* Its XDP program's maps, its kernel exception device. */
		if (sl_ctl_port_extras(ctl, p, errbuf, sizeof(errbuf)) != 0) {
			sl_err("port %s: %s", mp->name, errbuf);
			return -1;
		}
	}
	return vlan_ids_free(ctl);
}
