/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Connection table, the timer wheel: never early, never much late, lazy
 * re-arming, budgets, timeouts longer than the wheel, and the
 * millisecond clock wrapping (sizing and the index: test_conn_table.c).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>

#include "conn.h"
#include "frames.h"
#include "conn_keys.h"

#define TICK_MS 64u            /* conn_table.c's tick */
#define WHEEL_SPAN_MS (8192u * TICK_MS)
/* An entry due at `expire` is freed by the first expiry run at or after
 * the end of its tick; filed no earlier than the next tick, so two ticks
 * of slack cover every case. */
#define LATE_MS (2 * TICK_MS)

/* ---- timer wheel ---- */

/* What an expiry callback saw, per connection name (c->rs_id: the slot
 * index, or the simulation's connection number). */
struct exp_log {
	struct sl_conn_table *t;
	uint32_t now;
	uint32_t *when;
	uint32_t *count;
	uint32_t total;
};

static bool log_expire(void *ctx, struct sl_conn *c)
{
	struct exp_log *l = ctx;
	uint32_t idx = sl_ct_index(l->t, c);
	uint32_t id = c->rs_id;

	/* Called before the entry is freed: still indexed both ways. */
	assert_int_equal(lookup(l->t, &c->key[SL_DIR_ORIG], c->proto),
			 sl_ct_ref(idx, false, SL_DIR_ORIG));
	assert_int_equal(lookup(l->t, &c->key[SL_DIR_REPLY], c->proto),
			 sl_ct_ref(idx, false, SL_DIR_REPLY));
	/* And due. */
	assert_false(sl_time_before(l->now, c->expire));
	assert_true(id < l->t->max_conns);
	l->count[id]++;
	l->when[id] = l->now;
	l->total++;
	return true;
}

static void log_init(struct exp_log *l, struct sl_conn_table *t)
{
	l->t = t;
	l->now = 0;
	l->total = 0;
	l->when = calloc(t->max_conns, sizeof(uint32_t));
	l->count = calloc(t->max_conns, sizeof(uint32_t));
	assert_non_null(l->when);
	assert_non_null(l->count);
}

static void log_free(struct exp_log *l)
{
	free(l->when);
	free(l->count);
}

static uint32_t run(struct sl_conn_table *t, struct exp_log *l, uint32_t now)
{
	l->now = now;
	return sl_ct_expire(t, now, UINT32_MAX, log_expire, l);
}

/* Step the clock 1 ms at a time from `from` to `to` (exclusive of `to`),
 * returning how many connections were freed. */
static uint32_t run_ms(struct sl_conn_table *t, struct exp_log *l,
		       uint32_t from, uint32_t to)
{
	uint32_t freed = 0;
	for (uint32_t now = from; now != to; now++)
		freed += run(t, l, now);
	return freed;
}

static void test_expire_on_time(void **state)
{
	struct sl_conn_table t;
	struct exp_log l;
	const uint32_t t0 = 1000000;
	(void)state;

	/* Expiry times on, just before and just after tick edges. */
	const uint32_t after[] = {0, 1, 63, 64, 65, 127, 128, 1000, 4095, 5000};
	assert_int_equal(sl_ct_init(&t, 64, t0), 0);
	log_init(&l, &t);
	for (uint32_t i = 0; i < SL_ARRAY_SIZE(after); i++)
		add(&t, orig_key(i), reply_key(i), 17, t0 + after[i]);

	assert_int_equal(run_ms(&t, &l, t0, t0 + 6000), SL_ARRAY_SIZE(after));
	for (uint32_t i = 0; i < SL_ARRAY_SIZE(after); i++) {
		assert_int_equal(l.count[i], 1);
		assert_true(l.when[i] >= t0 + after[i]);
		assert_true(l.when[i] <= t0 + after[i] + LATE_MS);
	}
	assert_int_equal(t.nconns, 0);
	log_free(&l);
	sl_ct_destroy(&t);
}

