/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NAT64 (RFC 7915) errors on hand-built packets: every ICMP error type
 * and code of sections 4.2 and 5.2 (with the MTU and pointer mappings),
 * the quote translated with it, cut quotes and the inner refusals by
 * name. test_nat64.c has the plain packets; nat64_fixture.h the
 * connection and builders both use. Checksums by frames.h's reference.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>

#include "drop.h"
#include "nat64_fixture.h"

struct map_case {
	uint8_t type, code;
	uint32_t word;
	uint8_t res, out_type, out_code;
	uint32_t out_word;
};

/* RFC 7915 5.2 (and figure 6 for the pointer). mtu4 = mtu6 = 1500. */
static const struct map_case cases6[] = {
	{1, 0, 0, SL_XLAT_OK, 3, 1, 0},   {1, 1, 0, SL_XLAT_OK, 3, 10, 0},
	{1, 2, 0, SL_XLAT_OK, 3, 1, 0},   {1, 3, 0, SL_XLAT_OK, 3, 1, 0},
	{1, 4, 0, SL_XLAT_OK, 3, 3, 0},   {1, 5, 0, SL_XLAT_ICMP_CODE, 0, 0, 0},
	{1, 6, 0, SL_XLAT_ICMP_CODE, 0, 0, 0},
	{2, 0, 1400, SL_XLAT_OK, 3, 4, 1380}, /* PTB - 20 */
	{2, 0, 9000, SL_XLAT_OK, 3, 4, 1480}, /* mtu6 - 20 */
	{3, 0, 0, SL_XLAT_OK, 11, 0, 0},  {3, 1, 0, SL_XLAT_OK, 11, 1, 0},
	{3, 2, 0, SL_XLAT_ICMP_CODE, 0, 0, 0},
	{4, 0, 0, SL_XLAT_OK, 12, 0, 0u << 24},  {4, 0, 1, SL_XLAT_OK, 12, 0, 1u << 24},
	{4, 0, 2, SL_XLAT_PARAM_POINTER, 0, 0, 0}, {4, 0, 3, SL_XLAT_PARAM_POINTER, 0, 0, 0},
	{4, 0, 4, SL_XLAT_OK, 12, 0, 2u << 24},  {4, 0, 5, SL_XLAT_OK, 12, 0, 2u << 24},
	{4, 0, 6, SL_XLAT_OK, 12, 0, 9u << 24},  {4, 0, 7, SL_XLAT_OK, 12, 0, 8u << 24},
	{4, 0, 8, SL_XLAT_OK, 12, 0, 12u << 24}, {4, 0, 23, SL_XLAT_OK, 12, 0, 12u << 24},
	{4, 0, 24, SL_XLAT_OK, 12, 0, 16u << 24}, {4, 0, 39, SL_XLAT_OK, 12, 0, 16u << 24},
	{4, 0, 40, SL_XLAT_PARAM_POINTER, 0, 0, 0},
	{4, 1, 0, SL_XLAT_OK, 3, 2, 0},   {4, 2, 0, SL_XLAT_ICMP_CODE, 0, 0, 0},
	{4, 3, 0, SL_XLAT_ICMP_CODE, 0, 0, 0},
	{130, 0, 0, SL_XLAT_ICMP_TYPE, 0, 0, 0}, {133, 0, 0, SL_XLAT_ICMP_TYPE, 0, 0, 0},
	{135, 0, 0, SL_XLAT_ICMP_TYPE, 0, 0, 0}, {137, 0, 0, SL_XLAT_ICMP_TYPE, 0, 0, 0},
	{5, 0, 0, SL_XLAT_ICMP_TYPE, 0, 0, 0},   {200, 0, 0, SL_XLAT_ICMP_TYPE, 0, 0, 0},
};

/* RFC 7915 4.2 (and figure 3). Frag needed with MTU 0: the plateau below
 * the quoted 20 + 8 + 1100 bytes is 1006, + 20 = 1026, raised to IPv6's
 * minimum 1280 as every PTB the client gets (576 + 20 likewise). */
