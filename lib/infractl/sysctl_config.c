/* SPDX-License-Identifier: BSD-3-Clause */
#include "api/api.h"
#include "base/fp_error.h"
#include "config/config.h"
#include "infra/sysctl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/*
 * The sysctl knobs (infra/sysctl.h) in the config's "sysctl" section and the API:
 *   "sysctl": {"net.ipv4.icmp_ratelimit": 500, "net.ipv4.conf.p1.rp_filter": 2,
 *              "net.ipv6.icmp.ratemask": "0-1,3-127"}
 * A name the section does not give has its default; config dump writes those that differ.
 */

/* Every name, for the suggestion of the closest one to a misspelt name. */
struct name_list {
	char (*v)[SYSCTL_NAME_MAX];
	size_t n;
};

static int add_name(const char *name, const struct sysctl_ref *ref, void *arg)
{
	struct name_list *l = arg;
	char(*v)[SYSCTL_NAME_MAX] = reallocarray(l->v, l->n + 1, sizeof(*v));

	(void)ref;
	if (v == NULL)
		return -ENOMEM;
	l->v = v;
	snprintf(l->v[l->n++], SYSCTL_NAME_MAX, "%s", name);
	return 0;
}

/* "unknown name 'X'", with " (did you mean 'Y'?)" when a name is close. */
static int unknown_name(const char *name)
{
	struct name_list l = {0};
	char hint[SYSCTL_NAME_MAX + 32] = "";

	if (sysctl_walk(add_name, &l) == 0) {
		const char *names[l.n + 1];

		for (size_t i = 0; i < l.n; i++)
			names[i] = l.v[i];
		names[l.n] = NULL;
		cfg_names_hint(names, name, hint, sizeof(hint));
		if (strncmp(hint, "(did", 4) != 0)
			hint[0] = '\0';
	}
	free(l.v);
	return fp_error(ENOENT, "unknown name '%s'%s%s", name, *hint ? " " : "", hint);
}

/* A JSON value as ref's value: an integer, or a string (a text knob's, or an integer's text). */
static int value_from_json(const struct sysctl_ref *ref, const json_t *j, struct sysctl_value *v)
{
	bool text = ref->global != NULL && ref->global->text != NULL;
	char name[SYSCTL_NAME_MAX];
	long long i;
	char *end;

	*v = (struct sysctl_value){.is_text = text};
	sysctl_name(ref, name);
	if (text) {
		if (!json_is_string(j) || json_string_length(j) >= sizeof(v->text))
			return fp_error(EINVAL, "%s takes a string (as \"%s\")", name,
				ref->global->text->def);
		snprintf(v->text, sizeof(v->text), "%s", json_string_value(j));
		return 0;
	}
	if (json_is_integer(j)) {
		i = json_integer_value(j);
	} else if (json_is_string(j)) {
		errno = 0;
		i = strtoll(json_string_value(j), &end, 10);
		if (errno != 0 || end == json_string_value(j) || *end != '\0')
			return fp_error(EINVAL, "%s takes an integer, not '%s'", name,
				json_string_value(j));
	} else {
		return fp_error(EINVAL, "%s takes an integer", name);
	}
	if (i < INT32_MIN || i > INT32_MAX)
		return fp_error(ERANGE, "%s: %lld is out of range", name, i);
	v->i = (int32_t)i;
	return sysctl_check(ref, v);
}

static json_t *value_to_json(const struct sysctl_value *v)
{
	return v->is_text ? json_string(v->text) : json_integer(v->i);
}

/* The config section */

struct sysctl_parsed {
	size_t n;
	struct sysctl_ref *refs;
	struct sysctl_value *values;
};

static void sysctl_parsed_free(void *parsed)
{
	struct sysctl_parsed *p = parsed;

	if (p == NULL)
		return;
	free(p->refs);
	free(p->values);
	free(p);
}

static int parse_one(struct cfg_ctx *ctx, const char *name, const json_t *value,
	struct sysctl_ref *ref, struct sysctl_value *v)
{
	int ret;

	if (sysctl_resolve(name, false, ref) < 0) {
		unknown_name(name);
		return cfg_err_key(ctx, name, ENOENT, "%s", fp_errmsg());
	}
	if (ref->global == NULL && ref->which == SYSCTL_WHICH_IFACE &&
		!cfg_is_declared(ctx, "iface", ref->iface))
		return cfg_err_key(ctx, name, ENODEV, "'%s' is not a port's name", ref->iface);
	cfg_push_key(ctx, name);
	ret = value_from_json(ref, value, v);
	if (ret < 0)
		ret = cfg_err(ctx, ret, "%s", fp_errmsg());
	cfg_pop(ctx);
	return ret;
}

