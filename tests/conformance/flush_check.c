/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Flushing a server with tens of thousands of open connections (issue 12,
 * item 12): every client must get its RST.
 *
 * The checks add a service of their own (198.19.0.202:80 -> 198.18.2.60:
 * 8080, clients 198.19.1.1-50 behind the outside router, two more local
 * addresses so that one worker has ports enough), open the connections
 * in RX bursts (SYN, SYN+ACK, ACK), remove the server and flush it as
 * `rs del --flush` does (sl_ctl_flush_rs), then play both peers: each
 * probe is answered with the ACK a TCP stack sends (its ack number tells
 * which connection it is), answers go in as RX bursts, the TX queues are
 * read after every loop iteration (the NIC sending), and the clock moves
 * on 1 ms whenever nothing is waiting. The ports' TX queues are as deep
 * as a real port's (harness.h), so a burst a NIC would refuse is refused
 * here. In the end the original model is published again.
 */
#include <arpa/inet.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flush_check.h"
#include "sched.h"

#define WHY(...) (snprintf(why, 160, __VA_ARGS__), false)
#define FL_IP(a, b, c, d) ((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))
#define FL_IN 0  /* the servers' side (conformance.c's IN) */
#define FL_OUT 1 /* the clients' side */
#define FL_VIP FL_IP(198, 19, 0, 202)
#define FL_RS FL_IP(198, 18, 2, 60)
#define FL_MANY 200u                     /* servers flushed at once ... */
#define FL_MANY_RS FL_IP(198, 18, 3, 50) /* ... from here on (on-link) */
#define FL_ROUTER FL_IP(198, 19, 0, 254) /* conformance.c's ROUTER_OUT */
#define FL_CLIENT_NET FL_IP(198, 19, 1, 0)
#define FL_PORTS_PER_CLIENT 1000u
#define FL_CLIENT(i) (FL_CLIENT_NET + 1 + (i) / FL_PORTS_PER_CLIENT)
#define FL_CPORT(i) ((uint16_t)(10000 + (i) % FL_PORTS_PER_CLIENT))
#define FL_MAX 50000u
#define FL_CLIENT_ACK 0x10000000u /* + index: a client's answer's ack */
#define FL_SERVER_ACK 0x20000000u /* + index: the server's */
#define FL_TICKS 20000u           /* ms of clock a flush may take here */
#define FL_QUEUE 65536u           /* answers waiting, per side */

static const uint32_t fl_lips[] = {FL_IP(198, 18, 2, 3), FL_IP(198, 18, 2, 4),
				   FL_IP(198, 18, 2, 5)};
#define FL_NLIPS (sizeof(fl_lips) / sizeof(fl_lips[0]))

/* An answer to send: a bare ACK. */
struct fl_answer {
	uint32_t saddr, daddr, ack;
	uint16_t sport, dport;
};

struct fl_run {
	uint32_t n;                              /* connections */
	uint32_t nservers;                       /* FL_RS, or FL_MANY_RS on */
	uint32_t ticks;                          /* ms of clock the flush may take */
	uint32_t rs[FL_MAX];                     /* each connection's server */
	uint32_t by_lport[FL_NLIPS][65536];      /* index + 1 of lip:lport */
	uint32_t lip[FL_MAX];                    /* each connection's local side */
	uint16_t lport[FL_MAX];
	uint8_t client_rst[FL_MAX], server_rst[FL_MAX];
	uint32_t client_rsts, server_rsts;       /* connections reset, per side */
	uint32_t probes, dups, strays, bad;
	uint32_t max_hold;                       /* deepest ARP hold queue seen */
	struct fl_answer queue[2][FL_QUEUE];     /* per port it goes in on */
	uint32_t head[2], tail[2];
};

static uint8_t fl_frames[SL_BURST][FR_MAX];
static uint32_t fl_lens[SL_BURST];

