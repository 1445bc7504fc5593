/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * How many SNAT mappings each inside host holds on this worker, so that
 * one host cannot take the whole pool (RFC 4787's concern about port
 * exhaustion by a single host). One table per worker, no sharing: a
 * host's mappings are spread over workers by inside port, so each worker
 * enforces its share of the configured limit.
 *
 * Each host also remembers the pool address its mappings use, so paired
 * pooling (RFC 4787 REQ-2) survives a pool resize: the address stays the
 * host's while it has a mapping on any worker. Another worker reads it
 * with sl_hosts_pool_of(), without a lock: a read that races with a
 * change can miss the host (it is then hashed, as a new host is) or,
 * rarely, see another host's address (still one of the pool's), and
 * never loops or faults (the table is never reallocated).
 *
 * Open addressing with linear probing; a host whose count drops to zero
 * is removed by shifting later entries back, so lookups never meet
 * tombstones and the table never fills with dead hosts.
 */
#ifndef SL_SNAT_HOSTS_H
#define SL_SNAT_HOSTS_H

#include "dp_types.h"

struct sl_host_count {
	sl_be32 ip;        /* 0: empty */
	uint32_t count;
	sl_be32 pool;      /* pool address of its mappings; 0: none yet */
};

struct sl_host_table {
	struct sl_host_count *slots;
	uint32_t mask;
	uint32_t used;
};

/* Distinct inside hosts with mappings a worker keeps count of: one per
 * SL_SNAT_CONNS_PER_HOST connections of capacity, at most
 * SL_SNAT_HOSTS_MAX (1.5 MB a worker). Sized so (24 bytes of slots a
 * host, twice the hosts) it costs 0.375 bytes per connection of capacity
 * at most, within a v4 connection's 96 beside its entry and index (a
 * quarter of max_conns + 16, as before, cost 8 to 12). A new host past
 * it is refused as past its limit (snat_host_limit). */
#define SL_SNAT_CONNS_PER_HOST 64
#define SL_SNAT_HOSTS_MAX (1u << 16)

static inline uint32_t sl_hosts_for(uint32_t max_conns)
{
	uint32_t hosts = max_conns / SL_SNAT_CONNS_PER_HOST;
	return hosts < SL_SNAT_HOSTS_MAX ? hosts : SL_SNAT_HOSTS_MAX;
}

/* Room for `hosts` distinct hosts (the table is twice that, 16 slots at
 * least). 0 or -1. */
int sl_hosts_init(struct sl_host_table *t, uint32_t hosts);
/* Bytes the table for `hosts` hosts allocates. */
size_t sl_hosts_bytes(uint32_t hosts);
void sl_hosts_free(struct sl_host_table *t);

/* Count one more mapping for `ip` unless it already has `limit` (or the
 * table has no room for a new host). Its entry if counted, else NULL. */
struct sl_host_count *sl_hosts_charge(struct sl_host_table *t, sl_be32 ip,
				      uint32_t limit);
/* One mapping of `ip` is gone. */
void sl_hosts_release(struct sl_host_table *t, sl_be32 ip);
uint32_t sl_hosts_count(const struct sl_host_table *t, sl_be32 ip);
/* The pool address `ip`'s mappings use in a table another thread owns;
 * 0 if it has none (or the read raced with a change). */
sl_be32 sl_hosts_pool_of(const struct sl_host_table *t, sl_be32 ip);

#endif
