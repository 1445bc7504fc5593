/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Blocklist prefixes that would lock Sluice or its host out (model_xdp.h):
 * what each covers, checked before `blocklist add`, `config apply` or a
 * SIGHUP reload adds one; and the other way round, a real server added
 * inside a prefix already blocked (`rs add`, `config apply`).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "model.h"
#include "snapshot.h"

/* [first, last] of a prefix, host order, in 64 bits so /0 ends in range. */
static void span(sl_be32 prefix, uint8_t plen, uint64_t *first, uint64_t *last)
{
	*first = sl_ntohl(prefix);
	*last = *first + ((uint64_t)1 << (32 - plen)) - 1;
}

/* Whether the blocklist, with prefix/plen added, covers every address of
 * net/nlen. The blocklist's runs (model_xdp.h) leave the net's first gap
 * after the run holding its first address and its last gap before the
 * run holding its last: every gap lies between those two, so the new
 * prefix closes them all exactly when it spans both. Two binary
 * searches of the runs, whatever the blocklist holds inside the net. */
static bool blocked_whole(const struct sl_model_xdp *x, sl_be32 prefix, uint8_t plen,
			  sl_be32 net, uint8_t nlen)
{
	uint64_t first, last, nf, nl;

	span(net, nlen, &first, &last);
	span(prefix, plen, &nf, &nl);
	const struct sl_block_run *head = sl_model_block_run(x, (uint32_t)first);
	uint64_t gap_first = head ? (uint64_t)head->last + 1 : first;
	if (gap_first > last)
		return true; /* covered already */
	const struct sl_block_run *tail = sl_model_block_run(x, (uint32_t)last);
	uint64_t gap_last = tail ? (uint64_t)tail->first - 1 : last;
	return nf <= gap_first && gap_last <= nl;
}

/* What a prefix must not cover, one sorted array per kind (host-order
 * address, and where it comes from), so each kind is one binary search
 * and the message names the same thing a scan in this order would. */
enum guard_kind { G_ROUTE, G_NEIGH, G_HOST_ROUTE, G_RS, G_KINDS };

struct guard {
	uint32_t ip;
	uint32_t ref;   /* route, neighbor, port or VIP index */
	uint32_t sub;   /* G_HOST_ROUTE: the route on that port */
};

struct guards {
	uint64_t gen;   /* the model's protect_gen they were sorted for */
	struct guard *g[G_KINDS];
	uint32_t n[G_KINDS];
	uint32_t shape[G_KINDS + 2]; /* guard_shape() of that model */
};

/* How many guards of each kind m has, its ports and VIPs: a kept set
 * whose model no longer has this shape is rebuilt even if a writer
 * forgot to renew protect_gen, so no kept index points past an array. */
static void guard_shape(const struct sl_model *m, uint32_t shape[G_KINDS + 2])
{
	memset(shape, 0, (G_KINDS + 2) * sizeof(uint32_t));
	shape[G_ROUTE] = m->nroutes;
	shape[G_NEIGH] = m->nneigh;
	for (uint32_t p = 0; p < m->nports; p++)
		shape[G_HOST_ROUTE] += m->ports[p].nhost_routes;
	for (uint32_t s = 0; s < m->nsvcs; s++)
		shape[G_RS] += m->svcs[s].nrs;
	shape[G_KINDS] = m->nports;
	shape[G_KINDS + 1] = m->nsvcs;
}

static int cmp_guard(const void *a, const void *b)
{
	uint32_t x = ((const struct guard *)a)->ip, y = ((const struct guard *)b)->ip;

	return x < y ? -1 : x > y;
}

static void guards_free(struct guards *gs)
{
	for (unsigned k = 0; k < G_KINDS; k++)
		free(gs->g[k]);
	memset(gs, 0, sizeof(*gs));
}

static void guard_put(struct guards *gs, enum guard_kind k, sl_be32 ip, uint32_t ref,
		      uint32_t sub)
{
	if (ip) /* 0: a connected route has no gateway; a v6 server
		 * (guarded against v6 prefixes, model_xdp6.c) */
		gs->g[k][gs->n[k]++] = (struct guard){sl_ntohl(ip), ref, sub};
}

/* m's guards, sorted; `shape` is guard_shape(m), which the caller has
 * already computed. 0, or -1 out of memory. */
static int guards_build(const struct sl_model *m, const uint32_t shape[G_KINDS + 2],
			struct guards *gs)
{
	uint32_t *cap = gs->shape;

