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

void slc_print_vip_add(const json_t *args, const json_t *result)
{
	const char *sched = json_string_value(json_object_get(result, "scheduler"));
	char svc[96];

	if (!sched)
		sched = json_string_value(json_object_get(args, "scheduler"));
	printf("added VIP %s", slc_service(args, "port", svc, sizeof(svc)));
	if (sched)
		printf(" (scheduler %s)", sched);
	putchar('\n');
}

void slc_print_vip_del(const json_t *args, const json_t *result)
{
	char svc[96];

	(void)result;
	printf("deleted VIP %s and its real servers\n",
	       slc_service(args, "port", svc, sizeof(svc)));
}

/* "check=tcp/2000ms persist=300s hash_ports on_down=flush": what a
 * service has beyond the defaults, "-" if nothing. */
static const char *svc_options(const json_t *vip, char *buf, size_t size)
{
	const json_t *hc = json_object_get(vip, "health_check");
	json_int_t persist = 0;
	char n[SLC_NUM_LEN];
	size_t len = 0;

	buf[0] = '\0';
	if (hc && strcmp(slc_str(hc, "type"), "none"))
		len += (size_t)snprintf(buf + len, size - len, "check=%s/%sms ",
					slc_str(hc, "type"), slc_num(hc, "interval_ms", n));
	if (slc_int_of(json_object_get(vip, "persist_s"), &persist) && persist &&
	    len < size)
		len += (size_t)snprintf(buf + len, size - len, "persist=%llds ",
					(long long)persist);
	if (json_is_true(json_object_get(vip, "hash_ports")) && len < size)
		len += (size_t)snprintf(buf + len, size - len, "hash_ports ");
	if (!strcmp(slc_str(vip, "on_down"), "flush") && len < size)
		len += (size_t)snprintf(buf + len, size - len, "on_down=flush ");
	if (!strcmp(slc_str(vip, "announce_when"), "all") && len < size)
		len += (size_t)snprintf(buf + len, size - len, "announce=all ");
	json_int_t panic = 0;
	if (slc_int_of(json_object_get(vip, "panic_percent"), &panic) && panic &&
	    len < size)
		len += (size_t)snprintf(buf + len, size - len, "panic=%lld%% ",
					(long long)panic);
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

	slc_table_add(t, slc_ipport(vip, "vip", "port", buf, sizeof(buf)));
	slc_table_add(t, slc_str(vip, "proto"));
	char opts[160];

	slc_table_add(t, slc_str(vip, "scheduler"));
	slc_table_add(t, "");
	slc_table_add(t, svc_options(vip, opts, sizeof(opts)));
	if (json_array_size(servers) == 0) {
		slc_table_add(t, "  (no real servers)");
		for (unsigned c = 0; c < 4; c++)
			slc_table_add(t, "");
	}
	json_array_foreach(servers, i, rs) {
		slc_table_addf(t, "  %s", slc_ipport(rs, "ip", "port", buf, sizeof(buf)));
		slc_table_add(t, "");
		slc_table_add(t, "");
		slc_add_num(t, rs, "weight");
		slc_table_add(t, json_object_get(rs, "health_check") ? "own check" : "");
	}
}

/* Services with their real servers indented beneath, in one table so
 * the columns line up across both. */
void slc_print_vip_list(const json_t *args, const json_t *result)
{
	static const char *const head[] = { "VIP", "PROTO", "SCHED", "WEIGHT",
					    "OPTIONS" };
	json_t *vips = slc_list_of(result, "vips", "no virtual services");
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
	return slc_ipport(json_object_get(args, "rs"), "ip", "port", buf, len);
}

void slc_print_rs_add(const json_t *args, const json_t *result)
{
	const json_t *src = json_object_get(result, "weight") ?
				    result : json_object_get(args, "rs");
	char rs[64], svc[96], wbuf[SLC_NUM_LEN];

	printf("added real server %s", rs_of(args, rs, sizeof(rs)));
	if (json_object_get(src, "weight"))
		printf(" (weight %s)", slc_num(src, "weight", wbuf));
	printf(" to %s\n", slc_service(args, "port", svc, sizeof(svc)));
}

