/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control plane's model: storage, lookups and every validated change.
 *
 * Storage. Ports, routes and local addresses are small fixed arrays inside
 * struct sl_model. Services and static neighbors are allocated once at
 * their full capacity (SL_MAX_SVC, SL_MAX_NEIGH: about 24 KiB and 48 KiB),
 * so adding one never reallocates and a failed add cannot leave a moved
 * array behind. A service's real servers are the one growable array: each
 * add reallocates it to exactly nrs + 1 entries, the only step of an add
 * that can fail after validation, and it fails before anything changes.
 *
 * Every operation checks all of its arguments, then mutates; the order of
 * checks decides only which of several problems is reported. Arrays keep
 * insertion order (deletes close the gap), so `config show` lists things
 * in the order they were configured.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "maglev.h"
#include "model.h"
#include "sched.h"

#define SVC_STRLEN 32 /* "255.255.255.255:65535/tcp" */

static const char *const timeout_names[SL_CS_MAX] = {
	[SL_CS_TCP_SYN_SENT] = "tcp_syn_sent",
	[SL_CS_TCP_SYN_RECV] = "tcp_syn_recv",
	[SL_CS_TCP_ESTABLISHED] = "tcp_established",
	[SL_CS_TCP_FIN_WAIT] = "tcp_fin_wait",
	[SL_CS_TCP_CLOSE_WAIT] = "tcp_close_wait",
	[SL_CS_TCP_TIME_WAIT] = "tcp_time_wait",
	[SL_CS_TCP_CLOSE] = "tcp_close",
	[SL_CS_UDP] = "udp",
	[SL_CS_ICMP] = "icmp",
};

/* Seconds; the values of conf/README.md. */
static const uint32_t timeout_default_s[SL_CS_MAX] = {
	[SL_CS_TCP_SYN_SENT] = 30,
	[SL_CS_TCP_SYN_RECV] = 30,
	[SL_CS_TCP_ESTABLISHED] = 900,
	[SL_CS_TCP_FIN_WAIT] = 120,
	[SL_CS_TCP_CLOSE_WAIT] = 60,
	[SL_CS_TCP_TIME_WAIT] = 15,
	[SL_CS_TCP_CLOSE] = 10,
	[SL_CS_UDP] = 300,
	[SL_CS_ICMP] = 60,
};

const char *sl_model_timeout_name(unsigned state)
{
	return state < SL_CS_MAX ? timeout_names[state] : NULL;
}

/* ---- lifetime ---------------------------------------------------------- */

int sl_model_init(struct sl_model *m)
{
	memset(m, 0, sizeof(*m));
	m->workers = 1;
	snprintf(m->socket_path, sizeof(m->socket_path), "%s",
		 "/run/sluice/sluice.sock");
	snprintf(m->log_level, sizeof(m->log_level), "%s", "info");
	m->socket_mode = 0600;
	m->steer_ring = SL_STEER_RING_SIZE_DEFAULT;
	m->neigh_max = SL_MAX_NEIGH;
	m->idle_empty_polls = 64;
	m->max_conns = 262144;
	m->lport_lo = 1024;
	m->lport_hi = 65535;
	m->verify_l4_csum = true;
	for (unsigned s = 0; s < SL_CS_MAX; s++)
		m->timeouts_ms[s] = timeout_default_s[s] * 1000;
	sl_model_snat_defaults(m);
	m->neigh = calloc(SL_MAX_NEIGH, sizeof(*m->neigh));
	m->svcs = calloc(SL_MAX_SVC, sizeof(*m->svcs));
	if (!m->neigh || !m->svcs) {
		sl_model_free(m);
		return -1;
	}
	sl_model_xdp_init(&m->xdp);
	return 0;
}

/* Leaves the model zeroed, so freeing twice is harmless. */
void sl_model_free(struct sl_model *m)
{
	for (uint32_t i = 0; i < m->neal; i++)
		free(m->eal[i]);
	free(m->eal);
	for (uint32_t i = 0; m->svcs && i < m->nsvcs; i++)
		free(m->svcs[i].rs);
	free(m->svcs);
	free(m->neigh);
	sl_model_xdp_free(&m->xdp);
	memset(m, 0, sizeof(*m));
}

static int clone_eal(struct sl_model *dst, const struct sl_model *src)
{
	if (src->neal == 0)
		return 0;
	dst->eal = calloc(src->neal, sizeof(*dst->eal));
	if (!dst->eal)
		return -1;
	for (; dst->neal < src->neal; dst->neal++) {
		dst->eal[dst->neal] = strdup(src->eal[dst->neal]);
		if (!dst->eal[dst->neal])
			return -1;
	}
	return 0;
}

