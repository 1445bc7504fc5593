/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A worker's half of session sync (worker_sync.h): events on its ring,
 * refresh and dump walks, installs from peers, replies to peers' local
 * addresses.
 */
#include <stdio.h>
#include <stdlib.h>

#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "snapshot6.h"
#include "sync_conv.h"
#include "worker_conn.h"

int sl_workers_sync_enable(struct sl_dataplane *dp, char *errbuf, size_t errlen)
{
	static unsigned made; /* ring names are process-wide */
	char name[RTE_RING_NAMESIZE];

	for (unsigned i = 0; i < dp->nworkers; i++) {
		struct sl_worker *w = dp->workers[i];
		if (w->sync)
			continue;
		struct sl_worker_sync *y = calloc(1, sizeof(*y));
		w->sync = y;
		snprintf(name, sizeof(name), "sl_sync_%u_%u", i, made++);
		if (y == NULL || !(y->peer_of = calloc(w->ct.max_conns, 1)) ||
		    !(y->ring = rte_ring_create_elem(name, sizeof(struct sl_sync_conn),
						     SL_SYNC_RING_SIZE, SOCKET_ID_ANY,
						     RING_F_SP_ENQ | RING_F_SC_DEQ))) {
			snprintf(errbuf, errlen, "worker %u: cannot set up session sync "
				 "(ring %s): out of memory", i, name);
			sl_workers_sync_disable(dp);
			return -1;
		}
	}
	return 0;
}

void sl_worker_sync_free(struct sl_worker *w)
{
	struct sl_worker_sync *y = w->sync;

	if (y == NULL)
		return;
	w->sync = NULL;
	rte_ring_free(y->ring);
	free(y->peer_of);
	free(y);
}

void sl_workers_sync_disable(struct sl_dataplane *dp)
{
	for (unsigned i = 0; i < dp->nworkers; i++)
		if (dp->workers[i])
			sl_worker_sync_free(dp->workers[i]);
}

void sl_worker_sync_reset(struct sl_worker *w)
{
	struct sl_worker_sync *y = w->sync;

	memset(y->peer_of, 0, w->ct.max_conns);
	memset(y->peer_conns, 0, sizeof(y->peer_conns));
	y->nbuf = 0;
}

static void flush_batch(struct sl_worker_sync *y)
{
	unsigned n = rte_ring_sp_enqueue_burst_elem(y->ring, y->buf, sizeof(y->buf[0]),
						    y->nbuf, NULL);
	y->stats.emitted += n;
	y->stats.ring_full += y->nbuf - n;
	y->nbuf = 0;
}

void sl_worker_sync_emit(struct sl_worker *w, const struct sl_conn *c, uint8_t event)
{
	struct sl_worker_sync *y = w->sync;

	if (c->flags & SL_CONN_F_KIND) /* SNAT: not synced */
		return;
	sl_sync_from_conn(&w->ct, c, w->now_ms, event, &y->buf[y->nbuf++]);
	if (y->nbuf == SL_SYNC_BATCH)
		flush_batch(y);
}

void sl_worker_sync_gone(struct sl_worker *w, const struct sl_conn *c)
{
	struct sl_worker_sync *y = w->sync;
	uint32_t i = sl_ct_index(&w->ct, c);

	sl_worker_sync_emit(w, c, SL_SYNC_GONE);
	if (y->peer_of[i]) {
		y->peer_conns[y->peer_of[i] - 1]--;
		y->peer_of[i] = 0;
	}
}

/* ---- walks ---- */

static bool refreshable(const struct sl_worker *w, const struct sl_conn *c,
			uint32_t min_age_ms)
{
	return c->state != SL_CS_FREE &&
	       !(c->flags & (SL_CONN_F_KIND | SL_CONN_F_FLUSHED)) &&
	       (min_age_ms == 0 || w->now_ms - sl_ct_created(&w->ct, c) >= min_age_ms);
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
		if (!refreshable(w, c, msg->walk.min_age_ms))
			continue;
		if (room == 0)
			break;
		room--;
		msg->walk.sent++;
		sl_worker_sync_emit(w, c, SL_SYNC_REFRESH);
	}
	msg->walk.cursor = i;
	if (i < w->ct.max_conns)
		return;
	flush_batch(y); /* every record on the ring before done */
	y->walk = NULL;
	y->stats.walks++;
	__atomic_store_n(&msg->done, 1, __ATOMIC_RELEASE);
}

void sl_worker_sync_tail(struct sl_worker *w)
{
	struct sl_worker_sync *y = w->sync;

	if (y->nbuf)
		flush_batch(y);
	if (y->walk)
		walk_continue(w);
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

/* The connection is here already (ours, or installed before): a GONE
 * ends a peer's copy at once; anything else brings its state, and its
 * expiry if the state moved or the record's is later. */
static void update(struct sl_worker *w, struct sl_conn *c, const struct sl_sync_conn *r)
{
	struct sl_worker_sync *y = w->sync;
	uint32_t expire = w->now_ms + r->timeout_ms;

	if (c->flags & (SL_CONN_F_KIND | SL_CONN_F_FLUSHED)) {
		y->stats.refused_table++; /* an SNAT entry's key, or being reset */
		return;
	}
	y->stats.updated++;
	if (r->event == SL_SYNC_GONE) {
		if (y->peer_of[sl_ct_index(&w->ct, c)]) {
			sl_ct_set_expire(&w->ct, c, w->now_ms);
			y->stats.removed++;
		}
		return;
	}
	c->flags = (uint8_t)((c->flags & ~(SL_CONN_F_FIN_ORIG | SL_CONN_F_FIN_REPLY)) |
			     r->flags);
	if (c->state != r->state || sl_time_before(c->expire, expire))
		sl_ct_set_expire(&w->ct, c, expire);
	c->state = r->state;
}

static void install_one(struct sl_worker *w, const struct sl_sync_install *in,
			uint8_t peer, uint32_t cap)
{
	struct sl_worker_sync *y = w->sync;
	const struct sl_sync_conn *r = &in->rec;
	uint32_t ref = sl_sync_lookup(&w->ct, r);

	if (ref != SL_CT_NONE) {
		update(w, sl_ct_conn(&w->ct, ref), r);
		return;
	}
	if (r->event == SL_SYNC_GONE)
		return; /* nothing to end */
	if (y->peer_conns[peer] >= cap) {
		y->stats.refused_share++;
		y->refused_share_of[peer]++;
		return;
	}
	struct sl_conn *c = sl_sync_lookup_reply(&w->ct, r) == SL_CT_NONE
				    ? sl_ct_alloc(&w->ct) : NULL;
	if (c == NULL || sl_sync_to_conn(&w->ct, r, c) != 0) {
		if (c)
			sl_ct_abandon(&w->ct, c);
		y->stats.refused_table++;
		return;
	}
	c->svc_id = in->svc_id;
	c->rs_id = in->rs_id;
	c->trusted_port = server_port(w, r);
	sl_ct_set_created(&w->ct, c, w->now_ms);
	c->expire = w->now_ms + r->timeout_ms;
	if (sl_ct_insert(&w->ct, c) != 0) {
		sl_ct_abandon(&w->ct, c);
		y->stats.refused_table++;
		return;
	}
	sl_worker_count_new(w, c);
	y->peer_of[sl_ct_index(&w->ct, c)] = (uint8_t)(peer + 1);
	y->peer_conns[peer]++;
	y->stats.installed++;
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
				    msg->install.cap);
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
