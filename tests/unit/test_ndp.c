/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Neighbor discovery: the solicited-node address and its MAC, every
 * validity rule of RFC 4861 7.1.1/7.1.2 on hand-built messages, and the
 * NS and NA Sluice builds, read back byte by byte with their checksums
 * judged by the byte-at-a-time reference.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>

#include "nat64_frames.h"
#include "ndp.h"

static uint8_t frame[256];
static uint8_t *const l3 = frame + SL_ETH_HLEN;

static const uint8_t mac_us[6] = {0x02, 0, 0, 0, 0, 0x51};
static const uint8_t mac_them[6] = {0x02, 0, 0, 0, 0, 0x77};
static const uint8_t unspec[16];
/* 2001:db8::ab:cdef and its solicited-node group ff02::1:ffab:cdef */
static const uint8_t t_ours[16] = {0x20, 0x01, 0x0d, 0xb8, [13] = 0xab, 0xcd, 0xef};
static const uint8_t t_group[16] = {0xff, 0x02, [11] = 0x01, 0xff, 0xab, 0xcd, 0xef};

/* An ND message by hand: header, flags, target, options. */
static unsigned hand_nd(uint8_t type, const uint8_t *src, const uint8_t *dst,
			uint32_t flags, const uint8_t *opt, unsigned optlen,
			uint8_t hop)
{
	uint8_t *m = l3 + SL_IPV6_HLEN;

	m[0] = type;
	m[1] = 0;
	fr_put16(m + 2, 0);
	fr_put32(m + 4, flags);
	memcpy(m + 8, t_ours, 16);
	if (optlen)
		memcpy(m + 24, opt, optlen);
	t6_put_hdr(l3, src, dst, SL_IPPROTO_ICMPV6, hop, 0, 24 + optlen);
	t6_fix(l3);
	return SL_IPV6_HLEN + 24 + optlen;
}

static const uint8_t sllao[8] = {1, 1, 0x02, 0, 0, 0, 0, 0x77};

static void test_addresses(void **state)
{
	(void)state;
	uint8_t g[16], mac[6];
	sl_ndp_solicited_node(t_ours, g);
	assert_memory_equal(g, t_group, 16);
	assert_true(sl_ndp_is_solicited_node(g));
	assert_false(sl_ndp_is_solicited_node(t_ours));
	sl_ndp_multicast_mac(g, mac);
	assert_memory_equal(mac, ((uint8_t[]){0x33, 0x33, 0xff, 0xab, 0xcd, 0xef}), 6);
}

static void test_valid(void **state)
{
	(void)state;
	struct sl_nd_info nd;
	unsigned n = hand_nd(SL_ICMP6_NEIGH_SOL, t6_client, t_group, 0, sllao, 8, 255);
	assert_int_equal(sl_ndp_parse(l3, n, &nd), SL_NDP_OK);
	assert_int_equal(nd.type, SL_ICMP6_NEIGH_SOL);
	assert_memory_equal(nd.target, t_ours, 16);
	assert_memory_equal(nd.lladdr, mac_them, 6);
	/* Duplicate address detection: unspecified source, no option. */
	n = hand_nd(SL_ICMP6_NEIGH_SOL, unspec, t_group, 0, NULL, 0, 255);
	assert_int_equal(sl_ndp_parse(l3, n + 4, &nd), SL_NDP_OK); /* padding */
	assert_null(nd.lladdr);
	/* An NA with its target option and flags; an unknown option passes. */
	uint8_t opts[16] = {9, 1, 0, 0, 0, 0, 0, 0, 2, 1, 0x02, 0, 0, 0, 0, 0x77};
	n = hand_nd(SL_ICMP6_NEIGH_ADV, t6_client, t6_vip,
		    SL_ND_NA_SOLICITED | SL_ND_NA_OVERRIDE, opts, 16, 255);
	assert_int_equal(sl_ndp_parse(l3, n, &nd), SL_NDP_OK);
	assert_int_equal(nd.na_flags, SL_ND_NA_SOLICITED | SL_ND_NA_OVERRIDE);
	assert_memory_equal(nd.lladdr, mac_them, 6);
}

static void expect(unsigned n, enum sl_ndp want)
{
	struct sl_nd_info nd;
	assert_string_equal(sl_ndp_name(sl_ndp_parse(l3, n, &nd)), sl_ndp_name(want));
}