static uint32_t tcp_frame(uint8_t *f, uint32_t s, uint16_t sp, uint32_t d,
			  uint16_t dp, uint8_t flags, uint32_t seq, uint32_t ack)
{
	struct fr_spec spec = {.saddr = s, .daddr = d, .sport = sp, .dport = dp,
			       .proto = SL_IPPROTO_TCP, .ttl = 64, .tcp_flags = flags};
	uint32_t len = fr_build(f, &spec);

	fr_put32(f + FR_L4_OFF + 4, seq);
	fr_put32(f + FR_L4_OFF + 8, ack);
	fr_fix_l4(f);
	return len;
}

static int lip_index(uint32_t ip)
{
	for (unsigned i = 0; i < FL_NLIPS; i++)
		if (fl_lips[i] == ip)
			return (int)i;
	return -1;
}

/* The connection a client-side frame to client:port is about, or -1. */
static int64_t client_index(const struct fl_run *r, uint32_t ip, uint16_t port)
{
	uint64_t i = (uint64_t)(ip - FL_CLIENT_NET - 1) * FL_PORTS_PER_CLIENT +
		     (uint16_t)(port - 10000);
	if (ip <= FL_CLIENT_NET || port < 10000 ||
	    port >= 10000 + FL_PORTS_PER_CLIENT || i >= r->n)
		return -1;
	return (int64_t)i;
}

/* The connection a server-side frame from lip:lport to server rs is
 * about, or -1. Local ports are per server, so with several servers one
 * lip:lport may be used towards each: look at them all (few). */
static int64_t server_index(const struct fl_run *r, uint32_t lip, uint16_t lport,
			    uint32_t rs)
{
	int l = lip_index(lip);
	if (l < 0)
		return -1;
	if (r->nservers > 1) {
		for (uint32_t i = 0; i < r->n; i++)
			if (r->lip[i] == lip && r->lport[i] == lport && r->rs[i] == rs)
				return i;
		return -1;
	}
	return r->by_lport[l][lport] == 0 || rs != FL_RS ? -1
						: (int64_t)r->by_lport[l][lport] - 1;
}

static void enqueue(struct fl_run *r, unsigned port, struct fl_answer a)
{
	r->queue[port][r->tail[port]++ % FL_QUEUE] = a;
}

/* A frame one of the peers received: a probe is answered, an RST counted
 * against its connection (once; it must carry the answer's ack). */
static void take(struct fl_run *r, unsigned port, const uint8_t *f, uint32_t len)
{
	const uint8_t *ip = f + FR_IP_OFF, *l4 = f + FR_L4_OFF;
	if (len < FR_L4_OFF + 20 || fr_get16(f + 12) != SL_ETHERTYPE_IPV4 ||
	    ip[9] != SL_IPPROTO_TCP)
		return; /* ARP requests and the like */
	uint32_t s = fr_get32(ip + 12), d = fr_get32(ip + 16);
	uint16_t sp = fr_get16(l4), dp = fr_get16(l4 + 2);
	uint32_t seq = fr_get32(l4 + 4);
	uint8_t flags = l4[13];
	bool client = port == FL_OUT;
	int64_t i = client ? (s == FL_VIP && sp == 80 ? client_index(r, d, dp) : -1)
			   : (dp == 8080 ? server_index(r, s, sp, d) : -1);

	if (i < 0) {
		r->strays++;
		return;
	}
	if (flags & SL_TCP_RST) {
		uint8_t *seen = client ? &r->client_rst[i] : &r->server_rst[i];
		uint32_t want = (client ? FL_CLIENT_ACK : FL_SERVER_ACK) + (uint32_t)i;
		if (seq != want || !fr_ip_ok(f) || !fr_l4_ok(f)) {
			r->bad++;
			return;
		}
		if ((*seen)++) {
			r->dups++;
			return;
		}
		client ? r->client_rsts++ : r->server_rsts++;
		return;
	}
	if (flags != SL_TCP_ACK || seq != 0) {
		r->strays++;
		return;
	}
	r->probes++;
	enqueue(r, port, client ? (struct fl_answer){d, s, FL_CLIENT_ACK + (uint32_t)i, dp, sp}
				: (struct fl_answer){d, s, FL_SERVER_ACK + (uint32_t)i, dp, sp});
}

