/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What this node knows of each peer (issue 16): alive or dead from its
 * heartbeats, its sequence numbers (a replay window, loss from gaps),
 * whether it has its full dump, whether it answered ours, and counters.
 * Time is always passed in (milliseconds), so tests drive a fake clock.
 *
 * A peer is unknown until a datagram bound to our epoch comes from it,
 * alive from then, and dead when silent for dead_ms after that: a peer
 * never heard stays unknown (never dead), so it is never taken over.
 *
 * Takeover: a peer that was heard and is not serving now (dead, or back
 * but still without its dump) has its local addresses announced by one
 * node, the same one whichever node computes it: among the serving
 * nodes that hold its connections (this node when it has heard it; a
 * peer when its heartbeats' heard map says it has), the highest score
 * of hash(address, node name). A node that never heard the peer holds
 * none of its connections: announcing its addresses would gain nothing
 * and could take a live peer's replies.
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
};

struct sl_sync_peer {
	const struct sl_cluster_peer_conf *conf;
	enum sl_peer_state state;
	bool ready;            /* its heartbeats say it has its full dump */
	bool dump_done;        /* it answered our dump request in full */
	bool dump_gave_up;     /* short SL_SYNC_DUMP_TRIES times: asked no more */
	bool has_key;          /* it sealed a datagram with our current key */
	bool workers_differ;   /* its worker count is not ours */
	uint16_t workers;      /* its worker count, as it last said */
	uint32_t heard_map;    /* the nodes it has heard, as its heartbeats say */
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
 * its dump does not take it back. A new epoch forgets its heard map. */
int sl_sync_peer_heard(struct sl_sync_peer *p, const struct sl_sync_hdr *h,
		       uint64_t now, bool *changed);
/* Dead when heard before and silent for dead_ms since. true when it
 * just died. A peer never heard stays unknown. */
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

/* The heard map's bit of node `name` among `self` and the peers: its
 * rank in the names sorted by strcmp, the same on every node that has
 * the same nodes. */
uint32_t sl_sync_node_bit(const char *self, const struct sl_sync_peer *peers, uint32_t n,
			  const char *name);
/* This node's heard map: the bits of the peers it has heard (alive, or
 * dead after being heard), for its heartbeats. */
uint32_t sl_sync_heard_map(const char *self, const struct sl_sync_peer *peers, uint32_t n);

/* The deterministic rule's score of `node` for address `a`. */
uint64_t sl_sync_takeover_score(const struct sl_addr *a, const char *node);

/* The addresses this node (`self`, serving or not) must announce for
 * peers heard and not serving now (the rule above): into out[max],
 * their owner index in owner[] (may be NULL). Returns how many. */
uint32_t sl_sync_takeover(const char *self, bool self_serving,
			  const struct sl_sync_peer *peers, uint32_t n,
			  struct sl_addr *out, uint8_t *owner, uint32_t max);

const char *sl_peer_state_name(enum sl_peer_state s);

#endif
