/* SPDX-License-Identifier: BSD-3-Clause */
/* Port MTU (RFC 1191): a packet longer than the MTU of the port it would
 * leave by is not sent; with DF its sender gets "fragmentation needed"
 * with that MTU, quoting the packet as it was sent, within a rate of its
 * own (included by conformance_checks.h, after the checks before it,
 * whose helpers it may use). */

#define MTU_SMALL 1000

/* A data segment of `ip_len` bytes from the server of a connection to
 * its local address and port, DF set or not. */
static uint32_t server_segment(uint8_t *f, uint16_t lport, uint16_t ip_len, bool df)
{
	struct fr_spec spec = {.saddr = RS, .daddr = LIP, .sport = 8080, .dport = lport,
			       .proto = SL_IPPROTO_TCP, .ttl = 64, .tcp_flags = ACK,
			       .payload = (uint16_t)(ip_len - SL_IPV4_HLEN - 20)};
	uint32_t len = fr_build(f, &spec);

	if (!df) {
		fr_put16(f + FR_IP_OFF + 6, 0);
		fr_fix_ip(f);
	}
	return len;
}

static uint64_t frag_needed_sent(const struct harness *h)
{
	uint64_t n = 0;
	for (unsigned i = 0; i < h->nworkers; i++)
		n += h->dp.workers[i]->stats.frag_needed_sent;
	return n;
}

/* The ICMP error the server got: type 3 code 4 from the server-side
 * port's address, next-hop MTU, the quote as the server sent it. */
static bool frag_needed_ok(const struct seen *g, uint16_t lport, char *why)
{
	const uint8_t *ip = g->frame + FR_IP_OFF, *icmp = ip + 20, *inner = ip + 28;
	uint16_t icmp_len = (uint16_t)(fr_get16(ip + 2) - 20);

	if (ip[9] != SL_IPPROTO_ICMP || icmp[0] != 3 || icmp[1] != 4)
		return WHY("sent proto %u type %u code %u, not ICMP 3/4", ip[9], icmp[0],
			   icmp[1]);
	if (fr_get16(icmp + 6) != MTU_SMALL)
		return WHY("next-hop MTU %u, want %u", fr_get16(icmp + 6), MTU_SMALL);
	if (fr_get32(ip + 12) != IP(198, 18, 2, 1) || fr_get32(ip + 16) != RS)
		return WHY("outer %08x -> %08x, want the port's address -> RS",
			   fr_get32(ip + 12), fr_get32(ip + 16));
	if (fr_get32(inner + 12) != RS || fr_get32(inner + 16) != LIP ||
	    fr_get16(inner + 20) != 8080 || fr_get16(inner + 22) != lport)
		return WHY("quote not as the server sent it");
	if (!fr_ip_ok(g->frame) || fr_ref_csum(icmp, icmp_len, 0) != 0)
		return WHY("bad IP or ICMP checksum");
	return true;
}

/* What one segment of `ip_len` bytes from the server did: forwarded to
 * the client, answered to the server, both or neither. */
static void segment_out(struct harness *h, uint16_t lport, uint16_t ip_len, bool df,
			struct seen *to_client, struct seen *to_server)
{
	uint8_t f[FR_MAX];
	uint32_t len = server_segment(f, lport, ip_len, df);

	h_flush(h);
	h_send(h, IN, f, len);
	to_client->len = h_recv(h, OUT, to_client->frame);
	to_server->len = h_recv(h, IN, to_server->frame);
}

/* The client-side port's MTU lowered to MTU_SMALL while `body` runs. */
static bool with_small_mtu(struct harness *h, char *why,
			   bool (*body)(struct harness *, const struct seen *, char *))
{
	static uint16_t cport = 41300;
	struct seen to_rs;

	if (!exchange(h, OUT, IN, SL_IPPROTO_TCP, SERVER, cport++, VIP, 80, SYN, &to_rs))
		return WHY("SYN to the VIP not forwarded");
	sl_dataplane_set_mtu(&h->dp, OUT, MTU_SMALL);
	bool ok = body(h, &to_rs, why);
	sl_dataplane_set_mtu(&h->dp, OUT, 0);
	return ok;
}

