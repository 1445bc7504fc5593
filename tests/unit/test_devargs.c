/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The one devargs reader (drivers/devargs.h): values, numbers, absent
 * keys, and DPDK's bracketed lists, whose commas separate nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "devargs.h"

static void test_values(void **state)
{
	char v[16];
	(void)state;

	assert_true(sl_devargs_get("net_af_xdp0,iface=wan0,queue_count=2", "iface", v,
				   sizeof(v)));
	assert_string_equal(v, "wan0");
	assert_false(sl_devargs_get("net_af_xdp0,iface=wan0", "if", v, sizeof(v)));
	assert_string_equal(v, "");
	assert_false(sl_devargs_get("net_af_xdp0,iface=wan0", "iface0", v, sizeof(v)));
	assert_false(sl_devargs_get("net_ring0", "iface", v, sizeof(v)));
	assert_true(sl_devargs_has("net_tap,iface=x,mac=02:00:00:00:00:01", "mac"));
	assert_false(sl_devargs_has("net_tap,iface=x", "mac"));
	/* Truncated to the buffer, never past it. */
	assert_true(sl_devargs_get("net_x,iface=abcdefghijklmnopqrstuvwxyz", "iface", v,
				   sizeof(v)));
	assert_string_equal(v, "abcdefghijklmno");
}

/* A list's commas are the list's: "iface=b" inside brackets is not a key. */
static void test_lists(void **state)
{
	char v[16];
	(void)state;

	assert_true(sl_devargs_get("net_x,list=[iface=b,2],iface=a", "iface", v, sizeof(v)));
	assert_string_equal(v, "a");
	assert_true(sl_devargs_get("net_x,list=[1,2],queues=4", "list", v, sizeof(v)));
	assert_string_equal(v, "[1,2]");
	assert_int_equal(sl_devargs_num("net_x,list=[queues=9],queues=4", "queues", 1), 4);
}

static void test_numbers(void **state)
{
	(void)state;

	assert_int_equal(sl_devargs_num("net_af_xdp0,iface=a,queue_count=3", "queue_count", 1), 3);
	assert_int_equal(sl_devargs_num("net_af_xdp0,iface=a", "queue_count", 1), 1);
	assert_int_equal(sl_devargs_num("net_af_xdp0,queue_count=2x", "queue_count", 1), 1);
	assert_int_equal(sl_devargs_num("net_af_xdp0,queue_count=-2", "queue_count", 7), 7);
	assert_int_equal(sl_devargs_num("net_af_xdp0,queue_count=", "queue_count", 7), 7);
	assert_int_equal(sl_devargs_num("net_af_xdp0,queue_count=99999999999999999999999",
					"queue_count", 7), 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_lists),
		cmocka_unit_test(test_numbers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
