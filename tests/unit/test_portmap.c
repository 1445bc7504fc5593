/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Local-port allocation: the partition of a range across workers, and one
 * worker's map (exhaustion, free and reuse, taking a given port, ignored
 * frees, next-fit order). Bitmaps are heap blocks of exactly
 * sl_portmap_words() words, so writing past them shows under ASan or
 * valgrind.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "portmap.h"

struct range {
	uint16_t lo, hi;
};

/* Ranges of awkward sizes: whole, odd, single port, at both ends of the
 * port space, exactly one word, one word and one, smaller than N. */
static const struct range ranges[] = {
	{1024, 65535}, {1000, 1099}, {5000, 5000}, {65500, 65535},
	{0, 63},       {0, 64},      {10000, 10127}, {7, 9},
	{0, 65535},
};

static uint64_t *new_bits(uint16_t lo, uint16_t hi, uint16_t stride)
{
	size_t words = sl_portmap_words(lo, hi, stride);
	assert_true(words > 0);
	uint64_t *b = malloc(words * sizeof(uint64_t));
	assert_non_null(b);
	memset(b, 0xee, words * sizeof(uint64_t)); /* init must clear it */
	return b;
}

/* Every port of every range belongs to exactly one worker, the one
 * sl_port_owner() names, and allocating each worker's map dry hands out
 * each of its ports exactly once. */
static void test_partition(void **state)
{
	static uint8_t given[65536];
	(void)state;

	for (unsigned r = 0; r < SL_ARRAY_SIZE(ranges); r++) {
		uint16_t lo = ranges[r].lo, hi = ranges[r].hi;
		for (uint16_t n = 1; n <= 4; n++) {
			uint32_t total = 0;
			memset(given, 0, sizeof(given));
			for (uint16_t w = 0; w < n; w++) {
				struct sl_portmap pm;
				uint64_t *bits = new_bits(lo, hi, n);
				uint32_t owned = 0;
				for (uint32_t p = lo; p <= hi; p++)
					owned += sl_port_owner((uint16_t)p, n) == w;
				if (owned == 0) {
					assert_int_equal(sl_portmap_init(&pm, bits, lo, hi, n, w), -1);
					free(bits);
					continue;
				}
				assert_int_equal(sl_portmap_init(&pm, bits, lo, hi, n, w), 0);
				assert_int_equal(pm.nbits, owned);
				assert_int_equal(pm.nfree, owned);
				assert_true(sl_portmap_words(lo, hi, n) * 64 >= pm.nbits);

				uint16_t port;
				while (sl_portmap_alloc(&pm, &port) == 0) {
					assert_true(port >= lo && port <= hi);
					assert_int_equal(sl_port_owner(port, n), w);
					assert_int_equal(given[port], 0);
					assert_true(sl_portmap_in_use(&pm, port));
					given[port] = 1;
					total++;
				}
				assert_int_equal(pm.nfree, 0);
				free(bits);
			}
			assert_int_equal(total, (uint32_t)hi - lo + 1);
			for (uint32_t p = lo; p <= hi; p++)
				assert_int_equal(given[p], 1);
		}
	}
}

static void test_init_errors(void **state)
{
	struct sl_portmap pm;
	uint64_t bits[4];
	(void)state;

	assert_int_equal(sl_portmap_init(&pm, bits, 1000, 1100, 0, 0), -1);
	assert_int_equal(sl_portmap_init(&pm, bits, 1000, 1100, 4, 4), -1);
	assert_int_equal(sl_portmap_init(&pm, bits, 1100, 1000, 4, 0), -1);
	/* Worker 3 of 4 owns nothing of [1000, 1002]. */
	assert_int_equal(sl_portmap_init(&pm, bits, 1000, 1002, 4, 3), -1);
	assert_int_equal(sl_portmap_init(&pm, bits, 1000, 1002, 4, 2), 0);
	assert_int_equal(pm.nbits, 1);

	/* The share alone (full-NAT local ports use it without a map). */
	struct sl_port_share sh;
	assert_int_equal(sl_port_share_init(&sh, 1000, 1002, 4, 3), -1);
	assert_int_equal(sl_port_share_init(&sh, 1000, 1100, 0, 0), -1);
	assert_int_equal(sl_port_share_init(&sh, 1000, 1100, 4, 1), 0);
	assert_int_equal(sh.first, 1001);
	assert_int_equal(sh.count, 25);
	assert_int_equal(sl_port_share_port(&sh, 24), 1097);

	assert_int_equal(sl_portmap_words(1000, 1100, 0), 0);
	assert_int_equal(sl_portmap_words(1100, 1000, 1), 0);
	assert_int_equal(sl_portmap_words(0, 63, 1), 1);
	assert_int_equal(sl_portmap_words(0, 64, 1), 2);
	assert_int_equal(sl_portmap_words(0, 65535, 1), 1024);
	assert_int_equal(sl_portmap_words(0, 65535, 4), 256);
	assert_int_equal(sl_portmap_words(0, 128, 2), 2); /* worker 0: 65 ports */
}

