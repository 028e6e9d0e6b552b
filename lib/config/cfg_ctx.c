/* SPDX-License-Identifier: BSD-3-Clause */
#include "base/fp_error.h"
#include "base/fp_text.h"
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void cfg_ctx_init(struct cfg_ctx *ctx, const struct cfg_doc *doc)
{
	*ctx = (struct cfg_ctx){.doc = doc};
}

void cfg_ctx_fini(struct cfg_ctx *ctx)
{
	json_decref(ctx->names);
	ctx->names = NULL;
}

/* A segment that does not fit is only counted, so that pushes and pops still pair up. */
void cfg_push_key(struct cfg_ctx *ctx, const char *key)
{
	size_t len = strlen(ctx->path), n = 0;
	char seg[sizeof(ctx->path)];

	seg[n++] = '/';
	for (; *key != '\0' && n + 2 < sizeof(seg); key++) {
		if (*key == '~' || *key == '/') {
			seg[n++] = '~';
			seg[n++] = *key == '~' ? '0' : '1';
		} else {
			seg[n++] = *key;
		}
	}
	if (ctx->overflow != 0 || *key != '\0' || len + n >= sizeof(ctx->path)) {
		ctx->overflow++;
		return;
	}
	memcpy(ctx->path + len, seg, n);
	ctx->path[len + n] = '\0';
}

/* Digits by hand: snprintf() was a good part of the cost of a route, pushed for each one. */
void cfg_push_index(struct cfg_ctx *ctx, size_t index)
{
	char seg[24], *p = seg + sizeof(seg) - 1;

	*p = '\0';
	do
		*--p = '0' + index % 10;
	while ((index /= 10) != 0);
	cfg_push_key(ctx, p);
}

void cfg_pop(struct cfg_ctx *ctx)
{
	char *slash = strrchr(ctx->path, '/');

	if (ctx->overflow != 0)
		ctx->overflow--;
	else if (slash != NULL)
		*slash = '\0';
}

static int report(const struct cfg_ctx *ctx, bool found, const struct cfg_pos *pos, int errnum,
	const char *fmt, va_list ap)
{
	char msg[512], where[256] = "";

	/* format first: the arguments may point into fp_errmsg(), which fp_error() overwrites */
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (found)
		snprintf(where, sizeof(where), "%s:%d:%d: ", cfg_doc_name(ctx->doc), pos->line,
			pos->col);
	else if (ctx->doc != NULL)
		snprintf(where, sizeof(where), "%s: ", cfg_doc_name(ctx->doc));
	return fp_error(errnum, "%s%s%s%s", where, ctx->path, ctx->path[0] ? ": " : "", msg);
}

int cfg_err(struct cfg_ctx *ctx, int errnum, const char *fmt, ...)
{
	struct cfg_pos pos;
	bool found = cfg_doc_value_pos(ctx->doc, ctx->path, &pos);
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = report(ctx, found, &pos, errnum, fmt, ap);
	va_end(ap);
	return ret;
}

int cfg_err_key(struct cfg_ctx *ctx, const char *key, int errnum, const char *fmt, ...)
{
	struct cfg_pos pos;
	bool found;
	va_list ap;
	int ret;

	cfg_push_key(ctx, key);
	found = ctx->overflow == 0 && cfg_doc_key_pos(ctx->doc, ctx->path, &pos);
	cfg_pop(ctx);
	va_start(ap, fmt);
	ret = report(ctx, found, &pos, errnum, fmt, ap);
	va_end(ap);
	return ret;
}

const char *cfg_type_name(json_type type)
{
	switch (type) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
		return "an integer";
	case JSON_REAL:
		return "a real number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	case JSON_NULL:
		break;
	}
	return "null";
}

static bool has_type(const json_t *value, json_type type)
{
	return json_typeof(value) == type ||
	       (json_is_boolean(value) && (type == JSON_TRUE || type == JSON_FALSE));
}

int cfg_check_type(struct cfg_ctx *ctx, const json_t *value, json_type type)
{
	if (has_type(value, type))
		return 0;
	return cfg_err(ctx, EINVAL, "must be %s, not %s", cfg_type_name(type),
		cfg_type_name(json_typeof(value)));
}

static int find_name(const char *const names[], const char *name)
{
	for (int i = 0; names[i] != NULL; i++)
		if (strcmp(names[i], name) == 0)
			return i;
	return -1;
}

/* "'a', 'b', 'c'" */
static const char *join_names(const char *const names[], char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	for (int i = 0; names[i] != NULL && n < size; i++)
		n += snprintf(buf + n, size - n, "%s'%s'", i ? ", " : "", names[i]);
	return buf;
}

