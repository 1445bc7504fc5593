/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The cluster peers' local addresses in the model (model_peers.c):
 * accepted ones are found, a repeat, a non-address and too many are
 * refused with the entry named, and a refusal changes nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model.h"

static struct sl_addr v4(uint32_t host)
{
	struct sl_addr a = {.af = SL_AF_V4, .v4 = sl_htonl(host)};
	return a;
}

static void test_peers(void **state)
{
	(void)state;
	static struct sl_model m;
	struct sl_err err = {0};
	struct sl_addr a[SL_MAX_PEER_LADDRS + 1];

	assert_int_equal(sl_model_init(&m), 0);
	a[0] = v4(0xc6120204);
	a[1] = (struct sl_addr){.af = SL_AF_V6, .v6 = {0x20, 0x01, 0x0d, 0xb8, [15] = 4}};
	assert_int_equal(sl_model_set_peer_laddrs(&m, a, 2, "cluster.peers", &err), 0);
	assert_true(sl_model_is_peer_laddr(&m, &a[0]));
	assert_true(sl_model_is_peer_laddr(&m, &a[1]));
	struct sl_addr other = v4(0xc6120205);
	assert_false(sl_model_is_peer_laddr(&m, &other));

	a[2] = a[0]; /* a repeat */
	assert_int_equal(sl_model_set_peer_laddrs(&m, a, 3, "cluster.peers", &err), -1);
	assert_string_equal(err.field, "cluster.peers");
	assert_non_null(strstr(err.message, "2 repeats 0"));
	a[2] = (struct sl_addr){.af = SL_AF_NONE};
	assert_int_equal(sl_model_set_peer_laddrs(&m, a, 3, "cluster.peers", &err), -1);
	for (unsigned i = 0; i <= SL_MAX_PEER_LADDRS; i++)
		a[i] = v4(0xc6130000 + i);
	assert_int_equal(sl_model_set_peer_laddrs(&m, a, SL_MAX_PEER_LADDRS + 1, "x", &err), -1);
	assert_string_equal(err.code, SL_E_LIMIT);
	/* Refusals left the two accepted first. */
	assert_int_equal(m.npeer_laddrs, 2);
	assert_int_equal(sl_model_set_peer_laddrs(&m, a, 0, "x", &err), 0);
	assert_int_equal(m.npeer_laddrs, 0);
	sl_model_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_peers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
