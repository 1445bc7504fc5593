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

#define MAX_SCEN 32
#define BPC_ODD 3000000u      /* a capacity that is not a power of two */
#define BPC_POW2 (1u << 22)

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

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Median, min and max over the runs; mpps from the median. */
static void finish(struct scen_result *r)
{
	double v[BENCH_MAX_RUNS];

	if (r->runs == 0)
		return;
	memcpy(v, r->cpp, r->runs * sizeof(*v));
	qsort(v, r->runs, sizeof(*v), cmp_double);
	r->cpp_min = v[0];
	r->cpp_max = v[r->runs - 1];
	r->cycles_per_packet = r->runs % 2 ? v[r->runs / 2]
				: (v[r->runs / 2 - 1] + v[r->runs / 2]) / 2;
	r->mpps = (double)rte_get_tsc_hz() / r->cycles_per_packet / 1e6;
}

static double spread_pct(const struct scen_result *r)
{
	return r->cycles_per_packet > 0
		? 100.0 * (r->cpp_max - r->cpp_min) / r->cycles_per_packet : 0;
}

const struct scen_result *bench_find_scen(const struct scen_result *r, unsigned n,
					 const char *name)
{
	for (unsigned i = 0; name && i < n; i++)
		if (strcmp(r[i].name, name) == 0)
			return &r[i];
	return NULL;
}

/* Each v6 row beside its v4 twin from the same run: cycles, ratios to
 * the baseline, bytes per connection. */
static void print_families(const struct scen_result *r, unsigned n, double base)
{
	bool header = false;

	for (unsigned i = 0; i < n; i++) {
		const struct scen_result *v4 = bench_find_scen(r, n, r[i].v4_twin);
		if (v4 == NULL || v4->cycles_per_packet <= 0 || base <= 0)
			continue;
		if (!header)
			printf("\n%-24s %-18s %9s %9s %6s %7s %7s %5s %5s\n", "IPv6 scenario",
			       "beside IPv4", "v6 cyc", "v4 cyc", "v6/v4", "v6 rat", "v4 rat",
			       "v6 B", "v4 B");
		header = true;
		printf("%-24s %-18s %9.1f %9.1f %6.2f %7.3f %7.3f %5zu %5zu\n", r[i].name,
		       v4->name, r[i].cycles_per_packet, v4->cycles_per_packet,
		       r[i].cycles_per_packet / v4->cycles_per_packet, r[i].mpps / base,
		       v4->mpps / base, r[i].bytes_per_conn, v4->bytes_per_conn);
	}
}

static void print_table(const struct scen_result *r, unsigned n, double base)
{
	printf("\n%-30s %8s %10s %17s %7s %6s %12s %12s %9s %s\n", "scenario", "Mpps",
	       "cyc/pkt", "min-max", "spread", "ratio", "in", "out", "dropped", "");
	for (unsigned i = 0; i < n; i++)
		printf("%-30s %8.2f %10.1f %8.1f-%-8.1f %6.1f%% %6.3f %12lu %12lu %9lu %s\n",
		       r[i].name, r[i].mpps, r[i].cycles_per_packet, r[i].cpp_min,
		       r[i].cpp_max, spread_pct(&r[i]),
		       base > 0 ? r[i].mpps / base : 0.0, (unsigned long)r[i].in,
		       (unsigned long)r[i].out, (unsigned long)r[i].dropped,
		       r[i].sync.failed ? "FAILED: sync records (see its line)"
		       : r[i].failed ? "FAILED: frames missing" : "ok");
	for (unsigned i = 0; i < n; i++)
		for (unsigned d = 1; d < SL_DROP_MAX; d++)
			if (r[i].drops[d])
				printf("  %s: %lu dropped as %s\n", r[i].name,
				       (unsigned long)r[i].drops[d], sl_drop_name(d));
}

/* Bytes of every per-connection structure a worker allocates (the
 * connection table's entries, index, timer wheel and extension pool, the
 * SNAT host-count table) per connection of capacity, for a worker
 * created at `cap` with `max_ext` extension lines: none for v4 (a v4
 * connection takes none; the default pool, SL_CT_EXT_DEFAULT, is v6
 * capacity beside it), a line for every connection for v6. */
