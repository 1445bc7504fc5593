/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Connection dumps (conn.list, snat.sessions) without stalling the
 * control loop. Only a worker may walk its own table, so a dump is a
 * message to every worker at once, through sl_ctl_send (its ring, or
 * its backlog when the ring is full: never refused, ctl_msg.c); the
 * request's answer is deferred (sl_server_defer) and sl_ctl_dump_poll(),
 * once per loop turn, answers when every worker has set `done` -- or,
 * after SL_DUMP_ANSWER_MS, answers "busy" naming the workers that did
 * not.
 *
 * Ownership: a message (and its result buffer) belongs to the message
 * path and then the worker from sl_ctl_send until the worker sets `done`
 * (release; read here with acquire). A message still out when its dump
 * ends goes on the orphan list and is freed only once done; one never
 * sent (out of memory) is freed at once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "ctl_answer.h"
#include "server.h"

#define SL_DUMP_MAX_JOBS 4
/* Read-only clients may hold all but one: the control socket's admin can
 * always dump (the read-only socket may be open to every local user). */
#define SL_DUMP_MAX_RO_JOBS (SL_DUMP_MAX_JOBS - 1)
#define SL_DUMP_ANSWER_MS 3000
/* A read-only dump is refused while any orphan is out, an admin's only
 * while an admin's orphan is (sl_ctl_dump): the orphans out at once come
 * from read-only jobs that ran together (at most SL_DUMP_MAX_RO_JOBS)
 * and admin jobs that ran together (at most SL_DUMP_MAX_JOBS), every
 * part of each at worst, so orphan() always finds room. */
#define SL_DUMP_MAX_ORPHANS ((SL_DUMP_MAX_RO_JOBS + SL_DUMP_MAX_JOBS) * SL_MAX_WORKERS)

struct sl_dump_part {
	struct sl_wmsg *msg;  /* its dump.out is the result buffer */
	bool sent;
};

struct sl_dump_job {
	uint64_t client;      /* sl_server_answer() id */
	bool readonly;        /* asked on the read-only socket */
	json_t *req_id;       /* the request's "id", echoed */
	const char *list_name;
	sl_conn_json_fn to_json;
	uint32_t limit;
	uint64_t deadline_ms;
	struct sl_dump_part part[SL_MAX_WORKERS];
};

static struct sl_dump_job *jobs[SL_DUMP_MAX_JOBS];
static struct sl_wmsg *orphans[SL_DUMP_MAX_ORPHANS];
/* Whose dump each orphan was: a read-only user's timed-out dumps must not
 * hold up the admin's. */
static bool orphan_readonly[SL_DUMP_MAX_ORPHANS];

/* A message the worker still holds: kept until it says done. */
static void orphan(struct sl_wmsg *msg, bool readonly)
{
	for (unsigned i = 0; i < SL_DUMP_MAX_ORPHANS; i++)
		if (orphans[i] == NULL) {
			orphans[i] = msg;
			orphan_readonly[i] = readonly;
			return;
		}
	/* Not reached (see SL_DUMP_MAX_ORPHANS); were it, leaking is the
	 * only safe choice: a worker may still write into it. */
}

/* Orphans out that hold up a new dump: every one for a read-only
 * client's, the admin's own for the admin's. */
static unsigned orphans_out(bool readonly)
{
	unsigned n = 0;
	for (unsigned i = 0; i < SL_DUMP_MAX_ORPHANS; i++)
		n += orphans[i] != NULL && (readonly || !orphan_readonly[i]);
	return n;
}

static void reap_orphans(void)
{
	for (unsigned i = 0; i < SL_DUMP_MAX_ORPHANS; i++)
		if (orphans[i] && __atomic_load_n(&orphans[i]->done, __ATOMIC_ACQUIRE)) {
			sl_wmsg_free(orphans[i]);
			orphans[i] = NULL;
		}
}

