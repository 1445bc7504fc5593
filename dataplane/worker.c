/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The worker's loop and its per-packet fast path: parse, look up, rewrite,
 * transmit. Misses (new connections, steering, local traffic) continue in
 * worker_miss.c and worker_local.c; control messages and snapshot changes
 * in worker_ctl.c.
 *
 * A burst is processed in three passes so that memory latency overlaps
 * (as l3fwd's em_hlm does): parse every packet and prefetch its hash
 * bucket, then read each bucket and prefetch the candidate connection,
 * then do the work. With a million connections neither the buckets nor
 * the entries are in cache, and this is what keeps the cost per packet
 * close to the cost of one memory access rather than several. IPv6
 * packets take the same two passes (their hash is the v6 key's). While
 * any connection has an extension line (v6 and NAT64 ones: a v6 key's
 * addresses live there, conn.h), each candidate's with one is asked for
 * between passes 2 and 3, v4 NAT64 replies' too.
 */
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_prefetch.h>
#include <unistd.h>

#include "csum.h"
#include "rx_csum.h"
#include "icmp_error.h"
#include "icmp6_error.h"
#include "nat.h"
#include "pkt.h"
#include "worker_conn.h"
#include "worker6.h"
#include "worker_expire.h"
#include "worker_sync.h"

static inline uint8_t *frame_of(struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod(m, uint8_t *);
}

static void hairpin(struct sl_worker *w, struct rte_mbuf *m, struct sl_pkt *pkt);

/* A packet longer than some port's MTU: is it longer than the MTU of the
 * port it leaves by? Asked before the rewrite, so an ICMP error quotes
 * the packet as its sender sent it. True: consumed (too_big). */
static bool too_big(struct sl_worker *w, struct rte_mbuf *m, struct sl_pkt *pkt,
		    struct sl_conn *c, enum sl_dir dir)
{
	uint16_t mtu = sl_worker_mtu_out4(w, c, dir);

	if (mtu == 0 || sl_ntohs(pkt->ip->total_len) <= mtu)
		return false;
	sl_worker_too_big(w, m, pkt, mtu); /* worker_local.c */
	return true;
}

/* A SYN's MSS lowered to what the port its answers leave by (the other
 * direction's way out: a VLAN port's own MTU) carries, so the other end
 * never sends a segment Sluice must refuse (tcp_state.h). */
static void clamp_mss(struct sl_worker *w, struct sl_pkt *pkt, struct sl_conn *c,
		      enum sl_dir dir)
{
	uint16_t mtu = sl_worker_mtu_out4(w, c, dir ^ 1);

	if (mtu > SL_IPV4_HLEN + sizeof(struct sl_tcp_hdr) &&
	    sl_tcp_clamp_mss(pkt->l4, pkt->l4_len,
			     (uint16_t)(mtu - SL_IPV4_HLEN - sizeof(struct sl_tcp_hdr))))
		w->stats.mss_clamped++;
}

/* A packet of an existing connection: track state, re-arm the timer,
 * count, rewrite and send. */
static inline __attribute__((always_inline)) void
forward(struct sl_worker *w, struct rte_mbuf *m, struct sl_pkt *pkt,
	struct sl_conn *c, enum sl_dir dir)
{
	if (sl_unlikely(!sl_worker_trusted_port(w, m, c, dir, pkt->key.saddr))) {
		sl_worker_drop(w, m, SL_DROP_INGRESS_WRONG_PORT);
		return;
	}
	/* The bit means SYNACK_ORIG on an SNAT session (conn.h). */
	if (sl_unlikely((c->flags & (SL_CONN_F_FLUSHED | SL_CONN_F_SNAT)) ==
			SL_CONN_F_FLUSHED)) {
		sl_worker_flushed(w, m, pkt, c, dir); /* worker_reject.c */
		return;
	}
	if (sl_unlikely(pkt->ip->ttl <= 1)) {
		sl_worker_time_exceeded(w, m, pkt);
		return;
	}
	if (sl_unlikely(sl_ntohs(pkt->ip->total_len) > sl_dataplane_mtu_min(w->dp)) &&
	    too_big(w, m, pkt, c, dir))
		return;
	if (pkt->proto == SL_IPPROTO_TCP) {
		bool syn;
		if (!sl_worker_track_tcp(w, m, pkt, c, dir, &syn))
			return;
		if (syn)
			clamp_mss(w, pkt, c, dir);
	}
	const struct sl_snapshot *s = w->snap;
	bool snat = c->flags & SL_CONN_F_SNAT;
	const uint32_t *timeouts = snat ? s->snat_timeouts_ms : s->timeouts_ms;
	sl_ct_set_expire(&w->ct, c, w->now_ms + timeouts[c->state]);

	if (sl_likely(!snat)) {
		sl_worker_count_traffic(w, m, c, dir);
		sl_worker_sync_reply(w, c, dir); /* a UDP flow syncs on its reply */
	}

	sl_nat_rewrite(pkt, c, dir);
	if (sl_unlikely(snat)) {
		enum sl_snat_next next = sl_worker_snat_after(w, m, pkt, c, dir);
		if (next == SL_SNAT_HAIRPIN)
			hairpin(w, m, pkt);
		if (next != SL_SNAT_SEND)
			return;
	}

	sl_worker_send4(w, m, c, dir, pkt->key.daddr);
}

/* A hairpinned SNAT packet, rewritten to go from our pool to our pool,
 * arrives again as if from outside: its session, or a new inbound one. */
static void hairpin(struct sl_worker *w, struct rte_mbuf *m, struct sl_pkt *pkt)
{
	uint32_t ref = sl_ct_lookup(&w->ct, &pkt->key, pkt->proto,
				    sl_flow_hash(&pkt->key, pkt->proto));
	struct sl_conn *c;

	if (ref != SL_CT_NONE) {
		forward(w, m, pkt, sl_ct_conn(&w->ct, ref), sl_ct_ref_dir(ref));
		return;
	}
	/* The pool may have left the configuration while this session,
	 * made when it was there, lives on. */
	const struct sl_snap_addr *pool = sl_snap_find_addr(w->snap, pkt->key.daddr);
	if (pool == NULL) {
		sl_worker_drop(w, m, SL_DROP_SNAT_NO_MAPPING);
		return;
	}
	c = sl_worker_snat_in(w, m, pkt, pool);
	if (c != NULL)
		forward(w, m, pkt, c, SL_DIR_REPLY);
}

/* A packet the table does not know: the connection it opens, if any. */
static void miss(struct sl_worker *w, struct rte_mbuf *m, struct sl_pkt *pkt)
{
	enum sl_dir dir = SL_DIR_ORIG;
	struct sl_conn *c = sl_worker_miss(w, m, pkt, &dir);

	if (c != NULL)
		forward(w, m, pkt, c, dir);
}

/* ICMP: echo requests and replies are queries an SNAT session may own
 * (keyed by identifier); errors are translated through their quote. */
static void handle_icmp(struct sl_worker *w, struct rte_mbuf *m, struct sl_pkt *pkt)
{
	const struct sl_icmp_hdr *icmp = (const void *)pkt->l4;

	if (icmp->type == SL_ICMP_ECHO_REQUEST || icmp->type == SL_ICMP_ECHO_REPLY) {
		uint32_t ref = sl_ct_lookup(&w->ct, &pkt->key, pkt->proto, pkt->hash);
		if (ref != SL_CT_NONE) {
			forward(w, m, pkt, sl_ct_conn(&w->ct, ref), sl_ct_ref_dir(ref));
			return;
		}
		miss(w, m, pkt);
		return;
	}
	if (sl_icmp_is_error(icmp->type)) {
		sl_worker_icmp_translate(w, m, pkt);
		return;
	}
	sl_worker_local(w, m, pkt);
}

static inline void handle_one(struct sl_worker *w, struct rte_mbuf *m,
			      struct sl_pkt *pkt, enum sl_drop why, uint32_t cand)
{
	if (sl_unlikely(why != SL_DROP_NONE)) {
		sl_worker_drop(w, m, why);
		return;
	}
	if (sl_unlikely(pkt->kind == SL_PKT_IPV6)) {
		if (pkt->proto == SL_IPPROTO_ICMPV6 && sl_icmp6_is_relayed_error(pkt->l4[0]))
			sl_worker_icmp6_error(w, m, pkt); /* worker_icmp6.c */
		else if (pkt->proto == SL_IPPROTO_ICMPV6 && pkt->l4[0] == SL_ICMP6_ECHO_REQUEST)
			sl_worker_echo6(w, m, pkt); /* worker_err6.c */
		else if (pkt->proto == SL_IPPROTO_ICMPV6) /* NDP: worker_ndp.c */
			sl_worker_icmp6(w, m, pkt);
		else
			sl_worker_ipv6(w, m, pkt); /* worker_fwd6.c */
		return;
	}
	if (sl_likely(pkt->kind == SL_PKT_IPV4 &&
		      (pkt->proto == SL_IPPROTO_TCP || pkt->proto == SL_IPPROTO_UDP))) {
		/* The candidate pass 2 found is almost always the one; the
		 * full lookup covers collisions, overflow and connections
		 * created earlier in this burst. */
		uint32_t ref = cand != SL_CT_NONE &&
					       sl_ct_matches(&w->ct, cand, &pkt->key, pkt->proto)
				       ? cand
				       : sl_ct_lookup(&w->ct, &pkt->key, pkt->proto, pkt->hash);
		if (sl_likely(ref != SL_CT_NONE)) {
			struct sl_conn *c = sl_ct_conn(&w->ct, ref);
			if (sl_ct_ref_dir(ref) == SL_DIR_REPLY)
				sl_worker_count_reply(w, m);
			/* A v4 key of a v6 connection: a NAT64 server's
			 * reply (worker_nat64.c). */
			if (sl_unlikely(c->shape & SL_CONN_X_V6_ORIG))
				sl_worker_nat64_back(w, m, pkt, c);
			else
				forward(w, m, pkt, c, sl_ct_ref_dir(ref));
			return;
		}
		miss(w, m, pkt);
		return;
	}
	if (pkt->kind == SL_PKT_IPV4 && pkt->proto == SL_IPPROTO_ICMP)
		handle_icmp(w, m, pkt);
	else
		sl_worker_local(w, m, pkt);
}

/* Software checks the NIC did not do for this packet (rx_csum.h). */
static inline unsigned verify_flags(const struct sl_worker *w,
				    const struct rte_mbuf *m)
{
	return sl_rx_csum_verify(w->parse_verify, w->dp->csum_trust[m->port],
				 m->ol_flags);
}

/* A unicast frame for another MAC (flooded unknown unicast on a shared
 * segment, a port in promiscuous mode) is not Sluice's to forward: doing
 * so would duplicate the traffic. Broadcast and multicast go on to the
 * parser's judgement (ARP requests are broadcast). */
static inline bool for_another_mac(const struct sl_worker *w, const struct rte_mbuf *m,
				   const uint8_t *frame)
{
	uint8_t port = w->dp->port_of_ethdev[m->port];

	return !(frame[0] & 1) && port < SL_MAX_PORTS &&
	       memcmp(frame, w->snap->ports[port].mac, 6) != 0;
}

/* Between passes 2 and 3, while the table holds any connection with an
 * extension: the extension line of each candidate that has one, whose
 * entry pass 2 asked for (its index is in the entry). Mostly in by now:
 * the first entries arrived while the later ones were asked for. Every
 * v6 key's candidate has one (its addresses), and so has a v4 one of
 * NAT64 (the server's replies: the client's v6 key is there), which its
 * reference does not tell apart from plain v4: the entry says. */
static void prefetch_ext(const struct sl_worker *w, const uint32_t *cand, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++) {
		if (cand[i] == SL_CT_NONE)
			continue;
		const struct sl_conn_ext *x = sl_ct_ext(&w->ct, sl_ct_conn(&w->ct, cand[i]));
		if (x != NULL)
			rte_prefetch0(x);
	}
}

void sl_worker_burst(struct sl_worker *w, struct rte_mbuf **pkts, uint16_t n)
{
	struct sl_pkt meta[SL_BURST];
	uint32_t cand[SL_BURST];
	uint8_t why[SL_BURST];

	uint64_t rx_bytes = 0;

	for (uint16_t i = 0; i < n && i < 4; i++)
		rte_prefetch0(frame_of(pkts[i]));
	/* Pass 1: parse, prefetch the home bucket. */
	for (uint16_t i = 0; i < n; i++) {
		if (i + 4 < n)
			rte_prefetch0(frame_of(pkts[i + 4]));
		struct rte_mbuf *m = pkts[i];
		unsigned verify = verify_flags(w, m);
		rx_bytes += rte_pktmbuf_pkt_len(m);
		why[i] = sl_likely(sl_parse_fast(frame_of(m), rte_pktmbuf_data_len(m),
						 verify, &meta[i]))
				 ? SL_DROP_NONE
				 : (uint8_t)sl_parse(frame_of(m), rte_pktmbuf_data_len(m),
						     verify, &meta[i]);
		if (sl_unlikely(why[i] == SL_DROP_NONE &&
				for_another_mac(w, m, frame_of(m))))
			why[i] = SL_DROP_L2_OTHER_HOST;
		/* IPv4 or IPv6: an ARP frame has no hash. */
		if (why[i] == SL_DROP_NONE && meta[i].kind != SL_PKT_ARP)
			rte_prefetch0(sl_ct_home(&w->ct, meta[i].hash));
	}
	w->stats.rx_packets += n;
	w->stats.rx_bytes += rx_bytes;
	/* Pass 2: prefetch the connection the bucket points at. */
	for (uint16_t i = 0; i < n; i++) {
		cand[i] = SL_CT_NONE;
		if (why[i] != SL_DROP_NONE || meta[i].kind == SL_PKT_ARP)
			continue;
		cand[i] = sl_ct_candidate(&w->ct, meta[i].hash);
		if (cand[i] != SL_CT_NONE)
			rte_prefetch0(sl_ct_conn(&w->ct, cand[i]));
	}
	/* One branch a burst while no connection has an extension. */
	if (w->ct.ext_used != 0)
		prefetch_ext(w, cand, n);
	/* Pass 3: the work. */
	for (uint16_t i = 0; i < n; i++)
		handle_one(w, pkts[i], &meta[i], (enum sl_drop)why[i], cand[i]);
}

void sl_worker_received(struct sl_worker *w, unsigned port, struct rte_mbuf **pkts,
			uint16_t n)
{
	if (sl_unlikely(w->dp->rx_mode[port] == SL_RX_VLAN))
		n = sl_worker_vlan_rx(w, port, pkts, n);
	if (sl_unlikely(w->cap != NULL) && n)
		sl_worker_capture_rx(w, port, pkts, n);
	if (n)
		sl_worker_burst(w, pkts, n);
}

void sl_worker_begin(struct sl_worker *w)
{
	w->now_ms = (uint32_t)(rte_rdtsc() / w->tsc_per_ms) + w->clock_skew_ms;
	const struct sl_snapshot *s =
		__atomic_load_n(&w->dp->snapshot, __ATOMIC_ACQUIRE);
	w->snap = s;
	/* The one read a capture costs when there is none (capture.h). */
	w->cap = __atomic_load_n(&w->dp->capture, __ATOMIC_ACQUIRE);
	/* After the snapshot: neighbors are published before the snapshot
	 * that needs them, so these are at least as new. */
	w->neigh = __atomic_load_n(&w->dp->neigh, __ATOMIC_ACQUIRE);
	w->nh_epoch = (uint32_t)(s->generation + w->neigh->generation);
	if (sl_unlikely(s->generation != w->snap_generation))
		sl_worker_sync_snapshot(w);
}

/* Up to a burst of what one ring holds, processed as if received. */
static unsigned drain_ring(struct sl_worker *w, struct rte_ring *r)
{
	struct rte_mbuf *pkts[SL_BURST];
	unsigned n = rte_ring_sc_dequeue_burst(r, (void **)pkts, SL_BURST, NULL);

	if (n == 0)
		return 0;
	w->stats.steered_in += n;
	/* Counted once already by the worker that received them; don't
	 * count them as received twice. */
	w->stats.rx_packets -= n;
	for (unsigned i = 0; i < n; i++)
		w->stats.rx_bytes -= rte_pktmbuf_pkt_len(pkts[i]);
	w->from_ring = true;
	sl_worker_burst(w, pkts, (uint16_t)n);
	w->from_ring = false;
	return n;
}

/* Servers' replies, then source NAT's packets, then clients' packets
 * that had no connection where they arrived, each at most a burst per
 * ring per turn: however many a flood puts in the snat or flow rings,
 * this worker's work on them per turn is bounded, and the replies are
 * never behind them. */
unsigned sl_worker_drain_steered(struct sl_worker *w)
{
	unsigned got = 0;

	for (unsigned j = 0; j < w->nworkers; j++)
		if (w->steer_in[j])
			got += drain_ring(w, w->steer_in[j]);
	for (unsigned j = 0; j < w->nworkers; j++)
		if (w->snat_in[j])
			got += drain_ring(w, w->snat_in[j]);
	for (unsigned j = 0; j < w->nworkers; j++)
		if (w->flow_in[j])
			got += drain_ring(w, w->flow_in[j]);
	return got;
}

void sl_worker_tail(struct sl_worker *w)
{
	sl_worker_flush(w);
	if (w->nhold)
		sl_worker_hold_retry(w);
	if (w->nhold6)
		sl_worker_hold6_retry(w);
	sl_ct_expire(&w->ct, w->now_ms, SL_EXPIRE_BUDGET, sl_worker_on_expire, w);
	if (sl_unlikely(w->sync != NULL))
		sl_worker_sync_tail(w); /* after expiry: its GONE records too */
	if ((++w->loops & 15) == 0 || w->dump || w->flush)
		sl_worker_control(w);
}

unsigned sl_worker_poll(struct sl_worker *w)
{
	struct rte_mbuf *pkts[SL_BURST];
	unsigned got = 0;

	sl_worker_begin(w);
	for (unsigned p = 0; p < w->dp->nports; p++) {
		uint8_t mode = w->dp->rx_mode[p];
		if (mode == SL_RX_SHARED)
			continue; /* polled through its device's first port */
		uint16_t n = rte_eth_rx_burst(w->dp->ethdev[p], w->id, pkts, SL_BURST);
		if (n) {
			sl_worker_received(w, p, pkts, n);
			got += n;
		}
	}
	if (sl_unlikely(w->dp->host_mask))
		got += sl_worker_from_host(w);
	got += sl_worker_drain_steered(w);
	sl_worker_tail(w);
	return got;
}

static void idle_backoff(struct sl_worker *w, unsigned got)
{
	if (got || w->nhold || w->nhold6 || w->dump || w->flush) {
		w->empty_polls = 0;
		return;
	}
	if (w->idle_sleep_us == 0 || ++w->empty_polls < w->idle_empty_polls)
		return;
	/* Offline while asleep, so a grace period never waits for us. */
	rte_rcu_qsbr_thread_offline(w->dp->qsbr, w->id);
	usleep(w->idle_sleep_us);
	rte_rcu_qsbr_thread_online(w->dp->qsbr, w->id);
	w->stats.idle_sleeps++;
}

int sl_worker_main(void *arg)
{
	struct sl_worker *w = arg;
	struct rte_rcu_qsbr *qs = w->dp->qsbr;

	rte_rcu_qsbr_thread_register(qs, w->id);
	rte_rcu_qsbr_thread_online(qs, w->id);
	while (!__atomic_load_n(&w->dp->stop, __ATOMIC_RELAXED)) {
		unsigned got = sl_worker_poll(w);
		rte_rcu_qsbr_quiescent(qs, w->id);
		idle_backoff(w, got);
	}
	sl_worker_flush(w);
	rte_rcu_qsbr_thread_offline(qs, w->id);
	rte_rcu_qsbr_thread_unregister(qs, w->id);
	return 0;
}
