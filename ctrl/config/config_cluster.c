/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The config's "cluster" block (model_cluster.h, issue 16):
 *
 *   "cluster": {"node": "lb1",
 *               "sync": {"address": "198.18.9.1", "port": 8848,
 *                        "buffer_bytes": 4194304, "ring_records": 65536},
 *               "peers": [{"name": "lb2", "address": "198.18.9.2",
 *                          "local_addresses": ["198.18.2.2"]}],
 *               "key_file": "/etc/sluice/cluster.key",
 *               "state_dir": "/var/lib/sluice",
 *               "timers": {"heartbeat_ms": 100, "dead_ms": 500,
 *                          "refresh_ms": 10000, "dump_timeout_ms": 5000,
 *                          "unheard_ms": 3000, "key_grace_ms": 600000},
 *               "max_share_percent": 50, "max_total_share_percent": 50,
 *               "max_datagram": 1452}
 *
 * Read after "local_addresses", so a peer's local address can be checked
 * against this node's own. The key file is read here (start and reload),
 * so `sluice --check` finds a bad one too.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config_internal.h"
#include "jsonutil.h"

static const char *const cluster_keys[] = {
	"node", "sync", "peers", "key_file", "state_dir", "timers", "max_share_percent",
	"max_total_share_percent", "max_datagram", NULL,
};
static const char *const sync_keys[] = {"address", "port", "buffer_bytes", "ring_records",
					NULL};
static const char *const peer_keys[] = {"name", "address", "local_addresses", NULL};
static const char *const timer_keys[] = {
	"heartbeat_ms", "dead_ms", "refresh_ms", "dump_timeout_ms", "unheard_ms",
	"key_grace_ms", NULL,
};

/* Names go on the wire and in logs: a short, plain charset. */
static int read_name(json_t *o, const char *key, char out[SL_CLUSTER_NAME_MAX + 1],
		     struct sl_err *err)
{
	const char *s = NULL;
	size_t n;

