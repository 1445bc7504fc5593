/* SPDX-License-Identifier: BSD-3-Clause */
/* rtnetlink requests and answers for the announcer (announce_nl.h). */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "announce.h"
#include "announce_nl.h"

#define NL_RCVBUF (1 << 20) /* answers of a burst of requests */

int sl_ann_nl_open(void)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
			NETLINK_ROUTE);
	struct sockaddr_nl local = {.nl_family = AF_NETLINK};
	int buf = NL_RCVBUF, one = 1;

	if (fd < 0)
		return -1;
	/* The kernel's answers can outrun us; an overrun is ENOBUFS, and the
	 * announcer then re-dumps the table. Extended acks name the cause. */
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
	(void)setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&local, sizeof(local)) != 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static int send_msg(int fd, struct nlmsghdr *h)
{
	struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};

	if (sendto(fd, h, h->nlmsg_len, 0, (struct sockaddr *)&kernel,
		   sizeof(kernel)) < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	return 0;
}

int sl_ann_nl_dump(int fd, uint32_t seq)
{
	struct {
		struct nlmsghdr h;
		struct rtmsg r;
	} req = {
		.h = {.nlmsg_len = sizeof(req), .nlmsg_type = RTM_GETROUTE,
		      .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = seq},
		.r = {.rtm_family = AF_UNSPEC},
	};
	return send_msg(fd, &req.h);
}

static void put_attr(struct nlmsghdr *h, uint16_t type, const void *data,
		     uint16_t len)
{
	struct rtattr *rta = (struct rtattr *)((char *)h + NLMSG_ALIGN(h->nlmsg_len));

	rta->rta_type = type;
	rta->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(rta), data, len);
	h->nlmsg_len = NLMSG_ALIGN(h->nlmsg_len) + RTA_ALIGN(rta->rta_len);
}

int sl_ann_nl_route(int fd, uint32_t seq, bool add, uint32_t table,
		    const struct sl_addr *a)
{
	struct {
		struct nlmsghdr h;
		struct rtmsg r;
		char attrs[64];
	} req;
	bool v6 = a->af == SL_AF_V6;

	memset(&req, 0, sizeof(req));
	req.h.nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg));
	req.h.nlmsg_type = add ? RTM_NEWROUTE : RTM_DELROUTE;
	req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK |
			    (add ? NLM_F_CREATE | NLM_F_EXCL : 0);
	req.h.nlmsg_seq = seq;
	req.r.rtm_family = v6 ? AF_INET6 : AF_INET;
	req.r.rtm_dst_len = v6 ? 128 : 32;
	req.r.rtm_table = table < 256 ? (unsigned char)table : RT_TABLE_UNSPEC;
	req.r.rtm_protocol = SL_ANN_RTPROT;
	req.r.rtm_scope = RT_SCOPE_UNIVERSE;
	req.r.rtm_type = RTN_BLACKHOLE;
	put_attr(&req.h, RTA_TABLE, &table, sizeof(table));
	if (v6)
		put_attr(&req.h, RTA_DST, a->v6, 16);
	else
		put_attr(&req.h, RTA_DST, &a->v4, 4);
	return send_msg(fd, &req.h);
}

/* A route of the dump: ours (table, protocol, a host prefix)? */
static bool route_of(const struct nlmsghdr *h, uint32_t table,
		     struct sl_addr *out)
{
	const struct rtmsg *r = NLMSG_DATA(h);
	int len = (int)h->nlmsg_len - (int)NLMSG_LENGTH(sizeof(*r));
	uint32_t rt_table = r->rtm_table;
	const void *dst = NULL;

	if (len < 0 || r->rtm_protocol != SL_ANN_RTPROT ||
	    !((r->rtm_family == AF_INET && r->rtm_dst_len == 32) ||
	      (r->rtm_family == AF_INET6 && r->rtm_dst_len == 128)))
		return false;
	for (const struct rtattr *a = RTM_RTA(r); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type == RTA_TABLE && RTA_PAYLOAD(a) >= 4)
			memcpy(&rt_table, RTA_DATA(a), 4);
		else if (a->rta_type == RTA_DST)
			dst = RTA_DATA(a);
	}
	if (rt_table != table || !dst)
		return false;
	memset(out, 0, sizeof(*out));
	out->af = r->rtm_family == AF_INET ? SL_AF_V4 : SL_AF_V6;
	if (out->af == SL_AF_V4)
		memcpy(&out->v4, dst, 4);
	else
		memcpy(out->v6, dst, 16);
	return true;
}

static void handle(const struct nlmsghdr *h, uint32_t table,
		   void (*fn)(void *ctx, const struct sl_ann_msg *m), void *ctx)
{
	struct sl_ann_msg m = {.seq = h->nlmsg_seq};

	if (h->nlmsg_type == NLMSG_DONE) {
		m.type = SL_ANN_M_DONE;
		fn(ctx, &m);
	} else if (h->nlmsg_type == NLMSG_ERROR &&
		   h->nlmsg_len >= NLMSG_LENGTH(sizeof(struct nlmsgerr))) {
		const struct nlmsgerr *e = NLMSG_DATA(h);
		m.type = SL_ANN_M_ACK;
		m.error = e->error;
		fn(ctx, &m);
	} else if (h->nlmsg_type == RTM_NEWROUTE && route_of(h, table, &m.route)) {
		m.type = SL_ANN_M_ROUTE;
		fn(ctx, &m);
	}
}

int sl_ann_nl_read(int fd, uint32_t table,
		   void (*fn)(void *ctx, const struct sl_ann_msg *m), void *ctx)
{
	static char buf[32768] __attribute__((aligned(NLMSG_ALIGNTO)));
	int count = 0;

	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? count : -errno;
		unsigned int len = (unsigned int)n;
		for (const struct nlmsghdr *h = (const struct nlmsghdr *)buf;
		     NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
			handle(h, table, fn, ctx);
			count++;
		}
	}
}
