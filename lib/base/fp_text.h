/* SPDX-License-Identifier: BSD-3-Clause */
#pragma once

#include <stddef.h>

#define FP_EDIT_DISTANCE_MAX_LEN 64

/* Levenshtein distance, for "did you mean"; SIZE_MAX for words over the max length. */
size_t fp_edit_distance(const char *a, const char *b);
