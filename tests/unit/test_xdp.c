/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Golden frames through the real XDP program in the kernel
 * (bpf_prog_test_run_opts): each frame, the verdict it must get and the
 * counter that must move. The maps are driven through drivers/xdp_maps.c,
 * the same calls the control thread makes.
 *
 * Needs root (BPF). xdp_env.h moves the test into a network namespace of
 * its own with an AF_XDP socket (copy mode) on its loopback, queue 0, so
 * that a frame for Sluice really finds a socket and the program really
 * answers XDP_REDIRECT. Nothing outside that namespace is touched.
 */
#include "xdp_env.h"

#define VIP 0xc6120064u   /* 198.18.0.100 */
#define PORT_IP 0xc6120002u /* 198.18.0.2 */
#define LIP 0xc6120103u   /* 198.18.1.3 */
#define POOL 0xc6120232u  /* 198.18.2.50: an SNAT pool address */
#define HOST 0xc6120005u  /* 198.18.0.5: the kernel's own */
#define CLIENT 0xc612000au /* 198.18.0.10 (fr_default's source) */
#define TAP 0xc6120105u   /* 198.18.1.5: the host's, on port 1's tap */

/* Sluice's addresses: a VIP, a port address, a local address and an SNAT
 * pool address (kinds as snapshot.h's SL_ADDR_*). */
static void set_addrs(bool with_vip)
{
	const uint32_t ips[] = {sl_htonl(PORT_IP), sl_htonl(LIP), sl_htonl(POOL),
				sl_htonl(VIP)};
	const struct sl_xdp_addr vals[] = {{.kinds = 0x1}, {.kinds = 0x4},
					   {.kinds = 0x8}, {.kinds = 0x2}};
	int fd = sl_xdp_addr_table(ips, vals, with_vip ? 4 : 3);

	assert_true(fd >= 0);
	assert_int_equal(sl_xdp_port_set_addrs(&env.xp, fd), 0);
	close(fd); /* the slot holds it now */
}

static uint32_t ipv4(uint8_t *f, uint32_t src, uint32_t dst, uint8_t proto,
		     uint8_t flags)
{
	struct fr_spec s = fr_default(proto);
	s.saddr = src;
	s.daddr = dst;
	s.tcp_flags = flags;
	return fr_build(f, &s);
}

static void test_unconfigured_passes(void **state)
{
	uint8_t f[FR_MAX];
	(void)state;

	uint32_t len = ipv4(f, CLIENT, VIP, SL_IPPROTO_TCP, SL_TCP_SYN);
	expect(f, len, XDP_PASS, SL_XDP_PASS_UNCONFIGURED);
}

static void test_sluice_addresses_redirect(void **state)
{
	uint8_t f[FR_MAX];
	(void)state;

	set_addrs(true);
	uint32_t len = ipv4(f, CLIENT, VIP, SL_IPPROTO_TCP, SL_TCP_SYN);
	expect(f, len, XDP_REDIRECT, SL_XDP_REDIRECT);
	len = ipv4(f, 0xc612010bu, LIP, SL_IPPROTO_UDP, 0);
	expect(f, len, XDP_REDIRECT, SL_XDP_REDIRECT);
	len = ipv4(f, CLIENT, POOL, SL_IPPROTO_TCP, SL_TCP_ACK);
	expect(f, len, XDP_REDIRECT, SL_XDP_REDIRECT);
	len = ipv4(f, CLIENT, PORT_IP, SL_IPPROTO_ICMP, 0);
	expect(f, len, XDP_REDIRECT, SL_XDP_REDIRECT);
	len = fr_build_arp(f, SL_ARP_OP_REQUEST, CLIENT, VIP);
	expect(f, len, XDP_REDIRECT, SL_XDP_REDIRECT);
	len = fr_build_arp(f, SL_ARP_OP_REPLY, CLIENT, PORT_IP);
	expect(f, len, XDP_REDIRECT, SL_XDP_REDIRECT);
}