static void test_invalid(void **state)
{
	(void)state;
	unsigned n = hand_nd(SL_ICMP6_NEIGH_SOL, t6_client, t_group, 0, sllao, 8, 254);
	expect(n, SL_NDP_HOP_LIMIT);
	n = hand_nd(SL_ICMP6_NEIGH_ADV, t6_client, t6_vip, 0, NULL, 0, 64);
	expect(n, SL_NDP_HOP_LIMIT);
	n = hand_nd(SL_ICMP6_NEIGH_SOL, t6_client, t_group, 0, sllao, 8, 255);
	l3[41] = 1;
	t6_fix(l3);
	expect(n, SL_NDP_BAD_CODE);
	n = hand_nd(SL_ICMP6_NEIGH_SOL, t6_client, t_group, 0, sllao, 8, 255);
	l3[70] ^= 1;
	expect(n, SL_NDP_BAD_CHECKSUM);
	expect(n - 1, SL_NDP_TRUNCATED); /* shorter than its payload length */
	/* A message of 20 bytes (under 24). */
	n = hand_nd(SL_ICMP6_NEIGH_SOL, t6_client, t_group, 0, NULL, 0, 255);
	fr_put16(l3 + 4, 20);
	t6_fix(l3);
	expect(n - 4, SL_NDP_TRUNCATED);
	n = hand_nd(SL_ICMP6_NEIGH_SOL, t6_client, t_group, 0, sllao, 8, 255);
	l3[48] = 0xff; /* target ff.. */
	t6_fix(l3);
	expect(n, SL_NDP_TARGET_MULTICAST);
	uint8_t zero_len[8] = {1, 0};
	expect(hand_nd(SL_ICMP6_NEIGH_SOL, t6_client, t_group, 0, zero_len, 8, 255),
	       SL_NDP_BAD_OPTION);
	uint8_t too_long[8] = {1, 2};
	expect(hand_nd(SL_ICMP6_NEIGH_SOL, t6_client, t_group, 0, too_long, 8, 255),
	       SL_NDP_BAD_OPTION);
	/* Unspecified source: with a source link-layer option, or not to
	 * the solicited-node group. */
	expect(hand_nd(SL_ICMP6_NEIGH_SOL, unspec, t_group, 0, sllao, 8, 255),
	       SL_NDP_UNSPEC_SOURCE);
	expect(hand_nd(SL_ICMP6_NEIGH_SOL, unspec, t_ours, 0, NULL, 0, 255),
	       SL_NDP_UNSPEC_SOURCE);
	expect(hand_nd(SL_ICMP6_NEIGH_ADV, t6_client, t_group, SL_ND_NA_SOLICITED,
		       NULL, 0, 255),
	       SL_NDP_SOLICITED_MULTICAST);
	expect(hand_nd(SL_ICMP6_ROUTER_ADV, t6_router, t_group, 0, NULL, 0, 255),
	       SL_NDP_ROUTER_ADV);
	expect(hand_nd(SL_ICMP6_ECHO_REQUEST, t6_client, t_ours, 0, NULL, 0, 255),
	       SL_NDP_NOT_ND);
	n = hand_nd(SL_ICMP6_NEIGH_SOL, t6_client, t_group, 0, NULL, 0, 255);
	l3[6] = SL_IPPROTO_UDP;
	expect(n, SL_NDP_NOT_ND);
	expect(39, SL_NDP_TRUNCATED);
}

static void check_frame(const uint8_t *eth_dst, const uint8_t *src,
			const uint8_t *dst, uint8_t type, uint32_t flags,
			uint8_t opt_type)
{
	const uint8_t *m = l3 + SL_IPV6_HLEN;
	assert_memory_equal(frame, eth_dst, 6);
	assert_memory_equal(frame + 6, mac_us, 6);
	assert_int_equal(fr_get16(frame + 12), 0x86dd);
	assert_int_equal(fr_get32(l3), 6u << 28);
	assert_int_equal(fr_get16(l3 + 4), 32);
	assert_int_equal(l3[6], SL_IPPROTO_ICMPV6);
	assert_int_equal(l3[7], 255);
	assert_memory_equal(l3 + 8, src, 16);
	assert_memory_equal(l3 + 24, dst, 16);
	assert_int_equal(m[0], type);
	assert_int_equal(m[1], 0);
	assert_int_equal(fr_get32(m + 4), flags);
	assert_memory_equal(m + 8, t_ours, 16);
	assert_memory_equal(m + 24, ((uint8_t[]){opt_type, 1}), 2);
	assert_memory_equal(m + 26, mac_us, 6);
	assert_true(t6_l4_ok(l3));
}

static void test_build(void **state)
{
	(void)state;
	struct sl_nd_info nd;
	memset(frame, 0xee, sizeof(frame));
	assert_int_equal(sl_ndp_build_ns(frame, mac_us, t6_vip, t_ours), 86);
	check_frame((uint8_t[]){0x33, 0x33, 0xff, 0xab, 0xcd, 0xef}, t6_vip, t_group,
		    SL_ICMP6_NEIGH_SOL, 0, SL_ND_OPT_SRC_LLADDR);
	assert_int_equal(sl_ndp_parse(l3, 72, &nd), SL_NDP_OK);

	memset(frame, 0xee, sizeof(frame));
	assert_int_equal(sl_ndp_build_na(frame, mac_us, t_ours, t6_client, mac_them), 86);
	check_frame(mac_them, t_ours, t6_client, SL_ICMP6_NEIGH_ADV,
		    SL_ND_NA_SOLICITED | SL_ND_NA_OVERRIDE, SL_ND_OPT_TGT_LLADDR);
	assert_int_equal(sl_ndp_parse(l3, 72, &nd), SL_NDP_OK);

	/* DAD: to all-nodes, not solicited. */
	static const uint8_t all_nodes[16] = {0xff, 0x02, [15] = 1};
	assert_int_equal(sl_ndp_build_na(frame, mac_us, t_ours, unspec, mac_them), 86);
	check_frame((uint8_t[]){0x33, 0x33, 0, 0, 0, 1}, t_ours, all_nodes,
		    SL_ICMP6_NEIGH_ADV, SL_ND_NA_OVERRIDE, SL_ND_OPT_TGT_LLADDR);
	assert_int_equal(sl_ndp_parse(l3, 72, &nd), SL_NDP_OK);
}

static void test_names(void **state)
{
	(void)state;
	for (unsigned i = 0; i < SL_NDP_MAX; i++)
		for (unsigned j = 0; j < i; j++)
			assert_string_not_equal(sl_ndp_name(i), sl_ndp_name(j));
	assert_string_equal(sl_ndp_name(SL_NDP_MAX), "ndp_unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addresses), cmocka_unit_test(test_valid),
		cmocka_unit_test(test_invalid),   cmocka_unit_test(test_build),
		cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