static int clone_svcs(struct sl_model *dst, const struct sl_model *src)
{
	dst->svcs = calloc(SL_MAX_SVC, sizeof(*dst->svcs));
	if (!dst->svcs)
		return -1;
	/* nsvcs counts the services whose rs array dst owns, so a failure
	 * half way frees exactly those. */
	for (; dst->nsvcs < src->nsvcs; dst->nsvcs++) {
		const struct sl_model_svc *s = &src->svcs[dst->nsvcs];
		struct sl_model_svc *d = &dst->svcs[dst->nsvcs];
		*d = *s;
		d->rs = NULL;
		if (s->nrs == 0)
			continue;
		d->rs = malloc(s->nrs * sizeof(*d->rs));
		if (!d->rs)
			return -1;
		memcpy(d->rs, s->rs, s->nrs * sizeof(*d->rs));
	}
	return 0;
}

int sl_model_clone(struct sl_model *dst, const struct sl_model *src)
{
	*dst = *src;
	dst->eal = NULL;
	dst->neal = 0;
	dst->svcs = NULL;
	dst->nsvcs = 0;
	dst->neigh = calloc(SL_MAX_NEIGH, sizeof(*dst->neigh));
	/* First: it always leaves dst->xdp safe to free. */
	if (sl_model_xdp_clone(&dst->xdp, &src->xdp) < 0 || !dst->neigh ||
	    clone_eal(dst, src) < 0 || clone_svcs(dst, src) < 0) {
		sl_model_free(dst);
		return -1;
	}
	if (src->nneigh)
		memcpy(dst->neigh, src->neigh, src->nneigh * sizeof(*dst->neigh));
	return 0;
}

/* ---- lookups ----------------------------------------------------------- */

static sl_be32 prefix_mask(uint8_t plen)
{
	if (plen == 0)
		return 0;
	return plen >= 32 ? ~0u : sl_htonl(~0u << (32 - plen));
}

static bool in_prefix(sl_be32 ip, sl_be32 net, uint8_t plen)
{
	return ((ip ^ net) & prefix_mask(plen)) == 0;
}

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
		if (s->vip == vip && s->port == port && s->proto == proto)
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

/* ---- shared checks ----------------------------------------------------- */

static char *svc_str(sl_be32 vip, sl_be16 port, uint8_t proto, char *buf)
{
	char a[SL_IPPORT_STRLEN];

	snprintf(buf, SVC_STRLEN, "%s/%s", sl_fmt_ipport(vip, port, a),
		 sl_proto_name(proto));
	return buf;
}

static int need_unicast(sl_be32 ip, const char *field, struct sl_err *err)
{
	char a[SL_IPV4_STRLEN];

	if (sl_ipv4_is_unicast(ip))
		return 0;
	return sl_err_set(err, SL_E_INVALID, field,
			  "%s must be a unicast address, got %s", field,
			  sl_fmt_ipv4(ip, a));
}

static int need_port(sl_be16 port, const char *field, struct sl_err *err)
{
	if (port != 0)
		return 0;
	return sl_err_set(err, SL_E_INVALID, field, "%s must be 1..65535, got 0",
			  field);
}

static int need_weight(uint32_t weight, struct sl_err *err)
{
	if (weight <= SL_MAX_WEIGHT)
		return 0;
	return sl_err_set(err, SL_E_INVALID, "weight",
			  "weight must be 0..%u, got %u", SL_MAX_WEIGHT, weight);
}

/* Addresses Sluice itself answers for, as the kinds refuse_own() checks. */
#define USE_PORT SL_OWN_PORT
#define USE_LADDR SL_OWN_LADDR
#define USE_VIP SL_OWN_VIP
#define USE_RS SL_OWN_RS
#define USE_NEIGH SL_OWN_NEIGH
#define USE_POOL SL_OWN_POOL

static bool is_rs(const struct sl_model *m, sl_be32 ip)
{
	for (uint32_t i = 0; i < m->nsvcs; i++)
		for (uint32_t j = 0; j < m->svcs[i].nrs; j++)
			if (m->svcs[i].rs[j].ip == ip)
				return true;
	return false;
}

/* Refuse `ip` if it is already in use in one of the `uses` ways: a local
 * address that is also a VIP, say, would make a reply from a real server
 * indistinguishable from a new client connection.
 *
 * Each pair of kinds is refused both ways, or else one way only where the
 * config file loads the checking kind later: then any model the
 * operations can build also loads from its own `config show` output
 * (ports, routes, local addresses, neighbors, then VIPs in order). */
