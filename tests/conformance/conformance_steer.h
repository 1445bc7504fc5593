/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * How workers share clients' flows (issue 12.8), included by conformance.c
 * before conformance_checks.h, whose table lists these checks. Frames are
 * put on a chosen worker's queue, the way RSS or af_packet's fanout (and
 * its rollover) hands them out:
 *
 *  - TCP segments no connection wants (an ACK flood from random ports, no
 *    spoofing needed) cost at most one hop between workers each, and leave
 *    no server reply behind in a steering ring even while the worker they
 *    are steered to falls behind;
 *  - a UDP flow whose datagrams arrive on different workers is one
 *    connection, to one server.
 *
 * With one worker there is nowhere to steer and they hold trivially; with
 * three, a segment that went round the workers would take two hops.
 */

/* A worker counter summed over the workers. */
#define STAT_SUM(h, field)                                                     \
	({                                                                     \
		uint64_t sum_ = 0;                                             \
		for (unsigned i_ = 0; i_ < (h)->nworkers; i_++)                \
			sum_ += (h)->dp.workers[i_]->stats.field;              \
		sum_;                                                          \
	})

static uint64_t all_drops(const struct harness *h)
{
	uint64_t sum = 0;
	for (unsigned r = 1; r < SL_DROP_MAX; r++)
		sum += h_drops(h, (enum sl_drop)r);
	return sum;
}

/* A connection from the client to the VIP, established: its client port,
 * the local port Sluice chose and so the worker that holds it. */
struct transfer {
	uint16_t cport, lport;
	unsigned owner;
};

static bool open_transfer(struct harness *h, uint16_t cport, struct transfer *t,
			  char *why)
{
	struct seen to_rs, g;

	if (!exchange(h, OUT, IN, SL_IPPROTO_TCP, SERVER, cport, VIP, 80, SL_TCP_SYN,
		      &to_rs))
		return WHY("SYN to the VIP not forwarded");
	t->cport = cport;
	t->lport = to_rs.sport;
	t->owner = to_rs.sport % h->nworkers;
	if (!exchange(h, IN, OUT, SL_IPPROTO_TCP, RS, 8080, LIP, t->lport,
		      SL_TCP_SYN | SL_TCP_ACK, &g))
		return WHY("SYN+ACK not forwarded to the client");
	if (!exchange(h, OUT, IN, SL_IPPROTO_TCP, SERVER, cport, VIP, 80, SL_TCP_ACK, &g))
		return WHY("the client's ACK not forwarded");
	return true;
}

/* A burst of ACKs to the VIP from random client ports no connection has
 * (the transfers use ports below 50000). */
static void ack_flood_burst(uint8_t (*f)[FR_MAX], uint32_t *len)
{
	for (unsigned i = 0; i < H_BURST; i++)
		len[i] = build(f[i], SL_IPPROTO_TCP, SERVER,
			       (uint16_t)(50000 + fr_below(15536)), VIP, 80, SL_TCP_ACK);
}

/* Frames out to transfer `t`'s client, taken from the client's side. */
static unsigned replies_out(struct harness *h, const struct transfer *t)
{
	uint8_t buf[FR_MAX];
	unsigned n = 0;
	uint32_t len;

	while ((len = h_recv(h, OUT, buf)) != 0)
		if (fr_get32(buf + FR_IP_OFF + 12) == VIP &&
		    fr_get32(buf + FR_IP_OFF + 16) == SERVER &&
		    fr_get16(buf + FR_L4_OFF + 2) == t->cport)
			n++;
	return n;
}

/* Each flood segment is dropped once, after at most one hop: the hops
 * are what the workers took from each other's rings. */
static bool flood_one_hop(struct harness *h, char *why)
{
	static uint8_t f[H_BURST][FR_MAX];
	uint32_t len[H_BURST];
	struct transfer t;
	struct seen g;
	const unsigned bursts = 16, sent = bursts * H_BURST;

	if (!open_transfer(h, 42000, &t, why))
		return false;
	unsigned at = (t.owner + 1) % h->nworkers;
	uint64_t hops = STAT_SUM(h, steered_in), drops = all_drops(h);
	h_flush(h);
	for (unsigned b = 0; b < bursts; b++) {
		ack_flood_burst(f, len);
		h_arrive(h, OUT, at, f, len, H_BURST);
		h_settle(h);
	}
	hops = STAT_SUM(h, steered_in) - hops;
	drops = all_drops(h) - drops;
	if (h_recv(h, IN, g.frame))
		return WHY("a flood segment reached the server side");
	if (drops != sent)
		return WHY("%u segments, %llu drops", sent, (unsigned long long)drops);
	if (hops > sent)
		return WHY("%u segments took %llu hops between workers", sent,
			   (unsigned long long)hops);
	/* The connection is still there for its client, from any worker. */
	return exchange_on(h, at, OUT, IN, SL_IPPROTO_TCP, SERVER, t.cport, VIP, 80,
			   SL_TCP_ACK, &g)
		       ? true : WHY("the client's ACK after the flood not forwarded");
}

