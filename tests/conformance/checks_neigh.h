/* SPDX-License-Identifier: BSD-3-Clause */
/* Neighbors: published apart from the snapshot (issue 12.15), and what
 * workers pass on to be learned (12.9). Included by
 * conformance_checks.h. A connection caches where each direction leaves
 * as a slot of the neighbor table; a neighbor-only publish must make
 * that cache stale, or the slot points into a table laid out anew. */

#define LEARN_BATCH 256u
#define LEARN_BATCHES 8u

/* 198.18.8.0 on, on the inside port, learned as ARP replies. */
static uint32_t learned_ip(uint32_t i)
{
	return IP(198, 18, 8, 0) + i;
}

/* Learn (or forget) batches [0, n). */
static void learn_batches(struct harness *h, uint32_t n, bool learn)
{
	const uint8_t mac[6] = {0x02, 0x00, 0x00, 0x09, 0x09, 0x09};

	for (uint32_t i = 0; i < n * LEARN_BATCH; i++) {
		sl_be32 ip = sl_htonl(learned_ip(i));
		if (learn)
			sl_neigh_learn(&h->ctl.neigh, ip, mac, IN, 0);
		else
			sl_neigh_forget(&h->ctl.neigh, ip);
	}
}

static bool to_server_mac(const struct seen *g)
{
	const uint8_t want[6] = {0x02, 0x00, 0x00, 0x00, 0x04, RS & 255};
	return memcmp(g->frame, want, 6) == 0;
}

/* The server's slot in the workers' neighbor table. */
static long rs_slot(const struct harness *h)
{
	const struct sl_neigh_view *v = h->dp.neigh;
	const struct sl_snap_neigh *n = sl_neigh_view_find(v, sl_htonl(RS));
	return n ? n - v->slot : -1;
}

/* A live connection's next packet after a neighbor-only publish that
 * moved the server's slot: still to the server's MAC. */
static bool neighbor_publish_moves_slots(struct harness *h, char *why)
{
	struct sl_err err = {0};
	struct seen to_rs, g;
	bool ok = true;

	if (!exchange(h, OUT, IN, SL_IPPROTO_TCP, SERVER, 44100, VIP, 80, SYN, &to_rs))
		return WHY("SYN to the VIP not forwarded");
	if (!to_server_mac(&to_rs))
		return WHY("the SYN did not go to the server's MAC");
	/* Grow the table until the server's slot moves (with a larger mask
	 * it stays put only by the hash's luck). */
	long before = rs_slot(h);
	uint32_t batches = 0;
	while (rs_slot(h) == before && batches < LEARN_BATCHES) {
		learn_batches(h, ++batches, true);
		if (h_publish_neigh(h, &err) != 0)
			return WHY("neighbor publish: %.100s", err.message);
	}
	if (rs_slot(h) == before)
		ok = WHY("the server's slot never moved: not reached");
	else if (!exchange(h, OUT, IN, SL_IPPROTO_TCP, SERVER, 44100, VIP, 80, ACK, &g))
		ok = WHY("the connection's next packet was not forwarded");
	else if (g.daddr != to_rs.daddr || !to_server_mac(&g))
		ok = WHY("after a neighbor-only publish the connection's packet went to "
			 "%02x:%02x:%02x:%02x:%02x:%02x", g.frame[0], g.frame[1], g.frame[2],
			 g.frame[3], g.frame[4], g.frame[5]);
	learn_batches(h, batches, false);
	if (h_publish_neigh(h, &err) != 0)
		return WHY("neighbor publish: %.100s", err.message);
	return ok;
}

/* Empty the workers' learn ring (the control thread's drain); the last
 * message taken, in *last, and how many there were. */
static unsigned learn_ring_take(struct harness *h, struct sl_learn_msg *last)
{
	struct sl_learn_msg m;
	unsigned n = 0;

	while (rte_ring_dequeue_elem(h->dp.learn_ring, &m, sizeof(m)) == 0) {
		*last = m;
		n++;
	}
	return n;
}

/* An ARP request for one of our addresses from `spa`: answered either
 * way; true if the answer came back on OUT. */
static bool arp_answered(struct harness *h, uint32_t spa)
{
	uint8_t f[FR_MAX], out[FR_MAX];
	uint32_t len = fr_build_arp(f, SL_ARP_OP_REQUEST, spa, IP(198, 19, 0, 1));

	h_flush(h);
	h_send(h, OUT, f, len);
	len = h_recv(h, OUT, out);
	return len >= SL_ETH_HLEN + sizeof(struct sl_arp_hdr) &&
	       fr_get16(out + SL_ETH_HLEN + 6) == SL_ARP_OP_REPLY;
}

