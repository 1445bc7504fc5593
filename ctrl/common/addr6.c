/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Addresses of either family: IPv6 text (RFC 4291 section 2.2 in, RFC 5952
 * out), prefixes and "[v6]:port". Written out rather than left to
 * inet_pton() for the same reason as addr.c: the accepted language is the
 * documented one, and a refusal is the caller's to explain (no zone ids,
 * no brackets where an address alone is asked for, no port without them).
 */
#include <stdio.h>
#include <string.h>

#include "addr.h"

/* One group of 1..4 hex digits at *sp; leaves *sp after it. */
static int read_group(const char **sp, uint16_t *out)
{
	const char *s = *sp;
	unsigned v = 0, n = 0;

	for (; sl_hex_digit(*s) >= 0; s++, n++)
		v = v << 4 | (unsigned)sl_hex_digit(*s);
	if (n == 0 || n > 4)
		return -1;
	*sp = s;
	*out = (uint16_t)v;
	return 0;
}

/* Is the text at s a dotted quad (hex digits up to a '.')? */
static bool at_ipv4(const char *s)
{
	while (sl_hex_digit(*s) >= 0)
		s++;
	return *s == '.';
}

/* A dotted quad ending the text: the last two groups. */
static int read_tail_ipv4(const char *s, uint16_t *g, int *n)
{
	sl_be32 v4;

	if (*n > 6 || sl_parse_ipv4(s, &v4) < 0)
		return -1;
	uint32_t h = sl_ntohl(v4);
	g[(*n)++] = (uint16_t)(h >> 16);
	g[(*n)++] = (uint16_t)h;
	return 0;
}

/* The groups of s in g[0..n), and where "::" stood (gap, -1 if not). */
static int read_groups(const char *s, uint16_t g[8], int *n, int *gap)
{
	*n = 0;
	*gap = -1;
	if (s[0] == ':') {
		if (s[1] != ':')
			return -1;
		*gap = 0;
		s += 2;
		if (*s == '\0')
			return 0;
	}
	for (;;) {
		if (*n == 8)
			return -1;
		if (at_ipv4(s))
			return read_tail_ipv4(s, g, n);
		if (read_group(&s, &g[(*n)++]) < 0)
			return -1;
		if (*s == '\0')
			return 0;
		if (*s++ != ':')
			return -1;
		if (*s != ':')
			continue;
		if (*gap >= 0)
			return -1; /* a second "::" */
		*gap = *n;
		if (*++s == '\0')
			return 0;
	}
}

int sl_parse_ipv6(const char *s, uint8_t out[16])
{
	uint16_t g[8], full[8] = {0};
	int n, gap;

	if (read_groups(s, g, &n, &gap) < 0)
		return -1;
	/* Without "::" all eight groups; with it, it stands for one or more. */
	if (gap < 0 ? n != 8 : n > 7)
		return -1;
	int at_end = gap < 0 ? 0 : 8 - (n - gap);
	for (int i = 0; i < n; i++)
		full[gap < 0 || i < gap ? i : at_end + i - gap] = g[i];
	for (int i = 0; i < 8; i++) {
		out[2 * i] = (uint8_t)(full[i] >> 8);
		out[2 * i + 1] = (uint8_t)full[i];
	}
	return 0;
}

int sl_parse_addr(const char *s, struct sl_addr *a)
{
	struct sl_addr v = {0};

	if (strchr(s, ':')) {
		v.af = SL_AF_V6;
		if (sl_parse_ipv6(s, v.v6) < 0)
			return -1;
	} else {
		v.af = SL_AF_V4;
		if (sl_parse_ipv4(s, &v.v4) < 0)
			return -1;
	}
	*a = v;
	return 0;
}

/* Copy s[0..n) into buf (size len) as a string; -1 if it does not fit. */
static int cut(const char *s, size_t n, char *buf, size_t len)
{
	if (n >= len)
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return 0;
}

bool sl_ipv6_host_bits_zero(const uint8_t a[16], unsigned plen)
{
	for (unsigned bit = plen; bit < 128; bit++)
		if (a[bit / 8] & (0x80u >> (bit % 8)))
			return false;
	return true;
}

int sl_parse_addr_prefix(const char *s, struct sl_addr *a, uint8_t *plen,
			 bool strict_net)
{
	char buf[SL_IPV6_STRLEN];
	const char *slash = strchr(s, '/');
	struct sl_addr v;
	unsigned long len;

	if (!strchr(s, ':')) {
		v.af = SL_AF_V4;
		if (sl_parse_prefix(s, &v.v4, plen, strict_net) < 0)
			return -1;
		*a = v;
		return 0;
	}
	v.af = SL_AF_V6;
	if (!slash || cut(s, (size_t)(slash - s), buf, sizeof(buf)) < 0 ||
	    sl_parse_ipv6(buf, v.v6) < 0 || sl_parse_uint(slash + 1, 0, 128, &len) < 0)
		return -1;
	if (strict_net && !sl_ipv6_host_bits_zero(v.v6, (unsigned)len))
		return -1;
	*a = v;
	*plen = (uint8_t)len;
	return 0;
}

