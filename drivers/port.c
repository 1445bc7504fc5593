/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_bus.h>
#include <rte_dev.h>
#include <rte_errno.h>
#include <rte_ethdev.h>

#include "port.h"

/* The device name is the devargs up to the first comma. */
static void device_name(const char *devargs, char *name, size_t len)
{
	size_t n = strcspn(devargs, ",");
	if (n >= len)
		n = len - 1;
	memcpy(name, devargs, n);
	name[n] = '\0';
}

static int find_or_probe(const char *devargs, uint16_t *ethdev, char *errbuf,
			 size_t errlen)
{
	char name[RTE_ETH_NAME_MAX_LEN];

	device_name(devargs, name, sizeof(name));
	if (rte_eth_dev_get_port_by_name(name, ethdev) == 0)
		return 0;
	int rc = rte_dev_probe(devargs);
	if (rc < 0) {
		snprintf(errbuf, errlen, "cannot create device '%s': %s", devargs,
			 rte_strerror(-rc));
		return -1;
	}
	if (rte_eth_dev_get_port_by_name(name, ethdev) != 0) {
		snprintf(errbuf, errlen,
			 "device '%s' probed but no ethdev named '%s' appeared",
			 devargs, name);
		return -1;
	}
	return 0;
}

static int setup_queues(uint16_t pid, uint16_t nq, struct rte_mempool *pool,
			struct sl_port_info *info, char *errbuf, size_t errlen)
{
	int socket = rte_eth_dev_socket_id(pid);
	int rc = 0;

	for (uint16_t q = 0; q < nq && rc == 0; q++) {
		rc = rte_eth_rx_queue_setup(pid, q, info->rx_desc,
					    socket < 0 ? 0 : (unsigned)socket, NULL, pool);
		if (rc == 0)
			rc = rte_eth_tx_queue_setup(pid, q, info->tx_desc,
						    socket < 0 ? 0 : (unsigned)socket, NULL);
		if (rc < 0)
			snprintf(errbuf, errlen, "queue %u setup: %s", q,
				 rte_strerror(-rc));
	}
	return rc < 0 ? -1 : 0;
}

/* Whether the device takes the MTU the config asks for, checked before
 * configure as ethdev checks it (min/max MTU, the frame against
 * max_rx_pktlen with the driver's overhead), so a refusal names the
 * numbers. */
static int check_mtu(uint16_t mtu, const struct rte_eth_dev_info *di, char *errbuf,
		     size_t errlen)
{
	uint32_t overhead = di->max_mtu != UINT16_MAX && di->max_rx_pktlen > di->max_mtu
				    ? di->max_rx_pktlen - di->max_mtu
				    : RTE_ETHER_HDR_LEN + RTE_ETHER_CRC_LEN;

	if (mtu < di->min_mtu || mtu > di->max_mtu || mtu + overhead > di->max_rx_pktlen) {
		snprintf(errbuf, errlen, "mtu %u refused: %s takes %u..%u, frames up to %u bytes",
			 mtu, di->driver_name, di->min_mtu,
			 di->max_mtu < di->max_rx_pktlen - overhead ? di->max_mtu
								    : di->max_rx_pktlen - overhead,
			 di->max_rx_pktlen);
		return -1;
	}
	return 0;
}

/* The mbufs hold a whole frame of the MTU the port will have (the
 * config's, or the device's own): 0, or -1 with errbuf. */
static int check_room(uint16_t pid, uint16_t mtu, const struct rte_eth_dev_info *di,
		      struct rte_mempool *pool, char *errbuf, size_t errlen)
{
	uint32_t room = rte_pktmbuf_data_room_size(pool) - RTE_PKTMBUF_HEADROOM;

	if (mtu == 0 && rte_eth_dev_get_mtu(pid, &mtu) != 0)
		return 0; /* the driver cannot say: nothing to check */
	return sl_port_rx_room(mtu, di, room, errbuf, errlen);
}

/* After configure (which took rxmode.mtu) the driver's own operation,
 * which some need to act (af_packet sets the kernel interface's MTU). A
 * driver with none (net_ring, net_pcap) keeps what configure took. */
static int set_mtu(uint16_t pid, uint16_t mtu, const char *driver, char *errbuf,
		   size_t errlen)
{
	int rc = rte_eth_dev_set_mtu(pid, mtu);

	if (rc != 0 && rc != -ENOTSUP) {
		snprintf(errbuf, errlen, "mtu %u refused by %s: %s", mtu, driver,
			 rte_strerror(-rc));
		return -1;
	}
	return 0;
}

