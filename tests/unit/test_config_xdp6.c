/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The IPv6 blocklist in the model and the config file (model_xdp6.c,
 * config_xdp.c): v6 prefixes load beside v4 ones, sorted, host bits and
 * duplicates refused at their JSON path, written back by `config show`;
 * and the lock-out protection for v6: a prefix covering a v6 route's
 * gateway, a static v6 neighbor or a v6 real server is refused, at
 * `blocklist add` and at `config apply`, as for v4.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config_fixture.h"
#include "config_xdp.h"

#define PORTS6                                                                 \
	"'ports': [{'name': 'wan', 'devargs': 'net_af_xdp0,iface=wan0', "      \
	"'ipv4': '198.18.0.2/24', 'ipv6': '2001:db8::2/64'}, "                 \
	"{'name': 'lan', 'devargs': 'net_ring1', 'ipv4': '198.18.1.2/24', "     \
	"'ipv6': '2001:db8:1::2/64'}]"
/* A v6 gateway, a static v6 neighbor and two v6 servers to guard. */
#define GUARDED                                                                \
	"{" PORTS6 ", 'routes': [{'prefix': '2001:db8:40::/44', "              \
	"'via': '2001:db8:1::fe'}], 'neighbors': [{'ip': '2001:db8::77', "     \
	"'mac': '02:00:00:00:00:77'}], 'vips': [{'vip': '2001:db8::100', "     \
	"'port': 80, 'real_servers': [{'ip': '2001:db8:1::21', 'port': 80}, "  \
	"{'ip': '2001:db8:1::22', 'port': 80}]}]"

static void test_load_and_show6(void **state)
{
	struct sl_model m, back;
	struct sl_err e;
	(void)state;

	load_ok("{" PORTS6 ", 'xdp': {'blocklist': ['2001:db8:bad::/48', "
		"'203.0.113.0/24', '2001:db8:1:ff::9', '2001:db8:abc::/48']}}", &m);
	assert_int_equal(m.xdp.nblock, 1);
	assert_int_equal(m.xdp.nblock6, 3);
	assert_memory_equal(m.xdp.block6[0].prefix, A("2001:db8:1:ff::9").v6, 16);
	assert_int_equal(m.xdp.block6[0].plen, 128);
	assert_memory_equal(m.xdp.block6[1].prefix, A("2001:db8:abc::").v6, 16);
	assert_memory_equal(m.xdp.block6[2].prefix, A("2001:db8:bad::").v6, 16);
	json_t *doc = sl_config_to_json(&m);
	json_t *list = json_object_get(json_object_get(doc, "xdp"), "blocklist");
	assert_int_equal(json_array_size(list), 4);
	assert_string_equal(json_string_value(json_array_get(list, 1)),
			    "2001:db8:1:ff::9/128");
	char *text = json_dumps(doc, 0);
	assert_int_equal(sl_config_load_string(text, &back, &e), 0);
	assert_int_equal(back.xdp.nblock6, 3);
	assert_int_equal(sl_model_block6_find(&back.xdp, A("2001:db8:bad::").v6, 48), 2);
	free(text);
	json_decref(doc);
	sl_model_free(&back);

	/* Clones are deep; deleting leaves the others. */
	struct sl_model c;
	assert_int_equal(sl_model_clone(&c, &m), 0);
	assert_int_equal(sl_model_block6_del(&m, A("2001:db8:abc::").v6, 48, &e), 0);
	assert_int_equal(sl_model_block6_del(&m, A("2001:db8:abc::").v6, 48, &e), -1);
	assert_string_equal(e.field, "prefix");
	assert_int_equal(m.xdp.nblock6, 2);
	assert_int_equal(c.xdp.nblock6, 3);
	sl_model_free(&c);
	sl_model_free(&m);
}

