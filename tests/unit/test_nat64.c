/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NAT64 (RFC 7915) on hand-built packets: TCP, UDP and echo both ways,
 * extension headers, the refusals by name, and the MSS clamp
 * (test_nat64_errors.c has the ICMP errors). Every checksum is judged by
 * the byte-at-a-time reference of frames.h; headers are read back byte
 * by byte.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>

#include "drop.h"
#include "nat64_fixture.h"

static void test_tcp_udp_6to4(void **state)
{
	(void)state;
	for (uint8_t proto = SL_IPPROTO_TCP; proto; proto = proto == SL_IPPROTO_TCP ? SL_IPPROTO_UDP : 0) {
		struct sl_v4key k = k4_out();
		unsigned n = build6(proto, 101, 64);
		struct sl_nat64_buf b = at(n);
		assert_int_equal(sl_nat64_6to4(&b, &k, NULL, &ctx), SL_XLAT_OK);
		assert_ptr_equal(b.l3, l3 + 20);
		assert_int_equal(b.len, n - 20);
		assert_int_equal(b.headroom, ROOM + 20);
		check_v4(b.l3, &k, proto, 63, 0xb8, n - 20);
		assert_int_equal(fr_get16(b.l3 + 4), sl_ntohs(ctx.ip_id));
		assert_int_equal(fr_get16(b.l3 + 6), 0); /* <= 1260: no DF */
		assert_int_equal(fr_get16(b.l3 + 20), 40000);
		assert_int_equal(fr_get16(b.l3 + 22), 8080);
	}
	/* Over 1260 bytes: DF (RFC 7915 5.1). */
	struct sl_v4key k = k4_out();
	struct sl_nat64_buf b = at(build6(SL_IPPROTO_TCP, 1300, 64));
	assert_int_equal(sl_nat64_6to4(&b, &k, NULL, &ctx), SL_XLAT_OK);
	assert_int_equal(fr_get16(b.l3 + 6), SL_IP_DF);
	assert_true(t4_ok(b.l3));
}

static void test_tcp_udp_4to6(void **state)
{
	(void)state;
	for (int zero = 0; zero < 3; zero++) {
		uint8_t proto = zero == 0 ? SL_IPPROTO_TCP : SL_IPPROTO_UDP;
		struct sl_v6key k = k6_back();
		unsigned n = build4(proto, 333, 9, SL_IP_DF);
		if (zero == 2) /* IPv4 UDP without a checksum gets one */
			fr_put16(l3 + 20 + 6, 0);
		struct sl_nat64_buf b = at(n);
		assert_int_equal(sl_nat64_4to6(&b, &k, NULL, &ctx), SL_XLAT_OK);
		assert_ptr_equal(b.l3, l3 - 20);
		assert_int_equal(b.len, n + 20);
		assert_int_equal(b.headroom, ROOM - 20);
		check_v6(b.l3, &k, proto, 8, 0x48, n - 20);
		assert_int_equal(fr_get16(b.l3 + 40), 80);
		assert_int_equal(fr_get16(b.l3 + 42), 5555);
	}
}

static void test_echo(void **state)
{
	(void)state;
	struct sl_v4key k = k4_out();
	k.sport = k.dport = sl_htons(0x9c40);
	struct sl_nat64_buf b = at(build6(SL_IPPROTO_ICMPV6, 31, 64));
	assert_int_equal(sl_nat64_6to4(&b, &k, NULL, &ctx), SL_XLAT_OK);
	check_v4(b.l3, &k, SL_IPPROTO_ICMP, 63, 0xb8, 20 + 8 + 31);
	assert_int_equal(b.l3[20], SL_ICMP_ECHO_REQUEST);
	assert_int_equal(fr_get32(b.l3 + 24), 0x9c400001); /* id, seq kept */

	struct sl_v6key k6 = k6_back();
	k6.sport = k6.dport = sl_htons(0x0700);
	b = at(build4(SL_IPPROTO_ICMP, 31, 64, 0));
	assert_int_equal(sl_nat64_4to6(&b, &k6, NULL, &ctx), SL_XLAT_OK);
	check_v6(b.l3, &k6, SL_IPPROTO_ICMPV6, 63, 0x48, 8 + 31);
	assert_int_equal(b.l3[40], SL_ICMP6_ECHO_REPLY);
	assert_int_equal(fr_get32(b.l3 + 44), 0x07000001);
}

