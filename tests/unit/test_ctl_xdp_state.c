/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A spell of failing XDP map writes (ctrl/daemon/ctl_xdp_state.c), driven
 * the way a commit and ctl_work's retries drive it, with the time given:
 * the back-off (1 s, doubling, capped at 30 s), the log lines (start, an
 * error that changes, the end with the spell's own retries), and a new
 * spell after a recovery starting from 1 s again.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ctl_xdp.h"

static void test_backoff_arithmetic(void **state)
{
	const uint64_t want[] = {1000, 2000, 4000, 8000, 16000, 30000, 30000};
	uint64_t d = 0;
	(void)state;

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		d = sl_ctl_xdp_backoff_ms(d);
		assert_int_equal(d, want[i]);
	}
	assert_int_equal(sl_ctl_xdp_backoff_ms(29999), 30000);
	assert_int_equal(sl_ctl_xdp_backoff_ms(30000), 30000);
}

/* One attempt (a commit or a retry) at `now`, failing with `error`
 * (NULL: it succeeds). */
static enum sl_xdp_spell attempt(struct sl_ctl_xdp *x, uint64_t now, const char *error,
				 bool retry)
{
	if (retry)
		x->retries++, x->spell_retries++;
	sl_ctl_xdp_attempt(x);
	if (error)
		sl_ctl_xdp_map_error(x, "%s", error);
	return sl_ctl_xdp_settle(x, now);
}

static void test_spell(void **state)
{
	static struct sl_ctl_xdp x;
	const char *frozen = "XDP on wan0: cannot block 198.51.100.0/24: Operation not permitted";
	const uint64_t waits[] = {1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000};
	uint64_t now = 5000;
	(void)state;

	assert_int_equal(attempt(&x, now, NULL, false), SL_XDP_SPELL_NONE);
	assert_true(x.synced);

	assert_int_equal(attempt(&x, now, frozen, false), SL_XDP_SPELL_STARTED);
	assert_false(x.synced);
	assert_int_equal(x.retry_ms, now + 1000);
	for (size_t i = 1; i < sizeof(waits) / sizeof(waits[0]); i++) {
		now = x.retry_ms;
		assert_int_equal(attempt(&x, now, frozen, true), SL_XDP_SPELL_GOING);
		assert_int_equal(x.retry_ms - now, waits[i]);
	}
	assert_int_equal(x.map_errors, 8);
	assert_string_equal(x.last_error, frozen);

	/* A retry whose table cannot be built: another error, logged once,
	 * counted, and the back-off stays at its cap. */
	now = x.retry_ms;
	const char *prep = "cannot build the XDP address table (3 addresses): Cannot allocate memory";
	assert_int_equal(attempt(&x, now, prep, true), SL_XDP_SPELL_CHANGED);
	assert_int_equal(x.map_errors, 9);
	assert_string_equal(x.last_error, prep);
	assert_int_equal(x.retry_ms - now, 30000);
	now = x.retry_ms;
	assert_int_equal(attempt(&x, now, prep, true), SL_XDP_SPELL_GOING);

	/* The retry alone brings the maps back: the spell ends, its own
	 * retries counted, the back-off reset. */
	assert_int_equal(x.spell_retries, 9);
	now = x.retry_ms;
	assert_int_equal(attempt(&x, now, NULL, true), SL_XDP_SPELL_ENDED);
	assert_true(x.synced);
	assert_false(x.failing);
	assert_int_equal(x.spell_retries, 0);
	assert_int_equal(x.retries, 10);

	/* The next spell starts over: logged again, 1 s first. */
	now += 60000;
	assert_int_equal(attempt(&x, now, frozen, false), SL_XDP_SPELL_STARTED);
	assert_int_equal(x.retry_ms, now + 1000);
	now = x.retry_ms;
	assert_int_equal(attempt(&x, now, frozen, true), SL_XDP_SPELL_GOING);
	assert_int_equal(x.retry_ms - now, 2000);
	assert_int_equal(x.spell_retries, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backoff_arithmetic),
		cmocka_unit_test(test_spell),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