	if (sl_json_string(o, key, true, &s, err) < 0)
		return -1;
	n = strlen(s);
	if (n == 0 || n > SL_CLUSTER_NAME_MAX || strspn(s, "abcdefghijklmnopqrstuvwxyz"
		"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != n)
		return sl_err_set(err, SL_E_INVALID, key, "%s must be 1..%d letters, "
				  "digits, '.', '_' or '-', got \"%.40s\"", key,
				  SL_CLUSTER_NAME_MAX, s);
	memcpy(out, s, n + 1);
	return 0;
}

static int read_unicast(json_t *o, const char *key, struct sl_addr *a,
			struct sl_err *err)
{
	char buf[SL_ADDR_STRLEN];

	if (sl_json_addr(o, key, true, a, err) < 0)
		return -1;
	if (!sl_addr_is_unicast(a))
		return sl_err_set(err, SL_E_INVALID, key, "%s %s is not a unicast "
				  "address", key, sl_fmt_addr(a, buf));
	return 0;
}

bool sl_model_owns_laddr(const struct sl_model *m, const struct sl_addr *a)
{
	for (uint32_t i = 0; a->af == SL_AF_V4 && i < m->nladdrs; i++)
		if (m->laddrs[i].ip == a->v4)
			return true;
	for (uint32_t i = 0; a->af == SL_AF_V6 && i < m->nladdrs6; i++)
		if (memcmp(m->laddrs6[i].ip, a->v6, 16) == 0)
			return true;
	return false;
}

int sl_cluster_laddr_peer(const struct sl_cluster_conf *c, const struct sl_addr *a)
{
	for (uint32_t i = 0; i < c->npeers; i++)
		for (uint32_t j = 0; j < c->peers[i].nladdrs; j++)
			if (sl_addr_eq(&c->peers[i].laddrs[j], a))
				return (int)i;
	return -1;
}

/* A local address no earlier peer (nor this one) has, and not ours. */
static int check_laddr(const struct sl_model *m, const struct sl_cluster_peer_conf *p,
		       const struct sl_addr *a, struct sl_err *err)
{
	const struct sl_cluster_conf *c = &m->cluster;
	char buf[SL_ADDR_STRLEN];

	if (sl_model_owns_laddr(m, a))
		return sl_err_set(err, SL_E_INVALID, "", "%s is this node's own local "
				  "address (local_addresses), not the peer's",
				  sl_fmt_addr(a, buf));
	for (uint32_t i = 0; i <= c->npeers && i < SL_CLUSTER_MAX_PEERS; i++) {
		const struct sl_cluster_peer_conf *q = &c->peers[i];
		uint32_t n = q == p ? p->nladdrs : q->nladdrs;
		for (uint32_t j = 0; j < n; j++)
			if (sl_addr_eq(&q->laddrs[j], a))
				return sl_err_set(err, SL_E_EXISTS, "", "%s is already "
						  "peer %s's local address",
						  sl_fmt_addr(a, buf), q->name);
		if (q == p)
			break;
	}
	return 0;
}

static int load_peer_laddrs(json_t *o, struct sl_model *m,
			    struct sl_cluster_peer_conf *p, struct sl_err *err)
{
	json_t *arr = json_object_get(o, "local_addresses"), *v;
	char path[40];
	size_t i;

	if (!arr)
		return 0;
	if (!json_is_array(arr) || json_array_size(arr) > SL_CLUSTER_PEER_LADDRS)
		return sl_err_set(err, SL_E_INVALID, "local_addresses", "local_addresses "
				  "must be an array of at most %d addresses",
				  SL_CLUSTER_PEER_LADDRS);
	json_array_foreach(arr, i, v) {
		struct sl_addr *a = &p->laddrs[i];
		char buf[SL_ADDR_STRLEN];
		snprintf(path, sizeof(path), "local_addresses[%zu]", i);
		if (!json_is_string(v) || sl_parse_addr(json_string_value(v), a) < 0)
			return sl_err_set(err, SL_E_INVALID, path, "%s must be an IPv4 "
					  "or IPv6 address", path);
		if (!sl_addr_is_unicast(a))
			return sl_err_set(err, SL_E_INVALID, path, "%s %s is not a "
					  "unicast address", path, sl_fmt_addr(a, buf));
		if (check_laddr(m, p, a, err) < 0) {
			snprintf(err->field, sizeof(err->field), "%s", path);
			return -1;
		}
		p->nladdrs++;
	}
	return 0;
}

static int load_peer(json_t *o, struct sl_model *m, const void *ctx, struct sl_err *err)
{
	struct sl_cluster_conf *c = &m->cluster;
	struct sl_cluster_peer_conf *p;
	char buf[SL_ADDR_STRLEN];

	(void)ctx;
	if (c->npeers == SL_CLUSTER_MAX_PEERS)
		return sl_err_set(err, SL_E_LIMIT, "", "at most %d peers",
				  SL_CLUSTER_MAX_PEERS);
	p = &c->peers[c->npeers];
	memset(p, 0, sizeof(*p));
	if (read_name(o, "name", p->name, err) < 0 ||
	    read_unicast(o, "address", &p->addr, err) < 0)
		return -1;
	if (strcmp(p->name, c->node) == 0)
		return sl_err_set(err, SL_E_INVALID, "name", "peer name \"%s\" is this "
				  "node's own (cluster.node)", p->name);
	if (p->addr.af != c->sync_addr.af)
		return sl_err_set(err, SL_E_INVALID, "address", "address %s is not of "
				  "sync.address's family (%s)", sl_fmt_addr(&p->addr, buf),
				  sl_af_name(c->sync_addr.af));
	if (sl_addr_eq(&p->addr, &c->sync_addr))
		return sl_err_set(err, SL_E_INVALID, "address", "address %s is this "
				  "node's own sync.address", sl_fmt_addr(&p->addr, buf));
	for (uint32_t i = 0; i < c->npeers; i++) {
		if (strcmp(c->peers[i].name, p->name) == 0)
			return sl_err_set(err, SL_E_EXISTS, "name", "peer name \"%s\" "
					  "is given twice", p->name);
		if (sl_addr_eq(&c->peers[i].addr, &p->addr))
			return sl_err_set(err, SL_E_EXISTS, "address", "address %s is "
					  "peer %s's already", sl_fmt_addr(&p->addr, buf),
					  c->peers[i].name);
	}
	if (load_peer_laddrs(o, m, p, err) < 0)
		return -1;
	c->npeers++;
	return 0;
}

static int key_refused(struct sl_err *err, int fd, const char *path,
		       const char *why)
{
	if (fd >= 0)
		close(fd);
	return sl_err_set(err, SL_E_INVALID, "key_file", "key_file %.120s: %s",
			  path, why);
}

int sl_config_read_key(const char *path, uint8_t *key, uint32_t *len,
		       struct sl_err *err)
{
	uint8_t buf[SL_CLUSTER_KEY_MAX + 1];
	struct stat st;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);

	if (fd < 0)
		return key_refused(err, -1, path, strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		return key_refused(err, fd, path, "not a regular file");
	/* Whoever reads the key can forge sync records. */
	if (st.st_mode & 077) {
		char why[96];
		snprintf(why, sizeof(why), "mode %04o lets group or others at the "
			 "shared key (chmod 600 it)", (unsigned)(st.st_mode & 07777));
		return key_refused(err, fd, path, why);
	}
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n < 0)
		return key_refused(err, -1, path, strerror(errno));
	if (n < SL_CLUSTER_KEY_MIN || n > SL_CLUSTER_KEY_MAX) {
		char why[96];
		snprintf(why, sizeof(why), "holds %s bytes; a key is %d..%d bytes "
			 "(head -c 32 /dev/urandom)", n > SL_CLUSTER_KEY_MAX ? "too many" :
			 n == 0 ? "no" : "too few", SL_CLUSTER_KEY_MIN, SL_CLUSTER_KEY_MAX);
		return key_refused(err, -1, path, why);
	}
	memcpy(key, buf, (size_t)n);
	*len = (uint32_t)n;
	explicit_bzero(buf, sizeof(buf));
	return 0;
}

static int load_timers(json_t *o, struct sl_cluster_conf *c, struct sl_err *err)
{
	json_t *t = NULL;
	int rc = sl_config_sub_object(o, "timers", timer_keys, &t, err);

	if (rc == 0 && (sl_config_read_u32(t, "heartbeat_ms", 10, 10000, &c->heartbeat_ms, err) < 0 ||
			sl_config_read_u32(t, "dead_ms", 30, 60000, &c->dead_ms, err) < 0 ||
			sl_config_read_u32(t, "refresh_ms", 100, 3600000, &c->refresh_ms, err) < 0 ||
			sl_config_read_u32(t, "dump_timeout_ms", 100, 600000,
					   &c->dump_timeout_ms, err) < 0 ||
			sl_config_read_u32(t, "unheard_ms", 100, 600000, &c->unheard_ms, err) < 0 ||
			sl_config_read_u32(t, "key_grace_ms", 0, 86400000,
					   &c->key_grace_ms, err) < 0))
		return sl_config_prefixed(err, "timers.");
	if (rc < 0)
		return -1;
	/* One lost heartbeat must not kill a peer. */
	if (c->dead_ms < 3 * c->heartbeat_ms)
		return sl_err_set(err, SL_E_INVALID, "timers.dead_ms", "timers.dead_ms "
				  "(%u) must be at least 3 heartbeats (3 x %u ms)",
				  c->dead_ms, c->heartbeat_ms);
	return 0;
}

static void set_defaults(struct sl_cluster_conf *c)
{
	c->sync_port = SL_CLUSTER_PORT_DEFAULT;
	c->heartbeat_ms = SL_CLUSTER_HEARTBEAT_MS_DEFAULT;
	c->dead_ms = SL_CLUSTER_DEAD_MS_DEFAULT;
	c->refresh_ms = SL_CLUSTER_REFRESH_MS_DEFAULT;
	c->dump_timeout_ms = SL_CLUSTER_DUMP_TIMEOUT_MS_DEFAULT;
	c->unheard_ms = SL_CLUSTER_UNHEARD_MS_DEFAULT;
	c->share_percent = SL_CLUSTER_SHARE_PERCENT_DEFAULT;
	c->total_share_percent = SL_CLUSTER_TOTAL_SHARE_PERCENT_DEFAULT;
	c->max_datagram = SL_CLUSTER_DGRAM_DEFAULT;
	c->key_grace_ms = SL_CLUSTER_KEY_GRACE_MS_DEFAULT;
	c->sock_buffer = SL_CLUSTER_SOCKBUF_DEFAULT;
	c->sync_ring = SL_CLUSTER_RING_DEFAULT;
	snprintf(c->state_dir, sizeof(c->state_dir), "%s", SL_CLUSTER_STATE_DIR_DEFAULT);
}

static int load_sync(json_t *o, struct sl_cluster_conf *c, struct sl_err *err)
{
	json_t *s = NULL;
	int rc = sl_config_sub_object(o, "sync", sync_keys, &s, err);
	sl_be16 port = 0;

	if (rc == 1)
		return sl_err_set(err, SL_E_MISSING, "sync", "sync {\"address\": IP} is required");
	if (rc < 0)
		return -1;
	if (read_unicast(s, "address", &c->sync_addr, err) < 0 ||
	    sl_json_port(s, "port", false, &port, err) < 0 ||
	    sl_config_read_u32(s, "buffer_bytes", 65536, 256u << 20, &c->sock_buffer, err) < 0 ||
	    sl_config_read_u32(s, "ring_records", SL_CLUSTER_RING_MIN, SL_CLUSTER_RING_MAX,
			       &c->sync_ring, err) < 0)
		return sl_config_prefixed(err, "sync.");
	if (port)
		c->sync_port = ntohs(port);
	return 0;
}

/* Every peer's local addresses into the model (model_peers.c), where
 * received connections are checked and the workers' snapshot finds them. */
static int set_peer_laddrs(struct sl_model *m, struct sl_err *err)
{
	struct sl_addr all[SL_CLUSTER_MAX_PEERS * SL_CLUSTER_PEER_LADDRS];
	const struct sl_cluster_conf *c = &m->cluster;
	uint32_t n = 0;

	for (uint32_t i = 0; i < c->npeers; i++)
		for (uint32_t j = 0; j < c->peers[i].nladdrs; j++)
			all[n++] = c->peers[i].laddrs[j];
	return sl_model_set_peer_laddrs(m, all, n, "peers", err);
}

static int load(json_t *o, struct sl_model *m, struct sl_err *err)
{
	struct sl_cluster_conf *c = &m->cluster;
	const char *path = NULL;

	set_defaults(c);
	if (read_name(o, "node", c->node, err) < 0 || load_sync(o, c, err) < 0 ||
	    sl_config_each(o, "peers", true, peer_keys, load_peer, m, NULL, err) < 0 ||
	    load_timers(o, c, err) < 0 ||
	    sl_config_read_u32(o, "max_share_percent", 1, 100, &c->share_percent, err) < 0 ||
	    sl_config_read_u32(o, "max_total_share_percent", 1, 100, &c->total_share_percent,
			       err) < 0 ||
	    sl_config_read_u32(o, "max_datagram", 512, 65000, &c->max_datagram, err) < 0)
		return -1;
	if (c->npeers == 0)
		return sl_err_set(err, SL_E_INVALID, "peers", "peers must list 1..%d "
				  "other nodes", SL_CLUSTER_MAX_PEERS);
	if (set_peer_laddrs(m, err) < 0)
		return -1;
	if (sl_json_string(o, "key_file", true, &path, err) < 0)
		return -1;
	if (strlen(path) >= sizeof(c->key_file))
		return sl_err_set(err, SL_E_INVALID, "key_file", "key_file is longer "
				  "than %zu bytes", sizeof(c->key_file) - 1);
	snprintf(c->key_file, sizeof(c->key_file), "%s", path);
	path = NULL;
	if (sl_json_string(o, "state_dir", false, &path, err) < 0)
		return -1;
	if (path && (path[0] != '/' || strlen(path) >= sizeof(c->state_dir)))
		return sl_err_set(err, SL_E_INVALID, "state_dir", "state_dir must be an "
				  "absolute path shorter than %zu bytes",
				  sizeof(c->state_dir));
	if (path)
		snprintf(c->state_dir, sizeof(c->state_dir), "%s", path);
	return sl_config_read_key(c->key_file, c->key, &c->key_len, err);
}

int sl_config_load_cluster(json_t *root, struct sl_model *m, struct sl_err *err)
{
	json_t *o = NULL;
	int rc = sl_config_sub_object(root, "cluster", cluster_keys, &o, err);

	if (rc != 0)
		return rc < 0 ? -1 : 0;
	/* A node of a cluster is found by the routes it announces; without
	 * a table it announces nothing, and takeover could not work. */
	if (m->announce_table == 0)
		return sl_err_set(err, SL_E_MISSING, "announce.table", "a cluster needs "
				  "announce.table: the routes that bring its VIPs and "
				  "local addresses to this node, and take a dead peer's over");
	if (load(o, m, err) < 0)
		return sl_config_prefixed(err, "cluster.");
	m->cluster.on = true;
	return 0;
}

static json_t *peer_json(const struct sl_cluster_peer_conf *p)
{
	char buf[SL_ADDR_STRLEN];
	json_t *l = json_array();
	json_t *o = json_pack("{s:s, s:s, s:o}", "name", p->name, "address",
			      sl_fmt_addr(&p->addr, buf), "local_addresses", l);

	for (uint32_t i = 0; o && i < p->nladdrs; i++)
		if (json_array_append_new(l, json_string(sl_fmt_addr(&p->laddrs[i], buf))))
			return json_decref(o), NULL;
	return o;
}

int sl_config_cluster_json(json_t *doc, const struct sl_model *m)
{
	const struct sl_cluster_conf *c = &m->cluster;
	char buf[SL_ADDR_STRLEN];
	json_t *peers, *o;

	if (!c->on)
		return 0;
	peers = json_array();
	o = json_pack("{s:s, s:{s:s, s:i, s:I, s:I}, s:o, s:s, s:s, s:{s:I, s:I, s:I, s:I, s:I, s:I}, "
		      "s:I, s:I, s:I}",
		      "node", c->node, "sync", "address", sl_fmt_addr(&c->sync_addr, buf),
		      "port", c->sync_port, "buffer_bytes", (json_int_t)c->sock_buffer,
		      "ring_records", (json_int_t)c->sync_ring,
		      "peers", peers, "key_file", c->key_file, "state_dir", c->state_dir,
		      "timers", "heartbeat_ms", (json_int_t)c->heartbeat_ms,
		      "dead_ms", (json_int_t)c->dead_ms, "refresh_ms",
		      (json_int_t)c->refresh_ms, "dump_timeout_ms",
		      (json_int_t)c->dump_timeout_ms, "unheard_ms", (json_int_t)c->unheard_ms,
		      "key_grace_ms",
		      (json_int_t)c->key_grace_ms, "max_share_percent",
		      (json_int_t)c->share_percent, "max_total_share_percent",
		      (json_int_t)c->total_share_percent, "max_datagram",
		      (json_int_t)c->max_datagram);
	for (uint32_t i = 0; o && i < c->npeers; i++)
		if (json_array_append_new(peers, peer_json(&c->peers[i])) < 0) {
			json_decref(o);
			o = NULL;
		}
	return o ? json_object_set_new(doc, "cluster", o) : -1;
}

bool sl_config_cluster_differs(const struct sl_cluster_conf *a,
			       const struct sl_cluster_conf *b)
{
	struct sl_cluster_conf x = *a, y = *b;

	bool differ;

	/* explicit_bzero: a clear the compiler may not drop (the model
	 * links no libcrypto for OPENSSL_cleanse). */
	x.key_len = y.key_len = 0;
	explicit_bzero(x.key, sizeof(x.key));
	explicit_bzero(y.key, sizeof(y.key));
	differ = memcmp(&x, &y, sizeof(x)) != 0;
	explicit_bzero(&x, sizeof(x));
	explicit_bzero(&y, sizeof(y));
	return differ;
}