	memset(gs, 0, sizeof(*gs));
	memcpy(cap, shape, sizeof(gs->shape));
	for (unsigned k = 0; k < G_KINDS; k++)
		if (cap[k] && (gs->g[k] = malloc(cap[k] * sizeof(struct guard))) == NULL) {
			guards_free(gs);
			return -1;
		}
	for (uint32_t i = 0; i < m->nroutes; i++)
		guard_put(gs, G_ROUTE, m->routes[i].via, i, 0);
	for (uint32_t i = 0; i < m->nneigh; i++)
		guard_put(gs, G_NEIGH, m->neigh[i].ip, i, 0);
	for (uint32_t p = 0; p < m->nports; p++)
		for (uint32_t i = 0; i < m->ports[p].nhost_routes; i++)
			guard_put(gs, G_HOST_ROUTE, m->ports[p].host_routes[i].via, p, i);
	for (uint32_t s = 0; s < m->nsvcs; s++)
		for (uint32_t j = 0; j < m->svcs[s].nrs; j++)
			guard_put(gs, G_RS, m->svcs[s].rs[j].ip, s, 0);
	for (unsigned k = 0; k < G_KINDS; k++)
		if (gs->n[k] > 1)
			qsort(gs->g[k], gs->n[k], sizeof(struct guard), cmp_guard);
	sl_model_lockout_sorts++;
	gs->gen = m->protect_gen;
	return 0;
}

/* The guards of m: sorted once per protect_gen and kept, so a run of
 * `blocklist add` on clones of one model sorts nothing (model.h). */
static const struct guards *guards_of(const struct sl_model *m)
{
	static struct guards kept;
	uint32_t shape[G_KINDS + 2];

	guard_shape(m, shape);
	if (kept.gen != 0 && kept.gen == m->protect_gen &&
	    memcmp(shape, kept.shape, sizeof(shape)) == 0)
		return &kept;
	guards_free(&kept);
	return guards_build(m, shape, &kept) == 0 ? &kept : NULL;
}

/* The first guard of kind k inside prefix/plen, or NULL: the lowest
 * address at or above the prefix's first, if it is not past its last
 * (log n steps, each counted). */
static const struct guard *guard_inside(const struct guards *gs, enum guard_kind k,
					sl_be32 prefix, uint8_t plen)
{
	uint64_t first, last;
	uint32_t lo = 0, hi = gs->n[k];

	span(prefix, plen, &first, &last);
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		sl_model_lockout_lookups++;
		if (gs->g[k][mid].ip < first)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < gs->n[k] && gs->g[k][lo].ip <= last ? &gs->g[k][lo] : NULL;
}

/* What blocking prefix/plen hits, as "a.b.c.d, what it is" in `what`;
 * false if nothing: a binary search per kind of guard, two per SNAT
 * rule. Cluster peers, once the model has them, belong here too. */
static bool lockout_hit(const struct sl_model *m, const struct guards *gs,
			sl_be32 prefix, uint8_t plen, char *what, size_t len)
{
	const struct guard *g;
	char a[SL_IPV4_STRLEN], b[SL_IPV4_STRLEN];

	if (plen == 0)
		return 0 < snprintf(what, len, "every source");
	if ((g = guard_inside(gs, G_ROUTE, prefix, plen)) != NULL)
		return 0 < snprintf(what, len, "%s, the gateway of route %s/%u",
				    sl_fmt_ipv4(m->routes[g->ref].via, b),
				    sl_fmt_ipv4(m->routes[g->ref].prefix, a),
				    m->routes[g->ref].plen);
	if ((g = guard_inside(gs, G_NEIGH, prefix, plen)) != NULL)
		return 0 < snprintf(what, len, "%s, a static neighbor on port %s",
				    sl_fmt_ipv4(m->neigh[g->ref].ip, b),
				    m->ports[m->neigh[g->ref].port].name);
	if ((g = guard_inside(gs, G_HOST_ROUTE, prefix, plen)) != NULL) {
		const struct sl_hostif_route *r = &m->ports[g->ref].host_routes[g->sub];
		return 0 < snprintf(what, len,
				    "%s, the host's gateway of route %s/%u on "
				    "port %s's exception device",
				    sl_fmt_ipv4(r->via, b), sl_fmt_ipv4(r->prefix, a),
				    r->plen, m->ports[g->ref].name);
	}
	if ((g = guard_inside(gs, G_RS, prefix, plen)) != NULL) {
		/* A NAT64 VIP's v4 servers are guarded too; its VIP is v6. */
		struct sl_addr vip = sl_model_svc_vip(&m->svcs[g->ref]);
		char v[SL_ADDR_STRLEN];
		return 0 < snprintf(what, len, "%s, a real server of VIP %s",
				    sl_fmt_ipv4(sl_htonl(g->ip), b),
				    sl_fmt_addr(&vip, v));
	}
	/* One inside host blocked is a choice; all of them, a lock-out. */
	for (uint32_t i = 0; i < m->nsnat; i++)
		if (blocked_whole(&m->xdp, prefix, plen, m->snat[i].src, m->snat[i].plen))
			return 0 < snprintf(what, len,
					    "%s/%u, the inside network of an SNAT rule (with "
					    "the blocklist already there: all of it)",
					    sl_fmt_ipv4(m->snat[i].src, b), m->snat[i].plen);
	return false;
}

int sl_model_block_lockout(const struct sl_model *m, sl_be32 prefix, uint8_t plen,
			   struct sl_err *err)
{
	char a[SL_IPV4_STRLEN], what[200];
	const struct guards *gs = guards_of(m);

