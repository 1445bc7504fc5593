/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Full-NAT 6->6 rewrite (nat66.h): a client packet C:cp -> VIP:vp becomes
 * LIP:lp -> RS:rp and a server packet RS:rp -> LIP:lp becomes
 * VIP:vp -> C:cp, hop limit decremented, every TCP/UDP checksum
 * verifying by a from-scratch sum over the rewritten packet (frames.h's
 * byte-wise reference with the pseudo header laid out here byte by
 * byte), never by csum.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>

#include "frames.h"
#include "nat66.h"

#define VERIFY_ALL (SL_PARSE_VERIFY_IP_CSUM | SL_PARSE_VERIFY_L4_CSUM)
#define IP6 SL_ETH_HLEN
#define L4 (SL_ETH_HLEN + SL_IPV6_HLEN)

static const uint8_t C[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 0x0a};
static const uint8_t VIP[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 1, [14] = 1, [15] = 0};
static const uint8_t RS[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 2, [15] = 0x05};
static const uint8_t LIP[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 2, [14] = 2, [15] = 1};

static struct sl_v6key key(const uint8_t *s, const uint8_t *d, uint16_t sp, uint16_t dp)
{
	struct sl_v6key k;

	memcpy(k.saddr, s, 16);
	memcpy(k.daddr, d, 16);
	k.sport = sl_htons(sp);
	k.dport = sl_htons(dp);
	return k;
}

/* The L4 checksum of the frame's segment over its pseudo header, summed
 * from scratch: 0xffff when it verifies. */
static uint16_t ref_sum(const uint8_t *f)
{
	uint8_t ph[40] = {0};
	unsigned len = fr_get16(f + IP6 + 4);

	memcpy(ph, f + IP6 + 8, 32);
	fr_put16(ph + 34, (uint16_t)len);
	ph[39] = f[IP6 + 6];
	return fr_ref_fold(fr_ref_sum(f + L4, len, fr_ref_sum(ph, 40, 0)));
}

/* A frame keyed `k`, `payload` random bytes, checksum by the reference. */
static uint32_t build(uint8_t *f, uint8_t proto, const struct sl_v6key *k,
		      unsigned payload)
{
	unsigned hl = proto == SL_IPPROTO_TCP ? 20 : 8, len = hl + payload;
	unsigned csum_at = proto == SL_IPPROTO_TCP ? 16 : 6;

	memset(f, 0, L4 + len);
	memcpy(f, fr_mac_b, 6);
	memcpy(f + 6, fr_mac_a, 6);
	fr_put16(f + 12, SL_ETHERTYPE_IPV6);
	fr_put32(f + IP6, 0x60000000u);
	fr_put16(f + IP6 + 4, (uint16_t)len);
	f[IP6 + 6] = proto;
	f[IP6 + 7] = 64;
	memcpy(f + IP6 + 8, k->saddr, 16);
	memcpy(f + IP6 + 24, k->daddr, 16);
	memcpy(f + L4, &k->sport, 4);
	if (proto == SL_IPPROTO_TCP) {
		f[L4 + 12] = 5 << 4;
		f[L4 + 13] = SL_TCP_ACK;
	} else {
		fr_put16(f + L4 + 4, (uint16_t)len);
	}
	fr_fill_random(f + L4 + hl, payload);
	fr_put16(f + L4 + csum_at, 0);
	fr_put16(f + L4 + csum_at, (uint16_t)~ref_sum(f));
	if (fr_get16(f + L4 + csum_at) == 0)
		fr_put16(f + L4 + csum_at, 0xffff);
	return L4 + len;
}

/* Parse, rewrite to `to` with the delta `from` -> `to`, and check the
 * result field by field and by the reference sum. */
static void rewrite_and_check(uint8_t proto, const struct sl_v6key *from,
			      const struct sl_v6key *to, unsigned payload)
{
	uint8_t f[FR_MAX];
	struct sl_pkt pkt;
	uint32_t len = build(f, proto, from, payload);

	assert_int_equal(sl_parse(f, len, VERIFY_ALL, &pkt), SL_DROP_NONE);
	sl_nat66_rewrite(&pkt, to, sl_nat66_delta(from, to));
	assert_memory_equal(f + IP6 + 8, to->saddr, 16);
	assert_memory_equal(f + IP6 + 24, to->daddr, 16);
	assert_memory_equal(f + L4, &to->sport, 4);
	assert_int_equal(f[IP6 + 7], 63);
	assert_int_equal(ref_sum(f), 0xffff);
	/* And it parses again, checksum verified by the parser too. */
	assert_int_equal(sl_parse(f, len, VERIFY_ALL, &pkt), SL_DROP_NONE);
	assert_int_equal(pkt.key.sport, to->sport);
}

