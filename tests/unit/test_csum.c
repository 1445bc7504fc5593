/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Checksums: the full computation against a byte-at-a-time RFC 1071
 * reference, and every incremental update (RFC 1624) against "the header
 * still sums to 0xffff". Comparing sums rather than stored values is
 * deliberate: 0x0000 and 0xffff are both one's-complement zero, and an
 * incremental update may legitimately produce either.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>

#include "csum.h"
#include "frames.h"

#define ROUNDS 20000

/* Stored value (memory order) -> the value a big-endian reader sees. */
static uint16_t as_wire(uint16_t stored)
{
	uint8_t b[2];
	memcpy(b, &stored, 2);
	return fr_get16(b);
}

static void test_fold(void **state)
{
	(void)state;
	assert_int_equal(sl_csum_fold(0), 0);
	assert_int_equal(sl_csum_fold(0xffff), 0xffff);
	assert_int_equal(sl_csum_fold(0x10000), 1);
	assert_int_equal(sl_csum_fold(0x1fffe), 0xffff);
	assert_int_equal(sl_csum_fold(0x12345678), fr_ref_fold(0x12345678));
	/* 2^64 - 1 is a multiple of 0xffff: one's-complement zero. */
	assert_int_equal(sl_csum_fold(UINT64_MAX), 0xffff);
	for (int i = 0; i < ROUNDS; i++) {
		uint64_t v = fr_rand64() >> fr_below(64);
		assert_int_equal(sl_csum_fold(v), fr_ref_fold(v));
	}
}

/* sl_csum over random buffers, every length 0..1500, aligned or not, with
 * random initial sums: the same value as the reference, exactly. */
static void test_full_matches_reference(void **state)
{
	static uint8_t buf[1600];
	(void)state;

	fr_seed(1);
	for (unsigned len = 0; len <= 1500; len++) {
		for (unsigned off = 0; off < 4; off++) {
			uint8_t *p = buf + off;
			fr_fill_random(p, len);
			uint16_t got = sl_csum(p, len, 0);
			assert_int_equal(as_wire(got), fr_ref_csum(p, len, 0));
		}
	}
	/* All zeros and all ones: the edges of one's-complement zero. */
	memset(buf, 0, sizeof(buf));
	assert_int_equal(as_wire(sl_csum(buf, 100, 0)), 0xffff);
	memset(buf, 0xff, sizeof(buf));
	assert_int_equal(as_wire(sl_csum(buf, 100, 0)), fr_ref_csum(buf, 100, 0));
	assert_int_equal(as_wire(sl_csum(buf, 101, 0)), fr_ref_csum(buf, 101, 0));
}

/* sl_csum_partial accumulates across calls on even boundaries. */
static void test_partial_chains(void **state)
{
	uint8_t buf[512];
	(void)state;

	fr_seed(2);
	for (int i = 0; i < 2000; i++) {
		unsigned len = 2 + fr_below(510);
		unsigned cut = fr_below(len / 2 + 1) * 2;
		fr_fill_random(buf, len);
		uint64_t s = sl_csum_partial(buf, cut, 0);
		s = sl_csum_partial(buf + cut, len - cut, s);
		assert_int_equal(sl_csum_fold(s),
				 sl_csum_fold(sl_csum_partial(buf, len, 0)));
	}
}

/* The pseudo header sum equals summing the 12 pseudo header bytes. */
static void test_pseudo_header(void **state)
{
	uint8_t l4[300];
	(void)state;

	fr_seed(3);
	for (int i = 0; i < ROUNDS / 10; i++) {
		uint32_t sa = fr_rand32(), da = fr_rand32();
		uint8_t proto = (uint8_t)fr_rand32();
		uint16_t len = (uint16_t)fr_below(sizeof(l4) + 1);
		fr_fill_random(l4, len);

		uint64_t init = sl_csum_pseudo4(sl_htonl(sa), sl_htonl(da),
						proto, len);
		uint16_t got = sl_csum(l4, len, init);
		uint16_t want = fr_ref_csum(l4, len,
					    fr_ref_pseudo(sa, da, proto, len));
		assert_int_equal(as_wire(got), want);
	}
}

/* A random IPv4 header with a valid checksum; returns it in `ip`. */
static void random_ip_header(uint8_t ip[20])
{
	fr_fill_random(ip, 20);
	ip[0] = 0x45;
	fr_put16(ip + 10, 0);
	fr_put16(ip + 10, fr_ref_csum(ip, 20, 0));
}

static bool ip_header_ok(const uint8_t ip[20])
{
	return fr_ref_fold(fr_ref_sum(ip, 20, 0)) == 0xffff;
}

static uint16_t load16(const uint8_t *p)
{
	uint16_t v;
	memcpy(&v, p, 2);
	return v;
}

static uint32_t load32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

static void store16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static void store32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }

/* Rewriting both addresses with sl_csum_delta32 + sl_csum_apply keeps the
 * header valid, for many random headers and addresses. */
