/* SPDX-License-Identifier: BSD-3-Clause */
#pragma once

#include <jansson.h>

/* The document SIGHUP reloads: a file, or the built-in text if path is NULL. */
void config_set_startup(const char *path, const char *text);

/*
 * Applies a document all or nothing, and frees it: a document that does not
 * validate changes nothing, and if applying fails half-way the state from
 * before is applied back. *changes: {"changes": [{"section", "added",
 * "removed", "changed"}]}, items as compact JSON text.
 */
struct cfg_doc;
int config_load(struct cfg_doc *doc, json_t **changes);
/* config_load() of the startup document (SIGHUP), read from the path root gave again. */
int config_reload(json_t **changes);
