/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Schedulers: which real server a new connection goes to.
 *
 * Each service has one pick table in its snapshot, built by the control
 * thread, whose meaning depends on the scheduler:
 *
 *  rr, wrr  the sequence that smooth weighted round-robin (the nginx
 *           algorithm) produces over one period: every server appears
 *           `weight` times (after dividing by the weights' gcd),
 *           interleaved as evenly as possible; rr takes every non-zero
 *           weight as 1. A worker picks with one array read and keeps
 *           only a cursor per service, so scheduling state is per worker
 *           (no sharing) and survives snapshot changes.
 *  sh       the same wrr sequence, indexed by a hash of the client's
 *           address (and port, with hash_ports) instead of a cursor: a
 *           client lands on the same server from every worker, in
 *           proportion to weight; any change of the server set remaps
 *           clients (use mh where that matters).
 *  mh       a Maglev table (maglev.h), indexed the same way: a change of
 *           one of N servers remaps little more than 1/N of clients.
 *  lc, wlc  the list of servers that take new connections; the worker
 *           picks the one with the fewest connections (per weight for
 *           wlc), counting its own connections exactly and the other
 *           workers' as the control thread last summed them.
 *
 * Weight 0 means draining (and the control thread publishes a server that
 * failed its health checks with weight 0 too): the server is absent from
 * every pick table, so it gets no new connections while its existing
 * ones run on.
 */
#ifndef SL_SCHED_H
#define SL_SCHED_H

#include "dp_types.h"

enum sl_sched_kind {
	SL_SCHED_RR = 0,
	SL_SCHED_WRR = 1,
	SL_SCHED_LC = 2,
	SL_SCHED_WLC = 3,
	SL_SCHED_SH = 4,
	SL_SCHED_MH = 5,
	SL_SCHED_KINDS
};

struct sl_snap_rs;

/* Longest sequence a service gets. Weights whose reduced sum is longer
 * are scaled down proportionally (each non-zero weight keeps at least 1). */
#define SL_SCHED_MAX_SEQ 4096u

const char *sl_sched_name(unsigned kind);
/* Returns the kind for a name ("rr", "wrr", "lc", "wlc", "sh", "mh"), or -1. */
int sl_sched_parse(const char *name);

/* Length of the sequence for these weights (before building it). */
uint32_t sl_sched_seq_len(unsigned kind, const uint32_t *weights, uint32_t n);

/* Write the sequence (indices into weights[]) into out[] and return its
 * length, which is sl_sched_seq_len(). 0 if every weight is 0. */
uint32_t sl_sched_build(unsigned kind, const uint32_t *weights, uint32_t n,
			uint16_t *out);

/* Does this kind pick by the client's hash (and so may hash ports)? */
static inline bool sl_sched_hashes(unsigned kind)
{
	return kind == SL_SCHED_SH || kind == SL_SCHED_MH;
}

/* Length of a service's pick table (see above). mh_size is the Maglev
 * table size, used by mh only. 0 when no server takes new connections. */
uint32_t sl_sched_table_len(unsigned kind, const uint32_t *weights, uint32_t n,
			    uint32_t mh_size);

/* Build the pick table into out[] and return its length (as announced by
 * sl_sched_table_len(), or 0 if a Maglev build failed). ids[] are the
 * servers' identities (sl_maglev_id()), read by mh only. */
uint32_t sl_sched_table_build(unsigned kind, const uint32_t *weights,
			      const uint64_t *ids, uint32_t n, uint32_t mh_size,
			      uint16_t *out);

/* The hash sh and mh index with: the client's address, and its port when
 * the service hashes ports. The same on every worker. */
static inline uint32_t sl_sched_client_hash(sl_be32 saddr, sl_be16 sport,
					    bool with_port)
{
	uint64_t x = (uint64_t)saddr << 16 | (with_port ? sport : 0u);

	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ull;
	x ^= x >> 33;
	return (uint32_t)x;
}

/* The 32-bit key a v6 client is scheduled and kept by (sh, mh,
 * persistence templates), v4's saddr's place: its first `plen` bits
 * (1..128; the rest zeroed), all of them hashed, so clients of one /plen
 * share a key and any two of different prefixes differ but for a 2^-32
 * chance (an xor fold of the four words made, among others, every
 * address with its last two words swapped collide). Never 0 (a
 * template's empty mark). The same on every worker. */
static inline sl_be32 sl_sched_client6(const uint8_t ip[16], uint8_t plen)
{
	uint8_t a[16] = {0};
	uint64_t w[2];
	unsigned full = plen >= 128 ? 16 : plen / 8u;

	__builtin_memcpy(a, ip, full);
	if (full < 16 && (plen & 7))
		a[full] = (uint8_t)(ip[full] & (0xff00u >> (plen & 7)));
	__builtin_memcpy(w, a, 16);
	uint64_t x = w[0] * 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 29) ^ w[1]) * 0xbf58476d1ce4e5b9ull;
	x ^= x >> 32;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 29;
	uint32_t key = (uint32_t)(x ^ (x >> 32));
	return key ? key : 1;
}

/* A 32-bit hash scaled to [0, n) with a multiply (no division; n need
 * not be a power of two, which a Maglev table never is). */
static inline uint32_t sl_sched_scale(uint32_t h, uint32_t n)
{
	return (uint32_t)(((uint64_t)h * n) >> 32);
}

/*
 * lc / wlc: among cand[0..n) (n > 0; indices into rs[]), the server with
 * the least load, where a server's load is others[id] + mine[id]: the
 * other workers' connections as last summed by the control thread, plus
 * this worker's own, exact. wlc compares (load + 1) / weight, so an idle
 * heavier server goes first. Ties go to the first candidate at or after
 * position `start` (a per-worker cursor), so equal servers take turns.
 * Returns an index into rs[].
 */
uint16_t sl_sched_least(const struct sl_snap_rs *rs, const uint16_t *cand,
			uint32_t n, const uint32_t *others, const uint32_t *mine,
			uint32_t start, bool weighted);

#endif
