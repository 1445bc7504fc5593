/* SPDX-License-Identifier: BSD-3-Clause */
/* Full-NAT: ICMP errors, the client MTU floor, foreign MACs, and local
 * ports per real server
 * (included by conformance_checks.h, after the checks before it, whose
 * helpers it may use). */

/* ---- full-NAT ---- */

static bool fnat_icmp_error(struct harness *h, char *why)
{
	uint8_t f[FR_MAX];
	struct seen to_rs, g;
	if (!exchange(h, OUT, IN, SL_IPPROTO_TCP, SERVER, 41000, VIP, 80, SYN, &to_rs))
		return WHY("SYN to the VIP not forwarded");
	if (to_rs.saddr != LIP || to_rs.daddr != RS)
		return WHY("full-NAT sent %08x -> %08x", to_rs.saddr, to_rs.daddr);
	uint32_t len = icmp_error(f, ROUTER_IN, LIP, 3, 4, 1400, &to_rs, 0);
	h_flush(h);
	h_send(h, IN, f, len);
	g.len = h_recv(h, OUT, g.frame);
	if (!g.len)
		return WHY("frag-needed from the server side not delivered to the client");
	const uint8_t *ip = g.frame + FR_IP_OFF, *inner = ip + 28;
	if (fr_get32(ip + 12) != VIP || fr_get32(ip + 16) != SERVER)
		return WHY("outer %08x -> %08x, want VIP -> client", fr_get32(ip + 12),
			   fr_get32(ip + 16));
	if (fr_get32(inner + 12) != SERVER || fr_get32(inner + 16) != VIP ||
	    fr_get16(inner + 20) != 41000 || fr_get16(inner + 22) != 80)
		return WHY("quote not shown as the client sent it");
	return fr_ip_ok(g.frame) ? true : WHY("bad outer checksum");
}

/* A client's "fragmentation needed" would reach the real server from the
 * local address every client shares; the server's kernel caches the MTU
 * per destination, so one client could lower it for all. Below the floor
 * (icmp.mtu_floor, 1280 by default) it is dropped and counted; at or above
 * it is carried to the server. */
static bool fnat_client_mtu_floor(struct harness *h, char *why)
{
	static const struct { uint16_t port, mtu; bool delivered; } cases[] = {
		{41010, 576, false}, {41011, 1279, false},
		{41012, 1280, true}, {41013, 1400, true},
	};
	uint8_t f[FR_MAX];
	struct seen to_rs, to_client, g;

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t floor_drops = h_drops(h, SL_DROP_ICMP_MTU_BELOW_FLOOR);
		if (!exchange(h, OUT, IN, SL_IPPROTO_TCP, SERVER, cases[i].port, VIP, 80,
			      SYN, &to_rs))
			return WHY("SYN to the VIP not forwarded");
		if (!exchange(h, IN, OUT, SL_IPPROTO_TCP, RS, 8080, LIP, to_rs.sport,
			      SYN | ACK, &to_client))
			return WHY("SYN+ACK not forwarded to the client");
		uint32_t len = icmp_error(f, ROUTER_OUT, VIP, 3, 4, cases[i].mtu,
					  &to_client, 0);
		h_flush(h);
		h_send(h, OUT, f, len);
		g.len = h_recv(h, IN, g.frame);
		bool counted = h_drops(h, SL_DROP_ICMP_MTU_BELOW_FLOOR) == floor_drops + 1;
		if (cases[i].delivered != (g.len != 0) || cases[i].delivered == counted)
			return WHY("MTU %u: %s, %s", cases[i].mtu,
				   g.len ? "delivered" : "not delivered",
				   counted ? "counted below the floor" : "not counted");
		if (g.len && (fr_get32(g.frame + FR_IP_OFF + 12) != LIP ||
			      fr_get32(g.frame + FR_IP_OFF + 16) != RS))
			return WHY("MTU %u: outer %08x -> %08x, want LIP -> RS", cases[i].mtu,
				   fr_get32(g.frame + FR_IP_OFF + 12),
				   fr_get32(g.frame + FR_IP_OFF + 16));
	}
	return true;
}

/* Unicast for another MAC (flooded unknown unicast, a promiscuous port)
 * is dropped and counted, not forwarded a second time; the same frame to
 * the port's own MAC goes through. */
static bool foreign_mac_dropped(struct harness *h, char *why)
{
	static const uint8_t other[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x99};
	uint8_t f[FR_MAX], out[FR_MAX];
	struct seen g;
	uint64_t before = h_drops(h, SL_DROP_L2_OTHER_HOST);
	uint32_t len = build(f, SL_IPPROTO_TCP, SERVER, 41100, VIP, 80, SYN);

	memcpy(f, other, 6);
	h_flush(h);
	h_send(h, OUT, f, len);
	if (h_recv(h, IN, out))
		return WHY("a SYN to another host's MAC was forwarded");
	if (h_drops(h, SL_DROP_L2_OTHER_HOST) != before + 1)
		return WHY("l2_other_host grew by %llu, not 1",
			   (unsigned long long)(h_drops(h, SL_DROP_L2_OTHER_HOST) - before));
	return exchange(h, OUT, IN, SL_IPPROTO_TCP, SERVER, 41100, VIP, 80, SYN, &g)
		       ? true : WHY("the same SYN to the port's MAC not forwarded");
}

