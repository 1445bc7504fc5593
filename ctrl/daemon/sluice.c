/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sluice: the dataplane process. Loads the config, starts DPDK, brings up
 * the ports and the workers, then serves the control socket on the main
 * lcore until SIGINT or SIGTERM.
 */
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_random.h>

#include "config.h"
#include "ctl_capture.h"
#include "cleanup.h"
#include "ctl.h"
#include "ctl_metrics.h"
#include "ctl_sync.h"
#include "instance.h"
#include "log.h"
#include "notify.h"
#include "server.h"
#include "telemetry.h"

static volatile sig_atomic_t stop_requested, reload_requested;
static struct sl_metrics_http *metrics; /* metrics.listen; NULL: none */

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		reload_requested = 1;
	else
		stop_requested = 1;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: sluice -c CONFIG          run in the foreground\n"
		"       sluice --check -c CONFIG  validate CONFIG and exit\n"
		"       sluice --cleanup -c CONFIG  remove what a dead instance left\n"
		"       sluice --help\n"
		"\n"
		"Sluice is an L4 load balancer (full-NAT) on DPDK. CONFIG is a JSON\n"
		"file (see conf/README.md): EAL arguments, workers, ports, routes,\n"
		"local addresses, neighbors and virtual services. Once running, it is\n"
		"managed with sluicectl over the control socket named in the config\n"
		"(default /run/sluice/sluice.sock). SIGINT or SIGTERM stop it cleanly;\n"
		"SIGHUP re-reads CONFIG and applies it as one change (refused whole,\n"
		"and logged, if it is invalid or changes a setting fixed at start-up).\n"
		"\n"
		"  -c, --config FILE   configuration file (required)\n"
		"      --check         only validate the configuration; exit 0 if valid\n"
		"      --cleanup       after a crash (SIGKILL): remove what an instance of\n"
		"                      CONFIG left: Sluice's XDP programs on its af_xdp\n"
		"                      interfaces, a control socket nobody listens on, the\n"
		"                      EAL runtime directory and hugepage files of its\n"
		"                      --file-prefix (a plain name); one line per thing\n"
		"                      removed. Refused (exit 1) while an instance runs.\n"
		"                      Lock files stay. No EAL; for ExecStopPost=\n"
		"  -h, --help          this text\n"
		"\n"
		"Exit status: 0 on a clean stop or a valid --check, 1 on errors, 2 on\n"
		"bad usage. Logs go to stderr.\n");
}

static bool has_eal_arg(const struct sl_model *m, const char *arg)
{
	for (uint32_t i = 0; i < m->neal; i++)
		if (!strcmp(m->eal[i], arg))
			return true;
	return false;
}

static bool has_lcore_option(const struct sl_model *m)
{
	for (uint32_t i = 0; i < m->neal; i++)
		if (!strcmp(m->eal[i], "-l") || !strcmp(m->eal[i], "-c") ||
		    !strncmp(m->eal[i], "--lcores", 8))
			return true;
	return false;
}

/* argv for rte_eal_init: the config's EAL arguments plus, unless given,
 * one lcore for control and one per worker, pinned one per CPU when
 * there are enough CPUs, otherwise floating over all of them. */
static char **eal_argv(const struct sl_model *m, int *argc)
{
	char **argv = calloc(m->neal + 4, sizeof(*argv));
	static char lcores[64], loglevel[32];
	int n = 0;

	argv[n++] = "sluice";
	for (uint32_t i = 0; i < m->neal; i++)
		argv[n++] = m->eal[i];
	if (!has_lcore_option(m)) {
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);
		if (m->workers + 1 <= cpus)
			snprintf(lcores, sizeof(lcores), "--lcores=0-%u", m->workers);
		else
			snprintf(lcores, sizeof(lcores), "--lcores=(0-%u)@(0-%ld)",
				 m->workers, cpus - 1);
		argv[n++] = lcores;
	}
	snprintf(loglevel, sizeof(loglevel), "--log-level=%s",
		 strcmp(m->log_level, "debug") == 0 ? "info" : "notice");
	argv[n++] = loglevel;
	*argc = n;
	return argv;
}

