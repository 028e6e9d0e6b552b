/* SPDX-License-Identifier: BSD-3-Clause */
#include "base/fp_error.h"
#include "config.h"

#include <errno.h>
#include <stdlib.h>

int cfg_array_foreach_object(struct cfg_ctx *ctx, const json_t *array,
	int (*fn)(struct cfg_ctx *ctx, const json_t *obj, size_t index, void *arg), void *arg)
{
	json_t *obj;
	size_t i;
	int ret = 0;

	json_array_foreach (array, i, obj) {
		cfg_push_index(ctx, i);
		ret = cfg_check_type(ctx, obj, JSON_OBJECT);
		if (ret == 0)
			ret = fn(ctx, obj, i, arg);
		cfg_pop(ctx);
		if (ret < 0)
			break;
	}
	return ret;
}

struct fill {
	struct cfg_array *a;
	int (*parse_one)(struct cfg_ctx *ctx, const json_t *obj, void *elem);
};

static int fill_one(struct cfg_ctx *ctx, const json_t *obj, size_t index, void *arg)
{
	struct fill *f = arg;

	/* counted first: a failed element may hold part of what it parsed */
	f->a->n = index + 1;
	return f->parse_one(ctx, obj, cfg_array_at(f->a, index));
}

int cfg_parse_array(struct cfg_ctx *ctx, const json_t *value, size_t elem_size,
	int (*parse_one)(struct cfg_ctx *ctx, const json_t *obj, void *elem),
	void (*elem_free)(void *elem), void **parsed)
{
	struct fill f = {.parse_one = parse_one};
	int ret;

	if ((ret = cfg_check_type(ctx, value, JSON_ARRAY)) < 0)
		return ret;
	f.a = calloc(1, sizeof(*f.a) + json_array_size(value) * elem_size);
	if (f.a == NULL)
		return fp_error(ENOMEM, "out of memory");
	f.a->elem_size = elem_size;
	f.a->elem_free = elem_free;
	ret = cfg_array_foreach_object(ctx, value, fill_one, &f);
	if (ret < 0) {
		cfg_array_free(f.a);
		return ret;
	}
	*parsed = f.a;
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
