/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Source NAT rules in the model: inside prefix -> pool of outside
 * addresses on a port. Pool addresses are owned by Sluice like local
 * addresses (it answers ARP for them and allocates their ports per
 * worker), so they take slots from the same space and may not coincide
 * with any other address Sluice owns.
 */
#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "model_internal.h"
#include "snapshot.h"

/* RFC 4787 REQ-5 (UDP mapping >= 2 min; 5 min recommended), RFC 5382
 * REQ-5 (established >= 2 h 4 min, transitory >= 4 min), RFC 5508 REQ-1
 * (ICMP query >= 60 s). */
#define SNAT_UDP_S 300
#define SNAT_TCP_ESTABLISHED_S 7440
#define SNAT_TCP_TRANSITORY_S 240
#define SNAT_ICMP_S 60
#define SNAT_HOST_LIMIT 4096

static const char *const filtering_names[] = {
	[SL_SNAT_ADF] = "address-dependent",
	[SL_SNAT_EIF] = "endpoint-independent",
};

const char *sl_snat_filtering_name(unsigned f)
{
	return f < 2 ? filtering_names[f] : "?";
}

int sl_snat_filtering_parse(const char *name)
{
	if (!strcmp(name, "address-dependent") || !strcmp(name, "adf"))
		return SL_SNAT_ADF;
	if (!strcmp(name, "endpoint-independent") || !strcmp(name, "eif"))
		return SL_SNAT_EIF;
	return -1;
}

void sl_model_snat_defaults(struct sl_model *m)
{
	for (unsigned s = 0; s < SL_CS_MAX; s++)
		m->snat_timeouts_ms[s] = SNAT_TCP_TRANSITORY_S * 1000;
	m->snat_timeouts_ms[SL_CS_TCP_ESTABLISHED] = SNAT_TCP_ESTABLISHED_S * 1000;
	m->snat_timeouts_ms[SL_CS_UDP] = SNAT_UDP_S * 1000;
	m->snat_timeouts_ms[SL_CS_ICMP] = SNAT_ICMP_S * 1000;
	m->snat_host_limit = SNAT_HOST_LIMIT;
	m->snat_max_hosts = SL_SNAT_HOSTS_DEFAULT;
}

/* Take `n` free slots into `slots`. */
static int take_slots(const struct sl_model *m, unsigned n, uint8_t *slots)
{
	uint8_t used[SL_MAX_LIPS / 8] = {0};
	unsigned got = 0;

	sl_model_mark_slots(m, used);
	for (unsigned s = 0; s < SL_MAX_LIPS && got < n; s++)
		if (!(used[s / 8] & (1u << (s % 8))))
			slots[got++] = (uint8_t)s;
	return got == n ? 0 : -1;
}

static int check_pool(const struct sl_model *m, sl_be32 first, sl_be32 last,
		      struct sl_err *err)
{
	char a[SL_IPV4_STRLEN], b[SL_IPV4_STRLEN];
	uint32_t lo = sl_ntohl(first), hi = sl_ntohl(last);

	if (hi < lo)
		return sl_err_set(err, SL_E_INVALID, "pool",
				  "pool %s-%s ends before it starts",
				  sl_fmt_ipv4(first, a), sl_fmt_ipv4(last, b));
	if (hi - lo >= SL_MAX_SNAT_POOL)
		return sl_err_set(err, SL_E_LIMIT, "pool",
				  "a pool holds at most %d addresses, got %u",
				  SL_MAX_SNAT_POOL, hi - lo + 1);
	for (uint32_t h = lo; h <= hi; h++) {
		sl_be32 ip = sl_htonl(h);
		if (!sl_ipv4_is_unicast(ip))
			return sl_err_set(err, SL_E_INVALID, "pool",
					  "%s is not a unicast address", sl_fmt_ipv4(ip, a));
		if (sl_model_refuse_own(m, ip, SL_OWN_PORT | SL_OWN_LADDR | SL_OWN_VIP |
						       SL_OWN_RS | SL_OWN_NEIGH | SL_OWN_POOL | SL_OWN_TAP,
					"pool", err) < 0)
			return -1;
	}
	return 0;
}

/* No rule's src may hold a pool address: a packet SNAT has rewritten (a
 * hairpin, steered to the worker owning its pool port) leaves from a pool
 * address, and if a rule matched it there it would be SNATed again, and
 * again, until its TTL ran out -- a table entry per worker per hop. */
