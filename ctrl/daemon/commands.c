/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Request dispatch: parse the line, find the command, check its argument
 * names, run it (on a clone when it changes the configuration), publish,
 * answer. Every failure becomes an answer with a code, a field and a
 * message; nothing a client sends can change state unless the whole
 * request succeeds.
 */
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "config.h"
#include "ctl_answer.h"
#include "jsonutil.h"
#include "log.h"
#include "server.h"

/* A request is a few levels deep ({"args": {"config": {"vips": [{
 * "real_servers": [{...}]}]}}}); anything much deeper is an attack on
 * the parser's stack, refused before parsing. */
#define SL_REQUEST_MAX_DEPTH 32

#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})
#define NO_ARGS ((const char *const[]){NULL})
#define SVC_ARGS "vip", "port", "proto"

const struct sl_cmd sl_commands[] = {
	{"vip.add", sl_cmd_vip_add, ARGS(SVC_ARGS, SL_SVC_OPT_KEYS), SL_CMD_CHANGE, "add a virtual service"},
	{"vip.set", sl_cmd_vip_set, ARGS(SVC_ARGS, SL_SVC_OPT_KEYS), SL_CMD_CHANGE,
	 "change a virtual service's scheduler, persistence or health check"},
	{"vip.del", sl_cmd_vip_del, ARGS(SVC_ARGS), SL_CMD_CHANGE, "delete a virtual service"},
	{"vip.list", sl_cmd_vip_list, NO_ARGS, SL_CMD_READ, "list virtual services"},
	{"rs.add", sl_cmd_rs_add, ARGS(SVC_ARGS, "rs", "force"), SL_CMD_CHANGE, "add a real server"},
	{"rs.del", sl_cmd_rs_del, ARGS(SVC_ARGS, "rs", "flush"), SL_CMD_CHANGE, "delete a real server"},
	{"rs.set", sl_cmd_rs_set, ARGS(SVC_ARGS, "rs"), SL_CMD_CHANGE,
	 "change a real server's weight or health-check overrides"},
	{"rs.list", sl_cmd_rs_list, ARGS(SVC_ARGS), SL_CMD_READ,
	 "list a service's real servers with their health"},
	{"laddr.add", sl_cmd_laddr_add, ARGS("ip", "port"), SL_CMD_CHANGE, "add a local address"},
	{"laddr.del", sl_cmd_laddr_del, ARGS("ip"), SL_CMD_CHANGE, "delete a local address"},
	{"laddr.list", sl_cmd_laddr_list, NO_ARGS, SL_CMD_READ, "list local addresses"},
	{"neigh.add", sl_cmd_neigh_add, ARGS("ip", "mac", "port"), SL_CMD_CHANGE, "add a static neighbor"},
	{"neigh.del", sl_cmd_neigh_del, ARGS("ip"), SL_CMD_WRITE, "delete a neighbor"},
	{"neigh.list", sl_cmd_neigh_list, NO_ARGS, SL_CMD_READ, "list neighbors"},
	{"port.list", sl_cmd_port_list, NO_ARGS, SL_CMD_READ,
	 "list ports: driver, queues, RSS, offloads, MTU, link"},
	{"port.show", sl_cmd_port_show, ARGS("name"), SL_CMD_READ,
	 "one port as port.list shows it, with the driver's xstats"},
	{"stats", sl_cmd_stats, NO_ARGS, SL_CMD_READ, "counters"},
	{"conn.list", sl_cmd_conn_list, ARGS("vip", "port", "limit"), SL_CMD_READ, "list connections"},
	{"snat.add", sl_cmd_snat_add, ARGS("src", "pool", "port", "filtering"), SL_CMD_CHANGE, "add a source NAT rule"},
	{"snat.del", sl_cmd_snat_del, ARGS("src"), SL_CMD_CHANGE, "delete a source NAT rule"},
	{"snat.list", sl_cmd_snat_list, NO_ARGS, SL_CMD_READ, "list source NAT rules"},
	{"snat.sessions", sl_cmd_snat_sessions, ARGS("src", "limit"), SL_CMD_READ, "list source NAT sessions"},
	{"config.show", sl_cmd_config_show, NO_ARGS, SL_CMD_READ, "the running configuration"},
	{"config.apply", sl_cmd_config_apply, ARGS("config", "dry_run", "force"), SL_CMD_WRITE,
	 "replace the whole configuration (one transaction)"},
	{"config.save", sl_cmd_config_save, NO_ARGS, SL_CMD_WRITE,
	 "write the running configuration to sluice's config file"},
	{"blocklist.add", sl_cmd_blocklist_add, ARGS("prefix", "force"), SL_CMD_CHANGE, "drop a source prefix in XDP"},
	{"blocklist.del", sl_cmd_blocklist_del, ARGS("prefix"), SL_CMD_CHANGE, "stop dropping a source prefix"},
	{"blocklist.list", sl_cmd_blocklist_list, NO_ARGS, SL_CMD_READ, "list blocked prefixes and hits"},
	{"xdp.set", sl_cmd_xdp_set, ARGS("syn_rate", "syn_burst"), SL_CMD_CHANGE, "set the per-source SYN rate"},
	/* Capture shows traffic: admins only, logged (never on the
	 * read-only socket); status is polled, so it is a read. */
	{"capture.start", sl_cmd_capture_start,
	 ARGS("port", "count", "filter", "snaplen", "direction"), SL_CMD_WRITE,
	 "capture a port's frames into the file whose descriptor comes with the request"},
	{"capture.status", sl_cmd_capture_status, ARGS("id"), SL_CMD_READ,
	 "a capture's counts (keeps it alive)"},
	{"capture.stop", sl_cmd_capture_stop, ARGS("id"), SL_CMD_WRITE,
	 "stop a capture and close its file"},
	/* Drain is the node's state, not its configuration: not on a clone. */
	{"node.drain", sl_cmd_node_drain, NO_ARGS, SL_CMD_WRITE,
	 "withdraw this node's VIP routes (local addresses stay announced)"},
	{"node.undrain", sl_cmd_node_undrain, NO_ARGS, SL_CMD_WRITE,
	 "announce this node's healthy VIPs again"},
	{"node.status", sl_cmd_node_status, NO_ARGS, SL_CMD_READ,
	 "what this node announces, and why each address is or is not"},
	{"cluster.status", sl_cmd_cluster_status, NO_ARGS, SL_CMD_READ,
	 "session sync: peers, their state, records, loss, refusals, takeover"},
	{"help", sl_cmd_help, NO_ARGS, SL_CMD_READ, "list commands"},
	{NULL, NULL, NULL, SL_CMD_READ, NULL},
};

