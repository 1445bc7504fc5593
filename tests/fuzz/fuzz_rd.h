/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The packet fuzzer's input reader: bytes missing at the end of an input
 * read as 0, so every prefix of an input is an input. Shared by the
 * operations of fuzz_packet.c and the IPv6 ones of fuzz_packet6.c.
 */
#ifndef SL_FUZZ_RD_H
#define SL_FUZZ_RD_H

#include <stddef.h>
#include <stdint.h>

#include "dp_types.h"

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

/* A port from the configuration's own, a local port, or any (fuzz_packet.c). */
sl_be16 fz_pick_port(struct rd *r);

/* The IPv6 BUILD operation (fuzz_packet6.c): kind `sel6` (0-5), the
 * rest read from r; a repetition moves the source address by
 * `host_vary` and the source port by `port_vary`. Writes the frame to f
 * for the port whose MAC is `mac`; returns its length. */
uint32_t fz_op_build6(struct rd *r, unsigned sel6, unsigned host_vary, unsigned port_vary,
		      const uint8_t mac[6], uint8_t *f);

#endif
