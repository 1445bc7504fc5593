/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The sync channel's UDP socket (sync_sock.c): non-blocking, bound to
 * the node's sync address and port, either family.
 */
#ifndef SL_SYNC_SOCK_H
#define SL_SYNC_SOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "addr.h"

/* Bound, non-blocking, don't-fragment (a datagram at the default
 * max_datagram fits a 1500-byte MTU; a bigger one must fit the path,
 * not be cut in fragments a loss makes whole datagrams of), with
 * receive and send buffers of `buffer` bytes asked: *rcvbuf and *sndbuf
 * what the kernel set (it may cap them at net.core.rmem_max/wmem_max). */
int sl_sync_sock_open(const struct sl_addr *a, uint16_t port, uint32_t buffer,
		      int *rcvbuf, int *sndbuf, char *errbuf, size_t errlen);
/* One datagram: its length, or -1 (errno; EAGAIN when none waits). A
 * datagram longer than len is cut: the caller sees it truncated. */
ssize_t sl_sync_sock_recv(int fd, uint8_t *buf, size_t len, struct sl_addr *from,
			  uint16_t *from_port);
int sl_sync_sock_send(int fd, const struct sl_addr *to, uint16_t port,
		      const uint8_t *buf, size_t len);

/* Datagrams queued and sent together: one sendmmsg for up to SL_SYNC_TXQ
 * of them, where sendto cost a system call each (a drain of a full ring
 * is thousands of datagrams a peer). Each is copied in with the caller's
 * peer index and record count, handed back with what became of it. */
#define SL_SYNC_TXQ 32
struct sl_sync_txq;
typedef void (*sl_sync_sent_fn)(void *ctx, uint32_t peer, uint32_t records, bool ok);
/* Room for datagrams of up to max_len bytes; NULL when out of memory. */
struct sl_sync_txq *sl_sync_txq_new(size_t max_len);
void sl_sync_txq_free(struct sl_sync_txq *q);
/* Datagrams waiting (0 to SL_SYNC_TXQ). */
unsigned sl_sync_txq_count(const struct sl_sync_txq *q);
/* Queued; true when the queue is now full (send it). A full queue
 * (sends deferred) takes nothing: the caller counts the datagram lost. */
bool sl_sync_txq_add(struct sl_sync_txq *q, const struct sl_addr *to, uint16_t port,
		     const uint8_t *buf, size_t len, uint32_t peer, uint32_t records);
/* The queued datagrams sent, in order, and sent() told of each. One the
 * kernel refuses for itself (too long, no route) is skipped and the rest
 * still tried; when the send buffer is full (EAGAIN, ENOBUFS) the rest
 * stay queued, in order, for the next call, which a peer's datagrams
 * would otherwise all be lost to within microseconds. Returns how many
 * stay queued. */
unsigned sl_sync_txq_send(int fd, struct sl_sync_txq *q, sl_sync_sent_fn sent, void *ctx);

#endif
