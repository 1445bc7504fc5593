/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Blocklist prefixes that would lock Sluice or its host out (model_xdp.h):
 * what each covers, checked before `blocklist add`, `config apply` or a
 * SIGHUP reload adds one; and the other way round, a real server added
 * inside a prefix already blocked (`rs add`, `config apply`).
 */
#include <stdio.h>
#include <stdlib.h>

#include "addr.h"
#include "model.h"
#include "snapshot.h"

/* Whether prefix/plen covers address ip (0 is "none": a connected route
 * has no gateway). */
static bool covers_ip(sl_be32 prefix, uint8_t plen, sl_be32 ip)
{
	return ip && ((ip ^ prefix) & sl_prefix_mask(plen)) == 0;
}

static bool covers_net(sl_be32 prefix, uint8_t plen, sl_be32 net, uint8_t nlen)
{
	return plen <= nlen && ((net ^ prefix) & sl_prefix_mask(plen)) == 0;
}

/* [first, last] of a prefix, host order, in 64 bits so /0 ends in range. */
static void span(sl_be32 prefix, uint8_t plen, uint64_t *first, uint64_t *last)
{
	*first = sl_ntohl(prefix);
	*last = *first + ((uint64_t)1 << (32 - plen)) - 1;
}

/* Whether the blocklist, with prefix/plen added, covers every address of
 * net/nlen: one prefix holding it all, or prefixes inside it that leave
 * no gap (the blocklist is sorted by first address). */
static bool blocked_whole(const struct sl_model_xdp *x, sl_be32 prefix, uint8_t plen,
			  sl_be32 net, uint8_t nlen)
{
	if (covers_net(prefix, plen, net, nlen))
		return true;
	for (unsigned l = 0; l <= nlen; l++)
		if (sl_model_block_find(x, net & sl_prefix_mask(l), (uint8_t)l) >= 0)
			return true;
	uint64_t next, last, f, e, nf, ne;
	span(net, nlen, &next, &last);
	span(prefix, plen, &nf, &ne);
	bool extra = covers_net(net, nlen, prefix, plen); /* the new one inside */
	for (uint32_t i = sl_model_block_lower_bound(x, net, nlen); next <= last; i++) {
		if (i < x->nblock)
			span(x->block[i].prefix, x->block[i].plen, &f, &e);
		else
			f = e = UINT64_MAX;
		if (extra && nf <= f) { /* the new prefix's turn in the order */
			f = nf, e = ne, i--;
			extra = false;
		}
		if (f > next)
			return false; /* a gap (or nothing left) */
		if (e + 1 > next)
			next = e + 1;
	}
	return true;
}

uint64_t sl_model_lockout_lookups;

/* A real server by address (host order), with its VIP's index: sorted,
 * so the servers a prefix covers are one range found by binary search. */
struct rs_ref {
	uint32_t ip;
	uint32_t svc;
};

static int cmp_ref(const void *a, const void *b)
{
	uint32_t x = ((const struct rs_ref *)a)->ip, y = ((const struct rs_ref *)b)->ip;

	return x < y ? -1 : x > y;
}

/* m's real servers, sorted by address; NULL with *n 0 when there are
 * none. 0, or -1 out of memory. */
static int rs_refs(const struct sl_model *m, struct rs_ref **refs, size_t *n)
{
	size_t total = 0;

	for (uint32_t s = 0; s < m->nsvcs; s++)
		total += m->svcs[s].nrs;
	*refs = NULL, *n = 0;
	if (total == 0)
		return 0;
	*refs = malloc(total * sizeof(**refs));
	if (*refs == NULL)
		return -1;
	for (uint32_t s = 0; s < m->nsvcs; s++)
		for (uint32_t j = 0; j < m->svcs[s].nrs; j++)
			(*refs)[(*n)++] = (struct rs_ref){sl_ntohl(m->svcs[s].rs[j].ip), s};
	qsort(*refs, *n, sizeof(**refs), cmp_ref);
	return 0;
}

/* The first server inside prefix/plen, or NULL: the lowest address at or
 * above the prefix's first, if it is not past its last (log n steps,
 * each counted). */
static const struct rs_ref *rs_inside(const struct rs_ref *refs, size_t n,
				      sl_be32 prefix, uint8_t plen)
{
	uint64_t first, last;
	size_t lo = 0, hi = n;

	span(prefix, plen, &first, &last);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		sl_model_lockout_lookups++;
		if (refs[mid].ip < first)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && refs[lo].ip <= last ? &refs[lo] : NULL;
}

/* What blocking prefix/plen hits, as "a.b.c.d, what it is" in `what`;
 * false if nothing. Cluster peers, once the model has them, belong here
 * too. */
