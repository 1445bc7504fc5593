/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "config_apply.h"
#include "config_internal.h"
#include "sched.h"
#include "svcopts.h"

/* ---- settings fixed at start-up ----------------------------------------- */

static int fixed(struct sl_err *err, const char *field)
{
	return sl_err_set(err, SL_E_INVALID, field,
			  "%s cannot change while sluice runs; restart sluice with "
			  "the new file to change it", field);
}

static bool eal_differs(const struct sl_model *a, const struct sl_model *b)
{
	if (a->neal != b->neal)
		return true;
	for (uint32_t i = 0; i < a->neal; i++)
		if (strcmp(a->eal[i], b->eal[i]) != 0)
			return true;
	return false;
}

/* The exception interface's addresses and routes (applied when it is
 * created, so fixed like the port). */
static bool hostif_differs(const struct sl_model_port *p, const struct sl_model_port *q)
{
	if (p->nhost_addrs != q->nhost_addrs || p->nhost_routes != q->nhost_routes)
		return true;
	for (unsigned i = 0; i < p->nhost_addrs; i++)
		if (p->host_addrs[i].ip != q->host_addrs[i].ip ||
		    p->host_addrs[i].plen != q->host_addrs[i].plen)
			return true;
	for (unsigned i = 0; i < p->nhost_routes; i++)
		if (p->host_routes[i].prefix != q->host_routes[i].prefix ||
		    p->host_routes[i].plen != q->host_routes[i].plen ||
		    p->host_routes[i].via != q->host_routes[i].via)
			return true;
	return false;
}

static bool ports_differ(const struct sl_model *a, const struct sl_model *b)
{
	if (a->nports != b->nports)
		return true;
	for (uint32_t i = 0; i < a->nports; i++) {
		const struct sl_model_port *p = &a->ports[i], *q = &b->ports[i];
		if (strcmp(p->name, q->name) || strcmp(p->devargs, q->devargs) ||
		    p->ip != q->ip || p->plen != q->plen || p->plen6 != q->plen6 ||
		    !sl_addr_eq(&p->ip6, &q->ip6) || p->xdp != q->xdp ||
		    p->offloads != q->offloads || p->rss_symmetric != q->rss_symmetric ||
		    p->flow_steering != q->flow_steering ||
		    p->mtu != q->mtu || p->vlan != q->vlan ||
		    strcmp(p->exception, q->exception) || hostif_differs(p, q))
			return true;
	}
	return false;
}

int sl_config_check_fixed(const struct sl_model *a, const struct sl_model *b,
			  struct sl_err *err)
{
	if (eal_differs(a, b))
		return fixed(err, "eal");
	if (a->workers != b->workers)
		return fixed(err, "workers");
	if (strcmp(a->socket_path, b->socket_path))
		return fixed(err, "control.socket");
	if (strcmp(a->socket_owner, b->socket_owner) ||
	    strcmp(a->socket_group, b->socket_group) || a->socket_mode != b->socket_mode ||
	    strcmp(a->ro_socket_path, b->ro_socket_path) ||
	    a->ro_socket_mode != b->ro_socket_mode)
		return fixed(err, "control");
	if (a->idle_sleep_us != b->idle_sleep_us || a->idle_empty_polls != b->idle_empty_polls)
		return fixed(err, "idle");
	if (a->max_conns != b->max_conns)
		return fixed(err, "conn_table.max_connections");
	/* Sized from the file when it does not give them: a file that
	 * gives none keeps the running ones (sl_model_keep_sizes). */
	if (b->max_conns_v6_given && a->max_conns_v6 != b->max_conns_v6)
		return fixed(err, "conn_table.max_v6_connections");
	if (b->snat_max_hosts_given && a->snat_max_hosts != b->snat_max_hosts)
		return fixed(err, "snat_options.max_hosts");
	if (a->lport_lo != b->lport_lo || a->lport_hi != b->lport_hi)
		return fixed(err, "local_port_range");
	if (a->verify_l4_csum != b->verify_l4_csum)
		return fixed(err, "checksum.verify_l4");
	if (a->mbufs != b->mbufs || a->steer_ring != b->steer_ring ||
	    a->neigh_max != b->neigh_max)
		return fixed(err, "limits");
	if (a->hc_source != b->hc_source ||
	    memcmp(a->hc_source6, b->hc_source6, 16) != 0)
		return fixed(err, "health.source");
	if (a->metrics_ip != b->metrics_ip || a->metrics_port != b->metrics_port)
		return fixed(err, "metrics.listen");
	if (a->announce_table != b->announce_table)
		return fixed(err, "announce.table");
	if (ports_differ(a, b))
		return fixed(err, "ports");
	if (sl_config_cluster_differs(&a->cluster, &b->cluster))
		return fixed(err, "cluster");
	return 0;
}