/* An empty table catches its wheel up to a clock moved on by minutes in
 * one call; entries filed after that still expire on time. */
static void test_empty_catch_up(void **state)
{
	struct sl_conn_table t;
	struct exp_log l;
	const uint32_t t0 = 1000000, t1 = t0 + 300000;
	const uint32_t after[] = {0, 100, 9000};
	(void)state;

	assert_int_equal(sl_ct_init(&t, 64, t0), 0);
	log_init(&l, &t);
	assert_int_equal(sl_ct_expire(&t, t1, 1, NULL, NULL), 0);
	assert_int_equal(t.wheel.cur_tick, t1 >> t.wheel.tick_shift);
	for (uint32_t i = 0; i < SL_ARRAY_SIZE(after); i++)
		add(&t, orig_key(i), reply_key(i), 17, t1 + after[i]);
	assert_int_equal(run_ms(&t, &l, t1, t1 + 10000), SL_ARRAY_SIZE(after));
	for (uint32_t i = 0; i < SL_ARRAY_SIZE(after); i++) {
		assert_true(l.when[i] >= t1 + after[i]);
		assert_true(l.when[i] <= t1 + after[i] + LATE_MS);
	}
	log_free(&l);
	sl_ct_destroy(&t);
}

/* Later expiry is recorded in place; the entry is re-filed when its old
 * tick fires, and freed at the new time. */
static void test_lazy_rearm(void **state)
{
	struct sl_conn_table t;
	struct exp_log l;
	const uint32_t t0 = 500000;
	(void)state;

	assert_int_equal(sl_ct_init(&t, 8, t0), 0);
	log_init(&l, &t);
	struct sl_conn *c = add(&t, orig_key(1), reply_key(1), 6, t0 + 1000);
	uint32_t tick = sl_ct_timer_tick(&t, c);
	assert_int_equal(run_ms(&t, &l, t0, t0 + 500), 0);

	sl_ct_set_expire(&t, c, t0 + 5000);
	assert_int_equal(c->expire, t0 + 5000);
	assert_int_equal(sl_ct_timer_tick(&t, c), tick); /* not moved yet */

	assert_int_equal(run_ms(&t, &l, t0 + 500, t0 + 5000), 0);
	assert_int_not_equal(sl_ct_timer_tick(&t, c), tick); /* re-filed on firing */
	assert_int_equal(lookup(&t, &c->key[0], 6), 0);
	assert_int_equal(run_ms(&t, &l, t0 + 5000, t0 + 5000 + LATE_MS + 1), 1);
	assert_true(l.when[0] >= t0 + 5000);
	log_free(&l);
	sl_ct_destroy(&t);
}

/* Earlier expiry re-files the entry at once and it goes on time. */
static void test_set_expire_earlier(void **state)
{
	struct sl_conn_table t;
	struct exp_log l;
	const uint32_t t0 = 700000;
	(void)state;

	assert_int_equal(sl_ct_init(&t, 8, t0), 0);
	log_init(&l, &t);
	struct sl_conn *a = add(&t, orig_key(1), reply_key(1), 6, t0 + 100000);
	struct sl_conn *b = add(&t, orig_key(2), reply_key(2), 6, t0 + 100000);
	assert_int_equal(run_ms(&t, &l, t0, t0 + 10), 0);

	sl_ct_set_expire(&t, a, t0 + 1000);
	assert_int_equal(sl_ct_timer_tick(&t, a), (t0 + 1000) / TICK_MS);
	/* Into the past: due at the next tick. */
	sl_ct_set_expire(&t, b, t0);
	assert_int_equal(run_ms(&t, &l, t0 + 10, t0 + 1000), 1);
	assert_int_equal(l.count[1], 1);
	assert_true(l.when[1] <= t0 + 10 + LATE_MS);
	assert_int_equal(run_ms(&t, &l, t0 + 1000, t0 + 1000 + LATE_MS + 1), 1);
	assert_int_equal(l.count[0], 1);
	assert_true(l.when[0] >= t0 + 1000);
	log_free(&l);
	sl_ct_destroy(&t);
}