/* Read both ports' TX queues (the NIC sending what was queued). */
static void collect(struct harness *h, struct fl_run *r)
{
	uint8_t f[FR_MAX];
	uint32_t len;

	for (unsigned w = 0; w < h->nworkers; w++)
		if (h->dp.workers[w]->nhold > r->max_hold)
			r->max_hold = h->dp.workers[w]->nhold;
	for (unsigned port = 0; port < 2; port++)
		while ((len = h_recv(h, port, f)) != 0)
			take(r, port, f, len);
}

/* One RX burst of waiting answers, the server's first; false if none. */
static bool answer_burst(struct harness *h, struct fl_run *r)
{
	for (unsigned port = 0; port < 2; port++) {
		unsigned n = 0;
		while (n < SL_BURST && r->head[port] != r->tail[port]) {
			const struct fl_answer *a = &r->queue[port][r->head[port]++ % FL_QUEUE];
			fl_lens[n] = tcp_frame(fl_frames[n], a->saddr, a->sport, a->daddr,
					       a->dport, SL_TCP_ACK, 0x01020304, a->ack);
			n++;
		}
		if (n) {
			h_send_burst(h, port, (const uint8_t (*)[FR_MAX])fl_frames, fl_lens, n);
			return true;
		}
	}
	return false;
}

/* Play both peers until every expected RST came or the clock ran out. */
static void play(struct harness *h, struct fl_run *r, bool server_answers)
{
	uint32_t t = 0;
	while (t < r->ticks) {
		sl_ctl_send_pending(&h->ctl); /* as the control loop does each turn */
		collect(h, r);
		if (r->client_rsts == r->n && (!server_answers || r->server_rsts == r->n))
			break;
		if (!answer_burst(h, r)) {
			h_tick(h, 1);
			t++;
		}
	}
	collect(h, r);
}

/* A burst of k frames of connections base.. from one side, then what came
 * out of the other side (forwarded SYNs give each connection its local
 * port: their sequence number is the connection's index). */
static uint32_t handshake_step(struct harness *h, struct fl_run *r, uint32_t base,
			       uint32_t k, uint8_t flags)
{
	bool from_server = flags == (SL_TCP_SYN | SL_TCP_ACK);
	uint8_t f[FR_MAX];
	uint32_t len, learned = 0;

	for (uint32_t j = 0; j < k; j++) {
		uint32_t i = base + j;
		fl_lens[j] = from_server
			? tcp_frame(fl_frames[j], r->rs[i], 8080, r->lip[i], r->lport[i],
				    flags, 0x01020304, i + 1)
			: tcp_frame(fl_frames[j], FL_CLIENT(i), FL_CPORT(i), FL_VIP, 80,
				    flags, i, flags & SL_TCP_ACK ? 0x01020305 : 0);
	}
	h_send_burst(h, from_server ? FL_IN : FL_OUT,
		     (const uint8_t (*)[FR_MAX])fl_frames, fl_lens, k);
	while ((len = h_recv(h, from_server ? FL_OUT : FL_IN, f)) != 0) {
		const uint8_t *l4 = f + FR_L4_OFF;
		uint32_t i = fr_get32(l4 + 4);
		int l = lip_index(fr_get32(f + FR_IP_OFF + 12));
		if (flags != SL_TCP_SYN || len < FR_L4_OFF + 20 || l < 0 || i >= r->n)
			continue;
		r->lip[i] = fl_lips[l];
		r->lport[i] = fr_get16(l4);
		r->rs[i] = fr_get32(f + FR_IP_OFF + 16);
		r->by_lport[l][r->lport[i]] = i + 1;
		learned++;
	}
	return learned;
}

