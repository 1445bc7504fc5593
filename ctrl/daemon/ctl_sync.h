/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control thread's glue for session sync (issue 16): the workers'
 * sync rings drained into a sink (the cluster code, ctrl/cluster/, which
 * batches them into datagrams), received records checked against the
 * model and sent to the worker owning their local port, refresh and dump
 * walks started and reported. Off (ctl->sync NULL, every call a no-op or
 * -1) until sl_ctl_sync_init, which the cluster code calls when the
 * config has a cluster block, before the workers start.
 */
#ifndef SL_CTL_SYNC_H
#define SL_CTL_SYNC_H

#include "sync_rec.h"

struct sl_ctl;

#define SL_CTL_SYNC_BURST 1024     /* records taken from one ring at a time */
/* A turn's drain stops after this long with records left (counted
 * drain_cut), so requests and health checks wait at most about that: the
 * wake (worker_sync.h) brings the loop straight back while a ring stays
 * past its mark. A full default ring (65536 records) takes longer to seal
 * and send (tests/perf/README.md, "Session sync"): it goes over turns. */
#define SL_CTL_SYNC_TURN_US 2000
#define SL_CTL_SYNC_SHARE_DEFAULT 50 /* % of a worker's table one peer may fill */
#define SL_CTL_SYNC_TOTAL_SHARE_DEFAULT 50 /* ... and all peers together */

/* Records the workers reported (NEW, STATE, REFRESH, GONE): the array
 * is the control thread's, valid during the call. */
typedef void (*sl_ctl_sync_sink_fn)(void *ctx, const struct sl_sync_conn *recs,
				    uint32_t n);
/* The walk sl_ctl_sync_dump started is over: every record it made has
 * been through the sink. */
typedef void (*sl_ctl_sync_walked_fn)(void *ctx, int peer, bool full);

struct sl_ctl_sync_stats {
	uint64_t drained;          /* records taken from the workers' rings */
	uint64_t unsunk;           /* ... of them with no sink to take them */
	uint64_t install_sent;     /* received records sent to a worker */
	/* Received records refused before any worker saw them: */
	uint64_t refused_invalid;  /* not a record a table can hold */
	uint64_t refused_vip;      /* VIP address:port:proto not a service here */
	uint64_t refused_rs;       /* server not one of that service's */
	uint64_t refused_laddr;    /* local address neither ours nor a peer's */
	uint64_t refused_peer;     /* peer index out of range */
	/* The client's flow and the local port name different workers: the
	 * peer runs another number of workers (a cluster's nodes must run
	 * the same number: client packets reach the flow's owner, replies
	 * the port's, and an installed connection is on one worker). */
	uint64_t refused_owner;
	uint64_t no_memory;        /* install messages that could not be made */
	uint64_t walks;            /* walks finished */
	uint64_t wakes;            /* drains a worker's wake asked for (ring past its mark) */
	uint64_t drain_cut;        /* drains that stopped at SL_CTL_SYNC_TURN_US, records left */
};

/* Sync on: a ring per worker (sl_workers_sync_enable) of the model's
 * cluster.sync.ring_records, the workers' wake, this state. 0 or -1 with
 * a message. */
int sl_ctl_sync_init(struct sl_ctl *ctl, char *errbuf, size_t errlen);
void sl_ctl_sync_free(struct sl_ctl *ctl);

/* Where drained records go (NULL: only counted, `unsunk`), and who hears
 * that a walk is over. */
void sl_ctl_sync_set_sink(struct sl_ctl *ctl, sl_ctl_sync_sink_fn sink,
			  sl_ctl_sync_walked_fn walked, void *ctx);
/* The share of each worker's table one peer may fill, and all peers
 * together, 1..100 (%); 0 leaves one as it is. */
void sl_ctl_sync_set_share(struct sl_ctl *ctl, unsigned percent, unsigned total_percent);
/* During a full walk (a peer's dump) drain no more records a turn than
 * room() says the sender's pace takes (none set: no such bound). */
typedef uint32_t (*sl_ctl_sync_room_fn)(void *ctx);
void sl_ctl_sync_set_room(struct sl_ctl *ctl, sl_ctl_sync_room_fn room);

/* Each loop turn (sl_ctl_work): drain the rings into the sink until
 * they are empty (or SL_CTL_SYNC_TURN_US passed, or a dump's pace is
 * reached), re-arm the workers' wake; report a finished walk. */
void sl_ctl_sync_poll(struct sl_ctl *ctl);
/* The eventfd the workers write when a ring passes its mark: readable
 * means drain now (the control loop waits on it). -1 with sync off. */
int sl_ctl_sync_fd(const struct sl_ctl *ctl);
/* Has a worker's ring passed its mark since the last drain? (What the
 * eventfd says, without a system call: the benchmark's inline loop.) */
bool sl_ctl_sync_woken(const struct sl_ctl *ctl);

/* Install records received from peer `peer` (authenticated by the
 * caller): each checked against the model (a valid record, a service
 * for its VIP, that service's server, a local address of this node or
 * of a peer) and sent, with this node's service and server ids, to the
 * worker its local port names; the refused are counted. Returns the
 * records sent. */
uint32_t sl_ctl_sync_install(struct sl_ctl *ctl, const struct sl_sync_conn *recs,
			     uint32_t n, unsigned peer);

/* Ask every worker for REFRESH records: of every synced connection
 * (`full`: a dump for `peer`, which restarted) or of those whose expiry
 * at the peers would come before the next refresh, `horizon_ms` away,
 * while local traffic moved it later (the periodic refresh, peer -1:
 * all; worker_sync.h). One walk at a time: 0, or -1 when one is running
 * (or sync is off, or out of memory). */
int sl_ctl_sync_dump(struct sl_ctl *ctl, int peer, bool full, uint32_t horizon_ms);

const struct sl_ctl_sync_stats *sl_ctl_sync_stats(const struct sl_ctl *ctl);

/* The workers' sync counters (worker_sync.h) summed; zero when off. */
struct sl_sync_stats;
void sl_ctl_sync_worker_stats(const struct sl_ctl *ctl, struct sl_sync_stats *sum);
/* Over the workers, peer `peer`'s installs refused past its share (the
 * true count: the cluster engine's refused_share cannot see them) and
 * the connections it holds in this node's tables now. */
void sl_ctl_sync_peer_sums(const struct sl_ctl *ctl, unsigned peer, uint64_t *refused_share,
			   uint64_t *conns);

#endif
