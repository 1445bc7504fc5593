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
	SLC_O_PANIC,
	SLC_O_ANNOUNCE_WHEN,
	SLC_O_CHECK,
	SLC_O_INTERVAL,
	SLC_O_CHECK_TIMEOUT, /* also --timeout on commands that take it */
	SLC_O_RISE,
	SLC_O_FALL,
	SLC_O_CHECK_PORT,
	SLC_O_CHECK_PATH,
	SLC_O_CHECK_STATUS,
	SLC_O_FLUSH,         /* a flag */
	SLC_O_FORCE,         /* a flag */
	/* capture */
	SLC_O_COUNT,
	SLC_O_FILTER,
	SLC_O_WRITE,         /* also -w */
	SLC_O_DIRECTION,
	SLC_O_DURATION,
	SLC_O_MAX
};
/* An option is a bit of a command's 32-bit mask. */
_Static_assert(SLC_O_MAX <= 32, "more options than a mask holds");
#define SLC_OPT(o) (1u << (o))
/* The health-check options, and everything vip add / vip set accept
 * beyond the address. */
#define SLC_CHECK_OPTS (SLC_OPT(SLC_O_CHECK) | SLC_OPT(SLC_O_INTERVAL) |       \
			SLC_OPT(SLC_O_CHECK_TIMEOUT) | SLC_OPT(SLC_O_RISE) |   \
			SLC_OPT(SLC_O_FALL) | SLC_OPT(SLC_O_CHECK_PORT) |      \
			SLC_OPT(SLC_O_CHECK_PATH) | SLC_OPT(SLC_O_CHECK_STATUS))
#define SLC_SVC_OPTS (SLC_OPT(SLC_O_SCHED) | SLC_OPT(SLC_O_PERSIST) |          \
		      SLC_OPT(SLC_O_HASH_PORTS) | SLC_OPT(SLC_O_MH_SIZE) |     \
		      SLC_OPT(SLC_O_ON_DOWN) | SLC_OPT(SLC_O_PANIC) |          \
		      SLC_OPT(SLC_O_ANNOUNCE_WHEN) | SLC_CHECK_OPTS)

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

/* sluicectl_cmds.c: the command table */
extern const struct slc_cmd slc_cmds[];
extern const unsigned slc_ncmds;

/* sluicectl_usage.c: report a bad command line for `c` (NULL: no command
 * yet) on stderr, with a pointer to the right --help. */
