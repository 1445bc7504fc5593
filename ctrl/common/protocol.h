/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Limits of the control protocol (ctrl/README.md, "Protocol") that both
 * ends must agree on: the daemon enforces them, sluicectl checks them
 * before sending so that its errors name the argument at fault. Only
 * what crosses the socket belongs here; the daemon's internal sizes stay
 * in its own headers.
 */
#ifndef SL_PROTOCOL_H
#define SL_PROTOCOL_H

/* One request line, newline excluded. */
#define SL_PROTO_MAX_LINE (64u << 10)
/* A port's name, terminating NUL included. */
#define SL_PORT_NAME_MAX 32
/* A real server's weight; 0 drains it. */
#define SL_MAX_WEIGHT 65535u

#endif
