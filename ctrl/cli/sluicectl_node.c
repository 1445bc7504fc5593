/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sluicectl's answers about this node's announcements: node drain,
 * node undrain, node status (ctrl/README.md, node.*).
 */
#include <string.h>

#include "sluicectl.h"

void slc_print_node_drain(const json_t *args, const json_t *result)
{
	bool drained = json_is_true(json_object_get(result, "drained"));
	bool changed = json_is_true(json_object_get(result, "changed"));

	(void)args;
	if (drained)
		printf("node %sdrained: its VIP routes are withdrawn (local "
		       "addresses stay announced)\n", changed ? "" : "already ");
	else
		printf("node %sundrained: its healthy VIPs are announced\n",
		       changed ? "" : "already ");
}

static void print_counters(const json_t *c)
{
	const char *key;
	json_t *v;
	size_t i = 0;

	printf("counters:");
	json_object_foreach((json_t *)c, key, v)
		printf("%s %s=%lld", i++ ? "," : "", key, (long long)json_integer_value(v));
	putchar('\n');
}

void slc_print_node_status(const json_t *args, const json_t *result)
{
	static const char *const head[] = { "ADDRESS", "KIND", "ANNOUNCED", "IN TABLE", "WHY" };
	const json_t *a = json_object_get(result, "announce");
	const json_t *gate = json_object_get(a, "gate"), *it;
	const json_t *list = json_object_get(a, "addresses");
	size_t i;

	char n[SLC_NUM_LEN];

	(void)args;
	printf("table %s, %s%s; %s\n", slc_num(a, "table", n), slc_str(a, "state"),
	       json_is_true(json_object_get(a, "in_step")) ? ", in step" : ", catching up",
	       json_is_true(json_object_get(a, "drained")) ? "DRAINED" : "not drained");
	if (!json_is_true(json_object_get(gate, "open")))
		printf("gate closed: %s\n", slc_str(gate, "reason"));
	if (strcmp(slc_str(a, "last_error"), "") && strcmp(slc_str(a, "last_error"), "-"))
		printf("last error: %s\n", slc_str(a, "last_error"));
	json_array_foreach(json_object_get(a, "conflicts"), i, it)
		printf("conflict: %s is held in table %s by another protocol's route: "
		       "not overwritten, tried again with a back-off\n",
		       json_string_value(it), n);
	struct slc_table *t = slc_table_new(5, head, 0);
	json_array_foreach(list, i, it) {
		slc_table_add(t, slc_str(it, "address"));
		slc_table_add(t, slc_str(it, "kind"));
		slc_table_add(t, json_is_true(json_object_get(it, "wanted")) ? "yes" : "no");
		slc_table_add(t, json_is_true(json_object_get(it, "in_table")) ? "yes"
				 : json_is_true(json_object_get(it, "conflict")) ? "no: conflict"
				 : "no");
		slc_table_add(t, slc_str(it, "why"));
	}
	if (slc_table_rows(t))
		slc_table_print(t, stdout, "");
	else
		puts("no VIPs and no local addresses");
	slc_table_free(t);
	print_counters(json_object_get(a, "counters"));
}