static bool lockout_hit(const struct sl_model *m, const struct rs_ref *refs, size_t nrefs,
			sl_be32 prefix, uint8_t plen, char *what, size_t len)
{
	const struct rs_ref *rs;
	char a[SL_IPV4_STRLEN], b[SL_IPV4_STRLEN];

	if (plen == 0)
		return 0 < snprintf(what, len, "every source");
	for (uint32_t i = 0; i < m->nroutes; i++)
		if (covers_ip(prefix, plen, m->routes[i].via))
			return 0 < snprintf(what, len, "%s, the gateway of route %s/%u",
					    sl_fmt_ipv4(m->routes[i].via, b),
					    sl_fmt_ipv4(m->routes[i].prefix, a),
					    m->routes[i].plen);
	for (uint32_t i = 0; i < m->nneigh; i++)
		if (covers_ip(prefix, plen, m->neigh[i].ip))
			return 0 < snprintf(what, len, "%s, a static neighbor on port %s",
					    sl_fmt_ipv4(m->neigh[i].ip, b),
					    m->ports[m->neigh[i].port].name);
	for (uint32_t p = 0; p < m->nports; p++)
		for (uint32_t i = 0; i < m->ports[p].nhost_routes; i++) {
			const struct sl_hostif_route *r = &m->ports[p].host_routes[i];
			if (covers_ip(prefix, plen, r->via))
				return 0 < snprintf(what, len,
						    "%s, the host's gateway of route %s/%u on "
						    "port %s's exception device",
						    sl_fmt_ipv4(r->via, b),
						    sl_fmt_ipv4(r->prefix, a), r->plen,
						    m->ports[p].name);
		}
	if ((rs = rs_inside(refs, nrefs, prefix, plen)) != NULL)
		return 0 < snprintf(what, len, "%s, a real server of VIP %s",
				    sl_fmt_ipv4(sl_htonl(rs->ip), b),
				    sl_fmt_ipv4(m->svcs[rs->svc].vip, a));
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
	struct rs_ref *refs;
	size_t n;

	if (rs_refs(m, &refs, &n) != 0)
		return sl_err_set(err, SL_E_INTERNAL, "", "out of memory");
	bool hit = lockout_hit(m, refs, n, prefix, plen, what, sizeof(what));
	free(refs);
	if (!hit)
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

/* Whether `cur` had ip as a real server and p in its blocklist (an
 * earlier --force stays forced). */
static bool forced_before(const struct sl_model *cur, const struct rs_ref *refs, size_t n,
			  const struct sl_model_prefix *p, sl_be32 ip)
{
	sl_model_lockout_lookups++;
	return sl_model_block_find(&cur->xdp, p->prefix, p->plen) >= 0 &&
	       rs_inside(refs, n, ip, 32) != NULL;
}

/* A real server of `next` inside one of its blocklist prefixes, unless
 * `cur` had both already. */
static int rs_blocked_new(const struct sl_model *cur, const struct sl_model *next,
			  const char *force_hint, struct sl_err *err)
{
	struct rs_ref *refs;
	size_t n;
	int rc = 0;

	if (next->xdp.nblock == 0)
		return 0;
	if (rs_refs(cur, &refs, &n) != 0)
		return sl_err_set(err, SL_E_INTERNAL, "", "out of memory");
	for (uint32_t s = 0; s < next->nsvcs && rc == 0; s++)
		for (uint32_t j = 0; j < next->svcs[s].nrs && rc == 0; j++) {
			sl_be32 ip = next->svcs[s].rs[j].ip;
			int32_t i = blocked_by(&next->xdp, ip);
			if (i < 0 || forced_before(cur, refs, n, &next->xdp.block[i], ip))
				continue;
			char field[64];
			snprintf(field, sizeof(field), "vips[%u].real_servers[%u].ip", s, j);
			rc = rs_blocked_error(&next->xdp.block[i], ip, field, force_hint, err);
		}
	free(refs);
	return rc;
}

int sl_model_block_lockout_new(const struct sl_model *cur, const struct sl_model *next,
			       bool reload, struct sl_err *err)
{
	char a[SL_IPV4_STRLEN], what[200];
	struct rs_ref *refs;
	size_t n;
	int rc = 0;

	if (rs_refs(next, &refs, &n) != 0)
		return sl_err_set(err, SL_E_INTERNAL, "", "out of memory");
	for (uint32_t i = 0; i < next->xdp.nblock && rc == 0; i++) {
		const struct sl_model_prefix *p = &next->xdp.block[i];
		if (sl_model_block_find(&cur->xdp, p->prefix, p->plen) >= 0 ||
		    !lockout_hit(next, refs, n, p->prefix, p->plen, what, sizeof(what)))
			continue;
		rc = sl_err_set(err, SL_E_INVALID, "xdp.blocklist",
				  "%s/%u covers %s; %s", sl_fmt_ipv4(p->prefix, a), p->plen,
				  what,
				  reload ? "take it out of the file, or change what it covers"
					 : "add \"force\": true (sluicectl config apply "
					   "--force) to block it anyway");
	}
	free(refs);
	if (rc != 0)
		return rc;
	return rs_blocked_new(cur, next, reload ? NULL : "sluicectl config apply --force",
			      err);
}