void slc_print_rs_del(const json_t *args, const json_t *result)
{
	char rs[64], svc[96];

	printf("deleted real server %s from %s%s\n", rs_of(args, rs, sizeof(rs)),
	       slc_service(args, "port", svc, sizeof(svc)),
	       json_is_true(json_object_get(result, "flushed"))
		       ? "; its connections are being reset" : "");
}

void slc_print_rs_set(const json_t *args, const json_t *result)
{
	const json_t *src = json_object_get(result, "weight") ?
				    result : json_object_get(args, "rs");
	char rs[64], svc[96], wbuf[SLC_NUM_LEN];

	rs_of(args, rs, sizeof(rs));
	slc_service(args, "port", svc, sizeof(svc));
	if (json_object_get(json_object_get(args, "rs"), "health_check"))
		printf("set the health-check overrides of real server %s in %s\n",
		       rs, svc);
	if (!json_object_get(json_object_get(args, "rs"), "weight"))
		return;
	slc_num(src, "weight", wbuf);
	printf("set weight of real server %s in %s to %s%s\n", rs, svc, wbuf,
	       strcmp(wbuf, "0") ? "" : " (draining: no new connections)");
}

void slc_print_vip_set(const json_t *args, const json_t *result)
{
	char svc[96], opts[160];

	printf("updated VIP %s: scheduler %s, options %s\n",
	       slc_service(args, "port", svc, sizeof(svc)), slc_str(result, "scheduler"),
	       svc_options(result, opts, sizeof(opts)));
}

/* "tcp", or with health.path "data": "tcp (data: sl-lan from 198.18.1.5)" */
static void add_check(struct slc_table *t, const json_t *check, const json_t *rs)
{
	const char *path = json_string_value(json_object_get(rs, "check_path"));

	if (!path || strcmp(path, "kernel") == 0 ||
	    strcmp(slc_str(check, "type"), "none") == 0)
		slc_table_add(t, slc_str(check, "type"));
	else
		slc_table_addf(t, "%s (%s)", slc_str(check, "type"), path);
}

/* "ok 120ms ago: tcp: connected in 1 ms" */
static void add_last_check(struct slc_table *t, const json_t *rs)
{
	const json_t *lc = json_object_get(rs, "last_check");
	json_int_t ago;

	if (!json_is_object(lc)) {
		slc_table_add(t, strcmp(slc_str(json_object_get(rs, "check"), "type"), "none")
					 ? "(not yet)" : "-");
		return;
	}
	if (!slc_int_of(json_object_get(lc, "ago_ms"), &ago))
		ago = -1;
	slc_table_addf(t, "%s %lldms ago: %s",
		       json_is_true(json_object_get(lc, "ok")) ? "ok" : "FAILED",
		       (long long)ago, slc_str(lc, "reason"));
}

void slc_print_rs_list(const json_t *args, const json_t *result)
{
	static const char *const head[] = { "RS", "WEIGHT", "STATE", "ACTIVE",
		"CONNS", "IN-STATE", "CHECK", "LAST CHECK" };
	json_t *l = slc_list_of(result, "real_servers", "no real servers"), *rs;
	struct slc_table *t;
	char buf[64];
	size_t i;

	(void)args;
	if (!l)
		return;
	t = slc_table_new(8, head, 0x3au);
	json_array_foreach(l, i, rs) {
		const json_t *c = json_object_get(rs, "check");
		slc_table_add(t, slc_ipport(rs, "ip", "port", buf, sizeof(buf)));
		slc_add_num(t, rs, "weight");
		slc_table_add(t, slc_str(rs, "state"));
		slc_add_num(t, rs, "active_conns");
		slc_add_num(t, rs, "conns");
		slc_add_duration(t, rs, "in_state_s");
		add_check(t, c, rs);
		add_last_check(t, rs);
	}
	slc_table_print(t, stdout, "");
	slc_table_free(t);
}

