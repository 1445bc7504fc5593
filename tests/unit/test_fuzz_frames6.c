/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The packet fuzzer's IPv6 checksum fixer (fz_fix_csums6,
 * tests/fuzz/fuzz_frames6.c) makes sums that verify. fuzz_packet tells
 * the worker a fixed frame's checksums were verified by the NIC, so a
 * sum fixed wrong is forwarded as it is, and the fuzzer then blames
 * Sluice for it: the three packet-crash-* inputs of issue 18 were UDP
 * datagrams whose length field the fuzzer had shortened, summed to the
 * payload's end instead of the datagram's. Each frame here is held to
 * a sum laid out in this file (frames.h's byte-at-a-time reference, the
 * UDP length in the pseudo header, RFC 8200 8.1) and to the parse's
 * check, behind each extension header the fuzzer builds that the parse
 * lets through (none, hop-by-hop, destination options, routing with no
 * segments left).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "frames.h"
#include "fuzz_frames6.h"
#include "wire6.h"

#define IP6 SL_ETH_HLEN
#define UNITS 2 /* each option header 8 + 8 * UNITS bytes */

static const uint8_t CLIENT[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 5, [15] = 1};
static const uint8_t VIP[16] = {0x20, 0x01, 0x0d, 0xb8, [14] = 1, [15] = 0};

/* fz_spec6's chain byte: one header, of fuzz_frames6.c's type index. */
enum chain { NONE = 0, HOPOPTS = 1 | 0 << 2, ROUTING = 1 | 1 << 2, DSTOPTS = 1 | 2 << 2 };
static const enum chain chains[] = {NONE, HOPOPTS, DSTOPTS, ROUTING};

static uint32_t build(uint8_t *f, uint8_t proto, enum chain chain)
{
	struct fz_spec6 s;

	memset(&s, 0, sizeof(s));
	s.proto = proto;
	memcpy(s.src, CLIENT, 16);
	memcpy(s.dst, VIP, 16);
	s.sport = sl_htons(40000);
	s.dport = sl_htons(53);
	s.tcp_flags = SL_TCP_ACK;
	s.hop_limit = 64;
	s.seq = 1000;
	s.payload = 41;
	s.ext = (uint8_t)chain;
	s.ext_units = UNITS; /* bit 7 clear: a routing header's segments left 0 */
	return fz_build6(f, &s);
}

static unsigned l4_off(enum chain chain)
{
	return IP6 + SL_IPV6_HLEN + (chain == NONE ? 0 : 8 + 8 * UNITS);
}

/* The upper layer's sum over `n` bytes with its pseudo header, laid out
 * here byte by byte: RFC 8200 8.1, the length being UDP's own field for
 * UDP. */
static bool sum_ok(const uint8_t *f, unsigned off, unsigned n, uint8_t proto)
{
	uint8_t pseudo[40] = {0};

	memcpy(pseudo, f + IP6 + 8, 32);
	fr_put32(pseudo + 32, n);
	pseudo[39] = proto;
	return fr_ref_fold(fr_ref_sum(f + off, n, fr_ref_sum(pseudo, 40, 0))) == 0xffff;
}

static enum sl_drop parse(uint8_t *f, uint32_t len)
{
	struct sl_pkt pkt;

	return sl_parse(f, len, SL_PARSE_VERIFY_IP_CSUM | SL_PARSE_VERIFY_L4_CSUM, &pkt);
}

/* A UDP length field shorter than the payload (fz_mangle6's "UDP length
 * lies"), then the checksums fixed: the sum covers the datagram the
 * field gives, odd-sized here, and nothing after it. */
static void test_udp_short_length(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(chains) / sizeof(chains[0]); i++) {
		uint8_t f[FZ_FRAME_MAX];
		uint32_t len = build(f, SL_IPPROTO_UDP, chains[i]);
		unsigned off = l4_off(chains[i]);

		assert_int_equal(fr_get16(f + off + 4), 8 + 41);
		len = fz_mangle6(f, len, 5, 21); /* the length's low byte */
		assert_int_equal(fr_get16(f + off + 4), 21);
		fz_fix_csums6(f, len);
		assert_true(sum_ok(f, off, 21, SL_IPPROTO_UDP));
		assert_int_equal(parse(f, len), SL_DROP_NONE);
	}
}

/* Unmangled UDP and TCP, and TCP with bytes after the packet (padding
 * no length covers): the sums run to the payload's end. */
static void test_payload_sums(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(chains) / sizeof(chains[0]); i++) {
		uint8_t f[FZ_FRAME_MAX];
		unsigned off = l4_off(chains[i]);
		uint32_t len = build(f, SL_IPPROTO_UDP, chains[i]);

		assert_true(sum_ok(f, off, len - off, SL_IPPROTO_UDP));
		assert_int_equal(parse(f, len), SL_DROP_NONE);

		len = build(f, SL_IPPROTO_TCP, chains[i]);
		unsigned tcp_len = len - off;
		len = fz_mangle6(f, len, 6, 5);
		fr_put16(f + off + 16, 0x1234); /* spoilt, then fixed */
		fz_fix_csums6(f, len);
		assert_true(sum_ok(f, off, tcp_len, SL_IPPROTO_TCP));
		assert_int_equal(parse(f, len), SL_DROP_NONE);
	}
}

/* A UDP length past the payload is left as it is, as fz_fix_csums does
 * for IPv4: nothing could sum it, and the parse drops it first. */
static void test_udp_length_past_payload(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(chains) / sizeof(chains[0]); i++) {
		uint8_t f[FZ_FRAME_MAX], before[FZ_FRAME_MAX];
		uint32_t len = build(f, SL_IPPROTO_UDP, chains[i]);

		len = fz_mangle6(f, len, 5, 200);
		memcpy(before, f, len);
		fz_fix_csums6(f, len);
		assert_memory_equal(f, before, len);
		assert_int_equal(parse(f, len), SL_DROP_L4_TRUNCATED);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_udp_short_length),
		cmocka_unit_test(test_payload_sums),
		cmocka_unit_test(test_udp_length_past_payload),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
