/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Every route of the announcer's protocol removed from its table
 * (announce_nl.h, sl_ann_flush): at start, before the announcer follows
 * the table, and by `sluice --cleanup`, so a crashed run's routes are not
 * announced on by the routing daemon. Blocking, with a receive timeout:
 * both callers run before (or without) the control loop.
 *
 * Each route goes by a removal naming it as the dump showed it: family,
 * prefix and length, tos, type, scope, metric, and our protocol. The
 * kernel matches the protocol on removal (IPv4 and IPv6 alike), so a
 * route of another protocol for the same prefix is never the one
 * removed. Any prefix length, not only the host routes the announcer
 * adds. The table is read again after each round, until a read finds
 * none of ours (a few rounds at most).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "announce.h"
#include "announce_nl.h"

#define FLUSH_ROUNDS 8
#define FLUSH_BATCH 256          /* routes removed per round */
#define FLUSH_TIMEOUT_S 2        /* the kernel answers at once; a bound */

/* A removal: the header and attributes of the route as dumped. */
struct del_req {
	struct nlmsghdr h;
	struct rtmsg r;
	char attrs[64];
};

struct flush {
	int fd;
	uint32_t table, seq;
	struct del_req del[FLUSH_BATCH];
	unsigned n;
};

static void put_attr(struct nlmsghdr *h, uint16_t type, const void *data, uint16_t len)
{
	struct rtattr *rta = (struct rtattr *)((char *)h + NLMSG_ALIGN(h->nlmsg_len));

	rta->rta_type = type;
	rta->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(rta), data, len);
	h->nlmsg_len = NLMSG_ALIGN(h->nlmsg_len) + RTA_ALIGN(rta->rta_len);
}

/* A route of the dump: ours (protocol, table)? Then its removal queued. */
static void take(struct flush *f, const struct nlmsghdr *h)
{
	const struct rtmsg *r = NLMSG_DATA(h);
	int len = (int)h->nlmsg_len - (int)NLMSG_LENGTH(sizeof(*r));
	uint32_t table = r->rtm_table, prio = 0;
	const struct rtattr *dst = NULL;
	bool has_prio = false;

	if (len < 0 || r->rtm_protocol != SL_ANN_RTPROT ||
	    (r->rtm_family != AF_INET && r->rtm_family != AF_INET6))
		return;
	for (const struct rtattr *a = RTM_RTA(r); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type == RTA_TABLE && RTA_PAYLOAD(a) >= 4)
			memcpy(&table, RTA_DATA(a), 4);
		else if (a->rta_type == RTA_DST && RTA_PAYLOAD(a) <= 16)
			dst = a;
		else if (a->rta_type == RTA_PRIORITY && RTA_PAYLOAD(a) >= 4)
			memcpy(&prio, RTA_DATA(a), 4), has_prio = true;
	}
	if (table != f->table || (r->rtm_dst_len && !dst))
		return;
	if (f->n == FLUSH_BATCH)
		return; /* the next round takes it */
	struct del_req *d = &f->del[f->n++];
	memset(d, 0, sizeof(*d));
	d->h.nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg));
	d->h.nlmsg_type = RTM_DELROUTE;
	d->h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	d->r = *r;
	put_attr(&d->h, RTA_TABLE, &f->table, sizeof(f->table));
	if (dst)
		put_attr(&d->h, RTA_DST, RTA_DATA(dst), (uint16_t)RTA_PAYLOAD(dst));
	if (has_prio)
		put_attr(&d->h, RTA_PRIORITY, &prio, sizeof(prio));
}

/* Read answers to seq until its end (dump: DONE; removal: its ack).
 * 0, or -errno (the dump's or the removal's own error; ESRCH, a route
 * gone meanwhile, is no error). */
static int answers(struct flush *f, uint32_t seq, bool dump)
{
	static char buf[32768] __attribute__((aligned(NLMSG_ALIGNTO)));

	for (;;) {
		ssize_t n = recv(f->fd, buf, sizeof(buf), 0);
		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? -ETIMEDOUT : -errno;
		unsigned int len = (unsigned int)n;
		for (const struct nlmsghdr *h = (const struct nlmsghdr *)buf; NLMSG_OK(h, len);
		     h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_seq != seq)
				continue;
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);
				if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
					return -EPROTO;
				return e->error == -ESRCH ? 0 : e->error;
			}
			if (dump && h->nlmsg_type == RTM_NEWROUTE)
				take(f, h);
		}
	}
}

static int send_req(int fd, struct nlmsghdr *h)
{
	struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};

	return sendto(fd, h, h->nlmsg_len, 0, (struct sockaddr *)&kernel,
		      sizeof(kernel)) < 0 ? -errno : 0;
}

/* One round: read the table, remove what of ours it holds. The number
 * removed, or -errno with what failed in err. */
static int round_once(struct flush *f, char *err, size_t len)
{
	struct {
		struct nlmsghdr h;
		struct rtmsg r;
	} dump = {
		.h = {.nlmsg_len = sizeof(dump), .nlmsg_type = RTM_GETROUTE,
		      .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = ++f->seq},
		.r = {.rtm_family = AF_UNSPEC},
	};
	int rc;

	f->n = 0;
	if ((rc = send_req(f->fd, &dump.h)) < 0 || (rc = answers(f, f->seq, true)) < 0) {
		snprintf(err, len, "reading table %u: %s", f->table, strerror(-rc));
		return rc;
	}
	for (unsigned i = 0; i < f->n; i++) {
		f->del[i].h.nlmsg_seq = ++f->seq;
		if ((rc = send_req(f->fd, &f->del[i].h)) < 0 ||
		    (rc = answers(f, f->seq, false)) < 0) {
			snprintf(err, len, "removing a route of protocol %u from table %u: %s",
				 SL_ANN_RTPROT, f->table, strerror(-rc));
			return rc;
		}
	}
	return (int)f->n;
}

int sl_ann_flush(uint32_t table, unsigned *removed, char *err, size_t len)
{
	static struct flush f;
	struct timeval tv = {.tv_sec = FLUSH_TIMEOUT_S};
	int rc = 0;

	*removed = 0;
	memset(&f, 0, sizeof(f));
	f.table = table;
	f.fd = sl_ann_nl_open();
	if (f.fd < 0) {
		snprintf(err, len, "rtnetlink socket: %s", strerror(errno));
		return -1;
	}
	/* Blocking reads, bounded by a receive timeout. */
	int fl = fcntl(f.fd, F_GETFL);
	if (fl < 0 || fcntl(f.fd, F_SETFL, fl & ~O_NONBLOCK) < 0 ||
	    setsockopt(f.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0) {
		snprintf(err, len, "rtnetlink socket: %s", strerror(errno));
		close(f.fd);
		return -1;
	}
	for (unsigned r = 0; r < FLUSH_ROUNDS; r++) {
		rc = round_once(&f, err, len);
		if (rc <= 0)
			break;
		*removed += (unsigned)rc;
		rc = 0;
	}
	close(f.fd);
	return rc < 0 ? -1 : 0;
}
