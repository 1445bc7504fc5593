/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Answers for a human: a one-line confirmation for each change, tables
 * for lists and statistics. Shapes follow ctrl/README.md, read leniently:
 * a member the daemon left out prints as "-" rather than failing, so an
 * older or newer daemon still gets readable output (and --json shows
 * exactly what it said). Counters are printed whole, never rounded, so
 * two runs can be compared digit by digit.
 */
#include <stdio.h>
#include <string.h>

#include "dp_types.h"
#include "sluicectl.h"

#define NUM_LEN 32
#define MAX_COLS 16

/* A heading next to the member it shows, so the two cannot drift apart. */
struct column {
	const char *heading;
	const char *key;
};

static const char *str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s && *s ? s : "-";
}

/* A count, or the sum of counts by reason: a worker's "drops" is an
 * object of reasons where the totals' "drops" is one number. */
static bool int_of(const json_t *j, json_int_t *v)
{
	const char *k;
	json_t *m;
	json_int_t part;

	if (json_is_integer(j)) {
		*v = json_integer_value(j);
	} else if (json_is_real(j)) {
		*v = (json_int_t)json_real_value(j);
	} else if (json_is_object(j)) {
		*v = 0;
		json_object_foreach((json_t *)j, k, m)
			if (json_is_integer(m) && int_of(m, &part))
				*v += part;
	} else {
		return false;
	}
	return true;
}

static char *num(const json_t *o, const char *key, char *buf)
{
	json_int_t v;

	if (!int_of(json_object_get(o, key), &v))
		return strcpy(buf, "-");
	snprintf(buf, NUM_LEN, "%" JSON_INTEGER_FORMAT, v);
	return buf;
}

static void add_num(struct slc_table *t, const json_t *o, const char *key)
{
	char buf[NUM_LEN];

	slc_table_add(t, num(o, key, buf));
}

/* Seconds as "42s", "5m03s", "2h05m", "3d04h": ages and timeouts are read
 * at a glance, and to the second only when they are short. */
static char *fmt_duration(long long s, char *buf, size_t len)
{
	if (s < 0)
		snprintf(buf, len, "-");
	else if (s < 60)
		snprintf(buf, len, "%llds", s);
	else if (s < 3600)
		snprintf(buf, len, "%lldm%02llds", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, len, "%lldh%02lldm", s / 3600, s % 3600 / 60);
	else
		snprintf(buf, len, "%lldd%02lldh", s / 86400, s % 86400 / 3600);
	return buf;
}

static void add_duration(struct slc_table *t, const json_t *o, const char *key)
{
	char buf[NUM_LEN];
	json_int_t v;

	if (!int_of(json_object_get(o, key), &v))
		v = -1;
	slc_table_add(t, fmt_duration(v, buf, sizeof(buf)));
}

/* "A.B.C.D:PORT" from two members. */
static char *ipport(const json_t *o, const char *ipkey, const char *portkey,
		    char *buf, size_t len)
{
	char p[NUM_LEN];

	snprintf(buf, len, "%s:%s", str(o, ipkey), num(o, portkey, p));
	return buf;
}

/* "198.18.0.100:80/tcp", the way confirmations name a service. */
static char *service(const json_t *o, const char *portkey, char *buf,
		     size_t len)
{
	char p[NUM_LEN];

	snprintf(buf, len, "%s:%s/%s", str(o, "vip"), num(o, portkey, p),
		 str(o, "proto"));
	return buf;
}

void slc_print_json(FILE *f, const json_t *j)
{
	if (!j || json_dumpf(j, f, JSON_INDENT(2) | JSON_ENCODE_ANY) < 0)
		fputs("null", f);
	fputc('\n', f);
}

/* The array `key` of the result; prints `none` and returns NULL if it is
 * missing or empty. */
static json_t *list_of(const json_t *result, const char *key,
		       const char *none)
{
	json_t *a = json_object_get(result, key);

	if (json_is_array(a) && json_array_size(a) > 0)
		return a;
	puts(none);
	return NULL;
}

