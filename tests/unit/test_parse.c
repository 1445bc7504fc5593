/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Frame parsing: the fields of accepted frames, one test per drop reason,
 * the drop reasons' names. The fuzz loops: test_parse_fuzz.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>

#include "frames.h"
#include "pkt.h"

#define VERIFY_ALL (SL_PARSE_VERIFY_IP_CSUM | SL_PARSE_VERIFY_L4_CSUM)

static enum sl_drop parse(uint8_t *f, uint32_t len, unsigned verify)
{
	struct sl_pkt pkt;
	memset(&pkt, 0, sizeof(pkt));
	return sl_parse(f, len, verify, &pkt);
}

/* Build the default frame of `proto` with `payload` bytes. */
static uint32_t build(uint8_t *f, uint8_t proto, uint16_t payload)
{
	struct fr_spec s = fr_default(proto);
	s.payload = payload;
	return fr_build(f, &s);
}

static void check_key(const struct sl_pkt *pkt, const struct fr_spec *s,
		      uint16_t sport, uint16_t dport)
{
	assert_int_equal(pkt->key.saddr, sl_htonl(s->saddr));
	assert_int_equal(pkt->key.daddr, sl_htonl(s->daddr));
	assert_int_equal(pkt->key.sport, sl_htons(sport));
	assert_int_equal(pkt->key.dport, sl_htons(dport));
	assert_int_equal(pkt->hash, sl_flow_hash(&pkt->key, pkt->proto));
}

/* ---- accepted frames ---- */

static void test_tcp_accepted(void **state)
{
	uint8_t f[FR_MAX];
	struct sl_pkt pkt;
	(void)state;

	struct fr_spec s = fr_default(SL_IPPROTO_TCP);
	s.tcp_flags = SL_TCP_SYN | SL_TCP_ACK | SL_TCP_PSH;
	s.payload = 100;
	uint32_t len = fr_build(f, &s);

	assert_int_equal(sl_parse(f, len, VERIFY_ALL, &pkt), SL_DROP_NONE);
	assert_int_equal(pkt.kind, SL_PKT_IPV4);
	assert_ptr_equal(pkt.eth, f);
	assert_ptr_equal(pkt.ip, f + FR_IP_OFF);
	assert_ptr_equal(pkt.l4, f + FR_L4_OFF);
	assert_int_equal(pkt.proto, SL_IPPROTO_TCP);
	assert_int_equal(pkt.tcp_flags, SL_TCP_SYN | SL_TCP_ACK | SL_TCP_PSH);
	assert_int_equal(pkt.ip_len, 20 + 20 + 100);
	assert_int_equal(pkt.l4_len, 20 + 100);
	check_key(&pkt, &s, s.sport, s.dport);
}

static void test_udp_accepted(void **state)
{
	uint8_t f[FR_MAX];
	struct sl_pkt pkt;
	(void)state;

	struct fr_spec s = fr_default(SL_IPPROTO_UDP);
	s.sport = 5353;
	s.dport = 53;
	s.payload = 33; /* odd length: checksum pads */
	uint32_t len = fr_build(f, &s);

	pkt.tcp_flags = 0xff; /* must be reset for non-TCP */
	assert_int_equal(sl_parse(f, len, VERIFY_ALL, &pkt), SL_DROP_NONE);
	assert_int_equal(pkt.proto, SL_IPPROTO_UDP);
	assert_int_equal(pkt.tcp_flags, 0);
	assert_int_equal(pkt.l4_len, 8 + 33);
	assert_int_equal(pkt.ip_len, 20 + 8 + 33);
	check_key(&pkt, &s, 5353, 53);
}

static void test_icmp_accepted(void **state)
{
	uint8_t f[FR_MAX];
	struct sl_pkt pkt;
	(void)state;

	struct fr_spec s = fr_default(SL_IPPROTO_ICMP);
	s.sport = 0x4242; /* echo identifier */
	s.dport = 7;      /* sequence */
	uint32_t len = fr_build(f, &s);

	assert_int_equal(sl_parse(f, len, VERIFY_ALL, &pkt), SL_DROP_NONE);
	assert_int_equal(pkt.proto, SL_IPPROTO_ICMP);
	assert_int_equal(pkt.l4_len, 8 + 32);
	/* The identifier stands in for both ports. */
	check_key(&pkt, &s, 0x4242, 0x4242);
}

