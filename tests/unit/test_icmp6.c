/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ICMPv6 Sluice originates: echo replies, and errors quoting the
 * offending packet up to the 1280-byte minimum MTU, with the RFC 4443
 * 2.4(e) refusals. Hand-built packets; checksums judged by the
 * byte-at-a-time reference.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>

#include "icmp6.h"
#include "nat64_frames.h"

#define ROOM 64
static uint8_t buf[ROOM + 2048];
static uint8_t *const l3 = buf + ROOM;
static uint8_t orig[2048];

/* An echo request C -> VIP with `payload` bytes. */
static unsigned echo_request(unsigned payload)
{
	unsigned n = t_put_icmp(l3 + 40, SL_ICMP6_ECHO_REQUEST, 0, 0x12340007, payload);
	t6_put_hdr(l3, t6_client, t6_vip, SL_IPPROTO_ICMPV6, 50, 0, n);
	t6_fix(l3);
	return 40 + n;
}

static void test_echo_reply(void **state)
{
	(void)state;
	for (unsigned payload = 0; payload < 40; payload += 13) {
		unsigned n = echo_request(payload);
		memcpy(orig, l3, n);
		assert_int_equal(sl_icmp6_echo_to_reply(l3, n), SL_ICMP6_OK);
		assert_memory_equal(l3 + 8, t6_vip, 16);
		assert_memory_equal(l3 + 24, t6_client, 16);
		assert_int_equal(l3[7], 64);
		assert_int_equal(l3[40], SL_ICMP6_ECHO_REPLY);
		assert_int_equal(l3[41], 0);
		assert_memory_equal(l3 + 44, orig + 44, n - 44); /* id, seq, data */
		assert_true(t6_l4_ok(l3));
	}
}

static void test_echo_refused(void **state)
{
	(void)state;
	unsigned n = echo_request(10);
	l3[50] ^= 4;
	memcpy(orig, l3, n);
	assert_int_equal(sl_icmp6_echo_to_reply(l3, n), SL_ICMP6_BAD_CHECKSUM);
	assert_memory_equal(l3, orig, n);
	n = echo_request(10);
	assert_int_equal(sl_icmp6_echo_to_reply(l3, n - 1), SL_ICMP6_TRUNCATED);
	l3[40] = SL_ICMP6_ECHO_REPLY;
	t6_fix(l3);
	assert_int_equal(sl_icmp6_echo_to_reply(l3, n), SL_ICMP6_NOT_ECHO);
	n = echo_request(10);
	l3[24] = 0xff;
	t6_fix(l3);
	assert_int_equal(sl_icmp6_echo_to_reply(l3, n), SL_ICMP6_TO_MULTICAST);
}

/* A TCP packet C -> server as Sluice received it. */
static unsigned offending(unsigned payload, uint8_t nh)
{
	unsigned n = nh == SL_IPPROTO_ICMPV6
			     ? t_put_icmp(l3 + 40, SL_ICMP6_ECHO_REQUEST, 0, 1, payload)
			     : t_put_tcp(l3 + 40, 5555, 80, SL_TCP_ACK, payload);
	t6_put_hdr(l3, t6_client, t6_vip, nh, 1, 0, n);
	t6_fix(l3);
	return 40 + n;
}

static void check_error(uint16_t out_len, unsigned quoted, uint8_t type,
			uint8_t code, uint32_t word)
{
	const uint8_t *e = l3 - SL_ICMP6_ERR_HDRS;
	assert_int_equal(out_len, 48 + quoted);
	assert_int_equal(fr_get32(e), 6u << 28);
	assert_int_equal(fr_get16(e + 4), 8 + quoted);
	assert_int_equal(e[6], SL_IPPROTO_ICMPV6);
	assert_int_equal(e[7], 64);
	assert_memory_equal(e + 8, t6_router, 16);
	assert_memory_equal(e + 24, t6_client, 16);
	assert_int_equal(e[40], type);
	assert_int_equal(e[41], code);
	assert_int_equal(fr_get32(e + 44), word);
	assert_memory_equal(e + 48, orig, quoted);
	assert_true(t6_l4_ok(e));
}

