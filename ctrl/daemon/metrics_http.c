/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The Prometheus endpoint on libmicrohttpd (metrics_http.h says how the
 * control thread and the server threads share the text). Everything
 * here but publish and wanted runs on MHD's threads; the only state
 * shared with the control thread is `shared`, under `lock`, held for a
 * pointer swap or a reference count, never while rendering or sending.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>
#include <rte_lcore.h>

#include "clock.h"
#include "log.h"
#include "metrics_http.h"

#define CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* A rendered text; freed when no longer current and no response holds it. */
struct page {
	char *text;
	size_t len;
	unsigned refs;     /* responses sending it, +1 while current */
	uint64_t made_ms;
};

struct sl_metrics_http {
	struct MHD_Daemon *daemon;
	int wake_fd;                 /* eventfd: a scrape wants a fresh text */
	pthread_mutex_t lock;
	pthread_cond_t published;
	struct { /* under lock */
		struct page *cur;
		uint64_t generation;
		bool wanted;
		struct sl_metrics_http_stats stats;
	} shared;
};

static void page_put(struct page *p) /* under lock */
{
	if (p && --p->refs == 0) {
		free(p->text);
		free(p);
	}
}

static void deadline_in(struct timespec *ts, unsigned ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000;
	if (ts->tv_nsec >= 1000000000) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000;
	}
}

/* The current text with a reference for the caller, after asking the
 * control thread for a fresher one (and waiting a bounded time) when
 * it is old. NULL: nothing rendered yet. */
static struct page *take_page(struct sl_metrics_http *h)
{
	struct timespec until;
	struct page *p;

	pthread_mutex_lock(&h->lock);
	p = h->shared.cur;
	if (!p || sl_mono_ms() - p->made_ms > SL_METRICS_FRESH_MS) {
		uint64_t gen = h->shared.generation, one = 1;
		if (!h->shared.wanted) {
			h->shared.wanted = true;
			/* Fails only when the counter is full: a wake-up
			 * is pending anyway. */
			(void)!write(h->wake_fd, &one, sizeof(one));
		}
		deadline_in(&until, SL_METRICS_WAIT_MS);
		while (h->shared.generation == gen &&
		       pthread_cond_timedwait(&h->published, &h->lock, &until) == 0)
			;
		if (h->shared.generation == gen)
			h->shared.stats.stale++;
		p = h->shared.cur;
	}
	if (p) {
		p->refs++;
		h->shared.stats.scrapes++;
	}
	pthread_mutex_unlock(&h->lock);
	return p;
}

struct page_ref {
	struct sl_metrics_http *h;
	struct page *p;
};

static void release_page(void *cls)
{
	struct page_ref *r = cls;

	pthread_mutex_lock(&r->h->lock);
	page_put(r->p);
	pthread_mutex_unlock(&r->h->lock);
	free(r);
}

static enum MHD_Result answer(struct MHD_Connection *c, unsigned status,
			      struct MHD_Response *resp)
{
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, CONTENT_TYPE);
	enum MHD_Result rc = MHD_queue_response(c, status, resp);
	MHD_destroy_response(resp);
	return rc;
}

static enum MHD_Result plain(struct MHD_Connection *c, unsigned status, const char *msg)
{
	return answer(c, status, MHD_create_response_from_buffer(strlen(msg), (void *)msg,
								  MHD_RESPMEM_PERSISTENT));
}

/* The text without copying it: the response holds a reference. */
static enum MHD_Result metrics(struct sl_metrics_http *h, struct MHD_Connection *c)
{
	struct page_ref *r = malloc(sizeof(*r));

	if (!r)
		return plain(c, MHD_HTTP_SERVICE_UNAVAILABLE, "out of memory\n");
	r->h = h;
	r->p = take_page(h);
	if (!r->p) {
		free(r);
		return plain(c, MHD_HTTP_SERVICE_UNAVAILABLE, "no metrics rendered yet\n");
	}
	struct MHD_Response *resp = MHD_create_response_from_buffer_with_free_callback_cls(
		r->p->len, r->p->text, release_page, r);
	if (!resp)
		release_page(r);
	return answer(c, MHD_HTTP_OK, resp);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version,
				  const char *upload, size_t *upload_size, void **req)
{
	struct sl_metrics_http *h = cls;
	(void)version, (void)upload, (void)req;

	if (*upload_size != 0) { /* a body: nothing here takes one */
		*upload_size = 0;
		return MHD_NO;
	}
	if ((strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD)) ||
	    strcmp(url, "/metrics")) {
		pthread_mutex_lock(&h->lock);
		h->shared.stats.not_found++;
		pthread_mutex_unlock(&h->lock);
		return plain(c, MHD_HTTP_NOT_FOUND, "only GET /metrics is served here\n");
	}
	return metrics(h, c);
}

/* libmicrohttpd's complaints (a client gone mid-request...), at most
 * one line a second with a count of those left out: any client can
 * cause them. */
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	static uint64_t last_s, unlogged;
	uint64_t now_s = sl_mono_ms() / 1000, left_out;
	char msg[256];
	(void)cls;

	pthread_mutex_lock(&lock);
	if (last_s && now_s == last_s) {
		unlogged++;
		pthread_mutex_unlock(&lock);
		return;
	}
	left_out = unlogged;
	unlogged = 0;
	last_s = now_s;
	pthread_mutex_unlock(&lock);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	if (left_out)
		sl_warn("metrics: %s (%" PRIu64 " earlier messages not logged)", msg, left_out);
	else
		sl_warn("metrics: %s", msg);
}

