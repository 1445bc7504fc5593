/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A worker's half of session sync (issue 16; the record: sync_rec.h).
 *
 * Events. With sync on (w->sync set by sl_workers_sync_enable before the
 * workers start; NULL: off, and each hook below is one predictable
 * branch) a worker reports its full-NAT connections (v4, FNAT66, NAT64;
 * never SNAT) to the control thread:
 *  - NEW once the connection proved itself: TCP when it enters
 *    ESTABLISHED (the client's ACK completing the handshake; a SYN alone
 *    syncs nothing, so a SYN flood at one node fills no peer's table);
 *    UDP on its first reply (a server answered: spoofed datagrams make
 *    no record, and a one-way flow that is not synced is only scheduled
 *    again on another node, which mh gives the same server);
 *  - STATE when the TCP state of a connection the peers have changes,
 *    with the new state's timeout;
 *  - GONE when a connection the peers have leaves the table (expiry,
 *    flush), and only if it carried traffic here: a pure copy of a
 *    peer's connection that never forwarded here says nothing, its
 *    origin speaks for it.
 * Records gather in a small per-worker batch put on the worker's own
 * single-producer ring when it fills and at the end of each loop turn;
 * a full ring loses the batch's overflow, counted in ring_full, and
 * never a packet; a lost record's connection then counts as ending at
 * the peers, so the next refresh walk sends it again. (A datagram lost
 * on the wire is not repaired that way: see conf/README.md, refresh_ms.)
 * The ring holds cluster.sync.ring_records; once it is an eighth full
 * (SL_SYNC_WAKE_DIV) the worker wakes the control thread through an
 * eventfd instead of waiting for its tick: one write, at the end of the
 * loop turn, until the control thread's drain re-arms it (ctl_sync.c).
 *
 * What the peers know. Beside the table (arrays indexed like it, only
 * with sync on) a worker keeps, per entry: which peer installed it
 * (peer_of, low bits; 0: ours) and whether the peers were told of it
 * (SL_SYNC_TOLD); the expiry the cluster last agreed on (agreed[]: sent
 * in a record, or set from one); for a peer's copy, the expiry its last
 * packet here gave it (local_until[]; 0: it never forwarded here). A
 * packet re-arms c->expire and nothing else, so "c->expire differs from
 * agreed[]" is how sync code sees local traffic, with no cost per packet.
 *
 * Walks. SL_WMSG_SYNC_WALK asks for REFRESH records: of every connection
 * the peers have (a full dump for a peer that restarted), or (the
 * periodic refresh, every horizon_ms) of those whose expiry at the peers
 * would come before the refresh after next while it is later here (local
 * traffic moved it), with the time left here: an idle connection is
 * never refreshed (it ends everywhere at once), a busy one just in time.
 * Scanned SL_SYNC_WALK_SLICE entries per loop turn, and no faster than
 * the ring takes them, so a walk never loses a record nor stalls
 * forwarding. The control thread waits for msg->done.
 *
 * Installs. SL_WMSG_SYNC_INSTALL carries records the control thread
 * authenticated and checked against its model (svc_id and rs_id are its
 * answer) for the worker owning their local port (lport.h). Each is
 * installed as a full-NAT connection with both keys (timeout clamped to
 * the state's configured one), or, when the table holds its client
 * tuple, updates that entry if the whole record matches it (VIP, server,
 * local address and port too; else a conflict, counted, the entry left).
 A record never moves a TCP state back
 * (an older one, late: counted backwards), except a handshake state on
 * a closed copy (the client reused its port: a new SYN cycle).
 * A received GONE ends a peer's copy unless the copy forwarded a packet
 * here within its state's timeout (then it is this node's to serve and
 * its own timer ends it). The copy it ends stays SL_SYNC_TOMB_MS as a
 * tombstone (peer_of SL_SYNC_DEAD, the entry itself, no table growth):
 * the connection's records that arrive after its GONE are ignored
 * (late), a NEW of the same tuple is its next connection (reopened).
 * A peer's copy that holds the record's client or local tuple for
 * another connection is replaced by a NEW or REFRESH when it is a
 * tombstone, or never carried traffic here and is either expired or the
 * same peer's (its origin reused the port: the newer connection). A peer may hold at most msg->install.cap
 * connections of this worker's table, all peers together
 * msg->install.total_cap (refused beyond, counted). A refused record
 * (share or table) leaves the entries it would have replaced as they
 * were: the new entry is made before they go.
 */
#ifndef SL_WORKER_SYNC_H
#define SL_WORKER_SYNC_H

#include "sync_rec.h"
#include "worker.h"

#define SL_SYNC_WAKE_DIV 8       /* wake the control thread at 1/8 full */
#define SL_SYNC_BATCH 32         /* records gathered before the ring */
#define SL_SYNC_WALK_SLICE 2048  /* table entries a walk scans per turn */
#define SL_SYNC_MAX_PEERS 32
#define SL_SYNC_INSTALL_MAX 256  /* records per install message */
#define SL_SYNC_PEER 0x3f        /* peer_of: installing peer + 1 */
#define SL_SYNC_TOLD 0x40        /* peer_of: the peers have a record of it */
#define SL_SYNC_DEAD 0x80        /* peer_of: a tombstone, a copy a GONE ended */
/* How long a copy a GONE ended stays a tombstone (SL_SYNC_DEAD; gone()
 * in worker_sync.c). It guards against reordering on the wire: a STATE
 * or REFRESH of the connection sent before its GONE but arriving after
 * it finds the tombstone and is ignored (late), where it would otherwise
 * install the ended connection again for its whole timeout. Datagrams
 * between peers reorder within milliseconds: a second is far past that.
 * Longer costs little (the entry and its peer's share are held; a newer
 * record may take its tuples at once, a packet revives it), but records
 * from a node still serving the connection that arrive meanwhile are
 * ignored as late too, until that node's next refresh. */
#define SL_SYNC_TOMB_MS 1000

/* One record to install: checked, with this node's ids. */
struct sl_sync_install {
	struct sl_sync_conn rec;
	uint16_t svc_id, rs_id;
};

struct sl_sync_stats {
	uint64_t emitted;        /* records put on the ring */
	uint64_t ring_full;      /* records lost to a full ring */
	uint64_t installed;      /* connections installed from peers */
	uint64_t updated;        /* installs that found the connection here */
	uint64_t removed;        /* peer-installed connections a GONE ended (tombstones) */
	uint64_t gone_ignored;   /* GONEs for a copy serving traffic here */
	uint64_t conflicts;      /* records sharing a client tuple, not the rest */
	uint64_t replaced;       /* stale copies a newer record replaced */
	uint64_t late;           /* records of a tombstone's connection: ignored */
	uint64_t backwards;      /* records moving a TCP state back: ignored */
	uint64_t reopened;       /* NEWs of a tombstone's tuple: its next connection */
	uint64_t clamped;        /* records whose timeout exceeded the state's */
	uint64_t refused_share;  /* installs past the peer's or all peers' share */
	uint64_t refused_table;  /* table or extension pool full, bad record */
	uint64_t walks;          /* walks finished */
};

struct sl_worker_sync {
	struct rte_ring *ring;   /* worker -> control, SP/SC, sl_sync_conn elements */
	uint8_t *peer_of;        /* [max_conns]: installing peer + 1 (SL_SYNC_PEER
				  * bits; 0: ours), SL_SYNC_TOLD */
	uint32_t *agreed;        /* [max_conns]: expiry the cluster agreed on */
	uint32_t *local_until;   /* [max_conns]: a copy's expiry by local traffic */
	uint32_t peer_conns[SL_SYNC_MAX_PEERS];
	/* stats.refused_share by peer: the true count of each peer's share
	 * refusals, which `cluster status` and /metrics sum over workers
	 * (the cluster engine cannot know it: the workers decide later). */
	uint64_t refused_share_of[SL_SYNC_MAX_PEERS];
	uint32_t peers_total;    /* sum of peer_conns */
	struct sl_wmsg *walk;    /* walk in progress, if any */
	uint32_t nbuf;
	struct sl_sync_conn buf[SL_SYNC_BATCH];
	uint32_t buf_conn[SL_SYNC_BATCH]; /* each buffered record's entry */
	/* The wake: wake_fd (-1: none) written once the ring holds wake_at
	 * records, while wake_armed; the control thread re-arms it after
	 * each drain. wake_due: past the mark, written at the turn's end. */
	int wake_fd;
	uint32_t wake_at;
	uint32_t wake_armed;
	bool wake_due;
	struct sl_sync_stats stats;
};

/* Give every worker a sync ring of `ring_records` (at least 1) and
 * its bookkeeping (sync on), before they run; `wake_fd` an eventfd the
 * workers write to wake the control thread (-1: none). 0, or -1 with a
 * message. */
int sl_workers_sync_enable(struct sl_dataplane *dp, uint32_t ring_records, int wake_fd,
			   char *errbuf, size_t errlen);
/* Sync off again (workers stopped): what the rings hold is lost. */
void sl_workers_sync_disable(struct sl_dataplane *dp);
void sl_worker_sync_free(struct sl_worker *w);
/* The table was cleared (sl_worker_reset): no peer holds anything. */
void sl_worker_sync_reset(struct sl_worker *w);

/* Report connection c (event: enum sl_sync_event). Off the packet path
 * unless sync is on: call through sl_worker_sync_event. */
void sl_worker_sync_emit(struct sl_worker *w, const struct sl_conn *c, uint8_t event);

static inline void sl_worker_sync_event(struct sl_worker *w, const struct sl_conn *c,
					uint8_t event)
{
	if (sl_unlikely(w->sync != NULL))
		sl_worker_sync_emit(w, c, event);
}

/* A UDP reply of a full-NAT connection (sync on): NEW if the peers have
 * not heard of it yet; marks it SL_CONN_F_UDP_TOLD. */
void sl_worker_sync_udp_reply(struct sl_worker *w, struct sl_conn *c);

/* Every reply after the first finds the mark in the entry's own line:
 * no call, and no read of peer_of[] (a cache miss in a big table). */
static inline void sl_worker_sync_reply(struct sl_worker *w, struct sl_conn *c,
					enum sl_dir dir)
{
	if (sl_unlikely(w->sync != NULL) && dir == SL_DIR_REPLY &&
	    c->proto == SL_IPPROTO_UDP && !(c->flags & SL_CONN_F_UDP_TOLD))
		sl_worker_sync_udp_reply(w, c);
}

/* Does a connection leaving the table tell the peers (a GONE)? Expiry
 * and flushes do; an entry replaced by a peer's newer record does not
 * (the GONE would name the tuple the new record takes, at every peer). */
enum sl_leave_tell {
	SL_LEAVE_TELL,
	SL_LEAVE_SILENT,
};

/* A full-NAT connection leaves the table: with SL_LEAVE_TELL, a GONE if
 * it carried traffic here and the peers have it; its peer's count. True
 * when it was a peer's copy (installed, not made here). */
bool sl_worker_sync_gone(struct sl_worker *w, const struct sl_conn *c,
			 enum sl_leave_tell tell);

/* End of a loop turn: the batch onto the ring, a slice of the walk. */
void sl_worker_sync_tail(struct sl_worker *w);

/* The two control messages (sl_worker_control). */
void sl_worker_sync_msg(struct sl_worker *w, struct sl_wmsg *msg);

/* A TCP or UDP packet to a peer's local address that this worker's table
 * does not know: a server's reply for a connection installed on the
 * worker its local port names (steered there) or nothing (dropped). */
void sl_worker_to_synced(struct sl_worker *w, struct rte_mbuf *m, struct sl_pkt *pkt);

/* A reply to a local address (ours or a peer's) this worker's table does
 * not know: to the worker its local port names, or, if that is this one,
 * dropped (no_connection). */
void sl_worker_to_lport_owner(struct sl_worker *w, struct rte_mbuf *m,
			      const struct sl_pkt *pkt);

#endif