/* The closest name, if close enough to be a typo: a third of its length, at least one edit. */
static const char *suggest(const char *const names[], const char *word)
{
	const char *best = NULL;
	size_t best_d = SIZE_MAX;

	for (int i = 0; names[i] != NULL; i++) {
		size_t d = fp_edit_distance(word, names[i]), max = strlen(names[i]) / 3;

		if (d <= (max > 1 ? max : 1) && d < best_d) {
			best = names[i];
			best_d = d;
		}
	}
	return best;
}

const char *cfg_names_hint(const char *const names[], const char *word, char *buf, size_t size)
{
	const char *best = suggest(names, word);
	char list[256];

	if (best != NULL)
		snprintf(buf, size, "(did you mean '%s'?)", best);
	else
		snprintf(buf, size, "(expected %s)", join_names(names, list, sizeof(list)));
	return buf;
}

int cfg_check_keys(struct cfg_ctx *ctx, const json_t *obj, const char *const allowed[])
{
	const char *key;
	char hint[300];
	void *it;

	if (cfg_check_type(ctx, obj, JSON_OBJECT) < 0)
		return -EINVAL;
	/* in document order (jansson keeps insertion order), to report the first unknown key */
	for (it = json_object_iter((json_t *)obj); it != NULL;
		it = json_object_iter_next((json_t *)obj, it)) {
		key = json_object_iter_key(it);
		if (find_name(allowed, key) >= 0)
			continue;
		return cfg_err_key(ctx, key, EINVAL, "unknown key '%s' %s", key,
			cfg_names_hint(allowed, key, hint, sizeof(hint)));
	}
	return 0;
}

/* Pops the member pushed by member(), reporting a failed check (fp_errmsg()) at its value. */
static int done(struct cfg_ctx *ctx, int ret)
{
	if (ret < 0)
		ret = cfg_err(ctx, ret, "%s", fp_errmsg());
	cfg_pop(ctx);
	return ret < 0 ? ret : 1;
}

/*
 * The lookup shared by the getters: 0 if absent and optional, <0 on error,
 * or 1 with the member's path pushed, for the caller to check the value and
 * return through done().
 */
static int member(struct cfg_ctx *ctx, const json_t *obj, const char *key, bool required,
	json_type type, json_t **value)
{
	*value = json_object_get(obj, key);
	if (*value == NULL)
		return required ? cfg_err(ctx, EINVAL, "missing key '%s'", key) : 0;
	cfg_push_key(ctx, key);
	if (!has_type(*value, type))
		return done(ctx, fp_error(EINVAL, "'%s' must be %s, not %s", key,
					 cfg_type_name(type), cfg_type_name(json_typeof(*value))));
	return 1;
}

int cfg_get_string(
	struct cfg_ctx *ctx, const json_t *obj, const char *key, bool required, const char **out)
{
	json_t *v;
	int ret = member(ctx, obj, key, required, JSON_STRING, &v);

	if (ret <= 0)
		return ret;
	*out = json_string_value(v);
	return done(ctx, 0);
}

int cfg_get_uint(struct cfg_ctx *ctx, const json_t *obj, const char *key, bool required,
	uint64_t min, uint64_t max, uint64_t *out)
{
	json_int_t n;
	json_t *v;
	int ret = member(ctx, obj, key, required, JSON_INTEGER, &v);

	if (ret <= 0)
		return ret;
	n = json_integer_value(v);
	if (n < 0 || (uint64_t)n < min || (uint64_t)n > max)
		return done(ctx, fp_error(ERANGE,
					 "'%s' must be between %" PRIu64 " and %" PRIu64
					 ", not %" JSON_INTEGER_FORMAT,
					 key, min, max, n));
	*out = n;
	return done(ctx, 0);
}

int cfg_get_bool(struct cfg_ctx *ctx, const json_t *obj, const char *key, bool required, bool *out)
{
	json_t *v;
	int ret = member(ctx, obj, key, required, JSON_TRUE, &v);

	if (ret <= 0)
		return ret;
	*out = json_is_true(v);
	return done(ctx, 0);
}

int cfg_get_object(
	struct cfg_ctx *ctx, const json_t *obj, const char *key, bool required, json_t **out)
{
	int ret = member(ctx, obj, key, required, JSON_OBJECT, out);

	return ret <= 0 ? ret : done(ctx, 0);
}

int cfg_get_array(
	struct cfg_ctx *ctx, const json_t *obj, const char *key, bool required, json_t **out)
{
	int ret = member(ctx, obj, key, required, JSON_ARRAY, out);

	return ret <= 0 ? ret : done(ctx, 0);
}

