/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The pieces metrics_text.c writes families with, shared with the
 * renderers of other parts of the stats answer (metrics_cluster.c): a
 * family's HELP and TYPE, a sample with its labels, and the columns of a
 * list of objects (one family per column, one sample per object).
 */
#ifndef SL_METRICS_FAMILY_H
#define SL_METRICS_FAMILY_H

#include <stddef.h>

#include <jansson.h>

#include "metrics_text.h"

#define NCOLS(a) (sizeof(a) / sizeof((a)[0]))

/* A label set: up to 6 name="value" pairs. */
struct sl_mt_labels {
	unsigned n;
	const char *name[6];
	char value[6][80];
};

void sl_mt_label_str(struct sl_mt_labels *l, const char *name, const char *value);
/* A label from a string or integer member (anything else: ""). */
void sl_mt_label(struct sl_mt_labels *l, const char *name, const json_t *v);

/* # HELP and # TYPE of family `name`. */
void sl_mt_family(struct sl_text *t, const char *name, const char *type,
		  const char *help);
/* A sample of a number, true or false (1, 0); nothing for anything else
 * (a null: no sample). */
void sl_mt_sample(struct sl_text *t, const char *name, const struct sl_mt_labels *l,
		  const json_t *v);
/* o["a.b.c"] is o["a"]["b"]["c"]. */
json_t *sl_mt_get_path(const json_t *o, const char *path);

/* One column of a list of objects (workers, ports, VIPs...): its member
 * `key` becomes family `name`, with an extra label when several columns
 * share a family (packets in and out). */
struct sl_mt_col {
	const char *key, *name, *type, *help, *xlabel, *xvalue;
};

typedef void (*sl_mt_labels_fn)(const json_t *obj, struct sl_mt_labels *l);

/* Each column as a family (HELP and TYPE once, when the name changes),
 * a sample per object of `list`; nothing when the list is empty. */
void sl_mt_columns(struct sl_text *t, const json_t *list, const struct sl_mt_col *cols,
		   size_t ncols, sl_mt_labels_fn labels_of);
/* One object's members as samples, unlabelled but for a column's extra
 * label (absent or null members: no sample; a family only with one). */
void sl_mt_singles(struct sl_text *t, const json_t *obj, const struct sl_mt_col *cols,
		   size_t n);
/* A state set: family `name`, per object of `list` one sample per
 * state (label `state`), 1 for the one its "state" member starts with. */
void sl_mt_state_set(struct sl_text *t, const json_t *list, const char *name,
		     const char *help, const char *const *states, size_t nstates,
		     sl_mt_labels_fn labels_of);

#endif
