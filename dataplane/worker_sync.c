/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A worker's half of session sync (worker_sync.h): events on its ring,
 * refresh and dump walks, installs from peers, replies to peers' local
 * addresses. Its set-up and teardown: worker_sync_setup.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "snapshot6.h"
#include "sync_conv.h"
#include "worker_conn.h"
#include "worker_expire.h"
#include "worker_sync_order.h"

/* A record the ring has no room for never reaches the peers: their copy
 * counts as ending now, so the next refresh walk sends the connection
 * again (refreshable()) rather than leaving the peers without it. */
static void flush_batch(struct sl_worker_sync *y, uint32_t now_ms)
{
	unsigned room; /* as the enqueue saw it: no second look at the consumer's side */
	unsigned n = rte_ring_sp_enqueue_burst_elem(y->ring, y->buf, sizeof(y->buf[0]),
						    y->nbuf, &room);
	y->wake_due |= rte_ring_get_capacity(y->ring) - room >= y->wake_at;
	y->stats.emitted += n;
	y->stats.ring_full += y->nbuf - n;
	for (unsigned k = n; k < y->nbuf; k++)
		y->agreed[y->buf_conn[k]] = now_ms;
	y->nbuf = 0;
}

/* Has local traffic re-armed c since the cluster last agreed on its
 * expiry (worker_sync.h)? Then a peer's copy notes the expiry it gave. */
static void note_local(struct sl_worker_sync *y, const struct sl_conn *c, uint32_t i)
{
	if ((y->peer_of[i] & SL_SYNC_PEER) && c->expire != y->agreed[i]) {
		y->local_until[i] = c->expire ? c->expire : 1;
		y->peer_of[i] &= (uint8_t)~SL_SYNC_DEAD; /* served here: alive */
	}
}

/* Is c a tombstone: a copy a GONE ended that no packet revived since? */
static bool tombstone(struct sl_worker_sync *y, const struct sl_conn *c, uint32_t i)
{
	note_local(y, c, i);
	return y->peer_of[i] & SL_SYNC_DEAD;
}

/* Did c carry traffic here: made here, or a peer's copy that forwarded? */
static bool had_local(const struct sl_worker_sync *y, uint32_t i)
{
	return !(y->peer_of[i] & SL_SYNC_PEER) || y->local_until[i] != 0;
}

/* Record c as `event`, with `timeout_ms` left, and remember that the
 * peers now have it until then. */
static void put(struct sl_worker *w, const struct sl_conn *c, uint32_t i, uint8_t event,
		uint32_t timeout_ms)
{
	struct sl_worker_sync *y = w->sync;
	struct sl_sync_conn *r = &y->buf[y->nbuf];

	y->buf_conn[y->nbuf++] = i;

	sl_sync_from_conn(&w->ct, c, w->now_ms, event, r);
	r->timeout_ms = timeout_ms;
	y->agreed[i] = w->now_ms + timeout_ms;
	y->peer_of[i] |= SL_SYNC_TOLD;
	if (y->nbuf == SL_SYNC_BATCH)
		flush_batch(y, w->now_ms);
}

/* A state change from a packet (the packet re-arms c with the new
 * state's timeout right after: that is what the peers are told). The
 * first of a connection the peers have not heard of is its NEW, once it
 * is established; before, nothing. */
void sl_worker_sync_emit(struct sl_worker *w, const struct sl_conn *c, uint8_t event)
{
	struct sl_worker_sync *y = w->sync;
	uint32_t i = sl_ct_index(&w->ct, c);

	if (c->flags & SL_CONN_F_KIND) /* SNAT: not synced */
		return;
	note_local(y, c, i);
	if (!(y->peer_of[i] & (SL_SYNC_TOLD | SL_SYNC_PEER))) {
		if (c->state < SL_CS_TCP_ESTABLISHED || c->state == SL_CS_TCP_CLOSE)
			return;
		event = SL_SYNC_NEW;
	}
	uint32_t timeout = w->snap->timeouts_ms[c->state];
	if (y->peer_of[i] & SL_SYNC_PEER) { /* a copy's packet: local traffic */
		y->local_until[i] = w->now_ms + timeout ? w->now_ms + timeout : 1;
		y->peer_of[i] &= (uint8_t)~SL_SYNC_DEAD;
	}
	put(w, c, i, event, timeout);
}

