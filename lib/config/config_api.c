/* SPDX-License-Identifier: BSD-3-Clause */
#include "api/api.h"
#include "config.h"
#include "config_load.h"
#include "infra/fp_error.h"
#include "infra/log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static char *startup_path; /* NULL: the built-in demo */
static const char *startup_text;

void config_set_startup(const char *path, const char *text)
{
	free(startup_path);
	startup_path = path ? strdup(path) : NULL;
	startup_text = text;
}

static int load_doc(const char *path, const char *text, struct cfg_doc **doc)
{
	return path ? cfg_doc_load_file(path, doc)
		    : cfg_doc_load_string("<demo config>", text, doc);
}

static int parse_and_apply(struct cfg_doc *doc)
{
	struct cfg_parsed *parsed;
	int ret = cfg_parse_doc(doc, &parsed);

	if (ret == 0) {
		ret = cfg_apply(parsed);
		cfg_parsed_free(parsed);
	}
	return ret;
}

static json_t *describe(json_t *list, json_t *item)
{
	char *text = json_dumps(item, JSON_COMPACT | JSON_PRESERVE_ORDER);

	json_array_append_new(list, json_string(text ? text : "?"));
	free(text);
	return list;
}

/* Items of a that are not in b. */
static json_t *missing_from(const json_t *a, const json_t *b)
{
	json_t *out = json_array(), *x, *y;
	size_t i, k;

	json_array_foreach (a, i, x) {
		bool found = false;

		json_array_foreach (b, k, y)
			found = found || json_equal(x, y);
		if (!found)
			describe(out, x);
	}
	return out;
}

/* {"changes": [{"section", "added": [...], "removed": [...], "changed": [...]}]} */
static json_t *diff(const json_t *before, const json_t *after)
{
	json_t *changes = json_array(), *empty = json_array();
	const char *key;
	json_t *v;
	void *tmp;

	/* every key of either side, each once */
	json_t *keys = json_deep_copy(before);
	json_object_update(keys, (json_t *)after);
	json_object_foreach_safe (keys, tmp, key, v) {
		json_t *b = json_object_get(before, key), *a = json_object_get(after, key);
		json_t *c = json_pack(
			"{s:s, s:[], s:[], s:[]}", "section", key, "added", "removed", "changed");

		if (json_is_array(a) || json_is_array(b)) {
			json_object_set_new(c, "added", missing_from(a ? a : empty, b ? b : empty));
			json_object_set_new(
				c, "removed", missing_from(b ? b : empty, a ? a : empty));
		} else if (!json_equal(a, b)) {
			describe(json_object_get(c, "changed"), a ? a : json_null());
		}
		if (json_array_size(json_object_get(c, "added")) +
				json_array_size(json_object_get(c, "removed")) +
				json_array_size(json_object_get(c, "changed")) >
			0)
			json_array_append(changes, c);
		json_decref(c);
	}
	json_decref(keys);
	json_decref(empty);
	return json_pack("{s:o}", "changes", changes);
}

int config_load(const char *path, const char *text, json_t **changes)
{
	json_t *before = cfg_dump(), *after;
	struct cfg_doc *doc;
	int ret;

	if ((ret = load_doc(path, text, &doc)) < 0)
		goto out;
	ret = parse_and_apply(doc);
	cfg_doc_free(doc);
	if (ret < 0) {
		/* all or nothing: back to the state before, from its own dump */
		char msg[512], *saved = json_dumps(before, JSON_PRESERVE_ORDER);
		struct cfg_doc *undo;

		snprintf(msg, sizeof(msg), "%s", fp_errmsg());
		if (saved == NULL || cfg_doc_load_string("<previous state>", saved, &undo) < 0 ||
			parse_and_apply(undo) < 0)
			LOG(ERR, "config: the previous state could not be restored: %s",
				fp_errmsg());
		else
			cfg_doc_free(undo);
		free(saved);
		ret = fp_error(ret, "%s (nothing changed)", msg);
		goto out;
	}
	after = cfg_dump();
	*changes = diff(before, after);
	json_decref(after);
out:
	json_decref(before);
	return ret;
}

int config_reload(json_t **changes)
{
	return config_load(startup_path, startup_text, changes);
}

static int api_config_dump(const json_t *args, json_t **result)
{
	(void)args;
	*result = json_pack("{s:o}", "config", cfg_dump());
	return 0;
}

static int api_config_load(const json_t *args, json_t **result)
{
	static const char *const keys[] = {"path", NULL};
	struct cfg_ctx ctx;
	const char *path;
	int ret;

	cfg_ctx_init(&ctx, NULL);
	if ((ret = cfg_check_keys(&ctx, args, keys)) == 0)
		ret = cfg_get_string(&ctx, args, "path", true, &path);
	cfg_ctx_fini(&ctx);
	if (ret < 0)
		return ret;
	if (path[0] != '/')
		return fp_error(EINVAL, "'%s': the daemon needs an absolute path", path);
	return config_load(path, NULL, result);
}

API_COMMAND(
	config_dump_cmd, "config.dump", "the running state as a config document", api_config_dump)
API_COMMAND(config_load_cmd, "config.load",
	"apply a config file, all or nothing, and report what changed", api_config_load)
