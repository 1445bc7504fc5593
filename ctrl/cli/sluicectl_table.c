/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Column layout for sluicectl's tables. Cells are collected first and
 * printed at the end, because a column is as wide as its widest cell and
 * the answer decides that. Two spaces separate columns; a line ends at
 * its last non-empty cell, unpadded, so it carries no trailing blanks.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sluicectl.h"

struct slc_table {
	unsigned ncols;
	unsigned right_mask;
	const char *const *headers; /* NULL: no heading line */
	char **cells;               /* row-major, ncells of them */
	size_t ncells, cap;
};

void slc_oom(void)
{
	fputs("sluicectl: out of memory\n", stderr);
	exit(SLC_EXIT_FAIL);
}

void *slc_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		slc_oom();
	return p;
}

void *slc_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		slc_oom();
	return q;
}

struct slc_table *slc_table_new(unsigned ncols, const char *const *headers,
				unsigned right_mask)
{
	struct slc_table *t = slc_xmalloc(sizeof(*t));

	memset(t, 0, sizeof(*t));
	t->ncols = ncols;
	t->headers = headers;
	t->right_mask = right_mask;
	return t;
}

void slc_table_add(struct slc_table *t, const char *text)
{
	size_t n = strlen(text);
	char *copy;

	if (t->ncells == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		t->cells = slc_xrealloc(t->cells, t->cap * sizeof(*t->cells));
	}
	copy = slc_xmalloc(n + 1);
	memcpy(copy, text, n + 1);
	t->cells[t->ncells++] = copy;
}

void slc_table_addf(struct slc_table *t, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		slc_oom();
	slc_table_add(t, s);
	free(s);
}

unsigned slc_table_rows(const struct slc_table *t)
{
	return (unsigned)(t->ncells / t->ncols);
}

/* The cell at (row, col), or "" where a short last row has none. */
static const char *cell(const struct slc_table *t, size_t row, unsigned col)
{
	size_t i = row * t->ncols + col;

	return i < t->ncells ? t->cells[i] : "";
}

static void print_row(const struct slc_table *t, FILE *f, const char *indent,
		      const size_t *width, const char *const *texts)
{
	unsigned end = t->ncols;

	/* Stop after the last non-empty cell so no line ends in blanks. */
	while (end > 0 && !texts[end - 1][0])
		end--;
	fputs(indent, f);
	for (unsigned c = 0; c < end; c++) {
		int w = (int)width[c];

		if (c)
			fputs("  ", f);
		if (t->right_mask & (1u << c))
			fprintf(f, "%*s", w, texts[c]);
		else if (c + 1 == end)
			fputs(texts[c], f);
		else
			fprintf(f, "%-*s", w, texts[c]);
	}
	fputc('\n', f);
}

void slc_table_print(const struct slc_table *t, FILE *f, const char *indent)
{
	size_t nrows = (t->ncells + t->ncols - 1) / t->ncols;
	size_t *width = slc_xmalloc(t->ncols * sizeof(*width));
	const char **texts = slc_xmalloc(t->ncols * sizeof(*texts));

	memset(width, 0, t->ncols * sizeof(*width));
	for (unsigned c = 0; c < t->ncols; c++) {
		if (t->headers)
			width[c] = strlen(t->headers[c]);
		for (size_t r = 0; r < nrows; r++) {
			size_t n = strlen(cell(t, r, c));

			if (n > width[c])
				width[c] = n;
		}
	}
	if (t->headers)
		print_row(t, f, indent, width, t->headers);
	for (size_t r = 0; r < nrows; r++) {
		for (unsigned c = 0; c < t->ncols; c++)
			texts[c] = cell(t, r, c);
		print_row(t, f, indent, width, texts);
	}
	free(texts);
	free(width);
}

void slc_table_free(struct slc_table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->ncells; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t);
}
