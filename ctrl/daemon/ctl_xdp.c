/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Keeping the XDP program's maps in step with the configuration
 * (ctl_xdp.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "ctl.h"
#include "devargs.h"
#include "log.h"

_Static_assert(SL_MAX_BLOCK == SL_XDP_MAX_BLOCK,
	       "the model may hold no more prefixes than the trie");
_Static_assert(SL_MAX_PORTS <= 8 && SL_ADDR_HOST == SL_XDP_ADDR_HOST,
	       "sl_xdp_addr.host_ports has a bit per port; one HOST bit");

static bool is_af_xdp(const char *devargs)
{
	return strncmp(devargs, "net_af_xdp", 10) == 0;
}

/* Does port p run Sluice's program (af_xdp, "xdp" on, no program of the
 * operator's own in the devargs)? */
static bool runs_ours(const struct sl_model_port *mp)
{
	char prog[8];

	sl_devargs_get(mp->devargs, "xdp_prog", prog, sizeof(prog));
	return is_af_xdp(mp->devargs) && mp->xdp && prog[0] == '\0';
}

int sl_ctl_port_devargs(struct sl_ctl *ctl, uint32_t p, char *out, size_t len,
			char *errbuf, size_t errlen)
{
	const struct sl_model_port *mp = &ctl->model.ports[p];
	char ifname[32], path[64], msg[256];

	if (!runs_ours(mp)) {
		snprintf(out, len, "%s", mp->devargs);
		return 0;
	}
	sl_devargs_get(mp->devargs, "iface", ifname, sizeof(ifname));
	if (sl_xdp_detach_stale(ifname, msg, sizeof(msg)) != 0) {
		snprintf(errbuf, errlen, "%s", msg);
		return -1;
	}
	if (msg[0])
		sl_warn("port %s: %s", mp->name, msg);
	if (sl_xdp_object_path(path, sizeof(path), errbuf, errlen) != 0)
		return -1;
	if ((size_t)snprintf(out, len, "%s,xdp_prog=%s", mp->devargs, path) >= len) {
		snprintf(errbuf, errlen, "devargs too long");
		return -1;
	}
	return 0;
}

int sl_ctl_xdp_port_opened(struct sl_ctl *ctl, uint32_t p, char *errbuf,
			   size_t errlen)
{
	const struct sl_model_port *mp = &ctl->model.ports[p];
	struct sl_ctl_xdp *x = &ctl->xdp;
	char ifname[32];

	if (!runs_ours(mp))
		return 0;
	sl_devargs_get(mp->devargs, "iface", ifname, sizeof(ifname));
	if (sl_xdp_port_open(&x->p[x->n].xp, ifname, errbuf, errlen) != 0)
		return -1;
	x->p[x->n].port = (uint8_t)p;
	sl_info("port %s: XDP program %s (id %u) on %s steers Sluice's frames "
		"to its sockets, the rest to the kernel", mp->name,
		SL_XDP_PROG_NAME, x->p[x->n].xp.prog_id, ifname);
	x->n++;
	x->synced = false; /* the new port's maps start empty */
	return 0;
}

void sl_ctl_xdp_close(struct sl_ctl *ctl)
{
	struct sl_ctl_xdp *x = &ctl->xdp;

	for (uint32_t i = 0; i < x->n; i++)
		sl_xdp_port_close(&x->p[i].xp);
	free(x->addr_ip);
	free(x->addr_val);
	free(x->block);
	free(x->addr6_ip);
	free(x->addr6_val);
	free(x->block6);
	memset(x, 0, sizeof(*x));
}

/* ---- addresses --------------------------------------------------------- */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* The snapshot's owned addresses (every kind: ports, VIPs, local
 * addresses, SNAT pools) and the host's exception-tap addresses
 * (SL_ADDR_HOST, with their port's bit) as (ip, value) arrays sorted by
 * ip: one entry per address, its kinds and tap ports merged. */
static int snapshot_addrs(const struct sl_snapshot *s, uint32_t **ips,
			  struct sl_xdp_addr **vals, uint32_t *n)
{
	uint32_t count = 0, slots = s->addr_mask + 1 + SL_MAX_PORTS * SL_SNAP_HOST_ADDRS;
	uint64_t *packed = malloc(slots * sizeof(*packed));

	*ips = malloc(slots * sizeof(**ips));
	*vals = calloc(slots, sizeof(**vals));
	if (!packed || !*ips || !*vals) {
		free(packed);
		free(*ips);
		free(*vals);
		return -1;
	}
	/* Sorting ip << 16 | tap ports << 8 | kinds as one number sorts by
	 * ip, and the rest rides along. */
	for (uint32_t i = 0; i <= s->addr_mask; i++)
		if (s->addrs[i].ip)
			packed[count++] = (uint64_t)s->addrs[i].ip << 16 | s->addrs[i].kinds;
	for (uint32_t p = 0; p < s->nports; p++)
		for (unsigned i = 0; i < s->ports[p].nhost; i++)
			packed[count++] = (uint64_t)s->ports[p].host[i] << 16 |
					  (1u << p) << 8 | SL_ADDR_HOST;
	qsort(packed, count, sizeof(*packed), cmp_u64);
	*n = 0;
	for (uint32_t i = 0; i < count; i++) {
		uint32_t ip = (uint32_t)(packed[i] >> 16);
		if (*n == 0 || (*ips)[*n - 1] != ip)
			(*ips)[(*n)++] = ip;
		(*vals)[*n - 1].kinds |= (uint8_t)packed[i];
		(*vals)[*n - 1].host_ports |= (uint8_t)(packed[i] >> 8);
	}
	free(packed);
	return 0;
}

/* The v4 table (see sl_ctl_xdp_prepare). */
static int prepare4(struct sl_ctl_xdp *x, const struct sl_snapshot *s, int *table_fd,
		    struct sl_err *err)
{
	struct sl_xdp_addr *vals;
	uint32_t *ips, n;

	if (snapshot_addrs(s, &ips, &vals, &n) != 0)
		return sl_err_set(err, SL_E_INTERNAL, "", "out of memory");
	if (x->synced && n == x->naddrs && !memcmp(ips, x->addr_ip, n * sizeof(*ips)) &&
	    !memcmp(vals, x->addr_val, n * sizeof(*vals))) {
		free(ips);
		free(vals);
		return 0;
	}
	int fd = sl_xdp_addr_table(ips, vals, n);
	if (fd < 0) {
		free(ips);
		free(vals);
		return sl_err_set(err, SL_E_INTERNAL, "",
				  "cannot build the XDP address table (%u addresses): %s",
				  n, strerror(-fd));
	}
	free(x->addr_ip);
	free(x->addr_val);
	x->addr_ip = ips;
	x->addr_val = vals;
	x->naddrs = n;
	*table_fd = fd;
	return 0;
}

int sl_ctl_xdp_prepare(struct sl_ctl *ctl, const struct sl_snapshot *s,
		       struct sl_xdp_tables *t, struct sl_err *err)
{
	struct sl_ctl_xdp *x = &ctl->xdp;

	*t = SL_XDP_TABLES_NONE;
	if (x->n == 0)
		return 0;
	if (prepare4(x, s, &t->v4, err) != 0)
		return -1;
	if (sl_ctl_xdp_prepare6(x, s, &t->v6, err) != 0) {
		if (t->v4 >= 0)
			close(t->v4);
		/* The v4 table remembered was never swapped in: the next
		 * attempt must build it again. */
		x->synced = false;
		t->v4 = -1;
		return -1;
	}
	return 0;
}

/* ---- blocklist and SYN rate -------------------------------------------- */

/* Add or delete `p` on port i, or on every port (i == x->n). */
static void block_on(struct sl_ctl_xdp *x, uint32_t i, const struct sl_model_prefix *p,
		     bool add)
{
	char a[SL_IPV4_STRLEN];
	uint32_t first = i == x->n ? 0 : i, end = i == x->n ? x->n : i + 1;

	for (uint32_t k = first; k < end; k++) {
		int rc = sl_xdp_port_block(&x->p[k].xp, p->prefix, p->plen, add);
		if (rc != 0)
			sl_ctl_xdp_map_error(x, "XDP on %s: cannot %s %s/%u: %s", x->p[k].xp.ifname,
				  add ? "block" : "unblock", sl_fmt_ipv4(p->prefix, a),
				  p->plen, strerror(-rc));
	}
}

/* One merge pass over two sorted lists, on port i (x->n: every port):
 * what only the old one has goes, what only the new one has comes. Adds
 * first, so a prefix replaced by a wider one is never unblocked in
 * between. */
static void apply_diff(struct sl_ctl_xdp *x, uint32_t port,
		       const struct sl_model_prefix *o, uint32_t no,
		       const struct sl_model_prefix *n, uint32_t nn)
{
	for (int pass = 0; pass < 2; pass++) {
		uint32_t i = 0, j = 0;
		while (i < no || j < nn) {
			int c = i == no ? 1 : j == nn ? -1 : sl_model_prefix_cmp(&o[i], &n[j]);
			if (c == 0) {
				i++, j++;
			} else if (c < 0) {
				if (pass == 1)
					block_on(x, port, &o[i], false);
				i++;
			} else {
				if (pass == 0)
					block_on(x, port, &n[j], true);
				j++;
			}
		}
	}
}

static int cmp_prefix(const void *a, const void *b)
{
	return sl_model_prefix_cmp(a, b);
}

/* Port i's trie read back and brought to the model's list: what a failed
 * write left behind (a prefix never deleted, one never added) is put
 * right whatever the remembered list says. */
static void reconcile_blocklist(struct sl_ctl_xdp *x, uint32_t i,
				const struct sl_model_xdp *mx)
{
	struct sl_xdp_block_key *keys = malloc(SL_XDP_MAX_BLOCK * sizeof(*keys));
	struct sl_model_prefix *have = malloc(SL_XDP_MAX_BLOCK * sizeof(*have));
	int n = keys && have ? sl_xdp_port_block_keys(&x->p[i].xp, keys, SL_XDP_MAX_BLOCK)
			     : -ENOMEM;

	if (n < 0) {
		sl_ctl_xdp_map_error(x, "XDP on %s: cannot read the blocklist back: %s",
			  x->p[i].xp.ifname, strerror(-n));
	} else {
		for (int k = 0; k < n; k++)
			have[k] = (struct sl_model_prefix){.prefix = keys[k].addr,
							   .plen = (uint8_t)keys[k].prefixlen};
		qsort(have, (size_t)n, sizeof(*have), cmp_prefix);
		apply_diff(x, i, have, (uint32_t)n, mx->block, mx->nblock);
	}
	free(keys);
	free(have);
}

/* In step: the differences from what the maps were last given. Out of
 * step (a write failed, or the first publish): each port reconciled.
 * The new list is remembered for the next diff; when it cannot be, the
 * next publish reconciles. */
static bool sync_blocklist(struct sl_ctl_xdp *x, const struct sl_model_xdp *mx)
{
	uint32_t nn = mx->nblock;

	if (x->synced)
		apply_diff(x, x->n, x->block, x->nblock, mx->block, nn);
	else
		for (uint32_t i = 0; i < x->n; i++)
			reconcile_blocklist(x, i, mx);
	struct sl_model_prefix *copy = malloc((nn ? nn : 1) * sizeof(*copy));
	if (!copy)
		return false;
	memcpy(copy, mx->block, nn * sizeof(*copy));
	free(x->block);
	x->block = copy;
	x->nblock = nn;
	return true;
}

/* ---- SNAT inside networks --------------------------------------------- */

/* Whether rule `r` of `rules` makes `prefix/plen` an inside network on
 * XDP port `port` (its pool is elsewhere). */
static bool snat_inside_on(const struct sl_ctl_xdp_snat *rules, uint32_t n,
			   sl_be32 prefix, uint8_t plen, uint8_t port)
{
	for (uint32_t r = 0; r < n; r++)
		if (rules[r].src == prefix && rules[r].plen == plen && rules[r].port != port)
			return true;
	return false;
}

static void snat_set(struct sl_ctl_xdp *x, uint32_t i, sl_be32 src, uint8_t plen,
		     bool add)
{
	char a[SL_IPV4_STRLEN];
	int rc = sl_xdp_port_snat_src(&x->p[i].xp, src, plen, add);

	if (rc != 0)
		sl_ctl_xdp_map_error(x, "XDP on %s: cannot %s SNAT inside network %s/%u: %s",
			  x->p[i].xp.ifname, add ? "add" : "remove",
			  sl_fmt_ipv4(src, a), plen, strerror(-rc));
}

/* Port i's SNAT trie read back and brought to `next`: what a failed
 * write left behind (an inside network never deleted, one never added)
 * is put right whatever x->snat says. Adds first, as below. */
static void reconcile_snat(struct sl_ctl_xdp *x, uint32_t i,
			   const struct sl_ctl_xdp_snat *next, uint32_t nn)
{
	struct sl_xdp_block_key have[SL_XDP_MAX_SNAT_SRC];
	uint8_t port = x->p[i].port;
	int n = sl_xdp_port_snat_keys(&x->p[i].xp, have, SL_XDP_MAX_SNAT_SRC);

	for (uint32_t r = 0; r < nn; r++)
		if (next[r].port != port)
			snat_set(x, i, next[r].src, next[r].plen, true);
	if (n < 0) {
		sl_ctl_xdp_map_error(x, "XDP on %s: cannot read the SNAT inside networks back: %s",
				     x->p[i].xp.ifname, strerror(-n));
		return;
	}
	for (int k = 0; k < n; k++)
		if (!snat_inside_on(next, nn, have[k].addr, (uint8_t)have[k].prefixlen, port))
			snat_set(x, i, have[k].addr, (uint8_t)have[k].prefixlen, false);
}

/* Each port's trie holds the src of every rule whose pool is on another
 * port. In step: the differences from the rules last written, adds
 * first, so a rule that stays is never missing in between (its inside
 * hosts' frames would go to the kernel untranslated). Out of step (a
 * write failed, or the first commit): each port's trie reconciled. */
static void sync_snat_src(struct sl_ctl_xdp *x, const struct sl_model *m)
{
	struct sl_ctl_xdp_snat next[SL_MAX_SNAT];

	for (uint32_t r = 0; r < m->nsnat; r++)
		next[r] = (struct sl_ctl_xdp_snat){m->snat[r].src, m->snat[r].plen,
						   m->snat[r].port};
	for (uint32_t i = 0; i < x->n; i++) {
		uint8_t port = x->p[i].port;
		if (!x->synced) {
			reconcile_snat(x, i, next, m->nsnat);
			continue;
		}
		for (uint32_t r = 0; r < m->nsnat; r++)
			if (next[r].port != port)
				snat_set(x, i, next[r].src, next[r].plen, true);
		for (uint32_t r = 0; r < x->nsnat; r++)
			if (!snat_inside_on(next, m->nsnat, x->snat[r].src, x->snat[r].plen, port))
				snat_set(x, i, x->snat[r].src, x->snat[r].plen, false);
	}
	memcpy(x->snat, next, m->nsnat * sizeof(*next));
	x->nsnat = m->nsnat;
}

void sl_ctl_xdp_commit(struct sl_ctl *ctl, const struct sl_model *m,
		       struct sl_xdp_tables t)
{
	int table_fd = t.v4;
	struct sl_ctl_xdp *x = &ctl->xdp;

	if (x->n == 0)
		return;
	sl_ctl_xdp_attempt(x);
	/* The port's bit first: a tap address is steered on a port only
	 * once the port knows which one it is. */
	int rc;
	struct sl_xdp_config cfg =
		sl_xdp_syn_config(m->xdp.syn_rate, sl_model_syn_burst(&m->xdp));
	if (!x->synced || memcmp(&cfg, &x->cfg, sizeof(cfg)) != 0) {
		for (uint32_t i = 0; i < x->n; i++) {
			struct sl_xdp_config pc = cfg;
			pc.port_bit = 1u << x->p[i].port;
			if ((rc = sl_xdp_port_set_config(&x->p[i].xp, &pc)) != 0)
				sl_ctl_xdp_map_error(x, "XDP on %s: cannot set the SYN rate and port: %s",
					  x->p[i].xp.ifname, strerror(-rc));
		}
		x->cfg = cfg;
	}
	for (uint32_t i = 0; table_fd >= 0 && i < x->n; i++) {
		rc = sl_xdp_port_set_addrs(&x->p[i].xp, table_fd);
		if (rc != 0)
			sl_ctl_xdp_map_error(x, "XDP on %s: cannot swap in the address table: %s",
				  x->p[i].xp.ifname, strerror(-rc));
	}
	if (table_fd >= 0)
		close(table_fd); /* the slots hold it */
	sync_snat_src(x, m);
	sl_ctl_xdp_commit6(x, &m->xdp, t.v6);
	if (!sync_blocklist(x, &m->xdp))
		sl_ctl_xdp_map_error(x, "XDP: out of memory remembering the blocklist");
	sl_ctl_xdp_settle(x, sl_ctl_now_ms()); /* if out of step, ctl_work retries */
	sl_debug("XDP maps: %u+%u addresses, %u+%u blocked prefixes (v4+v6), "
		 "SYN rate %u/s", x->naddrs, x->naddrs6, x->nblock, x->nblock6,
		 m->xdp.syn_rate);
}

/* ---- reading ----------------------------------------------------------- */

static json_t *counters_json(const uint64_t *c)
{
	json_t *o = json_object();

	for (unsigned i = 0; i < SL_XDP_CNT_MAX; i++)
		json_object_set_new(o, sl_xdp_counter_name(i), json_integer((json_int_t)c[i]));
	return o;
}

json_t *sl_ctl_xdp_stats(const struct sl_ctl *ctl)
{
	const struct sl_ctl_xdp *x = &ctl->xdp;
	uint64_t total[SL_XDP_CNT_MAX] = {0}, c[SL_XDP_CNT_MAX];
	json_t *ports = json_array();

	for (uint32_t i = 0; i < x->n; i++) {
		if (sl_xdp_port_counters(&x->p[i].xp, c) != 0)
			continue;
		json_t *o = counters_json(c);
		json_object_set_new(o, "port", json_string(ctl->model.ports[x->p[i].port].name));
		json_object_set_new(o, "ifname", json_string(x->p[i].xp.ifname));
		json_array_append_new(ports, o);
		for (unsigned k = 0; k < SL_XDP_CNT_MAX; k++)
			total[k] += c[k];
	}
	json_t *o = json_pack("{s:o, s:o, s:I, s:I, s:b}", "ports", ports, "totals",
			      counters_json(total), "map_errors", (json_int_t)x->map_errors,
			      "retries", (json_int_t)x->retries,
			      "in_sync", x->n == 0 || x->synced);
	if (o && x->map_errors)
		json_object_set_new(o, "last_error", json_string(x->last_error));
	return o;
}

uint64_t sl_ctl_xdp_block_hits(const struct sl_ctl *ctl, sl_be32 prefix,
			       uint8_t plen)
{
	uint64_t hits = 0;

	for (uint32_t i = 0; i < ctl->xdp.n; i++)
		hits += sl_xdp_port_block_hits(&ctl->xdp.p[i].xp, prefix, plen);
	return hits;
}

json_t *sl_ctl_xdp_port_names(const struct sl_ctl *ctl)
{
	json_t *a = json_array();

	for (uint32_t i = 0; i < ctl->xdp.n; i++)
		json_array_append_new(a, json_string(ctl->model.ports[ctl->xdp.p[i].port].name));
	return a;
}
