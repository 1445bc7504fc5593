/* SPDX-License-Identifier: BSD-3-Clause */
/* NAT64's established path (worker_nat64.c) and its IPv4 Identification,
 * with checks_nat64.h's setup and helpers. Included by
 * conformance_checks.h after checks_nat64.h. */

/* Hide one family's routes from the live snapshot without a new
 * generation (the workers' cached next hops stay valid): any route
 * lookup for that family now finds nothing. `n` restores. */
static uint32_t n64_routes_hide(bool v6, uint32_t n)
{
	uint32_t *count = v6 ? &v6_saved.s->nroutes6 : &v6_saved.s->nroutes;
	uint32_t was = *count;

	*count = n;
	return was;
}

/* A NAT64 TCP connection from V6_CLIENT port `cport` to the VIP, opened
 * (SYN, SYN+ACK, ACK); the client's last segment as the server got it
 * in *g, the server's as the client got it in *b. */
static bool n64_established(struct harness *h, uint16_t cport, struct seen *g,
			    struct seen6 *b, char *why)
{
	uint8_t f[FR_MAX];
	uint32_t len = n64_tcp6(f, V6_CLIENT, cport, V6_VIP, 80, SYN, 0, 0);

	if (!n64_to_server(h, f, len, g, why) ||
	    !n64_to_client(h, 0, SL_IPPROTO_TCP, g->daddr, 8080, g->sport, SYN | ACK, b, why))
		return false;
	len = n64_tcp6(f, V6_CLIENT, cport, V6_VIP, 80, ACK, 0, 0);
	return n64_to_server(h, f, len, g, why);
}

/* An established NAT64 packet makes no route lookup: its next hop and
 * the MTU of the port it leaves by come from the connection's cached
 * slot, each direction's in its own family's neighbor table. With the
 * snapshot's v4 routes hidden (the generation unchanged), the client's
 * segments still reach the server, and one too big for the server
 * side's 1300-byte port still gets Packet Too Big 1320 (a per-packet
 * route lookup would find no port, so no MTU, and send it on); with the
 * v6 routes hidden, the same for the server's segments and a DF one
 * too big for the client side's 1280 (frag needed 1260). */
static bool nat64_cached_path(struct harness *h, char *why)
{
	uint8_t f[FR_MAX], out[FR_MAX];
	struct seen g;
	struct seen6 b;
	uint32_t len, got, routes;
	bool ok = false;

	nat64_on(h);
	if (!n64_established(h, 45500, &g, &b, why))
		goto out;

	routes = n64_routes_hide(false, 0);
	len = n64_tcp6(f, V6_CLIENT, 45500, V6_VIP, 80, ACK, 0, 100);
	ok = n64_to_server(h, f, len, &g, why);
	if (ok) {
		sl_dataplane_set_mtu(&h->dp, IN, 1300);
		len = n64_tcp6(f, V6_CLIENT, 45500, V6_VIP, 80, ACK, 0, 1300);
		h_flush(h);
		h_send(h, OUT, f, len);
		got = h_recv(h, OUT, out);
		const uint8_t *ip = out + SL_ETH_HLEN;
		if (h_recv(h, IN, f) || got == 0 || ip[6] != SL_IPPROTO_ICMPV6 ||
		    ip[40] != SL_ICMP6_PKT_TOO_BIG || fr_get32(ip + 44) != 1320)
			ok = WHY("v4 routes hidden: a 1360-byte v6 packet for the 1300-byte "
				 "v4 port got no PTB 1320 (the MTU not from the cached slot)");
		sl_dataplane_set_mtu(&h->dp, IN, 0);
	}
	n64_routes_hide(false, routes);
	if (!ok)
		goto out;

	routes = n64_routes_hide(true, 0);
	ok = n64_to_client(h, 0, SL_IPPROTO_TCP, g.daddr, 8080, g.sport, ACK, &b, why);
	if (ok) {
		sl_dataplane_set_mtu(&h->dp, OUT, 1280);
		len = n64_df_from_server(f, &g, 1250);
		h_flush(h);
		h_send(h, IN, f, len);
		h_settle(h);
		got = h_recv(h, IN, out);
		const uint8_t *ip = out + FR_IP_OFF;
		if (h_recv(h, OUT, f) || got == 0 || ip[9] != SL_IPPROTO_ICMP || ip[20] != 3 ||
		    ip[21] != 4 || fr_get16(ip + 26) != 1260)
			ok = WHY("v6 routes hidden: a 1290-byte DF v4 packet for the 1280-byte "
				 "v6 port got no frag needed 1260 (the MTU not from the cached "
				 "slot)");
		sl_dataplane_set_mtu(&h->dp, OUT, 0);
	}
	n64_routes_hide(true, routes);
out:
	v6_off(h);
	return ok;
}

