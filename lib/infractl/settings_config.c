/* SPDX-License-Identifier: BSD-3-Clause */
/* The config's eal, workers and api sections: fp_settings (infra/settings.h), read at start. */
#include "base/fp_error.h"
#include "base/log.h"
#include "config/config.h"
#include "infra/settings.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_pci.h>

/* Each section parses into a whole fp_settings, of which it owns some fields. */
static int parse_alloc(struct fp_settings **s)
{
	*s = malloc(sizeof(**s));
	if (*s == NULL)
		return fp_error(ENOMEM, "out of memory");
	settings_defaults(*s);
	return 0;
}

static void settings_free(void *parsed)
{
	struct fp_settings *s = parsed;

	if (s != NULL) {
		json_decref(s->eal_args);
		json_decref(s->eal_allow);
	}
	free(s);
}

static int copy_string(
	struct cfg_ctx *ctx, const json_t *obj, const char *key, char *dst, size_t size)
{
	const char *v;
	int ret = cfg_get_string(ctx, obj, key, false, &v);

	if (ret <= 0)
		return ret;
	if (strlen(v) >= size) {
		cfg_push_key(ctx, key);
		ret = cfg_err(ctx, EINVAL, "longer than %zu characters", size - 1);
		cfg_pop(ctx);
		return ret;
	}
	snprintf(dst, size, "%s", v);
	return 1;
}

static int eal_parse(struct cfg_ctx *ctx, const json_t *value, void **parsed)
{
	static const char *const keys[] = {"lcores", "huge", "memory_mb", "file_prefix",
		"log_level", "args", "mbufs", "allow", NULL};
	struct fp_settings *s;
	uint64_t u;
	json_t *args, *arg;
	size_t i;
	int ret;

	if ((ret = cfg_check_keys(ctx, value, keys)) < 0 || (ret = parse_alloc(&s)) < 0)
		return ret;
	if ((ret = copy_string(ctx, value, "lcores", s->lcores, sizeof(s->lcores))) < 0 ||
		(ret = cfg_get_bool(ctx, value, "huge", false, &s->huge)) < 0 ||
		(ret = copy_string(
			 ctx, value, "file_prefix", s->file_prefix, sizeof(s->file_prefix))) < 0 ||
		(ret = copy_string(ctx, value, "log_level", s->log_level, sizeof(s->log_level))) <
			0)
		goto err;
	if ((ret = cfg_get_uint(ctx, value, "memory_mb", false, 0, 1 << 20, &u)) < 0)
		goto err;
	if (ret > 0)
		s->memory_mb = u;
	if ((ret = cfg_get_uint(ctx, value, "mbufs", false, 1023, 1 << 24, &u)) < 0)
		goto err;
	if (ret > 0)
		s->mbufs = u;
	if ((ret = cfg_get_array(ctx, value, "args", false, &args)) < 0)
		goto err;
	if (ret > 0) {
		cfg_push_key(ctx, "args");
		json_array_foreach (args, i, arg) {
			if (!json_is_string(arg)) {
				cfg_push_index(ctx, i);
				ret = cfg_err(ctx, EINVAL, "EAL arguments must be strings");
				goto err;
			}
		}
		cfg_pop(ctx);
		s->eal_args = json_incref(args);
	}
	if ((ret = cfg_get_array(ctx, value, "allow", false, &args)) < 0)
		goto err;
	if (ret > 0) {
		struct rte_pci_addr pa;

		cfg_push_key(ctx, "allow");
		json_array_foreach (args, i, arg) {
			if (!json_is_string(arg) ||
				rte_pci_addr_parse(json_string_value(arg), &pa) < 0) {
				cfg_push_index(ctx, i);
				ret = cfg_err(ctx, EINVAL,
					"PCI addresses (DDDD:BB:DD.F, as lspci -D) are expected");
				goto err;
			}
		}
		cfg_pop(ctx);
		s->eal_allow = json_incref(args);
	}
	*parsed = s;
	return 0;
err:
	settings_free(s);
	return ret;
}

