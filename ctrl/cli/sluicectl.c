/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sluicectl main: read the command line, check it whole, send one request
 * to sluice, print the answer, and exit 0 (done), 1 (the daemon refused,
 * or could not be reached, or applied a change its XDP maps did not all
 * take: "xdp_error") or 2 (bad command line: nothing was sent).
 *
 * Options may come anywhere, before or after the command words, so the
 * line is scanned once into words and options, and only then is the
 * command looked up. Errors met while scanning wait until the command is
 * known, so they can name it and point at its --help.
 */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dp_types.h"
#include "sluicectl.h"

/* Global options, numbered after the command options. */
enum { G_SOCKET = SLC_O_MAX, G_TIMEOUT, G_JSON, G_HELP };

struct optdef {
	const char *name;
	char shrt;
	int id;
	bool value;
};

static const struct optdef global_opts[] = {
	{ "socket", 's', G_SOCKET, true },
	{ "timeout", 0, G_TIMEOUT, true },
	{ "json", 0, G_JSON, false },
	{ "help", 'h', G_HELP, false },
};

struct cli {
	const char *socket;
	double timeout_s;
	bool json;
	bool help;
	const char **words; /* non-option arguments, in order */
	unsigned nwords;
	unsigned given;     /* SLC_OPT() mask of command options seen */
	const char *timeout_raw; /* --timeout as given: read once the command
				  * is known (for vip/rs add/set it is the
				  * health check's timeout in ms) */
	struct slc_args a;
	char pending[256];  /* first scanning error, reported later */
};

static void __attribute__((format(printf, 2, 3)))
pend(struct cli *cli, const char *fmt, ...)
{
	va_list ap;

	if (cli->pending[0])
		return;
	va_start(ap, fmt);
	vsnprintf(cli->pending, sizeof(cli->pending), fmt, ap);
	va_end(ap);
}

/* Match "--name", "--name=value", "-s" or "-h". *inline_val is the text
 * after '=' if any. */
static bool match(const char *arg, const char *name, char shrt,
		  const char **inline_val)
{
	size_t n = strlen(name);

	*inline_val = NULL;
	if (shrt && arg[0] == '-' && arg[1] == shrt && !arg[2])
		return true;
	if (strncmp(arg, "--", 2) || strncmp(arg + 2, name, n))
		return false;
	if (arg[2 + n] == '=')
		*inline_val = arg + 3 + n;
	return arg[2 + n] == '\0' || arg[2 + n] == '=';
}

static bool find_opt(const char *arg, struct optdef *out, const char **val)
{
	for (unsigned i = 0; i < SL_ARRAY_SIZE(global_opts); i++) {
		if (match(arg, global_opts[i].name, global_opts[i].shrt, val)) {
			*out = global_opts[i];
			return true;
		}
	}
	for (int o = 0; o < SLC_O_MAX; o++) {
		if (match(arg, slc_opt_name((enum slc_opt)o), slc_opt_short((enum slc_opt)o), val)) {
			*out = (struct optdef){ slc_opt_name((enum slc_opt)o), 0, o,
						!slc_opt_is_flag((enum slc_opt)o) };
			return true;
		}
	}
	return false;
}

/* Seconds, fractions allowed; 0 waits forever. */
static void set_timeout(struct cli *cli, const char *s)
{
	char *end;
	double v = strtod(s, &end);

	if (!*s || *end || !isfinite(v) || v < 0 || v > 86400 * 365.0)
		pend(cli, "bad --timeout '%s': expected seconds (0 waits forever)",
		     s);
	else
		cli->timeout_s = v;
}

static void apply_opt(struct cli *cli, const struct optdef *d, const char *val)
{
	switch (d->id) {
	case G_SOCKET:
		cli->socket = val;
		break;
	case G_TIMEOUT:
		cli->timeout_raw = val;
		break;
	case G_JSON:
		cli->json = true;
		break;
	case G_HELP:
		cli->help = true;
		break;
	default: /* a command option; the last one given wins */
		cli->a.opt[d->id] = val ? val : "";
		cli->given |= SLC_OPT(d->id);
		break;
	}
}