static void test_errors(void **state)
{
	(void)state;
	uint16_t len;
	unsigned n = offending(100, SL_IPPROTO_TCP);
	memcpy(orig, l3, n);
	assert_int_equal(sl_icmp6_too_big(l3, n, t6_router, 1400, &len), SL_ICMP6_OK);
	check_error(len, n, SL_ICMP6_PKT_TOO_BIG, 0, 1400);

	n = offending(100, SL_IPPROTO_TCP);
	assert_int_equal(sl_icmp6_hop_exceeded(l3, n, t6_router, &len), SL_ICMP6_OK);
	check_error(len, n, SL_ICMP6_TIME_EXCEEDED, 0, 0);

	n = offending(7, SL_IPPROTO_ICMPV6); /* an echo may be answered */
	memcpy(orig, l3, n);
	assert_int_equal(sl_icmp6_unreachable(l3, n, t6_router, SL_ICMP6_UNREACH_NOROUTE,
					      &len), SL_ICMP6_OK);
	check_error(len, n, SL_ICMP6_DEST_UNREACH, 0, 0);

	/* A 1500-byte packet: the error is exactly 1280 bytes. */
	n = offending(1440, SL_IPPROTO_TCP);
	memcpy(orig, l3, n);
	assert_int_equal(sl_icmp6_too_big(l3, n, t6_router, 1280, &len), SL_ICMP6_OK);
	check_error(len, 1280 - 48, SL_ICMP6_PKT_TOO_BIG, 0, 1280);
}

static void test_errors_refused(void **state)
{
	(void)state;
	uint16_t len;
	unsigned n = offending(8, SL_IPPROTO_ICMPV6);
	l3[40] = SL_ICMP6_DEST_UNREACH;
	assert_int_equal(sl_icmp6_hop_exceeded(l3, n, t6_router, &len), SL_ICMP6_ABOUT_ERROR);
	l3[40] = SL_ICMP6_REDIRECT;
	assert_int_equal(sl_icmp6_hop_exceeded(l3, n, t6_router, &len), SL_ICMP6_ABOUT_ERROR);
	n = offending(8, SL_IPPROTO_TCP);
	memset(l3 + 8, 0, 16);
	assert_int_equal(sl_icmp6_hop_exceeded(l3, n, t6_router, &len), SL_ICMP6_BAD_SOURCE);
	l3[8] = 0xff;
	assert_int_equal(sl_icmp6_hop_exceeded(l3, n, t6_router, &len), SL_ICMP6_BAD_SOURCE);
	/* To a multicast group: only Packet Too Big (and parameter problem
	 * code 2) may answer. */
	n = offending(8, SL_IPPROTO_TCP);
	l3[24] = 0xff;
	assert_int_equal(sl_icmp6_hop_exceeded(l3, n, t6_router, &len), SL_ICMP6_TO_MULTICAST);
	assert_int_equal(sl_icmp6_error_build(l3, n, t6_router, SL_ICMP6_PARAM_PROB, 2, 40,
					      &len), SL_ICMP6_OK);
	n = offending(8, SL_IPPROTO_TCP);
	l3[24] = 0xff;
	assert_int_equal(sl_icmp6_too_big(l3, n, t6_router, 1280, &len), SL_ICMP6_OK);
	assert_int_equal(sl_icmp6_too_big(l3, 39, t6_router, 1280, &len), SL_ICMP6_TRUNCATED);
	l3[0] = 0x45;
	assert_int_equal(sl_icmp6_too_big(l3, n, t6_router, 1280, &len), SL_ICMP6_TRUNCATED);
}

static void test_names(void **state)
{
	(void)state;
	for (unsigned i = 0; i < SL_ICMP6_MAX; i++)
		for (unsigned j = 0; j < i; j++)
			assert_string_not_equal(sl_icmp6_name(i), sl_icmp6_name(j));
	assert_string_equal(sl_icmp6_name(SL_ICMP6_MAX), "icmp6_unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_echo_reply), cmocka_unit_test(test_echo_refused),
		cmocka_unit_test(test_errors),     cmocka_unit_test(test_errors_refused),
		cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