/* Allocation is exhaustive, then fails; a freed port comes back. */
static void test_exhaust_free_realloc(void **state)
{
	struct sl_portmap pm;
	uint16_t port, all[300];
	(void)state;

	for (uint16_t n = 1; n <= 4; n++) {
		for (uint16_t w = 0; w < n; w++) {
			uint64_t *bits = new_bits(2000, 2299, n);
			assert_int_equal(sl_portmap_init(&pm, bits, 2000, 2299, n, w), 0);
			uint32_t k = 0;
			while (sl_portmap_alloc(&pm, &port) == 0)
				all[k++] = port;
			assert_int_equal(k, pm.nbits);
			assert_int_equal(sl_portmap_alloc(&pm, &port), -1);

			sl_portmap_free(&pm, all[k / 2]);
			assert_int_equal(pm.nfree, 1);
			assert_false(sl_portmap_in_use(&pm, all[k / 2]));
			assert_int_equal(sl_portmap_alloc(&pm, &port), 0);
			assert_int_equal(port, all[k / 2]);
			assert_int_equal(sl_portmap_alloc(&pm, &port), -1);

			/* Free everything; reset does the same. */
			for (uint32_t i = 0; i < k; i++)
				sl_portmap_free(&pm, all[i]);
			assert_int_equal(pm.nfree, pm.nbits);
			sl_portmap_take(&pm, all[3]);
			sl_portmap_reset(&pm);
			assert_int_equal(pm.nfree, pm.nbits);
			assert_false(sl_portmap_in_use(&pm, all[3]));
			assert_int_equal(sl_portmap_alloc(&pm, &port), 0);
			assert_int_equal(port, all[0]);
			free(bits);
		}
	}
}

static void test_take(void **state)
{
	struct sl_portmap pm;
	uint16_t port;
	(void)state;

	/* Worker 1 of 3 over [3000, 3099]: owns 3001, 3004, ... 3097. */
	uint64_t *bits = new_bits(3000, 3099, 3);
	assert_int_equal(sl_portmap_init(&pm, bits, 3000, 3099, 3, 1), 0);
	assert_int_equal(pm.first, 3001);
	uint32_t n = pm.nbits;

	assert_true(sl_portmap_take(&pm, 3004));
	assert_true(sl_portmap_in_use(&pm, 3004));
	assert_int_equal(pm.nfree, n - 1);
	assert_false(sl_portmap_take(&pm, 3004)); /* already taken */
	assert_false(sl_portmap_take(&pm, 3003)); /* another worker's */
	assert_false(sl_portmap_take(&pm, 3002));
	assert_false(sl_portmap_take(&pm, 2998)); /* below the range */
	assert_false(sl_portmap_take(&pm, 3100)); /* above the range */
	assert_false(sl_portmap_take(&pm, 65533));
	assert_int_equal(pm.nfree, n - 1);
	assert_false(sl_portmap_in_use(&pm, 3003));

	/* Allocation steps over the taken port. */
	assert_int_equal(sl_portmap_alloc(&pm, &port), 0);
	assert_int_equal(port, 3001);
	assert_int_equal(sl_portmap_alloc(&pm, &port), 0);
	assert_int_equal(port, 3007);

	/* Last owned port of the range, then the map is dry. */
	assert_true(sl_portmap_take(&pm, 3097));
	uint32_t got = 0;
	while (sl_portmap_alloc(&pm, &port) == 0) {
		assert_int_not_equal(port, 3004);
		assert_int_not_equal(port, 3097);
		got++;
	}
	assert_int_equal(got, n - 4); /* all but 3001, 3004, 3007, 3097 */
	free(bits);
}

static void test_free_ignored(void **state)
{
	struct sl_portmap pm;
	uint16_t port;
	(void)state;

	uint64_t *bits = new_bits(4000, 4199, 2);
	assert_int_equal(sl_portmap_init(&pm, bits, 4000, 4199, 2, 0), 0);
	assert_int_equal(sl_portmap_alloc(&pm, &port), 0);
	assert_int_equal(port, 4000);
	uint32_t nfree = pm.nfree;

	sl_portmap_free(&pm, 4001);  /* worker 1's */
	sl_portmap_free(&pm, 3998);  /* below */
	sl_portmap_free(&pm, 4200);  /* above */
	sl_portmap_free(&pm, 4002);  /* ours but free */
	sl_portmap_free(&pm, 0);
	sl_portmap_free(&pm, 65535);
	assert_int_equal(pm.nfree, nfree);
	assert_true(sl_portmap_in_use(&pm, 4000));

	sl_portmap_free(&pm, 4000);
	sl_portmap_free(&pm, 4000); /* twice: counted once */
	assert_int_equal(pm.nfree, nfree + 1);
	assert_int_equal(pm.nfree, pm.nbits);
	free(bits);
}

