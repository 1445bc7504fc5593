/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Accepting on the control socket's listening sockets (server.c's): the
 * pause when accept() runs out of descriptors or memory, the `busy` line
 * of a refused client, and warnings that may repeat at a client's pace
 * logged at most once per SL_SERVER_LOG_EVERY_MS.
 */
#ifndef SL_SERVER_ACCEPT_H
#define SL_SERVER_ACCEPT_H

#include <stdbool.h>
#include <stdint.h>

#include "server.h"

uint64_t sl_server_now_ms(void); /* CLOCK_MONOTONIC */
/* Whether a repeating warning may be logged now; `*unlogged` says how
 * many went unlogged since the last one. */
bool sl_server_ratelog_due(struct sl_server_ratelog *r, uint64_t *unlogged);
/* Tells the client why (a `busy` line), then closes it. */
void sl_server_refuse_busy(int fd, const char *why);
/* Stops watching the listening sockets for SL_SERVER_ACCEPT_PAUSE_MS. */
void sl_server_pause_accepting(struct sl_server *s, int err);
/* The pause over: both listening sockets watched again, or another try
 * after another pause. */
void sl_server_resume_accepting(struct sl_server *s);
/* How long the next wait may be: never past the end of a pause. */
int sl_server_wait_ms(const struct sl_server *s, int timeout_ms);

#endif