int cfg_get_enum(struct cfg_ctx *ctx, const json_t *obj, const char *key, bool required,
	const char *const names[], int *out)
{
	char list[256];
	json_t *v;
	int ret = member(ctx, obj, key, required, JSON_STRING, &v);

	if (ret <= 0)
		return ret;
	*out = find_name(names, json_string_value(v));
	if (*out < 0)
		return done(
			ctx, fp_error(EINVAL, "'%s' must be one of %s, not '%s'", key,
				     join_names(names, list, sizeof(list)), json_string_value(v)));
	return done(ctx, 0);
}

int cfg_get_ip4(
	struct cfg_ctx *ctx, const json_t *obj, const char *key, bool required, uint32_t *out)
{
	json_t *v;
	int ret = member(ctx, obj, key, required, JSON_STRING, &v);

	return ret <= 0 ? ret : done(ctx, fp_ip4_parse(json_string_value(v), out));
}

int cfg_get_ip(struct cfg_ctx *ctx, const json_t *obj, const char *key, bool required,
	struct fp_ip_addr *out)
{
	json_t *v;
	int ret = member(ctx, obj, key, required, JSON_STRING, &v);

	return ret <= 0 ? ret : done(ctx, fp_ip_parse(json_string_value(v), out));
}

int cfg_get_ip_as(struct cfg_ctx *ctx, const json_t *obj, const char *key, bool required,
	uint8_t family, struct fp_ip_addr *out)
{
	json_t *v;
	int ret = member(ctx, obj, key, required, JSON_STRING, &v);

	return ret <= 0 ? ret : done(ctx, fp_ip_parse_as(family, json_string_value(v), out));
}

int cfg_get_ip_prefix(struct cfg_ctx *ctx, const json_t *obj, const char *key, bool required,
	bool allow_host_bits, struct fp_ip_prefix *out)
{
	json_t *v;
	int ret = member(ctx, obj, key, required, JSON_STRING, &v);

	return ret <= 0 ? ret
			: done(ctx, fp_ip_prefix_parse(json_string_value(v), out, allow_host_bits));
}

int cfg_get_ip4_prefix(struct cfg_ctx *ctx, const json_t *obj, const char *key, bool required,
	bool allow_host_bits, struct fp_ip4_prefix *out)
{
	json_t *v;
	int ret = member(ctx, obj, key, required, JSON_STRING, &v);

	return ret <= 0
		       ? ret
		       : done(ctx, fp_ip4_prefix_parse(json_string_value(v), out, allow_host_bits));
}

int cfg_get_ip6_prefix(struct cfg_ctx *ctx, const json_t *obj, const char *key, bool required,
	bool allow_host_bits, struct fp_ip6_prefix *out)
{
	json_t *v;
	int ret = member(ctx, obj, key, required, JSON_STRING, &v);

	return ret <= 0
		       ? ret
		       : done(ctx, fp_ip6_prefix_parse(json_string_value(v), out, allow_host_bits));
}

int cfg_get_mac(
	struct cfg_ctx *ctx, const json_t *obj, const char *key, bool required, struct fp_mac *out)
{
	json_t *v;
	int ret = member(ctx, obj, key, required, JSON_STRING, &v);

	return ret <= 0 ? ret : done(ctx, fp_mac_parse(json_string_value(v), out));
}

int cfg_declare(struct cfg_ctx *ctx, const char *ns, const char *name)
{
	json_t *set, *first;

	if (ctx->exists != NULL && ctx->exists(ns, name))
		return cfg_err_duplicate(ctx, ns, name, "");
	if (ctx->names == NULL && (ctx->names = json_object()) == NULL)
		return fp_error(ENOMEM, "out of memory");
	set = json_object_get(ctx->names, ns);
	if (set == NULL && json_object_set_new_nocheck(ctx->names, ns, set = json_object()) < 0)
		return fp_error(ENOMEM, "out of memory");
	first = json_object_get(set, name);
	if (first == NULL) {
		if (json_object_set_new_nocheck(set, name, json_string_nocheck(ctx->path)) < 0)
			return fp_error(ENOMEM, "out of memory");
		return 0;
	}
	return cfg_err_duplicate(ctx, ns, name, json_string_value(first));
}

int cfg_err_duplicate(struct cfg_ctx *ctx, const char *what, const char *name, const char *first)
{
	struct cfg_pos pos;

	if (first[0] == '\0')
		return cfg_err(ctx, EEXIST, "%s '%s' already exists", what, name);
	if (cfg_doc_value_pos(ctx->doc, first, &pos))
		return cfg_err(ctx, EEXIST, "duplicate %s '%s' (first at %d:%d)", what, name,
			pos.line, pos.col);
	return cfg_err(ctx, EEXIST, "duplicate %s '%s' (first at %s)", what, name, first);
}

bool cfg_is_declared(const struct cfg_ctx *ctx, const char *ns, const char *name)
{
	return json_object_get(json_object_get(ctx->names, ns), name) != NULL ||
	       (ctx->exists != NULL && ctx->exists(ns, name));
}
