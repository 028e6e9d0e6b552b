/* SPDX-License-Identifier: BSD-3-Clause */
#include "config.h"
#include "infra/fp_error.h"

#include <errno.h>
#include <stdlib.h>

int cfg_parse_array(struct cfg_ctx *ctx, const json_t *value, size_t elem_size,
	int (*parse_one)(struct cfg_ctx *ctx, const json_t *obj, void *elem),
	void (*elem_free)(void *elem), void **parsed)
{
	struct cfg_array *a;
	json_t *obj;
	size_t i;
	int ret;

	if ((ret = cfg_check_type(ctx, value, JSON_ARRAY)) < 0)
		return ret;
	a = calloc(1, sizeof(*a) + json_array_size(value) * elem_size);
	if (a == NULL)
		return fp_error(ENOMEM, "out of memory");
	a->elem_size = elem_size;
	a->elem_free = elem_free;
	json_array_foreach (value, i, obj) {
		cfg_push_index(ctx, i);
		ret = cfg_check_type(ctx, obj, JSON_OBJECT);
		if (ret == 0)
			ret = parse_one(ctx, obj, cfg_array_at(a, i));
		cfg_pop(ctx);
		if (ret < 0) {
			/* the failed element may hold part of what it parsed */
			a->n = i + 1;
			cfg_array_free(a);
			return ret;
		}
	}
	a->n = json_array_size(value);
	*parsed = a;
	return 0;
}

void cfg_array_free(void *parsed)
{
	struct cfg_array *a = parsed;

	if (a == NULL)
		return;
	for (size_t i = 0; a->elem_free != NULL && i < a->n; i++)
		a->elem_free(cfg_array_at(a, i));
	free(a);
}
