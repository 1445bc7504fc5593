/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sluicectl: the command-line client of the control socket (protocol in
 * ctrl/README.md). The pieces, one file each:
 *
 *   sluicectl.c        main: the command line, dispatch, exit status
 *   sluicectl_cmds.c   the command table, per-command help, and turning
 *                      validated arguments into a request's "args"
 *   sluicectl_io.c     one request/answer exchange over the Unix socket
 *   sluicectl_print.c  human-readable answers (tables, confirmations)
 *   sluicectl_table.c  column layout for those tables
 *
 * Everything is checked locally before anything is sent, so a bad command
 * line never reaches the daemon (exit 2); the daemon's own refusals exit 1.
 */
#ifndef SL_SLUICECTL_H
#define SL_SLUICECTL_H

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

#define SLC_EXIT_OK 0
#define SLC_EXIT_FAIL 1  /* refused by the daemon, or it could not be reached */
#define SLC_EXIT_USAGE 2 /* bad command line; nothing was sent */

#define SLC_DEFAULT_SOCKET "/run/sluice/sluice.sock"
#define SLC_DEFAULT_TIMEOUT_S 10.0

/* Options a command may accept after its words (all take a value). */
enum slc_opt {
	SLC_O_PROTO,
	SLC_O_SCHED,
	SLC_O_WEIGHT,
	SLC_O_PORT,
	SLC_O_VIP,
	SLC_O_LIMIT,
	SLC_O_SRC,
	SLC_O_POOL,
	SLC_O_FILTERING,
	SLC_O_DRY_RUN,     /* a flag: takes no value */
	/* Scheduling and health (vip add/set, rs add/set, rs del). */
	SLC_O_PERSIST,
	SLC_O_HASH_PORTS,    /* a flag: --hash-ports, --hash-ports=off */
	SLC_O_MH_SIZE,
	SLC_O_ON_DOWN,
	SLC_O_CHECK,
	SLC_O_INTERVAL,
	SLC_O_CHECK_TIMEOUT, /* also --timeout on commands that take it */
	SLC_O_RISE,
	SLC_O_FALL,
	SLC_O_CHECK_PORT,
	SLC_O_CHECK_PATH,
	SLC_O_CHECK_STATUS,
	SLC_O_FLUSH,         /* a flag */
	SLC_O_MAX
};
#define SLC_OPT(o) (1u << (o))

#define SLC_MAX_POS 2 /* no command takes more than two positionals */

/* A command line after option scanning: the positionals that follow the
 * command words, and each option's value (NULL when not given). */
struct slc_args {
	const char *pos[SLC_MAX_POS];
	unsigned npos;
	const char *opt[SLC_O_MAX];
};

struct slc_cmd;

/* Check the arguments and fill the request's "args" object. On a bad
 * argument, report it with slc_usage_error() and return -1. */
typedef int (*slc_build_fn)(const struct slc_cmd *c, const struct slc_args *a,
			    json_t *args);
/* Print a successful answer for a human. `args` is what was sent (an
 * empty object for commands without arguments). */
typedef void (*slc_print_fn)(const json_t *args, const json_t *result);

struct slc_cmd {
	const char *group;    /* first word: "vip", "stats", ... */
	const char *verb;     /* second word, or NULL for one-word commands */
	const char *name;     /* protocol name, "vip.add"; NULL for raw */
	const char *synopsis; /* arguments, as shown in usage lines */
	const char *summary;  /* one line */
	const char *details;  /* options and examples for `CMD --help` */
	const char *posname[SLC_MAX_POS]; /* positional names, for errors */
	unsigned npos;        /* exact number of positionals */
	unsigned opts;        /* SLC_OPT() mask of accepted options */
	bool send_args;       /* send "args" even when it is empty */
	slc_build_fn build;   /* NULL: the raw command, sent as typed */
	slc_print_fn print;
};
/* A positional whose name is in brackets ("[FILE]") may be left out. */

/* sluicectl_cmds.c */
extern const struct slc_cmd slc_cmds[];
extern const unsigned slc_ncmds;
const char *slc_opt_name(enum slc_opt o); /* "proto" for SLC_O_PROTO */
/* A flag: no value, or an inline "=on" / "=off"; "on" when bare. */
bool slc_opt_is_flag(enum slc_opt o);

