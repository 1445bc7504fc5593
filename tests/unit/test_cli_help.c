/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sluicectl's command table (ctrl/cli/sluicectl_cmds.c) against its own
 * help: every option a command accepts (its `opts` mask, what the parser
 * lets through) is named in that command's `--help` (its synopsis or
 * details), and every option its help names is one it accepts. sluicectl(8)
 * is generated from those help texts (scripts/gen_man.py) and
 * tests/pkg/test_man.sh checks the page names what the help names; this
 * closes the loop, so an option added to a command's mask alone is caught.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../../ctrl/cli/sluicectl.h"

/* Whether `text` holds "--name" as a whole option word (not a prefix of
 * "--name-more"). */
static bool names_option(const char *text, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = strstr(text, "--"); p; p = strstr(p + 2, "--")) {
		if (strncmp(p + 2, name, n) != 0)
			continue; /* p[2 + n] may lie past a shorter text's end */
		char after = p[2 + n];
		if (!(after == '-' || (after >= 'a' && after <= 'z')))
			return true;
	}
	return false;
}

static const char *text_or_empty(const char *s)
{
	return s ? s : "";
}

static bool helped(const struct slc_cmd *c, const char *name)
{
	return names_option(text_or_empty(c->synopsis), name) ||
	       names_option(text_or_empty(c->details), name);
}

/* The global options, accepted by every command (ctrl/cli/sluicectl.c). */
static bool global(const char *name, size_t n)
{
	static const char *const g[] = {"socket", "timeout", "json", "help"};

	for (size_t i = 0; i < sizeof(g) / sizeof(g[0]); i++)
		if (strlen(g[i]) == n && !strncmp(g[i], name, n))
			return true;
	return false;
}

static void test_accepted_options_in_help(void **state)
{
	int missing = 0;
	(void)state;

	assert_true(slc_ncmds > 20); /* the table is there to check */
	for (unsigned i = 0; i < slc_ncmds; i++) {
		const struct slc_cmd *c = &slc_cmds[i];

		for (int o = 0; o < SLC_O_MAX; o++) {
			const char *name = slc_opt_name((enum slc_opt)o);

			if (!(c->opts & SLC_OPT(o)) || helped(c, name))
				continue;
			/* The check's timeout is written --timeout where a
			 * command takes it (sluicectl.c says why). */
			if (o == SLC_O_CHECK_TIMEOUT && helped(c, "timeout"))
				continue;
			print_error("sluicectl %s%s%s accepts --%s, but its --help does not name it:\n"
				    "  add a line for --%s to that command's details in "
				    "ctrl/cli/sluicectl_cmds.c, then run `make man`\n",
				    c->group, c->verb ? " " : "", c->verb ? c->verb : "", name,
				    name);
			missing++;
		}
	}
	assert_int_equal(missing, 0);
}

static void test_help_names_only_accepted_options(void **state)
{
	int stale = 0;
	(void)state;

	assert_true(slc_ncmds > 20);
	for (unsigned i = 0; i < slc_ncmds; i++) {
		const struct slc_cmd *c = &slc_cmds[i];
		const char *texts[] = {text_or_empty(c->synopsis), text_or_empty(c->details)};

		for (int t = 0; t < 2; t++) {
			for (const char *p = strstr(texts[t], "--"); p; p = strstr(p + 2, "--")) {
				const char *w = p + 2;
				size_t n = strspn(w, "abcdefghijklmnopqrstuvwxyz-");
				bool ok = n == 0 || global(w, n);

				for (int o = 0; !ok && o < SLC_O_MAX; o++) {
					const char *name = slc_opt_name((enum slc_opt)o);

					ok = (c->opts & SLC_OPT(o)) && strlen(name) == n &&
					     !strncmp(name, w, n);
				}
				if (ok)
					continue;
				print_error("sluicectl %s%s%s: its help names --%.*s, which it does not "
					    "accept (ctrl/cli/sluicectl_cmds.c: add it to the command's "
					    "opts, or drop it from the help)\n",
					    c->group, c->verb ? " " : "", c->verb ? c->verb : "",
					    (int)n, w);
				stale++;
			}
		}
	}
	assert_int_equal(stale, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepted_options_in_help),
		cmocka_unit_test(test_help_names_only_accepted_options),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
