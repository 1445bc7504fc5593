/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Reading the daemon's answers for a human, shared by every printer:
 * members are read leniently (a missing one prints "-"), counters whole,
 * durations at a glance.
 */
#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "sluicectl.h"

#define FMT_MAX_COLS 16

const char *slc_str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s && *s ? s : "-";
}

/* A count, or the sum of counts by reason: a worker's "drops" is an
 * object of reasons where the totals' "drops" is one number. */
bool slc_int_of(const json_t *j, json_int_t *v)
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
			if (json_is_integer(m) && slc_int_of(m, &part))
				*v += part;
	} else {
		return false;
	}
	return true;
}

char *slc_num(const json_t *o, const char *key, char *buf)
{
	json_int_t v;

	if (!slc_int_of(json_object_get(o, key), &v))
		return strcpy(buf, "-");
	snprintf(buf, SLC_NUM_LEN, "%" JSON_INTEGER_FORMAT, v);
	return buf;
}

void slc_add_num(struct slc_table *t, const json_t *o, const char *key)
{
	char buf[SLC_NUM_LEN];

	slc_table_add(t, slc_num(o, key, buf));
}

/* Seconds as "42s", "5m03s", "2h05m", "3d04h": ages and timeouts are read
 * at a glance, and to the second only when they are short. */
char *slc_fmt_duration(long long s, char *buf, size_t len)
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

void slc_add_duration(struct slc_table *t, const json_t *o, const char *key)
{
	char buf[SLC_NUM_LEN];
	json_int_t v;

	if (!slc_int_of(json_object_get(o, key), &v))
		v = -1;
	slc_table_add(t, slc_fmt_duration(v, buf, sizeof(buf)));
}

/* "A.B.C.D:PORT" or "[V6]:PORT" from two members. */
char *slc_ipport(const json_t *o, const char *ipkey, const char *portkey,
		    char *buf, size_t len)
{
	char p[SLC_NUM_LEN];
	const char *ip = slc_str(o, ipkey);
	bool v6 = strchr(ip, ':') != NULL;

	snprintf(buf, len, "%s%s%s:%s", v6 ? "[" : "", ip, v6 ? "]" : "",
		 slc_num(o, portkey, p));
	return buf;
}

/* "198.18.0.100:80/tcp", the way confirmations name a service. */
char *slc_service(const json_t *o, const char *portkey, char *buf,
		     size_t len)
{
	char ap[SL_ADDRPORT_STRLEN];

	snprintf(buf, len, "%s/%s", slc_ipport(o, "vip", portkey, ap, sizeof(ap)),
		 slc_str(o, "proto"));
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
json_t *slc_list_of(const json_t *result, const char *key,
		       const char *none)
{
	json_t *a = json_object_get(result, key);

	if (json_is_array(a) && json_array_size(a) > 0)
		return a;
	puts(none);
	return NULL;
}

/* A table with one row per array element; `cols` (at most FMT_MAX_COLS)
 * name the members, numbers right-aligned where bit i of right_mask is
 * set. */
void slc_simple_table(const json_t *rows, const struct slc_column *cols,
			 unsigned ncols, unsigned right_mask, const char *indent)
{
	const char *head[FMT_MAX_COLS];
	struct slc_table *t;
	json_t *row;
	size_t i;

	if (ncols > FMT_MAX_COLS)
		ncols = FMT_MAX_COLS;
	for (unsigned c = 0; c < ncols; c++)
		head[c] = cols[c].heading;
	t = slc_table_new(ncols, head, right_mask);
	json_array_foreach(rows, i, row) {
		for (unsigned c = 0; c < ncols; c++) {
			if (right_mask & (1u << c))
				slc_add_num(t, row, cols[c].key);
			else
				slc_table_add(t, slc_str(row, cols[c].key));
		}
	}
	slc_table_print(t, stdout, indent);
	slc_table_free(t);
}
