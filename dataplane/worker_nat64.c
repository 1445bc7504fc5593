/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NAT64 connections (issue 15), full-NAT as DPVS does it: a v6 client ->
 * v6 VIP whose servers are IPv4 becomes v4 local address -> v4 server,
 * and the server's replies v4 -> v6 back. The entry has a v6 ORIG key
 * and a v4 REPLY key (conn.h), made by worker_miss6.c with a local
 * address and port of this worker's share (worker_lport.c, as v4
 * full-NAT), so a server's reply is steered to this worker by its port
 * as any v4 reply is (worker_miss.c).
 *
 *   ORIG  (v6 from the client, worker_fwd6.c)  -> sl_nat64_6to4, sent
 *         as v4 by the direction's cached next hop (worker_conn.h);
 *   REPLY (v4 from the server, worker.c)        -> sl_nat64_4to6, sent
 *         as v6 by its cached v6 next hop (worker_out6.c);
 *   ICMP errors about the connection, each way: translated with their
 *         quote (the v4 error from the server side as an ICMPv6 one to
 *         the client from the VIP; the client's ICMPv6 error as a v4 one
 *         to the server from the local address). worker_icmp.c and
 *         worker_icmp6.c find the connection and hand them here.
 *
 * Each direction's slot (nh_slot[ORIG] in the view's v4 table,
 * nh_slot[REPLY] in its v6 one) is learned by the first packet's MTU
 * lookup or send and names the egress port, so an established packet
 * makes no route lookup: its MTU is that port's, until the snapshot or
 * the neighbors change (nh_epoch). Its IPv4 Identification counts from
 * the worker's own start (sl_worker_ip_id_seed, worker6.h).
 *
 * The translation is in place (nat64.h): the Ethernet header is written
 * again before the new IP header, the mbuf's start moved to it (a v4
 * packet grows by 20 bytes at its front: the mbuf's headroom). The
 * transport header never moves, so TCP tracking reads it after the
 * translation. Every refusal is a drop of its own name (xlat_*), but two
 * are answered, within Sluice's rate for its own errors: a packet over
 * the other side's MTU (Packet Too Big to the client with the v4 MTU +
 * 20; "fragmentation needed" to the server with the v6 MTU - 20) and a
 * hop limit / TTL that would reach 0 (time exceeded).
 */
#include <rte_mbuf.h>

#include "icmp6_error.h"
#include "nat64.h"
#include "worker_conn.h"
#include "worker6.h"

_Static_assert(SL_DROP_XLAT_INNER_ICMP_ERROR - SL_DROP_XLAT_TRUNCATED ==
		       SL_XLAT_INNER_ICMP_ERROR - SL_XLAT_TRUNCATED &&
	       SL_XLAT_INNER_ICMP_ERROR == SL_XLAT_MAX - 1,
	       "drop.h lists every translation refusal, in nat64.h's order");

enum sl_drop sl_worker_xlat_drop(enum sl_xlat r)
{
	return (enum sl_drop)(SL_DROP_XLAT_TRUNCATED + (r - SL_XLAT_TRUNCATED));
}

/* An MTU of 0 (not checked: tests, the benchmark) limits nothing. */
static uint16_t mtu_or_max(uint16_t mtu)
{
	return mtu ? mtu : UINT16_MAX;
}

/* The MTU toward the client (the v6 REPLY direction's way out). */
static uint16_t mtu6_of(const struct sl_worker *w, struct sl_conn *c,
			const uint8_t client[16])
{
	return mtu_or_max(sl_worker_mtu_of(w, sl_worker_port_out6(w, c, SL_DIR_REPLY,
								  client)));
}

/* The MTU toward the server (the v4 ORIG direction's way out). */
static uint16_t mtu4_of(const struct sl_worker *w, struct sl_conn *c)
{
	return mtu_or_max(sl_worker_mtu_out4(w, c, SL_DIR_ORIG));
}

/* Translate the frame's packet to the other family in place (k, inner:
 * nat64.h) and move the mbuf to its new start, the Ethernet header's
 * type set; the packet is unchanged on a refusal. */
