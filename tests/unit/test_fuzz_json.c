/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control fuzzer's answer check without a JSON tree
 * (tests/fuzz/fuzz_json.h) accepts exactly what jansson's
 * json_loads(text, 0) accepts as an object, duplicate keys aside: the
 * fuzzer's oracle must not be weaker than the parse it replaced.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "fuzz_json.h"

static const char *const texts[] = {
	"{}", "{\"ok\":true,\"result\":{}}", " {\"a\" : [ 1 , -0.5e3 , true , false , null ] } ",
	"{\"a\":\"\\ud83d\\ude00\"}", "{\"a\":\"\\ud83d\"}", "{\"a\":\"\\ude00\"}",
	"{\"a\":\"\\ud83dx\"}", "{\"a\":\"\\uD800\\u0041\"}", "{\"a\":\"\\u0000\"}",
	"{\"a\":\"\\u0001\"}", "{\"a\":\"\\uZZZZ\"}", "{\"a\":\"\\x\"}", "{\"a\":\"\\/\"}",
	"{\"a\":1e999}", "{\"a\":1e-999}", "{\"a\":9223372036854775807}",
	"{\"a\":9223372036854775808}", "{\"a\":-9223372036854775809}", "{\"a\":01}",
	"{\"a\":-}", "{\"a\":1.}", "{\"a\":.5}", "{\"a\":1e}", "{\"a\":+1}", "{\"a\":[1,]}",
	"{\"a\":1,}", "{,}", "{\"a\":tru}", "{\"a\":1} x", "{\"a\":1}{}", "{a:1}", "[1]", "\"s\"",
	"1", "", "{\"a\":\"\t\"}", "{\"a\":\"\xc3\xa9\"}", "{\"a\":\"\xc0\x80\"}",
	"{\"a\":\"\xe0\x80\x80\"}", "{\"a\":\"\xed\xa0\x80\"}", "{\"a\":\"\xf4\x90\x80\x80\"}",
	"{\"a\":\"\xf0\x9f\x98\x80\"}", "{\"a\":\"\xc3\"}", "{\"a\":\"\xff\"}",
	"{\"ok\":false,\"error\":{\"code\":\"invalid\",\"field\":\"\",\"message\":\"m\"}}",
};

static void test_same_as_jansson(void **state)
{
	struct fz_json_member m[8];
	json_error_t e;
	(void)state;

	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		json_t *j = json_loads(texts[i], 0, &e);
		bool theirs = j && json_is_object(j), ours = fz_json_object(texts[i], m, 8) >= 0;
		json_decref(j);
		if (theirs != ours)
			fail_msg("jansson %d, fuzz_json %d: %s", theirs, ours, texts[i]);
	}
}

static void test_depth_limit(void **state)
{
	static char deep[2 * 2100 + 16];
	json_error_t e;
	(void)state;

	for (unsigned depth = 2045; depth <= 2050; depth++) {
		struct fz_json_member m[1];
		char *p = deep + sprintf(deep, "{\"a\":");
		memset(p, '[', depth), p += depth;
		memset(p, ']', depth), p += depth;
		strcpy(p, "}");
		json_t *j = json_loads(deep, 0, &e);
		assert_int_equal(j != NULL, fz_json_object(deep, m, 1) >= 0);
		json_decref(j);
	}
}

static void test_members(void **state)
{
	const char *a = "{\"ok\":false,\"error\":{\"code\":\"x\",\"message\":\"\"},\"id\":7}";
	struct fz_json_member top[4], err[4];
	(void)state;

	int n = fz_json_object(a, top, 4);
	assert_int_equal(n, 3);
	assert_int_equal(fz_json_get(top, n, "ok")->kind, FZ_JSON_FALSE);
	int m = fz_json_members(fz_json_get(top, n, "error"), err, 4);
	assert_int_equal(m, 2);
	assert_int_equal(fz_json_get(err, m, "code")->len, 1);
	assert_int_equal(fz_json_get(err, m, "message")->len, 0);
	assert_null(fz_json_get(err, m, "field"));
	/* A duplicate key where the checker looks is refused. */
	assert_int_equal(fz_json_object("{\"ok\":true,\"ok\":false}", top, 4), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_as_jansson),
		cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_members),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
