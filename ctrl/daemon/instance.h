/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One sluice per interface. Before EAL starts (its vdev probing, and
 * Sluice's own port opening, which clears a stale XDP program, both touch
 * the interfaces), sluice takes an exclusive flock on
 * SL_LOCK_DIR/<name>.lock for every interface the config names: a port's
 * iface= (af_packet, af_xdp), or its device name when it has none (pcap,
 * ring, PCI), and its exception device's interface. Outside pid 1's
 * network namespace an interface's name carries its namespace's inode
 * ("wan0@net4026532201"): the same name there is another interface. The EAL's own lock is
 * per file prefix, so --in-memory or another prefix does not stop a
 * second instance; this does. The kernel drops the locks when the process
 * dies, however it dies, so a lock never outlives its holder. The lock
 * files themselves are never removed (not by --cleanup either): removing
 * one between a starter's open() and its flock() would let two instances
 * each lock a file of that name; a starter that finds its locked file
 * gone from the path anyway opens it again.
 */
#ifndef SL_INSTANCE_H
#define SL_INSTANCE_H

#include <stddef.h>

#include "model.h"

#ifndef SL_LOCK_DIR /* a unit test points it elsewhere */
#define SL_LOCK_DIR "/run/sluice"
#endif

/* Lock every interface of `m` (held until the process exits), writing
 * our pid into each lock file. 0, or -1 with "interface X is in use by
 * sluice pid N (lock PATH)" or why the lock could not be taken; the locks
 * already taken are then released. */
int sl_instance_lock(const struct sl_model *m, char *errbuf, size_t errlen);
/* Release the locks sl_instance_lock took, emptying their files first
 * (--cleanup: so no file names a pid that holds nothing). */
void sl_instance_unlock(void);

/* Call fn(name) for every name sl_instance_lock locks, in its order;
 * stops at the first non-zero (-1 then). */
int sl_instance_each(const struct sl_model *m,
		     int (*fn)(const char *name, void *arg), void *arg);
/* SL_LOCK_DIR/<name>.lock */
void sl_instance_lock_path(const char *name, char *out, size_t len);

/* The kernel interface name port `p` runs on ("" if none: PCI, ring),
 * from its devargs' iface=. */
void sl_instance_ifname(const char *devargs, char *out, size_t len);

#endif
