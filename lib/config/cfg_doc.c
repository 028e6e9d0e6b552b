/* SPDX-License-Identifier: BSD-3-Clause */
#include "base/fp_error.h"
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * jansson only gives positions for syntax errors, so the text is scanned again
 * to find where a value is, by JSON pointer. Positions serve error messages
 * only: each question scans the text for its value alone, skipping what is off
 * its path (an index of every value of a million routes would cost more than
 * the load). A duplicate key, which jansson names without a place, is found
 * with an index of all values.
 */

struct entry {
	size_t ptr;	    /* offset of the pointer in strings: grows in document order */
	struct cfg_pos key; /* line 0 unless an object member */
	struct cfg_pos value;
};

struct cfg_doc {
	char *name;
	bool from_client;
	json_t *root;
	char *text; /* kept to locate values on demand */
	size_t len;
	struct entry *entries; /* of a duplicate_error(), sorted by pointer */
	size_t n_entries, entries_cap;
	char *strings; /* NUL-terminated pointers */
	size_t strings_len, strings_cap;
};

/* A text whose tree is worth giving back to the system once freed (a million routes: 55 MB). */
#define LARGE_DOC (1 << 20)

/* Same limit as jansson, which is the one to protect the stack from deep documents. */
#define MAX_DEPTH 2048

struct scanner {
	struct cfg_doc *doc;
	const char *p, *end;
	struct cfg_pos pos; /* of *p */
	char *path;	    /* pointer of the current value, not NUL-terminated */
	size_t path_len, path_cap;
	int depth;
	/* NULL: record every value; else the pointer of the one value to find */
	const char *target;
	bool found;
	struct entry where; /* of target, when found */
	int skipping;	    /* > 0 inside a value off the path to target: no path is built */
};

/* Room for n elements of size bytes: the new buffer, or NULL with buf left intact. */
static void *reserve(void *buf, size_t *cap, size_t n, size_t size)
{
	size_t c = *cap ? *cap : 64;
	void *p;

	if (n <= *cap)
		return buf;
	while (c < n)
		c *= 2;
	p = reallocarray(buf, c, size);
	if (p != NULL)
		*cap = c;
	return p;
}

static void advance(struct scanner *s)
{
	if (*s->p == '\n') {
		s->pos.line++;
		s->pos.col = 1;
	} else if (((unsigned char)*s->p & 0xc0) != 0x80) {
		/* like jansson, count characters: a UTF-8 continuation byte is no new column */
		s->pos.col++;
	}
	s->p++;
}

static bool at(const struct scanner *s, char c)
{
	return s->p < s->end && *s->p == c;
}

static void skip_blanks(struct scanner *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\r' || *s->p == '\n'))
		advance(s);
}

static bool eat(struct scanner *s, char c)
{
	skip_blanks(s);
	if (!at(s, c))
		return false;
	advance(s);
	return true;
}

static bool path_append(struct scanner *s, const char *bytes, size_t n)
{
	char *p;

	if (s->skipping)
		return true;
	p = reserve(s->path, &s->path_cap, s->path_len + n, 1);
	if (p == NULL)
		return false;
	s->path = p;
	memcpy(p + s->path_len, bytes, n);
	s->path_len += n;
	return true;
}

/* RFC 6901: '~' and '/' in a key are written "~0" and "~1". */
static bool path_append_key_byte(struct scanner *s, char c)
{
	if (c == '~' || c == '/')
		return path_append(s, c == '~' ? "~0" : "~1", 2);
	return path_append(s, &c, 1);
}

static bool record(struct scanner *s, const struct cfg_pos *key)
{
	struct cfg_doc *doc = s->doc;
	struct entry *e = reserve(doc->entries, &doc->entries_cap, doc->n_entries + 1, sizeof(*e));
	char *str;

	if (e == NULL)
		return false;
	doc->entries = e;
	str = reserve(doc->strings, &doc->strings_cap, doc->strings_len + s->path_len + 1, 1);
	if (str == NULL)
		return false;
	doc->strings = str;
	if (s->path_len > 0) /* the root's path may still be NULL */
		memcpy(str + doc->strings_len, s->path, s->path_len);
	str[doc->strings_len + s->path_len] = '\0';
	e[doc->n_entries++] = (struct entry){
		.ptr = doc->strings_len,
		.key = key ? *key : (struct cfg_pos){0, 0},
		.value = s->pos,
	};
	doc->strings_len += s->path_len + 1;
	return true;
}

