/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A service's options beyond its address (scheduler, hash_ports,
 * persistence, Maglev table size, what to do with connections of a server
 * that goes down) and health-check settings, as values, as partial
 * updates, and as JSON.
 *
 * The config file and the control protocol use the same JSON shapes, read
 * and written here, so a key means the same in both and is refused with
 * the same message:
 *
 *   "scheduler": "mh", "hash_ports": true, "persist_s": 300,
 *   "persist_netmask6": 1 .. 128 (default 128),
 *   "mh_table_size": 65537, "on_down": "keep" | "flush",
 *   "panic_percent": 0 .. 100 (0: off),
 *   "announce_when": "any" | "all" (the VIP's route is announced while
 *                    at least one / every one of its servers is healthy),
 *   "health_check": {"type": "tcp" | "http" | "udp" | "none",
 *                    "interval_ms": 2000, "timeout_ms": 1000,
 *                    "rise": 2, "fall": 3, "port": 0,
 *                    "http": {"path": "/", "expect_status": 200}}
 *
 * Updates are partial: a reader records which fields it was given (the
 * `set` masks), and applying an update changes only those. A real
 * server's health_check holds only the fields it overrides; the check it
 * gets is its service's with those fields replaced.
 */
#ifndef SL_SVCOPTS_H
#define SL_SVCOPTS_H

#include <jansson.h>

#include "dp_types.h"
#include "errors.h"

enum sl_hc_type { SL_HC_NONE = 0, SL_HC_TCP, SL_HC_HTTP, SL_HC_UDP, SL_HC_TYPES };

#define SL_HC_PATH_MAX 128

/* Defaults (HAProxy's, near enough). */
#define SL_HC_DEF_INTERVAL_MS 2000u
#define SL_HC_DEF_TIMEOUT_MS 1000u
#define SL_HC_DEF_RISE 2u
#define SL_HC_DEF_FALL 3u
#define SL_HC_DEF_STATUS 200u

/* Limits. A check may not take longer than the interval between two. */
#define SL_HC_MIN_INTERVAL_MS 100u
#define SL_HC_MAX_INTERVAL_MS 3600000u
#define SL_HC_MIN_TIMEOUT_MS 10u
#define SL_HC_MAX_COUNT 100u          /* rise, fall */

struct sl_hc_cfg {
	uint8_t type;                 /* enum sl_hc_type */
	uint16_t port;                /* host order; 0: the server's own port */
	uint16_t rise, fall;
	uint16_t expect_status;
	uint32_t interval_ms, timeout_ms;
	char path[SL_HC_PATH_MAX];
};

/* Fields of a health check, for partial updates. */
#define SL_HC_F_TYPE 0x01u
#define SL_HC_F_INTERVAL 0x02u
#define SL_HC_F_TIMEOUT 0x04u
#define SL_HC_F_RISE 0x08u
#define SL_HC_F_FALL 0x10u
#define SL_HC_F_PORT 0x20u
#define SL_HC_F_PATH 0x40u
#define SL_HC_F_STATUS 0x80u
#define SL_HC_F_ALL 0xffu

/* What happens to a server's open connections when it goes down. */
enum sl_on_down { SL_ON_DOWN_KEEP = 0, SL_ON_DOWN_FLUSH = 1 };

/* When a VIP's host route is announced (ctrl/daemon/announce.h): while
 * any of its servers is healthy (the default), or only while all are. */
enum sl_announce_when { SL_ANNOUNCE_ANY = 0, SL_ANNOUNCE_ALL = 1 };

#define SL_PERSIST_MAX_S 86400u

/* A service's options, as a partial update (`set`: SL_SVC_F_*). */
struct sl_svc_opts {
	uint32_t set;
	uint8_t sched;
	bool hash_ports;
	uint8_t on_down;
	uint8_t panic_percent;
	uint8_t announce_when;
	uint32_t persist_s;
	uint8_t persist_plen6;
	uint32_t mh_size;
	struct sl_hc_cfg hc;
	uint32_t hc_set;              /* SL_HC_F_* when SL_SVC_F_CHECK */
};

#define SL_SVC_F_SCHED 0x01u
#define SL_SVC_F_HASH_PORTS 0x02u
#define SL_SVC_F_PERSIST 0x04u
#define SL_SVC_F_MH_SIZE 0x08u
#define SL_SVC_F_ON_DOWN 0x10u
#define SL_SVC_F_CHECK 0x20u
#define SL_SVC_F_PANIC 0x40u
#define SL_SVC_F_PERSIST_MASK6 0x80u
#define SL_SVC_F_ANNOUNCE 0x100u

/* "persist_netmask6": how much of a v6 client's address its persistence
 * template covers (a prefix length, as ipvsadm's -M for IPv6): 128, one
 * template per address; 64, one per /64. v4 clients are unaffected. */
#define SL_PERSIST_PLEN6_DEFAULT 128

const char *sl_hc_type_name(unsigned type);
/* The same check, every field compared. */
bool sl_hc_cfg_equal(const struct sl_hc_cfg *a, const struct sl_hc_cfg *b);
int sl_hc_type_parse(const char *name);      /* enum sl_hc_type or -1 */
const char *sl_on_down_name(unsigned v);
int sl_on_down_parse(const char *name);      /* enum sl_on_down or -1 */
const char *sl_announce_when_name(unsigned v);
int sl_announce_when_parse(const char *name); /* enum sl_announce_when or -1 */

void sl_hc_defaults(struct sl_hc_cfg *c);
/* Copy the fields of src named in `set` into dst. */
void sl_hc_merge(struct sl_hc_cfg *dst, const struct sl_hc_cfg *src,
		 uint32_t set);
/* Check a complete (merged) check. Fields are named as in the JSON
 * object ("timeout_ms", "http.path"); the caller prefixes the path. */
int sl_hc_validate(const struct sl_hc_cfg *c, struct sl_err *err);

/* Read a health_check object: the fields present go into *c, their bits
 * into *set; unknown keys and bad values refused (field relative to the
 * object). Ranges are checked here, consistency by sl_hc_validate(). */
int sl_hc_from_json(json_t *o, struct sl_hc_cfg *c, uint32_t *set,
		    struct sl_err *err);
/* The fields of c named in `set`, as a health_check object. */
json_t *sl_hc_to_json(const struct sl_hc_cfg *c, uint32_t set);

/* The members of a service object other than its address that are
 * present in `o` ("scheduler", "hash_ports", "persist_s", "persist_netmask6",
 * "mh_table_size", "on_down", "panic_percent", "announce_when",
 * "health_check"), into
 * `opts`. */
int sl_svc_opts_from_json(json_t *o, struct sl_svc_opts *opts,
			  struct sl_err *err);

/* The JSON keys sl_svc_opts_from_json() reads, for sl_json_only lists. */
#define SL_SVC_OPT_KEYS "scheduler", "hash_ports", "persist_s", "persist_netmask6", \
	"mh_table_size", "on_down", "panic_percent", "announce_when", "health_check"

#endif
