/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NAT64 (RFC 7915) on hand-built packets: TCP, UDP and echo both ways,
 * every ICMP error type and code of sections 4.2 and 5.2 (with the MTU
 * and pointer mappings), the quote translated with it, the refusals by
 * name, and the MSS clamp. Every checksum is judged by the byte-at-a-time
 * reference of frames.h; headers are read back byte by byte.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>

#include "drop.h"
#include "nat64.h"
#include "nat64_frames.h"

#define ROOM 128
static uint8_t buf[ROOM + 2048];
static uint8_t *const l3 = buf + ROOM;

static const struct sl_nat64_ctx ctx = {.mtu4 = 1500, .mtu6 = 1500,
					.ip_id = 0x3412};

/* The v4 side of the connection: LIP:40000 -> RS:8080, and back. */
static struct sl_v4key k4_out(void)
{
	struct sl_v4key k = {sl_htonl(T4_LIP), sl_htonl(T4_RS), sl_htons(40000),
			     sl_htons(8080)};
	return k;
}

static struct sl_v4key k4_back(void)
{
	struct sl_v4key k = k4_out();
	return sl_v4key_reverse(&k);
}

/* The v6 side: C:5555 -> VIP:80, and back. */
static struct sl_v6key k6_in(void)
{
	struct sl_v6key k;
	memcpy(k.saddr, t6_client, 16);
	memcpy(k.daddr, t6_vip, 16);
	k.sport = sl_htons(5555);
	k.dport = sl_htons(80);
	return k;
}

static struct sl_v6key k6_back(void)
{
	struct sl_v6key k = k6_in();
	return sl_v6key_reverse(&k);
}

static struct sl_nat64_buf at(unsigned len)
{
	struct sl_nat64_buf b = {l3, (uint16_t)len, ROOM};
	return b;
}

/* A v6 packet C -> VIP of `proto` with `payload` bytes after its header. */
static unsigned build6(uint8_t proto, unsigned payload, uint8_t hop)
{
	uint8_t *l4 = l3 + SL_IPV6_HLEN;
	unsigned n = proto == SL_IPPROTO_TCP ? t_put_tcp(l4, 5555, 80, SL_TCP_ACK, payload)
		   : proto == SL_IPPROTO_UDP ? t_put_udp(l4, 5555, 80, payload)
					     : t_put_icmp(l4, SL_ICMP6_ECHO_REQUEST, 0,
							  0x07000001, payload);
	t6_put_hdr(l3, t6_client, t6_vip, proto, hop, 0xb8, n);
	t6_fix(l3);
	return SL_IPV6_HLEN + n;
}

/* A v4 packet RS -> LIP. */
static unsigned build4(uint8_t proto, unsigned payload, uint8_t ttl, uint16_t frag)
{
	uint8_t *l4 = l3 + SL_IPV4_HLEN;
	unsigned n = proto == SL_IPPROTO_TCP ? t_put_tcp(l4, 8080, 40000, SL_TCP_ACK, payload)
		   : proto == SL_IPPROTO_UDP ? t_put_udp(l4, 8080, 40000, payload)
					     : t_put_icmp(l4, SL_ICMP_ECHO_REPLY, 0,
							  0x9c400001, payload);
	t4_put_hdr(l3, T4_RS, T4_LIP, proto, ttl, 0x48, SL_IPV4_HLEN + n, frag);
	t4_fix(l3);
	return SL_IPV4_HLEN + n;
}

static void check_v4(const uint8_t *p, const struct sl_v4key *k, uint8_t proto,
		     uint8_t ttl, uint8_t tos, unsigned total)
{
	assert_int_equal(p[0], 0x45);
	assert_int_equal(p[1], tos);
	assert_int_equal(fr_get16(p + 2), total);
	assert_int_equal(p[8], ttl);
	assert_int_equal(p[9], proto);
	assert_int_equal(fr_get32(p + 12), sl_ntohl(k->saddr));
	assert_int_equal(fr_get32(p + 16), sl_ntohl(k->daddr));
	assert_true(t4_ok(p));
}

static void check_v6(const uint8_t *p, const struct sl_v6key *k, uint8_t nh,
		     uint8_t hop, uint8_t tclass, unsigned payload)
{
	assert_int_equal(fr_get32(p), 6u << 28 | (uint32_t)tclass << 20);
	assert_int_equal(fr_get16(p + 4), payload);
	assert_int_equal(p[6], nh);
	assert_int_equal(p[7], hop);
	assert_memory_equal(p + 8, k->saddr, 16);
	assert_memory_equal(p + 24, k->daddr, 16);
	assert_true(t6_l4_ok(p));
}

