/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What Sluice asks of a device (drivers/port_conf.c), against the
 * capabilities real NICs report (issue 14): RSS only on the functions a
 * device offers, none with one queue, a clear reason when there is none;
 * the symmetric key really hashes both directions of a flow alike (DPDK's
 * own software Toeplitz, rte_softrss); checksum offloads only where
 * offered (RX and TX), and none when the config says "offloads": false.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include <rte_thash.h>

#include "port_conf.h"

#define ALL_CSUM (RTE_ETH_RX_OFFLOAD_CHECKSUM | RTE_ETH_RX_OFFLOAD_SCATTER)

/* An i40e reports every IP flow type, a 52-byte key, a 512-entry table. */
static struct rte_eth_dev_info i40e(void)
{
	struct rte_eth_dev_info di = {0};
	di.flow_type_rss_offloads = SL_RSS_WANTED | RTE_ETH_RSS_FRAG_IPV4 |
				    RTE_ETH_RSS_NONFRAG_IPV4_SCTP | RTE_ETH_RSS_L2_PAYLOAD;
	di.hash_key_size = 52;
	di.reta_size = 512;
	di.rx_offload_capa = ALL_CSUM;
	di.tx_offload_capa = SL_TX_CSUM_WANTED | RTE_ETH_TX_OFFLOAD_SCTP_CKSUM |
			     RTE_ETH_TX_OFFLOAD_TCP_TSO;
	return di;
}

static void test_rss_offered(void **state)
{
	struct rte_eth_dev_info di = i40e();
	struct sl_port_opts o = {.offloads = true};
	struct rte_eth_conf conf;
	struct sl_port_choice c;
	char names[96];
	(void)state;

	sl_port_conf_choose(&di, 4, &o, &conf, &c);
	assert_int_equal(conf.rxmode.mq_mode, RTE_ETH_MQ_RX_RSS);
	assert_true(c.rss_hf == SL_RSS_WANTED); /* not SCTP, fragments, L2 */
	assert_true(conf.rx_adv_conf.rss_conf.rss_hf == SL_RSS_WANTED);
	assert_null(conf.rx_adv_conf.rss_conf.rss_key); /* the driver's key */
	assert_null(c.no_rss);
	assert_true(conf.rxmode.offloads == SL_RX_CSUM_WANTED); /* not scatter */
	assert_true(c.tx_offloads == SL_TX_CSUM_WANTED); /* not SCTP, TSO */
	assert_true(conf.txmode.offloads == SL_TX_CSUM_WANTED);
	assert_string_equal(sl_port_rss_names(c.rss_hf, names, sizeof(names)),
			    "ipv4 ipv4-tcp ipv4-udp ipv6 ipv6-tcp ipv6-udp");
}

/* An ixgbe-like device hashing IPv4 and IPv4/TCP only gets just those. */
static void test_rss_subset(void **state)
{
	struct rte_eth_dev_info di = {0};
	struct sl_port_opts o = {.offloads = true};
	struct rte_eth_conf conf;
	struct sl_port_choice c;
	(void)state;

	di.flow_type_rss_offloads = RTE_ETH_RSS_IPV4 | RTE_ETH_RSS_NONFRAG_IPV4_TCP;
	di.rx_offload_capa = RTE_ETH_RX_OFFLOAD_IPV4_CKSUM;
	/* virtio-like TX: TCP and UDP, never the IPv4 header. */
	di.tx_offload_capa = RTE_ETH_TX_OFFLOAD_TCP_CKSUM | RTE_ETH_TX_OFFLOAD_UDP_CKSUM;
	sl_port_conf_choose(&di, 2, &o, &conf, &c);
	assert_true(c.rss_hf == (RTE_ETH_RSS_IPV4 | RTE_ETH_RSS_NONFRAG_IPV4_TCP));
	assert_true(c.rx_offloads == RTE_ETH_RX_OFFLOAD_IPV4_CKSUM);
	assert_true(c.tx_offloads == di.tx_offload_capa);
}

/* No RSS (virtio without the feature, af_packet): said why; one queue:
 * nothing to say. */
static void test_no_rss(void **state)
{
	struct rte_eth_dev_info di = {0};
	struct sl_port_opts o = {.offloads = true};
	struct rte_eth_conf conf;
	struct sl_port_choice c;
	(void)state;

	sl_port_conf_choose(&di, 2, &o, &conf, &c);
	assert_int_equal(conf.rxmode.mq_mode, RTE_ETH_MQ_RX_NONE);
	assert_true(c.rss_hf == 0);
	assert_string_equal(c.no_rss, "it offers no RSS");
	di.flow_type_rss_offloads = RTE_ETH_RSS_L2_PAYLOAD;
	sl_port_conf_choose(&di, 2, &o, &conf, &c);
	assert_non_null(strstr(c.no_rss, "hashes none"));
	di = i40e();
	sl_port_conf_choose(&di, 1, &o, &conf, &c);
	assert_int_equal(conf.rxmode.mq_mode, RTE_ETH_MQ_RX_NONE);
	assert_null(c.no_rss);
}

