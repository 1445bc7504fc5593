/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Flow keys and their hash.
 *
 * A key is the four address/port fields exactly as they sit on the wire:
 * IPv4 keeps saddr,daddr adjacent at IP offset 12 and sport,dport adjacent
 * at L4 offset 0, so building a key is two loads. The protocol is hashed in
 * but stored once per connection. IPv6 keys (struct sl_v6key) keep the
 * same field order: the addresses at IPv6 offset 8, the ports after them,
 * 36 bytes hashed as four 8-byte words and one 4-byte word. The table tells
 * the families apart by a bit in its references (see conn.h); the timer
 * wheel and the state machine do not change.
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

/* The same for IPv6: 16-byte addresses in network order. */
struct sl_v6key {
	uint8_t saddr[16];
	uint8_t daddr[16];
	sl_be16 sport;
	sl_be16 dport;
};

_Static_assert(sizeof(struct sl_v6key) == 36, "a v6 key is 36 bytes, unpadded");

static inline struct sl_v6key sl_v6key_reverse(const struct sl_v6key *k)
{
	struct sl_v6key r;

	__builtin_memcpy(r.saddr, k->daddr, 16);
	__builtin_memcpy(r.daddr, k->saddr, 16);
	r.sport = k->dport;
	r.dport = k->sport;
	return r;
}

/* The key's four address words and its port word, as hashed and compared. */
static inline void sl_v6key_words(const struct sl_v6key *k, uint64_t a[4],
				  uint32_t *ports)
{
	__builtin_memcpy(a, k, 32);
	__builtin_memcpy(ports, &k->sport, 4);
}

static inline bool sl_v6key_eq(const struct sl_v6key *a,
			       const struct sl_v6key *b)
{
	uint64_t wa[4], wb[4];
	uint32_t pa, pb;

	sl_v6key_words(a, wa, &pa);
	sl_v6key_words(b, wb, &pb);
	return ((wa[0] ^ wb[0]) | (wa[1] ^ wb[1]) | (wa[2] ^ wb[2]) |
		(wa[3] ^ wb[3]) | (pa ^ pb)) == 0;
}

/* CRC is linear; a final multiply spreads its low bits, which pick the
 * bucket, over the whole key. */
static inline uint32_t sl_flow_hash_finish(uint32_t h)
{
	return (h ^ (h >> 15)) * 0x2c1b3c6du;
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
	return sl_flow_hash_finish(h);
}

/* CRC32-C over the 36 bytes, seeded apart from the v4 hash so that a v4
 * and a v6 key of the same words (a v4-mapped address) still spread. */
static inline uint32_t sl_flow_hash6(const struct sl_v6key *k, uint8_t proto)
{
	uint64_t a[4];
	uint32_t ports;

	sl_v6key_words(k, a, &ports);
	uint64_t h = _mm_crc32_u64(0x7f4a7c15u ^ proto, a[0]);
	h = _mm_crc32_u64(h, a[1]);
	h = _mm_crc32_u64(h, a[2]);
	h = _mm_crc32_u64(h, a[3]);
	return sl_flow_hash_finish(_mm_crc32_u32((uint32_t)h, ports));
}
#else
/* Portable fallback (murmur3-style finaliser over the key's words). */
static inline uint32_t sl_flow_mix(uint32_t h, const uint32_t *w, int n)
{
	for (int i = 0; i < n; i++) {
		h ^= w[i] * 0xcc9e2d51u;
		h = (h << 13) | (h >> 19);
		h = h * 5 + 0xe6546b64u;
	}
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	return h;
}

static inline uint32_t sl_flow_hash(const struct sl_v4key *k, uint8_t proto)
{
	uint32_t w[3];
	__builtin_memcpy(w, k, sizeof(w));
	return sl_flow_mix(0x9e3779b9u ^ proto, w, 3);
}

static inline uint32_t sl_flow_hash6(const struct sl_v6key *k, uint8_t proto)
{
	uint32_t w[9];
	__builtin_memcpy(w, k, sizeof(w));
	return sl_flow_mix(0x7f4a7c15u ^ proto, w, 9);
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
