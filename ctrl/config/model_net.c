/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The network side of the model: ports, routes, local addresses and
 * static neighbors. model.c describes storage and the check-then-mutate
 * rule every operation here follows.
 */
#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "model_internal.h"

/* ---- ports and routes -------------------------------------------------- */

static bool valid_port_name(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n >= SL_PORT_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			  (c >= '0' && c <= '9') || c == '_' || c == '-';
		if (!ok)
			return false;
	}
	return true;
}

/* A port's own address: a usable host in its prefix, not anyone else's. */
static int check_port_addr(const struct sl_model *m, sl_be32 ip, uint8_t plen,
			   struct sl_err *err)
{
	char a[SL_IPV4_STRLEN];

	if (plen < 1 || plen > 32)
		return sl_err_set(err, SL_E_INVALID, "ipv4",
				  "ipv4 prefix length must be 1..32, got %u", plen);
	sl_be32 host = ip & ~prefix_mask(plen);
	if (sl_model_need_unicast(ip, "ipv4", err) < 0)
		return -1;
	/* /31 and /32 have no network or broadcast address (RFC 3021). */
	if (plen <= 30 && (host == 0 || host == ~prefix_mask(plen)))
		return sl_err_set(err, SL_E_INVALID, "ipv4",
				  "ipv4 %s/%u is not a host address of its prefix",
				  sl_fmt_ipv4(ip, a), plen);
	return sl_model_refuse_own(m, ip, SL_OWN_PORT | SL_OWN_LADDR | SL_OWN_VIP, "ipv4", err);
}

/* Ports on one device (the same devargs) are told apart by their VLAN:
 * each needs its own, and at most one of them is untagged (vlan 0). */
static int check_device_shared(const struct sl_model *m, const char *devargs,
			       uint16_t vlan, struct sl_err *err)
{
	for (uint32_t i = 0; i < m->nports; i++) {
		const struct sl_model_port *q = &m->ports[i];
		if (strcmp(q->devargs, devargs) != 0 || q->vlan != vlan)
			continue;
		if (vlan == 0)
			return sl_err_set(err, SL_E_EXISTS, "devargs",
					  "port %s has the same devargs (ports on one "
					  "device need a vlan each)", q->name);
		return sl_err_set(err, SL_E_EXISTS, "vlan",
				  "port %s has vlan %u on the same device", q->name, vlan);
	}
	return 0;
}

int sl_model_add_port(struct sl_model *m, const char *name, const char *devargs,
		      sl_be32 ip, uint8_t plen, struct sl_err *err)
{
	return sl_model_add_port_vlan(m, name, devargs, ip, plen, 0, err);
}

int sl_model_add_port_vlan(struct sl_model *m, const char *name, const char *devargs,
			   sl_be32 ip, uint8_t plen, uint16_t vlan, struct sl_err *err)
{
	size_t dlen = strlen(devargs);

	if (!valid_port_name(name))
		return sl_err_set(err, SL_E_INVALID, "name",
				  "name must be 1..%d characters of A-Z a-z 0-9 _ -, got \"%.40s\"",
				  SL_PORT_NAME_MAX - 1, name);
	if (sl_model_port_index(m, name) >= 0)
		return sl_err_set(err, SL_E_EXISTS, "name",
				  "a port named \"%s\" exists", name);
	if (dlen == 0 || dlen >= SL_DEVARGS_MAX)
		return sl_err_set(err, SL_E_INVALID, "devargs",
				  "devargs must be 1..%d characters, got %zu",
				  SL_DEVARGS_MAX - 1, dlen);
	if (vlan > SL_VLAN_MAX)
		return sl_err_set(err, SL_E_INVALID, "vlan", "vlan must be 1..%d, got %u",
				  SL_VLAN_MAX, vlan);
	if (check_device_shared(m, devargs, vlan, err) < 0)
		return -1;
	if ((ip != 0 || plen != 0) && check_port_addr(m, ip, plen, err) < 0)
		return -1;
	if (m->nports >= SL_MAX_PORTS)
		return sl_err_set(err, SL_E_LIMIT, "", "at most %d ports",
				  SL_MAX_PORTS);

	struct sl_model_port *p = &m->ports[m->nports++];
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", name);
	snprintf(p->devargs, sizeof(p->devargs), "%s", devargs);
	p->ip = ip;
	p->plen = plen;
	p->xdp = true;
	p->offloads = true;
	p->flow_steering = true;
	p->mtu = 0; /* not configured: the device keeps its own MTU */
	p->vlan = vlan;
	return 0;
}