/* Open r->n connections (SYN, SYN+ACK, ACK); how many reached the server. */
static uint32_t open_all(struct harness *h, struct fl_run *r)
{
	uint32_t opened = 0;

	for (uint32_t base = 0; base < r->n; base += SL_BURST) {
		uint32_t k = r->n - base < SL_BURST ? r->n - base : SL_BURST;
		opened += handshake_step(h, r, base, k, SL_TCP_SYN);
		handshake_step(h, r, base, k, SL_TCP_SYN | SL_TCP_ACK);
		handshake_step(h, r, base, k, SL_TCP_ACK);
	}
	return opened;
}

/* Server i of n. */
static uint32_t fl_server(uint32_t n, uint32_t i)
{
	return n > 1 ? FL_MANY_RS + i : FL_RS;
}

/* The checks' service with n servers, published on a copy of the model. */
static bool add_service(struct harness *h, struct sl_model *m, uint32_t n, char *why)
{
	static const uint8_t rs_mac[6] = {0x02, 0x00, 0x00, 0x02, 0x02, 0x33};
	struct sl_err err = {0};

	if (sl_model_clone(m, &h->ctl.model) != 0)
		return WHY("cannot copy the model");
	if (sl_model_add_route(m, htonl(FL_CLIENT_NET), 24, htonl(FL_ROUTER), -1, &err) ||
	    sl_model_add_laddr(m, htonl(fl_lips[1]), -1, &err) ||
	    sl_model_add_laddr(m, htonl(fl_lips[2]), -1, &err) ||
	    sl_model_add_svc(m, htonl(FL_VIP), htons(80), SL_IPPROTO_TCP, SL_SCHED_WRR, &err))
		goto fail;
	for (uint32_t i = 0; i < n; i++)
		if (sl_model_add_neigh(m, htonl(fl_server(n, i)), rs_mac, -1, &err) ||
		    sl_model_add_rs(m, htonl(FL_VIP), htons(80), SL_IPPROTO_TCP,
				    htonl(fl_server(n, i)), htons(8080), 1, &err))
			goto fail;
	if (h_publish(h, m, &err) == 0)
		return true;
fail:
	return WHY("cannot add the flush service: %.40s: %.80s", err.field, err.message);
}

/* `rs del --flush` of all n servers at once (as a health poll that took
 * them all down asks): they leave the model (and, for `neigh_gone`, their
 * neighbor entries), then every one is flushed. */
static bool del_flush(struct harness *h, struct sl_model *m, uint32_t n,
		      bool neigh_gone, char *why)
{
	static uint16_t ids[FL_MANY];
	const struct sl_model_svc *svc =
		sl_model_find_svc(m, htonl(FL_VIP), htons(80), SL_IPPROTO_TCP);
	struct sl_err err = {0};

	if (svc == NULL || svc->nrs != n || n > FL_MANY)
		return WHY("the flush service is not in the model");
	uint16_t svc_id = svc->id;
	for (uint32_t i = 0; i < n; i++)
		ids[i] = svc->rs[i].id;
	for (uint32_t i = 0; i < n; i++)
		if (sl_model_del_rs(m, htonl(FL_VIP), htons(80), SL_IPPROTO_TCP,
				    htonl(fl_server(n, i)), htons(8080), &err) ||
		    (neigh_gone && sl_model_del_neigh(m, htonl(fl_server(n, i)), &err)))
			return WHY("cannot remove server %u: %.40s: %.80s", i, err.field,
				   err.message);
	if (h_publish(h, m, &err) != 0)
		return WHY("cannot publish: %.40s: %.80s", err.field, err.message);
	for (uint32_t i = 0; i < n; i++)
		sl_ctl_flush_rs(&h->ctl, svc_id, ids[i]);
	return true;
}

/* Let every flushed connection go, then publish the original model. */
static void restore(struct harness *h, struct sl_model *m)
{
	struct sl_err err;

	h_advance(h, 60); /* past tcp_close, for entries still waiting */
	h_flush(h);
	if (h_publish(h, &h->ctl.model, &err) != 0)
		fprintf(stderr, "flush check: model not restored: %s\n", err.message);
	sl_model_free(m);
}

