/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The cluster engine's insides, shared by its receiving half (cluster.c)
 * and its sending half (cluster_send.c). Nothing else includes this.
 */
#ifndef SL_CLUSTER_INTERNAL_H
#define SL_CLUSTER_INTERNAL_H

#include "cluster.h"

#define MAX_TAKEOVER (SL_CLUSTER_MAX_PEERS * SL_CLUSTER_PEER_LADDRS)

struct sl_cluster {
	struct sl_cluster_conf conf;
	struct sl_cluster_ops ops;
	struct sl_sync_mac *mac;
	struct sl_sync_mac *prev_mac;  /* the key before a rekey, until prev_until_ms */
	uint64_t prev_until_ms, now;
	int fd;
	struct sl_sync_txq *txq;       /* sealed datagrams for one sendmmsg (made at the
					* first send; NULL: each sent alone) */
	uint16_t workers;
	uint32_t dump_sent_turn;       /* dump datagrams sent since the last poll */
	uint64_t epoch, start_ms, last_hb_ms, last_refresh_ms;
	/* An epoch a peer made us raise to, kept (ops.epoch_raised: a
	 * durable write) once per poll, after the receive loop, and only
	 * then sent with: never an epoch a restart could reuse. 0: none. */
	uint64_t epoch_pending;
	uint32_t nodes_digest;         /* sl_sync_nodes_digest, in every header */
	bool ready, polled;
	struct sl_cluster_stats st;
	struct sl_sync_peer peers[SL_CLUSTER_MAX_PEERS];
	struct sl_sync_dgram *out[SL_CLUSTER_MAX_PEERS]; /* records waiting */
	struct sl_sync_dgram ctl;                        /* one control message */
	uint8_t rx[SL_SYNC_DGRAM_MAX];
	struct sl_sync_conn recs[SL_SYNC_DGRAM_MAX / SL_SYNC_REC_LEN];
	uint32_t ntake;
	struct sl_addr take[MAX_TAKEOVER];
	uint8_t take_owner[MAX_TAKEOVER];
	/* Tests (fd -1): a copy of the last datagram sent. */
	uint8_t last_sent[SL_SYNC_DGRAM_MAX];
	size_t last_len;
	uint32_t last_peer;
};

/* A control message (no records) to peer i; dump_id and dump_records
 * as the type wants (sync_wire.h). */
void sl_cluster_send_ctl(struct sl_cluster *c, uint32_t i, uint8_t type, uint32_t dump_id,
			 uint32_t dump_records);
/* Peer i's record datagram: started empty; sent if it holds any. */
void sl_cluster_start_out(struct sl_cluster *c, uint32_t i);
void sl_cluster_flush_out(struct sl_cluster *c, uint32_t i);
/* The sealed datagrams still queued, out now (each poll ends with it). */
void sl_cluster_send_queued(struct sl_cluster *c);

/* The takeover list recomputed; the daemon told when it changed. */
void sl_cluster_takeover_update(struct sl_cluster *c);

/* Peer i's dump record or end for our request (cluster_dump.c): true
 * when it just completed (what this node holds changed). */
bool sl_cluster_dump_input(struct sl_cluster *c, uint32_t i, const struct sl_sync_hdr *h,
			   uint64_t now);
/* Peer p first heard after this node was ready: its dump to be asked. */
void sl_cluster_dump_late(struct sl_sync_peer *p);
/* Dump requests sent (and asked again), and readiness decided: true
 * when this node just became ready. */
bool sl_cluster_dump_work(struct sl_cluster *c, uint64_t now);

#endif