static void test_offloads_off(void **state)
{
	struct rte_eth_dev_info di = i40e();
	struct sl_port_opts o = {.offloads = false};
	struct rte_eth_conf conf;
	struct sl_port_choice c;
	(void)state;

	sl_port_conf_choose(&di, 2, &o, &conf, &c);
	assert_true(conf.rxmode.offloads == 0);
	assert_true(c.rx_offloads == 0);
	assert_true(conf.txmode.offloads == 0);
	assert_true(c.tx_offloads == 0);
	assert_int_equal(conf.rxmode.mq_mode, RTE_ETH_MQ_RX_RSS); /* RSS stays */
}

/* VLAN strip and insert: asked for only on a device carrying VLANs,
 * only where offered (the worker does them otherwise), whatever
 * `offloads` says of the checksums. */
static void test_vlan_offloads(void **state)
{
	struct rte_eth_dev_info di = i40e();
	struct sl_port_opts o = {.offloads = false, .vlan = true};
	struct rte_eth_conf conf;
	struct sl_port_choice c;
	(void)state;

	di.rx_offload_capa |= RTE_ETH_RX_OFFLOAD_VLAN_STRIP;
	di.tx_offload_capa |= RTE_ETH_TX_OFFLOAD_VLAN_INSERT;
	sl_port_conf_choose(&di, 2, &o, &conf, &c);
	assert_true(c.rx_offloads == RTE_ETH_RX_OFFLOAD_VLAN_STRIP);
	assert_true(c.tx_offloads == RTE_ETH_TX_OFFLOAD_VLAN_INSERT);
	assert_true(conf.rxmode.offloads == c.rx_offloads);
	assert_true(conf.txmode.offloads == c.tx_offloads);
	o.vlan = false;
	sl_port_conf_choose(&di, 2, &o, &conf, &c);
	assert_true(c.rx_offloads == 0 && c.tx_offloads == 0);
	/* Not offered: not asked for. */
	di = i40e();
	di.rx_offload_capa &= ~RTE_ETH_RX_OFFLOAD_VLAN_STRIP;
	di.tx_offload_capa &= ~RTE_ETH_TX_OFFLOAD_VLAN_INSERT;
	o.vlan = true;
	sl_port_conf_choose(&di, 2, &o, &conf, &c);
	assert_true((c.rx_offloads & RTE_ETH_RX_OFFLOAD_VLAN_STRIP) == 0);
	assert_true((c.tx_offloads & RTE_ETH_TX_OFFLOAD_VLAN_INSERT) == 0);
}

/* The symmetric key, at the device's key size, hashes a flow and its
 * reply alike for every tuple tried (Toeplitz, as the NIC computes it). */
static void test_symmetric_key(void **state)
{
	struct sl_port_opts o = {.offloads = true, .rss_symmetric = true};
	struct rte_eth_conf conf;
	struct sl_port_choice c;
	(void)state;

	for (uint8_t size = 40; size <= 52; size += 12) {
		struct rte_eth_dev_info di = i40e();
		di.hash_key_size = size;
		sl_port_conf_choose(&di, 4, &o, &conf, &c);
		assert_int_equal(c.key_len, size);
		assert_ptr_equal(conf.rx_adv_conf.rss_conf.rss_key, c.key);
		assert_int_equal(conf.rx_adv_conf.rss_conf.rss_key_len, size);
		uint32_t x = 0x12345678;
		for (int i = 0; i < 1000; i++) {
			x = x * 1103515245u + 12345u;
			uint32_t a = x, b = x * 2654435761u, ports = x ^ (x >> 13);
			uint32_t fwd[3] = {a, b, ports};
			uint32_t rev[3] = {b, a, ports << 16 | ports >> 16};
			assert_int_equal(rte_softrss(fwd, 3, c.key), rte_softrss(rev, 3, c.key));
		}
	}
	/* And the default key is not symmetric: the test can tell. */
	static _Alignas(4) const uint8_t def[40] = {
		0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67,
		0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb,
		0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30,
		0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa};
	uint32_t fwd[3] = {0xc6120001, 0xc6120164, 0x1f900050};
	uint32_t rev[3] = {0xc6120164, 0xc6120001, 0x00501f90};
	assert_int_not_equal(rte_softrss(fwd, 3, def), rte_softrss(rev, 3, def));
}