static void test_other_proto_accepted(void **state)
{
	uint8_t f[FR_MAX];
	struct sl_pkt pkt;
	(void)state;

	struct fr_spec s = fr_default(47); /* GRE */
	s.payload = 24;
	uint32_t len = fr_build(f, &s);

	assert_int_equal(sl_parse(f, len, VERIFY_ALL, &pkt), SL_DROP_NONE);
	assert_int_equal(pkt.proto, 47);
	assert_int_equal(pkt.l4_len, 24);
	check_key(&pkt, &s, 0, 0);
}

static void test_arp_accepted(void **state)
{
	uint8_t f[64];
	struct sl_pkt pkt;
	(void)state;

	uint32_t len = fr_build_arp(f, SL_ARP_OP_REQUEST, 0xc6120002, 0xc6120001);
	assert_int_equal(sl_parse(f, len, VERIFY_ALL, &pkt), SL_DROP_NONE);
	assert_int_equal(pkt.kind, SL_PKT_ARP);
	assert_ptr_equal(pkt.eth, f);
	assert_ptr_equal((void *)pkt.ip, f + SL_ETH_HLEN);
	const struct sl_arp_hdr *arp = (const void *)pkt.ip;
	assert_int_equal(arp->op, sl_htons(SL_ARP_OP_REQUEST));
	assert_int_equal(arp->tpa, sl_htonl(0xc6120001));

	/* Ethernet minimum size: padded to 60 bytes, still fine. */
	memset(f + len, 0, 60 - len);
	assert_int_equal(parse(f, 60, VERIFY_ALL), SL_DROP_NONE);
}

/* Ethernet padding past the IP total length is not part of the packet:
 * lengths exclude it and the L4 checksum ignores it. */
static void test_padding_accepted(void **state)
{
	uint8_t f[FR_MAX];
	struct sl_pkt pkt;
	(void)state;

	for (uint8_t proto = 0; proto < 3; proto++) {
		uint8_t p = proto == 0 ? SL_IPPROTO_TCP :
			    proto == 1 ? SL_IPPROTO_UDP : SL_IPPROTO_ICMP;
		struct fr_spec s = fr_default(p);
		s.payload = 1;
		s.pad = 17;
		uint32_t len = fr_build(f, &s);
		assert_int_equal(sl_parse(f, len, VERIFY_ALL, &pkt), SL_DROP_NONE);
		assert_int_equal(pkt.ip_len, 20 + fr_l4_hlen(p) + 1);
		assert_int_equal(pkt.l4_len, fr_l4_hlen(p) + 1);
	}
}

/* A UDP datagram shorter than the IP payload (trailing bytes inside the
 * IP packet): accepted, checksum over the UDP length. */
static void test_udp_shorter_than_ip(void **state)
{
	uint8_t f[FR_MAX];
	(void)state;

	uint32_t len = build(f, SL_IPPROTO_UDP, 20);
	fr_put16(f + FR_L4_OFF + 4, 8 + 10);
	fr_fix_l4(f);
	assert_int_equal(parse(f, len, VERIFY_ALL), SL_DROP_NONE);
}

/* A zero UDP checksum means "none": accepted even over corrupt data. */
static void test_udp_zero_csum_accepted(void **state)
{
	uint8_t f[FR_MAX];
	(void)state;

	struct fr_spec s = fr_default(SL_IPPROTO_UDP);
	s.zero_udp_csum = 1;
	uint32_t len = fr_build(f, &s);
	assert_int_equal(fr_get16(f + FR_L4_OFF + 6), 0);
	f[len - 1] ^= 0x55;
	assert_int_equal(parse(f, len, VERIFY_ALL), SL_DROP_NONE);
}

/* TCP options (data offset > 5) inside the segment are fine. */
static void test_tcp_options_accepted(void **state)
{
	uint8_t f[FR_MAX];
	struct sl_pkt pkt;
	(void)state;

	uint32_t len = build(f, SL_IPPROTO_TCP, 12);
	f[FR_L4_OFF + 12] = 8 << 4; /* 32-byte header: 12 bytes of options */
	fr_fix_l4(f);
	assert_int_equal(sl_parse(f, len, VERIFY_ALL, &pkt), SL_DROP_NONE);
	assert_int_equal(pkt.l4_len, 32);
}

/* ---- drops, in header order ---- */

