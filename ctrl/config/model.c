/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control plane's model: storage, lifetime, services and real
 * servers. The other changes live beside it (model_net.c: ports, routes,
 * local addresses, static neighbors; model_snat.c; model_svc.c: service
 * options; model_xdp.c), all on top of model_lookup.c's lookups and shared
 * checks, which call none of them.
 *
 * Storage. Ports, routes, local addresses and SNAT rules are small fixed
 * arrays inside struct sl_model (about 17 KiB in all, copied with the
 * struct). Services and static neighbors grow with what they hold,
 * doubling (sl_model_room), and a clone allocates them at exactly their
 * count: every request is applied to a clone, and at their limits
 * (SL_MAX_SVC x 184 bytes, SL_MAX_NEIGH x 12) each clone would cost
 * 190 KiB and 48 KiB to allocate and zero, most of a small model's
 * publish. A service's real servers grow by one entry per add. Growing is
 * the only step of an add that can fail after validation, and it fails
 * before anything changes; growth may move the array, so no pointer into
 * it is kept across an add.
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
#include "model_internal.h"
#include "sched.h"

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

void sl_model_protected_changed(struct sl_model *m)
{
	static uint64_t last;

	m->protect_gen = ++last;
}

int sl_model_init(struct sl_model *m)
{
	memset(m, 0, sizeof(*m));
	m->workers = 1;
	snprintf(m->socket_path, sizeof(m->socket_path), "%s",
		 "/run/sluice/sluice.sock");
	snprintf(m->log_level, sizeof(m->log_level), "%s", "info");
	m->socket_mode = 0600;
	m->ro_socket_mode = 0660;
	m->steer_ring = SL_STEER_RING_SIZE_DEFAULT;
	m->neigh_max = SL_MAX_NEIGH;
	m->idle_empty_polls = 64;
	m->max_conns = 262144;
	m->max_conns_v6 = SL_CT_EXT_DEFAULT(m->max_conns);
	m->lport_lo = 1024;
	m->lport_hi = 65535;
	m->verify_l4_csum = true;
	m->icmp_mtu_floor = SL_ICMP_MTU_FLOOR_DEFAULT;
	m->flush_resets_per_sec = SL_FLUSH_RESETS_DEFAULT;
	m->persist_max = SL_PERSIST_MAX_DEFAULT;
	for (unsigned s = 0; s < SL_CS_MAX; s++)
		m->timeouts_ms[s] = timeout_default_s[s] * 1000;
	sl_model_snat_defaults(m);
	sl_model_xdp_init(&m->xdp);
	return 0;
}

void *sl_model_room(void *arr, uint32_t *cap, uint32_t n, size_t size,
		    uint32_t max)
{
	if (n < *cap)
		return arr;
	uint32_t want = *cap > SL_MODEL_GROW_MIN / 2 ? *cap * 2 : SL_MODEL_GROW_MIN;
	if (want > max)
		want = max;
	if (n >= want)
		return NULL;
	void *grown = realloc(arr, (size_t)want * size);
	if (grown)
		*cap = want;
	return grown;
}

/* Leaves the model zeroed, so freeing twice is harmless. */
const char *sl_model_eal_opt(const struct sl_model *m, const char *opt, uint32_t *i)
{
	size_t n = strlen(opt);

	for (; *i < m->neal; (*i)++) {
		const char *e = m->eal[*i];
		if (!strcmp(e, opt)) {
			if (*i + 1 == m->neal)
				return "";
			return m->eal[++(*i)];
		}
		if (!strncmp(e, opt, n) && e[n] == '=')
			return e + n + 1;
	}
	return NULL;
}

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
	if (src->nsvcs == 0)
		return 0;
	dst->svcs = malloc(src->nsvcs * sizeof(*dst->svcs));
	if (!dst->svcs)
		return -1;
	dst->svcs_cap = src->nsvcs;
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
	dst->nsvcs = dst->svcs_cap = 0;
	dst->neigh = NULL;
	dst->nneigh = dst->neigh_cap = 0;
	if (src->nneigh) {
		dst->neigh = malloc(src->nneigh * sizeof(*dst->neigh));
		if (dst->neigh) {
			memcpy(dst->neigh, src->neigh, src->nneigh * sizeof(*dst->neigh));
			dst->nneigh = dst->neigh_cap = src->nneigh;
		}
	}
	/* First: it always leaves dst->xdp safe to free. */
	if (sl_model_xdp_clone(&dst->xdp, &src->xdp) < 0 ||
	    dst->nneigh != src->nneigh || clone_eal(dst, src) < 0 ||
	    clone_svcs(dst, src) < 0) {
		sl_model_free(dst);
		return -1;
	}
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
			   sl_model_svc_str(vip, port, proto, s));
	return svc;
}

