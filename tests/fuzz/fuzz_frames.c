/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Builders for the packet fuzzer. Checksums come from the byte-at-a-time
 * reference in tests/unit/frames.h, not from dataplane/core/csum.c, so a frame
 * built here is an independent judge of the code under test.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frames.h"
#include "fuzz_frames.h"

/* The far end's MAC: whoever sends to Sluice in these tests. */
static const uint8_t peer_mac[6] = {0x02, 0xfe, 0x00, 0x00, 0x00, 0x01};

static void put_eth(uint8_t *f, const uint8_t dst[6], const uint8_t src[6],
		    uint16_t type)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	fr_put16(f + 12, type);
}

const uint8_t *fz_payload_pattern(void)
{
	static uint8_t pattern[FZ_FRAME_MAX];

	if (pattern[0] == 0)
		for (unsigned i = 0; i < FZ_FRAME_MAX; i++)
			pattern[i] = (uint8_t)(i * 13 + 1);
	return pattern;
}

/* The reference sum (fr_ref_sum) of the pattern's first n bytes, n up
 * to FZ_FRAME_MAX: the pattern never changes, and summing a built
 * frame's payload a byte at a time was 2% of fuzz_packet's CPU. The sum
 * of an even-length prefix, plus the odd byte's share. */
static uint64_t pattern_sum(unsigned n)
{
	static uint64_t prefix[FZ_FRAME_MAX / 2 + 1];
	static bool made;
	const uint8_t *p = fz_payload_pattern();

	if (!made) {
		for (unsigned k = 1; k <= FZ_FRAME_MAX / 2; k++)
			prefix[k] = fr_ref_sum(p + 2 * (k - 1), 2, prefix[k - 1]);
		made = true;
	}
	return prefix[n / 2] + (n & 1 ? (uint64_t)p[n - 1] << 8 : 0);
}

/* fz_fix_csums() of a frame fz_build() made, its payload summed from
 * pattern_sum(): the L4 checksum field is zero, the payload starts at
 * an even offset of the L4 header. */
static void fix_built_csums(uint8_t *f, unsigned l4h, unsigned payload)
{
	uint8_t *ip = f + SL_ETH_HLEN, *l4 = ip + SL_IPV4_HLEN;
	uint8_t proto = ip[9];
	uint16_t l4len = (uint16_t)(l4h + payload);

	fr_fix_ip(f);
	if (proto != SL_IPPROTO_TCP && proto != SL_IPPROTO_UDP && proto != SL_IPPROTO_ICMP)
		return;
	uint64_t sum = proto == SL_IPPROTO_ICMP ? 0
		       : fr_ref_pseudo(fr_get32(ip + 12), fr_get32(ip + 16), proto, l4len);
	sum = fr_ref_sum(l4, l4h, sum) + pattern_sum(payload);
	uint16_t cs = (uint16_t)~fr_ref_fold(sum);
	if (proto == SL_IPPROTO_UDP && cs == 0)
		cs = 0xffff;
	fr_put16(l4 + fr_csum_off(proto), cs);
}

/* Every 256th built frame, the shortcut is held to the reference:
 * checksums fixed the slow way must leave the frame as it is. */
static void check_built_csums(const uint8_t *f, uint32_t len)
{
	static unsigned built;
	uint8_t again[FZ_FRAME_MAX];

	if (built++ % 256 != 0)
		return;
	memcpy(again, f, len);
	fz_fix_csums(again, len);
	if (memcmp(again, f, len) != 0) {
		fprintf(stderr, "fuzz frames: a built frame's checksums are not the reference's\n");
		abort();
	}
}

static unsigned l4_header(uint8_t proto)
{
	return fr_l4_hlen(proto);
}

