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

/* A peer fills at most its share of a worker's table: past it, refused
 * and counted; as its connections go, room comes back. */
static bool sync_peer_share(struct harness *h, char *why)
{
	enum { CAP = 3, N = 5 };
	unsigned owner = h->nworkers - 1;

	if (!sync_on(h, why))
		return false;
	for (unsigned round = 0; round < 2; round++) {
		struct sl_wmsg *msg = calloc(1, sizeof(*msg) + N * sizeof(struct sl_sync_install));
		struct sl_sync_install *in = (struct sl_sync_install *)(msg + 1);
		uint16_t cport = 41900;
		for (unsigned i = 0; i < N; i++, cport++) {
			cport = sync_cport(h, cport, owner);
			in[i].rec = sync_rec(LIP, cport, sync_lport(h, (uint16_t)(31000 + 10 * i), owner));
			in[i].svc_id = 0, in[i].rs_id = 0;
		}
		msg->type = SL_WMSG_SYNC_INSTALL;
		msg->install.recs = in, msg->install.n = N;
		msg->install.cap = CAP, msg->install.peer = 2;
		uint64_t inst = SYNC_STAT(h, installed), refused = SYNC_STAT(h, refused_share);
		uint64_t peer_refused, held, other_refused, other_held;
		sl_ctl_sync_peer_sums(&h->ctl, 2, &peer_refused, &held);
		sl_ctl_send(&h->ctl, owner, msg);
		sync_turns(h, 40);
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
	sync_off(h);
	return true;
}

/* With every sync ring full, a new connection still opens and its
 * packet is forwarded: the record is lost and counted. */
static bool sync_ring_full(struct harness *h, char *why)
{
	struct sl_sync_conn junk = {0};
	struct seen g;

	if (!sync_on(h, why))
		return false;
	for (unsigned w = 0; w < h->nworkers; w++)
		while (rte_ring_enqueue_elem(h->dp.workers[w]->sync->ring, &junk,
					     sizeof(junk)) == 0)
			;
	uint64_t lost = SYNC_STAT(h, ring_full);
	bool sent = exchange(h, OUT, IN, SL_IPPROTO_TCP, SERVER, 41990, VIP, 80, SYN, &g);
	for (unsigned w = 0; w < h->nworkers; w++)
		h_run(h, w);
	uint64_t now_lost = SYNC_STAT(h, ring_full);
	sync_off(h);
	if (!sent)
		return WHY("the SYN was not forwarded with the sync ring full");
	return now_lost == lost + 1 ? true
				    : WHY("ring_full grew by %llu, not 1",
					  (unsigned long long)(now_lost - lost));
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

/* A full dump gives a REFRESH of every connection, a slice of the table
 * per turn; one walk at a time; the periodic refresh only those older
 * than its age. */
static bool sync_walks(struct harness *h, char *why)
{
	enum { OLD = 40, YOUNG = 5 };
	struct seen g;

	if (!sync_on(h, why))
		return false;
	for (uint16_t i = 0; i < OLD; i++)
		exchange(h, OUT, IN, SL_IPPROTO_TCP, SERVER, (uint16_t)(42000 + i), VIP, 80, SYN, &g);
	h_tick(h, 2000);
	for (uint16_t i = 0; i < YOUNG; i++)
		exchange(h, OUT, IN, SL_IPPROTO_TCP, SERVER, (uint16_t)(42100 + i), VIP, 80, SYN, &g);
	sync_turns(h, 2);
	sunk.n = 0;
	bool busy = sl_ctl_sync_dump(&h->ctl, 1, true, 0) == 0 &&
		    sl_ctl_sync_dump(&h->ctl, 1, true, 0) != 0;
	unsigned turns = sync_walk(h);
	unsigned old = sunk_count(SL_SYNC_REFRESH, 42000, 42000 + OLD);
	unsigned young = sunk_count(SL_SYNC_REFRESH, 42100, 42100 + YOUNG);
	if (!busy || turns < 2 || old != OLD || young != YOUNG)
		return sync_off(h), WHY("full dump: %s, %u turns, %u of %u old, %u of %u young",
					busy ? "one at a time" : "two at once", turns, old, OLD,
					young, YOUNG);
	sunk.n = 0, sunk.walked = 0;
	bool started = sl_ctl_sync_dump(&h->ctl, -1, false, 1500) == 0;
	turns = sync_walk(h);
	old = sunk_count(SL_SYNC_REFRESH, 42000, 42000 + OLD);
	young = sunk_count(SL_SYNC_REFRESH, 42100, 42100 + YOUNG);
	sync_off(h);
	return started && turns && old == OLD && young == 0
		       ? true : WHY("refresh: %u of %u old, %u young (want none)", old, OLD, young);
}
