/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Full-NAT 6->6 packets of known connections (issue 15): worker.c's
 * forward() for IPv6. Both directions are looked up in the one table
 * (sl_ct_lookup6, hashed by the parse with sl_flow_hash6); a miss goes
 * to worker_miss6.c. Then as for v4: the trusted side's port, the hop
 * limit (time exceeded, worker_err6.c), the egress MTU (Packet Too Big),
 * the RST/FIN sanity check and the TCP state machine (worker_conn.h),
 * the SYN's MSS clamped to the egress MTU less 60 bytes, the timer, the
 * rewrite (nat66.h), and the next hop, cached in the entry like v4's
 * (nh_slot indexes the neighbor view's v6 table for a v6 direction).
 *
 * A NAT64 entry (v4 REPLY key) is worker_nat64.c's: its client's packets
 * are handed there. A flushed connection's segments are answered with
 * RSTs, as v4's (sl_worker_flushed, worker_reject.c).
 */
#include <rte_mbuf.h>

#include "nat66.h"
#include "worker_conn.h"
#include "worker6.h"

/* worker.h's sl_worker_trusted_port for a v6 source: the trusted side
 * (the server) on its connection's port, or where the route to it now
 * leaves. */
static bool trusted_port6(const struct sl_worker *w, const struct rte_mbuf *m,
			  struct sl_conn *c, enum sl_dir dir, const uint8_t src[16])
{
	uint8_t in_port = w->dp->port_of_ethdev[m->port];

	if (dir != SL_DIR_REPLY || sl_likely(in_port == c->trusted_port))
		return true;
	const struct sl_snap6_route *rt = sl_snap6_route(w->snap, src);
	if (rt == NULL || rt->port != in_port)
		return false;
	c->trusted_port = in_port;
	return true;
}


/* A SYN's MSS lowered to what the port its answers leave by carries
 * (v6 header 40 bytes, TCP 20), as worker.c's clamp_mss. `back` is where
 * the answers go: this packet's source. */
static void clamp_mss6(struct sl_worker *w, struct sl_pkt *pkt, struct sl_conn *c,
		       enum sl_dir dir, const uint8_t back[16])
{
	uint16_t mtu = sl_worker_mtu_of(w, sl_worker_port_out6(w, c, dir ^ 1, back));
	uint16_t hdrs = SL_IPV6_HLEN + sizeof(struct sl_tcp_hdr);

	if (mtu > hdrs && sl_tcp_clamp_mss(pkt->l4, pkt->l4_len, (uint16_t)(mtu - hdrs)))
		w->stats.mss_clamped++;
}


static void forward6(struct sl_worker *w, struct rte_mbuf *m, struct sl_pkt *pkt,
		     struct sl_conn *c, enum sl_dir dir)
{
	struct sl_v6key other, to;

	if (sl_unlikely(!trusted_port6(w, m, c, dir, pkt->ip6->saddr))) {
		sl_worker_drop(w, m, SL_DROP_INGRESS_WRONG_PORT);
		return;
	}
	if (sl_unlikely(c->flags & SL_CONN_F_FLUSHED)) { /* never SNAT in v6 */
		sl_worker_flushed(w, m, pkt, c, dir); /* worker_reject.c */
		return;
	}
	if (sl_unlikely(pkt->ip6->hop_limit <= 1)) {
		sl_worker_time_exceeded6(w, m, pkt);
		return;
	}
	sl_ct_get_v6key(&w->ct, c, dir ^ 1, &other);
	to = sl_v6key_reverse(&other);
	if (sl_unlikely(pkt->ip_len > sl_dataplane_mtu_min(w->dp))) {
		uint16_t mtu = sl_worker_mtu_of(w, sl_worker_port_out6(w, c, dir, to.daddr));
		if (mtu != 0 && pkt->ip_len > mtu) {
			sl_worker_too_big6(w, m, pkt, mtu);
			return;
		}
	}
	if (pkt->proto == SL_IPPROTO_TCP) {
		bool syn;
		if (!sl_worker_track_tcp(w, m, pkt, c, dir, &syn))
			return;
		if (syn)
			clamp_mss6(w, pkt, c, dir, pkt->ip6->saddr);
	}
	sl_ct_set_expire(&w->ct, c, w->now_ms + w->snap->timeouts_ms[c->state]);
	sl_worker_count_traffic(w, m, c, dir);
	sl_worker_sync_reply(w, c, dir);
	sl_nat66_rewrite(pkt, &to, dir == SL_DIR_ORIG ? c->csum_l4
						      : sl_csum_negate(c->csum_l4));
	sl_worker_send6(w, m, c, dir, to.daddr);
}

void sl_worker_ipv6(struct sl_worker *w, struct rte_mbuf *m, struct sl_pkt *pkt)
{
	struct sl_v6key key;

	if (pkt->proto != SL_IPPROTO_TCP && pkt->proto != SL_IPPROTO_UDP) {
		/* Another protocol to an address Sluice owns is one it does
		 * not serve; to any other, not Sluice's at all. */
		sl_worker_drop(w, m, sl_snap6_find_addr(w->snap, pkt->ip6->daddr)
					     ? SL_DROP_IPV6_PROTO_UNSUPPORTED
					     : SL_DROP_IPV6_NOT_SERVED);
		return;
	}
	sl_nat66_key(pkt, &key);
	uint32_t ref = sl_ct_lookup6(&w->ct, &key, pkt->proto, pkt->hash);
	if (sl_likely(ref != SL_CT_NONE)) {
		struct sl_conn *c = sl_ct_conn(&w->ct, ref);
		/* A v6 REPLY key's packet is a reply; NAT64's ORIG is v6
		 * and its REPLY v4 (its replies come through worker.c). */
		if (sl_unlikely(!sl_conn_v6(c, SL_DIR_REPLY))) {
			sl_worker_nat64_out(w, m, pkt, c);
			return;
		}
		if (sl_ct_ref_dir(ref) == SL_DIR_REPLY)
			sl_worker_count_reply(w, m);
		forward6(w, m, pkt, c, sl_ct_ref_dir(ref));
		return;
	}
	struct sl_conn *c = sl_worker_miss6(w, m, pkt);
	if (c == NULL)
		return;
	if (sl_conn_v6(c, SL_DIR_REPLY))
		forward6(w, m, pkt, c, SL_DIR_ORIG);
	else
		sl_worker_nat64_out(w, m, pkt, c);
}
