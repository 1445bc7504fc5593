/* SPDX-License-Identifier: BSD-3-Clause */
/* Session sync, the workers' half (issue 16, worker_sync.h, ctl_sync.h):
 * events for v4, FNAT66 and NAT64 connections; a connection installed
 * from a peer forwarding both ways with the peer's local address; an
 * install of a connection already there; the per-peer share; a full
 * sync ring; the refresh and dump walks. The records reach a sink here
 * as they would reach ctrl/cluster. Included by conformance_checks.h,
 * after checks_nat64.h (whose v6 halves it uses). */

#include "ctl_sync.h"
#include "sync_conv.h"
#include "worker_sync.h"

#define PEER_LIP H(4) /* a peer's local address, on in's subnet */
#define SYNC_KEEP 8192

static struct {
	struct sl_sync_conn rec[SYNC_KEEP];
	uint32_t n;
	int walked;
} sunk;

static void sink_take(void *ctx, const struct sl_sync_conn *recs, uint32_t n)
{
	(void)ctx;
	for (uint32_t i = 0; i < n && sunk.n < SYNC_KEEP; i++)
		sunk.rec[sunk.n++] = recs[i];
}

static void sink_walked(void *ctx, int peer, bool full)
{
	(void)ctx, (void)peer, (void)full;
	sunk.walked++;
}

/* Sync on, with every earlier check's connections gone first (their
 * GONE records would crowd the ring). */
static bool sync_on(struct harness *h, char *why)
{
	char err[160];

	h_advance(h, 7200);
	if (sl_ctl_sync_init(&h->ctl, err, sizeof(err)) != 0)
		return WHY("sync on: %.100s", err);
	sl_ctl_sync_set_sink(&h->ctl, sink_take, sink_walked, NULL);
	memset(&sunk, 0, sizeof(sunk));
	return true;
}

static void sync_off(struct harness *h)
{
	h_advance(h, 7200);
	sl_ctl_sync_free(&h->ctl);
}

/* Every worker `n` loop turns (control messages are read every 16th),
 * the control thread's drain and pending messages after each. */
static void sync_turns(struct harness *h, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		sl_ctl_send_pending(&h->ctl);
		for (unsigned w = 0; w < h->nworkers; w++)
			h_run(h, w);
		sl_ctl_sync_poll(&h->ctl);
	}
}

/* The last record sunk of `event` for client port `cport`. */
static const struct sl_sync_conn *sunk_find(uint8_t event, uint16_t cport)
{
	for (uint32_t i = sunk.n; i-- > 0;)
		if (sunk.rec[i].event == event && sl_ntohs(sunk.rec[i].cport) == cport)
			return &sunk.rec[i];
	return NULL;
}

static bool rec_is4(const uint8_t a[16], uint32_t ip)
{
	static const uint8_t zero[12];
	sl_be32 be = sl_htonl(ip);
	return memcmp(a, &be, 4) == 0 && memcmp(a + 4, zero, 12) == 0;
}

static uint64_t sync_stat(const struct harness *h, size_t off)
{
	uint64_t sum = 0;
	for (unsigned w = 0; w < h->nworkers; w++)
		sum += *(const uint64_t *)((const uint8_t *)&h->dp.workers[w]->sync->stats + off);
	return sum;
}
#define SYNC_STAT(h, f) sync_stat(h, offsetof(struct sl_sync_stats, f))

/* The configured timeout of `state`, in ms. */
static uint32_t state_timeout(const struct harness *h, uint8_t state)
{
	return h->dp.workers[0]->snap->timeouts_ms[state];
}

/* Records sunk for client port `cport`, any event. */
static unsigned sunk_of(uint16_t cport)
{
	unsigned n = 0;
	for (uint32_t i = 0; i < sunk.n; i++)
		n += sl_ntohs(sunk.rec[i].cport) == cport;
	return n;
}

/* NEW, STATE and GONE of a v4 full-NAT connection, with its tuple: no
 * record for the SYN nor the SYN+ACK (a SYN flood syncs nothing), NEW on
 * the ACK completing the handshake, a STATE with its new state's timeout,
 * GONE on expiry. */