/* Each buffer holds a whole frame of the largest port MTU (with a VLAN
 * tag and the CRC): jumbo frames take a larger data room, not chains of
 * segments, so the parser and the rewrite keep reading one contiguous
 * frame. The price is memory: every buffer is that large. */
static uint16_t data_room(const struct sl_model *m)
{
	uint32_t mtu = SL_PORT_MTU_DEFAULT;

	for (uint32_t p = 0; p < m->nports; p++)
		if (m->ports[p].mtu > mtu)
			mtu = m->ports[p].mtu;
	uint32_t frame = mtu + RTE_ETHER_HDR_LEN + RTE_VLAN_HLEN + RTE_ETHER_CRC_LEN;
	return (uint16_t)(RTE_PKTMBUF_HEADROOM + RTE_MAX(frame, (uint32_t)RTE_MBUF_DEFAULT_DATAROOM));
}

/* Enough buffers for every descriptor, ring and hold queue to be full at
 * once, unless limits.mbufs says otherwise. Per-lcore caches hide buffers
 * from other lcores, so a small pool gets small caches. */
static struct rte_mempool *make_pool(const struct sl_model *m)
{
	unsigned ports = m->nports + sl_model_exception_ports(m);
	unsigned n = ports * m->workers * (SL_PORT_RX_DESC + SL_PORT_TX_DESC) +
		     3 * m->workers * m->workers * m->steer_ring + /* worker.h */
		     m->workers * (SL_HOLD_MAX + 4 * SL_BURST) + 4096;
	if (m->mbufs)
		n = m->mbufs;
	unsigned cache = n / (8 * (m->workers + 1));
	if (cache > 256)
		cache = 256;
	return rte_pktmbuf_pool_create("sl_mbufs", n, cache, 0, data_room(m),
				       (int)rte_socket_id());
}

static double mib(size_t bytes)
{
	return (double)bytes / (1u << 20);
}

/* What each worker's tables take, the SNAT host table counted before the
 * rule that allocates it: the memory to plan for is the node's once SNAT
 * is used. */
static void log_tables(const struct sl_model *m, const struct sl_dataplane *dp)
{
	struct sl_worker_bytes b = sl_model_worker_bytes(m);
	sl_info("%u workers, %u connections each (%zu bytes per connection), up to "
		"%u of them v6 (%zu bytes each)", m->workers, m->max_conns,
		sl_ct_bytes_per_conn(&dp->workers[0]->ct), m->max_conns_v6,
		sl_ct_bytes_per_ext_conn(&dp->workers[0]->ct));
	sl_info("tables: %.1f MiB per worker, %.1f MiB in all (connections %.1f MiB, "
		"SNAT host table %.1f MiB for snat_options.max_hosts %u, %s)",
		mib(b.total), mib(b.total * m->workers), mib(b.conn_table),
		mib(b.snat_hosts), m->snat_max_hosts,
		m->nsnat ? "allocated at start" : "allocated with the first SNAT rule");
}