/* An ARP reply to the host's tap address (the kernel resolving a server
 * for a data-path check) is the kernel's: it must not refresh Sluice's
 * own entry for the server, or Sluice's unanswered probes would be
 * hidden by the kernel's answered ones. A reply to Sluice's own address
 * still is passed on. */
static bool arp_reply_to_host_not_learned(struct harness *h, char *why)
{
	struct sl_learn_msg last = {0};
	uint8_t f[FR_MAX];
	uint32_t len;

	learn_ring_take(h, &last);
	len = fr_build_arp(f, SL_ARP_OP_REPLY, RS, HOST_IN);
	h_send(h, IN, f, len);
	if (learn_ring_take(h, &last) != 0)
		return WHY("a reply to the host's tap address was passed on to be learned");
	len = fr_build_arp(f, SL_ARP_OP_REPLY, RS, IP(198, 18, 2, 1));
	h_send(h, IN, f, len);
	if (learn_ring_take(h, &last) != 1 || last.ip != sl_htonl(RS) ||
	    last.kind != SL_LEARN_REPLY)
		return WHY("a reply to the port's own address was not passed on (REPLY)");
	return true;
}

/* The tap may share the port's own address: a reply to it is then
 * Sluice's as well, and must be learned, or Sluice never resolves a
 * next hop on that port (review of the data-path checks, defect 1). */
static bool arp_reply_to_shared_addr_learned(struct harness *h, char *why)
{
	struct sl_learn_msg last = {0};
	struct sl_model m;
	struct sl_err err = {0};
	uint8_t f[FR_MAX];
	bool ok = true;

	if (sl_model_clone(&m, &h->ctl.model) != 0)
		return WHY("cannot copy the model");
	struct sl_model_port *in = &m.ports[IN];
	in->host_addrs[in->nhost_addrs].ip = sl_htonl(IP(198, 18, 2, 1));
	in->host_addrs[in->nhost_addrs++].plen = 23;
	if (h_publish(h, &m, &err) != 0) {
		sl_model_free(&m);
		return WHY("cannot publish the variant: %.80s", err.message);
	}
	learn_ring_take(h, &last);
	uint32_t len = fr_build_arp(f, SL_ARP_OP_REPLY, RS, IP(198, 18, 2, 1));
	h_send(h, IN, f, len);
	if (learn_ring_take(h, &last) != 1 || last.ip != sl_htonl(RS) ||
	    last.kind != SL_LEARN_REPLY)
		ok = WHY("a reply to the port's address, shared with its tap, was not learned");
	sl_model_free(&m);
	if (h_publish(h, &h->ctl.model, &err) != 0 && ok)
		return WHY("the running model not restored: %.80s", err.message);
	return ok;
}

/* Issue 12.9: a request from a sender Sluice does not know is answered
 * but never reaches the control thread (a flood of spoofed senders would
 * crowd the learn ring); one from a known neighbor refreshes it. */
static bool arp_request_filter(struct harness *h, char *why)
{
	struct sl_learn_msg last = {0};
	uint64_t unknown = STAT_SUM(h, arp_requests_unknown);

	learn_ring_take(h, &last);
	if (!arp_answered(h, IP(198, 19, 0, 77)))
		return WHY("a request from an unknown sender was not answered");
	if (STAT_SUM(h, arp_requests_unknown) != unknown + 1)
		return WHY("arp_requests_unknown did not count it");
	if (learn_ring_take(h, &last) != 0)
		return WHY("the unknown sender was passed on to be learned");
	if (!arp_answered(h, SERVER))
		return WHY("a request from a known neighbor was not answered");
	if (STAT_SUM(h, arp_requests_unknown) != unknown + 1)
		return WHY("a known neighbor's request counted as unknown");
	if (learn_ring_take(h, &last) != 1 || last.ip != sl_htonl(SERVER) ||
	    last.kind != SL_LEARN_SEEN)
		return WHY("the known neighbor's request was not passed on (SEEN) once");
	return true;
}

/* Two unresolved next hops sharing an asked slot (arp_asked, ns_asked),
 * both with a packet held: every loop turn re-asks for each held packet,
 * and before the slot's pace held whoever held it, each ask evicted the
 * other from the slot and sent a request, one per hop per loop turn (an
 * ARP storm). Shared by the ARP check here and the NDP one. */
#define PACE_TURNS 300u

/* Requests (as `is_ask` tells them) on OUT's TX, drained. */
static unsigned pace_drain(struct harness *h, bool (*is_ask)(const uint8_t *, uint32_t))
{
	uint8_t out[FR_MAX];
	uint32_t len;
	unsigned asks = 0;

	while ((len = h_recv(h, OUT, out)) != 0)
		asks += is_ask(out, len);
	return asks;
}

