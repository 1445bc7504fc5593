/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv6 and IPv4 packets (from the network header on) built by hand for
 * the NAT64, NDP and ICMPv6 tests, and their checks. Every checksum here
 * is frames.h's byte-at-a-time reference sum, never dataplane/core/csum.c,
 * so a wrong sum in the code under test cannot agree with itself.
 */
#ifndef SL_TEST_NAT64_FRAMES_H
#define SL_TEST_NAT64_FRAMES_H

#include "frames.h"
#include "wire6.h"

static const uint8_t t6_client[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 0x01};
static const uint8_t t6_vip[16] = {0x20, 0x01, 0x0d, 0xb8, [14] = 0x01};
static const uint8_t t6_router[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 0xfe};
#define T4_LIP 0xc6120101u    /* 198.18.1.1 */
#define T4_RS 0xc6120202u     /* 198.18.2.2 */
#define T4_ROUTER 0xc61203feu /* 198.18.3.254 */

/* Reference IPv6 pseudo header sum (RFC 8200 8.1). */
static inline uint64_t t6_ref_pseudo(const uint8_t *s, const uint8_t *d,
				     uint8_t proto, uint32_t len)
{
	return fr_ref_sum(s, 16, 0) + fr_ref_sum(d, 16, 0) + proto + len;
}

static inline unsigned t6_put_hdr(uint8_t *p, const uint8_t *s, const uint8_t *d,
				  uint8_t nh, uint8_t hop, uint8_t tclass,
				  unsigned payload)
{
	fr_put32(p, 6u << 28 | (uint32_t)tclass << 20 | 0x12345);
	fr_put16(p + 4, (uint16_t)payload);
	p[6] = nh;
	p[7] = hop;
	memcpy(p + 8, s, 16);
	memcpy(p + 24, d, 16);
	return SL_IPV6_HLEN;
}

static inline unsigned t4_put_hdr(uint8_t *p, uint32_t s, uint32_t d,
				  uint8_t proto, uint8_t ttl, uint8_t tos,
				  unsigned total, uint16_t frag)
{
	memset(p, 0, SL_IPV4_HLEN);
	p[0] = 0x45;
	p[1] = tos;
	fr_put16(p + 2, (uint16_t)total);
	fr_put16(p + 4, 0x4242);
	fr_put16(p + 6, frag);
	p[8] = ttl;
	p[9] = proto;
	fr_put32(p + 12, s);
	fr_put32(p + 16, d);
	fr_put16(p + 10, fr_ref_csum(p, SL_IPV4_HLEN, 0));
	return SL_IPV4_HLEN;
}

/* Transport headers with a patterned payload; checksums left 0. */
static inline unsigned t_put_tcp(uint8_t *p, uint16_t sp, uint16_t dp,
				 uint8_t flags, unsigned payload)
{
	memset(p, 0, 20);
	fr_put16(p, sp);
	fr_put16(p + 2, dp);
	fr_put32(p + 4, 0x01020304);
	p[12] = 5 << 4;
	p[13] = flags;
	fr_put16(p + 14, 65535);
	for (unsigned i = 0; i < payload; i++)
		p[20 + i] = (uint8_t)(i * 7 + 1);
	return 20 + payload;
}

static inline unsigned t_put_udp(uint8_t *p, uint16_t sp, uint16_t dp,
				 unsigned payload)
{
	fr_put16(p, sp);
	fr_put16(p + 2, dp);
	fr_put16(p + 4, (uint16_t)(8 + payload));
	fr_put16(p + 6, 0);
	for (unsigned i = 0; i < payload; i++)
		p[8 + i] = (uint8_t)(i * 3 + 5);
	return 8 + payload;
}

static inline unsigned t_put_icmp(uint8_t *p, uint8_t type, uint8_t code,
				  uint32_t word, unsigned payload)
{
	p[0] = type;
	p[1] = code;
	fr_put16(p + 2, 0);
	fr_put32(p + 4, word);
	for (unsigned i = 0; i < payload; i++)
		p[8 + i] = (uint8_t)(i + 9);
	return 8 + payload;
}

/* Where a transport protocol keeps its checksum. */
static inline unsigned t_csum_off(uint8_t proto)
{
	return proto == SL_IPPROTO_TCP ? 16 : proto == SL_IPPROTO_UDP ? 6 : 2;
}

/* Fill in the transport checksum of an IPv6 packet without extension
 * headers, and check one. */
static inline void t6_fix(uint8_t *l3)
{
	uint8_t proto = l3[6];
	unsigned len = fr_get16(l3 + 4);
	uint8_t *l4 = l3 + SL_IPV6_HLEN;

	fr_put16(l4 + t_csum_off(proto), 0);
	fr_put16(l4 + t_csum_off(proto),
		 fr_ref_csum(l4, len, t6_ref_pseudo(l3 + 8, l3 + 24, proto, len)));
}

static inline bool t6_l4_ok(const uint8_t *l3)
{
	unsigned len = fr_get16(l3 + 4);
	return fr_ref_csum(l3 + SL_IPV6_HLEN, len,
			   t6_ref_pseudo(l3 + 8, l3 + 24, l3[6], len)) == 0;
}

/* The same for IPv4 (ICMP has no pseudo header); the header too. */
static inline uint64_t t4_pseudo(const uint8_t *l3, unsigned len)
{
	return l3[9] == SL_IPPROTO_ICMP
		       ? 0
		       : fr_ref_pseudo(fr_get32(l3 + 12), fr_get32(l3 + 16),
				       l3[9], (uint16_t)len);
}

static inline void t4_fix(uint8_t *l3)
{
	unsigned len = fr_get16(l3 + 2) - SL_IPV4_HLEN;
	uint8_t *l4 = l3 + SL_IPV4_HLEN;

	fr_put16(l4 + t_csum_off(l3[9]), 0);
	fr_put16(l4 + t_csum_off(l3[9]), fr_ref_csum(l4, len, t4_pseudo(l3, len)));
}

static inline bool t4_ok(const uint8_t *l3)
{
	unsigned len = fr_get16(l3 + 2) - SL_IPV4_HLEN;
	return fr_ref_csum(l3, SL_IPV4_HLEN, 0) == 0 &&
	       fr_ref_csum(l3 + SL_IPV4_HLEN, len, t4_pseudo(l3, len)) == 0;
}

#endif
