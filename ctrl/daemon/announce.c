/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The announcer's state (announce.h): the routes it knows to be in its
 * table, the requests in flight, and the back-off after an error. One
 * turn reads the kernel's answers, recomputes what is wanted when due,
 * and sends what differs, never waiting for an answer.
 *
 * What it knows of the table comes from the table itself: a dump at
 * start, and again after a failed dump or lost answers, then the
 * acknowledgements of its own requests. A failed request concerns its
 * prefix alone: that prefix is tried again after its own back-off while
 * the others go on. Routes are added with NLM_F_EXCL, so a route of
 * another protocol for the same prefix in the table is never replaced:
 * the add fails with EEXIST, counted as a conflict and shown in `node
 * status`, and is tried again with the back-off.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "announce.h"
#include "announce_nl.h"
#include "clock.h"
#include "log.h"

#define INFLIGHT_MAX 64
#define RECOMPUTE_MS 100         /* health can change without telling us */
#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 5000
#define DUMP_TIMEOUT_MS 2000
#define WITHDRAW_WAIT_MS 1000

enum phase { NEED_DUMP, DUMPING, SYNCING };

struct inflight {
	uint32_t seq;
	bool add;
	struct sl_addr addr;
};

/* A prefix whose last request failed: not asked again before at_ms. */
struct retry {
	struct sl_addr addr;
	uint64_t at_ms;
	uint32_t backoff_ms;
	bool conflict;               /* an add met another protocol's route */
	char error[128];
};

struct sl_announce {
	int fd;
	uint32_t table, seq;
	bool drained, gate_closed;
	char gate_reason[SL_ANN_REASON_MAX];
	struct sl_addr extra[SL_ANN_EXTRA_MAX];
	uint32_t nextra;
	struct sl_ann_want want;
	bool dirty;
	uint64_t computed_ms;
	struct sl_ann_want installed;   /* only addr used: what the table holds */
	enum phase phase;
	uint32_t dump_seq;
	uint64_t dump_ms, retry_ms, backoff_ms;
	struct inflight fl[INFLIGHT_MAX];
	uint32_t nfl;
	struct retry *rt;            /* malloc'd; failed prefixes */
	uint32_t nrt, rtcap;
	char last_error[128];
	struct {
		uint64_t adds, removes, errors, dumps, found, lost, nomem, conflicts;
	} c;
};

static bool has(const struct sl_ann_want *w, const struct sl_addr *a)
{
	return sl_ann_find(w, a) != NULL;
}

static bool wanted(const struct sl_announce *a, const struct sl_addr *addr)
{
	const struct sl_ann_item *it = sl_ann_find(&a->want, addr);
	return it && it->wanted;
}

static void installed_add(struct sl_announce *a, const struct sl_addr *addr)
{
	if (!sl_ann_add(&a->installed, addr, SL_ANN_VIP))
		a->c.nomem++;
}

static void installed_del(struct sl_announce *a, const struct sl_addr *addr)
{
	struct sl_ann_want *w = &a->installed;

	for (uint32_t i = 0; i < w->n; i++)
		if (sl_addr_eq(&w->items[i].addr, addr)) {
			w->items[i] = w->items[--w->n];
			return;
		}
}

/* The table's dump failed or answers were lost: what is known of the
 * table no longer holds; counted, kept for `node status`, and the table
 * read again after the back-off. */
static void fail(struct sl_announce *a, const char *what, int err)
{
	uint64_t now = sl_mono_ms();

	a->c.errors++;
	snprintf(a->last_error, sizeof(a->last_error), "%s: %s", what, strerror(err));
	sl_warn("announce: table %u: %s; reading the table again in %llu ms", a->table,
		a->last_error, (unsigned long long)a->backoff_ms);
	a->phase = NEED_DUMP;
	a->retry_ms = now + a->backoff_ms;
	a->backoff_ms = a->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS
							   : a->backoff_ms * 2;
	a->nfl = 0; /* their answers no longer matter: the dump decides */
}

static struct retry *retry_find(const struct sl_announce *a, const struct sl_addr *addr)
{
	for (uint32_t i = 0; i < a->nrt; i++)
		if (sl_addr_eq(&a->rt[i].addr, addr))
			return &a->rt[i];
	return NULL;
}