/* The packets are held (worker 0's clock read `start` before): loop
 * turns within one retry period or so send at most one request per
 * SL_ARP_RETRY_MS begun; a retry period later the slot asks again. */
static bool pace_kept(struct harness *h, uint32_t start,
		      bool (*is_ask)(const uint8_t *, uint32_t), char *why)
{
	unsigned asks = pace_drain(h, is_ask);

	for (unsigned t = 0; t < PACE_TURNS; t++) {
		h_tick(h, 0);
		asks += pace_drain(h, is_ask);
	}
	uint32_t spent = h->w->now_ms - start;
	unsigned allowed = spent / SL_ARP_RETRY_MS + 1;
	if (asks == 0)
		return WHY("no request for either next hop");
	if (asks > allowed)
		return WHY("%u requests for two next hops sharing a slot in %u ms of %u loop "
			   "turns, at most %u allowed", asks, spent, PACE_TURNS, allowed);
	h_tick(h, SL_ARP_RETRY_MS);
	asks = pace_drain(h, is_ask);
	if (asks != 1)
		return WHY("%u requests in the loop turn a retry period later, not 1", asks);
	return true;
}

/* Whatever the check left held expires; the learn messages it made go. */
static void pace_clean(struct harness *h)
{
	struct sl_learn_msg last;

	h_tick(h, SL_HOLD_MS + 1);
	h_flush(h);
	learn_ring_take(h, &last);
}

/* Hold a packet for next hop `i` (0 or 1) of `hops`; false: no mbuf. */
typedef bool (*pace_hold_fn)(struct harness *h, const void *hops, unsigned i);

/* Both next hops held on worker 0, then pace_kept. */
static bool pace_check(struct harness *h, const void *hops, pace_hold_fn hold,
		       bool (*is_ask)(const uint8_t *, uint32_t), char *why)
{
	bool ok = true;

	h_tick(h, SL_HOLD_MS + 1); /* what earlier checks left held goes first */
	h_flush(h);
	uint32_t start = h->w->now_ms;
	for (unsigned i = 0; i < 2 && ok; i++)
		if (!hold(h, hops, i))
			ok = WHY("no mbuf");
	sl_worker_flush(h->w);
	if (ok)
		ok = pace_kept(h, start, is_ask, why);
	pace_clean(h);
	return ok;
}

static bool arp_request_frame(const uint8_t *f, uint32_t len)
{
	return len >= SL_ETH_HLEN + sizeof(struct sl_arp_hdr) &&
	       fr_get16(f + 12) == SL_ETHERTYPE_ARP &&
	       fr_get16(f + SL_ETH_HLEN + 6) == SL_ARP_OP_REQUEST;
}

/* Two addresses on OUT's link (198.19.0.210 on), neither a known
 * neighbor, whose hashes share an arp_asked slot. */
static bool arp_pace_hops(struct harness *h, sl_be32 hop[2])
{
	const unsigned nslots = SL_ARRAY_SIZE(h->w->arp_asked);

	for (uint32_t a = 210; a < 255; a++)
		for (uint32_t b = a + 1; b < 255; b++) {
			hop[0] = sl_htonl(IP(198, 19, 0, a));
			hop[1] = sl_htonl(IP(198, 19, 0, b));
			if (sl_snap_ip_hash(hop[0]) % nslots == sl_snap_ip_hash(hop[1]) % nslots &&
			    !sl_neigh_view_find(h->dp.neigh, hop[0]) &&
			    !sl_neigh_view_find(h->dp.neigh, hop[1]))
				return true;
		}
	return false;
}

static bool arp_pace_hold(struct harness *h, const void *hops, unsigned i)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(h->dp.pool);

	if (m == NULL || rte_pktmbuf_append(m, 60) == NULL) {
		rte_pktmbuf_free(m);
		return false;
	}
	sl_worker_hold(h->w, m, ((const sl_be32 *)hops)[i], OUT, /* bytes do not matter */
		       h->w->now_ms);
	return true;
}

/* Packets for two next hops sharing an arp_asked slot held, then many
 * loop turns: at most one ARP request per SL_ARP_RETRY_MS for the slot.
 * Before: two per loop turn. */
static bool arp_ask_paced_per_slot(struct harness *h, char *why)
{
	sl_be32 hop[2];

	if (!arp_pace_hops(h, hop))
		return WHY("no two free addresses on out's link share a slot");
	return pace_check(h, hop, arp_pace_hold, arp_request_frame, why);
}
