/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Frame building and checking helpers shared by the unit tests.
 *
 * Header-only on purpose: the Makefile builds each tests/unit/test_*.c as
 * its own binary linked with the core objects, so shared test code must be
 * static inline. The checksum here is a byte-at-a-time RFC 1071 reference,
 * deliberately independent of dataplane/core/csum.c, so frames built here are a
 * fair judge of the code under test.
 */
#ifndef SL_TEST_FRAMES_H
#define SL_TEST_FRAMES_H

#include <stdint.h>
#include <string.h>

#include "pkt.h"

/* ---- deterministic random numbers (xorshift64*) ---- */

static uint64_t fr_rng_state = 0x9e3779b97f4a7c15ull;

static inline void fr_seed(uint64_t seed)
{
	fr_rng_state = seed ? seed : 0x9e3779b97f4a7c15ull;
}

static inline uint64_t fr_rand64(void)
{
	fr_rng_state ^= fr_rng_state >> 12;
	fr_rng_state ^= fr_rng_state << 25;
	fr_rng_state ^= fr_rng_state >> 27;
	return fr_rng_state * 0x2545f4914f6cdd1dull;
}

static inline uint32_t fr_rand32(void)
{
	return (uint32_t)(fr_rand64() >> 32);
}

/* Uniform-enough value in [0, n). */
static inline uint32_t fr_below(uint32_t n)
{
	return n ? (uint32_t)((fr_rand64() >> 32) % n) : 0;
}

static inline void fr_fill_random(uint8_t *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)fr_rand64();
}

/* ---- reference checksum (RFC 1071, big-endian words, byte at a time) ---- */

/* Sum of the buffer as big-endian 16-bit words (odd byte padded with a
 * zero on the right), added to `sum`. */
static inline uint64_t fr_ref_sum(const void *buf, size_t len, uint64_t sum)
{
	const uint8_t *p = buf;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (i < len)
		sum += (uint32_t)p[i] << 8;
	return sum;
}