static bool hex4(struct scanner *s, unsigned int *u)
{
	*u = 0;
	for (int i = 0; i < 4; i++, advance(s)) {
		if (s->p == s->end || !isxdigit((unsigned char)*s->p))
			return false;
		*u = *u << 4 | (*s->p <= '9' ? *s->p - '0' : (*s->p | 0x20) - 'a' + 10);
	}
	return true;
}

static char unescape(char c)
{
	switch (c) {
	case 'b':
		return '\b';
	case 'f':
		return '\f';
	case 'n':
		return '\n';
	case 'r':
		return '\r';
	case 't':
		return '\t';
	default: /* '"', '\\' and '/' stand for themselves */
		return c;
	}
}

/* After the "\u" of an escape: the code point, joining a surrogate pair. */
static bool scan_code_point(struct scanner *s, unsigned int *u)
{
	unsigned int lo;

	if (!hex4(s, u))
		return false;
	if (*u < 0xd800 || *u >= 0xdc00 || s->end - s->p < 6 || s->p[0] != '\\' || s->p[1] != 'u')
		return true;
	advance(s);
	advance(s);
	if (!hex4(s, &lo))
		return false;
	*u = 0x10000 + ((*u - 0xd800) << 10) + (lo - 0xdc00);
	return true;
}

static int utf8_encode(unsigned int u, char buf[4])
{
	int n = u < 0x80 ? 1 : u < 0x800 ? 2 : u < 0x10000 ? 3 : 4;

	for (int i = n - 1; i > 0; i--, u >>= 6)
		buf[i] = 0x80 | (u & 0x3f);
	buf[0] = n == 1 ? u : (0xff00 >> n & 0xff) | u;
	return n;
}

/* Skips a string; a key is decoded onto the path. */
static bool scan_string(struct scanner *s, bool key)
{
	advance(s);
	while (s->p < s->end && *s->p != '"') {
		unsigned int u;
		char buf[4];
		int n = 1;

		buf[0] = *s->p;
		advance(s);
		if (buf[0] == '\\') {
			if (s->p == s->end)
				return false;
			buf[0] = unescape(*s->p);
			advance(s);
			if (buf[0] == 'u') {
				if (!scan_code_point(s, &u))
					return false;
				n = utf8_encode(u, buf);
			}
		}
		for (int i = 0; key && i < n; i++)
			if (!path_append_key_byte(s, buf[i]))
				return false;
	}
	return eat(s, '"');
}

static bool scan_value(struct scanner *s, const struct cfg_pos *key);

static bool scan_object(struct scanner *s)
{
	advance(s);
	if (eat(s, '}'))
		return true;
	do {
		size_t len = s->path_len;
		struct cfg_pos key;

		skip_blanks(s);
		key = s->pos;
		if (!at(s, '"') || !path_append(s, "/", 1) || !scan_string(s, true) ||
			!eat(s, ':') || !scan_value(s, &key))
			return false;
		s->path_len = len;
	} while (eat(s, ','));
	return eat(s, '}');
}

static bool scan_array(struct scanner *s)
{
	size_t i = 0;

	advance(s);
	if (eat(s, ']'))
		return true;
	do {
		size_t len = s->path_len;
		char seg[24];

		if (!path_append(s, seg, snprintf(seg, sizeof(seg), "/%zu", i++)) ||
			!scan_value(s, NULL))
			return false;
		s->path_len = len;
	} while (eat(s, ','));
	return eat(s, ']');
}

/*
 * Looking for target, the value at s->p: true if scanning goes on into it,
 * false if it is target (the scan stops there).
 */
static bool visit(struct scanner *s, const struct cfg_pos *key)
{
	size_t n = s->path_len;

	if (s->skipping)
		return true;
	if (strlen(s->target) == n && (n == 0 || memcmp(s->target, s->path, n) == 0)) {
		s->found = true;
		s->where = (struct entry){
			.key = key ? *key : (struct cfg_pos){0, 0},
			.value = s->pos,
		};
		return false;
	}
	/* off the path: its content is skipped, not searched */
	if ((n > 0 && strncmp(s->target, s->path, n) != 0) || s->target[n] != '/')
		s->skipping++;
	return true;
}

