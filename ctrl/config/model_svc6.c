/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Services of either family (issue 15). A v4 VIP goes to model.c's
 * operations unchanged; a v6 VIP is a service like any other (same
 * array, ids, options, health checks), marked `v6` with its address in
 * vip6 and `vip` 0, so the v4 lookups never find it. Its servers are all
 * v6 (FNAT66: ip6, `ip` 0) or all v4 (NAT64), the family of the first
 * deciding (sl_model_svc_mode's rule, checked here against the servers
 * already there).
 */
#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "model_internal.h"

struct sl_model_svc *sl_model_find_svc_at(const struct sl_model *m,
					  const struct sl_addr *vip,
					  sl_be16 port, uint8_t proto)
{
	if (vip->af == SL_AF_V4)
		return sl_model_find_svc(m, vip->v4, port, proto);
	for (uint32_t i = 0; i < m->nsvcs; i++) {
		struct sl_model_svc *s = &m->svcs[i];
		if (s->v6 && s->port == port && s->proto == proto &&
		    memcmp(s->vip6, vip->v6, 16) == 0)
			return s;
	}
	return NULL;
}

struct sl_model_rs *sl_model_find_rs_at(const struct sl_model_svc *svc,
					const struct sl_addr *ip, sl_be16 port)
{
	if (ip->af == SL_AF_V4)
		return sl_model_find_rs(svc, ip->v4, port);
	for (uint32_t i = 0; i < svc->nrs; i++)
		if (svc->rs[i].ip == 0 && svc->rs[i].port == port &&
		    memcmp(svc->rs[i].ip6, ip->v6, 16) == 0)
			return &svc->rs[i];
	return NULL;
}

struct sl_model_svc *sl_model_find_same_svc(const struct sl_model *m,
					    const struct sl_model_svc *like)
{
	struct sl_addr vip = sl_model_svc_vip(like);

	return sl_model_find_svc_at(m, &vip, like->port, like->proto);
}

struct sl_model_rs *sl_model_find_same_rs(const struct sl_model_svc *svc,
					  const struct sl_model_rs *like)
{
	struct sl_addr ip = sl_model_rs_addr(like);

	return sl_model_find_rs_at(svc, &ip, like->port);
}

char *sl_model_rs_text(const struct sl_model_rs *rs, char *buf)
{
	struct sl_addr ip = sl_model_rs_addr(rs);

	return sl_fmt_addrport(&ip, rs->port, buf);
}

char *sl_model_vip_str(const struct sl_model_svc *svc, char *buf)
{
	struct sl_addr vip = sl_model_svc_vip(svc);

	return sl_fmt_addr(&vip, buf);
}

char *sl_model_rs_ip_str(const struct sl_model_rs *rs, char *buf)
{
	struct sl_addr ip = sl_model_rs_addr(rs);

	return sl_fmt_addr(&ip, buf);
}

static struct sl_model_svc *need_svc_at(const struct sl_model *m,
					const struct sl_addr *vip, sl_be16 port,
					uint8_t proto, struct sl_err *err)
{
	char a[SL_ADDRPORT_STRLEN];
	struct sl_model_svc *svc = sl_model_find_svc_at(m, vip, port, proto);

	if (!svc)
		sl_err_set(err, SL_E_NOT_FOUND, "vip", "no VIP %s/%s",
			   sl_fmt_addrport(vip, port, a), sl_proto_name(proto));
	return svc;
}

static int add_svc6(struct sl_model *m, const struct sl_addr *vip,
		    sl_be16 port, uint8_t proto, uint8_t sched,
		    struct sl_err *err)
{
	char a[SL_ADDRPORT_STRLEN];

	if (!sl_addr_is_unicast(vip))
		return sl_err_set(err, SL_E_INVALID, "vip",
				  "vip must be a global unicast address, got %s",
				  sl_fmt_addr(vip, a));
	if (sl_model_check_svc_kind(port, proto, sched, err) < 0)
		return -1;
	if (sl_model_find_svc_at(m, vip, port, proto))
		return sl_err_set(err, SL_E_EXISTS, "vip", "VIP %s/%s exists",
				  sl_fmt_addrport(vip, port, a),
				  sl_proto_name(proto));
	if (sl_model_refuse_own6(m, vip->v6, SL_OWN_LADDR | SL_OWN_RS, "vip",
				 err) < 0 ||
	    sl_model_room_v6(m, vip, port, "vip", err) < 0)
		return -1;
	struct sl_model_svc tmpl = {
		.port = port, .proto = proto, .sched = sched, .v6 = true,
	};
	memcpy(tmpl.vip6, vip->v6, 16);
	return sl_model_append_svc(m, &tmpl, err);
}

