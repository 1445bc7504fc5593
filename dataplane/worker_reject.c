/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ending connections cleanly:
 *
 *  - refusing: a new connection to a service no server takes (all down,
 *    drained or removed) is answered at once, a TCP SYN with an RST and a
 *    UDP datagram with ICMP port unreachable, so clients fail fast instead
 *    of timing out (counted as conns_refused; beyond the reply rate limit
 *    it is a no_real_server drop);
 *
 *  - flushing: the control thread asks every worker to end the
 *    connections of a server (removed with --flush, or down in a service
 *    whose on_down is flush). A worker walks its table a slice per loop
 *    (as dumps do, so a million connections never stall forwarding). UDP
 *    flows are removed at once: the next datagram is a new flow and is
 *    scheduled afresh. A TCP connection is marked flushed and a probe is
 *    sent to each side (reject.h); from then on every segment either
 *    side sends, the probe's answer first, is answered with an exact RST
 *    instead of being forwarded. When both sides have had theirs, or
 *    after the tcp_close timeout, the entry goes. Each side is probed and
 *    reset in its own family: IPv6 for a v6 connection (and for a NAT64
 *    connection's client side), IPv4 otherwise.
 *
 * Pacing: probes are made from nothing, so the walk sends them only as
 * fast as everything after them can take. Each connection probed takes
 * two RSTs from the flush budget (flush.resets_per_sec per worker, a
 * token bucket of its own, not the ICMP errors' limit) and keeps them for
 * its answers, so the RSTs it calls for find themselves paid for; at
 * most FLUSH_PROBED_PER_TURN connections a loop turn, so a TX queue never
 * gets more than a fraction of its descriptors at once; none in a turn
 * after a port refused frames; and probes whose next hop is not resolved
 * yet take at most half of the ARP hold queue. Out of any of these, the
 * walk stops where it is and goes on next turn (resets_deferred). A
 * flush that waited SL_HOLD_MS for hold room gives up on next hops that
 * do not answer: its probes for them are dropped as neigh_unresolved.
 */
#include <stdlib.h>
#include <string.h>

#include <rte_ethdev.h>

#include "conn6.h"
#include "reject.h"
#include "worker6.h"
#include "worker_expire.h"

#define FLUSH_SLICE 4096 /* table entries examined per loop turn, at most */
/* Connections probed per loop turn, at most: 128 probes, an eighth of a
 * 1024-descriptor TX queue, the rest left to forwarding. */
#define FLUSH_PROBED_PER_TURN 64
/* Probes waiting for ARP may fill the hold queue this far, no further:
 * the rest is forwarded traffic's. */
#define FLUSH_HOLD_SHARE (SL_HOLD_MAX / 2)

/* The frame now holds a reset built in place: cut it to size, send it. */
static void send_reset(struct sl_worker *w, struct rte_mbuf *m,
		       struct sl_pkt *pkt)
{
	uint32_t keep = SL_ETH_HLEN + SL_TCP_BARE_LEN;

	rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_pkt_len(m) - keep));
	pkt->eth->type = sl_htons(SL_ETHERTYPE_IPV4);
	sl_worker_output(w, m, pkt->key.daddr);
}

void sl_worker_send_reset6(struct sl_worker *w, struct rte_mbuf *m,
			   struct sl_pkt *pkt)
{
	uint32_t keep = (uint32_t)((uint8_t *)pkt->ip6 - (uint8_t *)pkt->eth) +
			SL_TCP_BARE_LEN6;
	uint8_t to[16];

	/* A copy: the hold queue may keep the address it is given. */
	memcpy(to, pkt->ip6->daddr, 16);
	rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_pkt_len(m) - keep));
	sl_worker_output6(w, m, to);
}

void sl_worker_refuse(struct sl_worker *w, struct rte_mbuf *m,
		      struct sl_pkt *pkt, const struct sl_snap_svc *svc)
{
	bool sent = false;

