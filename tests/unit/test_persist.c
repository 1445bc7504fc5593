/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Persistence templates (persist.h): a worker's cache finds live entries
 * only, keys are (service, client), a full bucket gives up its soonest
 * expiring entry, the clock may wrap. The shared table workers follow is
 * DPDK's and is checked with EAL in the conformance run
 * (tests/conformance/persist_check.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>

#include "persist.h"

#define IP(n) sl_htonl(0x0a000000u + (n))

static void test_cache_basic(void **state)
{
	struct sl_persist_cache c;
	(void)state;

	assert_int_equal(sl_persist_cache_init(&c, 1000), 0);
	assert_null(sl_persist_cache_find(&c, 1, IP(1), 100));
	struct sl_persist_entry *e = sl_persist_cache_slot(&c, 1, IP(1), 100);
	assert_non_null(e);
	assert_int_equal(e->stamp_ms, 0);
	/* A fresh slot is not live until given an expiry. */
	assert_null(sl_persist_cache_find(&c, 1, IP(1), 100));
	e->rs_id = 7;
	e->expire_ms = 100 + 5000;
	assert_ptr_equal(sl_persist_cache_find(&c, 1, IP(1), 200), e);
	/* Keys include the service. */
	assert_null(sl_persist_cache_find(&c, 2, IP(1), 200));
	assert_null(sl_persist_cache_find(&c, 1, IP(2), 200));
	/* The same key gets the same slot back, contents kept. */
	assert_ptr_equal(sl_persist_cache_slot(&c, 1, IP(1), 300), e);
	assert_int_equal(e->rs_id, 7);
	/* Expired. */
	assert_null(sl_persist_cache_find(&c, 1, IP(1), 5100));
	assert_null(sl_persist_cache_find(&c, 1, IP(1), 9000));
	sl_persist_cache_free(&c);
}

/* Across the 32-bit millisecond clock's wrap. */
static void test_cache_wrap(void **state)
{
	struct sl_persist_cache c;
	(void)state;

	assert_int_equal(sl_persist_cache_init(&c, 4), 0);
	uint32_t now = UINT32_MAX - 100;
	struct sl_persist_entry *e = sl_persist_cache_slot(&c, 1, IP(9), now);
	e->expire_ms = now + 1000; /* wraps */
	assert_non_null(sl_persist_cache_find(&c, 1, IP(9), now + 500));
	assert_null(sl_persist_cache_find(&c, 1, IP(9), now + 1001));
	sl_persist_cache_free(&c);
}

/* One bucket (4 entries): a fifth key replaces the soonest to expire,
 * and an expired entry goes before any live one. */
static void test_cache_eviction(void **state)
{
	struct sl_persist_cache c;
	(void)state;

	assert_int_equal(sl_persist_cache_init(&c, 1), 0);
	assert_int_equal(c.mask, 0);
	for (uint32_t i = 0; i < 4; i++) {
		struct sl_persist_entry *e = sl_persist_cache_slot(&c, 1, IP(i + 1), 0);
		e->expire_ms = i == 2 ? 500 : 1000 + i;
	}
	struct sl_persist_entry *e = sl_persist_cache_slot(&c, 1, IP(10), 0);
	e->expire_ms = 2000;
	assert_null(sl_persist_cache_find(&c, 1, IP(3), 0)); /* soonest: gone */
	assert_non_null(sl_persist_cache_find(&c, 1, IP(1), 0));
	assert_non_null(sl_persist_cache_find(&c, 1, IP(2), 0));
	assert_non_null(sl_persist_cache_find(&c, 1, IP(4), 0));
	assert_non_null(sl_persist_cache_find(&c, 1, IP(10), 0));
	/* At t=1000 IP(1) has expired: it goes first, not IP(2) (live). */
	e = sl_persist_cache_slot(&c, 1, IP(11), 1000);
	e->expire_ms = 3000;
	assert_null(sl_persist_cache_find(&c, 1, IP(1), 1000));
	assert_non_null(sl_persist_cache_find(&c, 1, IP(2), 1000));
	sl_persist_cache_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cache_basic),
		cmocka_unit_test(test_cache_wrap),
		cmocka_unit_test(test_cache_eviction),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