/* Next-fit: a freed port is not handed out again until the cursor has
 * gone round the map. */
static void test_next_fit(void **state)
{
	struct sl_portmap pm;
	uint16_t port;
	(void)state;

	/* 130 ports, one worker: three words, the last partial. */
	uint64_t *bits = new_bits(20000, 20129, 1);
	assert_int_equal(sl_portmap_init(&pm, bits, 20000, 20129, 1, 0), 0);
	for (uint16_t i = 0; i < 3; i++) {
		assert_int_equal(sl_portmap_alloc(&pm, &port), 0);
		assert_int_equal(port, 20000 + i);
	}
	sl_portmap_free(&pm, 20000);
	assert_int_equal(sl_portmap_alloc(&pm, &port), 0);
	assert_int_equal(port, 20003);

	/* Across the word boundary, in order. */
	for (uint16_t i = 4; i < 70; i++) {
		assert_int_equal(sl_portmap_alloc(&pm, &port), 0);
		assert_int_equal(port, 20000 + i);
	}
	sl_portmap_free(&pm, 20010);
	sl_portmap_free(&pm, 20065);
	for (uint16_t i = 70; i < 130; i++) {
		assert_int_equal(sl_portmap_alloc(&pm, &port), 0);
		assert_int_equal(port, 20000 + i);
	}
	/* Round the end: the freed ones, lowest first. */
	assert_int_equal(sl_portmap_alloc(&pm, &port), 0);
	assert_int_equal(port, 20000);
	assert_int_equal(sl_portmap_alloc(&pm, &port), 0);
	assert_int_equal(port, 20010);
	assert_int_equal(sl_portmap_alloc(&pm, &port), 0);
	assert_int_equal(port, 20065);
	assert_int_equal(sl_portmap_alloc(&pm, &port), -1);

	/* A port freed behind the cursor, in the cursor's own word, is
	 * found after the wrap. */
	sl_portmap_reset(&pm);
	for (uint16_t i = 0; i < 40; i++)
		assert_int_equal(sl_portmap_alloc(&pm, &port), 0);
	for (uint16_t i = 40; i < 130; i++)
		assert_true(sl_portmap_take(&pm, 20000 + i));
	sl_portmap_free(&pm, 20005);
	assert_int_equal(sl_portmap_alloc(&pm, &port), 0);
	assert_int_equal(port, 20005);
	free(bits);
}

/* Many workers allocating and freeing at random: no port is ever out
 * twice, and every port a worker hands out is its own. */
static void test_random_churn(void **state)
{
	static uint8_t out[65536];
	uint64_t rng = 0x1234567u;
	(void)state;

	for (uint16_t n = 1; n <= 4; n++) {
		struct sl_portmap pm[4];
		uint64_t *bits[4];
		uint16_t held[4][600];
		uint32_t nheld[4] = {0};
		memset(out, 0, sizeof(out));
		for (uint16_t w = 0; w < n; w++) {
			bits[w] = new_bits(1000, 2499, n);
			assert_int_equal(sl_portmap_init(&pm[w], bits[w], 1000, 2499, n, w), 0);
		}
		for (int step = 0; step < 100000; step++) {
			rng = rng * 6364136223846793005ull + 1442695040888963407ull;
			uint16_t w = (uint16_t)((rng >> 33) % n);
			bool alloc = (rng >> 40) % 3 != 0 && nheld[w] < 600;
			if (alloc || nheld[w] == 0) {
				uint16_t port;
				if (sl_portmap_alloc(&pm[w], &port) != 0) {
					assert_int_equal(pm[w].nfree, 0);
					continue;
				}
				assert_int_equal(sl_port_owner(port, n), w);
				assert_int_equal(out[port], 0);
				out[port] = 1;
				held[w][nheld[w]++] = port;
			} else {
				uint32_t i = (uint32_t)((rng >> 20) % nheld[w]);
				uint16_t port = held[w][i];
				held[w][i] = held[w][--nheld[w]];
				out[port] = 0;
				sl_portmap_free(&pm[w], port);
			}
			assert_int_equal(pm[w].nfree + nheld[w], pm[w].nbits);
		}
		for (uint16_t w = 0; w < n; w++)
			free(bits[w]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_partition),
		cmocka_unit_test(test_init_errors),
		cmocka_unit_test(test_exhaust_free_realloc),
		cmocka_unit_test(test_take),
		cmocka_unit_test(test_free_ignored),
		cmocka_unit_test(test_next_fit),
		cmocka_unit_test(test_random_churn),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
