/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control socket: a Unix stream socket carrying newline-delimited
 * JSON, served from the control thread with epoll. Requests on one
 * connection are answered in order.
 *
 * Nothing a client does can hold up the others: sockets are non-blocking,
 * a line longer than SL_SERVER_MAX_LINE gets a bad_request answer and the
 * connection is closed, a client that does not read its answers is not
 * read from once SL_SERVER_MAX_BACKLOG bytes wait for it, a client silent
 * for SL_SERVER_IDLE_MS is closed, and when all slots are taken the
 * longest-idle client makes room for a new one. A handler may defer its
 * answer (sl_server_defer); the client's later lines wait behind it.
 *
 * One loop turn serves at most SL_SERVER_TURN_LINES requests of each
 * client, taking the clients round-robin; a client with more waiting
 * wakes the loop again at once (an eventfd in the set), so pipelining
 * thousands of requests costs nobody else more than a turn (issue 19.1).
 * A client is read from only when it has no whole line waiting, and never
 * once it is closing (issue 19.4: level-triggered input nobody reads
 * would spin the loop).
 *
 * An optional second, read-only socket (sl_server_open_readonly): its
 * clients are marked, and the dispatcher refuses them anything that
 * changes state (sl_server_peer). They hold at most
 * SL_SERVER_RO_MAX_CLIENTS slots (and, ctl_dump.c, all but one dump job);
 * one over that cap gets a `busy` answer and is closed.
 *
 * accept() failing for want of descriptors or memory (EMFILE, ENFILE,
 * ENOMEM, ENOBUFS) leaves the connection pending, so the socket stays
 * readable: the listening sockets leave the epoll set for
 * SL_SERVER_ACCEPT_PAUSE_MS rather than spin, and the pause is renewed
 * until both are back in it. Refusals and pauses are logged at most once
 * per SL_SERVER_LOG_EVERY_MS, with a count of those unlogged.
 */
#ifndef SL_SERVER_H
#define SL_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol.h"

#define SL_SERVER_MAX_LINE SL_PROTO_MAX_LINE
/* Room for this many descriptors passed in one message: all are closed
 * but one an admin client passes (sluicectl capture's file). */
#define SL_SERVER_MAX_FDS 16
#define SL_SERVER_MAX_CLIENTS 64
#define SL_SERVER_MAX_BACKLOG (4u << 20)  /* answer bytes queued per client */
#define SL_SERVER_IDLE_MS 30000
#define SL_SERVER_EVICT_IDLE_MS 1000      /* idle enough to make room */
#define SL_SERVER_TURN_LINES 16           /* requests per client per turn */
/* Read-only clients take at most this many of the slots, so a local
 * user on an open read-only socket cannot lock the control socket out. */
#define SL_SERVER_RO_MAX_CLIENTS 16
#define SL_SERVER_ACCEPT_PAUSE_MS 100     /* after accept ran out of fds */
#define SL_SERVER_PATH_MAX 108
#define SL_SERVER_LOG_EVERY_MS 1000       /* a repeating warning, at most */

/* Turns one request line into one answer (malloc'd, without newline). */
typedef char *(*sl_server_handler)(void *ctx, const char *line, size_t len);

struct sl_server_client;

/* A warning that may repeat at a client's pace (refusals, accept
 * failures): logged the first time, then at most once per
 * SL_SERVER_LOG_EVERY_MS with how many went unlogged meanwhile. */
struct sl_server_ratelog {
	uint64_t last_ms;  /* when it was last logged; 0: never */
	uint64_t unlogged; /* occurrences since */
};

struct sl_server {
	int listen_fd;
	int epoll_fd;
	int ro_fd;        /* the read-only socket, -1 without */
	int kick_fd;      /* eventfd: readable while a client has lines waiting */
	char path[SL_SERVER_PATH_MAX];
	char ro_path[SL_SERVER_PATH_MAX];
	struct sl_server_client *clients[SL_SERVER_MAX_CLIENTS];
	unsigned rr;      /* the slot served first next turn */
	sl_server_handler handler;
	void *ctx;
	struct sl_server_client *serving; /* whose line the handler has */
	uint64_t next_id;
	/* Counters (stats "control"). */
	uint64_t turns_yielded;   /* a client had more than its turn's share */
	uint64_t long_lines;      /* clients closed for a line over the limit */
	uint64_t readonly_refused; /* counted by the dispatcher */
	uint64_t readonly_busy;   /* read-only clients over their cap (slots,
				   * dump jobs: ctl_dump.c) */
	uint64_t accept_paused;   /* accept() out of fds/memory: paused */
	uint64_t busy_refused;    /* any client refused: every slot busy */
	uint64_t nomem_refused;   /* a client refused: no memory for it */
	uint64_t accept_resume_ms; /* paused until then; 0: accepting */
	struct sl_server_ratelog refuse_log, accept_log;
};

/* Who sent the line being handled. */
struct sl_server_peer {
	unsigned uid;
	int pid;       /* 0: unknown */
	bool readonly; /* came through the read-only socket */
	uint64_t conn; /* the connection's id, never reused (from 1) */
};

/* Who may connect: the socket file's mode and owner (-1: leave as is). */
struct sl_server_perms {
	unsigned mode;
	int uid, gid;
};

/* Create the socket at `path` (parent directory created), with `perms`
 * (NULL: mode 0600, owned by us). Refuses if another process is serving
 * there. 0, or -1 with errbuf. */
int sl_server_open(struct sl_server *s, const char *path,
		   const struct sl_server_perms *perms, sl_server_handler handler,
		   void *ctx, char *errbuf, size_t errlen);
/* The read-only socket at `path`, beside the one sl_server_open made. */
int sl_server_open_readonly(struct sl_server *s, const char *path,
			    const struct sl_server_perms *perms, char *errbuf,
			    size_t errlen);
/* A listening socket at `path` with `perms` (NULL: 0600), its directory
 * resolved and checked (server_sock.c); the path it is bound at, its
 * directory's links resolved, in `bound` (SL_SERVER_PATH_MAX; NULL: not
 * wanted). The fd, or -1 with errbuf. */
int sl_server_listen(const char *path, const struct sl_server_perms *perms,
		     char *bound, char *errbuf, size_t errlen);
/* The peer of the line being handled; false when none is (no socket). */
bool sl_server_peer(const struct sl_server *s, struct sl_server_peer *p);
/* The descriptor the client of the line being handled passed with its
 * bytes (SCM_RIGHTS; one per read, a newer one replacing an untaken
 * one), now the caller's; -1 when none came. */
int sl_server_take_fd(struct sl_server *s);
/* Serve whatever is ready, waiting at most timeout_ms. */
void sl_server_poll(struct sl_server *s, int timeout_ms);
void sl_server_close(struct sl_server *s);

/* Called by the handler: the line being handled is answered later, by
 * sl_server_answer() with the id returned (0: no client, answer now).
 * Until then that client's further lines wait, unread, in order. */
uint64_t sl_server_defer(struct sl_server *s);
/* The deferred answer (without newline) for client `id`; dropped if the
 * client has gone meanwhile. */
void sl_server_answer(struct sl_server *s, uint64_t id, const char *answer);

#endif
