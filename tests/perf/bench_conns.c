/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The scenarios' connections: clients and their keys in either family,
 * the frame builder for each side of a connection (struct bench_fam: the
 * client's family and the server's), and opening connections the way
 * clients open them: a SYN through Sluice (the translated SYN tells the
 * harness the local address and port chosen), the server's SYN+ACK
 * back, the client's ACK.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>

#include "bench.h"
#include "bench_scenarios.h"
#include "pkt.h"
#include "wire6.h"

void seq_alloc(struct bench_seq *s, uint64_t len)
{
	s->len = len;
	s->recs = malloc(len * sizeof(*s->recs));
	if (s->recs == NULL) {
		fprintf(stderr, "bench: out of memory for %lu records\n",
			(unsigned long)len);
		exit(1);
	}
}

/* Client i of a lane: 198.19.x.y, ports 1024.., unique per (lane, i). */
struct sl_v4key client_key(unsigned lane, uint64_t i)
{
	uint32_t host = (uint32_t)(lane * 1024 + (i >> 14));
	struct sl_v4key k = {
		.saddr = sl_htonl((198u << 24) | (19u << 16) | host),
		.daddr = bench_vip(),
		.sport = sl_htons((uint16_t)(1024 + (i & 16383))),
		.dport = sl_htons(80),
	};
	return k;
}

/* The VIP v6 clients of families `fam` connect to: FNAT66's, or with v4
 * servers NAT64's. */
static void vip6_of(struct bench_fam fam, uint8_t a[16])
{
	if (fam.server == SL_AF_V4)
		bench_vip64(a);
	else
		bench_vip6(a);
}

/* The v6 twin: 2001:db8:c::<lane, i>, the same ports, to the v6 VIP of
 * `fam`. */
static struct sl_v6key client_key6(struct bench_fam fam, unsigned lane, uint64_t i)
{
	struct sl_v6key k = {
		.sport = sl_htons((uint16_t)(1024 + (i & 16383))),
		.dport = sl_htons(80),
	};
	bench_ip6(k.saddr, 0xc, (uint32_t)(lane * 1024 + (i >> 14)));
	vip6_of(fam, k.daddr);
	return k;
}

/* Client `*c` (client_key(c >> 24, the low 24 bits)) of families `fam`
 * into *k4 or *k6, as its family says; its flow's owner. */
static unsigned client_of(uint64_t c, struct bench_fam fam, unsigned nworkers,
			  struct sl_v4key *k4, struct sl_v6key *k6)
{
	unsigned lane = (unsigned)(c >> 24);
	uint64_t i = c & ((1u << 24) - 1);

	if (fam.client == SL_AF_V6) {
		*k6 = client_key6(fam, lane, i);
		return sl_flow_owner(sl_flow_hash6(k6, SL_IPPROTO_TCP), nworkers);
	}
	*k4 = client_key(lane, i);
	return sl_flow_owner(sl_flow_hash(k4, SL_IPPROTO_TCP), nworkers);
}

/* The next client of families `fam` from candidate *c on whose flow
 * worker `owner` owns, into *k4 or *k6: each scenario's clients arrive on
 * the worker that owns their flows, as with a NIC whose RSS agreed with
 * Sluice's flow hash (sl_flow_owner). cross_worker measures the hop. */
void owned_client(uint64_t *c, struct bench_fam fam, unsigned owner,
			 unsigned nworkers, struct sl_v4key *k4, struct sl_v6key *k6)
{
	while (client_of((*c)++, fam, nworkers, k4, k6) != owner)
		;
}

void rec_of(struct bench_rec *r, const struct sl_v4key *k, uint8_t flags,
		   uint8_t port)
{
	bench_rec_make(r, k->saddr, k->daddr, k->sport, k->dport, flags, port);
}

/* The frame builder: a TCP segment of connection i of `cs`, sent by its
 * client (from the wan side) or its server (lan), in that side's family.
 * Writes one record (IPv4) or two (IPv6) at r; returns how many. */
unsigned side_rec(struct bench_rec *r, const struct conn_set *cs, bool server,
			 uint32_t i, uint8_t flags)
{
	uint8_t port = server ? BENCH_PORT_LAN : BENCH_PORT_WAN;
	uint8_t af = server ? cs->fam.server : cs->fam.client;

	if (af == SL_AF_V6) {
		const struct sl_v6key *k = server ? &cs->server6[i] : &cs->client6[i];
		bench_rec_make6(r, k->saddr, k->daddr, k->sport, k->dport, flags, port);
		return 2;
	}
	rec_of(r, server ? &cs->server[i] : &cs->client[i], flags, port);
	return 1;
}

/* Room for n packets of either family. */
void seq_alloc_packets(struct bench_seq *s, uint64_t n)
{
	seq_alloc(s, 2 * n);
	s->len = 0;
}

/* Translated SYNs leave on the lan port as LIP:lp -> RS:rp, in the
 * server side's family. */