int sl_model_add_svc_at(struct sl_model *m, const struct sl_addr *vip,
			sl_be16 port, uint8_t proto, uint8_t sched,
			struct sl_err *err)
{
	if (vip->af == SL_AF_V4)
		return sl_model_add_svc(m, vip->v4, port, proto, sched, err);
	return add_svc6(m, vip, port, proto, sched, err);
}

/* The server's family against its VIP's and its siblings'. */
static int check_rs_family(const struct sl_model_svc *svc,
			   const struct sl_addr *ip, struct sl_err *err)
{
	struct sl_addr vip = sl_model_svc_vip(svc), rs[2];
	enum sl_svc_mode mode;
	uint32_t n = 0, bad;

	if (svc->nrs > 0)
		rs[n++] = sl_model_rs_addr(&svc->rs[0]);
	rs[n++] = *ip;
	return sl_model_svc_mode(&vip, rs, n, &mode, &bad, err);
}

static int check_new_rs6(const struct sl_model *m,
			 const struct sl_model_svc *svc,
			 const struct sl_addr *ip, sl_be16 port,
			 uint32_t weight, struct sl_err *err)
{
	char a[SL_ADDRPORT_STRLEN], s[SVC_STRLEN];

	if (!sl_addr_is_unicast(ip))
		return sl_err_set(err, SL_E_INVALID, "ip",
				  "ip must be a global unicast address, got %s",
				  sl_fmt_addr(ip, a));
	if (sl_model_need_port(port, "port", err) < 0 ||
	    sl_model_need_weight(weight, err) < 0)
		return -1;
	if (sl_model_find_rs_at(svc, ip, port))
		return sl_err_set(err, SL_E_EXISTS, "ip",
				  "real server %s exists in VIP %s",
				  sl_fmt_addrport(ip, port, a),
				  sl_model_svc_text(svc, s));
	if (sl_model_refuse_own6(m, ip->v6, SL_OWN_PORT | SL_OWN_LADDR | SL_OWN_VIP,
				 "ip", err) < 0)
		return -1;
	if (sl_model_route6(m, ip->v6, NULL) < 0)
		return sl_err_set(err, SL_E_INVALID, "ip", "no route to %s",
				  sl_fmt_addr(ip, a));
	return 0;
}

int sl_model_add_rs_at(struct sl_model *m, const struct sl_addr *vip,
		       sl_be16 vport, uint8_t proto, const struct sl_addr *ip,
		       sl_be16 port, uint32_t weight, struct sl_err *err)
{
	struct sl_model_svc *svc = need_svc_at(m, vip, vport, proto, err);

	if (!svc || check_rs_family(svc, ip, err) < 0)
		return -1;
	struct sl_model_rs tmpl = {.port = port, .weight = weight};
	if (ip->af == SL_AF_V4) {
		if (sl_model_check_new_rs4(m, svc, ip->v4, port, weight, err) < 0)
			return -1;
		tmpl.ip = ip->v4;
	} else {
		if (check_new_rs6(m, svc, ip, port, weight, err) < 0)
			return -1;
		memcpy(tmpl.ip6, ip->v6, 16);
	}
	return sl_model_append_rs(m, svc, &tmpl, err);
}

static struct sl_model_rs *need_rs_at(const struct sl_model_svc *svc,
				      const struct sl_addr *ip, sl_be16 port,
				      struct sl_err *err)
{
	char a[SL_ADDRPORT_STRLEN], s[SVC_STRLEN];
	struct sl_model_rs *rs = sl_model_find_rs_at(svc, ip, port);

	if (!rs)
		sl_err_set(err, SL_E_NOT_FOUND, "ip", "no real server %s in VIP %s",
			   sl_fmt_addrport(ip, port, a), sl_model_svc_text(svc, s));
	return rs;
}

