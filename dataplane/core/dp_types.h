/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Basic types and limits shared by the whole packet core.
 *
 * Addresses and ports are kept in network byte order everywhere in the
 * dataplane (the sl_be* typedefs say so), so a key read off a packet can be
 * compared with a stored key without swapping. Only the control plane and
 * printing code convert.
 */
#ifndef SL_DP_TYPES_H
#define SL_DP_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint16_t sl_be16;
typedef uint32_t sl_be32;

#define SL_MAX_PORTS 8       /* ethdev ports Sluice drives */
#define SL_MAX_WORKERS 16    /* worker lcores */
#define SL_MAX_SVC 1024      /* virtual services (stable ids 0..n-1) */
#define SL_MAX_RS 8192       /* real servers across all services */
#define SL_MAX_LIPS 256      /* local addresses (slot ids 0..n-1) */
#define SL_MAX_ROUTES 256
#define SL_MAX_NEIGH 4096

/* A client's "fragmentation needed" is carried to the real server from a
 * local address that many clients share, and the server's kernel caches
 * the path MTU per destination: one client would lower it for all. So an
 * MTU below the floor (config icmp.mtu_floor) is dropped, counted. 1280 is
 * the smallest MTU IPv6 allows, and what any path worth serving carries. */
#define SL_ICMP_MTU_FLOOR_DEFAULT 1280
#define SL_ICMP_MTU_MIN 68           /* RFC 791: every host takes 68 */
#define SL_ICMP_MTU_MAX 9216         /* jumbo frames */
/* A port's MTU (config ports[].mtu): the longest IPv4 packet it sends.
 * 576 is what every IPv4 host must take (RFC 791/1122); 9000 the usual
 * jumbo frame. Mbufs are sized for the largest port's frame, so one
 * jumbo port makes every buffer that large (ctrl/daemon/sluice.c). */
#define SL_VLAN_MAX 4094             /* 802.1Q: 0 and 4095 are reserved */
#define SL_PORT_MTU_DEFAULT 1500
#define SL_PORT_MTU_MIN 576
#define SL_PORT_MTU_MAX 9000

/* RSTs a worker may send per second to end flushed connections (config
 * flush.resets_per_sec), apart from the ICMP errors' limit: each flushed
 * connection takes two, one per side, so 50,000 lets one worker end
 * 25,000 connections a second, some 3 MB/s of 60-byte frames (probes
 * included), far from filling a TX queue. */
#define SL_FLUSH_RESETS_DEFAULT 50000
#define SL_FLUSH_RESETS_MIN 100
#define SL_FLUSH_RESETS_MAX 10000000

/* Persistence templates the control thread merges (persist.h): a cap, so
 * a flood of new sources at a persistent VIP cannot grow it without end.
 * At the default, the table and a published view take about 8 MiB each. */
#define SL_PERSIST_MAX_DEFAULT 262144
#define SL_PERSIST_MAX_MIN 1024
#define SL_PERSIST_MAX_MAX 16777216

/* A connection is seen from two directions; each has its own table key. */
enum sl_dir { SL_DIR_ORIG = 0, SL_DIR_REPLY = 1 };

#define SL_IPPROTO_ICMP 1
#define SL_IPPROTO_TCP 6
#define SL_IPPROTO_UDP 17

#define sl_likely(x) __builtin_expect(!!(x), 1)
#define sl_unlikely(x) __builtin_expect(!!(x), 0)
#define SL_CACHE_LINE 64
#define SL_ALIGNED __attribute__((aligned(SL_CACHE_LINE)))
#define SL_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static inline sl_be16 sl_htons(uint16_t v) { return __builtin_bswap16(v); }
static inline uint16_t sl_ntohs(sl_be16 v) { return __builtin_bswap16(v); }
static inline sl_be32 sl_htonl(uint32_t v) { return __builtin_bswap32(v); }
static inline uint32_t sl_ntohl(sl_be32 v) { return __builtin_bswap32(v); }

/* Wrap-safe comparison of millisecond timestamps (uint32 wraps in 49 days). */
static inline bool sl_time_before(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}

#endif
