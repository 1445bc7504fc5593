/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Full-NAT local ports, unique per server rather than per local address.
 *
 * The server side knows a connection by its reply key (server address,
 * local address, server port, local port), so a local port need only be
 * unique among the connections of one (local address, server address,
 * server port, protocol): the same port can carry a connection to every
 * server at once, as in LVS full-NAT and Linux conntrack. One local
 * address thus carries a whole port range to each server, not one range
 * in all.
 *
 * Nothing records which ports are taken: the connection table does. A
 * worker walks the ports of its share (portmap.h, p % workers == id,
 * which is what steers a reply back to it) and takes the first whose
 * reply key the table does not hold. A port is free again the moment its
 * connection's entry leaves the table, so there is nothing to give back,
 * and a port still held by an older connection (an address removed and
 * re-added) is never handed out twice.
 *
 * The walk is RFC 6056's algorithm 4 ("double-hash"): it starts at an
 * offset hashed from the destination plus a counter, one of
 * SL_LPORT_WALKS, that the destinations hashing to it share and that
 * every probe moves on. So one destination's ports are handed out in
 * sequence (next-fit), and a port it freed is not reused before its walk
 * has come round: time for TIME_WAIT on the server to end. Each probe is
 * one table lookup; the caller caps them.
 */
#ifndef SL_LPORT_H
#define SL_LPORT_H

#include "conn.h"
#include "flow.h"
#include "portmap.h"

#define SL_LPORT_WALKS 1024 /* walk counters per worker (4 KiB) */

struct sl_lport_walks {
	uint32_t next[SL_LPORT_WALKS];
};

/* A free local port for `reply`, whose saddr (server), daddr (local
 * address) and sport (server port) are set: a port of `share` whose reply
 * key `ct` does not hold, after at most *budget probes. Returns true with
 * reply->dport set (network order); *budget keeps the probes left. */
bool sl_lport_pick(struct sl_lport_walks *walks, const struct sl_conn_table *ct,
		   const struct sl_port_share *share, struct sl_v4key *reply,
		   uint8_t proto, uint32_t *budget);

/* The same for a v6 reply key (server, local address, server port). */
bool sl_lport_pick6(struct sl_lport_walks *walks, const struct sl_conn_table *ct,
		    const struct sl_port_share *share, struct sl_v6key *reply,
		    uint8_t proto, uint32_t *budget);

#endif
