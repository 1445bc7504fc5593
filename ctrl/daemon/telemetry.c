/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DPDK telemetry commands (telemetry.h). The rendered document is the
 * control socket's `stats` answer; each command copies a part of it into
 * DPDK's telemetry data: scalars as a dict, per-worker and per-VIP
 * counters as one u64 array per counter ("columns"), since DPDK 22.11
 * nests only arrays in a dict.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <rte_telemetry.h>

#include "clock.h"
#include "commands.h"
#include "log.h"
#include "telemetry.h"

/* DPDK 22.11 answers at most 16 KB (MAX_OUTPUT_LEN, telemetry.c) and
 * silently leaves out whatever does not fit: rows are cut to this
 * budget, room kept for the command's name and the braces. */
#define OUTPUT_BUDGET (16 * 1024 - 512)

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t fresh_cv = PTHREAD_COND_INITIALIZER; /* a new render */
static json_t *rendered;     /* under lock; NULL: nothing yet */
static uint64_t rendered_ms; /* under lock */
static uint64_t asked_ms;    /* atomic: the last command's time */
static bool enabled;

/* The integers of object `o` into dict `d`, named prefix + key (other
 * members skipped). */
static void add_scalars(struct rte_tel_data *d, json_t *o, const char *prefix)
{
	char name[RTE_TEL_MAX_STRING_LEN];
	const char *key;
	json_t *v;

	json_object_foreach(o, key, v)
		if (json_is_integer(v)) {
			snprintf(name, sizeof(name), "%s%s", prefix, key);
			rte_tel_data_add_dict_u64(d, name, (uint64_t)json_integer_value(v));
		}
}

/* The VIP's name, "198.18.0.100:80/tcp". */
static void vip_name(json_t *v, char *name, size_t len)
{
	snprintf(name, len, "%s:%lld/%s", json_string_value(json_object_get(v, "vip")),
		 (long long)json_integer_value(json_object_get(v, "port")),
		 json_string_value(json_object_get(v, "proto")));
}

/* How many of list's rows fit the answer: each integer member of a row
 * costs its digits and a comma, each column its "key":[] once; with
 * `named`, a row's VIP name too ("name",). */
static size_t rows_that_fit(json_t *list, bool named)
{
	json_t *first = json_array_get(list, 0), *v;
	size_t used = 64, rows = 0; /* "count", "listed" */
	char buf[RTE_TEL_MAX_STRING_LEN];
	const char *key;

	json_object_foreach(first, key, v)
		used += strlen(key) + 6;
	for (; rows < json_array_size(list) && rows < RTE_TEL_MAX_ARRAY_ENTRIES; rows++) {
		size_t row = 0;
		json_object_foreach(json_array_get(list, rows), key, v)
			if (json_is_integer(v))
				row += (size_t)snprintf(buf, sizeof(buf), "%" PRIu64 ",",
							(uint64_t)json_integer_value(v));
		if (named) {
			vip_name(json_array_get(list, rows), buf, sizeof(buf));
			row += strlen(buf) + 3;
		}
		if (used + row > OUTPUT_BUDGET)
			break;
		used += row;
	}
	return rows;
}

/* One u64 array per integer member of list's first `rows` objects:
 * d[key][i] is list[i][key]. */
static void add_columns(struct rte_tel_data *d, json_t *list, size_t rows)
{
	json_t *first = json_array_get(list, 0), *v;
	const char *key;

	json_object_foreach(first, key, v) {
		if (!json_is_integer(v))
			continue;
		struct rte_tel_data *col = rte_tel_data_alloc();
		if (col == NULL)
			return;
		rte_tel_data_start_array(col, RTE_TEL_U64_VAL);
		for (size_t i = 0; i < rows; i++)
			rte_tel_data_add_array_u64(col, (uint64_t)json_integer_value(
				json_object_get(json_array_get(list, i), key)));
		if (rte_tel_data_add_dict_container(d, key, col, 0) != 0)
			rte_tel_data_free(col);
	}
}

/* The first `rows` VIPs' names, in the columns' order. */
static void add_vip_names(struct rte_tel_data *d, json_t *vips, size_t rows)
{
	struct rte_tel_data *names = rte_tel_data_alloc();
	char name[RTE_TEL_MAX_STRING_LEN];

	if (names == NULL)
		return;
	rte_tel_data_start_array(names, RTE_TEL_STRING_VAL);
	for (size_t i = 0; i < rows; i++) {
		vip_name(json_array_get(vips, i), name, sizeof(name));
		rte_tel_data_add_array_string(names, name);
	}
	if (rte_tel_data_add_dict_container(d, "vip", names, 0) != 0)
		rte_tel_data_free(names);
}

