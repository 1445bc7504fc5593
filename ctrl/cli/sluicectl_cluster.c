/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sluicectl's `cluster status`: this node, then one line per peer, then
 * each peer's other counters, the engine's, control thread's and
 * workers' sync counters (those not 0; --json has every one), what this
 * node announces, and the peers' addresses it announces for them.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

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
		"LAST-REC", "RX-REC", "TX-REC", "LOST", "REPLAYS", "BAD-HMAC" };
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
		slc_table_add(t, ms(p, "last_record_ms_ago", b, sizeof(b)));
		slc_add_num(t, c, "rx_records");
		slc_add_num(t, c, "tx_records");
		slc_add_num(t, c, "lost");
		slc_add_num(t, c, "replays");
		slc_add_num(t, c, "bad_hmac");
	}
	slc_table_print(t, stdout, "");
	slc_table_free(t);
}

/* Every integer member of `o` that is not 0 and not in skip[] (NULL
 * ended), as "label: key value, ..." on one line; nothing when none. */
static void nonzero_line(const char *label, const json_t *o, const char *const *skip)
{
	const char *key;
	const json_t *v;
	bool any = false;

	json_object_foreach((json_t *)o, key, v) {
		bool skipped = false;
		for (const char *const *k = skip; k && *k && !skipped; k++)
			skipped = !strcmp(*k, key);
		if (skipped || !json_is_integer(v) || json_integer_value(v) == 0)
			continue;
		printf("%s%s %lld", any ? ", " : label, key, (long long)json_integer_value(v));
		any = true;
	}
	if (any)
		putchar('\n');
}

/* Each peer's counters beyond the table (refusals, dumps, deaths...) and
 * the connections it holds here, when not 0. */
static void peer_details(const json_t *peers)
{
	static const char *const in_table[] = { "rx_records", "tx_records", "lost", "replays",
		"bad_hmac", NULL };
	const json_t *p;
	char label[96];
	size_t i;

	json_array_foreach(peers, i, p) {
		snprintf(label, sizeof(label), "  %s: ", slc_str(p, "name"));
		nonzero_line(label, json_object_get(p, "counters"), in_table);
		json_int_t held = json_integer_value(json_object_get(p, "connections_held"));
		if (held)
			printf("  %s: holds %lld connections here\n", slc_str(p, "name"),
			       (long long)held);
	}
}

/* What this node announces (stats "announce", node status has the list). */
static void announce_line(const json_t *a)
{
	const json_t *r = json_object_get(a, "routes");

	if (!json_is_object(a))
		return;
	printf("announces %lld VIP, %lld local and %lld taken-over routes%s%s%s\n",
	       (long long)json_integer_value(json_object_get(r, "vip")),
	       (long long)json_integer_value(json_object_get(r, "local")),
	       (long long)json_integer_value(json_object_get(r, "takeover")),
	       json_is_true(json_object_get(a, "drained")) ? "; node drained" : "",
	       json_is_true(json_object_get(a, "gate_open")) ? "" : "; VIPs gated (no dump)",
	       json_is_true(json_object_get(a, "in_step")) ? "" : "; table not in step yet");
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
	peer_details(json_object_get(result, "peers"));
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
	nonzero_line("engine: ", c, (const char *const[]){ "unknown_peer", "dump_timeouts", NULL });
	nonzero_line("control thread: ", json_object_get(result, "sync"), NULL);
	nonzero_line("workers: ", json_object_get(result, "workers"),
		     (const char *const[]){ "installed", "updated", "removed", "refused_share",
					    "refused_table", "refused_owner", NULL });
	announce_line(json_object_get(result, "announce"));
	if (json_array_size(take) == 0) {
		puts("announces no peer's local address");
		return;
	}
	json_array_foreach(take, i, x)
		printf("announces %s for %s (%s)\n", slc_str(x, "address"), slc_str(x, "of"),
		       slc_str(x, "why"));
}