static void test_host_traffic_passes(void **state)
{
	uint8_t f[FR_MAX];
	(void)state;

	set_addrs(true);
	uint32_t len = ipv4(f, CLIENT, HOST, SL_IPPROTO_TCP, SL_TCP_SYN);
	expect(f, len, XDP_PASS, SL_XDP_PASS_HOST);
	len = fr_build_arp(f, SL_ARP_OP_REQUEST, CLIENT, HOST);
	expect(f, len, XDP_PASS, SL_XDP_PASS_HOST);
	/* Anything not IPv4, ARP or IPv6 (here LLDP) is the kernel's
	 * (IPv6: test_xdp6.c). */
	len = ipv4(f, CLIENT, VIP, SL_IPPROTO_TCP, SL_TCP_SYN);
	fr_put16(f + 12, 0x88cc);
	expect(f, len, XDP_PASS, SL_XDP_PASS_HOST);
}

/* Documented verdicts for malformed frames: too short to carry an
 * address -> the kernel (which drops it); addressed to Sluice, however
 * broken -> Sluice, whose parser drops it under a named reason. */
static void test_malformed(void **state)
{
	uint8_t f[FR_MAX];
	(void)state;

	set_addrs(true);
	uint32_t len = ipv4(f, CLIENT, VIP, SL_IPPROTO_TCP, SL_TCP_SYN);
	expect(f, SL_ETH_HLEN + 10, XDP_PASS, SL_XDP_PASS_SHORT);
	len = fr_build_arp(f, SL_ARP_OP_REQUEST, CLIENT, VIP);
	expect(f, len - 4, XDP_PASS, SL_XDP_PASS_SHORT);

	len = ipv4(f, CLIENT, VIP, SL_IPPROTO_TCP, SL_TCP_SYN);
	f[FR_IP_OFF] = 0x46;         /* options that are not there */
	expect(f, len, XDP_REDIRECT, SL_XDP_REDIRECT);
	len = ipv4(f, CLIENT, VIP, SL_IPPROTO_TCP, SL_TCP_SYN);
	f[FR_IP_OFF + 10] ^= 0xff;   /* bad header checksum */
	expect(f, len, XDP_REDIRECT, SL_XDP_REDIRECT);
	len = ipv4(f, CLIENT, VIP, SL_IPPROTO_TCP, SL_TCP_SYN);
	expect(f, SL_ETH_HLEN + SL_IPV4_HLEN + 4, XDP_REDIRECT, SL_XDP_REDIRECT);
}

static void test_blocklist(void **state)
{
	uint8_t f[FR_MAX];
	(void)state;

	set_addrs(true);
	/* 198.18.0.8/29 holds the client .10, not .20. */
	assert_int_equal(sl_xdp_port_block(&env.xp, sl_htonl(0xc6120008u), 29, true), 0);
	uint32_t len = ipv4(f, CLIENT, VIP, SL_IPPROTO_TCP, SL_TCP_SYN);
	expect(f, len, XDP_DROP, SL_XDP_DROP_BLOCKLIST);
	len = ipv4(f, CLIENT, HOST, SL_IPPROTO_UDP, 0); /* the host's too */
	expect(f, len, XDP_DROP, SL_XDP_DROP_BLOCKLIST);
	len = fr_build_arp(f, SL_ARP_OP_REQUEST, CLIENT, VIP); /* and its ARP */
	expect(f, len, XDP_DROP, SL_XDP_DROP_BLOCKLIST);
	assert_int_equal(sl_xdp_port_block_hits(&env.xp, sl_htonl(0xc6120008u), 29), 3);
	len = ipv4(f, 0xc6120014u, VIP, SL_IPPROTO_TCP, SL_TCP_SYN);
	expect(f, len, XDP_REDIRECT, SL_XDP_REDIRECT);
	/* Adding it again keeps its hits; deleting it lets the client in. */
	assert_int_equal(sl_xdp_port_block(&env.xp, sl_htonl(0xc6120008u), 29, true), 0);
	assert_int_equal(sl_xdp_port_block_hits(&env.xp, sl_htonl(0xc6120008u), 29), 3);
	assert_int_equal(sl_xdp_port_block(&env.xp, sl_htonl(0xc6120008u), 29, false), 0);
	assert_int_equal(sl_xdp_port_block(&env.xp, sl_htonl(0xc6120008u), 29, false), 0);
	len = ipv4(f, CLIENT, VIP, SL_IPPROTO_TCP, SL_TCP_SYN);
	expect(f, len, XDP_REDIRECT, SL_XDP_REDIRECT);
}

