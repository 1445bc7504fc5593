/* SPDX-License-Identifier: BSD-3-Clause */
/* Session sync, records out of order (included by checks_sync_peer.h):
 * a copy a GONE ended stays a tombstone that a late record of its
 * connection does not bring back, and no full dump sends; a NEW of the
 * same tuple after it is the next connection; a record never moves a TCP
 * state back, but a closed copy's new SYN cycle is taken; a UDP flow's
 * told mark (its replies decide inline) is forgotten when sync comes on
 * again. */

/* Records of cport's connection sent before its GONE but arriving after
 * it (datagrams reorder) are ignored, counted late: before, the REFRESH
 * installed the ended connection again for its whole timeout. */
static bool sync_late_after_gone(struct harness *h, char *why)
{
	unsigned owner = h->nworkers - 1;
	struct sl_sync_conn r = sync_rec(PEER_LIP, sync_cport(h, 43400, owner),
					 sync_lport(h, 33400, owner));

	if (!sync_peer_on(h, why))
		return false;
	bool ok = sync_put(h, &r, 1, 0);
	r.event = SL_SYNC_GONE;
	ok = ok && sync_put(h, &r, 1, 0);
	uint64_t late = SYNC_STAT(h, late);
	struct sl_sync_conn state = r, refresh = r;
	state.event = SL_SYNC_STATE, state.state = SL_CS_TCP_FIN_WAIT;
	state.flags = SL_CONN_F_FIN_ORIG;
	refresh.event = SL_SYNC_REFRESH;
	ok = ok && sync_put(h, &state, 1, 0) && sync_put(h, &refresh, 1, 0);
	bool counted = SYNC_STAT(h, late) == late + 2;
	for (unsigned i = 0; i < 4; i++) /* past the tombstone */
		h_tick(h, 1000);
	bool ended = sync_entry(h, owner, &r) == NULL;
	sync_peer_off(h);
	return ok && counted && ended ? true
				      : WHY("records after the GONE: the copy %s, late %s (%s)",
					    ended ? "ended" : "back", counted ? "counted" : "not counted",
					    ok ? "sent" : "not sent");
}

/* A NEW of the very connection a tombstone names (the client's port and
 * the same server and local port again) is the tuple's next connection:
 * installed afresh, counted reopened, not ignored as late. */
static bool sync_reopen_after_gone(struct harness *h, char *why)
{
	unsigned owner = h->nworkers - 1;
	struct sl_sync_conn r = sync_rec(PEER_LIP, sync_cport(h, 43450, owner),
					 sync_lport(h, 33450, owner));

	if (!sync_peer_on(h, why))
		return false;
	bool ok = sync_put(h, &r, 1, 0);
	r.event = SL_SYNC_GONE;
	ok = ok && sync_put(h, &r, 1, 0);
	uint64_t reopened = SYNC_STAT(h, reopened);
	r.event = SL_SYNC_NEW;
	ok = ok && sync_put(h, &r, 1, 0);
	for (unsigned i = 0; i < 4; i++) /* past the tombstone */
		h_tick(h, 1000);
	bool kept = sync_entry(h, owner, &r) != NULL;
	bool counted = SYNC_STAT(h, reopened) == reopened + 1;
	sync_peer_off(h);
	return ok && kept && counted ? true
				     : WHY("a NEW after the GONE: the copy %s, reopened %s (%s)",
					   kept ? "kept" : "ended", counted ? "counted" : "not counted",
					   ok ? "sent" : "not sent");
}

/* A full dump sends no tombstone: its connection is over. */
static bool sync_dump_no_tombstone(struct harness *h, char *why)
{
	unsigned owner = h->nworkers - 1;
	uint16_t cport = sync_cport(h, 43500, owner);
	struct sl_sync_conn r = sync_rec(PEER_LIP, cport, sync_lport(h, 33500, owner));

	if (!sync_peer_on(h, why))
		return false;
	bool ok = sync_put(h, &r, 1, 0);
	r.event = SL_SYNC_GONE;
	ok = ok && sync_put(h, &r, 1, 0);
	sunk.n = 0, sunk.walked = 0;
	ok = ok && sl_ctl_sync_dump(&h->ctl, 1, true, 0) == 0 && sync_walk(h);
	bool dumped = sunk_find(SL_SYNC_REFRESH, cport) != NULL;
	sync_peer_off(h);
	return ok && !dumped ? true
			     : WHY("full dump: the tombstone %s (%s)", dumped ? "sent" : "not sent",
				   ok ? "walked" : "not walked");
}

/* Set the copy of r to `state` by a STATE record; its state after. */
static uint8_t sync_state_to(struct harness *h, unsigned owner, struct sl_sync_conn *r,
			     uint8_t state, uint8_t flags)
{
	r->event = SL_SYNC_STATE, r->state = state, r->flags = flags;
	if (!sync_put(h, r, 1, 0))
		return SL_CS_FREE;
	struct sl_conn *c = sync_entry(h, owner, r);
	return c ? c->state : SL_CS_FREE;
}

/* A NEW on a closed copy of the very connection (the client reused its
 * port; the new cycle's SYN_* STATE records were lost) is taken, FIN
 * flags starting over: refused as "backwards", the copy stayed closed
 * and a failover lost the live connection. */
