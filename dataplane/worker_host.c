/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The kernel exception path, for ports the kernel cannot see (a PCI NIC
 * bound to DPDK, a virtio port): each such port may have an exception
 * device (net_tap, or net_virtio_user on vhost-kernel) whose other end is
 * a kernel interface. Frames on the port that are not Sluice's go to the
 * kernel through it, and what the kernel sends on it leaves by the port,
 * so the host keeps its SSH, BGP and health checks on a NIC Sluice owns.
 *
 * "Not Sluice's" is decided where a frame would otherwise be dropped, by
 * the same look the XDP program takes (wire.h): a frame that is neither
 * IPv4 nor ARP, or whose destination (ARP: target) is not an address
 * Sluice owns, belongs to the host, however the parser judged it (the
 * host defragments, handles options, answers its own ARP). A frame for
 * one of Sluice's addresses keeps its drop and its reason; TCP or UDP to
 * a port address with no service there (to_host) is the host's too, so
 * the host may share the port's address for its own services.
 *
 * sl_worker_drop() is where a dropped frame that may be the host's
 * starts, so it lives here: a frame the kernel should have goes there,
 * anything else is counted by reason and freed. (Drops of Sluice's own
 * output -- tx_full, host_queue_full -- and no_mbuf, where there is no
 * frame, are counted where they happen.)
 *
 * Each worker uses its own queue of the exception device in both
 * directions, like any port: no locks, no rings. Exception traffic is
 * light by nature, so frames go one at a time, unbuffered.
 */
#include <rte_ethdev.h>

#include "wire.h"
#include "worker.h"

/* Reasons a frame can be dropped for before Sluice knows it is its own. */
static bool before_ownership(enum sl_drop why)
{
	switch (why) {
	case SL_DROP_L2_UNSUPPORTED:
	case SL_DROP_ARP_MALFORMED:
	case SL_DROP_ARP_NOT_OURS:
	case SL_DROP_IP_BAD_VERSION:
	case SL_DROP_IP_BAD_IHL:
	case SL_DROP_IP_BAD_LENGTH:
	case SL_DROP_IP_BAD_CHECKSUM:
	case SL_DROP_IP_OPTIONS:
	case SL_DROP_IP_FRAGMENT:
	case SL_DROP_IP_BAD_ADDRESS:
	case SL_DROP_L4_TRUNCATED:
	case SL_DROP_L4_BAD_CHECKSUM:
	case SL_DROP_TCP_BAD_FLAGS:
	case SL_DROP_UNKNOWN_PROTO:
	case SL_DROP_ICMP_UNSUPPORTED:
	case SL_DROP_NOT_LOCAL:
	case SL_DROP_TO_HOST:
	/* IPv6: Sluice owns no v6 address yet, so every v6 frame the
	 * parser refused may be the host's (it defragments, and walks
	 * extension headers its own way). */
	case SL_DROP_IP6_TRUNCATED:
	case SL_DROP_IP6_BAD_LENGTH:
	case SL_DROP_IP6_EXT_MALFORMED:
	case SL_DROP_IP6_EXT_ORDER:
	case SL_DROP_IP6_EXT_TOO_LONG:
	case SL_DROP_IP6_ROUTING:
	case SL_DROP_IP6_FRAGMENT:
	case SL_DROP_IP6_MARTIAN:
	case SL_DROP_UDP6_ZERO_CHECKSUM:
	case SL_DROP_NDP_HOP_LIMIT:
	/* NDP that is not Sluice's: the host's own neighbors (its tap
	 * addresses), and the routers it may listen to. */
	case SL_DROP_NDP_MALFORMED:
	case SL_DROP_NDP_NOT_OURS:
	case SL_DROP_NDP_UNSOLICITED:
	case SL_DROP_NDP_ROUTER_ADV:
	case SL_DROP_IPV6_NOT_SERVED:
		return true;
	default:
		return false;
	}
}

bool sl_worker_to_host(struct sl_worker *w, struct rte_mbuf *m, enum sl_drop why)
{
	struct sl_dataplane *dp = w->dp;
	uint8_t port = dp->port_of_ethdev[m->port];
	struct sl_wire_dst d;

	if (port >= SL_MAX_PORTS || !(dp->host_mask & (1u << port)) ||
	    !before_ownership(why))
		return false;
	const uint8_t *frame = rte_pktmbuf_mtod(m, const uint8_t *);
	sl_wire_peek(frame, frame + rte_pktmbuf_data_len(m), &d);
	if (d.kind == SL_WIRE_SHORT)
		return false;
	if (d.kind != SL_WIRE_OTHER && why != SL_DROP_TO_HOST &&
	    sl_snap_find_addr(w->snap, d.dst) != NULL)
		return false; /* Sluice's own: the drop stands */
	if (rte_eth_tx_burst(dp->host_ethdev[port], w->id, &m, 1) == 1) {
		w->stats.to_host++;
		return true;
	}
	w->stats.drops[SL_DROP_HOST_QUEUE_FULL]++;
	rte_pktmbuf_free(m);
	return true;
}

unsigned sl_worker_from_host(struct sl_worker *w)
{
	struct sl_dataplane *dp = w->dp;
	struct rte_mbuf *pkts[SL_BURST];
	unsigned got = 0;

	for (unsigned p = 0; p < dp->nports; p++) {
		if (!(dp->host_mask & (1u << p)))
			continue;
		uint16_t n = rte_eth_rx_burst(dp->host_ethdev[p], w->id, pkts, SL_BURST);
		/* The kernel built these frames for the wire: out as they are. */
		for (uint16_t i = 0; i < n; i++)
			sl_worker_tx(w, p, pkts[i]);
		w->stats.from_host += n;
		got += n;
	}
	return got;
}

void sl_worker_drop(struct sl_worker *w, struct rte_mbuf *m, enum sl_drop why)
{
	/* Where the kernel has a way in, what is not Sluice's goes there. */
	if (sl_unlikely(w->dp->host_mask) && sl_worker_to_host(w, m, why))
		return;
	w->stats.drops[why]++;
	rte_pktmbuf_free(m);
}
