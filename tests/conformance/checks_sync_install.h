/* SPDX-License-Identifier: BSD-3-Clause */
/* Session sync, installs and walks (included by checks_sync.h): a peer's
 * connection installed and forwarded both ways, an install of one that
 * is there already, the per-peer share, a full sync ring, the walks. */

/* A client port from `from` on whose flow worker `owner` owns, and a
 * local port of that worker's share: a connection as the peer (running
 * as many workers) made it. */
static uint16_t sync_cport(const struct harness *h, uint16_t from, unsigned owner)
{
	for (uint16_t p = from;; p++) {
		struct sl_v4key k = {sl_htonl(SERVER), sl_htonl(VIP), sl_htons(p), sl_htons(80)};
		if (sl_flow_owner(sl_flow_hash(&k, SL_IPPROTO_TCP), h->nworkers) == owner)
			return p;
	}
}

static uint16_t sync_lport(const struct harness *h, uint16_t from, unsigned owner)
{
	return (uint16_t)(from - from % h->nworkers + owner);
}

/* The peer's record of SERVER:cport -> VIP:80 through RS:8080 from
 * `laddr`:lport, established. */
static struct sl_sync_conn sync_rec(uint32_t laddr, uint16_t cport, uint16_t lport)
{
	struct sl_sync_conn r = {.family_orig = 4, .family_reply = 4,
				 .proto = SL_IPPROTO_TCP, .state = SL_CS_TCP_ESTABLISHED,
				 .event = SL_SYNC_NEW, .timeout_ms = 60000};
	sl_be32 a[4] = {sl_htonl(SERVER), sl_htonl(VIP), sl_htonl(RS), sl_htonl(laddr)};

	memcpy(r.client, &a[0], 4);
	memcpy(r.vip, &a[1], 4);
	memcpy(r.rs, &a[2], 4);
	memcpy(r.laddr, &a[3], 4);
	r.cport = sl_htons(cport), r.vport = sl_htons(80);
	r.rsport = sl_htons(8080), r.lport = sl_htons(lport);
	return r;
}

/* The peers' local addresses: PEER_LIP, or none. */
static bool sync_peer_laddr(struct harness *h, bool on, char *why)
{
	struct sl_addr a = {.af = SL_AF_V4, .v4 = sl_htonl(PEER_LIP)};
	struct sl_err err = {0};

	if (sl_model_set_peer_laddrs(&h->ctl.model, &a, on, "test", &err) != 0 ||
	    h_publish(h, &h->ctl.model, &err) != 0)
		return WHY("peer local address: %.100s", err.message);
	return true;
}

/* A peer's connection, installed on the worker its local port names:
 * the client's next segment leaves from the peer's local address and
 * port, the server's reply to it reaches the client; installed again
 * (a later state), it is updated, not duplicated; records naming an
 * unknown VIP or local address reach no worker. */
