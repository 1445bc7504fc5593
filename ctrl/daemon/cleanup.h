/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sluice --cleanup: what a dead instance of a config left behind (its
 * XDP programs, control socket, EAL runtime directory and hugepage
 * files, interface lock files) removed, without EAL, one line on stdout
 * for each thing removed. Refused while a live instance holds the
 * config's interfaces (instance.h) or answers on its control socket.
 */
#ifndef SL_CLEANUP_H
#define SL_CLEANUP_H

#include "model.h"

/* The exit status: 0 (also when there was nothing to remove), or 1
 * (refused: a live instance; or something could not be removed), with
 * the reason on stderr. */
int sl_cleanup(const struct sl_model *m);

#endif