/* The port a route leaves through: the one given, or the one whose
 * connected prefix holds the gateway; the gateway must be on it. */
static int route_port(const struct sl_model *m, sl_be32 via, int port_index,
		      uint8_t *out, struct sl_err *err)
{
	char a[SL_IPV4_STRLEN];

	if (port_index >= (int)m->nports)
		return sl_err_set(err, SL_E_NOT_FOUND, "port", "no port %d",
				  port_index);
	if (via == 0) {
		if (port_index < 0)
			return sl_err_set(err, SL_E_MISSING, "via",
					  "a route needs via, port or both");
		*out = (uint8_t)port_index;
		return 0;
	}
	if (sl_model_need_unicast(via, "via", err) < 0)
		return -1;
	sl_fmt_ipv4(via, a);
	if (port_index < 0)
		port_index = sl_model_port_for(m, via);
	if (port_index < 0)
		return sl_err_set(err, SL_E_INVALID, "via",
				  "via %s is not inside any port's connected prefix", a);
	const struct sl_model_port *p = &m->ports[port_index];
	if (p->ip == 0 || !in_prefix(via, p->ip, p->plen))
		return sl_err_set(err, SL_E_INVALID, "via",
				  "via %s is not inside port %s's connected prefix",
				  a, p->name);
	if (via == p->ip)
		return sl_err_set(err, SL_E_INVALID, "via",
				  "via %s is port %s's own address", a, p->name);
	*out = (uint8_t)port_index;
	return 0;
}

int sl_model_add_route(struct sl_model *m, sl_be32 prefix, uint8_t plen,
		       sl_be32 via, int port_index, struct sl_err *err)
{
	char a[SL_IPV4_STRLEN];
	uint8_t port = 0;

	if (plen > 32)
		return sl_err_set(err, SL_E_INVALID, "prefix",
				  "prefix length must be 0..32, got %u", plen);
	sl_fmt_ipv4(prefix, a);
	if (prefix & ~prefix_mask(plen))
		return sl_err_set(err, SL_E_INVALID, "prefix",
				  "prefix %s/%u has host bits set", a, plen);
	for (uint32_t i = 0; i < m->nroutes; i++)
		if (m->routes[i].prefix == prefix && m->routes[i].plen == plen)
			return sl_err_set(err, SL_E_EXISTS, "prefix",
					  "a route to %s/%u exists", a, plen);
	if (route_port(m, via, port_index, &port, err) < 0)
		return -1;
	if (m->nroutes >= SL_MAX_ROUTES)
		return sl_err_set(err, SL_E_LIMIT, "", "at most %d routes",
				  SL_MAX_ROUTES);

	m->routes[m->nroutes++] = (struct sl_model_route){
		.prefix = prefix, .plen = plen, .port = port, .via = via,
	};
	sl_model_protected_changed(m);
	return 0;
}

/* ---- local addresses --------------------------------------------------- */

/* The lowest free slot: slots index per-worker port allocators, which a
 * new address reuses from a clean state, so there is no reason to rotate. */
static int free_laddr_slot(const struct sl_model *m)
{
	uint8_t used[SL_MAX_LIPS / 8] = {0};

	sl_model_mark_slots(m, used);
	return sl_model_next_free_id(used, SL_MAX_LIPS, 0);
}

int sl_model_add_laddr(struct sl_model *m, sl_be32 ip, int port_index,
		       struct sl_err *err)
{
	char a[SL_IPV4_STRLEN];
	uint8_t port = 0;

