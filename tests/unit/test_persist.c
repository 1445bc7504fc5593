/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Persistence templates (persist.h): a worker's cache finds live entries
 * only, keys are (service, client), a full bucket gives up its soonest
 * expiring entry, the clock may wrap; the published view finds what was
 * added and nothing else, at any fill up to its room.
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

static void test_view(void **state)
{
	(void)state;
	for (uint32_t n = 0; n <= 3000; n += 1000) {
		struct sl_persist_view *v = sl_persist_view_alloc(n);
		assert_non_null(v);
		assert_true(v->mask + 1 >= 2 * n);
		for (uint32_t i = 1; i <= n; i++) {
			struct sl_persist_entry e = {.ip = IP(i), .svc_id = (uint16_t)(i % 3),
						     .rs_id = (uint16_t)i, .expire_ms = i};
			sl_persist_view_add(v, &e);
		}
		assert_int_equal(v->n, n);
		for (uint32_t i = 1; i <= n; i++) {
			const struct sl_persist_entry *e =
				sl_persist_view_find(v, (uint16_t)(i % 3), IP(i));
			assert_non_null(e);
			assert_int_equal(e->rs_id, (uint16_t)i);
			assert_null(sl_persist_view_find(v, (uint16_t)(i % 3 + 1), IP(i)));
		}
		assert_null(sl_persist_view_find(v, 0, IP(n + 7)));
		sl_persist_view_free(v);
	}
}

/* The merged table under a flood of new sources (issue 12.13): 1M
 * spoofed sources at a cap of 4096 keep it at the cap, in a table that
 * stops growing; the evicted are the templates nearest expiry, counted;
 * a template claimed again is the same entry; sweeping drops the dead. */
static void test_merge_cap(void **state)
{
	struct sl_persist_merge p;
	bool fresh;
	(void)state;

	assert_int_equal(sl_persist_merge_init(&p, 4096), 0);
	struct sl_persist_entry *keep = sl_persist_merge_claim(&p, 1, 7, 0, &fresh);
	assert_non_null(keep);
	assert_true(fresh);
	keep->rs_id = 3;
	keep->expire_ms = 3600000; /* an hour: outlives the flood */
	uint32_t most_slots = 0;
	for (uint32_t i = 0; i < 1000000; i++) {
		uint32_t now = i / 1000; /* a thousand new sources a millisecond */
		struct sl_persist_entry *e =
			sl_persist_merge_claim(&p, 0, 1000 + i, now, &fresh);
		assert_non_null(e);
		assert_true(fresh);
		e->rs_id = 1;
		e->expire_ms = now + 60000 + i % 1000;
		assert_true(p.n <= p.max);
		if (p.mask + 1 > most_slots)
			most_slots = p.mask + 1;
	}
	assert_true(most_slots <= 2 * 8192);  /* memory flat: never past 2 x cap */
	assert_true(p.evicted >= 1000000 - 4096);
	struct sl_persist_entry *again = sl_persist_merge_claim(&p, 1, 7, 1000, &fresh);
	assert_false(fresh);
	assert_int_equal(again->rs_id, 3);     /* the long-lived one survived */
	/* Past everything's expiry but the hour's: one left. */
	assert_int_equal(sl_persist_merge_sweep(&p, 1000000), 1);
	assert_int_equal(p.n, 1);
	sl_persist_merge_fini(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cache_basic),
		cmocka_unit_test(test_cache_wrap),
		cmocka_unit_test(test_cache_eviction),
		cmocka_unit_test(test_view),
		cmocka_unit_test(test_merge_cap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
