/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Replacing the whole configuration (config_apply.h): fixed settings are
 * compared; objects that stay keep their ids and slots, new ones get ids
 * no running object has; the change list names what was added, removed
 * and modified. Also the request prechecks (UTF-8, nesting) and the
 * socket settings of the control section.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "addr.h"
#include "config.h"
#include "config_apply.h"
#include "fileio.h"
#include "jsonutil.h"

#define HEAD                                                                   \
	"{'workers': 2, 'ports': [{'name': 'wan', 'devargs': 'r0', 'ipv4': '198.18.0.2/24'}," \
	" {'name': 'lan', 'devargs': 'r1', 'ipv4': '198.18.1.2/24'}],"

static void load(const char *text, struct sl_model *m)
{
	char *json = strdup(text);
	struct sl_err e;

	assert_non_null(json);
	for (char *p = json; *p; p++)
		if (*p == '\'')
			*p = '"';
	if (sl_config_load_string(json, m, &e) != 0)
		fail_msg("%s: %s: %s", json, e.field, e.message);
	free(json);
}

static sl_be32 ip(const char *s)
{
	sl_be32 v = 0;
	assert_int_equal(sl_parse_ipv4(s, &v), 0);
	return v;
}

static const struct sl_model_svc *svc(const struct sl_model *m, const char *vip, int port)
{
	const struct sl_model_svc *s =
		sl_model_find_svc(m, ip(vip), sl_htons((uint16_t)port), SL_IPPROTO_TCP);
	assert_non_null(s);
	return s;
}

static bool listed(const json_t *diff, const char *key, const char *text)
{
	const json_t *item;
	size_t i;

	json_array_foreach(json_object_get(diff, key), i, item)
		if (strstr(json_string_value(item), text))
			return true;
	return false;
}

static void test_ids_carried_over(void **state)
{
	struct sl_model a, b;
	struct sl_fresh_ids fresh;
	struct sl_err e;
	(void)state;

	load(HEAD "'local_addresses': [{'ip': '198.18.1.3'}, {'ip': '198.18.1.4'}],"
	     " 'vips': [{'vip': '198.18.0.100', 'port': 80, 'real_servers': ["
	     "  {'ip': '198.18.1.11', 'port': 8080}, {'ip': '198.18.1.12', 'port': 8080}]},"
	     " {'vip': '198.18.0.101', 'port': 80}]}", &a);
	/* 0.101 goes, 0.102 comes before 0.100 in the file, 0.100 loses .11
	 * and gains .13; local address .3 goes, .5 comes. */
	load(HEAD "'local_addresses': [{'ip': '198.18.1.5'}, {'ip': '198.18.1.4'}],"
	     " 'vips': [{'vip': '198.18.0.102', 'port': 80},"
	     " {'vip': '198.18.0.100', 'port': 80, 'real_servers': ["
	     "  {'ip': '198.18.1.13', 'port': 8080}, {'ip': '198.18.1.12', 'port': 8080, 'weight': 5}]}]}",
	     &b);
	assert_int_equal(sl_config_carry_ids(&a, &b, &fresh, &e), 0);

	const struct sl_model_svc *a100 = svc(&a, "198.18.0.100", 80), *b100 = svc(&b, "198.18.0.100", 80);
	const struct sl_model_svc *b102 = svc(&b, "198.18.0.102", 80);
	assert_int_equal(b100->id, a100->id);
	assert_false(sl_fresh_has(fresh.svc, b100->id));
	assert_true(sl_fresh_has(fresh.svc, b102->id));
	for (uint32_t i = 0; i < a.nsvcs; i++)
		assert_int_not_equal(b102->id, a.svcs[i].id); /* not a running id */
	const struct sl_model_rs *a12 = sl_model_find_rs(a100, ip("198.18.1.12"), sl_htons(8080));
	const struct sl_model_rs *b12 = sl_model_find_rs(b100, ip("198.18.1.12"), sl_htons(8080));
	const struct sl_model_rs *b13 = sl_model_find_rs(b100, ip("198.18.1.13"), sl_htons(8080));
	assert_int_equal(b12->id, a12->id);
	assert_true(sl_fresh_has(fresh.rs, b13->id));
	for (uint32_t j = 0; j < a100->nrs; j++)
		assert_int_not_equal(b13->id, a100->rs[j].id);
	assert_int_equal(sl_model_find_laddr(&b, ip("198.18.1.4"))->slot,
			 sl_model_find_laddr(&a, ip("198.18.1.4"))->slot);
	assert_int_not_equal(sl_model_find_laddr(&b, ip("198.18.1.5"))->slot,
			     sl_model_find_laddr(&b, ip("198.18.1.4"))->slot);

	json_t *d = sl_config_diff(&a, &b);
	assert_true(listed(d, "added", "vip 198.18.0.102:80/tcp"));
	assert_true(listed(d, "removed", "vip 198.18.0.101:80/tcp"));
	assert_true(listed(d, "added", "real server 198.18.1.13:8080"));
	assert_true(listed(d, "removed", "real server 198.18.1.11:8080"));
	assert_true(listed(d, "modified", "198.18.1.12:8080 of vip 198.18.0.100:80/tcp: weight 1 -> 5"));
	assert_true(listed(d, "added", "local address 198.18.1.5"));
	assert_true(listed(d, "removed", "local address 198.18.1.3"));
	assert_false(listed(d, "modified", "vip 198.18.0.100:80/tcp: scheduler"));
	json_decref(d);
	sl_model_free(&a);
	sl_model_free(&b);
}

