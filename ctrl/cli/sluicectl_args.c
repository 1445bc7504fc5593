/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sluicectl's argument checkers: each reads one positional or option,
 * says on stderr what is wrong with it (naming the command, so the user
 * knows which --help to read), and otherwise puts it into the request's
 * "args" object in the form the daemon expects. Addresses are parsed with
 * the daemon's own functions (addr.h), so what passes here parses there.
 */
#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "protocol.h"
#include "sluicectl.h"

static const char *const opt_names[SLC_O_MAX] = {
	[SLC_O_PROTO] = "proto", [SLC_O_SCHED] = "sched",
	[SLC_O_WEIGHT] = "weight", [SLC_O_PORT] = "port",
	[SLC_O_VIP] = "vip", [SLC_O_LIMIT] = "limit",
	[SLC_O_SRC] = "src", [SLC_O_POOL] = "pool",
	[SLC_O_FILTERING] = "filtering", [SLC_O_DRY_RUN] = "dry-run",
	[SLC_O_PERSIST] = "persist", [SLC_O_HASH_PORTS] = "hash-ports",
	[SLC_O_MH_SIZE] = "mh-size", [SLC_O_ON_DOWN] = "on-down",
	[SLC_O_PANIC] = "panic-percent", [SLC_O_ANNOUNCE_WHEN] = "announce-when",
	[SLC_O_CHECK] = "check", [SLC_O_INTERVAL] = "interval",
	[SLC_O_CHECK_TIMEOUT] = "check-timeout", [SLC_O_RISE] = "rise",
	[SLC_O_FALL] = "fall", [SLC_O_CHECK_PORT] = "check-port",
	[SLC_O_CHECK_PATH] = "check-path", [SLC_O_CHECK_STATUS] = "check-status",
	[SLC_O_FLUSH] = "flush", [SLC_O_FORCE] = "force",
	[SLC_O_COUNT] = "count", [SLC_O_FILTER] = "filter", [SLC_O_WRITE] = "write",
	[SLC_O_DIRECTION] = "direction", [SLC_O_DURATION] = "duration",
};

char slc_opt_short(enum slc_opt o)
{
	return o == SLC_O_WRITE ? 'w' : 0;
}

const char *slc_opt_name(enum slc_opt o)
{
	return opt_names[o];
}

bool slc_opt_is_flag(enum slc_opt o)
{
	return o == SLC_O_HASH_PORTS || o == SLC_O_FLUSH || o == SLC_O_DRY_RUN ||
	       o == SLC_O_FORCE;
}

/* json_object_set_new() that cannot fail quietly: a NULL value (bad
 * UTF-8 in a string) or no memory is reported as a bad argument. */
int slc_set(const struct slc_cmd *c, json_t *obj, const char *key,
	       json_t *val)
{
	if (val && json_object_set_new(obj, key, val) == 0)
		return 0;
	slc_usage_error(c, "cannot encode '%s' (not UTF-8, or out of memory)",
			key);
	return -1;
}

/* Explain which half of "A.B.C.D:PORT" or "[V6]:PORT" is wrong: the port
 * alone is the common slip (0, or above 65535), and saying so saves a
 * second look; so is a v6 address with a port and no brackets. */
void slc_bad_ipport(const struct slc_cmd *c, const char *what,
		       const char *s)
{
	bool bracket = s[0] == '[';
	const char *end = bracket ? strchr(s, ']') : strrchr(s, ':');
	char host[SL_ADDR_STRLEN];
	struct sl_addr a;
	size_t n = end ? (size_t)(end - s) - bracket : 0;

	if (end && n < sizeof(host)) {
		memcpy(host, s + bracket, n);
		host[n] = '\0';
		/* The address is fine (v6 in brackets, v4 without). */
		if (sl_parse_addr(host, &a) == 0 && (a.af == SL_AF_V6) == bracket) {
			slc_usage_error(c, "bad port in %s '%s': expected 1..65535",
					what, s);
			return;
		}
	}
	if (!bracket && sl_parse_addr(s, &a) == 0 && a.af == SL_AF_V6)
		slc_usage_error(c, "bad %s '%s': expected [V6]:PORT (an IPv6 "
				"address takes brackets before a port)", what, s);
	else
		slc_usage_error(c, "bad %s '%s': expected A.B.C.D:PORT or [V6]:PORT",
				what, s);
}

static int check_unicast(const struct slc_cmd *c, const char *what,
			 const char *s, const struct sl_addr *ip)
{
	if (sl_addr_is_unicast(ip))
		return 0;
	slc_usage_error(c, "bad %s '%s': not a unicast host address", what, s);
	return -1;
}