/* A new snapshot generation makes an established NAT64 connection's
 * cached next hops stale, each direction's: with a family's routes gone
 * in a snapshot of a new generation, the packet finds no route
 * (no_route) instead of leaving by the slot cached under the old one;
 * with them back (another generation), it goes again. nat64_cached_path
 * is the same without the generation: there the slot holds. */
static bool nat64_generation_stale(struct harness *h, char *why)
{
	uint8_t f[FR_MAX], out[FR_MAX];
	struct seen g;
	struct seen6 b;
	uint32_t len, routes;
	bool ok = false;

	nat64_on(h);
	if (!n64_established(h, 45600, &g, &b, why))
		goto out;
	for (unsigned v6 = 0; v6 < 2; v6++) {
		uint64_t before = h_drops(h, SL_DROP_NO_ROUTE);
		routes = n64_routes_hide(v6, 0);
		v6_saved.s->generation++;
		h_flush(h);
		if (v6) {
			len = build(f, SL_IPPROTO_TCP, g.daddr, 8080, LIP, g.sport, ACK);
			h_send_on(h, IN, 0, f, len);
			h_settle(h);
		} else {
			h_send(h, OUT, f, n64_tcp6(f, V6_CLIENT, 45600, V6_VIP, 80, ACK, 0, 10));
		}
		ok = !h_recv(h, v6 ? OUT : IN, out) && h_drops(h, SL_DROP_NO_ROUTE) == before + 1;
		n64_routes_hide(v6, routes);
		v6_saved.s->generation++;
		if (!ok) {
			ok = WHY("%s routes gone in a new generation: the %s's segment left by "
				 "its cached next hop, not dropped as no_route",
				 v6 ? "v6" : "v4", v6 ? "server" : "client");
			goto out;
		}
		len = n64_tcp6(f, V6_CLIENT, 45600, V6_VIP, 80, ACK, 0, 20);
		ok = v6 ? n64_to_client(h, 0, SL_IPPROTO_TCP, g.daddr, 8080, g.sport, ACK, &b,
					why)
			: n64_to_server(h, f, len, &g, why);
		if (!ok)
			goto out;
	}
out:
	v6_off(h);
	return ok;
}

/* NAT64's IPv4 Identification (RFC 7915 5.1) counts per worker; two
 * workers counting from one value would give a server the same IDs at
 * once. Each starts a 1/n of the 16-bit space from the others
 * (sl_worker_ip_id_seed): no two closer than that less the few packets
 * the checks before this one translated. */
static bool nat64_ip_id_apart(struct harness *h, char *why)
{
	unsigned slice = 65536u / h->nworkers;

	for (unsigned a = 0; a < h->nworkers; a++)
		for (unsigned b = a + 1; b < h->nworkers; b++) {
			uint16_t d = (uint16_t)(h->dp.workers[b]->ip_id - h->dp.workers[a]->ip_id);
			unsigned apart = RTE_MIN(d, (uint16_t)-d);
			if (apart + 4096 < slice)
				return WHY("workers %u and %u count IPv4 IDs %u apart (from %u, %u), "
					   "want about %u",
					   a, b, apart, h->dp.workers[a]->ip_id,
					   h->dp.workers[b]->ip_id, slice);
		}
	return true;
}
