/* SPDX-License-Identifier: BSD-3-Clause */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/fp_net.h"

/*
 * JSON configuration: loading with source positions, validation helpers that
 * report "file:line:col: /json/pointer: what is wrong", and the registry of
 * top-level sections. Errors follow fp_error.h: negative errno, message in
 * fp_errmsg().
 */

/* A parsed document and the position of every value in its text. */
struct cfg_doc;

/* Lines and columns are 1-based; like jansson, a column counts UTF-8 characters. */
struct cfg_pos {
	int line, col;
};

/* The largest document read (a million routes take 55 MB): /dev/zero is no document. */
#define CFG_DOC_MAX_BYTES (256 << 20)

/*
 * Parse a document whose root must be an object; duplicate keys are rejected.
 * Errors read "name:line:col: ...", syntax errors with jansson's own text and
 * position, without the text jansson quotes: a message never shows the file's
 * content. name is only used in messages.
 */
int cfg_doc_load_file(const char *path, struct cfg_doc **out);
/* The document read from fd (its current offset to its end), named name in messages. */
int cfg_doc_load_fd(int fd, const char *name, struct cfg_doc **out);
int cfg_doc_load_string(const char *name, const char *text, struct cfg_doc **out);
json_t *cfg_doc_root(const struct cfg_doc *doc);
/*
 * A document an API client sent (config.load), not fastpathd's own config file: the sections
 * refuse what would make the daemon open a path it names (a port's pcap file). doc may be
 * NULL (an API request's object): false.
 */
void cfg_doc_set_from_client(struct cfg_doc *doc);
bool cfg_doc_from_client(const struct cfg_doc *doc);
const char *cfg_doc_name(const struct cfg_doc *doc);
void cfg_doc_free(struct cfg_doc *doc);
/* Position of the value at an RFC 6901 pointer ("" is the root, "/ports/0/mtu"). */
bool cfg_doc_value_pos(const struct cfg_doc *doc, const char *pointer, struct cfg_pos *pos);
/* Position of the key of an object member; false for array elements and the root. */
bool cfg_doc_key_pos(const struct cfg_doc *doc, const char *pointer, struct cfg_pos *pos);

/*
 * Validation context: the path of the value being checked, the document for
 * positions, and the names declared so far. doc may be NULL (objects coming
 * from the API): errors then carry the path only.
 */
struct cfg_ctx {
	const struct cfg_doc *doc;
	char path[512];
	unsigned int overflow; /* pushed segments that did not fit in path */
	json_t *names;	       /* {namespace: {name: path of the declaration}} */
	/* Names that exist outside the document (live interfaces for an API request), or NULL. */
	bool (*exists)(const char *ns, const char *name);
};

void cfg_ctx_init(struct cfg_ctx *ctx, const struct cfg_doc *doc);
void cfg_ctx_fini(struct cfg_ctx *ctx);
void cfg_push_key(struct cfg_ctx *ctx, const char *key);
void cfg_push_index(struct cfg_ctx *ctx, size_t index);
void cfg_pop(struct cfg_ctx *ctx);

