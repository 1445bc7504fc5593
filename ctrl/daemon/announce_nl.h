/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The announcer's rtnetlink socket (announce.c): requests for one routing
 * table's host routes, sent without waiting, and their answers read
 * without blocking. Plain rtnetlink (linux/rtnetlink.h), no library.
 */
#ifndef SL_ANNOUNCE_NL_H
#define SL_ANNOUNCE_NL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"

/* One answer: a route of the dump (route set), the dump's end (done),
 * or a request's acknowledgement (seq, error 0 or -errno). */
struct sl_ann_msg {
	enum { SL_ANN_M_ROUTE, SL_ANN_M_DONE, SL_ANN_M_ACK } type;
	uint32_t seq;
	int error;
	struct sl_addr route;
};

/* Open a non-blocking NETLINK_ROUTE socket. The fd, or -1 with errno. */
int sl_ann_nl_open(void);
/* Ask for table's routes (every family). 0, or -errno. */
int sl_ann_nl_dump(int fd, uint32_t seq);
/* Add or delete a's host route in table, a blackhole of protocol
 * SL_ANN_RTPROT, with an acknowledgement asked. An add never replaces a
 * route already there (NLM_F_EXCL: its answer is then -EEXIST). 0, or
 * -errno (-EAGAIN: the socket is full, try later). */
int sl_ann_nl_route(int fd, uint32_t seq, bool add, uint32_t table,
		    const struct sl_addr *a);
/* Read what is there; fn for every answer (routes of `table` with our
 * protocol and a host prefix only). The number read, 0 when nothing,
 * or -errno (-ENOBUFS: answers were lost). */
int sl_ann_nl_read(int fd, uint32_t table,
		   void (*fn)(void *ctx, const struct sl_ann_msg *m), void *ctx);

/* announce_flush.c: remove every route of protocol SL_ANN_RTPROT (any
 * family, any prefix length) from table, and only those; blocking, at
 * most a few seconds. 0 (*removed set), or -1 with err. */
int sl_ann_flush(uint32_t table, unsigned *removed, char *err, size_t len);

#endif
