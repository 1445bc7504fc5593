/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sluicectl's answers about the XDP program: blocklist commands, the SYN
 * rate, and the XDP section of `stats`.
 */
#include <string.h>

#include "dp_types.h"
#include "sluicectl.h"

/* "on wan, lan", or a warning when no port enforces the list. */
static void print_enforced(const json_t *result)
{
	json_t *ports = json_object_get(result, "enforced_on"), *p;
	size_t i;

	if (json_array_size(ports) == 0) {
		puts("  (no port runs Sluice's XDP program: kept, not enforced)");
		return;
	}
	printf("  enforced in XDP on");
	json_array_foreach(ports, i, p)
		printf("%s %s", i ? "," : "", json_string_value(p));
	putchar('\n');
}

void slc_print_blocklist_add(const json_t *args, const json_t *result)
{
	(void)args;
	printf("blocked %s\n", slc_str(result, "prefix"));
	print_enforced(result);
}

void slc_print_blocklist_del(const json_t *args, const json_t *result)
{
	(void)result;
	printf("unblocked %s\n", slc_str(args, "prefix"));
}

void slc_print_blocklist_list(const json_t *args, const json_t *result)
{
	static const char *const head[] = { "PREFIX", "HITS" };
	json_t *l = json_object_get(result, "blocklist"), *b;
	size_t i;

	(void)args;
	if (json_array_size(l) == 0) {
		puts("no blocked prefixes");
		return;
	}
	struct slc_table *t = slc_table_new(2, head, 1u << 1);
	json_array_foreach(l, i, b) {
		slc_table_add(t, slc_str(b, "prefix"));
		slc_add_num(t, b, "hits");
	}
	slc_table_print(t, stdout, "");
	slc_table_free(t);
	print_enforced(result);
}

void slc_print_xdp_set(const json_t *args, const json_t *result)
{
	json_int_t rate = json_integer_value(json_object_get(result, "syn_rate"));

	(void)args;
	if (rate == 0)
		puts("SYN rate limit off");
	else
		printf("SYN rate limit: %lld per second per source, bursts of %lld\n",
		       (long long)rate,
		       (long long)json_integer_value(json_object_get(result, "syn_burst")));
}

/* The counters of xdp_abi.h, per port running the program. */
void slc_print_xdp_stats(const json_t *result)
{
	static const char *const head[] = { "PORT", "RX", "REDIRECT", "PASS-HOST",
		"PASS-SHORT", "PASS-NOSOCK", "PASS-UNCONF", "DROP-BLOCK", "DROP-SYN",
		"DROP-SNAT-NOSOCK" };
	static const char *const keys[] = { "rx", "redirect", "pass_host",
		"pass_short", "pass_no_socket", "pass_unconfigured",
		"drop_blocklist", "drop_syn_rate", "drop_snat_no_socket" };
	json_t *ports = json_object_get(json_object_get(result, "xdp"), "ports"), *p;
	size_t i;

	if (json_array_size(ports) == 0)
		return;
	puts("\nXDP (net_af_xdp ports)");
	struct slc_table *t = slc_table_new(10, head, 0x1ffu << 1);
	json_array_foreach(ports, i, p) {
		slc_table_add(t, slc_str(p, "port"));
		for (unsigned k = 0; k < SL_ARRAY_SIZE(keys); k++)
			slc_add_num(t, p, keys[k]);
	}
	slc_table_print(t, stdout, "  ");
	slc_table_free(t);
}