/* One option at argv[*i]; a value may be the next argument. */
static void scan_opt(struct cli *cli, int argc, char **argv, int *i)
{
	const char *arg = argv[*i], *val;
	struct optdef d;

	if (!find_opt(arg, &d, &val)) {
		pend(cli, "unknown option '%s'", arg);
		return;
	}
	if (d.id < SLC_O_MAX && !d.value) { /* a flag, maybe =on / =off */
		apply_opt(cli, &d, val ? val : "on");
		return;
	}
	if (!d.value && val) {
		pend(cli, "option '--%s' takes no value", d.name);
		return;
	}
	if (d.value && !val) {
		if (*i + 1 >= argc) {
			pend(cli, "option '%s' needs a value", arg);
			return;
		}
		val = argv[++*i];
	}
	apply_opt(cli, &d, val);
}

static void scan(struct cli *cli, int argc, char **argv)
{
	bool only_words = false;

	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];

		if (!only_words && !strcmp(arg, "--"))
			only_words = true;
		else if (only_words || arg[0] != '-' || !arg[1])
			cli->words[cli->nwords++] = arg;
		else
			scan_opt(cli, argc, argv, &i);
	}
}

static void print_cmd_line(FILE *f, const struct slc_cmd *c)
{
	char buf[64];

	fprintf(f, "  %s%s%s\n      %s\n", slc_cmd_words(c, buf, sizeof(buf)),
		*c->synopsis ? " " : "", c->synopsis, c->summary);
}

static void main_help(void)
{
	fputs("Usage: sluicectl [OPTIONS] COMMAND [ARGS] [OPTIONS]\n"
	      "\n"
	      "Control a running sluice load balancer through its control socket.\n"
	      "\n"
	      "Options (anywhere on the line):\n"
	      "  -s, --socket PATH  the control socket (default: $SLUICE_SOCKET, else\n"
	      "                     " SLC_DEFAULT_SOCKET ")\n"
	      "      --json         print the daemon's JSON result instead of tables\n"
	      "      --timeout SEC  give up after SEC seconds (default 10; 0: never)\n"
	      "  -h, --help         this help; after a command, that command's help\n"
	      "\n"
	      "Commands:\n", stdout);
	for (unsigned i = 0; i < slc_ncmds; i++)
		print_cmd_line(stdout, &slc_cmds[i]);
	fputs("\n"
	      "Addresses are A.B.C.D or IPv6 (2001:db8::1), services and servers\n"
	      "A.B.C.D:PORT or [V6]:PORT (brackets required with a port). A VIP's\n"
	      "servers are of one family: v4 VIP, v4 servers; v6 VIP, v6 servers\n"
	      "(FNAT66); v6 VIP, v4 servers (NAT64: v6 clients reach v4 servers\n"
	      "from a v4 local address).\n"
	      "\n"
	      "Examples:\n"
	      "  sluicectl vip add 198.18.0.100:80 --sched wrr\n"
	      "  sluicectl rs add 198.18.0.100:80 198.18.1.11:8080 --weight 10\n"
	      "  sluicectl rs set 198.18.0.100:80 198.18.1.11:8080 --weight 0   # drain\n"
	      "  sluicectl vip set 198.18.0.100:80 --sched mh --check tcp --interval 1000\n"
	      "  sluicectl rs list 198.18.0.100:80\n"
	      "  sluicectl rs del 198.18.0.100:80 198.18.1.11:8080 --flush\n"
	      "  sluicectl laddr add 198.18.1.3 --port lan\n"
	      "  sluicectl neigh add 198.18.1.11 02:00:00:00:01:0b\n"
	      "  sluicectl conn list --vip 198.18.0.100:80 --limit 20\n"
	      "  sluicectl vip add [2001:db8::100]:80 --sched mh          # FNAT66\n"
	      "  sluicectl rs add [2001:db8::100]:80 [2001:db8:1::11]:8080\n"
	      "  sluicectl laddr add 2001:db8:1::10 --port lan\n"
	      "  sluicectl conn list --vip [2001:db8::100]:80\n"
	      "  sluicectl rs add [2001:db8::64]:80 198.18.1.11:8080  # NAT64: v6 VIP,\n"
	      "                                      # v4 servers\n"
	      "  sluicectl stats --json | jq .totals\n"
	      "  sluicectl -s /tmp/sluice.sock config show > sluice.json\n"
	      "  sluicectl raw '{\"cmd\":\"help\"}'\n"
	      "\n"
	      "Exit status: 0 done; 1 the daemon refused the request or could not\n"
	      "be reached, or applied a change its XDP maps did not all take (it\n"
	      "retries them); 2 bad command line (nothing was sent).\n", stdout);
}