/* What a reconcile reads back (ctl_xdp.c): every prefix the trie holds,
 * none twice, nothing once deleted; a `max` short of them stops there. */
static void test_block_keys(void **state)
{
	static const uint32_t nets[] = {0xc6120008u, 0xcb007100u, 0x0a000000u};
	static const uint8_t lens[] = {29, 24, 8};
	struct sl_xdp_block_key k[8];
	unsigned seen = 0;
	(void)state;

	assert_int_equal(sl_xdp_port_block_keys(&env.xp, k, 8), 0);
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(sl_xdp_port_block(&env.xp, sl_htonl(nets[i]), lens[i], true), 0);
	assert_int_equal(sl_xdp_port_block_keys(&env.xp, k, 2), 2);
	assert_int_equal(sl_xdp_port_block_keys(&env.xp, k, 8), 3);
	for (unsigned j = 0; j < 3; j++)
		for (unsigned i = 0; i < 3; i++)
			if (k[j].addr == sl_htonl(nets[i]) && k[j].prefixlen == lens[i])
				seen |= 1u << i;
	assert_int_equal(seen, 7);
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(sl_xdp_port_block(&env.xp, sl_htonl(nets[i]), lens[i], false), 0);
	assert_int_equal(sl_xdp_port_block_keys(&env.xp, k, 8), 0);
}

static void test_syn_rate(void **state)
{
	uint8_t f[FR_MAX];
	(void)state;

	set_addrs(true);
	/* One SYN a minute, bursts of two: the third SYN in a row is over. */
	struct sl_xdp_config cfg = sl_xdp_syn_config(1, 2);
	cfg.syn_interval_ns *= 60;
	cfg.syn_burst_ns *= 60;
	assert_int_equal(sl_xdp_port_set_config(&env.xp, &cfg), 0);
	uint32_t len = ipv4(f, 0xc6120021u, VIP, SL_IPPROTO_TCP, SL_TCP_SYN);
	expect(f, len, XDP_REDIRECT, SL_XDP_REDIRECT);
	expect(f, len, XDP_REDIRECT, SL_XDP_REDIRECT);
	expect(f, len, XDP_DROP, SL_XDP_DROP_SYN_RATE);
	/* Not a SYN, another source, or a SYN to the host: not limited. */
	len = ipv4(f, 0xc6120021u, VIP, SL_IPPROTO_TCP, SL_TCP_ACK);
	expect(f, len, XDP_REDIRECT, SL_XDP_REDIRECT);
	len = ipv4(f, 0xc6120021u, VIP, SL_IPPROTO_TCP, SL_TCP_SYN | SL_TCP_ACK);
	expect(f, len, XDP_REDIRECT, SL_XDP_REDIRECT);
	len = ipv4(f, 0xc6120022u, VIP, SL_IPPROTO_TCP, SL_TCP_SYN);
	expect(f, len, XDP_REDIRECT, SL_XDP_REDIRECT);
	len = ipv4(f, 0xc6120021u, HOST, SL_IPPROTO_TCP, SL_TCP_SYN);
	expect(f, len, XDP_PASS, SL_XDP_PASS_HOST);
	/* Rate 0 turns it off. */
	cfg = sl_xdp_syn_config(0, 0);
	assert_int_equal(sl_xdp_port_set_config(&env.xp, &cfg), 0);
	len = ipv4(f, 0xc6120021u, VIP, SL_IPPROTO_TCP, SL_TCP_SYN);
	expect(f, len, XDP_REDIRECT, SL_XDP_REDIRECT);
}

/* The program as the copy on model port `port` with the SYN limit
 * `cfg` (xdp_abi.h: each port's copy has its own bit). */
static void be_port(unsigned port, struct sl_xdp_config cfg)
{
	cfg.port_bit = 1u << port;
	assert_int_equal(sl_xdp_port_set_config(&env.xp, &cfg), 0);
}

/* A tap address is Sluice's to steer on its own port only, under the
 * SYN limit there as every steered address is (a flood to it would
 * reach the workers); an address that is the tap's and one of
 * Sluice's kinds too (a tap sharing its port's address) is Sluice's on
 * every port, as Sluice's addresses are (review of issue 19, item 1). */
