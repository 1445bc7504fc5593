/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sl_wire_peek(): the look at a frame the XDP program and the workers'
 * exception path both take. Each case runs on a buffer of exactly the
 * frame's length, so a read past `end` shows under ASan or valgrind, and
 * every truncation of every frame is tried.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>

#include "frames.h"
#include "wire.h"

static struct sl_wire_dst peek(const uint8_t *f, uint32_t len)
{
	uint8_t *copy = malloc(len ? len : 1);
	struct sl_wire_dst d;

	assert_non_null(copy);
	memcpy(copy, f, len);
	sl_wire_peek(copy, copy + len, &d);
	free(copy);
	return d;
}

static void test_ipv4_tcp(void **state)
{
	uint8_t f[FR_MAX];
	(void)state;

	struct fr_spec s = fr_default(SL_IPPROTO_TCP);
	s.tcp_flags = SL_TCP_SYN;
	uint32_t len = fr_build(f, &s);
	struct sl_wire_dst d = peek(f, len);
	assert_int_equal(d.kind, SL_WIRE_IPV4);
	assert_int_equal(d.proto, SL_IPPROTO_TCP);
	assert_int_equal(d.src, sl_htonl(s.saddr));
	assert_int_equal(d.dst, sl_htonl(s.daddr));
	assert_int_equal(d.tcp_flags, SL_TCP_SYN);
}

static void test_ipv4_udp_and_icmp(void **state)
{
	uint8_t f[FR_MAX];
	(void)state;

	uint8_t protos[] = {SL_IPPROTO_UDP, SL_IPPROTO_ICMP, 47 /* GRE */};
	for (unsigned i = 0; i < sizeof(protos); i++) {
		struct fr_spec s = fr_default(protos[i]);
		uint32_t len = fr_build(f, &s);
		struct sl_wire_dst d = peek(f, len);
		assert_int_equal(d.kind, SL_WIRE_IPV4);
		assert_int_equal(d.proto, protos[i]);
		assert_int_equal(d.dst, sl_htonl(s.daddr));
		assert_int_equal(d.tcp_flags, 0);
	}
}

/* Addresses come from the fixed offsets even when the header is one the
 * parser refuses (options, bad version): the frame still goes to whoever
 * owns the destination, and Sluice's parser counts the drop. Flags are
 * only read where the TCP header's place is certain. */
static void test_ipv4_unsound_header(void **state)
{
	uint8_t f[FR_MAX];
	(void)state;

	struct fr_spec s = fr_default(SL_IPPROTO_TCP);
	uint32_t len = fr_build(f, &s);
	f[FR_IP_OFF] = 0x46; /* IHL 6: options */
	struct sl_wire_dst d = peek(f, len);
	assert_int_equal(d.kind, SL_WIRE_IPV4);
	assert_int_equal(d.dst, sl_htonl(s.daddr));
	assert_int_equal(d.tcp_flags, 0);

	f[FR_IP_OFF] = 0x65; /* version 6 in an IPv4 ethertype */
	d = peek(f, len);
	assert_int_equal(d.kind, SL_WIRE_IPV4);
	assert_int_equal(d.tcp_flags, 0);

	len = fr_build(f, &s);
	fr_put16(f + FR_IP_OFF + 6, 0x0010); /* a later fragment */
	d = peek(f, len);
	assert_int_equal(d.tcp_flags, 0);
}

static void test_arp(void **state)
{
	uint8_t f[FR_MAX];
	(void)state;

	uint32_t len = fr_build_arp(f, SL_ARP_OP_REQUEST, 0xc6120001, 0xc6120002);
	struct sl_wire_dst d = peek(f, len);
	assert_int_equal(d.kind, SL_WIRE_ARP);
	assert_int_equal(d.arp_op, SL_ARP_OP_REQUEST);
	assert_int_equal(d.src, sl_htonl(0xc6120001));
	assert_int_equal(d.dst, sl_htonl(0xc6120002));

	len = fr_build_arp(f, SL_ARP_OP_REPLY, 0xc6120001, 0xc6120002);
	assert_int_equal(peek(f, len).arp_op, SL_ARP_OP_REPLY);
}

static void test_other_ethertypes(void **state)
{
	uint8_t f[64] = {0};
	(void)state;

	const uint16_t types[] = {SL_ETHERTYPE_IPV6, SL_ETHERTYPE_VLAN, 0x88cc};
	for (unsigned i = 0; i < 3; i++) {
		fr_put16(f + 12, types[i]);
		struct sl_wire_dst d = peek(f, sizeof(f));
		assert_int_equal(d.kind, SL_WIRE_OTHER);
		assert_int_equal(d.dst, 0);
	}
}

/* Every prefix of every frame: short ones say SHORT (or, past the
 * addresses, what they are), and nothing is read beyond the end. */
static void test_truncations(void **state)
{
	uint8_t f[FR_MAX];
	(void)state;

	struct fr_spec s = fr_default(SL_IPPROTO_TCP);
	uint32_t full = fr_build(f, &s);
	for (uint32_t len = 0; len <= full; len++) {
		struct sl_wire_dst d = peek(f, len);
		if (len < SL_ETH_HLEN + SL_IPV4_HLEN)
			assert_int_equal(d.kind, SL_WIRE_SHORT);
		else
			assert_int_equal(d.kind, SL_WIRE_IPV4);
		if (len < SL_ETH_HLEN + SL_IPV4_HLEN + sizeof(struct sl_tcp_hdr))
			assert_int_equal(d.tcp_flags, 0);
	}
	full = fr_build_arp(f, SL_ARP_OP_REQUEST, 1, 2);
	for (uint32_t len = 0; len < full; len++) {
		assert_int_equal(peek(f, len).kind, SL_WIRE_SHORT);
	}
	assert_int_equal(peek(f, full).kind, SL_WIRE_ARP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipv4_tcp),
		cmocka_unit_test(test_ipv4_udp_and_icmp),
		cmocka_unit_test(test_ipv4_unsound_header),
		cmocka_unit_test(test_arp),
		cmocka_unit_test(test_other_ethertypes),
		cmocka_unit_test(test_truncations),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
