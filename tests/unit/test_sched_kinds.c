/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The schedulers beyond rr/wrr, as a worker uses them: pick tables for
 * every kind (length, drained servers absent), sh and mh distribution
 * over many client addresses against the weights (within 2 points of
 * each share at 60000 clients), the same client always landing on the
 * same server, hash_ports spreading one client's connections, and
 * lc/wlc: balanced by count (wlc by weight), ties taking turns, and two
 * workers with stale views of each other staying within what they could
 * not see.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "frames.h"
#include "maglev.h"
#include "sched.h"
#include "snapshot.h"

#define N_MAX 16
#define CLIENTS 60000

static uint16_t table[SL_MH_DEFAULT_SIZE];
static uint64_t ids[N_MAX];
static struct sl_snap_rs rs[N_MAX];

static void setup_servers(const uint32_t *w, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		rs[i] = (struct sl_snap_rs){.ip = sl_htonl(0xc6120100u + 11 + i),
					    .port = sl_htons(8080),
					    .id = (uint16_t)(100 + i),
					    .weight = w[i]};
		ids[i] = sl_maglev_id(rs[i].ip, rs[i].port);
	}
}

static uint32_t build(unsigned kind, const uint32_t *w, uint32_t n)
{
	setup_servers(w, n);
	uint32_t len = sl_sched_table_len(kind, w, n, SL_MH_DEFAULT_SIZE);
	assert_true(len <= SL_ARRAY_SIZE(table));
	assert_int_equal(sl_sched_table_build(kind, w, ids, n, SL_MH_DEFAULT_SIZE,
					      table),
			 len);
	return len;
}

static sl_be32 client(uint32_t i)
{
	return sl_htonl(0x0a000000u + i * 7919u); /* spread over 10/8 */
}

static void test_names(void **state)
{
	static const char *const names[] = {"rr", "wrr", "lc", "wlc", "sh", "mh"};
	(void)state;
	for (unsigned k = 0; k < SL_SCHED_KINDS; k++) {
		assert_string_equal(sl_sched_name(k), names[k]);
		assert_int_equal(sl_sched_parse(names[k]), (int)k);
	}
	assert_int_equal(sl_sched_parse("maglev"), -1);
	assert_true(sl_sched_hashes(SL_SCHED_SH));
	assert_true(sl_sched_hashes(SL_SCHED_MH));
	assert_false(sl_sched_hashes(SL_SCHED_WRR));
	assert_false(sl_sched_hashes(SL_SCHED_LC));
}

static void test_tables(void **state)
{
	const uint32_t w[] = {2, 0, 1, 3};
	(void)state;

	/* lc/wlc: the servers that take connections, in order. */
	assert_int_equal(build(SL_SCHED_LC, w, 4), 3);
	assert_int_equal(table[0], 0);
	assert_int_equal(table[1], 2);
	assert_int_equal(table[2], 3);
	assert_int_equal(build(SL_SCHED_WLC, w, 4), 3);
	/* sh: the wrr sequence. */
	assert_int_equal(build(SL_SCHED_SH, w, 4), 6);
	/* mh: the whole Maglev table, no slot for the drained server. */
	assert_int_equal(build(SL_SCHED_MH, w, 4), SL_MH_DEFAULT_SIZE);
	for (uint32_t s = 0; s < SL_MH_DEFAULT_SIZE; s++)
		assert_true(table[s] != 1 && table[s] < 4);

	/* Nobody takes connections: an empty table for every kind. */
	const uint32_t z[] = {0, 0};
	for (unsigned k = 0; k < SL_SCHED_KINDS; k++) {
		assert_int_equal(sl_sched_table_len(k, z, 2, SL_MH_DEFAULT_SIZE), 0);
		assert_int_equal(sl_sched_table_build(k, z, ids, 2,
						      SL_MH_DEFAULT_SIZE, table), 0);
	}
}

/* Clients spread over servers by hash: each share within 0.02 of the
 * weight share, and a client's server is a function of the client. */
static void check_hash_distribution(unsigned kind, const uint32_t *w, uint32_t n)
{
	uint32_t count[N_MAX] = {0}, total = 0;
	uint32_t len = build(kind, w, n);

	for (uint32_t i = 0; i < n; i++)
		total += w[i];
	for (uint32_t c = 0; c < CLIENTS; c++) {
		uint32_t h = sl_sched_client_hash(client(c), sl_htons(40000), false);
		uint16_t pick = table[sl_sched_scale(h, len)];
		uint32_t h2 = sl_sched_client_hash(client(c), sl_htons(40001), false);
		assert_int_equal(table[sl_sched_scale(h2, len)], pick);
		count[pick]++;
	}
	for (uint32_t i = 0; i < n; i++) {
		double got = (double)count[i] / CLIENTS, want = (double)w[i] / total;
		print_message("%s: server %u weight %u: %.4f of clients (weight "
			      "share %.4f)\n", sl_sched_name(kind), i, w[i], got, want);
		assert_true(got - want < 0.02 && want - got < 0.02);
	}
}

