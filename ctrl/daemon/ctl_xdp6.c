/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The XDP program's IPv6 maps kept in step with the configuration
 * (ctl_xdp.h): the v6 address table, rebuilt and swapped in when the
 * snapshot's v6 addresses change, and the v6 blocklist, diffed or
 * reconciled like IPv4's (ctl_xdp.c), in the same publish and the same
 * failing spell.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "ctl.h"
#include "snapshot6.h"

/* Every v6 address the snapshot can own (index_addrs6, index_svc6) fits
 * the program's table, so no model the config checks take can make a
 * publish fail with E2BIG: a limit raised past it stops the build here
 * rather than every af_xdp publish at run time. */
_Static_assert(SL_MAX_PORTS + SL_MAX_LIPS6 + SL_MAX_SVC <= SL_XDP_MAX_ADDRS6,
	       "ports' v6 addresses, v6 local addresses and v6 VIPs fit the XDP table");

static int cmp_addr6(const void *a, const void *b)
{
	return memcmp(a, b, 16);
}

int sl_ctl_xdp_prepare6(struct sl_ctl_xdp *x, const struct sl_snapshot *s, int *fd,
			struct sl_err *err)
{
	uint32_t slots = s->addr6_mask ? s->addr6_mask + 1 : 0, n = 0;
	uint8_t (*ips)[16] = malloc((slots ? slots : 1) * sizeof(*ips));
	struct sl_xdp_addr *vals = calloc(slots ? slots : 1, sizeof(*vals));

	*fd = -1;
	if (!ips || !vals) {
		free(ips);
		free(vals);
		return sl_err_set(err, SL_E_INTERNAL, "", "out of memory");
	}
	for (uint32_t i = 0; i < slots; i++)
		if (s->addrs6[i].kinds)
			memcpy(ips[n++], s->addrs6[i].ip, 16);
	/* Sorted, so an unchanged set compares equal; the kinds are looked
	 * up again after (each address is in the hash once). */
	qsort(ips, n, sizeof(*ips), cmp_addr6);
	for (uint32_t i = 0; i < n; i++)
		vals[i].kinds = sl_snap6_find_addr(s, ips[i])->kinds;
	if (x->synced && n == x->naddrs6 && !memcmp(ips, x->addr6_ip, n * sizeof(*ips)) &&
	    !memcmp(vals, x->addr6_val, n * sizeof(*vals))) {
		free(ips);
		free(vals);
		return 0;
	}
	int t = sl_xdp_addr6_table((const uint8_t (*)[16])ips, vals, n);
	if (t < 0) {
		free(ips);
		free(vals);
		return sl_err_set(err, SL_E_INTERNAL, "",
				  "cannot build the XDP IPv6 address table (%u addresses): %s",
				  n, strerror(-t));
	}
	free(x->addr6_ip);
	free(x->addr6_val);
	x->addr6_ip = ips;
	x->addr6_val = vals;
	x->naddrs6 = n;
	*fd = t;
	return 0;
}

/* Add or delete `p` on port k. */
static void block6_on(struct sl_ctl_xdp *x, uint32_t k, const struct sl_model_prefix6 *p,
		      bool add)
{
	char a[SL_IPV6_STRLEN];
	int rc = sl_xdp_port_block6(&x->p[k].xp, p->prefix, p->plen, add);

	if (rc != 0)
		sl_ctl_xdp_map_error(x, "XDP on %s: cannot %s %s/%u: %s", x->p[k].xp.ifname,
				     add ? "block" : "unblock", sl_fmt_ipv6(p->prefix, a),
				     p->plen, strerror(-rc));
}

/* On port k: what only the sorted `o` has goes, what only `n` has comes,
 * adds first (a prefix replaced by a wider one is never open between). */
static void diff6(struct sl_ctl_xdp *x, uint32_t k, const struct sl_model_prefix6 *o,
		  uint32_t no, const struct sl_model_prefix6 *n, uint32_t nn)
{
	for (int pass = 0; pass < 2; pass++) {
		uint32_t i = 0, j = 0;
		while (i < no || j < nn) {
			int c = i == no ? 1 : j == nn ? -1 : sl_model_prefix6_cmp(&o[i], &n[j]);
			if (c == 0) {
				i++, j++;
			} else if (c < 0) {
				if (pass == 1)
					block6_on(x, k, &o[i], false);
				i++;
			} else {
				if (pass == 0)
					block6_on(x, k, &n[j], true);
				j++;
			}
		}
	}
}

static int cmp_prefix6(const void *a, const void *b)
{
	return sl_model_prefix6_cmp(a, b);
}

/* Port k's v6 trie read back and brought to the model's list. */
static void reconcile6(struct sl_ctl_xdp *x, uint32_t k, const struct sl_model_xdp *mx)
{
	struct sl_xdp_block6_key *keys = malloc(SL_XDP_MAX_BLOCK * sizeof(*keys));
	struct sl_model_prefix6 *have = malloc(SL_XDP_MAX_BLOCK * sizeof(*have));
	int n = keys && have ? sl_xdp_port_block6_keys(&x->p[k].xp, keys, SL_XDP_MAX_BLOCK)
			     : -ENOMEM;

	if (n < 0) {
		sl_ctl_xdp_map_error(x, "XDP on %s: cannot read the IPv6 blocklist back: %s",
				     x->p[k].xp.ifname, strerror(-n));
	} else {
		for (int i = 0; i < n; i++) {
			memcpy(have[i].prefix, keys[i].addr, 16);
			have[i].plen = (uint8_t)keys[i].prefixlen;
		}
		qsort(have, (size_t)n, sizeof(*have), cmp_prefix6);
		diff6(x, k, have, (uint32_t)n, mx->block6, mx->nblock6);
	}
	free(keys);
	free(have);
}

void sl_ctl_xdp_commit6(struct sl_ctl_xdp *x, const struct sl_model_xdp *mx, int fd)
{
	for (uint32_t k = 0; fd >= 0 && k < x->n; k++) {
		int rc = sl_xdp_port_set_addrs6(&x->p[k].xp, fd);
		if (rc != 0)
			sl_ctl_xdp_map_error(x, "XDP on %s: cannot swap in the IPv6 address table: %s",
					     x->p[k].xp.ifname, strerror(-rc));
	}
	if (fd >= 0)
		close(fd); /* the slots hold it */
	for (uint32_t k = 0; k < x->n; k++)
		if (x->synced)
			diff6(x, k, x->block6, x->nblock6, mx->block6, mx->nblock6);
		else
			reconcile6(x, k, mx);
	struct sl_model_prefix6 *copy = malloc((mx->nblock6 ? mx->nblock6 : 1) * sizeof(*copy));
	if (!copy) {
		sl_ctl_xdp_map_error(x, "XDP: out of memory remembering the IPv6 blocklist");
		return;
	}
	memcpy(copy, mx->block6, mx->nblock6 * sizeof(*copy));
	free(x->block6);
	x->block6 = copy;
	x->nblock6 = mx->nblock6;
}

uint64_t sl_ctl_xdp_block6_hits(const struct sl_ctl *ctl, const uint8_t prefix[16],
				uint8_t plen)
{
	uint64_t hits = 0;

	for (uint32_t i = 0; i < ctl->xdp.n; i++)
		hits += sl_xdp_port_block6_hits(&ctl->xdp.p[i].xp, prefix, plen);
	return hits;
}
