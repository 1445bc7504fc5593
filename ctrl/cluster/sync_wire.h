/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Session sync's wire format (issue 16), version 3. One UDP datagram:
 *
 *   offset size
 *    0     4   magic "SLSY"
 *    4     1   version (SL_SYNC_VERSION)
 *    5     1   type (enum sl_sync_type)
 *    6     1   flags (SL_SYNC_F_READY: the sender has its full dump;
 *              SL_SYNC_F_DUMP: the records answer a dump request)
 *    7     1   key id (sl_sync_mac_id: which shared key sealed it)
 *    8     2   record count
 *   10     2   the sender's worker count (installs need the same)
 *   12     8   sender's epoch (its boot counter: a restart makes a bigger one)
 *   20     8   sequence number, per peer, from 1 within an epoch
 *   28     8   receiver's epoch as the sender last heard it (0: not heard)
 *   36     4   dump id (DUMP_REQ: the request's; F_DUMP records and
 *              DUMP_END: the request they answer); HEARTBEAT: the
 *              sender's holds map (bit k: it holds the connections of
 *              the node ranked k by name among all the cluster's nodes;
 *              takeover, sync_peer.h)
 *   40     4   DUMP_END: how many records the dump sent; HEARTBEAT: the
 *              sender's down map (bit k: it counts node k down, takeover)
 *   44    32   sender's node name, NUL-padded
 *   76    32   receiver's node name, NUL-padded
 *  108     4   digest of the sender's node list (sl_sync_nodes_digest):
 *              the map bits above are ranks in that list, so a receiver
 *              whose list differs ignores the maps
 *  112  92*n   records (below)
 *   ...   32   HMAC-SHA256 over everything before it
 *
 * The receiver's name and epoch bind a datagram to one receiver and one
 * incarnation of it: captured A->B traffic replayed to C, or to a
 * restarted B, is refused (cluster.c says how a node learns a peer's
 * epoch without letting a replay do harm).
 *
 * A datagram fits a 1500-byte MTU at the default max_datagram (1452:
 * 14 records); the socket sets don't-fragment, so a larger
 * max_datagram needs a path MTU to match.
 *
 * Multi-byte fields are big-endian. A record holds struct sl_sync_conn's
 * fields in its order (addresses and ports as they are, already network
 * order; timeout_ms and seq_delta big-endian), 92 bytes.
 */
#ifndef SL_SYNC_WIRE_H
#define SL_SYNC_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sync_rec.h"

#define SL_SYNC_MAGIC 0x534c5359u /* "SLSY" */
/* 3: the heartbeat's maps (holds, down) and the node-list digest; a
 * version-2 node's heard map meant something else, so it is refused. */
#define SL_SYNC_VERSION 3
#define SL_SYNC_NAME_LEN 32
#define SL_SYNC_HDR_LEN 112
#define SL_SYNC_REC_LEN 92
#define SL_SYNC_MAC_LEN 32
#define SL_SYNC_DGRAM_MAX 65000 /* the largest max_datagram */
#define SL_SYNC_F_READY 0x01
#define SL_SYNC_F_DUMP 0x02

enum sl_sync_type {
	SL_SYNC_T_RECORDS = 1,
	SL_SYNC_T_HEARTBEAT = 2,
	SL_SYNC_T_DUMP_REQ = 3, /* send me everything you hold */
	SL_SYNC_T_DUMP_END = 4, /* that was everything */
	SL_SYNC_T_MAX,
};

/* Why a datagram was refused before any record reached the daemon. */
/* Why a datagram is dropped whole (each a peer counter: its name in
 * ctrl/common/cluster_counters.h). */
enum sl_sync_bad {
	SL_SYNC_OK = 0,
	SL_SYNC_BAD_TRUNCATED,  /* shorter than a header and MAC, or a part record */
	SL_SYNC_BAD_MAGIC,
	SL_SYNC_BAD_VERSION,
	SL_SYNC_BAD_MAC,
	SL_SYNC_BAD_KEY_ID,     /* sealed with a key this node does not hold */
	SL_SYNC_BAD_TYPE,
	SL_SYNC_BAD_RECORD,     /* a field out of range (sl_sync_rec_decode) */
	SL_SYNC_BAD_MAX,
};

