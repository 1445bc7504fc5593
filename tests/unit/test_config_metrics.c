/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * metrics.listen in the config file: absent is off, an IPv4 address and
 * port is taken and shown back by `config show`, anything else is
 * refused at $.metrics.listen, and config.apply refuses a change of it
 * (it is fixed at start-up).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"
#include "config_apply.h"
#include "model.h"

#define PORTS "\"ports\": [{\"name\": \"wan\", \"devargs\": \"net_ring0\"}]"

static int load(const char *metrics, struct sl_model *m, struct sl_err *e)
{
	char doc[512];

	snprintf(doc, sizeof(doc), "{%s%s%s}", metrics, metrics[0] ? ", " : "", PORTS);
	return sl_config_load_string(doc, m, e);
}

static void test_absent_is_off(void **state)
{
	struct sl_model m;
	struct sl_err e;
	(void)state;

	assert_int_equal(load("", &m, &e), 0);
	assert_int_equal(m.metrics_port, 0);
	json_t *shown = sl_config_to_json(&m);
	assert_null(json_object_get(shown, "metrics"));
	json_decref(shown);
	sl_model_free(&m);
}

static void test_listen_round_trip(void **state)
{
	struct sl_model m;
	struct sl_err e;
	(void)state;

	assert_int_equal(load("\"metrics\": {\"listen\": \"127.0.0.1:9107\"}", &m, &e), 0);
	assert_int_equal(m.metrics_port, sl_htons(9107));
	assert_int_equal(m.metrics_ip, sl_htonl(0x7f000001));
	json_t *shown = sl_config_to_json(&m);
	assert_string_equal(json_string_value(json_object_get(
				    json_object_get(shown, "metrics"), "listen")),
			    "127.0.0.1:9107");
	json_decref(shown);
	sl_model_free(&m);
}

static void test_bad_listen(void **state)
{
	static const char *const bad[] = {
		"\"metrics\": {\"listen\": \"127.0.0.1:99999\"}",
		"\"metrics\": {\"listen\": \"127.0.0.1\"}",
		"\"metrics\": {\"listen\": \"localhost:9107\"}",
		"\"metrics\": {\"listen\": \"127.0.0.1:0\"}",
		"\"metrics\": {\"listen\": 9107}",
		"\"metrics\": {}",
		NULL,
	};
	struct sl_model m;
	struct sl_err e;
	(void)state;

	for (const char *const *b = bad; *b; b++) {
		if (load(*b, &m, &e) != -1 || strcmp(e.field, "$.metrics.listen"))
			fail_msg("%s: want an error at $.metrics.listen, got %s: %s", *b,
				 e.field, e.message);
	}
	assert_int_equal(load("\"metrics\": {\"listen\": \"127.0.0.1:1\", \"port\": 2}", &m, &e),
			 -1);
	assert_string_equal(e.field, "$.metrics.port");
	assert_int_equal(load("\"metrics\": \"127.0.0.1:9107\"", &m, &e), -1);
	assert_string_equal(e.field, "$.metrics");
}

static void test_fixed_at_start(void **state)
{
	struct sl_model a, b;
	struct sl_err e;
	(void)state;

	assert_int_equal(load("\"metrics\": {\"listen\": \"127.0.0.1:9107\"}", &a, &e), 0);
	assert_int_equal(load("\"metrics\": {\"listen\": \"127.0.0.1:9108\"}", &b, &e), 0);
	assert_int_equal(sl_config_check_fixed(&a, &a, &e), 0);
	assert_int_equal(sl_config_check_fixed(&a, &b, &e), -1);
	assert_string_equal(e.field, "metrics.listen");
	sl_model_free(&b);
	assert_int_equal(load("", &b, &e), 0);
	assert_int_equal(sl_config_check_fixed(&a, &b, &e), -1);
	sl_model_free(&a);
	sl_model_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_absent_is_off),
		cmocka_unit_test(test_listen_round_trip),
		cmocka_unit_test(test_bad_listen),
		cmocka_unit_test(test_fixed_at_start),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