/* UDP to a public pool address at random ports (no mapping has them;
 * anyone can send these, no spoofing needed). */
static void pool_flood_burst(uint8_t (*f)[FR_MAX], uint32_t *len)
{
	for (unsigned i = 0; i < H_BURST; i++)
		len[i] = build(f[i], SL_IPPROTO_UDP, SERVER,
			       (uint16_t)(1024 + fr_below(60000)), POOL_A,
			       (uint16_t)(1024 + fr_below(60000)), 0);
}

/* TCP to the local address at random ports, from outside: not where the
 * servers it speaks to are. */
static void lip_flood_burst(uint8_t (*f)[FR_MAX], uint32_t *len)
{
	for (unsigned i = 0; i < H_BURST; i++)
		len[i] = build(f[i], SL_IPPROTO_TCP, SERVER,
			       (uint16_t)(1024 + fr_below(60000)), LIP,
			       (uint16_t)(1024 + fr_below(60000)), SL_TCP_ACK);
}

/* A flood from outside arrives on one worker with the server's replies of
 * a running transfer, while the worker owning the transfer runs once for
 * every four bursts the other takes in: the replies must all reach the
 * client, and their ring never overflows. */
static bool replies_survive(struct harness *h, uint16_t cport,
			    void (*flood)(uint8_t (*)[FR_MAX], uint32_t *), char *why)
{
	static uint8_t f[H_BURST][FR_MAX], reply[1][FR_MAX];
	uint32_t len[H_BURST], reply_len[1];
	struct transfer t;
	const unsigned rounds = 100, per_round = 4;
	unsigned sent = 0, got = 0;

	if (!open_transfer(h, cport, &t, why))
		return false;
	unsigned at = (t.owner + 1) % h->nworkers;
	uint64_t ring_full = h_drops(h, SL_DROP_STEER_RING_FULL);
	reply_len[0] = build(reply[0], SL_IPPROTO_TCP, RS, 8080, LIP, t.lport, SL_TCP_ACK);
	h_flush(h);
	for (unsigned r = 0; r < rounds; r++) {
		for (unsigned i = 0; i < per_round; i++) {
			flood(f, len);
			h_arrive(h, OUT, at, f, len, H_BURST);
			h_arrive(h, IN, at, reply, reply_len, 1);
			sent++;
		}
		h_run(h, t.owner);
		got += replies_out(h, &t);
	}
	h_settle(h);
	got += replies_out(h, &t);
	if (got != sent)
		return WHY("%u of %u replies reached the client (steer_ring_full +%llu)",
			   got, sent,
			   (unsigned long long)(h_drops(h, SL_DROP_STEER_RING_FULL) - ring_full));
	return h_drops(h, SL_DROP_STEER_RING_FULL) == ring_full
		       ? true : WHY("steer_ring_full grew");
}

static bool flood_keeps_replies(struct harness *h, char *why)
{
	return replies_survive(h, 42001, ack_flood_burst, why);
}

/* The pool flood crosses to its port's owner on source NAT's own ring. */
static bool pool_flood_keeps_replies(struct harness *h, char *why)
{
	uint64_t snat_full = h_drops(h, SL_DROP_SNAT_RING_FULL);
	if (!replies_survive(h, 42011, pool_flood_burst, why))
		return false;
	return h->nworkers == 1 || h_drops(h, SL_DROP_SNAT_RING_FULL) > snat_full
		       ? true : WHY("the pool flood never filled its own ring: not reached");
}

