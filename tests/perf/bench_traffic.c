/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The harness: records -> frames -> RX rings -> sl_worker_poll() -> TX
 * rings -> recycled frames. No allocation in the loop: frames circulate
 * between the harness's spare stack and the rings; the pool tops the
 * stack up only to replace frames Sluice dropped (or kept, for ARP).
 */
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>

#include "bench.h"
#include "csum.h"
#include "pkt.h"

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
	*r = (struct bench_rec){saddr, daddr, sport, dport, ip->csum, tcp->csum,
				flags, port, {0}};
}

/* The template every frame starts as; records only change its fields. */
static void frame_init(struct rte_mbuf *m)
{
	uint8_t *f = rte_pktmbuf_mtod(m, uint8_t *);
	struct sl_ether_hdr *eth = (void *)f;
	struct sl_ipv4_hdr *ip = (void *)(f + SL_ETH_HLEN);
	struct sl_tcp_hdr *tcp = (void *)(f + SL_ETH_HLEN + SL_IPV4_HLEN);

	memset(f, 0, BENCH_FRAME_LEN);
	memset(eth->dst, 0x02, 6);
	memset(eth->src, 0x04, 6);
	eth->type = sl_htons(SL_ETHERTYPE_IPV4);
	ip->ver_ihl = 0x45;
	ip->total_len = sl_htons(40);
	ip->proto = SL_IPPROTO_TCP;
	tcp->seq = sl_htonl(1);
	tcp->doff_res = 5 << 4;
	tcp->window = sl_htons(65535);
	m->data_len = m->pkt_len = BENCH_FRAME_LEN;
}

static inline void frame_write(struct rte_mbuf *m, const struct bench_rec *r)
{
	uint8_t *f = rte_pktmbuf_mtod(m, uint8_t *);
	struct sl_ipv4_hdr *ip = (void *)(f + SL_ETH_HLEN);
	struct sl_tcp_hdr *tcp = (void *)(f + SL_ETH_HLEN + SL_IPV4_HLEN);

	memcpy(&ip->saddr, &r->saddr, 8);
	ip->ttl = 64;
	ip->csum = r->ip_csum;
	memcpy(tcp, &r->sport, 4);
	tcp->flags = r->tcp_flags;
	tcp->csum = r->l4_csum;
	m->ol_flags = RTE_MBUF_F_RX_IP_CKSUM_GOOD | RTE_MBUF_F_RX_L4_CKSUM_GOOD;
}

static void spare_top_up(struct bench_env *env, struct bench_lane *l, uint32_t want)
{
	while (l->nspare < want) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(env->dp.pool);
		if (m == NULL)
			break;
		frame_init(m);
		l->spare[l->nspare++] = m;
	}
}

/* Queue up to BENCH_INJECT records of one lane's sequence, starting at
 * *pos (wrapping round if `wrap`), on the lane's RX rings. */
static unsigned inject(struct bench_env *env, struct bench_lane *l,
		       const struct bench_seq *seq, uint64_t *pos, bool wrap)
{
	struct rte_mbuf *batch[2][BENCH_INJECT];
	unsigned nb[2] = {0, 0};
	unsigned n = 0;

	/* Keep only a few bursts queued, as a NIC's RX ring would hold
	 * them: a short loop keeps the frames' working set in cache, the way
	 * a mempool's per-lcore cache recycles a NIC's buffers. */
	if (rte_ring_count(l->rx[0]) + rte_ring_count(l->rx[1]) >= BENCH_QUEUED)
		return 0;
	if (l->nspare < BENCH_INJECT)
		spare_top_up(env, l, 2 * BENCH_INJECT);
	for (; n < BENCH_INJECT && l->nspare; n++) {
		if (*pos == seq->len) {
			if (!wrap)
				break;
			*pos = 0;
		}
		const struct bench_rec *r = &seq->recs[(*pos)++];
		struct rte_mbuf *m = l->spare[--l->nspare];
		frame_write(m, r);
		batch[r->port][nb[r->port]++] = m;
	}
	for (unsigned p = 0; p < 2; p++) {
		unsigned done = rte_ring_enqueue_burst(l->rx[p], (void **)batch[p],
						       nb[p], NULL);
		l->injected += done;
		for (unsigned i = done; i < nb[p]; i++) /* ring full: keep */
			l->spare[l->nspare++] = batch[p][i];
	}
	return n;
}