/* sluicectl.c: report a bad command line for `c` (NULL: no command yet)
 * on stderr, with a pointer to the right --help. */
void slc_usage_error(const struct slc_cmd *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* "vip add", or "stats" */
const char *slc_cmd_words(const struct slc_cmd *c, char *buf, size_t len);

/* sluicectl_io.c: send one line (a newline is appended) to the daemon at
 * `path` and read one answer line. timeout_s == 0 waits forever. Returns
 * 0 with *answer malloc'd (NUL-terminated, newline removed), or -1 after
 * saying why on stderr. */
int slc_exchange(const char *path, double timeout_s, const char *line,
		 char **answer);

/* sluicectl_print.c */
void slc_print_vip_add(const json_t *args, const json_t *result);
void slc_print_vip_del(const json_t *args, const json_t *result);
void slc_print_vip_list(const json_t *args, const json_t *result);
void slc_print_rs_add(const json_t *args, const json_t *result);
void slc_print_rs_del(const json_t *args, const json_t *result);
void slc_print_rs_set(const json_t *args, const json_t *result);
void slc_print_vip_set(const json_t *args, const json_t *result);
void slc_print_rs_list(const json_t *args, const json_t *result);
void slc_print_laddr_add(const json_t *args, const json_t *result);
void slc_print_laddr_del(const json_t *args, const json_t *result);
void slc_print_laddr_list(const json_t *args, const json_t *result);
void slc_print_neigh_add(const json_t *args, const json_t *result);
void slc_print_neigh_del(const json_t *args, const json_t *result);
void slc_print_neigh_list(const json_t *args, const json_t *result);
void slc_print_stats(const json_t *args, const json_t *result);
void slc_print_conn_list(const json_t *args, const json_t *result);
void slc_print_config(const json_t *args, const json_t *result);

/* sluicectl_config.c: config apply / config save */
int slc_build_config_apply(const struct slc_cmd *c, const struct slc_args *a,
			   json_t *args);
int slc_build_config_save(const struct slc_cmd *c, const struct slc_args *a,
			  json_t *args);
void slc_print_config_apply(const json_t *args, const json_t *result);
void slc_print_config_save(const json_t *args, const json_t *result);
/* The protocol command to send for `c` with arguments `a` (c->name but
 * for `config save FILE`, which fetches config.show and writes locally). */
const char *slc_request_name(const struct slc_cmd *c, const struct slc_args *a);
void slc_print_snat_add(const json_t *args, const json_t *result);
void slc_print_snat_del(const json_t *args, const json_t *result);
void slc_print_snat_list(const json_t *args, const json_t *result);
void slc_print_snat_sessions(const json_t *args, const json_t *result);
/* JSON the way sluicectl shows it: indented, members in the daemon's order. */
void slc_print_json(FILE *f, const json_t *j);
/* sluicectl_xdp.c */
void slc_print_blocklist_add(const json_t *args, const json_t *result);
void slc_print_blocklist_del(const json_t *args, const json_t *result);
void slc_print_blocklist_list(const json_t *args, const json_t *result);
void slc_print_xdp_set(const json_t *args, const json_t *result);
void slc_print_xdp_stats(const json_t *result); /* part of `stats` */

/* sluicectl_table.c: left-aligned text columns, right-aligned numbers
 * (bit i of right_mask), widths fitted to the contents. headers may be
 * NULL for a table without a heading line. Allocation failures end the
 * program: a CLI has nothing better to do. */
struct slc_table;
struct slc_table *slc_table_new(unsigned ncols, const char *const *headers,
				unsigned right_mask);
/* Append one cell; rows fill left to right and wrap after ncols cells. */
void slc_table_add(struct slc_table *t, const char *text);
void slc_table_addf(struct slc_table *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
unsigned slc_table_rows(const struct slc_table *t);
void slc_table_print(const struct slc_table *t, FILE *f, const char *indent);
void slc_table_free(struct slc_table *t);
void slc_oom(void) __attribute__((noreturn)); /* report, exit 1 */
void *slc_xmalloc(size_t n);
void *slc_xrealloc(void *p, size_t n);

#endif
