/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What a worker does with a TCP/UDP packet its table does not know:
 *
 *  - to a VIP service: on the worker that owns the client's flow
 *    (sl_flow_owner; from any other it is steered there, once), schedule a
 *    real server (worker_sched.c), take a local address and port from this
 *    worker's own share (worker_lport.c), create the connection; with no
 *    server to take it, refuse it (worker_reject.c);
 *  - from an inside host, or to a pool address: source NAT (worker_snat.c);
 *  - to a local address: a reply for a connection whose local port
 *    belongs to another worker (the port says which) -> pass it there;
 *  - anything else: a counted drop.
 *
 * The connection made is returned, not forwarded: the caller forwards it
 * the way it forwards every established packet (worker.c), so the packet
 * path never calls back up into the file that called it.
 */
#include <rte_mbuf.h>

#include "nat.h"
#include "tcp_state.h"
#include "worker_conn.h"

/* A client's first packet for a service, on the worker that owns its
 * flow: the new connection, or NULL when the packet was refused or
 * dropped. */
static struct sl_conn *new_connection(struct sl_worker *w, struct rte_mbuf *m,
				      struct sl_pkt *pkt,
				      const struct sl_snap_svc *svc)
{
	const struct sl_snapshot *s = w->snap;
	enum sl_drop why;

	/* This worker is the only one whose table could hold the flow: a
	 * segment that does not open a connection ends here, whichever worker
	 * it reached first (an ACK or FIN flood costs a lookup or two). */
	if (pkt->proto == SL_IPPROTO_TCP && !sl_tcp_is_syn(pkt->tcp_flags)) {
		sl_worker_drop(w, m, SL_DROP_NO_CONNECTION);
		return NULL;
	}
	if (pkt->ip->ttl <= 1) {
		sl_worker_time_exceeded(w, m, pkt);
		return NULL;
	}
	if (svc->seq_len == 0) {
		sl_worker_refuse(w, m, pkt, svc); /* worker_reject.c */
		return NULL;
	}
	const struct sl_snap_rs *rs = sl_worker_pick(w, svc, pkt);
	const struct sl_snap_route *rt = sl_snap_route(s, rs->ip);
	if (rt == NULL) {
		why = SL_DROP_NO_ROUTE;
		goto drop;
	}

	struct sl_v4key rs_side = {rs->ip, 0, rs->port, 0};
	struct sl_v4key reply;
	why = sl_worker_take_local(w, rt->port, &rs_side, pkt->proto, &reply);
	if (why != SL_DROP_NONE)
		goto drop;

	struct sl_conn *c = sl_ct_alloc(&w->ct);
	if (c == NULL) {
		why = SL_DROP_TABLE_FULL;
		goto drop;
	}
	c->key[SL_DIR_ORIG] = pkt->key;
	c->key[SL_DIR_REPLY] = reply;
	c->proto = pkt->proto;
	c->state = pkt->proto == SL_IPPROTO_TCP ? SL_CS_TCP_SYN_SENT : SL_CS_UDP;
	c->svc_id = svc->id;
	c->rs_id = rs->id;
	c->trusted_port = rt->port;
	sl_ct_set_created(&w->ct, c, w->now_ms);
	c->expire = w->now_ms + s->timeouts_ms[c->state];
	sl_nat_prepare(c);
	if (!sl_worker_admit(w, c)) {
		why = SL_DROP_TABLE_FULL;
		goto drop;
	}
	return c;

drop:
	sl_worker_drop(w, m, why);
	return NULL;
}

/* An inside host of `rule` arrives where the route to it points (strict
 * reverse-path filtering) and never on the port of the rule's pool: from
 * there, a source the rule covers is an outside host, inbound. */
static bool from_inside(const struct sl_snapshot *s, const struct sl_snap_snat *rule,
			sl_be32 src, uint8_t in_port)
{
	const struct sl_snap_route *rt = sl_snap_route(s, src);
	return in_port != rule->port && rt != NULL && rt->port == in_port;
}

struct sl_conn *sl_worker_miss(struct sl_worker *w, struct rte_mbuf *m,
			       struct sl_pkt *pkt, enum sl_dir *dir)
{
	const struct sl_snapshot *s = w->snap;
	const struct sl_snap_addr *a = sl_snap_find_addr(s, pkt->key.daddr);

