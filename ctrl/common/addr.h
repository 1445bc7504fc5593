/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Text forms of addresses, shared by the config loader, the control
 * server and sluicectl. Parsers are strict (no leading zeros tricks, no
 * trailing junk) and return 0 on success, -1 on error. Results are in
 * network byte order.
 */
#ifndef SL_ADDR_H
#define SL_ADDR_H

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

#endif
