/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Address families in the model (issue 15): a port's IPv6 address beside
 * its IPv4 one, and which families a VIP and its servers may mix. A
 * port's v6 address is published (its v6 address and connected prefix);
 * v6 routes and local addresses are model_net6.c's, v6 services
 * model_svc6.c's.
 */
#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "model_internal.h"

const char *sl_svc_mode_name(enum sl_svc_mode mode)
{
	switch (mode) {
	case SL_MODE_FNAT44:
		return "fnat44";
	case SL_MODE_FNAT66:
		return "fnat66";
	case SL_MODE_NAT64:
		return "nat64";
	}
	return "?";
}

/* DPVS's rule: a v6 VIP takes v6 servers (FNAT66) or v4 servers (NAT64),
 * never both at once, since one connection's translation must not depend
 * on which server it drew; a v4 VIP takes v4 servers only (there is no
 * NAT46). */
int sl_model_svc_mode(const struct sl_addr *vip, const struct sl_addr *rs,
		      uint32_t nrs, enum sl_svc_mode *mode, uint32_t *bad,
		      struct sl_err *err)
{
	char v[SL_ADDR_STRLEN], r[SL_ADDR_STRLEN];

	*mode = vip->af == SL_AF_V6 ? SL_MODE_FNAT66 : SL_MODE_FNAT44;
	for (uint32_t i = 0; i < nrs; i++) {
		*bad = i;
		if (vip->af == SL_AF_V4 && rs[i].af == SL_AF_V6)
			return sl_err_set(err, SL_E_INVALID, "ip",
					  "real server %s is IPv6 but VIP %s is IPv4: "
					  "a v4 VIP takes v4 servers only",
					  sl_fmt_addr(&rs[i], r), sl_fmt_addr(vip, v));
		if (rs[i].af != rs[0].af)
			return sl_err_set(err, SL_E_INVALID, "ip",
					  "real server %s is %s but the first is %s: "
					  "a VIP's servers are all of one family",
					  sl_fmt_addr(&rs[i], r), sl_af_name(rs[i].af),
					  sl_af_name(rs[0].af));
		if (vip->af == SL_AF_V6 && rs[i].af == SL_AF_V4)
			*mode = SL_MODE_NAT64;
	}
	return 0;
}

/* No other port may hold the address, and no two ports the same prefix:
 * a v6 on-link prefix on two ports would make the port ambiguous. */
static int refuse_v6_taken(const struct sl_model *m, uint32_t self,
			   const struct sl_addr *ip, uint8_t plen,
			   struct sl_err *err)
{
	char a[SL_ADDR_STRLEN], b[SL_ADDR_STRLEN];

	for (uint32_t i = 0; i < m->nports; i++) {
		const struct sl_model_port *q = &m->ports[i];
		if (i == self || q->ip6.af != SL_AF_V6)
			continue;
		if (sl_addr_eq(&q->ip6, ip))
			return sl_err_set(err, SL_E_EXISTS, "ipv6",
					  "ipv6 %s is port %s's address",
					  sl_fmt_addr(ip, a), q->name);
		uint8_t shorter = plen < q->plen6 ? plen : q->plen6;
		if (sl_addr_in_prefix(ip, &q->ip6, shorter))
			return sl_err_set(err, SL_E_EXISTS, "ipv6",
					  "ipv6 %s/%u overlaps port %s's prefix %s/%u",
					  sl_fmt_addr(ip, a), plen, q->name,
					  sl_fmt_addr(&q->ip6, b),
					  q->plen6);
	}
	return 0;
}

int sl_model_set_port_ipv6(struct sl_model *m, uint32_t port,
			   const struct sl_addr *ip, uint8_t plen,
			   struct sl_err *err)
{
	char a[SL_ADDR_STRLEN];

	if (port >= m->nports)
		return sl_err_set(err, SL_E_NOT_FOUND, "", "no port %u", port);
	if (ip->af != SL_AF_V6)
		return sl_err_set(err, SL_E_INVALID, "ipv6",
				  "ipv6 must be an IPv6 address/len, got the %s "
				  "address %s (that goes in \"ipv4\")",
				  sl_af_name(ip->af), sl_fmt_addr(ip, a));
	if (plen < 1 || plen > 128)
		return sl_err_set(err, SL_E_INVALID, "ipv6",
				  "ipv6 prefix length must be 1..128, got %u", plen);
	if (!sl_addr_is_unicast(ip))
		return sl_err_set(err, SL_E_INVALID, "ipv6",
				  "ipv6 must be a global unicast address (not ::, "
				  "::1, multicast, link-local or v4-mapped), got %s",
				  sl_fmt_addr(ip, a));
	if (refuse_v6_taken(m, port, ip, plen, err) < 0)
		return -1;
	m->ports[port].ip6 = *ip;
	m->ports[port].plen6 = plen;
	return 0;
}