static int make_workers(struct sl_ctl *ctl)
{
	const struct sl_model *m = &ctl->model;
	struct sl_dataplane *dp = ctl->dp;
	char errbuf[256];

	size_t qs_size = rte_rcu_qsbr_get_memsize(m->workers);
	dp->qsbr = rte_zmalloc("sl_qsbr", qs_size, RTE_CACHE_LINE_SIZE);
	if (dp->qsbr == NULL || rte_rcu_qsbr_init(dp->qsbr, m->workers) != 0) {
		sl_err("cannot set up RCU for %u workers", m->workers);
		return -1;
	}
	dp->learn_ring = rte_ring_create_elem("sl_learn", sizeof(struct sl_learn_msg),
					      SL_LEARN_RING_SIZE, SOCKET_ID_ANY,
					      RING_F_SC_DEQ);
	if (dp->learn_ring == NULL) {
		sl_err("cannot create the learn ring: %s", rte_strerror(rte_errno));
		return -1;
	}
	/* NAT64's IPv4 Identification: one random base, each worker its
	 * own slice of the space from it (sl_worker_ip_id_seed). */
	uint16_t ip_id_base = (uint16_t)rte_rand();
	for (uint32_t i = 0; i < m->workers; i++) {
		struct sl_worker_params p = {
			.id = (uint16_t)i,
			.max_conns = m->max_conns,
			.max_conns_v6 = m->max_conns_v6,
			.snat_hosts = m->snat_max_hosts,
			.lport_lo = m->lport_lo,
			.lport_hi = m->lport_hi,
			.idle_sleep_us = m->idle_sleep_us,
			.idle_empty_polls = m->idle_empty_polls,
			.verify_l4_csum = m->verify_l4_csum,
			.ip_id_base = ip_id_base,
		};
		dp->workers[i] = sl_worker_create(dp, &p, errbuf, sizeof(errbuf));
		if (dp->workers[i] == NULL) {
			sl_err("%s", errbuf);
			return -1;
		}
	}
	if (sl_workers_connect(dp, errbuf, sizeof(errbuf)) != 0) {
		sl_err("%s", errbuf);
		return -1;
	}
	return 0;
}

static int launch_workers(struct sl_ctl *ctl)
{
	unsigned lcore, i = 0;

	RTE_LCORE_FOREACH_WORKER(lcore) {
		if (i == ctl->dp->nworkers)
			break;
		if (rte_eal_remote_launch(sl_worker_main, ctl->dp->workers[i], lcore) != 0) {
			sl_err("cannot launch worker %u on lcore %u", i, lcore);
			return -1;
		}
		i++;
	}
	return 0;
}

#define LOOP_TICK_MS 5 /* the periodic work: neighbors, persistence, lc sums */

/* What wakes the loop before its tick: the control socket, a health
 * check's socket (so a check's next step waits for nothing), a scrape
 * of /metrics waiting for its text, a sync datagram, or a worker whose
 * sync ring passed its mark (ctl_sync.h). -1 when it cannot be made: the
 * control socket alone then. */
static int loop_wake_set(struct sl_ctl *ctl, const struct sl_server *srv)
{
	struct epoll_event ev = {.events = EPOLLIN};
	int fd = epoll_create1(EPOLL_CLOEXEC);

	if (fd >= 0 && (epoll_ctl(fd, EPOLL_CTL_ADD, srv->epoll_fd, &ev) != 0 ||
			(ctl->health && epoll_ctl(fd, EPOLL_CTL_ADD,
						  sl_health_fd(ctl->health), &ev) != 0) ||
			(metrics && epoll_ctl(fd, EPOLL_CTL_ADD,
					      sl_metrics_http_fd(metrics), &ev) != 0) ||
			(sl_ctl_cluster_fd(ctl) >= 0 &&
			 epoll_ctl(fd, EPOLL_CTL_ADD, sl_ctl_cluster_fd(ctl), &ev) != 0) ||
			(sl_ctl_sync_fd(ctl) >= 0 &&
			 epoll_ctl(fd, EPOLL_CTL_ADD, sl_ctl_sync_fd(ctl), &ev) != 0))) {
		sl_warn("control loop: health checks and scrapes will not wake it: %s",
			strerror(errno));
		close(fd);
		fd = -1;
	}
	return fd;
}

