/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * This node's sync epoch (issue 16): a boot counter kept in a small
 * state file, one more at each start, so a restarted node's epoch is
 * bigger than any its peers remember whatever the clock says (a wall
 * clock stepped back would make it an old incarnation, its datagrams
 * refused as replays until the clock caught up).
 */
#ifndef SL_SYNC_EPOCH_H
#define SL_SYNC_EPOCH_H

#include <stddef.h>
#include <stdint.h>

/* The file of node `node` under `dir`: <dir>/sync-epoch-<node>. */
int sl_sync_epoch_path(const char *dir, const char *node, char *out, size_t len);

/* Read the counter (a missing file starts from the wall clock's seconds,
 * so a node whose file was lost still most likely comes back bigger),
 * add one, write it back atomically and fsync'ed (fileio.h), and return
 * it in *epoch. -1 with errbuf naming the file and what went wrong: a
 * node that cannot keep its counter must not start. */
int sl_sync_epoch_next(const char *dir, const char *node, uint64_t *epoch,
		       char *errbuf, size_t errlen);

/* Keep `epoch` as the counter: the node's epoch was raised past one its
 * peers remember (cluster.h, epoch_raised), so its next start goes past
 * that too. -1 with errbuf as above. */
int sl_sync_epoch_store(const char *dir, const char *node, uint64_t epoch, char *errbuf,
			size_t errlen);

#endif
