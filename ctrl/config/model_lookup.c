/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Lookups into the model and the checks every kind of change shares:
 * which port holds an address, which address is already Sluice's own,
 * free ids and slots. Nothing here changes the model, and nothing here
 * calls the files that do (model.c, model_net.c, model_snat.c): they all
 * sit on top of this one.
 */
#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "model_internal.h"

/* ---- lookups ----------------------------------------------------------- */

int sl_model_port_index(const struct sl_model *m, const char *name)
{
	for (uint32_t i = 0; i < m->nports; i++)
		if (strcmp(m->ports[i].name, name) == 0)
			return (int)i;
	return -1;
}

int sl_model_port_for(const struct sl_model *m, sl_be32 ip)
{
	int best = -1;

	for (uint32_t i = 0; i < m->nports; i++) {
		const struct sl_model_port *p = &m->ports[i];
		if (p->ip == 0 || !in_prefix(ip, p->ip, p->plen))
			continue;
		if (best < 0 || p->plen > m->ports[best].plen)
			best = (int)i;
	}
	return best;
}

struct sl_model_svc *sl_model_find_svc(const struct sl_model *m, sl_be32 vip,
				       sl_be16 port, uint8_t proto)
{
	for (uint32_t i = 0; i < m->nsvcs; i++) {
		struct sl_model_svc *s = &m->svcs[i];
		if (!s->v6 && s->vip == vip && s->port == port &&
		    s->proto == proto)
			return s;
	}
	return NULL;
}

struct sl_model_rs *sl_model_find_rs(const struct sl_model_svc *svc,
				     sl_be32 ip, sl_be16 port)
{
	for (uint32_t i = 0; i < svc->nrs; i++)
		if (svc->rs[i].ip == ip && svc->rs[i].port == port)
			return &svc->rs[i];
	return NULL;
}

struct sl_model_laddr *sl_model_find_laddr(const struct sl_model *m, sl_be32 ip)
{
	for (uint32_t i = 0; i < m->nladdrs; i++)
		if (m->laddrs[i].ip == ip)
			return (struct sl_model_laddr *)&m->laddrs[i];
	return NULL;
}

struct sl_model_neigh *sl_model_find_neigh(const struct sl_model *m, sl_be32 ip)
{
	for (uint32_t i = 0; i < m->nneigh; i++)
		if (m->neigh[i].ip == ip)
			return &m->neigh[i];
	return NULL;
}

/* Connected prefixes win a tie with a static route of the same length:
 * the port's own prefix is the more specific statement. */
int sl_model_route(const struct sl_model *m, sl_be32 dst, uint8_t *port,
		   sl_be32 *nexthop)
{
	int best = -1;
	uint8_t out_port = 0;
	sl_be32 hop = 0;

	for (uint32_t i = 0; i < m->nports; i++) {
		const struct sl_model_port *p = &m->ports[i];
		if (p->ip != 0 && in_prefix(dst, p->ip, p->plen) && p->plen > best) {
			best = p->plen;
			out_port = (uint8_t)i;
			hop = dst;
		}
	}
	for (uint32_t i = 0; i < m->nroutes; i++) {
		const struct sl_model_route *r = &m->routes[i];
		if (in_prefix(dst, r->prefix, r->plen) && r->plen > best) {
			best = r->plen;
			out_port = r->port;
			hop = r->via ? r->via : dst;
		}
	}
	if (best < 0)
		return -1;
	if (port)
		*port = out_port;
	if (nexthop)
		*nexthop = hop;
	return 0;
}

void sl_model_exception_ifname(const struct sl_model_port *p, char *out,
			       size_t len)
{
	const char *iface = strstr(p->exception, ",iface=");

	if (!iface) {
		snprintf(out, len, "sl-%.12s", p->name);
		return;
	}
	iface += strlen(",iface=");
	snprintf(out, len, "%.*s", (int)strcspn(iface, ","), iface);
}

