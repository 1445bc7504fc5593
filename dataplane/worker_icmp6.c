/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ICMPv6 errors about full-NAT 6->6 connections (issue 15), what
 * worker_icmp.c does for v4: Destination Unreachable, Packet Too Big
 * and Time Exceeded sent to a v6 VIP or local address, quoting a packet
 * Sluice sent, are carried back through the connection the quote names
 * (and, for a NAT64 connection, Parameter Problem too, to the server as
 * ICMPv4: worker_nat64.c)
 * (core/icmp6_error.h has the packet side). Reversed, the quote is the
 * key of the direction the error travels in, d:
 *
 *   d = REPLY (from the server side, to a local address)
 *       quote := key[ORIG]; VIP -> client
 *   d = ORIG (from the client side, to the VIP)
 *       quote := key[REPLY]; local address -> server
 *
 * so the outer header always runs from the quote's destination to its
 * source. A Packet Too Big's MTU is clamped to the MTU of the port the
 * error leaves by (never raised) and never set below IPv6's 1280.
 * Errors are only read against the table: they never create, refresh
 * or remove a connection.
 */
#include <rte_mbuf.h>

#include "icmp6_error.h"
#include "worker6.h"

#define IPV6_MIN_MTU 1280

/* An error whose quote names no connection of this worker's: to the
 * worker that owns it, found as the quoted packet's own answers find it
 * (worker_miss6.c); on that worker, icmp6_no_connection. `hash` is the
 * hash of the quote reversed. */
static void to_owner6(struct sl_worker *w, struct rte_mbuf *m,
		      const struct sl_snap6_addr *a, const struct sl_icmp6_inner *in,
		      uint32_t hash)
{
	unsigned owner = w->id;

	if (a->kinds & SL_ADDR_LIP) {
		/* Only from the local address's side: the ring a server's
		 * replies take is not for anyone else. */
		if (a->port != w->dp->port_of_ethdev[m->port]) {
			sl_worker_drop(w, m, SL_DROP_ICMP6_WRONG_SIDE);
			return;
		}
		owner = sl_port_owner(sl_ntohs(in->key.sport), w->nworkers);
		if (owner != w->id) {
			sl_worker_steer(w, m, owner);
			return;
		}
	} else if (a->kinds & SL_ADDR_VIP) {
		owner = sl_flow_owner(hash, w->nworkers);
		if (owner != w->id) {
			sl_worker_steer_flow(w, m, owner);
			return;
		}
	}
	sl_worker_drop(w, m, SL_DROP_ICMP6_NO_CONNECTION);
}

/* From the side the quoted packet went to: sent to the address it came
 * from, and from the server side only on its connection's port. */
static bool from_its_side(const struct sl_worker *w, const struct rte_mbuf *m,
			  const struct sl_pkt *pkt, const struct sl_conn *c,
			  enum sl_dir d, const struct sl_icmp6_inner *in)
{
	if (!sl_snap6_eq(pkt->ip6->daddr, in->key.saddr))
		return false;
	return d != SL_DIR_REPLY || w->dp->port_of_ethdev[m->port] == c->trusted_port;
}

/* The MTU a Packet Too Big carries on: the reported one, no more than
 * the port toward `dst` carries, no less than 1280 (RFC 8200 5). 0 for
 * the other errors (unchanged). */
static uint32_t relayed_mtu(const struct sl_worker *w, const struct sl_pkt *pkt,
			    const uint8_t dst[16])
{
	const struct sl_snap6_route *rt = sl_snap6_route(w->snap, dst);
	uint32_t mtu = sl_icmp6_ptb_mtu(pkt);

	if (pkt->l4[0] != SL_ICMP6_PKT_TOO_BIG)
		return 0;
	if (rt != NULL && w->dp->mtu[rt->port] != 0 && mtu > w->dp->mtu[rt->port])
		mtu = w->dp->mtu[rt->port];
	return mtu < IPV6_MIN_MTU ? IPV6_MIN_MTU : mtu;
}

void sl_worker_icmp6_error(struct sl_worker *w, struct rte_mbuf *m, struct sl_pkt *pkt)
{
	const struct sl_snap6_addr *a = sl_snap6_find_addr(w->snap, pkt->ip6->daddr);
	struct sl_icmp6_inner in;
	struct sl_v6key quote;

	if (a == NULL) {
		sl_worker_drop(w, m, SL_DROP_IPV6_NOT_SERVED);
		return;
	}
	enum sl_drop why = sl_icmp6_error_parse(pkt, &in);
	if (why != SL_DROP_NONE) {
		sl_worker_drop(w, m, why);
		return;
	}
	struct sl_v6key want = sl_v6key_reverse(&in.key);
	uint32_t hash = sl_flow_hash6(&want, in.proto);
	uint32_t ref = sl_ct_lookup6(&w->ct, &want, in.proto, hash);
	if (ref == SL_CT_NONE) {
		to_owner6(w, m, a, &in, hash);
		return;
	}
	struct sl_conn *c = sl_ct_conn(&w->ct, ref);
	enum sl_dir d = sl_ct_ref_dir(ref);
	if (!from_its_side(w, m, pkt, c, d, &in)) {
		sl_worker_drop(w, m, SL_DROP_ICMP6_WRONG_SIDE);
		return;
	}
	if (pkt->ip6->hop_limit <= 1) { /* no error about an error (RFC 4443) */
		sl_worker_drop(w, m, SL_DROP_TTL_EXCEEDED);
		return;
	}
	if (!sl_conn_v6(c, d ^ 1)) { /* NAT64: to the v4 server as ICMPv4 */
		sl_worker_nat64_icmp6(w, m, pkt, c);
		return;
	}
	if (pkt->l4[0] == SL_ICMP6_PARAM_PROB) { /* NAT64's alone (icmp6_error.h) */
		sl_worker_drop(w, m, SL_DROP_ICMP_UNSUPPORTED);
		return;
	}
	sl_ct_get_v6key(&w->ct, c, d ^ 1, &quote);
	sl_icmp6_error_translate(pkt, &in, &quote, quote.daddr, quote.saddr,
				 relayed_mtu(w, pkt, quote.saddr));
	w->stats.icmp_errors_translated++;
	sl_worker_output6(w, m, quote.saddr);
}