static void job_free(struct sl_dump_job *job, uint32_t nworkers)
{
	for (uint32_t w = 0; w < nworkers; w++) {
		struct sl_wmsg *msg = job->part[w].msg;
		if (job->part[w].sent && msg &&
		    !__atomic_load_n(&msg->done, __ATOMIC_ACQUIRE))
			orphan(msg, job->readonly);
		else
			sl_wmsg_free(msg);
	}
	json_decref(job->req_id);
	free(job);
}

static int job_fill(struct sl_dump_job *job, const struct sl_wmsg *filter,
		    uint32_t nworkers)
{
	for (uint32_t w = 0; w < nworkers; w++) {
		struct sl_wmsg *msg = calloc(1, sizeof(*msg));
		job->part[w].msg = msg;
		if (msg == NULL)
			return -1;
		*msg = *filter;
		msg->type = SL_WMSG_CONN_DUMP;
		msg->done = 0;
		msg->dump.limit = job->limit;
		msg->dump.count = msg->dump.matched = msg->dump.cursor = 0;
		msg->dump.out = calloc(job->limit, sizeof(*msg->dump.out));
		if (msg->dump.out == NULL)
			return -1;
	}
	return 0;
}

static bool asked_readonly(const struct sl_ctl *ctl)
{
	struct sl_server_peer peer;
	return sl_server_peer(ctl->srv, &peer) && peer.readonly;
}

/* A read-only client past its share of the jobs: busy, counted. */
static int refused_readonly_job(struct sl_ctl *ctl, struct sl_err *err)
{
	unsigned ro = 0;

	for (unsigned j = 0; j < SL_DUMP_MAX_JOBS; j++)
		ro += jobs[j] && jobs[j]->readonly;
	if (ro < SL_DUMP_MAX_RO_JOBS)
		return 0;
	ctl->srv->readonly_busy++;
	return sl_err_set(err, SL_E_BUSY, "",
			  "%u connection dumps from the read-only socket are already "
			  "in progress, its limit (the last of %u is kept for the "
			  "control socket); try again", SL_DUMP_MAX_RO_JOBS,
			  SL_DUMP_MAX_JOBS);
}

int sl_ctl_dump(struct sl_ctl *ctl, struct sl_wmsg *filter, uint32_t limit,
		const char *list_name, sl_conn_json_fn to_json, struct sl_err *err)
{
	unsigned slot = 0;
	bool readonly = asked_readonly(ctl);

	if (readonly && refused_readonly_job(ctl, err) != 0)
		return -1;
	while (slot < SL_DUMP_MAX_JOBS && jobs[slot])
		slot++;
	if (slot == SL_DUMP_MAX_JOBS)
		return sl_err_set(err, SL_E_BUSY, "",
				  "%u connection dumps are already in progress; try again",
				  SL_DUMP_MAX_JOBS);
	/* A worker still walking a dump nobody waits for any more would only
	 * queue this one behind it: refuse until it is done, so repeated
	 * requests against a slow worker cannot pile up walks. A read-only
	 * client's orphans refuse only read-only dumps. */
	reap_orphans();
	unsigned stuck = orphans_out(readonly);
	if (stuck && readonly)
		ctl->srv->readonly_busy++;
	if (stuck)
		return sl_err_set(err, SL_E_BUSY, "",
				  "%u earlier connection dump%s still being walked by a "
				  "worker after its answer timed out; try again",
				  stuck, stuck == 1 ? " is" : "s are");
	struct sl_dump_job *job = calloc(1, sizeof(*job));
	if (job == NULL)
		return sl_err_set(err, SL_E_INTERNAL, "", "out of memory");
	job->limit = limit;
	job->list_name = list_name;
	job->to_json = to_json;
	job->deadline_ms = sl_ctl_now_ms() + SL_DUMP_ANSWER_MS;
	if (job_fill(job, filter, ctl->dp->nworkers) != 0) {
		job_free(job, ctl->dp->nworkers);
		return sl_err_set(err, SL_E_INTERNAL, "", "out of memory");
	}
	job->client = sl_server_defer(ctl->srv);
	job->readonly = readonly;
	if (job->client == 0) {
		job_free(job, ctl->dp->nworkers);
		return sl_err_set(err, SL_E_INTERNAL, "",
				  "no control socket client to answer later");
	}
	job->req_id = json_incref(ctl->req_id);
	jobs[slot] = job;
	return SL_CMD_LATER;
}

