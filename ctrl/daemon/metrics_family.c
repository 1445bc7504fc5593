/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Writing Prometheus text (metrics_family.h): the growing buffer with
 * the format's escaping, a family's HELP and TYPE, samples with labels,
 * the columns of a list of objects, one object's members, state sets.
 * Shared by metrics_text.c and metrics_cluster.c.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics_family.h"

static bool grow(struct sl_text *t, size_t more)
{
	if (t->failed)
		return false;
	if (t->len + more + 1 <= t->cap)
		return true;
	size_t cap = t->cap ? t->cap : 4096;
	while (cap < t->len + more + 1)
		cap *= 2;
	char *b = realloc(t->buf, cap);
	if (!b) {
		t->failed = true;
		return false;
	}
	t->buf = b;
	t->cap = cap;
	return true;
}

void sl_text_printf(struct sl_text *t, const char *fmt, ...)
{
	va_list ap;
	char small[256];

	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0 || !grow(t, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(t->buf + t->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	t->len += (size_t)n;
}

static void put_char(struct sl_text *t, char c)
{
	if (grow(t, 1)) {
		t->buf[t->len++] = c;
		t->buf[t->len] = '\0';
	}
}

/* `quote`: escape '"' too (label values, not HELP). */
static void put_escaped(struct sl_text *t, const char *v, bool quote)
{
	for (; *v; v++) {
		if (*v == '\\')
			sl_text_printf(t, "\\\\");
		else if (*v == '\n')
			sl_text_printf(t, "\\n");
		else if (*v == '"' && quote)
			sl_text_printf(t, "\\\"");
		else
			put_char(t, *v);
	}
}

void sl_text_label_value(struct sl_text *t, const char *v)
{
	put_escaped(t, v, true);
}

void sl_text_help(struct sl_text *t, const char *v)
{
	put_escaped(t, v, false);
}

void sl_text_free(struct sl_text *t)
{
	free(t->buf);
	memset(t, 0, sizeof(*t));
}

void sl_mt_family(struct sl_text *t, const char *name, const char *type,
		   const char *help)
{
	sl_text_printf(t, "# HELP %s ", name);
	sl_text_help(t, help);
	sl_text_printf(t, "\n# TYPE %s %s\n", name, type);
}

void sl_mt_label_str(struct sl_mt_labels *l, const char *name, const char *value)
{
	if (l->n == 6)
		return;
	l->name[l->n] = name;
	snprintf(l->value[l->n++], sizeof(l->value[0]), "%s", value);
}

/* A label from a string or integer member (anything else: ""). */
void sl_mt_label(struct sl_mt_labels *l, const char *name, const json_t *v)
{
	char num[24] = "";

	if (json_is_integer(v))
		snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	sl_mt_label_str(l, name, json_is_string(v) ? json_string_value(v) : num);
}

/* A sample of a number, true or false (1, 0); nothing for anything else. */
void sl_mt_sample(struct sl_text *t, const char *name, const struct sl_mt_labels *l,
		   const json_t *v)
{
	if (!json_is_number(v) && !json_is_boolean(v))
		return;
	sl_text_printf(t, "%s", name);
	for (unsigned i = 0; i < l->n; i++) {
		sl_text_printf(t, "%s%s=\"", i ? "," : "{", l->name[i]);
		sl_text_label_value(t, l->value[i]);
		sl_text_printf(t, "\"%s", i + 1 == l->n ? "}" : "");
	}
	if (json_is_integer(v))
		sl_text_printf(t, " %" JSON_INTEGER_FORMAT "\n", json_integer_value(v));
	else if (json_is_real(v))
		sl_text_printf(t, " %.17g\n", json_real_value(v));
	else
		sl_text_printf(t, " %d\n", json_is_true(v) ? 1 : 0);
}

/* o["a.b.c"] is o["a"]["b"]["c"]. */
json_t *sl_mt_get_path(const json_t *o, const char *path)
{
	const char *dot = strchr(path, '.');
	char head[64];

	if (!dot)
		return json_object_get(o, path);
	snprintf(head, sizeof(head), "%.*s", (int)(dot - path), path);
	return sl_mt_get_path(json_object_get(o, head), dot + 1);
}

void sl_mt_columns(struct sl_text *t, const json_t *list, const struct sl_mt_col *cols,
		    size_t ncols, sl_mt_labels_fn labels_of)
{
	if (json_array_size(list) == 0) /* no family without samples */
		return;
	for (size_t c = 0; c < ncols; c++) {
		if (c == 0 || strcmp(cols[c].name, cols[c - 1].name) != 0)
			sl_mt_family(t, cols[c].name, cols[c].type, cols[c].help);
		size_t i;
		json_t *obj;
		json_array_foreach(list, i, obj) {
			struct sl_mt_labels l = {0};
			labels_of(obj, &l);
			if (cols[c].xlabel)
				sl_mt_label_str(&l, cols[c].xlabel, cols[c].xvalue);
			sl_mt_sample(t, cols[c].name, &l, sl_mt_get_path(obj, cols[c].key));
		}
	}
}

void sl_mt_state_set(struct sl_text *t, const json_t *list, const char *name,
		     const char *help, const char *const *states, size_t nstates,
		     sl_mt_labels_fn labels_of)
{
	size_t i;
	json_t *o;

	if (json_array_size(list) == 0)
		return;
	sl_mt_family(t, name, "gauge", help);
	json_array_foreach(list, i, o) {
		const char *s = json_string_value(json_object_get(o, "state"));
		for (size_t k = 0; s && k < nstates; k++) {
			struct sl_mt_labels l = {0};
			labels_of(o, &l);
			sl_mt_label_str(&l, "state", states[k]);
			json_t *v = json_integer(!strncmp(s, states[k], strlen(states[k])));
			sl_mt_sample(t, name, &l, v);
			json_decref(v);
		}
	}
}

void sl_mt_singles(struct sl_text *t, const json_t *obj, const struct sl_mt_col *cols,
		   size_t n)
{
	const char *last = NULL; /* the family written last */

	for (size_t c = 0; obj && c < n; c++) {
		json_t *v = sl_mt_get_path(obj, cols[c].key);
		struct sl_mt_labels l = {0};
		if (!json_is_number(v) && !json_is_boolean(v))
			continue; /* absent or null: no sample, no empty family */
		if (!last || strcmp(last, cols[c].name) != 0)
			sl_mt_family(t, cols[c].name, cols[c].type, cols[c].help);
		last = cols[c].name;
		if (cols[c].xlabel)
			sl_mt_label_str(&l, cols[c].xlabel, cols[c].xvalue);
		sl_mt_sample(t, cols[c].name, &l, v);
	}
}