static void retry_del(struct sl_announce *a, const struct sl_addr *addr)
{
	struct retry *r = retry_find(a, addr);

	if (r)
		*r = a->rt[--a->nrt];
}

static struct retry *retry_get(struct sl_announce *a, const struct sl_addr *addr)
{
	struct retry *r = retry_find(a, addr);

	if (r)
		return r;
	if (a->nrt == a->rtcap) {
		uint32_t cap = a->rtcap ? a->rtcap * 2 : 16;
		struct retry *n = realloc(a->rt, cap * sizeof(*n));
		if (!n)
			return NULL;
		a->rt = n;
		a->rtcap = cap;
	}
	r = &a->rt[a->nrt++];
	*r = (struct retry){.addr = *addr};
	return r;
}

/* A request for one prefix failed: that prefix waits its own back-off
 * (100 ms doubling to 5 s); the others go on. Logged when the prefix
 * starts failing or its error changes, not at every try. */
static void op_failed(struct sl_announce *a, bool add, const struct sl_addr *addr, int err)
{
	char buf[SL_ADDR_STRLEN], what[128];
	struct retry *r = retry_get(a, addr);
	bool conflict = add && err == EEXIST;

	a->c.errors++;
	a->c.conflicts += conflict;
	if (conflict)
		snprintf(what, sizeof(what), "%s/%u: another protocol's route holds it "
			 "in table %u; not overwritten", sl_fmt_addr(addr, buf),
			 addr->af == SL_AF_V6 ? 128 : 32, a->table);
	else
		snprintf(what, sizeof(what), "%s %s/%u: %s", add ? "adding" : "removing",
			 sl_fmt_addr(addr, buf), addr->af == SL_AF_V6 ? 128 : 32,
			 strerror(err));
	snprintf(a->last_error, sizeof(a->last_error), "%s", what);
	if (!r) {
		a->c.nomem++; /* no back-off for it: tried again next turn */
		return;
	}
	if (strcmp(r->error, what) != 0)
		sl_warn("announce: table %u: %s; trying it again with a back-off",
			a->table, what);
	snprintf(r->error, sizeof(r->error), "%s", what);
	r->conflict = conflict;
	r->backoff_ms = !r->backoff_ms ? BACKOFF_MIN_MS
		      : r->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : r->backoff_ms * 2;
	r->at_ms = sl_mono_ms() + r->backoff_ms;
}

static void on_ack(struct sl_announce *a, const struct sl_ann_msg *m)
{
	if (a->phase == DUMPING && m->seq == a->dump_seq) {
		if (m->error)
			fail(a, "dump", -m->error);
		return;
	}
	for (uint32_t i = 0; i < a->nfl; i++) {
		struct inflight f = a->fl[i];
		if (f.seq != m->seq)
			continue;
		a->fl[i] = a->fl[--a->nfl];
		/* A route already gone is what a removal wanted. */
		if (m->error == 0 || (!f.add && m->error == -ESRCH)) {
			if (f.add)
				installed_add(a, &f.addr), a->c.adds++;
			else
				installed_del(a, &f.addr), a->c.removes++;
			retry_del(a, &f.addr);
			return;
		}
		op_failed(a, f.add, &f.addr, -m->error);
		return;
	}
}

static void on_msg(void *ctx, const struct sl_ann_msg *m)
{
	struct sl_announce *a = ctx;

	if (m->type == SL_ANN_M_ACK)
		on_ack(a, m);
	else if (a->phase == DUMPING && m->seq == a->dump_seq) {
		if (m->type == SL_ANN_M_ROUTE)
			installed_add(a, &m->route);
		else
			a->phase = SYNCING, a->c.found = a->installed.n;
	}
}

struct sl_announce *sl_announce_new(uint32_t table, char *errbuf, size_t len)
{
	struct sl_announce *a;