/* ---- ids and slots -------------------------------------------------------- */

/* Hands out ids not yet taken, round-robin from a cursor, preferring ids
 * no running object has (their counters and cursors are stale). */
struct idpool {
	uint8_t taken[SL_MAX_RS / 8];
	uint8_t old[SL_MAX_RS / 8];
	unsigned n, cursor;
};

static void mark(uint8_t *bits, unsigned id)
{
	bits[id / 8] |= (uint8_t)(1u << (id % 8));
}

static int take_id(struct idpool *p)
{
	for (unsigned pass = 0; pass < 2; pass++) {
		for (unsigned k = 0; k < p->n; k++) {
			unsigned id = (p->cursor + k) % p->n;
			if (sl_fresh_has(p->taken, id) || (pass == 0 && sl_fresh_has(p->old, id)))
				continue;
			mark(p->taken, id);
			p->cursor = (id + 1) % p->n;
			return (int)id;
		}
	}
	return -1;
}

static int carry_svcs(const struct sl_model *running, struct sl_model *next,
		      struct sl_fresh_ids *fresh, struct sl_err *err)
{
	struct idpool p = {.n = SL_MAX_SVC, .cursor = running->next_svc_id};
	bool kept[SL_MAX_SVC] = {false};

	for (uint32_t i = 0; i < running->nsvcs; i++)
		mark(p.old, running->svcs[i].id);
	for (uint32_t i = 0; i < next->nsvcs; i++) {
		struct sl_model_svc *s = &next->svcs[i];
		const struct sl_model_svc *o = sl_model_find_same_svc(running, s);
		if (o) {
			s->id = o->id;
			mark(p.taken, o->id);
			kept[i] = true;
		}
	}
	for (uint32_t i = 0; i < next->nsvcs; i++) {
		if (kept[i])
			continue;
		int id = take_id(&p);
		if (id < 0)
			return sl_err_set(err, SL_E_LIMIT, "vips", "no free VIP id");
		next->svcs[i].id = (uint16_t)id;
		mark(fresh->svc, (unsigned)id);
	}
	next->next_svc_id = (uint16_t)p.cursor;
	return 0;
}

/* The running real server this one of `next` is, or NULL. */
static const struct sl_model_rs *old_rs(const struct sl_model *running,
					const struct sl_model_svc *s,
					const struct sl_model_rs *r)
{
	const struct sl_model_svc *o = sl_model_find_same_svc(running, s);
	return o ? sl_model_find_same_rs(o, r) : NULL;
}

static int carry_rs(const struct sl_model *running, struct sl_model *next,
		    struct sl_fresh_ids *fresh, struct sl_err *err)
{
	struct idpool p = {.n = SL_MAX_RS, .cursor = running->next_rs_id};

	for (uint32_t i = 0; i < running->nsvcs; i++)
		for (uint32_t j = 0; j < running->svcs[i].nrs; j++)
			mark(p.old, running->svcs[i].rs[j].id);
	for (uint32_t i = 0; i < next->nsvcs; i++)
		for (uint32_t j = 0; j < next->svcs[i].nrs; j++) {
			struct sl_model_rs *r = &next->svcs[i].rs[j];
			const struct sl_model_rs *o = old_rs(running, &next->svcs[i], r);
			r->id = o ? o->id : UINT16_MAX;
			if (o)
				mark(p.taken, o->id);
		}
	for (uint32_t i = 0; i < next->nsvcs; i++)
		for (uint32_t j = 0; j < next->svcs[i].nrs; j++) {
			struct sl_model_rs *r = &next->svcs[i].rs[j];
			if (r->id != UINT16_MAX)
				continue;
			int id = take_id(&p);
			if (id < 0)
				return sl_err_set(err, SL_E_LIMIT, "vips", "no free real server id");
			r->id = (uint16_t)id;
			mark(fresh->rs, (unsigned)id);
		}
	next->next_rs_id = (uint16_t)p.cursor;
	return 0;
}

