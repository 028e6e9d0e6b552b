/* SPDX-License-Identifier: BSD-3-Clause */
#include "base/fp_error.h"
#include "config.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Sorted by order; filled by constructors, so read-only once main() runs. */
static struct cfg_section *sections;

struct cfg_parsed {
	size_t n;
	struct {
		struct cfg_section *section;
		void *data;
	} items[];
};

void cfg_section_register(struct cfg_section *s)
{
	struct cfg_section **pp = &sections;

	assert(cfg_section_find(s->key) == NULL);
	while (*pp != NULL && (*pp)->order <= s->order)
		pp = &(*pp)->next;
	s->next = *pp;
	*pp = s;
}

struct cfg_section *cfg_section_find(const char *key)
{
	struct cfg_section *s;

	for (s = sections; s != NULL && strcmp(s->key, key) != 0; s = s->next)
		;
	return s;
}

static size_t n_sections(void)
{
	size_t n = 0;

	for (struct cfg_section *s = sections; s != NULL; s = s->next)
		n++;
	return n;
}

int cfg_parse_doc(const struct cfg_doc *doc, struct cfg_parsed **out)
{
	const char *keys[n_sections() + 1];
	json_t *root = cfg_doc_root(doc);
	struct cfg_parsed *p;
	struct cfg_section *s;
	struct cfg_ctx ctx;
	size_t n = 0;
	int ret;

	for (s = sections; s != NULL; s = s->next)
		keys[n++] = s->key;
	keys[n] = NULL;
	p = calloc(1, sizeof(*p) + n * sizeof(p->items[0]));
	if (p == NULL)
		return fp_error(ENOMEM, "out of memory");
	cfg_ctx_init(&ctx, doc);
	ret = cfg_check_keys(&ctx, root, keys);
	for (s = sections; ret >= 0 && s != NULL; s = s->next) {
		json_t *value = json_object_get(root, s->key);

		if (value == NULL)
			continue;
		cfg_push_key(&ctx, s->key);
		ret = s->parse(&ctx, value, &p->items[p->n].data);
		cfg_pop(&ctx);
		if (ret >= 0)
			p->items[p->n++].section = s;
	}
	cfg_ctx_fini(&ctx);
	if (ret < 0) {
		cfg_parsed_free(p);
		return ret;
	}
	*out = p;
	return 0;
}

void *cfg_parsed_get(const struct cfg_parsed *p, const char *key)
{
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->items[i].section->key, key) == 0)
			return p->items[i].data;
	return NULL;
}

int cfg_apply(struct cfg_parsed *p)
{
	for (size_t i = 0; i < p->n; i++) {
		struct cfg_section *s = p->items[i].section;
		int ret = s->apply != NULL ? s->apply(p->items[i].data) : 0;

		if (ret < 0)
			return fp_error_prefix(ret, "/%s: ", s->key);
	}
	return 0;
}

void cfg_parsed_free(struct cfg_parsed *p)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < p->n; i++)
		if (p->items[i].section->free != NULL)
			p->items[i].section->free(p->items[i].data);
	free(p);
}

int cfg_dump_each(int (*fn)(const char *key, json_t *value, void *arg), void *arg)
{
	for (struct cfg_section *s = sections; s != NULL; s = s->next) {
		json_t *value = s->dump != NULL ? s->dump() : NULL;
		int ret = value != NULL ? fn(s->key, value, arg) : 0;

		if (ret < 0)
			return ret;
	}
	return 0;
}

static int dump_into(const char *key, json_t *value, void *dump)
{
	return json_object_set_new(dump, key, value) < 0 ? -ENOMEM : 0;
}

json_t *cfg_dump(void)
{
	json_t *dump = json_object();

	if (dump != NULL && cfg_dump_each(dump_into, dump) < 0) {
		json_decref(dump);
		dump = NULL;
	}
	return dump;
}
