/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the JSON control protocol. Each input is up to 16
 * request lines handed to sl_ctl_handle_line() of a live control plane
 * (model, publisher, two workers running on their own lcores, ring
 * ports), as the control socket would hand them over.
 *
 * Beyond "no crash, no leak, no undefined behaviour":
 *  - every answer is one JSON object {"ok": true, "result": {...}} or
 *    {"ok": false, "error": {"code", "field", "message"}} with a known
 *    code and a message;
 *  - a refused request changes nothing: the configuration written out
 *    is the same before and after;
 *  - whatever the requests did, the running configuration still writes
 *    out as a config file that loads (`config save` then a restart works).
 *
 * Every input starts from the same configuration.
 *
 * Speed: writing the configuration out as JSON is most of a request's
 * cost under ASan, so it is not done around every request. Whether a
 * request changed the model is read from a fingerprint (CRC32-C over the
 * model's bytes and the arrays it points at), which a refused request
 * must leave alone. After a request that moved it, the model is cloned
 * (a few allocations, against hundreds for the JSON), so that a later
 * refusal that moves the fingerprint can be judged on the texts of the
 * clone and the model: only a real change is reported. The running
 * configuration is written out once per input, at its end, and only if
 * it is not the base one nor a model of the same content as one that
 * loaded before (check_saveable).
 *
 * The reset between inputs (fuzz_env_restore) is checked too: every
 * RESET_CHECK_EVERY inputs, the configuration written out and the
 * answers to the list commands are compared with those at start-up.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_hash_crc.h>

#include "config.h"
#include "fuzz_env.h"
#include "ctl_answer.h"
#include "fuzz_json.h"

#define MAX_LINES 16

static const char config[] =
	"{\"workers\": 2, \"conn_table\": {\"max_connections\": 1024},"
	" \"ports\": [{\"name\": \"fc_wan\", \"devargs\": \"fc_wan\", \"ipv4\": \"198.18.0.2/24\"},"
	"            {\"name\": \"fc_lan\", \"devargs\": \"fc_lan\", \"ipv4\": \"198.18.1.2/24\"}],"
	" \"routes\": [{\"prefix\": \"0.0.0.0/0\", \"via\": \"198.18.0.1\"}],"
	" \"local_addresses\": [{\"ip\": \"198.18.1.3\"}],"
	" \"neighbors\": [{\"ip\": \"198.18.1.11\", \"mac\": \"02:00:00:00:01:0b\"}],"
	" \"vips\": [{\"vip\": \"198.18.0.100\", \"port\": 80, \"real_servers\": ["
	"    {\"ip\": \"198.18.1.11\", \"port\": 8080}, {\"ip\": \"198.18.1.12\", \"port\": 8080}]}],"
	" \"snat\": [{\"src\": \"198.18.1.64/26\", \"pool\": \"198.18.0.50-198.18.0.51\"}]}";

static const char *const codes[] = {
	SL_E_BAD_REQUEST, SL_E_UNKNOWN_COMMAND, SL_E_MISSING, SL_E_INVALID,
	SL_E_NOT_FOUND, SL_E_EXISTS, SL_E_LIMIT, SL_E_BUSY, SL_E_INTERNAL, NULL,
};

static struct fuzz_env env;
static uint32_t running_print;    /* the model's fingerprint, last seen */
static bool running_is_base;      /* the model is the base one */
static struct sl_model before;    /* a clone at running_print, unless base */
static bool have_before;
static char *base_text;           /* the base configuration written out */

static void broken(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz_ctl: %s\n%.2000s\n", what, detail ? detail : "");
	abort();
}

static char *write_model(const struct sl_model *m)
{
	json_t *doc = sl_config_to_json(m);
	char *text = doc ? json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS) : NULL;

	json_decref(doc);
	if (text == NULL)
		broken("the running configuration cannot be written out", NULL);
	return text;
}

static char *written_out(void)
{
	return write_model(&env.ctl.model);
}

static uint32_t crc_bytes(const void *p, size_t n, uint32_t crc)
	__attribute__((no_sanitize("coverage")));
static uint32_t crc_bytes(const void *p, size_t n, uint32_t crc)
{
	return p && n ? rte_hash_crc(p, (uint32_t)n, crc) : crc;
}

/* The model's bytes, pointers included (a refused request must not even
 * replace an array), and every array it points at up to its count. Out of
 * the coverage hooks: it is the checker's, not the code under test's. */
static uint32_t model_print(const struct sl_model *m)
	__attribute__((no_sanitize("coverage")));