/* Marked once told (or a copy), so the flow's later replies decide
 * inline (sl_worker_sync_reply). */
void sl_worker_sync_udp_reply(struct sl_worker *w, struct sl_conn *c)
{
	struct sl_worker_sync *y = w->sync;
	uint32_t i = sl_ct_index(&w->ct, c);

	if (c->flags & SL_CONN_F_KIND)
		return;
	if (!(y->peer_of[i] & (SL_SYNC_TOLD | SL_SYNC_PEER)))
		put(w, c, i, SL_SYNC_NEW, w->snap->timeouts_ms[c->state]);
	c->flags |= SL_CONN_F_UDP_TOLD;
}

bool sl_worker_sync_gone(struct sl_worker *w, const struct sl_conn *c,
			 enum sl_leave_tell tell)
{
	struct sl_worker_sync *y = w->sync;
	uint32_t i = sl_ct_index(&w->ct, c);
	uint8_t peer = y->peer_of[i] & SL_SYNC_PEER;

	if (tell == SL_LEAVE_TELL) {
		note_local(y, c, i);
		if ((y->peer_of[i] & SL_SYNC_TOLD || peer) && had_local(y, i))
			put(w, c, i, SL_SYNC_GONE, 0);
	}
	y->peer_of[i] = 0;
	y->local_until[i] = 0;
	if (peer) {
		y->peer_conns[peer - 1]--;
		y->peers_total--;
	}
	return peer != 0;
}

/* ---- walks ---- */

/* Does a walk send c: a full dump (horizon 0) every connection the
 * peers have or gave (not a handshake never synced); the periodic
 * refresh those whose expiry at the peers comes before the refresh after
 * next (twice the horizon: one lost refresh gets a second chance) while
 * local traffic made it later here. */
static bool refreshable(struct sl_worker *w, const struct sl_conn *c, uint32_t i,
			uint32_t horizon_ms)
{
	struct sl_worker_sync *y = w->sync;

	if (c->state == SL_CS_FREE || (c->flags & (SL_CONN_F_KIND | SL_CONN_F_FLUSHED)) ||
	    !(y->peer_of[i] & (SL_SYNC_TOLD | SL_SYNC_PEER)))
		return false;
	if (horizon_ms == 0) /* a tombstone's connection is over */
		return !tombstone(y, c, i);
	note_local(y, c, i);
	return sl_time_before(y->agreed[i], c->expire) &&
	       sl_time_before(y->agreed[i], w->now_ms + 2 * horizon_ms) &&
	       sl_time_before(w->now_ms, c->expire);
}

/* A slice of the walk: at most SL_SYNC_WALK_SLICE entries scanned, at
 * most as many records as the ring has room for (less a batch, for the
 * events of this turn's packets): what does not fit waits a turn. */
static void walk_continue(struct sl_worker *w)
{
	struct sl_worker_sync *y = w->sync;
	struct sl_wmsg *msg = y->walk;
	unsigned room = rte_ring_free_count(y->ring);
	uint32_t end = msg->walk.cursor + SL_SYNC_WALK_SLICE, i;

	room = room > 2 * SL_SYNC_BATCH ? room - 2 * SL_SYNC_BATCH : 0;
	if (end > w->ct.max_conns)
		end = w->ct.max_conns;
	for (i = msg->walk.cursor; i < end; i++) {
		const struct sl_conn *c = &w->ct.conns[i];
		if (!refreshable(w, c, i, msg->walk.horizon_ms))
			continue;
		if (room == 0)
			break;
		room--;
		msg->walk.sent++;
		put(w, c, i, SL_SYNC_REFRESH,
		    sl_time_before(w->now_ms, c->expire) ? c->expire - w->now_ms : 0);
	}
	msg->walk.cursor = i;
	if (i < w->ct.max_conns)
		return;
	flush_batch(y, w->now_ms); /* every record on the ring before done */
	y->walk = NULL;
	y->stats.walks++;
	__atomic_store_n(&msg->done, 1, __ATOMIC_RELEASE);
}

