/* SPDX-License-Identifier: BSD-3-Clause */
/* Session sync, a peer's records against what is here (included by
 * checks_sync_install.h): an update only of the very connection, FIN
 * flags added; a GONE that leaves a copy serving traffic here; a stale
 * copy replaced by a newer record for its local port; timeouts clamped
 * and installs counted apart from new connections; records out of
 * order: checks_sync_order.h, included at the end. */

/* Install (or update with) `n` records from peer `peer`, through the
 * control thread's checks, and let the workers take them. */
static bool sync_put(struct harness *h, const struct sl_sync_conn *recs, uint32_t n,
		     unsigned peer)
{
	bool ok = sl_ctl_sync_install(&h->ctl, recs, n, peer) == n;
	sync_turns(h, 40);
	return ok;
}

/* The entry of record r on worker `owner`, NULL if none. */
static struct sl_conn *sync_entry(struct harness *h, unsigned owner,
				  const struct sl_sync_conn *r)
{
	struct sl_conn_table *ct = &h->dp.workers[owner]->ct;
	uint32_t ref = sl_sync_lookup(ct, r);
	return ref == SL_CT_NONE ? NULL : sl_ct_conn(ct, ref);
}

static bool sync_peer_on(struct harness *h, char *why)
{
	if (!sync_on(h, why))
		return false;
	if (!sync_peer_laddr(h, true, why))
		return sync_off(h), false;
	return true;
}

static void sync_peer_off(struct harness *h)
{
	char why[160];
	sync_peer_laddr(h, false, why);
	sync_off(h);
}

/* A record updates an entry only when it names the very connection
 * (server, local address and port too): one that shares only the client
 * tuple is a conflict, counted, the entry left. FIN flags add up. */
static bool sync_update_whole(struct harness *h, char *why)
{
	unsigned owner = h->nworkers - 1;
	uint16_t cport = sync_cport(h, 43000, owner), lport = sync_lport(h, 33000, owner);
	struct sl_sync_conn r = sync_rec(PEER_LIP, cport, lport);

	if (!sync_peer_on(h, why))
		return false;
	r.flags = SL_CONN_F_FIN_ORIG;
	bool ok = sync_put(h, &r, 1, 0);
	struct sl_sync_conn other = r;
	other.lport = sl_htons((uint16_t)(lport + h->nworkers)); /* same worker's share */
	other.event = SL_SYNC_STATE, other.state = SL_CS_TCP_CLOSE;
	uint64_t conflicts = SYNC_STAT(h, conflicts);
	ok = ok && sync_put(h, &other, 1, 0);
	struct sl_conn *c = sync_entry(h, owner, &r);
	bool left = c && c->state == SL_CS_TCP_ESTABLISHED &&
		    SYNC_STAT(h, conflicts) == conflicts + 1;
	struct sl_sync_conn fin = r;
	fin.event = SL_SYNC_STATE, fin.state = SL_CS_TCP_CLOSE_WAIT;
	fin.flags = SL_CONN_F_FIN_REPLY;
	ok = ok && sync_put(h, &fin, 1, 0);
	c = sync_entry(h, owner, &r);
	uint8_t fins = c ? c->flags & (SL_CONN_F_FIN_ORIG | SL_CONN_F_FIN_REPLY) : 0;
	sync_peer_off(h);
	if (!ok || !left)
		return WHY("a record sharing only the client tuple %s the entry (%s)",
			   c ? "changed" : "ended", ok ? "sent" : "not sent");
	return fins == (SL_CONN_F_FIN_ORIG | SL_CONN_F_FIN_REPLY)
		       ? true : WHY("FIN flags %#x after FIN_ORIG then FIN_REPLY", fins);
}

/* The origin reused a client's port for a new connection (the client
 * closed first, so no TIME_WAIT kept the port): its NEW replaces the
 * pure copy of the old one on that client tuple, counted; before, the
 * record was a conflict, the old copy stayed, and after a failover the
 * new connection's packets went to the old server (reset). */
static bool sync_client_port_reuse(struct harness *h, char *why)
{
	unsigned owner = h->nworkers - 1;
	uint16_t cport = sync_cport(h, 43050, owner), lport = sync_lport(h, 33050, owner);
	struct sl_sync_conn old = sync_rec(PEER_LIP, cport, lport);

	if (!sync_peer_on(h, why))
		return false;
	old.state = SL_CS_TCP_CLOSE;
	bool ok = sync_put(h, &old, 1, 0);
	struct sl_sync_conn next = sync_rec(PEER_LIP, cport,
					    (uint16_t)(lport + h->nworkers)); /* same worker */
	uint64_t replaced = SYNC_STAT(h, replaced);
	ok = ok && sync_put(h, &next, 1, 0);
	struct sl_conn *c = sync_entry(h, owner, &next);
	bool taken = c && sl_sync_same_conn(&h->dp.workers[owner]->ct, c, &next) &&
		     SYNC_STAT(h, replaced) == replaced + 1;
	sync_peer_off(h);
	return ok && taken ? true
			   : WHY("a NEW on a reused client port %s the old copy (%s)",
				 c ? "left" : "removed, not replaced,", ok ? "sent" : "not sent");
}