static int refuse_own(const struct sl_model *m, sl_be32 ip, unsigned uses,
		      const char *field, struct sl_err *err)
{
	char a[SL_IPV4_STRLEN];

	sl_fmt_ipv4(ip, a);
	for (uint32_t i = 0; (uses & USE_PORT) && i < m->nports; i++)
		if (m->ports[i].ip == ip)
			return sl_err_set(err, SL_E_INVALID, field,
					  "%s is port %s's address", a,
					  m->ports[i].name);
	if ((uses & USE_LADDR) && sl_model_find_laddr(m, ip))
		return sl_err_set(err, SL_E_INVALID, field,
				  "%s is a local address", a);
	for (uint32_t i = 0; (uses & USE_VIP) && i < m->nsvcs; i++)
		if (m->svcs[i].vip == ip)
			return sl_err_set(err, SL_E_INVALID, field, "%s is a VIP", a);
	if ((uses & USE_RS) && is_rs(m, ip))
		return sl_err_set(err, SL_E_INVALID, field,
				  "%s is a real server", a);
	if ((uses & USE_NEIGH) && sl_model_find_neigh(m, ip))
		return sl_err_set(err, SL_E_INVALID, field,
				  "%s is a static neighbor", a);
	if ((uses & USE_POOL) && sl_model_find_pool(m, ip))
		return sl_err_set(err, SL_E_INVALID, field,
				  "%s is an SNAT pool address", a);
	return 0;
}

/* The port for an address: the one asked for, or the one whose connected
 * prefix holds it. */
static int resolve_port(const struct sl_model *m, sl_be32 ip, int port_index,
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
static int next_free_id(const uint8_t *used, unsigned n, unsigned cursor)
{
	for (unsigned k = 0; k < n; k++) {
		unsigned id = (cursor + k) % n;
		if (!(used[id / 8] & (1u << (id % 8))))
			return (int)id;
	}
	return -1;
}

static void mark_used(uint8_t *used, unsigned id)
{
	used[id / 8] |= (uint8_t)(1u << (id % 8));
}

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
	if (need_unicast(ip, "ipv4", err) < 0)
		return -1;
	/* /31 and /32 have no network or broadcast address (RFC 3021). */
	if (plen <= 30 && (host == 0 || host == ~prefix_mask(plen)))
		return sl_err_set(err, SL_E_INVALID, "ipv4",
				  "ipv4 %s/%u is not a host address of its prefix",
				  sl_fmt_ipv4(ip, a), plen);
	return refuse_own(m, ip, USE_PORT | USE_LADDR | USE_VIP, "ipv4", err);
}

int sl_model_add_port(struct sl_model *m, const char *name, const char *devargs,
		      sl_be32 ip, uint8_t plen, struct sl_err *err)
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
	for (uint32_t i = 0; i < m->nports; i++)
		if (strcmp(m->ports[i].devargs, devargs) == 0)
			return sl_err_set(err, SL_E_EXISTS, "devargs",
					  "port %s has the same devargs",
					  m->ports[i].name);
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
	if (need_unicast(via, "via", err) < 0)
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
	return 0;
}

/* ---- services ---------------------------------------------------------- */

static struct sl_model_svc *need_svc(const struct sl_model *m, sl_be32 vip,
				     sl_be16 port, uint8_t proto,
				     struct sl_err *err)
{
	char s[SVC_STRLEN];
	struct sl_model_svc *svc = sl_model_find_svc(m, vip, port, proto);

	if (!svc)
		sl_err_set(err, SL_E_NOT_FOUND, "vip", "no VIP %s",
			   svc_str(vip, port, proto, s));
	return svc;
}

static int check_svc_args(sl_be32 vip, sl_be16 port, uint8_t proto,
			  uint8_t sched, struct sl_err *err)
{
	if (need_unicast(vip, "vip", err) < 0 || need_port(port, "port", err) < 0)
		return -1;
	if (proto != SL_IPPROTO_TCP && proto != SL_IPPROTO_UDP)
		return sl_err_set(err, SL_E_INVALID, "proto",
				  "proto must be tcp or udp, got %u", proto);
	/* A kind is valid when its name parses back to it. */
	if (sl_sched_parse(sl_sched_name(sched)) != (int)sched)
		return sl_err_set(err, SL_E_INVALID, "scheduler",
				  "scheduler must be rr, wrr, lc, wlc, sh or mh, got %u",
				  sched);
	return 0;
}

