/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Maglev consistent hashing (Eisenbud et al., "Maglev: A Fast and Reliable
 * Software Network Load Balancer", NSDI 2016, section 3.4).
 *
 * Every server gets a pseudo-random permutation of the table's slots,
 * derived from its identity (address and port) alone: slot j of its
 * preference list is (offset + j * skip) mod M, M prime, so every skip is
 * coprime with M and the list visits every slot once. Servers take turns
 * claiming their next preferred slot that is still free until the table
 * is full. Because a server's preferences do not depend on who else is in
 * the table, removing or adding one of N servers moves little more than
 * the 1/N of slots that must move.
 *
 * Weights. Each server's share of slots is fixed in advance by the
 * largest-remainder method (quota = M * w / sum(w), rounded so the quotas
 * add up to M), and in each round a server claims up to `turns` slots, in
 * proportion to its weight, until its quota is met. So the slot share of
 * every server is its weight share to within one slot, and the claiming
 * order interleaves servers the way the paper's weighted variant does.
 *
 * The build runs on the control thread, off the packet path; workers only
 * read the finished table (table[hash scaled to M]) from a snapshot.
 */
#ifndef SL_MAGLEV_H
#define SL_MAGLEV_H

#include "dp_types.h"

#define SL_MH_DEFAULT_SIZE 65537u   /* the paper's (small) table size */
#define SL_MH_MIN_SIZE 97u
#define SL_MH_MAX_SIZE 1048573u     /* the largest prime below 2^20 */
#define SL_MH_EMPTY 0xffffu

/* True when m is a prime within [SL_MH_MIN_SIZE, SL_MH_MAX_SIZE]. */
bool sl_maglev_size_ok(uint32_t m);

/* A server's identity for its preference list: stable across snapshots
 * and independent of its position in the service's list. */
static inline uint64_t sl_maglev_id(sl_be32 ip, sl_be16 port)
{
	return (uint64_t)sl_ntohl(ip) << 16 | sl_ntohs(port);
}

/*
 * Fill out[0..m) with indices into ids[]/weights[] (n <= 65535 servers).
 * Servers of weight 0 get no slot. Returns 0; or -1 when m is not a valid
 * size, no server has a weight, or memory runs out (out[] untouched then).
 * Uses O(n) scratch memory from the heap: call it off the packet path.
 */
int sl_maglev_build(const uint64_t *ids, const uint32_t *weights, uint32_t n,
		    uint32_t m, uint16_t *out);

#endif