static bool sync_install_forwards(struct harness *h, char *why)
{
	unsigned owner = h->nworkers - 1;
	uint16_t cport = sync_cport(h, 41800, owner), lport = sync_lport(h, 30000, owner);
	struct sl_sync_conn r = sync_rec(PEER_LIP, cport, lport);
	struct sl_conn_table *ct = &h->dp.workers[owner]->ct;
	struct seen g;

	if (!sync_on(h, why) || !sync_peer_laddr(h, true, why))
		return sync_off(h), false;
	uint32_t before = ct->nconns;
	bool ok = sl_ctl_sync_install(&h->ctl, &r, 1, 0) == 1;
	sync_turns(h, 40);
	if (!ok || sl_sync_lookup(ct, &r) == SL_CT_NONE || ct->nconns != before + 1)
		return sync_off(h), WHY("the record was not installed on worker %u", owner);
	if (!exchange(h, OUT, IN, SL_IPPROTO_TCP, SERVER, cport, VIP, 80, ACK, &g) ||
	    g.saddr != PEER_LIP || g.sport != lport || g.daddr != RS || g.dport != 8080 ||
	    !frame_ok(&g))
		return sync_off(h), WHY("client's segment left as %08x:%u -> %08x:%u", g.saddr,
					g.sport, g.daddr, g.dport);
	if (!exchange(h, IN, OUT, SL_IPPROTO_TCP, RS, 8080, PEER_LIP, lport, ACK, &g) ||
	    g.saddr != VIP || g.sport != 80 || g.daddr != SERVER || g.dport != cport ||
	    !frame_ok(&g))
		return sync_off(h), WHY("server's reply to the peer's address not delivered");
	/* Again, closing: the same entry, its state moved. */
	uint64_t updated = SYNC_STAT(h, updated);
	r.event = SL_SYNC_STATE, r.state = SL_CS_TCP_FIN_WAIT;
	sl_ctl_sync_install(&h->ctl, &r, 1, 0);
	sync_turns(h, 40);
	uint32_t ref = sl_sync_lookup(ct, &r);
	if (ct->nconns != before + 1 || ref == SL_CT_NONE ||
	    sl_ct_conn(ct, ref)->state != SL_CS_TCP_FIN_WAIT || SYNC_STAT(h, updated) != updated + 1)
		return sync_off(h), WHY("a second install duplicated the entry or left its state");
	/* Unknown VIP, unknown local address: refused before any worker. */
	const struct sl_ctl_sync_stats *st = sl_ctl_sync_stats(&h->ctl);
	uint64_t vip = st->refused_vip, laddr = st->refused_laddr;
	struct sl_sync_conn bad[2] = {sync_rec(PEER_LIP, cport, lport), sync_rec(H(5), cport, lport)};
	bad[0].vport = sl_htons(81);
	ok = sl_ctl_sync_install(&h->ctl, bad, 2, 0) == 0 && st->refused_vip == vip + 1 &&
	     st->refused_laddr == laddr + 1;
	ok = sync_peer_laddr(h, false, why) && ok;
	sync_off(h);
	return ok ? true : WHY("records with an unknown VIP or local address not refused");
}

/* Install records `recs` on worker `owner` for `peer`, with the caps
 * given, straight to the worker (svc_id and rs_id 0). */
static void sync_install_recs(struct harness *h, unsigned owner,
			      const struct sl_sync_conn *recs, unsigned n, uint8_t peer,
			      uint32_t cap, uint32_t total_cap)
{
	struct sl_wmsg *msg = calloc(1, sizeof(*msg) + n * sizeof(struct sl_sync_install));
	struct sl_sync_install *in = (struct sl_sync_install *)(msg + 1);

	for (unsigned i = 0; i < n; i++)
		in[i].rec = recs[i], in[i].svc_id = 0, in[i].rs_id = 0;
	msg->type = SL_WMSG_SYNC_INSTALL;
	msg->install.recs = in, msg->install.n = n;
	msg->install.cap = cap, msg->install.total_cap = total_cap, msg->install.peer = peer;
	sl_ctl_send(&h->ctl, owner, msg);
	sync_turns(h, 40);
}

/* Install records of cports from `cport` with local ports from `lport`
 * (one each, on worker `owner`) for `peer`, with the caps given. */
static void sync_install_n(struct harness *h, unsigned owner, unsigned n, uint16_t cport,
			   uint16_t lport, uint8_t peer, uint32_t cap, uint32_t total_cap)
{
	struct sl_sync_conn recs[8];

	for (unsigned i = 0; i < n && i < 8; i++, cport++) {
		cport = sync_cport(h, cport, owner);
		recs[i] = sync_rec(LIP, cport, sync_lport(h, (uint16_t)(lport + 10 * i), owner));
	}
	sync_install_recs(h, owner, recs, n < 8 ? n : 8, peer, cap, total_cap);
}

/* A peer fills at most its share of a worker's table, and all peers
 * together at most theirs: past it, refused and counted; as their
 * connections go, room comes back. */