static enum sl_xlat translate(struct rte_mbuf *m, struct sl_pkt *pkt, bool to6, const void *k,
			      const void *inner, const struct sl_nat64_ctx *ctx)
{
	/* The parse saw the first segment only; a chained packet has no
	 * room to be laid out again in place. */
	if (sl_unlikely(m->nb_segs != 1))
		return SL_XLAT_MAX;
	/* The bytes before the IP header less the Ethernet header's. */
	struct sl_nat64_buf b = {(uint8_t *)pkt->ip, pkt->ip_len,
				 rte_pktmbuf_headroom(m)};
	enum sl_xlat r = to6 ? sl_nat64_4to6(&b, k, inner, ctx)
			     : sl_nat64_6to4(&b, k, inner, ctx);
	if (r != SL_XLAT_OK)
		return r;
	uint8_t *frame = b.l3 - SL_ETH_HLEN;
	m->data_off = (uint16_t)(frame - (uint8_t *)m->buf_addr);
	m->data_len = (uint16_t)(SL_ETH_HLEN + b.len);
	m->pkt_len = m->data_len;
	((struct sl_ether_hdr *)frame)->type =
		sl_htons(to6 ? SL_ETHERTYPE_IPV6 : SL_ETHERTYPE_IPV4);
	pkt->eth = (void *)frame;
	pkt->ip = (void *)b.l3;
	return SL_XLAT_OK;
}

/* A refusal that is only a drop. */
static void refused(struct sl_worker *w, struct rte_mbuf *m, enum sl_xlat r)
{
	sl_worker_drop(w, m, r == SL_XLAT_MAX ? SL_DROP_NAT64_SEGMENTED
					       : sl_worker_xlat_drop(r));
}

/* After the translation: state, timer, counters, and a SYN's MSS clamped
 * so a full segment fits both sides. False: dropped. */
static bool account(struct sl_worker *w, struct rte_mbuf *m, struct sl_pkt *pkt,
		    struct sl_conn *c, enum sl_dir dir, struct sl_nat64_ctx *ctx,
		    const uint8_t client[16])
{
	if (pkt->proto == SL_IPPROTO_TCP) {
		bool syn;
		if (!sl_worker_track_tcp(w, m, pkt, c, dir, &syn))
			return false;
		if (syn) {
			if (dir == SL_DIR_ORIG)
				ctx->mtu6 = mtu6_of(w, c, client);
			else
				ctx->mtu4 = mtu4_of(w, c);
			if (sl_nat64_mss_clamp(pkt->l4, pkt->l4_len, ctx->mtu4, ctx->mtu6))
				w->stats.mss_clamped++;
		}
	}
	sl_ct_set_expire(&w->ct, c, w->now_ms + w->snap->timeouts_ms[c->state]);
	sl_worker_count_traffic(w, m, c, dir);
	sl_worker_sync_reply(w, c, dir);
	return true;
}

void sl_worker_nat64_out(struct sl_worker *w, struct rte_mbuf *m, struct sl_pkt *pkt,
			 struct sl_conn *c)
{
	struct sl_nat64_ctx ctx = {.mtu4 = mtu4_of(w, c), .mtu6 = UINT16_MAX};
	struct sl_v4key to = sl_v4key_reverse(&c->key[SL_DIR_REPLY]);
	uint8_t client[16];

	/* A flushed connection (its server removed or down) is ended by
	 * RSTs, as forward6's and forward's: never translated on to the
	 * server it no longer has. */
	if (sl_unlikely(c->flags & SL_CONN_F_FLUSHED)) {
		sl_worker_flushed(w, m, pkt, c, SL_DIR_ORIG); /* worker_reject.c */
		return;
	}
	if (sl_unlikely(pkt->ip6->hop_limit <= 1)) {
		sl_worker_time_exceeded6(w, m, pkt);
		return;
	}
	memcpy(client, pkt->ip6->saddr, 16);
	ctx.ip_id = sl_htons(w->ip_id++);
	enum sl_xlat r = translate(m, pkt, false, &to, NULL, &ctx);
	if (sl_unlikely(r != SL_XLAT_OK)) {
		if (r == SL_XLAT_TOO_BIG)
			sl_worker_too_big6(w, m, pkt, sl_nat64_ptb_mtu6(ctx.mtu4));
		else if (r == SL_XLAT_HOP_LIMIT)
			sl_worker_time_exceeded6(w, m, pkt);
		else
			refused(w, m, r);
		return;
	}
	if (account(w, m, pkt, c, SL_DIR_ORIG, &ctx, client))
		sl_worker_send4(w, m, c, SL_DIR_ORIG, to.daddr);
}

void sl_worker_nat64_back(struct sl_worker *w, struct rte_mbuf *m, struct sl_pkt *pkt,
			  struct sl_conn *c)
{
	struct sl_nat64_ctx ctx = {.mtu4 = UINT16_MAX};
	struct sl_v6key orig, to;