static bool mtu_egress_body(struct harness *h, const struct seen *to_rs, char *why)
{
	struct seen c, s;
	uint64_t df0 = h_drops(h, SL_DROP_MTU_EXCEEDED_DF), nodf0 = h_drops(h, SL_DROP_MTU_EXCEEDED);
	uint64_t sent0 = frag_needed_sent(h);

	segment_out(h, to_rs->sport, MTU_SMALL, true, &c, &s);
	if (!c.len || s.len)
		return WHY("a %u-byte segment at the MTU: %s to the client, %s to the server",
			   MTU_SMALL, c.len ? "sent" : "not sent", s.len ? "something" : "nothing");
	segment_out(h, to_rs->sport, MTU_SMALL + 1, true, &c, &s);
	if (c.len || !s.len)
		return WHY("DF, one byte over: %s to the client, %s to the server",
			   c.len ? "sent" : "nothing", s.len ? "an answer" : "no answer");
	if (!frag_needed_ok(&s, to_rs->sport, why))
		return false;
	segment_out(h, to_rs->sport, 1400, false, &c, &s);
	if (c.len || s.len)
		return WHY("no DF, over the MTU: %s to the client, %s to the server",
			   c.len ? "sent" : "nothing", s.len ? "an answer" : "nothing");
	if (h_drops(h, SL_DROP_MTU_EXCEEDED_DF) != df0 + 1 ||
	    h_drops(h, SL_DROP_MTU_EXCEEDED) != nodf0 + 1 || frag_needed_sent(h) != sent0 + 1)
		return WHY("counted %llu mtu_exceeded_df, %llu mtu_exceeded, %llu sent; want 1 each",
			   (unsigned long long)(h_drops(h, SL_DROP_MTU_EXCEEDED_DF) - df0),
			   (unsigned long long)(h_drops(h, SL_DROP_MTU_EXCEEDED) - nodf0),
			   (unsigned long long)(frag_needed_sent(h) - sent0));
	return true;
}

static bool mtu_egress(struct harness *h, char *why)
{
	return with_small_mtu(h, why, mtu_egress_body);
}

/* 500 oversized DF segments as fast as the harness sends them: the
 * answers stay within the bucket (100 saved up, 1 a millisecond), the
 * rest counted as limited, none lost from the count. */
static uint64_t frag_needed_limited(const struct harness *h)
{
	uint64_t n = 0;
	for (unsigned i = 0; i < h->nworkers; i++)
		n += h->dp.workers[i]->stats.frag_needed_limited;
	return n;
}

static bool mtu_rate_body(struct harness *h, const struct seen *to_rs, char *why)
{
	struct seen c, s;
	uint64_t sent0 = frag_needed_sent(h), limited0 = frag_needed_limited(h), answered = 0;
	uint64_t t0 = rte_rdtsc();
	for (unsigned i = 0; i < 500; i++) {
		segment_out(h, to_rs->sport, 1400, true, &c, &s);
		answered += s.len != 0;
	}
	uint64_t ms = (rte_rdtsc() - t0) * 1000 / rte_get_tsc_hz() + 1;
	uint64_t limited = frag_needed_limited(h) - limited0;
	uint64_t sent = frag_needed_sent(h) - sent0;
	if (answered != sent || sent + limited != 500 || limited == 0 || sent > 100 + ms)
		return WHY("500 over the MTU in %llu ms: %llu answered, %llu sent, %llu limited",
			   (unsigned long long)ms, (unsigned long long)answered,
			   (unsigned long long)sent, (unsigned long long)limited);
	return true;
}

static bool mtu_frag_needed_rate(struct harness *h, char *why)
{
	return with_small_mtu(h, why, mtu_rate_body);
}

/* A SYN from `s`:`sp` to `d`:`dp` on `in_port` carrying MSS 1460 (with
 * `nop` no-operations before it: an odd offset), as it left by `out_port`. */
static bool syn_mss_exchange(struct harness *h, unsigned in_port, unsigned out_port,
			     uint32_t s, uint16_t sp, uint32_t d, uint16_t dp, uint8_t flags,
			     bool nop, struct seen *g)
{
	uint8_t f[FR_MAX];
	struct fr_spec spec = {.saddr = s, .daddr = d, .sport = sp, .dport = dp,
			       .proto = SL_IPPROTO_TCP, .ttl = 64, .tcp_flags = flags,
			       .payload = 8};
	uint32_t len = fr_build(f, &spec);
	uint8_t *opt = f + FR_L4_OFF + 20;
	const uint8_t plain[8] = {2, 4, 0x05, 0xb4, 1, 1, 1, 0};
	const uint8_t odd[8] = {1, 2, 4, 0x05, 0xb4, 1, 1, 0};

	f[FR_L4_OFF + 12] = 7 << 4;
	memcpy(opt, nop ? odd : plain, 8);
	fr_fix_l4(f);
	h_flush(h);
	h_send(h, in_port, f, len);
	return (g->len = h_recv(h, out_port, g->frame)) != 0;
}