/* Sync on with a peer's local address; the client's SYN from a port
 * from `from` on worker `owner`'s flow makes this node's own half-open
 * entry, and *r is a peer's established record of the same client
 * tuple (another connection: the peer's local address). */
static bool sync_own_syn(struct harness *h, unsigned owner, uint16_t from,
			 struct sl_sync_conn *r, char *why)
{
	uint16_t cport = sync_cport(h, from, owner);
	struct seen to_rs;

	*r = sync_rec(PEER_LIP, cport, sync_lport(h, (uint16_t)(from - 10000), owner));
	if (!sync_peer_on(h, why))
		return false;
	if (exchange(h, OUT, IN, SL_IPPROTO_TCP, SERVER, cport, VIP, 80, SYN, &to_rs))
		return true;
	sync_peer_off(h);
	return WHY("the client's SYN was not forwarded");
}

/* Is the entry on r's client tuple this node's own SYN_SENT one? */
static bool sync_own_half_open(struct harness *h, unsigned owner,
			       const struct sl_sync_conn *r)
{
	struct sl_conn *c = sync_entry(h, owner, r);
	return c && c->state == SL_CS_TCP_SYN_SENT &&
	       !sl_sync_same_conn(&h->dp.workers[owner]->ct, c, r);
}

/* The client's SYN reached this node too, but its handshake completed
 * at a peer (ECMP moved while it retried): the peer's NEW replaces this
 * node's own half-open entry on the client tuple, counted; before, it
 * was a conflict, and after a failover brought the flow here the
 * client's data went to the server from a port it never accepted
 * (reset: the failover test's 1-in-200 break). */
static bool sync_own_handshake_replaced(struct harness *h, char *why)
{
	unsigned owner = h->nworkers - 1;
	struct sl_sync_conn r;

	if (!sync_own_syn(h, owner, 43070, &r, why))
		return false;
	bool own = sync_own_half_open(h, owner, &r);
	uint64_t replaced = SYNC_STAT(h, replaced);
	bool ok = sync_put(h, &r, 1, 0);
	struct sl_conn *c = sync_entry(h, owner, &r);
	bool taken = c && sl_sync_same_conn(&h->dp.workers[owner]->ct, c, &r) &&
		     SYNC_STAT(h, replaced) == replaced + 1;
	sync_peer_off(h);
	if (!ok || !own)
		return WHY("no own half-open entry to start from (%s)", ok ? "sent" : "not sent");
	return taken ? true
		     : WHY("a peer's established NEW %s this node's own SYN_SENT entry",
			   c ? "left" : "removed, not replaced,");
}

/* A peer's established NEW that would replace this node's own half-open
 * entry, refused because the peer's share is full, leaves the entry as
 * it was, counted refused_share and not replaced: before, the entry was
 * removed first, and the refusal then lost both. */
static bool sync_refused_keeps_old(struct harness *h, char *why)
{
	enum { CAP = 2, PEER = 3 };
	unsigned owner = h->nworkers - 1;
	struct sl_sync_conn r;

	if (!sync_own_syn(h, owner, 43080, &r, why))
		return false;
	sync_install_n(h, owner, CAP, 41950, 31500, PEER, CAP, 1000); /* the share full */
	uint64_t refused = SYNC_STAT(h, refused_share), replaced = SYNC_STAT(h, replaced);
	sync_install_recs(h, owner, &r, 1, PEER, CAP, 1000);
	bool kept = sync_own_half_open(h, owner, &r);
	bool counted = SYNC_STAT(h, refused_share) == refused + 1 &&
		       SYNC_STAT(h, replaced) == replaced;
	h_advance(h, 3600); /* the share's copies and the handshake expire */
	sync_peer_off(h);
	return kept && counted ? true
			       : WHY("a NEW refused past the share: the own SYN_SENT entry %s, "
				     "counters %s", kept ? "kept" : "lost",
				     counted ? "right" : "wrong");
}

/* A GONE from the origin leaves a copy that forwarded a packet here
 * within its state's timeout (this node serves it since an ECMP change)
 * and ends a pure copy; on expiry the served copy sends GONE, the pure
 * one (its origin speaks for it) nothing. */