static void test_tcp_udp_6to4(void **state)
{
	(void)state;
	for (uint8_t proto = SL_IPPROTO_TCP; proto; proto = proto == SL_IPPROTO_TCP ? SL_IPPROTO_UDP : 0) {
		struct sl_v4key k = k4_out();
		unsigned n = build6(proto, 101, 64);
		struct sl_nat64_buf b = at(n);
		assert_int_equal(sl_nat64_6to4(&b, &k, NULL, &ctx), SL_XLAT_OK);
		assert_ptr_equal(b.l3, l3 + 20);
		assert_int_equal(b.len, n - 20);
		assert_int_equal(b.headroom, ROOM + 20);
		check_v4(b.l3, &k, proto, 63, 0xb8, n - 20);
		assert_int_equal(fr_get16(b.l3 + 4), sl_ntohs(ctx.ip_id));
		assert_int_equal(fr_get16(b.l3 + 6), 0); /* <= 1260: no DF */
		assert_int_equal(fr_get16(b.l3 + 20), 40000);
		assert_int_equal(fr_get16(b.l3 + 22), 8080);
	}
	/* Over 1260 bytes: DF (RFC 7915 5.1). */
	struct sl_v4key k = k4_out();
	struct sl_nat64_buf b = at(build6(SL_IPPROTO_TCP, 1300, 64));
	assert_int_equal(sl_nat64_6to4(&b, &k, NULL, &ctx), SL_XLAT_OK);
	assert_int_equal(fr_get16(b.l3 + 6), SL_IP_DF);
	assert_true(t4_ok(b.l3));
}

static void test_tcp_udp_4to6(void **state)
{
	(void)state;
	for (int zero = 0; zero < 3; zero++) {
		uint8_t proto = zero == 0 ? SL_IPPROTO_TCP : SL_IPPROTO_UDP;
		struct sl_v6key k = k6_back();
		unsigned n = build4(proto, 333, 9, SL_IP_DF);
		if (zero == 2) /* IPv4 UDP without a checksum gets one */
			fr_put16(l3 + 20 + 6, 0);
		struct sl_nat64_buf b = at(n);
		assert_int_equal(sl_nat64_4to6(&b, &k, NULL, &ctx), SL_XLAT_OK);
		assert_ptr_equal(b.l3, l3 - 20);
		assert_int_equal(b.len, n + 20);
		assert_int_equal(b.headroom, ROOM - 20);
		check_v6(b.l3, &k, proto, 8, 0x48, n - 20);
		assert_int_equal(fr_get16(b.l3 + 40), 80);
		assert_int_equal(fr_get16(b.l3 + 42), 5555);
	}
}

static void test_echo(void **state)
{
	(void)state;
	struct sl_v4key k = k4_out();
	k.sport = k.dport = sl_htons(0x9c40);
	struct sl_nat64_buf b = at(build6(SL_IPPROTO_ICMPV6, 31, 64));
	assert_int_equal(sl_nat64_6to4(&b, &k, NULL, &ctx), SL_XLAT_OK);
	check_v4(b.l3, &k, SL_IPPROTO_ICMP, 63, 0xb8, 20 + 8 + 31);
	assert_int_equal(b.l3[20], SL_ICMP_ECHO_REQUEST);
	assert_int_equal(fr_get32(b.l3 + 24), 0x9c400001); /* id, seq kept */

	struct sl_v6key k6 = k6_back();
	k6.sport = k6.dport = sl_htons(0x0700);
	b = at(build4(SL_IPPROTO_ICMP, 31, 64, 0));
	assert_int_equal(sl_nat64_4to6(&b, &k6, NULL, &ctx), SL_XLAT_OK);
	check_v6(b.l3, &k6, SL_IPPROTO_ICMPV6, 63, 0x48, 8 + 31);
	assert_int_equal(b.l3[40], SL_ICMP6_ECHO_REPLY);
	assert_int_equal(fr_get32(b.l3 + 44), 0x07000001);
}

/* A refusal leaves the packet as it was. The packet is refused from a
 * heap block of exactly its size, so under ASan a read past its end
 * fails the test. */
static void expect_refused(unsigned n, enum sl_xlat want, const struct sl_nat64_ctx *c,
			   bool v6)
{
	uint8_t *blk = malloc(ROOM + n);
	struct sl_v4key k4 = k4_out();
	struct sl_v6key k6 = k6_back();
	struct sl_nat64_buf b = {blk + ROOM, (uint16_t)n, ROOM};

	assert_non_null(blk);
	memcpy(blk + ROOM, l3, n);
	enum sl_xlat r = v6 ? sl_nat64_6to4(&b, &k4, &k4, c) : sl_nat64_4to6(&b, &k6, &k6, c);
	assert_string_equal(sl_xlat_name(r), sl_xlat_name(want));
	assert_ptr_equal(b.l3, blk + ROOM);
	assert_memory_equal(blk + ROOM, l3, n);
	free(blk);
}

