/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Session sync between the nodes of a cluster (issue 16), as the daemon's
 * control thread drives it: one UDP socket, polled each loop; records the
 * workers report go out batched to every peer; records that come in,
 * authenticated and checked, go to the daemon to install. Live records
 * are not retransmitted: a lost datagram is counted, and the periodic
 * refresh (ops.refresh) makes it good. A dump is checked whole: its end
 * says how many records it sent, and a short one is asked for again.
 *
 * The daemon supplies the callbacks (struct sl_cluster_ops); the cluster
 * never reaches into the daemon or the workers itself.
 */
#ifndef SL_CLUSTER_H
#define SL_CLUSTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model_cluster.h"
#include "sync_peer.h"
#include "sync_rec.h"

/* What the daemon's model says of a received record. */
enum sl_sync_verdict {
	SL_SYNC_ACCEPT = 0,
	SL_SYNC_NO_VIP,    /* this node has no such VIP (service) */
	SL_SYNC_NO_LADDR,  /* nor such a local address, here or at a peer */
};

struct sl_cluster_ops {
	void *arg;
	enum sl_sync_verdict (*check)(void *arg, const struct sl_sync_conn *rec);
	/* Install records from peer index `peer`; returns how many it
	 * refused for the peer's share cap (sl_cluster_share_cap). */
	uint32_t (*install)(void *arg, const struct sl_sync_conn *recs, uint32_t n,
			    uint32_t peer);
	/* `peer` asked for a full dump: feed it through sl_cluster_emit_to,
	 * then sl_cluster_dump_end (now or over the next loops). */
	void (*dump)(void *arg, uint32_t peer);
	/* The dead peers' local addresses this node announces now (all of
	 * them, each time the list changes). */
	void (*takeover_changed)(void *arg, const struct sl_addr *addrs, uint32_t n);
	/* Ready: every peer answered our dump request (or is dead, or a
	 * timer gave up on it: `why` says). Until then announce nothing. */
	void (*ready_changed)(void *arg, bool ready, const char *why);
	/* Time to refresh long-lived entries (every timers.refresh_ms). */
	void (*refresh)(void *arg);
	/* Peer `peer` says it runs `theirs` workers, not this node's `ours`
	 * (its records are refused), or (theirs == ours) agrees again.
	 * Called once per change, to log it. */
	void (*workers_differ)(void *arg, uint32_t peer, uint16_t theirs, uint16_t ours);
	/* A peer addressed this node at an epoch above its own (its boot
	 * counter was lost): `epoch` to be kept in the state file
	 * (sl_sync_epoch_store) so a restart goes past it. 0 once kept: the
	 * epoch is then current; -1 and it is not (datagrams keep the old
	 * one, which a restart cannot reuse) and asked again next poll. */
	int (*epoch_raised)(void *arg, uint64_t epoch);
};

struct sl_cluster_stats {
	uint64_t unknown_peer;     /* datagrams from no configured peer */
	uint64_t rx_errors, tx_no_room, tx_buffer_full;
	uint64_t dump_timeouts;    /* ready without a live peer's dump (it stalled) */
	uint64_t ready_unheard;    /* ready with a peer never heard (unheard_ms) */
	uint64_t epoch_raises;     /* our epoch raised past one a peer remembered */
	uint64_t epoch_store_failed; /* raises not kept (state_dir): not made current */
	uint64_t takeover_changes;
	uint64_t emitted;          /* records the daemon handed to emit */
	uint64_t dump_dgrams;      /* dump datagrams sent (paced) */
	uint64_t rekeys;           /* key changes taken at a reload */
	int rcvbuf_bytes, sndbuf_bytes; /* the socket's, as the kernel set them */
};

/* Dump datagrams sent to peers per poll, at most: a dump of a big table
 * goes out over many turns instead of flooding the peer's socket. */
#define SL_CLUSTER_DUMP_PACE 32

struct sl_cluster;

/* A socket bound to conf's sync address (fd -1 for tests: `nosock`).
 * `epoch` must grow across restarts (the daemon passes its boot counter,
 * sync_epoch.h). NULL with errbuf on failure. */
struct sl_cluster *sl_cluster_new(const struct sl_cluster_conf *conf,
				  const struct sl_cluster_ops *ops, uint64_t now,
				  uint64_t epoch, bool nosock, char *errbuf, size_t errlen);
void sl_cluster_free(struct sl_cluster *c);
int sl_cluster_fd(const struct sl_cluster *c);
/* A reload's key (the rest of the block is fixed). A different key
 * becomes the one sent with; the one before is still accepted for
 * conf.key_grace_ms, and sent with to a peer that has not yet shown it
 * holds the new one, so a rolling rekey loses no peer. 1: changed,
 * 0: the same key, -1: unusable (the old one stays). */
int sl_cluster_set_key(struct sl_cluster *c, const uint8_t *key, size_t len, uint64_t now);
/* This node's worker count, said in every datagram; a peer with another
 * count has its records refused (0: not checked). */
void sl_cluster_set_workers(struct sl_cluster *c, uint16_t workers);

/* Receive (a budget of datagrams), heartbeats, dead peers, dump
 * requests and readiness, refresh, and send what emit queued. */
void sl_cluster_poll(struct sl_cluster *c, uint64_t now);
/* One received datagram (what poll does with each; tests call it). */
void sl_cluster_input(struct sl_cluster *c, const uint8_t *buf, size_t len,
		      const struct sl_addr *from, uint16_t from_port, uint64_t now);

/* Queue records for every peer that is not dead. */
void sl_cluster_emit(struct sl_cluster *c, const struct sl_sync_conn *recs, uint32_t n);
/* A dump for one peer: its begin, its records, its end (which says how
 * many records it sent, so the peer can tell a short one). */
void sl_cluster_dump_begin(struct sl_cluster *c, uint32_t peer);
void sl_cluster_emit_to(struct sl_cluster *c, uint32_t peer,
			const struct sl_sync_conn *recs, uint32_t n);
void sl_cluster_dump_end(struct sl_cluster *c, uint32_t peer);
/* Dump records this turn's pace has room for (the daemon drains no more
 * of a dump walk until the next poll). */
uint32_t sl_cluster_dump_room(const struct sl_cluster *c);

/* The most connections one peer may hold in this node's table of
 * `table_size` (max_share_percent). */
uint64_t sl_cluster_share_cap(const struct sl_cluster *c, uint64_t table_size);

bool sl_cluster_ready(const struct sl_cluster *c);
uint64_t sl_cluster_epoch(const struct sl_cluster *c);
uint32_t sl_cluster_npeers(const struct sl_cluster *c);
const struct sl_sync_peer *sl_cluster_peer(const struct sl_cluster *c, uint32_t i);
const struct sl_cluster_stats *sl_cluster_stats(const struct sl_cluster *c);
const struct sl_cluster_conf *sl_cluster_conf(const struct sl_cluster *c);
/* What this node announces for dead peers; owner[i] the peer index. */
uint32_t sl_cluster_takeover_list(const struct sl_cluster *c, const struct sl_addr **addrs,
				  const uint8_t **owner);
/* The datagram a test last made the cluster send (fd -1 only). */
const uint8_t *sl_cluster_last_sent(const struct sl_cluster *c, size_t *len,
				    uint32_t *peer);

#endif