/* Send what is unsent; true when every worker has answered. Workers
 * not done yet are named in `late`. */
static bool job_advance(struct sl_ctl *ctl, struct sl_dump_job *job, char *late,
			size_t len)
{
	bool all = true;
	size_t off = 0;

	late[0] = '\0';
	for (uint32_t w = 0; w < ctl->dp->nworkers; w++) {
		struct sl_dump_part *p = &job->part[w];
		if (!p->sent)
			p->sent = sl_ctl_send(ctl, w, p->msg) == 0;
		if (p->sent && __atomic_load_n(&p->msg->done, __ATOMIC_ACQUIRE))
			continue;
		all = false;
		if (off < len)
			off += (size_t)snprintf(late + off, len - off, "%s%u%s",
						off ? ", " : "", w,
						p->sent ? "" : " (not sent: out of memory)");
	}
	return all;
}

/* Every worker answered: the list, in worker order, cut at limit. */
static json_t *job_result(const struct sl_ctl *ctl, const struct sl_dump_job *job)
{
	json_t *list = json_array();
	uint32_t matched = 0;

	for (uint32_t w = 0; w < ctl->dp->nworkers; w++) {
		const struct sl_wmsg *msg = job->part[w].msg;
		for (uint32_t i = 0; i < msg->dump.count &&
				     json_array_size(list) < job->limit; i++)
			json_array_append_new(list, job->to_json(&msg->dump.out[i], w));
		matched += msg->dump.matched;
	}
	return json_pack("{s:o,s:i,s:b}", job->list_name, list, "count", matched,
			 "truncated", matched > json_array_size(list));
}

static void job_answer(struct sl_ctl *ctl, struct sl_dump_job *job, json_t *result,
		       const struct sl_err *err)
{
	char *text = sl_ctl_answer(result, err, job->req_id);
	if (text)
		sl_server_answer(ctl->srv, job->client, text);
	free(text);
}

void sl_ctl_dump_poll(struct sl_ctl *ctl)
{
	char late[256];
	struct sl_err err;

	reap_orphans();
	for (unsigned j = 0; j < SL_DUMP_MAX_JOBS; j++) {
		struct sl_dump_job *job = jobs[j];
		if (job == NULL)
			continue;
		if (job_advance(ctl, job, late, sizeof(late))) {
			job_answer(ctl, job, job_result(ctl, job), NULL);
		} else if (sl_ctl_now_ms() >= job->deadline_ms) {
			sl_err_clear(&err);
			sl_err_set(&err, SL_E_BUSY, "",
				   "worker(s) %s did not answer in %u ms; no partial list is given",
				   late, SL_DUMP_ANSWER_MS);
			job_answer(ctl, job, NULL, &err);
		} else {
			continue;
		}
		job_free(job, ctl->dp->nworkers);
		jobs[j] = NULL;
	}
}

/* At shutdown, workers stopped. A message sent and not done is in a
 * worker's backlog or ring (sl_ctl_backlog_free frees those, after this)
 * or was being walked by a worker when it stopped (freed here). */
void sl_ctl_dump_free(struct sl_ctl *ctl)
{
	for (unsigned j = 0; j < SL_DUMP_MAX_JOBS; j++) {
		if (jobs[j])
			job_free(jobs[j], ctl->dp->nworkers);
		jobs[j] = NULL;
	}
	for (uint32_t w = 0; w < ctl->dp->nworkers; w++) {
		struct sl_worker *wk = ctl->dp->workers[w];
		for (unsigned i = 0; wk && wk->dump && i < SL_DUMP_MAX_ORPHANS; i++)
			if (orphans[i] == wk->dump) {
				orphans[i] = NULL;
				sl_wmsg_free(wk->dump);
				wk->dump = NULL;
			}
	}
	reap_orphans(); /* the done ones; the rest are the backlog's */
	for (unsigned i = 0; i < SL_DUMP_MAX_ORPHANS; i++)
		orphans[i] = NULL;
}