static bool sync_new_on_closed(struct harness *h, char *why)
{
	unsigned owner = h->nworkers - 1;
	uint16_t cport = sync_cport(h, 43460, owner);
	struct sl_sync_conn r = sync_rec(PEER_LIP, cport, sync_lport(h, 33460, owner));
	const uint8_t both = SL_CONN_F_FIN_ORIG | SL_CONN_F_FIN_REPLY;

	if (!sync_peer_on(h, why))
		return false;
	bool ok = sync_put(h, &r, 1, 0) &&
		  sync_state_to(h, owner, &r, SL_CS_TCP_TIME_WAIT, both) == SL_CS_TCP_TIME_WAIT;
	r.event = SL_SYNC_NEW, r.state = SL_CS_TCP_ESTABLISHED, r.flags = 0;
	ok = ok && sync_put(h, &r, 1, 0);
	struct sl_conn *c = sync_entry(h, owner, &r);
	uint8_t state = c ? c->state : SL_CS_FREE, fins = c ? c->flags & both : 0xff;
	sync_peer_off(h);
	if (!ok)
		return WHY("records not sent");
	return state == SL_CS_TCP_ESTABLISHED && fins == 0
		       ? true
		       : WHY("a NEW on a TIME_WAIT copy left it %s, FIN flags %#x",
			     sl_conn_state_name(state), fins);
}

/* An older record (ESTABLISHED after FIN_WAIT) leaves the state, counted
 * backwards; the client's new SYN cycle on a TIME_WAIT copy (it reused
 * its port) is taken, its FIN flags starting over. */
static bool sync_state_order(struct harness *h, char *why)
{
	const uint8_t both = SL_CONN_F_FIN_ORIG | SL_CONN_F_FIN_REPLY;
	unsigned owner = h->nworkers - 1;
	struct sl_sync_conn r = sync_rec(PEER_LIP, sync_cport(h, 43550, owner),
					 sync_lport(h, 33550, owner));

	if (!sync_peer_on(h, why))
		return false;
	bool ok = sync_put(h, &r, 1, 0) &&
		  sync_state_to(h, owner, &r, SL_CS_TCP_FIN_WAIT, SL_CONN_F_FIN_ORIG) ==
			  SL_CS_TCP_FIN_WAIT;
	uint64_t back = SYNC_STAT(h, backwards);
	uint8_t late = sync_state_to(h, owner, &r, SL_CS_TCP_ESTABLISHED, 0);
	bool counted = SYNC_STAT(h, backwards) == back + 1;
	ok = ok && sync_state_to(h, owner, &r, SL_CS_TCP_TIME_WAIT, both) == SL_CS_TCP_TIME_WAIT;
	uint8_t reuse = sync_state_to(h, owner, &r, SL_CS_TCP_SYN_SENT, 0);
	struct sl_conn *c = sync_entry(h, owner, &r);
	uint8_t fins = c ? c->flags & both : 0xff;
	sync_peer_off(h);
	if (!ok || late != SL_CS_TCP_FIN_WAIT || !counted)
		return WHY("ESTABLISHED after FIN_WAIT: %s, backwards %s (%s)",
			   sl_conn_state_name(late), counted ? "counted" : "not counted",
			   ok ? "sent" : "not sent");
	return reuse == SL_CS_TCP_SYN_SENT && fins == 0
		       ? true : WHY("a new SYN cycle on TIME_WAIT: %s, FIN flags %#x",
				    sl_conn_state_name(reuse), fins);
}

/* One reply of the UDP flow from SERVER:cport (its first datagram gave
 * *g). */
static bool sync_udp_reply(struct harness *h, const struct seen *g)
{
	struct seen back;
	bool ok = exchange(h, IN, OUT, SL_IPPROTO_UDP, g->daddr, g->dport, LIP, g->sport, 0,
			   &back);
	sync_turns(h, 2);
	return ok;
}

/* A UDP flow's replies after the first send nothing (the entry's told
 * mark decides, inline); sync off and on again, the peers know nothing,
 * so its next reply makes its NEW again. */
static bool sync_udp_told_again(struct harness *h, char *why)
{
	enum { CPORT = 43600 };
	char err[160];
	struct seen g;

	if (!sync_on(h, why))
		return false;
	bool ok = exchange(h, OUT, IN, SL_IPPROTO_UDP, SERVER, CPORT, VIP, 53, 0, &g) &&
		  sync_udp_reply(h, &g) && sync_udp_reply(h, &g);
	unsigned first = sunk_of(CPORT);
	sl_ctl_sync_free(&h->ctl);
	ok = ok && sl_ctl_sync_init(&h->ctl, err, sizeof(err)) == 0;
	sl_ctl_sync_set_sink(&h->ctl, sink_take, sink_walked, NULL);
	sunk.n = 0;
	ok = ok && sync_udp_reply(h, &g);
	bool again = sunk_find(SL_SYNC_NEW, CPORT) != NULL;
	sync_off(h);
	if (!ok || first != 1)
		return WHY("two replies made %u records (want one NEW; %s)", first,
			   ok ? "forwarded" : "lost");
	return again ? true : WHY("sync on again: the flow's next reply made no NEW");
}