/* Past the wake mark: the control thread told now, once until its drain
 * re-arms (a non-blocking eventfd: a full counter means awake anyway). */
static void wake_control(struct sl_worker_sync *y)
{
	uint64_t one = 1;
	y->wake_due = false;
	if (y->wake_fd < 0 || !__atomic_load_n(&y->wake_armed, __ATOMIC_ACQUIRE))
		return;
	__atomic_store_n(&y->wake_armed, 0, __ATOMIC_RELAXED); /* the drain re-arms it */
	(void)!write(y->wake_fd, &one, sizeof(one));
}

void sl_worker_sync_tail(struct sl_worker *w)
{
	struct sl_worker_sync *y = w->sync;

	if (y->nbuf)
		flush_batch(y, w->now_ms);
	if (y->walk)
		walk_continue(w);
	if (sl_unlikely(y->wake_due))
		wake_control(y);
}

/* ---- installs ---- */

/* The port the server's side is reached through (the connection's
 * trusted port): where the route to it leaves; 0xff with none (its
 * packets then find the route, sl_worker_trusted_port). */
static uint8_t server_port(const struct sl_worker *w, const struct sl_sync_conn *r)
{
	if (r->family_reply == 6) {
		const struct sl_snap6_route *rt = sl_snap6_route(w->snap, r->rs);
		return rt ? rt->port : 0xff;
	}
	sl_be32 ip;
	memcpy(&ip, r->rs, 4);
	const struct sl_snap_route *rt = sl_snap_route(w->snap, ip);
	return rt ? rt->port : 0xff;
}

/* The record's timeout, at most its state's configured one: a peer's
 * (or a forged, authenticated) record cannot pin an entry for longer
 * than this node would keep it. */
static uint32_t clamped_timeout(struct sl_worker *w, const struct sl_sync_conn *r)
{
	uint32_t max = w->snap->timeouts_ms[r->state];

	if (r->timeout_ms <= max)
		return r->timeout_ms;
	w->sync->stats.clamped++;
	return max;
}

/* Set c's expiry from a record, the cluster agreeing on it. */
static void agree(struct sl_worker *w, struct sl_conn *c, uint32_t i, uint32_t expire)
{
	sl_ct_set_expire(&w->ct, c, expire);
	w->sync->agreed[i] = expire;
}

/* A received GONE for c: ends a peer's copy, unless the copy forwarded
 * a packet here within its state's timeout (local_until is that packet's
 * time plus the timeout): after an ECMP change this node serves it, and
 * the origin's GONE (its expiry, with no packets there) says only that
 * the traffic moved. Its own timer ends it here, and its own GONE goes
 * out then. Our own connections are ours to end.
 *
 * The copy it ends stays SL_SYNC_TOMB_MS as a tombstone (SL_SYNC_DEAD):
 * datagrams reorder within the replay window, and a record of the
 * connection sent before its GONE but arriving after must find it
 * (late, ignored) rather than install it again. The tombstone is the
 * entry itself, timed by the wheel like any other: GONEs only ever name
 * entries already here, so a flood of them grows nothing. Its packets
 * still forward (a packet revives it: note_local). */
static void gone(struct sl_worker *w, struct sl_conn *c, uint32_t i)
{
	struct sl_worker_sync *y = w->sync;

	if (!(y->peer_of[i] & SL_SYNC_PEER))
		return;
	note_local(y, c, i);
	if (y->local_until[i] && sl_time_before(w->now_ms, y->local_until[i])) {
		y->stats.gone_ignored++;
		return;
	}
	y->peer_of[i] |= SL_SYNC_DEAD;
	agree(w, c, i, w->now_ms + SL_SYNC_TOMB_MS);
	y->stats.removed++;
}

