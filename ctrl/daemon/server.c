/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control socket's loop (server.h). Each turn: read at most one
 * chunk from each client that has no whole line waiting, then take the
 * clients round-robin and answer at most SL_SERVER_TURN_LINES lines of
 * each; whoever has more left kicks the eventfd so the next turn comes
 * at once, after the loop's other work (health, rings, dumps) had its go.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "server.h"
#include "server_accept.h"

struct sl_server_client {
	int fd;
	char *in;        /* bytes received, not yet answered */
	size_t in_len, in_cap;
	char *out;       /* answers not yet written */
	size_t out_len, out_off, out_cap;
	int closing;     /* read nothing more; close once `out` is written */
	uint64_t last_ms; /* last byte received or sent */
	uint64_t id;      /* names it to sl_server_answer() */
	int waiting;      /* an answer comes later: read nothing more */
	int hungup;       /* the peer is gone: out of epoll (a hang-up cannot
			   * be muted), read and served by turns alone,
			   * answers discarded */
	struct sl_server_peer peer;
	int passed_fd;    /* a descriptor that came with its bytes (SCM_RIGHTS),
			   * not yet taken (sl_server_take_fd); -1: none */
};

static size_t backlog(const struct sl_server_client *c)
{
	return c->out_len - c->out_off;
}

static bool whole_line(const struct sl_server_client *c)
{
	return c->in_len && memchr(c->in, '\n', c->in_len) != NULL;
}

/* Lines it could be answered now. */
static bool has_work(const struct sl_server_client *c)
{
	return !c->waiting && backlog(c) < SL_SERVER_MAX_BACKLOG && whole_line(c);
}

/* Whether the client needs a turn without an event: lines to answer, or,
 * hung up, the rest of what it sent still to read. */
static bool needs_turn(const struct sl_server_client *c)
{
	return has_work(c) || (c->hungup && !c->waiting && !c->closing);
}

int sl_server_open(struct sl_server *s, const char *path,
		   const struct sl_server_perms *perms, sl_server_handler handler,
		   void *ctx, char *errbuf, size_t errlen)
{
	memset(s, 0, sizeof(*s));
	s->listen_fd = s->epoll_fd = s->ro_fd = s->kick_fd = -1;
	s->handler = handler;
	s->ctx = ctx;
	s->listen_fd = sl_server_listen(path, perms, s->path, errbuf, errlen);
	if (s->listen_fd < 0)
		return -1;
	s->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	s->kick_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
	struct epoll_event kick = {.events = EPOLLIN, .data.ptr = &s->kick_fd};
	if (s->epoll_fd < 0 || s->kick_fd < 0 ||
	    epoll_ctl(s->epoll_fd, EPOLL_CTL_ADD, s->listen_fd, &ev) != 0 ||
	    epoll_ctl(s->epoll_fd, EPOLL_CTL_ADD, s->kick_fd, &kick) != 0) {
		snprintf(errbuf, errlen, "epoll: %s", strerror(errno));
		sl_server_close(s);
		return -1;
	}
	return 0;
}

