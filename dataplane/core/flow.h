/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Flow keys and their hash.
 *
 * A key is the four address/port fields exactly as they sit on the wire:
 * IPv4 keeps saddr,daddr adjacent at IP offset 12 and sport,dport adjacent
 * at L4 offset 0, so building a key is two loads. The protocol is hashed in
 * but stored once per connection. IPv6 will add struct sl_v6key with the
 * same field order and a family bit in the table reference (see conn.h);
 * the table, timer wheel and state machine do not change.
 *
 * For ICMP query messages the identifier stands in for both ports.
 */
#ifndef SL_FLOW_H
#define SL_FLOW_H

#include "dp_types.h"

struct sl_v4key {
	sl_be32 saddr;
	sl_be32 daddr;
	sl_be16 sport;
	sl_be16 dport;
};

/* The key of the opposite direction of the same flow. */
static inline struct sl_v4key sl_v4key_reverse(const struct sl_v4key *k)
{
	struct sl_v4key r = {k->daddr, k->saddr, k->dport, k->sport};
	return r;
}

static inline bool sl_v4key_eq(const struct sl_v4key *a,
			       const struct sl_v4key *b)
{
	uint64_t a_addrs, b_addrs;
	uint32_t a_ports, b_ports;

	__builtin_memcpy(&a_addrs, a, 8);
	__builtin_memcpy(&b_addrs, b, 8);
	__builtin_memcpy(&a_ports, &a->sport, 4);
	__builtin_memcpy(&b_ports, &b->sport, 4);
	return a_addrs == b_addrs && a_ports == b_ports;
}

#if defined(__SSE4_2__)
#include <nmmintrin.h>
static inline uint32_t sl_flow_hash(const struct sl_v4key *k, uint8_t proto)
{
	uint64_t addrs;
	uint32_t ports;

	__builtin_memcpy(&addrs, k, 8);
	__builtin_memcpy(&ports, &k->sport, 4);
	uint32_t h = (uint32_t)_mm_crc32_u64(0x9e3779b9u ^ proto, addrs);
	h = _mm_crc32_u32(h, ports);
	/* CRC is linear; a final multiply spreads its low bits, which pick
	 * the bucket, over the whole key. */
	return (h ^ (h >> 15)) * 0x2c1b3c6du;
}
#else
/* Portable fallback (murmur3-style finaliser over the three words). */
static inline uint32_t sl_flow_hash(const struct sl_v4key *k, uint8_t proto)
{
	uint32_t ports;
	__builtin_memcpy(&ports, &k->sport, 4);
	uint32_t h = 0x9e3779b9u ^ proto;
	uint32_t w[3] = {k->saddr, k->daddr, ports};
	for (int i = 0; i < 3; i++) {
		h ^= w[i] * 0xcc9e2d51u;
		h = (h << 13) | (h >> 19);
		h = h * 5 + 0xe6546b64u;
	}
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	return h;
}
#endif

/*
 * The worker that owns a client's flow to a service, from the hash of its
 * client-to-VIP key: every worker computes the same answer, so a packet of
 * the flow that arrives on another worker (RSS, af_packet fanout and its
 * rollover, a single queue) is steered once, straight to the owner, and the
 * owner's table is the only one that can hold the connection. The high
 * bits of the hash, because the table's buckets are picked by the low ones
 * (a worker's flows would otherwise crowd half of its buckets).
 */
static inline unsigned sl_flow_owner(uint32_t hash, unsigned nworkers)
{
	return (unsigned)(((uint64_t)hash * nworkers) >> 32);
}

#endif