void slc_usage_error(const struct slc_cmd *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The same, for the help text after `words` ("" top, "vip", "rs add"). */
void slc_usage_words(const char *words, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* "vip add", or "stats" */
const char *slc_cmd_words(const struct slc_cmd *c, char *buf, size_t len);

/* sluicectl_args.c: option names, and the argument checkers the builders
 * share. Each returns 0, or -1 after slc_usage_error(); an option not
 * given is left out of the request (returns 0). */
const char *slc_opt_name(enum slc_opt o); /* "proto" for SLC_O_PROTO */
/* A flag: no value, or an inline "=on" / "=off"; "on" when bare. */
bool slc_opt_is_flag(enum slc_opt o);
/* json_object_set_new() that reports a NULL value or no memory. */
int slc_set(const struct slc_cmd *c, json_t *obj, const char *key, json_t *val);
/* Say which half of a bad "A.B.C.D:PORT" is wrong. */
void slc_bad_ipport(const struct slc_cmd *c, const char *what, const char *s);
/* "A.B.C.D:PORT" (unicast) into obj[ipkey] and obj[portkey]. */
int slc_put_ipport(const struct slc_cmd *c, const char *what, const char *s,
		   json_t *obj, const char *ipkey, const char *portkey);
/* "A.B.C.D" into obj[key]; `unicast` refuses other addresses. */
int slc_put_ip(const struct slc_cmd *c, const char *what, const char *s,
	       bool unicast, json_t *obj, const char *key);
/* A decimal option within [min, max] into obj[key]. */
int slc_put_uint_opt(const struct slc_cmd *c, const struct slc_args *a,
		     enum slc_opt o, unsigned long min, unsigned long max,
		     json_t *obj, const char *key);
/* --port NAME into obj["port"]. */
int slc_put_port_name(const struct slc_cmd *c, const struct slc_args *a,
		      json_t *obj);
/* The service: the VIP:PORT positional and --proto ("tcp" by default). */
int slc_put_service(const struct slc_cmd *c, const struct slc_args *a,
		    json_t *args);
/* A flag ("on" bare, or "off") into obj[key] as a boolean. */
int slc_put_flag(const struct slc_cmd *c, const struct slc_args *a,
		 enum slc_opt o, json_t *obj, const char *key);
/* One of the NULL-terminated `words` into obj[key]. */
int slc_put_word(const struct slc_cmd *c, const struct slc_args *a,
		 enum slc_opt o, const char *const *words, const char *expected,
		 json_t *obj, const char *key);
/* Whether any option of `mask` was given. */
bool slc_any_of(const struct slc_args *a, unsigned mask);
/* The check options into obj["health_check"]; `inherit` allows
 * --check inherit (null: the server drops its overrides). */
int slc_put_check(const struct slc_cmd *c, const struct slc_args *a,
		  json_t *obj, bool inherit);
/* vip add / vip set: everything but the address. */
int slc_put_svc_opts(const struct slc_cmd *c, const struct slc_args *a,
		     json_t *args);

/* sluicectl_io.c: send one line (a newline is appended) to the daemon at
 * `path` and read one answer line. timeout_s == 0 waits forever. Returns
 * 0 with *answer malloc'd (NUL-terminated, newline removed), or -1 after
 * saying why on stderr. */
int slc_exchange(const char *path, double timeout_s, const char *line,
		 char **answer);
/* The same in two steps, for a conversation on one connection
 * (sluicectl capture): connect (the fd, or -1 after saying why), then
 * one exchange per call; pass_fd >= 0 goes with the line (SCM_RIGHTS). */
int slc_connect(const char *path, double timeout_s);
int slc_call(int fd, const char *path, double timeout_s, const char *line,
	     int pass_fd, char **answer);

/* sluicectl_print.c (sluicectl_stats.c: slc_print_stats) */
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
/* sluicectl_node.c */
void slc_print_node_drain(const json_t *args, const json_t *result);
void slc_print_node_status(const json_t *args, const json_t *result);
/* sluicectl_xdp.c */
void slc_print_blocklist_add(const json_t *args, const json_t *result);
void slc_print_blocklist_del(const json_t *args, const json_t *result);
void slc_print_blocklist_list(const json_t *args, const json_t *result);
/* sluicectl_cluster.c */
void slc_print_cluster_status(const json_t *args, const json_t *result);
void slc_print_xdp_set(const json_t *args, const json_t *result);
void slc_print_xdp_stats(const json_t *result); /* part of `stats` */

/* sluicectl_capture.c: `capture PORT -w FILE`: opens FILE, passes it
 * with capture.start, polls capture.status until the count is written,
 * --duration passes or SIGINT/SIGTERM, then capture.stop; prints the
 * counts. Returns the exit status. */
int slc_build_capture(const struct slc_cmd *c, const struct slc_args *a,
		      json_t *args);
void slc_print_capture(const json_t *args, const json_t *result);
int slc_run_capture(const char *socket, double timeout_s, bool json,
		    const struct slc_args *a, json_t *args);
/* A command option's one-letter form ('w' for --write), or 0. */
char slc_opt_short(enum slc_opt o);

/* sluicectl_port.c */
int slc_build_port_show(const struct slc_cmd *c, const struct slc_args *a,
			json_t *args);
void slc_print_port_list(const json_t *args, const json_t *result);
void slc_print_port_show(const json_t *args, const json_t *result);

/* sluicectl_fmt.c: reading answers leniently for the printers. */
#define SLC_NUM_LEN 32
/* A heading next to the member it shows, so the two cannot drift apart. */
struct slc_column {
	const char *heading;
	const char *key;
};
struct slc_table;
const char *slc_str(const json_t *o, const char *key); /* "-" if absent */
/* A count, or the sum of an object of counts (a worker's drops by reason). */
bool slc_int_of(const json_t *j, json_int_t *v);
char *slc_num(const json_t *o, const char *key, char *buf); /* SLC_NUM_LEN */
void slc_add_num(struct slc_table *t, const json_t *o, const char *key);
/* Seconds as "42s", "5m03s", "2h05m", "3d04h". */
char *slc_fmt_duration(long long s, char *buf, size_t len);
void slc_add_duration(struct slc_table *t, const json_t *o, const char *key);
/* "A.B.C.D:PORT" from two members. */
char *slc_ipport(const json_t *o, const char *ipkey, const char *portkey,
		 char *buf, size_t len);
/* "198.18.0.100:80/tcp", the way confirmations name a service. */
char *slc_service(const json_t *o, const char *portkey, char *buf, size_t len);
/* The non-empty array `key` of the result, or NULL after printing `none`. */
json_t *slc_list_of(const json_t *result, const char *key, const char *none);
/* One row per array element, columns from `cols` (at most 16); numbers
 * right-aligned where bit i of right_mask is set. */
void slc_simple_table(const json_t *rows, const struct slc_column *cols,
		      unsigned ncols, unsigned right_mask, const char *indent);

/* sluicectl_table.c: left-aligned text columns, right-aligned numbers
 * (bit i of right_mask), widths fitted to the contents. headers may be
 * NULL for a table without a heading line. Allocation failures end the
 * program: a CLI has nothing better to do. */
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