/* The slot `m` gives pool address `ip`, or -1 if it is not in a pool. */
static int pool_slot(const struct sl_model *m, sl_be32 ip)
{
	const struct sl_model_snat *r = sl_model_find_pool(m, ip);
	return r ? r->slots[sl_ntohl(ip) - sl_ntohl(r->pool_first)] : -1;
}

/* Local addresses and SNAT pool addresses share the workers' port-
 * allocator slots. An address that stays keeps its slot, whatever else
 * changed around it (its rule's range, its rule), so the ports its
 * connections and mappings hold stay taken. */
static int carry_slots(const struct sl_model *running, struct sl_model *next,
		       struct sl_err *err)
{
	struct idpool p = {.n = SL_MAX_LIPS};
	bool kept_l[SL_MAX_LIPS] = {false};
	bool kept_s[SL_MAX_SNAT][SL_MAX_SNAT_POOL] = {{false}};

	sl_model_mark_slots(running, p.old);
	for (uint32_t i = 0; i < next->nladdrs; i++) {
		const struct sl_model_laddr *o = sl_model_find_laddr(running, next->laddrs[i].ip);
		if (o == NULL)
			continue;
		kept_l[i] = true;
		next->laddrs[i].slot = o->slot;
		mark(p.taken, o->slot);
	}
	for (uint32_t r = 0; r < next->nsnat; r++)
		for (unsigned k = 0; k < next->snat[r].npool; k++) {
			sl_be32 ip = sl_htonl(sl_ntohl(next->snat[r].pool_first) + k);
			int o = pool_slot(running, ip);
			if (o < 0)
				continue;
			kept_s[r][k] = true;
			next->snat[r].slots[k] = (uint8_t)o;
			mark(p.taken, (unsigned)o);
		}
	for (uint32_t i = 0; i < next->nladdrs; i++) {
		if (kept_l[i])
			continue;
		int s = take_id(&p);
		if (s < 0)
			return sl_err_set(err, SL_E_LIMIT, "local_addresses", "no free slot");
		next->laddrs[i].slot = (uint8_t)s;
	}
	for (uint32_t r = 0; r < next->nsnat; r++)
		for (unsigned k = 0; k < next->snat[r].npool; k++) {
			if (kept_s[r][k])
				continue;
			int s = take_id(&p);
			if (s < 0)
				return sl_err_set(err, SL_E_LIMIT, "snat", "no free slot");
			next->snat[r].slots[k] = (uint8_t)s;
		}
	return 0;
}

int sl_config_carry_ids(const struct sl_model *running, struct sl_model *next,
			struct sl_fresh_ids *fresh, struct sl_err *err)
{
	memset(fresh, 0, sizeof(*fresh));
	if (carry_svcs(running, next, fresh, err) < 0 ||
	    carry_rs(running, next, fresh, err) < 0 ||
	    carry_slots(running, next, err) < 0)
		return -1;
	return 0;
}

/* ---- what changed --------------------------------------------------------- */

struct diff {
	json_t *added, *removed, *modified;
};