static void test_l2_truncated(void **state)
{
	uint8_t f[FR_MAX];
	(void)state;

	build(f, SL_IPPROTO_TCP, 0);
	for (uint32_t len = 0; len < SL_ETH_HLEN; len++)
		assert_int_equal(parse(f, len, VERIFY_ALL), SL_DROP_L2_TRUNCATED);
}

static void test_l2_unsupported(void **state)
{
	uint8_t f[FR_MAX];
	/* IPv6 is parsed now (test_parse6.c). */
	const uint16_t types[] = {SL_ETHERTYPE_VLAN, 0x88a8,
				  0x88cc, 0x0000, 0x0801, 0x0008};
	(void)state;

	uint32_t len = build(f, SL_IPPROTO_TCP, 0);
	for (unsigned i = 0; i < SL_ARRAY_SIZE(types); i++) {
		fr_put16(f + 12, types[i]);
		assert_int_equal(parse(f, len, VERIFY_ALL), SL_DROP_L2_UNSUPPORTED);
		/* Only the Ethernet header is needed to say so. */
		assert_int_equal(parse(f, SL_ETH_HLEN, VERIFY_ALL),
				 SL_DROP_L2_UNSUPPORTED);
	}
}

static void test_arp_malformed(void **state)
{
	uint8_t f[64];
	(void)state;

	uint32_t len = fr_build_arp(f, SL_ARP_OP_REPLY, 1, 2);
	for (uint32_t l = SL_ETH_HLEN; l < len; l++)
		assert_int_equal(parse(f, l, 0), SL_DROP_ARP_MALFORMED);

	const struct { unsigned off; uint8_t val; } bad[] = {
		{SL_ETH_HLEN + 1, 6},    /* htype 6 (IEEE 802) */
		{SL_ETH_HLEN + 0, 1},    /* htype 0x0101 */
		{SL_ETH_HLEN + 2, 0x86}, /* ptype 0x8600 */
		{SL_ETH_HLEN + 3, 0xdd}, /* ptype 0x08dd */
		{SL_ETH_HLEN + 4, 8},    /* hlen */
		{SL_ETH_HLEN + 5, 16},   /* plen */
	};
	for (unsigned i = 0; i < SL_ARRAY_SIZE(bad); i++) {
		fr_build_arp(f, SL_ARP_OP_REPLY, 1, 2);
		f[bad[i].off] = bad[i].val;
		assert_int_equal(parse(f, len, 0), SL_DROP_ARP_MALFORMED);
	}
}

static void test_ip_truncated(void **state)
{
	uint8_t f[FR_MAX];
	(void)state;

	build(f, SL_IPPROTO_TCP, 0);
	for (uint32_t len = SL_ETH_HLEN; len < SL_ETH_HLEN + SL_IPV4_HLEN; len++)
		assert_int_equal(parse(f, len, VERIFY_ALL), SL_DROP_IP_TRUNCATED);
}

static void test_ip_bad_version(void **state)
{
	uint8_t f[FR_MAX];
	(void)state;

	uint32_t len = build(f, SL_IPPROTO_TCP, 0);
	const uint8_t versions[] = {0, 1, 5, 6, 15};
	for (unsigned i = 0; i < SL_ARRAY_SIZE(versions); i++) {
		f[FR_IP_OFF] = (uint8_t)(versions[i] << 4 | 5);
		fr_fix_ip(f);
		assert_int_equal(parse(f, len, VERIFY_ALL), SL_DROP_IP_BAD_VERSION);
	}
}

static void test_ip_bad_ihl(void **state)
{
	uint8_t f[FR_MAX];
	(void)state;

	uint32_t len = build(f, SL_IPPROTO_TCP, 0);
	for (uint8_t ihl = 0; ihl < 5; ihl++) {
		f[FR_IP_OFF] = 0x40 | ihl;
		assert_int_equal(parse(f, len, 0), SL_DROP_IP_BAD_IHL);
	}
}

static void test_ip_options(void **state)
{
	uint8_t f[FR_MAX];
	(void)state;

	uint32_t len = build(f, SL_IPPROTO_TCP, 40);
	for (uint8_t ihl = 6; ihl < 16; ihl++) {
		f[FR_IP_OFF] = 0x40 | ihl;
		fr_fix_ip(f);
		assert_int_equal(parse(f, len, VERIFY_ALL), SL_DROP_IP_OPTIONS);
		/* Even when the options would run past the frame. */
		assert_int_equal(parse(f, SL_ETH_HLEN + SL_IPV4_HLEN, 0),
				 SL_DROP_IP_OPTIONS);
	}
}