	if (pkt->proto == SL_IPPROTO_TCP) {
		if (m->nb_segs == 1 && sl_worker_reply_allowed(w)) {
			sl_tcp_rst_reply(pkt);
			send_reset(w, m, pkt);
			sent = true;
		}
	} else {
		sent = sl_worker_icmp_error_try(w, m, pkt, svc->vip,
						SL_ICMP_DEST_UNREACH,
						3 /* port unreachable */);
	}
	if (!sent) {
		sl_worker_drop(w, m, SL_DROP_NO_REAL_SERVER);
		return;
	}
	w->stats.conns_refused++;
	w->svc_stats[svc->id].refused++;
}

/* ---- the RST budget ---- */

/* The bucket holds a hundredth of a second's RSTs, at least 16. */
static uint32_t budget_cap(uint32_t rate)
{
	return rate / 100 > 16 ? rate / 100 : 16;
}

static void budget_refill(struct sl_worker *w)
{
	struct sl_flush_budget *b = &w->flush_budget;
	uint32_t rate = w->snap->flush_resets_per_sec, cap = budget_cap(rate);
	uint64_t add = (uint64_t)rate * (uint32_t)(w->now_ms - b->at_ms) / 1000;

	if (b->tokens + add >= cap) {
		b->tokens = cap;
		b->at_ms = w->now_ms;
	} else if (add) {
		/* Whole tokens only: the time of a part token is kept. */
		b->tokens += (uint32_t)add;
		b->at_ms += (uint32_t)(add * 1000 / rate);
	}
}

/* An RST for a flushed connection: paid for already by its probe, else
 * from the bucket. */
static bool reset_allowed(struct sl_worker *w)
{
	struct sl_flush_budget *b = &w->flush_budget;

	if (b->reserved) {
		b->reserved--;
		return true;
	}
	budget_refill(w);
	if (b->tokens == 0)
		return false;
	b->tokens--;
	return true;
}

/* The two RSTs a connection's probes will ask for, kept for them: no
 * more than a second's worth (an answer that late will not come). */
static void reserve_resets(struct sl_worker *w)
{
	struct sl_flush_budget *b = &w->flush_budget;
	uint32_t most = w->snap->flush_resets_per_sec;

	b->tokens -= 2;
	b->reserved = b->reserved + 2 > most ? most : b->reserved + 2;
}

void sl_worker_flushed(struct sl_worker *w, struct rte_mbuf *m,
		       struct sl_pkt *pkt, struct sl_conn *c, enum sl_dir dir)
{
	const uint8_t both = SL_CONN_F_RESET_ORIG | SL_CONN_F_RESET_REPLY;
	uint8_t side = dir == SL_DIR_ORIG ? SL_CONN_F_RESET_ORIG
					  : SL_CONN_F_RESET_REPLY;
	bool tcp = pkt->proto == SL_IPPROTO_TCP;

	if (!tcp || (pkt->tcp_flags & SL_TCP_RST) || m->nb_segs != 1) {
		/* A side that resets is gone already: nothing to answer. */
		if (tcp && (pkt->tcp_flags & SL_TCP_RST))
			c->flags |= side;
		sl_worker_drop(w, m, SL_DROP_CONN_FLUSHED);
	} else if (!reset_allowed(w)) {
		sl_worker_drop(w, m, SL_DROP_FLUSH_RESET_BUDGET);
	} else if (pkt->kind == SL_PKT_IPV6) {
		sl_tcp_rst_reply6(pkt);
		sl_worker_send_reset6(w, m, pkt);
		c->flags |= side;
		w->stats.resets_sent++;
	} else {
		sl_tcp_rst_reply(pkt);
		send_reset(w, m, pkt);
		c->flags |= side;
		w->stats.resets_sent++;
	}
	if ((c->flags & both) == both)
		sl_ct_set_expire(&w->ct, c, w->now_ms);
}

/* ---- the walk ---- */

/* Room for the probe in m, unless it would wait for its next hop
 * beyond the flush's share of the hold queue: NULL then, m freed. */