	errbuf[0] = '\0';
	if (table == 0)
		return NULL;
	a = calloc(1, sizeof(*a));
	if (!a) {
		snprintf(errbuf, len, "announce: out of memory");
		return NULL;
	}
	/* A crashed run's routes first: the routing daemon would announce
	 * them on while nothing here wants them. */
	unsigned removed;
	char err[160];
	if (sl_ann_flush(table, &removed, err, sizeof(err)) < 0) {
		snprintf(errbuf, len, "announce: table %u: %s", table, err);
		free(a);
		return NULL;
	}
	if (removed)
		sl_info("announce: table %u: removed %u stale route%s of protocol %u "
			"(a previous run's)", table, removed, removed == 1 ? "" : "s",
			SL_ANN_RTPROT);
	a->fd = sl_ann_nl_open();
	if (a->fd < 0) {
		snprintf(errbuf, len, "announce: rtnetlink socket: %s", strerror(errno));
		free(a);
		return NULL;
	}
	a->table = table;
	a->dirty = true;
	a->phase = NEED_DUMP;
	a->backoff_ms = BACKOFF_MIN_MS;
	return a;
}

static bool in_flight(const struct sl_announce *a, const struct sl_addr *addr)
{
	for (uint32_t i = 0; i < a->nfl; i++)
		if (sl_addr_eq(&a->fl[i].addr, addr))
			return true;
	return false;
}

/* 0 sent or failed (that prefix then waits its back-off), 1 nothing sent
 * (socket full). */
static int request(struct sl_announce *a, bool add, const struct sl_addr *addr)
{
	uint32_t seq = ++a->seq;
	int rc = sl_ann_nl_route(a->fd, seq, add, a->table, addr);

	if (rc == -EAGAIN)
		return 1;
	if (rc < 0) {
		op_failed(a, add, addr, -rc);
		return 0;
	}
	a->fl[a->nfl++] = (struct inflight){.seq = seq, .add = add, .addr = *addr};
	return 0;
}

/* May a request for addr go now: none in flight, no back-off running? */
static bool may_ask(const struct sl_announce *a, const struct sl_addr *addr, uint64_t now)
{
	const struct retry *r = retry_find(a, addr);

	return !in_flight(a, addr) && !(r && now < r->at_ms);
}

/* A failed prefix that needs nothing any more (no longer wanted and not
 * in the table, or wanted and in it) is forgotten. */
static void prune_retries(struct sl_announce *a)
{
	for (uint32_t i = 0; i < a->nrt;) {
		const struct sl_addr *addr = &a->rt[i].addr;
		if (wanted(a, addr) == has(&a->installed, addr))
			a->rt[i] = a->rt[--a->nrt];
		else
			i++;
	}
}

/* Send what differs, as far as the window allows. */
static void sync_table(struct sl_announce *a)
{
	uint64_t now = sl_mono_ms();

	prune_retries(a);
	for (uint32_t i = 0; i < a->want.n && a->nfl < INFLIGHT_MAX; i++) {
		const struct sl_ann_item *it = &a->want.items[i];
		if (it->wanted && !has(&a->installed, &it->addr) &&
		    may_ask(a, &it->addr, now) && request(a, true, &it->addr) != 0)
			return;
	}
	for (uint32_t i = 0; i < a->installed.n && a->nfl < INFLIGHT_MAX; i++) {
		const struct sl_addr *addr = &a->installed.items[i].addr;
		if (!wanted(a, addr) && may_ask(a, addr, now) &&
		    request(a, false, addr) != 0)
			return;
	}
}

static bool in_step(const struct sl_announce *a)
{
	if (a->phase != SYNCING || a->nfl)
		return false;
	for (uint32_t i = 0; i < a->want.n; i++)
		if (a->want.items[i].wanted && !has(&a->installed, &a->want.items[i].addr))
			return false;
	for (uint32_t i = 0; i < a->installed.n; i++)
		if (!wanted(a, &a->installed.items[i].addr))
			return false;
	return true;
}

static void start_dump(struct sl_announce *a, uint64_t now)
{
	int rc;

	a->installed.n = 0;
	a->dump_seq = ++a->seq;
	rc = sl_ann_nl_dump(a->fd, a->dump_seq);
	if (rc < 0) {
		fail(a, "asking for the table", -rc);
		return;
	}
	a->c.dumps++;
	a->phase = DUMPING;
	a->dump_ms = now;
}