static bool scan_value(struct scanner *s, const struct cfg_pos *key)
{
	int skipping = s->skipping;
	const char *start;
	bool ok = true;

	skip_blanks(s);
	if (s->p == s->end || !(s->target != NULL ? visit(s, key) : record(s, key)))
		return false;
	switch (*s->p) {
	case '"':
		ok = scan_string(s, false);
		break;
	case '{':
	case '[':
		if (++s->depth > MAX_DEPTH)
			return false;
		ok = *s->p == '{' ? scan_object(s) : scan_array(s);
		s->depth--;
		break;
	default: /* number or literal */
		start = s->p;
		while (s->p < s->end && (isalnum((unsigned char)*s->p) || *s->p == '+' ||
						*s->p == '-' || *s->p == '.'))
			advance(s);
		ok = s->p != start;
	}
	s->skipping = skipping;
	return ok;
}

static int cmp_entries(const void *a, const void *b, void *strings)
{
	const struct entry *x = a, *y = b;
	int c = strcmp((char *)strings + x->ptr, (char *)strings + y->ptr);

	return c != 0 ? c : (x->ptr > y->ptr) - (x->ptr < y->ptr);
}

/*
 * Fills doc->entries from the text. The scanner accepts a superset of JSON,
 * so on a text jansson accepted it only fails for lack of memory; on a
 * rejected text it records the values before the error.
 */
static bool locate_values(struct cfg_doc *doc)
{
	struct scanner s = {
		.doc = doc,
		.p = doc->text,
		.end = doc->text + doc->len,
		.pos = {1, 1},
	};
	bool ok = scan_value(&s, NULL);

	free(s.path);
	qsort_r(doc->entries, doc->n_entries, sizeof(*doc->entries), cmp_entries, doc->strings);
	return ok;
}

/* The position of the value at pointer, by a scan that stops there. */
static bool locate(const struct cfg_doc *doc, const char *pointer, struct entry *where)
{
	struct scanner s;

	if (doc == NULL)
		return false;
	s = (struct scanner){
		.p = doc->text,
		.end = doc->text + doc->len,
		.pos = {1, 1},
		.target = pointer,
	};
	scan_value(&s, NULL);
	free(s.path);
	if (s.found)
		*where = s.where;
	return s.found;
}

/* jansson says which key but not where: the first key seen twice, with its object and key. */
static int duplicate_error(struct cfg_doc *doc)
{
	const struct entry *dup = NULL, *first = NULL;
	const char *ptr, *seg;
	char key[256];
	size_t n = 0;

	locate_values(doc);
	for (size_t i = 1; i < doc->n_entries; i++) {
		const struct entry *e = &doc->entries[i];

		if (strcmp(doc->strings + e->ptr, doc->strings + e[-1].ptr) == 0 &&
			(dup == NULL || e->ptr < dup->ptr)) {
			dup = e;
			first = e - 1;
		}
	}
	if (dup == NULL)
		return 0;
	ptr = doc->strings + dup->ptr;
	seg = strrchr(ptr, '/') + 1;
	for (const char *c = seg; *c != '\0' && n < sizeof(key) - 1; c++)
		key[n++] = *c == '~' ? (*++c == '0' ? '~' : '/') : *c;
	key[n] = '\0';
	return fp_error(EINVAL, "%s:%d:%d: %.*s%sduplicate key '%s' (first at %d:%d)", doc->name,
		dup->key.line, dup->key.col, (int)(seg - 1 - ptr), ptr, seg - 1 > ptr ? ": " : "",
		key, first->key.line, first->key.col);
}

/*
 * jansson quotes the text where a syntax error is ("invalid token near 'root:$6$...'"): the
 * quote is cut, so that no message shows what a file holds. The position stays.
 */
static void cut_quote(char *text)
{
	char *near = strstr(text, " near '");

	if (near != NULL)
		*near = '\0';
}

