/* SPDX-License-Identifier: BSD-3-Clause */
#pragma once

#include "config/config.h"
#include "infra/iface.h"

#include <string.h>

static inline bool cfg_live_name(const char *ns, const char *name)
{
	return strcmp(ns, "iface") == 0 && iface_by_name(name) != NULL;
}

/*
 * An API request is validated like the config file, against the live interfaces: looked up
 * when a request names one, not declared for every request.
 */
static inline void cfg_ctx_init_live(struct cfg_ctx *ctx)
{
	cfg_ctx_init(ctx, NULL);
	ctx->exists = cfg_live_name;
}

/* Parses an API request with the parser of the config file's objects. */
static inline int cfg_parse_live(const json_t *args,
	int (*parse)(struct cfg_ctx *ctx, const json_t *obj, void *elem), void *elem)
{
	struct cfg_ctx ctx;
	int ret;

	cfg_ctx_init_live(&ctx);
	ret = parse(&ctx, args, elem);
	cfg_ctx_fini(&ctx);
	return ret;
}

/* The interface named by key (required), checked against the declared names. */
static inline int cfg_get_iface_name(
	struct cfg_ctx *ctx, const json_t *obj, const char *key, const char **name)
{
	int ret = cfg_get_string(ctx, obj, key, true, name);

	if (ret < 0 || cfg_is_declared(ctx, "iface", *name))
		return ret;
	cfg_push_key(ctx, key);
	ret = cfg_err(ctx, ENODEV, "no interface '%s'", *name);
	cfg_pop(ctx);
	return ret;
}