static int check_src_and_pools(const struct sl_model *m, sl_be32 src, uint8_t plen,
			       sl_be32 first, sl_be32 last, struct sl_err *err)
{
	char a[SL_IPV4_STRLEN], b[SL_IPV4_STRLEN], c[SL_IPV4_STRLEN];

	for (uint32_t h = sl_ntohl(first); h <= sl_ntohl(last); h++) {
		sl_be32 ip = sl_htonl(h);
		if (in_prefix(ip, src, plen))
			return sl_err_set(err, SL_E_INVALID, "src",
					  "src %s/%u holds the rule's own pool address %s: "
					  "a rule's src must not hold a pool address",
					  sl_fmt_ipv4(src, a), plen, sl_fmt_ipv4(ip, b));
		for (uint32_t r = 0; r < m->nsnat; r++)
			if (in_prefix(ip, m->snat[r].src, m->snat[r].plen))
				return sl_err_set(err, SL_E_INVALID, "pool",
						  "pool address %s is inside the src of SNAT "
						  "rule %s/%u: a rule's src must not hold a "
						  "pool address", sl_fmt_ipv4(ip, a),
						  sl_fmt_ipv4(m->snat[r].src, b), m->snat[r].plen);
	}
	for (uint32_t r = 0; r < m->nsnat; r++)
		for (uint32_t i = 0; i < m->snat[r].npool; i++) {
			sl_be32 ip = sl_htonl(sl_ntohl(m->snat[r].pool_first) + i);
			if (in_prefix(ip, src, plen))
				return sl_err_set(err, SL_E_INVALID, "src",
						  "src %s/%u holds pool address %s of SNAT "
						  "rule %s/%u: a rule's src must not hold a "
						  "pool address", sl_fmt_ipv4(src, a), plen,
						  sl_fmt_ipv4(ip, b),
						  sl_fmt_ipv4(m->snat[r].src, c), m->snat[r].plen);
		}
	return 0;
}

/* The port the longest route (connected prefixes included) to `ip`
 * leaves by, or -1. */
static int port_toward(const struct sl_model *m, sl_be32 ip)
{
	int port = sl_model_port_for(m, ip);
	int best = port >= 0 ? m->ports[port].plen : -1;

	for (uint32_t i = 0; i < m->nroutes; i++)
		if (in_prefix(ip, m->routes[i].prefix, m->routes[i].plen) &&
		    m->routes[i].plen > best) {
			best = m->routes[i].plen;
			port = m->routes[i].port;
		}
	return port;
}

int sl_model_add_snat(struct sl_model *m, sl_be32 src, uint8_t plen,
		      sl_be32 first, sl_be32 last, int port_index,
		      uint8_t filtering, struct sl_err *err)
{
	char a[SL_IPV4_STRLEN], b[SL_IPV4_STRLEN];
	struct sl_model_snat r = {.src = src, .plen = plen, .filtering = filtering,
				  .pool_first = first};

	if (plen > 32 || (src & ~sl_prefix_mask(plen)) != 0)
		return sl_err_set(err, SL_E_INVALID, "src",
				  "src must be a network prefix (host bits zero)");
	if (filtering > SL_SNAT_EIF)
		return sl_err_set(err, SL_E_INVALID, "filtering", "unknown filtering");
	if (sl_model_find_snat(m, src, plen))
		return sl_err_set(err, SL_E_EXISTS, "src", "an SNAT rule for %s/%u exists",
				  sl_fmt_ipv4(src, a), plen);
	if (m->nsnat >= SL_MAX_SNAT)
		return sl_err_set(err, SL_E_LIMIT, "", "at most %d SNAT rules", SL_MAX_SNAT);
	if (check_pool(m, first, last, err) < 0 ||
	    check_src_and_pools(m, src, plen, first, last, err) < 0)
		return -1;
	if (port_index >= (int)m->nports)
		return sl_err_set(err, SL_E_NOT_FOUND, "port", "no port %d", port_index);
	if (port_index < 0 && (port_index = sl_model_port_for(m, first)) < 0)
		return sl_err_set(err, SL_E_INVALID, "port",
				  "no port's connected prefix holds %s; name the port",
				  sl_fmt_ipv4(first, a));
	/* Outside hosts arrive on the pool's port, and a src covering that
	 * port's own address (0.0.0.0/0, the outside network) would call
	 * them inside hosts. */
	const struct sl_model_port *out = &m->ports[port_index];
	if (out->ip != 0 && in_prefix(out->ip, src, plen))
		return sl_err_set(err, SL_E_INVALID, "src",
				  "src %s/%u holds %s, the address of port %s where the "
				  "rule's pool is: a rule's src is the inside network",
				  sl_fmt_ipv4(src, a), plen, sl_fmt_ipv4(out->ip, b),
				  out->name);
	/* An inside network reached through the pool's port would never be
	 * translated: the workers take nothing there as outbound. */
	if (plen > 0 && port_toward(m, src) == port_index)
		return sl_err_set(err, SL_E_INVALID, "src",
				  "src %s/%u is reached through port %s, where the rule's "
				  "pool is: inside hosts must be behind another port",
				  sl_fmt_ipv4(src, a), plen, out->name);
	r.port = (uint8_t)port_index;
	r.npool = (uint8_t)(sl_ntohl(last) - sl_ntohl(first) + 1);
	if (take_slots(m, r.npool, r.slots) < 0)
		return sl_err_set(err, SL_E_LIMIT, "pool",
				  "local addresses and pools share %d slots; too few left",
				  SL_MAX_LIPS);
	m->snat[m->nsnat++] = r;
	return 0;
}

int sl_model_del_snat(struct sl_model *m, sl_be32 src, uint8_t plen,
		      struct sl_err *err)
{
	char a[SL_IPV4_STRLEN];
	struct sl_model_snat *r = sl_model_find_snat(m, src, plen);

	if (r == NULL)
		return sl_err_set(err, SL_E_NOT_FOUND, "src", "no SNAT rule for %s/%u",
				  sl_fmt_ipv4(src, a), plen);
	uint32_t i = (uint32_t)(r - m->snat);
	memmove(&m->snat[i], &m->snat[i + 1], (m->nsnat - i - 1) * sizeof(*r));
	m->nsnat--;
	return 0;
}