static void test_same_config_no_change(void **state)
{
	struct sl_model a, b;
	struct sl_fresh_ids fresh;
	struct sl_err e;
	(void)state;

	load(HEAD "'vips': [{'vip': '198.18.0.100', 'port': 80, 'real_servers': ["
	     " {'ip': '198.18.1.11', 'port': 8080}]}]}", &a);
	load(HEAD "'vips': [{'vip': '198.18.0.100', 'port': 80, 'real_servers': ["
	     " {'ip': '198.18.1.11', 'port': 8080}]}]}", &b);
	assert_int_equal(sl_config_check_fixed(&a, &b, &e), 0);
	assert_int_equal(sl_config_carry_ids(&a, &b, &fresh, &e), 0);
	json_t *d = sl_config_diff(&a, &b);
	assert_int_equal(json_array_size(json_object_get(d, "added")) +
				 json_array_size(json_object_get(d, "removed")) +
				 json_array_size(json_object_get(d, "modified")), 0);
	json_decref(d);
	sl_model_free(&a);
	sl_model_free(&b);
}

/* The v6 blocklist's changes are listed as v4's are (dry run, SIGHUP). */
static void test_blocklist6_diff(void **state)
{
	struct sl_model a, b;
	(void)state;

	load(HEAD "'xdp': {'blocklist': ['198.18.9.0/24', '2001:db8:bad::/48', "
	     "'2001:db8:1::/64']}}", &a);
	load(HEAD "'xdp': {'blocklist': ['198.18.9.0/24', '2001:db8:1::/64', "
	     "'2001:db8:beef::7']}}", &b);
	json_t *d = sl_config_diff(&a, &b);
	assert_true(listed(d, "removed", "blocklist 2001:db8:bad::/48"));
	assert_true(listed(d, "added", "blocklist 2001:db8:beef::7/128"));
	assert_false(listed(d, "added", "2001:db8:1::/64"));
	assert_false(listed(d, "removed", "2001:db8:1::/64"));
	json_decref(d);
	sl_model_free(&a);
	sl_model_free(&b);
}

static void test_fixed_settings(void **state)
{
	static const char *const variants[][2] = {
		{"{'workers': 3, 'ports': [{'name': 'wan', 'devargs': 'r0', 'ipv4': '198.18.0.2/24'},"
		 " {'name': 'lan', 'devargs': 'r1', 'ipv4': '198.18.1.2/24'}]}", "workers"},
		{HEAD "'conn_table': {'max_connections': 2048}}", "conn_table.max_connections"},
		{HEAD "'control': {'socket': '/tmp/other.sock'}}", "control.socket"},
		{"{'workers': 2, 'ports': [{'name': 'wan', 'devargs': 'r9', 'ipv4': '198.18.0.2/24'},"
		 " {'name': 'lan', 'devargs': 'r1', 'ipv4': '198.18.1.2/24'}]}", "ports"},
		{HEAD "'eal': ['--no-huge']}", "eal"},
	};
	struct sl_model a, b;
	struct sl_err e;
	(void)state;

	load(HEAD "'timeouts': {'udp': 10}}", &a);
	for (unsigned i = 0; i < SL_ARRAY_SIZE(variants); i++) {
		load(variants[i][0], &b);
		assert_int_equal(sl_config_check_fixed(&a, &b, &e), -1);
		assert_string_equal(e.field, variants[i][1]);
		assert_non_null(strstr(e.message, "restart"));
		sl_model_free(&b);
	}
	/* Timeouts and the log level may change. */
	load(HEAD "'log_level': 'debug', 'timeouts': {'udp': 20}}", &b);
	assert_int_equal(sl_config_check_fixed(&a, &b, &e), 0);
	json_t *d = sl_config_diff(&a, &b);
	assert_true(listed(d, "modified", "timeouts.udp: 10 -> 20"));
	assert_true(listed(d, "modified", "log_level: info -> debug"));
	json_decref(d);
	sl_model_free(&b);
	sl_model_free(&a);
}