int sl_parse_addr_port(const char *s, struct sl_addr *a, sl_be16 *port)
{
	char buf[SL_IPV6_STRLEN];
	const char *close = strchr(s, ']');
	struct sl_addr v = {.af = SL_AF_V4};
	unsigned long p;

	if (s[0] != '[') {
		if (sl_parse_ipport(s, &v.v4, port) < 0)
			return -1;
		*a = v;
		return 0;
	}
	if (!close || close[1] != ':' || cut(s + 1, (size_t)(close - s - 1), buf,
					      sizeof(buf)) < 0)
		return -1;
	v.af = SL_AF_V6;
	if (sl_parse_ipv6(buf, v.v6) < 0 || sl_parse_uint(close + 2, 1, 65535, &p) < 0)
		return -1;
	*a = v;
	*port = sl_htons((uint16_t)p);
	return 0;
}

bool sl_ipv6_is_link_local(const uint8_t a[16])
{
	return a[0] == 0xfe && (a[1] & 0xc0) == 0x80;
}

bool sl_ipv6_is_unicast(const uint8_t a[16])
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	static const uint8_t zero[15];

	if (memcmp(a, zero, 15) == 0 && a[15] <= 1)
		return false; /* :: and ::1 */
	if (a[0] == 0xff || sl_ipv6_is_link_local(a))
		return false; /* multicast, link-local */
	return memcmp(a, mapped, sizeof(mapped)) != 0;
}

bool sl_addr_is_unicast(const struct sl_addr *a)
{
	return a->af == SL_AF_V4 ? sl_ipv4_is_unicast(a->v4)
	       : a->af == SL_AF_V6 && sl_ipv6_is_unicast(a->v6);
}

bool sl_addr_in_prefix(const struct sl_addr *a, const struct sl_addr *prefix,
		       uint8_t plen)
{
	if (a->af != prefix->af)
		return false;
	if (a->af == SL_AF_V4) {
		sl_be32 mask = plen == 0 ? 0 : sl_htonl(~0u << (32 - plen));
		return ((a->v4 ^ prefix->v4) & mask) == 0;
	}
	for (unsigned bit = 0; bit < plen && bit < 128; bit++)
		if ((a->v6[bit / 8] ^ prefix->v6[bit / 8]) & (0x80u >> (bit % 8)))
			return false;
	return true;
}

const char *sl_af_name(uint8_t af)
{
	return af == SL_AF_V4 ? "IPv4" : af == SL_AF_V6 ? "IPv6" : "?";
}

/* The longest run of two or more zero groups (the first if tied). */
static void longest_zero_run(const uint16_t g[8], int *start, int *len)
{
	*start = -1;
	*len = 1;
	for (int i = 0; i < 8;) {
		int j = i;
		while (j < 8 && g[j] == 0)
			j++;
		if (j - i > *len) {
			*start = i;
			*len = j - i;
		}
		i = j > i ? j : i + 1;
	}
}

char *sl_fmt_ipv6(const uint8_t a[16], char *buf)
{
	uint16_t g[8];
	int run, len, at = 0;

	for (int i = 0; i < 8; i++)
		g[i] = (uint16_t)(a[2 * i] << 8 | a[2 * i + 1]);
	longest_zero_run(g, &run, &len);
	for (int i = 0; i < 8; i++) {
		if (i == run) {
			at += snprintf(buf + at, (size_t)(SL_IPV6_STRLEN - at), "::");
			i += len - 1;
			continue;
		}
		bool sep = i > 0 && i != run + len;
		at += snprintf(buf + at, (size_t)(SL_IPV6_STRLEN - at), "%s%x",
			       sep ? ":" : "", g[i]);
	}
	return buf;
}

char *sl_fmt_addr(const struct sl_addr *a, char *buf)
{
	if (a->af == SL_AF_V6)
		return sl_fmt_ipv6(a->v6, buf);
	return sl_fmt_ipv4(a->v4, buf);
}

char *sl_fmt_addrport(const struct sl_addr *a, sl_be16 port, char *buf)
{
	char t[SL_ADDR_STRLEN];

	if (a->af != SL_AF_V6)
		return sl_fmt_ipport(a->v4, port, buf);
	snprintf(buf, SL_ADDRPORT_STRLEN, "[%s]:%u", sl_fmt_ipv6(a->v6, t),
		 sl_ntohs(port));
	return buf;
}