static void test_refused_at_path(void **state)
{
	static const struct {
		const char *entry, *why;
	} bad[] = {
		{"2001:db8:bad::1/48", "host bits"},
		{"2001:db8::/129", "length"},
		{"2001:db8::g", "not an address"},
		{"[2001:db8::1]", "brackets"},
	};
	struct sl_model m;
	struct sl_err e;
	char doc[512];
	(void)state;

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(doc, sizeof(doc),
			 "{" PORTS6 ", 'xdp': {'blocklist': ['10.0.0.0/8', '%s']}}",
			 bad[i].entry);
		if (load(doc, &m, &e) != -1)
			fail_msg("%s (%s) loaded", bad[i].entry, bad[i].why);
		assert_string_equal(e.field, "$.xdp.blocklist[1]");
	}
	assert_int_equal(load("{" PORTS6 ", 'xdp': {'blocklist': ['2001:db8::/32', "
			      "'2001:db8::/32']}}", &m, &e), -1);
	assert_string_equal(e.field, "$.xdp.blocklist[1]");
	assert_non_null(strstr(e.message, "blocked already"));
	/* v4-mapped never matches a v6 frame: refused, pointing at IPv4. */
	assert_int_equal(load("{" PORTS6 ", 'xdp': {'blocklist': ['2001:db8::/32', "
			      "'::ffff:198.18.0.0/112']}}", &m, &e), -1);
	assert_string_equal(e.field, "$.xdp.blocklist[1]");
	assert_non_null(strstr(e.message, "v4-mapped"));
	assert_non_null(strstr(e.message, "IPv4"));
}

static void test_lockout6(void **state)
{
	static const struct {
		const char *prefix, *names;
	} refused[] = {
		{"::/0", "every IPv6 source"},
		{"fe80::/10", "link-local sources"},
		{"fe80::/64", "link-local sources"},
		{"fe80::1", "link-local sources"},
		{"fe00::/7", "link-local sources"},
		{"2001:db8:1::/112", "gateway of route 2001:db8:40::/44"},
		{"2001:db8::77", "static neighbor on port wan"},
		{"2001:db8:1::20/126", "2001:db8:1::21, a real server of VIP 2001:db8::100"},
	};
	static const char *const taken[] = {"2001:db8:1::100/120", "2001:db8:bad::/48",
					    "2001:db8::78", "fec0::/10", "fc00::/7"};
	struct sl_model m;
	struct sl_addr p;
	uint8_t plen;
	struct sl_err e;
	(void)state;

	load_ok(GUARDED "}", &m);
	for (unsigned i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		assert_int_equal(sl_parse_block_addr(refused[i].prefix, &p, &plen), 0);
		if (sl_model_block6_lockout(&m, p.v6, plen, &e) != -1)
			fail_msg("%s taken", refused[i].prefix);
		assert_string_equal(e.field, "prefix");
		if (!strstr(e.message, refused[i].names) || !strstr(e.message, "force"))
			fail_msg("%s: %s", refused[i].prefix, e.message);
	}
	for (unsigned i = 0; i < sizeof(taken) / sizeof(taken[0]); i++) {
		assert_int_equal(sl_parse_block_addr(taken[i], &p, &plen), 0);
		if (sl_model_block6_lockout(&m, p.v6, plen, &e) != 0)
			fail_msg("%s refused: %s", taken[i], e.message);
	}
	sl_model_free(&m);
}

/* config apply: a new v6 prefix over a gateway, or a server inside a
 * prefix, is refused at its path; what the running model had forced
 * stays. */
static void test_lockout6_new(void **state)
{
	struct sl_model cur, next;
	struct sl_err e;
	(void)state;

	load_ok(GUARDED "}", &cur);
	load_ok(GUARDED ", 'xdp': {'blocklist': ['2001:db8:bad::/48']}}", &next);
	assert_int_equal(sl_model_block_lockout_new(&cur, &next, false, &e), 0);
	sl_model_free(&next);

	load_ok(GUARDED ", 'xdp': {'blocklist': ['2001:db8:1::f0/124']}}", &next);
	assert_int_equal(sl_model_block_lockout_new(&cur, &next, false, &e), -1);
	assert_string_equal(e.field, "xdp.blocklist");
	assert_non_null(strstr(e.message, "2001:db8:1::fe, the gateway"));
	assert_non_null(strstr(e.message, "config apply --force"));
	sl_model_free(&next);

	load_ok(GUARDED ", 'xdp': {'blocklist': ['2001:db8:1::22']}}", &next);
	assert_int_equal(sl_model_block_lockout_new(&cur, &next, true, &e), -1);
	assert_string_equal(e.field, "vips[0].real_servers[1].ip");
	assert_non_null(strstr(e.message, "take it out of the file"));
	/* Once forced (the running model has both), it stays. */
	assert_int_equal(sl_model_block_lockout_new(&next, &next, false, &e), 0);
	sl_model_free(&next);
	sl_model_free(&cur);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_and_show6),
		cmocka_unit_test(test_refused_at_path),
		cmocka_unit_test(test_lockout6),
		cmocka_unit_test(test_lockout6_new),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