int sl_server_open_readonly(struct sl_server *s, const char *path,
			    const struct sl_server_perms *perms, char *errbuf,
			    size_t errlen)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &s->ro_fd};

	s->ro_fd = sl_server_listen(path, perms, s->ro_path, errbuf, errlen);
	if (s->ro_fd < 0)
		return -1;
	if (epoll_ctl(s->epoll_fd, EPOLL_CTL_ADD, s->ro_fd, &ev) != 0) {
		snprintf(errbuf, errlen, "epoll: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static void drop_passed_fd(struct sl_server_client *c)
{
	if (c->passed_fd >= 0)
		close(c->passed_fd);
	c->passed_fd = -1;
}

static void client_free(struct sl_server *s, struct sl_server_client *c)
{
	for (unsigned i = 0; i < SL_SERVER_MAX_CLIENTS; i++)
		if (s->clients[i] == c)
			s->clients[i] = NULL;
	epoll_ctl(s->epoll_fd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	drop_passed_fd(c);
	free(c->in);
	free(c->out);
	free(c);
}

static bool is_ro(const struct sl_server_client *c)
{
	return c->peer.readonly;
}

static bool any_client(const struct sl_server_client *c)
{
	(void)c;
	return true;
}

static unsigned count_ro(const struct sl_server *s)
{
	unsigned n = 0;
	for (unsigned i = 0; i < SL_SERVER_MAX_CLIENTS; i++)
		n += s->clients[i] && is_ro(s->clients[i]);
	return n;
}

/* The slot of the client idle longest among those `which` picks, freed
 * if it has been idle a while (a silent client must not lock others
 * out). A client waiting for a deferred answer is not idle, however long
 * the answer takes. SL_SERVER_MAX_CLIENTS if each of them is busy. */
static unsigned evict_idlest(struct sl_server *s, uint64_t now,
			     bool (*which)(const struct sl_server_client *))
{
	unsigned idlest = SL_SERVER_MAX_CLIENTS;

	for (unsigned i = 0; i < SL_SERVER_MAX_CLIENTS; i++)
		if (s->clients[i] && which(s->clients[i]) && !s->clients[i]->waiting &&
		    (idlest == SL_SERVER_MAX_CLIENTS ||
		     s->clients[i]->last_ms < s->clients[idlest]->last_ms))
			idlest = i;
	if (idlest == SL_SERVER_MAX_CLIENTS ||
	    now - s->clients[idlest]->last_ms < SL_SERVER_EVICT_IDLE_MS)
		return SL_SERVER_MAX_CLIENTS;
	client_free(s, s->clients[idlest]);
	return idlest;
}

/* A slot for a new client: a free one, or an idle client's. A read-only
 * client may only take another read-only client's (never an admin's),
 * and at its cap no free one either. */
static unsigned free_slot(struct sl_server *s, uint64_t now, bool readonly)
{
	bool capped = readonly && count_ro(s) >= SL_SERVER_RO_MAX_CLIENTS;

	for (unsigned i = 0; i < SL_SERVER_MAX_CLIENTS && !capped; i++)
		if (s->clients[i] == NULL)
			return i;
	return evict_idlest(s, now, readonly ? is_ro : any_client);
}

/* Told busy: out of memory for it (`nomem`), or over a limit. */
static void refuse_client(struct sl_server *s, int fd, bool readonly, bool nomem)
{
	char why[200];

	if (nomem) {
		s->nomem_refused++;
		snprintf(why, sizeof(why), "sluice is out of memory for another "
			 "control client");
	} else if (readonly && count_ro(s) >= SL_SERVER_RO_MAX_CLIENTS) {
		s->readonly_busy++;
		snprintf(why, sizeof(why), "the read-only socket %s already has %u "
			 "busy clients, its limit", s->ro_path, SL_SERVER_RO_MAX_CLIENTS);
	} else {
		s->busy_refused++;
		snprintf(why, sizeof(why), "sluice already has %u busy control "
			 "clients, its limit", SL_SERVER_MAX_CLIENTS);
	}
	uint64_t unlogged;
	if (sl_server_ratelog_due(&s->refuse_log, &unlogged))
		sl_warn("control socket: %s: refusing one (%llu more refused since "
			"the last warning)", why, (unsigned long long)unlogged);
	sl_server_refuse_busy(fd, why);
}

static void accept_client(struct sl_server *s, int listen_fd)
{
	bool readonly = listen_fd == s->ro_fd;
	int fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0) {
		if (errno == EMFILE || errno == ENFILE || errno == ENOMEM ||
		    errno == ENOBUFS)
			sl_server_pause_accepting(s, errno);
		return;
	}
	uint64_t now = sl_server_now_ms();
	unsigned slot = free_slot(s, now, readonly);
	struct sl_server_client *c =
		slot < SL_SERVER_MAX_CLIENTS ? calloc(1, sizeof(*c)) : NULL;
	if (c == NULL) {
		refuse_client(s, fd, readonly, slot < SL_SERVER_MAX_CLIENTS);
		return;
	}
	c->fd = fd;
	c->passed_fd = -1;
	c->last_ms = now;
	c->peer.conn = c->id = ++s->next_id;
	c->peer.readonly = readonly;
	struct ucred cred;
	socklen_t len = sizeof(cred);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0) {
		c->peer.uid = cred.uid;
		c->peer.pid = cred.pid;
	}
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
	if (epoll_ctl(s->epoll_fd, EPOLL_CTL_ADD, fd, &ev) != 0) {
		close(fd);
		free(c);
		return;
	}
	s->clients[slot] = c;
}

static int grow(char **buf, size_t *cap, size_t need)
{
	if (need <= *cap)
		return 0;
	size_t ncap = *cap ? *cap : 4096;
	while (ncap < need)
		ncap *= 2;
	char *nb = realloc(*buf, ncap);
	if (nb == NULL)
		return -1;
	*buf = nb;
	*cap = ncap;
	return 0;
}

static int queue_answer(struct sl_server_client *c, const char *answer)
{
	size_t len = strlen(answer);
	if (grow(&c->out, &c->out_cap, c->out_len + len + 1) != 0)
		return -1;
	memcpy(c->out + c->out_len, answer, len);
	c->out[c->out_len + len] = '\n';
	c->out_len += len + 1;
	return 0;
}

/* Write what can be written; watch for what the client can do next.
 * Returns -1 when the client is gone or done. */
/* The peer is gone: out of epoll (a hang-up cannot be muted), its
 * answers discarded; what it sent is still read and served by turns. */
static void hang_up(struct sl_server *s, struct sl_server_client *c)
{
	if (!c->hungup)
		epoll_ctl(s->epoll_fd, EPOLL_CTL_DEL, c->fd, NULL);
	c->hungup = 1;
}

static int flush_client(struct sl_server *s, struct sl_server_client *c)
{
	while (!c->hungup && c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
				 MSG_NOSIGNAL);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n < 0 && (errno == EPIPE || errno == ECONNRESET)) {
			hang_up(s, c);
			break;
		}
		if (n <= 0)
			return -1;
		c->out_off += (size_t)n;
		c->last_ms = sl_server_now_ms();
	}
	if (c->hungup || c->out_off == c->out_len) /* nobody to read them */
		c->out_off = c->out_len = 0;
	/* Read only what can be answered soon: nothing while a line waits
	 * (the kick brings it its turn), an answer is pending, the client
	 * does not read its answers, or it is closing: input nobody reads
	 * must not be watched, or the loop spins on it (issue 19.4). */
	uint32_t in = !c->closing && !c->waiting &&
			      backlog(c) < SL_SERVER_MAX_BACKLOG && !whole_line(c)
		? EPOLLIN : 0;
	struct epoll_event ev = {.events = in | (c->out_len ? EPOLLOUT : 0),
				 .data.ptr = c};
	if (!c->hungup)
		epoll_ctl(s->epoll_fd, EPOLL_CTL_MOD, c->fd, &ev);
	return c->closing && c->out_len == 0 && !c->waiting && !whole_line(c) ? -1 : 0;
}

