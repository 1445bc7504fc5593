/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Bringing up a port from its devargs. Any DPDK ethdev works the same
 * way: a virtual device (net_af_packet0,iface=..., net_af_xdp0,..., 
 * net_virtio_user0,..., net_tap0, net_pcap0, net_ring0) is created with
 * rte_dev_probe(); a PCI address names an existing device. Each port gets
 * one RX and one TX queue per worker, RSS over them and RX and TX
 * checksum offload where the device offers them (port_conf.h).
 */
#ifndef SL_PORT_H
#define SL_PORT_H

#include <stddef.h>
#include <stdint.h>

#include <rte_mempool.h>

#include "port_conf.h"

struct sl_port_info {
	uint16_t ethdev;
	uint8_t mac[6];
	char driver[32];
	uint16_t rx_desc, tx_desc;
	uint16_t queues;                 /* RX and TX alike: one per worker */
	uint16_t mtu;                    /* as the device reported it at start */
	uint16_t reta_size;              /* 0: none, or left as the driver set it */
	struct sl_port_choice choice;    /* RSS and offloads given */
};

/* Probe (if needed), configure with `nqueues` RX/TX queues (RSS and
 * offloads as `opts` asks and the device offers; NULL: the defaults) and
 * start. Returns 0, or -1 with a message in errbuf. */
int sl_port_open(const char *devargs, uint16_t nqueues,
		 const struct sl_port_opts *opts, struct rte_mempool *pool,
		 struct sl_port_info *info, char *errbuf, size_t errlen);

/* port_check.c: before opening, that every queue the driver will feed is
 * one of the nqueues workers poll (af_packet qpairs, virtio-user queues,
 * af_xdp queue_count and the interface's own RX queues). 0, or -1 with a
 * message naming the fix. */
int sl_port_check_queues(const char *devargs, uint16_t nqueues, char *errbuf,
			 size_t errlen);

/* The link now, without waiting (rte_eth_link_get_nowait). 0, or a
 * negative errno. */
int sl_port_link_get(uint16_t ethdev, struct sl_port_link *out);

/* Stop and close; removes a virtual device it created. */
void sl_port_close(uint16_t ethdev);

/* Descriptors one port's queues hold, to size the mbuf pool. */
#define SL_PORT_RX_DESC 1024
#define SL_PORT_TX_DESC 1024

#endif