	if (sl_unlikely(!sl_worker_trusted_port(w, m, c, SL_DIR_REPLY, pkt->key.saddr))) {
		sl_worker_drop(w, m, SL_DROP_INGRESS_WRONG_PORT);
		return;
	}
	if (sl_unlikely(c->flags & SL_CONN_F_FLUSHED)) {
		sl_worker_flushed(w, m, pkt, c, SL_DIR_REPLY);
		return;
	}
	if (sl_unlikely(pkt->ip->ttl <= 1)) {
		sl_worker_time_exceeded(w, m, pkt);
		return;
	}
	sl_ct_get_v6key(&w->ct, c, SL_DIR_ORIG, &orig);
	to = sl_v6key_reverse(&orig);
	ctx.mtu6 = mtu6_of(w, c, orig.saddr);
	enum sl_xlat r = translate(m, pkt, true, &to, NULL, &ctx);
	if (sl_unlikely(r != SL_XLAT_OK)) {
		if (r == SL_XLAT_TOO_BIG)
			sl_worker_too_big(w, m, pkt, sl_nat64_frag_mtu4(ctx.mtu6));
		else if (r == SL_XLAT_HOP_LIMIT)
			sl_worker_time_exceeded(w, m, pkt);
		else
			refused(w, m, r);
		return;
	}
	if (account(w, m, pkt, c, SL_DIR_REPLY, &ctx, orig.saddr))
		sl_worker_send6(w, m, c, SL_DIR_REPLY, orig.saddr);
}

/* An error about an error is never answered: a refusal of an ICMP error
 * is a drop, TTL_EXCEEDED for the hop limit as worker_icmp.c has it. */
static void error_refused(struct sl_worker *w, struct rte_mbuf *m, enum sl_xlat r)
{
	if (r == SL_XLAT_HOP_LIMIT)
		sl_worker_drop(w, m, SL_DROP_TTL_EXCEEDED);
	else
		refused(w, m, r);
}

void sl_worker_nat64_icmp4(struct sl_worker *w, struct rte_mbuf *m, struct sl_pkt *pkt,
			   struct sl_conn *c)
{
	struct sl_v6key orig, to;
	struct sl_nat64_ctx ctx = {.mtu4 = mtu4_of(w, c)};

	/* To the client, from the VIP, quoting the packet as it sent it. */
	sl_ct_get_v6key(&w->ct, c, SL_DIR_ORIG, &orig);
	to = sl_v6key_reverse(&orig);
	ctx.mtu6 = mtu6_of(w, c, orig.saddr);
	enum sl_xlat r = translate(m, pkt, true, &to, &orig, &ctx);
	if (r != SL_XLAT_OK) {
		error_refused(w, m, r);
		return;
	}
	w->stats.icmp_errors_translated++;
	sl_worker_output6(w, m, orig.saddr);
}

void sl_worker_nat64_icmp6(struct sl_worker *w, struct rte_mbuf *m, struct sl_pkt *pkt,
			   struct sl_conn *c)
{
	/* To the server, from the local address, quoting its own packet. */
	const struct sl_v4key *quote = &c->key[SL_DIR_REPLY];
	struct sl_v4key to = sl_v4key_reverse(quote);
	struct sl_nat64_ctx ctx = {.mtu4 = mtu4_of(w, c)};
	struct sl_v6key orig;

	/* Toward the client, not the error's source (a router on the way):
	 * that is the direction whose next hop the connection caches. */
	sl_ct_get_v6key(&w->ct, c, SL_DIR_ORIG, &orig);
	ctx.mtu6 = mtu6_of(w, c, orig.saddr);
	/* A client's Packet Too Big reaches the server from a local address
	 * many clients share: one under the floor is refused, as v4's. */
	/* A v6 PTB under 1280 is invalid (RFC 8200 5) whatever the floor. */
	if (pkt->l4[0] == SL_ICMP6_PKT_TOO_BIG &&
	    sl_icmp6_ptb_mtu(pkt) < RTE_MAX((uint32_t)w->snap->icmp_mtu_floor + 20,
					    (uint32_t)SL_IPV6_MIN_MTU)) {
		sl_worker_drop(w, m, SL_DROP_ICMP_MTU_BELOW_FLOOR);
		return;
	}
	ctx.ip_id = sl_htons(w->ip_id++);
	enum sl_xlat r = translate(m, pkt, false, &to, quote, &ctx);
	if (r != SL_XLAT_OK) {
		error_refused(w, m, r);
		return;
	}
	w->stats.icmp_errors_translated++;
	sl_worker_output(w, m, quote->saddr);
}
