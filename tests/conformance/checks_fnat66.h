/* SPDX-License-Identifier: BSD-3-Clause */
/* Full-NAT 6->6 through the workers (issue 15), with a hand-built v6
 * half: until the config takes v6 services, v6_on() turns the TCP service
 * of four servers (198.19.0.201:80) and the UDP one (198.19.0.200:53, two
 * servers) of the running snapshot into v6 services at 2001:db8:1::200,
 * servers 2001:db8:2::51.. (in 2001:db8:2::/64, port in, local address
 * 2001:db8:2::3), clients in 2001:db8:1::/64 (port out), with a neighbor
 * view holding them; v6_off() puts everything back. Checksums are checked
 * by frames.h's byte-wise sum over the pseudo header laid out here, never
 * by csum.h. Included by conformance_checks.h. */

#include "neigh_view.h"

#define F66_V6(a, b) {0x20, 0x01, 0x0d, 0xb8, 0, (a), [14] = (uint8_t)((b) >> 8), [15] = (uint8_t)(b)}
static const uint8_t V6_VIP[16] = F66_V6(1, 0x200);
static const uint8_t V6_CLIENT[16] = F66_V6(1, 0x10);
static const uint8_t V6_LIP[16] = F66_V6(2, 3);
static const uint8_t V6_PORT_OUT[16] = F66_V6(1, 1);
static const uint8_t V6_PORT_IN[16] = F66_V6(2, 1);

static struct v6_saved {
	struct sl_snapshot *s;
	struct sl_snapshot copy;     /* the fields v6_on() changes */
	struct sl_snap_svc svc[2];
	int idx[2];
	sl_be32 rs_ip[8];
	struct sl_neigh_view *neigh;
} v6_saved;

static uint8_t v6_vip6[64][16], v6_rs6[64][16];
static struct sl_snap6_lip v6_lips[1];
static struct sl_snap6_route v6_routes[2];
static uint16_t v6_svc_index[16];
static struct sl_snap6_addr v6_addrs[64];

static void v6_rs_ip(uint8_t ip[16], unsigned i)
{
	static const uint8_t base[16] = F66_V6(2, 0x51);
	memcpy(ip, base, 16);
	ip[15] = (uint8_t)(0x51 + i);
}

static void v6_index_addr(struct sl_snapshot *s, const uint8_t ip[16], uint8_t kinds,
			  uint8_t port)
{
	uint32_t i = sl_snap6_ip_hash(ip) & s->addr6_mask;
	while (s->addrs6[i].kinds && !sl_snap6_eq(s->addrs6[i].ip, ip))
		i = (i + 1) & s->addr6_mask;
	memcpy(s->addrs6[i].ip, ip, 16);
	s->addrs6[i].kinds |= kinds;
	s->addrs6[i].port = port;
}

/* One of the two services, made v6 (its servers too). */
static void v6_svc(struct sl_snapshot *s, int v)
{
	struct sl_snap_svc *svc = &s->svcs[v];

	svc->vip = 0;
	svc->flags |= SL_SVC_V6;
	memcpy(s->svc_vip6[v], V6_VIP, 16);
	for (unsigned r = 0; r < svc->nrs; r++) {
		struct sl_snap_rs *rs = (struct sl_snap_rs *)&svc->rs[r];
		v6_rs_ip(s->rs_ip6[rs - s->rs], r);
		rs->ip = 0;
	}
	uint32_t i = sl_snap6_svc_hash(V6_VIP, svc->vport, svc->proto) & s->svc6_mask;
	while (s->svc6_index[i])
		i = (i + 1) & s->svc6_mask;
	s->svc6_index[i] = (uint16_t)(v + 1);
}

static struct sl_neigh_view *v6_neighbors(struct harness *h, const struct sl_snapshot *s)
{
	const struct sl_neigh_view *old = h->dp.neigh;
	struct sl_neigh_view *v = sl_neigh_view_alloc6(old->n + 1, 16);
	uint8_t mac[6] = {0x02, 0, 0, 0x06, 0, 0}, ip[16];

