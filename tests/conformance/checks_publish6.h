/* SPDX-License-Identifier: BSD-3-Clause */
/* The v6 half of a published snapshot (issue 15, ctrl/daemon/publish*.c):
 * the running configuration with v6 port addresses, a v6 route, a v6
 * local address and an FNAT66 VIP applied lands in svc6_index, svc_vip6,
 * rs_ip6, addrs6, lips6 and routes6, the v4 half untouched; a NAT64 VIP
 * (refused by the config file, carried by the model) is published with
 * SL_SVC_NAT64 and v4 servers. Included by conformance_checks.h; puts the
 * running configuration back. */

#include "config.h"
#include "snapshot6.h"

/* 2001:db8:<net>::<host> */
static void p6(uint8_t a[16], uint16_t net, uint16_t host)
{
	memset(a, 0, 16);
	a[0] = 0x20, a[1] = 0x01, a[2] = 0x0d, a[3] = 0xb8;
	a[4] = (uint8_t)(net >> 8), a[5] = (uint8_t)net;
	a[14] = (uint8_t)(host >> 8), a[15] = (uint8_t)host;
}

/* The running configuration with v6 added after its v4 entries, so the
 * v4 ones keep their ids and slots when it is loaded afresh. */
static const char *v6_variant(char *out, size_t len)
{
	static char a[16384], b[16384];

	fill_in(a, sizeof(a), conf_text, "\"ipv4\": \"198.18.2.1/23\",",
		"\"ipv4\": \"198.18.2.1/23\", \"ipv6\": \"2001:db8:2::1/64\",");
	fill_in(b, sizeof(b), a, "\"ipv4\": \"198.19.0.1/24\"",
		"\"ipv4\": \"198.19.0.1/24\", \"ipv6\": \"2001:db8:19::1/64\"");
	fill_in(a, sizeof(a), b, "\"local_addresses\": [{\"ip\": \"198.18.2.3\"}]",
		"\"routes\": [{\"prefix\": \"2001:db8:99::/48\", \"via\": \"2001:db8:19::fe\"}],"
		" \"local_addresses\": [{\"ip\": \"198.18.2.3\"}, {\"ip\": \"2001:db8:2::3\"}]");
	fill_in(out, len, a, "5353}]}]",
		"5353}]}, {\"vip\": \"2001:db8:19::200\", \"port\": 80, \"scheduler\": \"mh\","
		" \"persist_s\": 30, \"real_servers\": [{\"ip\": \"2001:db8:2::50\","
		" \"port\": 8080, \"weight\": 2}, {\"ip\": \"2001:db8:2::51\", \"port\": 8080,"
		" \"weight\": 0}]}]");
	return out;
}

static bool fnat66_entry_ok(const struct sl_snapshot *s, char *why)
{
	uint8_t vip[16], rs0[16], rs1[16];

	p6(vip, 0x19, 0x200), p6(rs0, 2, 0x50), p6(rs1, 2, 0x51);
	const struct sl_snap_svc *v = sl_snap6_find_svc(s, vip, sl_htons(80), SL_IPPROTO_TCP);
	if (!v)
		return WHY("the FNAT66 VIP is not in svc6_index");
	uint32_t first = (uint32_t)(v->rs - s->rs);
	if (v->flags != SL_SVC_V6 || v->vip != 0 || v->sched != SL_SCHED_MH ||
	    v->persist_ms != 30000 || v->nrs != 2 || v->seq_len == 0)
		return WHY("FNAT66 VIP entry: flags %#x vip %08x sched %u persist %u nrs %u seq %u",
			   v->flags, v->vip, v->sched, v->persist_ms, v->nrs, v->seq_len);
	if (memcmp(s->svc_vip6[v - s->svcs], vip, 16) != 0)
		return WHY("svc_vip6 does not hold the VIP");
	if (memcmp(s->rs_ip6[first], rs0, 16) != 0 || memcmp(s->rs_ip6[first + 1], rs1, 16) != 0 ||
	    v->rs[0].ip != 0 || v->rs[0].weight != 2 || v->rs[1].weight != 0)
		return WHY("the servers are not in rs_ip6 with their weights");
	if (sl_snap_find_svc(s, 0, sl_htons(80), SL_IPPROTO_TCP) || sl_snap_find_addr(s, 0))
		return WHY("the v6 VIP leaked into the v4 indexes as 0.0.0.0");
	return true;
}

