/* SPDX-License-Identifier: BSD-3-Clause */
/* Health checks: targets, non-blocking checks, state changes (health.h). */
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "addr.h"
#include "clock.h"
#include "health.h"
#include "log.h"

enum { PH_IDLE, PH_CONNECT, PH_READ };

#define MAX_EVENTS 128
#define UDP_PAYLOAD "sluice-health\n"

int sl_health_fd(const struct sl_health *h)
{
	return h->epoll_fd;
}

int sl_health_init(struct sl_health *h, sl_be32 source, char *errbuf,
		   size_t errlen)
{
	struct rlimit rl;

	memset(h, 0, sizeof(*h));
	h->source = source;
	h->jitter_seed = (uint32_t)sl_mono_ms() | 1;
	h->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (h->epoll_fd < 0) {
		snprintf(errbuf, errlen, "health checks: epoll: %s", strerror(errno));
		return -1;
	}
	/* Each check in flight holds a socket: 1000 servers need more than
	 * the usual soft limit of 1024 descriptors. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	return 0;
}

static void target_close(struct sl_health *h, struct sl_hc_target *t)
{
	if (t->fd >= 0) {
		close(t->fd); /* also leaves the epoll set */
		t->fd = -1;
		h->inflight--;
	}
	t->phase = PH_IDLE;
}

static void target_drop(struct sl_health *h, uint16_t id)
{
	struct sl_hc_target *t = h->t[id];

	if (!t)
		return;
	target_close(h, t);
	free(t);
	h->t[id] = NULL;
	h->ntargets--;
}

void sl_health_free(struct sl_health *h)
{
	for (unsigned id = 0; id < SL_MAX_RS; id++)
		target_drop(h, (uint16_t)id);
	if (h->epoll_fd >= 0)
		close(h->epoll_fd);
	h->epoll_fd = -1;
}

/* Spread first checks over the interval, by id, so a pool added at once
 * is not checked all at once. */
static uint64_t first_due(const struct sl_hc_target *t, uint64_t now)
{
	return now + (uint64_t)t->rs_id * 2654435761u % t->cfg.interval_ms;
}

static struct sl_hc_target *target_new(const struct sl_model_svc *svc,
				       const struct sl_model_rs *rs,
				       const struct sl_hc_cfg *cfg, uint64_t now)
{
	struct sl_hc_target *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->svc_id = svc->id;
	t->rs_id = rs->id;
	t->ip = rs->ip;
	memcpy(t->ip6, rs->ip6, 16);
	t->port = rs->port;
	t->vaddr = sl_model_svc_vip(svc);
	t->vip = svc->vip;
	t->vport = svc->port;
	t->proto = svc->proto;
	t->cfg = *cfg;
	t->fd = -1;
	t->since_ms = now;
	t->due_ms = first_due(t, now);
	return t;
}

/* One server of the model: its target made to match. True if its state
 * changed (a check switched to none brings a down server up). */
static bool sync_one(struct sl_health *h, const struct sl_model *m,
		     const struct sl_model_svc *svc, const struct sl_model_rs *rs,
		     uint64_t now)
{
	struct sl_hc_target *t = h->t[rs->id];
	struct sl_hc_cfg cfg;
	char name[96];

	sl_model_rs_check(svc, rs, &cfg);
	if (t && !sl_hc_target_is(t, svc->id, rs)) {
		target_drop(h, rs->id); /* the id went to another server */
		t = NULL;
	}
	if (!t) {
		t = h->t[rs->id] = target_new(svc, rs, &cfg, now);
		if (!t) {
			sl_warn("health: out of memory: %s is not checked",
				sl_model_rs_text(rs, name));
			return false;
		}
		h->ntargets++;
	}
	if (sl_hc_path_sync(t, m)) {
		/* The next check takes the new path; the old path's run of
		 * results says nothing about it. */
		target_close(h, t);
		t->ok_run = t->fail_run = 0;
	}
	if (!sl_hc_cfg_equal(&t->cfg, &cfg)) {
		target_close(h, t);
		t->cfg = cfg;
		t->ok_run = t->fail_run = 0;
		t->due_ms = first_due(t, now);
	}
	t->on_down = svc->on_down;
	if (cfg.type == SL_HC_NONE && t->down) {
		t->down = false;
		t->flush_pending = false;
		t->since_ms = now;
		sl_info("health: real server %s is UP (check set to none)",
			sl_hc_target_name(t, name, sizeof(name)));
		return true;
	}
	return false;
}

