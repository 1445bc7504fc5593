/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A JSON text checked without building a tree (fuzz_json.h). It accepts
 * what jansson's json_loads(text, 0) accepts, minus duplicate keys:
 * RFC 8259 syntax, strings of valid UTF-8 without control characters or
 * \u0000, escaped surrogates only in pairs, integers that fit json_int_t,
 * reals that are finite, nesting at most JSON_PARSER_MAX_DEPTH, nothing
 * after the value.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fuzz_json.h"

#ifndef JSON_PARSER_MAX_DEPTH
#define JSON_PARSER_MAX_DEPTH 2048
#endif

struct jv {
	const unsigned char *p;
	unsigned depth;
	/* The top-level object's members, when at depth 1. */
	struct fz_json_member *members;
	unsigned nmembers, max_members;
};

static bool value(struct jv *v, struct fz_json_span *span);

static void ws(struct jv *v)
{
	while (*v->p == ' ' || *v->p == '\t' || *v->p == '\n' || *v->p == '\r')
		v->p++;
}

static int hex4(const unsigned char *p)
{
	int x = 0;

	for (int i = 0; i < 4; i++) {
		int c = p[i];
		int d = c >= '0' && c <= '9' ? c - '0' :
			c >= 'a' && c <= 'f' ? c - 'a' + 10 :
			c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (d < 0)
			return -1;
		x = x << 4 | d;
	}
	return x;
}

/* One escape after the backslash; false if it is not one jansson takes. */
static bool escape(struct jv *v)
{
	if (*v->p && strchr("\"\\/bfnrt", *v->p)) {
		v->p++;
		return true;
	}
	if (*v->p != 'u')
		return false;
	int u = hex4(v->p + 1);
	v->p += 5;
	if (u <= 0 || (u >= 0xdc00 && u <= 0xdfff))
		return false; /* \u0000, or a lone low surrogate */
	if (u < 0xd800 || u > 0xdbff)
		return true;
	if (v->p[0] != '\\' || v->p[1] != 'u')
		return false;
	int lo = hex4(v->p + 2);
	v->p += 6;
	return lo >= 0xdc00 && lo <= 0xdfff;
}

/* One UTF-8 sequence: no overlong forms, surrogates or past U+10FFFF. */
static bool utf8(struct jv *v)
{
	unsigned c = *v->p, n, cp;

	if (c < 0x80) {
		v->p++;
		return true;
	}
	if (c >= 0xc2 && c <= 0xdf)
		n = 1, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 2, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 3, cp = c & 0x07;
	else
		return false;
	for (unsigned i = 1; i <= n; i++) {
		if ((v->p[i] & 0xc0) != 0x80)
			return false;
		cp = cp << 6 | (v->p[i] & 0x3f);
	}
	if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return false;
	v->p += n + 1;
	return true;
}

static bool string(struct jv *v, struct fz_json_span *span)
{
	if (*v->p != '"')
		return false;
	const unsigned char *start = ++v->p;
	while (*v->p != '"') {
		if (*v->p < 0x20)
			return false; /* a control character, or the end */
		if (*v->p == '\\') {
			v->p++;
			if (!escape(v))
				return false;
		} else if (!utf8(v)) {
			return false;
		}
	}
	span->kind = FZ_JSON_STRING;
	span->text = (const char *)start;
	span->len = (size_t)(v->p - start);
	v->p++;
	return true;
}

static bool digits(struct jv *v)
{
	const unsigned char *start = v->p;

	while (*v->p >= '0' && *v->p <= '9')
		v->p++;
	return v->p > start;
}

static bool number(struct jv *v)
{
	const char *start = (const char *)v->p;
	bool real = false;

	if (*v->p == '-')
		v->p++;
	if (*v->p == '0')
		v->p++;
	else if (!digits(v))
		return false;
	if (*v->p == '.') {
		v->p++, real = true;
		if (!digits(v))
			return false;
	}
	if (*v->p == 'e' || *v->p == 'E') {
		v->p++, real = true;
		if (*v->p == '+' || *v->p == '-')
			v->p++;
		if (!digits(v))
			return false;
	}
	errno = 0;
	if (real)
		return isfinite(strtod(start, NULL));
	(void)strtoll(start, NULL, 10);
	return errno == 0; /* jansson: "too big integer" */
}