static uint32_t model_print(const struct sl_model *m)
{
	uint32_t crc = crc_bytes(m, sizeof(*m), 0);

	crc = crc_bytes(m->svcs, m->nsvcs * sizeof(*m->svcs), crc);
	for (uint32_t i = 0; i < m->nsvcs; i++)
		crc = crc_bytes(m->svcs[i].rs, m->svcs[i].nrs * sizeof(*m->svcs[i].rs), crc);
	crc = crc_bytes(m->neigh, m->nneigh * sizeof(*m->neigh), crc);
	return crc_bytes(m->xdp.block, m->xdp.nblock * sizeof(*m->xdp.block), crc);
}

static void forget_before(void)
{
	if (have_before)
		sl_model_free(&before);
	have_before = false;
}

/* The running model is `is_base`, or a new one to keep a clone of. */
static void remember_running(bool is_base)
{
	forget_before();
	running_print = model_print(&env.ctl.model);
	running_is_base = is_base;
	if (is_base)
		return;
	if (sl_model_clone(&before, &env.ctl.model) != 0)
		broken("out of memory cloning the model", NULL);
	have_before = true;
}

static char *text_before(void)
{
	if (running_is_base)
		return strdup(base_text);
	return write_model(&before);
}

static bool known_code(const struct fz_json_span *code)
{
	for (const char *const *c = codes; *c; c++)
		if (strlen(*c) == code->len && memcmp(code->text, *c, code->len) == 0)
			return true;
	return false;
}

static bool is(const struct fz_json_span *v, enum fz_json_kind kind)
{
	return v && v->kind == kind;
}

/* Check the shape of an answer; true if it says ok. Checked without a
 * JSON tree (fuzz_json.h): json_loads of every answer was a third of
 * this target's own time under ASan. */
#define ANSWER_MEMBERS 8
static bool check_answer(const char *answer)
{
	struct fz_json_member top[ANSWER_MEMBERS], err[ANSWER_MEMBERS];
	int n = answer ? fz_json_object(answer, top, ANSWER_MEMBERS) : -1;
	const struct fz_json_span *ok = fz_json_get(top, n, "ok");

	if (n < 0 || n > ANSWER_MEMBERS || !(is(ok, FZ_JSON_TRUE) || is(ok, FZ_JSON_FALSE)))
		broken("answer is not {\"ok\": bool, ...}", answer);
	if (strcmp(answer, sl_ctl_unencodable) == 0)
		broken("the answer could not be encoded (a string jansson refuses)", NULL);
	bool good = ok->kind == FZ_JSON_TRUE;
	if (good && !is(fz_json_get(top, n, "result"), FZ_JSON_OBJECT))
		broken("ok answer without a result object", answer);
	if (good)
		return true;
	const struct fz_json_span *e = fz_json_get(top, n, "error");
	int m = is(e, FZ_JSON_OBJECT) ? fz_json_members(e, err, ANSWER_MEMBERS) : -1;
	const struct fz_json_span *code = fz_json_get(err, m, "code"),
				  *msg = fz_json_get(err, m, "message");
	if (!is(code, FZ_JSON_STRING) || !known_code(code) || !is(msg, FZ_JSON_STRING) ||
	    msg->len == 0 || !is(fz_json_get(err, m, "field"), FZ_JSON_STRING))
		broken("error answer without a known code, a field and a message", answer);
	return false;
}

static void handle(const char *line, size_t len)
{
	char *answer = sl_ctl_handle_line(&env.ctl, line, len);
	bool ok = check_answer(answer);

	if (model_print(&env.ctl.model) != running_print) {
		if (!ok) {
			char *was = text_before(), *now = written_out();
			if (strcmp(was, now) != 0) {
				fprintf(stderr, "request: %.*s\nanswer: %s\nbefore: %s\n",
					(int)len, line, answer, was);
				broken("a refused request changed the configuration", now);
			}
			free(was);
			free(now);
		}
		remember_running(false);
	}
	free(answer);
}

/* The model's content, without where its arrays are or how much room
 * they have: what the configuration written out is made of. */
static uint32_t content_crc(const struct sl_model *m, uint32_t crc)
	__attribute__((no_sanitize("coverage")));