	/* sl_parse() refuses these; the fast parse leaves them to here, where
	 * state would be created, so that established flows pay nothing. */
	if (sl_unlikely(sl_ipv4_martian(pkt->key.saddr) ||
			sl_ipv4_martian(pkt->key.daddr))) {
		sl_worker_drop(w, m, SL_DROP_IP_BAD_ADDRESS);
		return NULL;
	}
	/* A server's reply to a peer's local address (session sync): the
	 * connection is on the worker its local port names, never SNAT's. */
	if (sl_unlikely(a == NULL && s->nsynced) && pkt->proto != SL_IPPROTO_ICMP &&
	    sl_snap_synced(s, &pkt->key.daddr, false)) {
		sl_worker_to_synced(w, m, pkt); /* worker_sync.c */
		return NULL;
	}
	/* From an inside host to the outside (or, hairpinning, to a pool
	 * address): source NAT. */
	if (a == NULL || (a->kinds & SL_ADDR_POOL)) {
		uint8_t in_port = w->dp->port_of_ethdev[m->port];
		/* An answer to the host's own address on a tap (a data-path
		 * health check's) is the kernel's, whatever SNAT rule covers
		 * its source and whichever port it came in on. */
		if (sl_unlikely(a == NULL && sl_snap_host_addr(s, pkt->key.daddr))) {
			sl_worker_drop(w, m, SL_DROP_TO_HOST);
			return NULL;
		}
		/* Taken, a forged pool source would open a hairpin session
		 * whose answers go to whichever inside host holds that port. */
		if (sl_unlikely(sl_worker_spoofs_pool(s, pkt->key.saddr, in_port))) {
			sl_worker_drop(w, m, SL_DROP_INGRESS_WRONG_PORT);
			return NULL;
		}
		const struct sl_snap_snat *rule =
			s->nsnat ? sl_snap_find_snat(s, pkt->key.saddr) : NULL;
		if (rule != NULL && from_inside(s, rule, pkt->key.saddr, in_port) &&
		    (pkt->proto != SL_IPPROTO_ICMP ||
		     ((const struct sl_icmp_hdr *)pkt->l4)->type == SL_ICMP_ECHO_REQUEST)) {
			*dir = SL_DIR_ORIG;
			return sl_worker_snat_out(w, m, pkt, rule);
		}
		if (a != NULL) {
			*dir = SL_DIR_REPLY;
			return sl_worker_snat_in(w, m, pkt, a);
		}
		sl_worker_drop(w, m, SL_DROP_NOT_LOCAL);
		return NULL;
	}
	if (pkt->proto == SL_IPPROTO_ICMP) {
		sl_worker_local(w, m, pkt); /* an echo to one of our addresses */
		return NULL;
	}
	if (a->kinds & SL_ADDR_VIP) {
		const struct sl_snap_svc *svc = sl_snap_find_svc(
			s, pkt->key.daddr, pkt->key.dport, pkt->proto);
		if (svc) {
			unsigned owner = sl_flow_owner(pkt->hash, w->nworkers);
			if (owner != w->id) {
				sl_worker_steer_flow(w, m, owner);
				return NULL;
			}
			*dir = SL_DIR_ORIG;
			return new_connection(w, m, pkt, svc);
		}
	}
	if (a->kinds & SL_ADDR_LIP) {
		/* Servers answer local addresses from the local address's own
		 * side: anything else (a flood at random ports from outside)
		 * must not take the ring their replies cross. Stricter than a
		 * connection's check, which also takes the port the route to
		 * its server moved to: with no connection there is no server
		 * to route, and any outside source routes to where it came
		 * from. */
		if (sl_unlikely(a->port != w->dp->port_of_ethdev[m->port])) {
			sl_worker_drop(w, m, SL_DROP_INGRESS_WRONG_PORT);
			return NULL;
		}
		unsigned owner = sl_port_owner(sl_ntohs(pkt->key.dport), w->nworkers);
		if (owner != w->id)
			sl_worker_steer(w, m, owner);
		else
			sl_worker_drop(w, m, SL_DROP_NO_CONNECTION);
		return NULL;
	}
	sl_worker_drop(w, m, (a->kinds & SL_ADDR_VIP) ? SL_DROP_NO_SERVICE
						     : SL_DROP_TO_HOST);
	return NULL;
}