static void note(json_t *list, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void note(json_t *list, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	json_array_append_new(list, json_string(buf));
}

static void diff_settings(struct diff *d, const struct sl_model *a, const struct sl_model *b)
{
	if (strcmp(a->log_level, b->log_level))
		note(d->modified, "log_level: %s -> %s", a->log_level, b->log_level);
	for (unsigned s = 0; s < SL_CS_MAX; s++) {
		const char *name = sl_model_timeout_name(s);
		if (name && a->timeouts_ms[s] != b->timeouts_ms[s])
			note(d->modified, "timeouts.%s: %u -> %u", name,
			     a->timeouts_ms[s] / 1000, b->timeouts_ms[s] / 1000);
		if (name && a->snat_timeouts_ms[s] != b->snat_timeouts_ms[s])
			note(d->modified, "snat_options.timeouts (%s): %u -> %u", name,
			     a->snat_timeouts_ms[s] / 1000, b->snat_timeouts_ms[s] / 1000);
	}
	if (a->hc_data_path != b->hc_data_path)
		note(d->modified, "health.path: %s -> %s",
		     a->hc_data_path ? "data" : "kernel", b->hc_data_path ? "data" : "kernel");
	if (a->hc_panic_percent != b->hc_panic_percent)
		note(d->modified, "health.panic_percent: %u -> %u", a->hc_panic_percent,
		     b->hc_panic_percent);
	if (a->persist_max != b->persist_max)
		note(d->modified, "persistence.max_templates: %u -> %u", a->persist_max,
		     b->persist_max);
	if (a->icmp_mtu_floor != b->icmp_mtu_floor)
		note(d->modified, "icmp.mtu_floor: %u -> %u", a->icmp_mtu_floor,
		     b->icmp_mtu_floor);
	if (a->flush_resets_per_sec != b->flush_resets_per_sec)
		note(d->modified, "flush.resets_per_sec: %u -> %u",
		     a->flush_resets_per_sec, b->flush_resets_per_sec);
	if (a->snat_host_limit != b->snat_host_limit)
		note(d->modified, "snat_options.max_mappings_per_host: %u -> %u",
		     a->snat_host_limit, b->snat_host_limit);
	if (a->snat_icmp_on_exhaustion != b->snat_icmp_on_exhaustion)
		note(d->modified, "snat_options.icmp_on_exhaustion: %s -> %s",
		     a->snat_icmp_on_exhaustion ? "true" : "false",
		     b->snat_icmp_on_exhaustion ? "true" : "false");
}

static const struct sl_model_route *find_route(const struct sl_model *m,
					       const struct sl_model_route *r)
{
	for (uint32_t i = 0; i < m->nroutes; i++)
		if (m->routes[i].prefix == r->prefix && m->routes[i].plen == r->plen)
			return &m->routes[i];
	return NULL;
}

static void diff_routes(struct diff *d, const struct sl_model *a, const struct sl_model *b)
{
	char p[SL_IPV4_STRLEN], v1[SL_IPV4_STRLEN], v2[SL_IPV4_STRLEN];

	for (uint32_t i = 0; i < a->nroutes; i++)
		if (!find_route(b, &a->routes[i]))
			note(d->removed, "route %s/%u", sl_fmt_ipv4(a->routes[i].prefix, p),
			     a->routes[i].plen);
	for (uint32_t i = 0; i < b->nroutes; i++) {
		const struct sl_model_route *r = &b->routes[i], *o = find_route(a, r);
		sl_fmt_ipv4(r->prefix, p);
		if (!o)
			note(d->added, "route %s/%u", p, r->plen);
		else if (o->via != r->via || o->port != r->port)
			note(d->modified, "route %s/%u: via %s port %s -> via %s port %s", p,
			     r->plen, sl_fmt_ipv4(o->via, v1), a->ports[o->port].name,
			     sl_fmt_ipv4(r->via, v2), b->ports[r->port].name);
	}
}

static void diff_laddrs(struct diff *d, const struct sl_model *a, const struct sl_model *b)
{
	char ip[SL_IPV4_STRLEN];

	for (uint32_t i = 0; i < a->nladdrs; i++)
		if (!sl_model_find_laddr(b, a->laddrs[i].ip))
			note(d->removed, "local address %s", sl_fmt_ipv4(a->laddrs[i].ip, ip));
	for (uint32_t i = 0; i < b->nladdrs; i++) {
		const struct sl_model_laddr *l = &b->laddrs[i];
		const struct sl_model_laddr *o = sl_model_find_laddr(a, l->ip);
		sl_fmt_ipv4(l->ip, ip);
		if (!o)
			note(d->added, "local address %s", ip);
		else if (o->port != l->port)
			note(d->modified, "local address %s: port %s -> %s", ip,
			     a->ports[o->port].name, b->ports[l->port].name);
	}
}

/* A static neighbor `ip` of b (mac nmac on port nport) against a's entry
 * for it (omac NULL: none). */
static void diff_neighbor(struct diff *d, const struct sl_model *a, const struct sl_model *b,
			  const char *ip, const uint8_t *omac, uint8_t oport,
			  const uint8_t *nmac, uint8_t nport)
{
	char m1[SL_MAC_STRLEN], m2[SL_MAC_STRLEN];

	if (!omac)
		note(d->added, "neighbor %s", ip);
	else if (memcmp(omac, nmac, 6) || oport != nport)
		note(d->modified, "neighbor %s: %s port %s -> %s port %s", ip,
		     sl_fmt_mac(omac, m1), a->ports[oport].name,
		     sl_fmt_mac(nmac, m2), b->ports[nport].name);
}

static void diff_neighbors(struct diff *d, const struct sl_model *a, const struct sl_model *b)
{
	char ip[SL_IPV6_STRLEN];

	for (uint32_t i = 0; i < a->nneigh; i++)
		if (!sl_model_find_neigh(b, a->neigh[i].ip))
			note(d->removed, "neighbor %s", sl_fmt_ipv4(a->neigh[i].ip, ip));
	for (uint32_t i = 0; i < b->nneigh; i++) {
		const struct sl_model_neigh *n = &b->neigh[i];
		const struct sl_model_neigh *o = sl_model_find_neigh(a, n->ip);
		diff_neighbor(d, a, b, sl_fmt_ipv4(n->ip, ip), o ? o->mac : NULL,
			      o ? o->port : 0, n->mac, n->port);
	}
	for (uint32_t i = 0; i < a->nneigh6; i++)
		if (!sl_model_find_neigh6(b, a->neigh6[i].ip))
			note(d->removed, "neighbor %s", sl_fmt_ipv6(a->neigh6[i].ip, ip));
	for (uint32_t i = 0; i < b->nneigh6; i++) {
		const struct sl_model_neigh6 *n = &b->neigh6[i];
		const struct sl_model_neigh6 *o = sl_model_find_neigh6(a, n->ip);
		diff_neighbor(d, a, b, sl_fmt_ipv6(n->ip, ip), o ? o->mac : NULL,
			      o ? o->port : 0, n->mac, n->port);
	}
}

static void svc_name(const struct sl_model_svc *s, char *buf, size_t len)
{
	char a[SL_ADDRPORT_STRLEN];
	struct sl_addr vip = sl_model_svc_vip(s);

	snprintf(buf, len, "vip %s/%s", sl_fmt_addrport(&vip, s->port, a),
		 sl_proto_name(s->proto));
}

/* Persistence, hashing, Maglev size, on-down and health check: one line
 * for all, naming what changed. */
static void diff_svc_options(struct diff *d, const struct sl_model_svc *o,
			     const struct sl_model_svc *s, const char *svc)
{
	if (o->persist_s != s->persist_s)
		note(d->modified, "%s: persist %u -> %u", svc, o->persist_s, s->persist_s);
	if (o->persist_plen6 != s->persist_plen6)
		note(d->modified, "%s: persist_netmask6 %u -> %u", svc, o->persist_plen6,
		     s->persist_plen6);
	if (o->hash_ports != s->hash_ports || o->mh_size != s->mh_size)
		note(d->modified, "%s: hash_ports/mh_size %s/%u -> %s/%u", svc,
		     o->hash_ports ? "on" : "off", o->mh_size,
		     s->hash_ports ? "on" : "off", s->mh_size);
	if (o->panic_percent != s->panic_percent)
		note(d->modified, "%s: panic_percent %u -> %u", svc, o->panic_percent,
		     s->panic_percent);
	if (o->on_down != s->on_down)
		note(d->modified, "%s: on_down %s -> %s", svc, sl_on_down_name(o->on_down),
		     sl_on_down_name(s->on_down));
	if (o->announce_when != s->announce_when)
		note(d->modified, "%s: announce_when %s -> %s", svc,
		     sl_announce_when_name(o->announce_when),
		     sl_announce_when_name(s->announce_when));
	if (!sl_hc_cfg_equal(&o->hc, &s->hc))
		note(d->modified, "%s: health check %s -> %s", svc,
		     sl_hc_type_name(o->hc.type), sl_hc_type_name(s->hc.type));
}

static void diff_servers(struct diff *d, const struct sl_model_svc *o,
			 const struct sl_model_svc *s, const char *svc)
{
	char a[SL_ADDRPORT_STRLEN];

	for (uint32_t j = 0; o && j < o->nrs; j++)
		if (!sl_model_find_same_rs(s, &o->rs[j]))
			note(d->removed, "real server %s of %s",
			     sl_model_rs_text(&o->rs[j], a), svc);
	for (uint32_t j = 0; j < s->nrs; j++) {
		const struct sl_model_rs *r = &s->rs[j];
		const struct sl_model_rs *x = o ? sl_model_find_same_rs(o, r) : NULL;
		sl_model_rs_text(r, a);
		if (!x)
			note(d->added, "real server %s of %s", a, svc);
		else if (x->weight != r->weight)
			note(d->modified, "real server %s of %s: weight %u -> %u", a, svc,
			     x->weight, r->weight);
		if (x && (x->hc_set != r->hc_set || !sl_hc_cfg_equal(&x->hc, &r->hc)))
			note(d->modified, "real server %s of %s: health check override", a, svc);
	}
}

static void diff_vips(struct diff *d, const struct sl_model *a, const struct sl_model *b)
{
	char name[80];

	for (uint32_t i = 0; i < a->nsvcs; i++) {
		const struct sl_model_svc *o = &a->svcs[i];
		if (!sl_model_find_same_svc(b, o)) {
			svc_name(o, name, sizeof(name));
			note(d->removed, "%s (and its %u real servers)", name, o->nrs);
		}
	}
	for (uint32_t i = 0; i < b->nsvcs; i++) {
		const struct sl_model_svc *s = &b->svcs[i];
		const struct sl_model_svc *o = sl_model_find_same_svc(a, s);
		svc_name(s, name, sizeof(name));
		if (!o)
			note(d->added, "%s", name);
		else if (o->sched != s->sched)
			note(d->modified, "%s: scheduler %s -> %s", name, sl_sched_name(o->sched),
			     sl_sched_name(s->sched));
		if (o)
			diff_svc_options(d, o, s, name);
		diff_servers(d, o, s, name);
	}
}

static void diff_snat(struct diff *d, const struct sl_model *a, const struct sl_model *b)
{
	char ip[SL_IPV4_STRLEN];

	for (uint32_t i = 0; i < a->nsnat; i++)
		if (!sl_model_find_snat(b, a->snat[i].src, a->snat[i].plen))
			note(d->removed, "snat %s/%u", sl_fmt_ipv4(a->snat[i].src, ip),
			     a->snat[i].plen);
	for (uint32_t i = 0; i < b->nsnat; i++) {
		const struct sl_model_snat *r = &b->snat[i];
		const struct sl_model_snat *o = sl_model_find_snat(a, r->src, r->plen);
		sl_fmt_ipv4(r->src, ip);
		if (!o)
			note(d->added, "snat %s/%u", ip, r->plen);
		else if (o->pool_first != r->pool_first || o->npool != r->npool ||
			 o->port != r->port || o->filtering != r->filtering)
			note(d->modified, "snat %s/%u: pool, port or filtering", ip, r->plen);
	}
}

/* The v6 prefixes of `x` not in `y`, noted in `list` (added or removed). */
static void diff_block6(json_t *list, const struct sl_model_xdp *x,
			const struct sl_model_xdp *y)
{
	char p[SL_IPV6_STRLEN];

	for (uint32_t i = 0; i < x->nblock6; i++)
		if (sl_model_block6_find(y, x->block6[i].prefix, x->block6[i].plen) < 0)
			note(list, "blocklist %s/%u", sl_fmt_ipv6(x->block6[i].prefix, p),
			     x->block6[i].plen);
}

static void diff_xdp(struct diff *d, const struct sl_model *a, const struct sl_model *b)
{
	const struct sl_model_xdp *x = &a->xdp, *y = &b->xdp;
	char p[SL_IPV4_STRLEN];

	if (x->syn_rate != y->syn_rate || x->syn_burst != y->syn_burst)
		note(d->modified, "xdp syn rate: %u/%u -> %u/%u", x->syn_rate, x->syn_burst,
		     y->syn_rate, y->syn_burst);
	for (uint32_t i = 0; i < x->nblock; i++)
		if (sl_model_block_find(y, x->block[i].prefix, x->block[i].plen) < 0)
			note(d->removed, "blocklist %s/%u", sl_fmt_ipv4(x->block[i].prefix, p),
			     x->block[i].plen);
	for (uint32_t i = 0; i < y->nblock; i++)
		if (sl_model_block_find(x, y->block[i].prefix, y->block[i].plen) < 0)
			note(d->added, "blocklist %s/%u", sl_fmt_ipv4(y->block[i].prefix, p),
			     y->block[i].plen);
	diff_block6(d->removed, x, y);
	diff_block6(d->added, y, x);
}

json_t *sl_config_diff(const struct sl_model *a, const struct sl_model *b)
{
	struct diff d = {json_array(), json_array(), json_array()};

	diff_settings(&d, a, b);
	diff_routes(&d, a, b);
	diff_laddrs(&d, a, b);
	diff_neighbors(&d, a, b);
	diff_vips(&d, a, b);
	diff_snat(&d, a, b);
	diff_xdp(&d, a, b);
	return json_pack("{s:o, s:o, s:o}", "added", d.added, "removed", d.removed,
			 "modified", d.modified);
}
