/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The harness: records -> frames -> the worker's burst function (the
 * loop's RX burst replaced by the harness) -> TX rings -> recycled
 * frames. No allocation in the loop: frames circulate between the
 * harness's spare stack (hot) or FIFO (cold, bench.h) and the rings; the
 * pool tops them up only to replace frames Sluice dropped (or kept, for
 * ARP).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>

#include "bench.h"
#include "csum.h"
#include "pkt.h"
#include "tx_csum.h"
#include "wire6.h"

void bench_rec_make(struct bench_rec *r, sl_be32 saddr, sl_be32 daddr,
		    sl_be16 sport, sl_be16 dport, uint8_t flags, uint8_t port)
{
	uint8_t frame[BENCH_FRAME_LEN] = {0};
	struct sl_ipv4_hdr *ip = (void *)(frame + SL_ETH_HLEN);
	struct sl_tcp_hdr *tcp = (void *)(frame + SL_ETH_HLEN + SL_IPV4_HLEN);

	memset(r, 0, sizeof(*r));
	ip->ver_ihl = 0x45;
	ip->total_len = sl_htons(40);
	ip->ttl = 64;
	ip->proto = SL_IPPROTO_TCP;
	ip->saddr = saddr;
	ip->daddr = daddr;
	ip->csum = sl_csum(ip, SL_IPV4_HLEN, 0);
	tcp->sport = sport;
	tcp->dport = dport;
	tcp->seq = sl_htonl(1);
	tcp->doff_res = 5 << 4;
	tcp->flags = flags;
	tcp->window = sl_htons(65535);
	tcp->csum = sl_csum(tcp, 20, sl_csum_pseudo4(saddr, daddr, SL_IPPROTO_TCP, 20));
	*r = (struct bench_rec){.saddr = saddr, .daddr = daddr, .sport = sport,
				.dport = dport, .ip_csum = ip->csum, .l4_csum = tcp->csum,
				.tcp_flags = flags, .port = port};
}

void bench_rec_make6(struct bench_rec r[2], const uint8_t saddr[16],
		     const uint8_t daddr[16], sl_be16 sport, sl_be16 dport,
		     uint8_t flags, uint8_t port)
{
	struct sl_tcp_hdr tcp = {
		.sport = sport, .dport = dport, .seq = sl_htonl(1),
		.doff_res = 5 << 4, .flags = flags, .window = sl_htons(65535),
	};

	tcp.csum = sl_csum(&tcp, 20, sl_csum_pseudo6(saddr, daddr, SL_IPPROTO_TCP, 20));
	memset(r, 0, 2 * sizeof(*r));
	r[0].sport = sport;
	r[0].dport = dport;
	r[0].l4_csum = tcp.csum;
	r[0].tcp_flags = flags;
	r[0].port = port;
	r[0].v6 = 1;
	memcpy(r[1].addr6[0], saddr, 16);
	memcpy(r[1].addr6[1], daddr, 16);
}

/* The template every frame of a family starts as; records only change
 * its fields. */
static void frame_init(struct rte_mbuf *m, bool v6)
{
	m->data_off = RTE_PKTMBUF_HEADROOM;
	uint8_t *f = rte_pktmbuf_mtod(m, uint8_t *);
	struct sl_ether_hdr *eth = (void *)f;
	unsigned l3_len = v6 ? SL_IPV6_HLEN : SL_IPV4_HLEN;
	struct sl_tcp_hdr *tcp = (void *)(f + SL_ETH_HLEN + l3_len);

	memset(f, 0, BENCH_FRAME_LEN6);
	memset(eth->dst, 0x02, 6);
	memset(eth->src, 0x04, 6);
	if (v6) {
		struct sl_ipv6_hdr *ip6 = (void *)(f + SL_ETH_HLEN);
		eth->type = sl_htons(SL_ETHERTYPE_IPV6);
		ip6->vtc_flow = sl_ipv6_vtc_flow(0);
		ip6->payload_len = sl_htons(20);
		ip6->nexthdr = SL_IPPROTO_TCP;
	} else {
		struct sl_ipv4_hdr *ip = (void *)(f + SL_ETH_HLEN);
		eth->type = sl_htons(SL_ETHERTYPE_IPV4);
		ip->ver_ihl = 0x45;
		ip->total_len = sl_htons(40);
		ip->proto = SL_IPPROTO_TCP;
	}
	tcp->seq = sl_htonl(1);
	tcp->doff_res = 5 << 4;
	tcp->window = sl_htons(65535);
	m->data_len = m->pkt_len = v6 ? BENCH_FRAME_LEN6 : BENCH_FRAME_LEN;
}

/* A recycled frame still has the layout it left with: the family of the
 * last record written into it (a translation between families, NAT64,
 * would also move its start and change its length). Laid out again when
 * that differs. The families' frames differ in length, so the mbuf's
 * header tells, which rte_pktmbuf_mtod reads anyway: reading the frame
 * itself would add a load to each cold frame, where writing it costs a
 * store the CPU need not wait for. */
