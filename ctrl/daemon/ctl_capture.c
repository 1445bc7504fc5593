/* SPDX-License-Identifier: BSD-3-Clause */
/* rte_pcapng and rte_bpf_convert are experimental in DPDK 22.11. */
#define ALLOW_EXPERIMENTAL_API
/*
 * Packet capture, the control thread's side (ctl_capture.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_pcapng.h>
#include <rte_pdump.h>
#include <rte_version.h>

#include "capture_filter.h"
#include "ctl_capture.h"
#include "log.h"

struct sl_ctl_capture {
	uint64_t id;
	struct sl_capture cap;       /* what the workers read while published */
	struct rte_bpf *filter;
	rte_pcapng_t *out;           /* closes the fd */
	bool published;
	const char *state;           /* running, done, stopped, failed, expired */
	char error[192];
	char filter_text[256];
	uint64_t count, written, discarded;
	uint64_t base[3], end[3];    /* workers' copied, dropped, no_mbuf */
	uint64_t start_ms, end_ms, polled_ms, start_ns;
	uint64_t owner;              /* the connection that started it */
};

static uint64_t next_id = 1;

static void sum_counters(const struct sl_ctl *ctl, uint64_t out[3])
{
	out[0] = out[1] = out[2] = 0;
	for (uint32_t i = 0; i < ctl->dp->nworkers; i++) {
		const struct sl_worker_stats *s = &ctl->dp->workers[i]->stats;
		out[0] += s->capture_copied;
		out[1] += s->capture_dropped;
		out[2] += s->capture_no_mbuf;
	}
}

