/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rr / wrr sequences: exact counts per server after gcd reduction, drained
 * (zero-weight) servers left out, smoothness of the interleaving, scaling
 * of long sequences to SL_SCHED_MAX_SEQ, and the name table.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "frames.h"
#include "sched.h"

#define MAX_N 64

static uint16_t seq[SL_SCHED_MAX_SEQ + 256];

/* Build and count: returns the length; counts[i] = picks of server i.
 * Checks that the length is what sl_sched_seq_len() announced and that
 * nothing was written past it. */
static uint32_t build_count(unsigned kind, const uint32_t *w, uint32_t n,
			    uint32_t *counts)
{
	uint32_t want = sl_sched_seq_len(kind, w, n);
	memset(seq, 0xff, sizeof(seq));
	uint32_t len = sl_sched_build(kind, w, n, seq);
	assert_int_equal(len, want);
	for (uint32_t i = len; i < SL_ARRAY_SIZE(seq); i++)
		assert_int_equal(seq[i], 0xffff);
	memset(counts, 0, n * sizeof(*counts));
	for (uint32_t i = 0; i < len; i++) {
		assert_true(seq[i] < n);
		counts[seq[i]]++;
	}
	return len;
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(sl_sched_name(SL_SCHED_RR), "rr");
	assert_string_equal(sl_sched_name(SL_SCHED_WRR), "wrr");
	assert_string_equal(sl_sched_name(99), "invalid");
	for (unsigned k = SL_SCHED_RR; k <= SL_SCHED_WRR; k++)
		assert_int_equal(sl_sched_parse(sl_sched_name(k)), (int)k);
	assert_int_equal(sl_sched_parse(""), -1);
	assert_int_equal(sl_sched_parse("RR"), -1);
	assert_int_equal(sl_sched_parse("wrr "), -1);
	assert_int_equal(sl_sched_parse("lcx"), -1);
	assert_int_equal(sl_sched_parse("invalid"), -1);
}

static void test_rr(void **state)
{
	uint32_t c[8];
	(void)state;

	/* Every non-zero server once, whatever its weight. */
	const uint32_t w[] = {3, 0, 7, 1, 65535};
	assert_int_equal(build_count(SL_SCHED_RR, w, 5, c), 4);
	assert_int_equal(c[0], 1);
	assert_int_equal(c[1], 0);
	assert_int_equal(c[2], 1);
	assert_int_equal(c[3], 1);
	assert_int_equal(c[4], 1);

	const uint32_t one[] = {9};
	assert_int_equal(build_count(SL_SCHED_RR, one, 1, c), 1);
	assert_int_equal(seq[0], 0);

	/* In server order. */
	const uint32_t four[] = {1, 1, 1, 1};
	assert_int_equal(build_count(SL_SCHED_RR, four, 4, c), 4);
	for (uint16_t i = 0; i < 4; i++)
		assert_int_equal(seq[i], i);
}

static void test_wrr_counts(void **state)
{
	uint32_t c[8];
	(void)state;

	const uint32_t w123[] = {1, 2, 3};
	assert_int_equal(build_count(SL_SCHED_WRR, w123, 3, c), 6);
	assert_int_equal(c[0], 1);
	assert_int_equal(c[1], 2);
	assert_int_equal(c[2], 3);

	/* gcd reduction: 2:4 is 1:2, 100:200:300 is 1:2:3. */
	const uint32_t w24[] = {2, 4};
	assert_int_equal(build_count(SL_SCHED_WRR, w24, 2, c), 3);
	assert_int_equal(c[0], 1);
	assert_int_equal(c[1], 2);
	const uint32_t w100[] = {100, 200, 300};
	assert_int_equal(build_count(SL_SCHED_WRR, w100, 3, c), 6);
	assert_int_equal(c[2], 3);
	const uint32_t same[] = {7, 7, 7};
	assert_int_equal(build_count(SL_SCHED_WRR, same, 3, c), 3);

	/* Zero weights are drained: absent, and not part of the gcd. */
	const uint32_t wz[] = {0, 2, 0, 4, 0};
	assert_int_equal(build_count(SL_SCHED_WRR, wz, 5, c), 3);
	assert_int_equal(c[0] + c[2] + c[4], 0);
	assert_int_equal(c[1], 1);
	assert_int_equal(c[3], 2);

	/* Coprime weights are not reduced. */
	const uint32_t wp[] = {3, 5, 7};
	assert_int_equal(build_count(SL_SCHED_WRR, wp, 3, c), 15);
	assert_int_equal(c[1], 5);
}

