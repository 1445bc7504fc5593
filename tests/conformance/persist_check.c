/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Persistence templates under a flood of spoofed sources (issue 12,
 * item 13): the control thread's side, ctl_persist.c, fed through the
 * ring workers report on, exactly as workers feed it, and the table the
 * workers read (dataplane/persist_table.h).
 *
 * A million new sources at a cap of 65,536 must keep the table at its
 * cap with the excess evicted and counted, the process's memory flat,
 * and the cost of a change independent of the table: the table workers
 * read is never replaced or copied (the old design published a copy of
 * the whole table, up to the cap, every few milliseconds), and each
 * report is visible to workers once the turn that drained it is over.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "persist_check.h"

#define WHY(...) (snprintf(why, 160, __VA_ARGS__), false)
#define PC_CAP 65536u
#define PC_FLOOD 1000000u
#define PC_SVC 7
#define PC_CLIENT(i) sl_htonl(0xc6130000u + 1 + (i)) /* 198.19.0.1 on */

/* The workers' clock, which reports carry (worker.c). */
static uint32_t dp_now_ms(void)
{
	return (uint32_t)(rte_rdtsc() / (rte_get_tsc_hz() / 1000));
}

static long resident_kib(void)
{
	long pages = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f) {
		if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
			resident = 0;
		fclose(f);
	}
	return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static uint32_t configured_max; /* the running config's, put back after */

static bool setup(struct harness *h, uint32_t cap, char *why)
{
	char err[128];

	configured_max = h->ctl.model.persist_max;
	h->ctl.model.persist_max = cap;
	if (sl_ctl_persist_init(&h->ctl, err, sizeof(err)) != 0)
		return WHY("persistence init: %s", err);
	return true;
}

static void teardown(struct harness *h)
{
	sl_ctl_persist_free(&h->ctl);
	h->ctl.model.persist_max = configured_max;
}

/* A turn of the control loop, while every worker goes on through its
 * loop (passing the quiescent states that let deleted slots be reused).
 * The workers run on this thread, between steps: offline meanwhile, as
 * h_publish() has them, so a grace period does not wait for them. */
static void turn(struct harness *h)
{
	for (unsigned w = 0; w < h->nworkers; w++)
		h_run(h, w);
	for (unsigned w = 0; w < h->nworkers; w++)
		rte_rcu_qsbr_thread_offline(h->dp.qsbr, w);
	sl_ctl_persist_work(&h->ctl);
	for (unsigned w = 0; w < h->nworkers; w++)
		rte_rcu_qsbr_thread_online(h->dp.qsbr, w);
}

static void report(struct harness *h, uint32_t i, uint16_t rs_id,
		   uint32_t persist_ms)
{
	struct sl_persist_report r = {
		.ip = PC_CLIENT(i), .svc_id = PC_SVC, .rs_id = rs_id,
		.at_ms = dp_now_ms(), .persist_ms = persist_ms,
	};
	while (rte_ring_mp_enqueue_elem(h->dp.persist_ring, &r, sizeof(r)) != 0)
		turn(h); /* full: the control thread drains */
}

static bool visible(const struct harness *h, uint32_t i, uint16_t rs_id)
{
	uint16_t got;
	return sl_persist_table_find(h->dp.persist, PC_SVC, PC_CLIENT(i),
				     dp_now_ms(), &got) && got == rs_id;
}

/* One report per turn of the loop; the table the workers read must be
 * the same object, at most at its cap, with the report in it. */
static bool flood(struct harness *h, const struct sl_persist_table *t,
		  long *rss_mid, char *why)
{
	for (uint32_t i = 1; i <= PC_FLOOD; i++) {
		report(h, i, 1, 60000);
		if (i % 64 == 0 || i == PC_FLOOD) {
			turn(h);
			if (h->dp.persist != t)
				return WHY("the table workers read was replaced after "
					   "%u templates (a copy per change)", i);
			if (t->n > t->max)
				return WHY("%u templates held, cap %u", t->n, t->max);
			if (!visible(h, i, 1))
				return WHY("template %u not visible to workers after "
					   "the turn that drained it", i);
		}
		if (i == 2 * PC_CAP)
			*rss_mid = resident_kib();
	}
	return true;
}