void slc_print_vip_add(const json_t *args, const json_t *result)
{
	const char *sched = json_string_value(json_object_get(result, "scheduler"));
	char svc[96];

	if (!sched)
		sched = json_string_value(json_object_get(args, "scheduler"));
	printf("added VIP %s", service(args, "port", svc, sizeof(svc)));
	if (sched)
		printf(" (scheduler %s)", sched);
	putchar('\n');
}

void slc_print_vip_del(const json_t *args, const json_t *result)
{
	char svc[96];

	(void)result;
	printf("deleted VIP %s and its real servers\n",
	       service(args, "port", svc, sizeof(svc)));
}

/* "check=tcp/2000ms persist=300s hash_ports on_down=flush": what a
 * service has beyond the defaults, "-" if nothing. */
static const char *svc_options(const json_t *vip, char *buf, size_t size)
{
	const json_t *hc = json_object_get(vip, "health_check");
	json_int_t persist = 0;
	char n[NUM_LEN];
	size_t len = 0;

	buf[0] = '\0';
	if (hc && strcmp(str(hc, "type"), "none"))
		len += (size_t)snprintf(buf + len, size - len, "check=%s/%sms ",
					str(hc, "type"), num(hc, "interval_ms", n));
	if (int_of(json_object_get(vip, "persist_s"), &persist) && persist &&
	    len < size)
		len += (size_t)snprintf(buf + len, size - len, "persist=%llds ",
					(long long)persist);
	if (json_is_true(json_object_get(vip, "hash_ports")) && len < size)
		len += (size_t)snprintf(buf + len, size - len, "hash_ports ");
	if (!strcmp(str(vip, "on_down"), "flush") && len < size)
		len += (size_t)snprintf(buf + len, size - len, "on_down=flush");
	while (len > 0 && len < size && buf[len - 1] == ' ')
		buf[--len] = '\0';
	return buf[0] ? buf : "-";
}

static void vip_rows(struct slc_table *t, const json_t *vip)
{
	json_t *servers = json_object_get(vip, "real_servers");
	json_t *rs;
	size_t i;
	char buf[64];

	slc_table_add(t, ipport(vip, "vip", "port", buf, sizeof(buf)));
	slc_table_add(t, str(vip, "proto"));
	char opts[160];

	slc_table_add(t, str(vip, "scheduler"));
	slc_table_add(t, "");
	slc_table_add(t, svc_options(vip, opts, sizeof(opts)));
	if (json_array_size(servers) == 0) {
		slc_table_add(t, "  (no real servers)");
		for (unsigned c = 0; c < 4; c++)
			slc_table_add(t, "");
	}
	json_array_foreach(servers, i, rs) {
		slc_table_addf(t, "  %s", ipport(rs, "ip", "port", buf, sizeof(buf)));
		slc_table_add(t, "");
		slc_table_add(t, "");
		add_num(t, rs, "weight");
		slc_table_add(t, json_object_get(rs, "health_check") ? "own check" : "");
	}
}

/* Services with their real servers indented beneath, in one table so
 * the columns line up across both. */
void slc_print_vip_list(const json_t *args, const json_t *result)
{
	static const char *const head[] = { "VIP", "PROTO", "SCHED", "WEIGHT",
					    "OPTIONS" };
	json_t *vips = list_of(result, "vips", "no virtual services");
	struct slc_table *t;
	json_t *vip;
	size_t i;

	(void)args;
	if (!vips)
		return;
	t = slc_table_new(5, head, 1u << 3);
	json_array_foreach(vips, i, vip)
		vip_rows(t, vip);
	slc_table_print(t, stdout, "");
	slc_table_free(t);
}

/* The real server of an rs.* request, "198.18.1.11:8080". */
static char *rs_of(const json_t *args, char *buf, size_t len)
{
	return ipport(json_object_get(args, "rs"), "ip", "port", buf, len);
}

