/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the workers saw of ARP and NDP, off the learn ring into the
 * learned table (neigh.c): only next hops on the link of the port they
 * were seen on, never over a static entry, and an entry made only for
 * what a worker asked for (WANTED). Apart from ctl_neigh.c's ring and
 * probe plumbing so the conformance harness drives it directly.
 */
#include <string.h>

#include <rte_ring.h>

#include "addr.h"
#include "ctl.h"
#include "log.h"

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
 * (v6 next hops, a route's `via` included, are on a port's link), or a
 * link-local `via` of a route by that port. */
static bool on_link6(const struct sl_model *m, const struct sl_addr *a, uint8_t port)
{
	if (port >= m->nports)
		return false;
	if (sl_ipv6_is_link_local(a->v6)) {
		for (uint32_t i = 0; i < m->nroutes6; i++)
			if (m->routes6[i].port == port &&
			    memcmp(m->routes6[i].via, a->v6, 16) == 0)
				return true;
		return false;
	}
	return m->ports[port].ip6.af == SL_AF_V6 &&
	       sl_addr_in_prefix(a, &m->ports[port].ip6, m->ports[port].plen6);
}

bool sl_ctl_neigh_keep(void *ctx, const struct sl_addr *a)
{
	const struct sl_model *m = &((const struct sl_ctl *)ctx)->model;

	if (a->af != SL_AF_V6)
		return false;
	for (uint32_t i = 0; i < m->nroutes6; i++)
		if (memcmp(m->routes6[i].via, a->v6, 16) == 0)
			return true;
	for (uint32_t s = 0; s < m->nsvcs; s++)
		for (uint32_t r = 0; r < m->svcs[s].nrs; r++)
			if (memcmp(m->svcs[s].rs[r].ip6, a->v6, 16) == 0)
				return true;
	return false;
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
	bool changed;
	if (lm->kind != SL_LEARN_REPLY && lm->v6) /* an NS (RFC 4861 7.2.3) */
		changed = sl_neigh_solicit_addr(&ctl->neigh, &a, lm->mac, lm->port, now);
	else if (lm->kind != SL_LEARN_REPLY)
		changed = sl_neigh_seen_addr(&ctl->neigh, &a, lm->mac, lm->port, now);
	else if (lm->v6) /* an NA: its Override flag is heeded (RFC 4861 7.2.5) */
		changed = sl_neigh_advert_addr(&ctl->neigh, &a, lm->mac, lm->port,
					       lm->override, now);
	else
		changed = sl_neigh_confirm_addr(&ctl->neigh, &a, lm->mac, lm->port, now);
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