static bool sync_peer_share(struct harness *h, char *why)
{
	enum { CAP = 3, TOTAL = 4, N = 5 };
	unsigned owner = h->nworkers - 1;

	if (!sync_on(h, why))
		return false;
	for (unsigned round = 0; round < 2; round++) {
		uint64_t inst = SYNC_STAT(h, installed), refused = SYNC_STAT(h, refused_share);
		uint64_t peer_refused, held, other_refused, other_held;
		sl_ctl_sync_peer_sums(&h->ctl, 2, &peer_refused, &held);
		sync_install_n(h, owner, N, 41900, 31000, 2, CAP, 1000);
		inst = SYNC_STAT(h, installed) - inst;
		refused = SYNC_STAT(h, refused_share) - refused;
		if (inst != CAP || refused != N - CAP)
			return sync_off(h), WHY("round %u: %llu installed, %llu refused; want %u, %u",
						round, (unsigned long long)inst,
						(unsigned long long)refused, CAP, N - CAP);
		/* What cluster status reports for the peer: its own refusals
		 * and connections, summed over the workers; none for another. */
		uint64_t was_refused = peer_refused;
		sl_ctl_sync_peer_sums(&h->ctl, 2, &peer_refused, &held);
		sl_ctl_sync_peer_sums(&h->ctl, 1, &other_refused, &other_held);
		if (peer_refused - was_refused != N - CAP || held != CAP || other_held != 0)
			return sync_off(h), WHY("round %u: the peer's sums say %llu refused, %llu "
						"held (another peer %llu); want %u, %u, 0", round,
						(unsigned long long)(peer_refused - was_refused),
						(unsigned long long)held,
						(unsigned long long)other_held, N - CAP, CAP);
		h_advance(h, 3600); /* they expire: the share is free again */
	}
	/* Two peers within their own shares, past the total between them. */
	uint64_t inst = SYNC_STAT(h, installed);
	sync_install_n(h, owner, CAP, 41900, 31000, 1, CAP, TOTAL);
	sync_install_n(h, owner, CAP, 42900, 32000, 2, CAP, TOTAL);
	inst = SYNC_STAT(h, installed) - inst;
	sync_off(h);
	return inst == TOTAL ? true : WHY("two peers installed %llu, all peers' share is %u",
					  (unsigned long long)inst, TOTAL);
}

/* Records of cport in [lo, hi) and `event` sunk, each port once. */
static unsigned sunk_count(uint8_t event, uint16_t lo, uint16_t hi)
{
	static uint8_t seen[65536];
	unsigned n = 0;

	memset(seen, 0, sizeof(seen));
	for (uint32_t i = 0; i < sunk.n; i++) {
		uint16_t p = sl_ntohs(sunk.rec[i].cport);
		if (sunk.rec[i].event == event && p >= lo && p < hi && !seen[p]++)
			n++;
	}
	return n;
}

/* Walk until every worker is done; the turns it took (0: never). */
static unsigned sync_walk(struct harness *h)
{
	for (unsigned turn = 1; turn < 100000; turn++) {
		sync_turns(h, 1);
		if (sunk.walked)
			return turn;
	}
	return 0;
}

/* Client port cport's connection through the whole handshake: the
 * peers hear of it (NEW). Its local port, 0 if it failed. */
static uint16_t sync_established(struct harness *h, uint16_t cport)
{
	struct seen g, back;

	if (!exchange(h, OUT, IN, SL_IPPROTO_TCP, SERVER, cport, VIP, 80, SYN, &g) ||
	    !exchange(h, IN, OUT, SL_IPPROTO_TCP, RS, 8080, LIP, g.sport, SYN | ACK, &back) ||
	    !exchange(h, OUT, IN, SL_IPPROTO_TCP, SERVER, cport, VIP, 80, ACK, &back))
		return 0;
	return g.sport;
}

/* With every sync ring full, a connection still opens and its packets
 * are forwarded: the record of its completed handshake is lost and
 * counted; once the ring has room, the next refresh sends it again. */