int sl_model_add_svc(struct sl_model *m, sl_be32 vip, sl_be16 port,
		     uint8_t proto, uint8_t sched, struct sl_err *err)
{
	char s[SVC_STRLEN];
	uint8_t used[SL_MAX_SVC / 8] = {0};

	if (check_svc_args(vip, port, proto, sched, err) < 0)
		return -1;
	if (sl_model_find_svc(m, vip, port, proto))
		return sl_err_set(err, SL_E_EXISTS, "vip", "VIP %s exists",
				  svc_str(vip, port, proto, s));
	if (refuse_own(m, vip, USE_LADDR | USE_POOL, "vip", err) < 0)
		return -1;
	if (m->nsvcs >= SL_MAX_SVC)
		return sl_err_set(err, SL_E_LIMIT, "", "at most %d VIPs",
				  SL_MAX_SVC);
	for (uint32_t i = 0; i < m->nsvcs; i++)
		mark_used(used, m->svcs[i].id);
	int id = next_free_id(used, SL_MAX_SVC, m->next_svc_id);
	if (id < 0)
		return sl_err_set(err, SL_E_INTERNAL, "", "no free VIP id");

	m->svcs[m->nsvcs++] = (struct sl_model_svc){
		.vip = vip, .port = port, .proto = proto, .sched = sched,
		.id = (uint16_t)id, .mh_size = SL_MH_DEFAULT_SIZE,
	};
	sl_hc_defaults(&m->svcs[m->nsvcs - 1].hc);
	m->next_svc_id = (uint16_t)((id + 1) % SL_MAX_SVC);
	return 0;
}

int sl_model_del_svc(struct sl_model *m, sl_be32 vip, sl_be16 port,
		     uint8_t proto, struct sl_err *err)
{
	struct sl_model_svc *svc = need_svc(m, vip, port, proto, err);

	if (!svc)
		return -1;
	uint32_t i = (uint32_t)(svc - m->svcs);
	m->nrs_total -= svc->nrs;
	free(svc->rs);
	memmove(&m->svcs[i], &m->svcs[i + 1],
		(m->nsvcs - i - 1) * sizeof(*m->svcs));
	m->nsvcs--;
	memset(&m->svcs[m->nsvcs], 0, sizeof(*m->svcs));
	return 0;
}

/* ---- real servers ------------------------------------------------------ */

static int check_new_rs(const struct sl_model *m,
			const struct sl_model_svc *svc, sl_be32 ip,
			sl_be16 port, uint32_t weight, struct sl_err *err)
{
	char a[SL_IPPORT_STRLEN], s[SVC_STRLEN];

	if (need_unicast(ip, "ip", err) < 0 || need_port(port, "port", err) < 0 ||
	    need_weight(weight, err) < 0)
		return -1;
	svc_str(svc->vip, svc->port, svc->proto, s);
	if (sl_model_find_rs(svc, ip, port))
		return sl_err_set(err, SL_E_EXISTS, "ip",
				  "real server %s exists in VIP %s",
				  sl_fmt_ipport(ip, port, a), s);
	if (refuse_own(m, ip, USE_PORT | USE_LADDR | USE_VIP | USE_POOL, "ip", err) < 0)
		return -1;
	if (sl_model_route(m, ip, NULL, NULL) < 0)
		return sl_err_set(err, SL_E_INVALID, "ip", "no route to %s",
				  sl_fmt_ipv4(ip, a));
	if (svc->nrs >= SL_MAX_RS_PER_SVC)
		return sl_err_set(err, SL_E_LIMIT, "",
				  "VIP %s has %u real servers, the most one may have",
				  s, svc->nrs);
	if (m->nrs_total >= SL_MAX_RS)
		return sl_err_set(err, SL_E_LIMIT, "",
				  "at most %d real servers in all", SL_MAX_RS);
	return 0;
}

static int alloc_rs_id(const struct sl_model *m)
{
	uint8_t used[SL_MAX_RS / 8] = {0};

	for (uint32_t i = 0; i < m->nsvcs; i++)
		for (uint32_t j = 0; j < m->svcs[i].nrs; j++)
			mark_used(used, m->svcs[i].rs[j].id);
	return next_free_id(used, SL_MAX_RS, m->next_rs_id);
}

int sl_model_add_rs(struct sl_model *m, sl_be32 vip, sl_be16 vport,
		    uint8_t proto, sl_be32 ip, sl_be16 port, uint32_t weight,
		    struct sl_err *err)
{
	struct sl_model_svc *svc = need_svc(m, vip, vport, proto, err);

	if (!svc || check_new_rs(m, svc, ip, port, weight, err) < 0)
		return -1;
	int id = alloc_rs_id(m);
	if (id < 0)
		return sl_err_set(err, SL_E_INTERNAL, "", "no free real server id");
	struct sl_model_rs *grown = realloc(svc->rs, (svc->nrs + 1) * sizeof(*grown));
	if (!grown)
		return sl_err_set(err, SL_E_INTERNAL, "", "out of memory");

