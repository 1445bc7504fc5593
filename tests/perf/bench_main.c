/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sluice-bench: runs the scenarios of tests/perf/README.md, prints a
 * table and writes JSON. Every figure is also given as a ratio to the
 * baseline measured in the same run, because the machines are noisy.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>

#include <jansson.h>

#include "bench.h"
#include "bench_scenarios.h"
#include "maglev.h"

#define MAX_SCEN 16

static void cpu_name(char *buf, size_t len)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[256];

	snprintf(buf, len, "unknown");
	while (f && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "model name", 10) == 0) {
			char *v = strchr(line, ':');
			if (v) {
				v += 2;
				v[strcspn(v, "\n")] = '\0';
				snprintf(buf, len, "%s", v);
			}
			break;
		}
	}
	if (f)
		fclose(f);
}

static bool wanted(const char *only, const char *name)
{
	if (only == NULL)
		return true;
	size_t n = strlen(name);
	for (const char *p = strstr(only, name); p; p = strstr(p + 1, name))
		if ((p == only || p[-1] == ',') && (p[n] == '\0' || p[n] == ','))
			return true;
	return false;
}

static void print_table(const struct scen_result *r, unsigned n, double base)
{
	printf("\n%-18s %10s %12s %10s %12s\n", "scenario", "Mpps", "cycles/pkt",
	       "ratio", "packets");
	for (unsigned i = 0; i < n; i++)
		printf("%-18s %10.2f %12.1f %10.3f %12lu\n", r[i].name, r[i].mpps,
		       r[i].cycles_per_packet, base > 0 ? r[i].mpps / base : 0.0,
		       (unsigned long)r[i].packets);
}

/* Building a Maglev table for 1000 servers at the default 65537 slots
 * (the paper: 1.8 ms), the control thread's cost per changed mh service:
 * the best of a few runs, in ms. -1 if a build failed. */
static double maglev_build_ms(void)
{
	enum { N = 1000, RUNS = 5 };
	static uint64_t ids[N];
	static uint32_t weights[N];
	static uint16_t table[SL_MH_DEFAULT_SIZE];
	double best = -1;

	for (unsigned i = 0; i < N; i++) {
		ids[i] = sl_maglev_id(sl_htonl(0xc6120000u + 11 + i), sl_htons(8080));
		weights[i] = 1;
	}
	for (unsigned r = 0; r < RUNS; r++) {
		uint64_t t0 = rte_rdtsc();
		if (sl_maglev_build(ids, weights, N, SL_MH_DEFAULT_SIZE, table) != 0)
			return -1;
		double ms = (double)(rte_rdtsc() - t0) * 1e3 / (double)rte_get_tsc_hz();
		best = best < 0 || ms < best ? ms : best;
	}
	return best;
}

static void write_json(const char *path, const struct scen_result *r, unsigned n,
		       double base, size_t bytes_per_conn, const struct scen_result *churn,
		       double mh_ms)
{
	char cpu[128];
	json_t *list = json_array();

	cpu_name(cpu, sizeof(cpu));
	for (unsigned i = 0; i < n; i++) {
		json_t *o = json_pack("{s:s,s:f,s:f,s:f,s:I,s:f}", "name", r[i].name,
				      "mpps", r[i].mpps, "cycles_per_packet",
				      r[i].cycles_per_packet, "ratio_to_baseline",
				      base > 0 ? r[i].mpps / base : 0.0, "packets",
				      (json_int_t)r[i].packets, "seconds", r[i].seconds);
		if (r[i].created)
			json_object_set_new(o, "connections_created",
					    json_integer((json_int_t)r[i].created));
		if (r[i].steered)
			json_object_set_new(o, "steered", json_integer((json_int_t)r[i].steered));
		if (r[i].lports_used) {
			json_object_set_new(o, "packets_out",
					    json_integer((json_int_t)r[i].packets_out));
			json_object_set_new(o, "port_exhausted",
					    json_integer((json_int_t)r[i].port_exhausted));
			json_object_set_new(o, "local_ports_used",
					    json_integer((json_int_t)r[i].lports_used));
		}
		json_array_append_new(list, o);
	}
	json_t *doc = json_pack("{s:s,s:I,s:o,s:I,s:I}", "cpu", cpu, "tsc_hz",
				(json_int_t)rte_get_tsc_hz(), "scenarios", list,
				"bytes_per_connection", (json_int_t)bytes_per_conn,
				"connections_per_gib",
				(json_int_t)(bytes_per_conn ? (1ull << 30) / bytes_per_conn : 0));
	json_object_set_new(doc, "maglev_build_ms", json_real(mh_ms));
	if (churn) {
		json_object_set_new(doc, "churn_packets_lost", json_integer(churn->lost));
		json_object_set_new(doc, "churn_changes_per_second",
				    json_real(churn->changes_per_s));
		json_object_set_new(doc, "churn_changes_failed",
				    json_integer(churn->changes_failed));
	}
	if (json_dump_file(doc, path, JSON_INDENT(1)) != 0)
		fprintf(stderr, "bench: cannot write %s\n", path);
	json_decref(doc);
}