/* "A.B.C.D:PORT" or "[V6]:PORT" into obj[ipkey] (the address alone, as
 * text) and obj[portkey] (integer). The daemon decides what a family
 * may do; sluicectl only reads the syntax. */
int slc_put_ipport(const struct slc_cmd *c, const char *what, const char *s,
		      json_t *obj, const char *ipkey, const char *portkey)
{
	char buf[SL_ADDR_STRLEN];
	struct sl_addr ip;
	sl_be16 port;

	if (sl_parse_addr_port(s, &ip, &port) < 0) {
		slc_bad_ipport(c, what, s);
		return -1;
	}
	if (check_unicast(c, what, s, &ip) < 0)
		return -1;
	if (slc_set(c, obj, ipkey, json_string(sl_fmt_addr(&ip, buf))) < 0)
		return -1;
	return slc_set(c, obj, portkey, json_integer(sl_ntohs(port)));
}

/* "A.B.C.D" or an IPv6 address into obj[key]. */
int slc_put_ip(const struct slc_cmd *c, const char *what, const char *s,
		  bool unicast, json_t *obj, const char *key)
{
	char buf[SL_ADDR_STRLEN];
	struct sl_addr ip;

	if (sl_parse_addr(s, &ip) < 0) {
		slc_usage_error(c, "bad %s '%s': expected A.B.C.D or an IPv6 address",
				what, s);
		return -1;
	}
	if (unicast && check_unicast(c, what, s, &ip) < 0)
		return -1;
	return slc_set(c, obj, key, json_string(sl_fmt_addr(&ip, buf)));
}

/* --proto, "tcp" when absent. */
static int put_proto(const struct slc_cmd *c, const struct slc_args *a,
		     json_t *obj)
{
	const char *s = a->opt[SLC_O_PROTO] ? a->opt[SLC_O_PROTO] : "tcp";
	uint8_t proto;

	if (sl_parse_proto(s, &proto) < 0 ||
	    (proto != SL_IPPROTO_TCP && proto != SL_IPPROTO_UDP)) {
		slc_usage_error(c, "bad --proto '%s': expected tcp or udp", s);
		return -1;
	}
	return slc_set(c, obj, "proto", json_string(sl_proto_name(proto)));
}

/* A decimal option within [min, max] into obj[key], if given. */
int slc_put_uint_opt(const struct slc_cmd *c, const struct slc_args *a,
			enum slc_opt o, unsigned long min, unsigned long max,
			json_t *obj, const char *key)
{
	const char *s = a->opt[o];
	unsigned long v;

	if (!s)
		return 0;
	if (sl_parse_uint(s, min, max, &v) < 0) {
		slc_usage_error(c, "bad --%s '%s': expected %lu..%lu",
				opt_names[o], s, min, max);
		return -1;
	}
	return slc_set(c, obj, key, json_integer((json_int_t)v));
}

/* --port NAME (a port of the config) into obj["port"], if given. */
int slc_put_port_name(const struct slc_cmd *c, const struct slc_args *a,
			 json_t *obj)
{
	const char *s = a->opt[SLC_O_PORT];

	if (!s)
		return 0;
	if (!s[0] || strlen(s) >= SL_PORT_NAME_MAX) {
		slc_usage_error(c, "bad --port '%s': expected a port name "
				"(1..%d characters)", s, SL_PORT_NAME_MAX - 1);
		return -1;
	}
	return slc_set(c, obj, "port", json_string(s));
}

/* The service: VIP:PORT positional and --proto. */
int slc_put_service(const struct slc_cmd *c, const struct slc_args *a,
		       json_t *args)
{
	if (slc_put_ipport(c, "VIP address", a->pos[0], args, "vip", "port") < 0)
		return -1;
	return put_proto(c, a, args);
}

/* A flag's value: "on" (bare) or "off", into obj[key] as a boolean. */
int slc_put_flag(const struct slc_cmd *c, const struct slc_args *a,
		    enum slc_opt o, json_t *obj, const char *key)
{
	const char *s = a->opt[o];

	if (!s)
		return 0;
	if (strcmp(s, "on") && strcmp(s, "off")) {
		slc_usage_error(c, "bad --%s=%s: expected --%s, --%s=on or --%s=off",
				opt_names[o], s, opt_names[o], opt_names[o],
				opt_names[o]);
		return -1;
	}
	return slc_set(c, obj, key, json_boolean(strcmp(s, "on") == 0));
}