static bool sync_ring_full(struct harness *h, char *why)
{
	struct sl_sync_conn junk = {0};
	struct seen g, back;
	uint32_t est = state_timeout(h, SL_CS_TCP_ESTABLISHED);

	if (!sync_on(h, why))
		return false;
	bool sent = exchange(h, OUT, IN, SL_IPPROTO_TCP, SERVER, 41990, VIP, 80, SYN, &g) &&
		    exchange(h, IN, OUT, SL_IPPROTO_TCP, RS, 8080, LIP, g.sport, SYN | ACK, &back);
	for (unsigned w = 0; w < h->nworkers; w++)
		while (rte_ring_enqueue_elem(h->dp.workers[w]->sync->ring, &junk,
					     sizeof(junk)) == 0)
			;
	uint64_t lost = SYNC_STAT(h, ring_full);
	sent = sent && exchange(h, OUT, IN, SL_IPPROTO_TCP, SERVER, 41990, VIP, 80, ACK, &g);
	for (unsigned w = 0; w < h->nworkers; w++)
		h_run(h, w);
	uint64_t now_lost = SYNC_STAT(h, ring_full);
	sync_turns(h, 40); /* the control thread drains the junk */
	sunk.n = 0, sunk.walked = 0;
	bool walked = sl_ctl_sync_dump(&h->ctl, -1, false, est / 8) == 0 && sync_walk(h);
	const struct sl_sync_conn *again = sunk_find(SL_SYNC_REFRESH, 41990);
	sync_off(h);
	if (!sent)
		return WHY("the handshake was not forwarded with the sync ring full");
	if (now_lost != lost + 1)
		return WHY("ring_full grew by %llu, not 1", (unsigned long long)(now_lost - lost));
	return walked && again ? true
			       : WHY("the lost record was not sent again by the next refresh");
}

/* One control turn takes every record the rings hold: three times the
 * 4096 a turn once took from all of them, from each (a worker making
 * records faster than that lost them to a full ring). A ring past its
 * wake mark (an eighth) makes its worker write the eventfd the control
 * loop waits on, once: the drain re-arms it. Only the drain's time
 * bound may leave records: after SL_CTL_SYNC_TURN_US, saying so
 * (drain_cut). */
static bool sync_drain_all(struct harness *h, char *why)
{
	enum { JUNK = 3 * 4096 };
	struct sl_sync_conn junk = {0};

	if (!sync_on(h, why))
		return false;
	const struct sl_ctl_sync_stats *st = sl_ctl_sync_stats(&h->ctl);
	struct pollfd pfd = {.fd = sl_ctl_sync_fd(&h->ctl), .events = POLLIN};
	for (unsigned w = 0; w < h->nworkers; w++)
		for (unsigned i = 0; i < JUNK; i++)
			rte_ring_enqueue_elem(h->dp.workers[w]->sync->ring, &junk, sizeof(junk));
	uint64_t drained = st->drained, wakes = st->wakes, cut = st->drain_cut;
	/* A real record after the junk: its worker's batch sees the mark. */
	bool made = sync_established(h, 42400) != 0;
	bool woken = sl_ctl_sync_woken(&h->ctl) && poll(&pfd, 1, 0) == 1;
	uint64_t t = rte_get_timer_cycles();
	sl_ctl_sync_poll(&h->ctl);
	uint64_t us = (rte_get_timer_cycles() - t) * 1000000 / rte_get_timer_hz();
	uint64_t took = st->drained - drained, want = (uint64_t)h->nworkers * JUNK + 1;
	bool rearmed = !sl_ctl_sync_woken(&h->ctl) && poll(&pfd, 1, 0) == 0;
	cut = st->drain_cut - cut;
	bool ok = made && woken && rearmed && st->wakes > wakes &&
		  (took == want || (took < want && cut && us >= SL_CTL_SYNC_TURN_US));
	sync_off(h);
	return ok ? true
		  : WHY("handshake %s; one turn drained %llu of %llu records in %llu us "
			"(drain_cut %llu); the wake %s before the drain, %s after",
			made ? "done" : "failed", (unsigned long long)took,
			(unsigned long long)want, (unsigned long long)us,
			(unsigned long long)cut, woken ? "set" : "not set",
			rearmed ? "re-armed" : "still set");
}