static void control_loop(struct sl_ctl *ctl, struct sl_server *srv)
{
	int wake = loop_wake_set(ctl, srv);
	bool ready = false; /* systemd told (notify.h) */

	while (!stop_requested) {
		struct epoll_event ev[3];
		if (wake >= 0)
			epoll_wait(wake, ev, 3, LOOP_TICK_MS);
		sl_server_poll(srv, wake >= 0 ? 0 : LOOP_TICK_MS);
		sl_ctl_dump_poll(ctl); /* conn.list, snat.sessions answers */
		sl_ctl_capture_poll(ctl); /* copies to the capture file */
		sl_ctl_neigh_work(ctl);
		sl_ctl_work(ctl); /* health checks, lc sums, persistence */
		sl_ctl_announce_work(ctl); /* announce.table's host routes */
		sl_ctl_cluster_poll(ctl); /* session sync (issue 16) */
		if (!ready && sl_notify_workers_running(ctl->dp)) {
			ready = true;
			sl_info("all %u workers running", ctl->dp->nworkers);
			sl_notify_ready(ctl->dp->nworkers);
		}
		sl_ctl_link_poll(ctl);
		sl_ctl_flow_poll(ctl); /* a port's flow rules retried after a refusal */
		sl_telemetry_tick(ctl); /* what /sluice/ telemetry reads */
		sl_ctl_metrics_work(ctl, metrics); /* a scrape waiting */
		if (reload_requested) {
			reload_requested = 0;
			if (ready)
				sl_notify_reloading();
			sl_ctl_reload(ctl);
			if (ready)
				sl_notify_ready(ctl->dp->nworkers);
		}
	}
	sl_notify_stopping();
	if (wake >= 0)
		close(wake);
}

static void shutdown_all(struct sl_ctl *ctl, struct sl_server *srv)
{
	struct sl_dataplane *dp = ctl->dp;

	sl_ctl_announce_free(ctl); /* withdrawn while the workers still forward */
	sl_metrics_http_stop(metrics); /* its threads read nothing of ours */
	metrics = NULL;
	__atomic_store_n(&dp->stop, true, __ATOMIC_RELEASE);
	rte_eal_mp_wait_lcore();
	sl_telemetry_free();
	sl_ctl_stats_doc_free(ctl);
	sl_ctl_capture_free(ctl);
	sl_ctl_pdump_uninit();
	sl_ctl_dump_free(ctl);
	sl_server_close(srv);
	/* The messages the stopped workers never took first: a sync walk
	 * still on a ring or in a backlog is skipped there (ctl_msg.c) and
	 * freed once by the cluster's teardown, which must come after (the
	 * other order freed it, then read and freed it again). */
	sl_ctl_work_free(ctl);
	sl_ctl_cluster_stop(ctl);
	sl_ctl_flow_stop(ctl); /* its rules go before the ports stop */
	for (uint32_t p = 0; p < dp->nports; p++)
		if (sl_ctl_port_device(&ctl->model, p) == p)
			sl_port_close(dp->ethdev[p]); /* once per device */
	sl_ctl_ports_close(ctl);
	for (uint32_t i = 0; i < dp->nworkers; i++)
		sl_worker_destroy(dp->workers[i]);
	sl_ctl_snapshot_free(ctl);
	sl_ctl_neigh_free(ctl);
	rte_ring_free(dp->learn_ring);
	rte_free(dp->qsbr);
	rte_mempool_free(dp->pool);
	sl_neigh_free(&ctl->neigh);
	sl_model_free(&ctl->model);
}

/* A user or group named in the config: a name, or a number. -1 if
 * neither resolves. */
static int lookup_id(const char *who, bool group)
{
	char *end;
	long n = strtol(who, &end, 10);

	if (*who && *end == '\0' && n >= 0 && n < INT_MAX)
		return (int)n;
	if (group) {
		const struct group *g = getgrnam(who);
		return g ? (int)g->gr_gid : -1;
	}
	const struct passwd *p = getpwnam(who);
	return p ? (int)p->pw_uid : -1;
}

static int socket_perms(const struct sl_model *m, struct sl_server_perms *perms)
{
	perms->mode = m->socket_mode;
	perms->uid = m->socket_owner[0] ? lookup_id(m->socket_owner, false) : -1;
	perms->gid = m->socket_group[0] ? lookup_id(m->socket_group, true) : -1;
	if (m->socket_owner[0] && perms->uid < 0) {
		sl_err("control.owner: no user %s", m->socket_owner);
		return -1;
	}
	if (m->socket_group[0] && perms->gid < 0) {
		sl_err("control.group: no group %s", m->socket_group);
		return -1;
	}
	return 0;
}

/* PATH made absolute against the working directory, symbolic links kept:
 * SIGHUP and `config save` find it whatever the cwd, and a link a deploy
 * switches to a new file is followed again at each reload. */