static void expect_refused6(unsigned n, enum sl_xlat want, const struct sl_nat64_ctx *c)
{
	expect_refused(n, want, c, true);
}

static void expect_refused4(unsigned n, enum sl_xlat want, const struct sl_nat64_ctx *c)
{
	expect_refused(n, want, c, false);
}

static void test_refusals(void **state)
{
	(void)state;
	struct sl_nat64_ctx small = ctx;
	small.mtu4 = 576;
	small.mtu6 = 1280;
	unsigned n = build6(SL_IPPROTO_TCP, 20, 64);
	l3[60] ^= 1; /* payload byte: the checksum no longer holds */
	expect_refused6(n, SL_XLAT_BAD_CHECKSUM, &ctx);
	expect_refused6(build6(SL_IPPROTO_TCP, 20, 1), SL_XLAT_HOP_LIMIT, &ctx);
	expect_refused6(build6(SL_IPPROTO_TCP, 600, 64), SL_XLAT_TOO_BIG, &small);
	expect_refused6(build6(SL_IPPROTO_TCP, 20, 64) - 1, SL_XLAT_TRUNCATED, &ctx);
	n = build6(SL_IPPROTO_TCP, 20, 64);
	l3[6] = 132; /* SCTP */
	expect_refused6(n, SL_XLAT_UNKNOWN_PROTO, &ctx);
	l3[0] = 0x40;
	expect_refused6(n, SL_XLAT_BAD_HEADER, &ctx);

	n = build4(SL_IPPROTO_UDP, 20, 64, 0);
	l3[30] ^= 1;
	expect_refused4(n, SL_XLAT_BAD_CHECKSUM, &ctx);
	expect_refused4(build4(SL_IPPROTO_UDP, 20, 1, 0), SL_XLAT_HOP_LIMIT, &ctx);
	expect_refused4(build4(SL_IPPROTO_TCP, 1300, 64, SL_IP_DF), SL_XLAT_TOO_BIG, &small);
	expect_refused4(build4(SL_IPPROTO_TCP, 1300, 64, 0), SL_XLAT_NEEDS_FRAGMENTING, &small);
	expect_refused4(build4(SL_IPPROTO_TCP, 20, 64, SL_IP_MF), SL_XLAT_FRAGMENT, &ctx);
	expect_refused4(build4(SL_IPPROTO_TCP, 20, 64, 0) - 1, SL_XLAT_TRUNCATED, &ctx);
	/* No headroom for the longer header. */
	struct sl_v6key k = k6_back();
	struct sl_nat64_buf b = at(build4(SL_IPPROTO_TCP, 20, 64, 0));
	b.headroom = 19;
	assert_int_equal(sl_nat64_4to6(&b, &k, NULL, &ctx), SL_XLAT_NO_HEADROOM);
	/* Informational ICMP with no counterpart. */
	n = build4(SL_IPPROTO_ICMP, 8, 64, 0);
	l3[20] = 13; /* timestamp */
	t4_fix(l3);
	expect_refused4(n, SL_XLAT_ICMP_TYPE, &ctx);
}

/* Hop-by-hop and destination options are skipped (RFC 7915 5.1); a
 * routing header with segments left, a fragment header and a long chain
 * are refused. */
static void test_ext_headers(void **state)
{
	(void)state;
	static const uint8_t chain[][3] = {
		{SL_IPPROTO_HOPOPTS, SL_IPPROTO_DSTOPTS, SL_XLAT_OK},
		{SL_IPPROTO_ROUTING, SL_IPPROTO_ROUTING, SL_XLAT_EXT_HEADERS},
		{SL_IPPROTO_HOPOPTS, SL_IPPROTO_FRAGMENT, SL_XLAT_FRAGMENT},
	};
	for (unsigned i = 0; i < SL_ARRAY_SIZE(chain); i++) {
		uint8_t *e = l3 + SL_IPV6_HLEN;
		unsigned n = t_put_tcp(e + 16, 5555, 80, SL_TCP_SYN, 10);
		memset(e, 0, 16);
		e[0] = chain[i][1];
		e[8] = SL_IPPROTO_TCP;
		e[11] = 1; /* routing: one segment left */
		t6_put_hdr(l3, t6_client, t6_vip, chain[i][0], 64, 0, 16 + n);
		uint8_t *l4 = e + 16;
		fr_put16(l4 + 16, fr_ref_csum(l4, n, t6_ref_pseudo(t6_client, t6_vip, 6, n)));
		if (chain[i][2] != SL_XLAT_OK) {
			expect_refused6(56 + n, chain[i][2], &ctx);
			continue;
		}
		struct sl_v4key k = k4_out();
		struct sl_nat64_buf b = at(56 + n);
		assert_int_equal(sl_nat64_6to4(&b, &k, NULL, &ctx), SL_XLAT_OK);
		assert_ptr_equal(b.l3, l4 - 20);
		check_v4(b.l3, &k, SL_IPPROTO_TCP, 63, 0, 20 + n);
	}
	/* Five options headers: longer than any real chain. */
	for (unsigned i = 0; i < 5; i++) {
		memset(l3 + 40 + 8 * i, 0, 8);
		l3[40 + 8 * i] = i < 4 ? SL_IPPROTO_DSTOPTS : SL_IPPROTO_TCP;
	}
	unsigned n = t_put_tcp(l3 + 80, 1, 2, SL_TCP_SYN, 0);
	t6_put_hdr(l3, t6_client, t6_vip, SL_IPPROTO_DSTOPTS, 64, 0, 40 + n);
	expect_refused6(80 + n, SL_XLAT_EXT_HEADERS, &ctx);
}