/* Take back what a lane transmitted. */
static void reap(struct bench_lane *l, bench_collect_fn collect, void *ctx)
{
	struct rte_mbuf *out[SL_BURST];

	for (unsigned p = 0; p < 2; p++) {
		unsigned n;
		while ((n = rte_ring_dequeue_burst(l->tx[p], (void **)out, SL_BURST,
						   NULL)) != 0) {
			for (unsigned i = 0; i < n; i++) {
				if (collect)
					collect(ctx, rte_pktmbuf_mtod(out[i], uint8_t *), p);
				if (l->nspare < 2 * BENCH_INJECT)
					l->spare[l->nspare++] = out[i];
				else
					rte_pktmbuf_free(out[i]);
			}
			l->transmitted += n;
		}
	}
}

void bench_push_all(struct bench_env *env, unsigned lane,
		    const struct bench_seq *seq, bench_collect_fn collect, void *ctx)
{
	uint64_t pos = 0;

	while (pos < seq->len) {
		inject(env, &env->lanes[lane], seq, &pos, false);
		for (unsigned w = 0; w < env->nworkers; w++) {
			/* Twice: the second poll drains steering rings. */
			sl_worker_poll(env->lanes[w].w);
			sl_worker_poll(env->lanes[w].w);
			reap(&env->lanes[w], collect, ctx);
		}
	}
	for (unsigned round = 0; round < 4; round++)
		for (unsigned w = 0; w < env->nworkers; w++) {
			sl_worker_poll(env->lanes[w].w);
			reap(&env->lanes[w], collect, ctx);
		}
}

/* The baseline forwarder: receive, swap MACs, transmit on the same port. */
static void macswap_poll(struct sl_worker *w)
{
	struct rte_mbuf *pkts[SL_BURST];

	for (unsigned p = 0; p < w->dp->nports; p++) {
		uint16_t n = rte_eth_rx_burst(w->dp->ethdev[p], w->id, pkts, SL_BURST);
		for (uint16_t i = 0; i < n; i++) {
			struct sl_ether_hdr *eth = rte_pktmbuf_mtod(pkts[i], void *);
			uint8_t tmp[6];
			memcpy(tmp, eth->dst, 6);
			memcpy(eth->dst, eth->src, 6);
			memcpy(eth->src, tmp, 6);
		}
		uint16_t sent = rte_eth_tx_burst(w->dp->ethdev[p], w->id, pkts, n);
		for (uint16_t i = sent; i < n; i++)
			rte_pktmbuf_free(pkts[i]);
	}
}

uint64_t bench_run_lane(struct bench_env *env, unsigned lane,
			const struct bench_seq *seq, double seconds,
			bool baseline, uint64_t *cycles)
{
	struct bench_lane *l = &env->lanes[lane];
	struct rte_rcu_qsbr *qs = env->dp.qsbr;
	uint64_t pos = 0, start_injected = l->injected;
	uint64_t hz = rte_get_tsc_hz();
	uint64_t start = rte_rdtsc();
	uint64_t deadline = start + (uint64_t)(seconds * (double)hz);
	uint64_t now = start;

	while (now < deadline) {
		for (unsigned k = 0; k < 64; k++) {
			inject(env, l, seq, &pos, true);
			if (baseline)
				macswap_poll(l->w);
			else
				sl_worker_poll(l->w);
			rte_rcu_qsbr_quiescent(qs, l->w->id);
			reap(l, NULL, NULL);
		}
		now = rte_rdtsc();
	}
	*cycles = now - start;
	return l->injected - start_injected;
}

void bench_drain(struct bench_env *env, unsigned lane, bool baseline)
{
	struct bench_lane *l = &env->lanes[lane];

	for (unsigned round = 0; round < 256; round++) {
		if (baseline)
			macswap_poll(l->w);
		else
			sl_worker_poll(l->w);
		reap(l, NULL, NULL);
	}
}