static void absolute_path(const char *path, char *out, size_t len)
{
	char cwd[4096];

	if (path[0] != '/' && getcwd(cwd, sizeof(cwd)) != NULL) {
		int n = snprintf(out, len, "%s/%s", cwd, path);
		if (n > 0 && (size_t)n < len)
			return;
	}
	snprintf(out, len, "%s", path); /* as given: relative to the cwd */
}

static int run(struct sl_ctl *ctl)
{
	struct sl_model *m = &ctl->model;
	struct sl_server srv = {.listen_fd = -1, .epoll_fd = -1};
	struct sl_server_perms perms;
	struct sl_err err;
	char errbuf[256];
	int argc;
	char **argv;

	/* Before EAL and the ports touch any interface (instance.h). */
	if (sl_instance_lock(m, errbuf, sizeof(errbuf)) != 0) {
		sl_err("%s", errbuf);
		return 1;
	}
	argv = eal_argv(m, &argc);
	sl_log_dpdk_to_journal();
	if (rte_eal_init(argc, argv) < 0) {
		sl_err("EAL init failed: %s", rte_strerror(rte_errno));
		free(argv);
		return 1;
	}
	free(argv);
	sl_ctl_pdump_init(!has_eal_arg(m, "--no-huge") && !has_eal_arg(m, "--in-memory"));
	if (rte_lcore_count() < m->workers + 1) {
		sl_err("%u workers need %u lcores; EAL has %u", m->workers,
		       m->workers + 1, rte_lcore_count());
		goto fail;
	}
	ctl->dp->nworkers = m->workers;
	ctl->dp->tsc_hz = rte_get_tsc_hz();
	ctl->dp->steer_ring_size = m->steer_ring;
	ctl->dp->pool = make_pool(m);
	if (ctl->dp->pool == NULL) {
		sl_err("cannot create the mbuf pool: %s (%u-byte buffers for the largest "
		       "port mtu; more EAL memory (-m), or fewer buffers: limits.mbufs)",
		       rte_strerror(rte_errno), data_room(m));
		goto fail;
	}
	if (sl_neigh_init(&ctl->neigh) != 0)
		goto fail;
	ctl->neigh.max = m->neigh_max;
	ctl->neigh.nports = (uint8_t)m->nports;
	ctl->neigh.keep = sl_ctl_neigh_keep;
	ctl->neigh.keep_ctx = ctl;
	if (sl_ctl_open_ports(ctl) != 0 ||
	    make_workers(ctl) != 0 || sl_ctl_flow_init(ctl) != 0)
		goto fail;
	if (sl_ctl_work_init(ctl, errbuf, sizeof(errbuf)) != 0 ||
	    sl_ctl_cluster_start(ctl, errbuf, sizeof(errbuf)) != 0 ||
	    sl_telemetry_init(!has_eal_arg(m, "--no-telemetry"), errbuf,
			      sizeof(errbuf)) != 0) {
		sl_err("%s", errbuf);
		goto fail;
	}
	if (sl_ctl_publish(ctl, m, &err) != 0) {
		sl_err("initial configuration: %s", err.message);
		goto fail;
	}
	/* Only now: the first publish is what allocates a file's SNAT host
	 * table, and may still fail. */
	log_tables(&ctl->model, ctl->dp);
	if (socket_perms(m, &perms) != 0)
		goto fail;
	if (sl_server_open(&srv, m->socket_path, &perms,
			   (sl_server_handler)sl_ctl_handle_line, ctl, errbuf,
			   sizeof(errbuf)) != 0) {
		sl_err("control socket: %s", errbuf);
		goto fail;
	}
	perms.mode = m->ro_socket_mode; /* the read-only socket: same owner */
	if (m->ro_socket_path[0] &&
	    sl_server_open_readonly(&srv, m->ro_socket_path, &perms, errbuf,
				    sizeof(errbuf)) != 0) {
		sl_err("read-only control socket: %s", errbuf);
		goto fail;
	}
	ctl->srv = &srv;
	if (m->metrics_port &&
	    !(metrics = sl_metrics_http_start(m->metrics_ip, m->metrics_port, errbuf,
					      sizeof(errbuf)))) {
		sl_err("%s", errbuf);
		goto fail;
	}
	if (launch_workers(ctl) != 0)
		goto fail;
	/* Routes only once the workers run: a VIP announced earlier would
	 * draw traffic nobody forwards. */
	if (sl_ctl_announce_init(ctl, errbuf, sizeof(errbuf)) != 0) {
		sl_err("%s", errbuf);
		goto fail;
	}
	sl_ctl_cluster_announce_init(ctl); /* nothing announced before the dumps */
	sl_info("running: %u workers, %u ports, %u VIPs; control socket %s",
		m->workers, m->nports, m->nsvcs, m->socket_path);
	control_loop(ctl, &srv);
	sl_info("stopping");
	shutdown_all(ctl, &srv);
	rte_eal_cleanup();
	sl_info("stopped");
	return 0;
fail:
	shutdown_all(ctl, &srv);
	rte_eal_cleanup();
	return 1;
}