static bool sync_events_v4(struct harness *h, char *why)
{
	struct seen to_rs, back, g;
	const struct sl_sync_conn *r;

	if (!sync_on(h, why))
		return false;
	bool sent = exchange(h, OUT, IN, SL_IPPROTO_TCP, SERVER, 41700, VIP, 80, SYN, &to_rs) &&
		    exchange(h, IN, OUT, SL_IPPROTO_TCP, RS, 8080, LIP, to_rs.sport, SYN | ACK,
			     &back);
	sync_turns(h, 2);
	if (!sent || sunk_of(41700) != 0)
		return sync_off(h), WHY("handshake %s, %u records before it completed (want 0)",
					sent ? "forwarded" : "lost", sunk_of(41700));
	sent = exchange(h, OUT, IN, SL_IPPROTO_TCP, SERVER, 41700, VIP, 80, ACK, &g);
	sync_turns(h, 2);
	r = sunk_find(SL_SYNC_NEW, 41700);
	if (!sent || r == NULL)
		return sync_off(h), WHY("ACK %s, no NEW record", sent ? "forwarded" : "lost");
	if (!rec_is4(r->client, SERVER) || !rec_is4(r->vip, VIP) || !rec_is4(r->rs, RS) ||
	    !rec_is4(r->laddr, LIP) || sl_ntohs(r->vport) != 80 || sl_ntohs(r->rsport) != 8080 ||
	    sl_ntohs(r->lport) != to_rs.sport || r->family_orig != 4 || r->family_reply != 4 ||
	    r->proto != SL_IPPROTO_TCP || r->state != SL_CS_TCP_ESTABLISHED ||
	    r->timeout_ms != state_timeout(h, SL_CS_TCP_ESTABLISHED))
		return sync_off(h), WHY("NEW record's tuple, state or timeout (%u) wrong",
					r->timeout_ms);
	sent = exchange(h, OUT, IN, SL_IPPROTO_TCP, SERVER, 41700, VIP, 80, FIN | ACK, &g);
	sync_turns(h, 2);
	r = sunk_find(SL_SYNC_STATE, 41700);
	if (!sent || r == NULL || r->state != SL_CS_TCP_FIN_WAIT ||
	    r->timeout_ms != state_timeout(h, SL_CS_TCP_FIN_WAIT))
		return sync_off(h), WHY("FIN %s, STATE record %s, timeout %u (want FIN_WAIT's %u)",
					sent ? "forwarded" : "lost",
					r ? sl_conn_state_name(r->state) : "missing",
					r ? r->timeout_ms : 0, state_timeout(h, SL_CS_TCP_FIN_WAIT));
	h_advance(h, 3600);
	sync_turns(h, 1);
	r = sunk_find(SL_SYNC_GONE, 41700);
	sync_off(h);
	return r && sl_ntohs(r->lport) == to_rs.sport ? true : WHY("no GONE record on expiry");
}

/* A UDP flow is synced on its first reply, not its first datagram (a
 * spoofed flood gets no reply); a handshake that never completes leaves
 * no GONE either. */
static bool sync_events_udp(struct harness *h, char *why)
{
	struct seen g, back;

	if (!sync_on(h, why))
		return false;
	bool sent = exchange(h, OUT, IN, SL_IPPROTO_UDP, SERVER, 41705, VIP, 53, 0, &g) &&
		    exchange(h, OUT, IN, SL_IPPROTO_TCP, SERVER, 41706, VIP, 80, SYN, &back);
	sync_turns(h, 2);
	unsigned early = sunk_of(41705) + sunk_of(41706);
	sent = sent && exchange(h, IN, OUT, SL_IPPROTO_UDP, g.daddr, g.dport, LIP, g.sport, 0,
				       &back);
	sync_turns(h, 2);
	const struct sl_sync_conn *r = sunk_find(SL_SYNC_NEW, 41705);
	bool ok = sent && early == 0 && r && r->proto == SL_IPPROTO_UDP &&
		  r->timeout_ms == state_timeout(h, SL_CS_UDP) && sunk_of(41705) == 1;
	h_advance(h, 3600);
	sync_turns(h, 1);
	ok = ok && sunk_find(SL_SYNC_GONE, 41705) && sunk_of(41706) == 0;
	sync_off(h);
	return ok ? true : WHY("UDP: reply %s, %u records before it (want 0), NEW %s; "
			       "an unfinished handshake's records: %u (want 0)",
			       sent ? "forwarded" : "lost", early, r ? "sent" : "missing",
			       sunk_of(41706));
}

