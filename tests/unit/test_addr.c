/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Address parsers and formatters: what each accepts, and above all what
 * each refuses. The reject lists are the point: leading zeros (which
 * inet_aton reads as octal), missing or extra parts, spaces, signs and
 * trailing junk must all fail rather than be read as something else.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>

#include <cmocka.h>

#include "addr.h"

#define HOST(a, b, c, d) sl_htonl((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))

static void test_ipv4_accepts(void **state)
{
	sl_be32 ip;

	(void)state;
	assert_int_equal(sl_parse_ipv4("198.18.0.100", &ip), 0);
	assert_int_equal(ip, HOST(198, 18, 0, 100));
	assert_int_equal(sl_parse_ipv4("0.0.0.0", &ip), 0);
	assert_int_equal(ip, 0);
	assert_int_equal(sl_parse_ipv4("255.255.255.255", &ip), 0);
	assert_int_equal(ip, 0xffffffffu);
	assert_int_equal(sl_parse_ipv4("10.0.20.3", &ip), 0);
	assert_int_equal(ip, HOST(10, 0, 20, 3));
}

static void test_ipv4_rejects(void **state)
{
	static const char *const bad[] = {
		"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.256", "01.2.3.4",
		"1.2.3.010", "00.1.1.1", " 1.2.3.4", "1.2.3.4 ", "1.2.3.4x",
		"1..3.4", "1.2.3.-4", "+1.2.3.4", "1.2.3.4/24", "a.b.c.d",
		"1.2.3.", ".1.2.3", "1.2.3.4:80", "1.2.3.1000",
		"4294967296.1.1.1", "99999999999999999999.1.1.1", "0x1.2.3.4",
		"1.2.3.4\n",
	};
	sl_be32 ip = 0x5a5a5a5a;

	(void)state;
	for (size_t i = 0; i < SL_ARRAY_SIZE(bad); i++) {
		if (sl_parse_ipv4(bad[i], &ip) != -1)
			fail_msg("accepted \"%s\"", bad[i]);
		assert_int_equal(ip, 0x5a5a5a5a); /* untouched on failure */
	}
}

static void test_prefix(void **state)
{
	sl_be32 ip;
	uint8_t plen;

	(void)state;
	assert_int_equal(sl_parse_prefix("10.0.0.0/8", &ip, &plen, true), 0);
	assert_int_equal(ip, HOST(10, 0, 0, 0));
	assert_int_equal(plen, 8);
	assert_int_equal(sl_parse_prefix("0.0.0.0/0", &ip, &plen, true), 0);
	assert_int_equal(plen, 0);
	assert_int_equal(sl_parse_prefix("1.2.3.4/32", &ip, &plen, true), 0);
	assert_int_equal(plen, 32);
	/* Host bits: refused only when a network is asked for. */
	assert_int_equal(sl_parse_prefix("10.0.0.1/8", &ip, &plen, true), -1);
	assert_int_equal(sl_parse_prefix("198.18.0.2/24", &ip, &plen, false), 0);
	assert_int_equal(ip, HOST(198, 18, 0, 2));
	assert_int_equal(plen, 24);
	assert_int_equal(sl_parse_prefix("1.0.0.0/0", &ip, &plen, true), -1);

	static const char *const bad[] = {
		"10.0.0.0/33", "10.0.0.0/", "10.0.0.0/08", "10.0.0.0/-1",
		"10.0.0.0", "10.0.0.0/8x", "10.0.0.0/ 8", "10.0.0/8",
		"/8", "10.0.0.0//8", "10.0.0.0/8/8", "256.0.0.0/8",
	};
	for (size_t i = 0; i < SL_ARRAY_SIZE(bad); i++)
		if (sl_parse_prefix(bad[i], &ip, &plen, false) != -1)
			fail_msg("accepted \"%s\"", bad[i]);
}