	for (uint32_t i = 0; i <= old->mask; i++) {
		const struct sl_snap_neigh *e = &old->slot[i];
		if (e->ip)
			sl_neigh_view_add(v, e->ip, e->mac, e->port, s->ports[e->port].mac);
	}
	for (unsigned r = 0; r < 4; r++) {
		v6_rs_ip(ip, r);
		mac[5] = ip[15];
		sl_neigh_view_add6(v, ip, mac, IN, s->ports[IN].mac);
	}
	mac[4] = 1, mac[5] = 0x10;
	sl_neigh_view_add6(v, V6_CLIENT, mac, OUT, s->ports[OUT].mac);
	v->generation = old->generation + 7919; /* cached next hops go stale */
	return v;
}

static void v6_on(struct harness *h)
{
	struct sl_snapshot *s = (struct sl_snapshot *)h->dp.snapshot;
	const struct sl_snap_svc *tcp = sl_snap_find_svc(s, sl_htonl(VIP_LPORT), sl_htons(80),
							 SL_IPPROTO_TCP);
	const struct sl_snap_svc *udp = sl_snap_find_svc(s, sl_htonl(VIP), sl_htons(53),
							 SL_IPPROTO_UDP);

	v6_saved.s = s;
	v6_saved.copy = *s;
	v6_saved.idx[0] = (int)(tcp - s->svcs);
	v6_saved.idx[1] = (int)(udp - s->svcs);
	for (unsigned k = 0; k < 2; k++) {
		v6_saved.svc[k] = s->svcs[v6_saved.idx[k]];
		for (unsigned r = 0; r < v6_saved.svc[k].nrs; r++)
			v6_saved.rs_ip[k * 4 + r] = v6_saved.svc[k].rs[r].ip;
	}
	memset(v6_svc_index, 0, sizeof(v6_svc_index));
	memset(v6_addrs, 0, sizeof(v6_addrs));
	s->svc_vip6 = v6_vip6;
	s->rs_ip6 = v6_rs6;
	s->svc6_index = v6_svc_index;
	s->svc6_mask = SL_ARRAY_SIZE(v6_svc_index) - 1;
	s->addrs6 = v6_addrs;
	s->addr6_mask = SL_ARRAY_SIZE(v6_addrs) - 1;
	memcpy(v6_lips[0].ip, V6_LIP, 16);
	v6_lips[0].port = IN;
	s->lips6 = v6_lips;
	s->nlips6 = 1;
	s->ports[IN].lip6_first = 0;
	s->ports[IN].nlips6 = 1;
	memcpy(s->ports[IN].ip6, V6_PORT_IN, 16);
	memcpy(s->ports[OUT].ip6, V6_PORT_OUT, 16);
	s->ports[IN].plen6 = s->ports[OUT].plen6 = 64;
	/* The clients' network first: fnat66_refusals cuts the list to it. */
	memcpy(v6_routes[0].prefix, V6_PORT_OUT, 16);
	memcpy(v6_routes[1].prefix, V6_PORT_IN, 16);
	v6_routes[0].plen = v6_routes[1].plen = 64;
	v6_routes[0].port = OUT, v6_routes[1].port = IN;
	s->routes6 = v6_routes;
	s->nroutes6 = 2;
	v6_index_addr(s, V6_PORT_IN, SL_ADDR_PORT, IN);
	v6_index_addr(s, V6_PORT_OUT, SL_ADDR_PORT, OUT);
	v6_index_addr(s, V6_LIP, SL_ADDR_LIP, IN);
	v6_index_addr(s, V6_VIP, SL_ADDR_VIP, OUT);
	v6_svc(s, v6_saved.idx[0]);
	v6_svc(s, v6_saved.idx[1]);
	v6_saved.neigh = h->dp.neigh;
	h->dp.neigh = v6_neighbors(h, s);
}