/* Error at the current value: "file:line:col: /path: message". Returns -abs(errnum). */
int cfg_err(struct cfg_ctx *ctx, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Error at the key of member `key` of the current object, for messages about the key itself. */
int cfg_err_key(struct cfg_ctx *ctx, const char *key, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * obj must be an object whose keys are all in allowed (NULL-terminated). An
 * unknown key is reported at its position, with the closest allowed key as a
 * suggestion. Returns 0 or <0.
 */
int cfg_check_keys(struct cfg_ctx *ctx, const json_t *obj, const char *const allowed[]);
/*
 * What to say of word, which is not among names (NULL-terminated): "(did you mean 'mtu'?)"
 * when it is close to one, else "(expected 'a', 'b')". Written in buf, returned.
 */
const char *cfg_names_hint(const char *const names[], const char *word, char *buf, size_t size);

/* "an integer", "a string"...; JSON_TRUE and JSON_FALSE are both "a boolean". */
const char *cfg_type_name(json_type type);
/*
 * Error "must be an integer, not a string" at the current value unless value
 * has the type (for array elements; JSON_TRUE or JSON_FALSE accept any
 * boolean). Returns 0 or -EINVAL.
 */
int cfg_check_type(struct cfg_ctx *ctx, const json_t *value, json_type type);

/*
 * Typed getters for member `key` of obj. They return 1 if the member is
 * present and valid, 0 if it is absent and not required (*out untouched), <0
 * on error: a missing required key is reported at the object, a wrong type or
 * value at the member's value. *out is unspecified after an error. Strings
 * and json_t results belong to obj: copy what must outlive the document.
 */
int cfg_get_string(
	struct cfg_ctx *ctx, const json_t *obj, const char *key, bool required, const char **out);
int cfg_get_uint(struct cfg_ctx *ctx, const json_t *obj, const char *key, bool required,
	uint64_t min, uint64_t max, uint64_t *out);
int cfg_get_bool(struct cfg_ctx *ctx, const json_t *obj, const char *key, bool required, bool *out);
int cfg_get_object(
	struct cfg_ctx *ctx, const json_t *obj, const char *key, bool required, json_t **out);
int cfg_get_array(
	struct cfg_ctx *ctx, const json_t *obj, const char *key, bool required, json_t **out);
/* names is NULL-terminated; *out is the index of the matching name. */
int cfg_get_enum(struct cfg_ctx *ctx, const json_t *obj, const char *key, bool required,
	const char *const names[], int *out);
int cfg_get_ip4(
	struct cfg_ctx *ctx, const json_t *obj, const char *key, bool required, uint32_t *out);
/* An address of either family ("10.0.1.2", "2001:db8::2"). */
int cfg_get_ip(struct cfg_ctx *ctx, const json_t *obj, const char *key, bool required,
	struct fp_ip_addr *out);
/* An address of family (AF_INET or AF_INET6): one of the other family is named so. */
int cfg_get_ip_as(struct cfg_ctx *ctx, const json_t *obj, const char *key, bool required,
	uint8_t family, struct fp_ip_addr *out);
int cfg_get_ip4_prefix(struct cfg_ctx *ctx, const json_t *obj, const char *key, bool required,
	bool allow_host_bits, struct fp_ip4_prefix *out);
int cfg_get_ip6_prefix(struct cfg_ctx *ctx, const json_t *obj, const char *key, bool required,
	bool allow_host_bits, struct fp_ip6_prefix *out);
/* A prefix of either family ("10.0.0.0/8", "2001:db8::/32"). */
int cfg_get_ip_prefix(struct cfg_ctx *ctx, const json_t *obj, const char *key, bool required,
	bool allow_host_bits, struct fp_ip_prefix *out);
int cfg_get_mac(
	struct cfg_ctx *ctx, const json_t *obj, const char *key, bool required, struct fp_mac *out);

/*
 * Names declared while validating, so that later sections can check
 * references ("dev": "p0" must name a declared port) and duplicates are
 * caught; ns is e.g. "iface". Also usable for objects keyed by a string
 * ("route" "vrf 0 10.0.0.0/8"). Declare at the value that names the object:
 * a duplicate is reported there with the position of the first declaration.
 * Names declared on a fresh context (empty path), and those ctx->exists()
 * knows, stand for existing objects: declaring one again reports that it
 * already exists.
 * Returns 0, -EEXIST or -ENOMEM.
 */
int cfg_declare(struct cfg_ctx *ctx, const char *ns, const char *name);
bool cfg_is_declared(const struct cfg_ctx *ctx, const char *ns, const char *name);
/*
 * The error of cfg_declare() for a name already declared at path first ("" for an existing
 * object), for sections that find their duplicates otherwise. Returns -EEXIST.
 */
int cfg_err_duplicate(struct cfg_ctx *ctx, const char *what, const char *name, const char *first);

/*
 * A top-level key of the configuration, registered by the subsystem that owns
 * it. apply, free and dump may be NULL (e.g. a section that main() reads
 * through cfg_parsed_get() before anything else runs).
 */
struct cfg_section {
	const char *key; /* e.g. "routes" */
	/* Parse and apply order, lower first (eal 0, ports 10, addresses 20, routes 30, ...). */
	int order;
	/*
	 * Validate the section value (ctx path is "/<key>") and build a private
	 * parsed form. On error, free what was built and return <0 (cfg_err()).
	 */
	int (*parse)(struct cfg_ctx *ctx, const json_t *value, void **parsed);
	/* Apply a parsed form to the running daemon: 0 or <0 with fp_error(). */
	int (*apply)(void *parsed);
	void (*free)(void *parsed);
	/* Running state in the same schema (new reference), or NULL if there is none. */
	json_t *(*dump)(void);
	struct cfg_section *next; /* registry linkage */
};

/* Sections with equal order keep their registration order. */
void cfg_section_register(struct cfg_section *s);
#define CFG_SECTION_REGISTER(s)                                                                    \
	static void __attribute__((constructor)) cfg_reg_##s(void)                                 \
	{                                                                                          \
		cfg_section_register(&s);                                                          \
	}
struct cfg_section *cfg_section_find(const char *key);

/*
 * A whole document validated: unknown top-level keys are errors, then the
 * parse() of every present section in order, sharing one context so that
 * names declared by a section can be referenced by the following ones.
 * Sections absent from the document are not parsed nor applied.
 */
struct cfg_parsed;
int cfg_parse_doc(const struct cfg_doc *doc, struct cfg_parsed **out);
/* The parsed form of a section, NULL if the section was absent. */
void *cfg_parsed_get(const struct cfg_parsed *p, const char *key);
/* apply() of every present section in order, stopping at the first error ("/<key>: " + msg). */
int cfg_apply(struct cfg_parsed *p);
void cfg_parsed_free(struct cfg_parsed *p);

/*
 * A section that is an array of objects ("ports", "routes", ...): each object
 * is checked to be one, then parsed by parse_one into an element of elem_size
 * bytes, with the path pointing at it. On error, the elements parsed so far
 * are released with elem_free (may be NULL) and nothing is returned.
 */
struct cfg_array {
	size_t n;
	size_t elem_size;
	void (*elem_free)(void *elem);
	max_align_t elems[];
};

/*
 * The loop of cfg_parse_array() for sections that store their elements otherwise: fn is called
 * for each element of array in turn, with the path pointing at it, once it is checked to be an
 * object. Stops at the first error and returns it, else 0.
 */
int cfg_array_foreach_object(struct cfg_ctx *ctx, const json_t *array,
	int (*fn)(struct cfg_ctx *ctx, const json_t *obj, size_t index, void *arg), void *arg);
int cfg_parse_array(struct cfg_ctx *ctx, const json_t *value, size_t elem_size,
	int (*parse_one)(struct cfg_ctx *ctx, const json_t *obj, void *elem),
	void (*elem_free)(void *elem), void **parsed);
/* A cfg_section.free for what cfg_parse_array() built. */
void cfg_array_free(void *parsed);

static inline void *cfg_array_at(const struct cfg_array *a, size_t i)
{
	return (char *)a->elems + i * a->elem_size;
}

/* {"<key>": dump, ...} in section order for every dump() giving non-NULL; NULL if out of memory. */
json_t *cfg_dump(void);
/*
 * The same one section at a time, so that a caller can turn each dump into something smaller
 * before the next is made: fn takes value. Stops at fn's first error and returns it, else 0.
 */
int cfg_dump_each(int (*fn)(const char *key, json_t *value, void *arg), void *arg);