static void test_expire_budget(void **state)
{
	struct sl_conn_table t;
	const uint32_t t0 = 100000;
	(void)state;

	assert_int_equal(sl_ct_init(&t, 128, t0), 0);
	for (uint32_t i = 0; i < 100; i++)
		add(&t, orig_key(i), reply_key(i), 17, t0 + 100);
	assert_int_equal(sl_ct_expire(&t, t0 + 1000, 0, NULL, NULL), 0);
	for (int call = 0; call < 10; call++) {
		assert_int_equal(sl_ct_expire(&t, t0 + 1000, 10, NULL, NULL), 10);
		assert_int_equal(t.nconns, 90 - 10 * (uint32_t)call);
	}
	assert_int_equal(sl_ct_expire(&t, t0 + 1000, 10, NULL, NULL), 0);

	/* Re-filing an entry that is not yet due also uses the budget. */
	struct sl_conn *c[20];
	for (uint32_t i = 0; i < 20; i++) {
		c[i] = add(&t, orig_key(i), reply_key(i), 17, t0 + 2000);
		sl_ct_set_expire(&t, c[i], t0 + 900000);
	}
	assert_int_equal(sl_ct_expire(&t, t0 + 3000, 5, NULL, NULL), 0);
	uint32_t moved = 0;
	for (uint32_t i = 0; i < 20; i++)
		moved += sl_ct_timer_tick(&t, c[i]) != (t0 + 2000) / TICK_MS;
	assert_int_equal(moved, 5);
	assert_int_equal(sl_ct_expire(&t, t0 + 3000, UINT32_MAX, NULL, NULL), 0);
	assert_int_equal(t.nconns, 20);
	sl_ct_destroy(&t);
}

/* A timeout longer than the wheel's span is neither early nor lost. */
static void test_long_timeout(void **state)
{
	struct sl_conn_table t;
	struct exp_log l;
	const uint32_t t0 = 3000000;
	const uint32_t span[] = {WHEEL_SPAN_MS - TICK_MS, WHEEL_SPAN_MS,
				 WHEEL_SPAN_MS + 1, 2 * WHEEL_SPAN_MS + 77,
				 20 * 60 * 1000};
	(void)state;

	assert_int_equal(sl_ct_init(&t, 8, t0), 0);
	log_init(&l, &t);
	for (uint32_t i = 0; i < SL_ARRAY_SIZE(span); i++)
		add(&t, orig_key(i), reply_key(i), 6, t0 + span[i]);
	for (uint32_t now = t0; now < t0 + 20 * 60 * 1000 + 1000; now += 16)
		run(&t, &l, now);
	for (uint32_t i = 0; i < SL_ARRAY_SIZE(span); i++) {
		assert_int_equal(l.count[i], 1);
		assert_true(l.when[i] >= t0 + span[i]);
		assert_true(l.when[i] <= t0 + span[i] + LATE_MS + 16);
	}
	log_free(&l);
	sl_ct_destroy(&t);
}

/* A randomised run: connections come and go with timeouts up to three
 * wheel spans, some get later or earlier expiry while alive, the clock
 * moves in uneven steps from `start` (which may be near the uint32 wrap).
 * Every connection is freed exactly once, never early, at most a couple
 * of ticks plus one step late. */
