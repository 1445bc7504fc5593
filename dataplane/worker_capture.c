/* SPDX-License-Identifier: BSD-3-Clause */
/* rte_pcapng and rte_bpf_convert are experimental in DPDK 22.11. */
#define ALLOW_EXPERIMENTAL_API
/*
 * Copies of captured frames (capture.h), made on the worker that holds
 * the frame and handed to the control thread on the worker's own ring.
 * Reached only while a capture is published (w->cap); calls no other
 * worker file.
 */
#include <time.h>

#include <rte_cycles.h>
#include <rte_pcapng.h>

#include "worker.h"

#define PCAPNG_EPB 6 /* Enhanced Packet Block */

/* DPDK 22.11's rte_pcapng_copy turns TSC cycles into time through a
 * 64-bit product that wraps seconds after start (hours off in the
 * file): the block's timestamp (nanoseconds, the resolution DPDK's
 * interface blocks declare) is written again from the wall clock. */
static void set_time(struct rte_mbuf *copy, uint64_t ns)
{
	uint32_t *epb = rte_pktmbuf_mtod(copy, uint32_t *);

	if (epb[0] != PCAPNG_EPB)
		return;
	epb[3] = (uint32_t)(ns >> 32);
	epb[4] = (uint32_t)ns;
}

/* Read once per burst, and only while capturing. */
static uint64_t wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void sl_worker_capture(struct sl_worker *w, unsigned port, struct rte_mbuf **pkts,
		       uint16_t n, unsigned dir)
{
	const struct sl_capture *cap = w->cap;
	uint64_t match[SL_BURST];
	uint64_t now = rte_get_tsc_cycles(), ns = 0;

	if (port != cap->port || !(cap->dirs & dir))
		return;
	if (cap->filter)
		rte_bpf_exec_burst(cap->filter, (void **)pkts, match, n);
	for (uint16_t i = 0; i < n; i++) {
		if (cap->filter && match[i] == 0)
			continue;
		struct rte_mbuf *copy = rte_pcapng_copy(
			w->dp->ethdev[port], w->id, pkts[i], cap->pool, cap->snaplen, now,
			dir == SL_CAPTURE_RX ? RTE_PCAPNG_DIRECTION_IN
					     : RTE_PCAPNG_DIRECTION_OUT);
		if (copy == NULL) {
			w->stats.capture_no_mbuf++;
			continue;
		}
		if (ns == 0)
			ns = wall_ns();
		set_time(copy, ns);
		if (rte_ring_sp_enqueue(cap->ring[w->id], copy) != 0) {
			rte_pktmbuf_free(copy);
			w->stats.capture_dropped++;
			continue;
		}
		w->stats.capture_copied++;
	}
}

void sl_worker_capture_rx(struct sl_worker *w, unsigned port, struct rte_mbuf **pkts,
			  uint16_t n)
{
	const struct sl_capture *cap = w->cap;
	struct rte_mbuf *mine[SL_BURST];
	uint16_t k = 0;

	if (w->dp->rx_mode[port] != SL_RX_VLAN) {
		sl_worker_capture(w, port, pkts, n, SL_CAPTURE_RX);
		return;
	}
	/* Split already: each frame names its VLAN's port (m->port). */
	for (uint16_t i = 0; i < n && k < SL_BURST; i++)
		if (w->dp->port_of_ethdev[pkts[i]->port] == cap->port)
			mine[k++] = pkts[i];
	if (k)
		sl_worker_capture(w, cap->port, mine, k, SL_CAPTURE_RX);
}
