/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sluice --cleanup: what a dead instance of a config left behind (its
 * XDP programs, control socket, EAL runtime directory and hugepage
 * files) removed, without EAL, one line on stdout for each thing
 * removed. Refused while a live instance holds the config's interfaces
 * (instance.h) or answers on its control socket, and for a --file-prefix
 * that is not a plain name. The interface lock files stay (instance.h).
 */
#ifndef SL_CLEANUP_H
#define SL_CLEANUP_H

#include "model.h"

/* The exit status: 0 (also when there was nothing to remove), or 1
 * (refused: a live instance, a bad prefix; or something of Sluice's
 * could not be removed), with the reason on stderr. Another program's
 * XDP attachment, or a file a live process holds, is "kept": exit 0. */
int sl_cleanup(const struct sl_model *m);

#endif