/* A full dump gives a REFRESH of every synced connection (not of a
 * handshake never completed), a slice of the table per turn; one walk at
 * a time. */
static bool sync_dump(struct harness *h, char *why)
{
	enum { OLD = 40, YOUNG = 5 };
	struct seen g;

	if (!sync_on(h, why))
		return false;
	for (uint16_t i = 0; i < OLD; i++)
		sync_established(h, (uint16_t)(42000 + i));
	h_tick(h, 2000);
	for (uint16_t i = 0; i < YOUNG; i++)
		sync_established(h, (uint16_t)(42100 + i));
	exchange(h, OUT, IN, SL_IPPROTO_TCP, SERVER, 42200, VIP, 80, SYN, &g);
	sync_turns(h, 2);
	sunk.n = 0;
	bool busy = sl_ctl_sync_dump(&h->ctl, 1, true, 0) == 0 &&
		    sl_ctl_sync_dump(&h->ctl, 1, true, 0) != 0;
	unsigned turns = sync_walk(h);
	unsigned old = sunk_count(SL_SYNC_REFRESH, 42000, 42000 + OLD);
	unsigned young = sunk_count(SL_SYNC_REFRESH, 42100, 42100 + YOUNG);
	unsigned syn = sunk_count(SL_SYNC_REFRESH, 42200, 42201);
	sync_off(h);
	return busy && turns >= 2 && old == OLD && young == YOUNG && syn == 0
		       ? true
		       : WHY("full dump: %s, %u turns, %u of %u old, %u of %u young, %u "
			     "unsynced handshakes (want 0)", busy ? "one at a time" : "two at once",
			     turns, old, OLD, young, YOUNG, syn);
}

/* The periodic refresh goes by the time left at the peers, not by age:
 * a connection whose traffic here outlived what the peers were told is
 * sent, with the time it has left, when the peers' copy would end within
 * two refreshes; an idle one (it ends everywhere at once) never; a busy
 * one not before its time. */
static bool sync_refresh(struct harness *h, char *why)
{
	enum { BUSY = 42300, IDLE = 42301 };
	struct seen g;
	uint32_t est = state_timeout(h, SL_CS_TCP_ESTABLISHED);

	if (!sync_on(h, why))
		return false;
	bool ok = sync_established(h, BUSY) && sync_established(h, IDLE);
	sync_turns(h, 2);
	h_tick(h, est / 2); /* half its time gone at the peers */
	ok = ok && exchange(h, OUT, IN, SL_IPPROTO_TCP, SERVER, BUSY, VIP, 80, ACK, &g);
	sync_turns(h, 2);
	sunk.n = 0, sunk.walked = 0;
	/* The peers' copies end in est / 2: not within two refreshes of
	 * est / 8, so nothing yet. */
	ok = ok && sl_ctl_sync_dump(&h->ctl, -1, false, est / 8) == 0 && sync_walk(h);
	unsigned early = sunk_count(SL_SYNC_REFRESH, BUSY, IDLE + 1);
	sunk.n = 0, sunk.walked = 0;
	ok = ok && sl_ctl_sync_dump(&h->ctl, -1, false, est / 3) == 0 && sync_walk(h);
	const struct sl_sync_conn *r = sunk_find(SL_SYNC_REFRESH, BUSY);
	unsigned idle = sunk_count(SL_SYNC_REFRESH, IDLE, IDLE + 1);
	sync_off(h);
	return ok && early == 0 && r && r->timeout_ms + 1000 >= est && idle == 0
		       ? true
		       : WHY("refresh: %u sent a horizon too early (want 0); the busy one %s "
			     "(%u ms left, want %u); the idle one %u times (want 0)", early,
			     r ? "sent" : "not sent", r ? r->timeout_ms : 0, est, idle);
}

#include "checks_sync_peer.h"