static void test_ipport(void **state)
{
	sl_be32 ip;
	sl_be16 port;

	(void)state;
	assert_int_equal(sl_parse_ipport("198.18.1.11:8080", &ip, &port), 0);
	assert_int_equal(ip, HOST(198, 18, 1, 11));
	assert_int_equal(port, sl_htons(8080));
	assert_int_equal(sl_parse_ipport("1.2.3.4:65535", &ip, &port), 0);
	assert_int_equal(port, sl_htons(65535));
	assert_int_equal(sl_parse_ipport("1.2.3.4:1", &ip, &port), 0);
	assert_int_equal(port, sl_htons(1));

	static const char *const bad[] = {
		"1.2.3.4:0", "1.2.3.4:65536", "1.2.3.4:080", "1.2.3.4",
		"1.2.3.4:", "1.2.3.4:80:1", "1.2.3:80", "1.2.3.4:-80",
		"1.2.3.4: 80", "1.2.3.4:80 ", ":80", "1.2.3.4:8o",
	};
	for (size_t i = 0; i < SL_ARRAY_SIZE(bad); i++)
		if (sl_parse_ipport(bad[i], &ip, &port) != -1)
			fail_msg("accepted \"%s\"", bad[i]);
}

static void test_mac(void **state)
{
	static const uint8_t want[6] = {0x02, 0x00, 0x00, 0x00, 0x01, 0x0b};
	static const uint8_t mixed[6] = {0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff};
	uint8_t mac[6];

	(void)state;
	assert_int_equal(sl_parse_mac("02:00:00:00:01:0b", mac), 0);
	assert_memory_equal(mac, want, 6);
	assert_int_equal(sl_parse_mac("AA:bb:CC:dd:EE:ff", mac), 0);
	assert_memory_equal(mac, mixed, 6);

	static const char *const bad[] = {
		"", "02:00:00:00:01", "02:00:00:00:01:0b:00", "02-00-00-00-01-0b",
		"2:00:00:00:01:0b:", "0g:00:00:00:01:0b", "02:00:00:00:01:0b ",
		"0200.0000.010b", "02:00:00:00:01:b", "02:00:00:00:001:0b",
		" 02:00:00:00:01:0b", "02:00:00:00:01::b",
	};
	for (size_t i = 0; i < SL_ARRAY_SIZE(bad); i++)
		if (sl_parse_mac(bad[i], mac) != -1)
			fail_msg("accepted \"%s\"", bad[i]);
}

static void test_proto(void **state)
{
	uint8_t p = 0;

	(void)state;
	assert_int_equal(sl_parse_proto("tcp", &p), 0);
	assert_int_equal(p, SL_IPPROTO_TCP);
	assert_int_equal(sl_parse_proto("udp", &p), 0);
	assert_int_equal(p, SL_IPPROTO_UDP);
	assert_int_equal(sl_parse_proto("TCP", &p), -1);
	assert_int_equal(sl_parse_proto("icmp", &p), -1);
	assert_int_equal(sl_parse_proto("", &p), -1);
	assert_int_equal(sl_parse_proto("tcp ", &p), -1);
	assert_int_equal(p, SL_IPPROTO_UDP);

	assert_string_equal(sl_proto_name(SL_IPPROTO_TCP), "tcp");
	assert_string_equal(sl_proto_name(SL_IPPROTO_UDP), "udp");
	assert_string_equal(sl_proto_name(SL_IPPROTO_ICMP), "icmp");
	assert_string_equal(sl_proto_name(47), "?");
}

