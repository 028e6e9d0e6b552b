/* SPDX-License-Identifier: BSD-3-Clause */
#include "fp_text.h"

#include <stdint.h>
#include <string.h>

size_t fp_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), row[FP_EDIT_DISTANCE_MAX_LEN + 1];

	if (la > FP_EDIT_DISTANCE_MAX_LEN || lb > FP_EDIT_DISTANCE_MAX_LEN)
		return SIZE_MAX;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];

		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j], d = diag + (a[i - 1] != b[j - 1]);

			if (up + 1 < d)
				d = up + 1;
			if (row[j - 1] + 1 < d)
				d = row[j - 1] + 1;
			row[j] = d;
			diag = up;
		}
	}
	return row[lb];
}