static int check_svc_args(sl_be32 vip, sl_be16 port, uint8_t proto,
			  uint8_t sched, struct sl_err *err)
{
	if (sl_model_need_unicast(vip, "vip", err) < 0)
		return -1;
	return sl_model_check_svc_kind(port, proto, sched, err);
}

int sl_model_check_svc_kind(sl_be16 port, uint8_t proto, uint8_t sched,
			    struct sl_err *err)
{
	if (sl_model_need_port(port, "port", err) < 0)
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

int sl_model_append_svc(struct sl_model *m, const struct sl_model_svc *tmpl,
			struct sl_err *err)
{
	uint8_t used[SL_MAX_SVC / 8] = {0};

	if (m->nsvcs >= SL_MAX_SVC)
		return sl_err_set(err, SL_E_LIMIT, "", "at most %d VIPs",
				  SL_MAX_SVC);
	for (uint32_t i = 0; i < m->nsvcs; i++)
		sl_model_mark_used(used, m->svcs[i].id);
	int id = sl_model_next_free_id(used, SL_MAX_SVC, m->next_svc_id);
	if (id < 0)
		return sl_err_set(err, SL_E_INTERNAL, "", "no free VIP id");
	struct sl_model_svc *svcs = sl_model_room(m->svcs, &m->svcs_cap, m->nsvcs,
						  sizeof(*svcs), SL_MAX_SVC);
	if (!svcs)
		return sl_err_set(err, SL_E_INTERNAL, "", "out of memory");