static uint8_t *probe_frame(struct sl_worker *w, struct rte_mbuf *m,
			    uint16_t l3_len, bool would_hold)
{
	uint8_t *f = (uint8_t *)rte_pktmbuf_append(m, SL_ETH_HLEN + l3_len);

	if (f == NULL || (w->nhold >= FLUSH_HOLD_SHARE && would_hold)) {
		if (f)
			w->stats.drops[SL_DROP_NEIGH_UNRESOLVED]++;
		rte_pktmbuf_free(m);
		return NULL;
	}
	return f;
}

/* Direction d's probe, in m: a bare ACK from its key's destination to
 * its source (VIP -> client, local address -> server), to be answered
 * (reject.h), in that key's family: a v6 connection's (or a NAT64
 * connection's v6 side's) probe is an IPv6 frame. */
static void probe(struct sl_worker *w, struct rte_mbuf *m,
		  const struct sl_conn *c, enum sl_dir d)
{
	const struct sl_v4key *k = &c->key[d];
	struct sl_v6key k6;
	uint8_t *f;

	if (!sl_conn_v6(c, d)) {
		f = probe_frame(w, m, SL_TCP_BARE_LEN, sl_worker_would_hold(w, k->saddr));
		if (f == NULL)
			return;
		((struct sl_ether_hdr *)f)->type = sl_htons(SL_ETHERTYPE_IPV4);
		sl_tcp_probe_build(f + SL_ETH_HLEN, k->daddr, k->dport, k->saddr, k->sport);
		sl_worker_output(w, m, k->saddr);
		return;
	}
	sl_ct_get_v6key(&w->ct, c, d, &k6);
	f = probe_frame(w, m, SL_TCP_BARE_LEN6, sl_worker_would_hold6(w, k6.saddr));
	if (f == NULL)
		return;
	((struct sl_ether_hdr *)f)->type = sl_htons(SL_ETHERTYPE_IPV6);
	sl_tcp_probe_build6(f + SL_ETH_HLEN, k6.daddr, k6.dport, k6.saddr, k6.sport);
	sl_worker_output6(w, m, k6.saddr);
}

/* Would direction d's probe wait for its next hop? */
static bool probe_would_hold(const struct sl_worker *w, const struct sl_conn *c,
			     enum sl_dir d)
{
	struct sl_v6key k6;

	if (!sl_conn_v6(c, d))
		return sl_worker_would_hold(w, c->key[d].saddr);
	sl_ct_get_v6key(&w->ct, c, d, &k6);
	return sl_worker_would_hold6(w, k6.saddr);
}

/* Room in the hold queue for `need` probes. Without it the walk waits,
 * SL_HOLD_MS at most: held packets leave by then, sent or dropped, so a
 * share still full means next hops that do not answer, and the flush
 * stops holding for them (probe()). */
static bool hold_room(struct sl_worker *w, struct sl_wmsg *msg, unsigned need)
{
	if (need == 0 || w->nhold + need <= FLUSH_HOLD_SHARE || msg->flush.hold_given_up) {
		msg->flush.hold_wait_ms = 0;
		return true;
	}
	if (msg->flush.hold_wait_ms == 0)
		msg->flush.hold_wait_ms = w->now_ms | 1; /* 0 means "not waiting" */
	else if (w->now_ms - msg->flush.hold_wait_ms > SL_HOLD_MS)
		msg->flush.hold_given_up = true;
	return msg->flush.hold_given_up;
}

/* Mark a TCP connection flushed and probe both sides, if the budget, the
 * hold queue and the pool allow; false: not now. */