void slc_print_rs_add(const json_t *args, const json_t *result)
{
	const json_t *src = json_object_get(result, "weight") ?
				    result : json_object_get(args, "rs");
	char rs[64], svc[96], wbuf[NUM_LEN];

	printf("added real server %s", rs_of(args, rs, sizeof(rs)));
	if (json_object_get(src, "weight"))
		printf(" (weight %s)", num(src, "weight", wbuf));
	printf(" to %s\n", service(args, "port", svc, sizeof(svc)));
}

void slc_print_rs_del(const json_t *args, const json_t *result)
{
	char rs[64], svc[96];

	printf("deleted real server %s from %s%s\n", rs_of(args, rs, sizeof(rs)),
	       service(args, "port", svc, sizeof(svc)),
	       json_is_true(json_object_get(result, "flushed"))
		       ? "; its connections are being reset" : "");
}

void slc_print_rs_set(const json_t *args, const json_t *result)
{
	const json_t *src = json_object_get(result, "weight") ?
				    result : json_object_get(args, "rs");
	char rs[64], svc[96], wbuf[NUM_LEN];

	rs_of(args, rs, sizeof(rs));
	service(args, "port", svc, sizeof(svc));
	if (json_object_get(json_object_get(args, "rs"), "health_check"))
		printf("set the health-check overrides of real server %s in %s\n",
		       rs, svc);
	if (!json_object_get(json_object_get(args, "rs"), "weight"))
		return;
	num(src, "weight", wbuf);
	printf("set weight of real server %s in %s to %s%s\n", rs, svc, wbuf,
	       strcmp(wbuf, "0") ? "" : " (draining: no new connections)");
}

void slc_print_vip_set(const json_t *args, const json_t *result)
{
	char svc[96], opts[160];

	printf("updated VIP %s: scheduler %s, options %s\n",
	       service(args, "port", svc, sizeof(svc)), str(result, "scheduler"),
	       svc_options(result, opts, sizeof(opts)));
}

/* "ok 120ms ago: tcp: connected in 1 ms" */
static void add_last_check(struct slc_table *t, const json_t *rs)
{
	const json_t *lc = json_object_get(rs, "last_check");
	json_int_t ago;

	if (!json_is_object(lc)) {
		slc_table_add(t, strcmp(str(json_object_get(rs, "check"), "type"), "none")
					 ? "(not yet)" : "-");
		return;
	}
	if (!int_of(json_object_get(lc, "ago_ms"), &ago))
		ago = -1;
	slc_table_addf(t, "%s %lldms ago: %s",
		       json_is_true(json_object_get(lc, "ok")) ? "ok" : "FAILED",
		       (long long)ago, str(lc, "reason"));
}

void slc_print_rs_list(const json_t *args, const json_t *result)
{
	static const char *const head[] = { "RS", "WEIGHT", "STATE", "ACTIVE",
		"CONNS", "IN-STATE", "CHECK", "LAST CHECK" };
	json_t *l = list_of(result, "real_servers", "no real servers"), *rs;
	struct slc_table *t;
	char buf[64];
	size_t i;

	(void)args;
	if (!l)
		return;
	t = slc_table_new(8, head, 0x3au);
	json_array_foreach(l, i, rs) {
		const json_t *c = json_object_get(rs, "check");
		slc_table_add(t, ipport(rs, "ip", "port", buf, sizeof(buf)));
		add_num(t, rs, "weight");
		slc_table_add(t, str(rs, "state"));
		add_num(t, rs, "active_conns");
		add_num(t, rs, "conns");
		add_duration(t, rs, "in_state_s");
		slc_table_add(t, str(c, "type"));
		add_last_check(t, rs);
	}
	slc_table_print(t, stdout, "");
	slc_table_free(t);
}

void slc_print_laddr_add(const json_t *args, const json_t *result)
{
	const char *port = json_string_value(json_object_get(result, "port"));
	char slot[NUM_LEN];

	if (!port)
		port = json_string_value(json_object_get(args, "port"));
	printf("added local address %s", str(args, "ip"));
	if (port)
		printf(" on port %s", port);
	if (json_object_get(result, "slot"))
		printf(" (slot %s)", num(result, "slot", slot));
	putchar('\n');
}