static void group_help(const char *group)
{
	printf("Usage: sluicectl %s COMMAND [ARGS] [OPTIONS]\n\nCommands:\n",
	       group);
	for (unsigned i = 0; i < slc_ncmds; i++)
		if (!strcmp(slc_cmds[i].group, group))
			print_cmd_line(stdout, &slc_cmds[i]);
	printf("\nSee 'sluicectl %s COMMAND --help' for each.\n", group);
}

static void cmd_help(const struct slc_cmd *c)
{
	char buf[64];

	printf("Usage: sluicectl %s%s%s\n\n%c%s.\n\n%s\n"
	       "Global options (-s/--socket, --json%s) work here too;\n"
	       "see 'sluicectl --help'.\n",
	       slc_cmd_words(c, buf, sizeof(buf)), *c->synopsis ? " " : "",
	       c->synopsis, toupper((unsigned char)c->summary[0]), c->summary + 1,
	       c->details, c->opts & SLC_OPT(SLC_O_CHECK_TIMEOUT)
				   ? "; here --timeout is the check's, in ms" : ", --timeout");
}

/* "add, del or list": the verbs of a group, for error messages. */
static void list_verbs(const char *group, char *buf, size_t len)
{
	unsigned n = 0, total = 0;
	size_t used = 0;

	for (unsigned i = 0; i < slc_ncmds; i++)
		total += !strcmp(slc_cmds[i].group, group);
	buf[0] = '\0';
	for (unsigned i = 0; i < slc_ncmds && used < len; i++) {
		if (strcmp(slc_cmds[i].group, group))
			continue;
		n++;
		used += (size_t)snprintf(buf + used, len - used, "%s%s",
					 n == 1 ? "" : n == total ? " or " : ", ",
					 slc_cmds[i].verb);
	}
}

/* The command named by the leading words, or NULL after saying why (or
 * after printing help; *rc tells which). *nused: words it took. */
static const struct slc_cmd *resolve(const struct cli *cli, unsigned *nused,
				     int *rc)
{
	const char *group = cli->words[0], *verb;
	const struct slc_cmd *first = NULL;
	char verbs[128];

	*rc = SLC_EXIT_USAGE;
	for (unsigned i = 0; i < slc_ncmds && !first; i++)
		if (!strcmp(slc_cmds[i].group, group))
			first = &slc_cmds[i];
	if (!first) {
		if (cli->pending[0])
			slc_usage_words("", "%s", cli->pending);
		else
			slc_usage_words("", "unknown command '%s'", group);
		return NULL;
	}
	*nused = 1;
	if (!first->verb)
		return first;
	list_verbs(group, verbs, sizeof(verbs));
	if (cli->nwords < 2) {
		if (cli->help) {
			group_help(group);
			*rc = SLC_EXIT_OK;
		} else {
			slc_usage_words(group, "missing sub-command (%s)", verbs);
		}
		return NULL;
	}
	verb = cli->words[1];
	*nused = 2;
	for (const struct slc_cmd *c = first; c < slc_cmds + slc_ncmds; c++)
		if (!strcmp(c->group, group) && !strcmp(c->verb, verb))
			return c;
	slc_usage_words(group, "unknown sub-command '%s' (expected %s)", verb, verbs);
	return NULL;
}

