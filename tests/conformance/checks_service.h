/* SPDX-License-Identifier: BSD-3-Clause */
/* Full-NAT services through the worker (included by conformance_checks.h;
 * issue 13): refusals and their rate limit, flushing UDP flows, sh and sh
 * with hashed ports, persistence templates lapsing and replaced. Each
 * publishes a variant of the running model and puts it back. */

/* A worker counter summed over the workers, and a drop per worker. */
#define SV_STAT(h, w, field) ((h)->dp.workers[w]->stats.field)

/* Publish a copy of the running model changed by `edit`; the copy is
 * the caller's to free (sv_restore). */
static bool sv_publish(struct harness *h, struct sl_model *m, char *why,
		       int (*edit)(struct sl_model *m, void *arg, struct sl_err *err),
		       void *arg)
{
	struct sl_err err = {0};

	if (sl_model_clone(m, &h->ctl.model) != 0)
		return WHY("cannot copy the model");
	if (edit(m, arg, &err) != 0 || h_publish(h, m, &err) != 0) {
		sl_model_free(m);
		return WHY("cannot publish the variant: %.40s: %.80s", err.field, err.message);
	}
	return true;
}

/* Let what the check opened expire, publish the running model again. */
static bool sv_restore(struct harness *h, struct sl_model *m, bool ok, char *why)
{
	struct sl_err err = {0};

	h_advance(h, 400); /* past udp, tcp_syn_sent, tcp_close */
	h_flush(h);
	sl_model_free(m);
	if (h_publish(h, &h->ctl.model, &err) != 0 && ok)
		return WHY("the running model not restored: %.80s", err.message);
	return ok;
}

static int set_weight(struct sl_model *m, uint32_t vip, uint16_t vport, uint8_t proto,
		      uint32_t rs, uint16_t port, uint32_t weight, struct sl_err *err)
{
	return sl_model_set_rs_weight(m, sl_htonl(vip), sl_htons(vport), proto, sl_htonl(rs),
				      sl_htons(port), weight, err);
}

/* ---- refusals ---- */

static int drain_rs(struct sl_model *m, void *arg, struct sl_err *err)
{
	(void)arg;
	return set_weight(m, VIP, 80, SL_IPPROTO_TCP, RS, 8080, 0, err);
}

#define SV_SYNS (63 * H_BURST)
#define SV_REFUSALS_PER_100MS 100 /* 1000 a second, per worker */
#define SV_GAP_MS 5 /* between bursts: 63 of them span over 300 ms */

/* A VIP whose only server is drained refuses new connections with an
 * RST, at most 1000 a second per worker (100 in any 100 ms window);
 * beyond that a SYN is a no_real_server drop. 2,016 SYNs in bursts of 32,
 * 5 ms apart (a limit of 2000 a second would answer more of them): each
 * worker answers at most 100 per 100 ms window it started, the rest is dropped and counted, every SYN one or
 * the other; 100 ms later a SYN is answered again. */
