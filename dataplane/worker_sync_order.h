/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Session sync, the order of a peer's records against what is here
 * (worker_sync.c's installs): where a TCP state comes in a connection's
 * life, whether a record would move a copy back, whether an entry of
 * ours is a handshake a peer completed instead, what an install does to
 * the entry on its tuple, and whether the peers' shares have room once
 * the entries it replaces leave. Included by worker_sync.c only.
 */
#ifndef SL_WORKER_SYNC_ORDER_H
#define SL_WORKER_SYNC_ORDER_H

#include "sync_conv.h"
#include "worker_sync.h"

/* Where a TCP state comes in a connection's life (tcp_state.c): a packet
 * only moves it later, except that a client's SYN on a closed one
 * (TIME_WAIT, CLOSE: the client reused its port) starts it over. */
static inline unsigned tcp_rank(uint8_t state)
{
	switch (state) {
	case SL_CS_TCP_SYN_SENT: return 1;
	case SL_CS_TCP_SYN_RECV: return 2;
	case SL_CS_TCP_ESTABLISHED: return 3;
	case SL_CS_TCP_FIN_WAIT: /* one side's FIN: either, never both */
	case SL_CS_TCP_CLOSE_WAIT: return 4;
	case SL_CS_TCP_TIME_WAIT: return 5;
	default: return 6; /* CLOSE */
	}
}

static inline bool tcp_closed(uint8_t state)
{
	return state == SL_CS_TCP_TIME_WAIT || state == SL_CS_TCP_CLOSE;
}

/* A record of the very connection whose state comes before the copy's
 * (an older record, late: datagrams reorder) would move it back, e.g.
 * ESTABLISHED again after FIN_WAIT. A handshake state on a closed copy
 * is the reused port's new SYN cycle, not a step back. */
static inline bool moves_back(const struct sl_conn *c, const struct sl_sync_conn *r)
{
	/* A NEW is never refused for its state: it is what the origin sends
	 * when it (re)installs the connection, e.g. a reused port's new
	 * cycle whose SYN_* STATE records were lost; refused, the copy would
	 * stay closed for a whole refresh horizon and a failover then lose a
	 * live connection. A late duplicate NEW costs only a longer life. */
	if (c->proto != SL_IPPROTO_TCP || r->event == SL_SYNC_NEW)
		return false;
	if (tcp_closed(c->state) && tcp_rank(r->state) < tcp_rank(SL_CS_TCP_ESTABLISHED))
		return false;
	return tcp_rank(r->state) < tcp_rank(c->state);
}

/* Is `old` this node's own handshake on the client tuple of a
 * connection a peer has established? The client's SYN reached both
 * nodes (ECMP moved while it retried, or a route changed), and its
 * handshake completed at the peer: this entry, never told to anyone,
 * is a dead end. Kept, it would catch the client's packets once ECMP
 * brings the flow here (a failover) and send them to the server from a
 * local port the server never accepted: reset. Not for a peer's closed
 * connection: then this handshake is the client's next one. */
static inline bool dead_handshake(struct sl_worker *w, const struct sl_conn *old,
			   const struct sl_sync_conn *r)
{
	uint8_t of = w->sync->peer_of[sl_ct_index(&w->ct, old)];

	return !(of & (SL_SYNC_PEER | SL_SYNC_TOLD)) && old->proto == SL_IPPROTO_TCP &&
	       !(old->flags & (SL_CONN_F_KIND | SL_CONN_F_FLUSHED)) &&
	       tcp_rank(old->state) < tcp_rank(SL_CS_TCP_ESTABLISHED) &&
	       r->proto == SL_IPPROTO_TCP &&
	       tcp_rank(r->state) >= tcp_rank(SL_CS_TCP_ESTABLISHED) && !tcp_closed(r->state) &&
	       !sl_sync_same_conn(&w->ct, old, r);
}

/* What a NEW or REFRESH does to `old`, the entry on its client tuple. */
enum sl_sync_take {
	SL_TAKE_NONE,     /* update() it, or a conflict */
	SL_TAKE_REPLACE,  /* replace it: counted replaced */
	SL_TAKE_REOPEN,   /* replace it: its tuple's next connection, counted reopened */
};

/* Is there room in the shares for one more of `peer`'s copies once the
 * entries the install replaces (`gone`, NULLs allowed) have left? */
static inline bool share_room(const struct sl_worker *w, uint8_t peer, uint32_t cap,
			      uint32_t total_cap, struct sl_conn *const gone[2])
{
	const struct sl_worker_sync *y = w->sync;
	uint32_t own = y->peer_conns[peer], total = y->peers_total;

	for (unsigned k = 0; k < 2; k++) {
		uint8_t of = gone[k] ? y->peer_of[sl_ct_index(&w->ct, gone[k])] & SL_SYNC_PEER : 0;
		total -= of != 0;
		own -= of == peer + 1;
	}
	return own < cap && total < total_cap;
}

#endif