	svc->rs = grown;
	svc->rs[svc->nrs++] = (struct sl_model_rs){
		.ip = ip, .port = port, .id = (uint16_t)id, .weight = weight,
	};
	m->nrs_total++;
	m->next_rs_id = (uint16_t)((id + 1) % SL_MAX_RS);
	return 0;
}

static struct sl_model_rs *need_rs(const struct sl_model_svc *svc, sl_be32 ip,
				   sl_be16 port, struct sl_err *err)
{
	char a[SL_IPPORT_STRLEN], s[SVC_STRLEN];
	struct sl_model_rs *rs = sl_model_find_rs(svc, ip, port);

	if (!rs)
		sl_err_set(err, SL_E_NOT_FOUND, "ip", "no real server %s in VIP %s",
			   sl_fmt_ipport(ip, port, a),
			   svc_str(svc->vip, svc->port, svc->proto, s));
	return rs;
}

int sl_model_del_rs(struct sl_model *m, sl_be32 vip, sl_be16 vport,
		    uint8_t proto, sl_be32 ip, sl_be16 port, struct sl_err *err)
{
	struct sl_model_svc *svc = need_svc(m, vip, vport, proto, err);
	struct sl_model_rs *rs = svc ? need_rs(svc, ip, port, err) : NULL;

	if (!rs)
		return -1;
	uint32_t i = (uint32_t)(rs - svc->rs);
	memmove(&svc->rs[i], &svc->rs[i + 1],
		(svc->nrs - i - 1) * sizeof(*svc->rs));
	svc->nrs--;
	m->nrs_total--;
	return 0;
}

int sl_model_set_rs_weight(struct sl_model *m, sl_be32 vip, sl_be16 vport,
			   uint8_t proto, sl_be32 ip, sl_be16 port,
			   uint32_t weight, struct sl_err *err)
{
	struct sl_model_svc *svc = need_svc(m, vip, vport, proto, err);
	struct sl_model_rs *rs = svc ? need_rs(svc, ip, port, err) : NULL;

	if (!rs || need_weight(weight, err) < 0)
		return -1;
	rs->weight = weight;
	return 0;
}

/* ---- local addresses --------------------------------------------------- */

/* The lowest free slot: slots index per-worker port allocators, which a
 * new address reuses from a clean state, so there is no reason to rotate. */
static int free_laddr_slot(const struct sl_model *m)
{
	uint8_t used[SL_MAX_LIPS / 8] = {0};

	sl_model_mark_slots(m, used);
	return next_free_id(used, SL_MAX_LIPS, 0);
}

int sl_model_add_laddr(struct sl_model *m, sl_be32 ip, int port_index,
		       struct sl_err *err)
{
	char a[SL_IPV4_STRLEN];
	uint8_t port = 0;

	if (need_unicast(ip, "ip", err) < 0)
		return -1;
	if (sl_model_find_laddr(m, ip))
		return sl_err_set(err, SL_E_EXISTS, "ip",
				  "local address %s exists", sl_fmt_ipv4(ip, a));
	if (refuse_own(m, ip, USE_PORT | USE_VIP | USE_RS | USE_NEIGH | USE_POOL,
		       "ip", err) < 0 ||
	    resolve_port(m, ip, port_index, &port, err) < 0)
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

	if (need_unicast(ip, "ip", err) < 0 || need_unicast_mac(mac, err) < 0)
		return -1;
	if (sl_model_find_neigh(m, ip))
		return sl_err_set(err, SL_E_EXISTS, "ip", "neighbor %s exists",
				  sl_fmt_ipv4(ip, a));
	if (refuse_own(m, ip, USE_PORT | USE_LADDR | USE_VIP | USE_POOL, "ip", err) < 0 ||
	    resolve_port(m, ip, port_index, &port, err) < 0)
		return -1;
	if (m->nneigh >= SL_MAX_NEIGH)
		return sl_err_set(err, SL_E_LIMIT, "", "at most %d static neighbors",
				  SL_MAX_NEIGH);

	struct sl_model_neigh *n = &m->neigh[m->nneigh++];
	n->ip = ip;
	memcpy(n->mac, mac, sizeof(n->mac));
	n->port = port;
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
	return 0;
}

int sl_model_refuse_own(const struct sl_model *m, sl_be32 ip, unsigned uses,
			const char *field, struct sl_err *err)
{
	return refuse_own(m, ip, uses, field, err);
}