static bool flush_tcp(struct sl_worker *w, struct sl_wmsg *msg, struct sl_conn *c)
{
	unsigned need = (unsigned)probe_would_hold(w, c, SL_DIR_ORIG) +
			(unsigned)probe_would_hold(w, c, SL_DIR_REPLY);
	struct rte_mbuf *m[2];

	budget_refill(w);
	if (w->flush_budget.tokens < 2 || !hold_room(w, msg, need))
		return false;
	if (rte_pktmbuf_alloc_bulk(w->dp->pool, m, 2) != 0) {
		w->stats.drops[SL_DROP_NO_MBUF]++; /* probes the dry pool cost */
		return false;
	}
	reserve_resets(w);
	c->flags = (uint8_t)((c->flags & ~(SL_CONN_F_RESET_ORIG | SL_CONN_F_RESET_REPLY)) |
			     SL_CONN_F_FLUSHED);
	sl_ct_set_expire(&w->ct, c, w->now_ms + w->snap->timeouts_ms[SL_CS_TCP_CLOSE]);
	w->stats.conns_flushed++;
	probe(w, m[0], c, SL_DIR_ORIG);  /* VIP -> client */
	probe(w, m[1], c, SL_DIR_REPLY); /* LIP -> server */
	return true;
}

/* One of the flushed server's connections, not flushed yet? (Full-NAT
 * only: SNAT entries have no server.) */
static bool flush_target(const struct sl_wmsg *msg, const struct sl_conn *c)
{
	return c->state != SL_CS_FREE && !(c->flags & SL_CONN_F_KIND) &&
	       c->svc_id == msg->flush.svc_id && c->rs_id == msg->flush.rs_id &&
	       !(c->flags & SL_CONN_F_FLUSHED);
}

enum flush_done { FLUSH_QUIET, FLUSH_PROBED, FLUSH_NOT_NOW };

/* Flush one connection: with no frame sent, with probes, or not now (the
 * walk stops here for this turn). */
static enum flush_done flush_one(struct sl_worker *w, struct sl_wmsg *msg,
				 struct sl_conn *c)
{
	/* UDP goes quietly: its next datagram opens a new flow. TCP of
	 * either family is probed (probe() speaks each side's family). */
	if (c->proto != SL_IPPROTO_TCP) {
		sl_worker_on_expire(w, c); /* counts it expired */
		sl_ct_remove(&w->ct, c);
		w->stats.conns_flushed++;
		return FLUSH_QUIET;
	}
	/* Closing already: it ends by itself, nothing to reset. */
	if (c->state == SL_CS_TCP_TIME_WAIT || c->state == SL_CS_TCP_CLOSE)
		return FLUSH_QUIET;
	return flush_tcp(w, msg, c) ? FLUSH_PROBED : FLUSH_NOT_NOW;
}

void sl_worker_flush_start(struct sl_worker *w, struct sl_wmsg *msg)
{
	msg->flush.tx_full = w->stats.drops[SL_DROP_TX_FULL];
	w->flush = msg;
	sl_worker_flush_continue(w);
}

void sl_worker_flush_continue(struct sl_worker *w)
{
	struct sl_wmsg *msg = w->flush;
	uint32_t start = msg->flush.cursor, end = start + FLUSH_SLICE, i = start;
	unsigned probed = 0;
	/* A port refused frames since the last turn: give it this one. */
	bool waiting = w->stats.drops[SL_DROP_TX_FULL] != msg->flush.tx_full;

	if (end > w->ct.max_conns)
		end = w->ct.max_conns;
	for (; i < end && !waiting && probed < FLUSH_PROBED_PER_TURN; i++) {
		struct sl_conn *c = &w->ct.conns[i];
		if (!flush_target(msg, c))
			continue;
		enum flush_done done = flush_one(w, msg, c);
		if (done == FLUSH_NOT_NOW) {
			waiting = true;
			break;
		}
		probed += done == FLUSH_PROBED;
	}
	sl_worker_flush(w);
	msg->flush.tx_full = w->stats.drops[SL_DROP_TX_FULL];
	msg->flush.cursor = i;
	/* Counted once per place the walk stopped at, however many turns
	 * it waits there. */
	if (waiting && (!msg->flush.waiting || i != start))
		w->stats.resets_deferred++;
	msg->flush.waiting = waiting;
	if (!waiting && i == w->ct.max_conns) {
		w->flush = NULL;
		free(msg);
	}
}
