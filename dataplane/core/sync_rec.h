/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One full-NAT connection as the cluster's session sync carries it.
 *
 * The contract between the two halves of session sync:
 *  - a worker fills one when it opens a full-NAT connection, when its
 *    TCP state changes, and when the control thread asks for a refresh or
 *    a full dump; the control thread batches them into datagrams
 *    (ctrl/cluster/);
 *  - the control thread turns a received one, once authenticated and
 *    checked against its own model, into an install request for the
 *    worker that owns the local port (the local-port rule, lport.h).
 *
 * Addresses are 16 bytes in network order whatever the family: an IPv4
 * address sits in the first 4 bytes, the other 12 are zero. Ports are in
 * network order. Nothing here is node-specific (no service or server ids,
 * no table indexes): two nodes with the same services agree on every
 * field, so a record means the same connection on both.
 *
 * The wire format is ctrl/cluster's (versioned, explicit byte order);
 * this struct is the in-memory form and never goes on the wire as is.
 */
#ifndef SL_SYNC_REC_H
#define SL_SYNC_REC_H

#include <stdint.h>

enum sl_sync_event {
	SL_SYNC_NEW = 1,     /* the connection was opened */
	SL_SYNC_STATE = 2,   /* its TCP state changed */
	SL_SYNC_REFRESH = 3, /* still alive (periodic, or part of a full dump) */
	SL_SYNC_GONE = 4,    /* closed or expired on the node that had it */
};

struct sl_sync_conn {
	uint8_t client[16]; /* key[ORIG] source */
	uint8_t vip[16];    /* key[ORIG] destination */
	uint8_t rs[16];     /* key[REPLY] source: the real server */
	uint8_t laddr[16];  /* key[REPLY] destination: the local address */
	uint16_t cport;     /* client port */
	uint16_t vport;     /* VIP port */
	uint16_t rsport;    /* real server port */
	uint16_t lport;     /* local port */
	uint32_t timeout_ms;    /* time left before it expires */
	uint32_t seq_delta[2];  /* TCP sequence deltas (conn.h), 0 = none */
	uint8_t family_orig;    /* 4 or 6: client and VIP */
	uint8_t family_reply;   /* 4 or 6: real server and local address */
	uint8_t proto;          /* IPPROTO_TCP or IPPROTO_UDP */
	uint8_t state;          /* enum sl_conn_state (conn.h) */
	uint8_t flags;          /* SL_CONN_F_FIN_ORIG / _FIN_REPLY only */
	uint8_t event;          /* enum sl_sync_event */
	uint16_t reserved;      /* zero */
};

_Static_assert(sizeof(struct sl_sync_conn) == 92,
	       "a sync record's in-memory form is 92 bytes (a multiple of 4, "
	       "as rte_ring's element API wants)");

#endif
