/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The worker's token bucket (dataplane/core/tbucket.h), as ICMP
 * "fragmentation needed" uses it: starts full, gives `depth` at once,
 * then `per_sec` a second, never saves more than `depth`, and survives
 * the millisecond clock wrapping.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tbucket.h"

/* Tokens taken at `now` until refused. */
static unsigned drain(struct sl_tbucket *b, uint32_t now, uint32_t rate, uint32_t depth)
{
	unsigned n = 0;
	while (sl_tbucket_take(b, now, rate, depth))
		n++;
	return n;
}

static void test_starts_full(void **state)
{
	struct sl_tbucket b = {0};
	(void)state;
	assert_int_equal(drain(&b, 123456, 1000, 100), 100);
	assert_false(sl_tbucket_take(&b, 123456, 1000, 100));
}

static void test_refills_at_rate(void **state)
{
	struct sl_tbucket b = {0};
	(void)state;
	drain(&b, 5000, 1000, 100);
	assert_int_equal(drain(&b, 5010, 1000, 100), 10);  /* 1 a ms */
	assert_int_equal(drain(&b, 5010, 1000, 100), 0);
	/* 250 a second: one every 4 ms, fractions kept across calls. */
	struct sl_tbucket c = {0};
	drain(&c, 0, 250, 10);
	unsigned got = 0;
	for (uint32_t t = 1; t <= 1000; t++)
		got += drain(&c, t, 250, 10);
	assert_int_equal(got, 250);
}

static void test_depth_caps_savings(void **state)
{
	struct sl_tbucket b = {0};
	(void)state;
	drain(&b, 0, 1000, 100);
	assert_int_equal(drain(&b, 3600000, 1000, 100), 100); /* an hour idle */
}

static void test_clock_wraps(void **state)
{
	struct sl_tbucket b = {0};
	(void)state;
	drain(&b, UINT32_MAX - 4, 1000, 100);
	assert_int_equal(drain(&b, 5, 1000, 100), 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_starts_full),
		cmocka_unit_test(test_refills_at_rate),
		cmocka_unit_test(test_depth_caps_savings),
		cmocka_unit_test(test_clock_wraps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
