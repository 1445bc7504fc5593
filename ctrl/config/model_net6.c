/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The IPv6 side of the network model (issue 15): ports' v6 prefixes (set
 * by model_family.c), v6 routes and v6 local addresses. They live in
 * their own arrays (model.h), so every v4 reader keeps reading IPv4 only;
 * the checks mirror model_net.c's: a gateway inside a port's prefix and
 * not its own address, a local address not Sluice's otherwise, on the
 * port whose prefix holds it. Local addresses take their slot from the
 * same space as v4 local addresses and SNAT pools (the workers' port
 * allocators are per slot, whatever the family).
 */
#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "model_internal.h"

static struct sl_addr v6(const uint8_t ip[16])
{
	struct sl_addr a = {.af = SL_AF_V6};

	memcpy(a.v6, ip, 16);
	return a;
}

int sl_model_port_for6(const struct sl_model *m, const uint8_t ip[16])
{
	struct sl_addr a = v6(ip);
	int best = -1;

	for (uint32_t i = 0; i < m->nports; i++) {
		const struct sl_model_port *p = &m->ports[i];
		if (p->ip6.af != SL_AF_V6 || !sl_addr_in_prefix(&a, &p->ip6, p->plen6))
			continue;
		if (best < 0 || p->plen6 > m->ports[best].plen6)
			best = (int)i;
	}
	return best;
}

int sl_model_route6(const struct sl_model *m, const uint8_t dst[16],
		    uint8_t *port)
{
	struct sl_addr a = v6(dst), pre = {.af = SL_AF_V6};
	int best = sl_model_port_for6(m, dst);
	unsigned best_len = best >= 0 ? m->ports[best].plen6 : 0;

	for (uint32_t r = 0; r < m->nroutes6; r++) {
		const struct sl_model_route6 *rt = &m->routes6[r];
		memcpy(pre.v6, rt->prefix, 16);
		if (!sl_addr_in_prefix(&a, &pre, rt->plen))
			continue;
		if (best < 0 || rt->plen > best_len) {
			best = rt->port;
			best_len = rt->plen;
		}
	}
	if (best < 0)
		return -1;
	if (port)
		*port = (uint8_t)best;
	return 0;
}

static bool is_rs6(const struct sl_model *m, const uint8_t ip[16])
{
	for (uint32_t i = 0; i < m->nsvcs; i++)
		for (uint32_t j = 0; j < m->svcs[i].nrs; j++)
			if (m->svcs[i].rs[j].ip == 0 &&
			    memcmp(m->svcs[i].rs[j].ip6, ip, 16) == 0)
				return true;
	return false;
}

static const struct sl_model_laddr6 *find_laddr6(const struct sl_model *m,
						 const uint8_t ip[16])
{
	for (uint32_t i = 0; i < m->nladdrs6; i++)
		if (memcmp(m->laddrs6[i].ip, ip, 16) == 0)
			return &m->laddrs6[i];
	return NULL;
}

int sl_model_refuse_own6(const struct sl_model *m, const uint8_t ip[16],
			 unsigned uses, const char *field, struct sl_err *err)
{
	char a[SL_ADDR_STRLEN];
	struct sl_addr addr = v6(ip);

	sl_fmt_addr(&addr, a);
	for (uint32_t i = 0; (uses & SL_OWN_PORT) && i < m->nports; i++)
		if (sl_addr_eq(&m->ports[i].ip6, &addr))
			return sl_err_set(err, SL_E_INVALID, field,
					  "%s is port %s's address", a,
					  m->ports[i].name);
	if ((uses & SL_OWN_LADDR) && find_laddr6(m, ip))
		return sl_err_set(err, SL_E_INVALID, field,
				  "%s is a local address", a);
	for (uint32_t i = 0; (uses & SL_OWN_VIP) && i < m->nsvcs; i++)
		if (m->svcs[i].v6 && memcmp(m->svcs[i].vip6, ip, 16) == 0)
			return sl_err_set(err, SL_E_INVALID, field, "%s is a VIP", a);
	if ((uses & SL_OWN_RS) && is_rs6(m, ip))
		return sl_err_set(err, SL_E_INVALID, field,
				  "%s is a real server", a);
	return 0;
}

/* The port a v6 route leaves by: as model_net.c's route_port. */
static int route6_port(const struct sl_model *m, const uint8_t *via,
		       int port_index, uint8_t *out, struct sl_err *err)
{
	char a[SL_ADDR_STRLEN];

	if (port_index >= (int)m->nports)
		return sl_err_set(err, SL_E_NOT_FOUND, "port", "no port %d",
				  port_index);
	if (!via) {
		if (port_index < 0)
			return sl_err_set(err, SL_E_MISSING, "via",
					  "a route needs via, port or both");
		*out = (uint8_t)port_index;
		return 0;
	}
	struct sl_addr g = v6(via);
	sl_fmt_addr(&g, a);
	/* A link-local router (what RAs announce, what most v6 routers
	 * are known by) is on the route's port's link, whichever prefix
	 * that port has: no prefix says which port, so the route must. */
	if (sl_ipv6_is_link_local(via)) {
		if (port_index < 0)
			return sl_err_set(err, SL_E_MISSING, "port",
					  "via %s is link-local: name the route's port "
					  "(the link it is on)", a);
		*out = (uint8_t)port_index;
		return 0;
	}
	if (!sl_addr_is_unicast(&g))
		return sl_err_set(err, SL_E_INVALID, "via",
				  "via must be a global unicast or a link-local "
				  "address, got %s", a);
	if (port_index < 0)
		port_index = sl_model_port_for6(m, via);
	if (port_index < 0)
		return sl_err_set(err, SL_E_INVALID, "via",
				  "via %s is not inside any port's IPv6 prefix", a);
	const struct sl_model_port *p = &m->ports[port_index];
	if (p->ip6.af != SL_AF_V6 || !sl_addr_in_prefix(&g, &p->ip6, p->plen6))
		return sl_err_set(err, SL_E_INVALID, "via",
				  "via %s is not inside port %s's IPv6 prefix",
				  a, p->name);
	if (sl_addr_eq(&g, &p->ip6))
		return sl_err_set(err, SL_E_INVALID, "via",
				  "via %s is port %s's own address", a, p->name);
	*out = (uint8_t)port_index;
	return 0;
}