static int sysctl_section_parse(struct cfg_ctx *ctx, const json_t *value, void **parsed)
{
	struct sysctl_parsed *p;
	const char *name;
	json_t *v;
	int ret;

	if ((ret = cfg_check_type(ctx, value, JSON_OBJECT)) < 0)
		return ret;
	p = calloc(1, sizeof(*p));
	if (p != NULL) {
		p->refs = calloc(json_object_size(value) + 1, sizeof(*p->refs));
		p->values = calloc(json_object_size(value) + 1, sizeof(*p->values));
	}
	if (p == NULL || p->refs == NULL || p->values == NULL) {
		sysctl_parsed_free(p);
		return fp_error(ENOMEM, "out of memory");
	}
	json_object_foreach ((json_t *)value, name, v) {
		if ((ret = parse_one(ctx, name, v, &p->refs[p->n], &p->values[p->n])) < 0) {
			sysctl_parsed_free(p);
			return ret;
		}
		p->n++;
	}
	*parsed = p;
	return 0;
}

static int sysctl_section_apply(void *parsed)
{
	struct sysctl_parsed *p = parsed;

	return sysctl_apply_all(p->refs, p->values, p->n);
}

/*
 * The values that differ from their defaults, and those set on an interface (which do not
 * follow "default"); {} when none, so that a failed load's restore resets them.
 */
static int dump_one(const char *name, const struct sysctl_ref *ref, void *arg)
{
	struct sysctl_value v;

	if (sysctl_is_set(ref) && sysctl_get(ref, &v) == 0)
		json_object_set_new(arg, name, value_to_json(&v));
	return 0;
}

static json_t *sysctl_section_dump(void)
{
	json_t *obj = json_object();

	if (obj != NULL && sysctl_walk(dump_one, obj) < 0) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

/* After the ports (10), whose names it references; before what uses the knobs. */
static struct cfg_section sysctl_section = {
	.key = "sysctl",
	.order = 12,
	.parse = sysctl_section_parse,
	.apply = sysctl_section_apply,
	.free = sysctl_parsed_free,
	.dump = sysctl_section_dump,
};
CFG_SECTION_REGISTER(sysctl_section)

/* The API */

static int api_resolve(const json_t *args, struct sysctl_ref *ref)
{
	const char *name = json_string_value(json_object_get(args, "name"));
	int ret;

	if (name == NULL)
		return fp_error(EINVAL, "'name' (a string) is required");
	ret = sysctl_resolve(name, true, ref);
	return ret == -ENOENT ? unknown_name(name) : ret;
}

static json_t *entry_json(const char *name, const struct sysctl_value *v)
{
	return json_pack("{s:s, s:o}", "name", name, "value", value_to_json(v));
}

static int api_sysctl_get(const json_t *args, json_t **result)
{
	char name[SYSCTL_NAME_MAX];
	struct sysctl_ref ref;
	struct sysctl_value v;
	int ret;

	if ((ret = api_resolve(args, &ref)) < 0 || (ret = sysctl_get(&ref, &v)) < 0)
		return ret;
	*result = entry_json(sysctl_name(&ref, name), &v);
	return 0;
}

static int api_sysctl_set(const json_t *args, json_t **result)
{
	const json_t *value = json_object_get(args, "value");
	struct sysctl_ref ref;
	struct sysctl_value v;
	int ret;

	if ((ret = api_resolve(args, &ref)) < 0)
		return ret;
	if (value == NULL)
		return fp_error(EINVAL, "'value' is required");
	if ((ret = value_from_json(&ref, value, &v)) < 0 || (ret = sysctl_set(&ref, &v)) < 0)
		return ret;
	return api_sysctl_get(args, result);
}

static int list_one(const char *name, const struct sysctl_ref *ref, void *arg)
{
	struct sysctl_value v, def;
	json_t *e;

	if (sysctl_get(ref, &v) < 0)
		return 0;
	sysctl_default(ref, &def);
	e = entry_json(name, &v);
	json_object_set_new(e, "default", value_to_json(&def));
	json_array_append_new(arg, e);
	return 0;
}

static int api_sysctl_list(const json_t *args, json_t **result)
{
	json_t *list = json_array();
	int ret;

	(void)args;
	if (list == NULL || (ret = sysctl_walk(list_one, list)) < 0) {
		json_decref(list);
		return fp_error(ENOMEM, "out of memory for the sysctl list");
	}
	*result = json_pack("{s:o}", "sysctls", list);
	return 0;
}

API_COMMAND(sysctl_get_cmd, "sysctl.get", "a sysctl's value, by its Linux name", api_sysctl_get,
	API_ARGS("name"))
API_COMMAND(sysctl_set_cmd, "sysctl.set",
	"set a sysctl (an integer, or a text knob's string); takes effect at once", api_sysctl_set,
	API_ARGS("name", "value"))
API_COMMAND(sysctl_list_cmd, "sysctl.list", "every sysctl, sorted, with its value and default",
	api_sysctl_list, API_NO_ARGS)
