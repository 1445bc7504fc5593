/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Frame parsing under a fuzz loop: mutated frames and random bytes, each
 * parsed from a buffer allocated to its exact length (parse_exact.h), so
 * an overread is caught by ASan or valgrind; an accepted frame's fields
 * are all inside it and consistent, and the parser never writes to it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>

#include "frames.h"
#include "pkt.h"
#include "parse_exact.h"

/* ---- fuzz ---- */

/* Invariants of an accepted frame: everything it points at is inside the
 * frame and consistent. */
static void check_accepted(const uint8_t *f, uint32_t len,
			   const struct sl_pkt *pkt)
{
	assert_ptr_equal(pkt->eth, f);
	if (pkt->kind == SL_PKT_ARP) {
		assert_true(len >= SL_ETH_HLEN + sizeof(struct sl_arp_hdr));
		return;
	}
	assert_int_equal(pkt->kind, SL_PKT_IPV4);
	assert_true(pkt->ip_len >= SL_IPV4_HLEN);
	assert_true(SL_ETH_HLEN + (uint32_t)pkt->ip_len <= len);
	assert_int_equal(pkt->l4_len, pkt->ip_len - SL_IPV4_HLEN);
	assert_true(pkt->l4 + pkt->l4_len <= f + len);
	assert_int_equal(pkt->proto, f[FR_IP_OFF + 9]);
	assert_int_equal(pkt->hash, sl_flow_hash(&pkt->key, pkt->proto));
}

/* Parse `len` bytes of `src` exactly (parse_exact.h), checked as above. */
static void fuzz_one(const uint8_t *src, uint32_t len, unsigned verify)
{
	parse_exact(src, len, verify, NULL, check_accepted);
}

static void test_fuzz_mutations(void **state)
{
	uint8_t base[FR_MAX], f[FR_MAX];
	const uint8_t protos[] = {SL_IPPROTO_TCP, SL_IPPROTO_UDP,
				  SL_IPPROTO_ICMP, 47};
	(void)state;

	fr_seed(42);
	for (int round = 0; round < 60000; round++) {
		uint32_t len;
		if (round % 8 == 0) {
			len = fr_build_arp(base, SL_ARP_OP_REQUEST, fr_rand32(),
					   fr_rand32());
		} else {
			struct fr_spec s = fr_default(protos[fr_below(4)]);
			s.saddr = fr_rand32();
			s.daddr = fr_rand32();
			s.sport = (uint16_t)fr_rand32();
			s.dport = (uint16_t)fr_rand32();
			s.tcp_flags = (uint8_t)fr_rand32();
			s.payload = (uint16_t)fr_below(200);
			s.pad = (uint16_t)fr_below(30);
			len = fr_build(base, &s);
		}
		memcpy(f, base, len);

		/* Flip a few bytes, biased towards the headers. */
		unsigned flips = fr_below(4);
		for (unsigned i = 0; i < flips; i++) {
			unsigned at = fr_below(2) ? fr_below(FR_L4_OFF + 24)
						  : fr_below(len);
			if (at < len)
				f[at] = (uint8_t)fr_rand32();
		}
		/* Sometimes make a header lie about lengths. */
		if (fr_below(4) == 0 && len >= FR_L4_OFF)
			fr_put16(f + FR_IP_OFF + 2, (uint16_t)fr_rand32());
		if (fr_below(4) == 0 && len >= FR_L4_OFF + 14)
			f[FR_L4_OFF + 12] = (uint8_t)fr_rand32();
		if (fr_below(4) == 0 && len >= FR_L4_OFF + 6)
			fr_put16(f + FR_L4_OFF + 4, (uint16_t)fr_rand32());
		/* And cut it anywhere. */
		uint32_t cut = fr_below(3) ? len : fr_below(len + 1);

		fuzz_one(f, cut, fr_below(4));
	}
}

static void test_fuzz_random_bytes(void **state)
{
	uint8_t f[256];
	(void)state;

	fr_seed(43);
	for (int round = 0; round < 60000; round++) {
		uint32_t len = fr_below(sizeof(f) + 1);
		fr_fill_random(f, len);
		/* Make most of them get past L2. */
		if (len >= SL_ETH_HLEN && fr_below(4) != 0)
			fr_put16(f + 12, fr_below(5) ? SL_ETHERTYPE_IPV4
						     : SL_ETHERTYPE_ARP);
		if (len > FR_IP_OFF && fr_below(2))
			f[FR_IP_OFF] = 0x45;
		fuzz_one(f, len, fr_below(4));
	}
}

/* Every drop reason has a distinct printable name. */
int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fuzz_mutations),
		cmocka_unit_test(test_fuzz_random_bytes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