static void v6_off(struct harness *h)
{
	struct sl_snapshot *s = v6_saved.s;
	struct sl_neigh_view *mine = h->dp.neigh;

	for (unsigned k = 0; k < 2; k++) {
		s->svcs[v6_saved.idx[k]] = v6_saved.svc[k];
		for (unsigned r = 0; r < v6_saved.svc[k].nrs; r++)
			((struct sl_snap_rs *)&v6_saved.svc[k].rs[r])->ip = v6_saved.rs_ip[k * 4 + r];
	}
	memcpy(s->ports, v6_saved.copy.ports, sizeof(s->ports));
	s->svc_vip6 = v6_saved.copy.svc_vip6;
	s->rs_ip6 = v6_saved.copy.rs_ip6;
	s->svc6_index = v6_saved.copy.svc6_index;
	s->svc6_mask = v6_saved.copy.svc6_mask;
	s->addrs6 = v6_saved.copy.addrs6;
	s->addr6_mask = v6_saved.copy.addr6_mask;
	s->lips6 = v6_saved.copy.lips6;
	s->nlips6 = v6_saved.copy.nlips6;
	s->routes6 = v6_saved.copy.routes6;
	s->nroutes6 = v6_saved.copy.nroutes6;
	h->dp.neigh = v6_saved.neigh;
	h_advance(h, 1000); /* v6 connections time out, before the view goes */
	sl_neigh_view_free(mine);
}

/* A v6 TCP/UDP frame to the port's MAC with `payload` bytes (and, for
 * TCP, an MSS option when `mss`), checksum by the reference. */
static uint32_t v6_segment(uint8_t *f, uint8_t proto, const uint8_t src[16], uint16_t sp,
			   const uint8_t dst[16], uint16_t dp, uint8_t flags, uint8_t hops,
			   uint16_t mss, unsigned payload)
{
	unsigned hl = proto == SL_IPPROTO_TCP ? (mss ? 24 : 20) : 8, len = hl + payload;
	uint8_t *ip = f + SL_ETH_HLEN, *l4 = ip + SL_IPV6_HLEN;
	uint8_t ph[40] = {0};

	memset(f, 0, SL_ETH_HLEN + SL_IPV6_HLEN + len);
	memcpy(f, fr_mac_b, 6);
	memcpy(f + 6, fr_mac_a, 6);
	fr_put16(f + 12, SL_ETHERTYPE_IPV6);
	fr_put32(ip, 0x60000000u);
	fr_put16(ip + 4, (uint16_t)len);
	ip[6] = proto;
	ip[7] = hops;
	memcpy(ip + 8, src, 16);
	memcpy(ip + 24, dst, 16);
	fr_put16(l4, sp);
	fr_put16(l4 + 2, dp);
	if (proto == SL_IPPROTO_TCP) {
		fr_put32(l4 + 4, 1000);
		fr_put32(l4 + 8, (flags & SL_TCP_ACK) ? 5000 : 0);
		l4[12] = (uint8_t)((hl / 4) << 4);
		l4[13] = flags;
		fr_put16(l4 + 14, 65535);
		if (mss) {
			l4[20] = 2, l4[21] = 4;
			fr_put16(l4 + 22, mss);
		}
	} else {
		fr_put16(l4 + 4, (uint16_t)len);
	}
	for (unsigned i = 0; i < payload; i++)
		l4[hl + i] = (uint8_t)(i * 7 + 1);
	memcpy(ph, src, 16);
	memcpy(ph + 16, dst, 16);
	fr_put16(ph + 34, (uint16_t)len);
	ph[39] = proto;
	fr_put16(l4 + (proto == SL_IPPROTO_TCP ? 16 : 6),
		 fr_ref_csum(l4, len, fr_ref_sum(ph, sizeof(ph), 0)));
	return SL_ETH_HLEN + SL_IPV6_HLEN + len;
}