static void test_all_zero(void **state)
{
	uint32_t c[4];
	(void)state;

	const uint32_t z[] = {0, 0, 0};
	for (unsigned k = SL_SCHED_RR; k <= SL_SCHED_WRR; k++) {
		assert_int_equal(sl_sched_seq_len(k, z, 3), 0);
		assert_int_equal(build_count(k, z, 3, c), 0);
		/* No servers at all. */
		assert_int_equal(sl_sched_seq_len(k, z, 0), 0);
		assert_int_equal(build_count(k, z, 0, c), 0);
	}
}

/* The nginx smooth WRR sequence for 5:1:1 is a a b a c a a, not the
 * bursty a a a a a b c. */
static void test_smooth_example(void **state)
{
	uint32_t c[3];
	(void)state;

	const uint32_t w[] = {5, 1, 1};
	const uint16_t want[] = {0, 0, 1, 0, 2, 0, 0};
	assert_int_equal(build_count(SL_SCHED_WRR, w, 3, c), 7);
	assert_memory_equal(seq, want, sizeof(want));
}

/*
 * In every cyclic window of k picks, server i (c_i picks per period) is
 * picked fewer than c_i * k / len + 2 times, i.e. at most
 * ceil(c_i * k / len) + 1, and more than c_i * k / len - 2 times: no
 * burst, no starvation. From the start of the sequence it is never ahead
 * of its share by a whole pick (at most ceil(c_i * k / len) in the first
 * k), which is what rules out "a a a a a b c" for 5:1:1.
 *
 * Checked in O(len): with D(j) = len * picks_i(0..j) - c_i * j, a window
 * [s, e) is off its fair share by (D(e) - D(s)) / len. D has period len
 * (it gains c_i * len - c_i * len per period), so the worst window in
 * either direction is max(D) - min(D) over one period.
 */
static void check_smooth(uint32_t len, const uint32_t *counts, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		int64_t d = 0, lo = 0, hi = 0;
		for (uint32_t j = 0; j < len; j++) {
			d += (int64_t)len * (seq[j] == i) - counts[i];
			assert_true(d < (int64_t)len);
			lo = d < lo ? d : lo;
			hi = d > hi ? d : hi;
		}
		assert_int_equal(d, 0);
		assert_true(hi - lo < 2 * (int64_t)len);
	}
}

static void test_smoothness_random(void **state)
{
	uint32_t w[MAX_N], c[MAX_N];
	(void)state;

	fr_seed(31);
	for (int round = 0; round < 400; round++) {
		uint32_t n = 1 + fr_below(12);
		uint32_t top = round % 2 ? 10 : 60;
		for (uint32_t i = 0; i < n; i++)
			w[i] = fr_below(top);
		uint32_t len = build_count(SL_SCHED_WRR, w, n, c);
		/* Counts are the gcd-reduced weights exactly. */
		uint32_t g = 0;
		for (uint32_t i = 0; i < n; i++) {
			uint32_t a = g, b = w[i];
			while (b) {
				uint32_t t = a % b;
				a = b;
				b = t;
			}
			g = a;
		}
		for (uint32_t i = 0; i < n; i++)
			assert_int_equal(c[i], g ? w[i] / g : 0);
		if (len)
			check_smooth(len, c, n);
	}
}

/* Weights whose reduced sum is over SL_SCHED_MAX_SEQ are scaled: the
 * length stays within it, every non-zero weight still appears, and the
 * shares stay close to the weights. */
static void check_scaled(const uint32_t *w, uint32_t n)
{
	uint32_t c[MAX_N];
	uint64_t sum = 0;

	uint32_t len = build_count(SL_SCHED_WRR, w, n, c);
	assert_true(len > 0);
	assert_true(len <= SL_SCHED_MAX_SEQ);
	for (uint32_t i = 0; i < n; i++) {
		sum += w[i];
		if (w[i] == 0)
			assert_int_equal(c[i], 0);
		else
			assert_true(c[i] >= 1);
	}
	uint32_t nnz = 0;
	for (uint32_t i = 0; i < n; i++)
		nnz += w[i] != 0;
	for (uint32_t i = 0; i < n; i++) {
		/* Each share is off by at most the rounding of every weight
		 * (one pick each) plus keeping this one at least 1. */
		double diff = (double)c[i] / len - (double)w[i] / (double)sum;
		assert_true(diff <= (nnz + 1.0) / len);
		assert_true(-diff <= (nnz + 1.0) / len);
	}
	check_smooth(len, c, n);
}