void fz_put_l4(uint8_t *l4, unsigned shape, const struct fz_l4 *h, unsigned l4len)
{
	switch (shape) {
	case FZ_L4_TCP:
		memcpy(l4, &h->sport, 2);
		memcpy(l4 + 2, &h->dport, 2);
		fr_put32(l4 + 4, h->seq);
		fr_put32(l4 + 8, h->ack);
		l4[12] = 5 << 4;
		l4[13] = h->tcp_flags;
		fr_put16(l4 + 14, 29200);
		break;
	case FZ_L4_UDP:
		memcpy(l4, &h->sport, 2);
		memcpy(l4 + 2, &h->dport, 2);
		fr_put16(l4 + 4, (uint16_t)l4len);
		break;
	case FZ_L4_ICMP:
		l4[0] = h->icmp_type;
		l4[1] = h->icmp_code;
		memcpy(l4 + 4, &h->sport, 2);
		memcpy(l4 + 6, &h->dport, 2);
		break;
	default:
		break;
	}
}

uint32_t fz_build(uint8_t *f, const struct fz_spec *s)
{
	unsigned l4h = l4_header(s->proto);
	unsigned payload = s->payload;
	if (SL_ETH_HLEN + SL_IPV4_HLEN + l4h + payload > FZ_FRAME_MAX)
		payload = FZ_FRAME_MAX - SL_ETH_HLEN - SL_IPV4_HLEN - l4h;
	uint32_t ip_len = SL_IPV4_HLEN + l4h + payload;
	uint8_t *ip = f + SL_ETH_HLEN, *l4 = ip + SL_IPV4_HLEN;

	memset(f, 0, SL_ETH_HLEN + SL_IPV4_HLEN + l4h);
	put_eth(f, s->dst_mac, peer_mac, SL_ETHERTYPE_IPV4);
	ip[0] = 0x45;
	fr_put16(ip + 2, (uint16_t)ip_len);
	fr_put16(ip + 4, 0x4242);
	fr_put16(ip + 6, 0x4000);
	ip[8] = s->ttl;
	ip[9] = s->proto;
	memcpy(ip + 12, &s->src, 4);
	memcpy(ip + 16, &s->dst, 4);
	memcpy(l4 + l4h, fz_payload_pattern(), payload);
	const struct fz_l4 h = {s->sport, s->dport, s->seq, s->ack, s->tcp_flags,
				s->icmp_type, s->icmp_code};
	fz_put_l4(l4, s->proto == SL_IPPROTO_TCP ? FZ_L4_TCP : s->proto == SL_IPPROTO_UDP ? FZ_L4_UDP
		      : s->proto == SL_IPPROTO_ICMP ? FZ_L4_ICMP : FZ_L4_NONE, &h, l4h + payload);
	fix_built_csums(f, l4h, payload);
	check_built_csums(f, SL_ETH_HLEN + ip_len);
	return SL_ETH_HLEN + ip_len;
}

void fz_fix_csums(uint8_t *f, uint32_t len)
{
	if (len < SL_ETH_HLEN + SL_IPV4_HLEN || fr_get16(f + 12) != SL_ETHERTYPE_IPV4)
		return;
	uint8_t *ip = f + SL_ETH_HLEN;
	unsigned hlen = (ip[0] & 0xf) * 4u, total = fr_get16(ip + 2);
	if (hlen < SL_IPV4_HLEN || SL_ETH_HLEN + hlen > len)
		return;
	fr_fix_ip(f);
	if (total < hlen || SL_ETH_HLEN + total > len)
		return;
	unsigned l4_len = total - hlen;
	switch (ip[9]) {
	case SL_IPPROTO_TCP:
		if (l4_len < sizeof(struct sl_tcp_hdr))
			return;
		break;
	case SL_IPPROTO_UDP:
		if (l4_len < 8 || fr_get16(ip + hlen + 4) > l4_len)
			return;
		break;
	case SL_IPPROTO_ICMP:
		if (l4_len < 4)
			return;
		break;
	default:
		return;
	}
	fr_fix_l4(f);
}

/* Payload bytes of a TCP segment in a frame known to be well-formed. */
static uint32_t tcp_payload(const uint8_t *ip)
{
	unsigned hlen = (ip[0] & 0xf) * 4u;
	const uint8_t *tcp = ip + hlen;
	return fr_get16(ip + 2) - hlen - (tcp[12] >> 4) * 4u;
}

