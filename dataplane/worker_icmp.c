/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ICMP errors about translated packets, for SNAT sessions and full-NAT
 * connections alike (icmp_error.h has the packet side).
 *
 * The quote names the connection: reversed, it is the key of the
 * direction the error travels in, d. The error then becomes what the
 * host on that side would expect: the quote shows the packet as that host
 * sent it (key[!d]), the outer header goes to that host, and where the
 * sender's address would leak an inside address (a client's error about
 * a server's reply, or an inside host's about an outside packet), the
 * outer source becomes ours:
 *
 *   d = REPLY (error from outside / server side)
 *       quote := key[ORIG]; dst := key[ORIG].saddr;
 *       src := full-NAT: the VIP (key[ORIG].daddr); SNAT: unchanged
 *   d = ORIG (error from inside host / client)
 *       quote := key[REPLY]; dst := key[REPLY].saddr;
 *       src := the local or pool address (key[REPLY].daddr)
 *
 * Errors are only read against the table: they never create, refresh or
 * remove a connection or mapping (RFC 5508 REQ-4, RFC 7857 2.2).
 */
#include <rte_mbuf.h>

#include "icmp_error.h"
#include "worker6.h"
#include "worker_conn.h"

/* An error about a connection this worker does not have: to the worker
 * that owns it, if the quote names another; else dropped. `flow_hash` is
 * the hash of the quote reversed (the key the connection is found by). */
static void steer_to_owner(struct sl_worker *w, struct rte_mbuf *m,
			   const struct sl_icmp_inner *in, uint32_t flow_hash)
{
	const struct sl_snapshot *s = w->snap;
	const struct sl_snap_addr *a = sl_snap_find_addr(s, in->key.saddr);
	unsigned owner = w->id; /* no rule names another worker */
	void (*steer)(struct sl_worker *, struct rte_mbuf *, unsigned) =
		sl_worker_steer_snat;

	/* About a packet we sent out from a local address: to a server, so
	 * only from the local address's side; the port says whose it is. */
	if (a && (a->kinds & SL_ADDR_LIP)) {
		if (a->port != w->dp->port_of_ethdev[m->port]) {
			sl_worker_drop(w, m, SL_DROP_INGRESS_WRONG_PORT);
			return;
		}
		owner = sl_ntohs(in->key.sport) % w->nworkers;
		steer = sl_worker_steer;
	}
	/* From a pool address: its port says whose it is. */
	else if (a && (a->kinds & SL_ADDR_POOL))
		owner = sl_ntohs(in->key.sport) % w->nworkers;
	/* From an inside host about a packet it got: its own port. */
	else if (s->nsnat && sl_snap_find_snat(s, in->key.daddr))
		owner = sl_ntohs(in->key.dport) % w->nworkers;
	/* From a client about a VIP's packet: the owner of the client's flow,
	 * by the ring the client's own packets take. */
	else if (a && (a->kinds & SL_ADDR_VIP)) {
		owner = sl_flow_owner(flow_hash, w->nworkers);
		steer = sl_worker_steer_flow;
	}

	if (owner == w->id)
		sl_worker_drop(w, m, SL_DROP_NO_CONNECTION);
	else
		steer(w, m, owner);
}

/* An error with no connection of ours: one sent to the host kernel's
 * address on a tap (a server's port unreachable for a data-path UDP
 * check) is the kernel's, before any rule steers it; any other goes to
 * the worker that owns its connection. */
static void to_host_or_owner(struct sl_worker *w, struct rte_mbuf *m,
			     const struct sl_pkt *pkt, const struct sl_icmp_inner *in,
			     uint32_t flow_hash)
{
	if (sl_unlikely(sl_snap_host_addr(w->snap, pkt->ip->daddr)))
		sl_worker_drop(w, m, SL_DROP_TO_HOST);
	else
		steer_to_owner(w, m, in, flow_hash);
}

/* A "fragmentation needed" (RFC 1191: next-hop MTU in bytes 6-7) under
 * the floor. Only a client's error is judged: it would reach a real server
 * from a local address shared by many clients (dp_types.h). */
static bool below_mtu_floor(const struct sl_snapshot *s, const struct sl_pkt *pkt)
{
	const struct sl_icmp_hdr *icmp = (const void *)pkt->l4;
	const uint8_t *mtu = pkt->l4 + 6;

	return icmp->type == SL_ICMP_DEST_UNREACH && icmp->code == 4 &&
	       (uint16_t)(mtu[0] << 8 | mtu[1]) < s->icmp_mtu_floor;
}

void sl_worker_icmp_translate(struct sl_worker *w, struct rte_mbuf *m,
			      struct sl_pkt *pkt)
{
	struct sl_icmp_inner in;
	enum sl_drop why = sl_icmp_error_parse(pkt, &in);

	if (why != SL_DROP_NONE) {
		sl_worker_drop(w, m, why);
		return;
	}
	struct sl_v4key want = sl_v4key_reverse(&in.key);
	uint32_t hash = sl_flow_hash(&want, in.proto);
	uint32_t ref = sl_ct_lookup(&w->ct, &want, in.proto, hash);
	if (ref == SL_CT_NONE) {
		to_host_or_owner(w, m, pkt, &in, hash);
		return;
	}
	if (pkt->ip->ttl <= 1) { /* no error about an error (RFC 1122) */
		sl_worker_drop(w, m, SL_DROP_TTL_EXCEEDED);
		return;
	}
	struct sl_conn *c = sl_ct_conn(&w->ct, ref);
	enum sl_dir d = sl_ct_ref_dir(ref);
	const struct sl_v4key *quote = &c->key[d ^ 1];
	sl_be32 src = pkt->ip->saddr;

	if (!sl_worker_trusted_port(w, m, c, d, src)) {
		sl_worker_drop(w, m, SL_DROP_INGRESS_WRONG_PORT);
		return;
	}
	/* About a NAT64 connection (its v4 side, from the server): to the
	 * client as ICMPv6 (worker_nat64.c). */
	if (sl_unlikely(sl_conn_v6(c, SL_DIR_ORIG))) {
		sl_worker_nat64_icmp4(w, m, pkt, c);
		return;
	}
	if (d == SL_DIR_ORIG && !(c->flags & SL_CONN_F_SNAT) &&
	    below_mtu_floor(w->snap, pkt)) {
		sl_worker_drop(w, m, SL_DROP_ICMP_MTU_BELOW_FLOOR);
		return;
	}
	if (d == SL_DIR_ORIG)
		src = c->key[SL_DIR_REPLY].daddr;
	else if (!(c->flags & SL_CONN_F_SNAT))
		src = c->key[SL_DIR_ORIG].daddr;
	sl_icmp_error_translate(pkt, &in, quote, src, quote->saddr);
	w->stats.icmp_errors_translated++;
	sl_worker_output(w, m, quote->saddr);
}