/* Our own listening socket, so a bind error is named precisely. */
static int listen_on(sl_be32 ip, sl_be16 port, char *errbuf, size_t errlen)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = port,
				 .sin_addr.s_addr = ip};
	char a[INET_ADDRSTRLEN];
	int one = 1, fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	inet_ntop(AF_INET, &sa.sin_addr, a, sizeof(a));
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(fd, 64) != 0) {
		snprintf(errbuf, errlen, "metrics.listen %s:%u: %s", a, ntohs(port),
			 strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static struct MHD_Daemon *start_daemon(struct sl_metrics_http *h, int fd)
{
	return MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
			MHD_USE_POLL | MHD_USE_ERROR_LOG,
		0, NULL, NULL, on_request, h,
		/* first, so that every message goes through it */
		MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL, MHD_OPTION_LISTEN_SOCKET, fd,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)SL_METRICS_CONNECTIONS,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)SL_METRICS_TIMEOUT_S,
		MHD_OPTION_THREAD_STACK_SIZE, (size_t)(256 * 1024), MHD_OPTION_END);
}

/* The CPUs no worker lcore uses (all of them if the workers take every
 * one), as DPDK gives its control threads. */
static void control_cpus(cpu_set_t *set)
{
	long n = sysconf(_SC_NPROCESSORS_CONF);
	unsigned lcore;

	CPU_ZERO(set);
	for (long c = 0; c < n && c < CPU_SETSIZE; c++)
		CPU_SET(c, set);
	RTE_LCORE_FOREACH_WORKER(lcore) {
		rte_cpuset_t lc = rte_lcore_cpuset(lcore);
		for (long c = 0; c < n && c < CPU_SETSIZE; c++)
			if (CPU_ISSET(c, &lc))
				CPU_CLR(c, set);
	}
	if (CPU_COUNT(set) == 0)
		for (long c = 0; c < n && c < CPU_SETSIZE; c++)
			CPU_SET(c, set);
}

/* MHD's threads inherit the affinity of the thread that starts them, and
 * this is the EAL main thread, pinned to the main lcore: every scrape
 * would run on the control thread's CPU. So, as rte_ctrl_thread_create
 * does for DPDK's own threads, they start on the CPUs the worker lcores
 * leave free (the kernel keeps them within the process's cpuset), and
 * this thread goes back to its lcore. */
static struct MHD_Daemon *start_off_lcore(struct sl_metrics_http *h, int fd)
{
	cpu_set_t mine, ctrl;
	pthread_t self = pthread_self();
	bool moved;

	control_cpus(&ctrl);
	moved = pthread_getaffinity_np(self, sizeof(mine), &mine) == 0 &&
		pthread_setaffinity_np(self, sizeof(ctrl), &ctrl) == 0;
	if (!moved)
		sl_warn("metrics: cannot start the HTTP threads off the main lcore: %s",
			strerror(errno));
	struct MHD_Daemon *d = start_daemon(h, fd);
	if (moved && pthread_setaffinity_np(self, sizeof(mine), &mine) != 0)
		sl_warn("metrics: cannot pin the control thread back to its lcore");
	return d;
}

struct sl_metrics_http *sl_metrics_http_start(sl_be32 ip, sl_be16 port, char *errbuf,
					      size_t errlen)
{
	struct sl_metrics_http *h = calloc(1, sizeof(*h));
	int fd = -1;

	if (!h) {
		snprintf(errbuf, errlen, "metrics: out of memory");
		return NULL;
	}
	pthread_mutex_init(&h->lock, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&h->published, &ca);
	pthread_condattr_destroy(&ca);
	h->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (h->wake_fd < 0) {
		snprintf(errbuf, errlen, "metrics: eventfd: %s", strerror(errno));
		goto fail;
	}
	fd = listen_on(ip, port, errbuf, errlen);
	if (fd < 0)
		goto fail;
	h->daemon = start_off_lcore(h, fd);
	if (!h->daemon) {
		snprintf(errbuf, errlen, "metrics: libmicrohttpd would not start (see above)");
		close(fd);
		goto fail;
	}
	return h;
fail:
	sl_metrics_http_stop(h);
	return NULL;
}

int sl_metrics_http_fd(const struct sl_metrics_http *h)
{
	return h->wake_fd;
}

bool sl_metrics_http_wanted(struct sl_metrics_http *h)
{
	uint64_t n;
	bool wanted;

	(void)!read(h->wake_fd, &n, sizeof(n)); /* EAGAIN: the flag says all */
	pthread_mutex_lock(&h->lock);
	wanted = h->shared.wanted;
	pthread_mutex_unlock(&h->lock);
	return wanted;
}

void sl_metrics_http_publish(struct sl_metrics_http *h, char *text, size_t len)
{
	struct page *p = malloc(sizeof(*p));

	if (!p) {
		free(text); /* the scrapes get the old text, late */
		return;
	}
	*p = (struct page){.text = text, .len = len, .refs = 1, .made_ms = sl_mono_ms()};
	pthread_mutex_lock(&h->lock);
	page_put(h->shared.cur);
	h->shared.cur = p;
	h->shared.generation++;
	h->shared.wanted = false;
	pthread_cond_broadcast(&h->published);
	pthread_mutex_unlock(&h->lock);
}

void sl_metrics_http_stats(struct sl_metrics_http *h, struct sl_metrics_http_stats *out)
{
	pthread_mutex_lock(&h->lock);
	*out = h->shared.stats;
	pthread_mutex_unlock(&h->lock);
}

void sl_metrics_http_stop(struct sl_metrics_http *h)
{
	if (!h)
		return;
	if (h->daemon)
		MHD_stop_daemon(h->daemon); /* joins its threads, closes the socket */
	if (h->wake_fd >= 0)
		close(h->wake_fd);
	page_put(h->shared.cur);
	pthread_cond_destroy(&h->published);
	pthread_mutex_destroy(&h->lock);
	free(h);
}
