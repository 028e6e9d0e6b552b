/* SPDX-License-Identifier: BSD-3-Clause */
#pragma once

#include <jansson.h>

/* The document SIGHUP reloads: a file, or the built-in text if path is NULL. */
void config_set_startup(const char *path, const char *text);

/*
 * Applies a document (file at path, or text) all or nothing: a document that
 * does not validate changes nothing, and if applying fails half-way the state
 * from before is applied back. *changes: {"changes": [{"section", "added",
 * "removed", "changed"}]}, items as compact JSON text.
 */
int config_load(const char *path, const char *text, json_t **changes);
int config_reload(json_t **changes);
