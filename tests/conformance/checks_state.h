/* SPDX-License-Identifier: BSD-3-Clause */
/* What may and may not change a connection's state (included by
 * conformance_checks.h; issue 13): ICMP errors never end a session, a TCP
 * connection opened from outside through an endpoint-independent mapping
 * works, and full-NAT judges the client's RSTs and carries its ICMP
 * errors as it does a server's. */

/* SNAT: errors of every kind about an established session are delivered
 * and leave it as it was: still there after 300 s, past the transitory
 * timeout (240 s) an error that closed or reset it would have left it. */
static bool errors_delete_nothing(struct harness *h, char *why)
{
	static const struct { uint8_t type, code; } kinds[] = {
		{SL_ICMP_DEST_UNREACH, 1}, {SL_ICMP_DEST_UNREACH, 3},
		{SL_ICMP_DEST_UNREACH, 4}, {SL_ICMP_TIME_EXCEEDED, 0},
	};
	struct seen m, g;

	if (!established(h, H(38), 11000, &m, why))
		return false;
	for (unsigned i = 0; i < SL_ARRAY_SIZE(kinds); i++)
		if (!error_translated(h, &m, H(38), 11000, kinds[i].type, kinds[i].code, 0,
				      why))
			return false;
	h_advance(h, 300);
	if (!inbound_delivered(h, SL_IPPROTO_TCP, SERVER, 80, &m, H(38), 11000, ACK))
		return WHY("the session was gone 300 s after four ICMP errors");
	return tcp_out(h, H(38), 11000, SERVER, 80, ACK, &g) && g.saddr == m.saddr &&
			       g.sport == m.sport
		       ? true : WHY("the inside host's next segment left as %08x:%u, not %08x:%u",
				    g.saddr, g.sport, m.saddr, m.sport);
}

/* RFC 5382 REQ-1/REQ-3: on an endpoint-independent rule, a host the
 * inside host never contacted opens a TCP connection to its mapping; the
 * inside host's SYN+ACK leaves from the same mapping, the remote's ACK
 * establishes it (still there after 300 s, past the transitory 240 s). */
static bool eim_tcp_from_outside(struct harness *h, char *why)
{
	struct seen m, g;

	if (!tcp_out(h, E(22), 9700, SERVER, 80, SYN, &m))
		return WHY("the inside host's SYN not forwarded");
	if (!inbound_delivered(h, SL_IPPROTO_TCP, OTHER, 5555, &m, E(22), 9700, SYN))
		return WHY("a SYN from a new remote to %08x:%u not delivered", m.saddr, m.sport);
	if (!tcp_out(h, E(22), 9700, OTHER, 5555, SYN | ACK, &g))
		return WHY("the inside host's SYN+ACK not forwarded");
	if (g.saddr != m.saddr || g.sport != m.sport || g.daddr != OTHER || g.dport != 5555)
		return WHY("SYN+ACK left as %08x:%u -> %08x:%u, mapping %08x:%u", g.saddr,
			   g.sport, g.daddr, g.dport, m.saddr, m.sport);
	if (!inbound_delivered(h, SL_IPPROTO_TCP, OTHER, 5555, &m, E(22), 9700, ACK))
		return WHY("the remote's ACK not delivered");
	h_advance(h, 300);
	if (!inbound_delivered(h, SL_IPPROTO_TCP, OTHER, 5555, &m, E(22), 9700, ACK))
		return WHY("the connection opened from outside was gone after 300 s idle"
			   " (never established)");
	return tcp_out(h, E(22), 9700, OTHER, 5555, ACK, &g) && g.saddr == m.saddr
		       ? true : WHY("the inside host's data after 300 s not forwarded");
}

/* A full-NAT connection from the client (SERVER:cport) to the VIP,
 * established; its local port in *lport, the SYN+ACK as the client got
 * it in *to_client. */
static bool fnat_established(struct harness *h, uint16_t cport, uint16_t *lport,
			     struct seen *to_client, char *why)
{
	struct seen to_rs, g;

	if (!exchange(h, OUT, IN, SL_IPPROTO_TCP, SERVER, cport, VIP, 80, SYN, &to_rs) ||
	    to_rs.daddr != RS)
		return WHY("SYN to the VIP not forwarded to the server");
	*lport = to_rs.sport;
	if (!exchange(h, IN, OUT, SL_IPPROTO_TCP, RS, 8080, LIP, *lport, SYN | ACK, to_client))
		return WHY("SYN+ACK not forwarded to the client");
	return exchange(h, OUT, IN, SL_IPPROTO_TCP, SERVER, cport, VIP, 80, ACK, &g)
		       ? true : WHY("the client's ACK not forwarded");
}

/* The server's ACK reaches the client. */
static bool fnat_alive(struct harness *h, uint16_t cport, uint16_t lport)
{
	struct seen g;
	return exchange(h, IN, OUT, SL_IPPROTO_TCP, RS, 8080, LIP, lport, ACK, &g) &&
	       g.daddr == SERVER && g.dport == cport;
}

/* The client's RST with sequence number `seq`: forwarded to the server? */
static bool fnat_client_rst(struct harness *h, uint16_t cport, uint32_t seq)
{
	uint8_t f[FR_MAX], out[FR_MAX];
	uint32_t len = build(f, SL_IPPROTO_TCP, SERVER, cport, VIP, 80, RST | ACK);

	fr_put32(f + FR_L4_OFF + 4, seq);
	fr_fix_l4(f);
	h_flush(h);
	h_send(h, OUT, f, len);
	return h_recv(h, IN, out) != 0;
}

