/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Full-NAT rewrite (nat.h): a client packet C:cp -> VIP:vp becomes
 * LIP:lp -> RS:rp and a server packet RS:rp -> LIP:lp becomes
 * VIP:vp -> C:cp, with the TTL decremented and every checksum still
 * verifying by full recomputation (frames.h's reference, not csum.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>

#include "frames.h"
#include "nat.h"

#define VERIFY_ALL (SL_PARSE_VERIFY_IP_CSUM | SL_PARSE_VERIFY_L4_CSUM)

/* One connection's addresses, host order. */
struct tuple {
	uint32_t c, vip, rs, lip;
	uint16_t cp, vp, rp, lp;
};

static const struct tuple base = {
	.c = 0xc612000a, .vip = 0xc6120101, .rs = 0xc6130005, .lip = 0xc6120201,
	.cp = 40000, .vp = 80, .rp = 8080, .lp = 5000,
};

static struct sl_v4key mkkey(uint32_t sa, uint32_t da, uint16_t sp, uint16_t dp)
{
	struct sl_v4key k = {sl_htonl(sa), sl_htonl(da), sl_htons(sp), sl_htons(dp)};
	return k;
}

static void make_conn(struct sl_conn *c, const struct tuple *t, uint8_t proto)
{
	memset(c, 0, sizeof(*c));
	c->proto = proto;
	c->key[SL_DIR_ORIG] = mkkey(t->c, t->vip, t->cp, t->vp);
	c->key[SL_DIR_REPLY] = mkkey(t->rs, t->lip, t->rp, t->lp);
	sl_nat_prepare(c);
}

/* A frame as the client (ORIG) or the server (REPLY) sends it. */
static uint32_t make_frame(uint8_t *f, const struct tuple *t, uint8_t proto,
			   enum sl_dir dir, uint8_t ttl, uint16_t payload)
{
	struct fr_spec s = fr_default(proto);
	if (dir == SL_DIR_ORIG) {
		s.saddr = t->c, s.daddr = t->vip, s.sport = t->cp, s.dport = t->vp;
	} else {
		s.saddr = t->rs, s.daddr = t->lip, s.sport = t->rp, s.dport = t->lp;
	}
	s.ttl = ttl;
	s.payload = payload;
	s.tcp_flags = SL_TCP_ACK | SL_TCP_PSH;
	return fr_build(f, &s);
}

/* Rewrite a frame of direction `dir` and check everything about it. */
static void rewrite_and_check(uint8_t *f, uint32_t len, const struct sl_conn *c,
			      const struct tuple *t, enum sl_dir dir)
{
	struct sl_pkt pkt;
	uint8_t before[FR_MAX];

	memcpy(before, f, len);
	assert_int_equal(sl_parse(f, len, VERIFY_ALL, &pkt), SL_DROP_NONE);
	uint8_t ttl = pkt.ip->ttl;
	bool udp_none = pkt.proto == SL_IPPROTO_UDP &&
			fr_get16(f + FR_L4_OFF + 6) == 0;

	sl_nat_rewrite(&pkt, c, dir);

	/* Addresses and ports: the reverse of the other direction's key. */
	uint32_t sa = dir == SL_DIR_ORIG ? t->lip : t->vip;
	uint32_t da = dir == SL_DIR_ORIG ? t->rs : t->c;
	uint16_t sp = dir == SL_DIR_ORIG ? t->lp : t->vp;
	uint16_t dp = dir == SL_DIR_ORIG ? t->rp : t->cp;
	assert_int_equal(fr_get32(f + FR_IP_OFF + 12), sa);
	assert_int_equal(fr_get32(f + FR_IP_OFF + 16), da);
	assert_int_equal(fr_get16(f + FR_L4_OFF), sp);
	assert_int_equal(fr_get16(f + FR_L4_OFF + 2), dp);
	assert_int_equal(f[FR_IP_OFF + 8], ttl - 1);
	struct sl_v4key want = mkkey(sa, da, sp, dp);
	assert_true(sl_v4key_eq(&pkt.key, &want));

	/* Checksums verify by full recomputation. */
	assert_true(fr_ip_ok(f));
	assert_true(fr_l4_ok(f));
	if (udp_none)
		assert_int_equal(fr_get16(f + FR_L4_OFF + 6), 0);
	else if (pkt.proto == SL_IPPROTO_UDP)
		assert_int_not_equal(fr_get16(f + FR_L4_OFF + 6), 0);

	/* Nothing else changed: MACs, the rest of the IP header, the L4
	 * header past the ports (but its checksum), the payload. */
	assert_memory_equal(f, before, FR_IP_OFF);
	assert_memory_equal(f + FR_IP_OFF, before + FR_IP_OFF, 8);
	assert_int_equal(f[FR_IP_OFF + 9], before[FR_IP_OFF + 9]);
	unsigned cs = FR_L4_OFF + fr_csum_off(pkt.proto);
	assert_memory_equal(f + FR_L4_OFF + 4, before + FR_L4_OFF + 4,
			    cs - (FR_L4_OFF + 4));
	assert_memory_equal(f + cs + 2, before + cs + 2, len - (cs + 2));

	/* And the result parses clean with the new key. */
	struct sl_pkt again;
	assert_int_equal(sl_parse(f, len, VERIFY_ALL, &again), SL_DROP_NONE);
	assert_true(sl_v4key_eq(&again.key, &want));
	assert_int_equal(again.hash, sl_flow_hash(&want, again.proto));
}

static void test_tcp_orig(void **state)
{
	uint8_t f[FR_MAX];
	struct sl_conn c;
	(void)state;

	make_conn(&c, &base, SL_IPPROTO_TCP);
	uint32_t len = make_frame(f, &base, SL_IPPROTO_TCP, SL_DIR_ORIG, 64, 100);
	rewrite_and_check(f, len, &c, &base, SL_DIR_ORIG);
	assert_int_equal(f[FR_IP_OFF + 8], 63);
}

static void test_tcp_reply(void **state)
{
	uint8_t f[FR_MAX];
	struct sl_conn c;
	(void)state;

	make_conn(&c, &base, SL_IPPROTO_TCP);
	uint32_t len = make_frame(f, &base, SL_IPPROTO_TCP, SL_DIR_REPLY, 64, 1400);
	rewrite_and_check(f, len, &c, &base, SL_DIR_REPLY);
}

static void test_udp_both(void **state)
{
	uint8_t f[FR_MAX];
	struct sl_conn c;
	(void)state;

	make_conn(&c, &base, SL_IPPROTO_UDP);
	uint32_t len = make_frame(f, &base, SL_IPPROTO_UDP, SL_DIR_ORIG, 2, 33);
	rewrite_and_check(f, len, &c, &base, SL_DIR_ORIG);
	assert_int_equal(f[FR_IP_OFF + 8], 1);
	len = make_frame(f, &base, SL_IPPROTO_UDP, SL_DIR_REPLY, 255, 0);
	rewrite_and_check(f, len, &c, &base, SL_DIR_REPLY);
}

/* A UDP datagram sent without a checksum keeps having none. */
static void test_udp_zero_csum_stays_zero(void **state)
{
	uint8_t f[FR_MAX];
	struct sl_conn c;
	(void)state;

	make_conn(&c, &base, SL_IPPROTO_UDP);
	for (int d = SL_DIR_ORIG; d <= SL_DIR_REPLY; d++) {
		struct fr_spec s = fr_default(SL_IPPROTO_UDP);
		if (d == SL_DIR_ORIG) {
			s.saddr = base.c, s.daddr = base.vip;
			s.sport = base.cp, s.dport = base.vp;
		} else {
			s.saddr = base.rs, s.daddr = base.lip;
			s.sport = base.rp, s.dport = base.lp;
		}
		s.zero_udp_csum = 1;
		uint32_t len = fr_build(f, &s);
		rewrite_and_check(f, len, &c, &base, (enum sl_dir)d);
		assert_int_equal(fr_get16(f + FR_L4_OFF + 6), 0);
	}
}

/* A rewrite whose UDP checksum comes out as zero must send 0xffff, since
 * zero on the wire means "no checksum" (RFC 768). The payload is chosen so
 * the translated datagram's checksum is exactly that case. */
static void test_udp_csum_never_becomes_zero(void **state)
{
	uint8_t f[FR_MAX];
	struct sl_conn c;
	(void)state;

	make_conn(&c, &base, SL_IPPROTO_UDP);
	for (int d = SL_DIR_ORIG; d <= SL_DIR_REPLY; d++) {
		enum sl_dir dir = (enum sl_dir)d;
		uint32_t len = make_frame(f, &base, SL_IPPROTO_UDP, dir, 64, 8);
		uint8_t *udp = f + FR_L4_OFF;

		/* Sum of the translated datagram with checksum and the first
		 * payload word at 0; pick that word so the sum is 0xffff. */
		uint32_t sa = dir == SL_DIR_ORIG ? base.lip : base.vip;
		uint32_t da = dir == SL_DIR_ORIG ? base.rs : base.c;
		uint8_t tmp[16];
		memcpy(tmp, udp, 16);
		fr_put16(tmp, dir == SL_DIR_ORIG ? base.lp : base.vp);
		fr_put16(tmp + 2, dir == SL_DIR_ORIG ? base.rp : base.cp);
		fr_put16(tmp + 6, 0);
		fr_put16(tmp + 8, 0);
		uint16_t s = fr_ref_fold(fr_ref_sum(tmp, 16,
					fr_ref_pseudo(sa, da, SL_IPPROTO_UDP, 16)));
		fr_put16(udp + 8, (uint16_t)(0xffff - s));
		fr_fix_l4(f);

		rewrite_and_check(f, len, &c, &base, dir);
		assert_int_equal(fr_get16(udp + 6), 0xffff);
	}
}

/* Many random connections, both protocols, both directions. */
/* A random address sl_parse() accepts (not 0/8, 127/8 or 224/3). */
static uint32_t rand_unicast(void)
{
	for (;;) {
		uint32_t a = fr_rand32();
		if (!sl_ipv4_martian(sl_htonl(a)))
			return a;
	}
}

static void test_random(void **state)
{
	uint8_t f[FR_MAX];
	struct sl_conn c;
	(void)state;

	fr_seed(51);
	for (int round = 0; round < 20000; round++) {
		struct tuple t = {
			.c = rand_unicast(), .vip = rand_unicast(),
			.rs = rand_unicast(), .lip = rand_unicast(),
			.cp = (uint16_t)fr_rand32(), .vp = (uint16_t)fr_rand32(),
			.rp = (uint16_t)fr_rand32(), .lp = (uint16_t)fr_rand32(),
		};
		if (round % 10 == 0)
			t.rp = t.vp; /* common: same port on the server */
		if (round % 13 == 0)
			t.rs = t.vip;
		uint8_t proto = fr_below(2) ? SL_IPPROTO_TCP : SL_IPPROTO_UDP;
		enum sl_dir dir = (enum sl_dir)fr_below(2);
		uint8_t ttl = (uint8_t)(2 + fr_below(254));

		make_conn(&c, &t, proto);
		struct fr_spec s = fr_default(proto);
		if (dir == SL_DIR_ORIG) {
			s.saddr = t.c, s.daddr = t.vip, s.sport = t.cp, s.dport = t.vp;
		} else {
			s.saddr = t.rs, s.daddr = t.lip, s.sport = t.rp, s.dport = t.lp;
		}
		s.ttl = ttl;
		s.payload = (uint16_t)fr_below(300);
		s.pad = (uint16_t)fr_below(20);
		s.zero_udp_csum = fr_below(8) == 0;
		uint32_t len = fr_build(f, &s);
		fr_fill_random(f + FR_L4_OFF + fr_l4_hlen(proto), s.payload);
		fr_fix_l4(f);
		if (s.zero_udp_csum && proto == SL_IPPROTO_UDP)
			fr_put16(f + FR_L4_OFF + 6, 0);
		rewrite_and_check(f, len, &c, &t, dir);
	}
}

/* A whole exchange: the client's packet goes out to the server, and the
 * server's answer, built as the reverse of what it received, comes back
 * to the client as the reverse of what the client sent. */
static void test_round_trip(void **state)
{
	uint8_t f[FR_MAX];
	struct sl_conn c;
	struct sl_pkt pkt;
	(void)state;

	make_conn(&c, &base, SL_IPPROTO_TCP);
	uint32_t len = make_frame(f, &base, SL_IPPROTO_TCP, SL_DIR_ORIG, 64, 10);
	assert_int_equal(sl_parse(f, len, VERIFY_ALL, &pkt), SL_DROP_NONE);
	sl_nat_rewrite(&pkt, &c, SL_DIR_ORIG);
	/* What the server sees is exactly the reverse of the reply key. */
	struct sl_v4key rev = sl_v4key_reverse(&c.key[SL_DIR_REPLY]);
	assert_true(sl_v4key_eq(&pkt.key, &rev));

	/* The server answers to where it came from. */
	struct fr_spec s = fr_default(SL_IPPROTO_TCP);
	s.saddr = sl_ntohl(pkt.key.daddr);
	s.daddr = sl_ntohl(pkt.key.saddr);
	s.sport = sl_ntohs(pkt.key.dport);
	s.dport = sl_ntohs(pkt.key.sport);
	len = fr_build(f, &s);
	assert_int_equal(sl_parse(f, len, VERIFY_ALL, &pkt), SL_DROP_NONE);
	assert_true(sl_v4key_eq(&pkt.key, &c.key[SL_DIR_REPLY]));
	sl_nat_rewrite(&pkt, &c, SL_DIR_REPLY);
	struct sl_v4key back = sl_v4key_reverse(&c.key[SL_DIR_ORIG]);
	assert_true(sl_v4key_eq(&pkt.key, &back));
	assert_true(fr_ip_ok(f));
	assert_true(fr_l4_ok(f));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcp_orig),
		cmocka_unit_test(test_tcp_reply),
		cmocka_unit_test(test_udp_both),
		cmocka_unit_test(test_udp_zero_csum_stays_zero),
		cmocka_unit_test(test_udp_csum_never_becomes_zero),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