/* A header's fields (count and seq are the seal's to write). */
struct sl_sync_hdr {
	uint8_t type, flags, key_id;
	uint16_t count, workers;
	uint32_t dump_id, dump_records;
	uint32_t nodes;   /* the sender's node-list digest */
	uint64_t epoch, seq, rcv_epoch;
	char sender[SL_SYNC_NAME_LEN + 1];
	char receiver[SL_SYNC_NAME_LEN + 1];
};

/* The shared key, ready to MAC with (OpenSSL's EVP_MAC HMAC-SHA256). */
struct sl_sync_mac;
struct sl_sync_mac *sl_sync_mac_new(const uint8_t *key, size_t len);
void sl_sync_mac_free(struct sl_sync_mac *m);
/* The key's id on the wire: a byte of SHA-256 of the key, so two nodes
 * with the same key agree on it, and a new key (mostly) differs. */
uint8_t sl_sync_mac_id(const struct sl_sync_mac *m);
/* out = HMAC-SHA256(key, data). 0, or -1 when libcrypto failed. */
int sl_sync_mac_compute(struct sl_sync_mac *m, const uint8_t *data, size_t len,
			uint8_t out[SL_SYNC_MAC_LEN]);

void sl_sync_rec_encode(const struct sl_sync_conn *c, uint8_t out[SL_SYNC_REC_LEN]);
/* 0, or -1 when a field is out of range: family not 4 or 6 (or an IPv4
 * address with bytes past its 4), protocol not TCP or UDP, state not a
 * connection state, flags beyond the FIN bits, event unknown, reserved
 * not zero. */
int sl_sync_rec_decode(const uint8_t in[SL_SYNC_REC_LEN], struct sl_sync_conn *c);

/* A datagram being filled. */
struct sl_sync_dgram {
	struct sl_sync_hdr h;  /* written into buf by the seal */
	uint8_t buf[SL_SYNC_DGRAM_MAX];
	size_t len, limit;
	uint16_t count;
};

/* Records that fit a datagram of `limit` bytes. */
static inline uint32_t sl_sync_recs_per_dgram(size_t limit)
{
	return (uint32_t)((limit - SL_SYNC_HDR_LEN - SL_SYNC_MAC_LEN) / SL_SYNC_REC_LEN);
}

/* A datagram with h's fields (count and seq are the seal's). d->h may
 * change until the seal, which writes it: flags, key id and receiver
 * epoch are those of the moment it is sent. */
void sl_sync_dgram_start(struct sl_sync_dgram *d, size_t limit,
			 const struct sl_sync_hdr *h);
/* false when full (nothing added). */
bool sl_sync_dgram_add(struct sl_sync_dgram *d, const struct sl_sync_conn *c);
/* Count, sequence and MAC written: d->buf[0..d->len) is ready to send. */
int sl_sync_dgram_seal(struct sl_sync_dgram *d, struct sl_sync_mac *mac, uint64_t seq);

/* Check a received datagram's structure (length, magic, version, type,
 * count) and read its header; no MAC computed yet, so junk costs little.
 * Then sl_sync_verify with the key h->key_id names. Its records (when
 * both are SL_SYNC_OK) are buf + SL_SYNC_HDR_LEN, h->count of them,
 * each to go through sl_sync_rec_decode. */
enum sl_sync_bad sl_sync_parse(const uint8_t *buf, size_t len, struct sl_sync_hdr *h);
/* SL_SYNC_OK or SL_SYNC_BAD_MAC; only after sl_sync_parse said OK. */
enum sl_sync_bad sl_sync_verify(const uint8_t *buf, size_t len, struct sl_sync_mac *mac);

#endif
