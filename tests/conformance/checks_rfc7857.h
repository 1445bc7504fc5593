/* SPDX-License-Identifier: BSD-3-Clause */
/* RFC 7857 (RST handling) and the SNAT limits: per-host mappings and
 * port exhaustion
 * (included by conformance_checks.h, after the checks before it, whose
 * helpers it may use). */

/* ---- RFC 7857 ---- */

static bool established(struct harness *h, uint32_t host, uint16_t port,
			struct seen *m, char *why)
{
	static const uint8_t f[] = {SYN, SYN | ACK, ACK};
	static const bool in[] = {0, 1, 0};
	return tcp_sequence(h, host, port, f, in, 3, m, why);
}

static bool rst_kept_4_min(struct harness *h, char *why)
{
	struct seen m;
	if (!established(h, H(35), 10601, &m, why))
		return false;
	if (!inbound_delivered(h, SL_IPPROTO_TCP, SERVER, 80, &m, H(35), 10601, RST | ACK))
		return WHY("RST not forwarded");
	h_advance(h, 200);
	if (!inbound_delivered(h, SL_IPPROTO_TCP, SERVER, 80, &m, H(35), 10601, ACK))
		return WHY("session removed within 4 min of an RST");
	h_advance(h, 300);
	return inbound_delivered(h, SL_IPPROTO_TCP, SERVER, 80, &m, H(35), 10601, ACK)
		       ? WHY("session still there 5 min after the RST") : true;
}

/* An inbound RST (mapped -> host) with sequence number `seq`: delivered? */
static bool inbound_rst_seq(struct harness *h, const struct seen *m, uint32_t seq)
{
	uint8_t f[FR_MAX];
	uint32_t len = build(f, SL_IPPROTO_TCP, SERVER, 80, m->saddr, m->sport, RST | ACK);
	struct seen g;

	fr_put32(f + FR_L4_OFF + 4, seq);
	fr_fix_l4(f);
	h_flush(h);
	h_send(h, OUT, f, len); /* from the outside, like INBOUND */
	return h_recv(h, IN, g.frame) != 0;
}

/* The inside host acknowledged up to 0x01020304 (frames.h): an RST far
 * from it is dropped and counted, one within 16 MiB but not at the edge
 * is forwarded and leaves the session open, one at the edge closes it. */
static bool rst_sequence_checked(struct harness *h, char *why)
{
	struct seen m;
	uint64_t drops = h_drops(h, SL_DROP_TCP_RST_OUT_OF_WINDOW);
	if (!established(h, H(40), 10800, &m, why))
		return false;
	if (inbound_rst_seq(h, &m, 0x81020304))
		return WHY("an RST 2 GiB away from the window was forwarded");
	if (h_drops(h, SL_DROP_TCP_RST_OUT_OF_WINDOW) != drops + 1)
		return WHY("the out-of-window RST was not counted");
	if (!inbound_rst_seq(h, &m, 0x01820304))
		return WHY("an RST 8 MiB into the window was not forwarded");
	h_advance(h, 600); /* past the close timeout, within established's */
	if (!inbound_delivered(h, SL_IPPROTO_TCP, SERVER, 80, &m, H(40), 10800, ACK))
		return WHY("an RST away from the edge closed the session");
	if (!inbound_rst_seq(h, &m, 0x01020304))
		return WHY("the RST at the edge was not forwarded");
	h_advance(h, 600);
	return inbound_delivered(h, SL_IPPROTO_TCP, SERVER, 80, &m, H(40), 10800, ACK)
		       ? WHY("the RST at the edge did not close the session") : true;
}

static bool rst_no_refresh(struct harness *h, char *why)
{
	struct seen m, g;
	if (!established(h, H(36), 10700, &m, why))
		return false;
	h_advance(h, 200);
	if (!tcp_out(h, H(36), 10700, SERVER, 80, RST | ACK, &g))
		return WHY("outbound RST not forwarded");
	/* Refreshed by the RST, the mapping would live to 680 s; as it is,
	 * it goes with the closed session, before 560 s. */
	h_advance(h, 360);
	return INBOUND(SL_IPPROTO_TCP, SERVER, 80, m.saddr, m.sport, SYN, &g)
		       ? WHY("the outbound RST refreshed the mapping") : true;
}

/* ---- limits ---- */

