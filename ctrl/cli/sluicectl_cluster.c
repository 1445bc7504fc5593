/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sluicectl's `cluster status`: this node, then one line per peer, then
 * each peer's refusals, then what this node announces for others.
 */
#include <stdio.h>

#include "sluicectl.h"

static const char *ms(const json_t *o, const char *key, char *buf, size_t len)
{
	const json_t *v = json_object_get(o, key);

	if (!json_is_integer(v))
		return "never";
	snprintf(buf, len, "%lld ms", (long long)json_integer_value(v));
	return buf;
}

static void peers_table(const json_t *peers)
{
	static const char *const head[] = { "PEER", "ADDRESS", "STATE", "READY", "HEARD",
		"LAG", "RX-REC", "TX-REC", "LOST", "REPLAYS", "BAD-HMAC" };
	struct slc_table *t = slc_table_new(11, head, 0x7c0u);
	const json_t *p;
	char a[32], b[32];
	size_t i;

	json_array_foreach(peers, i, p) {
		const json_t *c = json_object_get(p, "counters");
		slc_table_add(t, slc_str(p, "name"));
		slc_table_add(t, slc_str(p, "address"));
		slc_table_add(t, slc_str(p, "state"));
		slc_table_add(t, json_is_true(json_object_get(p, "ready")) ? "yes" : "no");
		slc_table_add(t, ms(p, "last_heard_ms_ago", a, sizeof(a)));
		slc_table_add(t, ms(p, "sync_lag_ms", b, sizeof(b)));
		slc_add_num(t, c, "rx_records");
		slc_add_num(t, c, "tx_records");
		slc_add_num(t, c, "lost");
		slc_add_num(t, c, "replays");
		slc_add_num(t, c, "bad_hmac");
	}
	slc_table_print(t, stdout, "");
	slc_table_free(t);
}

/* The refusals other than those in the table, when any is non-zero. */
static void refusals(const json_t *peers)
{
	static const char *const keys[] = { "truncated", "bad_magic", "bad_version",
		"bad_type", "bad_record", "bad_sender", "refused_vip", "refused_laddr",
		"refused_share", "tx_errors" };
	const json_t *p;
	size_t i;

	json_array_foreach(peers, i, p) {
		const json_t *c = json_object_get(p, "counters");
		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
			json_int_t v = json_integer_value(json_object_get(c, keys[k]));
			if (v)
				printf("  %s %s: %lld\n", slc_str(p, "name"), keys[k], (long long)v);
		}
	}
}

void slc_print_cluster_status(const json_t *args, const json_t *result)
{
	const json_t *take = json_object_get(result, "takeover"), *x;
	const json_t *c = json_object_get(result, "counters");
	size_t i;

	(void)args;
	printf("node %s, sync %s port %lld, %s\n", slc_str(result, "node"),
	       slc_str(result, "sync_address"),
	       (long long)json_integer_value(json_object_get(result, "sync_port")),
	       json_is_true(json_object_get(result, "ready")) ?
	       "ready (has its full dump)" : "NOT ready: announces nothing until it has the dump");
	peers_table(json_object_get(result, "peers"));
	refusals(json_object_get(result, "peers"));
	x = json_object_get(result, "workers");
	printf("in the tables: %lld installed, %lld updated, %lld removed; refused: "
	       "%lld over a share, %lld table full, %lld on the wrong worker\n",
	       (long long)json_integer_value(json_object_get(x, "installed")),
	       (long long)json_integer_value(json_object_get(x, "updated")),
	       (long long)json_integer_value(json_object_get(x, "removed")),
	       (long long)json_integer_value(json_object_get(x, "refused_share")),
	       (long long)json_integer_value(json_object_get(x, "refused_table")),
	       (long long)json_integer_value(json_object_get(x, "refused_owner")));
	printf("from unknown sources: %lld datagrams; dump timeouts: %lld\n",
	       (long long)json_integer_value(json_object_get(c, "unknown_peer")),
	       (long long)json_integer_value(json_object_get(c, "dump_timeouts")));
	if (json_array_size(take) == 0) {
		puts("announces no peer's local address");
		return;
	}
	json_array_foreach(take, i, x)
		printf("announces %s for %s (%s)\n", slc_str(x, "address"), slc_str(x, "of"),
		       slc_str(x, "why"));
}