/* One of a fixed set of words into obj[key], if given. */
int slc_put_word(const struct slc_cmd *c, const struct slc_args *a,
		    enum slc_opt o, const char *const *words, const char *expected,
		    json_t *obj, const char *key)
{
	const char *s = a->opt[o];

	if (!s)
		return 0;
	for (const char *const *w = words; *w; w++)
		if (!strcmp(s, *w))
			return slc_set(c, obj, key, json_string(s));
	slc_usage_error(c, "bad --%s '%s': expected %s", opt_names[o], s, expected);
	return -1;
}


bool slc_any_of(const struct slc_args *a, unsigned mask)
{
	for (int o = 0; o < SLC_O_MAX; o++)
		if ((mask & SLC_OPT(o)) && a->opt[o])
			return true;
	return false;
}

/* The check options into obj["health_check"] (only those given; the
 * daemon keeps the rest). `inherit` allows --check inherit (null: a real
 * server drops its overrides). */
int slc_put_check(const struct slc_cmd *c, const struct slc_args *a,
		     json_t *obj, bool inherit)
{
	static const char *const types[] = {"tcp", "http", "udp", "none", NULL};
	const char *type = a->opt[SLC_O_CHECK];
	json_t *hc, *http;

	if (!slc_any_of(a, SLC_CHECK_OPTS))
		return 0;
	if (inherit && type && !strcmp(type, "inherit")) {
		if (slc_any_of(a, SLC_CHECK_OPTS & ~SLC_OPT(SLC_O_CHECK))) {
			slc_usage_error(c, "--check inherit takes no other check option");
			return -1;
		}
		return slc_set(c, obj, "health_check", json_null());
	}
	hc = json_object();
	http = json_object();
	if (slc_set(c, obj, "health_check", hc) < 0 || !http)
		return -1;
	if (slc_put_word(c, a, SLC_O_CHECK, types, inherit ?
		     "tcp, http, udp, none or inherit" : "tcp, http, udp or none",
		     hc, "type") < 0 ||
	    slc_put_uint_opt(c, a, SLC_O_INTERVAL, 100, 3600000, hc, "interval_ms") < 0 ||
	    slc_put_uint_opt(c, a, SLC_O_CHECK_TIMEOUT, 10, 3600000, hc, "timeout_ms") < 0 ||
	    slc_put_uint_opt(c, a, SLC_O_RISE, 1, 100, hc, "rise") < 0 ||
	    slc_put_uint_opt(c, a, SLC_O_FALL, 1, 100, hc, "fall") < 0 ||
	    slc_put_uint_opt(c, a, SLC_O_CHECK_PORT, 0, 65535, hc, "port") < 0 ||
	    slc_put_uint_opt(c, a, SLC_O_CHECK_STATUS, 100, 599, http, "expect_status") < 0) {
		json_decref(http);
		return -1;
	}
	if (a->opt[SLC_O_CHECK_PATH] &&
	    slc_set(c, http, "path", json_string(a->opt[SLC_O_CHECK_PATH])) < 0) {
		json_decref(http);
		return -1;
	}
	if (json_object_size(http) == 0) {
		json_decref(http);
		return 0;
	}
	return slc_set(c, hc, "http", http);
}

/* vip add / vip set: everything but the address. */
int slc_put_svc_opts(const struct slc_cmd *c, const struct slc_args *a,
			json_t *args)
{
	static const char *const scheds[] = {"rr", "wrr", "lc", "wlc", "sh", "mh", NULL};
	static const char *const downs[] = {"keep", "flush", NULL};
	static const char *const whens[] = {"any", "all", NULL};

	if (slc_put_word(c, a, SLC_O_SCHED, scheds, "rr, wrr, lc, wlc, sh or mh", args,
		     "scheduler") < 0 ||
	    slc_put_flag(c, a, SLC_O_HASH_PORTS, args, "hash_ports") < 0 ||
	    slc_put_uint_opt(c, a, SLC_O_PERSIST, 0, 86400, args, "persist_s") < 0 ||
	    slc_put_uint_opt(c, a, SLC_O_MH_SIZE, 97, 1048573, args, "mh_table_size") < 0 ||
	    slc_put_word(c, a, SLC_O_ON_DOWN, downs, "keep or flush", args, "on_down") < 0 ||
	    slc_put_uint_opt(c, a, SLC_O_PANIC, 0, 100, args, "panic_percent") < 0 ||
	    slc_put_word(c, a, SLC_O_ANNOUNCE_WHEN, whens, "any or all", args,
			 "announce_when") < 0)
		return -1;
	return slc_put_check(c, a, args, false);
}