static bool host_limit(struct harness *h, char *why)
{
	struct seen m, g;
	uint64_t drops = h_drops(h, SL_DROP_SNAT_HOST_LIMIT);
	uint64_t full = h_drops(h, SL_DROP_SNAT_HOSTS_FULL);
	for (unsigned i = 0; i < 300; i++)
		if (!udp_out(h, H(37), (uint16_t)(20000 + i), SERVER, 53, &m, why))
			return WHY("mapping %u of 300 refused", i);
	if (OUTBOUND(SL_IPPROTO_UDP, H(37), 20300, SERVER, 53, 0, &g))
		return WHY("a 301st mapping was made");
	if (h_drops(h, SL_DROP_SNAT_HOST_LIMIT) != drops + 1)
		return WHY("host limit drop not counted");
	if (h_drops(h, SL_DROP_SNAT_HOSTS_FULL) != full)
		return WHY("one host's limit counted as a full host table");
	return inbound_delivered(h, SL_IPPROTO_UDP, SERVER, 53, &m, H(37), 20299, 0)
		       ? true : WHY("existing mapping stopped working");
}

/* Every worker's host table bounded at one more host than it holds
 * (snat_options.max_hosts, as if it were that small): a new host takes
 * the last room, the next new one is refused as the table's
 * (snat_hosts_full), not as a host's limit; with the room back it gets
 * its mapping. Both use one inside port, so one worker owns both. */
static bool hosts_full(struct harness *h, char *why)
{
	struct seen m, g;
	uint64_t limit = h_drops(h, SL_DROP_SNAT_HOST_LIMIT);
	uint64_t full = h_drops(h, SL_DROP_SNAT_HOSTS_FULL);
	uint32_t max[SL_MAX_WORKERS];
	bool made;

	for (unsigned i = 0; i < h->nworkers; i++) {
		max[i] = h->dp.workers[i]->hosts.max;
		h->dp.workers[i]->hosts.max = h->dp.workers[i]->hosts.used + 1;
	}
	bool first = udp_out(h, H(201), 41000, SERVER, 53, &m, why);
	made = OUTBOUND(SL_IPPROTO_UDP, H(202), 41000, SERVER, 53, 0, &g);
	for (unsigned i = 0; i < h->nworkers; i++)
		h->dp.workers[i]->hosts.max = max[i];
	if (!first)
		return WHY("a new host with room in the table was refused");
	if (made)
		return WHY("a host past the table's bound got a mapping");
	if (h_drops(h, SL_DROP_SNAT_HOSTS_FULL) != full + 1)
		return WHY("the full host table was not counted as snat_hosts_full");
	if (h_drops(h, SL_DROP_SNAT_HOST_LIMIT) != limit)
		return WHY("a full host table counted as a host's limit");
	return udp_out(h, H(202), 41000, SERVER, 53, &m, why)
		       ? true : WHY("with room again, the host was still refused");
}

static bool port_exhaustion(struct harness *h, char *why)
{
	struct seen first, g;
	uint64_t drops = h_drops(h, SL_DROP_PORT_EXHAUSTED);
	uint32_t made = 0, host = 0, port = 0;

	if (!udp_out(h, E(20), 30000, SERVER, 53, &first, why))
		return false;
	for (host = 20; host < 255 && h_drops(h, SL_DROP_PORT_EXHAUSTED) == drops; host++)
		for (port = 30001; port < 30300; port++) {
			uint8_t f[FR_MAX];
			h_send(h, IN, f, build(f, SL_IPPROTO_UDP, E(host), (uint16_t)port,
					       SERVER, 53, 0));
			h_flush(h);
			if (h_drops(h, SL_DROP_PORT_EXHAUSTED) != drops)
				break;
			made++;
		}
	if (h_drops(h, SL_DROP_PORT_EXHAUSTED) == drops)
		return WHY("%u mappings and the pool never ran out", made);
	/* The refusal is answered (icmp_on_exhaustion): 3/13 to the host
	 * (one with a neighbor entry and room under its own limit), from a
	 * port owned by the worker that ran out (same value modulo 2). */
	uint8_t f[FR_MAX];
	h_flush(h);
	h_send(h, IN, f, build(f, SL_IPPROTO_UDP, E(39), (uint16_t)(port + 10000),
			       SERVER, 53, 0));
	g.len = h_recv(h, IN, g.frame);
	if (!g.len || g.frame[FR_L4_OFF] != 3 || g.frame[FR_L4_OFF + 1] != 13)
		return WHY("no ICMP 3/13 for a refused mapping");
	return inbound_delivered(h, SL_IPPROTO_UDP, SERVER, 53, &first, E(20), 30000, 0)
		       ? true : WHY("existing mapping stopped working when the pool ran out");
}

