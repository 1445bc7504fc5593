/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TX checksum offload set-up (dataplane/tx_csum.h) on real frames: the
 * mbuf's ol_flags, l2_len and l3_len as DPDK requires, the IPv4 header
 * checksum zeroed when the NIC writes it, the pseudo-header checksum in
 * the TCP/UDP field; and a NIC's completion over the segment (sum, fold,
 * invert) gives back exactly the checksum the software path wrote. What
 * the port was not given, UDP without a checksum, ICMP, ARP and
 * fragments are left alone.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "frames.h"
#include "tx_csum.h"

#define ALL (SL_TX_CSUM_IP | SL_TX_CSUM_TCP | SL_TX_CSUM_UDP)

static uint8_t buf[FR_MAX];

/* An mbuf over buf holding a frame of `len` bytes: no EAL needed. */
static struct rte_mbuf mbuf_of(uint32_t len)
{
	struct rte_mbuf m;

	memset(&m, 0, sizeof(m));
	m.buf_addr = buf;
	m.data_len = (uint16_t)len;
	m.pkt_len = len;
	return m;
}

/* What a NIC writes: the segment summed with the pseudo-header sum
 * already in the field, folded and inverted. */
static uint16_t nic_completes(const uint8_t *f)
{
	const uint8_t *ip = f + FR_IP_OFF;
	uint16_t l4_len = (uint16_t)(fr_get16(ip + 2) - 20);

	return (uint16_t)~fr_ref_fold(fr_ref_sum(ip + 20, l4_len, 0));
}

static void check_offloaded(uint8_t proto, uint8_t layers)
{
	struct fr_spec s = fr_default(proto);
	uint32_t len = fr_build(buf, &s);
	unsigned off = FR_L4_OFF + fr_csum_off(proto);
	uint16_t ip_sum = fr_get16(buf + FR_IP_OFF + 10), l4_sum = fr_get16(buf + off);
	struct rte_mbuf m = mbuf_of(len);
	uint64_t l4_flag = proto == SL_IPPROTO_TCP ? RTE_MBUF_F_TX_TCP_CKSUM
						   : RTE_MBUF_F_TX_UDP_CKSUM;
	uint64_t pseudo = fr_ref_pseudo(s.saddr, s.daddr, proto,
					(uint16_t)(len - FR_L4_OFF));

	sl_tx_csum_offload(&m, layers);
	assert_int_equal(m.l2_len, 14);
	assert_int_equal(m.l3_len, 20);
	assert_true(m.ol_flags & RTE_MBUF_F_TX_IPV4);
	assert_true(m.ol_flags & l4_flag);
	assert_int_equal(fr_get16(buf + off), fr_ref_fold(pseudo));
	assert_int_equal(nic_completes(buf), l4_sum);
	if (layers & SL_TX_CSUM_IP) {
		assert_true(m.ol_flags & RTE_MBUF_F_TX_IP_CKSUM);
		assert_int_equal(fr_get16(buf + FR_IP_OFF + 10), 0);
		assert_int_equal(fr_ref_csum(buf + FR_IP_OFF, 20, 0), ip_sum);
	} else { /* virtio: the IPv4 header stays the software's */
		assert_false(m.ol_flags & RTE_MBUF_F_TX_IP_CKSUM);
		assert_int_equal(fr_get16(buf + FR_IP_OFF + 10), ip_sum);
	}
}

static void test_tcp_udp_offloaded(void **state)
{
	(void)state;
	check_offloaded(SL_IPPROTO_TCP, ALL);
	check_offloaded(SL_IPPROTO_UDP, ALL);
	check_offloaded(SL_IPPROTO_TCP, SL_TX_CSUM_TCP | SL_TX_CSUM_UDP);
	check_offloaded(SL_IPPROTO_UDP, SL_TX_CSUM_TCP | SL_TX_CSUM_UDP);
}

/* A frame that must go as it is: same bytes, no flags. */
static void check_untouched(uint32_t len, uint8_t layers)
{
	uint8_t before[FR_MAX];
	struct rte_mbuf m = mbuf_of(len);

	memcpy(before, buf, len);
	sl_tx_csum_offload(&m, layers);
	assert_int_equal(m.ol_flags, 0);
	assert_memory_equal(buf, before, len);
}

static void test_left_alone(void **state)
{
	struct fr_spec s = fr_default(SL_IPPROTO_UDP);
	(void)state;

	s.zero_udp_csum = 1; /* no checksum: none written */
	check_untouched(fr_build(buf, &s), SL_TX_CSUM_UDP | SL_TX_CSUM_TCP);
	s = fr_default(SL_IPPROTO_TCP); /* TCP not given */
	check_untouched(fr_build(buf, &s), SL_TX_CSUM_UDP);
	s = fr_default(SL_IPPROTO_ICMP);
	check_untouched(fr_build(buf, &s), SL_TX_CSUM_UDP | SL_TX_CSUM_TCP);
	check_untouched(fr_build_arp(buf, 1, 0xc6120001, 0xc6120002), ALL);
	s = fr_default(SL_IPPROTO_TCP); /* a fragment */
	uint32_t len = fr_build(buf, &s);
	fr_put16(buf + FR_IP_OFF + 6, 0x2000);
	fr_fix_ip(buf);
	check_untouched(len, ALL);
	/* Too short to hold the TCP header it claims. */
	s = fr_default(SL_IPPROTO_TCP);
	fr_build(buf, &s);
	check_untouched(FR_L4_OFF + 10, SL_TX_CSUM_TCP);
}

/* ICMP with the IPv4 header offloaded: the header alone. */
static void test_ip_only(void **state)
{
	struct fr_spec s = fr_default(SL_IPPROTO_ICMP);
	uint32_t len = fr_build(buf, &s);
	uint16_t ip_sum = fr_get16(buf + FR_IP_OFF + 10);
	struct rte_mbuf m = mbuf_of(len);
	(void)state;

	sl_tx_csum_offload(&m, ALL);
	assert_int_equal(m.ol_flags, RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM);
	assert_int_equal(fr_get16(buf + FR_IP_OFF + 10), 0);
	assert_int_equal(fr_ref_csum(buf + FR_IP_OFF, 20, 0), ip_sum);
}

static void test_layers_from_offloads(void **state)
{
	(void)state;
	assert_int_equal(sl_tx_csum_layers(0), 0);
	assert_int_equal(sl_tx_csum_layers(RTE_ETH_TX_OFFLOAD_TCP_CKSUM |
					   RTE_ETH_TX_OFFLOAD_UDP_CKSUM),
			 SL_TX_CSUM_TCP | SL_TX_CSUM_UDP);
	assert_int_equal(sl_tx_csum_layers(RTE_ETH_TX_OFFLOAD_IPV4_CKSUM |
					   RTE_ETH_TX_OFFLOAD_TCP_CKSUM |
					   RTE_ETH_TX_OFFLOAD_UDP_CKSUM), ALL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcp_udp_offloaded),
		cmocka_unit_test(test_left_alone),
		cmocka_unit_test(test_ip_only),
		cmocka_unit_test(test_layers_from_offloads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
