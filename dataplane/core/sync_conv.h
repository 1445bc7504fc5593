/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A full-NAT connection to and from its session-sync record
 * (sync_rec.h): what a worker sends about its own connections and what
 * it installs from a peer's. Plain table code, no DPDK: the unit tests
 * run it on a bare table.
 */
#ifndef SL_SYNC_CONV_H
#define SL_SYNC_CONV_H

#include "conn.h"
#include "sync_rec.h"

/* Fill `r` from connection `c` of `t` (a full-NAT connection: v4, FNAT66
 * or NAT64), `event` being an enum sl_sync_event. timeout_ms is what is
 * left of it at `now_ms` (0 once due). */
void sl_sync_from_conn(const struct sl_conn_table *t, const struct sl_conn *c,
		       uint32_t now_ms, uint8_t event, struct sl_sync_conn *r);

/* Is `r` a record a table can hold: families 4 or 6 (and not a v4
 * client with a v6 server: no layout), TCP with a TCP state or UDP with
 * UDP's, every port set, a known event, reserved bits zero? */
bool sl_sync_rec_valid(const struct sl_sync_conn *r);

/* The record's ORIG key (client -> VIP) as the table holds it: the
 * connection's reference if `t` has it, else SL_CT_NONE. */
uint32_t sl_sync_lookup(const struct sl_conn_table *t, const struct sl_sync_conn *r);

/* The same for its REPLY key (server -> local address): a connection
 * holding it already would shadow an install. */
uint32_t sl_sync_lookup_reply(const struct sl_conn_table *t,
			      const struct sl_sync_conn *r);

/* Is connection `c` of `t` the one record `r` names: the same client
 * tuple, VIP, server, local address and port, families and protocol?
 * (Two connections can share a client tuple on two nodes: a client's
 * port reused, or ECMP sending it to another node after a change.) */
bool sl_sync_same_conn(const struct sl_conn_table *t, const struct sl_conn *c,
		       const struct sl_sync_conn *r);

/* The flow hash of the record's ORIG key (sl_flow_hash, _hash6): the
 * worker owning the client's flow is sl_flow_owner() of it. */
uint32_t sl_sync_orig_hash(const struct sl_sync_conn *r);

/* Make fresh entry `c` (sl_ct_alloc(), not inserted) the connection of
 * valid record `r`: its shape and extension, both keys, checksum deltas,
 * sequence deltas, protocol, state and FIN flags. The caller sets
 * svc_id, rs_id, trusted_port, created and expire, then inserts it.
 * 0, or -ENOSPC when the extension pool is empty (abandon the entry). */
int sl_sync_to_conn(struct sl_conn_table *t, const struct sl_sync_conn *r,
		    struct sl_conn *c);

#endif