static void test_delta32_addresses(void **state)
{
	uint8_t ip[20];
	(void)state;

	fr_seed(4);
	for (int i = 0; i < ROUNDS * 5; i++) {
		random_ip_header(ip);
		uint32_t ns = fr_rand32(), nd = fr_rand32();
		if (i % 7 == 0)
			ns = load32(ip + 12); /* unchanged field: zero delta */
		uint32_t d = sl_csum_delta32(load32(ip + 12), ns) +
			     sl_csum_delta32(load32(ip + 16), nd);
		store32(ip + 12, ns);
		store32(ip + 16, nd);
		store16(ip + 10, sl_csum_apply(load16(ip + 10), sl_csum_fold(d)));
		assert_true(ip_header_ok(ip));
	}
}

/* An L4 segment with a pseudo header: rewrite addresses and ports (the
 * nat.h pattern) and check the segment against full recomputation. */
static void test_delta16_ports(void **state)
{
	uint8_t seg[64];
	(void)state;

	fr_seed(5);
	for (int i = 0; i < ROUNDS * 5; i++) {
		uint32_t sa = fr_rand32(), da = fr_rand32();
		fr_fill_random(seg, sizeof(seg));
		fr_put16(seg + 16, 0);
		uint64_t ps = fr_ref_pseudo(sa, da, SL_IPPROTO_TCP, sizeof(seg));
		fr_put16(seg + 16, fr_ref_csum(seg, sizeof(seg), ps));

		uint32_t nsa = fr_rand32(), nda = fr_rand32();
		uint16_t nsp = (uint16_t)fr_rand32(), ndp = (uint16_t)fr_rand32();
		uint64_t d = (uint64_t)sl_csum_delta32(sl_htonl(sa), sl_htonl(nsa)) +
			     sl_csum_delta32(sl_htonl(da), sl_htonl(nda)) +
			     sl_csum_delta16(load16(seg), sl_htons(nsp)) +
			     sl_csum_delta16(load16(seg + 2), sl_htons(ndp));
		store16(seg, sl_htons(nsp));
		store16(seg + 2, sl_htons(ndp));
		store16(seg + 16, sl_csum_apply(load16(seg + 16), sl_csum_fold(d)));

		uint64_t nps = fr_ref_pseudo(nsa, nda, SL_IPPROTO_TCP, sizeof(seg));
		assert_int_equal(fr_ref_fold(fr_ref_sum(seg, sizeof(seg), nps)),
				 0xffff);
	}
}

/* Applying a delta and then its negation, with the fields put back,
 * leaves a valid header: one delta serves both directions. */
static void test_negate_undoes(void **state)
{
	uint8_t ip[20], orig[20];
	(void)state;

	fr_seed(6);
	for (int i = 0; i < ROUNDS * 5; i++) {
		random_ip_header(ip);
		memcpy(orig, ip, 20);
		uint32_t ns = fr_rand32(), nd = fr_rand32();
		uint16_t d = sl_csum_fold(sl_csum_delta32(load32(ip + 12), ns) +
					  sl_csum_delta32(load32(ip + 16), nd));
		store32(ip + 12, ns);
		store32(ip + 16, nd);
		store16(ip + 10, sl_csum_apply(load16(ip + 10), d));
		assert_true(ip_header_ok(ip));

		memcpy(ip + 12, orig + 12, 8);
		store16(ip + 10, sl_csum_apply(load16(ip + 10), sl_csum_negate(d)));
		assert_true(ip_header_ok(ip));
		/* Back to the same one's-complement value as before. */
		assert_int_equal(load16(ip + 10) % 0xffff,
				 load16(orig + 10) % 0xffff);
	}
}

/* A zero delta (fields rewritten to themselves) keeps a valid header. */
static void test_zero_delta(void **state)
{
	uint8_t ip[20];
	(void)state;

	fr_seed(7);
	for (int i = 0; i < 1000; i++) {
		random_ip_header(ip);
		uint32_t a = load32(ip + 12);
		uint16_t d = sl_csum_fold(sl_csum_delta32(a, a));
		store16(ip + 10, sl_csum_apply(load16(ip + 10), d));
		assert_true(ip_header_ok(ip));
		store16(ip + 10, sl_csum_apply(load16(ip + 10), sl_csum_negate(d)));
		assert_true(ip_header_ok(ip));
	}
}

/* TTL decrement through SL_CSUM_TTL_DEC, alone and folded together with
 * an address delta as nat.h does. */
static void test_ttl_decrement(void **state)
{
	uint8_t ip[20];
	(void)state;

	fr_seed(8);
	for (int i = 0; i < ROUNDS * 5; i++) {
		random_ip_header(ip);
		if (ip[8] == 0) {
			ip[8] = 1;
			fr_put16(ip + 10, 0);
			fr_put16(ip + 10, fr_ref_csum(ip, 20, 0));
		}
		ip[8]--;
		store16(ip + 10, sl_csum_apply(load16(ip + 10), SL_CSUM_TTL_DEC));
		assert_true(ip_header_ok(ip));
	}

	for (int i = 0; i < ROUNDS * 5; i++) {
		random_ip_header(ip);
		ip[8] = (uint8_t)(2 + fr_below(254));
		fr_put16(ip + 10, 0);
		fr_put16(ip + 10, fr_ref_csum(ip, 20, 0));

		uint32_t ns = fr_rand32(), nd = fr_rand32();
		uint32_t d = sl_csum_delta32(load32(ip + 12), ns) +
			     sl_csum_delta32(load32(ip + 16), nd);
		store32(ip + 12, ns);
		store32(ip + 16, nd);
		ip[8]--;
		uint16_t both = sl_csum_fold((uint32_t)sl_csum_fold(d) + SL_CSUM_TTL_DEC);
		store16(ip + 10, sl_csum_apply(load16(ip + 10), both));
		assert_true(ip_header_ok(ip));
	}
}