/* ---- panic ---- */

static bool share_past(uint32_t down, uint32_t all, uint8_t percent)
{
	return percent && all && (uint64_t)down * 100 > (uint64_t)percent * all;
}

/* "vip 198.18.0.100:80/tcp" for a target's VIP; "all VIPs" for NULL;
 * a VIP removed meanwhile has no target left to name it. */
static const char *scope_of(const struct sl_hc_target *t, bool removed,
			    char *buf, size_t len)
{
	char vip[SL_ADDRPORT_STRLEN];

	if (removed)
		return "a removed VIP";
	if (!t)
		return "all VIPs";
	snprintf(buf, len, "vip %s/%s", sl_fmt_addrport(&t->vaddr, t->vport, vip),
		 sl_proto_name(t->proto));
	return buf;
}

/* Enter or leave panic (`scope` as scope_of() says). True if the state
 * changed. */
static bool panic_set(struct sl_health *h, bool *state, bool now_in,
		      const char *scope, uint32_t down, uint32_t all,
		      uint8_t percent)
{
	if (*state == now_in)
		return false;
	*state = now_in;
	if (now_in) {
		h->panics++;
		sl_err("health: PANIC: %u of %u servers of %s are down, more than "
		       "%u%%: health is ignored, all kept up (fail open)", down, all,
		       scope, percent);
	} else {
		sl_warn("health: panic over for %s: %u of %u servers down (at most "
			"%u%%): health applies again", scope, down, all, percent);
	}
	return true;
}

/* Count who is down, per VIP and in all; enter or leave panic. True if
 * some panic began or ended (the published weights change). */
static bool panic_update(struct sl_health *h)
{
	static uint32_t all[SL_MAX_SVC], down[SL_MAX_SVC];
	static const struct sl_hc_target *any[SL_MAX_SVC];
	uint32_t n = 0, ndown = 0;
	bool changed = false;

	char name[64];

	memset(all, 0, sizeof(all));
	memset(down, 0, sizeof(down));
	memset(any, 0, sizeof(any));
	for (unsigned id = 0; id < SL_MAX_RS; id++) {
		const struct sl_hc_target *t = h->t[id];
		if (!t)
			continue;
		all[t->svc_id]++;
		down[t->svc_id] += t->down;
		any[t->svc_id] = t;
		n++;
		ndown += t->down;
	}
	changed |= panic_set(h, &h->panic, share_past(ndown, n, h->panic_percent),
			     scope_of(NULL, false, name, sizeof(name)), ndown, n,
			     h->panic_percent);
	h->vips_in_panic = 0;
	for (unsigned v = 0; v < SL_MAX_SVC; v++) {
		uint8_t percent = h->svc_panic_percent[v];
		bool in = all[v] && share_past(down[v], all[v], percent);
		if (in != h->svc_panic[v])
			changed |= panic_set(h, &h->svc_panic[v], in,
					     scope_of(any[v], !any[v], name, sizeof(name)),
					     down[v], all[v], percent);
		h->vips_in_panic += in;
	}
	return changed;
}

bool sl_health_in_panic(const struct sl_health *h, const struct sl_hc_target *t)
{
	return h->panic || h->svc_panic[t->svc_id];
}

bool sl_health_sync(struct sl_health *h, const struct sl_model *m)
{
	uint64_t now_ms = sl_mono_ms();
	static uint8_t seen[SL_MAX_RS];
	bool changed = false;

	memset(seen, 0, sizeof(seen));
	h->panic_percent = m->hc_panic_percent;
	h->data_path = m->hc_data_path;
	memset(h->svc_panic_percent, 0, sizeof(h->svc_panic_percent));
	for (uint32_t v = 0; v < m->nsvcs; v++)
		h->svc_panic_percent[m->svcs[v].id] = m->svcs[v].panic_percent;
	for (uint32_t v = 0; v < m->nsvcs; v++)
		for (uint32_t r = 0; r < m->svcs[v].nrs; r++) {
			changed |= sync_one(h, m, &m->svcs[v], &m->svcs[v].rs[r], now_ms);
			seen[m->svcs[v].rs[r].id] = 1;
		}
	for (unsigned id = 0; id < SL_MAX_RS; id++)
		if (h->t[id] && !seen[id])
			target_drop(h, (uint16_t)id);
	return panic_update(h) || changed;
}