int sl_model_add_route6(struct sl_model *m, const uint8_t prefix[16],
			uint8_t plen, const uint8_t *via, int port_index,
			struct sl_err *err)
{
	char a[SL_ADDR_STRLEN];
	struct sl_addr p = v6(prefix);
	uint8_t port = 0;

	if (plen > 128)
		return sl_err_set(err, SL_E_INVALID, "prefix",
				  "prefix length must be 0..128, got %u", plen);
	sl_fmt_addr(&p, a);
	struct sl_addr net = p;
	for (unsigned b = plen; b < 128; b++)
		net.v6[b / 8] &= (uint8_t)~(0x80u >> (b % 8));
	if (!sl_addr_eq(&net, &p))
		return sl_err_set(err, SL_E_INVALID, "prefix",
				  "prefix %s/%u has host bits set", a, plen);
	for (uint32_t i = 0; i < m->nroutes6; i++)
		if (memcmp(m->routes6[i].prefix, prefix, 16) == 0 &&
		    m->routes6[i].plen == plen)
			return sl_err_set(err, SL_E_EXISTS, "prefix",
					  "a route to %s/%u exists", a, plen);
	if (route6_port(m, via, port_index, &port, err) < 0)
		return -1;
	if (m->nroutes6 >= SL_MAX_ROUTES6)
		return sl_err_set(err, SL_E_LIMIT, "", "at most %d IPv6 routes",
				  SL_MAX_ROUTES6);

	struct sl_model_route6 *r = &m->routes6[m->nroutes6++];
	memset(r, 0, sizeof(*r));
	memcpy(r->prefix, prefix, 16);
	if (via)
		memcpy(r->via, via, 16);
	r->plen = plen;
	r->port = port;
	sl_model_protected_changed(m);
	return 0;
}

int sl_model_add_laddr6(struct sl_model *m, const uint8_t ip[16],
			int port_index, struct sl_err *err)
{
	char a[SL_ADDR_STRLEN];
	struct sl_addr addr = v6(ip);
	uint8_t used[SL_MAX_LIPS / 8] = {0};

	sl_fmt_addr(&addr, a);
	if (!sl_addr_is_unicast(&addr))
		return sl_err_set(err, SL_E_INVALID, "ip",
				  "ip must be a global unicast address, got %s", a);
	if (find_laddr6(m, ip))
		return sl_err_set(err, SL_E_EXISTS, "ip",
				  "local address %s exists", a);
	if (sl_model_refuse_own6(m, ip, SL_OWN_PORT | SL_OWN_VIP | SL_OWN_RS,
				 "ip", err) < 0)
		return -1;
	if (port_index >= (int)m->nports)
		return sl_err_set(err, SL_E_NOT_FOUND, "port", "no port %d",
				  port_index);
	if (port_index < 0)
		port_index = sl_model_port_for6(m, ip);
	if (port_index < 0)
		return sl_err_set(err, SL_E_INVALID, "port",
				  "no port's IPv6 prefix holds %s; name the port", a);
	if (m->nladdrs6 >= SL_MAX_LIPS6)
		return sl_err_set(err, SL_E_LIMIT, "",
				  "at most %d IPv6 local addresses", SL_MAX_LIPS6);
	sl_model_mark_slots(m, used);
	int slot = sl_model_next_free_id(used, SL_MAX_LIPS, 0);
	if (slot < 0)
		return sl_err_set(err, SL_E_LIMIT, "",
				  "no free local address slot (%d in all, v4 "
				  "and v6 local addresses and SNAT pools)",
				  SL_MAX_LIPS);

	struct sl_model_laddr6 *l = &m->laddrs6[m->nladdrs6++];
	memcpy(l->ip, ip, 16);
	l->port = (uint8_t)port_index;
	l->slot = (uint8_t)slot;
	return 0;
}

int sl_model_del_laddr6(struct sl_model *m, const uint8_t ip[16],
			struct sl_err *err)
{
	char a[SL_ADDR_STRLEN];
	struct sl_addr addr = v6(ip);
	const struct sl_model_laddr6 *l = find_laddr6(m, ip);

	if (!l)
		return sl_err_set(err, SL_E_NOT_FOUND, "ip", "no local address %s",
				  sl_fmt_addr(&addr, a));
	uint32_t i = (uint32_t)(l - m->laddrs6);
	memmove(&m->laddrs6[i], &m->laddrs6[i + 1],
		(m->nladdrs6 - i - 1) * sizeof(*m->laddrs6));
	m->nladdrs6--;
	return 0;
}