static void test_ip_bad_length(void **state)
{
	uint8_t f[FR_MAX];
	(void)state;

	uint32_t len = build(f, SL_IPPROTO_TCP, 10);
	uint16_t ip_len = (uint16_t)(len - SL_ETH_HLEN);
	const uint16_t bad[] = {0, 1, 19, (uint16_t)(ip_len + 1), 0xffff};
	for (unsigned i = 0; i < SL_ARRAY_SIZE(bad); i++) {
		fr_put16(f + FR_IP_OFF + 2, bad[i]);
		fr_fix_ip(f);
		assert_int_equal(parse(f, len, VERIFY_ALL), SL_DROP_IP_BAD_LENGTH);
	}
	/* A frame cut short of its total length. */
	len = build(f, SL_IPPROTO_TCP, 10);
	assert_int_equal(parse(f, len - 1, 0), SL_DROP_IP_BAD_LENGTH);
	assert_int_equal(parse(f, SL_ETH_HLEN + SL_IPV4_HLEN, 0),
			 SL_DROP_IP_BAD_LENGTH);
}

static void test_ip_bad_checksum(void **state)
{
	uint8_t f[FR_MAX];
	(void)state;

	uint32_t len = build(f, SL_IPPROTO_TCP, 10);
	f[FR_IP_OFF + 10] ^= 0x01;
	assert_int_equal(parse(f, len, VERIFY_ALL), SL_DROP_IP_BAD_CHECKSUM);
	assert_int_equal(parse(f, len, SL_PARSE_VERIFY_IP_CSUM),
			 SL_DROP_IP_BAD_CHECKSUM);
	/* Not asked to check: the NIC did. */
	assert_int_equal(parse(f, len, 0), SL_DROP_NONE);
	assert_int_equal(parse(f, len, SL_PARSE_VERIFY_L4_CSUM), SL_DROP_NONE);

	/* A changed header byte with a stale checksum. */
	build(f, SL_IPPROTO_TCP, 10);
	f[FR_IP_OFF + 1] = 0x10; /* TOS */
	assert_int_equal(parse(f, len, VERIFY_ALL), SL_DROP_IP_BAD_CHECKSUM);
}

static void test_ip_fragment(void **state)
{
	uint8_t f[FR_MAX];
	const uint16_t frag[] = {0x2000, 0x0001, 0x2001, 0x1fff, 0x6000, 0x4001,
				 0x3fff};
	(void)state;

	uint32_t len = build(f, SL_IPPROTO_UDP, 10);
	for (unsigned i = 0; i < SL_ARRAY_SIZE(frag); i++) {
		fr_put16(f + FR_IP_OFF + 6, frag[i]);
		fr_fix_ip(f);
		assert_int_equal(parse(f, len, VERIFY_ALL), SL_DROP_IP_FRAGMENT);
	}
	/* DF alone, or the reserved bit, is not a fragment. */
	fr_put16(f + FR_IP_OFF + 6, 0x4000);
	fr_fix_ip(f);
	assert_int_equal(parse(f, len, VERIFY_ALL), SL_DROP_NONE);
	fr_put16(f + FR_IP_OFF + 6, 0x0000);
	fr_fix_ip(f);
	assert_int_equal(parse(f, len, VERIFY_ALL), SL_DROP_NONE);
	fr_put16(f + FR_IP_OFF + 6, 0x8000);
	fr_fix_ip(f);
	assert_int_equal(parse(f, len, VERIFY_ALL), SL_DROP_NONE);
}

static void test_ip_bad_address(void **state)
{
	uint8_t f[FR_MAX];
	const uint32_t bad[] = {0x00000000, 0x00ffffff, 0x7f000001, 0xe0000001,
				0xefffffff, 0xf0000001, 0xffffffff};
	(void)state;

	uint32_t len = build(f, SL_IPPROTO_TCP, 0);
	for (unsigned i = 0; i < SL_ARRAY_SIZE(bad); i++) {
		for (unsigned field = 12; field <= 16; field += 4) {
			uint32_t keep = fr_get32(f + FR_IP_OFF + field);
			fr_put32(f + FR_IP_OFF + field, bad[i]);
			fr_fix_ip(f);
			fr_fix_l4(f);
			assert_int_equal(parse(f, len, VERIFY_ALL), SL_DROP_IP_BAD_ADDRESS);
			fr_put32(f + FR_IP_OFF + field, keep);
		}
	}
	/* The edges of what is allowed. */
	const uint32_t good[] = {0x01000000, 0x7effffff, 0x80000000, 0xdfffffff};
	for (unsigned i = 0; i < SL_ARRAY_SIZE(good); i++) {
		fr_put32(f + FR_IP_OFF + 16, good[i]);
		fr_fix_ip(f);
		fr_fix_l4(f);
		assert_int_equal(parse(f, len, VERIFY_ALL), SL_DROP_NONE);
	}
}