static const struct map_case cases4[] = {
	{3, 0, 0, SL_XLAT_OK, 1, 0, 0},   {3, 1, 0, SL_XLAT_OK, 1, 0, 0},
	{3, 2, 0, SL_XLAT_OK, 4, 1, 6},   {3, 3, 0, SL_XLAT_OK, 1, 4, 0},
	{3, 4, 1400, SL_XLAT_OK, 2, 0, 1420}, {3, 4, 1490, SL_XLAT_OK, 2, 0, 1500},
	{3, 4, 0, SL_XLAT_OK, 2, 0, 1280}, {3, 4, 576, SL_XLAT_OK, 2, 0, 1280},
	{3, 4, 1260, SL_XLAT_OK, 2, 0, 1280}, {3, 4, 1261, SL_XLAT_OK, 2, 0, 1281},
	{3, 5, 0, SL_XLAT_OK, 1, 0, 0},   {3, 6, 0, SL_XLAT_OK, 1, 0, 0},
	{3, 7, 0, SL_XLAT_OK, 1, 0, 0},   {3, 8, 0, SL_XLAT_OK, 1, 0, 0},
	{3, 9, 0, SL_XLAT_OK, 1, 1, 0},   {3, 10, 0, SL_XLAT_OK, 1, 1, 0},
	{3, 11, 0, SL_XLAT_OK, 1, 0, 0},  {3, 12, 0, SL_XLAT_OK, 1, 0, 0},
	{3, 13, 0, SL_XLAT_OK, 1, 1, 0},  {3, 14, 0, SL_XLAT_ICMP_CODE, 0, 0, 0},
	{3, 15, 0, SL_XLAT_OK, 1, 1, 0},  {3, 16, 0, SL_XLAT_ICMP_CODE, 0, 0, 0},
	{11, 0, 0, SL_XLAT_OK, 3, 0, 0},  {11, 1, 0, SL_XLAT_OK, 3, 1, 0},
	{12, 0, 0u << 24, SL_XLAT_OK, 4, 0, 0}, {12, 0, 1u << 24, SL_XLAT_OK, 4, 0, 1},
	{12, 0, 2u << 24, SL_XLAT_OK, 4, 0, 4}, {12, 0, 3u << 24, SL_XLAT_OK, 4, 0, 4},
	{12, 0, 4u << 24, SL_XLAT_PARAM_POINTER, 0, 0, 0},
	{12, 0, 7u << 24, SL_XLAT_PARAM_POINTER, 0, 0, 0},
	{12, 0, 8u << 24, SL_XLAT_OK, 4, 0, 7}, {12, 0, 9u << 24, SL_XLAT_OK, 4, 0, 6},
	{12, 0, 10u << 24, SL_XLAT_PARAM_POINTER, 0, 0, 0},
	{12, 0, 12u << 24, SL_XLAT_OK, 4, 0, 8}, {12, 0, 15u << 24, SL_XLAT_OK, 4, 0, 8},
	{12, 0, 16u << 24, SL_XLAT_OK, 4, 0, 24}, {12, 0, 19u << 24, SL_XLAT_OK, 4, 0, 24},
	{12, 0, 20u << 24, SL_XLAT_PARAM_POINTER, 0, 0, 0},
	{12, 2, 9u << 24, SL_XLAT_OK, 4, 0, 6}, {12, 1, 0, SL_XLAT_ICMP_CODE, 0, 0, 0},
	{4, 0, 0, SL_XLAT_ICMP_TYPE, 0, 0, 0},  {5, 0, 0, SL_XLAT_ICMP_TYPE, 0, 0, 0},
	{9, 0, 0, SL_XLAT_ICMP_TYPE, 0, 0, 0},  {10, 0, 0, SL_XLAT_ICMP_TYPE, 0, 0, 0},
	{13, 0, 0, SL_XLAT_ICMP_TYPE, 0, 0, 0}, {15, 0, 0, SL_XLAT_ICMP_TYPE, 0, 0, 0},
	{17, 0, 0, SL_XLAT_ICMP_TYPE, 0, 0, 0}, {6, 0, 0, SL_XLAT_ICMP_TYPE, 0, 0, 0},
};

static void test_errors_6to4(void **state)
{
	(void)state;
	struct sl_v4key k = k4_out(), inner = k4_back();
	for (unsigned i = 0; i < SL_ARRAY_SIZE(cases6); i++) {
		const struct map_case *c = &cases6[i];
		unsigned n = build_err6(c->type, c->code, c->word, SL_IPPROTO_TCP, 40);
		print_message("case %u: %u/%u\n", i, c->type, c->code);
		if (c->res != SL_XLAT_OK) {
			expect_refused6(n, c->res, &ctx);
			continue;
		}
		struct sl_nat64_buf b = at(n);
		assert_int_equal(sl_nat64_6to4(&b, &k, &inner, &ctx), SL_XLAT_OK);
		assert_ptr_equal(b.l3, l3 + 40); /* two headers 20 bytes shorter */
		assert_int_equal(b.len, n - 40);
		check_v4(b.l3, &k, SL_IPPROTO_ICMP, 63, 0, n - 40);
		const uint8_t *icmp = b.l3 + 20, *in = icmp + 8;
		assert_int_equal(icmp[0], c->out_type);
		assert_int_equal(icmp[1], c->out_code);
		assert_int_equal(fr_get32(icmp + 4), c->out_word);
		check_v4(in, &inner, SL_IPPROTO_TCP, 61, 0x28, 20 + 60);
		assert_int_equal(fr_get16(in + 20), 8080);
		assert_int_equal(fr_get16(in + 22), 40000);
	}
}