	if (gs == NULL)
		return sl_err_set(err, SL_E_INTERNAL, "", "out of memory");
	if (!lockout_hit(m, gs, prefix, plen, what, sizeof(what)))
		return 0;
	return sl_err_set(err, SL_E_INVALID, "prefix",
			  "%s/%u covers %s; add \"force\": true "
			  "(sluicectl blocklist add --force) to block it anyway",
			  sl_fmt_ipv4(prefix, a), plen, what);
}

/* The blocklist prefix holding ip, or -1: the prefixes covering an
 * address are its masked self at some length, so one binary search per
 * length (33 x log n, not a scan); the shortest first, as sorted. */
static int32_t blocked_by(const struct sl_model_xdp *x, sl_be32 ip)
{
	for (unsigned l = 0; l <= 32 && x->nblock > 0; l++) {
		sl_model_lockout_lookups++;
		int i = sl_model_block_find(x, ip & sl_prefix_mask(l), (uint8_t)l);
		if (i >= 0)
			return i;
	}
	return -1;
}

/* force_hint: how to force it, or NULL where there is no force (a
 * SIGHUP reload: the file or the blocklist must change). */
static int rs_blocked_error(const struct sl_model_prefix *p, sl_be32 ip,
			    const char *field, const char *force_hint,
			    struct sl_err *err)
{
	char a[SL_IPV4_STRLEN], b[SL_IPV4_STRLEN], how[96];

	if (force_hint)
		snprintf(how, sizeof(how), "or add \"force\": true (%s)", force_hint);
	else
		snprintf(how, sizeof(how), "or take the server out of the file");
	return sl_err_set(err, SL_E_INVALID, field,
			  "real server %s is inside blocklist prefix %s/%u: its "
			  "replies would be dropped, it could never be reached; "
			  "blocklist del %s/%u first, %s",
			  sl_fmt_ipv4(ip, a), sl_fmt_ipv4(p->prefix, b), p->plen,
			  b, p->plen, how);
}

int sl_model_rs_blocked(const struct sl_model *m, sl_be32 ip, struct sl_err *err)
{
	int32_t i = blocked_by(&m->xdp, ip);

	if (i < 0)
		return 0;
	return rs_blocked_error(&m->xdp.block[i], ip, "ip", "sluicectl rs add --force", err);
}

/* Whether `cur` (its guards `gs`) had ip as a real server and p in its
 * blocklist (an earlier --force stays forced). */
static bool forced_before(const struct sl_model *cur, const struct guards *gs,
			  const struct sl_model_prefix *p, sl_be32 ip)
{
	sl_model_lockout_lookups++;
	return sl_model_block_find(&cur->xdp, p->prefix, p->plen) >= 0 &&
	       guard_inside(gs, G_RS, ip, 32) != NULL;
}

/* A real server of `next` inside one of its blocklist prefixes, unless
 * `cur` had both already. */
static int rs_blocked_new(const struct sl_model *cur, const struct sl_model *next,
			  const char *force_hint, struct sl_err *err)
{
	const struct guards *gs;
	int rc = 0;

	if (next->xdp.nblock == 0)
		return 0;
	if ((gs = guards_of(cur)) == NULL)
		return sl_err_set(err, SL_E_INTERNAL, "", "out of memory");
	for (uint32_t s = 0; s < next->nsvcs && rc == 0; s++)
		for (uint32_t j = 0; j < next->svcs[s].nrs && rc == 0; j++) {
			sl_be32 ip = next->svcs[s].rs[j].ip;
			/* 0: a v6 server (model_xdp6.c's to check). */
			int32_t i = ip ? blocked_by(&next->xdp, ip) : -1;
			if (i < 0 || forced_before(cur, gs, &next->xdp.block[i], ip))
				continue;
			char field[64];
			snprintf(field, sizeof(field), "vips[%u].real_servers[%u].ip", s, j);
			rc = rs_blocked_error(&next->xdp.block[i], ip, field, force_hint, err);
		}
	return rc;
}

int sl_model_block_lockout_new(const struct sl_model *cur, const struct sl_model *next,
			       bool reload, struct sl_err *err)
{
	char a[SL_IPV4_STRLEN], what[200];
	const struct guards *gs = guards_of(next);
	int rc = 0;

	if (gs == NULL)
		return sl_err_set(err, SL_E_INTERNAL, "", "out of memory");
	for (uint32_t i = 0; i < next->xdp.nblock && rc == 0; i++) {
		const struct sl_model_prefix *p = &next->xdp.block[i];
		if (sl_model_block_find(&cur->xdp, p->prefix, p->plen) >= 0 ||
		    !lockout_hit(next, gs, p->prefix, p->plen, what, sizeof(what)))
			continue;
		rc = sl_err_set(err, SL_E_INVALID, "xdp.blocklist",
				  "%s/%u covers %s; %s", sl_fmt_ipv4(p->prefix, a), p->plen,
				  what,
				  reload ? "take it out of the file, or change what it covers"
					 : "add \"force\": true (sluicectl config apply "
					   "--force) to block it anyway");
	}
	if (rc != 0)
		return rc;
	if (rs_blocked_new(cur, next, reload ? NULL : "sluicectl config apply --force",
			   err) != 0)
		return -1;
	return sl_model_block6_lockout_new(cur, next, reload, err);
}
