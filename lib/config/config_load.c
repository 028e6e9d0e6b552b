/* SPDX-License-Identifier: BSD-3-Clause */
#include "config_load.h"
#include "base/fp_error.h"
#include "base/log.h"
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *startup_path; /* NULL: the built-in demo */
static const char *startup_text;

void config_set_startup(const char *path, const char *text)
{
	free(startup_path);
	startup_path = path ? strdup(path) : NULL;
	startup_text = text;
}

/* Takes doc: its tree is freed before the apply, which may fill a FIB. */
static int parse(struct cfg_doc *doc, struct cfg_parsed **parsed)
{
	int ret = cfg_parse_doc(doc, parsed);

	cfg_doc_free(doc);
	return ret;
}

/* Takes parsed. */
static int apply(struct cfg_parsed *parsed)
{
	int ret = cfg_apply(parsed);

	cfg_parsed_free(parsed);
	return ret;
}

/*
 * The running state of a section as compact JSON texts, one per item of a list: what a load
 * compares, and applies back if it fails. Texts and not trees: the trees of two dumps of a
 * million routes take gigabytes. Items of both sides come from the sections' dump(), which
 * writes equal items alike, so they compare as texts.
 */
struct section_state {
	const char *key;
	bool list;
	size_t n;
	char **items;  /* in the dump's order */
	char **sorted; /* the same, sorted: an item is found in n log n for a million routes */
};

struct state {
	size_t n;
	struct section_state *sections;
};

static void state_free(struct state *st)
{
	for (size_t i = 0; i < st->n; i++) {
		for (size_t k = 0; k < st->sections[i].n; k++)
			free(st->sections[i].items[k]);
		free(st->sections[i].items);
		free(st->sections[i].sorted);
	}
	free(st->sections);
	*st = (struct state){0};
}