void slc_print_laddr_add(const json_t *args, const json_t *result)
{
	const char *port = json_string_value(json_object_get(result, "port"));
	char slot[SLC_NUM_LEN];

	if (!port)
		port = json_string_value(json_object_get(args, "port"));
	printf("added local address %s", slc_str(args, "ip"));
	if (port)
		printf(" on port %s", port);
	if (json_object_get(result, "slot"))
		printf(" (slot %s)", slc_num(result, "slot", slot));
	putchar('\n');
}

void slc_print_laddr_del(const json_t *args, const json_t *result)
{
	(void)result;
	printf("deleted local address %s\n", slc_str(args, "ip"));
}

void slc_print_laddr_list(const json_t *args, const json_t *result)
{
	static const struct slc_column cols[] = {
		{ "IP", "ip" }, { "PORT", "port" }, { "SLOT", "slot" },
	};
	json_t *l = slc_list_of(result, "local_addresses", "no local addresses");

	(void)args;
	if (l)
		slc_simple_table(l, cols, 3, 1u << 2, "");
}

void slc_print_neigh_add(const json_t *args, const json_t *result)
{
	(void)result;
	printf("added static neighbor %s at %s", slc_str(args, "ip"),
	       slc_str(args, "mac"));
	if (json_object_get(args, "port"))
		printf(" on port %s", slc_str(args, "port"));
	putchar('\n');
}

void slc_print_neigh_del(const json_t *args, const json_t *result)
{
	(void)result;
	printf("deleted neighbor %s\n", slc_str(args, "ip"));
}

void slc_print_neigh_list(const json_t *args, const json_t *result)
{
	static const char *const head[] = { "IP", "MAC", "PORT", "STATE", "AGE" };
	json_t *l = slc_list_of(result, "neighbors", "no neighbors");
	struct slc_table *t;
	json_t *n;
	size_t i;

	(void)args;
	if (!l)
		return;
	t = slc_table_new(5, head, 1u << 4);
	json_array_foreach(l, i, n) {
		slc_table_add(t, slc_str(n, "ip"));
		slc_table_add(t, slc_str(n, "mac"));
		slc_table_add(t, slc_str(n, "port"));
		slc_table_add(t, slc_str(n, "state"));
		slc_add_duration(t, n, "age_s");
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
			slc_table_add(t, slc_str(c, keys[k]));
		slc_add_duration(t, c, "expires_in_s");
		slc_add_duration(t, c, "age_s");
		slc_add_num(t, c, "worker");
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
	json_t *l = slc_list_of(result, "connections", "no connections");

	(void)args;
	if (l)
		flow_table(l, head, keys, 6, 0x3u << 7);
	if (json_is_true(json_object_get(result, "truncated")))
		printf("(truncated: more connections matched than the %zu "
		       "shown; see --limit and --vip)\n", json_array_size(l));
}

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
	       slc_str(result, "src"), slc_str(result, "pool"), slc_str(result, "port"),
	       slc_str(result, "filtering"));
}

void slc_print_snat_del(const json_t *args, const json_t *result)
{
	(void)result;
	printf("deleted SNAT rule %s\n", slc_str(args, "src"));
}

void slc_print_snat_list(const json_t *args, const json_t *result)
{
	static const struct slc_column cols[] = {
		{ "SRC", "src" }, { "POOL", "pool" }, { "PORT", "port" },
		{ "FILTERING", "filtering" },
	};
	json_t *l = slc_list_of(result, "rules", "no SNAT rules");

	(void)args;
	if (l)
		slc_simple_table(l, cols, 4, 0, "");
}

void slc_print_snat_sessions(const json_t *args, const json_t *result)
{
	static const char *const head[] = { "PROTO", "INSIDE", "OUTSIDE", "REMOTE",
					    "STATE", "EXPIRES", "AGE", "WORKER" };
	static const char *const keys[] = { "proto", "inside", "outside", "remote",
					    "state" };
	json_t *l = slc_list_of(result, "sessions", "no SNAT sessions");

	(void)args;
	if (l)
		flow_table(l, head, keys, 5, 0x7u << 5);
	if (json_is_true(json_object_get(result, "truncated")))
		printf("(truncated: %lld sessions matched)\n",
		       (long long)json_integer_value(json_object_get(result, "count")));
}