/* ---- errors ---- */

/* An ICMPv6 error to VIP quoting what Sluice sent (VIP:80 -> C:5555). */
static unsigned build_err6(uint8_t type, uint8_t code, uint32_t word,
			   uint8_t qproto, unsigned qpayload)
{
	uint8_t *in = l3 + SL_IPV6_HLEN + 8;
	unsigned n = qproto == SL_IPPROTO_ICMPV6
			     ? t_put_icmp(in + 40, SL_ICMP6_ECHO_REPLY, 0, 0x07000002, qpayload)
		     : qproto == SL_IPPROTO_UDP ? t_put_udp(in + 40, 80, 5555, qpayload)
						: t_put_tcp(in + 40, 80, 5555, SL_TCP_ACK, qpayload);
	t6_put_hdr(in, t6_vip, t6_client, qproto, 61, 0x28, n);
	t6_fix(in);
	t_put_icmp(l3 + SL_IPV6_HLEN, type, code, word, 0);
	t6_put_hdr(l3, t6_router, t6_vip, SL_IPPROTO_ICMPV6, 64, 0, 8 + 40 + n);
	t6_fix(l3);
	return SL_IPV6_HLEN + 8 + 40 + n;
}

/* An ICMPv4 error to LIP quoting what Sluice sent (LIP:40000 -> RS:8080). */
static unsigned build_err4(uint8_t type, uint8_t code, uint32_t word,
			   uint8_t qproto, unsigned qpayload)
{
	uint8_t *in = l3 + SL_IPV4_HLEN + 8;
	unsigned n = qproto == SL_IPPROTO_ICMP
			     ? t_put_icmp(in + 20, SL_ICMP_ECHO_REQUEST, 0, 0x9c400002, qpayload)
		     : qproto == SL_IPPROTO_UDP ? t_put_udp(in + 20, 40000, 8080, qpayload)
						: t_put_tcp(in + 20, 40000, 8080, SL_TCP_ACK, qpayload);
	t4_put_hdr(in, T4_LIP, T4_RS, qproto, 61, 0x28, 20 + n, SL_IP_DF);
	t4_fix(in);
	t_put_icmp(l3 + SL_IPV4_HLEN, type, code, word, 0);
	t4_put_hdr(l3, T4_ROUTER, T4_LIP, SL_IPPROTO_ICMP, 64, 0, 20 + 8 + 20 + n, 0);
	t4_fix(l3);
	return SL_IPV4_HLEN + 8 + 20 + n;
}

struct map_case {
	uint8_t type, code;
	uint32_t word;
	uint8_t res, out_type, out_code;
	uint32_t out_word;
};

