/* SPDX-License-Identifier: BSD-3-Clause */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/*
 * The daemon without its main, for the fuzzing targets: a real EAL without hugepages, PCI or
 * shared files (under a file prefix of the target's own, removed at exit), the control loop's
 * state, one worker (never launched: the target walks its graph on the control thread, so
 * fp_rcu_synchronize() is a no-op) and every module, then the config document config applied
 * as the daemon applies its file. Logs below critical are silenced: fuzzed input makes the
 * daemon log by design. Aborts with the reason on failure: a target without its daemon is
 * useless.
 */
void fuzz_env_start(const char *name, const char *config);

/* config_load() of a document given as text, as config.load applies a file: all or nothing. */
int fuzz_config_load(const char *text, json_t **changes);

/* The command's handler run on args as the API server runs it; <0 with fp_error on failure. */
int fuzz_api_call(const char *cmd, json_t *args, json_t **result);

/* data[0, size) as a string (a copy with a terminating NUL, to free()). */
char *fuzz_strndup(const uint8_t *data, size_t size);

/*
 * The running state, canonical: cfg_dump() with each list's items sorted, as compact text (to
 * free()). Two states that differ only in the order of a list's items are equal.
 */
char *fuzz_state_text(void);