static size_t bytes_per_conn_at(struct bench_env *env, uint32_t cap, uint32_t max_ext)
{
	struct sl_worker_params p = {
		.id = 0, .max_conns = cap,
		.max_conns_v6 = max_ext,
		.lport_lo = env->ctl.model.lport_lo, .lport_hi = env->ctl.model.lport_hi,
	};
	char err[128];
	struct sl_worker *w = sl_worker_create(&env->dp, &p, err, sizeof(err));

	if (w == NULL) {
		fprintf(stderr, "bench: %s\n", err);
		return 0;
	}
	size_t bytes = w->ct.mem_bytes + sl_hosts_mem(&w->hosts);
	sl_worker_destroy(w);
	return bytes / cap;
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

static json_t *scen_json(const struct scen_result *r, double base,
			 const struct scen_result *all, unsigned nall)
{
	json_t *cpp = json_array(), *drops = json_object();

	for (unsigned i = 0; i < r->runs; i++)
		json_array_append_new(cpp, json_real(r->cpp[i]));
	for (unsigned d = 1; d < SL_DROP_MAX; d++)
		if (r->drops[d])
			json_object_set_new(drops, sl_drop_name(d),
					    json_integer((json_int_t)r->drops[d]));
	json_t *o = json_pack("{s:s,s:f,s:f,s:f,s:f,s:f,s:I,s:o,s:I,s:f}", "name",
			      r->name, "mpps", r->mpps, "cycles_per_packet",
			      r->cycles_per_packet, "cycles_per_packet_min", r->cpp_min,
			      "cycles_per_packet_max", r->cpp_max, "ratio_to_baseline",
			      base > 0 ? r->mpps / base : 0.0, "runs", (json_int_t)r->runs,
			      "cycles_per_packet_runs", cpp, "packets",
			      (json_int_t)r->packets, "seconds", r->seconds);
	json_object_set_new(o, "packets_in", json_integer((json_int_t)r->in));
	json_object_set_new(o, "packets_out", json_integer((json_int_t)r->out));
	json_object_set_new(o, "packets_expected_out",
			    json_integer((json_int_t)(r->in - r->may_drop)));
	json_object_set_new(o, "packets_dropped", json_integer((json_int_t)r->dropped));
	json_object_set_new(o, "drops", drops);
	json_object_set_new(o, "failed", json_boolean(r->failed));
	if (r->bytes_per_conn)
		json_object_set_new(o, "bytes_per_connection",
				    json_integer((json_int_t)r->bytes_per_conn));
	if (r->v4_twin) {
		const struct scen_result *v4 = bench_find_scen(all, nall, r->v4_twin);
		json_object_set_new(o, "v4_equivalent", json_string(r->v4_twin));
		if (v4 && v4->cycles_per_packet > 0)
			json_object_set_new(o, "ratio_to_v4", json_real(r->cycles_per_packet /
									  v4->cycles_per_packet));
	}
	if (r->created)
		json_object_set_new(o, "connections_created",
				    json_integer((json_int_t)r->created));
	if (r->steered)
		json_object_set_new(o, "steered", json_integer((json_int_t)r->steered));
	if (r->sync.on)
		json_object_set_new(o, "sync", bench_sync_json(r, all, nall));
	if (r->lports_used) {
		json_object_set_new(o, "port_exhausted",
				    json_integer((json_int_t)r->port_exhausted));
		json_object_set_new(o, "local_ports_used",
				    json_integer((json_int_t)r->lports_used));
	}
	return o;
}

static void write_json(const char *path, const struct scen_result *r, unsigned n,
		       double base, const size_t bpc[2][2], const struct scen_result *churn,
		       double mh_ms, bool failed)
{
	char cpu[128];
	json_t *list = json_array();

	cpu_name(cpu, sizeof(cpu));
	for (unsigned i = 0; i < n; i++)
		json_array_append_new(list, scen_json(&r[i], base, r, n));
	json_t *doc = json_pack("{s:s,s:I,s:o,s:I,s:I,s:I,s:I}", "cpu", cpu, "tsc_hz",
				(json_int_t)rte_get_tsc_hz(), "scenarios", list,
				"bytes_per_connection", (json_int_t)bpc[0][1],
				"bytes_per_connection_capacity", (json_int_t)BPC_POW2,
				"bytes_per_connection_3m", (json_int_t)bpc[0][0],
				"connections_per_gib",
				(json_int_t)(bpc[0][1] ? (1ull << 30) / bpc[0][1] : 0));
	json_object_set_new(doc, "bytes_per_connection_v6", json_integer((json_int_t)bpc[1][1]));
	json_object_set_new(doc, "bytes_per_connection_v6_3m",
			    json_integer((json_int_t)bpc[1][0]));
	json_object_set_new(doc, "failed", json_boolean(failed));
	json_object_set_new(doc, "maglev_build_ms", json_real(mh_ms));
	const struct scen_result *hs = bench_find_scen(r, n, "new_connections_handshake_sync");
	if (hs && hs->sync.conns)
		json_object_set_new(doc, "sync_bytes_per_new_connection",
				    json_real((double)hs->sync.bytes / (double)hs->sync.conns));
	if (churn) {
		json_object_set_new(doc, "churn_packets_lost", json_integer(churn->lost));
		json_object_set_new(doc, "churn_changes_per_second",
				    json_real(churn->changes_per_s));
		json_object_set_new(doc, "churn_changes_failed",
				    json_integer(churn->changes_failed));
		json_object_set_new(doc, "churn_change_ms", json_real(churn->change_ms));
	}
	if (json_dump_file(doc, path, JSON_INDENT(1)) != 0)
		fprintf(stderr, "bench: cannot write %s\n", path);
	json_decref(doc);
}

static void usage(void)
{
	printf("usage: sluice-bench [EAL args] -- [--seconds S] [--runs N] "
	       "[--only a,b,...]\n"
	       "  [--json FILE] [--cold-mbufs N] [--lose-every N] [--sync-refresh-ms N]\n"
	       "  [--sync-lose]\n"
	       "scenarios: baseline established_1k established_1k_real\n"
	       "  established_100k established_1m established_1m_real established_4m\n"
	       "  new_connections new_connections_real new_connections_handshake\n"
	       "  established_1k_sync new_connections_sync\n"
	       "  new_connections_handshake_sync fnat66_established_1k\n"
	       "  fnat66_established_1m nat64_established_1m fnat66_new_connections\n"
	       "  mixed cross_worker\n"
	       "  churn one_lip_1m\n"
	       "--lose-every N: the harness throws away every Nth frame out, to\n"
	       "  show the accounting fails the scenario (exit status 3)\n"
	       "--sync-refresh-ms N: the sync rows' refresh walks every N ms\n"
	       "  (default: the cluster's, 10000)\n"
	       "--sync-lose: the sync rows send no record, to show their check\n"
	       "  fails them (exit status 3)\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"seconds", required_argument, NULL, 's'},
		{"only", required_argument, NULL, 'o'},
		{"json", required_argument, NULL, 'j'},
		{"runs", required_argument, NULL, 'r'},
		{"cold-mbufs", required_argument, NULL, 'c'},
		{"lose-every", required_argument, NULL, 'l'},
		{"sync-refresh-ms", required_argument, NULL, 'f'},
		{"sync-lose", no_argument, NULL, 'L'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	static struct bench_env env;
	struct scen_result res[MAX_SCEN], *churn = NULL, *one_lip = NULL;
	const char *only = NULL, *json = "build/bench.json";
	unsigned n = 0;
	bool failed = false;
	char errbuf[256];
	int opt;

	int used = rte_eal_init(argc, argv);
	if (used < 0) {
		fprintf(stderr, "bench: EAL init failed\n");
		return 1;
	}
	argc -= used;
	argv += used;
	env.seconds = 2.0;
	env.runs = 3;
	env.cold_mbufs = 262143; /* 256k mbufs of 2 KiB: ~600 MB, far above any LLC */
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 's': env.seconds = atof(optarg); break;
		case 'o': only = optarg; break;
		case 'j': json = optarg; break;
		case 'r': env.runs = (unsigned)atoi(optarg); break;
		case 'c': env.cold_mbufs = (uint32_t)atol(optarg); break;
		case 'l': env.lose_every = strtoull(optarg, NULL, 10); break;
		case 'f': env.sync_refresh_ms = (uint32_t)atol(optarg); break;
		case 'L': env.sync_lose = true; break;
		default: usage(); return opt == 'h' ? 0 : 2;
		}
	}
	if (env.runs < 1 || env.runs > BENCH_MAX_RUNS || env.cold_mbufs < 1024) {
		usage();
		return 2;
	}
	if (rte_lcore_count() < 2) {
		fprintf(stderr, "bench: needs 2 lcores (e.g. --lcores=0@0,1@1)\n");
		return 1;
	}
	if (bench_env_init(&env, errbuf, sizeof(errbuf)) != 0) {
		fprintf(stderr, "bench: %s\n", errbuf);
		return 1;
	}
	printf("sluice-bench: %u runs of %.1f s per scenario, TSC %.2f GHz\n", env.runs,
	       env.seconds, (double)rte_get_tsc_hz() / 1e9);
	memset(res, 0, sizeof(res));
	/* Every scenario's frames in and out are counted around it, setup
	 * included (bench_account). */
#define RUN(name, call)                                                        \
	do {                                                                   \
		if (wanted(only, name)) {                                      \
			printf("  %s ...\n", name);                            \
			fflush(stdout);                                        \
			struct bench_counts before = bench_counts(&env);       \
			call;                                                  \
			bench_account(&env, &before, &res[n]);                 \
			finish(&res[n]);                                       \
			failed |= res[n].failed;                               \
			n++;                                                   \
		}                                                              \
	} while (0)
#define EST(name, nconns, cold)                                                \
	RUN(name, (res[n].af = SL_AF_V4,                                         \
		   bench_established(&env, name, nconns, cold, BENCH_FNAT44, &res[n])))
	/* A v6 row: measured like its v4 twin, shown beside it. */
#define TWIN(v4name) (res[n].af = SL_AF_V6, res[n].v4_twin = v4name)
	RUN("baseline", bench_baseline(&env, &res[n]));
	EST("established_1k", 1000, false);
	EST("established_1k_real", 1000, true);
	/* The same hot traffic with checksums in software both ways, and
	 * with the NIC's doing both (RX flags GOOD, TX by ol_flags). */
#define CSUM(name, rx_unmarked, tx_offload)                                    \
	RUN(name, (bench_set_csum(&env, rx_unmarked, tx_offload),               \
		   bench_established(&env, name, 1000, false, BENCH_FNAT44, &res[n]), \
		   bench_set_csum(&env, false, false)))
	CSUM("established_1k_sw", true, false);
	CSUM("established_1k_offload", false, true);
	EST("established_100k", 100000, false);
	EST("established_1m", 1000000, false);
	EST("established_1m_real", 1000000, true);
	EST("established_4m", 4000000, false);
	RUN("new_connections", (res[n].af = SL_AF_V4,
		bench_new_connections(&env, "new_connections", false, BENCH_FNAT44, &res[n])));
	RUN("new_connections_real", (res[n].af = SL_AF_V4,
		bench_new_connections(&env, "new_connections_real", true, BENCH_FNAT44,
				      &res[n])));
	/* New connections opened in full: what a synced node pays for one. */
	RUN("new_connections_handshake",
	    (res[n].af = SL_AF_V4, bench_handshakes(&env, "new_connections_handshake", &res[n])));
	/* Session sync on: each row beside its twin above (issue 16: at most
	 * 1.3x the cost per new connection, established packets unchanged);
	 * `expect_new`: every connection it makes must send its NEW record. */
#define SYNC(name, twin, expect_new, call)                                     \
	RUN(name, (bench_sync_on(&env), call,                                  \
		   bench_sync_off(&env, expect_new, &res[n]), res[n].sync.off_twin = twin))
	SYNC("established_1k_sync", "established_1k", true, (res[n].af = SL_AF_V4,
		bench_established(&env, "established_1k_sync", 1000, false, BENCH_FNAT44,
				  &res[n])));
	/* SYNs only: a connection syncs once established, so no record. */
	SYNC("new_connections_sync", "new_connections", false, (res[n].af = SL_AF_V4,
		bench_new_connections(&env, "new_connections_sync", false, BENCH_FNAT44,
				      &res[n])));
	SYNC("new_connections_handshake_sync", "new_connections_handshake", true,
	     (res[n].af = SL_AF_V4,
	      bench_handshakes(&env, "new_connections_handshake_sync", &res[n])));
#undef SYNC
	RUN("fnat66_established_1k", (TWIN("established_1k"),
		bench_established(&env, "fnat66_established_1k", 1000, false,
				  BENCH_FNAT66, &res[n])));
	RUN("fnat66_established_1m", (TWIN("established_1m"),
		bench_established(&env, "fnat66_established_1m", 1000000, false,
				  BENCH_FNAT66, &res[n])));
	RUN("nat64_established_1m", (TWIN("established_1m"),
		bench_established(&env, "nat64_established_1m", 1000000, false,
				  BENCH_NAT64, &res[n])));
	RUN("fnat66_new_connections", (TWIN("new_connections"),
		bench_new_connections(&env, "fnat66_new_connections", false,
				      BENCH_FNAT66, &res[n])));
	RUN("mixed", bench_mixed(&env, &res[n]));
	RUN("cross_worker", bench_cross_worker(&env, &res[n]));
	if (wanted(only, "churn"))
		churn = &res[n];
	RUN("churn", bench_churn(&env, &res[n]));
	if (wanted(only, "one_lip_1m"))
		one_lip = &res[n];
	RUN("one_lip_1m", bench_one_lip(&env, &res[n]));
#undef TWIN
#undef CSUM
#undef EST
#undef RUN
	double base = n && strcmp(res[0].name, "baseline") == 0 ? res[0].mpps : 0;
	/* [family v4, v6][capacity BPC_ODD, BPC_POW2] */
	size_t bpc[2][2] = {
		{bytes_per_conn_at(&env, BPC_ODD, 0), bytes_per_conn_at(&env, BPC_POW2, 0)},
		{bytes_per_conn_at(&env, BPC_ODD, BPC_ODD), bytes_per_conn_at(&env, BPC_POW2, BPC_POW2)},
	};
	size_t bpc_pool = bytes_per_conn_at(&env, BPC_POW2, SL_CT_EXT_DEFAULT(BPC_POW2));
	/* The rows of either family: their family's figure at the bench
	 * workers' capacity (2^22). */
	for (unsigned i = 0; i < n; i++)
		if (res[i].af)
			res[i].bytes_per_conn = bpc[res[i].af == SL_AF_V6][1];
	print_table(res, n, base);
	print_families(res, n, base);
	bench_sync_table(res, n);
	for (unsigned f = 0; f < 2; f++)
		printf("%sbytes per %s connection (every per-connection structure): %zu at %u "
		       "connections, %zu at %u (%zu connections per GiB)\n", f ? "" : "\n",
		       f ? "IPv6" : "IPv4", bpc[f][0], BPC_ODD, bpc[f][1], BPC_POW2,
		       bpc[f][1] ? (size_t)(1ull << 30) / bpc[f][1] : 0);
	printf("bytes per connection with the default v6 pool (a line per 16 "
	       "connections): %zu at %u\n", bpc_pool, BPC_POW2);
	if (churn)
		printf("churn: %.0f changes/s applied (%.2f ms each), %u refused, "
		       "%ld packets lost\n", churn->changes_per_s, churn->change_ms,
		       churn->changes_failed, (long)churn->lost);
	if (one_lip)
		printf("one_lip_1m: %lu connections to 16 servers through one local address "
		       "over %u runs, %u local ports in the last; %lu steered, "
		       "port_exhausted %lu\n",
		       (unsigned long)one_lip->created, one_lip->runs, one_lip->lports_used,
		       (unsigned long)one_lip->steered, (unsigned long)one_lip->port_exhausted);
	double mh_ms = maglev_build_ms();
	printf("maglev table build, 1000 servers x %u slots: %.2f ms\n",
	       SL_MH_DEFAULT_SIZE, mh_ms);
	write_json(json, res, n, base, bpc, churn, mh_ms, failed);
	printf("results written to %s\n", json);
	if (failed) {
		fprintf(stderr, "bench: FAILED: frames went missing, or a sync row's records (see the table)\n");
		return 3;
	}
	return 0;
}
