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

/* NEW, STATE and GONE of a v4 full-NAT connection, with its tuple. */
static bool sync_events_v4(struct harness *h, char *why)
{
	struct seen to_rs, back;
	const struct sl_sync_conn *r;

	if (!sync_on(h, why))
		return false;
	bool sent = exchange(h, OUT, IN, SL_IPPROTO_TCP, SERVER, 41700, VIP, 80, SYN, &to_rs);
	sync_turns(h, 2);
	r = sunk_find(SL_SYNC_NEW, 41700);
	if (!sent || r == NULL)
		return sync_off(h), WHY("SYN %s, no NEW record", sent ? "forwarded" : "lost");
	if (!rec_is4(r->client, SERVER) || !rec_is4(r->vip, VIP) || !rec_is4(r->rs, RS) ||
	    !rec_is4(r->laddr, LIP) || sl_ntohs(r->vport) != 80 || sl_ntohs(r->rsport) != 8080 ||
	    sl_ntohs(r->lport) != to_rs.sport || r->family_orig != 4 || r->family_reply != 4 ||
	    r->proto != SL_IPPROTO_TCP || r->state != SL_CS_TCP_SYN_SENT || r->timeout_ms == 0)
		return sync_off(h), WHY("NEW record's tuple or state wrong");
	sent = exchange(h, IN, OUT, SL_IPPROTO_TCP, RS, 8080, LIP, to_rs.sport, SYN | ACK, &back);
	sync_turns(h, 2);
	r = sunk_find(SL_SYNC_STATE, 41700);
	if (!sent || r == NULL || r->state != SL_CS_TCP_SYN_RECV)
		return sync_off(h), WHY("SYN+ACK %s, STATE record %s", sent ? "forwarded" : "lost",
					r ? sl_conn_state_name(r->state) : "missing");
	h_advance(h, 3600);
	sync_turns(h, 1);
	r = sunk_find(SL_SYNC_GONE, 41700);
	sync_off(h);
	return r && sl_ntohs(r->lport) == to_rs.sport ? true : WHY("no GONE record on expiry");
}

/* The same for FNAT66 (v6 both ways) and NAT64 (v6 client, v4 server). */
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
	sync_turns(h, 2);
	r = sunk_find(SL_SYNC_NEW, 41710);
	bool ok = sent && r && r->family_orig == 6 && r->family_reply == 6 &&
		  memcmp(r->client, V6_CLIENT, 16) == 0 && memcmp(r->vip, V6_VIP, 16) == 0 &&
		  memcmp(r->laddr, V6_LIP, 16) == 0 && memcmp(r->rs, rs6, 16) == 0 &&
		  sl_ntohs(r->lport) == lport && sl_ntohs(r->rsport) == rport;
	if (ok) {
		ok = v6_exchange(h, IN, OUT, SL_IPPROTO_TCP, rs6, rport, V6_LIP, lport,
				 SYN | ACK, 64, &back);
		sync_turns(h, 2);
		r = sunk_find(SL_SYNC_STATE, 41710);
		ok = ok && r && r->state == SL_CS_TCP_SYN_RECV;
	}
	h_advance(h, 3600);
	sync_turns(h, 1);
	ok = ok && sunk_find(SL_SYNC_GONE, 41710);
	v6_off(h);
	if (!ok)
		return sync_off(h), WHY("FNAT66: NEW, STATE or GONE missing or wrong");

	nat64_on(h);
	uint32_t len = n64_tcp6(f, V6_CLIENT, 41711, V6_VIP, 80, SYN, 0, 0);
	ok = n64_to_server(h, f, len, &g4, why);
	sync_turns(h, 2);
	r = sunk_find(SL_SYNC_NEW, 41711);
	ok = ok && r && r->family_orig == 6 && r->family_reply == 4 &&
	     memcmp(r->client, V6_CLIENT, 16) == 0 && rec_is4(r->laddr, LIP) &&
	     rec_is4(r->rs, g4.daddr) && sl_ntohs(r->lport) == g4.sport;
	if (ok) {
		ok = n64_to_client(h, 0, SL_IPPROTO_TCP, g4.daddr, g4.dport, g4.sport, SYN | ACK,
				   &back, why);
		sync_turns(h, 2);
		r = sunk_find(SL_SYNC_STATE, 41711);
		ok = ok && r && r->state == SL_CS_TCP_SYN_RECV;
	}
	h_advance(h, 3600);
	sync_turns(h, 1);
	ok = ok && sunk_find(SL_SYNC_GONE, 41711);
	v6_off(h);
	sync_off(h);
	return ok ? true : WHY("NAT64: NEW, STATE or GONE missing or wrong");
}

#include "checks_sync_install.h"