/* The same with 16 bytes of payload, no options. */
static uint32_t v6_build(uint8_t *f, uint8_t proto, const uint8_t src[16], uint16_t sp,
			 const uint8_t dst[16], uint16_t dp, uint8_t flags, uint8_t hops)
{
	return v6_segment(f, proto, src, sp, dst, dp, flags, hops, 0, 16);
}

/* Does the frame's upper-layer checksum verify (summed from scratch)? */
static bool v6_l4_ok(const uint8_t *f)
{
	const uint8_t *ip = f + SL_ETH_HLEN;
	unsigned len = fr_get16(ip + 4);
	uint8_t ph[40] = {0};

	memcpy(ph, ip + 8, 32);
	fr_put16(ph + 34, (uint16_t)len);
	ph[39] = ip[6];
	return fr_ref_fold(fr_ref_sum(ip + SL_IPV6_HLEN, len,
				      fr_ref_sum(ph, sizeof(ph), 0))) == 0xffff;
}

struct seen6 {
	uint32_t len;
	uint8_t frame[FR_MAX];
	const uint8_t *src, *dst; /* into frame */
	uint16_t sport, dport;
	uint8_t hops, next;
};

static bool v6_exchange(struct harness *h, unsigned in, unsigned out, uint8_t proto,
			const uint8_t src[16], uint16_t sp, const uint8_t dst[16],
			uint16_t dp, uint8_t flags, uint8_t hops, struct seen6 *g)
{
	uint8_t f[FR_MAX];
	uint32_t len = v6_build(f, proto, src, sp, dst, dp, flags, hops);

	h_flush(h);
	h_send(h, in, f, len);
	memset(g, 0, sizeof(*g));
	g->len = h_recv(h, out, g->frame);
	if (g->len < SL_ETH_HLEN + SL_IPV6_HLEN + 8)
		return false;
	const uint8_t *ip = g->frame + SL_ETH_HLEN;
	g->src = ip + 8, g->dst = ip + 24;
	g->hops = ip[7], g->next = ip[6];
	g->sport = fr_get16(ip + 40), g->dport = fr_get16(ip + 42);
	return true;
}

/* Client -> VIP, then the server's answer back: both rewritten, both
 * checksums sound, the right MACs. `first` is the client's first
 * segment's flags (SYN for TCP). */
static bool v6_round_trip(struct harness *h, uint8_t proto, uint16_t cport,
			  uint16_t vport, uint16_t rport, struct seen6 *fwd, char *why)
{
	struct seen6 back;
	uint8_t flags = proto == SL_IPPROTO_TCP ? SYN : 0;
	const struct sl_snapshot *s = h->dp.snapshot;

	if (!v6_exchange(h, OUT, IN, proto, V6_CLIENT, cport, V6_VIP, vport, flags, 64, fwd))
		return WHY("v6 %s to the VIP was not forwarded", proto == SL_IPPROTO_TCP ? "SYN" : "datagram");
	if (!sl_snap6_eq(fwd->src, V6_LIP) || fwd->dst[0] != 0x20 || fwd->dst[5] != 2 ||
	    fwd->dport != rport)
		return WHY("forwarded from the wrong source, or to the wrong server/port %u", fwd->dport);
	if (fwd->hops != 63 || !v6_l4_ok(fwd->frame))
		return WHY("forwarded with hop limit %u or a bad checksum", fwd->hops);
	if (memcmp(fwd->frame + 6, s->ports[IN].mac, 6) != 0 || fwd->frame[3] != 0x06 ||
	    fwd->frame[5] != fwd->dst[15])
		return WHY("forwarded with the wrong MACs");
	uint8_t rs[16];
	memcpy(rs, fwd->dst, 16);
	if (!v6_exchange(h, IN, OUT, proto, rs, rport, V6_LIP, fwd->sport,
			 proto == SL_IPPROTO_TCP ? (SYN | ACK) : 0, 64, &back))
		return WHY("the server's answer was not forwarded back");
	if (!sl_snap6_eq(back.src, V6_VIP) || !sl_snap6_eq(back.dst, V6_CLIENT) ||
	    back.sport != vport || back.dport != cport)
		return WHY("the answer came back as from %u to %u", back.sport, back.dport);
	if (back.hops != 63 || !v6_l4_ok(back.frame))
		return WHY("the answer has hop limit %u or a bad checksum", back.hops);
	if (memcmp(back.frame + 6, s->ports[OUT].mac, 6) != 0 || back.frame[5] != 0x10)
		return WHY("the answer has the wrong MACs");
	return true;
}