static void test_control_section(void **state)
{
	static const char *const bad[] = {"'0666'", "'0606'", "'0400'", "'660x'", "'99'", "660"};
	struct sl_model m;
	struct sl_err e;
	char doc[512];
	(void)state;

	load(HEAD "'control': {'socket': '/run/x.sock', 'owner': 'root', 'group': 'adm',"
	     " 'mode': '0660'}}", &m);
	assert_int_equal(m.socket_mode, 0660);
	assert_string_equal(m.socket_group, "adm");
	json_t *j = sl_config_to_json(&m);
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "control"), "mode")),
			    "0660");
	json_decref(j);
	sl_model_free(&m);
	for (unsigned i = 0; i < SL_ARRAY_SIZE(bad); i++) {
		snprintf(doc, sizeof(doc),
			 "{\"ports\": [{\"name\": \"p\", \"devargs\": \"r\"}], "
			 "\"control\": {\"mode\": %s}}", bad[i]);
		for (char *p = doc; *p; p++)
			if (*p == '\'')
				*p = '"';
		assert_int_equal(sl_config_load_string(doc, &m, &e), -1);
		assert_string_equal(e.field, "$.control.mode");
	}
}

static void test_precheck(void **state)
{
	static const char *const bad_utf8[] = {
		"\"\xff\"", "\"\xc0\xaf\"", "\"\xed\xa0\x80\"", "\"\xf4\x90\x80\x80\"",
		"\"\xe2\x82\"",
	};
	struct sl_err e;
	char deep[200];
	(void)state;

	for (unsigned i = 0; i < SL_ARRAY_SIZE(bad_utf8); i++) {
		assert_int_equal(sl_json_precheck(bad_utf8[i], strlen(bad_utf8[i]), 32, &e), -1);
		assert_string_equal(e.code, SL_E_BAD_REQUEST);
		assert_non_null(strstr(e.message, "UTF-8"));
	}
	assert_int_equal(sl_json_precheck("a\0b", 3, 32, &e), -1);
	const char *ok = "{\"k\": \"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80 [[[[\\\"\"}";
	assert_int_equal(sl_json_precheck(ok, strlen(ok), 1, &e), 0);
	memset(deep, '[', 33);
	memset(deep + 33, ']', 33);
	assert_int_equal(sl_json_precheck(deep, 66, 32, &e), -1);
	assert_non_null(strstr(e.message, "deeper than 32"));
	assert_int_equal(sl_json_precheck(deep + 1, 64, 32, &e), 0);
}

static void test_atomic_write(void **state)
{
	char dir[] = "/tmp/sl-test-fileio-XXXXXX", path[128], buf[64], err[128];
	(void)state;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/f.json", dir);
	assert_int_equal(sl_write_file_atomic(path, "one\n", 4, err, sizeof(err)), 0);
	assert_int_equal(sl_write_file_atomic(path, "two!\n", 5, err, sizeof(err)), 0);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	size_t n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	assert_int_equal(n, 5);
	assert_memory_equal(buf, "two!\n", 5);
	snprintf(buf, sizeof(buf), "%s/nodir/f", dir);
	assert_int_equal(sl_write_file_atomic(buf, "x", 1, err, sizeof(err)), -1);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ids_carried_over),
		cmocka_unit_test(test_same_config_no_change),
		cmocka_unit_test(test_blocklist6_diff),
		cmocka_unit_test(test_fixed_settings),
		cmocka_unit_test(test_control_section),
		cmocka_unit_test(test_precheck),
		cmocka_unit_test(test_atomic_write),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