static inline uint16_t fr_ref_fold(uint64_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* Checksum value in host order (store it big-endian). */
static inline uint16_t fr_ref_csum(const void *buf, size_t len, uint64_t sum)
{
	return (uint16_t)~fr_ref_fold(fr_ref_sum(buf, len, sum));
}

/* Pseudo header sum for IPv4, addresses in host order. */
static inline uint64_t fr_ref_pseudo(uint32_t saddr, uint32_t daddr,
				     uint8_t proto, uint16_t l4_len)
{
	return (uint64_t)(saddr >> 16) + (saddr & 0xffff) + (daddr >> 16) +
	       (daddr & 0xffff) + proto + l4_len;
}

static inline void fr_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline uint16_t fr_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline void fr_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline uint32_t fr_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* ---- frames ---- */

#define FR_IP_OFF SL_ETH_HLEN
#define FR_L4_OFF (SL_ETH_HLEN + SL_IPV4_HLEN)
#define FR_MAX 2048

static const uint8_t fr_mac_a[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x0a};
static const uint8_t fr_mac_b[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x0b};

/* What to build. Addresses and ports in host order. For ICMP, `sport` is
 * the echo identifier and `dport` the sequence number. */
struct fr_spec {
	uint32_t saddr, daddr;
	uint16_t sport, dport;
	uint8_t proto;
	uint8_t ttl;
	uint8_t tcp_flags;
	uint8_t zero_udp_csum; /* leave the UDP checksum 0 ("none") */
	uint16_t payload;      /* payload bytes after the L4 header */
	uint16_t pad;          /* Ethernet padding after the IP packet */
};

static inline unsigned fr_l4_hlen(uint8_t proto)
{
	switch (proto) {
	case SL_IPPROTO_TCP: return sizeof(struct sl_tcp_hdr);
	case SL_IPPROTO_UDP: return sizeof(struct sl_udp_hdr);
	case SL_IPPROTO_ICMP: return sizeof(struct sl_icmp_hdr);
	default: return 0;
	}
}

/* Recompute the IPv4 header checksum of a frame. */
static inline void fr_fix_ip(uint8_t *f)
{
	uint8_t *ip = f + FR_IP_OFF;
	unsigned hlen = (ip[0] & 0xf) * 4u;
	fr_put16(ip + 10, 0);
	fr_put16(ip + 10, fr_ref_csum(ip, hlen, 0));
}

/* L4 length as the checksum sees it: the UDP length field for UDP, the IP
 * payload otherwise. */
static inline uint16_t fr_csum_l4_len(const uint8_t *f)
{
	const uint8_t *ip = f + FR_IP_OFF;
	unsigned hlen = (ip[0] & 0xf) * 4u;
	if (ip[9] == SL_IPPROTO_UDP)
		return fr_get16(ip + hlen + 4);
	return (uint16_t)(fr_get16(ip + 2) - hlen);
}

static inline unsigned fr_csum_off(uint8_t proto)
{
	switch (proto) {
	case SL_IPPROTO_TCP: return 16;
	case SL_IPPROTO_UDP: return 6;
	default: return 2;
	}
}

/* Recompute the L4 checksum (TCP, UDP, ICMP) of a frame. A UDP checksum
 * that comes out as 0 is sent as 0xffff (RFC 768). */
static inline void fr_fix_l4(uint8_t *f)
{
	uint8_t *ip = f + FR_IP_OFF;
	unsigned hlen = (ip[0] & 0xf) * 4u;
	uint8_t proto = ip[9];
	uint8_t *l4 = ip + hlen;
	uint16_t len = fr_csum_l4_len(f);
	uint64_t sum = 0;

	if (proto != SL_IPPROTO_TCP && proto != SL_IPPROTO_UDP &&
	    proto != SL_IPPROTO_ICMP)
		return;
	if (proto != SL_IPPROTO_ICMP)
		sum = fr_ref_pseudo(fr_get32(ip + 12), fr_get32(ip + 16), proto,
				    len);
	fr_put16(l4 + fr_csum_off(proto), 0);
	uint16_t cs = fr_ref_csum(l4, len, sum);
	if (proto == SL_IPPROTO_UDP && cs == 0)
		cs = 0xffff;
	fr_put16(l4 + fr_csum_off(proto), cs);
}

/* Does the IPv4 header checksum verify (header sums to 0xffff)? */
static inline bool fr_ip_ok(const uint8_t *f)
{
	const uint8_t *ip = f + FR_IP_OFF;
	return fr_ref_fold(fr_ref_sum(ip, (ip[0] & 0xf) * 4u, 0)) == 0xffff;
}

/* Does the L4 checksum verify? A zero UDP checksum counts as valid. */
static inline bool fr_l4_ok(const uint8_t *f)
{
	const uint8_t *ip = f + FR_IP_OFF;
	unsigned hlen = (ip[0] & 0xf) * 4u;
	uint8_t proto = ip[9];
	const uint8_t *l4 = ip + hlen;
	uint16_t len = fr_csum_l4_len(f);
	uint64_t sum = 0;

	if (proto == SL_IPPROTO_UDP && fr_get16(l4 + 6) == 0)
		return true;
	if (proto != SL_IPPROTO_ICMP)
		sum = fr_ref_pseudo(fr_get32(ip + 12), fr_get32(ip + 16), proto,
				    len);
	return fr_ref_fold(fr_ref_sum(l4, len, sum)) == 0xffff;
}

/* Build Ethernet + IPv4 + L4 + payload (+ padding) into `f` (FR_MAX
 * bytes). Payload and padding are patterned, not zero, so a checksum that
 * wrongly covers the padding shows. Returns the frame length. */
static inline uint32_t fr_build(uint8_t *f, const struct fr_spec *s)
{
	unsigned l4h = fr_l4_hlen(s->proto);
	uint32_t ip_len = SL_IPV4_HLEN + l4h + s->payload;
	uint32_t len = SL_ETH_HLEN + ip_len + s->pad;
	uint8_t *ip = f + FR_IP_OFF;
	uint8_t *l4 = f + FR_L4_OFF;

	memset(f, 0, len);
	memcpy(f, fr_mac_b, 6);
	memcpy(f + 6, fr_mac_a, 6);
	fr_put16(f + 12, SL_ETHERTYPE_IPV4);

	ip[0] = 0x45;
	ip[1] = 0;
	fr_put16(ip + 2, (uint16_t)ip_len);
	fr_put16(ip + 4, 0x1234);
	fr_put16(ip + 6, 0x4000); /* DF */
	ip[8] = s->ttl ? s->ttl : 64;
	ip[9] = s->proto;
	fr_put32(ip + 12, s->saddr);
	fr_put32(ip + 16, s->daddr);

	for (unsigned i = 0; i < s->payload; i++)
		l4[l4h + i] = (uint8_t)(i * 7 + 3);
	for (unsigned i = 0; i < s->pad; i++)
		f[SL_ETH_HLEN + ip_len + i] = (uint8_t)(0xa5 ^ i);

	switch (s->proto) {
	case SL_IPPROTO_TCP:
		fr_put16(l4, s->sport);
		fr_put16(l4 + 2, s->dport);
		/* Acknowledge what the other way would send: both ways
		 * use these numbers, so an RST either way is in window
		 * (tcp_state.h). */
		fr_put32(l4 + 4, 0x01020304);
		fr_put32(l4 + 8, 0x01020304);
		l4[12] = 5 << 4;
		l4[13] = s->tcp_flags;
		fr_put16(l4 + 14, 65535);
		break;
	case SL_IPPROTO_UDP:
		fr_put16(l4, s->sport);
		fr_put16(l4 + 2, s->dport);
		fr_put16(l4 + 4, (uint16_t)(l4h + s->payload));
		break;
	case SL_IPPROTO_ICMP:
		l4[0] = SL_ICMP_ECHO_REQUEST;
		l4[1] = 0;
		fr_put16(l4 + 4, s->sport);
		fr_put16(l4 + 6, s->dport);
		break;
	default:
		break;
	}
	fr_fix_ip(f);
	if (!(s->proto == SL_IPPROTO_UDP && s->zero_udp_csum))
		fr_fix_l4(f);
	return len;
}

/* A frame with defaults filled in: TCP 198.18.0.10:40000 -> 198.18.1.1:80. */
static inline struct fr_spec fr_default(uint8_t proto)
{
	struct fr_spec s = {
		.saddr = 0xc612000a, .daddr = 0xc6120101,
		.sport = 40000, .dport = 80,
		.proto = proto, .ttl = 64, .tcp_flags = SL_TCP_SYN,
		.payload = 32,
	};
	return s;
}

/* An ARP frame (42 bytes). Addresses in host order. */
static inline uint32_t fr_build_arp(uint8_t *f, uint16_t op, uint32_t spa,
				    uint32_t tpa)
{
	uint8_t *a = f + SL_ETH_HLEN;

	memset(f, 0, SL_ETH_HLEN + sizeof(struct sl_arp_hdr));
	memset(f, 0xff, 6);
	memcpy(f + 6, fr_mac_a, 6);
	fr_put16(f + 12, SL_ETHERTYPE_ARP);
	fr_put16(a, 1);
	fr_put16(a + 2, SL_ETHERTYPE_IPV4);
	a[4] = 6;
	a[5] = 4;
	fr_put16(a + 6, op);
	memcpy(a + 8, fr_mac_a, 6);
	fr_put32(a + 14, spa);
	fr_put32(a + 24, tpa);
	return SL_ETH_HLEN + sizeof(struct sl_arp_hdr);
}

#endif