static bool refusals_rate_limited(struct harness *h, char *why)
{
	static uint8_t f[H_BURST][FR_MAX];
	uint32_t lens[H_BURST];
	uint64_t refused0[SL_MAX_WORKERS], dropped0[SL_MAX_WORKERS];
	uint8_t out[FR_MAX];
	unsigned rsts = 0;
	struct sl_model m;
	bool ok = true;

	if (!sv_publish(h, &m, why, drain_rs, NULL))
		return false;
	for (unsigned w = 0; w < h->nworkers; w++) {
		refused0[w] = SV_STAT(h, w, conns_refused);
		dropped0[w] = SV_STAT(h, w, drops[SL_DROP_NO_REAL_SERVER]);
	}
	h_tick(h, 100); /* every worker's window over: the burst starts one */
	h_flush(h);
	uint64_t t0 = rte_rdtsc();
	for (unsigned i = 0; i < SV_SYNS; i += H_BURST) {
		for (unsigned j = 0; j < H_BURST; j++)
			lens[j] = build(f[j], SL_IPPROTO_TCP, SERVER, (uint16_t)(43000 + i + j),
					VIP, 80, SYN);
		h_send_burst(h, OUT, (const uint8_t(*)[FR_MAX])f, lens, H_BURST);
		h_settle(h);
		while (h_recv(h, OUT, out))
			rsts++;
		h_tick(h, SV_GAP_MS);
	}
	uint64_t ms = (rte_rdtsc() - t0) * 1000 / rte_get_tsc_hz() +
		      SV_SYNS / H_BURST * SV_GAP_MS;
	/* Windows of 100 ms each worker started within the burst: the first
	 * at its first refusal, then one at most every 100 ms. */
	uint64_t windows = ms / 100 + 1, refused = 0, dropped = 0;
	for (unsigned w = 0; w < h->nworkers && ok; w++) {
		uint64_t r = SV_STAT(h, w, conns_refused) - refused0[w];
		refused += r;
		dropped += SV_STAT(h, w, drops[SL_DROP_NO_REAL_SERVER]) - dropped0[w];
		if (r > windows * SV_REFUSALS_PER_100MS)
			ok = WHY("worker %u refused %llu SYNs in %llu ms, at most %llu allowed", w,
				 (unsigned long long)r, (unsigned long long)ms,
				 (unsigned long long)(windows * SV_REFUSALS_PER_100MS));
	}
	if (ok && (refused + dropped != SV_SYNS || dropped == 0))
		ok = WHY("%llu refused + %llu no_real_server drops of %u SYNs",
			 (unsigned long long)refused, (unsigned long long)dropped, SV_SYNS);
	if (ok && rsts != refused)
		ok = WHY("%u RSTs sent for %llu refusals", rsts, (unsigned long long)refused);
	if (ok && refused < SV_REFUSALS_PER_100MS)
		ok = WHY("only %llu refusals", (unsigned long long)refused);
	h_tick(h, 100);
	struct seen g;
	if (ok && !exchange(h, OUT, OUT, SL_IPPROTO_TCP, SERVER, 42999, VIP, 80, SYN, &g))
		ok = WHY("no RST 100 ms after the limit was reached");
	if (ok && !(fr_get32(g.frame + FR_IP_OFF + 12) == VIP &&
		    (g.frame[FR_L4_OFF + 13] & RST)))
		ok = WHY("the answer is not an RST from the VIP");
	return sv_restore(h, &m, ok, why);
}

/* ---- flushing UDP flows ---- */

struct sv_rs {
	uint32_t ip;
	uint16_t port;
};

static int del_rs(struct sl_model *m, void *arg, struct sl_err *err)
{
	const struct sv_rs *rs = arg;
	return sl_model_del_rs(m, sl_htonl(VIP), sl_htons(53), SL_IPPROTO_UDP, sl_htonl(rs->ip),
			       sl_htons(rs->port), err);
}

/* Every worker has taken its messages up and ended its flush walk. */
static bool flushes_done(const struct harness *h)
{
	for (unsigned w = 0; w < h->nworkers; w++)
		if (h->dp.workers[w]->flush != NULL ||
		    !rte_ring_empty(h->dp.workers[w]->ctl_ring))
			return false;
	return true;
}

/* A UDP flow's server removed (rs del keeps the flow: its next datagram
 * still goes there), then flushed: the flow goes, and its next datagram
 * is scheduled afresh, to the other server; so is a second flow's. */
static bool udp_flush_reschedules(struct harness *h, char *why)
{
	struct seen a, b, g;
	struct sl_model m;
	const struct sl_model_svc *svc =
		sl_model_find_svc(&h->ctl.model, sl_htonl(VIP), sl_htons(53), SL_IPPROTO_UDP);

	if (!exchange(h, OUT, IN, SL_IPPROTO_UDP, SERVER, 7000, VIP, 53, 0, &a))
		return WHY("the first datagram not forwarded");
	struct sv_rs x = {a.daddr, a.dport};
	uint16_t rs_id = 0;
	for (uint32_t i = 0; svc && i < svc->nrs; i++)
		if (sl_ntohl(svc->rs[i].ip) == x.ip)
			rs_id = svc->rs[i].id;
	if (rs_id == 0)
		return WHY("server %08x not in the model", x.ip);
	/* A second flow on the same server. */
	uint16_t other = 7001;
	for (; other < 7100; other++)
		if (exchange(h, OUT, IN, SL_IPPROTO_UDP, SERVER, other, VIP, 53, 0, &b) &&
		    b.daddr == x.ip)
			break;
	if (other == 7100)
		return WHY("no second flow reached %08x", x.ip);
	if (!sv_publish(h, &m, why, del_rs, &x))
		return false;
	bool ok = true;
	if (!exchange(h, OUT, IN, SL_IPPROTO_UDP, SERVER, 7000, VIP, 53, 0, &g) ||
	    g.daddr != x.ip)
		ok = WHY("removal without a flush moved the flow (to %08x)", g.daddr);
	sl_ctl_flush_rs(&h->ctl, svc->id, rs_id);
	/* The workers take the message up in their loop, then walk their
	 * tables a slice a turn. */
	for (unsigned i = 0; i < 65536 && !flushes_done(h); i++)
		h_tick(h, 1);
	if (ok && !flushes_done(h))
		ok = WHY("the flush walk did not end");
	if (ok && (!exchange(h, OUT, IN, SL_IPPROTO_UDP, SERVER, 7000, VIP, 53, 0, &g) ||
		   g.daddr == x.ip || (g.daddr != RS && g.daddr != RS2)))
		ok = WHY("after the flush the flow's datagram went to %08x (flushed %08x)",
			 g.daddr, x.ip);
	if (ok && (!exchange(h, OUT, IN, SL_IPPROTO_UDP, SERVER, other, VIP, 53, 0, &b) ||
		   b.daddr == x.ip))
		ok = WHY("the second flow's datagram went to %08x after the flush", b.daddr);
	return sv_restore(h, &m, ok, why);
}

