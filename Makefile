# Sluice: one Makefile for the dataplane, the control plane, the CLI and
# the tests. `make` builds build/sluice and build/sluicectl.
#
#   make          build everything
#   make test     install deps, build, run every unit and end-to-end test
#                 (but the cluster scenarios 4-6: make test-cluster)
#   make test-cluster  build, run the cluster lab's scenarios 1-6 (issue 16)
#   make demo     install deps, build, run the namespace lab demo
#   make bench    install deps, build, run the benchmarks (tests/perf)
#   make bench-e2e  the same job through the namespace lab, Sluice vs kernel
#   make san      the same tree under ASan+UBSan (clang) in build/san
#   make fuzz     libFuzzer targets (tests/fuzz), FUZZ_SECONDS each
#   make fuzz-campaign HOURS=N [RUNS=M]  every fuzz target for N hours (or M
#                 inputs, whichever first), corpus merged back
#   make deps     install the Debian packages the project needs
#   make install  sluice, sluicectl, man pages, completion, systemd unit,
#                 /etc/sluice/sluice.json (PREFIX=/usr/local, DESTDIR=)
#   make uninstall  the same files removed (an edited config stays)
#   make man      regenerate sluicectl(8) and sluice.json(5) (conf/man/)
#   make deb      build/sluice_VERSION_ARCH.deb with the same files

CC      ?= gcc
BUILD   := build
CFLAGS  ?= -O2 -g
# Link-time optimisation lets the burst loop inline the parser and table
# code from their own files. Objects are "fat" so the unit tests can link
# them without LTO.
LTO     := -flto=auto -ffat-lto-objects
WARN    := -Wall -Wextra -Werror -Wmissing-prototypes -Wshadow
BASE    := -std=gnu11 $(WARN) -D_GNU_SOURCE -MMD -MP -msse4.2

DPDK_CFLAGS := $(shell pkg-config --cflags libdpdk 2>/dev/null)
DPDK_LIBS   := $(shell pkg-config --libs libdpdk 2>/dev/null)
JANSSON_CFLAGS := $(shell pkg-config --cflags jansson 2>/dev/null)
JANSSON_LIBS   := $(shell pkg-config --libs jansson 2>/dev/null)
CMOCKA_LIBS    := $(shell pkg-config --libs cmocka 2>/dev/null)
LIBBPF_LIBS    := $(shell pkg-config --libs libbpf 2>/dev/null)
# sd_notify for the systemd unit (ctrl/daemon/notify.c): sluice only.
SYSTEMD_CFLAGS := $(shell pkg-config --cflags libsystemd 2>/dev/null)
SYSTEMD_LIBS   := $(shell pkg-config --libs libsystemd 2>/dev/null)
# libpcap compiles capture filters (ctrl/daemon/capture_filter.c).
PCAP_LIBS      := $(shell pkg-config --libs libpcap 2>/dev/null || echo -lpcap)
# The Prometheus endpoint (ctrl/daemon/metrics_http.c): sluice only.
MHD_CFLAGS := $(shell pkg-config --cflags libmicrohttpd 2>/dev/null)
MHD_LIBS   := $(shell pkg-config --libs libmicrohttpd 2>/dev/null)
# HMAC-SHA256 of the cluster's session sync (ctrl/cluster/sync_mac.c).
CRYPTO_LIBS := $(shell pkg-config --libs libcrypto 2>/dev/null || echo -lcrypto)

# Include paths follow the layering (README.md, "Layout"): each group of
# sources sees only the folders it may call, so a bare-name include of a
# forbidden header fails the build. The rules themselves are enforced by
# `tests/layout/check_layout.py` (a relative path like "../x.h" gets past
# -iquote; the checker resolves it).
CORE_INC   := -iquote dataplane/core
COMMON_INC := $(CORE_INC) -iquote ctrl/common
CONFIG_INC := $(COMMON_INC) -iquote ctrl/config
WORKER_INC := $(CORE_INC) -iquote dataplane
DRV_INC    := $(CORE_INC) -iquote drivers
CLUSTER_INC := $(CONFIG_INC) -iquote ctrl/cluster
DAEMON_INC := $(CLUSTER_INC) -iquote dataplane -iquote drivers -iquote ctrl/daemon
CLI_INC    := $(COMMON_INC) -iquote ctrl/cli
TEST_INC   := $(DAEMON_INC) -iquote tests/lib

