/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * 802.1Q on receive: a device whose ports are VLANs is polled once, and
 * each frame is given to the port its tag names, untagged, as if it had
 * arrived on a device of its own (m->port = that port's rx_id, worker.h).
 * The tag comes from the NIC (RX VLAN strip: RTE_MBUF_F_RX_VLAN_STRIPPED
 * and m->vlan_tci; af_packet reports the kernel's tag that way too,
 * without its TPID, so a lone 802.1ad tag there looks like 802.1Q) or
 * from the frame, removed in place (rte_vlan_strip: 12 bytes moved, no
 * allocation). A frame of no port's VLAN is dropped as vlan_unknown; an
 * untagged or priority-tagged (VID 0) frame belongs to the device's
 * untagged port, if it has one. Stacked tags (802.1ad's 0x88a8 outer
 * tag, the older 0x9100, or a second 0x8100 behind the first) belong to
 * no port: dropped as vlan_qinq. Neither drop is offered to the kernel's
 * exception path (worker_host.c): a frame of a VLAN Sluice does not
 * carry is nobody's on this host. Both are in the RX capture of the
 * device's untagged port (or its first port), as received.
 */
#include <rte_ether.h>

#include "worker.h"

#define VID_NONE 0xffff   /* too short to carry a tag */
#define VID_QINQ 0xfffe   /* a tag behind the tag, or an 802.1ad one */

static bool is_tag(rte_be16_t type)
{
	return type == rte_cpu_to_be_16(RTE_ETHER_TYPE_VLAN) ||
	       type == rte_cpu_to_be_16(RTE_ETHER_TYPE_QINQ) ||
	       type == rte_cpu_to_be_16(RTE_ETHER_TYPE_QINQ1);
}

/* The frame's VID, its tag taken off; 0 for an untagged frame. */
static uint16_t frame_vid(struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eh;
	uint16_t vid = 0;

	if (m->ol_flags & RTE_MBUF_F_RX_VLAN_STRIPPED)
		vid = m->vlan_tci & RTE_VLAN_ID_MASK;
	if (rte_pktmbuf_data_len(m) < sizeof(*eh))
		return vid; /* the parser judges it (l2_truncated) */
	eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	if (m->ol_flags & RTE_MBUF_F_RX_VLAN_STRIPPED) {
		/* the NIC took the tag off */
	} else if (eh->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_VLAN)) {
		if (rte_pktmbuf_data_len(m) < sizeof(*eh) + sizeof(struct rte_vlan_hdr) ||
		    rte_vlan_strip(m) != 0)
			return VID_NONE;
		vid = m->vlan_tci & RTE_VLAN_ID_MASK;
		eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	}
	/* What follows the (removed) tag, or an outer tag not 802.1Q's. */
	return is_tag(eh->ether_type) ? VID_QINQ : vid;
}

static uint8_t port_of_vid(const struct sl_vlan_map *map, uint16_t vid)
{
	for (unsigned i = 0; i < map->n; i++)
		if (map->vid[i] == vid)
			return map->port[i];
	return SL_MAX_PORTS;
}

/* A frame of no port's VLAN (about to be dropped) is in the RX capture of
 * the device's untagged port, or of its first port (`port`, the one it is
 * polled through) when it has none: the one place it can be seen. Its
 * tag, if the worker took it off, is put back by the copy. */
static void capture_stray(struct sl_worker *w, const struct sl_vlan_map *map,
			  unsigned port, struct rte_mbuf *m)
{
	uint8_t to = port_of_vid(map, 0);

	if (to == SL_MAX_PORTS)
		to = (uint8_t)port;
	if (w->cap->port == to)
		sl_worker_capture(w, to, &m, 1, SL_CAPTURE_RX);
}

uint16_t sl_worker_vlan_rx(struct sl_worker *w, unsigned port,
			   struct rte_mbuf **pkts, uint16_t n)
{
	const struct sl_vlan_map *map = &w->dp->vlan_map[port];
	uint16_t kept = 0;

	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		uint16_t vid = frame_vid(m);
		uint8_t to = vid == VID_QINQ ? SL_MAX_PORTS : port_of_vid(map, vid);
		if (sl_unlikely(to == SL_MAX_PORTS)) {
			/* Received all the same: counted as the burst's are. */
			w->stats.rx_packets++;
			w->stats.rx_bytes += rte_pktmbuf_pkt_len(m);
			if (sl_unlikely(w->cap != NULL))
				capture_stray(w, map, port, m);
			sl_worker_drop(w, m, vid == VID_QINQ ? SL_DROP_VLAN_QINQ
							     : SL_DROP_VLAN_UNKNOWN);
			continue;
		}
		m->port = w->dp->rx_id[to];
		pkts[kept++] = m;
	}
	return kept;
}
