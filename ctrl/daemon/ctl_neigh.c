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

/* Only an address Sluice reaches directly through the port it was seen
 * on can be a next hop; ARP from anywhere else (spoofed, or another
 * subnet on the wire) would only fill the table. */
static bool on_link(const struct sl_model *m, sl_be32 ip, uint8_t port)
{
	uint8_t out;
	sl_be32 hop;

	return sl_model_route(m, ip, &out, &hop) == 0 && out == port && hop == ip;
}

/* IPv6: an address inside the v6 prefix of the port it was seen on
 * (v6 next hops, a route's `via` included, are on a port's link). */
static bool on_link6(const struct sl_model *m, const struct sl_addr *a, uint8_t port)
{
	return port < m->nports && m->ports[port].ip6.af == SL_AF_V6 &&
	       sl_addr_in_prefix(a, &m->ports[port].ip6, m->ports[port].plen6);
}

/* One message off the learn ring. True if the dataplane's view changed. */
static bool learn_one(struct sl_ctl *ctl, const struct sl_learn_msg *lm, uint64_t now)
{
	struct sl_addr a = sl_addr_v4(lm->ip);

	if (lm->v6) {
		a.af = SL_AF_V6;
		memcpy(a.v6, lm->ip6, 16);
	}
	if (sl_ctl_static_neigh(&ctl->model, &a))
		return false; /* static entries are not learned over */
	if (lm->v6 ? !on_link6(&ctl->model, &a, lm->port)
		   : !on_link(&ctl->model, lm->ip, lm->port))
		return false; /* not a possible next hop: not worth a slot */
	if (lm->kind == SL_LEARN_WANTED) {
		sl_neigh_want_addr(&ctl->neigh, &a, lm->port, now);
		return false;
	}
	/* Neither a reply nor a request makes an entry: only what a worker
	 * asked for (WANTED) does; see sl_neigh_seen() for why a request
	 * does not. */
	bool changed = lm->kind == SL_LEARN_REPLY
		? sl_neigh_confirm_addr(&ctl->neigh, &a, lm->mac, lm->port, now)
		: sl_neigh_seen_addr(&ctl->neigh, &a, lm->mac, lm->port, now);
	if (changed) {
		static struct sl_log_limit lim; /* per ARP reply */
		char text[SL_ADDR_STRLEN];
		sl_log_limited(&lim, SL_LOG_DEBUG, "neighbor %s learned on port %u",
			       sl_fmt_addr(&a, text), lm->port);
	}
	return changed;
}

bool sl_ctl_learn_drain(struct sl_ctl *ctl, uint64_t now)
{
	struct sl_learn_msg msgs[64];
	bool changed = false;
	unsigned n;

	do {
		n = rte_ring_sc_dequeue_burst_elem(ctl->dp->learn_ring, msgs,
						   sizeof(msgs[0]), 64, NULL);
		for (unsigned i = 0; i < n; i++)
			changed |= learn_one(ctl, &msgs[i], now);
	} while (n == 64);
	return changed;
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
