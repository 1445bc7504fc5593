/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Text forms of addresses, shared by the config loader, the control
 * server and sluicectl: IPv4 (addr.c) and either family (addr6.c).
 * Parsers are strict (no leading zeros tricks, no trailing junk) and
 * return 0 on success, -1 on error. Results are in network byte order.
 */
#ifndef SL_ADDR_H
#define SL_ADDR_H

#include <string.h>

#include "dp_types.h"

int sl_parse_ipv4(const char *s, sl_be32 *ip);
/* "a.b.c.d/len"; host bits must be zero only if `strict_net`. */
int sl_parse_prefix(const char *s, sl_be32 *ip, uint8_t *plen, bool strict_net);
/* "a.b.c.d:port", port 1..65535. */
int sl_parse_ipport(const char *s, sl_be32 *ip, sl_be16 *port);
/* "a.b.c.d-e.f.g.h" or a single "a.b.c.d" (first == last). */
int sl_parse_ipv4_range(const char *s, sl_be32 *first, sl_be32 *last);
/* "aa:bb:cc:dd:ee:ff" */
int sl_parse_mac(const char *s, uint8_t mac[6]);
/* One hex digit's value, either case, or -1. */
int sl_hex_digit(char c);
/* "tcp" / "udp" -> 6 / 17 */
int sl_parse_proto(const char *s, uint8_t *proto);
/* Decimal, no sign, within [min, max]. */
int sl_parse_uint(const char *s, unsigned long min, unsigned long max,
		  unsigned long *out);

const char *sl_proto_name(uint8_t proto); /* "tcp", "udp", "icmp", "?" */
/* Unicast host address usable as a VIP, server or local address:
 * not 0.0.0.0/8, 127/8, 224/4 (multicast), 240/4, or broadcast. */
bool sl_ipv4_is_unicast(sl_be32 ip);

/* Formatters write into the caller's buffer and return it. */
#define SL_IPV4_STRLEN 16
#define SL_IPPORT_STRLEN 22
#define SL_MAC_STRLEN 18
char *sl_fmt_ipv4(sl_be32 ip, char *buf);
char *sl_fmt_ipport(sl_be32 ip, sl_be16 port, char *buf);
char *sl_fmt_mac(const uint8_t *mac, char *buf);

/* ---- either family (addr6.c) ------------------------------------------ */

/* An address of either family, as the config, the protocol and sluicectl
 * name a VIP, a server, a local address, a route or a neighbor. The text
 * says the family: a v6 address always holds ':', a v4 one never does. */
enum sl_af { SL_AF_NONE = 0, SL_AF_V4 = 4, SL_AF_V6 = 6 };
struct sl_addr {
	uint8_t af;                      /* enum sl_af */
	union {
		sl_be32 v4;
		uint8_t v6[16];          /* network order */
	};
};

/* RFC 4291 section 2.2 text: 1..4 hex digits a group, "::" once at most,
 * an IPv4 dotted quad as the last 32 bits; no zone ("%eth0"), no brackets. */
int sl_parse_ipv6(const char *s, uint8_t out[16]);
/* Either family. */
int sl_parse_addr(const char *s, struct sl_addr *a);
/* "addr/len" of either family (len 0..32 or 0..128); host bits must be
 * zero only if `strict_net`. */
int sl_parse_addr_prefix(const char *s, struct sl_addr *a, uint8_t *plen,
			 bool strict_net);
/* Whether the bits of `a` past the first `plen` are all zero. */
bool sl_ipv6_host_bits_zero(const uint8_t a[16], unsigned plen);
/* "a.b.c.d:port" or "[v6]:port", port 1..65535. A bare v6 address with a
 * port is ambiguous ("2001:db8::1:80") and refused: brackets are required. */
int sl_parse_addr_port(const char *s, struct sl_addr *a, sl_be16 *port);

/* A v6 host address usable as a VIP, server, local or port address: not
 * ::, ::1, multicast ff00::/8, link-local fe80::/10 (it names no host off
 * its link) or v4-mapped ::ffff:0:0/96 (that is an IPv4 address). */
bool sl_ipv6_is_unicast(const uint8_t a[16]);
/* fe80::/10: names a host on one link only, so a route's link-local
 * `via` needs the route's port. */
bool sl_ipv6_is_link_local(const uint8_t a[16]);
bool sl_addr_is_unicast(const struct sl_addr *a);
/* Inline: the neighbor table's lookup compares one per entry. */
static inline bool sl_addr_eq(const struct sl_addr *a, const struct sl_addr *b)
{
	if (a->af != b->af)
		return false;
	return a->af == SL_AF_V4 ? a->v4 == b->v4 : memcmp(a->v6, b->v6, 16) == 0;
}
/* Does `a` lie in prefix/plen? False across families. */
bool sl_addr_in_prefix(const struct sl_addr *a, const struct sl_addr *prefix,
		       uint8_t plen);
const char *sl_af_name(uint8_t af);       /* "IPv4", "IPv6", "?" */
static inline struct sl_addr sl_addr_v4(sl_be32 ip)
{
	return (struct sl_addr){.af = SL_AF_V4, .v4 = ip};
}

/* RFC 5952 text: lower case, the longest run of two or more zero groups
 * (the first if tied) as "::". */
#define SL_IPV6_STRLEN 46
#define SL_ADDR_STRLEN SL_IPV6_STRLEN
#define SL_ADDRPORT_STRLEN (SL_IPV6_STRLEN + 8)   /* "[" addr "]:" port */
char *sl_fmt_ipv6(const uint8_t a[16], char *buf);
char *sl_fmt_addr(const struct sl_addr *a, char *buf);
/* "a.b.c.d:port" or "[v6]:port" */
char *sl_fmt_addrport(const struct sl_addr *a, sl_be16 port, char *buf);

#endif