static bool addrs6_routes6_ok(const struct sl_snapshot *s, char *why)
{
	uint8_t a[16];
	const struct sl_snap6_addr *e;

	p6(a, 0x19, 0x200);
	if (!(e = sl_snap6_find_addr(s, a)) || e->kinds != SL_ADDR_VIP)
		return WHY("the VIP is not in addrs6");
	p6(a, 2, 3);
	if (!(e = sl_snap6_find_addr(s, a)) || e->kinds != SL_ADDR_LIP || e->port != IN)
		return WHY("the v6 local address is not in addrs6 on port in");
	if (s->ports[IN].nlips6 != 1 || memcmp(s->lips6[s->ports[IN].lip6_first].ip, a, 16))
		return WHY("port in's lips6 range does not hold its v6 local address");
	p6(a, 2, 1);
	if (!(e = sl_snap6_find_addr(s, a)) || e->kinds != SL_ADDR_PORT || e->port != IN ||
	    s->ports[IN].plen6 != 64 || memcmp(s->ports[IN].ip6, a, 16))
		return WHY("port in's v6 address is not published");
	const struct sl_snap6_route *r;
	uint8_t via[16];
	p6(a, 0x99, 7), p6(via, 0x19, 0xfe);
	if (!(r = sl_snap6_route(s, a)) || r->plen != 48 || r->port != OUT ||
	    memcmp(r->via, via, 16))
		return WHY("the v6 route is not in routes6 by way of port out");
	p6(a, 2, 0x50);
	if (!(r = sl_snap6_route(s, a)) || r->plen != 64 || r->port != IN || r->via[0])
		return WHY("port in's connected v6 route is not in routes6");
	return true;
}

/* NAT64: the model's operations take it; publish marks it. */
static bool nat64_published(struct harness *h, struct sl_model *m, char *why)
{
	struct sl_err err;
	struct sl_addr vip = {.af = SL_AF_V6}, rs = sl_addr_v4(sl_htonl(RS));

	p6(vip.v6, 0x19, 0x264);
	if (sl_model_add_svc_at(m, &vip, sl_htons(80), SL_IPPROTO_TCP, SL_SCHED_WRR,
				&err) != 0 ||
	    sl_model_add_rs_at(m, &vip, sl_htons(80), SL_IPPROTO_TCP, &rs,
			       sl_htons(8080), 1, &err) != 0 ||
	    h_publish(h, m, &err) != 0)
		return WHY("a NAT64 VIP was refused by the model: %.100s", err.message);
	const struct sl_snap_svc *v =
		sl_snap6_find_svc(h->dp.snapshot, vip.v6, sl_htons(80), SL_IPPROTO_TCP);
	if (!v || v->flags != (SL_SVC_V6 | SL_SVC_NAT64) || v->nrs != 1 ||
	    v->rs[0].ip != sl_htonl(RS))
		return WHY("the NAT64 VIP is not published with SL_SVC_NAT64 and its v4 server"
			   " (%s, flags %#x, nrs %u)", v ? "found" : "missing", v ? v->flags : 0,
			   v ? v->nrs : 0);
	return true;
}

/* Ports are fixed while Sluice runs (config apply refuses a change), so
 * the v6 model is loaded and published as the control thread would,
 * then the running one published again. */
static bool v6_published(struct harness *h, char *why)
{
	static char cfg[16384];
	struct sl_model m;
	struct sl_err err;
	struct seen g;

	if (sl_config_load_string(v6_variant(cfg, sizeof(cfg)), &m, &err) != 0)
		return WHY("the v6 configuration was refused: %.60s: %.60s", err.field,
			   err.message);
	bool ok = h_publish(h, &m, &err) == 0 ||
		  WHY("the v6 configuration did not publish: %.100s", err.message);
	ok = ok && fnat66_entry_ok(h->dp.snapshot, why) &&
	     addrs6_routes6_ok(h->dp.snapshot, why) && nat64_published(h, &m, why);
	sl_model_free(&m);
	if (h_publish(h, &h->ctl.model, &err) != 0)
		return WHY("the configuration could not be put back");
	if (ok && h->dp.snapshot->addr6_mask != 0)
		return WHY("the v4-only configuration still pays for a v6 half");
	/* The v4 service works beside it all. */
	if (ok && (!exchange(h, OUT, IN, SL_IPPROTO_TCP, SERVER, 41310, VIP, 80, SYN, &g) ||
		   g.daddr != RS))
		return WHY("a v4 SYN to the VIP was not forwarded");
	return ok;
}