/* Does the exception interface reach `server` through a gateway? The
 * kernel takes the longest prefix holding it, over the interface's routes
 * and its connected prefixes (a tie to the connected one): that one must
 * have a gateway. Bound to it (SO_BINDTODEVICE) with none, the kernel
 * takes the server as on-link and asks ARP for it. */
static bool tap_routes(const struct sl_model_port *p, sl_be32 server)
{
	int best = -1;
	bool via = false;

	for (unsigned i = 0; i < p->nhost_addrs; i++)
		if (in_prefix(server, p->host_addrs[i].ip, p->host_addrs[i].plen) &&
		    p->host_addrs[i].plen > best)
			best = p->host_addrs[i].plen, via = false;
	for (unsigned i = 0; i < p->nhost_routes; i++) {
		const struct sl_hostif_route *r = &p->host_routes[i];
		if (in_prefix(server, r->prefix, r->plen) && r->plen > best)
			best = r->plen, via = r->via != 0;
	}
	return via;
}

int sl_model_hc_source(const struct sl_model *m, sl_be32 server, uint8_t *port,
		       sl_be32 *src)
{
	sl_be32 hop;

	if (sl_model_route(m, server, port, &hop) != 0)
		return SL_HC_SRC_NO_ROUTE;
	const struct sl_model_port *p = &m->ports[*port];
	if (p->exception[0] == '\0')
		return SL_HC_SRC_NO_DEVICE;
	if (p->nhost_addrs == 0)
		return SL_HC_SRC_NO_ADDRESS;
	if (hop != server && !tap_routes(p, server))
		return SL_HC_SRC_NO_TAP_ROUTE;
	*src = p->host_addrs[0].ip;
	for (unsigned i = 0; i < p->nhost_addrs; i++)
		if (in_prefix(hop, p->host_addrs[i].ip, p->host_addrs[i].plen)) {
			*src = p->host_addrs[i].ip;
			break;
		}
	return 0;
}

struct sl_model_snat *sl_model_find_snat(const struct sl_model *m, sl_be32 src,
					 uint8_t plen)
{
	for (uint32_t i = 0; i < m->nsnat; i++)
		if (m->snat[i].src == src && m->snat[i].plen == plen)
			return (struct sl_model_snat *)&m->snat[i];
	return NULL;
}

const struct sl_model_snat *sl_model_find_pool(const struct sl_model *m,
					       sl_be32 ip)
{
	uint32_t h = sl_ntohl(ip);

	for (uint32_t i = 0; i < m->nsnat; i++) {
		uint32_t first = sl_ntohl(m->snat[i].pool_first);
		if (h >= first && h - first < m->snat[i].npool)
			return &m->snat[i];
	}
	return NULL;
}

void sl_model_mark_slots(const struct sl_model *m, uint8_t *used)
{
	for (uint32_t i = 0; i < m->nladdrs; i++)
		used[m->laddrs[i].slot / 8] |= (uint8_t)(1u << (m->laddrs[i].slot % 8));
	for (uint32_t i = 0; i < m->nladdrs6; i++)
		used[m->laddrs6[i].slot / 8] |= (uint8_t)(1u << (m->laddrs6[i].slot % 8));
	for (uint32_t r = 0; r < m->nsnat; r++)
		for (unsigned k = 0; k < m->snat[r].npool; k++) {
			unsigned s = m->snat[r].slots[k];
			used[s / 8] |= (uint8_t)(1u << (s % 8));
		}
}

/* ---- shared checks ----------------------------------------------------- */

char *sl_model_svc_str(sl_be32 vip, sl_be16 port, uint8_t proto, char *buf)
{
	char a[SL_IPPORT_STRLEN];

	snprintf(buf, SVC_STRLEN, "%s/%s", sl_fmt_ipport(vip, port, a),
		 sl_proto_name(proto));
	return buf;
}

