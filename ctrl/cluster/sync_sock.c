/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The sync channel's UDP socket (sync_sock.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sync_sock.h"

static socklen_t to_sockaddr(const struct sl_addr *a, uint16_t port,
			     struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a->af == SL_AF_V6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		memcpy(&s6->sin6_addr, a->v6, 16);
		return sizeof(*s6);
	}
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	s4->sin_family = AF_INET;
	s4->sin_port = htons(port);
	s4->sin_addr.s_addr = a->v4;
	return sizeof(*s4);
}

/* SO_RCVBUFFORCE goes past rmem_max with CAP_NET_ADMIN; without it the
 * plain option, capped. The size the kernel kept is read back. */
static void set_buffer(int fd, int force, int plain, uint32_t bytes, int *got)
{
	int v = bytes > INT32_MAX / 2 ? INT32_MAX / 2 : (int)bytes;
	socklen_t len = sizeof(*got);

	if (v && setsockopt(fd, SOL_SOCKET, force, &v, sizeof(v)) != 0)
		(void)setsockopt(fd, SOL_SOCKET, plain, &v, sizeof(v));
	*got = 0;
	(void)getsockopt(fd, SOL_SOCKET, plain, got, &len);
}

static int set_dont_fragment(int fd, enum sl_af af)
{
	int v4 = IP_PMTUDISC_DO, v6 = IPV6_PMTUDISC_DO;

	return af == SL_AF_V6 ? setsockopt(fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, &v6, sizeof(v6))
			      : setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &v4, sizeof(v4));
}

int sl_sync_sock_open(const struct sl_addr *a, uint16_t port, uint32_t buffer,
		      int *rcvbuf, int *sndbuf, char *errbuf, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t sl = to_sockaddr(a, port, &ss);
	char buf[SL_ADDR_STRLEN];
	int one = 1;
	int fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd >= 0 && ((a->af == SL_AF_V6 &&
			 setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) != 0) ||
			set_dont_fragment(fd, a->af) != 0)) {
		close(fd);
		fd = -1;
	}
	if (fd < 0 || bind(fd, (struct sockaddr *)&ss, sl) != 0) {
		snprintf(errbuf, errlen, "cluster.sync: cannot bind %s port %u: %s",
			 sl_fmt_addr(a, buf), port, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	set_buffer(fd, SO_RCVBUFFORCE, SO_RCVBUF, buffer, rcvbuf);
	set_buffer(fd, SO_SNDBUFFORCE, SO_SNDBUF, buffer, sndbuf);
	return fd;
}

ssize_t sl_sync_sock_recv(int fd, uint8_t *buf, size_t len, struct sl_addr *from,
			  uint16_t *from_port)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	ssize_t n = recvfrom(fd, buf, len, MSG_TRUNC, (struct sockaddr *)&ss, &sl);

	if (n < 0)
		return -1;
	if ((size_t)n > len)
		n = (ssize_t)len; /* cut: the parser sees it truncated */
	memset(from, 0, sizeof(*from));
	if (ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&ss;
		from->af = SL_AF_V6;
		memcpy(from->v6, &s6->sin6_addr, 16);
		*from_port = ntohs(s6->sin6_port);
	} else {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)&ss;
		from->af = SL_AF_V4;
		from->v4 = s4->sin_addr.s_addr;
		*from_port = ntohs(s4->sin_port);
	}
	return n;
}

int sl_sync_sock_send(int fd, const struct sl_addr *to, uint16_t port,
		      const uint8_t *buf, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl = to_sockaddr(to, port, &ss);

	return sendto(fd, buf, len, 0, (struct sockaddr *)&ss, sl) == (ssize_t)len ? 0 : -1;
}

struct sl_sync_txq {
	unsigned n;
	size_t max_len;
	uint32_t peer[SL_SYNC_TXQ], records[SL_SYNC_TXQ];
	struct sockaddr_storage to[SL_SYNC_TXQ];
	struct iovec iov[SL_SYNC_TXQ];
	struct mmsghdr msg[SL_SYNC_TXQ];
	uint8_t buf[]; /* SL_SYNC_TXQ datagrams of max_len */
};

struct sl_sync_txq *sl_sync_txq_new(size_t max_len)
{
	struct sl_sync_txq *q = calloc(1, sizeof(*q) + SL_SYNC_TXQ * max_len);

	if (q)
		q->max_len = max_len;
	return q;
}

void sl_sync_txq_free(struct sl_sync_txq *q)
{
	free(q);
}

unsigned sl_sync_txq_count(const struct sl_sync_txq *q)
{
	return q->n;
}

/* Slot k's message, pointing at its own buffer and address. */
static void point(struct sl_sync_txq *q, unsigned k, size_t len, socklen_t namelen)
{
	q->iov[k] = (struct iovec){.iov_base = q->buf + k * q->max_len, .iov_len = len};
	q->msg[k] = (struct mmsghdr){.msg_hdr = {
		.msg_name = &q->to[k], .msg_namelen = namelen,
		.msg_iov = &q->iov[k], .msg_iovlen = 1}};
}

bool sl_sync_txq_add(struct sl_sync_txq *q, const struct sl_addr *to, uint16_t port,
		     const uint8_t *buf, size_t len, uint32_t peer, uint32_t records)
{
	if (q->n == SL_SYNC_TXQ)
		return true;
	unsigned k = q->n++;
	size_t fit = len < q->max_len ? len : q->max_len; /* sealed to max_len: a guard */

	memcpy(q->buf + k * q->max_len, buf, fit);
	q->peer[k] = peer;
	q->records[k] = records;
	point(q, k, fit, to_sockaddr(to, port, &q->to[k]));
	return q->n == SL_SYNC_TXQ;
}

/* Datagrams from `first` on moved to the front, in order. */
static void keep_from(struct sl_sync_txq *q, unsigned first)
{
	unsigned left = q->n - first;

	for (unsigned k = 0; k < left && first > 0; k++) {
		unsigned from = first + k;
		memcpy(q->buf + k * q->max_len, q->buf + from * q->max_len, q->iov[from].iov_len);
		q->to[k] = q->to[from];
		q->peer[k] = q->peer[from];
		q->records[k] = q->records[from];
		point(q, k, q->iov[from].iov_len, q->msg[from].msg_hdr.msg_namelen);
	}
	q->n = left;
}

unsigned sl_sync_txq_send(int fd, struct sl_sync_txq *q, sl_sync_sent_fn sent, void *ctx)
{
	unsigned done = 0;

	while (done < q->n) {
		int r = sendmmsg(fd, q->msg + done, q->n - done, 0);
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS))
			break; /* the buffer is full: the rest wait for the next call */
		if (r <= 0) { /* datagram `done` refused; sendmmsg stops at it */
			sent(ctx, q->peer[done], q->records[done], false);
			done++;
			continue;
		}
		for (unsigned k = done; k < done + (unsigned)r; k++)
			sent(ctx, q->peer[k], q->records[k], true);
		done += (unsigned)r;
	}
	keep_from(q, done);
	return q->n;
}