static void test_refusals(void **state)
{
	(void)state;
	struct sl_nat64_ctx small = ctx;
	small.mtu4 = 576;
	small.mtu6 = 1280;
	unsigned n = build6(SL_IPPROTO_TCP, 20, 64);
	l3[60] ^= 1; /* payload byte: the checksum no longer holds */
	expect_refused6(n, SL_XLAT_BAD_CHECKSUM, &ctx);
	expect_refused6(build6(SL_IPPROTO_TCP, 20, 1), SL_XLAT_HOP_LIMIT, &ctx);
	expect_refused6(build6(SL_IPPROTO_TCP, 600, 64), SL_XLAT_TOO_BIG, &small);
	expect_refused6(build6(SL_IPPROTO_TCP, 20, 64) - 1, SL_XLAT_TRUNCATED, &ctx);
	n = build6(SL_IPPROTO_TCP, 20, 64);
	l3[6] = 132; /* SCTP */
	expect_refused6(n, SL_XLAT_UNKNOWN_PROTO, &ctx);
	l3[0] = 0x40;
	expect_refused6(n, SL_XLAT_BAD_HEADER, &ctx);

	n = build4(SL_IPPROTO_UDP, 20, 64, 0);
	l3[30] ^= 1;
	expect_refused4(n, SL_XLAT_BAD_CHECKSUM, &ctx);
	expect_refused4(build4(SL_IPPROTO_UDP, 20, 1, 0), SL_XLAT_HOP_LIMIT, &ctx);
	expect_refused4(build4(SL_IPPROTO_TCP, 1300, 64, SL_IP_DF), SL_XLAT_TOO_BIG, &small);
	expect_refused4(build4(SL_IPPROTO_TCP, 1300, 64, 0), SL_XLAT_NEEDS_FRAGMENTING, &small);
	expect_refused4(build4(SL_IPPROTO_TCP, 20, 64, SL_IP_MF), SL_XLAT_FRAGMENT, &ctx);
	expect_refused4(build4(SL_IPPROTO_TCP, 20, 64, 0) - 1, SL_XLAT_TRUNCATED, &ctx);
	/* No headroom for the longer header. */
	struct sl_v6key k = k6_back();
	struct sl_nat64_buf b = at(build4(SL_IPPROTO_TCP, 20, 64, 0));
	b.headroom = 19;
	assert_int_equal(sl_nat64_4to6(&b, &k, NULL, &ctx), SL_XLAT_NO_HEADROOM);
	/* Informational ICMP with no counterpart. */
	n = build4(SL_IPPROTO_ICMP, 8, 64, 0);
	l3[20] = 13; /* timestamp */
	t4_fix(l3);
	expect_refused4(n, SL_XLAT_ICMP_TYPE, &ctx);
}

/* Hop-by-hop and destination options are skipped (RFC 7915 5.1); a
 * routing header with segments left, a fragment header and a long chain
 * are refused. */
