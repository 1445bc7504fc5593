/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Address text forms. inet_pton() would accept most of this, but the
 * parsers here are written out so the accepted language is exactly the
 * one documented: decimal only, no leading zeros (inet_aton reads "010"
 * as octal 8, so "010.0.0.1" must not quietly mean 8.0.0.1), no signs, no
 * spaces, nothing after the value.
 */
#include <stdio.h>
#include <string.h>

#include "addr.h"

/* Read a run of decimal digits at *sp, at most `max`, and advance *sp past
 * it. "0" is a number; "00" and "012" are not. */
static int read_decimal(const char **sp, unsigned long max, unsigned long *out)
{
	const char *s = *sp;
	unsigned long v = 0;

	if (*s < '0' || *s > '9')
		return -1;
	if (s[0] == '0' && s[1] >= '0' && s[1] <= '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		unsigned long d = (unsigned long)(*s - '0');
		if (d > max || v > (max - d) / 10)
			return -1; /* past max (and never wraps) */
		v = v * 10 + d;
	}
	*sp = s;
	*out = v;
	return 0;
}

int sl_parse_uint(const char *s, unsigned long min, unsigned long max,
		  unsigned long *out)
{
	unsigned long v;

	if (read_decimal(&s, max, &v) < 0 || *s != '\0' || v < min)
		return -1;
	*out = v;
	return 0;
}

/* Four octets at *sp; leaves *sp after the last digit. */
static int read_ipv4(const char **sp, sl_be32 *ip)
{
	const char *s = *sp;
	uint32_t host = 0;

	for (int i = 0; i < 4; i++) {
		unsigned long octet;
		if (i > 0 && *s++ != '.')
			return -1;
		if (read_decimal(&s, 255, &octet) < 0)
			return -1;
		host = host << 8 | (uint32_t)octet;
	}
	*sp = s;
	*ip = sl_htonl(host);
	return 0;
}

int sl_parse_ipv4(const char *s, sl_be32 *ip)
{
	sl_be32 v;

	if (read_ipv4(&s, &v) < 0 || *s != '\0')
		return -1;
	*ip = v;
	return 0;
}

static sl_be32 prefix_mask(uint8_t plen)
{
	return plen == 0 ? 0 : sl_htonl(~0u << (32 - plen));
}

int sl_parse_prefix(const char *s, sl_be32 *ip, uint8_t *plen, bool strict_net)
{
	sl_be32 addr;
	unsigned long len;

	if (read_ipv4(&s, &addr) < 0 || *s++ != '/')
		return -1;
	if (sl_parse_uint(s, 0, 32, &len) < 0)
		return -1;
	if (strict_net && (addr & ~prefix_mask((uint8_t)len)) != 0)
		return -1;
	*ip = addr;
	*plen = (uint8_t)len;
	return 0;
}

int sl_parse_ipport(const char *s, sl_be32 *ip, sl_be16 *port)
{
	sl_be32 addr;
	unsigned long p;

	if (read_ipv4(&s, &addr) < 0 || *s++ != ':')
		return -1;
	if (sl_parse_uint(s, 1, 65535, &p) < 0)
		return -1;
	*ip = addr;
	*port = sl_htons((uint16_t)p);
	return 0;
}

int sl_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Exactly six pairs of hex digits separated by ':'. */
int sl_parse_mac(const char *s, uint8_t mac[6])
{
	uint8_t tmp[6];

	if (strlen(s) != 17)
		return -1;
	for (int i = 0; i < 6; i++) {
		const char *p = s + 3 * i;
		int hi = sl_hex_digit(p[0]), lo = sl_hex_digit(p[1]);
		if (hi < 0 || lo < 0 || (i < 5 && p[2] != ':'))
			return -1;
		tmp[i] = (uint8_t)(hi << 4 | lo);
	}
	memcpy(mac, tmp, sizeof(tmp));
	return 0;
}

int sl_parse_proto(const char *s, uint8_t *proto)
{
	if (strcmp(s, "tcp") == 0)
		*proto = SL_IPPROTO_TCP;
	else if (strcmp(s, "udp") == 0)
		*proto = SL_IPPROTO_UDP;
	else
		return -1;
	return 0;
}

const char *sl_proto_name(uint8_t proto)
{
	switch (proto) {
	case SL_IPPROTO_TCP:
		return "tcp";
	case SL_IPPROTO_UDP:
		return "udp";
	case SL_IPPROTO_ICMP:
		return "icmp";
	default:
		return "?";
	}
}

bool sl_ipv4_is_unicast(sl_be32 ip)
{
	uint32_t first = sl_ntohl(ip) >> 24;

	/* 240/4 covers the limited broadcast 255.255.255.255 too. */
	return first != 0 && first != 127 && first < 224;
}

char *sl_fmt_ipv4(sl_be32 ip, char *buf)
{
	uint32_t h = sl_ntohl(ip);

	snprintf(buf, SL_IPV4_STRLEN, "%u.%u.%u.%u", h >> 24, (h >> 16) & 0xff,
		 (h >> 8) & 0xff, h & 0xff);
	return buf;
}

char *sl_fmt_ipport(sl_be32 ip, sl_be16 port, char *buf)
{
	char a[SL_IPV4_STRLEN];

	snprintf(buf, SL_IPPORT_STRLEN, "%s:%u", sl_fmt_ipv4(ip, a),
		 sl_ntohs(port));
	return buf;
}

char *sl_fmt_mac(const uint8_t *mac, char *buf)
{
	snprintf(buf, SL_MAC_STRLEN, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0],
		 mac[1], mac[2], mac[3], mac[4], mac[5]);
	return buf;
}

int sl_parse_ipv4_range(const char *s, sl_be32 *first, sl_be32 *last)
{
	char buf[40];
	const char *dash = strchr(s, '-');

	if (dash == NULL) {
		if (sl_parse_ipv4(s, first) < 0)
			return -1;
		*last = *first;
		return 0;
	}
	size_t n = (size_t)(dash - s);
	if (n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return sl_parse_ipv4(buf, first) < 0 || sl_parse_ipv4(dash + 1, last) < 0 ? -1 : 0;
}