# The XDP program (drivers/xdp/): clang for the BPF target, then a bpftool
# skeleton that embeds the object in the binary including it. Freestanding,
# so clang's own stdint.h serves and glibc's 32-bit stubs are never asked
# for; the multiarch directory is only for <asm/types.h> (-print-multiarch:
# clang's -dumpmachine names no Debian directory, so `make san` needs it).
BPF_OBJ    := $(BUILD)/xdp/sluice_xdp.bpf.o
BPF_SKEL   := $(BUILD)/xdp/sluice_xdp.skel.h
BPF_CFLAGS := -g -O2 -target bpf -ffreestanding -std=gnu11 $(WARN) \
              -I/usr/include/$(shell $(CC) -print-multiarch) $(CORE_INC) -iquote drivers/xdp

# The packet core (dataplane/core/): plain C over byte buffers, no DPDK, no
# I/O. It is built without DPDK's include path, so a DPDK header creeping
# in fails the build.
CORE_SRCS := $(wildcard dataplane/core/*.c)
# The workers: the burst loop and everything else that talks to DPDK.
DP_SRCS   := $(wildcard dataplane/*.c)
# Pure helpers shared by the daemon and sluicectl (ctrl/common/), and the
# configuration and model (ctrl/config/): neither DPDK nor sockets, so the
# unit tests link them directly.
COMMON_SRCS := $(wildcard ctrl/common/*.c)
MODEL_SRCS  := $(COMMON_SRCS) $(wildcard ctrl/config/*.c)
# The cluster's session sync (ctrl/cluster/): sockets and libcrypto, no
# DPDK; the daemon drives it.
CLUSTER_SRCS := $(wildcard ctrl/cluster/*.c)
# The daemon's control thread and process (ctrl/daemon/).
CTRL_SRCS := $(wildcard ctrl/daemon/*.c)
# sluicectl (ctrl/cli/): the protocol and the pure helpers only.
CLI_SRCS  := $(wildcard ctrl/cli/*.c) $(COMMON_SRCS)
# Port setup; the XDP program's user-space side needs libbpf: only sluice
# links it.
DRV_SRCS  := $(wildcard drivers/*.c)
XDP_SRCS  := $(wildcard drivers/xdp_*.c)
DRV_SRCS  := $(filter-out $(XDP_SRCS),$(DRV_SRCS))
XDP_OBJS  := $(XDP_SRCS:%.c=$(BUILD)/obj/%.o)

CORE_OBJS  := $(CORE_SRCS:%.c=$(BUILD)/obj/%.o)
DP_OBJS    := $(DP_SRCS:%.c=$(BUILD)/obj/%.o)
DRV_OBJS   := $(DRV_SRCS:%.c=$(BUILD)/obj/%.o)
COMMON_OBJS := $(COMMON_SRCS:%.c=$(BUILD)/obj/%.o)
MODEL_OBJS := $(MODEL_SRCS:%.c=$(BUILD)/obj/%.o)
CTRL_OBJS  := $(CTRL_SRCS:%.c=$(BUILD)/obj/%.o)
CLUSTER_OBJS := $(CLUSTER_SRCS:%.c=$(BUILD)/obj/%.o)
CLI_OBJS   := $(CLI_SRCS:%.c=$(BUILD)/cli/%.o)

# The benchmark links the whole dataplane and the control pieces it drives.
BENCH_SRCS := $(wildcard tests/perf/bench_*.c) tests/lib/ringport.c
BENCH_OBJS := $(BENCH_SRCS:%.c=$(BUILD)/obj/%.o)
BENCH_CTRL := $(addprefix $(BUILD)/obj/ctrl/daemon/,publish.o publish_neigh.o publish_svc.o pick_table.o health.o health_path.o log.o neigh.o ctl_msg.o ctl_sync.o)
# The sync rows send their records through the cluster code (no socket).
BENCH_SYNC := $(CLUSTER_OBJS)

# NAT conformance checks: golden frames through a real worker.
CONF_SRCS  := $(wildcard tests/conformance/*.c) tests/lib/ringport.c
CONF_OBJS  := $(CONF_SRCS:%.c=$(BUILD)/obj/%.o)
# ... and the control thread's flush, as sluicectl's `rs del --flush` sends it.
CONF_CTRL  := $(BENCH_CTRL) $(addprefix $(BUILD)/obj/ctrl/daemon/,ctl_work.o ctl_xdp_state.o ctl_persist.o neigh_learn.o)

UNIT_SRCS  := $(wildcard tests/unit/test_*.c)
UNIT_BINS  := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all test test-cluster demo bench bench-e2e deps clean unit san fuzz fuzz-bins fuzz-campaign install uninstall man deb
all: $(BUILD)/sluice $(BUILD)/sluicectl

# Per-group flags: only the DPDK-facing objects see DPDK's headers, and
# each group sees only the folders it may include.
$(CORE_OBJS): CFLAGS_EXTRA := $(CORE_INC)
$(DP_OBJS): CFLAGS_EXTRA := $(WORKER_INC) $(DPDK_CFLAGS)
$(DRV_OBJS): CFLAGS_EXTRA := $(DRV_INC) $(DPDK_CFLAGS)
$(XDP_OBJS): CFLAGS_EXTRA := $(DRV_INC)
$(CTRL_OBJS): CFLAGS_EXTRA := $(DAEMON_INC) $(DPDK_CFLAGS) $(JANSSON_CFLAGS) $(SYSTEMD_CFLAGS) $(MHD_CFLAGS)
$(COMMON_OBJS): CFLAGS_EXTRA := $(COMMON_INC)
$(CLUSTER_OBJS): CFLAGS_EXTRA := $(CLUSTER_INC)
$(filter-out $(COMMON_OBJS),$(MODEL_OBJS)): CFLAGS_EXTRA := $(CONFIG_INC) $(JANSSON_CFLAGS)
$(BENCH_OBJS) $(CONF_OBJS): CFLAGS_EXTRA := $(TEST_INC) $(DPDK_CFLAGS) $(JANSSON_CFLAGS) -iquote tests/unit

$(BUILD)/sluice: $(XDP_OBJS)

# Only the file that embeds the object sees the skeleton.
$(BUILD)/obj/drivers/xdp_port.o: CFLAGS_EXTRA += -I$(BUILD)/xdp
$(BUILD)/obj/drivers/xdp_port.o: $(BPF_SKEL)

$(BUILD)/xdp/%.bpf.o: drivers/xdp/%.bpf.c drivers/xdp/xdp_abi.h dataplane/core/wire.h dataplane/core/wire6.h dataplane/core/dp_types.h
	@mkdir -p $(dir $@)
	@echo "  BPF     $<"
	@clang $(BPF_CFLAGS) -c $< -o $@.tmp
	@bpftool gen object $@ $@.tmp
	@rm -f $@.tmp

# The lab hosts' 802.1Q tagging (tests/e2e/test_vlan.sh): a tc program.
all: $(BUILD)/tests/vlan_tag.bpf.o
$(BUILD)/tests/vlan_tag.bpf.o: tests/e2e/vlan_tag.bpf.c
	@mkdir -p $(dir $@)
	@echo "  BPF     $<"
	@clang -g -O2 -target bpf -ffreestanding -std=gnu11 $(WARN) \
		-I/usr/include/$(shell $(CC) -print-multiarch) -c $< -o $@

# Kept: bpftool and the af_xdp PMD's xdp_prog= can use the object as is.
.SECONDARY: $(BPF_OBJ)

$(BUILD)/xdp/%.skel.h: $(BUILD)/xdp/%.bpf.o
	@echo "  SKEL    $@"
	@bpftool gen skeleton $< > $@

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(BASE) $(CFLAGS) $(LTO) $(CFLAGS_EXTRA) -c $< -o $@

$(BUILD)/cli/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $< (cli)"
	@$(CC) $(BASE) $(CFLAGS) $(CLI_INC) $(JANSSON_CFLAGS) -c $< -o $@

$(BUILD)/sluice: $(CORE_OBJS) $(DP_OBJS) $(DRV_OBJS) $(MODEL_OBJS) $(CLUSTER_OBJS) $(CTRL_OBJS)
	@echo "  LINK    $@"
	@$(CC) $(CFLAGS) $(LTO) -o $@ $^ $(DPDK_LIBS) $(JANSSON_LIBS) $(LIBBPF_LIBS) $(SYSTEMD_LIBS) $(PCAP_LIBS) $(MHD_LIBS) $(CRYPTO_LIBS) -lpthread

$(BUILD)/sluicectl: $(CLI_OBJS)
	@echo "  LINK    $@"
	@$(CC) $(CFLAGS) -o $@ $^ $(JANSSON_LIBS)

# Unit tests link the core and the DPDK-free control model only.
$(BUILD)/tests/%: tests/unit/%.c $(CORE_OBJS) $(MODEL_OBJS)
	@mkdir -p $(dir $@)
	@echo "  TEST    $@"
	@$(CC) $(BASE) $(CFLAGS) $(TEST_INC) $(JANSSON_CFLAGS) -o $@ $(filter %.c %.o,$^) $(CMOCKA_LIBS) $(JANSSON_LIBS) $(TEST_LIBS)

# Session sync (ctrl/cluster/) with libcrypto.
CLUSTER_TESTS := $(addprefix $(BUILD)/tests/,test_sync_wire test_sync_peer test_cluster \
		   test_cluster_v2 test_cluster_takeover)
$(CLUSTER_TESTS): $(CLUSTER_OBJS)
$(CLUSTER_TESTS): TEST_LIBS := $(CRYPTO_LIBS)
# A full send buffer, from a wrapped sendmmsg (test_send_queue_buffer_full).
$(BUILD)/tests/test_sync_wire: TEST_LIBS := $(CRYPTO_LIBS) -Wl,--wrap=sendmmsg

# The lab's vhost-user switch (tests/lab/): what Sluice's virtio-user ports
# connect to in the end-to-end tests.
all: $(BUILD)/sluice-vswitch
$(BUILD)/sluice-vswitch: tests/lab/vswitch.c
	@mkdir -p $(dir $@)
	@echo "  LINK    $@"
	@$(CC) $(BASE) $(CFLAGS) $(DPDK_CFLAGS) -o $@ $< $(DPDK_LIBS)

# The XDP golden-frame test runs the real program (skeleton) in the kernel.
XDP_TEST_OBJS := $(BUILD)/obj/drivers/xdp_maps.o $(BUILD)/obj/drivers/xdp_maps6.o
$(BUILD)/tests/test_xdp $(BUILD)/tests/test_xdp6: $(BUILD)/tests/%: tests/unit/%.c tests/unit/xdp_env.h $(XDP_TEST_OBJS) $(BPF_SKEL)
	@mkdir -p $(dir $@)
	@echo "  TEST    $@"
	@$(CC) $(BASE) $(CFLAGS) $(TEST_INC) -I$(BUILD)/xdp -o $@ $< $(XDP_TEST_OBJS) $(CMOCKA_LIBS) $(LIBBPF_LIBS)

$(BUILD)/sluice-bench: $(BENCH_OBJS) $(CORE_OBJS) $(DP_OBJS) $(DRV_OBJS) $(MODEL_OBJS) $(BENCH_CTRL) $(BENCH_SYNC)
	@echo "  LINK    $@"
	@$(CC) $(CFLAGS) $(LTO) -o $@ $^ $(DPDK_LIBS) -lrte_net_ring $(JANSSON_LIBS) $(CRYPTO_LIBS) -lpthread

$(BUILD)/sluice-conformance: $(CONF_OBJS) $(CORE_OBJS) $(DP_OBJS) $(DRV_OBJS) $(MODEL_OBJS) $(CONF_CTRL)
	@echo "  LINK    $@"
	@$(CC) $(CFLAGS) $(LTO) -o $@ $^ $(DPDK_LIBS) -lrte_net_ring $(JANSSON_LIBS) -lpthread

# A port's RSS and offload choice, against NICs' reported capabilities:
# DPDK's headers and its software Toeplitz, no EAL.
# Header-only (dataplane/rx_csum.h, tx_csum.h), with DPDK's definitions.
$(BUILD)/tests/test_rx_csum $(BUILD)/tests/test_tx_csum: $(BUILD)/tests/test_%: tests/unit/test_%.c dataplane/%.h
	@mkdir -p $(dir $@)
	@echo "  TEST    $@"
	@$(CC) $(BASE) $(CFLAGS) $(TEST_INC) $(DPDK_CFLAGS) -o $@ $< $(CMOCKA_LIBS) $(DPDK_LIBS)

$(BUILD)/tests/test_port_conf: tests/unit/test_port_conf.c $(BUILD)/obj/drivers/port_conf.o
	@mkdir -p $(dir $@)
	@echo "  TEST    $@"
	@$(CC) $(BASE) $(CFLAGS) $(TEST_INC) $(DPDK_CFLAGS) -o $@ $< $(BUILD)/obj/drivers/port_conf.o $(CMOCKA_LIBS) $(DPDK_LIBS)

# The control fuzzer's JSON answer check, against jansson.
$(BUILD)/tests/test_fuzz_json: tests/unit/test_fuzz_json.c tests/fuzz/fuzz_json.c tests/fuzz/fuzz_json.h
	@mkdir -p $(dir $@)
	@echo "  TEST    $@"
	@$(CC) $(BASE) $(CFLAGS) $(TEST_INC) -iquote tests/fuzz $(JANSSON_CFLAGS) -o $@ $(filter %.c,$^) $(CMOCKA_LIBS) $(JANSSON_LIBS) -lm

# The packet fuzzer's v6 checksum fixer, held to the parse's check.
$(BUILD)/tests/test_fuzz_frames6: tests/unit/test_fuzz_frames6.c tests/fuzz/fuzz_frames6.c tests/fuzz/fuzz_frames.c \
		tests/fuzz/fuzz_frames6.h tests/fuzz/fuzz_frames.h $(CORE_OBJS)
	@mkdir -p $(dir $@)
	@echo "  TEST    $@"
	@$(CC) $(BASE) $(CFLAGS) $(TEST_INC) -iquote tests/fuzz -iquote tests/unit -o $@ $(filter %.c %.o,$^) $(CMOCKA_LIBS)

# The devargs reader: DPDK's kvargs, no EAL.
$(BUILD)/tests/test_devargs: tests/unit/test_devargs.c $(BUILD)/obj/drivers/devargs.o
	@mkdir -p $(dir $@)
	@echo "  TEST    $@"
	@$(CC) $(BASE) $(CFLAGS) $(TEST_INC) $(DPDK_CFLAGS) -o $@ $< $(BUILD)/obj/drivers/devargs.o $(CMOCKA_LIBS) $(DPDK_LIBS)

# notify.c's warnings with sd_notify(f) and sl_log stubbed by the test
# (no libsystemd: the test decides what a send returns).
$(BUILD)/tests/test_notify: tests/unit/test_notify.c ctrl/daemon/notify.c
	@mkdir -p $(dir $@)
	@echo "  TEST    $@"
	@$(CC) $(BASE) $(CFLAGS) $(TEST_INC) $(DPDK_CFLAGS) -o $@ $(filter %.c,$^) $(CMOCKA_LIBS)

# The interface locks, in a lock directory of the build's own, with flock
# wrapped so the test can remove a lock file between open and flock.
$(BUILD)/tests/test_instance: tests/unit/test_instance.c ctrl/daemon/instance.c $(BUILD)/obj/drivers/devargs.o
	@mkdir -p $(dir $@)
	@echo "  TEST    $@"
	@$(CC) $(BASE) $(CFLAGS) $(TEST_INC) $(DPDK_CFLAGS) '-DSL_LOCK_DIR="$(abspath $(BUILD))/tests/locks"' \
		-Wl,--wrap=flock -o $@ $< ctrl/daemon/instance.c $(BUILD)/obj/drivers/devargs.o $(CMOCKA_LIBS) $(DPDK_LIBS)

# The control socket on real Unix sockets; accept4 wrapped (EMFILE), bind
# wrapped (the process's umask seen from it), epoll_ctl wrapped (a failed
# return to the epoll set), unshare and pthread_create wrapped (refused),
# calloc wrapped (no memory for a client); client slots in test_server,
# system-call edges in test_server_sys (tests/unit/server_harness.h).
$(BUILD)/tests/test_server $(BUILD)/tests/test_server_sys: $(BUILD)/tests/%: tests/unit/%.c $(addprefix $(BUILD)/obj/ctrl/daemon/,server.o server_accept.o server_sock.o log.o)
	@mkdir -p $(dir $@)
	@echo "  TEST    $@"
	@$(CC) $(BASE) $(CFLAGS) $(TEST_INC) -Wl,--wrap=accept4 -Wl,--wrap=bind -Wl,--wrap=epoll_ctl \
		-Wl,--wrap=unshare -Wl,--wrap=pthread_create -Wl,--wrap=calloc \
		$(JANSSON_CFLAGS) -o $@ $(filter %.c %.o,$^) $(CMOCKA_LIBS) $(JANSSON_LIBS) -lpthread

# Descriptors passed on the control socket: none kept but the one taken.
$(BUILD)/tests/test_server_fd: tests/unit/test_server_fd.c $(addprefix $(BUILD)/obj/ctrl/daemon/,server.o server_accept.o server_sock.o log.o)
	@mkdir -p $(dir $@)
	@echo "  TEST    $@"
	@$(CC) $(BASE) $(CFLAGS) $(TEST_INC) $(JANSSON_CFLAGS) -o $@ $(filter %.c %.o,$^) \
		$(CMOCKA_LIBS) $(JANSSON_LIBS) -lpthread

# The health-check engine's test runs it against loopback sockets.
$(BUILD)/tests/test_health: $(BUILD)/obj/ctrl/daemon/health.o $(BUILD)/obj/ctrl/daemon/health_path.o $(BUILD)/obj/ctrl/daemon/log.o
$(BUILD)/tests/test_health_path: $(BUILD)/obj/ctrl/daemon/health.o $(BUILD)/obj/ctrl/daemon/health_path.o $(BUILD)/obj/ctrl/daemon/log.o
$(BUILD)/tests/test_health6: $(BUILD)/obj/ctrl/daemon/health.o $(BUILD)/obj/ctrl/daemon/health_path.o $(BUILD)/obj/ctrl/daemon/log.o
$(BUILD)/tests/test_neigh: $(BUILD)/obj/ctrl/daemon/neigh.o
# The stats answer as Prometheus text: jansson only.
$(BUILD)/tests/test_metrics_text: $(BUILD)/obj/ctrl/daemon/metrics_text.o $(BUILD)/obj/ctrl/daemon/metrics_cluster.o $(BUILD)/obj/ctrl/daemon/metrics_family.o
# ... and the sync engine's counters as JSON and Prometheus text.
$(BUILD)/tests/test_cluster: $(BUILD)/obj/ctrl/daemon/cluster_json.o $(BUILD)/obj/ctrl/daemon/metrics_text.o $(BUILD)/obj/ctrl/daemon/metrics_cluster.o $(BUILD)/obj/ctrl/daemon/metrics_family.o
# A failing spell of XDP map writes: back-off and log lines, no maps.
$(BUILD)/tests/test_ctl_xdp_state: $(BUILD)/obj/ctrl/daemon/ctl_xdp_state.o $(BUILD)/obj/ctrl/daemon/log.o
$(BUILD)/tests/test_announce: $(BUILD)/obj/ctrl/daemon/announce_set.o
# The announcer's table keeping against a fake kernel: the test defines
# announce_nl.h's calls, and the monotonic clock is wrapped.
$(BUILD)/tests/test_announce_retry: $(addprefix $(BUILD)/obj/ctrl/daemon/,announce.o announce_set.o log.o)
$(BUILD)/tests/test_announce_retry: TEST_LIBS := -Wl,--wrap=clock_gettime
# Replies steered by the NIC: the rule plan and its sync, against a mock
# device (function pointers), no DPDK.
$(BUILD)/tests/test_flow_steer: $(BUILD)/obj/drivers/flow_steer.o
# Log line prefixes (journal or terminal form) and the rate limit.
$(BUILD)/tests/test_log: $(BUILD)/obj/ctrl/daemon/log.o
# sluicectl's command table against its help texts: the CLI's objects
# but main's (ctrl/common comes with MODEL_OBJS).
$(BUILD)/tests/test_cli_help: $(filter-out $(BUILD)/cli/ctrl/cli/sluicectl.o,$(filter $(BUILD)/cli/ctrl/cli/%,$(CLI_OBJS)))

unit: $(UNIT_BINS) $(BUILD)/sluice-conformance

deps:
	bash scripts/deps.sh

# Sub-makes run in parallel (JOBS=1 to build one file at a time).
JOBS ?= $(shell nproc)

test: deps
	$(MAKE) -j$(JOBS) all unit $(BUILD)/sluice-bench
	$(MAKE) -j$(JOBS) san
	bash tests/run.sh

# The cluster lab's end-to-end scenarios 1-6 (issue 16; README.md,
# Cluster): announce, failover, drain, restart, bad sync input. `make
# test` runs 1-3; 4-6 only here (its 20-minute budget).
test-cluster: deps
	$(MAKE) -j$(JOBS) all
	bash tests/run.sh --cluster

demo: deps
	$(MAKE) all
	bash scripts/demo.sh

bench: deps
	$(MAKE) all $(BUILD)/sluice-bench
	bash tests/perf/run.sh

# Through the namespace lab, side by side with the kernel doing the same
# job (nftables DNAT + SNAT): connections/s and bulk throughput.
bench-e2e: deps
	$(MAKE) all
	bash tests/perf/e2e.sh

# ---- sanitizers and fuzzing (tests/fuzz/README.md) ---------------------
# The same tree built by clang under ASan and UBSan (any report aborts),
# with libFuzzer's coverage hooks, so the fuzz targets link these very
# objects and the sanitized unit tests and sluice come for free.
SAN_DIR   := build/san
SAN_FLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
             -fno-sanitize-recover=all -fsanitize=fuzzer-no-link \
             -fsanitize-coverage-ignorelist=tests/fuzz/nocov.txt
# The packet path is built without comparison tracing: most of its
# compares are UBSan's own alignment checks, one callback each per
# packet (a fifth of fuzz_packet's time, tests/fuzz/README.md). The
# control plane and the config parser keep it.
SAN_NOCMP := -fno-sanitize-coverage=trace-cmp
$(CORE_OBJS) $(DP_OBJS): CFLAGS_EXTRA += $(NOCMP)
# So is the neighbor table's lookup: fuzz_packet's learning drains scan
# it once per ARP or request for a next hop, a tenth of its time in
# callbacks for compares against the table's own entries.
$(BUILD)/obj/ctrl/daemon/neigh.o: CFLAGS_EXTRA += $(NOCMP)
FUZZ_SECONDS ?= 60

FUZZ_SRCS := $(wildcard tests/fuzz/*.c)
FUZZ_OBJS := $(FUZZ_SRCS:%.c=$(BUILD)/obj/%.o)
FUZZ_BINS := $(addprefix $(BUILD)/fuzz/,fuzz_packet fuzz_ctl fuzz_config)
FUZZ_ENV  := $(addprefix $(BUILD)/obj/tests/,fuzz/fuzz_env.o lib/ringport.o)
# The control thread without main(): what a request runs. server.o is
# linked for the deferred answers of connection dumps (ctl_dump.c), but no
# socket is opened (ctl.srv NULL: a dump is refused with an error).
# notify.o (systemd) and the /metrics endpoint (libmicrohttpd) go with
# main(): only sluice.o calls them.
FUZZ_CTRL := $(filter-out %/sluice.o %/notify.o %/metrics_http.o %/ctl_metrics.o,$(CTRL_OBJS)) $(CLUSTER_OBJS)
$(FUZZ_OBJS): CFLAGS_EXTRA := $(TEST_INC) $(DPDK_CFLAGS) $(JANSSON_CFLAGS) -iquote tests/fuzz -iquote tests/unit

$(BUILD)/fuzz/fuzz_config: $(BUILD)/obj/tests/fuzz/fuzz_config.o $(CORE_OBJS) $(MODEL_OBJS)
	@mkdir -p $(dir $@)
	@echo "  FUZZ    $@"
	@$(CC) $(CFLAGS) -fsanitize=fuzzer -o $@ $^ $(JANSSON_LIBS)

$(BUILD)/fuzz/fuzz_packet: $(addprefix $(BUILD)/obj/tests/fuzz/,fuzz_packet.o fuzz_packet_ops.o fuzz_packet_ctl.o fuzz_packet6.o \
		fuzz_frames.o fuzz_frames6.o fuzz_check.o) \
		$(FUZZ_ENV) $(CORE_OBJS) $(DP_OBJS) $(DRV_OBJS) $(XDP_OBJS) $(MODEL_OBJS) $(FUZZ_CTRL)
	@mkdir -p $(dir $@)
	@echo "  FUZZ    $@"
	@$(CC) $(CFLAGS) -fsanitize=fuzzer -o $@ $^ $(DPDK_LIBS) -lrte_net_ring $(JANSSON_LIBS) $(LIBBPF_LIBS) $(PCAP_LIBS) $(CRYPTO_LIBS) -lpthread

$(BUILD)/fuzz/fuzz_ctl: $(BUILD)/obj/tests/fuzz/fuzz_ctl.o $(BUILD)/obj/tests/fuzz/fuzz_json.o $(FUZZ_ENV) $(CORE_OBJS) \
		$(DP_OBJS) $(DRV_OBJS) $(XDP_OBJS) $(MODEL_OBJS) $(FUZZ_CTRL)
	@mkdir -p $(dir $@)
	@echo "  FUZZ    $@"
	@$(CC) $(CFLAGS) -fsanitize=fuzzer -o $@ $^ $(DPDK_LIBS) -lrte_net_ring $(JANSSON_LIBS) $(LIBBPF_LIBS) $(PCAP_LIBS) $(CRYPTO_LIBS) -lpthread

fuzz-bins: $(FUZZ_BINS)

san:
	$(MAKE) BUILD=$(SAN_DIR) CC=clang LTO= CFLAGS="$(SAN_FLAGS)" NOCMP="$(SAN_NOCMP)" all unit fuzz-bins

fuzz: deps
	$(MAKE) san
	bash tests/fuzz/run.sh $(FUZZ_SECONDS)

# Every target for HOURS hours, one per core, new coverage merged into
# tests/fuzz/corpus/, summary in build/fuzz/campaign/summary.txt.
# RUNS=M also stops each target after M inputs.
HOURS ?= 1
fuzz-campaign: deps
	$(MAKE) san
	FUZZ_RUNS=$(RUNS) bash tests/fuzz/campaign.sh $(HOURS)

# ---- install (README.md, Install) --------------------------------------
# PREFIX and DESTDIR as usual. The unit goes to $(PREFIX)/lib/systemd/system
# (systemd reads /usr/local/lib/systemd/system too); `make deb` sets
# UNITDIR=/lib/systemd/system, Debian's place for packaged units. The
# config is /etc/sluice/sluice.json whatever the prefix, and an existing
# one is never replaced. Only sluice and sluicectl are shipped: the
# vswitch, the benchmark and the XDP object (embedded in sluice) are not.
PREFIX     ?= /usr/local
SBINDIR    ?= $(PREFIX)/sbin
MANDIR     ?= $(PREFIX)/share/man
COMPDIR    ?= $(PREFIX)/share/bash-completion/completions
UNITDIR    ?= $(PREFIX)/lib/systemd/system
SYSCONFDIR ?= /etc
MAN8       := $(wildcard conf/man/*.8)
MAN5       := $(wildcard conf/man/*.5)
CONF_DEST  := $(DESTDIR)$(SYSCONFDIR)/sluice/sluice.json

install: $(BUILD)/sluice $(BUILD)/sluicectl
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(MANDIR)/man5 \
		$(DESTDIR)$(COMPDIR) $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSCONFDIR)/sluice
	install -m 0755 $(BUILD)/sluice $(BUILD)/sluicectl $(DESTDIR)$(SBINDIR)/
	$(if $(MAN8),install -m 0644 $(MAN8) $(DESTDIR)$(MANDIR)/man8/)
	$(if $(MAN5),install -m 0644 $(MAN5) $(DESTDIR)$(MANDIR)/man5/)
	$(if $(wildcard conf/sluicectl.bash),install -m 0644 conf/sluicectl.bash $(DESTDIR)$(COMPDIR)/sluicectl)
	sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
		conf/sluice.service >$(DESTDIR)$(UNITDIR)/sluice.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/sluice.service
	@if [ -e $(CONF_DEST) ]; then echo "  KEPT    $(CONF_DEST) (exists)"; \
	else install -m 0644 conf/sluice.example.json $(CONF_DEST) && echo "  CONFIG  $(CONF_DEST)"; fi

# A .deb of the same files with Debian's paths (scripts/make_deb.sh):
# build/sluice_VERSION_ARCH.deb.
deb: $(BUILD)/sluice $(BUILD)/sluicectl
	bash scripts/make_deb.sh $(BUILD)

# sluicectl(8) and sluice.json(5) are generated (scripts/gen_man.py) from
# sluicectl's help texts and conf/README.md's Reference table; committed,
# so installing needs no Python. tests/pkg/test_man.sh fails when stale.
man: $(BUILD)/sluicectl
	python3 scripts/gen_man.py sluicectl $(BUILD)/sluicectl conf/man/sluicectl.8
	python3 scripts/gen_man.py json conf/README.md conf/man/sluice.json.5

# The config is removed only when it is still the example, unedited.
uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/sluice $(DESTDIR)$(SBINDIR)/sluicectl \
		$(addprefix $(DESTDIR)$(MANDIR)/man8/,$(notdir $(MAN8))) \
		$(addprefix $(DESTDIR)$(MANDIR)/man5/,$(notdir $(MAN5))) \
		$(DESTDIR)$(COMPDIR)/sluicectl $(DESTDIR)$(UNITDIR)/sluice.service
	@if [ -e $(CONF_DEST) ] && ! cmp -s $(CONF_DEST) conf/sluice.example.json; then \
		echo "  KEPT    $(CONF_DEST) (edited)"; \
	else rm -f $(CONF_DEST); rmdir $(DESTDIR)$(SYSCONFDIR)/sluice 2>/dev/null || true; fi

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