/* Takes text, which must be malloc'ed. */
static int load(const char *name, char *text, size_t len, struct cfg_doc **out)
{
	struct cfg_doc *doc = calloc(1, sizeof(*doc));
	json_error_t err;
	int ret;

	if (doc == NULL || (doc->name = strdup(name)) == NULL) {
		free(doc);
		free(text);
		return fp_error(ENOMEM, "%s: out of memory", name);
	}
	doc->text = text;
	doc->len = len;
	/* DECODE_ANY: a scalar root gets the same message as an array, below */
	doc->root = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &err);
	if (doc->root == NULL) {
		ret = 0;
		if (json_error_code(&err) == json_error_duplicate_key)
			ret = duplicate_error(doc);
		if (ret == 0) {
			cut_quote(err.text);
			ret = fp_error(EINVAL, "%s:%d:%d: syntax error: %s", name, err.line,
				err.column, err.text);
		}
		goto fail;
	}
	if (!json_is_object(doc->root)) {
		struct entry root;

		locate(doc, "", &root);
		ret = fp_error(EINVAL, "%s:%d:%d: the configuration must be an object, not %s",
			name, root.value.line, root.value.col,
			cfg_type_name(json_typeof(doc->root)));
		goto fail;
	}
	*out = doc;
	return 0;
fail:
	cfg_doc_free(doc);
	return ret;
}

int cfg_doc_load_string(const char *name, const char *text, struct cfg_doc **out)
{
	char *copy = strdup(text);

	if (copy == NULL)
		return fp_error(ENOMEM, "%s: out of memory", name);
	return load(name, copy, strlen(copy), out);
}

static int too_big(const char *name)
{
	return fp_error(EFBIG, "%s: bigger than %d MiB", name, CFG_DOC_MAX_BYTES >> 20);
}

int cfg_doc_load_fd(int fd, const char *name, struct cfg_doc **out)
{
	size_t len = 0, cap = 0;
	char *text = NULL, *p;
	struct stat st;
	size_t room;
	ssize_t n;

	/* a regular file too big is refused unread */
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > CFG_DOC_MAX_BYTES)
		return too_big(name);
	for (;;) {
		p = reserve(text, &cap, len + 65536, 1);
		if (p == NULL) {
			free(text);
			return fp_error(ENOMEM, "%s: out of memory", name);
		}
		text = p;
		/* one byte more than allowed tells a text too big (a file that grew, /dev/zero) */
		room = cap - len;
		if (room > (size_t)CFG_DOC_MAX_BYTES + 1 - len)
			room = (size_t)CFG_DOC_MAX_BYTES + 1 - len;
		n = read(fd, text + len, room);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			free(text);
			return fp_error(errno, "%s: %s", name, strerror(errno));
		}
		if (n == 0)
			break;
		len += n;
		if (len > CFG_DOC_MAX_BYTES) {
			free(text);
			return too_big(name);
		}
	}
	return load(name, text, len, out);
}

int cfg_doc_load_file(const char *path, struct cfg_doc **out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return fp_error(errno, "%s: %s", path, strerror(errno));
	ret = cfg_doc_load_fd(fd, path, out);
	close(fd);
	return ret;
}

json_t *cfg_doc_root(const struct cfg_doc *doc)
{
	return doc->root;
}

void cfg_doc_set_from_client(struct cfg_doc *doc)
{
	doc->from_client = true;
}

bool cfg_doc_from_client(const struct cfg_doc *doc)
{
	return doc != NULL && doc->from_client;
}

const char *cfg_doc_name(const struct cfg_doc *doc)
{
	return doc->name;
}

void cfg_doc_free(struct cfg_doc *doc)
{
	bool large;

	if (doc == NULL)
		return;
	large = doc->len >= LARGE_DOC;
	json_decref(doc->root);
	free(doc->text);
	free(doc->entries);
	free(doc->strings);
	free(doc->name);
	free(doc);
	/* the tree's small blocks are free but stay resident until given back */
	if (large)
		malloc_trim(0);
}

bool cfg_doc_value_pos(const struct cfg_doc *doc, const char *pointer, struct cfg_pos *pos)
{
	struct entry e;

	if (!locate(doc, pointer, &e))
		return false;
	*pos = e.value;
	return true;
}

bool cfg_doc_key_pos(const struct cfg_doc *doc, const char *pointer, struct cfg_pos *pos)
{
	struct entry e;

	if (!locate(doc, pointer, &e) || e.key.line == 0)
		return false;
	*pos = e.key;
	return true;
}