/* Reference for applying deltas: the one's-complement sum folded until no
 * carry is left, however many folds that takes. */
static uint16_t ref_apply(uint16_t csum, uint16_t d1, uint16_t d2)
{
	uint32_t sum = (uint32_t)(uint16_t)~csum + d1 + d2;

	while (sum >> 16)
		sum = (sum & 0xffffu) + (sum >> 16);
	return (uint16_t)~sum;
}

/* sl_csum_apply2 and sl_csum_apply over every stored checksum, against
 * deltas that include the carries' edges (0, 1, 0xfffe, 0xffff): three
 * terms can sum to 0x1ffff, which one fold turns into 0x10000. */
static void test_apply_sweep(void **state)
{
	static const uint16_t edge[] = {0, 1, 2, 0x7fff, 0x8000, 0xfeff,
					0xfffd, 0xfffe, 0xffff, SL_CSUM_TTL_DEC};
	(void)state;

	for (uint32_t c = 0; c <= 0xffff; c++) {
		for (unsigned i = 0; i < sizeof(edge) / sizeof(edge[0]); i++) {
			uint16_t d1 = edge[i];
			assert_int_equal(sl_csum_apply((uint16_t)c, d1),
					 ref_apply((uint16_t)c, d1, 0));
			for (unsigned j = 0; j < sizeof(edge) / sizeof(edge[0]); j++)
				assert_int_equal(sl_csum_apply2((uint16_t)c, d1, edge[j]),
						 ref_apply((uint16_t)c, d1, edge[j]));
			/* And a spread of other deltas with the TTL's. */
			uint16_t d = (uint16_t)(c * 40503u + i * 977u);
			assert_int_equal(sl_csum_apply2((uint16_t)c, d, SL_CSUM_TTL_DEC),
					 ref_apply((uint16_t)c, d, SL_CSUM_TTL_DEC));
		}
	}
}

/* What the NAT rewrite does to one flow direction, for every IP ID: the
 * addresses change by a fixed delta and TTL drops by one, the checksum is
 * updated with sl_csum_apply2 (as nat.h does), and the header must still
 * sum right. One ID in 65,536 used to come out 0xffff for 0xfffe. */
static void test_apply2_every_ip_id(void **state)
{
	uint8_t ip[20];
	unsigned bad = 0;
	(void)state;

	fr_seed(11);
	for (int flow = 0; flow < 4; flow++) {
		random_ip_header(ip);
		uint32_t ns = fr_rand32(), nd = fr_rand32();
		uint32_t os = load32(ip + 12), od = load32(ip + 16);
		uint16_t d3 = sl_csum_fold(sl_csum_delta32(os, ns) +
					   sl_csum_delta32(od, nd));
		for (uint32_t id = 0; id <= 0xffff; id++) {
			store32(ip + 12, os);
			store32(ip + 16, od);
			fr_put16(ip + 4, (uint16_t)id);
			ip[8] = 64;
			fr_put16(ip + 10, 0);
			fr_put16(ip + 10, fr_ref_csum(ip, 20, 0));
			store32(ip + 12, ns);
			store32(ip + 16, nd);
			ip[8]--;
			store16(ip + 10, sl_csum_apply2(load16(ip + 10), d3,
							SL_CSUM_TTL_DEC));
			bad += !ip_header_ok(ip);
		}
	}
	assert_int_equal(bad, 0);
}

/* Hand-checked example from RFC 1071 section 3: bytes 00 01 f2 03 f4 f5
 * f6 f7 sum to ddf2 (before complement). */
static void test_rfc1071_example(void **state)
{
	const uint8_t b[8] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
	(void)state;
	assert_int_equal(as_wire(sl_csum(b, sizeof(b), 0)), (uint16_t)~0xddf2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fold),
		cmocka_unit_test(test_rfc1071_example),
		cmocka_unit_test(test_full_matches_reference),
		cmocka_unit_test(test_partial_chains),
		cmocka_unit_test(test_pseudo_header),
		cmocka_unit_test(test_delta32_addresses),
		cmocka_unit_test(test_delta16_ports),
		cmocka_unit_test(test_negate_undoes),
		cmocka_unit_test(test_zero_delta),
		cmocka_unit_test(test_ttl_decrement),
		cmocka_unit_test(test_apply_sweep),
		cmocka_unit_test(test_apply2_every_ip_id),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
