/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NAT64, NDP and ICMPv6 against damaged input: valid packets of every
 * kind with random bytes changed (their checksums fixed again half the
 * time, so the damage reaches past the checksum check) and random
 * lengths, each in a heap block of exactly its size, so that under
 * ASan (`make san`) a read past the end is a failure. Whatever comes
 * back: a refusal leaves the packet as it was, a translation has valid
 * checksums by the byte-at-a-time reference.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>

#include "icmp6.h"
#include "nat64.h"
#include "nat64_frames.h"
#include "ndp.h"

#define ROUNDS 20000
#define ROOM SL_NAT64_HEADROOM

static uint8_t pkt[2048];

/* One of the valid IPv6 packets: TCP, UDP, echo, an error quoting TCP or
 * an echo, an NS. */
static unsigned valid6(unsigned kind)
{
	uint8_t *in = pkt + 48;
	unsigned n;

	switch (kind % 6) {
	case 0:
		n = t_put_tcp(pkt + 40, 1, 2, SL_TCP_SYN, fr_below(64));
		break;
	case 1:
		n = t_put_udp(pkt + 40, 1, 2, fr_below(64));
		break;
	case 2:
		n = t_put_icmp(pkt + 40, SL_ICMP6_ECHO_REQUEST, 0, 7, fr_below(64));
		break;
	case 5:
		n = t_put_icmp(pkt + 40, SL_ICMP6_NEIGH_SOL, 0, 0, 16);
		memcpy(pkt + 64, (uint8_t[]){1, 1, 2, 0, 0, 0, 0, 9}, 8);
		t6_put_hdr(pkt, t6_client, t6_vip, SL_IPPROTO_ICMPV6, 255, 0, n);
		t6_fix(pkt);
		return 40 + n;
	default:
		n = kind % 6 == 3 ? t_put_tcp(in + 40, 3, 4, SL_TCP_ACK, fr_below(64))
				  : t_put_icmp(in + 40, SL_ICMP6_ECHO_REPLY, 0, 5, fr_below(64));
		t6_put_hdr(in, t6_vip, t6_client, kind % 6 == 3 ? 6 : 58, 9, 0, n);
		t6_fix(in);
		n = t_put_icmp(pkt + 40, (uint8_t)(1 + fr_below(4)), (uint8_t)fr_below(5),
			       fr_below(1500), 0) + 40 + n;
		break;
	}
	uint8_t proto = kind % 6 == 0 ? SL_IPPROTO_TCP
			: kind % 6 == 1 ? SL_IPPROTO_UDP : SL_IPPROTO_ICMPV6;
	t6_put_hdr(pkt, t6_client, t6_vip, proto, 64, 0, n);
	t6_fix(pkt);
	return 40 + n;
}

static unsigned valid4(unsigned kind)
{
	uint8_t *in = pkt + 28;
	unsigned n;
	uint8_t proto = SL_IPPROTO_ICMP;

	switch (kind % 5) {
	case 0:
		proto = SL_IPPROTO_TCP;
		n = t_put_tcp(pkt + 20, 1, 2, SL_TCP_SYN, fr_below(64));
		break;
	case 1:
		proto = SL_IPPROTO_UDP;
		n = t_put_udp(pkt + 20, 1, 2, fr_below(64));
		break;
	case 2:
		n = t_put_icmp(pkt + 20, SL_ICMP_ECHO_REPLY, 0, 7, fr_below(64));
		break;
	default:
		n = kind % 5 == 3 ? t_put_udp(in + 20, 3, 4, fr_below(64))
				  : t_put_icmp(in + 20, SL_ICMP_ECHO_REQUEST, 0, 5, fr_below(64));
		t4_put_hdr(in, T4_LIP, T4_RS, kind % 5 == 3 ? 17 : 1, 9, 0, 20 + n, 0);
		t4_fix(in);
		static const uint8_t types[] = {3, 11, 12};
		n = t_put_icmp(pkt + 20, types[fr_below(3)], (uint8_t)fr_below(16),
			       fr_rand32(), 0) + 20 + n;
		break;
	}
	t4_put_hdr(pkt, T4_RS, T4_LIP, proto, 64, 0, 20 + n, 0);
	t4_fix(pkt);
	return 20 + n;
}

/* Change 1..3 bytes, half of them among the headers (the first 96
 * bytes); half the time fix the checksums again. */