/* The config file's blocklist is taken as written at start-up (it is
 * the operator's, and refusing to start locks out as surely); what
 * `blocklist add` would refuse is said loudly. */
static void warn_lockouts(const struct sl_model *m)
{
	struct sl_err err;

	for (uint32_t i = 0; i < m->xdp.nblock; i++)
		if (sl_model_block_lockout(m, m->xdp.block[i].prefix, m->xdp.block[i].plen,
					   &err) != 0)
			sl_warn("xdp.blocklist: %s", err.message);
	for (uint32_t i = 0; i < m->xdp.nblock6; i++)
		if (sl_model_block6_lockout(m, m->xdp.block6[i].prefix,
					    m->xdp.block6[i].plen, &err) != 0)
			sl_warn("xdp.blocklist: %s", err.message);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"check", no_argument, NULL, 'k'},
		{"cleanup", no_argument, NULL, 'x'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	static struct sl_ctl ctl;
	static struct sl_dataplane dp;
	const char *config = NULL;
	bool check = false, cleanup = false;
	struct sl_err err;
	int opt;

	while ((opt = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'c': config = optarg; break;
		case 'k': check = true; break;
		case 'x': cleanup = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (config == NULL || optind != argc) {
		fprintf(stderr, "sluice: %s\n", config ? "unexpected argument"
						       : "a config file is required (-c FILE)");
		usage(stderr);
		return 2;
	}
	if (sl_config_load_file(config, &ctl.model, &err) != 0) {
		fprintf(stderr, "sluice: %s: %s%s%s\n", config, err.field,
			err.field[0] ? ": " : "", err.message);
		return 1;
	}
	if (cleanup) { /* before EAL, and without it (cleanup.h) */
		int rc = sl_cleanup(&ctl.model);
		sl_model_free(&ctl.model);
		return rc;
	}
	if (check) {
		printf("%s: OK (%u ports, %u VIPs, %u real servers, %u local addresses)\n",
		       config, ctl.model.nports, ctl.model.nsvcs, ctl.model.nrs_total,
		       ctl.model.nladdrs);
		sl_model_free(&ctl.model);
		return 0;
	}
	sl_log_set_level(ctl.model.log_level);
	warn_lockouts(&ctl.model);
	char why[512];
	if (sl_hc_rp_filter_check(&ctl.model, "/proc", why, sizeof(why)) != 0) {
		fprintf(stderr, "sluice: health.path \"data\": %s\n", why);
		sl_model_free(&ctl.model);
		return 1;
	}
	struct sigaction sa = {.sa_handler = on_signal};
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	absolute_path(config, ctl.config_path, sizeof(ctl.config_path));
	signal(SIGPIPE, SIG_IGN);
	ctl.dp = &dp;
	ctl.xdp_prepare = sl_ctl_xdp_prepare;
	ctl.xdp_commit = sl_ctl_xdp_commit;
	ctl.flow_sync = sl_ctl_flow_sync;
	ctl.start_ms = sl_ctl_now_ms();
	return run(&ctl);
}
