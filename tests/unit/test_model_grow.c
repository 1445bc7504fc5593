/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The model's growable arrays (services, static neighbors): they grow
 * with what they hold, keep order and ids across every growth, stop at
 * the same limits with the same errors, and a clone holds exactly its
 * source's count, so copying a small model allocates little (issue 18:
 * every request works on a clone).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "addr.h"
#include "model_internal.h"
#include "model_fixture.h"

/* 198.18.0.100:(port)/tcp with one server 198.18.1.(10 + port % 200). */
static void add_svc(struct sl_model *m, uint16_t port)
{
	struct sl_err e;
	sl_be32 vip = ip("198.18.0.100");

	ok(sl_model_add_svc(m, vip, sl_htons(port), TCP, 0, &e), &e);
	ok(sl_model_add_rs(m, vip, sl_htons(port), TCP,
			   sl_htonl(0xc6120100u + 10 + port % 200), sl_htons(80), 1, &e),
	   &e);
}

/* Services 1..n in order, ids 0..n-1, each with its own server. */
static void check_svcs(const struct sl_model *m, uint32_t n)
{
	assert_int_equal(m->nsvcs, n);
	assert_true(m->svcs_cap >= n);
	for (uint32_t i = 0; i < n; i++) {
		assert_int_equal(m->svcs[i].port, sl_htons((uint16_t)(i + 1)));
		assert_int_equal(m->svcs[i].id, i);
		assert_int_equal(m->svcs[i].nrs, 1);
		assert_int_equal(m->svcs[i].rs[0].ip,
				 sl_htonl(0xc6120100u + 10 + (i + 1) % 200));
	}
}

static void test_room(void **state)
{
	uint32_t cap = 0, *a = NULL;

	(void)state;
	/* 0 -> 4 -> 8 -> 16, then clamped at the limit. */
	const uint32_t want[] = {4, 4, 4, 4, 8, 8, 8, 8, 16};
	for (uint32_t n = 0; n < 9; n++) {
		a = sl_model_room(a, &cap, n, sizeof(*a), 20);
		assert_non_null(a);
		assert_int_equal(cap, want[n]);
		a[n] = n;
	}
	for (uint32_t n = 9; n < 20; n++) {
		a = sl_model_room(a, &cap, n, sizeof(*a), 20);
		assert_non_null(a);
		a[n] = n;
	}
	assert_int_equal(cap, 20);
	for (uint32_t n = 0; n < 20; n++)
		assert_int_equal(a[n], n);
	/* Full: NULL, and the array and capacity stay. */
	assert_null(sl_model_room(a, &cap, 20, sizeof(*a), 20));
	assert_int_equal(cap, 20);
	/* A capacity of 1 (a clone of one entry) grows to the minimum. */
	cap = 1;
	a = sl_model_room(a, &cap, 1, sizeof(*a), 20);
	assert_non_null(a);
	assert_int_equal(cap, SL_MODEL_GROW_MIN);
	free(a);
}

static void test_grow_keeps_order_and_ids(void **state)
{
	struct sl_model m, c;
	struct sl_err e;

	(void)state;
	lab_init(&m, false);
	assert_null(m.svcs);
	assert_int_equal(m.svcs_cap, 0);
	assert_null(m.neigh);
	for (uint16_t p = 1; p <= 40; p++)
		add_svc(&m, p);
	check_svcs(&m, 40);
	assert_int_equal(m.svcs_cap, 64);

	/* A clone holds exactly what its source holds. */
	assert_int_equal(sl_model_clone(&c, &m), 0);
	assert_int_equal(c.svcs_cap, 40);
	check_svcs(&c, 40);
	assert_ptr_not_equal(c.svcs, m.svcs);
	assert_ptr_not_equal(c.svcs[39].rs, m.svcs[39].rs);

	/* Growing the clone (it is full) moves its array, not the source's. */
	const struct sl_model_svc *src_before = m.svcs;
	add_svc(&c, 41);
	check_svcs(&c, 41);
	assert_int_equal(c.svcs_cap, 80);
	ok(sl_model_del_svc(&c, ip("198.18.0.100"), sl_htons(1), TCP, &e), &e);
	assert_int_equal(c.svcs[0].port, sl_htons(2));
	assert_ptr_equal(m.svcs, src_before);
	check_svcs(&m, 40);
	sl_model_free(&c);

	/* Neighbors likewise. */
	uint8_t mac[6] = {0x02, 0, 0, 0, 0x01, 0};
	for (uint32_t i = 0; i < 9; i++) {
		mac[5] = (uint8_t)i;
		ok(sl_model_add_neigh(&m, sl_htonl(0xc6120100u + 100 + i), mac, -1, &e), &e);
	}
	assert_int_equal(m.neigh_cap, 16);
	assert_int_equal(sl_model_clone(&c, &m), 0);
	assert_int_equal(c.neigh_cap, 9);
	assert_ptr_not_equal(c.neigh, m.neigh);
	mac[5] = 9;
	ok(sl_model_add_neigh(&c, sl_htonl(0xc6120100u + 109), mac, -1, &e), &e);
	assert_int_equal(m.nneigh, 9);
	for (uint32_t i = 0; i < c.nneigh; i++) {
		assert_int_equal(c.neigh[i].ip, sl_htonl(0xc6120100u + 100 + i));
		assert_int_equal(c.neigh[i].mac[5], i);
	}
	sl_model_free(&c);

	/* An empty model clones to no arrays at all. */
	struct sl_model empty;
	assert_int_equal(sl_model_init(&empty), 0);
	assert_int_equal(sl_model_clone(&c, &empty), 0);
	assert_null(c.svcs);
	assert_null(c.neigh);
	sl_model_free(&c);
	sl_model_free(&empty);
	sl_model_free(&m);
}

/* The limit stays a limit: the array stops at SL_MAX_SVC, not at the
 * next power of two, and the next add is refused as before. */
static void test_limit(void **state)
{
	struct sl_model m;
	struct sl_err e;
	sl_be32 vip = ip("198.18.0.100");

	(void)state;
	lab_init(&m, false);
	for (uint16_t p = 1; m.nsvcs < SL_MAX_SVC; p++)
		ok(sl_model_add_svc(&m, vip, sl_htons(p), TCP, 0, &e), &e);
	assert_int_equal(m.svcs_cap, SL_MAX_SVC);
	assert_int_equal(sl_model_add_svc(&m, vip, sl_htons(9999), TCP, 0, &e), -1);
	assert_string_equal(e.code, SL_E_LIMIT);
	assert_string_equal(e.message, "at most 1024 VIPs");
	assert_int_equal(m.nsvcs, SL_MAX_SVC);
	for (uint32_t i = 0; i < m.nsvcs; i++)
		assert_int_equal(m.svcs[i].port, sl_htons((uint16_t)(i + 1)));
	sl_model_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_room),
		cmocka_unit_test(test_grow_keeps_order_and_ids),
		cmocka_unit_test(test_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
