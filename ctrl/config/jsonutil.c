/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Typed member reads. Every refusal quotes the value it refused, as JSON,
 * so "weight must be 0..65535, got 70000" and "vip must be an IPv4
 * address a.b.c.d, got \"1.2.3\"" read the same whichever reader failed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "jsonutil.h"

/* Room for a quoted value in a message; longer ones are cut with "...". */
#define SHOW_MAX 64

/* The value as compact JSON, cut to fit a message. */
static const char *show(json_t *v, char buf[SHOW_MAX])
{
	char *text = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);

	if (!text) {
		snprintf(buf, SHOW_MAX, "(unprintable)");
		return buf;
	}
	if (strlen(text) < SHOW_MAX)
		snprintf(buf, SHOW_MAX, "%s", text);
	else
		snprintf(buf, SHOW_MAX, "%.*s...", SHOW_MAX - 4, text);
	free(text);
	return buf;
}

/* obj[key], or NULL with *rc set: 1 if absent and optional, -1 if absent
 * and required. */
static json_t *member(json_t *obj, const char *key, bool required, int *rc,
		     struct sl_err *err)
{
	json_t *v = json_object_get(obj, key);

	if (v)
		return v;
	*rc = required ? sl_err_set(err, SL_E_MISSING, key, "%s is required", key)
		       : 1;
	return NULL;
}

/* A string member, or NULL with *rc set (absent, or not a string: then
 * the message says it must be `what`). */
static const char *member_str(json_t *obj, const char *key, bool required,
			      const char *what, int *rc, struct sl_err *err)
{
	char buf[SHOW_MAX];
	json_t *v = member(obj, key, required, rc, err);

	if (!v)
		return NULL;
	if (!json_is_string(v)) {
		*rc = sl_err_set(err, SL_E_INVALID, key, "%s must be %s, got %s",
				 key, what, show(v, buf));
		return NULL;
	}
	return json_string_value(v);
}

int sl_json_string(json_t *obj, const char *key, bool required,
		   const char **out, struct sl_err *err)
{
	int rc = 0;
	const char *s = member_str(obj, key, required, "a string", &rc, err);

	if (!s)
		return rc;
	*out = s;
	return 0;
}

int sl_json_uint(json_t *obj, const char *key, bool required,
		 unsigned long min, unsigned long max, unsigned long *out,
		 struct sl_err *err)
{
	char buf[SHOW_MAX];
	int rc = 0;
	json_t *v = member(obj, key, required, &rc, err);

	if (!v)
		return rc;
	if (!json_is_integer(v))
		return sl_err_set(err, SL_E_INVALID, key,
				  "%s must be an integer %lu..%lu, got %s", key,
				  min, max, show(v, buf));
	json_int_t n = json_integer_value(v);
	if (n < 0 || (unsigned long long)n < min || (unsigned long long)n > max)
		return sl_err_set(err, SL_E_INVALID, key,
				  "%s must be %lu..%lu, got %lld", key, min, max,
				  (long long)n);
	*out = (unsigned long)n;
	return 0;
}

int sl_json_bool(json_t *obj, const char *key, bool required, bool *out,
		 struct sl_err *err)
{
	char buf[SHOW_MAX];
	int rc = 0;
	json_t *v = member(obj, key, required, &rc, err);

	if (!v)
		return rc;
	if (!json_is_boolean(v))
		return sl_err_set(err, SL_E_INVALID, key,
				  "%s must be true or false, got %s", key,
				  show(v, buf));
	*out = json_is_true(v);
	return 0;
}

/* The text names a valid IPv6 address: an IPv4-only field then says the
 * data path cannot take it yet, rather than "must be a.b.c.d". */
static int refuse_v6(const char *key, const char *s, struct sl_err *err)
{
	return sl_err_set(err, SL_E_INVALID, key, "%s %.*s is IPv6: %s", key,
			  SHOW_MAX, s, SL_V6_NOT_BUILT);
}

int sl_json_ipv4(json_t *obj, const char *key, bool required, sl_be32 *out,
		 struct sl_err *err)
{
	static const char what[] = "an IPv4 address a.b.c.d";
	uint8_t v6[16];
	int rc = 0;
	const char *s = member_str(obj, key, required, what, &rc, err);

	if (!s)
		return rc;
	if (sl_parse_ipv4(s, out) == 0)
		return 0;
	if (sl_parse_ipv6(s, v6) == 0)
		return refuse_v6(key, s, err);
	return sl_err_set(err, SL_E_INVALID, key, "%s must be %s, got \"%.*s\"",
			  key, what, SHOW_MAX, s);
}