/* The connection's client tuple is here already (ours, or installed
 * before): if the record names the same connection, it brings its state
 * and FIN flags (added: a FIN seen anywhere was sent; a new SYN cycle
 * starts them over, as tcp_state.c does), and its expiry if the state
 * moved or the record's is later; a GONE may end it. A record that
 * would move the state back, or comes after the connection's GONE (a
 * tombstone), is ignored, counted. A record that shares only the client
 * tuple (a reused client port, another node's connection) is a
 * conflict: the entry here is left as it is. */
static void update(struct sl_worker *w, struct sl_conn *c, const struct sl_sync_conn *r)
{
	struct sl_worker_sync *y = w->sync;
	uint32_t i = sl_ct_index(&w->ct, c);

	if (c->flags & (SL_CONN_F_KIND | SL_CONN_F_FLUSHED)) {
		y->stats.refused_table++; /* an SNAT entry's key, or being reset */
		return;
	}
	if (!sl_sync_same_conn(&w->ct, c, r)) {
		y->stats.conflicts++;
		return;
	}
	if (tombstone(y, c, i)) {
		y->stats.late++;
		return;
	}
	if (r->event == SL_SYNC_GONE) {
		y->stats.updated++;
		gone(w, c, i);
		return;
	}
	if (moves_back(c, r)) {
		y->stats.backwards++;
		return;
	}
	y->stats.updated++;
	uint32_t expire = w->now_ms + clamped_timeout(w, r);
	note_local(y, c, i);
	if (c->proto == SL_IPPROTO_TCP && tcp_closed(c->state) && !tcp_closed(r->state))
		c->flags &= (uint8_t)~(SL_CONN_F_FIN_ORIG | SL_CONN_F_FIN_REPLY |
				       SL_CONN_F_RST_EDGE);
	c->flags |= r->flags;
	if (c->state != r->state || sl_time_before(c->expire, expire))
		agree(w, c, i, expire);
	c->state = r->state;
}

/* May the record take the local tuple `old` holds for another client?
 * Only from a peer's copy that a GONE ended (a tombstone), or that never
 * carried traffic here and is expired or the same peer's (its origin
 * uses the port for a newer connection, so the old one is over there). */
static bool stale_copy(struct sl_worker *w, const struct sl_conn *old, uint8_t peer)
{
	struct sl_worker_sync *y = w->sync;
	uint32_t i = sl_ct_index(&w->ct, old);
	uint8_t of = y->peer_of[i] & SL_SYNC_PEER;

	if (of == 0 || (old->flags & (SL_CONN_F_KIND | SL_CONN_F_FLUSHED)))
		return false;
	if (tombstone(y, old, i))
		return true;
	return y->local_until[i] == 0 &&
	       (of == peer + 1 || !sl_time_before(w->now_ms, old->expire));
}

/* A stale copy, or a dead handshake of ours, goes as expiry would end it
 * (share freed, counted expired), silent: the record taking its place
 * names the tuple a GONE would. */
static void drop_stale(struct sl_worker *w, struct sl_conn *old)
{
	sl_worker_conn_leaves(w, old, SL_LEAVE_SILENT);
	sl_ct_remove(&w->ct, old);
}

/* The stale copy holding the record's local tuple, to go (not `old`,
 * which goes anyway); NULL if none. *taken: a live entry holds it. */
static struct sl_conn *lport_holder(struct sl_worker *w, const struct sl_sync_conn *r,
				    uint8_t peer, const struct sl_conn *old, bool *taken)
{
	uint32_t ref = sl_sync_lookup_reply(&w->ct, r);
	struct sl_conn *holder = ref == SL_CT_NONE ? NULL : sl_ct_conn(&w->ct, ref);

	*taken = holder && holder != old && !stale_copy(w, holder, peer);
	return holder == old || *taken ? NULL : holder;
}