uint32_t fz_reply(uint8_t *f, const uint8_t *sent, uint32_t len, uint8_t flags,
		  uint32_t seq_delta, uint16_t payload)
{
	const uint8_t *ip = sent + SL_ETH_HLEN;
	struct fz_spec s;

	if (len < SL_ETH_HLEN + SL_IPV4_HLEN + 8 || fr_get16(sent + 12) != SL_ETHERTYPE_IPV4)
		return 0;
	unsigned hlen = (ip[0] & 0xf) * 4u;
	const uint8_t *l4 = ip + hlen;
	memset(&s, 0, sizeof(s));
	s.proto = ip[9];
	memcpy(&s.src, ip + 16, 4);
	memcpy(&s.dst, ip + 12, 4);
	memcpy(&s.sport, l4 + 2, 2);
	memcpy(&s.dport, l4, 2);
	memcpy(s.dst_mac, sent + 6, 6);
	s.ttl = 64;
	s.tcp_flags = flags;
	switch (s.proto) {
	case SL_IPPROTO_TCP: {
		uint32_t used = tcp_payload(ip) + ((l4[13] & (SL_TCP_SYN | SL_TCP_FIN)) ? 1 : 0);
		s.seq = fr_get32(l4 + 8) + seq_delta;
		s.ack = fr_get32(l4 + 4) + used;
		s.payload = payload;
		break;
	}
	case SL_IPPROTO_UDP:
		s.payload = (uint16_t)(fr_get16(l4 + 4) - 8);
		break;
	case SL_IPPROTO_ICMP:
		if (l4[0] != SL_ICMP_ECHO_REQUEST && l4[0] != SL_ICMP_ECHO_REPLY)
			return 0;
		s.icmp_type = l4[0] == SL_ICMP_ECHO_REQUEST ? SL_ICMP_ECHO_REPLY
							    : SL_ICMP_ECHO_REQUEST;
		memcpy(&s.sport, l4 + 4, 2); /* the identifier stays */
		memcpy(&s.dport, l4 + 6, 2);
		break;
	default:
		return 0;
	}
	return fz_build(f, &s);
}

uint32_t fz_icmp_error(uint8_t *f, const uint8_t *sent, uint32_t len,
		       uint8_t type, uint8_t code, sl_be32 from)
{
	const uint8_t *ip = sent + SL_ETH_HLEN;
	if (len < SL_ETH_HLEN + SL_IPV4_HLEN || fr_get16(sent + 12) != SL_ETHERTYPE_IPV4)
		return 0;
	unsigned hlen = (ip[0] & 0xf) * 4u, total = fr_get16(ip + 2);
	if (hlen < SL_IPV4_HLEN || total < hlen || SL_ETH_HLEN + total > len)
		return 0;
	/* RFC 792: the header and 8 bytes; RFC 1812 routers quote more. */
	unsigned quote = hlen + (total - hlen < 8 ? total - hlen : 8);
	struct fz_spec s = {.proto = SL_IPPROTO_ICMP, .src = from, .ttl = 64,
			    .icmp_type = type, .icmp_code = code,
			    .payload = (uint16_t)quote};
	memcpy(&s.dst, ip + 12, 4);
	memcpy(s.dst_mac, sent + 6, 6);
	uint32_t n = fz_build(f, &s);
	memcpy(f + SL_ETH_HLEN + SL_IPV4_HLEN + 8, ip, quote);
	fz_fix_csums(f, n);
	return n;
}

uint32_t fz_arp(uint8_t *f, uint16_t op, const uint8_t sha[6], sl_be32 spa,
		sl_be32 tpa)
{
	static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	uint8_t *a = f + SL_ETH_HLEN;

	memset(f, 0, SL_ETH_HLEN + sizeof(struct sl_arp_hdr));
	put_eth(f, bcast, sha, SL_ETHERTYPE_ARP);
	fr_put16(a, 1);
	fr_put16(a + 2, SL_ETHERTYPE_IPV4);
	a[4] = 6;
	a[5] = 4;
	fr_put16(a + 6, op);
	memcpy(a + 8, sha, 6);
	memcpy(a + 14, &spa, 4);
	memcpy(a + 24, &tpa, 4);
	return SL_ETH_HLEN + sizeof(struct sl_arp_hdr);
}