static void test_uint(void **state)
{
	unsigned long v = 7;

	(void)state;
	assert_int_equal(sl_parse_uint("0", 0, 10, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(sl_parse_uint("65535", 1, 65535, &v), 0);
	assert_int_equal(v, 65535);
	assert_int_equal(sl_parse_uint("18446744073709551615", 0, ~0ul, &v), 0);
	assert_true(v == ~0ul);

	static const char *const bad[] = {
		"65536", "-1", "+1", "", "1a", " 1", "1 ", "01", "00",
		"99999999999999999999999", "18446744073709551616", "0x10",
	};
	for (size_t i = 0; i < SL_ARRAY_SIZE(bad); i++) {
		v = 7;
		if (sl_parse_uint(bad[i], 0, 65535, &v) != -1)
			fail_msg("accepted \"%s\"", bad[i]);
		assert_int_equal(v, 7);
	}
	assert_int_equal(sl_parse_uint("0", 1, 65535, &v), -1);   /* below min */
	assert_int_equal(sl_parse_uint("9", 0, 5, &v), -1);       /* above a max < 10 */
	assert_int_equal(sl_parse_uint("5", 0, 5, &v), 0);
}

static void test_unicast(void **state)
{
	(void)state;
	assert_true(sl_ipv4_is_unicast(HOST(198, 18, 0, 100)));
	assert_true(sl_ipv4_is_unicast(HOST(1, 0, 0, 0)));
	assert_true(sl_ipv4_is_unicast(HOST(223, 255, 255, 254)));
	assert_true(sl_ipv4_is_unicast(HOST(126, 255, 255, 255)));
	assert_false(sl_ipv4_is_unicast(0));
	assert_false(sl_ipv4_is_unicast(HOST(0, 1, 2, 3)));
	assert_false(sl_ipv4_is_unicast(HOST(127, 0, 0, 1)));
	assert_false(sl_ipv4_is_unicast(HOST(224, 0, 0, 1)));
	assert_false(sl_ipv4_is_unicast(HOST(239, 255, 255, 250)));
	assert_false(sl_ipv4_is_unicast(HOST(240, 0, 0, 1)));
	assert_false(sl_ipv4_is_unicast(0xffffffffu));
}

static void test_format(void **state)
{
	static const uint8_t mac[6] = {0x02, 0xab, 0x00, 0xff, 0x10, 0x0b};
	char a[SL_IPV4_STRLEN], ap[SL_IPPORT_STRLEN], m[SL_MAC_STRLEN];
	sl_be32 ip;
	sl_be16 port;

	(void)state;
	assert_string_equal(sl_fmt_ipv4(HOST(198, 18, 0, 100), a), "198.18.0.100");
	assert_string_equal(sl_fmt_ipv4(0xffffffffu, a), "255.255.255.255");
	assert_string_equal(sl_fmt_ipv4(0, a), "0.0.0.0");
	assert_string_equal(sl_fmt_ipport(0xffffffffu, sl_htons(65535), ap),
			    "255.255.255.255:65535");
	assert_string_equal(sl_fmt_mac(mac, m), "02:ab:00:ff:10:0b");
	/* What is printed parses back to the same value. */
	assert_int_equal(sl_parse_ipport(sl_fmt_ipport(HOST(10, 1, 2, 3),
						       sl_htons(443), ap),
					 &ip, &port), 0);
	assert_int_equal(ip, HOST(10, 1, 2, 3));
	assert_int_equal(port, sl_htons(443));
}

/* ---- either family ---- */

/* glibc's inet_pton as an independent reference for what parses. */
static void test_ipv6_accepts(void **state)
{
	static const char *const good[] = {
		"2001:db8::1", "::", "::1", "1::", "2001:db8:0:0:0:0:0:1",
		"2001:DB8::A:b", "0:0:0:0:0:0:0:0", "1:2:3:4:5:6:7:8",
		"1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8", "1::8", "64:ff9b::198.18.0.1",
		"::ffff:1.2.3.4", "1:2:3:4:5:6:1.2.3.4", "fe80::1", "ff02::1:ff00:1",
		"2001:0db8:0000::0001",
	};
	uint8_t got[16], want[16];

	(void)state;
	for (size_t i = 0; i < SL_ARRAY_SIZE(good); i++) {
		if (sl_parse_ipv6(good[i], got) != 0)
			fail_msg("refused \"%s\"", good[i]);
		assert_int_equal(inet_pton(AF_INET6, good[i], want), 1);
		assert_memory_equal(got, want, 16);
	}
	assert_int_equal(sl_parse_ipv6("2001:db8::100", got), 0);
	assert_int_equal(got[0], 0x20);
	assert_int_equal(got[1], 0x01);
	assert_int_equal(got[14], 0x01);
	assert_int_equal(got[15], 0x00);
}

static void test_ipv6_rejects(void **state)
{
	static const char *const bad[] = {
		"", ":", ":::", "1:::2", "1::2::3", ":1::2", "1::2:", "1:2:3:4:5:6:7",
		"1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7:8::", "::1:2:3:4:5:6:7:8",
		"12345::1", "g::1", "[2001:db8::1]", "2001:db8::1%eth0",
		"2001:db8::1/64", " ::1", "::1 ", "1:2:3:4:5:6:7:1.2.3.4",
		"::1.2.3", "::1.2.3.04", "::1.2.3.4:5", "1.2.3.4", "2001:db8::1:",
		"-1::", "+1::", "0x1::",
	};
	uint8_t got[16] = {0x5a};

	(void)state;
	for (size_t i = 0; i < SL_ARRAY_SIZE(bad); i++) {
		if (sl_parse_ipv6(bad[i], got) != -1)
			fail_msg("accepted \"%s\"", bad[i]);
		assert_int_equal(got[0], 0x5a); /* untouched on failure */
	}
}

static void test_addr_either(void **state)
{
	struct sl_addr a;
	uint8_t plen;
	sl_be16 port;

	(void)state;
	assert_int_equal(sl_parse_addr("198.18.0.1", &a), 0);
	assert_int_equal(a.af, SL_AF_V4);
	assert_int_equal(a.v4, HOST(198, 18, 0, 1));
	assert_int_equal(sl_parse_addr("2001:db8::1", &a), 0);
	assert_int_equal(a.af, SL_AF_V6);
	assert_int_equal(sl_parse_addr("2001:db8::1::", &a), -1);
	assert_int_equal(sl_parse_addr("198.18.0.1:80", &a), -1);

	assert_int_equal(sl_parse_addr_prefix("2001:db8::/64", &a, &plen, true), 0);
	assert_int_equal(a.af, SL_AF_V6);
	assert_int_equal(plen, 64);
	assert_int_equal(sl_parse_addr_prefix("2001:db8::2/64", &a, &plen, true), -1);
	assert_int_equal(sl_parse_addr_prefix("2001:db8::2/64", &a, &plen, false), 0);
	assert_int_equal(sl_parse_addr_prefix("2001:db8::1/128", &a, &plen, true), 0);
	assert_int_equal(sl_parse_addr_prefix("::/0", &a, &plen, true), 0);
	assert_int_equal(plen, 0);
	assert_int_equal(sl_parse_addr_prefix("2001:db8::8000:0/113", &a, &plen, true), 0);
	assert_int_equal(sl_parse_addr_prefix("2001:db8::1:8000/113", &a, &plen, true), 0);
	assert_int_equal(sl_parse_addr_prefix("2001:db8::1:4000/113", &a, &plen, true), -1);
	assert_int_equal(sl_parse_addr_prefix("198.18.0.0/15", &a, &plen, true), 0);
	assert_int_equal(a.af, SL_AF_V4);
	static const char *const badp[] = {
		"2001:db8::/129", "2001:db8::/", "2001:db8::", "2001:db8::/064",
		"2001:db8::/6 4", "[2001:db8::]/64", "2001:db8::/64/1", "/64",
		"198.18.0.0/33",
	};
	for (size_t i = 0; i < SL_ARRAY_SIZE(badp); i++)
		if (sl_parse_addr_prefix(badp[i], &a, &plen, false) != -1)
			fail_msg("accepted \"%s\"", badp[i]);

	assert_int_equal(sl_parse_addr_port("[2001:db8::100]:80", &a, &port), 0);
	assert_int_equal(a.af, SL_AF_V6);
	assert_int_equal(port, sl_htons(80));
	assert_int_equal(sl_parse_addr_port("198.18.0.1:443", &a, &port), 0);
	assert_int_equal(a.af, SL_AF_V4);
	assert_int_equal(port, sl_htons(443));
	static const char *const badap[] = {
		"2001:db8::100:80", "[2001:db8::100]", "[2001:db8::100]:", "[2001:db8::100]:0",
		"[2001:db8::100]:65536", "[2001:db8::100:80", "[198.18.0.1]:80",
		"[2001:db8::100]80", "[]:80", "[2001:db8::100]:80x",
	};
	for (size_t i = 0; i < SL_ARRAY_SIZE(badap); i++)
		if (sl_parse_addr_port(badap[i], &a, &port) != -1)
			fail_msg("accepted \"%s\"", badap[i]);
}

static struct sl_addr v6(const char *s)
{
	struct sl_addr a;

	assert_int_equal(sl_parse_addr(s, &a), 0);
	return a;
}

static void test_addr_kinds(void **state)
{
	static const char *const not_unicast[] = {
		"::", "::1", "ff02::1", "ff05::2", "fe80::1", "febf::1", "::ffff:198.18.0.1",
		"0.0.0.0", "127.0.0.1", "224.0.0.1",
	};
	static const char *const unicast[] = {
		"2001:db8::1", "fec0::1", "64:ff9b::1", "::2", "198.18.0.1",
	};
	struct sl_addr p = v6("2001:db8:1::"), a4 = sl_addr_v4(HOST(198, 18, 0, 1));

	(void)state;
	for (size_t i = 0; i < SL_ARRAY_SIZE(not_unicast); i++) {
		struct sl_addr a = v6(not_unicast[i]);
		if (sl_addr_is_unicast(&a))
			fail_msg("\"%s\" taken as unicast", not_unicast[i]);
	}
	for (size_t i = 0; i < SL_ARRAY_SIZE(unicast); i++) {
		struct sl_addr a = v6(unicast[i]);
		if (!sl_addr_is_unicast(&a))
			fail_msg("\"%s\" refused as unicast", unicast[i]);
	}
	struct sl_addr in = v6("2001:db8:1::ff"), out = v6("2001:db8:2::1");
	assert_true(sl_addr_in_prefix(&in, &p, 48));
	assert_false(sl_addr_in_prefix(&out, &p, 48));
	assert_true(sl_addr_in_prefix(&out, &p, 46));
	assert_true(sl_addr_in_prefix(&out, &p, 0));
	assert_false(sl_addr_in_prefix(&in, &p, 128));
	assert_false(sl_addr_in_prefix(&a4, &p, 0)); /* never across families */
	assert_true(sl_addr_eq(&in, &in));
	assert_false(sl_addr_eq(&in, &out));
	assert_false(sl_addr_eq(&in, &a4));
	assert_string_equal(sl_af_name(SL_AF_V6), "IPv6");
}

/* RFC 5952 section 4 text, and what is printed parses back. */
static void test_addr_format(void **state)
{
	static const char *const pairs[][2] = {
		{"2001:0DB8:0000:0000:0000:0000:0000:0001", "2001:db8::1"},
		{"2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"},
		{"2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"},
		{"2001:0:0:1:0:0:0:1", "2001:0:0:1::1"},
		{"::", "::"}, {"::1", "::1"}, {"1::", "1::"},
		{"1:0:0:0:0:0:0:0", "1::"}, {"0:0:0:0:0:0:0:1", "::1"},
		{"64:ff9b::198.18.0.1", "64:ff9b::c612:1"},
		{"1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"},
		{"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
		 "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"},
	};
	char buf[SL_ADDR_STRLEN], ap[SL_ADDRPORT_STRLEN];
	struct sl_addr a, back;
	sl_be16 port;

	(void)state;
	for (size_t i = 0; i < SL_ARRAY_SIZE(pairs); i++) {
		a = v6(pairs[i][0]);
		assert_string_equal(sl_fmt_addr(&a, buf), pairs[i][1]);
		back = v6(buf);
		assert_true(sl_addr_eq(&a, &back));
	}
	a = v6("2001:db8::100");
	assert_string_equal(sl_fmt_addrport(&a, sl_htons(8080), ap), "[2001:db8::100]:8080");
	assert_int_equal(sl_parse_addr_port(ap, &back, &port), 0);
	assert_true(sl_addr_eq(&a, &back));
	a = sl_addr_v4(HOST(198, 18, 0, 1));
	assert_string_equal(sl_fmt_addrport(&a, sl_htons(80), ap), "198.18.0.1:80");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipv4_accepts),
		cmocka_unit_test(test_ipv4_rejects),
		cmocka_unit_test(test_prefix),
		cmocka_unit_test(test_ipport),
		cmocka_unit_test(test_mac),
		cmocka_unit_test(test_proto),
		cmocka_unit_test(test_uint),
		cmocka_unit_test(test_unicast),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_ipv6_accepts),
		cmocka_unit_test(test_ipv6_rejects),
		cmocka_unit_test(test_addr_either),
		cmocka_unit_test(test_addr_kinds),
		cmocka_unit_test(test_addr_format),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