void collect_server_key(void *ctx, const uint8_t *frame, unsigned port)
{
	struct conn_set *cs = ctx;
	const struct sl_ether_hdr *eth = (const void *)frame;
	bool v6 = eth->type == sl_htons(SL_ETHERTYPE_IPV6);
	const uint8_t *l3 = frame + SL_ETH_HLEN;
	const struct sl_tcp_hdr *tcp =
		(const void *)(l3 + (v6 ? SL_IPV6_HLEN : SL_IPV4_HLEN));

	if (port != BENCH_PORT_LAN || !(tcp->flags & SL_TCP_SYN) || cs->n == cs->cap ||
	    v6 != (cs->fam.server == SL_AF_V6))
		return;
	if (v6) {
		const struct sl_ipv6_hdr *ip6 = (const void *)l3;
		struct sl_v6key *k = &cs->server6[cs->n++];
		memcpy(k->saddr, ip6->daddr, 16);
		memcpy(k->daddr, ip6->saddr, 16);
		k->sport = tcp->dport;
		k->dport = tcp->sport;
		return;
	}
	const struct sl_ipv4_hdr *ip = (const void *)l3;
	struct sl_v4key k = {ip->daddr, ip->saddr, tcp->dport, tcp->sport};
	cs->server[cs->n++] = k;
}

void conn_set_alloc(struct conn_set *cs, uint32_t n, struct bench_fam fam)
{
	memset(cs, 0, sizeof(*cs));
	cs->fam = fam;
	cs->cap = n;
	if (fam.client == SL_AF_V6)
		cs->client6 = malloc(n * sizeof(*cs->client6));
	else
		cs->client = malloc(n * sizeof(*cs->client));
	if (fam.server == SL_AF_V6)
		cs->server6 = malloc(n * sizeof(*cs->server6));
	else
		cs->server = malloc(n * sizeof(*cs->server));
	if ((!cs->client && !cs->client6) || (!cs->server && !cs->server6)) {
		fprintf(stderr, "bench: out of memory for %u connections\n", n);
		exit(1);
	}
}

/* One packet from each of cs's connections, from the client or the
 * server side. */
static void each_conn_seq(struct bench_seq *seq, const struct conn_set *cs, bool server,
			  uint8_t flags)
{
	seq->len = 0;
	for (uint32_t i = 0; i < cs->n; i++)
		seq->len += side_rec(&seq->recs[seq->len], cs, server, i, flags);
}

static uint64_t timed_push(struct bench_env *env, unsigned lane, const struct bench_seq *seq,
			   bench_collect_fn collect, void *ctx)
{
	uint64_t start = rte_rdtsc();

	bench_push_all(env, lane, seq, collect, ctx);
	return rte_rdtsc() - start;
}

/* The handshakes of cs's cs->n connections (clients chosen) through
 * `lane`, as clients open them: their SYNs, the servers' SYN+ACKs to the
 * local address and port each translated SYN carried (learnt into
 * cs's server keys), the clients' ACKs; they end ESTABLISHED. `seq` has
 * room for cs->n packets. The TSC cycles of the three pushes, not of
 * building their frames. */
uint64_t handshake(struct bench_env *env, unsigned lane, struct conn_set *cs,
		   struct bench_seq *seq)
{
	uint32_t n = cs->n;
	uint64_t cycles;

	each_conn_seq(seq, cs, false, SL_TCP_SYN);
	cs->n = 0;
	cycles = timed_push(env, lane, seq, collect_server_key, cs);
	if (cs->n != n) {
		fprintf(stderr, "bench: opened %u of %u connections\n", cs->n, n);
		exit(1);
	}
	each_conn_seq(seq, cs, true, SL_TCP_SYN | SL_TCP_ACK);
	cycles += timed_push(env, lane, seq, NULL, NULL);
	each_conn_seq(seq, cs, false, SL_TCP_ACK);
	return cycles + timed_push(env, lane, seq, NULL, NULL);
}

/* Open n connections of families `fam` through `lane`; they end
 * ESTABLISHED. */
void open_connections(struct bench_env *env, unsigned lane, uint32_t n,
		      struct bench_fam fam, struct conn_set *cs)
{
	struct bench_seq seq;

	conn_set_alloc(cs, n, fam);
	seq_alloc_packets(&seq, n);
	uint64_t next = (uint64_t)lane << 24;
	for (uint32_t i = 0; i < n; i++)
		owned_client(&next, fam, env->lanes[lane].w->id, env->nworkers,
			     cs->client ? &cs->client[i] : NULL,
			     cs->client6 ? &cs->client6[i] : NULL);
	cs->n = n;
	handshake(env, lane, cs, &seq);
	free(seq.recs);
}

void conn_set_free(struct conn_set *cs)
{
	free(cs->client);
	free(cs->server);
	free(cs->client6);
	free(cs->server6);
	memset(cs, 0, sizeof(*cs));
}
