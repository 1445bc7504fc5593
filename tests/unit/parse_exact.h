/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Parsing a frame held in a heap buffer of exactly its length, so an
 * overread shows under ASan or valgrind (test_parse6.c, and the fuzz
 * loops of test_parse_fuzz.c). Include after <cmocka.h> and "pkt.h".
 */
#ifndef SL_TEST_PARSE_EXACT_H
#define SL_TEST_PARSE_EXACT_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pkt.h"

typedef void parse_check_fn(const uint8_t *f, uint32_t len, const struct sl_pkt *pkt);

/* Parse a copy of `len` bytes of `src` in a buffer of exactly `len`
 * bytes: a known drop reason; an accepted frame's layer 4 inside the
 * copy, and `check` (when given) run on it while the copy is still
 * there; the frame not written to. *out (when given) gets the result,
 * its eth pointer cleared: the copy is gone on return. */
static inline enum sl_drop parse_exact(const uint8_t *src, uint32_t len, unsigned verify,
				       struct sl_pkt *out, parse_check_fn *check)
{
	uint8_t *copy = malloc(len ? len : 1);
	struct sl_pkt pkt;

	assert_non_null(copy);
	memcpy(copy, src, len);
	memset(&pkt, 0, sizeof(pkt));
	enum sl_drop why = sl_parse(copy, len, verify, &pkt);
	assert_true(why < SL_DROP_MAX);
	if (why == SL_DROP_NONE && pkt.kind != SL_PKT_ARP)
		assert_true(pkt.l4 >= copy && pkt.l4 + pkt.l4_len <= copy + len);
	if (why == SL_DROP_NONE && check)
		check(copy, len, &pkt);
	if (len)
		assert_memory_equal(copy, src, len);
	pkt.eth = NULL;
	if (out)
		*out = pkt;
	free(copy);
	return why;
}

#endif