/* Shrink the IP packet to `l4_len` bytes of L4 and return the frame
 * length; checksums fixed. */
static uint32_t shrink(uint8_t *f, uint16_t l4_len)
{
	fr_put16(f + FR_IP_OFF + 2, (uint16_t)(SL_IPV4_HLEN + l4_len));
	fr_fix_ip(f);
	return SL_ETH_HLEN + SL_IPV4_HLEN + l4_len;
}

static void test_l4_truncated(void **state)
{
	uint8_t f[FR_MAX];
	const uint8_t protos[] = {SL_IPPROTO_TCP, SL_IPPROTO_UDP, SL_IPPROTO_ICMP};
	(void)state;

	for (unsigned p = 0; p < SL_ARRAY_SIZE(protos); p++) {
		unsigned hlen = fr_l4_hlen(protos[p]);
		for (uint16_t l4 = 0; l4 < hlen; l4++) {
			build(f, protos[p], 40);
			uint32_t len = shrink(f, l4);
			assert_int_equal(parse(f, len, VERIFY_ALL),
					 SL_DROP_L4_TRUNCATED);
			/* Same answer with the frame's real bytes behind. */
			assert_int_equal(parse(f, len + 40, SL_PARSE_VERIFY_IP_CSUM),
					 SL_DROP_L4_TRUNCATED);
		}
	}
}

static void test_tcp_bad_data_offset(void **state)
{
	uint8_t f[FR_MAX];
	(void)state;

	/* Below the minimum header. */
	for (uint8_t doff = 0; doff < 5; doff++) {
		uint32_t len = build(f, SL_IPPROTO_TCP, 40);
		f[FR_L4_OFF + 12] = (uint8_t)(doff << 4);
		fr_fix_l4(f);
		assert_int_equal(parse(f, len, VERIFY_ALL), SL_DROP_L4_TRUNCATED);
	}
	/* Past the end of the segment: 4 bytes of payload, header says 24+. */
	for (uint8_t doff = 7; doff < 16; doff++) {
		uint32_t len = build(f, SL_IPPROTO_TCP, 4);
		f[FR_L4_OFF + 12] = (uint8_t)(doff << 4);
		fr_fix_l4(f);
		assert_int_equal(parse(f, len, VERIFY_ALL), SL_DROP_L4_TRUNCATED);
	}
	/* Exactly the segment: fine. */
	uint32_t len = build(f, SL_IPPROTO_TCP, 4);
	f[FR_L4_OFF + 12] = 6 << 4;
	fr_fix_l4(f);
	assert_int_equal(parse(f, len, VERIFY_ALL), SL_DROP_NONE);
}

static void test_udp_bad_length(void **state)
{
	uint8_t f[FR_MAX];
	(void)state;

	const uint16_t bad[] = {0, 1, 7, 8 + 20 + 1, 0xffff};
	for (unsigned i = 0; i < SL_ARRAY_SIZE(bad); i++) {
		uint32_t len = build(f, SL_IPPROTO_UDP, 20);
		fr_put16(f + FR_L4_OFF + 4, bad[i]);
		assert_int_equal(parse(f, len, SL_PARSE_VERIFY_IP_CSUM),
				 SL_DROP_L4_TRUNCATED);
	}
	/* Minimal datagram: header only. */
	uint32_t len = build(f, SL_IPPROTO_UDP, 0);
	assert_int_equal(parse(f, len, VERIFY_ALL), SL_DROP_NONE);
}