static void refuse_long_line(struct sl_server *s, struct sl_server_client *c)
{
	queue_answer(c, "{\"ok\":false,\"error\":{\"code\":\"bad_request\","
			"\"field\":\"\",\"message\":\"request line longer than "
			"64 KiB (65536 bytes); the connection is closed\"}}");
	c->closing = 1;
	c->in_len = 0;
	s->long_lines++;
}

/* Answer up to SL_SERVER_TURN_LINES complete lines of the input. */
static int serve_lines(struct sl_server *s, struct sl_server_client *c)
{
	size_t start = 0;
	unsigned served = 0;
	char *nl;

	while (!c->waiting && served < SL_SERVER_TURN_LINES &&
	       (nl = memchr(c->in + start, '\n', c->in_len - start)) != NULL &&
	       backlog(c) < SL_SERVER_MAX_BACKLOG) {
		size_t len = (size_t)(nl - (c->in + start));
		if (len > SL_SERVER_MAX_LINE) {
			refuse_long_line(s, c);
			return 0;
		}
		s->serving = c;
		char *answer = s->handler(s->ctx, c->in + start, len);
		s->serving = NULL;
		drop_passed_fd(c); /* the line it came with did not take it */
		start += len + 1;
		served++;
		if (c->waiting)
			break; /* sl_server_defer(): answered later, in its place */
		int rc = answer ? queue_answer(c, answer) : -1;
		free(answer);
		if (rc != 0)
			return -1;
	}
	memmove(c->in, c->in + start, c->in_len - start);
	c->in_len -= start;
	/* Complete lines may wait their turn; a first line with no end in
	 * sight is too long already. */
	if (c->in_len > SL_SERVER_MAX_LINE &&
	    memchr(c->in, '\n', SL_SERVER_MAX_LINE + 1) == NULL)
		refuse_long_line(s, c);
	return 0;
}