/* Does the record replace `old`, the copy on its client tuple, with a
 * new install? A NEW or REFRESH naming another connection replaces a
 * stale copy, as a reused local port does: the origin reused the
 * client's port (a client that closed first keeps no TIME_WAIT), so the
 * copy's connection is over there; a STATE or GONE for another
 * connection stays a conflict (update()). A NEW naming the very
 * connection of a tombstone is the tuple's next connection, with the
 * same server and local port again (a connection's own NEW comes a whole
 * state timeout or more before its GONE, farther than datagrams
 * reorder): it starts afresh, counted reopened. A peer's established
 * NEW or REFRESH also replaces this node's own dead handshake on the
 * tuple (dead_handshake()), counted replaced. Only decides: install_new
 * removes `old` once the new entry is in. */
static enum sl_sync_take replaces(struct sl_worker *w, struct sl_conn *old,
				  const struct sl_sync_conn *r, uint8_t peer)
{
	struct sl_worker_sync *y = w->sync;

	if (r->event != SL_SYNC_NEW && r->event != SL_SYNC_REFRESH)
		return SL_TAKE_NONE;
	if (dead_handshake(w, old, r))
		return SL_TAKE_REPLACE;
	if (!stale_copy(w, old, peer))
		return SL_TAKE_NONE;
	if (!sl_sync_same_conn(&w->ct, old, r))
		return SL_TAKE_REPLACE;
	if (r->event == SL_SYNC_NEW && (y->peer_of[sl_ct_index(&w->ct, old)] & SL_SYNC_DEAD))
		return SL_TAKE_REOPEN;
	return SL_TAKE_NONE;
}

/* The record as a new entry, indexed and timed; NULL (the table as it
 * was) when the table, the extension pool or the index has no room. The
 * entries it replaces are still in (their keys and the new one's coexist
 * until install_new removes them): a refusal leaves them as they were. */
static struct sl_conn *make_copy(struct sl_worker *w, const struct sl_sync_install *in)
{
	const struct sl_sync_conn *r = &in->rec;
	struct sl_conn *c = sl_ct_alloc(&w->ct);

	if (c == NULL)
		return NULL;
	if (sl_sync_to_conn(&w->ct, r, c) != 0) {
		sl_ct_abandon(&w->ct, c);
		return NULL;
	}
	if (c->proto == SL_IPPROTO_UDP) /* a copy: its replies send nothing */
		c->flags |= SL_CONN_F_UDP_TOLD;
	c->svc_id = in->svc_id;
	c->rs_id = in->rs_id;
	c->trusted_port = server_port(w, r);
	sl_ct_set_created(&w->ct, c, w->now_ms);
	c->expire = w->now_ms + clamped_timeout(w, r);
	if (sl_ct_insert(&w->ct, c) != 0) {
		sl_ct_abandon(&w->ct, c);
		return NULL;
	}
	return c;
}

/* Install the record, replacing `old` (its client tuple's entry, when
 * replaces() said so) and a stale copy holding its local tuple. Every
 * refusal (the share, the table) comes before anything is removed: a
 * refused record leaves the entries here as they were. */
static void install_new(struct sl_worker *w, const struct sl_sync_install *in, uint8_t peer,
			uint32_t cap, uint32_t total_cap, struct sl_conn *old,
			enum sl_sync_take take)
{
	struct sl_worker_sync *y = w->sync;
	bool taken;
	struct sl_conn *gone[2] = {old, lport_holder(w, &in->rec, peer, old, &taken)};