/* The same for FNAT66 (v6 both ways) and NAT64 (v6 client, v4 server):
 * NEW on the ACK completing the handshake, GONE on expiry. */
static bool sync_events_v6(struct harness *h, char *why)
{
	struct seen6 g, back;
	struct seen g4;
	uint8_t f[FR_MAX];
	const struct sl_sync_conn *r;

	if (!sync_on(h, why))
		return false;
	v6_on(h);
	bool sent = v6_exchange(h, OUT, IN, SL_IPPROTO_TCP, V6_CLIENT, 41710, V6_VIP, 80, SYN,
				64, &g);
	uint16_t lport = g.sport, rport = g.dport;
	uint8_t rs6[16];
	if (sent)
		memcpy(rs6, g.dst, 16);
	bool ok = sent && v6_exchange(h, IN, OUT, SL_IPPROTO_TCP, rs6, rport, V6_LIP, lport,
				      SYN | ACK, 64, &back);
	sync_turns(h, 2);
	ok = ok && sunk_of(41710) == 0 &&
	     v6_exchange(h, OUT, IN, SL_IPPROTO_TCP, V6_CLIENT, 41710, V6_VIP, 80, ACK, 64, &g);
	sync_turns(h, 2);
	r = sunk_find(SL_SYNC_NEW, 41710);
	ok = ok && r && r->family_orig == 6 && r->family_reply == 6 &&
	     memcmp(r->client, V6_CLIENT, 16) == 0 && memcmp(r->vip, V6_VIP, 16) == 0 &&
	     memcmp(r->laddr, V6_LIP, 16) == 0 && memcmp(r->rs, rs6, 16) == 0 &&
	     sl_ntohs(r->lport) == lport && sl_ntohs(r->rsport) == rport &&
	     r->state == SL_CS_TCP_ESTABLISHED;
	h_advance(h, 3600);
	sync_turns(h, 1);
	ok = ok && sunk_find(SL_SYNC_GONE, 41710);
	v6_off(h);
	if (!ok)
		return sync_off(h), WHY("FNAT66: NEW or GONE missing or wrong");

	nat64_on(h);
	uint32_t len = n64_tcp6(f, V6_CLIENT, 41711, V6_VIP, 80, SYN, 0, 0);
	ok = n64_to_server(h, f, len, &g4, why) &&
	     n64_to_client(h, 0, SL_IPPROTO_TCP, g4.daddr, g4.dport, g4.sport, SYN | ACK,
			   &back, why);
	sync_turns(h, 2);
	ok = ok && sunk_of(41711) == 0;
	len = n64_tcp6(f, V6_CLIENT, 41711, V6_VIP, 80, ACK, 0, 0);
	struct seen ack4;
	ok = ok && n64_to_server(h, f, len, &ack4, why);
	sync_turns(h, 2);
	r = sunk_find(SL_SYNC_NEW, 41711);
	ok = ok && r && r->family_orig == 6 && r->family_reply == 4 &&
	     memcmp(r->client, V6_CLIENT, 16) == 0 && rec_is4(r->laddr, LIP) &&
	     rec_is4(r->rs, g4.daddr) && sl_ntohs(r->lport) == g4.sport &&
	     r->state == SL_CS_TCP_ESTABLISHED;
	h_advance(h, 3600);
	sync_turns(h, 1);
	ok = ok && sunk_find(SL_SYNC_GONE, 41711);
	v6_off(h);
	sync_off(h);
	return ok ? true : WHY("NAT64: NEW or GONE missing or wrong");
}

#include "checks_sync_install.h"
