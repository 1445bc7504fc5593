/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The workers' neighbor table (neigh_view.h): sized at most half full,
 * find, replace in place, refused when full, and the ready-made Ethernet
 * header built from the neighbor's MAC and its port's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "neigh_view.h"

#define IP(a, b, c, d) sl_htonl((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))

static const uint8_t port_mac[3][6] = {
	{0x02, 0, 0, 0, 0xee, 0}, {0x02, 0, 0, 0, 0xee, 1}, {0x02, 0, 0, 0, 0xee, 2},
};

static void test_add_find_full(void **state)
{
	(void)state;
	struct sl_neigh_view *v = sl_neigh_view_alloc(20);
	uint8_t mac[6] = {0x02, 0, 0, 0, 0, 0};
	assert_non_null(v);
	assert_int_equal((v->mask + 1) & v->mask, 0);
	uint32_t cap = (v->mask + 1) / 2;
	assert_true(cap >= 20);

	for (uint32_t i = 0; i < cap; i++) {
		mac[5] = (uint8_t)i;
		assert_int_equal(sl_neigh_view_add(v, IP(198, 18, 0, i + 1), mac,
						   (uint8_t)(i % 3), port_mac[i % 3]), 0);
	}
	assert_int_equal(v->n, cap);
	for (uint32_t i = 0; i < cap; i++) {
		const struct sl_snap_neigh *n = sl_neigh_view_find(v, IP(198, 18, 0, i + 1));
		assert_non_null(n);
		assert_int_equal(n->mac[5], i);
		assert_int_equal(n->port, i % 3);
		assert_memory_equal(n->l2, n->mac, 6);
		assert_memory_equal(n->l2 + 6, port_mac[i % 3], 6);
	}
	assert_null(sl_neigh_view_find(v, IP(198, 18, 0, cap + 1)));
	assert_null(sl_neigh_view_find(v, IP(10, 0, 0, 1)));

	/* Full: a new address is refused... */
	assert_int_equal(sl_neigh_view_add(v, IP(198, 18, 1, 1), mac, 0, port_mac[0]), -1);
	assert_null(sl_neigh_view_find(v, IP(198, 18, 1, 1)));
	/* ...but a known one may still be replaced in place (a static entry
	 * over a learned one). */
	const uint8_t mac2[6] = {0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee};
	assert_int_equal(sl_neigh_view_add(v, IP(198, 18, 0, 5), mac2, 2, port_mac[2]), 0);
	assert_int_equal(v->n, cap);
	const struct sl_snap_neigh *n = sl_neigh_view_find(v, IP(198, 18, 0, 5));
	assert_non_null(n);
	assert_memory_equal(n->mac, mac2, 6);
	assert_int_equal(n->port, 2);
	assert_memory_equal(n->l2 + 6, port_mac[2], 6);

	/* 0.0.0.0 marks an empty slot and cannot be a neighbor. */
	assert_int_equal(sl_neigh_view_add(v, 0, mac, 0, port_mac[0]), -1);
	sl_neigh_view_free(v);
}

static void test_empty(void **state)
{
	(void)state;
	/* No neighbors at all is a valid table: every lookup misses. */
	struct sl_neigh_view *v = sl_neigh_view_alloc(0);
	assert_non_null(v);
	assert_int_equal(v->n, 0);
	assert_null(sl_neigh_view_find(v, IP(1, 2, 3, 4)));
	sl_neigh_view_free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_find_full),
		cmocka_unit_test(test_empty),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