/* After start: the redirection table spread evenly over the queues. A
 * driver that refuses keeps its own (most spread evenly already). */
static void spread_reta(struct sl_port_info *info, const struct rte_eth_dev_info *di)
{
	if (info->choice.rss_hf == 0 ||
	    sl_port_reta_spread(info->ethdev, di->reta_size, info->queues) != 0)
		return;
	info->reta_size = di->reta_size;
}

int sl_port_open(const char *devargs, uint16_t nqueues,
		 const struct sl_port_opts *opts, struct rte_mempool *pool,
		 struct sl_port_info *info, char *errbuf, size_t errlen)
{
	static const struct sl_port_opts defaults = {.offloads = true};
	struct rte_eth_dev_info dev_info;
	struct rte_eth_conf conf;
	struct rte_ether_addr mac;
	uint16_t pid;
	int rc;

	memset(info, 0, sizeof(*info));
	if (find_or_probe(devargs, &pid, errbuf, errlen) != 0)
		return -1;
	info->ethdev = pid;
	rc = rte_eth_dev_info_get(pid, &dev_info);
	if (rc != 0) {
		snprintf(errbuf, errlen, "device info: %s", rte_strerror(-rc));
		return -1;
	}
	snprintf(info->driver, sizeof(info->driver), "%s", dev_info.driver_name);
	if (nqueues > dev_info.max_rx_queues || nqueues > dev_info.max_tx_queues) {
		snprintf(errbuf, errlen,
			 "%s supports %u RX / %u TX queues; one per worker needs %u "
			 "(for net_af_packet set qpairs=%u)",
			 dev_info.driver_name, dev_info.max_rx_queues,
			 dev_info.max_tx_queues, nqueues, nqueues);
		return -1;
	}
	info->queues = nqueues;
	if (opts == NULL)
		opts = &defaults;
	if (opts->mtu && check_mtu(opts->mtu, &dev_info, errbuf, errlen) != 0)
		return -1;
	if (check_room(pid, opts->mtu, &dev_info, pool, errbuf, errlen) < 0)
		return -1;
	sl_port_conf_choose(&dev_info, nqueues, opts, &conf, &info->choice);
	conf.rxmode.mtu = opts->mtu;
	rc = rte_eth_dev_configure(pid, nqueues, nqueues, &conf);
	if (rc != 0) {
		snprintf(errbuf, errlen, "configure: %s", rte_strerror(-rc));
		return -1;
	}
	if (opts->mtu && set_mtu(pid, opts->mtu, info->driver, errbuf, errlen) != 0)
		return -1;
	info->rx_desc = SL_PORT_RX_DESC;
	info->tx_desc = SL_PORT_TX_DESC;
	rte_eth_dev_adjust_nb_rx_tx_desc(pid, &info->rx_desc, &info->tx_desc);
	if (setup_queues(pid, nqueues, pool, info, errbuf, errlen) != 0)
		return -1;
	rc = rte_eth_dev_start(pid);
	if (rc != 0) {
		snprintf(errbuf, errlen, "start: %s", rte_strerror(-rc));
		return -1;
	}
	spread_reta(info, &dev_info);
	if (rte_eth_macaddr_get(pid, &mac) == 0)
		memcpy(info->mac, mac.addr_bytes, 6);
	if (rte_eth_dev_get_mtu(pid, &info->mtu) != 0)
		info->mtu = 0;
	return 0;
}

int sl_port_link_get(uint16_t ethdev, struct sl_port_link *out)
{
	struct rte_eth_link link;
	int rc = rte_eth_link_get_nowait(ethdev, &link);

	if (rc != 0)
		return rc;
	out->up = link.link_status == RTE_ETH_LINK_UP;
	out->full_duplex = link.link_duplex == RTE_ETH_LINK_FULL_DUPLEX;
	out->autoneg = link.link_autoneg == RTE_ETH_LINK_AUTONEG;
	out->speed_mbps = link.link_speed == RTE_ETH_SPEED_NUM_UNKNOWN
				  ? 0 : link.link_speed;
	return 0;
}

void sl_port_close(uint16_t ethdev)
{
	struct rte_eth_dev_info dev_info;

	rte_eth_dev_stop(ethdev);
	if (rte_eth_dev_info_get(ethdev, &dev_info) == 0 && dev_info.device) {
		rte_eth_dev_close(ethdev);
		rte_dev_remove(dev_info.device);
		return;
	}
	rte_eth_dev_close(ethdev);
}