int sl_json_addr(json_t *obj, const char *key, bool required,
		 struct sl_addr *out, struct sl_err *err)
{
	static const char what[] = "an IPv4 address a.b.c.d or an IPv6 address";
	int rc = 0;
	const char *s = member_str(obj, key, required, what, &rc, err);

	if (!s)
		return rc;
	if (sl_parse_addr(s, out) < 0)
		return sl_err_set(err, SL_E_INVALID, key, "%s must be %s, got \"%.*s\"",
				  key, what, SHOW_MAX, s);
	return 0;
}

int sl_json_addr_prefix(json_t *obj, const char *key, bool required,
			struct sl_addr *out, uint8_t *plen, struct sl_err *err)
{
	static const char what[] = "a prefix a.b.c.d/len or v6addr/len";
	int rc = 0;
	const char *s = member_str(obj, key, required, what, &rc, err);

	if (!s)
		return rc;
	if (sl_parse_addr_prefix(s, out, plen, false) < 0)
		return sl_err_set(err, SL_E_INVALID, key, "%s must be %s, got \"%.*s\"",
				  key, what, SHOW_MAX, s);
	return 0;
}

int sl_json_need_v4(const struct sl_addr *a, const char *key, sl_be32 *out,
		    struct sl_err *err)
{
	char t[SL_ADDR_STRLEN];

	if (a->af == SL_AF_V4) {
		*out = a->v4;
		return 0;
	}
	return refuse_v6(key, sl_fmt_addr(a, t), err);
}

int sl_json_port(json_t *obj, const char *key, bool required, sl_be16 *out,
		 struct sl_err *err)
{
	unsigned long v;
	int rc = sl_json_uint(obj, key, required, 1, 65535, &v, err);

	if (rc == 0)
		*out = sl_htons((uint16_t)v);
	return rc;
}

int sl_json_proto(json_t *obj, const char *key, bool required,
		  uint8_t *out, struct sl_err *err)
{
	static const char what[] = "\"tcp\" or \"udp\"";
	int rc = 0;
	const char *s = member_str(obj, key, required, what, &rc, err);

	if (!s)
		return rc;
	if (sl_parse_proto(s, out) < 0)
		return sl_err_set(err, SL_E_INVALID, key, "%s must be %s, got \"%.*s\"",
				  key, what, SHOW_MAX, s);
	return 0;
}

int sl_json_mac(json_t *obj, const char *key, bool required, uint8_t mac[6],
		struct sl_err *err)
{
	static const char what[] = "a MAC address aa:bb:cc:dd:ee:ff";
	int rc = 0;
	const char *s = member_str(obj, key, required, what, &rc, err);

	if (!s)
		return rc;
	if (sl_parse_mac(s, mac) < 0)
		return sl_err_set(err, SL_E_INVALID, key, "%s must be %s, got \"%.*s\"",
				  key, what, SHOW_MAX, s);
	return 0;
}

static bool listed(const char *key, const char *const *allowed)
{
	for (; *allowed; allowed++)
		if (strcmp(key, *allowed) == 0)
			return true;
	return false;
}

int sl_json_only(json_t *obj, const char *const *allowed, struct sl_err *err)
{
	const char *key;
	json_t *v;

	if (!json_is_object(obj))
		return sl_err_set(err, SL_E_INVALID, "", "must be an object");
	/* Jansson keeps members in document order, so the first unknown
	 * one in the file is the one reported. */
	json_object_foreach(obj, key, v) {
		if (!listed(key, allowed))
			return sl_err_set(err, SL_E_INVALID, key,
					  "unknown field \"%.*s\"", SHOW_MAX, key);
	}
	return 0;
}

int sl_json_precheck(const char *text, size_t len, unsigned max_depth,
		     struct sl_err *err)
{
	const unsigned char *p = (const unsigned char *)text;
	unsigned depth = 0;
	bool in_string = false, escaped = false;

	for (size_t i = 0; i < len;) {
		size_t n = sl_utf8_len(p + i, len - i);
		if (n == 0)
			return sl_err_set(err, SL_E_BAD_REQUEST, "",
					  "request is not valid UTF-8 (byte 0x%02x at offset %zu)",
					  p[i], i);
		unsigned char c = p[i];
		i += n;
		if (in_string) {
			if (escaped)
				escaped = false;
			else if (c == '\\')
				escaped = true;
			else if (c == '"')
				in_string = false;
			continue;
		}
		if (c == '"')
			in_string = true;
		else if ((c == '[' || c == '{') && ++depth > max_depth)
			return sl_err_set(err, SL_E_BAD_REQUEST, "",
					  "request nests arrays/objects deeper than %u levels",
					  max_depth);
		else if ((c == ']' || c == '}') && depth > 0)
			depth--;
	}
	return 0;
}
