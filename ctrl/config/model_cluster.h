/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The config's "cluster" block (config_cluster.c reads and writes it;
 * ctrl/cluster/ runs it): this node's name, where it sends and receives
 * session sync, the peers and the local addresses each owns, the shared
 * key and the timers. Fixed arrays, so a model clone copies it whole.
 * Fixed once sluice has started, except the key, which a reload re-reads.
 */
#ifndef SL_MODEL_CLUSTER_H
#define SL_MODEL_CLUSTER_H

#include <stdbool.h>
#include <stdint.h>

#include "addr.h"

#define SL_CLUSTER_NAME_MAX 31     /* a node's name, bytes */
#define SL_CLUSTER_MAX_PEERS 16
#define SL_CLUSTER_PEER_LADDRS 16  /* local addresses per peer */
#define SL_CLUSTER_KEY_MIN 32      /* bytes: SHA-256's block of entropy */
#define SL_CLUSTER_KEY_MAX 256
#define SL_CLUSTER_PATH_MAX 256

#define SL_CLUSTER_PORT_DEFAULT 8848
#define SL_CLUSTER_HEARTBEAT_MS_DEFAULT 100
#define SL_CLUSTER_DEAD_MS_DEFAULT 500      /* detection under 1 s (issue 16) */
#define SL_CLUSTER_REFRESH_MS_DEFAULT 10000
#define SL_CLUSTER_DUMP_TIMEOUT_MS_DEFAULT 5000
#define SL_CLUSTER_UNHEARD_MS_DEFAULT 3000   /* a lone node's wait at start */
#define SL_CLUSTER_SHARE_PERCENT_DEFAULT 50
/* All peers together: a flood of connections synced from every peer at
 * once still leaves this node half its table. */
#define SL_CLUSTER_TOTAL_SHARE_PERCENT_DEFAULT 50
#define SL_CLUSTER_DGRAM_DEFAULT 1452       /* 1500 MTU less IPv6 and UDP */
#define SL_CLUSTER_KEY_GRACE_MS_DEFAULT 600000 /* a rolling rekey's time */
#define SL_CLUSTER_SOCKBUF_DEFAULT (4u << 20)  /* bytes: ~2 dumps' worth of turns */
/* Each worker's sync ring, records of 96 bytes: the default (6 MiB) holds
 * ~70 ms of 900k new connections a second, control-thread stalls
 * included (0 in a model without the block: the same). */
#define SL_CLUSTER_RING_DEFAULT 65536u
#define SL_CLUSTER_RING_MIN 1024u
#define SL_CLUSTER_RING_MAX (1u << 20)
#define SL_CLUSTER_STATE_DIR_DEFAULT "/var/lib/sluice"

struct sl_cluster_peer_conf {
	char name[SL_CLUSTER_NAME_MAX + 1];
	struct sl_addr addr;                 /* its sync address */
	uint32_t nladdrs;
	struct sl_addr laddrs[SL_CLUSTER_PEER_LADDRS];
};

struct sl_cluster_conf {
	bool on;                             /* the block is present */
	char node[SL_CLUSTER_NAME_MAX + 1];
	struct sl_addr sync_addr;
	uint16_t sync_port;                  /* host order */
	char key_file[SL_CLUSTER_PATH_MAX];
	uint32_t key_len;
	uint8_t key[SL_CLUSTER_KEY_MAX];     /* read at load (start, reload) */
	char state_dir[SL_CLUSTER_PATH_MAX]; /* the boot counter's file */
	uint32_t heartbeat_ms, dead_ms, refresh_ms, dump_timeout_ms;
	uint32_t unheard_ms;                 /* the wait at start for a peer never heard */
	uint32_t key_grace_ms;               /* the previous key, after a rekey */
	uint32_t sock_buffer;                /* SO_RCVBUF/SO_SNDBUF bytes */
	uint32_t sync_ring;                  /* records per worker's ring (0: default) */
	uint32_t share_percent;              /* a peer's cap of this node's table */
	uint32_t total_share_percent;        /* all peers' cap together */
	uint32_t max_datagram;               /* UDP payload bytes */
	uint32_t npeers;
	struct sl_cluster_peer_conf peers[SL_CLUSTER_MAX_PEERS];
};

struct sl_model;
/* One of the model's own local_addresses (either family). */
bool sl_model_owns_laddr(const struct sl_model *m, const struct sl_addr *a);
/* The index of the peer whose local_addresses hold `a`, or -1. */
int sl_cluster_laddr_peer(const struct sl_cluster_conf *c, const struct sl_addr *a);

#endif