/* The local-address flood from outside ends where it lands. */
static bool lip_flood_keeps_replies(struct harness *h, char *why)
{
	uint64_t hops = STAT_SUM(h, steered_in);
	uint64_t wrong = h_drops(h, SL_DROP_INGRESS_WRONG_PORT);
	if (!replies_survive(h, 42012, lip_flood_burst, why))
		return false;
	if (h_drops(h, SL_DROP_INGRESS_WRONG_PORT) - wrong != 100 * 4 * H_BURST)
		return WHY("ingress_wrong_port grew by %llu, not one per flood segment",
			   (unsigned long long)(h_drops(h, SL_DROP_INGRESS_WRONG_PORT) - wrong));
	/* Hops: the transfer's own packets only (3 to open, 400 replies). */
	return STAT_SUM(h, steered_in) - hops <= 403
		       ? true : WHY("%llu packets crossed between workers",
				    (unsigned long long)(STAT_SUM(h, steered_in) - hops));
}

/* Replies counted, per port, by how they reached their owner (what NIC
 * flow steering is judged by): arriving on the owner's queue, or on
 * another worker's and crossing a ring. A client's packet is no reply. */
static bool replies_counted_by_path(struct harness *h, char *why)
{
	struct transfer t;
	struct seen g;

	if (!open_transfer(h, 42020, &t, why))
		return false;
	uint64_t on = STAT_SUM(h, replies_on_queue[IN]);
	uint64_t ring = STAT_SUM(h, replies_by_ring[IN]);
	uint64_t out = STAT_SUM(h, replies_on_queue[OUT]) + STAT_SUM(h, replies_by_ring[OUT]);
	if (!exchange_on(h, t.owner, IN, OUT, SL_IPPROTO_TCP, RS, 8080, LIP, t.lport,
			 SL_TCP_ACK, &g))
		return WHY("a reply on its owner's queue not forwarded");
	if (STAT_SUM(h, replies_on_queue[IN]) != on + 1 || STAT_SUM(h, replies_by_ring[IN]) != ring)
		return WHY("a reply on its owner's queue: on queue +%llu, by ring +%llu",
			   (unsigned long long)(STAT_SUM(h, replies_on_queue[IN]) - on),
			   (unsigned long long)(STAT_SUM(h, replies_by_ring[IN]) - ring));
	unsigned other = (t.owner + 1) % h->nworkers;
	if (h->nworkers > 1 &&
	    !exchange_on(h, other, IN, OUT, SL_IPPROTO_TCP, RS, 8080, LIP, t.lport, SL_TCP_ACK, &g))
		return WHY("a reply on worker %u's queue not forwarded", other);
	if (h->nworkers > 1 && (STAT_SUM(h, replies_on_queue[IN]) != on + 1 ||
				STAT_SUM(h, replies_by_ring[IN]) != ring + 1))
		return WHY("a reply on another worker's queue: on queue +%llu, by ring +%llu",
			   (unsigned long long)(STAT_SUM(h, replies_on_queue[IN]) - on),
			   (unsigned long long)(STAT_SUM(h, replies_by_ring[IN]) - ring));
	if (!exchange_on(h, other, OUT, IN, SL_IPPROTO_TCP, SERVER, t.cport, VIP, 80,
			 SL_TCP_ACK, &g))
		return WHY("the client's ACK not forwarded");
	return STAT_SUM(h, replies_on_queue[OUT]) + STAT_SUM(h, replies_by_ring[OUT]) == out
		       ? true : WHY("a client's packet counted as a reply");
}

/* Datagrams of one flow arriving on each worker in turn: one connection,
 * the same server and local port for all (a rr VIP with two servers, and
 * each worker's rr cursor starts elsewhere). */
static bool udp_flow_one_server(struct harness *h, char *why)
{
	struct seen first, g;
	uint64_t created = STAT_SUM(h, conns_created);

	for (unsigned i = 0; i < 2 * h->nworkers; i++) {
		unsigned on = i % h->nworkers;
		struct seen *s = i ? &g : &first;
		if (!exchange_on(h, on, OUT, IN, SL_IPPROTO_UDP, SERVER, 43000, VIP, 53, 0, s))
			return WHY("datagram %u, on worker %u, not forwarded", i, on);
		if (s->daddr != first.daddr || s->sport != first.sport)
			return WHY("datagram %u, on worker %u, went to %08x from local port %u;"
				   " the first to %08x from %u", i, on, s->daddr, s->sport,
				   first.daddr, first.sport);
	}
	created = STAT_SUM(h, conns_created) - created;
	return created == 1 ? true
			    : WHY("%llu connections for one flow", (unsigned long long)created);
}