/* RFC 7915 5.2 (and figure 6 for the pointer). mtu4 = mtu6 = 1500. */
static const struct map_case cases6[] = {
	{1, 0, 0, SL_XLAT_OK, 3, 1, 0},   {1, 1, 0, SL_XLAT_OK, 3, 10, 0},
	{1, 2, 0, SL_XLAT_OK, 3, 1, 0},   {1, 3, 0, SL_XLAT_OK, 3, 1, 0},
	{1, 4, 0, SL_XLAT_OK, 3, 3, 0},   {1, 5, 0, SL_XLAT_ICMP_CODE, 0, 0, 0},
	{1, 6, 0, SL_XLAT_ICMP_CODE, 0, 0, 0},
	{2, 0, 1400, SL_XLAT_OK, 3, 4, 1380}, /* PTB - 20 */
	{2, 0, 9000, SL_XLAT_OK, 3, 4, 1480}, /* mtu6 - 20 */
	{3, 0, 0, SL_XLAT_OK, 11, 0, 0},  {3, 1, 0, SL_XLAT_OK, 11, 1, 0},
	{3, 2, 0, SL_XLAT_ICMP_CODE, 0, 0, 0},
	{4, 0, 0, SL_XLAT_OK, 12, 0, 0u << 24},  {4, 0, 1, SL_XLAT_OK, 12, 0, 1u << 24},
	{4, 0, 2, SL_XLAT_PARAM_POINTER, 0, 0, 0}, {4, 0, 3, SL_XLAT_PARAM_POINTER, 0, 0, 0},
	{4, 0, 4, SL_XLAT_OK, 12, 0, 2u << 24},  {4, 0, 5, SL_XLAT_OK, 12, 0, 2u << 24},
	{4, 0, 6, SL_XLAT_OK, 12, 0, 9u << 24},  {4, 0, 7, SL_XLAT_OK, 12, 0, 8u << 24},
	{4, 0, 8, SL_XLAT_OK, 12, 0, 12u << 24}, {4, 0, 23, SL_XLAT_OK, 12, 0, 12u << 24},
	{4, 0, 24, SL_XLAT_OK, 12, 0, 16u << 24}, {4, 0, 39, SL_XLAT_OK, 12, 0, 16u << 24},
	{4, 0, 40, SL_XLAT_PARAM_POINTER, 0, 0, 0},
	{4, 1, 0, SL_XLAT_OK, 3, 2, 0},   {4, 2, 0, SL_XLAT_ICMP_CODE, 0, 0, 0},
	{4, 3, 0, SL_XLAT_ICMP_CODE, 0, 0, 0},
	{130, 0, 0, SL_XLAT_ICMP_TYPE, 0, 0, 0}, {133, 0, 0, SL_XLAT_ICMP_TYPE, 0, 0, 0},
	{135, 0, 0, SL_XLAT_ICMP_TYPE, 0, 0, 0}, {137, 0, 0, SL_XLAT_ICMP_TYPE, 0, 0, 0},
	{5, 0, 0, SL_XLAT_ICMP_TYPE, 0, 0, 0},   {200, 0, 0, SL_XLAT_ICMP_TYPE, 0, 0, 0},
};

/* RFC 7915 4.2 (and figure 3). Frag needed with MTU 0: the plateau below
 * the quoted 20 + 8 + 1100 bytes is 1006, + 20 = 1026, raised to IPv6's
 * minimum 1280 as every PTB the client gets (576 + 20 likewise). */
static const struct map_case cases4[] = {
	{3, 0, 0, SL_XLAT_OK, 1, 0, 0},   {3, 1, 0, SL_XLAT_OK, 1, 0, 0},
	{3, 2, 0, SL_XLAT_OK, 4, 1, 6},   {3, 3, 0, SL_XLAT_OK, 1, 4, 0},
	{3, 4, 1400, SL_XLAT_OK, 2, 0, 1420}, {3, 4, 1490, SL_XLAT_OK, 2, 0, 1500},
	{3, 4, 0, SL_XLAT_OK, 2, 0, 1280}, {3, 4, 576, SL_XLAT_OK, 2, 0, 1280},
	{3, 4, 1260, SL_XLAT_OK, 2, 0, 1280}, {3, 4, 1261, SL_XLAT_OK, 2, 0, 1281},
	{3, 5, 0, SL_XLAT_OK, 1, 0, 0},   {3, 6, 0, SL_XLAT_OK, 1, 0, 0},
	{3, 7, 0, SL_XLAT_OK, 1, 0, 0},   {3, 8, 0, SL_XLAT_OK, 1, 0, 0},
	{3, 9, 0, SL_XLAT_OK, 1, 1, 0},   {3, 10, 0, SL_XLAT_OK, 1, 1, 0},
	{3, 11, 0, SL_XLAT_OK, 1, 0, 0},  {3, 12, 0, SL_XLAT_OK, 1, 0, 0},
	{3, 13, 0, SL_XLAT_OK, 1, 1, 0},  {3, 14, 0, SL_XLAT_ICMP_CODE, 0, 0, 0},
	{3, 15, 0, SL_XLAT_OK, 1, 1, 0},  {3, 16, 0, SL_XLAT_ICMP_CODE, 0, 0, 0},
	{11, 0, 0, SL_XLAT_OK, 3, 0, 0},  {11, 1, 0, SL_XLAT_OK, 3, 1, 0},
	{12, 0, 0u << 24, SL_XLAT_OK, 4, 0, 0}, {12, 0, 1u << 24, SL_XLAT_OK, 4, 0, 1},
	{12, 0, 2u << 24, SL_XLAT_OK, 4, 0, 4}, {12, 0, 3u << 24, SL_XLAT_OK, 4, 0, 4},
	{12, 0, 4u << 24, SL_XLAT_PARAM_POINTER, 0, 0, 0},
	{12, 0, 7u << 24, SL_XLAT_PARAM_POINTER, 0, 0, 0},
	{12, 0, 8u << 24, SL_XLAT_OK, 4, 0, 7}, {12, 0, 9u << 24, SL_XLAT_OK, 4, 0, 6},
	{12, 0, 10u << 24, SL_XLAT_PARAM_POINTER, 0, 0, 0},
	{12, 0, 12u << 24, SL_XLAT_OK, 4, 0, 8}, {12, 0, 15u << 24, SL_XLAT_OK, 4, 0, 8},
	{12, 0, 16u << 24, SL_XLAT_OK, 4, 0, 24}, {12, 0, 19u << 24, SL_XLAT_OK, 4, 0, 24},
	{12, 0, 20u << 24, SL_XLAT_PARAM_POINTER, 0, 0, 0},
	{12, 2, 9u << 24, SL_XLAT_OK, 4, 0, 6}, {12, 1, 0, SL_XLAT_ICMP_CODE, 0, 0, 0},
	{4, 0, 0, SL_XLAT_ICMP_TYPE, 0, 0, 0},  {5, 0, 0, SL_XLAT_ICMP_TYPE, 0, 0, 0},
	{9, 0, 0, SL_XLAT_ICMP_TYPE, 0, 0, 0},  {10, 0, 0, SL_XLAT_ICMP_TYPE, 0, 0, 0},
	{13, 0, 0, SL_XLAT_ICMP_TYPE, 0, 0, 0}, {15, 0, 0, SL_XLAT_ICMP_TYPE, 0, 0, 0},
	{17, 0, 0, SL_XLAT_ICMP_TYPE, 0, 0, 0}, {6, 0, 0, SL_XLAT_ICMP_TYPE, 0, 0, 0},
};

