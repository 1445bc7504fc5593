/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The NIC's RX checksum verdicts (dataplane/rx_csum.h): which layers a
 * port's offloads let the worker read, and which software checks a
 * packet then needs. GOOD skips a check, BAD forces it even when the
 * config turned it off, UNKNOWN/NONE leave the config's choice, and a
 * layer the port was not given is never read.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "rx_csum.h"

#define IP SL_PARSE_VERIFY_IP_CSUM
#define L4 SL_PARSE_VERIFY_L4_CSUM

static void test_trust_from_offloads(void **state)
{
	(void)state;
	assert_int_equal(sl_rx_csum_trust(0), 0);
	assert_int_equal(sl_rx_csum_trust(RTE_ETH_RX_OFFLOAD_IPV4_CKSUM), IP);
	/* One L4 flag covers TCP and UDP: both offloads, or it is not read. */
	assert_int_equal(sl_rx_csum_trust(RTE_ETH_RX_OFFLOAD_TCP_CKSUM), 0);
	assert_int_equal(sl_rx_csum_trust(RTE_ETH_RX_OFFLOAD_TCP_CKSUM |
					  RTE_ETH_RX_OFFLOAD_UDP_CKSUM), L4);
	assert_int_equal(sl_rx_csum_trust(RTE_ETH_RX_OFFLOAD_CHECKSUM), IP | L4);
}

static void test_verdicts_read(void **state)
{
	(void)state;
	/* GOOD skips the check. */
	assert_int_equal(sl_rx_csum_verify(IP | L4, IP | L4,
					   RTE_MBUF_F_RX_IP_CKSUM_GOOD |
					   RTE_MBUF_F_RX_L4_CKSUM_GOOD), 0);
	/* BAD forces it, verify_l4 off or not. */
	assert_int_equal(sl_rx_csum_verify(IP, IP | L4, RTE_MBUF_F_RX_L4_CKSUM_BAD),
			 IP | L4);
	assert_int_equal(sl_rx_csum_verify(0, IP | L4, RTE_MBUF_F_RX_IP_CKSUM_BAD), IP);
	assert_int_equal(sl_rx_csum_verify(IP, IP | L4, RTE_MBUF_F_RX_IP_CKSUM_GOOD |
					   RTE_MBUF_F_RX_L4_CKSUM_BAD), L4);
	/* UNKNOWN and NONE leave the config's choice. */
	assert_int_equal(sl_rx_csum_verify(IP | L4, IP | L4, 0), IP | L4);
	assert_int_equal(sl_rx_csum_verify(IP, IP | L4, RTE_MBUF_F_RX_IP_CKSUM_NONE |
					   RTE_MBUF_F_RX_L4_CKSUM_NONE), IP);
}

static void test_verdicts_ignored(void **state)
{
	uint64_t good = RTE_MBUF_F_RX_IP_CKSUM_GOOD | RTE_MBUF_F_RX_L4_CKSUM_GOOD;
	uint64_t bad = RTE_MBUF_F_RX_IP_CKSUM_BAD | RTE_MBUF_F_RX_L4_CKSUM_BAD;
	(void)state;

	/* A port given no offload: flags mean nothing Sluice asked for. */
	assert_int_equal(sl_rx_csum_verify(IP | L4, 0, good), IP | L4);
	assert_int_equal(sl_rx_csum_verify(IP, 0, bad), IP);
	/* Given the IPv4 header alone: its verdict read, L4's not. */
	assert_int_equal(sl_rx_csum_verify(IP | L4, IP, good), L4);
	assert_int_equal(sl_rx_csum_verify(IP, IP, RTE_MBUF_F_RX_L4_CKSUM_BAD), IP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_trust_from_offloads),
		cmocka_unit_test(test_verdicts_read),
		cmocka_unit_test(test_verdicts_ignored),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
