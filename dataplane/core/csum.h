/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internet checksums: full computation (RFC 1071) for validation and for
 * packets Sluice builds, and incremental update (RFC 1624, eqn. 3:
 * HC' = ~(~HC + ~m + m')) for packets it rewrites.
 *
 * A rewrite's changes are summarised once, when a connection is created, as
 * a 16-bit one's-complement "delta" (the sum of ~old + new over every changed
 * 16-bit word). Applying the same rewrite backwards is adding the delta's
 * one's-complement negation, ~delta, so one value serves both directions.
 */
#ifndef SL_CSUM_H
#define SL_CSUM_H

#include "dp_types.h"

/* Fold a wide one's-complement sum into 16 bits (not complemented). */
static inline uint16_t sl_csum_fold(uint64_t sum)
{
	sum = (sum & 0xffffffffu) + (sum >> 32);
	sum = (sum & 0xffffu) + (sum >> 16);
	sum = (sum & 0xffffu) + (sum >> 16);
	sum = (sum & 0xffffu) + (sum >> 16);
	return (uint16_t)sum;
}

/* One's-complement sum of a buffer, added to `sum`; not folded. Byte order
 * is the buffer's own: fold and complement give the checksum as stored. */
uint64_t sl_csum_partial(const void *buf, size_t len, uint64_t sum);

/* The checksum to store for a buffer: ~fold(sum of buf + initial). */
static inline uint16_t sl_csum(const void *buf, size_t len, uint64_t initial)
{
	return (uint16_t)~sl_csum_fold(sl_csum_partial(buf, len, initial));
}

/* Sum of the IPv4 pseudo header (addresses, protocol, L4 length). */
static inline uint64_t sl_csum_pseudo4(sl_be32 saddr, sl_be32 daddr,
				       uint8_t proto, uint16_t l4_len)
{
	return (uint64_t)saddr + daddr + sl_htons(proto) + sl_htons(l4_len);
}

/* Sum of the IPv6 pseudo header (RFC 8200 8.1: addresses, upper-layer
 * length, next header), in the same memory order as sl_csum_pseudo4. */
static inline uint64_t sl_csum_pseudo6(const uint8_t saddr[16],
				       const uint8_t daddr[16], uint8_t proto,
				       uint16_t l4_len)
{
	uint64_t sum = (uint64_t)sl_htons(proto) + sl_htons(l4_len);

	return sl_csum_partial(daddr, 16, sl_csum_partial(saddr, 16, sum));
}

/* Delta for replacing a 32-bit field `from` with `to` (any byte order, as
 * long as both match the packet's). */
static inline uint32_t sl_csum_delta32(uint32_t from, uint32_t to)
{
	return (uint32_t)(~from & 0xffffu) + (~from >> 16) + (to & 0xffffu) +
	       (to >> 16);
}

static inline uint32_t sl_csum_delta16(uint16_t from, uint16_t to)
{
	return (uint32_t)(uint16_t)~from + to;
}

/* Fold a sum of at most 65536 16-bit terms: two end-around carries. */
static inline uint16_t sl_csum_fold32(uint32_t sum)
{
	sum = (sum & 0xffffu) + (sum >> 16);
	sum = (sum & 0xffffu) + (sum >> 16);
	return (uint16_t)sum;
}

/* Apply a folded delta to a stored checksum. */
static inline uint16_t sl_csum_apply(uint16_t csum, uint16_t delta)
{
	return (uint16_t)~sl_csum_fold32((uint32_t)(uint16_t)~csum + delta);
}

/* Apply two folded deltas at once (a rewrite and a TTL decrement). Three
 * terms can sum to 0x1ffff, which one fold leaves at 0x10000: every sum
 * here is folded twice (sl_csum_fold32), never once. */
static inline uint16_t sl_csum_apply2(uint16_t csum, uint16_t d1, uint16_t d2)
{
	return (uint16_t)~sl_csum_fold32((uint32_t)(uint16_t)~csum + d1 + d2);
}

/* The folded delta that undoes `delta`. */
static inline uint16_t sl_csum_negate(uint16_t delta)
{
	return (uint16_t)~delta;
}

/* Decrementing the TTL lowers the 16-bit word (ttl << 8 | proto) by 0x100:
 * ~m + m' = 0xffff - 0x100 = 0xfeff in network order. Sums here are taken
 * in memory order, so on a little-endian host the constant is byte-swapped
 * (the word reads as proto << 8 | ttl, lowered by 1). */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define SL_CSUM_TTL_DEC 0xfffeu
#else
#define SL_CSUM_TTL_DEC 0xfeffu
#endif

#endif
