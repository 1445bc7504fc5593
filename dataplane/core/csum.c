/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "csum.h"

uint64_t sl_csum_partial(const void *buf, size_t len, uint64_t sum)
{
	const uint8_t *p = buf;

	/* 32-bit words into a 64-bit accumulator: no carry handling needed
	 * until the final fold for any packet-sized buffer. */
	while (len >= 4) {
		uint32_t w;
		memcpy(&w, p, 4);
		sum += w;
		p += 4;
		len -= 4;
	}
	if (len >= 2) {
		uint16_t w;
		memcpy(&w, p, 2);
		sum += w;
		p += 2;
		len -= 2;
	}
	if (len) {
		/* The odd byte is the high-order byte of a 16-bit word in
		 * network order, i.e. the first byte in memory. */
		uint16_t w = 0;
		memcpy(&w, p, 1);
		sum += w;
	}
	return sum;
}
