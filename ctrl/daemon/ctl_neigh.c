/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control thread's side of ARP: drain what the workers saw, keep the
 * learned table (neigh.c), probe through a worker, and republish the
 * neighbor table alone (publish_neigh.c) when the set of usable
 * neighbors changed.
 */
#include <stdlib.h>

#include <rte_ring.h>

#include "ctl.h"
#include "addr.h"
#include "log.h"

#define TICK_MS 100

void sl_ctl_arp_probe(void *arg, sl_be32 ip, uint8_t port)
{
	struct sl_ctl *ctl = arg;
	struct sl_wmsg *msg = calloc(1, sizeof(*msg));

	if (msg == NULL)
		return;
	msg->type = SL_WMSG_ARP_PROBE;
	msg->probe.ip = ip;
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

static bool drain_learn_ring(struct sl_ctl *ctl, uint64_t now)
{
	struct sl_learn_msg msgs[64];
	bool changed = false;
	unsigned n;

	do {
		n = rte_ring_sc_dequeue_burst_elem(ctl->dp->learn_ring, msgs,
						   sizeof(msgs[0]), 64, NULL);
		for (unsigned i = 0; i < n; i++) {
			const struct sl_learn_msg *lm = &msgs[i];
			if (lm->v6)
				continue; /* NDP: not learned yet */
			if (sl_model_find_neigh(&ctl->model, lm->ip))
				continue; /* static entries are not learned over */
			if (!on_link(&ctl->model, lm->ip, lm->port))
				continue; /* not a possible next hop: not worth a slot */
			if (lm->kind == SL_LEARN_WANTED) {
				sl_neigh_want(&ctl->neigh, lm->ip, lm->port, now);
				continue;
			}
			/* Neither a reply nor a request makes an entry: only
			 * what a worker asked for (WANTED) does; see
			 * sl_neigh_seen() for why a request does not. */
			bool changed_one = lm->kind == SL_LEARN_REPLY
				? sl_neigh_confirm(&ctl->neigh, lm->ip, lm->mac, lm->port, now)
				: sl_neigh_seen(&ctl->neigh, lm->ip, lm->mac, lm->port, now);
			if (changed_one) {
				static struct sl_log_limit lim; /* per ARP reply */
				char ip[16];
				sl_log_limited(&lim, SL_LOG_DEBUG, "neighbor %s learned on port %u",
					       sl_fmt_ipv4(lm->ip, ip), lm->port);
				changed = true;
			}
		}
	} while (n == 64);
	return changed;
}

void sl_ctl_neigh_work(struct sl_ctl *ctl)
{
	uint64_t now = sl_ctl_now_ms();
	bool changed = drain_learn_ring(ctl, now);

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