static void test_sh_mh_distribution(void **state)
{
	const uint32_t w1[] = {1, 1, 1, 1};
	const uint32_t w2[] = {1, 3, 0, 4};
	(void)state;
	check_hash_distribution(SL_SCHED_SH, w1, 4);
	check_hash_distribution(SL_SCHED_SH, w2, 4);
	check_hash_distribution(SL_SCHED_MH, w1, 4);
	check_hash_distribution(SL_SCHED_MH, w2, 4);
}

/* With hash_ports, one client's connections (new source ports) spread. */
static void test_hash_ports(void **state)
{
	const uint32_t w[] = {1, 1, 1, 1};
	uint32_t count[4] = {0};
	(void)state;

	uint32_t len = build(SL_SCHED_MH, w, 4);
	for (uint32_t p = 1024; p < 1024 + 4000; p++) {
		uint32_t h = sl_sched_client_hash(client(1), sl_htons((uint16_t)p), true);
		count[table[sl_sched_scale(h, len)]]++;
	}
	for (unsigned i = 0; i < 4; i++)
		assert_true(count[i] > 800 && count[i] < 1200);
	/* Without it, the port makes no difference. */
	assert_int_equal(sl_sched_client_hash(client(1), sl_htons(1), false),
			 sl_sched_client_hash(client(1), sl_htons(2), false));
}

/* Connections that never end, picked by one worker that sees everything:
 * counts follow weights exactly (wlc) or are equal (lc). */
static void test_least_exact(void **state)
{
	const uint32_t w[] = {1, 2, 3, 0};
	uint32_t others[SL_MAX_RS] = {0}, mine[SL_MAX_RS] = {0};
	(void)state;

	uint32_t len = build(SL_SCHED_WLC, w, 4);
	for (uint32_t k = 0; k < 600; k++) {
		uint16_t i = sl_sched_least(rs, table, len, others, mine, k, true);
		mine[rs[i].id]++;
	}
	assert_int_equal(mine[100], 100);
	assert_int_equal(mine[101], 200);
	assert_int_equal(mine[102], 300);
	assert_int_equal(mine[103], 0);

	memset(mine, 0, sizeof(mine));
	len = build(SL_SCHED_LC, w, 4);
	for (uint32_t k = 0; k < 600; k++) {
		uint16_t i = sl_sched_least(rs, table, len, others, mine, k, false);
		mine[rs[i].id]++;
	}
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(mine[100 + i], 200);

	/* Existing load elsewhere: the idle server fills up first. */
	memset(mine, 0, sizeof(mine));
	others[100] = 10, others[101] = 10, others[102] = 0;
	for (uint32_t k = 0; k < 10; k++) {
		uint16_t i = sl_sched_least(rs, table, len, others, mine, k, false);
		assert_int_equal(i, 2);
		mine[rs[i].id]++;
	}
}

/* Ties go round: equal servers at equal load take turns. */
static void test_least_ties(void **state)
{
	const uint32_t w[] = {1, 1, 1};
	uint32_t others[SL_MAX_RS] = {0}, mine[SL_MAX_RS] = {0};
	(void)state;

	uint32_t len = build(SL_SCHED_LC, w, 3);
	for (uint32_t k = 0; k < 3; k++)
		assert_int_equal(sl_sched_least(rs, table, len, others, mine, k, false), k);
}

/*
 * Two workers, each exact about itself and seeing the other's counts only
 * as summed every `every` picks (the control thread's aggregation). Long
 * connections arrive alternately; the totals stay within `every` of even:
 * staleness costs at most what the other worker did since the last sum.
 */
static void test_least_stale(void **state)
{
	const uint32_t w[] = {1, 1, 1, 1};
	static uint32_t mine[2][SL_MAX_RS], others[2][SL_MAX_RS];
	(void)state;

	uint32_t len = build(SL_SCHED_LC, w, 4);
	const uint32_t every = 8;
	for (uint32_t k = 0; k < 4000; k++) {
		unsigned wk = k % 2;
		uint16_t i = sl_sched_least(rs, table, len, others[wk], mine[wk],
					    k / 2, false);
		mine[wk][rs[i].id]++;
		if (k % every == every - 1)
			for (unsigned a = 0; a < 2; a++)
				for (unsigned r = 0; r < 4; r++)
					others[a][100 + r] = mine[1 - a][100 + r];
	}
	uint32_t lo = UINT32_MAX, hi = 0;
	for (unsigned r = 0; r < 4; r++) {
		uint32_t t = mine[0][100 + r] + mine[1][100 + r];
		lo = t < lo ? t : lo;
		hi = t > hi ? t : hi;
	}
	print_message("lc, 2 workers summed every %u picks, 4000 long "
		      "connections on 4 servers: %u..%u per server\n", every, lo, hi);
	assert_true(hi - lo <= every);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_tables),
		cmocka_unit_test(test_sh_mh_distribution),
		cmocka_unit_test(test_hash_ports),
		cmocka_unit_test(test_least_exact),
		cmocka_unit_test(test_least_ties),
		cmocka_unit_test(test_least_stale),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