static void test_l4_bad_checksum(void **state)
{
	uint8_t f[FR_MAX];
	const uint8_t protos[] = {SL_IPPROTO_TCP, SL_IPPROTO_UDP, SL_IPPROTO_ICMP};
	(void)state;

	for (unsigned p = 0; p < SL_ARRAY_SIZE(protos); p++) {
		/* Corrupt the payload, a port, the checksum itself. */
		const unsigned where[] = {FR_L4_OFF + fr_l4_hlen(protos[p]) + 5,
					  FR_L4_OFF + 1,
					  FR_L4_OFF + fr_csum_off(protos[p])};
		for (unsigned w = 0; w < SL_ARRAY_SIZE(where); w++) {
			uint32_t len = build(f, protos[p], 30);
			f[where[w]] ^= 0x40;
			assert_int_equal(parse(f, len, VERIFY_ALL),
					 SL_DROP_L4_BAD_CHECKSUM);
			assert_int_equal(parse(f, len, SL_PARSE_VERIFY_L4_CSUM),
					 SL_DROP_L4_BAD_CHECKSUM);
			assert_int_equal(parse(f, len, SL_PARSE_VERIFY_IP_CSUM),
					 SL_DROP_NONE);
		}
	}

	/* The pseudo header is covered: a changed address (with the IP
	 * header checksum fixed) breaks the TCP and UDP checksums only. */
	for (unsigned p = 0; p < SL_ARRAY_SIZE(protos); p++) {
		uint32_t len = build(f, protos[p], 30);
		f[FR_IP_OFF + 15] ^= 0x01;
		fr_fix_ip(f);
		assert_int_equal(parse(f, len, VERIFY_ALL),
				 protos[p] == SL_IPPROTO_ICMP ? SL_DROP_NONE
							      : SL_DROP_L4_BAD_CHECKSUM);
	}
}

/* sl_ip_csum_ok and sl_l4_csum_ok directly. */
static void test_csum_helpers(void **state)
{
	uint8_t f[FR_MAX];
	struct sl_pkt pkt;
	(void)state;

	uint32_t len = build(f, SL_IPPROTO_TCP, 9);
	assert_int_equal(sl_parse(f, len, 0, &pkt), SL_DROP_NONE);
	assert_true(sl_ip_csum_ok(pkt.ip, 20));
	assert_true(sl_l4_csum_ok(&pkt));
	f[len - 1] ^= 1;
	assert_false(sl_l4_csum_ok(&pkt));
	f[FR_IP_OFF + 8] ^= 1;
	assert_false(sl_ip_csum_ok(pkt.ip, 20));
}

static void test_drop_names(void **state)
{
	(void)state;
	for (unsigned i = 0; i < SL_DROP_MAX; i++) {
		const char *n = sl_drop_name((enum sl_drop)i);
		assert_non_null(n);
		assert_true(strlen(n) > 0);
		assert_string_not_equal(n, "invalid");
		for (unsigned j = 0; j < i; j++)
			assert_string_not_equal(n, sl_drop_name((enum sl_drop)j));
	}
	assert_string_equal(sl_drop_name(SL_DROP_NONE), "none");
	assert_string_equal(sl_drop_name(SL_DROP_IP_FRAGMENT), "ip_fragment");
	assert_string_equal(sl_drop_name(SL_DROP_MAX), "invalid");
	assert_string_equal(sl_drop_name((enum sl_drop)1000), "invalid");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcp_accepted),
		cmocka_unit_test(test_udp_accepted),
		cmocka_unit_test(test_icmp_accepted),
		cmocka_unit_test(test_other_proto_accepted),
		cmocka_unit_test(test_arp_accepted),
		cmocka_unit_test(test_padding_accepted),
		cmocka_unit_test(test_udp_shorter_than_ip),
		cmocka_unit_test(test_udp_zero_csum_accepted),
		cmocka_unit_test(test_tcp_options_accepted),
		cmocka_unit_test(test_l2_truncated),
		cmocka_unit_test(test_l2_unsupported),
		cmocka_unit_test(test_arp_malformed),
		cmocka_unit_test(test_ip_truncated),
		cmocka_unit_test(test_ip_bad_version),
		cmocka_unit_test(test_ip_bad_ihl),
		cmocka_unit_test(test_ip_options),
		cmocka_unit_test(test_ip_bad_length),
		cmocka_unit_test(test_ip_bad_checksum),
		cmocka_unit_test(test_ip_fragment),
		cmocka_unit_test(test_ip_bad_address),
		cmocka_unit_test(test_l4_truncated),
		cmocka_unit_test(test_tcp_bad_data_offset),
		cmocka_unit_test(test_udp_bad_length),
		cmocka_unit_test(test_l4_bad_checksum),
		cmocka_unit_test(test_csum_helpers),
		cmocka_unit_test(test_drop_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
