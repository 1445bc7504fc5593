/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What a worker does with a v6 TCP/UDP packet its table does not know,
 * worker_miss.c's twin for full-NAT 6->6 (issue 15):
 *
 *  - to a v6 VIP service: on the worker that owns the client's flow
 *    (sl_flow_owner of the v6 hash; from any other it is steered there,
 *    once), schedule a server (worker_sched.c: the same schedulers and
 *    persistence, the client's address folded to a word), take a v6
 *    local address of the egress port and a port of this worker's share
 *    (worker_lport.c), create the connection with its extension line
 *    (both keys v6, conn6.h); with no server, refuse it: an RST for TCP,
 *    ICMPv6 port unreachable for UDP;
 *  - to a v6 local address: a reply whose local port belongs to another
 *    worker -> passed there (the port names the owner), from the local
 *    address's own port only;
 *  - to another v6 address Sluice owns (a port address, a VIP port no
 *    service has): dropped, to_host or no_service, as v4;
 *  - to an address Sluice does not own: offered to the exception device
 *    (ipv6_not_served), as every v6 frame was before this path.
 *
 * A NAT64 service (SL_SVC_NAT64, v4 servers) is scheduled the same way;
 * its connection takes a v4 local address and port (worker_lport.c, as
 * v4 full-NAT: the server's replies come to this worker by the port) and
 * gets a v4 REPLY key (worker_nat64.c forwards it).
 */
#include <rte_mbuf.h>

#include "nat66.h"
#include "reject.h"
#include "tcp_state.h"
#include "worker6.h"
#include "worker_conn.h"

/* No server takes the connection: tell the client, within the rate. */
static void refuse6(struct sl_worker *w, struct rte_mbuf *m, struct sl_pkt *pkt,
		    const struct sl_snap_svc *svc)
{
	if (pkt->proto == SL_IPPROTO_UDP) {
		sl_worker_unreachable6(w, m, pkt, SL_ICMP6_UNREACH_PORT);
	} else if (m->nb_segs == 1 && sl_worker_reply_allowed(w)) {
		sl_tcp_rst_reply6(pkt);
		sl_worker_send_reset6(w, m, pkt);
	} else {
		sl_worker_drop(w, m, SL_DROP_NO_REAL_SERVER);
		return;
	}
	w->stats.conns_refused++;
	w->svc_stats[svc->id].refused++;
}

/* An entry for a new connection from the client's first packet: its v6
 * ORIG key, an extension of shape `v6` (SL_CONN_X_V6_ORIG, with
 * SL_CONN_X_V6_REPLY for FNAT66), state and timer; the REPLY key is the
 * caller's (the ORIG key in *orig). NULL with the reason in *why:
 * table_full, or conn_ext_full when only the extension pool is. */
static struct sl_conn *entry6(struct sl_worker *w, const struct sl_pkt *pkt,
			      unsigned v6, struct sl_v6key *orig, enum sl_drop *why)
{
	struct sl_conn *c = sl_ct_alloc(&w->ct);

	*why = SL_DROP_TABLE_FULL;
	if (c == NULL)
		return NULL;
	/* The pool of v6 keys (conn_table.max_v6_connections) is empty: its
	 * own reason, so a full v6 share is not mistaken for a full table. */
	*why = SL_DROP_CONN_EXT_FULL;
	if (sl_ct_add_ext(&w->ct, c, v6) != 0) {
		sl_ct_abandon(&w->ct, c);
		return NULL;
	}
	sl_nat66_key(pkt, orig);
	sl_ct_set_v6key(&w->ct, c, SL_DIR_ORIG, orig);
	c->proto = pkt->proto;
	c->state = pkt->proto == SL_IPPROTO_TCP ? SL_CS_TCP_SYN_SENT : SL_CS_UDP;
	sl_ct_set_created(&w->ct, c, w->now_ms);
	c->expire = w->now_ms + w->snap->timeouts_ms[c->state];
	return c;
}

/* FNAT66: a v6 local address of the port the server's route leaves by;
 * both keys v6. NULL with the reason in *why. */
static struct sl_conn *open_fnat66(struct sl_worker *w, const struct sl_pkt *pkt,
				   const struct sl_snap_rs *rs, enum sl_drop *why)
{
	const uint8_t *rs_ip = w->snap->rs_ip6[rs - w->snap->rs];
	const struct sl_snap6_route *rt = sl_snap6_route(w->snap, rs_ip);
	struct sl_v6key reply, orig;

	*why = SL_DROP_NO_ROUTE;
	if (rt == NULL)
		return NULL;
	*why = sl_worker_take_local6(w, rt->port, rs_ip, rs->port, pkt->proto, &reply);
	if (*why != SL_DROP_NONE)
		return NULL;
	struct sl_conn *c = entry6(w, pkt, SL_CONN_X_V6_ORIG | SL_CONN_X_V6_REPLY,
				   &orig, why);
	if (c == NULL)
		return NULL;
	struct sl_v6key to = sl_v6key_reverse(&reply);
	sl_ct_set_v6key(&w->ct, c, SL_DIR_REPLY, &reply);
	c->csum_l4 = sl_nat66_delta(&orig, &to);
	c->trusted_port = rt->port;
	return c;
}

/* NAT64: a v4 local address and port of this worker's share on the port
 * the v4 server's route leaves by, as v4 full-NAT takes them, so the
 * server's replies find this worker by the port; the REPLY key v4. */
static struct sl_conn *open_nat64(struct sl_worker *w, const struct sl_pkt *pkt,
				  const struct sl_snap_rs *rs, enum sl_drop *why)
{
	const struct sl_snap_route *rt = sl_snap_route(w->snap, rs->ip);
	struct sl_v4key rs_side = {rs->ip, 0, rs->port, 0}, reply;
	struct sl_v6key orig;

	*why = SL_DROP_NO_ROUTE;
	if (rt == NULL)
		return NULL;
	*why = sl_worker_take_local(w, rt->port, &rs_side, pkt->proto, &reply);
	if (*why != SL_DROP_NONE)
		return NULL;
	struct sl_conn *c = entry6(w, pkt, SL_CONN_X_V6_ORIG, &orig, why);
	if (c == NULL)
		return NULL;
	c->key[SL_DIR_REPLY] = reply;
	c->trusted_port = rt->port;
	return c;
}

/* A client's first packet for a v6 service, on the worker owning its
 * flow: the new connection, or NULL when the packet was consumed. */
static struct sl_conn *new_connection6(struct sl_worker *w, struct rte_mbuf *m,
				       struct sl_pkt *pkt,
				       const struct sl_snap_svc *svc)
{
	enum sl_drop why;

	if (pkt->proto == SL_IPPROTO_TCP && !sl_tcp_is_syn(pkt->tcp_flags)) {
		sl_worker_drop(w, m, SL_DROP_NO_CONNECTION);
		return NULL;
	}
	if (pkt->ip6->hop_limit <= 1) {
		sl_worker_time_exceeded6(w, m, pkt);
		return NULL;
	}
	if (svc->seq_len == 0) {
		refuse6(w, m, pkt, svc);
		return NULL;
	}
	const struct sl_snap_rs *rs = sl_worker_pick(w, svc, pkt);
	struct sl_conn *c = (svc->flags & SL_SVC_NAT64) ? open_nat64(w, pkt, rs, &why)
							: open_fnat66(w, pkt, rs, &why);
	if (c == NULL)
		goto drop;
	c->svc_id = svc->id;
	c->rs_id = rs->id;
	if (!sl_worker_admit(w, c)) {
		why = SL_DROP_TABLE_FULL;
		goto drop;
	}
	return c;

drop:
	sl_worker_drop(w, m, why);
	return NULL;
}

/* A packet to one of our v6 local addresses that matched nothing here. */
static void to_local6(struct sl_worker *w, struct rte_mbuf *m, struct sl_pkt *pkt,
		      const struct sl_snap6_addr *a)
{
	/* Servers answer from the local address's own side only: anything
	 * else must not take the ring their replies cross (worker_miss.c). */
	if (sl_unlikely(a->port != w->dp->port_of_ethdev[m->port])) {
		sl_worker_drop(w, m, SL_DROP_INGRESS_WRONG_PORT);
		return;
	}
	sl_worker_to_lport_owner(w, m, pkt); /* worker_sync.c */
}

struct sl_conn *sl_worker_miss6(struct sl_worker *w, struct rte_mbuf *m,
				struct sl_pkt *pkt)
{
	const struct sl_snapshot *s = w->snap;
	const struct sl_snap6_addr *a = sl_snap6_find_addr(s, pkt->ip6->daddr);

	if (a == NULL) {
		/* A server's reply to a peer's local address (session sync). */
		if (sl_unlikely(s->nsynced) && sl_snap_synced(s, pkt->ip6->daddr, true))
			sl_worker_to_synced(w, m, pkt); /* worker_sync.c */
		else
			sl_worker_drop(w, m, SL_DROP_IPV6_NOT_SERVED);
		return NULL;
	}
	if (a->kinds & SL_ADDR_VIP) {
		const struct sl_snap_svc *svc = sl_snap6_find_svc(
			s, pkt->ip6->daddr, pkt->key.dport, pkt->proto);
		if (svc != NULL) {
			unsigned owner = sl_flow_owner(pkt->hash, w->nworkers);
			if (owner != w->id) {
				sl_worker_steer_flow(w, m, owner);
				return NULL;
			}
			return new_connection6(w, m, pkt, svc);
		}
	}
	if (a->kinds & SL_ADDR_LIP) {
		to_local6(w, m, pkt, a);
		return NULL;
	}
	sl_worker_drop(w, m, (a->kinds & SL_ADDR_VIP) ? SL_DROP_NO_SERVICE
						     : SL_DROP_TO_HOST);
	return NULL;
}