	m->svcs = svcs;
	struct sl_model_svc *svc = &m->svcs[m->nsvcs++];
	*svc = *tmpl;
	svc->id = (uint16_t)id;
	svc->mh_size = SL_MH_DEFAULT_SIZE;
	svc->persist_plen6 = SL_PERSIST_PLEN6_DEFAULT;
	sl_hc_defaults(&svc->hc);
	m->next_svc_id = (uint16_t)((id + 1) % SL_MAX_SVC);
	return 0;
}

int sl_model_add_svc(struct sl_model *m, sl_be32 vip, sl_be16 port,
		     uint8_t proto, uint8_t sched, struct sl_err *err)
{
	char s[SVC_STRLEN];

	if (check_svc_args(vip, port, proto, sched, err) < 0)
		return -1;
	if (sl_model_find_svc(m, vip, port, proto))
		return sl_err_set(err, SL_E_EXISTS, "vip", "VIP %s exists",
				  sl_model_svc_str(vip, port, proto, s));
	if (sl_model_refuse_own(m, vip, SL_OWN_LADDR | SL_OWN_POOL | SL_OWN_TAP, "vip", err) < 0)
		return -1;
	const struct sl_model_svc tmpl = {
		.vip = vip, .port = port, .proto = proto, .sched = sched,
	};
	return sl_model_append_svc(m, &tmpl, err);
}

int sl_model_del_svc(struct sl_model *m, sl_be32 vip, sl_be16 port,
		     uint8_t proto, struct sl_err *err)
{
	struct sl_model_svc *svc = need_svc(m, vip, port, proto, err);

	if (!svc)
		return -1;
	sl_model_remove_svc(m, svc);
	return 0;
}

void sl_model_remove_svc(struct sl_model *m, struct sl_model_svc *svc)
{
	uint32_t i = (uint32_t)(svc - m->svcs);
	m->nrs_total -= svc->nrs;
	free(svc->rs);
	memmove(&m->svcs[i], &m->svcs[i + 1],
		(m->nsvcs - i - 1) * sizeof(*m->svcs));
	m->nsvcs--;
	memset(&m->svcs[m->nsvcs], 0, sizeof(*m->svcs));
	sl_model_protected_changed(m);
}

/* ---- real servers ------------------------------------------------------ */

int sl_model_check_new_rs4(const struct sl_model *m,
			   const struct sl_model_svc *svc, sl_be32 ip,
			   sl_be16 port, uint32_t weight, struct sl_err *err)
{
	char a[SL_IPPORT_STRLEN], s[SVC_STRLEN];

	if (sl_model_need_unicast(ip, "ip", err) < 0 || sl_model_need_port(port, "port", err) < 0 ||
	    sl_model_need_weight(weight, err) < 0)
		return -1;
	sl_model_svc_text(svc, s);
	if (sl_model_find_rs(svc, ip, port))
		return sl_err_set(err, SL_E_EXISTS, "ip",
				  "real server %s exists in VIP %s",
				  sl_fmt_ipport(ip, port, a), s);
	if (sl_model_refuse_own(m, ip, SL_OWN_PORT | SL_OWN_LADDR | SL_OWN_VIP | SL_OWN_POOL, "ip", err) < 0)
		return -1;
	if (sl_model_route(m, ip, NULL, NULL) < 0)
		return sl_err_set(err, SL_E_INVALID, "ip", "no route to %s",
				  sl_fmt_ipv4(ip, a));
	return 0;
}

static int alloc_rs_id(const struct sl_model *m)
{
	uint8_t used[SL_MAX_RS / 8] = {0};

	for (uint32_t i = 0; i < m->nsvcs; i++)
		for (uint32_t j = 0; j < m->svcs[i].nrs; j++)
			sl_model_mark_used(used, m->svcs[i].rs[j].id);
	return sl_model_next_free_id(used, SL_MAX_RS, m->next_rs_id);
}

int sl_model_append_rs(struct sl_model *m, struct sl_model_svc *svc,
		       const struct sl_model_rs *tmpl, struct sl_err *err)
{
	char s[SL_ADDRPORT_STRLEN];

	if (svc->nrs >= SL_MAX_RS_PER_SVC) {
		struct sl_addr vip = sl_model_svc_vip(svc);
		return sl_err_set(err, SL_E_LIMIT, "",
				  "VIP %s has %u real servers, the most one may have",
				  sl_fmt_addrport(&vip, svc->port, s), svc->nrs);
	}
	if (m->nrs_total >= SL_MAX_RS)
		return sl_err_set(err, SL_E_LIMIT, "",
				  "at most %d real servers in all", SL_MAX_RS);
	int id = alloc_rs_id(m);
	if (id < 0)
		return sl_err_set(err, SL_E_INTERNAL, "", "no free real server id");
	struct sl_model_rs *grown = realloc(svc->rs, (svc->nrs + 1) * sizeof(*grown));
	if (!grown)
		return sl_err_set(err, SL_E_INTERNAL, "", "out of memory");

	svc->rs = grown;
	svc->rs[svc->nrs] = *tmpl;
	svc->rs[svc->nrs++].id = (uint16_t)id;
	m->nrs_total++;
	m->next_rs_id = (uint16_t)((id + 1) % SL_MAX_RS);
	sl_model_protected_changed(m);
	return 0;
}

int sl_model_add_rs(struct sl_model *m, sl_be32 vip, sl_be16 vport,
		    uint8_t proto, sl_be32 ip, sl_be16 port, uint32_t weight,
		    struct sl_err *err)
{
	struct sl_model_svc *svc = need_svc(m, vip, vport, proto, err);

	if (!svc || sl_model_check_new_rs4(m, svc, ip, port, weight, err) < 0)
		return -1;
	const struct sl_model_rs tmpl = {.ip = ip, .port = port, .weight = weight};
	return sl_model_append_rs(m, svc, &tmpl, err);
}

void sl_model_remove_rs(struct sl_model *m, struct sl_model_svc *svc,
			struct sl_model_rs *rs)
{
	uint32_t i = (uint32_t)(rs - svc->rs);
	memmove(&svc->rs[i], &svc->rs[i + 1],
		(svc->nrs - i - 1) * sizeof(*svc->rs));
	svc->nrs--;
	m->nrs_total--;
	sl_model_protected_changed(m);
}
