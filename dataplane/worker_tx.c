/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TX buffers: sl_worker_tx() (worker.h) queues a finished frame per port;
 * a full buffer, and every buffer at the end of a loop iteration, goes to
 * the NIC in one burst, copied first while a capture is on (calls only
 * worker_capture.c).
 */
#include <rte_ethdev.h>

#include "worker.h"

void sl_worker_tx_flush_port(struct sl_worker *w, unsigned port)
{
	struct sl_tx_buf *b = &w->tx[port];

	if (sl_unlikely(w->cap != NULL))
		sl_worker_capture(w, port, b->pkts, b->n, SL_CAPTURE_TX);
	uint16_t sent = rte_eth_tx_burst(w->dp->ethdev[port], w->id, b->pkts, b->n);

	/* tx_bytes was counted as frames were queued (sl_worker_tx). */
	w->stats.tx_packets += sent;
	/* A frame the port refused is Sluice's own output, never the
	 * host's: counted and freed here, not offered to the kernel. */
	for (uint16_t i = sent; i < b->n; i++) {
		w->stats.tx_bytes -= rte_pktmbuf_pkt_len(b->pkts[i]);
		w->stats.drops[SL_DROP_TX_FULL]++;
		rte_pktmbuf_free(b->pkts[i]);
	}
	b->n = 0;
}

void sl_worker_flush(struct sl_worker *w)
{
	for (unsigned p = 0; p < w->dp->nports; p++)
		if (w->tx[p].n)
			sl_worker_tx_flush_port(w, p);
}