static inline void frame_fit(struct rte_mbuf *m, bool v6)
{
	uint16_t len = v6 ? BENCH_FRAME_LEN6 : BENCH_FRAME_LEN;

	if (sl_unlikely(m->data_off != RTE_PKTMBUF_HEADROOM || m->data_len != len))
		frame_init(m, v6);
}

static inline void tcp_write(struct sl_tcp_hdr *tcp, const struct bench_rec *r)
{
	memcpy(tcp, &r->sport, 4);
	tcp->flags = r->tcp_flags;
	tcp->csum = r->l4_csum;
}

/* Record r (and, for v6, the one after it) into frame m. */
static inline void frame_write(struct rte_mbuf *m, const struct bench_rec *r,
			       bool cold)
{
	frame_fit(m, r->v6);
	uint8_t *f = rte_pktmbuf_mtod(m, uint8_t *);

	if (r->v6) {
		struct sl_ipv6_hdr *ip6 = (void *)(f + SL_ETH_HLEN);
		memcpy(ip6->saddr, r[1].addr6, 32);
		ip6->hop_limit = 64;
		tcp_write((void *)(f + SL_ETH_HLEN + SL_IPV6_HLEN), r);
	} else {
		struct sl_ipv4_hdr *ip = (void *)(f + SL_ETH_HLEN);
		memcpy(&ip->saddr, &r->saddr, 8);
		ip->ttl = 64;
		ip->csum = r->ip_csum;
		tcp_write((void *)(f + SL_ETH_HLEN + SL_IPV4_HLEN), r);
	}
	/* Cold frames are unmarked: the worker checks them in software. */
	m->ol_flags = cold ? 0 : RTE_MBUF_F_RX_IP_CKSUM_GOOD | RTE_MBUF_F_RX_L4_CKSUM_GOOD;
}

static void spare_top_up(struct bench_env *env, struct bench_lane *l, uint32_t want)
{
	while (l->nspare < want) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(env->dp.pool);
		if (m == NULL)
			break;
		frame_init(m, false);
		l->spare[l->nspare++] = m;
	}
}

static void cold_put(struct bench_lane *l, struct rte_mbuf *m)
{
	if (l->ncold == l->cold_cap) {
		rte_pktmbuf_free(m);
		return;
	}
	l->cold[(l->cold_head + l->ncold++) % l->cold_cap] = m;
}

static struct rte_mbuf *cold_take(struct bench_env *env, struct bench_lane *l)
{
	if (l->ncold == 0) { /* top up what Sluice dropped */
		struct rte_mbuf *m = rte_pktmbuf_alloc(env->cold_pool);
		if (m)
			frame_init(m, false);
		return m;
	}
	struct rte_mbuf *m = l->cold[l->cold_head];
	l->cold_head = (l->cold_head + 1) % l->cold_cap;
	l->ncold--;
	return m;
}

/* The cold pool, all of it in lane 0's FIFO in a random order, so that
 * neither the cache nor the prefetcher has seen a frame's mbuf lately. */
static void cold_init(struct bench_env *env)
{
	struct bench_lane *l = &env->lanes[0];
	uint64_t x = 0x2545f4914f6cdd1dull;

	env->cold_pool = rte_pktmbuf_pool_create("b_cold", env->cold_mbufs, 0, 0,
						 RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	l->cold = calloc(env->cold_mbufs, sizeof(*l->cold));
	if (env->cold_pool == NULL || l->cold == NULL) {
		fprintf(stderr, "bench: cannot allocate %u cold mbufs\n", env->cold_mbufs);
		exit(1);
	}
	l->cold_cap = env->cold_mbufs;
	while (l->ncold < l->cold_cap) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(env->cold_pool);
		if (m == NULL)
			break;
		frame_init(m, false);
		l->cold[l->ncold++] = m;
	}
	for (uint32_t i = l->ncold; i > 1; i--) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		uint32_t j = (uint32_t)(x % i);
		struct rte_mbuf *t = l->cold[i - 1];
		l->cold[i - 1] = l->cold[j];
		l->cold[j] = t;
	}
}

void bench_set_cold(struct bench_env *env, bool cold)
{
	if (cold && env->cold_pool == NULL)
		cold_init(env);
	env->cold = cold;
}

void bench_set_csum(struct bench_env *env, bool rx_unmarked, bool tx_offload)
{
	env->rx_unmarked = rx_unmarked;
	for (unsigned p = 0; p < env->dp.nports; p++)
		env->dp.tx_csum[p] = tx_offload ? SL_TX_CSUM_IP | SL_TX_CSUM_TCP | SL_TX_CSUM_UDP
						: 0;
}

/* Take up to `max` spare frames and write the next records of the
 * lane's sequence into them (wrapping round if `wrap`). */
static unsigned fill(struct bench_env *env, struct bench_lane *l,
		     const struct bench_seq *seq, uint64_t *pos, bool wrap,
		     struct rte_mbuf **pkts, unsigned max)
{
	unsigned n = 0;

	bool cold = env->cold && l->cold_cap;