static uint64_t sum_stat(const struct harness *h, size_t offset)
{
	uint64_t sum = 0;
	for (unsigned i = 0; i < h->nworkers; i++)
		sum += *(const uint64_t *)((const uint8_t *)&h->dp.workers[i]->stats + offset);
	return sum;
}
#define STAT(h, field) sum_stat(h, offsetof(struct sl_worker_stats, field))

/* Open n connections, flush their server, play the peers (false: could
 * not, why says so). */
static bool run(struct harness *h, struct fl_run *r, uint32_t n, uint32_t nservers,
		bool neigh_gone, struct sl_model *m, char *why)
{
	memset(r, 0, sizeof(*r));
	r->n = n;
	r->nservers = nservers;
	/* Each server's flush is a walk of the whole table (128 turns here):
	 * many servers on one worker take that many times longer. */
	r->ticks = FL_TICKS * (nservers > 1 ? 4 : 1);
	if (!add_service(h, m, nservers, why))
		return false;
	h_flush(h);
	uint32_t opened = open_all(h, r);
	if (opened != n)
		return WHY("%u of %u connections reached the server", opened, n);
	if (!del_flush(h, m, nservers, neigh_gone, why))
		return false;
	play(h, r, !neigh_gone);
	return true;
}

static const char *summary(const struct fl_run *r)
{
	static char buf[96];
	snprintf(buf, sizeof(buf), "probes %u, RSTs dup %u bad %u, other %u",
		 r->probes, r->dups, r->bad, r->strays);
	return buf;
}

bool flush_every_client_reset(struct harness *h, char *why)
{
	static struct fl_run r;
	struct sl_model m;
	uint64_t tx_full = h_drops(h, SL_DROP_TX_FULL), sent = STAT(h, resets_sent);

	if (!run(h, &r, FL_MAX, 1, false, &m, why))
		return false;
	uint64_t refused = h_drops(h, SL_DROP_TX_FULL) - tx_full;
	uint64_t resets = STAT(h, resets_sent) - sent;
	restore(h, &m);
	if (r.client_rsts != r.n || r.server_rsts != r.n)
		return WHY("RSTs: %u of %u clients, %u servers; TX refused %llu; %.50s",
			   r.client_rsts, r.n, r.server_rsts, (unsigned long long)refused,
			   summary(&r));
	if (refused || r.bad || r.dups)
		return WHY("TX refused %llu frames; %.50s", (unsigned long long)refused,
			   summary(&r));
	return resets == 2ull * r.n ? true
				    : WHY("resets_sent grew by %llu, want %u",
						(unsigned long long)resets, 2 * r.n);
}

bool flush_hold_queue_half(struct harness *h, char *why)
{
	static struct fl_run r;
	struct sl_model m;

	if (!run(h, &r, 2000, 1, true, &m, why))
		return false;
	restore(h, &m);
	if (r.max_hold > SL_HOLD_MAX / 2)
		return WHY("the hold queue reached %u of %u", r.max_hold, SL_HOLD_MAX);
	return r.client_rsts == r.n ? true
				    : WHY("RSTs reached %u of %u clients (%.50s)",
						r.client_rsts, r.n, summary(&r));
}

bool flush_many_servers_at_once(struct harness *h, char *why)
{
	static struct fl_run r;
	struct sl_model m;

	if (!run(h, &r, 2 * FL_MANY, FL_MANY, false, &m, why))
		return false;
	uint64_t deferred = h->ctl.msgs_deferred;
	restore(h, &m);
	if (r.client_rsts != r.n || r.server_rsts != r.n)
		return WHY("RSTs: %u of %u clients, %u servers (%llu flushes waited "
			   "for ring room); %.50s", r.client_rsts, r.n, r.server_rsts,
			   (unsigned long long)deferred, summary(&r));
	return h->ctl.msgs_waiting == 0 ? true
					: WHY("%llu messages still waiting",
					      (unsigned long long)h->ctl.msgs_waiting);
}