char *sl_model_svc_text(const struct sl_model_svc *svc, char *buf)
{
	char a[SL_ADDRPORT_STRLEN];
	struct sl_addr vip = sl_model_svc_vip(svc);

	snprintf(buf, SVC_STRLEN, "%s/%s", sl_fmt_addrport(&vip, svc->port, a),
		 sl_proto_name(svc->proto));
	return buf;
}

struct sl_addr sl_model_svc_vip(const struct sl_model_svc *svc)
{
	struct sl_addr a = sl_addr_v4(svc->vip);

	if (svc->v6) {
		a.af = SL_AF_V6;
		memcpy(a.v6, svc->vip6, 16);
	}
	return a;
}

struct sl_addr sl_model_rs_addr(const struct sl_model_rs *rs)
{
	struct sl_addr a = sl_addr_v4(rs->ip);

	/* v4 servers are unicast, never 0.0.0.0: 0 is a v6 server. */
	if (rs->ip == 0) {
		a.af = SL_AF_V6;
		memcpy(a.v6, rs->ip6, 16);
	}
	return a;
}

enum sl_svc_mode sl_model_svc_mode_of(const struct sl_model_svc *svc)
{
	if (!svc->v6)
		return SL_MODE_FNAT44;
	return svc->nrs > 0 && svc->rs[0].ip != 0 ? SL_MODE_NAT64 : SL_MODE_FNAT66;
}

int sl_model_need_unicast(sl_be32 ip, const char *field, struct sl_err *err)
{
	char a[SL_IPV4_STRLEN];

	if (sl_ipv4_is_unicast(ip))
		return 0;
	return sl_err_set(err, SL_E_INVALID, field,
			  "%s must be a unicast address, got %s", field,
			  sl_fmt_ipv4(ip, a));
}

int sl_model_need_port(sl_be16 port, const char *field, struct sl_err *err)
{
	if (port != 0)
		return 0;
	return sl_err_set(err, SL_E_INVALID, field, "%s must be 1..65535, got 0",
			  field);
}

int sl_model_need_weight(uint32_t weight, struct sl_err *err)
{
	if (weight <= SL_MAX_WEIGHT)
		return 0;
	return sl_err_set(err, SL_E_INVALID, "weight",
			  "weight must be 0..%u, got %u", SL_MAX_WEIGHT, weight);
}

bool sl_model_is_rs(const struct sl_model *m, sl_be32 ip)
{
	if (ip == 0) /* a v6 server's v4 word, never a v4 server's address */
		return false;
	for (uint32_t i = 0; i < m->nsvcs; i++)
		for (uint32_t j = 0; j < m->svcs[i].nrs; j++)
			if (m->svcs[i].rs[j].ip == ip)
				return true;
	return false;
}

/* An address the host's kernel holds on a port's exception interface:
 * frames for it must reach the kernel, so Sluice may not own it too (its
 * health checks' answers, ARP for it, would be taken as Sluice's). A
 * port's own address may be shared with the host (worker_host.c). */
static int refuse_tap(const struct sl_model *m, sl_be32 ip, const char *field,
		      struct sl_err *err)
{
	char a[SL_IPV4_STRLEN];

	for (uint32_t p = 0; p < m->nports; p++)
		for (unsigned i = 0; i < m->ports[p].nhost_addrs; i++)
			if (m->ports[p].host_addrs[i].ip == ip)
				return sl_err_set(err, SL_E_INVALID, field,
						  "%s is port %s's exception address "
						  "(ports[%u].exception.addresses[%u]), "
						  "the host kernel's: Sluice would take "
						  "its frames", sl_fmt_ipv4(ip, a),
						  m->ports[p].name, p, i);
	return 0;
}

/* Refuse `ip` if it is already in use in one of the `uses` ways: a local
 * address that is also a VIP, say, would make a reply from a real server
 * indistinguishable from a new client connection.
 *
 * Each pair of kinds is refused both ways, or else one way only where the
 * config file loads the checking kind later: then any model the
 * operations can build also loads from its own `config show` output
 * (ports, routes, local addresses, neighbors, then VIPs in order). */
