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

/* The v6 table: in the same block as the v4 one, its own count and
 * mask; v4 entries and v6 entries never see each other. */
static void test_v6(void **state)
{
	(void)state;
	struct sl_neigh_view *v = sl_neigh_view_alloc6(4, 20);
	uint8_t ip[16] = {0x20, 0x01, 0x0d, 0xb8}, mac[6] = {0x02, 0, 0, 0, 0, 0};
	static const uint8_t unspec[16];
	assert_non_null(v);
	assert_int_equal((v->mask6 + 1) & v->mask6, 0);
	uint32_t cap = (v->mask6 + 1) / 2;
	assert_true(cap >= 20);
	/* The v6 slots are inside the allocation, after the v4 ones. */
	assert_true((uint8_t *)v->slot6 >= (uint8_t *)&v->slot[v->mask + 1]);

	for (uint32_t i = 0; i < cap; i++) {
		ip[15] = (uint8_t)(i + 1);
		mac[5] = (uint8_t)i;
		assert_int_equal(sl_neigh_view_add6(v, ip, mac, (uint8_t)(i % 3),
						    port_mac[i % 3]), 0);
	}
	assert_int_equal(v->n6, cap);
	assert_int_equal(v->n, 0);
	for (uint32_t i = 0; i < cap; i++) {
		ip[15] = (uint8_t)(i + 1);
		const struct sl_snap_neigh6 *n = sl_neigh_view_find6(v, ip);
		assert_non_null(n);
		assert_memory_equal(n->ip, ip, 16);
		assert_int_equal(n->mac[5], i);
		assert_int_equal(n->port, i % 3);
		assert_memory_equal(n->l2, n->mac, 6);
		assert_memory_equal(n->l2 + 6, port_mac[i % 3], 6);
	}
	/* Differs in the first word only: still a miss. */
	ip[15] = 1;
	ip[0] = 0x3f;
	assert_null(sl_neigh_view_find6(v, ip));
	ip[0] = 0x20;
	/* Full: refused, but a known address is replaced in place. */
	ip[14] = 1;
	assert_int_equal(sl_neigh_view_add6(v, ip, mac, 0, port_mac[0]), -1);
	assert_null(sl_neigh_view_find6(v, ip));
	ip[14] = 0;
	ip[15] = 3;
	const uint8_t mac2[6] = {0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee};
	assert_int_equal(sl_neigh_view_add6(v, ip, mac2, 2, port_mac[2]), 0);
	assert_int_equal(v->n6, cap);
	assert_memory_equal(sl_neigh_view_find6(v, ip)->mac, mac2, 6);
	assert_int_equal(sl_neigh_view_add6(v, unspec, mac, 0, port_mac[0]), -1);
	/* The v4 table is untouched and still works. */
	assert_int_equal(sl_neigh_view_add(v, IP(198, 18, 0, 1), mac, 1, port_mac[1]), 0);
	assert_non_null(sl_neigh_view_find(v, IP(198, 18, 0, 1)));
	assert_non_null(sl_neigh_view_find6(v, ip));
	sl_neigh_view_free(v);

	/* No v6 room asked for: no v6 table, adds refused, finds miss. */
	v = sl_neigh_view_alloc(4);
	assert_non_null(v);
	assert_int_equal(v->mask6, 0);
	assert_int_equal(sl_neigh_view_add6(v, ip, mac, 0, port_mac[0]), -1);
	assert_null(sl_neigh_view_find6(v, ip));
	sl_neigh_view_free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_find_full),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_v6),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