static uint32_t content_crc(const struct sl_model *m, uint32_t crc)
{
	struct sl_model top = *m;

	top.eal = NULL;
	top.neigh = NULL;
	top.svcs = NULL;
	top.xdp.block = NULL;
	top.neigh_cap = top.svcs_cap = top.xdp.block_cap = 0;
	crc = crc_bytes(&top, sizeof(top), crc);
	for (uint32_t i = 0; i < m->neal; i++)
		crc = crc_bytes(m->eal[i], strlen(m->eal[i]) + 1, crc);
	for (uint32_t i = 0; i < m->nsvcs; i++) {
		struct sl_model_svc svc = m->svcs[i];
		svc.rs = NULL;
		crc = crc_bytes(&svc, sizeof(svc), crc);
		crc = crc_bytes(m->svcs[i].rs, svc.nrs * sizeof(*svc.rs), crc);
	}
	crc = crc_bytes(m->neigh, m->nneigh * sizeof(*m->neigh), crc);
	return crc_bytes(m->xdp.block, m->xdp.nblock * sizeof(*m->xdp.block), crc);
}

/* 64 bits of it: two CRC32-C with different seeds. */
static uint64_t content_print(const struct sl_model *m)
{
	return (uint64_t)content_crc(m, 0) << 32 | content_crc(m, 0x9e3779b9);
}

/* The base configuration loaded once at start; anything else is written
 * out and loaded, unless a model of the very same content did before
 * (writing out and loading are deterministic, and mutated inputs often
 * end in the same configuration): a direct-mapped memory of the last
 * contents that did, by their 64-bit print. */
#define LOADED_MEMO 1024
static uint64_t loaded[LOADED_MEMO];

static void check_saveable(void)
{
	struct sl_model m;
	struct sl_err err;

	if (running_is_base)
		return;
	uint64_t print = content_print(&env.ctl.model);
	if (loaded[print % LOADED_MEMO] == print)
		return;
	char *text = written_out();
	if (strcmp(text, base_text) != 0) {
		if (sl_config_load_string(text, &m, &err) != 0) {
			fprintf(stderr, "%s: %s\n", err.field, err.message);
			broken("the running configuration, written out, does not load", text);
		}
		sl_model_free(&m);
	}
	loaded[print % LOADED_MEMO] = print;
	free(text);
}

/* The reset's own check: what the list commands answer and the
 * configuration written out, after a reset, against start-up. */
#define RESET_CHECK_EVERY 512
static const char *const list_cmds[] = {
	"{\"cmd\":\"vip.list\"}", "{\"cmd\":\"laddr.list\"}",
	"{\"cmd\":\"neigh.list\"}", "{\"cmd\":\"snat.list\"}",
	"{\"cmd\":\"blocklist.list\"}", "{\"cmd\":\"config.show\"}", NULL,
};
static char *fresh_lists;

/* A neighbor's age moves with the clock: drop its digits. */
static void drop_ages(char *answer)
{
	for (char *a = answer; (a = strstr(a, "\"age_s\":")) != NULL;) {
		a += strlen("\"age_s\":");
		size_t digits = strspn(a, "0123456789");
		memmove(a, a + digits, strlen(a + digits) + 1);
	}
}

static char *list_answers(void)
{
	size_t len = 0;
	char *all = NULL;
	FILE *f = open_memstream(&all, &len);

	for (const char *const *c = list_cmds; f && *c; c++) {
		char *answer = sl_ctl_handle_line(&env.ctl, *c, strlen(*c));
		if (answer)
			drop_ages(answer);
		fprintf(f, "%s\n", answer ? answer : "(none)");
		free(answer);
	}
	if (f == NULL || fclose(f) != 0)
		broken("out of memory listing the state", NULL);
	return all;
}

static void check_reset(void)
{
	static unsigned inputs;

	if (inputs++ % RESET_CHECK_EVERY != 0)
		return;
	char *text = written_out(), *lists = list_answers();
	if (strcmp(text, base_text) != 0)
		broken("after a reset the configuration is not the base one", text);
	if (strcmp(lists, fresh_lists) != 0) {
		fprintf(stderr, "fresh:\n%s", fresh_lists);
		broken("after a reset the lists differ from a fresh start", lists);
	}
	free(text);
	free(lists);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	fuzz_eal_init(1 + FUZZ_WORKERS);
	fuzz_env_init(&env, config, true);
	base_text = written_out();
	fresh_lists = list_answers();
	remember_running(true);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	uint64_t gen = env.ctl.generation;

	for (unsigned n = 0; n < MAX_LINES && p < end; n++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		handle(p, len);
		p += len + 1;
	}
	check_saveable();
	if (env.ctl.generation != gen)
		env.dirty = true;
	fuzz_env_restore(&env);
	/* A restore makes the base configuration run again. */
	if (model_print(&env.ctl.model) != running_print)
		remember_running(true);
	check_reset();
	return 0;
}