/* ---- one check ---- */

/* A check ended: its socket closed, its result and reason shown. */
static void __attribute__((format(printf, 5, 0)))
record(struct sl_health *h, struct sl_hc_target *t, bool ok, uint64_t now,
       const char *fmt, va_list ap)
{
	target_close(h, t);
	vsnprintf(t->last_reason, sizeof(t->last_reason), fmt, ap);
	t->checked = true;
	t->last_ok = ok;
	t->last_ms = now;
}

/* Record a result and apply rise/fall. True if the state changed. */
static bool __attribute__((format(printf, 5, 6)))
finish(struct sl_health *h, struct sl_hc_target *t, bool ok, uint64_t now,
       const char *fmt, ...)
{
	char name[96];
	va_list ap;

	va_start(ap, fmt);
	record(h, t, ok, now, fmt, ap);
	va_end(ap);
	t->ok_run = ok ? t->ok_run + 1 : 0;
	t->fail_run = ok ? 0 : t->fail_run + 1;
	*(ok ? &t->passed : &t->failed) += 1;
	if (!t->down && !ok && t->fail_run >= t->cfg.fall) {
		t->down = true;
		t->since_ms = now;
		t->flush_pending = t->on_down == SL_ON_DOWN_FLUSH;
		sl_warn("health: real server %s is DOWN after %u failed check%s (%s)",
			sl_hc_target_name(t, name, sizeof(name)), t->fail_run,
			t->fail_run == 1 ? "" : "s", t->last_reason);
		return true;
	}
	if (t->down && ok && t->ok_run >= t->cfg.rise) {
		t->down = false;
		t->since_ms = now;
		t->flush_pending = false;
		sl_info("health: real server %s is UP after %u passed check%s (%s)",
			sl_hc_target_name(t, name, sizeof(name)), t->ok_run,
			t->ok_run == 1 ? "" : "s", t->last_reason);
		return true;
	}
	return false;
}

/* A check that could not run (no socket, the source address missing) or
 * that the host's own network refused is no verdict on the server: the
 * reason is shown and counted, the state is kept. An operator's mistake
 * in health.source, a management link flap or a firewall reload must not
 * take a pool down. */
static bool __attribute__((format(printf, 4, 5)))
local_error(struct sl_health *h, struct sl_hc_target *t, uint64_t now,
	    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	record(h, t, false, now, fmt, ap);
	va_end(ap);
	h->local_errors++;
	sl_hc_local_log(t, now);
	return false;
}

/* Errors the host's own stack gives before anything reached the server:
 * no route (ENETUNREACH), a local firewall (EPERM, EACCES), the source
 * address gone (EADDRNOTAVAIL), no buffers. EHOSTUNREACH and timeouts
 * stay the server's: they come from its own link or from it. */
static bool local_errno(int e)
{
	return e == ENETUNREACH || e == EPERM || e == EACCES ||
	       e == EADDRNOTAVAIL || e == ENOBUFS || e == ENOMEM;
}

/* A system call's failure: a local error or the server's failure. */
static bool failed(struct sl_health *h, struct sl_hc_target *t, uint64_t now,
		   const char *what, int e)
{
	const char *kind = sl_hc_type_name(t->cfg.type);

	if (local_errno(e))
		return local_error(h, t, now, "%s: local error (state kept): %s: %s",
				   kind, what, strerror(e));
	return finish(h, t, false, now, "%s: %s: %s", kind, what, strerror(e));
}

/* The next check: one interval on, less a random eighth of it, so checks
 * that once started together drift apart. */
static uint64_t next_due(struct sl_health *h, const struct sl_hc_target *t,
			 uint64_t now)
{
	uint32_t eighth = t->cfg.interval_ms / 8;

	return now + t->cfg.interval_ms -
	       (eighth ? (uint32_t)rand_r(&h->jitter_seed) % eighth : 0);
}

static uint16_t check_port(const struct sl_hc_target *t)
{
	return t->cfg.port ? t->cfg.port : sl_ntohs(t->port);
}