static void test_errors_6to4(void **state)
{
	(void)state;
	struct sl_v4key k = k4_out(), inner = k4_back();
	for (unsigned i = 0; i < SL_ARRAY_SIZE(cases6); i++) {
		const struct map_case *c = &cases6[i];
		unsigned n = build_err6(c->type, c->code, c->word, SL_IPPROTO_TCP, 40);
		print_message("case %u: %u/%u\n", i, c->type, c->code);
		if (c->res != SL_XLAT_OK) {
			expect_refused6(n, c->res, &ctx);
			continue;
		}
		struct sl_nat64_buf b = at(n);
		assert_int_equal(sl_nat64_6to4(&b, &k, &inner, &ctx), SL_XLAT_OK);
		assert_ptr_equal(b.l3, l3 + 40); /* two headers 20 bytes shorter */
		assert_int_equal(b.len, n - 40);
		check_v4(b.l3, &k, SL_IPPROTO_ICMP, 63, 0, n - 40);
		const uint8_t *icmp = b.l3 + 20, *in = icmp + 8;
		assert_int_equal(icmp[0], c->out_type);
		assert_int_equal(icmp[1], c->out_code);
		assert_int_equal(fr_get32(icmp + 4), c->out_word);
		check_v4(in, &inner, SL_IPPROTO_TCP, 61, 0x28, 20 + 60);
		assert_int_equal(fr_get16(in + 20), 8080);
		assert_int_equal(fr_get16(in + 22), 40000);
	}
}

static void test_errors_4to6(void **state)
{
	(void)state;
	struct sl_v6key k = k6_back(), inner = k6_in();
	for (unsigned i = 0; i < SL_ARRAY_SIZE(cases4); i++) {
		const struct map_case *c = &cases4[i];
		unsigned n = build_err4(c->type, c->code, c->word, SL_IPPROTO_UDP, 1100);
		print_message("case %u: %u/%u\n", i, c->type, c->code);
		if (c->res != SL_XLAT_OK) {
			expect_refused4(n, c->res, &ctx);
			continue;
		}
		struct sl_nat64_buf b = at(n);
		assert_int_equal(sl_nat64_4to6(&b, &k, &inner, &ctx), SL_XLAT_OK);
		assert_ptr_equal(b.l3, l3 - 40);
		assert_int_equal(b.len, n + 40);
		check_v6(b.l3, &k, SL_IPPROTO_ICMPV6, 63, 0, n);
		const uint8_t *icmp = b.l3 + 40, *in = icmp + 8;
		assert_int_equal(icmp[0], c->out_type);
		assert_int_equal(icmp[1], c->out_code);
		assert_int_equal(fr_get32(icmp + 4), c->out_word);
		check_v6(in, &inner, SL_IPPROTO_UDP, 61, 0x28, 1108);
		assert_int_equal(fr_get16(in + 40), 5555);
		assert_int_equal(fr_get16(in + 42), 80);
	}
}

