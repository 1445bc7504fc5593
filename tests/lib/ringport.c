/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>
#include <string.h>

#include <rte_eth_ring.h>
#include <rte_ethdev.h>

#include "ringport.h"

/* A ring port still goes through configure / queue setup / start like
 * any ethdev; its queues are the rings it was made from. */
static int start(uint16_t pid, unsigned nq, struct rte_mempool *pool)
{
	struct rte_eth_conf conf;

	memset(&conf, 0, sizeof(conf));
	if (rte_eth_dev_configure(pid, (uint16_t)nq, (uint16_t)nq, &conf) != 0)
		return -1;
	for (uint16_t q = 0; q < nq; q++)
		if (rte_eth_rx_queue_setup(pid, q, 1024, 0, NULL, pool) != 0 ||
		    rte_eth_tx_queue_setup(pid, q, 1024, 0, NULL) != 0)
			return -1;
	return rte_eth_dev_start(pid);
}

int ringport_open(struct ringport *p, const char *name, unsigned nq,
		  struct rte_mempool *pool, unsigned tx_desc)
{
	char rname[RTE_RING_NAMESIZE];

	memset(p, 0, sizeof(*p));
	if (nq == 0 || nq > 16)
		return -1;
	for (unsigned q = 0; q < nq; q++) {
		snprintf(rname, sizeof(rname), "%s_rx%u", name, q);
		p->rx[q] = rte_ring_create(rname, 4096, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
		snprintf(rname, sizeof(rname), "%s_tx%u", name, q);
		p->tx[q] = rte_ring_create(rname, tx_desc, 0, RING_F_SP_ENQ |
					   RING_F_SC_DEQ | RING_F_EXACT_SZ);
		if (!p->rx[q] || !p->tx[q])
			return -1;
	}
	int pid = rte_eth_from_rings(name, p->rx, nq, p->tx, nq, 0);
	if (pid < 0 || start((uint16_t)pid, nq, pool) != 0)
		return -1;
	p->ethdev = (uint16_t)pid;
	struct rte_ether_addr mac;
	rte_eth_macaddr_get(p->ethdev, &mac);
	memcpy(p->mac, mac.addr_bytes, 6);
	return 0;
}