	if (!cold && l->nspare < max)
		spare_top_up(env, l, 2 * BENCH_INJECT);
	for (; n < max && (cold || l->nspare); n++) {
		if (*pos == seq->len) {
			if (!wrap)
				break;
			*pos = 0;
		}
		struct rte_mbuf *m = cold ? cold_take(env, l) : l->spare[--l->nspare];
		if (m == NULL)
			break;
		const struct bench_rec *r = &seq->recs[*pos];
		*pos += 1u + r->v6;
		frame_write(m, r, cold || env->rx_unmarked);
		/* To the port's MAC, as a neighbor sends (a recycled frame
		 * still carries the addresses it left with). */
		memcpy(rte_pktmbuf_mtod(m, uint8_t *), env->ctl.ports[r->port].mac, 6);
		m->port = env->dp.ethdev[r->port];
		pkts[n] = m;
	}
	l->injected += n;
	return n;
}

/* Take back what a lane transmitted; `measured`: in a measured run,
 * where env->lose_every applies (setup has checks of its own). */
static void reap(struct bench_env *env, struct bench_lane *l, bool measured,
		 bench_collect_fn collect, void *ctx)
{
	static uint64_t seen;
	struct rte_mbuf *out[SL_BURST];

	for (unsigned p = 0; p < 2; p++) {
		unsigned n;
		while ((n = rte_ring_dequeue_burst(l->tx[p], (void **)out, SL_BURST,
						   NULL)) != 0) {
			for (unsigned i = 0; i < n; i++) {
				if (measured && env->lose_every && ++seen % env->lose_every == 0) {
					rte_pktmbuf_free(out[i]); /* lost, on purpose */
					continue;
				}
				l->transmitted++;
				if (collect)
					collect(ctx, rte_pktmbuf_mtod(out[i], uint8_t *), p);
				if (env->cold && l->cold_cap)
					cold_put(l, out[i]);
				else if (l->nspare < 2 * BENCH_INJECT)
					l->spare[l->nspare++] = out[i];
				else
					rte_pktmbuf_free(out[i]);
			}
		}
	}
}

/* One iteration of the worker loop on frames handed to it directly: the
 * same calls sl_worker_poll() makes, with the RX burst replaced by the
 * harness's frames. */
static void sluice_step(struct sl_worker *w, struct rte_mbuf **pkts, unsigned n)
{
	sl_worker_begin(w);
	if (n)
		sl_worker_burst(w, pkts, (uint16_t)n);
	sl_worker_drain_steered(w);
	sl_worker_tail(w);
	if (w->sync) /* the control thread's part (bench_sync.c) */
		bench_sync_tick();
}

/* The baseline forwarder: swap MACs, transmit on the port it came in. */
static void macswap_step(struct sl_worker *w, struct rte_mbuf **pkts, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		struct sl_ether_hdr *eth = rte_pktmbuf_mtod(pkts[i], void *);
		uint8_t tmp[6];
		memcpy(tmp, eth->dst, 6);
		memcpy(eth->dst, eth->src, 6);
		memcpy(eth->src, tmp, 6);
		sl_worker_tx(w, w->dp->port_of_ethdev[pkts[i]->port], pkts[i]);
	}
	sl_worker_flush(w);
}

void bench_push_all(struct bench_env *env, unsigned lane,
		    const struct bench_seq *seq, bench_collect_fn collect, void *ctx)
{
	struct rte_mbuf *pkts[SL_BURST];
	uint64_t pos = 0;
	unsigned n;

	do {
		n = fill(env, &env->lanes[lane], seq, &pos, false, pkts, SL_BURST);
		sluice_step(env->lanes[lane].w, pkts, n);
		for (unsigned w = 0; w < env->nworkers; w++) {
			if (w != lane)
				sluice_step(env->lanes[w].w, NULL, 0);
			reap(env, &env->lanes[w], false, collect, ctx);
		}
	} while (n);
}

uint64_t bench_run_lane(struct bench_env *env, unsigned lane,
			const struct bench_seq *seq, uint64_t *pos, double seconds,
			bool baseline, uint64_t *cycles)
{
	struct bench_lane *l = &env->lanes[lane];
	struct rte_rcu_qsbr *qs = env->dp.qsbr;
	struct rte_mbuf *pkts[SL_BURST];
	uint64_t start_injected = l->injected;
	uint64_t hz = rte_get_tsc_hz();
	uint64_t start = rte_rdtsc();
	uint64_t deadline = start + (uint64_t)(seconds * (double)hz);
	uint64_t now = start;

	while (now < deadline) {
		for (unsigned k = 0; k < 64; k++) {
			unsigned n = fill(env, l, seq, pos, true, pkts, SL_BURST);
			if (baseline)
				macswap_step(l->w, pkts, n);
			else
				sluice_step(l->w, pkts, n);
			rte_rcu_qsbr_quiescent(qs, l->w->id);
			reap(env, l, true, NULL, NULL);
		}
		now = rte_rdtsc();
	}
	*cycles = now - start;
	return l->injected - start_injected;
}

void bench_drain(struct bench_env *env, unsigned lane, bool baseline)
{
	struct bench_lane *l = &env->lanes[lane];

	for (unsigned round = 0; round < 64; round++) {
		if (!baseline)
			sluice_step(l->w, NULL, 0);
		reap(env, l, true, NULL, NULL);
	}
}
