/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the config-file tests share (test_config.c, test_config_load.c,
 * test_config_hcpath.c, test_config_xdp.c, test_svcopts.c): the example
 * config's path, test addresses, loading a single-quoted document
 * (quoted.h) or one that must load, and the freed model config.h
 * promises after a refusal.
 * Header-only and static inline, like frames.h. Include after <cmocka.h>.
 */
#ifndef SL_TEST_CONFIG_FIXTURE_H
#define SL_TEST_CONFIG_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "quoted.h"
#include "addr.h"
#include "config.h"
#include "model.h"

static char example_path[4096] __attribute__((unused)) = "conf/sluice.example.json";

static inline sl_be32 ip(const char *s)
{
	sl_be32 v = 0;

	if (sl_parse_ipv4(s, &v) < 0)
		fail_msg("bad test address %s", s);
	return v;
}

/* Either family's address, parsed; the test fails on a bad one. */
static inline struct sl_addr A(const char *s)
{
	struct sl_addr a;

	if (sl_parse_addr(s, &a) != 0)
		fail_msg("bad test address %s", s);
	return a;
}

/* Load a single-quoted document: sl_config_load_string's result. */
static inline int load(const char *text, struct sl_model *m, struct sl_err *e)
{
	char *json = dq(text);
	int rc = sl_config_load_string(json, m, e);

	free(json);
	return rc;
}

/* Load a single-quoted document; fail the test on error. */
static inline void load_ok(const char *text, struct sl_model *m)
{
	struct sl_err e;
	char *json = dq(text);
	int rc = sl_config_load_string(json, m, &e);

	if (rc != 0)
		fail_msg("refused: %s at %s: %s\n%s", e.code, e.field, e.message, json);
	free(json);
}

/* The model was left freed, as config.h promises. */
static inline void assert_freed(const struct sl_model *m)
{
	assert_null(m->svcs);
	assert_null(m->neigh);
	assert_null(m->eal);
	assert_int_equal(m->nports, 0);
}

/* The example config's path, for a binary run from elsewhere than the
 * tree's top (it lives in build/tests/). */
static inline void find_example(const char *argv0)
{
	const char *slash = strrchr(argv0, '/');

	if (access(example_path, R_OK) == 0 || !slash)
		return;
	/* Run from elsewhere: the binary lives in build/tests/. */
	snprintf(example_path, sizeof(example_path),
		 "%.*s/../../conf/sluice.example.json", (int)(slash - argv0), argv0);
}


#endif