static void usage(void)
{
	printf("usage: sluice-bench [EAL args] -- [--seconds S] [--only a,b,...] "
	       "[--json FILE]\n"
	       "scenarios: baseline established_1k established_100k established_1m\n"
	       "  established_4m new_connections mixed cross_worker churn\n"
	       "  one_lip_1m\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"seconds", required_argument, NULL, 's'},
		{"only", required_argument, NULL, 'o'},
		{"json", required_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	static struct bench_env env;
	struct scen_result res[MAX_SCEN], *churn = NULL, *one_lip = NULL;
	const char *only = NULL, *json = "build/bench.json";
	unsigned n = 0;
	char errbuf[256];
	int opt;

	int used = rte_eal_init(argc, argv);
	if (used < 0) {
		fprintf(stderr, "bench: EAL init failed\n");
		return 1;
	}
	argc -= used;
	argv += used;
	env.seconds = 3.0;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 's': env.seconds = atof(optarg); break;
		case 'o': only = optarg; break;
		case 'j': json = optarg; break;
		default: usage(); return opt == 'h' ? 0 : 2;
		}
	}
	if (rte_lcore_count() < 2) {
		fprintf(stderr, "bench: needs 2 lcores (e.g. --lcores=0@0,1@1)\n");
		return 1;
	}
	if (bench_env_init(&env, errbuf, sizeof(errbuf)) != 0) {
		fprintf(stderr, "bench: %s\n", errbuf);
		return 1;
	}
	printf("sluice-bench: %.1f s per scenario, TSC %.2f GHz\n", env.seconds,
	       (double)rte_get_tsc_hz() / 1e9);
#define RUN(name, call)                                                        \
	do {                                                                   \
		if (wanted(only, name)) {                                      \
			printf("  %s ...\n", name);                            \
			fflush(stdout);                                        \
			call;                                                  \
			n++;                                                   \
		}                                                              \
	} while (0)
	RUN("baseline", bench_baseline(&env, &res[n]));
	RUN("established_1k", bench_established(&env, "established_1k", 1000, &res[n]));
	RUN("established_100k", bench_established(&env, "established_100k", 100000, &res[n]));
	RUN("established_1m", bench_established(&env, "established_1m", 1000000, &res[n]));
	RUN("established_4m", bench_established(&env, "established_4m", 4000000, &res[n]));
	RUN("new_connections", bench_new_connections(&env, &res[n]));
	RUN("mixed", bench_mixed(&env, &res[n]));
	RUN("cross_worker", bench_cross_worker(&env, &res[n]));
	if (wanted(only, "churn"))
		churn = &res[n];
	RUN("churn", bench_churn(&env, &res[n]));
	if (wanted(only, "one_lip_1m"))
		one_lip = &res[n];
	RUN("one_lip_1m", bench_one_lip(&env, &res[n]));
#undef RUN
	double base = n && strcmp(res[0].name, "baseline") == 0 ? res[0].mpps : 0;
	size_t bpc = sl_ct_bytes_per_conn(&env.dp.workers[0]->ct);
	print_table(res, n, base);
	printf("\nbytes per connection: %zu (%zu connections per GiB)\n", bpc,
	       bpc ? (size_t)(1ull << 30) / bpc : 0);
	if (churn)
		printf("churn: %.0f changes/s applied, %u refused, %ld packets lost\n",
		       churn->changes_per_s, churn->changes_failed, (long)churn->lost);
	if (one_lip)
		printf("one_lip_1m: %lu connections to 16 servers through one local address, "
		       "%u local ports; %lu SYNs and SYN+ACKs in, %lu out, %lu steered, "
		       "port_exhausted %lu\n",
		       (unsigned long)one_lip->created, one_lip->lports_used,
		       (unsigned long)one_lip->packets, (unsigned long)one_lip->packets_out,
		       (unsigned long)one_lip->steered, (unsigned long)one_lip->port_exhausted);
	double mh_ms = maglev_build_ms();
	printf("maglev table build, 1000 servers x %u slots: %.2f ms\n",
	       SL_MH_DEFAULT_SIZE, mh_ms);
	write_json(json, res, n, base, bpc, churn, mh_ms);
	printf("results written to %s\n", json);
	return 0;
}