static void test_tap_address_per_port(void **state)
{
	const uint32_t ips[] = {sl_htonl(VIP), sl_htonl(TAP), sl_htonl(PORT_IP)};
	const struct sl_xdp_addr vals[] = {
		{.kinds = 0x2}, {.kinds = SL_XDP_ADDR_HOST, .host_ports = 1u << 1},
		{.kinds = 0x1 | SL_XDP_ADDR_HOST, .host_ports = 1u << 0}};
	uint8_t f[FR_MAX];
	(void)state;

	int fd = sl_xdp_addr_table(ips, vals, 3);
	assert_true(fd >= 0);
	assert_int_equal(sl_xdp_port_set_addrs(&env.xp, fd), 0);
	close(fd);
	/* One SYN a minute, bursts of one: a second SYN is over the rate. */
	struct sl_xdp_config limit = sl_xdp_syn_config(1, 1);
	limit.syn_interval_ns *= 60;
	be_port(1, limit);
	uint32_t len = ipv4(f, 0xc6120031u, TAP, SL_IPPROTO_TCP, SL_TCP_SYN);
	expect(f, len, XDP_REDIRECT, SL_XDP_REDIRECT);
	expect(f, len, XDP_DROP, SL_XDP_DROP_SYN_RATE); /* the tap address too */
	len = ipv4(f, 0xc6120031u, TAP, SL_IPPROTO_TCP, SL_TCP_SYN | SL_TCP_ACK);
	expect(f, len, XDP_REDIRECT, SL_XDP_REDIRECT); /* a check's answer passes */
	len = fr_build_arp(f, SL_ARP_OP_REPLY, CLIENT, TAP);
	expect(f, len, XDP_REDIRECT, SL_XDP_REDIRECT);
	len = ipv4(f, 0xc6120033u, VIP, SL_IPPROTO_TCP, SL_TCP_SYN);
	expect(f, len, XDP_REDIRECT, SL_XDP_REDIRECT);
	expect(f, len, XDP_DROP, SL_XDP_DROP_SYN_RATE); /* the VIP is limited */

	be_port(0, limit);
	len = ipv4(f, 0xc6120032u, TAP, SL_IPPROTO_TCP, SL_TCP_SYN);
	expect(f, len, XDP_PASS, SL_XDP_PASS_HOST);
	len = fr_build_arp(f, SL_ARP_OP_REPLY, CLIENT, TAP);
	expect(f, len, XDP_PASS, SL_XDP_PASS_HOST);
	len = ipv4(f, CLIENT, PORT_IP, SL_IPPROTO_UDP, 0);
	expect(f, len, XDP_REDIRECT, SL_XDP_REDIRECT);
	be_port(1, sl_xdp_syn_config(0, 0));
	expect(f, len, XDP_REDIRECT, SL_XDP_REDIRECT);
}

/* A new table is swapped in whole: the VIP is gone at once. */
static void test_table_swap(void **state)
{
	uint8_t f[FR_MAX];
	(void)state;

	set_addrs(false);
	uint32_t len = ipv4(f, CLIENT, VIP, SL_IPPROTO_TCP, SL_TCP_SYN);
	expect(f, len, XDP_PASS, SL_XDP_PASS_HOST);
	len = ipv4(f, CLIENT, LIP, SL_IPPROTO_TCP, SL_TCP_ACK);
	expect(f, len, XDP_REDIRECT, SL_XDP_REDIRECT);
	set_addrs(true);
	len = ipv4(f, CLIENT, VIP, SL_IPPROTO_TCP, SL_TCP_SYN);
	expect(f, len, XDP_REDIRECT, SL_XDP_REDIRECT);
}

/* Sluice's frame on a queue without a socket goes to the kernel: the
 * redirect's fallback (XDP_PASS), counted as that and not as a redirect. */