/* ---- sh, sh --hash-ports ---- */

static int set_sh(struct sl_model *m, void *arg, struct sl_err *err)
{
	struct sl_svc_opts o = {.set = SL_SVC_F_SCHED | SL_SVC_F_HASH_PORTS,
				.sched = SL_SCHED_SH, .hash_ports = *(bool *)arg};
	return sl_model_set_svc(m, sl_htonl(VIP_LPORT), sl_htons(80), SL_IPPROTO_TCP, &o, err);
}

static const struct sl_snap_svc *snap_svc(const struct harness *h, uint32_t vip,
					  uint16_t port)
{
	const struct sl_snapshot *s = h->dp.snapshot;
	for (uint32_t v = 0; v < s->nsvcs; v++)
		if (s->svcs[v].vip == sl_htonl(vip) && s->svcs[v].vport == sl_htons(port) &&
		    s->svcs[v].proto == SL_IPPROTO_TCP)
			return &s->svcs[v];
	return NULL;
}

/* The server sched.h says sh picks for client:cport. */
static uint32_t sh_expected(const struct sl_snap_svc *svc, uint32_t client,
			    uint16_t cport, bool ports)
{
	uint32_t hash = sl_sched_client_hash(sl_htonl(client), sl_htons(cport), ports);
	return sl_ntohl(svc->rs[svc->seq[sl_sched_scale(hash, svc->seq_len)]].ip);
}

/* 16 clients, 4 connections each, arriving on every worker in turn: each
 * reaches the server sched.h's hash names; without hashed ports a
 * client's connections share one server, with them they spread. */
static bool sh_once(struct harness *h, bool ports, uint16_t base, char *why)
{
	struct sl_model m;
	unsigned spread = 0, used = 0;

	if (!sv_publish(h, &m, why, set_sh, &ports))
		return false;
	const struct sl_snap_svc *svc = snap_svc(h, VIP_LPORT, 80);
	bool ok = svc && svc->sched == SL_SCHED_SH;
	if (!ok)
		ok = WHY("the sh service is not in the snapshot");
	for (uint32_t c = 0; c < 16 && ok; c++) {
		uint32_t client = IP(198, 19, 1, 100 + c), first = 0;
		for (uint16_t k = 0; k < 4 && ok; k++) {
			uint16_t cport = (uint16_t)(base + c * 4 + k);
			uint32_t want = sh_expected(svc, client, cport, ports);
			struct seen g;
			if (!exchange_on(h, (c + k) % h->nworkers, OUT, IN, SL_IPPROTO_TCP, client,
					 cport, VIP_LPORT, 80, SYN, &g))
				ok = WHY("SYN from %08x:%u not forwarded", client, cport);
			else if (g.daddr != want)
				ok = WHY("%08x:%u went to %08x, sh%s picks %08x", client, cport,
					 g.daddr, ports ? " --hash-ports" : "", want);
			if (k == 0)
				first = g.daddr;
			spread += k > 0 && g.daddr != first;
			used |= 1u << ((g.daddr - RS_LPORT(0)) & 31);
		}
	}
	if (ok && (ports ? spread == 0 : spread != 0))
		ok = WHY("sh%s: %u connections not on their client's first server",
			 ports ? " --hash-ports" : "", spread);
	if (ok && __builtin_popcount(used) < 2)
		ok = WHY("64 connections of 16 clients all on one server");
	return sv_restore(h, &m, ok, why);
}

static bool sh_through_worker(struct harness *h, char *why)
{
	return sh_once(h, false, 45000, why) && sh_once(h, true, 45100, why);
}

/* ---- persistence ---- */

struct sv_persist {
	uint32_t weight_others; /* the other servers' weight; rs0 keeps 1 */
	uint32_t down;          /* a server published with weight 0, or 0 */
};