void slc_print_laddr_del(const json_t *args, const json_t *result)
{
	(void)result;
	printf("deleted local address %s\n", str(args, "ip"));
}

/* A table with one row per array element; `cols` (at most MAX_COLS)
 * name the members, numbers right-aligned where bit i of right_mask is
 * set. */
static void simple_table(const json_t *rows, const struct column *cols,
			 unsigned ncols, unsigned right_mask, const char *indent)
{
	const char *head[MAX_COLS];
	struct slc_table *t;
	json_t *row;
	size_t i;

	if (ncols > MAX_COLS)
		ncols = MAX_COLS;
	for (unsigned c = 0; c < ncols; c++)
		head[c] = cols[c].heading;
	t = slc_table_new(ncols, head, right_mask);
	json_array_foreach(rows, i, row) {
		for (unsigned c = 0; c < ncols; c++) {
			if (right_mask & (1u << c))
				add_num(t, row, cols[c].key);
			else
				slc_table_add(t, str(row, cols[c].key));
		}
	}
	slc_table_print(t, stdout, indent);
	slc_table_free(t);
}

void slc_print_laddr_list(const json_t *args, const json_t *result)
{
	static const struct column cols[] = {
		{ "IP", "ip" }, { "PORT", "port" }, { "SLOT", "slot" },
	};
	json_t *l = list_of(result, "local_addresses", "no local addresses");

	(void)args;
	if (l)
		simple_table(l, cols, 3, 1u << 2, "");
}

void slc_print_neigh_add(const json_t *args, const json_t *result)
{
	(void)result;
	printf("added static neighbor %s at %s", str(args, "ip"),
	       str(args, "mac"));
	if (json_object_get(args, "port"))
		printf(" on port %s", str(args, "port"));
	putchar('\n');
}

void slc_print_neigh_del(const json_t *args, const json_t *result)
{
	(void)result;
	printf("deleted neighbor %s\n", str(args, "ip"));
}

void slc_print_neigh_list(const json_t *args, const json_t *result)
{
	static const char *const head[] = { "IP", "MAC", "PORT", "STATE", "AGE" };
	json_t *l = list_of(result, "neighbors", "no neighbors");
	struct slc_table *t;
	json_t *n;
	size_t i;

	(void)args;
	if (!l)
		return;
	t = slc_table_new(5, head, 1u << 4);
	json_array_foreach(l, i, n) {
		slc_table_add(t, str(n, "ip"));
		slc_table_add(t, str(n, "mac"));
		slc_table_add(t, str(n, "port"));
		slc_table_add(t, str(n, "state"));
		add_duration(t, n, "age_s");
	}
	slc_table_print(t, stdout, "");
	slc_table_free(t);
}

/* Connections and SNAT sessions: `nstr` string columns (`keys`), then
 * expiry, age and worker. */
static void flow_table(const json_t *l, const char *const *head,
		       const char *const *keys, unsigned nstr, unsigned right)
{
	struct slc_table *t = slc_table_new(nstr + 3, head, right);
	json_t *c;
	size_t i;

	json_array_foreach(l, i, c) {
		for (unsigned k = 0; k < nstr; k++)
			slc_table_add(t, str(c, keys[k]));
		add_duration(t, c, "expires_in_s");
		add_duration(t, c, "age_s");
		add_num(t, c, "worker");
	}
	slc_table_print(t, stdout, "");
	slc_table_free(t);
}

void slc_print_conn_list(const json_t *args, const json_t *result)
{
	static const char *const head[] = { "PROTO", "CLIENT", "VIP", "LOCAL",
		"RS", "STATE", "EXPIRES", "AGE", "WORKER" };
	static const char *const keys[] = { "proto", "client", "vip", "local",
		"rs", "state" };
	json_t *l = list_of(result, "connections", "no connections");

	(void)args;
	if (l)
		flow_table(l, head, keys, 6, 0x3u << 7);
	if (json_is_true(json_object_get(result, "truncated")))
		printf("(truncated: more connections matched than the %zu "
		       "shown; see --limit and --vip)\n", json_array_size(l));
}

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
		add_num(t, o, traffic_keys[i]);
}