/* A link change worth a log line: up/down, or speed or duplex while up;
 * nothing else (a down link's stale speed is no news). */
static void test_link_differs(void **state)
{
	struct sl_port_link up10g = {.up = true, .full_duplex = true, .speed_mbps = 10000};
	struct sl_port_link up1g = up10g, half = up10g, down = {0}, down2 = {0};
	char buf[64];
	(void)state;

	up1g.speed_mbps = 1000;
	half.full_duplex = false;
	down2.speed_mbps = 10000;
	assert_false(sl_port_link_differs(&up10g, &up10g));
	assert_true(sl_port_link_differs(&up10g, &down));
	assert_true(sl_port_link_differs(&down, &up10g));
	assert_true(sl_port_link_differs(&up10g, &up1g));
	assert_true(sl_port_link_differs(&up10g, &half));
	assert_false(sl_port_link_differs(&down, &down2));
	assert_string_equal(sl_port_link_str(&up10g, buf, sizeof(buf)),
			    "up, 10000 Mbps full-duplex");
	assert_string_equal(sl_port_link_str(&down2, buf, sizeof(buf)), "down");
	up1g.speed_mbps = 0;
	assert_string_equal(sl_port_link_str(&up1g, buf, sizeof(buf)), "up, speed unknown");
}

/* A VLAN port's own ethdev id held by a device, whichever came first: the
 * device probed before the port was wired, or opened after it (a later
 * port's device, an exception tap). Both are found from the final set of
 * open devices. */
static void test_vlan_id_clash(void **state)
{
	/* Ports 0 and 1 are their devices' first: no id of their own. */
	uint16_t ids[4] = {UINT16_MAX, UINT16_MAX, sl_port_vlan_ethdev(2),
			   sl_port_vlan_ethdev(3)};
	uint64_t few = 0x7; /* ethdevs 0..2: port 0's device and two taps */
	(void)state;

	assert_int_equal(sl_port_vlan_clash(few, ids, 4), -1);
	/* RTE_MAX_ETHPORTS - 3 opened (EAL probe, later taps): port 2's id. */
	uint64_t many = (1ull << (RTE_MAX_ETHPORTS - 2)) - 1;
	assert_int_equal(sl_port_vlan_clash(many, ids, 4), 2);
	/* Only port 3's id held, by a device opened last. */
	assert_int_equal(sl_port_vlan_clash(few | 1ull << sl_port_vlan_ethdev(3), ids, 4), 3);
	assert_int_equal(sl_port_vlan_clash(~0ull, ids, 2), -1);
	assert_int_equal(sl_port_vlan_ethdev(0), RTE_MAX_ETHPORTS - 1);
}

/* Frames of the port's MTU against the mbufs' room: a 9000 MTU does not
 * fit 2 KiB buffers (9022-byte frames); refused, naming the fix, on a device without
 * scattered RX (af_packet-like); taken with scatter asked for on one
 * that has it (i40e); 1500 fits either. */
static void test_rx_room(void **state)
{
	struct rte_eth_dev_info scat = i40e(), plain = {.driver_name = "net_af_packet"};
	char err[256] = "";
	(void)state;

	assert_int_equal(sl_port_rx_room(1500, &plain, 2048, err, sizeof(err)), 0);
	assert_int_equal(sl_port_rx_room(2026, &plain, 2048, err, sizeof(err)), 0);
	assert_int_equal(sl_port_rx_room(2027, &plain, 2048, err, sizeof(err)), -1);
	assert_int_equal(sl_port_rx_room(9000, &plain, 2048, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "mtu 9000 (net_af_packet's) needs 9022-byte buffers; the mbufs hold 2048"));
	assert_non_null(strstr(err, "Sluice reads a frame from one buffer"));
	assert_non_null(strstr(err, "\"mtu\": 9000"));
	/* Offered scattered RX changes nothing (the parser reads one
	 * segment: chained frames would all be dropped). */
	assert_int_equal(sl_port_rx_room(9000, &scat, 2048, err, sizeof(err)), -1);
	assert_int_equal(sl_port_rx_room(9000, &scat, 9022, err, sizeof(err)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rss_offered),
		cmocka_unit_test(test_rss_subset),
		cmocka_unit_test(test_no_rss),
		cmocka_unit_test(test_offloads_off),
		cmocka_unit_test(test_vlan_offloads),
		cmocka_unit_test(test_symmetric_key),
		cmocka_unit_test(test_link_differs),
		cmocka_unit_test(test_vlan_id_clash),
		cmocka_unit_test(test_rx_room),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