static void test_tcp_both_ways(void **state)
{
	(void)state;
	struct sl_v6key orig = key(C, VIP, 40000, 80);
	struct sl_v6key reply = key(RS, LIP, 8080, 5000);
	struct sl_v6key to_rs = sl_v6key_reverse(&reply);
	struct sl_v6key to_c = sl_v6key_reverse(&orig);

	rewrite_and_check(SL_IPPROTO_TCP, &orig, &to_rs, 100);
	rewrite_and_check(SL_IPPROTO_TCP, &reply, &to_c, 0);
}

static void test_udp_both_ways(void **state)
{
	(void)state;
	struct sl_v6key orig = key(C, VIP, 5353, 53);
	struct sl_v6key reply = key(RS, LIP, 53, 6001);
	struct sl_v6key to_rs = sl_v6key_reverse(&reply);
	struct sl_v6key to_c = sl_v6key_reverse(&orig);

	rewrite_and_check(SL_IPPROTO_UDP, &orig, &to_rs, 33);
	rewrite_and_check(SL_IPPROTO_UDP, &reply, &to_c, 512);
}

/* The reply direction applies the negated ORIG delta (how the worker
 * uses the one delta a connection keeps): the same as its own delta. */
static void test_negated_delta_is_reply_delta(void **state)
{
	(void)state;
	struct sl_v6key orig = key(C, VIP, 40000, 80);
	struct sl_v6key reply = key(RS, LIP, 8080, 5000);
	struct sl_v6key to_rs = sl_v6key_reverse(&reply);
	struct sl_v6key to_c = sl_v6key_reverse(&orig);
	uint8_t f[FR_MAX];
	struct sl_pkt pkt;
	uint32_t len = build(f, SL_IPPROTO_TCP, &reply, 40);

	assert_int_equal(sl_parse(f, len, VERIFY_ALL, &pkt), SL_DROP_NONE);
	sl_nat66_rewrite(&pkt, &to_c, sl_csum_negate(sl_nat66_delta(&orig, &to_rs)));
	assert_int_equal(ref_sum(f), 0xffff);
}

/* Random addresses, ports and payloads, both protocols: the checksum
 * always verifies, and a UDP checksum never becomes 0. */
/* A TCP segment whose checksum field holds 0 (as valid as 0xffff: the
 * rest sums to 0xffff) is rewritten like any other. */
static void test_tcp_zero_checksum(void **state)
{
	(void)state;
	struct sl_v6key orig = key(C, VIP, 40000, 80);
	struct sl_v6key reply = key(RS, LIP, 8080, 5000);
	uint8_t f[FR_MAX];
	struct sl_pkt pkt;
	uint32_t len = build(f, SL_IPPROTO_TCP, &orig, 64);
	uint16_t c = fr_get16(f + L4 + 16);
	uint32_t w = fr_get16(f + L4 + 20) + c;

	/* Fold the checksum into the first payload word: the sum without
	 * the field is then 0xffff, and the field's value 0. */
	fr_put16(f + L4 + 20, (uint16_t)(w + (w >> 16)));
	fr_put16(f + L4 + 16, 0);
	assert_int_equal(ref_sum(f), 0xffff);
	assert_int_equal(sl_parse(f, len, VERIFY_ALL, &pkt), SL_DROP_NONE);
	sl_nat66_rewrite(&pkt, &reply, sl_nat66_delta(&orig, &reply));
	assert_memory_equal(f + IP6 + 8, reply.saddr, 16);
	assert_int_equal(ref_sum(f), 0xffff);
}

static void test_random(void **state)
{
	(void)state;
	fr_seed(66);
	for (unsigned i = 0; i < 20000; i++) {
		struct sl_v6key from, to;
		fr_fill_random((uint8_t *)&from, sizeof(from));
		fr_fill_random((uint8_t *)&to, sizeof(to));
		/* Sources parse6 accepts: global unicast, not multicast. */
		from.saddr[0] = to.saddr[0] = 0x20;
		from.daddr[0] = to.daddr[0] = 0x20;
		from.sport |= 1, from.dport |= 1, to.sport |= 1, to.dport |= 1;
		uint8_t proto = (i & 1) ? SL_IPPROTO_UDP : SL_IPPROTO_TCP;
		rewrite_and_check(proto, &from, &to, fr_below(300));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcp_both_ways),
		cmocka_unit_test(test_udp_both_ways),
		cmocka_unit_test(test_negated_delta_is_reply_delta),
		cmocka_unit_test(test_tcp_zero_checksum),
		cmocka_unit_test(test_random),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