static unsigned damage(unsigned n, bool v6)
{
	for (unsigned i = 0, k = 1 + fr_below(3); i < k; i++)
		pkt[fr_below(fr_below(2) && n > 96 ? 96 : n)] ^= (uint8_t)(1 + fr_below(255));
	if (fr_below(2) && (v6 ? (pkt[0] >> 4) == 6 && pkt[6] != 0 && pkt[6] != 60 &&
				     pkt[6] != 43 && fr_get16(pkt + 4) + 40u <= n
			       : pkt[0] == 0x45 && fr_get16(pkt + 2) <= n &&
				     fr_get16(pkt + 2) >= 28)) {
		if (v6)
			t6_fix(pkt);
		else
			t4_fix(pkt);
	}
	return fr_below(4) ? n : fr_below(n + 1);
}

static void run6(unsigned n)
{
	uint8_t *blk = malloc(ROOM + n);
	struct sl_v4key k = {sl_htonl(T4_LIP), sl_htonl(T4_RS), sl_htons(7), sl_htons(8)};
	struct sl_nat64_ctx ctx = {.mtu4 = 1500, .mtu6 = 1500};
	struct sl_nat64_buf b = {blk + ROOM, (uint16_t)n, ROOM};

	assert_non_null(blk);
	memcpy(blk + ROOM, pkt, n);
	enum sl_xlat r = sl_nat64_6to4(&b, &k, &k, &ctx);
	if (r == SL_XLAT_OK)
		assert_true(t4_ok(b.l3));
	else
		assert_memory_equal(blk + ROOM, pkt, n);
	struct sl_nd_info nd;
	memcpy(blk + ROOM, pkt, n);
	sl_ndp_parse(blk + ROOM, n, &nd);
	if (sl_icmp6_echo_to_reply(blk + ROOM, n) == SL_ICMP6_OK)
		assert_true(t6_l4_ok(blk + ROOM));
	free(blk);
}

static void run4(unsigned n)
{
	uint8_t *blk = malloc(ROOM + n);
	struct sl_v6key k;
	struct sl_nat64_ctx ctx = {.mtu4 = 1500, .mtu6 = 1500};
	struct sl_nat64_buf b = {blk + ROOM, (uint16_t)n, ROOM};

	assert_non_null(blk);
	memcpy(k.saddr, t6_vip, 16);
	memcpy(k.daddr, t6_client, 16);
	k.sport = k.dport = sl_htons(9);
	memcpy(blk + ROOM, pkt, n);
	enum sl_xlat r = sl_nat64_4to6(&b, &k, &k, &ctx);
	if (r == SL_XLAT_OK)
		assert_true(t6_l4_ok(b.l3));
	else
		assert_memory_equal(blk + ROOM, pkt, n);
	free(blk);
}

static void test_damaged(void **state)
{
	(void)state;
	fr_seed(15);
	for (unsigned i = 0; i < ROUNDS; i++) {
		run6(damage(valid6(i), true));
		run4(damage(valid4(i), false));
	}
}

/* The same packets undamaged all translate (the errors whose random
 * type and code have no counterpart excepted): the generator above
 * makes what it says it makes. */
static void test_undamaged(void **state)
{
	(void)state;
	unsigned ok6 = 0, ok4 = 0;
	fr_seed(16);
	for (unsigned i = 0; i < 600; i++) {
		struct sl_v4key k4 = {sl_htonl(T4_LIP), sl_htonl(T4_RS), 7, 8};
		struct sl_nat64_ctx ctx = {.mtu4 = 1500, .mtu6 = 1500};
		unsigned n = valid6(i);
		struct sl_nat64_buf b = {pkt, (uint16_t)n, 0};
		enum sl_xlat r = sl_nat64_6to4(&b, &k4, &k4, &ctx);
		ok6 += r == SL_XLAT_OK;
		if (i % 6 < 3)
			assert_int_equal(r, SL_XLAT_OK);
		struct sl_v6key k6;
		memcpy(k6.saddr, t6_vip, 16);
		memcpy(k6.daddr, t6_client, 16);
		k6.sport = k6.dport = 9;
		static uint8_t room[ROOM + 2048];
		n = valid4(i);
		memcpy(room + ROOM, pkt, n);
		b = (struct sl_nat64_buf){room + ROOM, (uint16_t)n, ROOM};
		r = sl_nat64_4to6(&b, &k6, &k6, &ctx);
		ok4 += r == SL_XLAT_OK;
		if (i % 5 < 3)
			assert_int_equal(r, SL_XLAT_OK);
	}
	assert_true(ok6 > 300 && ok4 > 360);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_undamaged),
		cmocka_unit_test(test_damaged),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