static bool fnat66_tcp_udp(struct harness *h, char *why)
{
	struct seen6 g;
	uint8_t servers = 0;
	bool ok = true;

	v6_on(h);
	/* Eight connections from eight client ports: rr spreads one
	 * worker's over the four servers (each worker has its own cursor,
	 * so with several at least two). */
	for (unsigned i = 0; i < 8 && ok; i++) {
		ok = v6_round_trip(h, SL_IPPROTO_TCP, (uint16_t)(42000 + i), 80, 8080, &g, why);
		servers |= (uint8_t)(1u << ((g.dst[15] - 0x51) & 7));
	}
	if (ok && (h->nworkers == 1 ? servers != 0x0f : __builtin_popcount(servers) < 2))
		ok = WHY("eight connections reached servers %#x only", servers);
	if (ok)
		ok = v6_round_trip(h, SL_IPPROTO_UDP, 5300, 53, 5353, &g, why);
	/* The client's next segment on the same connection, an ACK. */
	if (ok && !v6_exchange(h, OUT, IN, SL_IPPROTO_TCP, V6_CLIENT, 42000, V6_VIP, 80,
			       ACK, 64, &g))
		ok = WHY("the client's ACK on an open connection was not forwarded");
	v6_off(h);
	return ok;
}

/* Without SYN, a v6 segment opens nothing (no_connection); a port of the
 * VIP no service has: no_service; hop limit 1: ICMPv6 time exceeded
 * from the arrival port's v6 address; a server with no route: no_route. */
static bool fnat66_refusals(struct harness *h, char *why)
{
	uint8_t f[FR_MAX], out[FR_MAX];
	struct seen6 g;
	uint32_t len;
	bool ok = false;

	v6_on(h);
	len = v6_build(f, SL_IPPROTO_TCP, V6_CLIENT, 43000, V6_VIP, 80, ACK, 64);
	if (!v6_dropped_as(h, f, len, SL_DROP_NO_CONNECTION, "a v6 ACK opening nothing", why))
		goto out;
	len = v6_build(f, SL_IPPROTO_TCP, V6_CLIENT, 43001, V6_VIP, 81, SYN, 64);
	if (!v6_dropped_as(h, f, len, SL_DROP_NO_SERVICE, "a v6 SYN to port 81", why))
		goto out;
	uint64_t before = h_drops(h, SL_DROP_TTL_EXCEEDED);
	if (!v6_exchange(h, OUT, OUT, SL_IPPROTO_TCP, V6_CLIENT, 43002, V6_VIP, 80, SYN, 1, &g)) {
		(void)WHY("a SYN with hop limit 1 got no answer");
		goto out;
	}
	if (g.next != SL_IPPROTO_ICMPV6 || g.frame[SL_ETH_HLEN + 40] != SL_ICMP6_TIME_EXCEEDED ||
	    !sl_snap6_eq(g.src, V6_PORT_OUT) || !sl_snap6_eq(g.dst, V6_CLIENT) ||
	    !v6_l4_ok(g.frame) || h_drops(h, SL_DROP_TTL_EXCEEDED) != before + 1) {
		(void)WHY("hop limit 1 was not answered with a sound time exceeded");
		goto out;
	}
	if (h_recv(h, IN, out)) {
		(void)WHY("a SYN with hop limit 1 was forwarded too");
		goto out;
	}
	v6_saved.s->nroutes6 = 1; /* only the clients' network: no route to servers */
	len = v6_build(f, SL_IPPROTO_TCP, V6_CLIENT, 43003, V6_VIP, 80, SYN, 64);
	ok = v6_dropped_as(h, f, len, SL_DROP_NO_ROUTE, "a v6 SYN with no route to its server",
			   why);
	v6_saved.s->nroutes6 = 2;
out:
	v6_off(h);
	return ok;
}