/* ---- full-NAT local ports ---- */

#define LPORT_SERVERS 4
#define LPORT_PER_SERVER 60000 /* connections per (local address, server) */

/* The connection a full-NAT SYN opened towards one of LPORT_SERVERS: its
 * server's index and its local port, checked as it left. */
static bool lport_opened(struct harness *h, uint32_t client, uint16_t cport,
			 unsigned *server, uint16_t *lport, char *why)
{
	struct seen g;

	if (!exchange(h, OUT, IN, SL_IPPROTO_TCP, client, cport, VIP_LPORT, 80, SYN, &g))
		return WHY("SYN from %08x:%u not forwarded (port_exhausted %llu)", client,
			   cport, (unsigned long long)h_drops(h, SL_DROP_PORT_EXHAUSTED));
	*server = g.daddr - RS_LPORT(0);
	*lport = g.sport;
	if (g.saddr != LIP || *server >= LPORT_SERVERS || g.dport != 8080)
		return WHY("SYN sent as %08x -> %08x:%u", g.saddr, g.daddr, g.dport);
	/* The connection is made by the worker owning the client's flow:
	 * the port must be that worker's, or the server's reply would be
	 * steered elsewhere. */
	struct sl_v4key k = {sl_htonl(client), sl_htonl(VIP_LPORT), sl_htons(cport),
			     sl_htons(80)};
	unsigned owner = sl_flow_owner(sl_flow_hash(&k, SL_IPPROTO_TCP), h->nworkers);
	return sl_port_owner(*lport, h->nworkers) == owner
		       ? true : WHY("local port %u is not worker %u's", *lport, owner);
}

/* A local port is unique per server, not per local address (the reply
 * key holds the server, as in LVS full-NAT): one local address carries
 * LPORT_PER_SERVER connections to each of four servers at once, 240,000
 * in all where its port range has 64,512 ports. Frames all arrive on
 * worker 0, which opens them from its own share of the ports (a 1/workers
 * part), so here each server gets LPORT_PER_SERVER / workers. A server's
 * reply to a port that the other servers use too reaches its own client;
 * once expired, every connection has left the table. */
/* Whether worker 0 owns the flow of client:cport to VIP_LPORT:80. */
static bool owned_by_first(const struct harness *h, uint32_t client, uint32_t cport)
{
	struct sl_v4key k = {sl_htonl(client), sl_htonl(VIP_LPORT), sl_htons((uint16_t)cport),
			     sl_htons(80)};
	return sl_flow_owner(sl_flow_hash(&k, SL_IPPROTO_TCP), h->nworkers) == 0;
}

static bool fnat_lport_per_server(struct harness *h, char *why)
{
	static uint8_t used[LPORT_SERVERS][65536];
	uint32_t per_server = LPORT_PER_SERVER / h->nworkers, opened[LPORT_SERVERS] = {0};
	uint32_t before[SL_MAX_WORKERS];
	unsigned k;
	uint16_t lport;

	memset(used, 0, sizeof(used));
	for (unsigned i = 0; i < h->nworkers; i++)
		before[i] = h->dp.workers[i]->ct.nconns;
	uint32_t j = 0;
	for (uint32_t i = 0; i < LPORT_SERVERS * per_server; i++, j++) {
		/* Only clients whose flows worker 0 owns: its share alone is
		 * what is being filled. */
		while (!owned_by_first(h, IP(198, 19, 1, 1 + j / 60000), 1024 + j % 60000))
			j++;
		if (!lport_opened(h, IP(198, 19, 1, 1 + j / 60000),
				  (uint16_t)(1024 + j % 60000), &k, &lport, why))
			return false;
		if (used[k][lport]++)
			return WHY("local port %u given twice towards server %u", lport, k);
		opened[k]++;
	}
	for (k = 0; k < LPORT_SERVERS; k++)
		if (opened[k] != per_server)
			return WHY("server %u got %u connections, not %u", k, opened[k], per_server);
	uint16_t cport = 42000;
	for (uint16_t c = 0; c < LPORT_SERVERS; c++, cport++) {
		struct seen g;
		while (!owned_by_first(h, SERVER, cport))
			cport++;
		if (!lport_opened(h, SERVER, cport, &k, &lport, why))
			return false;
		unsigned sharing = 0;
		for (unsigned o = 0; o < LPORT_SERVERS; o++)
			sharing += o != k && used[o][lport];
		if (sharing == 0)
			return WHY("no other server's connection uses local port %u", lport);
		if (!exchange(h, IN, OUT, SL_IPPROTO_TCP, RS_LPORT(k), 8080, LIP, lport,
			      SYN | ACK, &g) ||
		    g.saddr != VIP_LPORT || g.daddr != SERVER || g.dport != cport)
			return WHY("server %u's reply to shared port %u went to %08x:%u", k,
				   lport, g.daddr, g.dport);
	}
	h_advance(h, 300); /* past SYN_SENT and SYN_RECV: all expire */
	for (unsigned i = 0; i < h->nworkers; i++)
		if (h->dp.workers[i]->ct.nconns > before[i])
			return WHY("worker %u holds %u entries after expiry, %u before", i,
				   h->dp.workers[i]->ct.nconns, before[i]);
	return true;
}