static void test_ext_headers(void **state)
{
	(void)state;
	static const uint8_t chain[][3] = {
		{SL_IPPROTO_HOPOPTS, SL_IPPROTO_DSTOPTS, SL_XLAT_OK},
		{SL_IPPROTO_ROUTING, SL_IPPROTO_ROUTING, SL_XLAT_EXT_HEADERS},
		{SL_IPPROTO_HOPOPTS, SL_IPPROTO_FRAGMENT, SL_XLAT_FRAGMENT},
	};
	for (unsigned i = 0; i < SL_ARRAY_SIZE(chain); i++) {
		uint8_t *e = l3 + SL_IPV6_HLEN;
		unsigned n = t_put_tcp(e + 16, 5555, 80, SL_TCP_SYN, 10);
		memset(e, 0, 16);
		e[0] = chain[i][1];
		e[8] = SL_IPPROTO_TCP;
		e[11] = 1; /* routing: one segment left */
		t6_put_hdr(l3, t6_client, t6_vip, chain[i][0], 64, 0, 16 + n);
		uint8_t *l4 = e + 16;
		fr_put16(l4 + 16, fr_ref_csum(l4, n, t6_ref_pseudo(t6_client, t6_vip, 6, n)));
		if (chain[i][2] != SL_XLAT_OK) {
			expect_refused6(56 + n, chain[i][2], &ctx);
			continue;
		}
		struct sl_v4key k = k4_out();
		struct sl_nat64_buf b = at(56 + n);
		assert_int_equal(sl_nat64_6to4(&b, &k, NULL, &ctx), SL_XLAT_OK);
		assert_ptr_equal(b.l3, l4 - 20);
		check_v4(b.l3, &k, SL_IPPROTO_TCP, 63, 0, 20 + n);
	}
	/* Five options headers: longer than any real chain. */
	for (unsigned i = 0; i < 5; i++) {
		memset(l3 + 40 + 8 * i, 0, 8);
		l3[40 + 8 * i] = i < 4 ? SL_IPPROTO_DSTOPTS : SL_IPPROTO_TCP;
	}
	unsigned n = t_put_tcp(l3 + 80, 1, 2, SL_TCP_SYN, 0);
	t6_put_hdr(l3, t6_client, t6_vip, SL_IPPROTO_DSTOPTS, 64, 0, 40 + n);
	expect_refused6(80 + n, SL_XLAT_EXT_HEADERS, &ctx);
}

/* A SYN's MSS: min(mtu4 - 40, mtu6 - 60); at an even and an odd place. */
static void test_mss_clamp(void **state)
{
	(void)state;
	uint8_t *tcp = l3 + 20;
	for (unsigned odd = 0; odd < 2; odd++) {
		unsigned n = t_put_tcp(tcp, 1, 2, SL_TCP_SYN, 0);
		uint8_t opts[8] = {1, 1, 1, 1, 1, 1, 1, 1};
		memcpy(opts + odd, (uint8_t[]){2, 4, 0x05, 0xb4}, 4); /* 1460 */
		memcpy(tcp + 20, opts, 8);
		tcp[12] = 7 << 4;
		n += 8;
		t4_put_hdr(l3, T4_RS, T4_LIP, SL_IPPROTO_TCP, 64, 0, 20 + n, 0);
		t4_fix(l3);
		assert_true(sl_nat64_mss_clamp(tcp, n, 1500, 1500));
		assert_int_equal(fr_get16(tcp + 22 + odd), 1440);
		assert_true(t4_ok(l3));
		assert_false(sl_nat64_mss_clamp(tcp, n, 1500, 1500)); /* already */
		assert_true(sl_nat64_mss_clamp(tcp, n, 1280, 1500));
		assert_int_equal(fr_get16(tcp + 22 + odd), 1240);
		assert_true(t4_ok(l3));
		tcp[13] = SL_TCP_ACK; /* only a SYN */
		assert_false(sl_nat64_mss_clamp(tcp, n, 576, 1280));
	}
}

static void test_names(void **state)
{
	(void)state;
	for (unsigned i = 0; i < SL_XLAT_MAX; i++) {
		assert_non_null(sl_xlat_name(i));
		for (unsigned j = 0; j < i; j++)
			assert_string_not_equal(sl_xlat_name(i), sl_xlat_name(j));
	}
	assert_string_equal(sl_xlat_name(SL_XLAT_MAX), "xlat_unknown");
	/* The workers count refusal r as drop XLAT_TRUNCATED + (r -
	 * TRUNCATED) (worker_nat64.c): drop.h's names are these, in order. */
	for (unsigned r = SL_XLAT_TRUNCATED; r < SL_XLAT_MAX; r++)
		assert_string_equal(sl_drop_name((enum sl_drop)(SL_DROP_XLAT_TRUNCATED +
								(r - SL_XLAT_TRUNCATED))),
				    sl_xlat_name(r));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcp_udp_6to4),
		cmocka_unit_test(test_tcp_udp_4to6),
		cmocka_unit_test(test_echo),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_ext_headers),
		cmocka_unit_test(test_mss_clamp),
		cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
