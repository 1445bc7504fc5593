/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * capture.start / capture.status / capture.stop (ctl_capture.h). The
 * file comes as a descriptor passed with the capture.start line
 * (SCM_RIGHTS): the daemon never opens a path a client names.
 */
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "ctl_capture.h"
#include "jsonutil.h"
#include "server.h"

#define SNAPLEN_MAX 65535u

static int read_direction(json_t *args, uint8_t *dirs, struct sl_err *err)
{
	const char *dir = "both";

	if (sl_json_string(args, "direction", false, &dir, err) < 0)
		return -1;
	if (!strcmp(dir, "both"))
		*dirs = SL_CAPTURE_RX | SL_CAPTURE_TX;
	else if (!strcmp(dir, "rx"))
		*dirs = SL_CAPTURE_RX;
	else if (!strcmp(dir, "tx"))
		*dirs = SL_CAPTURE_TX;
	else
		return sl_err_set(err, SL_E_INVALID, "direction",
				  "direction must be rx, tx or both, got '%s'", dir);
	return 0;
}

static int read_request(struct sl_ctl *ctl, json_t *args, struct sl_capture_req *r,
			struct sl_err *err)
{
	const char *port;
	unsigned long count = 0, snaplen = SNAPLEN_MAX;

	if (sl_json_string(args, "port", true, &port, err) < 0)
		return -1;
	int p = sl_model_port_index(&ctl->model, port);
	if (p < 0)
		return sl_err_set(err, SL_E_NOT_FOUND, "port", "no port named '%s'", port);
	r->port = (uint8_t)p;
	if (sl_json_uint(args, "count", false, 0, UINT32_MAX, &count, err) < 0 ||
	    sl_json_uint(args, "snaplen", false, 64, SNAPLEN_MAX, &snaplen, err) < 0 ||
	    sl_json_string(args, "filter", false, &r->filter, err) < 0 ||
	    read_direction(args, &r->dirs, err) < 0)
		return -1;
	r->count = count;
	r->snaplen = (uint32_t)snaplen;
	return 0;
}

/* The asking connection (sl_server_peer.conn); 0 when none is known. */
static uint64_t connection(struct sl_ctl *ctl)
{
	struct sl_server_peer p;

	return sl_server_peer(ctl->srv, &p) ? p.conn : 0;
}

int sl_cmd_capture_start(struct sl_ctl *ctl, struct sl_model *m, json_t *args,
			 json_t **result, struct sl_err *err)
{
	struct sl_capture_req r = {.fd = sl_server_take_fd(ctl->srv),
				   .conn = connection(ctl)};
	(void)m;

	if (read_request(ctl, args, &r, err) != 0) {
		if (r.fd >= 0)
			close(r.fd);
		return -1;
	}
	return sl_ctl_capture_start(ctl, &r, result, err);
}

static int status(struct sl_ctl *ctl, json_t *args, bool stop, json_t **result,
		  struct sl_err *err)
{
	unsigned long id;

	if (sl_json_uint(args, "id", true, 1, UINT32_MAX, &id, err) < 0)
		return -1;
	return sl_ctl_capture_status(ctl, id, connection(ctl), stop, result, err);
}

int sl_cmd_capture_status(struct sl_ctl *ctl, struct sl_model *m, json_t *args,
			  json_t **result, struct sl_err *err)
{
	(void)m;
	return status(ctl, args, false, result, err);
}

int sl_cmd_capture_stop(struct sl_ctl *ctl, struct sl_model *m, json_t *args,
			json_t **result, struct sl_err *err)
{
	(void)m;
	return status(ctl, args, true, result, err);
}