static int text_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* cfg_dump_each() callback: the texts of a section's dump, which it frees. */
static int state_add(const char *key, json_t *value, void *arg)
{
	struct state *st = arg;
	struct section_state *s = reallocarray(st->sections, st->n + 1, sizeof(*s));
	size_t n = json_is_array(value) ? json_array_size(value) : 1;
	int ret = -ENOMEM;

	if (s == NULL)
		goto out;
	st->sections = s;
	s = &st->sections[st->n++];
	*s = (struct section_state){.key = key, .list = json_is_array(value)};
	/* one more: malloc(0) may be NULL */
	s->items = calloc(n + 1, sizeof(*s->items));
	s->sorted = calloc(n + 1, sizeof(*s->sorted));
	if (s->items == NULL || s->sorted == NULL)
		goto out;
	for (; s->n < n; s->n++) {
		s->items[s->n] = json_dumps(s->list ? json_array_get(value, s->n) : value,
			JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
		if (s->items[s->n] == NULL)
			goto out;
	}
	memcpy(s->sorted, s->items, n * sizeof(*s->sorted));
	qsort(s->sorted, n, sizeof(*s->sorted), text_cmp);
	ret = 0;
out:
	json_decref(value);
	return ret < 0 ? fp_error(ENOMEM, "out of memory for the state of '%s'", key) : 0;
}

static int state_get(struct state *st)
{
	int ret;

	*st = (struct state){0};
	if ((ret = cfg_dump_each(state_add, st)) < 0)
		state_free(st);
	return ret;
}

static const struct section_state *state_find(const struct state *st, const char *key)
{
	for (size_t i = 0; i < st->n; i++)
		if (strcmp(st->sections[i].key, key) == 0)
			return &st->sections[i];
	return NULL;
}

/* The state as a document, to apply it back; NULL if out of memory. */
static char *state_text(const struct state *st)
{
	char *text = NULL;
	size_t len;
	FILE *f = open_memstream(&text, &len);

	if (f == NULL)
		return NULL;
	fputc('{', f);
	for (size_t i = 0; i < st->n; i++) {
		const struct section_state *s = &st->sections[i];

		fprintf(f, "%s\"%s\": %s", i ? ", " : "", s->key, s->list ? "[" : "");
		for (size_t k = 0; k < s->n; k++)
			fprintf(f, "%s%s", k ? ", " : "", s->items[k]);
		fputs(s->list ? "]" : "", f);
	}
	fputc('}', f);
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

/* Items of a that are not in b, as JSON strings. */
static json_t *missing_from(const struct section_state *a, const struct section_state *b)
{
	json_t *out = json_array();

	for (size_t i = 0; a != NULL && i < a->n; i++)
		if (b == NULL || bsearch(&a->items[i], b->sorted, b->n, sizeof(*b->sorted),
					 text_cmp) == NULL)
			json_array_append_new(out, json_string(a->items[i]));
	return out;
}

/* {"changes": [{"section", "added": [...], "removed": [...], "changed": [...]}]} */
static json_t *diff(const struct state *before, const struct state *after)
{
	json_t *changes = json_array();

	/* every section of either side, each once: those of before, then the new ones */
	for (size_t i = 0; i < before->n + after->n; i++) {
		const char *key = i < before->n ? before->sections[i].key
						: after->sections[i - before->n].key;
		const struct section_state *b = state_find(before, key),
					   *a = state_find(after, key);
		json_t *c;

		if (i >= before->n && b != NULL)
			continue;
		c = json_pack(
			"{s:s, s:[], s:[], s:[]}", "section", key, "added", "removed", "changed");
		if ((a != NULL && a->list) || (b != NULL && b->list)) {
			json_object_set_new(c, "added", missing_from(a, b));
			json_object_set_new(c, "removed", missing_from(b, a));
		} else if (a == NULL || b == NULL || strcmp(a->items[0], b->items[0]) != 0) {
			json_array_append_new(json_object_get(c, "changed"),
				json_string(a != NULL ? a->items[0] : "null"));
		}
		if (json_array_size(json_object_get(c, "added")) +
				json_array_size(json_object_get(c, "removed")) +
				json_array_size(json_object_get(c, "changed")) >
			0)
			json_array_append(changes, c);
		json_decref(c);
	}
	return json_pack("{s:o}", "changes", changes);
}

/* After a failed apply: the state before, from its own dump. */
static void restore(const struct state *before)
{
	char *saved = state_text(before);
	struct cfg_parsed *parsed;
	struct cfg_doc *undo;

	if (saved == NULL || cfg_doc_load_string("<previous state>", saved, &undo) < 0 ||
		parse(undo, &parsed) < 0 || apply(parsed) < 0)
		LOG(ERR, "config: the previous state could not be restored: %s", fp_errmsg());
	free(saved);
}

int config_load(struct cfg_doc *doc, json_t **changes)
{
	struct state before = {0}, after;
	struct cfg_parsed *parsed;
	char msg[512];
	int ret;

	/* validated first: a document that does not validate needs no state taken nor undone */
	if ((ret = parse(doc, &parsed)) < 0)
		goto refused;
	if ((ret = state_get(&before)) < 0) {
		cfg_parsed_free(parsed);
		return ret;
	}
	if ((ret = apply(parsed)) < 0) {
		/* all or nothing */
		snprintf(msg, sizeof(msg), "%s", fp_errmsg());
		restore(&before);
		fp_error(ret, "%s", msg);
		goto refused;
	}
	if ((ret = state_get(&after)) < 0) {
		fp_error_prefix(ret, "applied, but what changed is unknown: ");
		goto out;
	}
	*changes = diff(&before, &after);
	state_free(&after);
	goto out;
refused:
	snprintf(msg, sizeof(msg), "%s", fp_errmsg());
	ret = fp_error(ret, "%s (nothing changed)", msg);
out:
	state_free(&before);
	return ret;
}

int config_reload(json_t **changes)
{
	struct cfg_doc *doc;
	int ret = startup_path ? cfg_doc_load_file(startup_path, &doc)
			       : cfg_doc_load_string("<demo config>", startup_text, &doc);

	return ret < 0 ? ret : config_load(doc, changes);
}