	if (!share_room(w, peer, cap, total_cap, gone)) {
		y->stats.refused_share++;
		y->refused_share_of[peer]++;
		return;
	}
	struct sl_conn *c = taken ? NULL : make_copy(w, in);
	if (c == NULL) {
		y->stats.refused_table++;
		return;
	}
	for (unsigned k = 0; k < 2; k++)
		if (gone[k])
			drop_stale(w, gone[k]);
	y->stats.replaced += (take == SL_TAKE_REPLACE) + (gone[1] != NULL);
	y->stats.reopened += take == SL_TAKE_REOPEN;
	uint32_t i = sl_ct_index(&w->ct, c);
	/* Not a connection made here: the worker's synced count, and the
	 * server's active ones (expiry takes it off again). */
	w->stats.conns_synced++;
	w->rs_active[c->rs_id]++;
	y->peer_of[i] = (uint8_t)(peer + 1);
	y->agreed[i] = c->expire;
	y->local_until[i] = 0;
	y->peer_conns[peer]++;
	y->peers_total++;
	y->stats.installed++;
}

static void install_one(struct sl_worker *w, const struct sl_sync_install *in,
			uint8_t peer, uint32_t cap, uint32_t total_cap)
{
	const struct sl_sync_conn *r = &in->rec;
	uint32_t ref = sl_sync_lookup(&w->ct, r);
	struct sl_conn *old = ref != SL_CT_NONE ? sl_ct_conn(&w->ct, ref) : NULL;
	enum sl_sync_take take = old ? replaces(w, old, r, peer) : SL_TAKE_NONE;

	if (old && take == SL_TAKE_NONE) {
		update(w, old, r);
		return;
	}
	if (r->event == SL_SYNC_GONE)
		return; /* nothing to end */
	install_new(w, in, peer, cap, total_cap, old, take);
}

void sl_worker_sync_msg(struct sl_worker *w, struct sl_wmsg *msg)
{
	struct sl_worker_sync *y = w->sync;

	if (msg->type == SL_WMSG_SYNC_WALK) {
		if (y == NULL || y->walk) { /* off, or one at a time */
			__atomic_store_n(&msg->done, 1, __ATOMIC_RELEASE);
			return;
		}
		y->walk = msg;
		walk_continue(w);
		return;
	}
	for (uint32_t i = 0; y && msg->install.peer < SL_SYNC_MAX_PEERS &&
			     i < msg->install.n; i++) {
		if (sl_sync_rec_valid(&msg->install.recs[i].rec))
			install_one(w, &msg->install.recs[i], msg->install.peer,
				    msg->install.cap, msg->install.total_cap);
		else
			y->stats.refused_table++;
	}
	free(msg);
}

/* ---- replies to peers' local addresses ---- */

void sl_worker_to_synced(struct sl_worker *w, struct rte_mbuf *m, struct sl_pkt *pkt)
{
	const struct sl_snapshot *s = w->snap;
	uint8_t in_port = w->dp->port_of_ethdev[m->port];
	bool routed;

	/* Servers answer from their own side: the route to the source must
	 * leave by the port it came in on, or a flood from anywhere would
	 * take the ring the replies cross (worker_miss.c's rule for our own
	 * local addresses, with the server's route for the address's port). */
	if (pkt->kind == SL_PKT_IPV6) {
		const struct sl_snap6_route *rt = sl_snap6_route(s, pkt->ip6->saddr);
		routed = rt && rt->port == in_port;
	} else {
		const struct sl_snap_route *rt = sl_snap_route(s, pkt->key.saddr);
		routed = rt && rt->port == in_port;
	}
	if (sl_unlikely(!routed)) {
		sl_worker_drop(w, m, SL_DROP_INGRESS_WRONG_PORT);
		return;
	}
	sl_worker_to_lport_owner(w, m, pkt);
}

void sl_worker_to_lport_owner(struct sl_worker *w, struct rte_mbuf *m,
			      const struct sl_pkt *pkt)
{
	unsigned owner = sl_port_owner(sl_ntohs(pkt->key.dport), w->nworkers);
	if (owner != w->id)
		sl_worker_steer(w, m, owner);
	else
		sl_worker_drop(w, m, SL_DROP_NO_CONNECTION);
}