static void recompute(struct sl_announce *a, const struct sl_model *m,
		      sl_ann_up_fn up, void *ctx, uint64_t now)
{
	struct sl_ann_inputs in = {
		.drained = a->drained, .gate_closed = a->gate_closed,
		.gate_reason = a->gate_reason, .extra = a->extra, .nextra = a->nextra,
	};

	if (sl_ann_compute(&a->want, m, &in, up, ctx) < 0) {
		a->c.nomem++; /* nothing wanted this turn; tried again next */
		return;
	}
	a->dirty = false;
	a->computed_ms = now;
}

void sl_announce_work(struct sl_announce *a, const struct sl_model *m,
		      sl_ann_up_fn up, void *ctx)
{
	uint64_t now = sl_mono_ms();
	int rc;

	if (!a)
		return;
	rc = sl_ann_nl_read(a->fd, a->table, on_msg, a);
	if (rc < 0) {
		a->c.lost += rc == -ENOBUFS;
		fail(a, "reading answers", -rc);
	}
	if (a->dirty || now - a->computed_ms >= RECOMPUTE_MS)
		recompute(a, m, up, ctx, now);
	if (a->phase == DUMPING && now - a->dump_ms > DUMP_TIMEOUT_MS)
		fail(a, "the table's dump", ETIMEDOUT);
	if (a->phase == NEED_DUMP && now >= a->retry_ms)
		start_dump(a, now);
	if (a->phase != SYNCING)
		return;
	sync_table(a);
	if (in_step(a))
		a->backoff_ms = BACKOFF_MIN_MS;
}

void sl_announce_touch(struct sl_announce *a)
{
	if (a)
		a->dirty = true;
}

void sl_announce_drain(struct sl_announce *a, bool drained)
{
	if (a->drained != drained)
		sl_info("announce: node %s: VIP routes %s", drained ? "drained" : "undrained",
			drained ? "withdrawn" : "announced again while healthy");
	a->drained = drained;
	a->dirty = true;
}

bool sl_announce_drained(const struct sl_announce *a)
{
	return a->drained;
}

void sl_announce_gate(struct sl_announce *a, bool open, const char *reason)
{
	if (a->gate_closed == open)
		sl_info("announce: gate %s%s%s", open ? "open" : "closed",
			open ? "" : ": ", open ? "" : reason ? reason : "");
	a->gate_closed = !open;
	snprintf(a->gate_reason, sizeof(a->gate_reason), "%s", open || !reason ? "" : reason);
	a->dirty = true;
}

int sl_announce_set_extra(struct sl_announce *a, const struct sl_addr *addrs,
			  uint32_t n)
{
	if (n > SL_ANN_EXTRA_MAX)
		return -1;
	memcpy(a->extra, addrs, n * sizeof(*addrs));
	a->nextra = n;
	a->dirty = true;
	return 0;
}

/* Withdraw: a removal for everything known or asked to be there, then the
 * answers, for at most WITHDRAW_WAIT_MS (removals of routes already gone
 * succeed; the kernel drops the rest with the namespace anyway). */
static void withdraw_all(struct sl_announce *a)
{
	uint64_t until = sl_mono_ms() + WITHDRAW_WAIT_MS;

	for (uint32_t i = 0; i < a->nfl; i++)
		if (a->fl[i].add)
			installed_add(a, &a->fl[i].addr);
	for (uint32_t i = 0; i < a->want.n; i++)
		if (a->want.items[i].wanted)
			installed_add(a, &a->want.items[i].addr);
	a->want.n = 0;
	a->phase = SYNCING;
	a->nfl = 0;
	a->nrt = 0; /* no add's back-off delays a removal (one of a conflict's
		     * prefix names our protocol: the other route stays) */
	while (a->installed.n && sl_mono_ms() < until) {
		struct pollfd p = {.fd = a->fd, .events = POLLIN};
		sync_table(a); /* a failed removal is tried again after its back-off */
		(void)poll(&p, 1, 50);
		if (sl_ann_nl_read(a->fd, a->table, on_msg, a) < 0 || a->phase != SYNCING)
			break;
	}
	if (a->installed.n)
		sl_warn("announce: table %u: %u routes not withdrawn at exit%s%s", a->table,
			a->installed.n, a->last_error[0] ? ": " : "", a->last_error);
	else
		sl_info("announce: table %u: every route withdrawn", a->table);
}