static void stats_totals(const json_t *result)
{
	json_t *totals = json_object_get(result, "totals"), *v;
	struct slc_table *t = slc_table_new(2, NULL, 1u << 1);
	char up[NUM_LEN];
	json_int_t s;
	const char *k;

	if (!int_of(json_object_get(result, "uptime_s"), &s))
		s = -1;
	printf("Totals (uptime %s)\n", fmt_duration(s, up, sizeof(up)));
	json_object_foreach(totals, k, v) {
		slc_table_add(t, k);
		add_num(t, totals, k);
	}
	slc_table_print(t, stdout, "  ");
	slc_table_free(t);
}

static void stats_workers(const json_t *result)
{
	static const struct column cols[] = {
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
		simple_table(w, cols, 8, 0xffu, "  ");
}

static void stats_ports(const json_t *result)
{
	static const struct column cols[] = {
		{ "PORT", "port" }, { "RX-PKTS", "rx_packets" },
		{ "TX-PKTS", "tx_packets" }, { "RX-MISSED", "rx_missed" },
		{ "RX-ERRORS", "rx_errors" }, { "TX-ERRORS", "tx_errors" },
	};
	json_t *l = json_object_get(result, "ports");

	if (json_array_size(l) == 0)
		return;
	puts("\nPorts (driver counters)");
	simple_table(l, cols, 6, 0x3eu, "  ");
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
		slc_table_add(t, ipport(v, "vip", "port", buf, sizeof(buf)));
		slc_table_add(t, str(v, "proto"));
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
		slc_table_add(t, ipport(v, "vip", "vport", buf, sizeof(buf)));
		slc_table_add(t, str(v, "proto"));
		slc_table_add(t, ipport(v, "ip", "port", buf, sizeof(buf)));
		add_num(t, v, "weight");
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
		if (!int_of(v, &n) || n == 0)
			continue;
		slc_table_add(t, k);
		add_num(t, drops, k);
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
void slc_print_config(const json_t *args, const json_t *result)
{
	json_t *cfg = json_object_get(result, "config");

	(void)args;
	slc_print_json(stdout, cfg ? cfg : result);
}

/* ---- source NAT ---- */

void slc_print_snat_add(const json_t *args, const json_t *result)
{
	(void)args;
	printf("added SNAT rule %s -> %s on port %s (%s filtering)\n",
	       str(result, "src"), str(result, "pool"), str(result, "port"),
	       str(result, "filtering"));
}

void slc_print_snat_del(const json_t *args, const json_t *result)
{
	(void)result;
	printf("deleted SNAT rule %s\n", str(args, "src"));
}

void slc_print_snat_list(const json_t *args, const json_t *result)
{
	static const struct column cols[] = {
		{ "SRC", "src" }, { "POOL", "pool" }, { "PORT", "port" },
		{ "FILTERING", "filtering" },
	};
	json_t *l = list_of(result, "rules", "no SNAT rules");

	(void)args;
	if (l)
		simple_table(l, cols, 4, 0, "");
}

void slc_print_snat_sessions(const json_t *args, const json_t *result)
{
	static const char *const head[] = { "PROTO", "INSIDE", "OUTSIDE", "REMOTE",
					    "STATE", "EXPIRES", "AGE", "WORKER" };
	static const char *const keys[] = { "proto", "inside", "outside", "remote",
					    "state" };
	json_t *l = list_of(result, "sessions", "no SNAT sessions");

	(void)args;
	if (l)
		flow_table(l, head, keys, 5, 0x7u << 5);
	if (json_is_true(json_object_get(result, "truncated")))
		printf("(truncated: %lld sessions matched)\n",
		       (long long)json_integer_value(json_object_get(result, "count")));
}
