/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The packet fuzzer's input reader: bytes missing at the end of an input
 * read as 0, so every prefix of an input is an input. Shared by the
 * packet fuzzer's parts (fuzz_packet.h).
 */
#ifndef SL_FUZZ_RD_H
#define SL_FUZZ_RD_H

#include <stddef.h>
#include <stdint.h>

struct rd {
	const uint8_t *p;
	size_t n;
};

static inline unsigned u8(struct rd *r)
{
	if (r->n == 0)
		return 0;
	r->n--;
	return *r->p++;
}

static inline unsigned u16(struct rd *r)
{
	return u8(r) << 8 | u8(r);
}

static inline uint32_t u32(struct rd *r)
{
	return (uint32_t)u16(r) << 16 | u16(r);
}

#endif