static bool literal(struct jv *v, const char *word)
{
	size_t n = strlen(word);

	if (strncmp((const char *)v->p, word, n) != 0)
		return false;
	v->p += n;
	return true;
}

static bool same_key(const struct fz_json_span *a, const struct fz_json_span *b)
{
	return a->len == b->len && memcmp(a->text, b->text, a->len) == 0;
}

/* A key of the top-level object: remembered, and not twice. */
static bool top_member(struct jv *v, const struct fz_json_span *key)
{
	for (unsigned i = 0; i < v->nmembers; i++)
		if (same_key(&v->members[i].key, key))
			return false;
	if (v->nmembers == v->max_members)
		return true; /* past what the caller asked to see */
	v->members[v->nmembers].key = *key;
	return true;
}

/* The items of an object or array, after its opening character, up to
 * and with `close`: item, then ',' and another, or `close`. */
static bool items(struct jv *v, char close, bool (*item)(struct jv *v))
{
	v->p++;
	ws(v);
	if (*v->p == close) {
		v->p++;
		return true;
	}
	for (;;) {
		if (!item(v))
			return false;
		ws(v);
		if (*v->p == close) {
			v->p++;
			return true;
		}
		if (*v->p++ != ',')
			return false;
		ws(v);
	}
}

static bool member(struct jv *v)
{
	bool top = v->depth == 1 && v->members;
	struct fz_json_span key, val;

	if (!string(v, &key) || (top && !top_member(v, &key)))
		return false;
	ws(v);
	if (*v->p++ != ':')
		return false;
	ws(v);
	if (!value(v, &val))
		return false;
	if (top && v->nmembers < v->max_members)
		v->members[v->nmembers++].value = val;
	return true;
}

static bool element(struct jv *v)
{
	struct fz_json_span item;

	return value(v, &item);
}

static bool value(struct jv *v, struct fz_json_span *span)
{
	const unsigned char *start = v->p;
	bool ok;

	span->kind = FZ_JSON_OTHER;
	if (*v->p == '{' || *v->p == '[') {
		if (++v->depth > JSON_PARSER_MAX_DEPTH)
			return false;
		ok = *v->p == '{' ? items(v, '}', member) : items(v, ']', element);
		v->depth--;
		span->kind = *start == '{' ? FZ_JSON_OBJECT : FZ_JSON_ARRAY;
	} else if (*v->p == '"') {
		return string(v, span);
	} else if (*v->p == 't' || *v->p == 'f') {
		ok = literal(v, *v->p == 't' ? "true" : "false");
		span->kind = *start == 't' ? FZ_JSON_TRUE : FZ_JSON_FALSE;
	} else if (*v->p == 'n') {
		ok = literal(v, "null");
	} else {
		ok = number(v);
	}
	span->text = (const char *)start;
	span->len = (size_t)(v->p - start);
	return ok;
}

int fz_json_object(const char *text, struct fz_json_member *members, unsigned max)
{
	struct jv v = {(const unsigned char *)text, 0, members, 0, max};
	struct fz_json_span top;

	ws(&v);
	if (*v.p != '{' || !value(&v, &top))
		return -1;
	ws(&v);
	return *v.p == '\0' ? (int)v.nmembers : -1;
}

int fz_json_members(const struct fz_json_span *obj, struct fz_json_member *members,
		    unsigned max)
{
	struct jv v = {(const unsigned char *)obj->text, 0, members, 0, max};
	struct fz_json_span again;

	if (obj->kind != FZ_JSON_OBJECT || !value(&v, &again))
		return -1;
	return (int)v.nmembers;
}

const struct fz_json_span *fz_json_get(const struct fz_json_member *members,
				       int n, const char *key)
{
	for (int i = 0; i < n; i++)
		if (members[i].key.len == strlen(key) &&
		    memcmp(members[i].key.text, key, members[i].key.len) == 0)
			return &members[i].value;
	return NULL;
}