/* Echo quotes, a cut quote, and errors cut to the new family's minimum. */
static void test_error_quotes(void **state)
{
	(void)state;
	struct sl_v4key k = k4_out(), inner = k4_back();
	inner.sport = inner.dport = sl_htons(0x9c40);
	struct sl_nat64_buf b = at(build_err6(3, 0, 0, SL_IPPROTO_ICMPV6, 16));
	assert_int_equal(sl_nat64_6to4(&b, &k, &inner, &ctx), SL_XLAT_OK);
	check_v4(b.l3 + 28, &inner, SL_IPPROTO_ICMP, 61, 0x28, 20 + 24);
	assert_int_equal(b.l3[48], SL_ICMP_ECHO_REPLY);
	assert_int_equal(fr_get32(b.l3 + 52), 0x9c400002);

	struct sl_v6key k6 = k6_back(), inner6 = k6_in();
	inner6.sport = inner6.dport = sl_htons(0x0700);
	b = at(build_err4(11, 0, 0, SL_IPPROTO_ICMP, 16));
	assert_int_equal(sl_nat64_4to6(&b, &k6, &inner6, &ctx), SL_XLAT_OK);
	check_v6(b.l3 + 48, &inner6, SL_IPPROTO_ICMPV6, 61, 0x28, 24);
	assert_int_equal(b.l3[88], SL_ICMP6_ECHO_REQUEST);
	assert_int_equal(fr_get32(b.l3 + 92), 0x07000002);

	/* 4 -> 6: a 1400-byte error becomes exactly 1280 bytes. */
	b = at(build_err4(3, 3, 0, SL_IPPROTO_TCP, 1332));
	assert_int_equal(sl_nat64_4to6(&b, &k6, &inner6, &ctx), SL_XLAT_OK);
	assert_int_equal(b.len, 1280);
	assert_true(t6_l4_ok(b.l3));
	assert_int_equal(fr_get16(b.l3 + 48 + 4), 1352); /* quote says its length */
	/* 6 -> 4: cut to 576. */
	b = at(build_err6(1, 4, 0, SL_IPPROTO_TCP, 1000));
	assert_int_equal(sl_nat64_6to4(&b, &k, &inner, &ctx), SL_XLAT_OK);
	assert_int_equal(b.len, 576);
	assert_true(t4_ok(b.l3));

	/* The quote of a quote (sl_nat64_quote6/4) names the connection. */
	struct sl_v6key q6;
	uint8_t proto;
	build_err6(1, 4, 0, SL_IPPROTO_UDP, 4);
	assert_int_equal(sl_nat64_quote6(l3 + 40, 8 + 40 + 12, &q6, &proto), SL_XLAT_OK);
	assert_int_equal(proto, SL_IPPROTO_UDP);
	assert_memory_equal(q6.saddr, t6_vip, 16);
	assert_int_equal(sl_ntohs(q6.dport), 5555);
	struct sl_v4key q4;
	build_err4(3, 3, 0, SL_IPPROTO_ICMP, 0);
	assert_int_equal(sl_nat64_quote4(l3 + 20, 8 + 20 + 8, &q4, &proto), SL_XLAT_OK);
	assert_int_equal(proto, SL_IPPROTO_ICMP);
	assert_int_equal(sl_ntohs(q4.sport), 0x9c40);
	assert_int_equal(sl_ntohl(q4.daddr), T4_RS);
}