static void test_errors_4to6(void **state)
{
	(void)state;
	struct sl_v6key k = k6_back(), inner = k6_in();
	for (unsigned i = 0; i < SL_ARRAY_SIZE(cases4); i++) {
		const struct map_case *c = &cases4[i];
		unsigned n = build_err4(c->type, c->code, c->word, SL_IPPROTO_UDP, 1100);
		print_message("case %u: %u/%u\n", i, c->type, c->code);
		if (c->res != SL_XLAT_OK) {
			expect_refused4(n, c->res, &ctx);
			continue;
		}
		struct sl_nat64_buf b = at(n);
		assert_int_equal(sl_nat64_4to6(&b, &k, &inner, &ctx), SL_XLAT_OK);
		assert_ptr_equal(b.l3, l3 - 40);
		assert_int_equal(b.len, n + 40);
		check_v6(b.l3, &k, SL_IPPROTO_ICMPV6, 63, 0, n);
		const uint8_t *icmp = b.l3 + 40, *in = icmp + 8;
		assert_int_equal(icmp[0], c->out_type);
		assert_int_equal(icmp[1], c->out_code);
		assert_int_equal(fr_get32(icmp + 4), c->out_word);
		check_v6(in, &inner, SL_IPPROTO_UDP, 61, 0x28, 1108);
		assert_int_equal(fr_get16(in + 40), 5555);
		assert_int_equal(fr_get16(in + 42), 80);
	}
}

/* Echo quotes, a cut quote, and errors cut to the new family's minimum. */
static void test_error_quotes(void **state)
{
	(void)state;
	struct sl_v4key k = k4_out(), inner = k4_back();
	inner.sport = inner.dport = sl_htons(0x9c40);
	struct sl_nat64_buf b = at(build_err6(3, 0, 0, SL_IPPROTO_ICMPV6, 16));
	assert_int_equal(sl_nat64_6to4(&b, &k, &inner, &ctx), SL_XLAT_OK);
	check_v4(b.l3 + 28, &inner, SL_IPPROTO_ICMP, 61, 0x28, 20 + 24);
	assert_int_equal(b.l3[48], SL_ICMP_ECHO_REPLY);
	assert_int_equal(fr_get32(b.l3 + 52), 0x9c400002);

	struct sl_v6key k6 = k6_back(), inner6 = k6_in();
	inner6.sport = inner6.dport = sl_htons(0x0700);
	b = at(build_err4(11, 0, 0, SL_IPPROTO_ICMP, 16));
	assert_int_equal(sl_nat64_4to6(&b, &k6, &inner6, &ctx), SL_XLAT_OK);
	check_v6(b.l3 + 48, &inner6, SL_IPPROTO_ICMPV6, 61, 0x28, 24);
	assert_int_equal(b.l3[88], SL_ICMP6_ECHO_REQUEST);
	assert_int_equal(fr_get32(b.l3 + 92), 0x07000002);

	/* 4 -> 6: a 1400-byte error becomes exactly 1280 bytes. */
	b = at(build_err4(3, 3, 0, SL_IPPROTO_TCP, 1332));
	assert_int_equal(sl_nat64_4to6(&b, &k6, &inner6, &ctx), SL_XLAT_OK);
	assert_int_equal(b.len, 1280);
	assert_true(t6_l4_ok(b.l3));
	assert_int_equal(fr_get16(b.l3 + 48 + 4), 1352); /* quote says its length */
	/* 6 -> 4: cut to 576. */
	b = at(build_err6(1, 4, 0, SL_IPPROTO_TCP, 1000));
	assert_int_equal(sl_nat64_6to4(&b, &k, &inner, &ctx), SL_XLAT_OK);
	assert_int_equal(b.len, 576);
	assert_true(t4_ok(b.l3));

	/* The quote of a quote (sl_nat64_quote6/4) names the connection. */
	struct sl_v6key q6;
	uint8_t proto;
	build_err6(1, 4, 0, SL_IPPROTO_UDP, 4);
	assert_int_equal(sl_nat64_quote6(l3 + 40, 8 + 40 + 12, &q6, &proto), SL_XLAT_OK);
	assert_int_equal(proto, SL_IPPROTO_UDP);
	assert_memory_equal(q6.saddr, t6_vip, 16);
	assert_int_equal(sl_ntohs(q6.dport), 5555);
	struct sl_v4key q4;
	build_err4(3, 3, 0, SL_IPPROTO_ICMP, 0);
	assert_int_equal(sl_nat64_quote4(l3 + 20, 8 + 20 + 8, &q4, &proto), SL_XLAT_OK);
	assert_int_equal(proto, SL_IPPROTO_ICMP);
	assert_int_equal(sl_ntohs(q4.sport), 0x9c40);
	assert_int_equal(sl_ntohl(q4.daddr), T4_RS);
}