static void test_scaling(void **state)
{
	uint32_t w[MAX_N];
	(void)state;

	const uint32_t big[] = {65535, 1, 1};
	check_scaled(big, 3);
	const uint32_t mix[] = {3000, 2000, 1000, 7};
	check_scaled(mix, 4);
	const uint32_t two[] = {4096, 1};
	check_scaled(two, 2);
	const uint32_t zeros[] = {0, 50000, 0, 3, 0};
	check_scaled(zeros, 5);

	/* One heavy server and many light ones. */
	w[0] = 1000000;
	for (uint32_t i = 1; i < MAX_N; i++)
		w[i] = 1;
	check_scaled(w, MAX_N);

	fr_seed(32);
	for (int round = 0; round < 200; round++) {
		uint32_t n = 1 + fr_below(MAX_N);
		for (uint32_t i = 0; i < n; i++)
			w[i] = fr_below(4) ? fr_below(65536) : fr_below(3);
		uint64_t s = 0;
		for (uint32_t i = 0; i < n; i++)
			s += w[i];
		if (s == 0)
			continue;
		check_scaled(w, n);
	}

	/* More non-zero servers than the limit: each keeps its one slot, so
	 * the sequence is longer than SL_SCHED_MAX_SEQ; sl_sched_seq_len()
	 * says so, and builders must size from it. */
	static uint32_t many[SL_SCHED_MAX_SEQ + 100];
	for (uint32_t i = 0; i < SL_ARRAY_SIZE(many); i++)
		many[i] = 1 + i % 7;
	static uint16_t long_seq[SL_SCHED_MAX_SEQ + 100];
	assert_int_equal(sl_sched_seq_len(SL_SCHED_WRR, many, SL_ARRAY_SIZE(many)),
			 SL_ARRAY_SIZE(many));
	assert_int_equal(sl_sched_build(SL_SCHED_WRR, many, SL_ARRAY_SIZE(many),
					long_seq), SL_ARRAY_SIZE(many));

	/* Exactly at the limit: not scaled. */
	uint32_t c[2];
	const uint32_t at[] = {4095, 1};
	assert_int_equal(build_count(SL_SCHED_WRR, at, 2, c), SL_SCHED_MAX_SEQ);
	assert_int_equal(c[0], 4095);
	assert_int_equal(c[1], 1);
}

/* A v6 client's key (sl_sched_client6): its /plen prefix hashed whole.
 * Under /64 one network shares a key; under /128 its hosts differ;
 * addresses an xor fold of the four words made alike (the last two words
 * swapped; the two halves swapped) differ. Before: client_of() folded,
 * and had no netmask. */
static void test_client6(void **state)
{
	uint8_t a[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10};
	uint8_t b[16], c[16], d[16];
	(void)state;

	memcpy(b, a, 16);
	b[15] = 0x11; /* same /64 */
	assert_int_equal(sl_sched_client6(a, 64), sl_sched_client6(b, 64));
	assert_int_not_equal(sl_sched_client6(a, 128), sl_sched_client6(b, 128));
	assert_int_not_equal(sl_sched_client6(a, 48), sl_sched_client6(a, 128));
	/* Last two words swapped: 2001:db8:1::10 and 2001:db8:1::10:0:0. */
	memcpy(c, a, 8);
	memcpy(c + 8, a + 12, 4);
	memcpy(c + 12, a + 8, 4);
	assert_int_not_equal(sl_sched_client6(a, 128), sl_sched_client6(c, 128));
	/* Halves swapped. */
	memcpy(d, a + 8, 8);
	memcpy(d + 8, a, 8);
	assert_int_not_equal(sl_sched_client6(a, 128), sl_sched_client6(d, 128));
	/* A prefix length that is not a whole byte: /57 keeps 1 bit of byte 7. */
	memcpy(b, a, 16);
	b[7] = 0x7f;
	assert_int_equal(sl_sched_client6(a, 57), sl_sched_client6(b, 57));
	b[7] = 0x80;
	assert_int_not_equal(sl_sched_client6(a, 57), sl_sched_client6(b, 57));
	/* Never 0: a template's empty mark. Spread: 4096 hosts of a /64,
	 * 4096 distinct keys. */
	uint32_t keys[4096];
	for (unsigned i = 0; i < 4096; i++) {
		a[14] = (uint8_t)(i >> 8), a[15] = (uint8_t)i;
		keys[i] = sl_sched_client6(a, 128);
		assert_int_not_equal(keys[i], 0);
		for (unsigned j = 0; j < i; j++)
			assert_int_not_equal(keys[i], keys[j]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_rr),
		cmocka_unit_test(test_wrr_counts),
		cmocka_unit_test(test_all_zero),
		cmocka_unit_test(test_smooth_example),
		cmocka_unit_test(test_smoothness_random),
		cmocka_unit_test(test_scaling),
		cmocka_unit_test(test_client6),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