	if (sl_model_need_unicast(ip, "ip", err) < 0)
		return -1;
	if (sl_model_find_laddr(m, ip))
		return sl_err_set(err, SL_E_EXISTS, "ip",
				  "local address %s exists", sl_fmt_ipv4(ip, a));
	if (sl_model_refuse_own(m, ip, SL_OWN_PORT | SL_OWN_VIP | SL_OWN_RS | SL_OWN_NEIGH |
				       SL_OWN_POOL | SL_OWN_TAP, "ip", err) < 0 ||
	    sl_model_resolve_port(m, ip, port_index, &port, err) < 0)
		return -1;
	if (m->nladdrs >= SL_MAX_LIPS)
		return sl_err_set(err, SL_E_LIMIT, "", "at most %d local addresses",
				  SL_MAX_LIPS);
	int slot = free_laddr_slot(m);
	if (slot < 0)
		return sl_err_set(err, SL_E_INTERNAL, "", "no free local address slot");

	m->laddrs[m->nladdrs++] = (struct sl_model_laddr){
		.ip = ip, .port = port, .slot = (uint8_t)slot,
	};
	return 0;
}

int sl_model_del_laddr(struct sl_model *m, sl_be32 ip, struct sl_err *err)
{
	char a[SL_IPV4_STRLEN];
	struct sl_model_laddr *l = sl_model_find_laddr(m, ip);

	if (!l)
		return sl_err_set(err, SL_E_NOT_FOUND, "ip", "no local address %s",
				  sl_fmt_ipv4(ip, a));
	uint32_t i = (uint32_t)(l - m->laddrs);
	memmove(&m->laddrs[i], &m->laddrs[i + 1],
		(m->nladdrs - i - 1) * sizeof(*m->laddrs));
	m->nladdrs--;
	return 0;
}

/* ---- static neighbors -------------------------------------------------- */

static int need_unicast_mac(const uint8_t mac[6], struct sl_err *err)
{
	static const uint8_t zero[6];
	char s[SL_MAC_STRLEN];

	if (!(mac[0] & 1) && memcmp(mac, zero, sizeof(zero)) != 0)
		return 0;
	return sl_err_set(err, SL_E_INVALID, "mac",
			  "mac must be a unicast address, got %s",
			  sl_fmt_mac(mac, s));
}

int sl_model_add_neigh(struct sl_model *m, sl_be32 ip, const uint8_t mac[6],
		       int port_index, struct sl_err *err)
{
	char a[SL_IPV4_STRLEN];
	uint8_t port = 0;

	if (sl_model_need_unicast(ip, "ip", err) < 0 || need_unicast_mac(mac, err) < 0)
		return -1;
	if (sl_model_find_neigh(m, ip))
		return sl_err_set(err, SL_E_EXISTS, "ip", "neighbor %s exists",
				  sl_fmt_ipv4(ip, a));
	if (sl_model_refuse_own(m, ip, SL_OWN_PORT | SL_OWN_LADDR | SL_OWN_VIP | SL_OWN_POOL, "ip", err) < 0 ||
	    sl_model_resolve_port(m, ip, port_index, &port, err) < 0)
		return -1;
	if (m->nneigh >= SL_MAX_NEIGH)
		return sl_err_set(err, SL_E_LIMIT, "", "at most %d static neighbors",
				  SL_MAX_NEIGH);
	struct sl_model_neigh *grown = sl_model_room(m->neigh, &m->neigh_cap, m->nneigh,
						     sizeof(*grown), SL_MAX_NEIGH);
	if (!grown)
		return sl_err_set(err, SL_E_INTERNAL, "", "out of memory");

	m->neigh = grown;
	struct sl_model_neigh *n = &m->neigh[m->nneigh++];
	n->ip = ip;
	memcpy(n->mac, mac, sizeof(n->mac));
	n->port = port;
	sl_model_protected_changed(m);
	return 0;
}

int sl_model_del_neigh(struct sl_model *m, sl_be32 ip, struct sl_err *err)
{
	char a[SL_IPV4_STRLEN];
	struct sl_model_neigh *n = sl_model_find_neigh(m, ip);

	if (!n)
		return sl_err_set(err, SL_E_NOT_FOUND, "ip", "no neighbor %s",
				  sl_fmt_ipv4(ip, a));
	uint32_t i = (uint32_t)(n - m->neigh);
	memmove(&m->neigh[i], &m->neigh[i + 1],
		(m->nneigh - i - 1) * sizeof(*m->neigh));
	m->nneigh--;
	sl_model_protected_changed(m);
	return 0;
}
