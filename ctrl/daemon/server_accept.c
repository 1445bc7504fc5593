/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Accepting on the control socket's listening sockets (server.c's): the
 * pause when accept() runs out of descriptors or memory, the `busy` line
 * of a refused client, and warnings that may repeat at a client's pace
 * logged at most once per SL_SERVER_LOG_EVERY_MS.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "log.h"
#include "server.h"
#include "server_accept.h"

uint64_t sl_server_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Whether a repeating warning may be logged now; `*unlogged` says how
 * many went unlogged since the last one. A local client's connect loop
 * must not flood the log. */
bool sl_server_ratelog_due(struct sl_server_ratelog *r, uint64_t *unlogged)
{
	uint64_t now = sl_server_now_ms();

	if (r->last_ms != 0 && now - r->last_ms < SL_SERVER_LOG_EVERY_MS) {
		r->unlogged++;
		return false;
	}
	*unlogged = r->unlogged;
	r->unlogged = 0;
	r->last_ms = now;
	return true;
}

/* Told why, then closed: a client is never left hanging. The reason
 * may name a path: jansson escapes it. */
void sl_server_refuse_busy(int fd, const char *why)
{
	json_t *j = json_pack("{s:b,s:{s:s,s:s,s:s+}}", "ok", 0, "error", "code",
			      "busy", "field", "", "message", why, "; try again");
	char *text = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	size_t len = text ? strlen(text) : 0;
	char *line = text ? realloc(text, len + 2) : NULL;

	if (line) {
		memcpy(line + len, "\n", 2);
		if (send(fd, line, len + 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
			sl_warn("control socket: cannot tell a refused client why: %s",
				strerror(errno));
	}
	free(line ? line : text);
	json_decref(j);
	close(fd);
}

/* Out of descriptors or memory: the connection stays pending and the
 * socket readable, so stop watching the listening sockets for a while. */
void sl_server_pause_accepting(struct sl_server *s, int err)
{
	uint64_t unlogged;

	s->accept_paused++;
	if (sl_server_ratelog_due(&s->accept_log, &unlogged))
		sl_warn("control socket: accept: %s; not accepting for %u ms "
			"(paused %llu times, %llu since the last warning)",
			strerror(err), SL_SERVER_ACCEPT_PAUSE_MS,
			(unsigned long long)s->accept_paused,
			(unsigned long long)unlogged);
	s->accept_resume_ms = sl_server_now_ms() + SL_SERVER_ACCEPT_PAUSE_MS;
	epoll_ctl(s->epoll_fd, EPOLL_CTL_DEL, s->listen_fd, NULL);
	if (s->ro_fd >= 0)
		epoll_ctl(s->epoll_fd, EPOLL_CTL_DEL, s->ro_fd, NULL);
}

/* A listening socket watched again (already watched is as good). */
static bool watch_listener(struct sl_server *s, int fd, void *tag)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = tag};
	uint64_t unlogged;

	if (fd < 0 || epoll_ctl(s->epoll_fd, EPOLL_CTL_ADD, fd, &ev) == 0 ||
	    errno == EEXIST)
		return true;
	if (sl_server_ratelog_due(&s->accept_log, &unlogged))
		sl_warn("control socket: cannot watch %s again: %s; retrying in %u ms "
			"(%llu warnings unlogged)", tag ? s->ro_path : s->path,
			strerror(errno), SL_SERVER_ACCEPT_PAUSE_MS,
			(unsigned long long)unlogged);
	return false;
}

/* The pause over: both listening sockets back in the epoll set, each on
 * its own; the pause stays armed (another try after it) until both are,
 * or a socket would never be accepted on again. */
void sl_server_resume_accepting(struct sl_server *s)
{
	if (s->accept_resume_ms == 0 || sl_server_now_ms() < s->accept_resume_ms)
		return;
	bool rw = watch_listener(s, s->listen_fd, NULL);
	bool ro = watch_listener(s, s->ro_fd, &s->ro_fd);
	s->accept_resume_ms = rw && ro ? 0 : sl_server_now_ms() + SL_SERVER_ACCEPT_PAUSE_MS;
}

/* How long the next wait may be: never past the end of a pause. */
int sl_server_wait_ms(const struct sl_server *s, int timeout_ms)
{
	if (s->accept_resume_ms == 0)
		return timeout_ms;
	uint64_t now = sl_server_now_ms();
	int left = now >= s->accept_resume_ms ? 0 : (int)(s->accept_resume_ms - now);
	return timeout_ms < 0 || left < timeout_ms ? left : timeout_ms;
}