static uint64_t wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* The pool and one ring per worker, named after the capture's id. */
static int make_queues(struct sl_ctl *ctl, struct sl_ctl_capture *c, char *errbuf,
		       size_t errlen)
{
	char name[RTE_RING_NAMESIZE];
	unsigned n = ctl->dp->nworkers * SL_CAPTURE_RING + SL_CTL_CAPTURE_TURN;

	snprintf(name, sizeof(name), "sl_cap%llu", (unsigned long long)c->id);
	c->cap.pool = rte_pktmbuf_pool_create(name, n, 0, 0,
					      (uint16_t)rte_pcapng_mbuf_size(RTE_MBUF_DEFAULT_DATAROOM),
					      SOCKET_ID_ANY);
	if (c->cap.pool == NULL) {
		snprintf(errbuf, errlen, "no memory for %u capture buffers: %s", n,
			 rte_strerror(rte_errno));
		return -1;
	}
	for (uint32_t w = 0; w < ctl->dp->nworkers; w++) {
		snprintf(name, sizeof(name), "sl_cap%llu_%u", (unsigned long long)c->id, w);
		c->cap.ring[w] = rte_ring_create(name, SL_CAPTURE_RING, SOCKET_ID_ANY,
						 RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (c->cap.ring[w] == NULL) {
			snprintf(errbuf, errlen, "cannot create capture ring %s: %s", name,
				 rte_strerror(rte_errno));
			return -1;
		}
	}
	return 0;
}

/* Everything but the file, which rte_pcapng_close (or the caller) ends. */
static void release(struct sl_ctl_capture *c)
{
	for (unsigned w = 0; w < SL_MAX_WORKERS; w++)
		if (c->cap.ring[w]) {
			struct rte_mbuf *m;
			while (rte_ring_sc_dequeue(c->cap.ring[w], (void **)&m) == 0)
				rte_pktmbuf_free(m);
			rte_ring_free(c->cap.ring[w]);
			c->cap.ring[w] = NULL;
		}
	rte_mempool_free(c->cap.pool);
	c->cap.pool = NULL;
	if (c->filter)
		rte_bpf_destroy(c->filter);
	c->filter = NULL;
}

static void capture_free(struct sl_ctl_capture *c)
{
	if (c == NULL)
		return;
	release(c);
	if (c->out)
		rte_pcapng_close(c->out);
	free(c);
}

/* Write up to `max` of worker w's copies (or, past the count, free
 * them). False when a write failed. */
static bool write_ring(struct sl_ctl_capture *c, unsigned w, unsigned max)
{
	struct rte_mbuf *pkts[SL_CTL_CAPTURE_TURN];
	unsigned n = rte_ring_sc_dequeue_burst(c->cap.ring[w], (void **)pkts,
					       max < SL_CTL_CAPTURE_TURN ? max
									 : SL_CTL_CAPTURE_TURN,
					       NULL);
	unsigned take = n;

	if (c->count && c->written + take > c->count)
		take = (unsigned)(c->count - c->written);
	for (unsigned i = take; i < n; i++)
		rte_pktmbuf_free(pkts[i]);
	c->discarded += n - take;
	if (take == 0)
		return true;
	/* DPDK 22.11 leaves the copies to the caller (dpdk-dumpcap frees
	 * them too): kept, they would empty the pool within its size. */
	ssize_t rc = rte_pcapng_write_packets(c->out, pkts, (uint16_t)take);
	int write_errno = errno;
	rte_pktmbuf_free_bulk(pkts, take);
	if (rc < 0) {
		snprintf(c->error, sizeof(c->error), "writing the capture file: %s",
			 strerror(write_errno));
		return false;
	}
	c->written += take;
	return true;
}

/* Unpublish, wait until no worker can still be copying, write (or
 * drop) what is left, the statistics block, close the file. */
static void finish(struct sl_ctl *ctl, struct sl_ctl_capture *c, const char *state)
{
	if (!c->published)
		return;
	__atomic_store_n(&ctl->dp->capture, NULL, __ATOMIC_RELEASE);
	rte_rcu_qsbr_synchronize(ctl->dp->qsbr, RTE_QSBR_THRID_INVALID);
	c->published = false;
	c->state = state;
	for (uint32_t w = 0; w < ctl->dp->nworkers && !c->error[0]; w++)
		while (rte_ring_count(c->cap.ring[w]) && write_ring(c, w, SL_CTL_CAPTURE_TURN))
			;
	if (c->error[0])
		c->state = "failed";
	sum_counters(ctl, c->end);
	c->end_ms = sl_ctl_now_ms();
	uint64_t copied = c->end[0] - c->base[0];
	uint64_t lost = c->end[1] - c->base[1] + c->end[2] - c->base[2];
	rte_pcapng_write_stats(c->out, ctl->dp->ethdev[c->cap.port], NULL, c->start_ns,
			       wall_ns(), copied, lost);
	rte_pcapng_close(c->out);
	c->out = NULL;
	release(c);
	sl_info("capture %llu on port %s: %s, %llu frames written (%llu copied, %llu "
		"lost)%s%s", (unsigned long long)c->id, ctl->model.ports[c->cap.port].name,
		c->state, (unsigned long long)c->written, (unsigned long long)copied,
		(unsigned long long)lost, c->error[0] ? ": " : "", c->error);
}

static json_t *status_json(const struct sl_ctl *ctl, const struct sl_ctl_capture *c)
{
	uint64_t now[3];
	const uint64_t *at = now;

	if (c->published)
		sum_counters(ctl, now);
	else
		at = c->end;
	json_t *o = json_pack(
		"{s:I,s:s,s:s,s:s,s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "id", (json_int_t)c->id,
		"state", c->state, "port", ctl->model.ports[c->cap.port].name, "direction",
		c->cap.dirs == (SL_CAPTURE_RX | SL_CAPTURE_TX) ? "both"
		: c->cap.dirs == SL_CAPTURE_RX ? "rx" : "tx",
		"filter", c->filter_text, "count", (json_int_t)c->count, "written",
		(json_int_t)c->written, "copied", (json_int_t)(at[0] - c->base[0]),
		"dropped", (json_int_t)(at[1] - c->base[1]), "no_mbuf",
		(json_int_t)(at[2] - c->base[2]), "discarded", (json_int_t)c->discarded,
		"duration_ms",
		(json_int_t)((c->published ? sl_ctl_now_ms() : c->end_ms) - c->start_ms));
	if (c->error[0])
		json_object_set_new(o, "error", json_string(c->error));
	return o;
}

/* The file: a regular file open for writing (a pipe or a terminal could
 * block the control thread). */
static int check_fd(int fd, char *errbuf, size_t errlen)
{
	struct stat st;
	int mode = fd >= 0 ? fcntl(fd, F_GETFL) : -1;

	if (fd < 0) {
		snprintf(errbuf, errlen, "no file descriptor came with the request "
			 "(sluicectl capture -w FILE passes one)");
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(errbuf, errlen, "the descriptor passed is not a regular file");
		return -1;
	}
	if (mode < 0 || (mode & O_ACCMODE) == O_RDONLY) {
		snprintf(errbuf, errlen, "the file passed is not open for writing");
		return -1;
	}
	return 0;
}

static int open_out(struct sl_ctl_capture *c, int fd, char *errbuf, size_t errlen)
{
	struct utsname un;
	char os[256], app[64];

	uname(&un);
	snprintf(os, sizeof(os), "%s %s", un.sysname, un.release);
	snprintf(app, sizeof(app), "sluice (%s)", rte_version());
	c->out = rte_pcapng_fdopen(fd, os, NULL, app, NULL);
	if (c->out == NULL) {
		snprintf(errbuf, errlen, "cannot start the pcapng file: %s",
			 rte_strerror(rte_errno));
		return -1;
	}
	return 0;
}

/* 0; -1 for the request's fault (the file, the filter: *field set),
 * -2 for ours. The file first: nothing is built for a request without
 * one. */
static int setup(struct sl_ctl *ctl, struct sl_ctl_capture *c, const struct sl_capture_req *r,
		 const char **field, char *errbuf, size_t errlen)
{
	c->id = next_id++;
	c->cap.port = r->port;
	c->cap.dirs = r->dirs;
	c->cap.snaplen = r->snaplen;
	c->count = r->count;
	c->owner = r->conn;
	*field = "file";
	if (check_fd(r->fd, errbuf, errlen) != 0)
		return -1;
	*field = "filter";
	if (snprintf(c->filter_text, sizeof(c->filter_text), "%s",
		     r->filter ? r->filter : "") >= (int)sizeof(c->filter_text)) {
		snprintf(errbuf, errlen, "filter longer than %zu characters",
			 sizeof(c->filter_text) - 1);
		return -1;
	}
	if (c->filter_text[0] &&
	    (c->filter = sl_capture_filter(c->filter_text, r->snaplen, errbuf, errlen)) == NULL)
		return -1;
	*field = "";
	c->cap.filter = c->filter;
	if (make_queues(ctl, c, errbuf, errlen) != 0 || open_out(c, r->fd, errbuf, errlen) != 0)
		return -2;
	return 0;
}

int sl_ctl_capture_start(struct sl_ctl *ctl, const struct sl_capture_req *r,
			 json_t **result, struct sl_err *err)
{
	struct sl_ctl_capture *c;
	char errbuf[256];

	if (ctl->capture && ctl->capture->published) {
		if (r->fd >= 0)
			close(r->fd);
		return sl_err_set(err, SL_E_BUSY, "", "capture %llu on port %s runs; one "
				  "at a time (sluicectl capture stops it on Ctrl-C)",
				  (unsigned long long)ctl->capture->id,
				  ctl->model.ports[ctl->capture->cap.port].name);
	}
	capture_free(ctl->capture); /* a finished one nobody collected */
	ctl->capture = NULL;
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		close(r->fd);
		return sl_err_set(err, SL_E_INTERNAL, "", "out of memory");
	}
	const char *field = "";
	int rc = setup(ctl, c, r, &field, errbuf, sizeof(errbuf));
	if (rc != 0) {
		if (c->out == NULL && r->fd >= 0)
			close(r->fd);
		capture_free(c);
		return sl_err_set(err, rc == -1 ? SL_E_INVALID : SL_E_INTERNAL, field, "%s",
				  errbuf);
	}
	c->state = "running";
	c->start_ms = c->polled_ms = sl_ctl_now_ms();
	c->start_ns = wall_ns();
	sum_counters(ctl, c->base);
	c->published = true;
	ctl->capture = c;
	__atomic_store_n(&ctl->dp->capture, &c->cap, __ATOMIC_RELEASE);
	sl_info("capture %llu on port %s started (%s%s)", (unsigned long long)c->id,
		ctl->model.ports[c->cap.port].name, c->filter_text[0] ? "filter: " : "every frame",
		c->filter_text);
	*result = status_json(ctl, c);
	return 0;
}

