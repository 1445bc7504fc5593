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
#include "drop.h"

struct sl_host_count {
	sl_be32 ip;        /* 0: empty */
	uint32_t count;
	sl_be32 pool;      /* pool address of its mappings; 0: none yet */
};

struct sl_host_table {
	struct sl_host_count *slots; /* NULL: no table (max 0) */
	uint32_t mask;
	uint32_t used;
	uint32_t max;      /* hosts it may hold: snat_options.max_hosts */
};

/* A table for exactly `hosts` distinct hosts, its slots not allocated
 * yet: a node without SNAT rules never pays for them. Until
 * sl_hosts_alloc(), every charge is refused (snat_hosts_full). */
void sl_hosts_plan(struct sl_host_table *t, uint32_t hosts);
/* Allocate the slots (twice `hosts`, a power of two, 16 at least, so
 * probes stay short) unless they are: 0, or -1 out of memory. They come
 * from sl_mem_alloc (mem.h), every page touched here, so the worker's
 * first use of one is no page fault on the packet path. Another
 * thread may do it while the owner runs, as long as the owner is not yet
 * charging (it charges only once it sees an SNAT rule, published after
 * this). */
int sl_hosts_alloc(struct sl_host_table *t);
/* sl_hosts_plan() and sl_hosts_alloc(). 0 or -1. */
int sl_hosts_init(struct sl_host_table *t, uint32_t hosts);
/* Bytes the table for `hosts` hosts allocates, and what `t` holds. */
size_t sl_hosts_bytes(uint32_t hosts);
size_t sl_hosts_mem(const struct sl_host_table *t);
void sl_hosts_free(struct sl_host_table *t);
/* Forget every host (the owner is not running). */
void sl_hosts_clear(struct sl_host_table *t);

/* Count one more mapping for `ip`: SL_DROP_NONE with its entry in *out,
 * or why not: SL_DROP_SNAT_HOST_LIMIT when `ip` already has `limit`,
 * SL_DROP_SNAT_HOSTS_FULL when `ip` is new and the table already holds
 * `max` hosts (two causes, two reasons: one host's share used up is not
 * the node running out of room for hosts). */
enum sl_drop sl_hosts_charge(struct sl_host_table *t, sl_be32 ip, uint32_t limit,
			     struct sl_host_count **out);
/* One mapping of `ip` is gone. */
void sl_hosts_release(struct sl_host_table *t, sl_be32 ip);
uint32_t sl_hosts_count(const struct sl_host_table *t, sl_be32 ip);
/* The pool address `ip`'s mappings use in a table another thread owns;
 * 0 if it has none (or the read raced with a change). */
sl_be32 sl_hosts_pool_of(const struct sl_host_table *t, sl_be32 ip);

#endif