int sl_model_del_svc_at(struct sl_model *m, const struct sl_addr *vip,
			sl_be16 port, uint8_t proto, struct sl_err *err)
{
	struct sl_model_svc *svc;

	if (vip->af == SL_AF_V4)
		return sl_model_del_svc(m, vip->v4, port, proto, err);
	svc = need_svc_at(m, vip, port, proto, err);
	if (!svc)
		return -1;
	sl_model_remove_svc(m, svc);
	return 0;
}

int sl_model_del_rs_at(struct sl_model *m, const struct sl_addr *vip,
		       sl_be16 vport, uint8_t proto, const struct sl_addr *ip,
		       sl_be16 port, struct sl_err *err)
{
	struct sl_model_svc *svc = need_svc_at(m, vip, vport, proto, err);
	struct sl_model_rs *rs = svc ? need_rs_at(svc, ip, port, err) : NULL;

	if (!rs)
		return -1;
	sl_model_remove_rs(m, svc, rs);
	return 0;
}

int sl_model_set_rs_weight_at(struct sl_model *m, const struct sl_addr *vip,
			      sl_be16 vport, uint8_t proto,
			      const struct sl_addr *ip, sl_be16 port,
			      uint32_t weight, struct sl_err *err)
{
	struct sl_model_svc *svc = need_svc_at(m, vip, vport, proto, err);
	struct sl_model_rs *rs = svc ? need_rs_at(svc, ip, port, err) : NULL;

	if (!rs || sl_model_need_weight(weight, err) < 0)
		return -1;
	rs->weight = weight;
	return 0;
}

int sl_model_set_svc_at(struct sl_model *m, const struct sl_addr *vip,
			sl_be16 port, uint8_t proto,
			const struct sl_svc_opts *opts, struct sl_err *err)
{
	struct sl_model_svc *svc = need_svc_at(m, vip, port, proto, err);

	return svc ? sl_model_svc_apply_opts(svc, opts, err) : -1;
}

int sl_model_set_rs_check_at(struct sl_model *m, const struct sl_addr *vip,
			     sl_be16 vport, uint8_t proto,
			     const struct sl_addr *ip, sl_be16 port,
			     const struct sl_hc_cfg *hc, uint32_t set,
			     bool clear, struct sl_err *err)
{
	char a[SL_ADDRPORT_STRLEN];
	struct sl_model_svc *svc = need_svc_at(m, vip, vport, proto, err);
	struct sl_model_rs *rs = svc ? sl_model_find_rs_at(svc, ip, port) : NULL;

	if (!svc)
		return -1;
	if (!rs)
		return sl_err_set(err, SL_E_NOT_FOUND, "ip", "no real server %s in "
				  "this VIP", sl_fmt_addrport(ip, port, a));
	return sl_model_rs_apply_check(svc, rs, hc, set, clear, err);
}

/* The v4 operations of model.h, on the ones above. */
int sl_model_set_svc(struct sl_model *m, sl_be32 vip, sl_be16 port,
		     uint8_t proto, const struct sl_svc_opts *o,
		     struct sl_err *err)
{
	struct sl_addr v = sl_addr_v4(vip);

	return sl_model_set_svc_at(m, &v, port, proto, o, err);
}

int sl_model_set_rs_check(struct sl_model *m, sl_be32 vip, sl_be16 vport,
			  uint8_t proto, sl_be32 ip, sl_be16 port,
			  const struct sl_hc_cfg *hc, uint32_t set, bool clear,
			  struct sl_err *err)
{
	struct sl_addr v = sl_addr_v4(vip), a = sl_addr_v4(ip);

	return sl_model_set_rs_check_at(m, &v, vport, proto, &a, port, hc, set,
					clear, err);
}

int sl_model_del_rs(struct sl_model *m, sl_be32 vip, sl_be16 vport,
		    uint8_t proto, sl_be32 ip, sl_be16 port, struct sl_err *err)
{
	struct sl_addr v = sl_addr_v4(vip), a = sl_addr_v4(ip);

	return sl_model_del_rs_at(m, &v, vport, proto, &a, port, err);
}

int sl_model_set_rs_weight(struct sl_model *m, sl_be32 vip, sl_be16 vport,
			   uint8_t proto, sl_be32 ip, sl_be16 port,
			   uint32_t weight, struct sl_err *err)
{
	struct sl_addr v = sl_addr_v4(vip), a = sl_addr_v4(ip);

	return sl_model_set_rs_weight_at(m, &v, vport, proto, &a, port, weight, err);
}