/* Under lock: when what is held is older than SL_TELEMETRY_STALE_MS
 * (nobody asked for a while, so the control thread stopped rendering),
 * wait up to a second for the render this request asked for. */
static void wait_fresh(uint64_t now)
{
	struct timespec until;

	if (rendered && now - rendered_ms <= SL_TELEMETRY_STALE_MS)
		return;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += 1;
	for (uint64_t seen = rendered_ms; rendered_ms == seen;)
		if (pthread_cond_timedwait(&fresh_cv, &lock, &until) != 0)
			break; /* timed out: answer with what there is */
}

static int answer(const char *cmd, struct rte_tel_data *d)
{
	uint64_t now = sl_mono_ms();
	int rc = 0;

	__atomic_store_n(&asked_ms, now, __ATOMIC_RELAXED);
	pthread_mutex_lock(&lock);
	wait_fresh(now);
	if (rendered == NULL) {
		rc = -1; /* not rendered yet, or stopping */
		goto out;
	}
	rte_tel_data_start_dict(d);
	if (strcmp(cmd, "/sluice/stats") == 0) {
		rte_tel_data_add_dict_u64(d, "uptime_s", (uint64_t)json_integer_value(
			json_object_get(rendered, "uptime_s")));
		add_scalars(d, json_object_get(rendered, "totals"), "");
		add_scalars(d, json_object_get(rendered, "capture"), "capture_");
	} else if (strcmp(cmd, "/sluice/drops") == 0) {
		add_scalars(d, json_object_get(rendered, "drops"), "");
	} else if (strcmp(cmd, "/sluice/workers") == 0) {
		json_t *workers = json_object_get(rendered, "workers");
		size_t rows = rows_that_fit(workers, false);
		rte_tel_data_add_dict_u64(d, "count", json_array_size(workers));
		rte_tel_data_add_dict_u64(d, "listed", rows);
		add_columns(d, workers, rows);
	} else {
		json_t *vips = json_object_get(rendered, "vips");
		size_t rows = rows_that_fit(vips, true);
		rte_tel_data_add_dict_u64(d, "count", json_array_size(vips));
		rte_tel_data_add_dict_u64(d, "listed", rows);
		add_vip_names(d, vips, rows);
		add_columns(d, vips, rows);
	}
out:
	pthread_mutex_unlock(&lock);
	return rc;
}

static int on_command(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)params;
	return answer(cmd, d);
}

int sl_telemetry_init(bool on, char *errbuf, size_t errlen)
{
	static const struct { const char *cmd, *help; } cmds[] = {
		{"/sluice/stats", "Sluice's counters summed over workers. No parameters"},
		{"/sluice/drops", "Sluice's dropped packets by reason. No parameters"},
		{"/sluice/workers", "Sluice's counters per worker, one array each. No parameters"},
		{"/sluice/vips", "Sluice's counters per VIP (names in 'vip'), one array each; "
				 "'listed' of 'count' fit. No parameters"},
	};

	pthread_condattr_t ca;

	enabled = on;
	if (!on)
		return 0;
	/* The wait's deadline is on the clock the control thread uses. */
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&fresh_cv, &ca);
	pthread_condattr_destroy(&ca);
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		int rc = rte_telemetry_register_cmd(cmds[i].cmd, on_command, cmds[i].help);
		if (rc != 0) {
			snprintf(errbuf, errlen, "telemetry: cannot register %s: %s",
				 cmds[i].cmd, strerror(-rc));
			return -1;
		}
	}
	return 0;
}

void sl_telemetry_tick(struct sl_ctl *ctl)
{
	uint64_t now = sl_mono_ms(), asked, held_ms;
	json_t *fresh, *old;

	if (!enabled)
		return;
	/* Render only while someone reads: nothing unasked. */
	asked = __atomic_load_n(&asked_ms, __ATOMIC_RELAXED);
	if (asked == 0 || now - asked > SL_TELEMETRY_IDLE_MS)
		return;
	pthread_mutex_lock(&lock);
	held_ms = rendered ? rendered_ms : 0;
	pthread_mutex_unlock(&lock);
	if (held_ms && now - held_ms < SL_TELEMETRY_EVERY_MS)
		return;
	fresh = sl_ctl_stats_doc(ctl, SL_TELEMETRY_EVERY_MS / 2);
	if (fresh == NULL)
		return;
	pthread_mutex_lock(&lock);
	old = rendered;
	rendered = fresh;
	rendered_ms = now;
	pthread_cond_broadcast(&fresh_cv);
	pthread_mutex_unlock(&lock);
	/* No callback can hold `old` now: each reads it under the lock. */
	json_decref(old);
}

void sl_telemetry_free(void)
{
	pthread_mutex_lock(&lock);
	json_t *old = rendered;
	rendered = NULL;
	pthread_mutex_unlock(&lock);
	json_decref(old);
}