/* One control message's descriptors: one kept in *keep, if allowed. */
static void take_rights(struct cmsghdr *cm, int *keep, bool may_keep)
{
	size_t n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);

	for (size_t i = 0; i < n; i++) {
		int fd;
		memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
		if (may_keep && *keep < 0)
			*keep = fd;
		else
			close(fd);
	}
}

/* recv() that also takes a descriptor passed with the bytes (sluicectl
 * capture's file), kept for the line's handler. Only an admin client
 * may pass one, and only one: every other descriptor that arrived is
 * closed at once, and all of them when the control message came
 * truncated, so no client can pile descriptors up in the daemon. */
static ssize_t recv_fd(struct sl_server_client *c, char *buf, size_t len)
{
	union {
		char buf[CMSG_SPACE(SL_SERVER_MAX_FDS * sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = {.iov_base = buf, .iov_len = len};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			     .msg_controllen = sizeof(u.buf)};
	ssize_t n = recvmsg(c->fd, &msg, MSG_CMSG_CLOEXEC);
	bool may_keep = n > 0 && !c->peer.readonly && !(msg.msg_flags & MSG_CTRUNC);
	int keep = -1;

	for (struct cmsghdr *cm = n > 0 ? CMSG_FIRSTHDR(&msg) : NULL; cm;
	     cm = CMSG_NXTHDR(&msg, cm))
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS)
			take_rights(cm, &keep, may_keep);
	if (keep >= 0) {
		if (c->passed_fd >= 0)
			close(c->passed_fd);
		c->passed_fd = keep;
	}
	return n;
}

/* One read of what the client sent. -1 when it has to go. */
static int read_client(struct sl_server *s, struct sl_server_client *c)
{
	if (c->closing || c->waiting || backlog(c) >= SL_SERVER_MAX_BACKLOG ||
	    whole_line(c))
		return 0;
	if (grow(&c->in, &c->in_cap, c->in_len + 65536) != 0)
		return -1;
	ssize_t n = recv_fd(c, c->in + c->in_len, 65536);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return 0;
	if (n <= 0) {
		c->closing = 1; /* peer closed: answer what it sent, then go */
		return 0;
	}
	c->in_len += (size_t)n;
	c->last_ms = sl_server_now_ms();
	if (!whole_line(c) && c->in_len > SL_SERVER_MAX_LINE)
		refuse_long_line(s, c);
	return 0;
}

/* The client's share of this turn: its lines, then writing. -1 when
 * it has to go. */
static int take_turn(struct sl_server *s, struct sl_server_client *c)
{
	if (c->hungup && !whole_line(c) && read_client(s, c) != 0)
		return -1;
	if (has_work(c) && serve_lines(s, c) != 0)
		return -1;
	return flush_client(s, c);
}

static void kick(struct sl_server *s)
{
	uint64_t one = 1;
	if (write(s->kick_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		sl_warn("control socket: cannot wake the loop: %s", strerror(errno));
}

uint64_t sl_server_defer(struct sl_server *s)
{
	if (s == NULL || s->serving == NULL)
		return 0;
	s->serving->waiting = 1;
	return s->serving->id;
}

int sl_server_take_fd(struct sl_server *s)
{
	int fd;

	if (s == NULL || s->serving == NULL)
		return -1;
	fd = s->serving->passed_fd;
	s->serving->passed_fd = -1;
	return fd;
}

bool sl_server_peer(const struct sl_server *s, struct sl_server_peer *p)
{
	if (s == NULL || s->serving == NULL)
		return false;
	*p = s->serving->peer;
	return true;
}

void sl_server_answer(struct sl_server *s, uint64_t id, const char *answer)
{
	struct sl_server_client *c = NULL;

	for (unsigned i = 0; i < SL_SERVER_MAX_CLIENTS && c == NULL; i++)
		if (s->clients[i] && s->clients[i]->id == id)
			c = s->clients[i];
	if (c == NULL || !c->waiting)
		return; /* gone meanwhile: the answer has nobody to go to */
	c->waiting = 0;
	c->last_ms = sl_server_now_ms();
	if (queue_answer(c, answer) != 0 || flush_client(s, c) != 0)
		client_free(s, c);
	else if (has_work(c))
		kick(s); /* the lines behind it get their turn */
}

/* Close clients that have said and read nothing for SL_SERVER_IDLE_MS. */
static void close_idle(struct sl_server *s)
{
	uint64_t now = sl_server_now_ms();

	for (unsigned i = 0; i < SL_SERVER_MAX_CLIENTS; i++)
		if (s->clients[i] && now - s->clients[i]->last_ms > SL_SERVER_IDLE_MS)
			client_free(s, s->clients[i]);
}

/* Events first: reads, hang-ups. Each client's event is its only one in
 * the batch, so freeing it here leaves no dangling pointer behind. */
static void handle_events(struct sl_server *s, struct epoll_event *evs, int n,
			  bool touched[SL_SERVER_MAX_CLIENTS])
{
	for (int i = 0; i < n; i++) {
		struct sl_server_client *c = evs[i].data.ptr;
		if (c == NULL || (void *)c == &s->ro_fd || (void *)c == &s->kick_fd)
			continue;
		unsigned slot = 0;
		while (slot < SL_SERVER_MAX_CLIENTS && s->clients[slot] != c)
			slot++;
		if (slot == SL_SERVER_MAX_CLIENTS)
			continue;
		int rc = 0;
		if (evs[i].events & EPOLLIN) {
			rc = read_client(s, c);
		} else if (evs[i].events & (EPOLLERR | EPOLLHUP)) {
			/* Closed after pipelining (ECONNRESET when it left
			 * answers unread): what it sent still runs (a
			 * script's last changes), by turns, and a failed
			 * read ends it. */
			hang_up(s, c);
		}
		if (rc != 0)
			client_free(s, c);
		else
			touched[slot] = true;
	}
}

void sl_server_poll(struct sl_server *s, int timeout_ms)
{
	struct epoll_event evs[16];
	bool touched[SL_SERVER_MAX_CLIENTS] = {false};
	sl_server_resume_accepting(s);
	int n = epoll_wait(s->epoll_fd, evs, 16, sl_server_wait_ms(s, timeout_ms));
	bool rw = false, ro = false, more = false;

	for (int i = 0; i < n; i++) {
		if (evs[i].data.ptr == NULL) {
			rw = true;
		} else if (evs[i].data.ptr == &s->ro_fd) {
			ro = true;
		} else if (evs[i].data.ptr == &s->kick_fd) {
			uint64_t v;
			if (read(s->kick_fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
				sl_warn("control socket: eventfd: %s", strerror(errno));
		}
	}
	handle_events(s, evs, n, touched);
	/* Round-robin: a different client goes first each turn. */
	for (unsigned k = 0; k < SL_SERVER_MAX_CLIENTS; k++) {
		unsigned i = (s->rr + k) % SL_SERVER_MAX_CLIENTS;
		struct sl_server_client *c = s->clients[i];
		if (c == NULL || (!touched[i] && !needs_turn(c)))
			continue;
		if (take_turn(s, c) != 0)
			client_free(s, c);
		else if (needs_turn(c))
			more = true;
	}
	s->rr = (s->rr + 1) % SL_SERVER_MAX_CLIENTS;
	if (more) {
		s->turns_yielded++;
		kick(s);
	}
	/* Accept last: making room may free a client, whose events later in
	 * this batch would otherwise reach a freed (or reused) pointer. */
	uint64_t paused = s->accept_paused; /* the batch's ro event is stale if
					     * accepting rw paused just now */
	if (rw)
		accept_client(s, s->listen_fd);
	if (ro && s->accept_paused == paused)
		accept_client(s, s->ro_fd);
	close_idle(s);
}

void sl_server_close(struct sl_server *s)
{
	/* Never opened (a caller's {.listen_fd = -1, .epoll_fd = -1}): the
	 * other descriptors are not ours to close. */
	if (s->listen_fd < 0)
		return;
	for (unsigned i = 0; i < SL_SERVER_MAX_CLIENTS; i++)
		if (s->clients[i])
			client_free(s, s->clients[i]);
	if (s->epoll_fd >= 0)
		close(s->epoll_fd);
	if (s->kick_fd >= 0)
		close(s->kick_fd);
	if (s->listen_fd >= 0) {
		close(s->listen_fd);
		unlink(s->path);
	}
	if (s->ro_fd >= 0) {
		close(s->ro_fd);
		unlink(s->ro_path);
	}
	s->listen_fd = s->epoll_fd = s->ro_fd = s->kick_fd = -1;
}