static void simulate(uint32_t start, uint64_t seed)
{
	const uint32_t n = 3000, max_step = 100;
	const uint32_t max_timeout = 3 * WHEEL_SPAN_MS;
	struct sl_conn_table t;
	struct exp_log l;
	uint32_t *expire = calloc(n, sizeof(uint32_t));
	uint32_t *slot = calloc(n, sizeof(uint32_t));

	fr_seed(seed);
	assert_non_null(expire);
	assert_non_null(slot);
	assert_int_equal(sl_ct_init(&t, n, start), 0);
	log_init(&l, &t);

	uint32_t now = start, inserted = 0;
	for (uint32_t elapsed = 0; elapsed < 2 * max_timeout + 10000;) {
		/* New connections during the first half. */
		if (inserted < n && elapsed < max_timeout && fr_below(8) == 0) {
			uint32_t i = inserted++;
			expire[i] = now + fr_below(max_timeout);
			struct sl_conn *c = fill(&t, orig_key(i), reply_key(i),
						 6, expire[i]);
			c->rs_id = (uint16_t)i;
			assert_int_equal(sl_ct_insert(&t, c), 0);
			slot[i] = sl_ct_index(&t, c);
		}
		/* Traffic on a live one: later, or a FIN: earlier. */
		if (inserted && elapsed < max_timeout && fr_below(4) == 0) {
			uint32_t i = fr_below(inserted);
			if (l.count[i] == 0) {
				uint32_t e = now + fr_below(max_timeout);
				expire[i] = e;
				assert_int_equal(t.conns[slot[i]].rs_id, i);
				sl_ct_set_expire(&t, &t.conns[slot[i]], e);
			}
		}
		uint32_t step = 1 + fr_below(max_step);
		now += step;
		elapsed += step;
		run(&t, &l, now);
	}
	assert_int_equal(inserted, n);
	assert_int_equal(l.total, n);
	assert_int_equal(t.nconns, 0);
	for (uint32_t i = 0; i < n; i++) {
		assert_int_equal(l.count[i], 1);
		int32_t late = (int32_t)(l.when[i] - expire[i]);
		assert_true(late >= 0);
		assert_true(late <= (int32_t)(LATE_MS + max_step));
	}
	check_index(&t);
	log_free(&l);
	sl_ct_destroy(&t);
	free(expire);
	free(slot);
}

static void test_expire_random(void **state)
{
	(void)state;
	simulate(1000000, 21);
	simulate(0, 22);
}

/* The millisecond clock wraps every 49.7 days. */
static void test_time_wrap(void **state)
{
	(void)state;
	simulate(UINT32_MAX - 100000, 23);
	simulate(UINT32_MAX - 3 * WHEEL_SPAN_MS / 2, 24);
	simulate(UINT32_MAX, 25);
}

/* A freed slot is reused with none of its old keys still indexed. */
static void test_reuse_after_expiry(void **state)
{
	struct sl_conn_table t;
	(void)state;

	assert_int_equal(sl_ct_init(&t, 1, 0), 0);
	struct sl_v4key ao = orig_key(1), ar = reply_key(1);
	struct sl_v4key bo = orig_key(2), br = reply_key(2);
	add(&t, ao, ar, 6, 100);
	assert_null(sl_ct_alloc(&t));
	assert_int_equal(sl_ct_expire(&t, 1000, 16, NULL, NULL), 1);

	struct sl_conn *c = add(&t, bo, br, 6, 10000);
	assert_ptr_equal(c, &t.conns[0]);
	assert_int_equal(lookup(&t, &ao, 6), SL_CT_NONE);
	assert_int_equal(lookup(&t, &ar, 6), SL_CT_NONE);
	assert_int_equal(lookup(&t, &bo, 6), 0);
	assert_int_equal(lookup(&t, &br, 6), 1);
	/* Its timer is its own: not due at the old time. */
	assert_int_equal(sl_ct_expire(&t, 2000, 16, NULL, NULL), 0);
	assert_int_equal(sl_ct_expire(&t, 10200, 16, NULL, NULL), 1);
	sl_ct_destroy(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_expire_on_time),
		cmocka_unit_test(test_empty_catch_up),
		cmocka_unit_test(test_lazy_rearm),
		cmocka_unit_test(test_set_expire_earlier),
		cmocka_unit_test(test_expire_budget),
		cmocka_unit_test(test_long_timeout),
		cmocka_unit_test(test_expire_random),
		cmocka_unit_test(test_time_wrap),
		cmocka_unit_test(test_reuse_after_expiry),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