static bool sync_gone_serving(struct harness *h, char *why)
{
	unsigned owner = h->nworkers - 1;
	uint16_t c1 = sync_cport(h, 43100, owner), c2 = sync_cport(h, (uint16_t)(c1 + 1), owner);
	struct sl_sync_conn r[2] = {sync_rec(PEER_LIP, c1, sync_lport(h, 33100, owner)),
				    sync_rec(PEER_LIP, c2, sync_lport(h, 33110, owner))};
	struct seen g;

	if (!sync_peer_on(h, why))
		return false;
	bool ok = sync_put(h, r, 2, 0) &&
		  exchange(h, OUT, IN, SL_IPPROTO_TCP, SERVER, c1, VIP, 80, ACK, &g);
	h_tick(h, 1000);
	uint64_t ignored = SYNC_STAT(h, gone_ignored), removed = SYNC_STAT(h, removed);
	r[0].event = r[1].event = SL_SYNC_GONE;
	ok = ok && sync_put(h, r, 2, 0);
	for (unsigned i = 0; i < 4; i++) /* the wheel's next ticks */
		h_tick(h, 1000);
	bool kept = sync_entry(h, owner, &r[0]) != NULL;
	bool ended = sync_entry(h, owner, &r[1]) == NULL;
	bool counted = SYNC_STAT(h, gone_ignored) == ignored + 1 &&
		       SYNC_STAT(h, removed) == removed + 1;
	sunk.n = 0;
	h_advance(h, 3600);
	sync_turns(h, 1);
	bool gone1 = sunk_find(SL_SYNC_GONE, c1), gone2 = sunk_find(SL_SYNC_GONE, c2);
	sync_peer_off(h);
	if (!ok || !kept || !ended || !counted)
		return WHY("GONE: the serving copy %s, the pure one %s, counters %s",
			   kept ? "kept" : "ended", ended ? "ended" : "kept",
			   counted ? "right" : "wrong");
	return gone1 && !gone2 ? true
			       : WHY("on expiry: the serving copy's GONE %s, the pure copy's %s",
				     gone1 ? "sent" : "missing", gone2 ? "sent" : "not sent");
}

/* A record for a local tuple a stale copy holds (a pure copy of the same
 * peer: its origin reused the port) replaces it, counted; a copy that
 * carried traffic here is kept and the record refused. */
static bool sync_stale_copy(struct harness *h, char *why)
{
	unsigned owner = h->nworkers - 1;
	uint16_t l1 = sync_lport(h, 33200, owner), l2 = sync_lport(h, 33210, owner);
	uint16_t c[4];
	struct seen g;

	c[0] = sync_cport(h, 43200, owner);
	for (unsigned i = 1; i < 4; i++)
		c[i] = sync_cport(h, (uint16_t)(c[i - 1] + 1), owner);
	struct sl_sync_conn r[4] = {sync_rec(PEER_LIP, c[0], l1), sync_rec(PEER_LIP, c[1], l1),
				    sync_rec(PEER_LIP, c[2], l2), sync_rec(PEER_LIP, c[3], l2)};
	if (!sync_peer_on(h, why))
		return false;
	uint64_t replaced = SYNC_STAT(h, replaced);
	bool ok = sync_put(h, &r[0], 1, 0) && sync_put(h, &r[1], 1, 0);
	bool swapped = !sync_entry(h, owner, &r[0]) && sync_entry(h, owner, &r[1]) &&
		       SYNC_STAT(h, replaced) == replaced + 1;
	ok = ok && sync_put(h, &r[2], 1, 0) &&
	     exchange(h, OUT, IN, SL_IPPROTO_TCP, SERVER, c[2], VIP, 80, ACK, &g) &&
	     sync_put(h, &r[3], 1, 0);
	bool kept = sync_entry(h, owner, &r[2]) && !sync_entry(h, owner, &r[3]) &&
		    SYNC_STAT(h, replaced) == replaced + 1;
	sync_peer_off(h);
	return ok && swapped && kept ? true
				     : WHY("stale copy %s; serving copy %s (%s)",
					   swapped ? "replaced" : "not replaced",
					   kept ? "kept" : "replaced", ok ? "sent" : "not sent");
}

/* A record's timeout is clamped to its state's configured one, counted;
 * an install counts as synced, not as a connection made here. */
static bool sync_install_clamp(struct harness *h, char *why)
{
	unsigned owner = h->nworkers - 1;
	struct sl_worker *w = h->dp.workers[owner];
	struct sl_sync_conn r = sync_rec(PEER_LIP, sync_cport(h, 43300, owner),
					 sync_lport(h, 33300, owner));
	uint32_t est = state_timeout(h, SL_CS_TCP_ESTABLISHED);

	if (!sync_peer_on(h, why))
		return false;
	r.timeout_ms = 4000000000u;
	uint64_t clamped = SYNC_STAT(h, clamped), made = w->stats.conns_created;
	uint64_t synced = w->stats.conns_synced;
	bool ok = sync_put(h, &r, 1, 0);
	struct sl_conn *c = sync_entry(h, owner, &r);
	uint32_t left = c ? c->expire - w->now_ms : 0;
	bool counted = w->stats.conns_created == made && w->stats.conns_synced == synced + 1;
	ok = ok && c && left <= est && SYNC_STAT(h, clamped) == clamped + 1;
	sync_peer_off(h);
	if (!ok)
		return WHY("a record of 4e9 ms left the entry %u ms (want at most %u)", left, est);
	return counted ? true : WHY("the install counted as a new connection, not a synced one");
}

#include "checks_sync_order.h"
