/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The IPv6 blocklist in the model, and what a v6 prefix must not cover
 * (model_xdp.h). Sorted by address, then length, like IPv4's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "model.h"

int sl_model_prefix6_cmp(const struct sl_model_prefix6 *a,
			 const struct sl_model_prefix6 *b)
{
	int c = memcmp(a->prefix, b->prefix, 16);

	return c ? c : (int)a->plen - (int)b->plen;
}

static uint32_t lower_bound6(const struct sl_model_xdp *x,
			     const struct sl_model_prefix6 *p)
{
	uint32_t lo = 0, hi = x->nblock6;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		sl_model_lockout_lookups++;
		if (sl_model_prefix6_cmp(&x->block6[mid], p) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static struct sl_model_prefix6 prefix6(const uint8_t prefix[16], uint8_t plen)
{
	struct sl_model_prefix6 p = {.plen = plen};

	memcpy(p.prefix, prefix, 16);
	return p;
}

int sl_model_block6_find(const struct sl_model_xdp *x, const uint8_t prefix[16],
			 uint8_t plen)
{
	struct sl_model_prefix6 p = prefix6(prefix, plen);
	uint32_t i = lower_bound6(x, &p);

	return i < x->nblock6 && sl_model_prefix6_cmp(&x->block6[i], &p) == 0 ? (int)i
									     : -1;
}

static const char *fmt_prefix6(const uint8_t prefix[16], uint8_t plen,
			       char buf[SL_IPV6_STRLEN + 4])
{
	char a[SL_IPV6_STRLEN];

	snprintf(buf, SL_IPV6_STRLEN + 4, "%s/%u", sl_fmt_ipv6(prefix, a), plen);
	return buf;
}

/* Inside ::ffff:0:0/96: IPv4 written as IPv6, never a v6 frame's source
 * (the XDP program sees a v4 sender as IPv4), so it would never match. */
static bool v4_mapped(const uint8_t prefix[16], uint8_t plen)
{
	static const uint8_t mapped[12] = {[10] = 0xff, [11] = 0xff};

	return plen >= 96 && memcmp(prefix, mapped, sizeof(mapped)) == 0;
}

int sl_model_block6_add(struct sl_model *m, const uint8_t prefix[16], uint8_t plen,
			struct sl_err *err)
{
	struct sl_model_xdp *x = &m->xdp;
	struct sl_model_prefix6 p = prefix6(prefix, plen);
	char a[SL_IPV6_STRLEN + 4];

	if (plen > 128 || !sl_ipv6_host_bits_zero(prefix, plen))
		return sl_err_set(err, SL_E_INVALID, "prefix", "%s has host bits set",
				  fmt_prefix6(prefix, plen, a));
	if (v4_mapped(prefix, plen))
		return sl_err_set(err, SL_E_INVALID, "prefix",
				  "%s is v4-mapped (::ffff:a.b.c.d), which no IPv6 "
				  "frame comes from: block the IPv4 prefix instead",
				  fmt_prefix6(prefix, plen, a));
	uint32_t i = lower_bound6(x, &p);
	if (i < x->nblock6 && sl_model_prefix6_cmp(&x->block6[i], &p) == 0)
		return sl_err_set(err, SL_E_EXISTS, "prefix", "%s is blocked already",
				  fmt_prefix6(prefix, plen, a));
	if (x->nblock6 >= SL_MAX_BLOCK)
		return sl_err_set(err, SL_E_LIMIT, "", "at most %d blocked IPv6 prefixes",
				  SL_MAX_BLOCK);
	if (x->nblock6 == x->block6_cap) {
		uint32_t cap = x->block6_cap ? x->block6_cap * 2 : 64;
		struct sl_model_prefix6 *b = realloc(x->block6, cap * sizeof(*b));
		if (b == NULL)
			return sl_err_set(err, SL_E_INTERNAL, "", "out of memory");
		x->block6 = b;
		x->block6_cap = cap;
	}
	memmove(&x->block6[i + 1], &x->block6[i], (x->nblock6 - i) * sizeof(p));
	x->block6[i] = p;
	x->nblock6++;
	return 0;
}

int sl_model_block6_del(struct sl_model *m, const uint8_t prefix[16], uint8_t plen,
			struct sl_err *err)
{
	struct sl_model_xdp *x = &m->xdp;
	char a[SL_IPV6_STRLEN + 4];
	int i = sl_model_block6_find(x, prefix, plen);

	if (i < 0)
		return sl_err_set(err, SL_E_NOT_FOUND, "prefix", "%s is not blocked",
				  fmt_prefix6(prefix, plen, a));
	memmove(&x->block6[i], &x->block6[i + 1],
		(x->nblock6 - (uint32_t)i - 1) * sizeof(*x->block6));
	x->nblock6--;
	return 0;
}

/* ---- lock-out ---------------------------------------------------------- */

static bool inside(const uint8_t a[16], const uint8_t prefix[16], uint8_t plen)
{
	struct sl_addr x = {.af = SL_AF_V6}, p = {.af = SL_AF_V6};

	memcpy(x.v6, a, 16);
	memcpy(p.v6, prefix, 16);
	return sl_addr_in_prefix(&x, &p, plen);
}

/* prefix/plen and fe80::/10 share an address: the shorter holds the
 * other's start. */
static bool overlaps_link_local(const uint8_t prefix[16], uint8_t plen)
{
	static const uint8_t fe80[16] = {0xfe, 0x80};

	return plen <= 10 ? inside(fe80, prefix, plen) : inside(prefix, fe80, 10);
}

/* A route's gateway, a static neighbor or link-local inside prefix/plen, as
 * "addr, what it is" in `what`; false if none (a few dozen at most). */
static bool gateway_hit(const struct sl_model *m, const uint8_t prefix[16],
			uint8_t plen, char *what, size_t len)
{
	static const uint8_t none[16];
	char a[SL_IPV6_STRLEN], b[SL_IPV6_STRLEN + 4];

	if (plen == 0)
		return 0 < snprintf(what, len, "every IPv6 source");
	/* Routers solicit and probe (NS, NUD) from link-local sources: a
	 * prefix overlapping fe80::/10, inside it or around it, cuts every
	 * gateway off as surely as one over the gateway's global address. */
	if (overlaps_link_local(prefix, plen))
		return 0 < snprintf(what, len,
				    "link-local sources (fe80::/10), which routers' "
				    "neighbor discovery comes from");
	for (uint32_t i = 0; i < m->nroutes6; i++) {
		const struct sl_model_route6 *r = &m->routes6[i];
		if (memcmp(r->via, none, 16) != 0 && inside(r->via, prefix, plen))
			return 0 < snprintf(what, len, "%s, the gateway of route %s",
					    sl_fmt_ipv6(r->via, a),
					    fmt_prefix6(r->prefix, r->plen, b));
	}
	for (uint32_t i = 0; i < m->nneigh6; i++)
		if (inside(m->neigh6[i].ip, prefix, plen))
			return 0 < snprintf(what, len, "%s, a static neighbor on port %s",
					    sl_fmt_ipv6(m->neigh6[i].ip, a),
					    m->ports[m->neigh6[i].port].name);
	return false;
}

/* A v6 real server's description, "addr, a real server of VIP v". */
static void rs_what(const struct sl_model_svc *svc, const struct sl_model_rs *rs,
		    char *what, size_t len)
{
	struct sl_addr vip = sl_model_svc_vip(svc);
	char a[SL_IPV6_STRLEN], v[SL_ADDR_STRLEN];

	snprintf(what, len, "%s, a real server of VIP %s", sl_fmt_ipv6(rs->ip6, a),
		 sl_fmt_addr(&vip, v));
}

static bool is_v6_rs(const struct sl_model_svc *svc, const struct sl_model_rs *rs)
{
	return svc->v6 && rs->ip == 0;
}

int sl_model_block6_lockout(const struct sl_model *m, const uint8_t prefix[16],
			    uint8_t plen, struct sl_err *err)
{
	char what[200], a[SL_IPV6_STRLEN + 4];
	bool hit = gateway_hit(m, prefix, plen, what, sizeof(what));

	for (uint32_t s = 0; s < m->nsvcs && !hit; s++)
		for (uint32_t j = 0; j < m->svcs[s].nrs && !hit; j++)
			if (is_v6_rs(&m->svcs[s], &m->svcs[s].rs[j]) &&
			    inside(m->svcs[s].rs[j].ip6, prefix, plen)) {
				rs_what(&m->svcs[s], &m->svcs[s].rs[j], what, sizeof(what));
				hit = true;
			}
	if (!hit)
		return 0;
	return sl_err_set(err, SL_E_INVALID, "prefix",
			  "%s covers %s; add \"force\": true "
			  "(sluicectl blocklist add --force) to block it anyway",
			  fmt_prefix6(prefix, plen, a), what);
}

/* The blocklist prefix holding ip, or -1: its masked self at each
 * length, one binary search each (129 x log n), the shortest first. */
static int blocked_by6(const struct sl_model_xdp *x, const uint8_t ip[16])
{
	uint8_t net[16];

	for (unsigned l = 0; l <= 128 && x->nblock6 > 0; l++) {
		memset(net, 0, sizeof(net));
		memcpy(net, ip, l / 8);
		if (l % 8)
			net[l / 8] = (uint8_t)(ip[l / 8] & (0xff00u >> (l % 8)));
		int i = sl_model_block6_find(x, net, (uint8_t)l);
		if (i >= 0)
			return i;
	}
	return -1;
}

/* Whether `cur` had v6 server ip and prefix p both (an earlier --force
 * stays forced). */
static bool forced_before6(const struct sl_model *cur, const struct sl_model_prefix6 *p,
			   const uint8_t ip[16])
{
	if (sl_model_block6_find(&cur->xdp, p->prefix, p->plen) < 0)
		return false;
	for (uint32_t s = 0; s < cur->nsvcs; s++)
		for (uint32_t j = 0; j < cur->svcs[s].nrs; j++)
			if (is_v6_rs(&cur->svcs[s], &cur->svcs[s].rs[j]) &&
			    memcmp(cur->svcs[s].rs[j].ip6, ip, 16) == 0)
				return true;
	return false;
}

static int refuse_new(const struct sl_model_prefix6 *p, const char *field,
		      const char *what, bool reload, struct sl_err *err)
{
	char a[SL_IPV6_STRLEN + 4];

	return sl_err_set(err, SL_E_INVALID, field, "%s covers %s; %s",
			  fmt_prefix6(p->prefix, p->plen, a), what,
			  reload ? "take it out of the file, or change what it covers"
				 : "add \"force\": true (sluicectl config apply "
				   "--force) to block it anyway");
}

int sl_model_block6_lockout_new(const struct sl_model *cur, const struct sl_model *next,
				bool reload, struct sl_err *err)
{
	const struct sl_model_xdp *x = &next->xdp;
	char what[200], field[64];

	for (uint32_t i = 0; i < x->nblock6; i++) {
		const struct sl_model_prefix6 *p = &x->block6[i];
		if (sl_model_block6_find(&cur->xdp, p->prefix, p->plen) < 0 &&
		    gateway_hit(next, p->prefix, p->plen, what, sizeof(what)))
			return refuse_new(p, "xdp.blocklist", what, reload, err);
	}
	for (uint32_t s = 0; s < next->nsvcs && x->nblock6; s++)
		for (uint32_t j = 0; j < next->svcs[s].nrs; j++) {
			const struct sl_model_rs *rs = &next->svcs[s].rs[j];
			int b = is_v6_rs(&next->svcs[s], rs) ? blocked_by6(x, rs->ip6) : -1;
			if (b < 0 || forced_before6(cur, &x->block6[b], rs->ip6))
				continue;
			rs_what(&next->svcs[s], rs, what, sizeof(what));
			snprintf(field, sizeof(field), "vips[%u].real_servers[%u].ip", s, j);
			return refuse_new(&x->block6[b], field, what, reload, err);
		}
	return 0;
}