const struct sl_cmd *sl_cmd_find(const char *name)
{
	for (const struct sl_cmd *c = sl_commands; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

int sl_cmd_help(struct sl_ctl *ctl, struct sl_model *m, json_t *args,
		json_t **result, struct sl_err *err)
{
	(void)ctl, (void)m, (void)args, (void)err;
	json_t *list = json_array();
	for (const struct sl_cmd *c = sl_commands; c->name; c++)
		json_array_append_new(list, json_string(c->name));
	*result = json_pack("{s:o}", "commands", list);
	return 0;
}

int sl_cmd_config_show(struct sl_ctl *ctl, struct sl_model *m, json_t *args,
		       json_t **result, struct sl_err *err)
{
	(void)ctl, (void)args, (void)err;
	*result = json_pack("{s:o}", "config", sl_config_to_json(m));
	return 0;
}

/* Run a configuration change on a clone; adopt it if it publishes. */
static int run_mutation(struct sl_ctl *ctl, const struct sl_cmd *cmd,
			json_t *args, json_t **result, struct sl_err *err)
{
	struct sl_model next;

	if (sl_model_clone(&next, &ctl->model) != 0)
		return sl_err_set(err, SL_E_INTERNAL, "", "out of memory");
	if (cmd->fn(ctl, &next, args, result, err) != 0) {
		sl_err_prefix(err, "args.");
		goto discard;
	}
	if (sl_ctl_publish(ctl, &next, err) != 0)
		goto discard;
	sl_ctl_rebase_ids(ctl, &ctl->model, &next);
	sl_model_free(&ctl->model);
	ctl->model = next;
	/* Health targets follow; requested flushes go. The answer says so
	 * only if they did. */
	if (sl_ctl_adopted(ctl) != 0 && json_is_object(*result)) {
		json_object_set_new(*result, "flushed", json_false());
		json_object_set_new(*result, "flush_error",
				    json_string("out of memory: the flush was not sent "
						"to every worker (see the log)"));
	}
	/* The change is adopted; the XDP maps may not all have taken it
	 * (ctl_xdp.h: they are reconciled, with back-off, until they do). */
	if (ctl->xdp.n && ctl->xdp.commit_errors && json_is_object(*result))
		json_object_set_new(*result, "xdp_error",
				    json_sprintf("%s (%u map writes failed; retried from "
						 "1 s to 30 s apart, see stats xdp)",
						 ctl->xdp.commit_error,
						 ctl->xdp.commit_errors));
	return 0;
discard:
	sl_ctl_discarded(ctl);
	json_decref(*result);
	*result = NULL;
	sl_model_free(&next);
	return -1;
}

/* The read-only socket serves SL_CMD_READ commands only. */
static bool refused_readonly(struct sl_ctl *ctl, const struct sl_cmd *cmd,
			     struct sl_err *err)
{
	struct sl_server_peer peer;

	if (cmd->kind == SL_CMD_READ || !sl_server_peer(ctl->srv, &peer) ||
	    !peer.readonly)
		return false;
	ctl->srv->readonly_refused++;
	sl_err_set(err, SL_E_READ_ONLY, "cmd",
		   "'%s' changes state; %s is the read-only socket (stats, lists, "
		   "show): use the control socket %s", cmd->name, ctl->srv->ro_path,
		   ctl->srv->path);
	return true;
}

/* Who changed what: every request that may change state, with the
 * peer's uid and pid (SO_PEERCRED) and how it ended. */
static void log_change(struct sl_ctl *ctl, const struct sl_cmd *cmd, int rc,
		       const struct sl_err *err)
{
	struct sl_server_peer peer;

	if (cmd->kind == SL_CMD_READ || !sl_server_peer(ctl->srv, &peer))
		return;
	if (rc == 0 || rc == SL_CMD_LATER)
		sl_info("control: %s by uid %u pid %d: done", cmd->name, peer.uid,
			peer.pid);
	else
		sl_info("control: %s by uid %u pid %d: refused (%s: %s)", cmd->name,
			peer.uid, peer.pid, err->code, err->message);
}

static int dispatch(struct sl_ctl *ctl, json_t *req, json_t **result,
		    struct sl_err *err)
{
	static const char *const request_members[] = {"cmd", "args", "id", NULL};
	const char *name;

	if (!json_is_object(req))
		return sl_err_set(err, SL_E_BAD_REQUEST, "",
				  "a request is a JSON object: {\"cmd\": ..., \"args\": {...}}");
	if (sl_json_only(req, request_members, err) != 0)
		return -1;
	if (sl_json_string(req, "cmd", true, &name, err) != 0)
		return -1;
	const struct sl_cmd *cmd = sl_cmd_find(name);
	if (cmd == NULL)
		return sl_err_set(err, SL_E_UNKNOWN_COMMAND, "cmd",
				  "unknown command '%s' (\"help\" lists them)", name);
	json_t *args = json_object_get(req, "args");
	if (args != NULL && !json_is_object(args))
		return sl_err_set(err, SL_E_INVALID, "args", "args must be an object");
	json_t *empty = args ? NULL : json_object();
	if (args == NULL)
		args = empty;
	int rc;
	if (refused_readonly(ctl, cmd, err)) {
		rc = -1;
	} else if (sl_json_only(args, cmd->args, err) != 0) {
		sl_err_prefix(err, "args.");
		rc = -1;
	} else if (cmd->kind == SL_CMD_CHANGE) {
		rc = run_mutation(ctl, cmd, args, result, err);
	} else {
		rc = cmd->fn(ctl, &ctl->model, args, result, err);
		if (rc < 0)
			sl_err_prefix(err, "args.");
	}
	json_decref(empty);
	log_change(ctl, cmd, rc, err);
	return rc;
}

static char *answer_error(const struct sl_err *err, json_t *id)
{
	return sl_ctl_answer(NULL, err, id);
}

char *sl_ctl_handle_line(struct sl_ctl *ctl, const char *line, size_t len)
{
	json_error_t jerr;
	struct sl_err err;
	json_t *result = NULL;
	char *text;

	sl_err_clear(&err);
	if (sl_json_precheck(line, len, SL_REQUEST_MAX_DEPTH, &err) != 0)
		return answer_error(&err, NULL);
	json_t *req = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (req == NULL) {
		sl_err_set(&err, SL_E_BAD_REQUEST, "", "invalid JSON at column %d: %s",
			   jerr.column, jerr.text);
		return answer_error(&err, NULL);
	}
	json_t *id = json_is_object(req) ? json_object_get(req, "id") : NULL;
	ctl->req_id = id;
	int rc = dispatch(ctl, req, &result, &err);
	ctl->req_id = NULL;
	if (rc == SL_CMD_LATER) {
		text = NULL; /* the server was told (sl_server_defer) */
	} else if (rc != 0) {
		sl_debug("request failed: %s: %s", err.code, err.message);
		text = sl_ctl_answer(NULL, &err, id);
	} else {
		text = sl_ctl_answer(result, NULL, id);
	}
	json_decref(req);
	return text;
}
