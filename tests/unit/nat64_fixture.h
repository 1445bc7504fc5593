/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The NAT64 unit tests' connection (C:5555 -> VIP:80 on the v6 side,
 * LIP:40000 -> RS:8080 on the v4 side), their packet and error builders,
 * the header checks and the refusal check, shared by test_nat64.c and
 * test_nat64_errors.c.
 */
#ifndef SL_TEST_NAT64_FIXTURE_H
#define SL_TEST_NAT64_FIXTURE_H

#include <stdlib.h>

#include "nat64.h"
#include "nat64_frames.h"

#define ROOM 128
static uint8_t buf[ROOM + 2048];
static uint8_t *const l3 = buf + ROOM;

static const struct sl_nat64_ctx ctx = {.mtu4 = 1500, .mtu6 = 1500,
					.ip_id = 0x3412};

/* The v4 side of the connection: LIP:40000 -> RS:8080, and back. */
static inline struct sl_v4key k4_out(void)
{
	struct sl_v4key k = {sl_htonl(T4_LIP), sl_htonl(T4_RS), sl_htons(40000),
			     sl_htons(8080)};
	return k;
}

static inline struct sl_v4key k4_back(void)
{
	struct sl_v4key k = k4_out();
	return sl_v4key_reverse(&k);
}

/* The v6 side: C:5555 -> VIP:80, and back. */
static inline struct sl_v6key k6_in(void)
{
	struct sl_v6key k;
	memcpy(k.saddr, t6_client, 16);
	memcpy(k.daddr, t6_vip, 16);
	k.sport = sl_htons(5555);
	k.dport = sl_htons(80);
	return k;
}

static inline struct sl_v6key k6_back(void)
{
	struct sl_v6key k = k6_in();
	return sl_v6key_reverse(&k);
}

static inline struct sl_nat64_buf at(unsigned len)
{
	struct sl_nat64_buf b = {l3, (uint16_t)len, ROOM};
	return b;
}

/* A v6 packet C -> VIP of `proto` with `payload` bytes after its header. */
static inline unsigned build6(uint8_t proto, unsigned payload, uint8_t hop)
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
static inline unsigned build4(uint8_t proto, unsigned payload, uint8_t ttl,
			      uint16_t frag)
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

static inline void check_v4(const uint8_t *p, const struct sl_v4key *k, uint8_t proto,
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

static inline void check_v6(const uint8_t *p, const struct sl_v6key *k, uint8_t nh,
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

/* A refusal leaves the packet as it was. The packet is refused from a
 * heap block of exactly its size, so under ASan a read past its end
 * fails the test. */
static inline void expect_refused(unsigned n, enum sl_xlat want,
				  const struct sl_nat64_ctx *c, bool v6)
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

static inline void expect_refused6(unsigned n, enum sl_xlat want,
				   const struct sl_nat64_ctx *c)
{
	expect_refused(n, want, c, true);
}

static inline void expect_refused4(unsigned n, enum sl_xlat want,
				   const struct sl_nat64_ctx *c)
{
	expect_refused(n, want, c, false);
}

/* An ICMPv6 error to VIP quoting what Sluice sent (VIP:80 -> C:5555). */
static inline unsigned build_err6(uint8_t type, uint8_t code, uint32_t word,
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
static inline unsigned build_err4(uint8_t type, uint8_t code, uint32_t word,
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

#endif
