/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv6 golden frames through the real XDP program in the kernel (the
 * environment is xdp_env.h's, as for test_xdp.c): Sluice's v6 addresses
 * and Neighbor Solicitations about them are steered to its socket, every
 * other v6 frame is the kernel's, and a source in a blocked v6 prefix is
 * dropped and counted against that prefix.
 */
#include "xdp_env.h"
#include "wire6.h"

/* 2001:db8::/32 only (documentation); the last two bytes tell them apart. */
#define PORT6 0x0002     /* 2001:db8::2, the port's */
#define VIP6 0x0100      /* 2001:db8::100 */
#define LIP6 0x1003      /* 2001:db8::1003 */
#define HOST6 0x0005     /* 2001:db8::5, the kernel's own */
#define CLIENT6 0x000a   /* 2001:db8::a */

static void v6(uint8_t a[16], uint16_t low)
{
	static const uint8_t base[16] = {0x20, 0x01, 0x0d, 0xb8};

	memcpy(a, base, 16);
	a[14] = (uint8_t)(low >> 8);
	a[15] = (uint8_t)low;
}

/* Ethernet and the fixed IPv6 header; the payload follows at 54. */
static uint32_t put_ip6(uint8_t *f, const uint8_t src[16], const uint8_t dst[16],
			uint8_t nexthdr, uint16_t payload)
{
	static const uint8_t macs[12] = {0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2};
	struct sl_ipv6_hdr *ip = (void *)(f + SL_ETH_HLEN);

	memset(f, 0, SL_ETH_HLEN + SL_IPV6_HLEN + payload);
	memcpy(f, macs, sizeof(macs));
	fr_put16(f + 12, SL_ETHERTYPE_IPV6);
	ip->vtc_flow = sl_ipv6_vtc_flow(0);
	ip->payload_len = sl_htons(payload);
	ip->nexthdr = nexthdr;
	ip->hop_limit = 64;
	memcpy(ip->saddr, src, 16);
	memcpy(ip->daddr, dst, 16);
	return SL_ETH_HLEN + SL_IPV6_HLEN + payload;
}

/* A TCP SYN from address `from` to `to` (low bytes in 2001:db8::). */
static uint32_t tcp6(uint8_t *f, uint16_t from, uint16_t to)
{
	uint8_t s[16], d[16];

	v6(s, from);
	v6(d, to);
	uint32_t len = put_ip6(f, s, d, SL_IPPROTO_TCP, sizeof(struct sl_tcp_hdr));
	struct sl_tcp_hdr *t = (void *)(f + SL_ETH_HLEN + SL_IPV6_HLEN);
	t->sport = sl_htons(40000);
	t->dport = sl_htons(80);
	t->doff_res = 5 << 4;
	t->flags = SL_TCP_SYN;
	return len;
}

/* A Neighbor Solicitation from `from` for `target`, to the target's
 * solicited-node group (ff02::1:ffXX:XXXX), or to `target` itself. */
static uint32_t ns6(uint8_t *f, uint16_t from, uint16_t target, bool multicast)
{
	uint8_t s[16], t[16], d[16] = {0xff, 0x02, [11] = 1, [12] = 0xff};

	v6(s, from);
	v6(t, target);
	memcpy(&d[13], &t[13], 3);
	uint32_t len = put_ip6(f, s, multicast ? d : t, SL_IPPROTO_ICMPV6,
			       sizeof(struct sl_nd_msg) + SL_ND_OPT_LLADDR_LEN);
	struct sl_nd_msg *nd = (void *)(f + SL_ETH_HLEN + SL_IPV6_HLEN);
	f[SL_ETH_HLEN + 7] = 255; /* hop limit */
	nd->icmp.type = SL_ICMP6_NEIGH_SOL;
	memcpy(nd->target, t, 16);
	return len;
}

/* A Neighbor Advertisement from `from` about itself, to ff02::1 (an
 * unsolicited Override: a failover) or to `to` (solicited). */
static uint32_t na6(uint8_t *f, uint16_t from, uint16_t to, bool all_nodes)
{
	uint8_t s[16], d[16] = {0xff, 0x02, [15] = 1};

	v6(s, from);
	if (!all_nodes)
		v6(d, to);
	uint32_t len = put_ip6(f, s, d, SL_IPPROTO_ICMPV6,
			       sizeof(struct sl_nd_msg) + SL_ND_OPT_LLADDR_LEN);
	struct sl_nd_msg *nd = (void *)(f + SL_ETH_HLEN + SL_IPV6_HLEN);
	f[SL_ETH_HLEN + 7] = 255; /* hop limit */
	nd->icmp.type = SL_ICMP6_NEIGH_ADV;
	memcpy(nd->target, s, 16);
	return len;
}

/* Sluice's v6 addresses: the port's, a VIP, a local address. */
static void set_addrs6(void)
{
	uint8_t ips[3][16];
	const struct sl_xdp_addr vals[] = {{.kinds = 0x1}, {.kinds = 0x2}, {.kinds = 0x4}};

	v6(ips[0], PORT6);
	v6(ips[1], VIP6);
	v6(ips[2], LIP6);
	int fd = sl_xdp_addr6_table(ips, vals, 3);
	assert_true(fd >= 0);
	assert_int_equal(sl_xdp_port_set_addrs6(&env.xp, fd), 0);
	close(fd);
}

static void test_unconfigured_passes(void **state)
{
	uint8_t f[FR_MAX];
	(void)state;

	expect(f, tcp6(f, CLIENT6, VIP6), XDP_PASS, SL_XDP_PASS_UNCONFIGURED);
}

static void test_owned_redirect(void **state)
{
	uint8_t f[FR_MAX];
	(void)state;

	set_addrs6();
	expect(f, tcp6(f, CLIENT6, VIP6), XDP_REDIRECT, SL_XDP_REDIRECT);
	expect(f, tcp6(f, CLIENT6, PORT6), XDP_REDIRECT, SL_XDP_REDIRECT);
	expect(f, tcp6(f, 0x2002, LIP6), XDP_REDIRECT, SL_XDP_REDIRECT);
	/* Whatever follows the fixed header: Sluice's parser judges. */
	uint32_t len = tcp6(f, CLIENT6, VIP6);
	f[SL_ETH_HLEN + 6] = SL_IPPROTO_HOPOPTS;
	expect(f, len, XDP_REDIRECT, SL_XDP_REDIRECT);
	expect(f, SL_ETH_HLEN + SL_IPV6_HLEN, XDP_REDIRECT, SL_XDP_REDIRECT);
}

static void test_other_passes(void **state)
{
	uint8_t f[FR_MAX];
	(void)state;

	set_addrs6();
	expect(f, tcp6(f, CLIENT6, HOST6), XDP_PASS, SL_XDP_PASS_HOST);
	/* An NS about the host's own address, and one about Sluice's behind
	 * an extension header (ndp.c would not answer it either). */
	expect(f, ns6(f, CLIENT6, HOST6, true), XDP_PASS, SL_XDP_PASS_HOST);
	uint32_t len = ns6(f, CLIENT6, VIP6, true);
	f[SL_ETH_HLEN + 6] = SL_IPPROTO_DSTOPTS;
	expect(f, len, XDP_PASS, SL_XDP_PASS_HOST);
	/* Too short for the fixed header: the kernel's, which drops it. */
	expect(f, SL_ETH_HLEN + SL_IPV6_HLEN - 1, XDP_PASS, SL_XDP_PASS_SHORT);
	/* An NS cut before its target is no NS. */
	len = ns6(f, CLIENT6, VIP6, true);
	expect(f, SL_ETH_HLEN + SL_IPV6_HLEN + 8, XDP_PASS, SL_XDP_PASS_HOST);
}

static void test_ns_for_owned_target(void **state)
{
	uint8_t f[FR_MAX];
	(void)state;

	set_addrs6();
	mark();
	assert_int_equal(run(f, ns6(f, CLIENT6, VIP6, true)), XDP_REDIRECT);
	assert_int_equal(moved(SL_XDP_REDIRECT), 1);
	assert_int_equal(moved(SL_XDP_REDIRECT_NDP), 1);
	expect(f, ns6(f, CLIENT6, PORT6, true), XDP_REDIRECT, SL_XDP_REDIRECT_NDP);
	/* Unicast (a reachability probe) is steered by its destination. */
	expect(f, ns6(f, CLIENT6, LIP6, false), XDP_REDIRECT, SL_XDP_REDIRECT);
	/* From the unspecified address (duplicate address detection). */
	uint32_t len = ns6(f, CLIENT6, VIP6, true);
	memset(f + SL_ETH_HLEN + 8, 0, 16);
	expect(f, len, XDP_REDIRECT, SL_XDP_REDIRECT_NDP);
}

/* A router's failover NA to ff02::1 is Sluice's (its next-hop entry
 * moves now, not after ~33 s); a solicited one keeps its destination's
 * owner, so the host still resolves its own neighbors. */
static void test_na_all_nodes(void **state)
{
	uint8_t f[FR_MAX];
	(void)state;

	set_addrs6();
	expect(f, na6(f, CLIENT6, 0, true), XDP_REDIRECT, SL_XDP_REDIRECT_NDP);
	expect(f, na6(f, CLIENT6, HOST6, false), XDP_PASS, SL_XDP_PASS_HOST);
	expect(f, na6(f, CLIENT6, PORT6, false), XDP_REDIRECT, SL_XDP_REDIRECT);
}

static void test_blocklist6(void **state)
{
	uint8_t f[FR_MAX], net[16];
	(void)state;

	set_addrs6();
	/* 2001:db8::8/125 holds the client ::a, not ::20. */
	v6(net, 0x0008);
	assert_int_equal(sl_xdp_port_block6(&env.xp, net, 125, true), 0);
	expect(f, tcp6(f, CLIENT6, VIP6), XDP_DROP, SL_XDP_DROP_BLOCKLIST);
	expect(f, tcp6(f, CLIENT6, HOST6), XDP_DROP, SL_XDP_DROP_BLOCKLIST);
	expect(f, ns6(f, CLIENT6, VIP6, true), XDP_DROP, SL_XDP_DROP_BLOCKLIST);
	assert_int_equal(sl_xdp_port_block6_hits(&env.xp, net, 125), 3);
	expect(f, tcp6(f, 0x0020, VIP6), XDP_REDIRECT, SL_XDP_REDIRECT);
	/* The v4 trie knows nothing of it, nor the v6 one of v4. */
	assert_int_equal(sl_xdp_port_block_hits(&env.xp, 0, 0), 0);
	struct sl_xdp_block6_key k[4];
	assert_int_equal(sl_xdp_port_block6_keys(&env.xp, k, 4), 1);
	assert_int_equal(k[0].prefixlen, 125);
	assert_memory_equal(k[0].addr, net, 16);
	/* Again keeps its hits; deleting it lets the client in. */
	assert_int_equal(sl_xdp_port_block6(&env.xp, net, 125, true), 0);
	assert_int_equal(sl_xdp_port_block6_hits(&env.xp, net, 125), 3);
	assert_int_equal(sl_xdp_port_block6(&env.xp, net, 125, false), 0);
	assert_int_equal(sl_xdp_port_block6_keys(&env.xp, k, 4), 0);
	expect(f, tcp6(f, CLIENT6, VIP6), XDP_REDIRECT, SL_XDP_REDIRECT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unconfigured_passes),
		cmocka_unit_test(test_owned_redirect),
		cmocka_unit_test(test_other_passes),
		cmocka_unit_test(test_ns_for_owned_target),
		cmocka_unit_test(test_na_all_nodes),
		cmocka_unit_test(test_blocklist6),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
