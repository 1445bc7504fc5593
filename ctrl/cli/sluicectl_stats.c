/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `sluicectl stats`: the totals, then one table each for workers, ports,
 * services, real servers and drop reasons. Counters are printed whole so
 * two runs can be compared digit by digit.
 */
#include <stdio.h>
#include <string.h>

#include "dp_types.h"
#include "sluicectl.h"

/* Per service and per real server: the same traffic columns. */
static const char *const traffic_keys[] = {
	"conns", "active_conns", "packets_in", "packets_out", "bytes_in",
	"bytes_out",
};
#define TRAFFIC_HEADS "CONNS", "ACTIVE", "PKTS-IN", "PKTS-OUT", "BYTES-IN", \
		      "BYTES-OUT"

static void add_traffic(struct slc_table *t, const json_t *o)
{
	for (unsigned i = 0; i < SL_ARRAY_SIZE(traffic_keys); i++)
		slc_add_num(t, o, traffic_keys[i]);
}

static void stats_totals(const json_t *result)
{
	json_t *totals = json_object_get(result, "totals"), *v;
	struct slc_table *t = slc_table_new(2, NULL, 1u << 1);
	char up[SLC_NUM_LEN];
	json_int_t s;
	const char *k;

	if (!slc_int_of(json_object_get(result, "uptime_s"), &s))
		s = -1;
	printf("Totals (uptime %s)\n", slc_fmt_duration(s, up, sizeof(up)));
	json_object_foreach(totals, k, v) {
		slc_table_add(t, k);
		slc_add_num(t, totals, k);
	}
	slc_table_print(t, stdout, "  ");
	slc_table_free(t);
}

static void stats_workers(const json_t *result)
{
	static const struct slc_column cols[] = {
		{ "WORKER", "worker" }, { "RX-PKTS", "rx_packets" },
		{ "TX-PKTS", "tx_packets" }, { "CONNS", "conns_created" },
		{ "ACTIVE", "conns_active" }, { "STEERED-IN", "steered_in" },
		{ "STEERED-OUT", "steered_out" }, { "DROPS", "drops" },
	};
	json_t *w = json_object_get(result, "workers");

	puts("\nWorkers");
	if (json_array_size(w) == 0)
		puts("  none");
	else
		slc_simple_table(w, cols, 8, 0xffu, "  ");
}

static void stats_ports(const json_t *result)
{
	static const struct slc_column cols[] = {
		{ "PORT", "port" }, { "RX-PKTS", "rx_packets" },
		{ "TX-PKTS", "tx_packets" }, { "RX-MISSED", "rx_missed" },
		{ "RX-ERRORS", "rx_errors" }, { "TX-ERRORS", "tx_errors" },
	};
	json_t *l = json_object_get(result, "ports");

	if (json_array_size(l) == 0)
		return;
	puts("\nPorts (driver counters)");
	slc_simple_table(l, cols, 6, 0x3eu, "  ");
}

static void stats_vips(const json_t *result)
{
	static const char *const head[] = { "VIP", "PROTO", TRAFFIC_HEADS };
	json_t *l = json_object_get(result, "vips"), *v;
	struct slc_table *t;
	char buf[64];
	size_t i;

	puts("\nVirtual services");
	if (json_array_size(l) == 0) {
		puts("  none");
		return;
	}
	t = slc_table_new(8, head, 0x3fu << 2);
	json_array_foreach(l, i, v) {
		slc_table_add(t, slc_ipport(v, "vip", "port", buf, sizeof(buf)));
		slc_table_add(t, slc_str(v, "proto"));
		add_traffic(t, v);
	}
	slc_table_print(t, stdout, "  ");
	slc_table_free(t);
}

static void stats_servers(const json_t *result)
{
	static const char *const head[] = { "VIP", "PROTO", "RS", "WEIGHT",
					    TRAFFIC_HEADS };
	json_t *l = json_object_get(result, "real_servers"), *v;
	struct slc_table *t;
	char buf[64];
	size_t i;

	puts("\nReal servers");
	if (json_array_size(l) == 0) {
		puts("  none");
		return;
	}
	t = slc_table_new(10, head, 0x7fu << 3);
	json_array_foreach(l, i, v) {
		slc_table_add(t, slc_ipport(v, "vip", "vport", buf, sizeof(buf)));
		slc_table_add(t, slc_str(v, "proto"));
		slc_table_add(t, slc_ipport(v, "ip", "port", buf, sizeof(buf)));
		slc_add_num(t, v, "weight");
		add_traffic(t, v);
	}
	slc_table_print(t, stdout, "  ");
	slc_table_free(t);
}

/* Only the reasons that happened: the daemon lists all of them. */
static void stats_drops(const json_t *result)
{
	json_t *drops = json_object_get(result, "drops"), *v;
	struct slc_table *t = slc_table_new(2, NULL, 1u << 1);
	json_int_t n;
	const char *k;

	puts("\nDrops by reason");
	json_object_foreach(drops, k, v) {
		if (!slc_int_of(v, &n) || n == 0)
			continue;
		slc_table_add(t, k);
		slc_add_num(t, drops, k);
	}
	if (slc_table_rows(t) == 0)
		puts("  none");
	slc_table_print(t, stdout, "  ");
	slc_table_free(t);
}

void slc_print_stats(const json_t *args, const json_t *result)
{
	(void)args;
	stats_totals(result);
	stats_workers(result);
	stats_ports(result);
	stats_vips(result);
	stats_servers(result);
	stats_drops(result);
	slc_print_xdp_stats(result);
}

/* A config file, so always JSON, with or without --json. */