/* RFC 5961 on the client's side of full-NAT: the server acknowledged up
 * to 0x01020304 (frames.h). A client RST 2 GiB away is dropped and
 * counted; one 8 MiB into the window is forwarded and leaves the
 * connection open (past tcp_close, 10 s); one at the edge closes it. */
static bool fnat_client_rst_window(struct harness *h, char *why)
{
	struct seen to_client;
	uint16_t cport = 41200, lport;
	uint64_t drops = h_drops(h, SL_DROP_TCP_RST_OUT_OF_WINDOW);

	if (!fnat_established(h, cport, &lport, &to_client, why))
		return false;
	if (fnat_client_rst(h, cport, 0x81020304))
		return WHY("a client RST 2 GiB away from the window was forwarded");
	if (h_drops(h, SL_DROP_TCP_RST_OUT_OF_WINDOW) != drops + 1)
		return WHY("the out-of-window RST was not counted");
	if (!fnat_client_rst(h, cport, 0x01820304))
		return WHY("a client RST 8 MiB into the window was not forwarded");
	h_advance(h, 60);
	if (!fnat_alive(h, cport, lport))
		return WHY("a client RST away from the edge closed the connection");
	if (!fnat_client_rst(h, cport, 0x01020304))
		return WHY("the client RST at the edge was not forwarded");
	h_advance(h, 60);
	return fnat_alive(h, cport, lport)
		       ? WHY("the client RST at the edge did not close the connection") : true;
}

/* An ICMP port unreachable from the client's network about the SYN+ACK
 * it got reaches the server from the local address, quoting the segment
 * as the server sent it, every checksum right; the connection lives on
 * (past tcp_close). */
static bool fnat_client_icmp_error(struct harness *h, char *why)
{
	uint8_t f[FR_MAX];
	struct seen to_client, g;
	uint16_t cport = 41210, lport;

	if (!fnat_established(h, cport, &lport, &to_client, why))
		return false;
	h_flush(h);
	h_send(h, OUT, f, icmp_error(f, ROUTER_OUT, VIP, SL_ICMP_DEST_UNREACH, 3, 0,
				     &to_client, 0));
	g.len = h_recv(h, IN, g.frame);
	if (g.len == 0)
		return WHY("the client's port unreachable not delivered to the server");
	const uint8_t *ip = g.frame + FR_IP_OFF, *icmp = ip + 20, *inner = icmp + 8;
	if (fr_get32(ip + 12) != LIP || fr_get32(ip + 16) != RS)
		return WHY("outer %08x -> %08x, want LIP -> RS", fr_get32(ip + 12),
			   fr_get32(ip + 16));
	if (!fr_ip_ok(g.frame) ||
	    fr_ref_fold(fr_ref_sum(icmp, fr_get16(ip + 2) - 20u, 0)) != 0xffff)
		return WHY("outer checksums wrong");
	if (fr_get32(inner + 12) != RS || fr_get16(inner + 20) != 8080 ||
	    fr_get32(inner + 16) != LIP || fr_get16(inner + 22) != lport)
		return WHY("quote %08x:%u -> %08x:%u, not the server's segment",
			   fr_get32(inner + 12), fr_get16(inner + 20), fr_get32(inner + 16),
			   fr_get16(inner + 22));
	if (fr_ref_fold(fr_ref_sum(inner, 20, 0)) != 0xffff || !fr_l4_ok(g.frame + 28))
		return WHY("quoted IP or TCP checksum wrong");
	h_advance(h, 60);
	return fnat_alive(h, cport, lport)
		       ? true : WHY("the connection was gone after the client's error");
}

/* The mapping entry of inside host:port, on whichever worker holds it. */
static const struct sl_conn *mapping_entry(const struct harness *h, uint32_t host,
					   uint16_t port, uint8_t proto)
{
	struct sl_v4key k = {sl_htonl(host), 0, sl_htons(port), 0};

	for (unsigned i = 0; i < h->nworkers; i++) {
		struct sl_conn_table *ct = &h->dp.workers[i]->ct;
		uint32_t ref = sl_ct_lookup(ct, &k, proto, sl_flow_hash(&k, proto));
		if (ref != SL_CT_NONE && (sl_ct_conn(ct, ref)->flags & SL_CONN_F_MAPPING))
			return sl_ct_conn(ct, ref);
	}
	return NULL;
}

/* A mapping's idle timer runs from its last outbound packet: inbound
 * packets (which keep their session alive) leave the mapping's expiry
 * where it was; the next outbound packet moves it. Read from the entry
 * itself: while a session lives its mapping stays, so from outside the
 * difference shows only once the timeouts of the two differ. */
static bool inbound_no_mapping_refresh(struct harness *h, char *why)
{
	struct seen m, g;

	if (!udp_out(h, H(38), 11100, SERVER, 53, &m, why))
		return false;
	const struct sl_conn *map = mapping_entry(h, H(38), 11100, SL_IPPROTO_UDP);
	if (map == NULL)
		return WHY("no mapping entry for the host's port");
	uint32_t expire = map->expire;
	h_advance(h, 100);
	for (unsigned i = 0; i < 3; i++)
		if (!inbound_delivered(h, SL_IPPROTO_UDP, SERVER, 53, &m, H(38), 11100, 0))
			return WHY("inbound datagram %u not delivered", i);
	if (map->expire != expire)
		return WHY("inbound datagrams moved the mapping's expiry by %d ms",
			   (int)(map->expire - expire));
	if (!udp_out(h, H(38), 11100, SERVER, 53, &g, why))
		return false;
	return (int32_t)(map->expire - expire) >= 99000
		       ? true : WHY("an outbound datagram 100 s on moved the expiry by %d ms",
				    (int)(map->expire - expire));
}