static bool start(struct sl_health *h, struct sl_hc_target *t, uint64_t now)
{
	const char *kind = sl_hc_type_name(t->cfg.type);
	bool udp = t->cfg.type == SL_HC_UDP;
	struct sockaddr_storage to;
	socklen_t tolen = sl_hc_target_sockaddr(t, check_port(t), &to);
	char why[SL_HC_REASON_MAX];

	t->started_ms = now;
	t->due_ms = next_due(h, t, now);
	t->got = 0;
	int fd = socket(to.ss_family, (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_NONBLOCK |
				      SOCK_CLOEXEC, 0);
	if (fd < 0)
		return local_error(h, t, now, "%s: local error (state kept): socket: %s",
				   kind, strerror(errno));
	t->fd = fd;
	h->inflight++;
	if (sl_hc_path_bind(h, t, fd, why, sizeof(why)) != 0)
		return local_error(h, t, now, "%s: local error (state kept): %s",
				   kind, why);
	if (connect(fd, (struct sockaddr *)&to, tolen) != 0 && errno != EINPROGRESS)
		return failed(h, t, now, "connect", errno);
	if (udp && send(fd, UDP_PAYLOAD, sizeof(UDP_PAYLOAD) - 1, 0) < 0)
		return failed(h, t, now, "send", errno);
	t->phase = udp ? PH_READ : PH_CONNECT;
	struct epoll_event ev = {.events = udp ? EPOLLIN : EPOLLOUT, .data.ptr = t};
	if (epoll_ctl(h->epoll_fd, EPOLL_CTL_ADD, fd, &ev) != 0)
		return local_error(h, t, now, "%s: local error (state kept): epoll: %s",
				   kind, strerror(errno));
	return false;
}

/* "198.18.1.11:8080" / "[2001:db8::11]:8080" (RFC 7230 5.4): the
 * server with the port checked. */
static char *host_header(const struct sl_hc_target *t, char *buf)
{
	struct sl_hc_target at = *t;

	at.port = sl_htons(check_port(t));
	return sl_hc_target_addr(&at, buf);
}

static bool connected(struct sl_health *h, struct sl_hc_target *t, uint64_t now)
{
	char req[SL_HC_PATH_MAX + 160], a[SL_ADDRPORT_STRLEN];
	int err = 0;
	socklen_t len = sizeof(err);
	uint32_t ms = (uint32_t)(now - t->started_ms);

	if (getsockopt(t->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
		err = errno;
	if (err)
		return failed(h, t, now, "connect", err);
	if (t->cfg.type == SL_HC_TCP)
		return finish(h, t, true, now, "tcp: connected in %u ms", ms);
	int n = snprintf(req, sizeof(req),
			 "GET %s HTTP/1.0\r\nHost: %s\r\nUser-Agent: "
			 "sluice-health\r\nConnection: close\r\n\r\n",
			 t->cfg.path, host_header(t, a));
	if (send(t->fd, req, (size_t)n, MSG_NOSIGNAL) != n)
		return failed(h, t, now, "send", errno);
	t->phase = PH_READ;
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = t};
	epoll_ctl(h->epoll_fd, EPOLL_CTL_MOD, t->fd, &ev);
	return false;
}

/* The status line so far: decide once it is complete (or the peer has
 * closed, or the buffer is full). */
static bool http_status(struct sl_health *h, struct sl_hc_target *t,
			bool closed, uint64_t now)
{
	unsigned major, minor, status;
	uint32_t ms = (uint32_t)(now - t->started_ms);

	t->buf[t->got] = '\0';
	if (!closed && !strchr(t->buf, '\n') && t->got + 1u < sizeof(t->buf))
		return false;
	if (sscanf(t->buf, "HTTP/%u.%u %3u", &major, &minor, &status) != 3)
		return finish(h, t, false, now, "http: %s",
			      t->got ? "no HTTP status line in the answer"
				     : "closed without an answer");
	if (status != t->cfg.expect_status)
		return finish(h, t, false, now, "http: status %u, expected %u", status,
			      t->cfg.expect_status);
	return finish(h, t, true, now, "http: status %u in %u ms", status, ms);
}

static bool readable(struct sl_health *h, struct sl_hc_target *t, uint64_t now)
{
	uint32_t ms = (uint32_t)(now - t->started_ms);

	if (t->cfg.type == SL_HC_UDP) {
		char b[64];
		if (recv(t->fd, b, sizeof(b), 0) >= 0)
			return finish(h, t, true, now, "udp: reply in %u ms", ms);
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return false;
		if (errno == ECONNREFUSED)
			return finish(h, t, false, now, "udp: port unreachable");
		return failed(h, t, now, "recv", errno);
	}
	ssize_t n = recv(t->fd, t->buf + t->got, sizeof(t->buf) - 1 - t->got, 0);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return false;
	if (n < 0)
		return failed(h, t, now, "recv", errno);
	t->got = (uint16_t)(t->got + n);
	return http_status(h, t, n == 0, now);
}

static bool timed_out(struct sl_health *h, struct sl_hc_target *t, uint64_t now)
{
	const char *what = t->phase == PH_CONNECT ? "no connection"
			   : t->cfg.type == SL_HC_UDP ? "no reply"
						      : "no status line";
	return finish(h, t, false, now, "%s: %s within %u ms",
		      sl_hc_type_name(t->cfg.type), what, t->cfg.timeout_ms);
}

/* Every ready event, each batch with the time it was read at. */
static bool handle_ready(struct sl_health *h)
{
	struct epoll_event ev[MAX_EVENTS];
	bool changed = false;
	int n;

	do {
		n = h->inflight ? epoll_wait(h->epoll_fd, ev, MAX_EVENTS, 0) : 0;
		uint64_t now = sl_mono_ms();
		for (int i = 0; i < n; i++) {
			struct sl_hc_target *t = ev[i].data.ptr;
			if (t->fd < 0)
				continue;
			changed |= t->phase == PH_CONNECT ? connected(h, t, now)
							  : readable(h, t, now);
		}
	} while (n == MAX_EVENTS);
	return changed;
}

/* The loop was held for `gap` ms: no server's fault. Checks in flight
 * get the gap added to their deadline (their answers may have come
 * meanwhile and are read first); those that fell due are spread over
 * their interval again. */
static void after_stall(struct sl_health *h, uint64_t gap, uint64_t now)
{
	h->stalls++;
	sl_warn("health: the control loop was held for %lu ms; checks in flight "
		"get that much longer, due checks are spread again",
		(unsigned long)gap);
	for (unsigned id = 0; id < SL_MAX_RS; id++) {
		struct sl_hc_target *t = h->t[id];
		if (!t || t->cfg.type == SL_HC_NONE)
			continue;
		if (t->fd >= 0)
			t->started_ms += gap;
		else if (t->due_ms <= now)
			t->due_ms = now + (uint32_t)rand_r(&h->jitter_seed) %
						  t->cfg.interval_ms;
	}
}

bool sl_health_poll(struct sl_health *h)
{
	uint64_t gap = sl_mono_ms() - h->last_poll_ms;
	bool changed = handle_ready(h);
	uint64_t now = sl_mono_ms();

	if (h->last_poll_ms && gap > SL_HC_STALL_MS)
		after_stall(h, gap, now);
	for (unsigned id = 0; id < SL_MAX_RS && h->ntargets; id++) {
		struct sl_hc_target *t = h->t[id];
		if (!t || t->cfg.type == SL_HC_NONE)
			continue;
		if (t->fd >= 0 && now >= t->started_ms + t->cfg.timeout_ms)
			changed |= timed_out(h, t, now);
		else if (t->fd < 0 && now >= t->due_ms)
			changed |= start(h, t, now);
	}
	h->last_poll_ms = sl_mono_ms();
	if (changed)
		panic_update(h); /* a republish follows anyway */
	return changed;
}

bool sl_health_down(const struct sl_health *h, uint16_t svc_id,
		    const struct sl_model_rs *rs)
{
	const struct sl_hc_target *t = rs->id < SL_MAX_RS ? h->t[rs->id] : NULL;

	return t && t->down && !sl_health_in_panic(h, t) &&
	       sl_hc_target_is(t, svc_id, rs);
}

const struct sl_hc_target *sl_health_target(const struct sl_health *h,
					    uint16_t rs_id)
{
	return rs_id < SL_MAX_RS ? h->t[rs_id] : NULL;
}

void sl_health_take_flushes(struct sl_health *h,
			    bool (*fn)(void *ctx, uint16_t svc_id, uint16_t rs_id),
			    void *ctx)
{
	for (unsigned id = 0; id < SL_MAX_RS && h->ntargets; id++) {
		struct sl_hc_target *t = h->t[id];
		if (t && t->flush_pending && !sl_health_in_panic(h, t))
			t->flush_pending = !fn(ctx, t->svc_id, t->rs_id);
	}
}
