/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Resets and probes (reject.h): the RST that answers a SYN (ACK = its
 * seq + 1, seq 0), a data segment with ACK (seq = its ack, no ACK flag),
 * a FIN; addresses and ports swapped; options and payload dropped; both
 * checksums checked against the reference in frames.h; the probe is a
 * valid bare ACK with seq 0.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "frames.h"
#include "reject.h"

static uint8_t f[FR_MAX];

static struct sl_pkt parsed(const struct fr_spec *s)
{
	struct sl_pkt pkt;
	uint32_t len = fr_build(f, s);
	assert_int_equal(sl_parse(f, len, SL_PARSE_VERIFY_IP_CSUM |
					  SL_PARSE_VERIFY_L4_CSUM, &pkt),
			 SL_DROP_NONE);
	return pkt;
}

/* The frame after a reset was written: valid, headers only, swapped. */
static void check_reset(const struct fr_spec *s, uint32_t seq, uint32_t ack,
			uint8_t flags)
{
	const uint8_t *ip = f + FR_IP_OFF, *tcp = f + FR_L4_OFF;

	assert_int_equal(fr_get16(ip + 2), SL_TCP_BARE_LEN);
	assert_true(fr_ip_ok(f));
	assert_true(fr_l4_ok(f));
	assert_int_equal(ip[9], SL_IPPROTO_TCP);
	assert_int_equal(fr_get32(ip + 12), s->daddr);
	assert_int_equal(fr_get32(ip + 16), s->saddr);
	assert_int_equal(fr_get16(tcp), s->dport);
	assert_int_equal(fr_get16(tcp + 2), s->sport);
	assert_int_equal(fr_get32(tcp + 4), seq);
	assert_int_equal(fr_get32(tcp + 8), ack);
	assert_int_equal(tcp[12], 5 << 4);
	assert_int_equal(tcp[13], flags);
	assert_int_equal(fr_get16(ip + 6) & 0x3fff, 0); /* no fragment */
}

static void test_rst_for_syn(void **state)
{
	(void)state;
	struct fr_spec s = fr_default(SL_IPPROTO_TCP);
	s.tcp_flags = SL_TCP_SYN;
	s.payload = 0;
	struct sl_pkt pkt = parsed(&s);
	sl_tcp_rst_reply(&pkt);
	/* fr_build's seq is 0x01020304; a SYN counts one. */
	check_reset(&s, 0, 0x01020305, SL_TCP_RST | SL_TCP_ACK);
	assert_int_equal(pkt.key.saddr, sl_htonl(s.daddr));
	assert_int_equal(pkt.key.dport, sl_htons(s.sport));
	assert_int_equal(pkt.ip_len, SL_TCP_BARE_LEN);
}

static void test_rst_for_data(void **state)
{
	(void)state;
	struct fr_spec s = fr_default(SL_IPPROTO_TCP);
	s.tcp_flags = SL_TCP_ACK | SL_TCP_PSH;
	s.payload = 300;
	struct sl_pkt pkt = parsed(&s);
	sl_tcp_rst_reply(&pkt);
	/* With ACK: seq is the ack it carried (frames.h: 0x01020304), no ACK flag. */
	check_reset(&s, 0x01020304, 0, SL_TCP_RST);
}

static void test_rst_for_fin_without_ack(void **state)
{
	(void)state;
	struct fr_spec s = fr_default(SL_IPPROTO_TCP);
	s.tcp_flags = SL_TCP_FIN;
	s.payload = 10;
	struct sl_pkt pkt = parsed(&s);
	sl_tcp_rst_reply(&pkt);
	check_reset(&s, 0, 0x01020304 + 10 + 1, SL_TCP_RST | SL_TCP_ACK);
}

static void test_probe(void **state)
{
	(void)state;
	memset(f, 0xee, sizeof(f));
	memcpy(f + 12, "\x08\x00", 2);
	assert_int_equal(sl_tcp_probe_build(f + FR_IP_OFF, sl_htonl(0xc6120064),
					    sl_htons(80), sl_htonl(0xc612000a),
					    sl_htons(40000)),
			 SL_TCP_BARE_LEN);
	struct fr_spec s = {.saddr = 0xc612000a, .daddr = 0xc6120064,
			    .sport = 40000, .dport = 80};
	check_reset(&s, 0, 0, SL_TCP_ACK);
	struct sl_pkt pkt;
	assert_int_equal(sl_parse(f, SL_ETH_HLEN + SL_TCP_BARE_LEN,
				  SL_PARSE_VERIFY_IP_CSUM | SL_PARSE_VERIFY_L4_CSUM,
				  &pkt),
			 SL_DROP_NONE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rst_for_syn),
		cmocka_unit_test(test_rst_for_data),
		cmocka_unit_test(test_rst_for_fin_without_ack),
		cmocka_unit_test(test_probe),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
