/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What this node knows of each peer (issue 16): alive or dead from its
 * heartbeats, its sequence numbers (a replay window, loss from gaps),
 * whether it has its full dump, whether it answered ours, and counters.
 * Time is always passed in (milliseconds), so tests drive a fake clock.
 *
 * A peer is unknown until a datagram bound to our epoch comes from it,
 * alive from then, and dead when silent for dead_ms after that: a peer
 * never heard stays unknown (never dead).
 *
 * Takeover: a peer that went down (alive, then dead or restarted; or
 * said down by a serving peer) and is not serving now has its local
 * addresses announced by one node, the same one whichever node computes
 * it: among the serving nodes that hold its connections (this node when
 * it holds them; a peer when its heartbeats' holds map says so), the highest score of hash(address, node name). A node that
 * does not hold the peer's connections would gain nothing by announcing
 * its addresses. A peer that is alive but not yet serving at the
 * cluster's start never went down: nobody takes it over.
 *
 * "Holds" (the bit a heartbeat's holds map carries): the peer's own
 * dump to this node completed, or a completed dump from another peer
 * carried records of its local addresses (relayed: a node that started
 * after the peer died gets them so). Not merely "heard": a peer first
 * heard after this node was ready is asked for its dump then, and held
 * only once that dump is in.
 *
 * The maps' bits are ranks in the sorted list of every node's name
 * (sl_sync_node_bit). Two nodes agree on them only when their lists
 * agree, so every datagram carries a digest of the sender's list and
 * the maps of a peer whose list differs (a rolling add of a node) are
 * ignored: it is then no candidate here, and each side takes the
 * addresses it holds itself. That errs towards two nodes announcing an
 * address they both hold (both can answer its replies), never towards
 * nobody announcing one. Hashing names to bits instead would not need
 * equal lists, but 17 names in 32 bits collide too often to trust.
 */
#ifndef SL_SYNC_PEER_H
#define SL_SYNC_PEER_H

#include <stdbool.h>
#include <stdint.h>

#include "model_cluster.h"
#include "sync_wire.h"

enum sl_peer_state { SL_PEER_UNKNOWN, SL_PEER_ALIVE, SL_PEER_DEAD };

/* IPsec-style anti-replay window (RFC 4303 3.4.3), per sender epoch. */
#define SL_SYNC_WINDOW 64
struct sl_sync_window {
	uint64_t epoch;   /* 0: nothing seen yet */
	uint64_t top;     /* highest sequence accepted */
	uint64_t bits;    /* bit i: top - i was seen */
};

#define SL_SYNC_WINDOW_STALE (-2)
/* 0: accepted (*lost grows by a gap, shrinks when a late one fills it);
 * -1: a replay (a sequence seen, or older than the window);
 * SL_SYNC_WINDOW_STALE: an epoch older than the window's. Call only for
 * authenticated datagrams. */
int sl_sync_window_accept(struct sl_sync_window *w, uint64_t epoch, uint64_t seq,
			  uint64_t *lost);

struct sl_sync_peer_stats {
	uint64_t rx_dgrams, rx_records, tx_dgrams, tx_records, tx_errors;
	uint64_t lost, replays, bad[SL_SYNC_BAD_MAX];
	uint64_t stale_epoch;     /* authenticated, from an epoch older than its known one */
	uint64_t bad_sender;      /* authenticated, but another node's name */
	uint64_t wrong_receiver;  /* authenticated, but for another node */
	uint64_t unbound;         /* not yet bound to our epoch (its hellos) */
	uint64_t wrong_epoch;     /* bound to an epoch of ours not current */
	uint64_t rx_previous_key; /* accepted with the previous key (grace) */
	uint64_t refused_workers; /* records refused: its worker count differs */
	uint64_t refused_vip, refused_laddr, refused_share;
	uint64_t installed, dumps_sent, dumps_received, deaths, restarts;
	uint64_t dump_short;      /* its dump ended with records missing */
	uint64_t dump_retries;    /* dump requests sent again after a short one */
	uint64_t dump_stale_end;  /* a dump end for a request not current */
	uint64_t late_dumps;      /* first heard after this node was ready: dump asked */
	uint64_t maps_ignored;    /* heartbeats whose node list differs from ours */
};

struct sl_sync_peer {
	const struct sl_cluster_peer_conf *conf;
	enum sl_peer_state state;
	bool ready;            /* its heartbeats say it has its full dump */
	bool dump_done;        /* it answered our dump request in full */
	bool dump_gave_up;     /* short SL_SYNC_DUMP_TRIES times: asked no more */
	bool has_key;          /* it sealed a datagram with our current key */
	bool workers_differ;   /* its worker count is not ours */
	bool holds;            /* this node holds its connections (above) */
	bool down;             /* it went down and has not served since: takeover-able */
	bool dump_late;        /* first heard after this node was ready */
	uint16_t workers;      /* its worker count, as it last said */
	/* Its newest heartbeat's maps (0 when its node list differs): the
	 * nodes whose connections it holds, and those it counts down. */
	uint32_t holds_map, down_map;
	uint32_t relay;        /* peers (bit: index) of whom its current dump carried records */
	uint64_t last_heard_ms, last_record_ms, dump_asked_ms;
	uint64_t dump_moved_ms; /* its dump last moved (or it was first heard) */
	uint64_t tx_seq;
	uint64_t heard_epoch;  /* its epoch, the highest authenticated one */
	/* Our request for its dump: id, records of it received, tries. */
	uint32_t dump_id, dump_rx, dump_tries;
	/* Its request for our dump: the id asked, the one being answered,
	 * and the records sent in that answer. */
	uint32_t dump_req_id, dump_serving_id, dump_tx;
	struct sl_sync_window rx;
	struct sl_sync_peer_stats st;
};

#define SL_SYNC_DUMP_TRIES 4   /* dump requests to a peer before giving up */

void sl_sync_peer_init(struct sl_sync_peer *p, const struct sl_cluster_peer_conf *conf);
/* An authenticated datagram from p, bound to this node's epoch: replay
 * check, then alive. -1: a replay or an older epoch (counted: replays,
 * stale_epoch). *changed: its state or readiness changed. Readiness
 * only grows within one epoch of the peer: a late datagram from before
 * its dump does not take it back. A new epoch forgets its maps and, if
 * an earlier one was heard, marks it down (that incarnation died);
 * serving clears down. */
int sl_sync_peer_heard(struct sl_sync_peer *p, const struct sl_sync_hdr *h,
		       uint64_t now, bool *changed);
/* Whether h (accepted by sl_sync_peer_heard) is p's newest datagram:
 * a reordered older one must not put back maps a newer one replaced. */
static inline bool sl_sync_peer_newest(const struct sl_sync_peer *p,
				       const struct sl_sync_hdr *h)
{
	return h->epoch == p->rx.epoch && h->seq == p->rx.top;
}
/* Dead when heard before and silent for dead_ms since (and down). true
 * when it just died. A peer never heard stays unknown. */
bool sl_sync_peer_tick(struct sl_sync_peer *p, uint64_t now, uint32_t dead_ms);

/* It announces its own local addresses. */
static inline bool sl_sync_peer_serving(const struct sl_sync_peer *p)
{
	return p->state == SL_PEER_ALIVE && p->ready;
}

/* Where a starting node's wait for peer p's dump stands. */
enum sl_dump_wait {
	SL_DUMP_WAIT,      /* still waiting */
	SL_DUMP_DONE,      /* it answered in full, or it died (heard, then silent) */
	SL_DUMP_STALLED,   /* alive, but its dump has not moved for dump_timeout_ms */
	SL_DUMP_UNHEARD,   /* never heard, unheard_ms after start */
};
/* Timers as in the config (timers.dump_timeout_ms, timers.unheard_ms);
 * start: this node's first poll. */
enum sl_dump_wait sl_sync_dump_wait(const struct sl_sync_peer *p, uint64_t now,
				    uint64_t start, uint32_t dump_timeout_ms,
				    uint32_t unheard_ms);

/* The maps' bit of node `name` among `self` and the peers: its rank in
 * the names sorted by strcmp, the same on every node that has the same
 * nodes (sl_sync_nodes_digest tells). */
uint32_t sl_sync_node_bit(const char *self, const struct sl_sync_peer *peers, uint32_t n,
			  const char *name);
/* A digest of the sorted node names (self and the peers): equal on two
 * nodes when (but for a 2^-32 chance) their lists are. */
uint32_t sl_sync_nodes_digest(const char *self, const struct sl_sync_peer *peers,
			      uint32_t n);
/* This node's holds map (the peers whose connections it holds) and down
 * map (the peers down and not serving), for its heartbeats. */
uint32_t sl_sync_holds_map(const char *self, const struct sl_sync_peer *peers, uint32_t n);
uint32_t sl_sync_down_map(const char *self, const struct sl_sync_peer *peers, uint32_t n);
/* Peer `from`'s down map taken in: a peer it counts down and that is not
 * serving here is down here too (a node that started after that peer
 * died learns it so). Only from a serving peer. true when one changed. */
bool sl_sync_learn_down(const char *self, struct sl_sync_peer *peers, uint32_t n,
			uint32_t from);

/* The deterministic rule's score of `node` for address `a`. */
uint64_t sl_sync_takeover_score(const struct sl_addr *a, const char *node);

/* The addresses this node (`self`, serving or not) must announce for
 * peers down and not serving now (the rule above): into out[max],
 * their owner index in owner[] (may be NULL). Returns how many. */
uint32_t sl_sync_takeover(const char *self, bool self_serving,
			  const struct sl_sync_peer *peers, uint32_t n,
			  struct sl_addr *out, uint8_t *owner, uint32_t max);

const char *sl_peer_state_name(enum sl_peer_state s);

#endif