int sl_ctl_capture_status(struct sl_ctl *ctl, uint64_t id, uint64_t conn, bool stop,
			  json_t **result, struct sl_err *err)
{
	struct sl_ctl_capture *c = ctl->capture;

	if (c == NULL || c->id != id)
		return sl_err_set(err, SL_E_NOT_FOUND, "id", "no capture %llu (%s)",
				  (unsigned long long)id,
				  c ? "another one is kept" : "none is kept: finished "
				      "ones are forgotten once collected or after 5 s");
	if (conn == c->owner) /* others' asking says nothing of its client */
		c->polled_ms = sl_ctl_now_ms();
	if (stop)
		finish(ctl, c, "stopped");
	*result = status_json(ctl, c);
	if (stop) {
		capture_free(c);
		ctl->capture = NULL;
	}
	return 0;
}

void sl_ctl_capture_poll(struct sl_ctl *ctl)
{
	struct sl_ctl_capture *c = ctl->capture;
	bool ok = true;

	if (c == NULL)
		return;
	bool gone = sl_ctl_now_ms() - c->polled_ms > SL_CTL_CAPTURE_LEASE_MS;
	if (!c->published) {
		if (gone) { /* finished, and nobody came for it */
			capture_free(c);
			ctl->capture = NULL;
		}
		return;
	}
	for (uint32_t w = 0; w < ctl->dp->nworkers && ok; w++)
		ok = write_ring(c, w, SL_CTL_CAPTURE_TURN);
	if (!ok)
		finish(ctl, c, "failed");
	else if (c->count && c->written >= c->count)
		finish(ctl, c, "done");
	else if (gone) {
		sl_warn("capture %llu: its client asked nothing for %u s; stopping it",
			(unsigned long long)c->id, SL_CTL_CAPTURE_LEASE_MS / 1000);
		finish(ctl, c, "expired");
	}
}