/* The MSS a forwarded SYN carries (0: none found). */
static uint16_t syn_mss(const struct seen *g)
{
	const uint8_t *opt = g->frame + FR_L4_OFF + 20;
	unsigned at = opt[0] == 1 ? 1 : 0;
	return opt[at] == 2 ? fr_get16(opt + at + 2) : 0;
}

/* Each SYN's MSS lowered to the MTU (less 40) of the port its answers
 * leave by, a port's own MTU each way; checksums still right. */
static bool mss_clamp(struct harness *h, char *why)
{
	struct seen to_rs, to_c;
	bool ok = true;

	sl_dataplane_set_mtu(&h->dp, OUT, MTU_SMALL);
	sl_dataplane_set_mtu(&h->dp, IN, 1400);
	for (unsigned nop = 0; nop < 2 && ok; nop++) {
		uint16_t cport = (uint16_t)(41500 + nop);
		if (!syn_mss_exchange(h, OUT, IN, SERVER, cport, VIP, 80, SYN, nop, &to_rs)) {
			ok = WHY("SYN with MSS not forwarded");
			break;
		}
		uint16_t lport = fr_get16(to_rs.frame + FR_L4_OFF);
		if (!syn_mss_exchange(h, IN, OUT, RS, 8080, LIP, lport, SYN | ACK, nop, &to_c))
			ok = WHY("SYN+ACK with MSS not sent to the client");
		else if (syn_mss(&to_rs) != MTU_SMALL - 40 || syn_mss(&to_c) != 1400 - 40)
			ok = WHY("MSS %u to the server, %u to the client; want %u (client port's "
				 "MTU %u) and %u (server port's 1400)%s", syn_mss(&to_rs),
				 syn_mss(&to_c), MTU_SMALL - 40, MTU_SMALL, 1400 - 40,
				 nop ? ", option at an odd offset" : "");
		else if (!frame_ok(&to_rs) || !frame_ok(&to_c))
			ok = WHY("bad checksum after the clamp%s", nop ? " at an odd offset" : "");
	}
	sl_dataplane_set_mtu(&h->dp, OUT, 0);
	sl_dataplane_set_mtu(&h->dp, IN, 0);
	return ok;
}

/* The connection whose client side is `cport` -> VIP:80, on whichever
 * worker holds it, and that worker. */
static const struct sl_conn *fnat_entry(const struct harness *h, uint16_t cport,
					const struct sl_worker **owner)
{
	struct sl_v4key k = {sl_htonl(SERVER), sl_htonl(VIP), sl_htons(cport), sl_htons(80)};

	for (unsigned i = 0; i < h->nworkers; i++) {
		struct sl_conn_table *ct = &h->dp.workers[i]->ct;
		uint32_t ref = sl_ct_lookup(ct, &k, SL_IPPROTO_TCP,
					    sl_flow_hash(&k, SL_IPPROTO_TCP));
		if (ref != SL_CT_NONE) {
			*owner = h->dp.workers[i];
			return sl_ct_conn(ct, ref);
		}
	}
	return NULL;
}

/* The clamp of a client's SYN asks where its answers leave; the route it
 * looks up is kept as the reply direction's next hop, so the SYN+ACK (and
 * a retransmitted SYN) look up no route again. */
static bool mss_clamp_route_once(struct harness *h, char *why)
{
	const struct sl_worker *w = NULL;
	struct seen to_rs, to_c;
	uint16_t cport = 41510;
	bool ok = true;

	sl_dataplane_set_mtu(&h->dp, OUT, MTU_SMALL);
	if (!syn_mss_exchange(h, OUT, IN, SERVER, cport, VIP, 80, SYN, false, &to_rs)) {
		ok = WHY("SYN with MSS not forwarded");
		goto out;
	}
	const struct sl_conn *c = fnat_entry(h, cport, &w);
	if (c == NULL) {
		ok = WHY("no connection for the SYN");
		goto out;
	}
	uint16_t slot = c->nh_slot[SL_DIR_REPLY];
	if (slot == SL_NH_NONE || w->neigh->slot[slot].port != OUT)
		ok = WHY("after the SYN the reply's next hop is %s, want the client's on out",
			 slot == SL_NH_NONE ? "unknown" : "on another port");
	else if (syn_mss(&to_rs) != MTU_SMALL - 40)
		ok = WHY("MSS %u to the server, want %u", syn_mss(&to_rs), MTU_SMALL - 40);
	else if (!syn_mss_exchange(h, IN, OUT, RS, 8080, LIP, fr_get16(to_rs.frame + FR_L4_OFF),
				   SYN | ACK, false, &to_c))
		ok = WHY("SYN+ACK not sent to the client by the kept next hop");
out:
	sl_dataplane_set_mtu(&h->dp, OUT, 0);
	return ok;
}
