/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control thread's side of ARP: drain what the workers saw, keep the
 * learned table (neigh.c), probe through a worker, and republish the
 * neighbor table alone (publish_neigh.c) when the set of usable
 * neighbors changed.
 */
#include <stdlib.h>
#include <string.h>

#include <rte_ring.h>

#include "ctl.h"
#include "addr.h"
#include "log.h"

#define TICK_MS 100

/* A stale neighbor's probe: an ARP request, or for IPv6 a Neighbor
 * Solicitation (probe.ip 0). */
void sl_ctl_arp_probe(void *arg, const struct sl_addr *a, uint8_t port)
{
	struct sl_ctl *ctl = arg;
	struct sl_wmsg *msg = calloc(1, sizeof(*msg));

	if (msg == NULL)
		return;
	msg->type = SL_WMSG_ARP_PROBE;
	if (a->af == SL_AF_V6)
		memcpy(msg->probe.ip6, a->v6, 16);
	else
		msg->probe.ip = a->v4;
	msg->probe.port = port;
	/* Worker 0 sends probes; it frees the message. Never dropped for a
	 * full ring (a neighbor must not be removed after probes that never
	 * left); only out of memory. */
	if (sl_ctl_send(ctl, 0, msg) != 0) {
		static struct sl_log_limit lim; /* at the pace of probes */
		sl_log_limited(&lim, SL_LOG_WARN, "ARP probe not sent: out of memory");
		free(msg);
	}
}

void sl_ctl_neigh_work(struct sl_ctl *ctl)
{
	uint64_t now = sl_ctl_now_ms();
	bool changed = sl_ctl_learn_drain(ctl, now);

	if (now - ctl->last_tick_ms >= TICK_MS) {
		ctl->last_tick_ms = now;
		changed |= sl_neigh_tick(&ctl->neigh, now, sl_ctl_arp_probe, ctl);
		sl_ctl_neigh_reclaim(ctl);
	}
	if (changed) {
		static struct sl_log_limit lim; /* can fail per learned neighbor */
		struct sl_err err;
		if (sl_ctl_publish_neigh(ctl, &ctl->model, &err) != 0)
			sl_log_limited(&lim, SL_LOG_WARN, "neighbor update not published: %s",
				       err.message);
	}
}