int sl_model_refuse_own(const struct sl_model *m, sl_be32 ip, unsigned uses,
			const char *field, struct sl_err *err)
{
	char a[SL_IPV4_STRLEN];

	sl_fmt_ipv4(ip, a);
	for (uint32_t i = 0; (uses & SL_OWN_PORT) && i < m->nports; i++)
		if (m->ports[i].ip == ip)
			return sl_err_set(err, SL_E_INVALID, field,
					  "%s is port %s's address", a,
					  m->ports[i].name);
	if ((uses & SL_OWN_LADDR) && sl_model_find_laddr(m, ip))
		return sl_err_set(err, SL_E_INVALID, field,
				  "%s is a local address", a);
	for (uint32_t i = 0; (uses & SL_OWN_VIP) && i < m->nsvcs; i++)
		if (m->svcs[i].vip == ip)
			return sl_err_set(err, SL_E_INVALID, field, "%s is a VIP", a);
	if ((uses & SL_OWN_RS) && sl_model_is_rs(m, ip))
		return sl_err_set(err, SL_E_INVALID, field,
				  "%s is a real server", a);
	if ((uses & SL_OWN_NEIGH) && sl_model_find_neigh(m, ip))
		return sl_err_set(err, SL_E_INVALID, field,
				  "%s is a static neighbor", a);
	if ((uses & SL_OWN_POOL) && sl_model_find_pool(m, ip))
		return sl_err_set(err, SL_E_INVALID, field,
				  "%s is an SNAT pool address", a);
	return (uses & SL_OWN_TAP) ? refuse_tap(m, ip, field, err) : 0;
}

/* The port for an address: the one asked for, or the one whose connected
 * prefix holds it. */
int sl_model_resolve_port(const struct sl_model *m, sl_be32 ip, int port_index,
			  uint8_t *port, struct sl_err *err)
{
	char a[SL_IPV4_STRLEN];

	if (port_index >= (int)m->nports)
		return sl_err_set(err, SL_E_NOT_FOUND, "port", "no port %d",
				  port_index);
	if (port_index < 0)
		port_index = sl_model_port_for(m, ip);
	if (port_index < 0)
		return sl_err_set(err, SL_E_INVALID, "port",
				  "no port's connected prefix holds %s; name the port",
				  sl_fmt_ipv4(ip, a));
	*port = (uint8_t)port_index;
	return 0;
}

/* Round-robin from `cursor`: the first id at or after it that nobody
 * holds. A freed id comes round again only after every other id has been
 * handed out, so the statistics slot of a deleted service or server is
 * not at once taken over by a new one. */
int sl_model_next_free_id(const uint8_t *used, unsigned n, unsigned cursor)
{
	for (unsigned k = 0; k < n; k++) {
		unsigned id = (cursor + k) % n;
		if (!(used[id / 8] & (1u << (id % 8))))
			return (int)id;
	}
	return -1;
}

void sl_model_mark_used(uint8_t *used, unsigned id)
{
	used[id / 8] |= (uint8_t)(1u << (id % 8));
}

unsigned sl_model_port_reply_addrs(const struct sl_model *m, uint32_t p, sl_be32 *out,
				   unsigned max)
{
	unsigned n = 0;

	for (uint32_t i = 0; i < m->nladdrs; i++)
		if (m->laddrs[i].port == p && n < max)
			out[n++] = m->laddrs[i].ip;
	for (uint32_t i = 0; i < m->nsnat; i++)
		for (uint32_t k = 0; m->snat[i].port == p && k < m->snat[i].npool; k++)
			if (n < max)
				out[n++] = sl_htonl(sl_ntohl(m->snat[i].pool_first) + k);
	return n;
}