bool persist_flood_flat(struct harness *h, char *why)
{
	long rss_mid = 0;

	if (!setup(h, PC_CAP, why))
		return false;
	const struct sl_persist_table *t = h->dp.persist;
	/* A client of an hour, which the flood must not push out. */
	report(h, 0, 3, 3600000);
	bool ok = flood(h, t, &rss_mid, why);
	long grown = resident_kib() - rss_mid;
	if (ok && grown > 4096)
		ok = WHY("memory grew %ld KiB during the flood past the cap", grown);
	if (ok && t->evicted < PC_FLOOD - PC_CAP)
		ok = WHY("%lu evicted, want at least %u", (unsigned long)t->evicted,
			 PC_FLOOD - PC_CAP);
	if (ok && !visible(h, 0, 3))
		ok = WHY("the hour-long template was evicted before short ones");
	if (ok)
		printf("# persistence flood: %u reports, cap %u, held %u, evicted %lu, "
		       "memory +%ld KiB after the cap\n", PC_FLOOD + 1, t->max, t->n,
		       (unsigned long)t->evicted, grown);
	teardown(h);
	return ok;
}

/* Two servers that take connections, by stable id (templates name them
 * so, and a template's server must take connections to be kept). */
static bool two_servers(const struct harness *h, uint16_t *a, uint16_t *b)
{
	const struct sl_snapshot *s = h->dp.snapshot;
	unsigned found = 0;

	for (uint32_t v = 0; v < s->nsvcs; v++) {
		const struct sl_snap_svc *svc = &s->svcs[v];
		found = 0;
		for (uint32_t i = 0; i < svc->nrs && found < 2; i++)
			if (svc->rs[i].weight > 0)
				*(found++ ? b : a) = svc->rs[i].id;
		if (found == 2)
			return true;
	}
	return false;
}

/* The merge rules: the first live choice wins; an expired template is
 * replaced; expired ones are swept. */
bool persist_merge_rules(struct harness *h, char *why)
{
	uint16_t A = 0, B = 0;

	if (!two_servers(h, &A, &B))
		return WHY("the configuration has no two servers taking connections");
	if (!setup(h, 1024, why))
		return false;
	bool ok = true;
	report(h, 1, A, 60000);
	report(h, 1, B, 60000);      /* another worker's later choice */
	report(h, 2, A, 1);          /* expires at once */
	turn(h);
	if (!visible(h, 1, A))
		ok = WHY("a live template was replaced by a later report");
	rte_delay_ms(3);
	report(h, 2, B, 60000);      /* replaces the expired one */
	report(h, 3, A, 1);
	turn(h);
	if (ok && !visible(h, 2, B))
		ok = WHY("an expired template was not replaced");
	rte_delay_ms(3);
	turn(h); /* sweeps */
	if (ok && h->dp.persist->n != 2)
		ok = WHY("%u templates after the sweep, want 2", h->dp.persist->n);
	teardown(h);
	return ok;
}

/* persistence.max_templates lowered live: a new, smaller table the
 * workers switch to, with live templates kept up to the new cap. */
bool persist_cap_lowered(struct harness *h, char *why)
{
	if (!setup(h, 4096, why))
		return false;
	bool ok = true;
	for (uint32_t i = 1; i <= 3000; i++)
		report(h, i, 1, 60000);
	turn(h);
	const struct sl_persist_table *before = h->dp.persist;
	h->ctl.model.persist_max = 1024;
	turn(h);
	const struct sl_persist_table *t = h->dp.persist;
	if (t == before || t->max != 1024)
		ok = WHY("the cap did not change (max %u)", t->max);
	else if (t->n != 1024 || t->evicted != 3000 - 1024)
		ok = WHY("%u kept, %lu evicted; want 1024, 1976", t->n,
			 (unsigned long)t->evicted);
	teardown(h);
	return ok;
}
