/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet capture (sluicectl capture): while the control thread publishes
 * a capture (dp->capture, RCU like the snapshot), each worker copies the
 * frames of one port that the filter accepts into a mempool of its own
 * (rte_pcapng_copy: the copy carries the pcapng block around it) and
 * hands the copies to the control thread on its own ring (SP/SC), which
 * writes them to the file (ctrl/daemon/capture.c).
 *
 * What is captured: RX, every frame a worker takes from the port's queue,
 * before any processing (frames dropped later included); TX, every frame
 * a worker hands the port's TX queue (sl_worker_tx_flush_port), before
 * the driver takes it (a frame the queue then refuses, counted tx_full,
 * is in the file too). On a device carrying VLAN ports, RX is split by
 * VLAN first: frames of no port's VLAN (vlan_unknown, vlan_qinq) are
 * in the capture of the device's untagged port, or of its first port
 * (worker_vlan.c). Frames other workers steer over rings are
 * captured once, where they arrived. With an exception device, frames
 * the port hands the kernel are in RX (as received) and the kernel's
 * frames sent out of the port are in TX; the exception device's own
 * ethdev is not a port and is never captured.
 *
 * Cost when nobody captures: one load of dp->capture per loop iteration
 * (sl_worker_begin, with the snapshot) and a test of the worker's copy of
 * it per RX burst and per TX flush. While capturing: per frame of the
 * port, the filter (DPDK BPF, from a pcap expression) and for a match a
 * copy from the capture pool; a full ring or an empty pool drops the copy
 * (counted capture_dropped, capture_no_mbuf), never the frame.
 */
#ifndef SL_CAPTURE_H
#define SL_CAPTURE_H

#include <stdint.h>

#include <rte_bpf.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include "dp_types.h"

#define SL_CAPTURE_RX 1u
#define SL_CAPTURE_TX 2u
#define SL_CAPTURE_RING 1024      /* copies waiting per worker */

struct sl_capture {
	uint8_t port;                 /* port index (not ethdev id) */
	uint8_t dirs;                 /* SL_CAPTURE_RX | SL_CAPTURE_TX */
	uint32_t snaplen;             /* bytes kept of each frame */
	const struct rte_bpf *filter; /* NULL: every frame */
	struct rte_mempool *pool;     /* the copies' */
	struct rte_ring *ring[SL_MAX_WORKERS]; /* worker w -> control */
};

#endif