void sl_ctl_capture_free(struct sl_ctl *ctl)
{
	if (ctl->capture && ctl->capture->published)
		finish(ctl, ctl->capture, "stopped");
	capture_free(ctl->capture);
	ctl->capture = NULL;
}

json_t *sl_ctl_capture_stats(const struct sl_ctl *ctl)
{
	uint64_t n[3];

	sum_counters(ctl, n);
	bool on = ctl->capture && ctl->capture->published;
	return json_pack("{s:b,s:I,s:I,s:I,s:I}", "active", on, "id",
			 (json_int_t)(on ? ctl->capture->id : 0), "copied", (json_int_t)n[0],
			 "dropped", (json_int_t)n[1], "no_mbuf", (json_int_t)n[2]);
}

static bool pdump_on;

void sl_ctl_pdump_init(bool shared_memory)
{
	if (!shared_memory) {
		sl_info("dpdk-dumpcap cannot attach (EAL memory is not shared: --no-huge "
			"or --in-memory); sluicectl capture works");
		return;
	}
	if (rte_pdump_init() != 0) {
		sl_warn("dpdk-dumpcap cannot attach: rte_pdump_init: %s",
			rte_strerror(rte_errno));
		return;
	}
	pdump_on = true;
}

void sl_ctl_pdump_uninit(void)
{
	if (pdump_on)
		rte_pdump_uninit();
	pdump_on = false;
}