static void test_no_socket(void **state)
{
	uint8_t f[FR_MAX];
	uint32_t q = 0;
	(void)state;

	set_addrs(true);
	assert_int_equal(bpf_map_delete_elem(bpf_map__fd(env.skel->maps.xsks_map), &q), 0);
	uint32_t len = ipv4(f, CLIENT, VIP, SL_IPPROTO_TCP, SL_TCP_SYN);
	expect(f, len, XDP_PASS, SL_XDP_PASS_NO_SOCKET);
	assert_int_equal(moved(SL_XDP_REDIRECT), 0);
	assert_int_equal(bpf_map_update_elem(bpf_map__fd(env.skel->maps.xsks_map), &q,
					     &env.xsk, 0), 0);
	expect(f, len, XDP_REDIRECT, SL_XDP_REDIRECT);
}

/* An inside host (198.18.3.0/24, an SNAT rule's inside network) talking
 * to the outside is Sluice's to translate, socket or not: with none, the
 * frame is dropped, never handed to a kernel that would forward it with
 * its private source (issue 12.5; a crash leaves the program behind). */
static void test_snat_never_passed(void **state)
{
	const uint32_t inside = 0xc6120307u, outside = 0xc6130005u, net = 0xc6120300u;
	int xsks = bpf_map__fd(env.skel->maps.xsks_map);
	uint8_t f[FR_MAX];
	uint32_t q = 0;
	(void)state;

	set_addrs(true);
	uint32_t len = ipv4(f, inside, outside, SL_IPPROTO_UDP, 0);
	expect(f, len, XDP_PASS, SL_XDP_PASS_HOST); /* no rule yet */
	assert_int_equal(sl_xdp_port_snat_src(&env.xp, sl_htonl(net), 24, true), 0);
	mark();
	assert_int_equal(run(f, len), XDP_REDIRECT);
	assert_int_equal(moved(SL_XDP_REDIRECT), 1);
	assert_int_equal(moved(SL_XDP_REDIRECT_SNAT), 1);

	assert_int_equal(bpf_map_delete_elem(xsks, &q), 0);
	/* The redirect's fallback (XDP_DROP), counted as a drop only. */
	expect(f, len, XDP_DROP, SL_XDP_DROP_SNAT_NO_SOCKET);
	assert_int_equal(moved(SL_XDP_REDIRECT), 0);
	assert_int_equal(moved(SL_XDP_REDIRECT_SNAT), 0);
	assert_int_equal(moved(SL_XDP_PASS_NO_SOCKET), 0);
	/* Sluice's own addresses still go to the kernel without a socket. */
	len = ipv4(f, inside, PORT_IP, SL_IPPROTO_UDP, 0);
	expect(f, len, XDP_PASS, SL_XDP_PASS_NO_SOCKET);
	assert_int_equal(moved(SL_XDP_REDIRECT), 0);

	assert_int_equal(bpf_map_update_elem(xsks, &q, &env.xsk, 0), 0);
	assert_int_equal(sl_xdp_port_snat_src(&env.xp, sl_htonl(net), 24, false), 0);
	len = ipv4(f, inside, outside, SL_IPPROTO_UDP, 0);
	expect(f, len, XDP_PASS, SL_XDP_PASS_HOST);
}

static void test_counter_names(void **state)
{
	(void)state;
	assert_string_equal(sl_xdp_counter_name(SL_XDP_REDIRECT), "redirect");
	assert_string_equal(sl_xdp_counter_name(SL_XDP_DROP_BLOCKLIST), "drop_blocklist");
	assert_string_equal(sl_xdp_counter_name(SL_XDP_DROP_SNAT_NO_SOCKET),
			    "drop_snat_no_socket");
	assert_string_equal(sl_xdp_counter_name(SL_XDP_CNT_MAX), "?");
	struct sl_xdp_config c = sl_xdp_syn_config(100, 10);
	assert_int_equal(c.syn_interval_ns, 10000000);
	assert_int_equal(c.syn_burst_ns, 90000000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unconfigured_passes),
		cmocka_unit_test(test_sluice_addresses_redirect),
		cmocka_unit_test(test_host_traffic_passes),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_blocklist),
		cmocka_unit_test(test_block_keys),
		cmocka_unit_test(test_syn_rate),
		cmocka_unit_test(test_tap_address_per_port),
		cmocka_unit_test(test_table_swap),
		cmocka_unit_test(test_no_socket),
		cmocka_unit_test(test_snat_never_passed),
		cmocka_unit_test(test_counter_names),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