static int workers_parse(struct cfg_ctx *ctx, const json_t *value, void **parsed)
{
	static const char *const keys[] = {"count", "idle_sleep_us", "fast_path", NULL};
	struct fp_settings *s;
	uint64_t u;
	int ret;

	if ((ret = cfg_check_keys(ctx, value, keys)) < 0 || (ret = parse_alloc(&s)) < 0)
		return ret;
	if ((ret = cfg_get_uint(ctx, value, "count", false, 1, FP_MAX_WORKERS, &u)) < 0)
		goto err;
	if (ret > 0)
		s->workers = u;
	if ((ret = cfg_get_uint(ctx, value, "idle_sleep_us", false, 0, 1000000, &u)) < 0)
		goto err;
	if (ret > 0)
		s->idle_sleep_us = u;
	if ((ret = cfg_get_bool(ctx, value, "fast_path", false, &s->fast_path)) < 0)
		goto err;
	*parsed = s;
	return 0;
err:
	settings_free(s);
	return ret;
}

static int api_parse(struct cfg_ctx *ctx, const json_t *value, void **parsed)
{
	static const char *const keys[] = {"socket", NULL};
	struct fp_settings *s;
	int ret;

	if ((ret = cfg_check_keys(ctx, value, keys)) < 0 || (ret = parse_alloc(&s)) < 0)
		return ret;
	ret = copy_string(ctx, value, "socket", s->api_socket, sizeof(s->api_socket));
	if (ret < 0) {
		settings_free(s);
		return ret;
	}
	*parsed = s;
	return 0;
}

void settings_from_parsed(
	struct fp_settings *s, const void *eal, const void *workers, const void *api)
{
	const struct fp_settings *e = eal, *w = workers, *a = api;

	if (e != NULL) {
		memcpy(s->lcores, e->lcores, sizeof(s->lcores));
		s->huge = e->huge;
		s->memory_mb = e->memory_mb;
		memcpy(s->file_prefix, e->file_prefix, sizeof(s->file_prefix));
		memcpy(s->log_level, e->log_level, sizeof(s->log_level));
		json_decref(s->eal_args);
		s->eal_args = json_incref(e->eal_args);
		json_decref(s->eal_allow);
		s->eal_allow = json_incref(e->eal_allow);
		s->mbufs = e->mbufs;
	}
	if (w != NULL) {
		s->workers = w->workers;
		s->idle_sleep_us = w->idle_sleep_us;
		s->fast_path = w->fast_path;
	}
	if (a != NULL)
		memcpy(s->api_socket, a->api_socket, sizeof(s->api_socket));
}

/* Settings are read at start only (they size the EAL): reloading leaves them as they are. */
static int settings_apply(void *parsed)
{
	(void)parsed;
	return 0;
}

static json_t *eal_dump(void)
{
	const struct fp_settings *s = &fp_settings;
	json_t *o = json_pack("{s:b, s:s, s:I}", "huge", s->huge, "file_prefix", s->file_prefix,
		"mbufs", (json_int_t)s->mbufs);

	if (s->lcores[0])
		json_object_set_new(o, "lcores", json_string(s->lcores));
	if (s->memory_mb)
		json_object_set_new(o, "memory_mb", json_integer(s->memory_mb));
	if (s->log_level[0])
		json_object_set_new(o, "log_level", json_string(s->log_level));
	if (s->eal_args != NULL)
		json_object_set(o, "args", s->eal_args);
	if (s->eal_allow != NULL)
		json_object_set(o, "allow", s->eal_allow);
	return o;
}

static json_t *workers_dump(void)
{
	return json_pack("{s:i, s:I, s:b}", "count", fp_settings.workers, "idle_sleep_us",
		(json_int_t)fp_settings.idle_sleep_us, "fast_path", fp_settings.fast_path);
}

static json_t *api_dump(void)
{
	return json_pack("{s:s}", "socket", fp_settings.api_socket);
}

static struct cfg_section eal_section = {
	.key = "eal",
	.order = 0,
	.parse = eal_parse,
	.apply = settings_apply,
	.free = settings_free,
	.dump = eal_dump,
};
static struct cfg_section workers_section = {
	.key = "workers",
	.order = 1,
	.parse = workers_parse,
	.apply = settings_apply,
	.free = settings_free,
	.dump = workers_dump,
};
static struct cfg_section api_section = {
	.key = "api",
	.order = 2,
	.parse = api_parse,
	.apply = settings_apply,
	.free = settings_free,
	.dump = api_dump,
};
CFG_SECTION_REGISTER(eal_section)
CFG_SECTION_REGISTER(workers_section)
CFG_SECTION_REGISTER(api_section)
