/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Test and benchmark ports: a net_ring ethdev per port, one RX and one TX
 * ring per queue, so a harness can put frames in front of a worker and
 * take what it transmits, through the real ethdev API.
 */
#ifndef SL_TEST_RINGPORT_H
#define SL_TEST_RINGPORT_H

#include <rte_mempool.h>
#include <rte_ring.h>

struct ringport {
	uint16_t ethdev;
	uint8_t mac[6];
	struct rte_ring *rx[16], *tx[16];
};

/* Create port `name` with `nq` queue pairs, configured and started; each
 * TX ring takes exactly `tx_desc` frames (a power of two) before the port
 * refuses more, as a NIC's TX descriptors do. Returns 0 or -1. */
int ringport_open(struct ringport *p, const char *name, unsigned nq,
		  struct rte_mempool *pool, unsigned tx_desc);

/* TX room for harnesses that drain their rings only now and then. */
#define RINGPORT_TX_ROOMY 4096

#endif