/* --timeout is the request timeout (seconds), except on the commands
 * that take a health check, where it is the check's timeout (ms), as
 * `vip set --check tcp --timeout 500` reads; --check-timeout says the
 * same anywhere. */
static void resolve_timeout(struct cli *cli, const struct slc_cmd *c)
{
	if (!cli->timeout_raw)
		return;
	if (c->opts & SLC_OPT(SLC_O_CHECK_TIMEOUT)) {
		if (!cli->a.opt[SLC_O_CHECK_TIMEOUT])
			cli->a.opt[SLC_O_CHECK_TIMEOUT] = cli->timeout_raw;
		cli->given |= SLC_OPT(SLC_O_CHECK_TIMEOUT);
		return;
	}
	set_timeout(cli, cli->timeout_raw);
}

/* Everything about the command line that is not a value's syntax. */
static int check_line(struct cli *cli, const struct slc_cmd *c, unsigned nused)
{
	unsigned npos = cli->nwords - nused;
	unsigned extra = cli->given & ~c->opts;

	if (cli->pending[0]) {
		slc_usage_error(c, "%s", cli->pending);
		return -1;
	}
	if (extra) {
		slc_usage_error(c, "unknown option '--%s'",
				slc_opt_name((enum slc_opt)__builtin_ctz(extra)));
		return -1;
	}
	if (npos < c->npos && c->posname[npos][0] != '[') {
		slc_usage_error(c, "missing %s", c->posname[npos]);
		return -1;
	}
	if (npos > c->npos) {
		slc_usage_error(c, "unexpected argument '%s'",
				cli->words[nused + c->npos]);
		return -1;
	}
	for (unsigned i = 0; i < npos; i++)
		cli->a.pos[i] = cli->words[nused + i];
	cli->a.npos = npos;
	return 0;
}

/* The request line for `c`, or NULL after a usage error. `args` gets
 * what the command's arguments became (kept for the printers). */
static char *request_line(const struct cli *cli, const struct slc_cmd *c,
			  json_t *args)
{
	json_t *req;
	char *line;

	if (!c->build) { /* raw: as typed, but it must stay one line */
		if (!cli->a.pos[0][0] || strchr(cli->a.pos[0], '\n')) {
			slc_usage_error(c, "the line must be non-empty and "
					"contain no newline");
			return NULL;
		}
		line = strdup(cli->a.pos[0]);
		if (!line)
			slc_oom();
		return line;
	}
	if (c->build(c, &cli->a, args) < 0)
		return NULL;
	req = json_pack("{s:s}", "cmd", slc_request_name(c, &cli->a));
	if (!req || (c->send_args && json_object_set(req, "args", args) < 0))
		slc_oom();
	line = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	if (!line)
		slc_oom();
	return line;
}

/* `sluicectl: <message> [<code> at <field>]` */
static void report_error(const json_t *err)
{
	const char *msg = json_string_value(json_object_get(err, "message"));
	const char *code = json_string_value(json_object_get(err, "code"));
	const char *field = json_string_value(json_object_get(err, "field"));

	fprintf(stderr, "sluicectl: %s [%s", msg ? msg : "(no message)",
		code ? code : "?");
	if (field && *field)
		fprintf(stderr, " at %s", field);
	fputs("]\n", stderr);
}