static int set_persist(struct sl_model *m, void *arg, struct sl_err *err)
{
	const struct sv_persist *p = arg;
	struct sl_svc_opts o = {.set = SL_SVC_F_PERSIST, .persist_s = 60};

	if (sl_model_set_svc(m, sl_htonl(VIP_LPORT), sl_htons(80), SL_IPPROTO_TCP, &o, err))
		return -1;
	for (unsigned i = 1; i < LPORT_SERVERS; i++)
		if (set_weight(m, VIP_LPORT, 80, SL_IPPROTO_TCP, RS_LPORT(i), 8080,
			       p->weight_others, err))
			return -1;
	if (p->down && set_weight(m, VIP_LPORT, 80, SL_IPPROTO_TCP, p->down, 8080, 0, err))
		return -1;
	return 0;
}

/* The server of a first connection from `client`: its address hashed
 * over the pick table (worker_sched.c, first_pick). */
static uint32_t first_pick_of(const struct harness *h, uint32_t client)
{
	const struct sl_snap_svc *svc = snap_svc(h, VIP_LPORT, 80);
	uint32_t hash = sl_sched_client_hash(sl_htonl(client), 0, false);
	return sl_ntohl(svc->rs[svc->seq[sl_sched_scale(hash, svc->seq_len)]].ip);
}

/* A new connection from client, on a port whose flow worker 0 owns (its
 * own template cache: the harness runs no control loop to merge them). */
static uint32_t persist_conn(struct harness *h, uint32_t client, uint16_t *cport)
{
	struct seen g;
	while (!owned_by_first(h, client, *cport))
		(*cport)++;
	if (!exchange(h, OUT, IN, SL_IPPROTO_TCP, client, (*cport)++, VIP_LPORT, 80, SYN, &g))
		return 0;
	return g.daddr;
}

/* persist_s 60: a client's template holds it on its server while the
 * pick table would now send it elsewhere; 61 s after its last new
 * connection it lapses and the client is scheduled afresh; a template
 * whose server is down (published with weight 0, as a failed check
 * does) is replaced, and the client then stays on the replacement. */
static bool persist_lapse_replace(struct harness *h, char *why)
{
	struct sv_persist one = {1, 0}, heavy = {40, 0};
	struct sl_model m;
	uint32_t client = 0, x = 0, y = 0, got;
	uint16_t cport = 46000;

	/* A client whose first pick changes when the others weigh 40. */
	static uint32_t before[32];
	if (!sv_publish(h, &m, why, set_persist, &one))
		return false;
	for (unsigned c = 0; c < 32; c++)
		before[c] = first_pick_of(h, IP(198, 19, 1, 200 + c));
	sl_model_free(&m);
	if (!sv_publish(h, &m, why, set_persist, &heavy))
		return false;
	for (unsigned c = 0; c < 32 && !client; c++)
		if (first_pick_of(h, IP(198, 19, 1, 200 + c)) != before[c]) {
			client = IP(198, 19, 1, 200 + c);
			x = before[c];
			y = first_pick_of(h, client);
		}
	sl_model_free(&m);
	if (client == 0) {
		struct sl_err err;
		h_publish(h, &h->ctl.model, &err);
		return WHY("no client's first pick moved");
	}
	if (!sv_publish(h, &m, why, set_persist, &one))
		return false;
	bool ok = true;
	if ((got = persist_conn(h, client, &cport)) != x)
		ok = WHY("first connection went to %08x, not %08x", got, x);
	sl_model_free(&m);
	if (ok && !sv_publish(h, &m, why, set_persist, &heavy))
		return false;
	h_advance(h, 59);
	if (ok && (got = persist_conn(h, client, &cport)) != x)
		ok = WHY("59 s on, the template's server %08x lost the client to %08x", x, got);
	h_advance(h, 61);
	if (ok && (got = persist_conn(h, client, &cport)) != y)
		ok = WHY("61 s after the last connection went to %08x, not afresh to %08x",
			 got, y);
	/* Now on y: y goes down. */
	struct sv_persist down = {40, y};
	sl_model_free(&m);
	if (ok && !sv_publish(h, &m, why, set_persist, &down))
		return false;
	uint32_t z = ok ? persist_conn(h, client, &cport) : 0;
	if (ok && (z == y || z == 0))
		ok = WHY("with %08x down its client went to %08x", y, z);
	for (unsigned i = 0; i < 3 && ok; i++)
		if ((got = persist_conn(h, client, &cport)) != z)
			ok = WHY("the replacement template's %08x lost the client to %08x", z, got);
	return sv_restore(h, &m, ok, why);
}