void sl_announce_free(struct sl_announce *a)
{
	if (!a)
		return;
	withdraw_all(a);
	close(a->fd);
	sl_ann_want_free(&a->want);
	sl_ann_want_free(&a->installed);
	free(a->rt);
	free(a);
}

json_t *sl_announce_counters_json(const struct sl_announce *a)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
			 "routes_added", (json_int_t)a->c.adds,
			 "routes_removed", (json_int_t)a->c.removes,
			 "errors", (json_int_t)a->c.errors,
			 "conflicts", (json_int_t)a->c.conflicts,
			 "table_reads", (json_int_t)a->c.dumps,
			 "found_at_last_read", (json_int_t)a->c.found,
			 "answers_lost", (json_int_t)a->c.lost,
			 "out_of_memory", (json_int_t)a->c.nomem);
}

json_t *sl_announce_summary_json(const struct sl_announce *a)
{
	json_int_t n[SL_ANN_EXTRA + 1] = {0};

	for (uint32_t i = 0; i < a->want.n; i++)
		if (a->want.items[i].wanted && a->want.items[i].kind <= SL_ANN_EXTRA)
			n[a->want.items[i].kind]++;
	return json_pack("{s:I, s:b, s:b, s:b, s:{s:I, s:I, s:I}, s:o*}",
			 "table", (json_int_t)a->table, "drained", a->drained,
			 "gate_open", !a->gate_closed, "in_step", in_step(a), "routes",
			 "vip", n[SL_ANN_VIP], "local", n[SL_ANN_LADDR], "takeover",
			 n[SL_ANN_EXTRA], "counters", sl_announce_counters_json(a));
}

static json_t *items_json(const struct sl_announce *a)
{
	json_t *arr = json_array();
	char buf[SL_ADDR_STRLEN];

	for (uint32_t i = 0; arr && i < a->want.n; i++) {
		const struct sl_ann_item *it = &a->want.items[i];
		const struct retry *r = retry_find(a, &it->addr);
		json_t *o = json_pack("{s:s, s:s, s:b, s:b, s:s, s:b, s:s}", "address",
				      sl_fmt_addr(&it->addr, buf), "kind",
				      sl_ann_kind_name(it->kind), "wanted", it->wanted,
				      "in_table", has(&a->installed, &it->addr), "why", it->why,
				      "conflict", r && r->conflict, "error", r ? r->error : "");
		if (!o || json_array_append_new(arr, o) < 0) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

/* The prefixes another protocol's route keeps from the table, now. */
static json_t *conflicts_json(const struct sl_announce *a)
{
	json_t *arr = json_array();
	char buf[SL_ADDR_STRLEN], prefix[SL_ADDR_STRLEN + 4];

	for (uint32_t i = 0; arr && i < a->nrt; i++) {
		const struct retry *r = &a->rt[i];
		if (!r->conflict)
			continue;
		snprintf(prefix, sizeof(prefix), "%s/%u", sl_fmt_addr(&r->addr, buf),
			 r->addr.af == SL_AF_V6 ? 128 : 32);
		if (json_array_append_new(arr, json_string(prefix)) < 0) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

json_t *sl_announce_json(const struct sl_announce *a)
{
	static const char *const phases[] = {"waiting to read the table",
					     "reading the table", "following"};

	return json_pack("{s:I, s:b, s:{s:b, s:s}, s:s, s:b, s:s, s:o*, s:o*, s:o*}",
			 "table", (json_int_t)a->table, "drained", a->drained,
			 "gate", "open", !a->gate_closed, "reason", a->gate_reason,
			 "state", phases[a->phase], "in_step", in_step(a),
			 "last_error", a->last_error, "conflicts", conflicts_json(a),
			 "addresses", items_json(a), "counters", sl_announce_counters_json(a));
}