static void test_inner_refusals(void **state)
{
	(void)state;
	/* A quote cut inside its transport header. */
	unsigned n = build_err6(1, 4, 0, SL_IPPROTO_TCP, 0);
	fr_put16(l3 + 4, 8 + 40 + 4);
	t6_fix(l3);
	expect_refused6(40 + 8 + 40 + 4, SL_XLAT_INNER_TRUNCATED, &ctx);
	/* A quote whose header claims more than the quote holds: options
	 * past its end, an extension header after its last byte. */
	n = build_err4(3, 3, 0, SL_IPPROTO_UDP, 0);
	l3[28] = 0x4f;
	fr_put16(l3 + 30, 100);
	t4_fix(l3);
	expect_refused4(n, SL_XLAT_INNER_TRUNCATED, &ctx);
	build_err6(1, 4, 0, SL_IPPROTO_TCP, 0);
	l3[48 + 6] = SL_IPPROTO_DSTOPTS;
	fr_put16(l3 + 4, 8 + 40);
	t6_fix(l3);
	expect_refused6(40 + 8 + 40, SL_XLAT_INNER_TRUNCATED, &ctx);
	/* An error about an error. */
	n = build_err6(1, 4, 0, SL_IPPROTO_ICMPV6, 8);
	l3[88] = SL_ICMP6_DEST_UNREACH;
	t6_fix(l3);
	expect_refused6(n, SL_XLAT_INNER_ICMP_ERROR, &ctx);
	n = build_err4(3, 3, 0, SL_IPPROTO_ICMP, 8);
	l3[48] = SL_ICMP_TIME_EXCEEDED;
	t4_fix(l3);
	expect_refused4(n, SL_XLAT_INNER_ICMP_ERROR, &ctx);
	/* A quote of a later fragment, of another protocol, of IPv6. */
	n = build_err4(3, 3, 0, SL_IPPROTO_UDP, 8);
	fr_put16(l3 + 28 + 6, 100);
	t4_fix(l3);
	expect_refused4(n, SL_XLAT_INNER_FRAGMENT, &ctx);
	n = build_err4(3, 3, 0, SL_IPPROTO_UDP, 8);
	l3[28 + 9] = 132;
	t4_fix(l3);
	expect_refused4(n, SL_XLAT_INNER_PROTO, &ctx);
	n = build_err4(3, 3, 0, SL_IPPROTO_UDP, 8);
	l3[28] = 0x65;
	t4_fix(l3);
	expect_refused4(n, SL_XLAT_INNER_BAD, &ctx);
	n = build_err6(1, 4, 0, SL_IPPROTO_TCP, 0);
	l3[48] = 0x45;
	t6_fix(l3);
	expect_refused6(n, SL_XLAT_INNER_BAD, &ctx);
	/* An error's checksum is checked like any other. */
	n = build_err6(1, 4, 0, SL_IPPROTO_TCP, 0);
	l3[44] ^= 0x80;
	expect_refused6(n, SL_XLAT_BAD_CHECKSUM, &ctx);
	/* No headroom for the two longer headers of a 4 -> 6 error. */
	struct sl_v6key k = k6_back();
	struct sl_nat64_buf b = at(build_err4(3, 3, 0, SL_IPPROTO_UDP, 8));
	b.headroom = 39;
	assert_int_equal(sl_nat64_4to6(&b, &k, &k, &ctx), SL_XLAT_NO_HEADROOM);
}

/* A SYN's MSS: min(mtu4 - 40, mtu6 - 60); at an even and an odd place. */
static void test_mss_clamp(void **state)
{
	(void)state;
	uint8_t *tcp = l3 + 20;
	for (unsigned odd = 0; odd < 2; odd++) {
		unsigned n = t_put_tcp(tcp, 1, 2, SL_TCP_SYN, 0);
		uint8_t opts[8] = {1, 1, 1, 1, 1, 1, 1, 1};
		memcpy(opts + odd, (uint8_t[]){2, 4, 0x05, 0xb4}, 4); /* 1460 */
		memcpy(tcp + 20, opts, 8);
		tcp[12] = 7 << 4;
		n += 8;
		t4_put_hdr(l3, T4_RS, T4_LIP, SL_IPPROTO_TCP, 64, 0, 20 + n, 0);
		t4_fix(l3);
		assert_true(sl_nat64_mss_clamp(tcp, n, 1500, 1500));
		assert_int_equal(fr_get16(tcp + 22 + odd), 1440);
		assert_true(t4_ok(l3));
		assert_false(sl_nat64_mss_clamp(tcp, n, 1500, 1500)); /* already */
		assert_true(sl_nat64_mss_clamp(tcp, n, 1280, 1500));
		assert_int_equal(fr_get16(tcp + 22 + odd), 1240);
		assert_true(t4_ok(l3));
		tcp[13] = SL_TCP_ACK; /* only a SYN */
		assert_false(sl_nat64_mss_clamp(tcp, n, 576, 1280));
	}
}

static void test_names(void **state)
{
	(void)state;
	for (unsigned i = 0; i < SL_XLAT_MAX; i++) {
		assert_non_null(sl_xlat_name(i));
		for (unsigned j = 0; j < i; j++)
			assert_string_not_equal(sl_xlat_name(i), sl_xlat_name(j));
	}
	assert_string_equal(sl_xlat_name(SL_XLAT_MAX), "xlat_unknown");
	/* The workers count refusal r as drop XLAT_TRUNCATED + (r -
	 * TRUNCATED) (worker_nat64.c): drop.h's names are these, in order. */
	for (unsigned r = SL_XLAT_TRUNCATED; r < SL_XLAT_MAX; r++)
		assert_string_equal(sl_drop_name((enum sl_drop)(SL_DROP_XLAT_TRUNCATED +
								(r - SL_XLAT_TRUNCATED))),
				    sl_xlat_name(r));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcp_udp_6to4),
		cmocka_unit_test(test_tcp_udp_4to6),
		cmocka_unit_test(test_echo),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_ext_headers),
		cmocka_unit_test(test_errors_6to4),
		cmocka_unit_test(test_errors_4to6),
		cmocka_unit_test(test_error_quotes),
		cmocka_unit_test(test_inner_refusals),
		cmocka_unit_test(test_mss_clamp),
		cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
