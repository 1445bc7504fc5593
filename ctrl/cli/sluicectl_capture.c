/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sluicectl capture PORT -w FILE: the file is opened here, as the user
 * running sluicectl, and its descriptor passed with capture.start, so
 * sluice writes into it without ever opening a path a client named. Then
 * capture.status every POLL_MS on the same connection (which also tells
 * sluice the client is still there: it stops a capture nobody asks about
 * for 5 s) until the capture ends by itself (--count reached, a write
 * failed), --duration passes or SIGINT/SIGTERM arrives; capture.stop
 * then closes the file and gives the final counts. The capture is written
 * into a new file beside FILE, renamed to FILE once sluice has accepted
 * it: a refused capture (or sluice not running) leaves an existing FILE
 * as it was.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sluicectl.h"

#define POLL_MS 200

static volatile sig_atomic_t stop_asked;

static void on_signal(int sig)
{
	(void)sig;
	stop_asked = 1;
}

int slc_build_capture(const struct slc_cmd *c, const struct slc_args *a, json_t *args)
{
	static const char *const dirs[] = {"both", "rx", "tx", NULL};
	char *end;

	if (!a->opt[SLC_O_WRITE] || !a->opt[SLC_O_WRITE][0]) {
		slc_usage_error(c, "missing -w FILE (the capture file, pcapng)");
		return -1;
	}
	if (a->opt[SLC_O_DURATION]) {
		double d = strtod(a->opt[SLC_O_DURATION], &end);
		if (!a->opt[SLC_O_DURATION][0] || *end || !isfinite(d) || d <= 0 || d > 86400) {
			slc_usage_error(c, "bad --duration '%s': expected seconds, 0..86400",
					a->opt[SLC_O_DURATION]);
			return -1;
		}
	}
	if (slc_set(c, args, "port", json_string(a->pos[0])) < 0 ||
	    slc_put_uint_opt(c, a, SLC_O_COUNT, 1, 4294967295ul, args, "count") < 0 ||
	    slc_put_word(c, a, SLC_O_DIRECTION, dirs, "rx, tx or both", args, "direction") < 0)
		return -1;
	if (a->opt[SLC_O_FILTER] && slc_set(c, args, "filter", json_string(a->opt[SLC_O_FILTER])) < 0)
		return -1;
	return 0;
}

void slc_print_capture(const json_t *args, const json_t *result)
{
	char id[SLC_NUM_LEN], w[SLC_NUM_LEN], c[SLC_NUM_LEN], d[SLC_NUM_LEN],
		nb[SLC_NUM_LEN];
	(void)args;

	printf("capture %s on %s: %s, %s frames written (%s copied; copies lost: %s "
	       "to a full ring, %s for want of a buffer)\n",
	       slc_num(result, "id", id), slc_str(result, "port"), slc_str(result, "state"),
	       slc_num(result, "written", w), slc_num(result, "copied", c),
	       slc_num(result, "dropped", d), slc_num(result, "no_mbuf", nb));
	if (json_object_get(result, "error"))
		printf("  error: %s\n", slc_str(result, "error"));
}

/* One request on the conversation; the answer's result, or NULL after
 * saying why (a refusal included). */
static json_t *call(int fd, const char *socket, double timeout_s, const char *cmd,
		    json_t *args, int pass_fd)
{
	json_t *req = json_pack("{s:s,s:O}", "cmd", cmd, "args", args), *ans, *res = NULL;
	char *line = req ? json_dumps(req, JSON_COMPACT) : NULL, *reply = NULL;
	json_error_t jerr;

	json_decref(req);
	if (!line)
		slc_oom();
	if (slc_call(fd, socket, timeout_s, line, pass_fd, &reply) < 0)
		goto out;
	ans = json_loads(reply, 0, &jerr);
	if (json_is_true(json_object_get(ans, "ok")))
		res = json_incref(json_object_get(ans, "result"));
	else
		fprintf(stderr, "sluicectl: %s: %s\n", cmd, ans ? json_string_value(json_object_get(
			json_object_get(ans, "error"), "message")) : jerr.text);
	json_decref(ans);
out:
	free(line);
	free(reply);
	return res;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Ask until it ends, is asked to, or its time is up. */
static void wait_end(int fd, const char *socket, double timeout_s, json_t *id, double until)
{
	while (!stop_asked && (until == 0 || now_s() < until)) {
		poll(NULL, 0, POLL_MS);
		if (stop_asked)
			break;
		json_t *st = call(fd, socket, timeout_s, "capture.status", id, -1);
		const char *state = json_string_value(json_object_get(st, "state"));
		bool running = state && !strcmp(state, "running");
		json_decref(st);
		if (!running)
			break;
	}
}

/* A new file beside `path` (its name in tmp), mode 0644 less the umask;
 * -1 after saying why. */
static int open_temp(const char *path, char *tmp, size_t len)
{
	mode_t um = umask(0);
	int fd;

	umask(um);
	if ((size_t)snprintf(tmp, len, "%s.XXXXXX", path) >= len) {
		fprintf(stderr, "sluicectl: cannot write %s: name too long\n", path);
		return -1;
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0 || fchmod(fd, 0644 & ~um) != 0) {
		fprintf(stderr, "sluicectl: cannot write %s (a new file beside it, %s): %s\n",
			path, tmp, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		return -1;
	}
	return fd;
}

int slc_run_capture(const char *socket, double timeout_s, bool json,
		    const struct slc_args *a, json_t *args)
{
	const char *path = a->opt[SLC_O_WRITE];
	double until = a->opt[SLC_O_DURATION] ? now_s() + strtod(a->opt[SLC_O_DURATION], NULL) : 0;
	struct sigaction sa = { .sa_handler = on_signal }; /* no SA_RESTART */
	json_t *started = NULL, *final = NULL, *id = NULL;
	int rc = SLC_EXIT_FAIL, out, fd = -1;
	char tmp[4096];
	int unnamed = 0; /* the rename failed: stopped at once, a failure */

	out = open_temp(path, tmp, sizeof(tmp));
	if (out < 0)
		return SLC_EXIT_FAIL;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	fd = slc_connect(socket, timeout_s);
	if (fd >= 0)
		started = call(fd, socket, timeout_s, "capture.start", args, out);
	close(out); /* sluice holds its own copy now */
	if (!started || rename(tmp, path) != 0) {
		if (started)
			fprintf(stderr, "sluicectl: cannot rename %s to %s: %s; stopping\n",
				tmp, path, strerror(errno));
		unlink(tmp); /* made for nothing; `path` untouched */
		if (!started)
			goto done;
		stop_asked = unnamed = 1;
	}
	id = json_pack("{s:O}", "id", json_object_get(started, "id"));
	if (!stop_asked)
		fprintf(stderr, "sluicectl: capturing on %s into %s (Ctrl-C stops)\n",
			slc_str(started, "port"), path);
	wait_end(fd, socket, timeout_s, id, until);
	final = call(fd, socket, timeout_s, "capture.stop", id, -1);
	if (final) {
		if (json)
			slc_print_json(stdout, final);
		else
			slc_print_capture(args, final);
		const char *state = slc_str(final, "state");
		rc = unnamed || !strcmp(state, "failed") || !strcmp(state, "expired")
			     ? SLC_EXIT_FAIL : SLC_EXIT_OK;
	}
done:
	if (fd >= 0)
		close(fd);
	json_decref(started);
	json_decref(final);
	json_decref(id);
	return rc;
}