/* Every worker's pool of v6 keys empty (conn_table.max_v6_connections
 * used up), the table itself not full: a v6 SYN is dropped as
 * conn_ext_full, not table_full (which it was), and a v4 connection
 * could still be made. The pools' heads are put back after. */
static bool fnat66_ext_full(struct harness *h, char *why)
{
	uint32_t saved[SL_MAX_WORKERS];
	uint8_t f[FR_MAX];
	uint64_t full = h_drops(h, SL_DROP_TABLE_FULL);

	v6_on(h);
	for (unsigned i = 0; i < h->nworkers; i++) {
		saved[i] = h->dp.workers[i]->ct.ext_free;
		h->dp.workers[i]->ct.ext_free = SL_CT_NONE;
	}
	uint32_t len = v6_build(f, SL_IPPROTO_TCP, V6_CLIENT, 43100, V6_VIP, 80, SYN, 64);
	bool ok = v6_dropped_as(h, f, len, SL_DROP_CONN_EXT_FULL,
				"a v6 SYN with no v6 key left", why);
	if (ok && h_drops(h, SL_DROP_TABLE_FULL) != full)
		ok = WHY("an empty v6 pool was counted as table_full too");
	for (unsigned i = 0; i < h->nworkers; i++)
		h->dp.workers[i]->ct.ext_free = saved[i];
	v6_off(h);
	return ok;
}

/* Which server (bitmask, by the last byte of its address) 8 v6 clients
 * of one /64 reach through the TCP VIP, each on a new connection. */
static uint8_t v6_clients_servers(struct harness *h, uint16_t first_port)
{
	uint8_t servers = 0, client[16];
	struct seen6 g;

	memcpy(client, V6_CLIENT, 16);
	for (unsigned i = 0; i < 8; i++) {
		client[14] = 0x10, client[15] = (uint8_t)(0x40 + i);
		if (!v6_exchange(h, OUT, IN, SL_IPPROTO_TCP, client, (uint16_t)(first_port + i),
				 V6_VIP, 80, SYN, 64, &g))
			return 0;
		servers |= (uint8_t)(1u << ((g.dst[15] - 0x51) & 7));
	}
	return servers;
}

/* persist_netmask6 64: eight clients of one /64 keep one server between
 * them under rr (before: the netmask did not exist and each address was
 * its own template, so they spread); 128: each address is its own. */
static bool fnat66_persist_netmask6(struct harness *h, char *why)
{
	struct sl_snap_svc *svc;
	uint8_t servers;
	bool ok = true;

	v6_on(h);
	svc = &v6_saved.s->svcs[v6_saved.idx[0]];
	svc->persist_ms = 60000;
	svc->persist_plen6 = 64;
	servers = v6_clients_servers(h, 44000);
	if (servers == 0 || __builtin_popcount(servers) != 1)
		ok = WHY("eight clients of a /64 under persist_netmask6 64 reached servers %#x",
			 servers);
	svc->persist_plen6 = 128;
	servers = ok ? v6_clients_servers(h, 45000) : 0;
	if (ok && __builtin_popcount(servers) < 2)
		ok = WHY("eight clients under persist_netmask6 128 reached servers %#x only",
			 servers);
	v6_off(h);
	h_advance(h, 120); /* their templates expire */
	return ok;
}