static int show_answer(const struct cli *cli, const struct slc_cmd *c,
		       const json_t *args, json_t *ans)
{
	json_t *ok = json_object_get(ans, "ok");
	json_t *res = json_object_get(ans, "result");

	if (!json_is_boolean(ok)) {
		fputs("sluicectl: malformed answer from sluice: no \"ok\"\n",
		      stderr);
		return SLC_EXIT_FAIL;
	}
	if (!json_is_true(ok)) {
		if (cli->json && c->build)
			slc_print_json(stdout, json_object_get(ans, "error"));
		report_error(json_object_get(ans, "error"));
		return SLC_EXIT_FAIL;
	}
	/* raw (no build): run() has already printed the line */
	if (!c->build)
		return SLC_EXIT_OK;
	if (!res) { /* "result" left out: treat as empty */
		res = json_object();
		if (!res)
			slc_oom();
		json_object_set_new(ans, "result", res);
	}
	if (cli->json && c->print != slc_print_config && c->print != slc_print_config_save)
		slc_print_json(stdout, res);
	else
		c->print(args, res);
	/* Applied, but the kernel's XDP maps did not all take it. */
	const char *xerr = json_string_value(json_object_get(res, "xdp_error"));
	if (xerr) {
		fprintf(stderr, "sluicectl: the change is in the configuration, but "
			"not all in XDP: %s\n", xerr);
		return SLC_EXIT_FAIL;
	}
	return SLC_EXIT_OK;
}

static int run(const struct cli *cli, const struct slc_cmd *c)
{
	json_t *args = json_object(), *ans = NULL;
	char *line = NULL, *reply = NULL;
	json_error_t jerr;
	int rc = SLC_EXIT_USAGE;

	if (!args)
		slc_oom();
	line = request_line(cli, c, args);
	if (!line)
		goto out;
	if (c->print == slc_print_capture) { /* a conversation, not one line */
		rc = slc_run_capture(cli->socket, cli->timeout_s, cli->json, &cli->a, args);
		goto out;
	}
	rc = SLC_EXIT_FAIL;
	if (slc_exchange(cli->socket, cli->timeout_s, line, &reply) < 0)
		goto out;
	if (!c->build)
		puts(reply);
	ans = json_loads(reply, 0, &jerr);
	if (!json_is_object(ans)) {
		fprintf(stderr, "sluicectl: malformed answer from sluice: %s\n",
			ans ? "not a JSON object" : jerr.text);
		goto out;
	}
	rc = show_answer(cli, c, args, ans);
out:
	if (fflush(stdout) != 0 && rc == SLC_EXIT_OK) {
		perror("sluicectl: writing output");
		rc = SLC_EXIT_FAIL;
	}
	json_decref(ans);
	json_decref(args);
	free(reply);
	free(line);
	return rc;
}

int main(int argc, char **argv)
{
	struct cli cli = { .socket = getenv("SLUICE_SOCKET"),
			   .timeout_s = SLC_DEFAULT_TIMEOUT_S };
	const struct slc_cmd *c;
	unsigned nused = 0;
	int rc;

	if (!cli.socket || !*cli.socket)
		cli.socket = SLC_DEFAULT_SOCKET;
	cli.words = slc_xmalloc((size_t)argc * sizeof(*cli.words));
	scan(&cli, argc, argv);
	if (cli.nwords == 0) {
		if (cli.help && !cli.pending[0]) {
			main_help();
			rc = SLC_EXIT_OK;
		} else {
			slc_usage_words("", "%s", cli.pending[0] ? cli.pending :
					      "missing command");
			rc = SLC_EXIT_USAGE;
		}
	} else if (!(c = resolve(&cli, &nused, &rc))) {
		; /* resolve() said why, or printed group help */
	} else if (resolve_timeout(&cli, c), cli.help) {
		cmd_help(c);
		rc = SLC_EXIT_OK;
	} else if (check_line(&cli, c, nused) < 0) {
		rc = SLC_EXIT_USAGE;
	} else {
		rc = run(&cli, c);
	}
	free(cli.words);
	return rc;
}