static void test_inner_refusals(void **state)
{
	(void)state;
	/* A quote cut inside its transport header. */
	unsigned n = build_err6(1, 4, 0, SL_IPPROTO_TCP, 0);
	fr_put16(l3 + 4, 8 + 40 + 4);
	t6_fix(l3);
	expect_refused6(40 + 8 + 40 + 4, SL_XLAT_INNER_TRUNCATED, &ctx);
	/* A quote whose header claims more than the quote holds: options
	 * past its end, an extension header after its last byte. */
	n = build_err4(3, 3, 0, SL_IPPROTO_UDP, 0);
	l3[28] = 0x4f;
	fr_put16(l3 + 30, 100);
	t4_fix(l3);
	expect_refused4(n, SL_XLAT_INNER_TRUNCATED, &ctx);
	build_err6(1, 4, 0, SL_IPPROTO_TCP, 0);
	l3[48 + 6] = SL_IPPROTO_DSTOPTS;
	fr_put16(l3 + 4, 8 + 40);
	t6_fix(l3);
	expect_refused6(40 + 8 + 40, SL_XLAT_INNER_TRUNCATED, &ctx);
	/* An error about an error. */
	n = build_err6(1, 4, 0, SL_IPPROTO_ICMPV6, 8);
	l3[88] = SL_ICMP6_DEST_UNREACH;
	t6_fix(l3);
	expect_refused6(n, SL_XLAT_INNER_ICMP_ERROR, &ctx);
	n = build_err4(3, 3, 0, SL_IPPROTO_ICMP, 8);
	l3[48] = SL_ICMP_TIME_EXCEEDED;
	t4_fix(l3);
	expect_refused4(n, SL_XLAT_INNER_ICMP_ERROR, &ctx);
	/* A quote of a later fragment, of another protocol, of IPv6. */
	n = build_err4(3, 3, 0, SL_IPPROTO_UDP, 8);
	fr_put16(l3 + 28 + 6, 100);
	t4_fix(l3);
	expect_refused4(n, SL_XLAT_INNER_FRAGMENT, &ctx);
	n = build_err4(3, 3, 0, SL_IPPROTO_UDP, 8);
	l3[28 + 9] = 132;
	t4_fix(l3);
	expect_refused4(n, SL_XLAT_INNER_PROTO, &ctx);
	n = build_err4(3, 3, 0, SL_IPPROTO_UDP, 8);
	l3[28] = 0x65;
	t4_fix(l3);
	expect_refused4(n, SL_XLAT_INNER_BAD, &ctx);
	n = build_err6(1, 4, 0, SL_IPPROTO_TCP, 0);
	l3[48] = 0x45;
	t6_fix(l3);
	expect_refused6(n, SL_XLAT_INNER_BAD, &ctx);
	/* An error's checksum is checked like any other. */
	n = build_err6(1, 4, 0, SL_IPPROTO_TCP, 0);
	l3[44] ^= 0x80;
	expect_refused6(n, SL_XLAT_BAD_CHECKSUM, &ctx);
	/* No headroom for the two longer headers of a 4 -> 6 error. */
	struct sl_v6key k = k6_back();
	struct sl_nat64_buf b = at(build_err4(3, 3, 0, SL_IPPROTO_UDP, 8));
	b.headroom = 39;
	assert_int_equal(sl_nat64_4to6(&b, &k, &k, &ctx), SL_XLAT_NO_HEADROOM);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_errors_6to4),
		cmocka_unit_test(test_errors_4to6),
		cmocka_unit_test(test_error_quotes),
		cmocka_unit_test(test_inner_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
