/* SPDX-License-Identifier: BSD-3-Clause */
#include "config/config.h"
#include "base/fp_error.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

static struct cfg_doc *load(const char *text)
{
	struct cfg_doc *doc = NULL;

	if (cfg_doc_load_string("t.json", text, &doc) < 0)
		fail_msg("%s", fp_errmsg());
	return doc;
}

#define assert_error(ret, msg)                                                                     \
	do {                                                                                       \
		assert_true((ret) < 0);                                                            \
		assert_string_equal(fp_errmsg(), msg);                                             \
	} while (0)

/* The message jansson gives for text, as the loader should pass it on: without the text quoted. */
static void assert_jansson_error(const char *text)
{
	struct cfg_doc *doc = NULL;
	char expected[512], *near;
	json_error_t err;

	assert_null(json_loads(text, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &err));
	near = strstr(err.text, " near '");
	if (near != NULL)
		*near = '\0';
	snprintf(expected, sizeof(expected), "t.json:%d:%d: syntax error: %s", err.line, err.column,
		err.text);
	assert_error(cfg_doc_load_string("t.json", text, &doc), expected);
	assert_null(doc);
}

static void test_syntax_errors(void **state)
{
	struct cfg_doc *doc = NULL;

	(void)state;
	assert_error(cfg_doc_load_string("t.json", "{\n  \"a\": 1\n  \"b\": 2\n}", &doc),
		"t.json:3:5: syntax error: '}' expected");
	/* no message shows the text: what /etc/shadow holds stays there */
	assert_error(cfg_doc_load_string("shadow", "root:$y$j9T$secret:19000:0:99999:7:::\n", &doc),
		"shadow:1:4: syntax error: invalid token");
	assert_error(cfg_doc_load_string("t.json", "{\"a\": \"secret", &doc),
		"t.json:1:13: syntax error: premature end of input");
	assert_jansson_error("{\"a\": [1, 2 3]}");
	assert_jansson_error("{\"a\": 1}\n\n  garbage");
	assert_jansson_error("{\"a\": \"abc");
	assert_jansson_error("{\"a\": \"abc\n\"}");
	assert_jansson_error("{\"\xc3\xa9\xc3\xa9\": x}");
	assert_jansson_error("");
	/* a duplicate key seen before its value: no position of our own for it */
	assert_jansson_error("{\"a\": 1, \"a\"}");
	assert_null(doc);
}

static void test_root_not_object(void **state)
{
	struct cfg_doc *doc = NULL;

	(void)state;
	assert_error(cfg_doc_load_string("t.json", "[1, 2]", &doc),
		"t.json:1:1: the configuration must be an object, not an array");
	assert_error(cfg_doc_load_string("t.json", "\n  42 ", &doc),
		"t.json:2:3: the configuration must be an object, not an integer");
	assert_null(doc);
}

static void test_duplicate_keys(void **state)
{
	struct cfg_doc *doc = NULL;

	(void)state;
	assert_error(cfg_doc_load_string("t.json", "{\"a\": 1, \"a\": 2}", &doc),
		"t.json:1:10: duplicate key 'a' (first at 1:2)");
	assert_error(
		cfg_doc_load_string("t.json",
			"{\n \"b\": [{\"a\": {\"x\": 1},\n \"a\": {\"x\": 1}, \"a\": 3}]}", &doc),
		"t.json:3:2: /b/0: duplicate key 'a' (first at 2:9)");
	/* same key spelled two ways */
	assert_error(
		cfg_doc_load_string("t.json", "{\"x\": {\"a/b~\": 1, \"a\\u002fb~\": 2}}", &doc),
		"t.json:1:19: /x: duplicate key 'a/b~' (first at 1:8)");
	assert_null(doc);
}

static void assert_pos(const struct cfg_doc *doc, const char *ptr, int vl, int vc, int kl, int kc)
{
	struct cfg_pos pos;

	assert_true(cfg_doc_value_pos(doc, ptr, &pos));
	assert_int_equal(pos.line, vl);
	assert_int_equal(pos.col, vc);
	if (kl == 0) {
		assert_false(cfg_doc_key_pos(doc, ptr, &pos));
		return;
	}
	assert_true(cfg_doc_key_pos(doc, ptr, &pos));
	assert_int_equal(pos.line, kl);
	assert_int_equal(pos.col, kc);
}

static void test_positions(void **state)
{
	struct cfg_doc *doc = load("{\n"
				   "\t\"ports\": [\n"
				   "\t\t{\"name\": \"p\\\"0\", \"mtu\": 1500},\n"
				   "\t\t[true, null, -1.5e3, {}]\n"
				   "\t],\n"
				   "\t\"a/b\": {\"m~n\": \"\xc3\xa9t\xc3\xa9\", \"x\": 1},\n"
				   "\t\"\\u00e9\\\"\\u20ac\\ud83d\\ude00\": [], \"\": 0\n"
				   "}\n");
	struct cfg_pos pos;

	(void)state;
	assert_pos(doc, "", 1, 1, 0, 0);
	assert_pos(doc, "/ports", 2, 11, 2, 2);
	assert_pos(doc, "/ports/0", 3, 3, 0, 0);
	assert_pos(doc, "/ports/0/name", 3, 12, 3, 4);
	assert_pos(doc, "/ports/0/mtu", 3, 27, 3, 20);
	assert_pos(doc, "/ports/1", 4, 3, 0, 0);
	assert_pos(doc, "/ports/1/0", 4, 4, 0, 0);
	assert_pos(doc, "/ports/1/1", 4, 10, 0, 0);
	assert_pos(doc, "/ports/1/2", 4, 16, 0, 0);
	assert_pos(doc, "/ports/1/3", 4, 24, 0, 0);
	assert_pos(doc, "/a~1b", 6, 9, 6, 2);
	assert_pos(doc, "/a~1b/m~0n", 6, 17, 6, 10);
	/* "été" is 3 columns, as jansson counts */
	assert_pos(doc, "/a~1b/x", 6, 29, 6, 24);
	assert_pos(doc, "/\xc3\xa9\"\xe2\x82\xac\xf0\x9f\x98\x80", 7, 32, 7, 2);
	assert_pos(doc, "/", 7, 40, 7, 36);
	assert_false(cfg_doc_value_pos(doc, "/ports/2", &pos));
	assert_false(cfg_doc_value_pos(doc, "/a/b", &pos));
	assert_false(cfg_doc_value_pos(NULL, "", &pos));
	cfg_doc_free(doc);
}

/* Our columns agree with jansson's where a UTF-8 text makes bytes and characters differ. */
static void test_positions_utf8_like_jansson(void **state)
{
	struct cfg_doc *doc = load("{\"\xc3\xa9\xe2\x82\xac\": \"\xf0\x9f\x98\x80\", \"k\": 1}");
	struct cfg_pos pos;
	json_error_t err;

	(void)state;
	assert_null(
		json_loads("{\"\xc3\xa9\xe2\x82\xac\": \"\xf0\x9f\x98\x80\", \"k\": x}", 0, &err));
	assert_true(cfg_doc_value_pos(doc, "/k", &pos));
	assert_int_equal(pos.line, err.line);
	assert_int_equal(pos.col, err.column);
	cfg_doc_free(doc);
}

static void test_load_file(void **state)
{
	char path[] = "/tmp/test_config_XXXXXX";
	struct cfg_doc *doc = NULL;
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");
	char expected[512];

	(void)state;
	assert_non_null(f);
	fputs("{\n  \"a\": [1,\n}\n", f);
	fclose(f);
	snprintf(expected, sizeof(expected), "%s:3:1: syntax error: unexpected token", path);
	assert_error(cfg_doc_load_file(path, &doc), expected);

	f = fopen(path, "w");
	fputs("{\n  \"a\": [1]\n}\n", f);
	fclose(f);
	assert_int_equal(cfg_doc_load_file(path, &doc), 0);
	assert_string_equal(cfg_doc_name(doc), path);
	assert_int_equal(
		json_integer_value(json_array_get(json_object_get(cfg_doc_root(doc), "a"), 0)), 1);
	cfg_doc_free(doc);
	unlink(path);

	doc = NULL;
	snprintf(expected, sizeof(expected), "%s: No such file or directory", path);
	assert_int_equal(cfg_doc_load_file(path, &doc), -ENOENT);
	assert_string_equal(fp_errmsg(), expected);
	assert_null(doc);

	/* bounded: a file bigger than the cap is refused unread, a text without end at the cap */
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_int_equal(ftruncate(fd, CFG_DOC_MAX_BYTES + 1), 0);
	close(fd);
	snprintf(expected, sizeof(expected), "%s: bigger than 256 MiB", path);
	assert_error(cfg_doc_load_file(path, &doc), expected);
	unlink(path);
	assert_error(cfg_doc_load_file("/dev/zero", &doc), "/dev/zero: bigger than 256 MiB");
	assert_null(doc);
}

static void test_deep_nesting(void **state)
{
	enum { DEPTH = 2047 }; /* plus the root object: jansson's limit */
	char *text = malloc(2 * DEPTH + 16), *p = text, ptr[2 * DEPTH + 8];
	struct cfg_doc *doc;
	struct cfg_pos pos;

	(void)state;
	p += sprintf(p, "{\"a\":");
	memset(p, '[', DEPTH);
	p += DEPTH;
	memset(p, ']', DEPTH);
	strcpy(p + DEPTH, "}");
	doc = load(text);
	strcpy(ptr, "/a");
	for (int i = 1; i < DEPTH; i++)
		strcat(ptr, "/0");
	assert_true(cfg_doc_value_pos(doc, ptr, &pos));
	assert_int_equal(pos.col, 5 + DEPTH);
	cfg_doc_free(doc);
	free(text);
}

static const char ports_doc[] = "{\n"
				"  \"ports\": [\n"
				"    {\n"
				"      \"name\": \"p0\",\n"
				"      \"mtuu\": 1500,\n"
				"      \"mtu\": \"1500\",\n"
				"      \"speed\": 10,\n"
				"      \"up\": true,\n"
				"      \"mode\": \"c\",\n"
				"      \"mac\": \"02:00:00:00:00\",\n"
				"      \"ip\": \"10.0.0.256\",\n"
				"      \"prefix\": \"10.0.0.1/8\",\n"
				"      \"list\": [\"a\", 2]\n"
				"    },\n"
				"    {\"name\": \"p1\"},\n"
				"    {\"name\": \"p0\"}\n"
				"  ]\n"
				"}\n";

/* ctx at /ports/0, on which the getters are tried */
static const json_t *port0(struct cfg_ctx *ctx, const struct cfg_doc *doc)
{
	cfg_ctx_init(ctx, doc);
	cfg_push_key(ctx, "ports");
	cfg_push_index(ctx, 0);
	return json_array_get(json_object_get(cfg_doc_root(doc), "ports"), 0);
}

static void test_check_keys(void **state)
{
	static const char *const near_keys[] = {"name", "mtu", NULL};
	static const char *const far_keys[] = {"name", "dev", NULL};
	struct cfg_doc *doc = load(ports_doc);
	struct cfg_ctx ctx;
	const json_t *p = port0(&ctx, doc);

	(void)state;
	assert_error(cfg_check_keys(&ctx, p, near_keys),
		"t.json:5:7: /ports/0: unknown key 'mtuu' (did you mean 'mtu'?)");
	assert_error(cfg_check_keys(&ctx, p, far_keys),
		"t.json:5:7: /ports/0: unknown key 'mtuu' (expected 'name', 'dev')");
	assert_string_equal(ctx.path, "/ports/0");
	cfg_push_key(&ctx, "name");
	assert_error(cfg_check_keys(&ctx, json_object_get(p, "name"), near_keys),
		"t.json:4:15: /ports/0/name: must be an object, not a string");
	cfg_pop(&ctx);
	cfg_pop(&ctx);
	cfg_push_index(&ctx, 1);
	assert_int_equal(
		cfg_check_keys(&ctx, json_array_get(json_object_get(cfg_doc_root(doc), "ports"), 1),
			far_keys),
		0);
	cfg_ctx_fini(&ctx);
	cfg_doc_free(doc);
}

static void test_getters(void **state)
{
	static const char *const modes[] = {"a", "b", NULL};
	struct cfg_doc *doc = load(ports_doc);
	struct fp_ip4_prefix prefix;
	struct fp_ip_addr any;
	struct cfg_ctx ctx;
	const json_t *p = port0(&ctx, doc);
	const char *s = "untouched";
	uint64_t u = 42;
	struct fp_mac mac;
	json_t *list;
	bool b = false;
	uint32_t ip;
	int mode;

	(void)state;
	assert_int_equal(cfg_get_string(&ctx, p, "name", true, &s), 1);
	assert_string_equal(s, "p0");
	assert_int_equal(cfg_get_string(&ctx, p, "descr", false, &s), 0);
	assert_string_equal(s, "p0");
	assert_error(cfg_get_string(&ctx, p, "descr", true, &s),
		"t.json:3:5: /ports/0: missing key 'descr'");
	assert_error(cfg_get_uint(&ctx, p, "mtu", true, 68, 9216, &u),
		"t.json:6:14: /ports/0/mtu: 'mtu' must be an integer, not a string");
	assert_error(cfg_get_uint(&ctx, p, "speed", true, 100, 400000, &u),
		"t.json:7:16: /ports/0/speed: 'speed' must be between 100 and 400000, not 10");
	assert_int_equal(cfg_get_uint(&ctx, p, "speed", true, 10, 10, &u), 1);
	assert_int_equal(u, 10);
	assert_int_equal(cfg_get_bool(&ctx, p, "up", true, &b), 1);
	assert_true(b);
	assert_error(cfg_get_bool(&ctx, p, "name", true, &b),
		"t.json:4:15: /ports/0/name: 'name' must be a boolean, not a string");
	assert_error(cfg_get_enum(&ctx, p, "mode", true, modes, &mode),
		"t.json:9:15: /ports/0/mode: 'mode' must be one of 'a', 'b', not 'c'");
	assert_error(cfg_get_mac(&ctx, p, "mac", true, &mac),
		"t.json:10:14: /ports/0/mac: '02:00:00:00:00' is not a MAC address "
		"(expected xx:xx:xx:xx:xx:xx)");
	assert_error(cfg_get_ip4(&ctx, p, "ip", true, &ip),
		"t.json:11:13: /ports/0/ip: '10.0.0.256' is not an IPv4 address");
	assert_error(cfg_get_ip(&ctx, p, "ip", true, &any),
		"t.json:11:13: /ports/0/ip: '10.0.0.256' is not an IPv4 or IPv6 address");
	assert_error(cfg_get_ip(&ctx, p, "speed", true, &any),
		"t.json:7:16: /ports/0/speed: 'speed' must be a string, not an integer");
	assert_int_equal(cfg_get_ip(&ctx, p, "nope", false, &any), 0);
	assert_error(cfg_get_ip4_prefix(&ctx, p, "prefix", true, false, &prefix),
		"t.json:12:17: /ports/0/prefix: '10.0.0.1/8' has host bits set "
		"(did you mean 10.0.0.0/8?)");
	assert_int_equal(cfg_get_ip4_prefix(&ctx, p, "prefix", true, true, &prefix), 1);
	assert_int_equal(prefix.addr, htonl(0x0a000001));
	assert_int_equal(prefix.len, 8);
	assert_error(cfg_get_object(&ctx, p, "list", true, &list),
		"t.json:13:15: /ports/0/list: 'list' must be an object, not an array");
	assert_int_equal(cfg_get_array(&ctx, p, "list", true, &list), 1);
	cfg_push_key(&ctx, "list");
	cfg_push_index(&ctx, 1);
	assert_error(cfg_check_type(&ctx, json_array_get(list, 1), JSON_STRING),
		"t.json:13:21: /ports/0/list/1: must be a string, not an integer");
	cfg_pop(&ctx);
	cfg_pop(&ctx);
	/* every error left the path where it was */
	assert_string_equal(ctx.path, "/ports/0");
	cfg_ctx_fini(&ctx);
	cfg_doc_free(doc);
}

static void test_no_doc(void **state)
{
	json_t *obj = json_pack("{s:s, s:{s:i}}", "name", "p0", "mtu", "x", 1);
	struct cfg_ctx ctx;
	uint64_t u;

	(void)state;
	cfg_ctx_init(&ctx, NULL);
	assert_error(cfg_get_uint(&ctx, obj, "mtu", true, 0, 10, &u),
		"/mtu: 'mtu' must be an integer, not an object");
	assert_error(cfg_err(&ctx, EINVAL, "bad %d", 1), "bad 1");
	assert_error(cfg_err_key(&ctx, "name", EINVAL, "nope"), "nope");
	cfg_push_key(&ctx, "ports");
	cfg_push_index(&ctx, 3);
	assert_error(cfg_err(&ctx, EINVAL, "bad"), "/ports/3: bad");
	cfg_ctx_fini(&ctx);
	json_decref(obj);
}

static void test_path(void **state)
{
	char long_key[600];
	struct cfg_ctx ctx;

	(void)state;
	cfg_ctx_init(&ctx, NULL);
	cfg_push_key(&ctx, "a/b~c");
	cfg_push_index(&ctx, 12);
	assert_string_equal(ctx.path, "/a~1b~0c/12");
	memset(long_key, 'k', sizeof(long_key) - 1);
	long_key[sizeof(long_key) - 1] = '\0';
	/* too long for the path: pushes and pops still pair up */
	cfg_push_key(&ctx, long_key);
	cfg_push_key(&ctx, "x");
	assert_string_equal(ctx.path, "/a~1b~0c/12");
	cfg_pop(&ctx);
	cfg_pop(&ctx);
	cfg_push_key(&ctx, "y");
	assert_string_equal(ctx.path, "/a~1b~0c/12/y");
	cfg_pop(&ctx);
	cfg_pop(&ctx);
	cfg_pop(&ctx);
	assert_string_equal(ctx.path, "");
	cfg_ctx_fini(&ctx);
}

static void test_declare(void **state)
{
	struct cfg_doc *doc = load(ports_doc);
	json_t *ports = json_object_get(cfg_doc_root(doc), "ports");
	struct cfg_ctx ctx;
	const char *name;
	size_t i;
	int ret = 0;

	(void)state;
	cfg_ctx_init(&ctx, doc);
	cfg_push_key(&ctx, "ports");
	for (i = 0; ret == 0 && i < json_array_size(ports); i++) {
		cfg_push_index(&ctx, i);
		cfg_push_key(&ctx, "name");
		name = json_string_value(json_object_get(json_array_get(ports, i), "name"));
		ret = cfg_declare(&ctx, "iface", name);
		cfg_pop(&ctx);
		cfg_pop(&ctx);
	}
	assert_error(ret, "t.json:16:14: /ports/2/name: duplicate iface 'p0' (first at 4:15)");
	assert_int_equal(ret, -EEXIST);
	assert_true(cfg_is_declared(&ctx, "iface", "p1"));
	assert_false(cfg_is_declared(&ctx, "iface", "p2"));
	assert_false(cfg_is_declared(&ctx, "route", "p1"));
	assert_int_equal(cfg_declare(&ctx, "route", "p0"), 0);
	cfg_ctx_fini(&ctx);
	cfg_doc_free(doc);

	/* API objects: no positions; names seeded from the running state */
	cfg_ctx_init(&ctx, NULL);
	assert_false(cfg_is_declared(&ctx, "iface", "p0"));
	assert_int_equal(cfg_declare(&ctx, "iface", "p0"), 0);
	cfg_push_key(&ctx, "name");
	assert_error(cfg_declare(&ctx, "iface", "p0"), "/name: iface 'p0' already exists");
	assert_int_equal(cfg_declare(&ctx, "iface", "p1"), 0);
	cfg_pop(&ctx);
	cfg_push_key(&ctx, "other");
	assert_error(
		cfg_declare(&ctx, "iface", "p1"), "/other: duplicate iface 'p1' (first at /name)");
	cfg_ctx_fini(&ctx);
}

/* Two fake sections, registered in the reverse of their order. */
static char calls[256];
static bool beta_fails;

static void called(const char *what)
{
	strcat(calls, what);
	strcat(calls, " ");
}

static int alpha_parse(struct cfg_ctx *ctx, const json_t *value, void **parsed)
{
	static const char *const keys[] = {"name", NULL};
	const char *name;
	int ret;

	called("parse-alpha");
	if ((ret = cfg_check_keys(ctx, value, keys)) < 0 ||
		(ret = cfg_get_string(ctx, value, "name", true, &name)) < 0)
		return ret;
	cfg_push_key(ctx, "name");
	ret = cfg_declare(ctx, "iface", name);
	cfg_pop(ctx);
	if (ret < 0)
		return ret;
	*parsed = strdup(name);
	return 0;
}

static int alpha_apply(void *parsed)
{
	called("apply-alpha");
	called(parsed);
	return 0;
}

static void alpha_free(void *parsed)
{
	called("free-alpha");
	free(parsed);
}

static json_t *alpha_dump(void)
{
	return json_pack("{s:s}", "name", "p0");
}

static int beta_parse(struct cfg_ctx *ctx, const json_t *value, void **parsed)
{
	static const char *const keys[] = {"dev", NULL};
	const char *dev;
	int ret;

	called("parse-beta");
	if ((ret = cfg_check_keys(ctx, value, keys)) < 0 ||
		(ret = cfg_get_string(ctx, value, "dev", true, &dev)) < 0)
		return ret;
	if (!cfg_is_declared(ctx, "iface", dev)) {
		cfg_push_key(ctx, "dev");
		ret = cfg_err(ctx, ENODEV, "unknown iface '%s'", dev);
		cfg_pop(ctx);
		return ret;
	}
	*parsed = NULL;
	return 0;
}

static int beta_apply(void *parsed)
{
	(void)parsed;
	called("apply-beta");
	return beta_fails ? fp_error(EBUSY, "device busy") : 0;
}

static struct cfg_section beta = {
	.key = "tst_beta",
	.order = 1001,
	.parse = beta_parse,
	.apply = beta_apply,
};
CFG_SECTION_REGISTER(beta)

static struct cfg_section alpha = {
	.key = "tst_alpha",
	.order = 1000,
	.parse = alpha_parse,
	.apply = alpha_apply,
	.free = alpha_free,
	.dump = alpha_dump,
};
CFG_SECTION_REGISTER(alpha)

static int parse(const char *text, struct cfg_parsed **p)
{
	struct cfg_doc *doc = load(text);
	int ret;

	calls[0] = '\0';
	*p = NULL;
	ret = cfg_parse_doc(doc, p);
	cfg_doc_free(doc);
	return ret;
}

static void test_sections(void **state)
{
	struct cfg_parsed *p;

	(void)state;
	assert_ptr_equal(cfg_section_find("tst_alpha"), &alpha);
	assert_null(cfg_section_find("tst_gamma"));

	assert_int_equal(
		parse("{\"tst_beta\": {\"dev\": \"p0\"}, \"tst_alpha\": {\"name\": \"p0\"}}", &p),
		0);
	assert_string_equal(calls, "parse-alpha parse-beta ");
	assert_string_equal(cfg_parsed_get(p, "tst_alpha"), "p0");
	assert_null(cfg_parsed_get(p, "tst_beta"));
	calls[0] = '\0';
	beta_fails = false;
	assert_int_equal(cfg_apply(p), 0);
	assert_string_equal(calls, "apply-alpha p0 apply-beta ");
	calls[0] = '\0';
	beta_fails = true;
	assert_error(cfg_apply(p), "/tst_beta: device busy");
	assert_string_equal(calls, "apply-alpha p0 apply-beta ");
	calls[0] = '\0';
	cfg_parsed_free(p);
	assert_string_equal(calls, "free-alpha ");

	/* absent sections are neither parsed nor applied */
	assert_int_equal(parse("{\"tst_beta\": {\"dev\": \"p0\"}}", &p), -ENODEV);
	assert_string_equal(fp_errmsg(), "t.json:1:22: /tst_beta/dev: unknown iface 'p0'");
	assert_string_equal(calls, "parse-beta ");
	assert_null(p);

	/* a failed parse frees the sections parsed before */
	assert_int_equal(
		parse("{\"tst_alpha\": {\"name\": \"p0\"},\n \"tst_beta\": {\"dev\": \"p1\"}}", &p),
		-ENODEV);
	assert_string_equal(fp_errmsg(), "t.json:2:22: /tst_beta/dev: unknown iface 'p1'");
	assert_string_equal(calls, "parse-alpha parse-beta free-alpha ");

	assert_int_equal(parse("{}", &p), 0);
	assert_null(cfg_parsed_get(p, "tst_alpha"));
	assert_int_equal(cfg_apply(p), 0);
	assert_string_equal(calls, "");
	cfg_parsed_free(p);
}

static void test_unknown_section(void **state)
{
	struct cfg_parsed *p;

	(void)state;
	assert_int_equal(
		parse("{\"tst_alpha\": {\"name\": \"p0\"},\n  \"tst_alpah\": {}}", &p), -EINVAL);
	assert_string_equal(
		fp_errmsg(), "t.json:2:3: unknown key 'tst_alpah' (did you mean 'tst_alpha'?)");
	assert_string_equal(calls, "");
	assert_null(p);
}

static void test_dump(void **state)
{
	json_t *dump = cfg_dump();

	(void)state;
	assert_non_null(dump);
	/* other sections of the daemon may be linked in: only ours are checked */
	assert_string_equal(
		json_string_value(json_object_get(json_object_get(dump, "tst_alpha"), "name")),
		"p0");
	assert_null(json_object_get(dump, "tst_beta"));
	json_decref(dump);
}

/* The routes section (lib/fib/route_config.c), parsed from documents as fastpathd reads them. */

static const char routes_head[] = "{\"ports\": [{\"name\": \"p0\", \"driver\": \"null\"}],\n"
				  " \"routes\": [\n";

/* routes_head, then one route a line (line 3 + i), "prefix" values at column 14. */
static char *routes_doc(size_t n, size_t (*line)(size_t i, char *buf, size_t size))
{
	size_t cap = sizeof(routes_head) + n * 96 + 8, len;
	char *text = malloc(cap);

	assert_non_null(text);
	len = snprintf(text, cap, "%s", routes_head);
	for (size_t i = 0; i < n; i++) {
		len += line(i, text + len, cap - len);
		len += snprintf(text + len, cap - len, "%s\n", i + 1 < n ? "," : "");
	}
	snprintf(text + len, cap - len, " ]}\n");
	return text;
}

/* The number of the i-th /24: distinct ones, not in order, so that sorting has work to do. */
static uint32_t scattered(size_t i)
{
	return (uint32_t)(i * 40503u % (1u << 22)) + (1u << 16); /* from 1.0.0.0/24 */
}

static size_t valid_route(size_t i, char *buf, size_t size)
{
	uint32_t a = scattered(i);

	return snprintf(buf, size, "  {\"prefix\": \"%u.%u.%u.0/24\", \"via\": \"192.0.2.%zu\"}",
		a >> 16, (a >> 8) & 0xff, a & 0xff, 2 + i % 3);
}

/* Routes that route_line() writes otherwise: two repeats of earlier ones, a bad one. */
static size_t dup_at[2], dup_of[2], bad_at;

static size_t route_line(size_t i, char *buf, size_t size)
{
	if (i == bad_at)
		return snprintf(
			buf, size, "  {\"prefix\": \"10.0.0.1/8\", \"via\": \"192.0.2.2\"}");
	for (int k = 0; k < 2; k++)
		if (i == dup_at[k])
			return valid_route(dup_of[k], buf, size);
	return valid_route(i, buf, size);
}

static int parse_routes(size_t n, size_t dup, size_t first, size_t bad)
{
	struct cfg_parsed *p = NULL;
	char *text;
	int ret;

	dup_at[0] = dup;
	dup_of[0] = first;
	bad_at = bad;
	text = routes_doc(n, route_line);
	ret = parse(text, &p);
	free(text);
	cfg_parsed_free(p);
	return ret;
}

static void assert_duplicate(size_t dup, size_t first)
{
	char pfx[FP_IP4_PREFIXSTRLEN], msg[256];
	uint32_t a = scattered(first);

	snprintf(pfx, sizeof(pfx), "%u.%u.%u.0/24", a >> 16, (a >> 8) & 0xff, a & 0xff);
	snprintf(msg, sizeof(msg),
		"t.json:%zu:14: /routes/%zu/prefix: duplicate route 'vrf 0 %s' (first at %zu:14)",
		dup + 3, dup, pfx, first + 3);
	assert_string_equal(fp_errmsg(), msg);
}

/* A million routes: parsed in seconds, a duplicate found with both positions. */
static void test_routes_million(void **state)
{
	enum { N = 1000000 };
	struct timespec t0, t1;

	(void)state;
	dup_at[1] = SIZE_MAX;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (parse_routes(N, SIZE_MAX, 0, SIZE_MAX) != 0)
		fail_msg("%s", fp_errmsg());
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("[   INFO   ] %d routes loaded and validated in %.2f s\n", N,
		t1.tv_sec - t0.tv_sec + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	assert_int_equal(parse_routes(N, N - 1, 3, SIZE_MAX), -EEXIST);
	assert_duplicate(N - 1, 3);
}

/* Errors come in document order, whatever the order the duplicates are found in. */
static void test_routes_error_order(void **state)
{
	enum { N = 1000 };
	struct cfg_parsed *p;

	(void)state;
	/* route 700 repeats route 500, which sorts first; route 600 repeats 100: 600 comes first */
	assert_true(scattered(500) < scattered(100));
	dup_at[1] = 700;
	dup_of[1] = 500;
	assert_int_equal(parse_routes(N, 600, 100, SIZE_MAX), -EEXIST);
	assert_duplicate(600, 100);
	/* a bad route before the duplicates is reported, one after them is not */
	assert_int_equal(parse_routes(N, 600, 100, 550), -EINVAL);
	assert_string_equal(fp_errmsg(), "t.json:553:14: /routes/550/prefix: '10.0.0.1/8' has host "
					 "bits set (did you mean 10.0.0.0/8?)");
	assert_int_equal(parse_routes(N, 600, 100, 650), -EEXIST);
	assert_duplicate(600, 100);
	dup_at[1] = SIZE_MAX;
	/* the same prefix in another VRF or with another length is another route */
	assert_int_equal(
		parse("{\"routes\": [{\"prefix\": \"10.0.0.0/8\", \"type\": \"blackhole\"},"
		      "{\"prefix\": \"10.0.0.0/8\", \"vrf\": 1, \"type\": \"blackhole\"},"
		      "{\"prefix\": \"10.0.0.0/9\", \"type\": \"blackhole\"}]}",
			&p),
		0);
	cfg_parsed_free(p);
}

static void assert_route_error(const char *route, const char *msg)
{
	char text[512];
	struct cfg_parsed *p = NULL;

	snprintf(text, sizeof(text), "%s  %s\n ]}", routes_head, route);
	assert_true(parse(text, &p) < 0);
	assert_string_equal(fp_errmsg(), msg);
	assert_null(p);
}

/* The shorthands report their errors where the value is. */
static void test_routes_shorthand_errors(void **state)
{
	(void)state;
	assert_route_error("{\"prefix\": \"10.0.0.0/8\", \"via\": \"192.0.2.300\"}",
		"t.json:3:35: /routes/0/via: '192.0.2.300' is not an IPv4 address");
	assert_route_error("{\"prefix\": \"10.0.0.0/8\", \"via\": [\"192.0.2.3\", \"x\"]}",
		"t.json:3:49: /routes/0/via/1: 'x' is not an IPv4 address");
	assert_route_error("{\"prefix\": \"10.0.0.0/8\", \"via\": [\"192.0.2.3\", 5]}",
		"t.json:3:49: /routes/0/via/1: 'via' must be an address or a list of them");
	assert_route_error("{\"prefix\": \"10.0.0.0/8\", \"via\": null}",
		"t.json:3:35: /routes/0/via: a next hop needs 'via' or 'dev'");
	assert_route_error("{\"prefix\": \"10.0.0.0/8\", \"via\": \"192.0.2.3\", \"dev\": \"p9\"}",
		"t.json:3:55: /routes/0/dev: no interface 'p9'");
	assert_route_error("{\"prefix\": \"10.0.0.0/8\", \"nexthops\": [{\"via\": \"192.0.2.3\"}, "
			   "{\"weight\": 2}]}",
		"t.json:3:63: /routes/0/nexthops/1: a next hop needs 'via' or 'dev'");
}

/* IPv6 routes: the same schema; errors at their value, the family's named. */
static void test_routes_ipv6(void **state)
{
	struct cfg_parsed *p = NULL;

	(void)state;
	assert_int_equal(
		parse("{\"ports\": [{\"name\": \"p0\", \"driver\": \"null\"}],"
		      " \"routes\": [{\"prefix\": \"2001:db8:1::/48\", \"via\": \"2001:db8::2\"},"
		      "{\"prefix\": \"2001:db8:2::/48\", \"via\": [\"2001:db8::2\", \"fe80::1\"],"
		      " \"dev\": \"p0\"},"
		      "{\"prefix\": \"::/0\", \"nexthops\": [{\"via\": \"fe80::1\", \"dev\": "
		      "\"p0\","
		      " \"weight\": 2}, {\"dev\": \"p0\"}]},"
		      "{\"prefix\": \"2001:db8:3::/48\", \"type\": \"blackhole\", \"vrf\": 2},"
		      "{\"prefix\": \"10.0.0.0/8\", \"via\": \"10.0.0.1\"}]}",
			&p),
		0);
	cfg_parsed_free(p);
	assert_route_error("{\"prefix\": \"2001:db8::/32\", \"via\": \"10.0.0.1\"}",
		"t.json:3:38: /routes/0/via: '10.0.0.1' is an IPv4 address, not IPv6");
	assert_route_error(
		"{\"prefix\": \"10.0.0.0/8\", \"nexthops\": [{\"via\": \"2001:db8::1\"}]}",
		"t.json:3:49: /routes/0/nexthops/0/via: '2001:db8::1' is an IPv6 address, not "
		"IPv4");
	assert_route_error(
		"{\"prefix\": \"2001:db8::/32\", \"via\": [\"2001:db8::1\", \"fe80::1\"]}",
		"t.json:3:54: /routes/0/via/1: a link-local gateway (fe80::1) needs its interface "
		"('dev')");
	assert_route_error(
		"{\"prefix\": \"2001:db8::/32\", \"nexthops\": [{\"via\": \"fe80::1\"}]}",
		"t.json:3:44: /routes/0/nexthops/0: a link-local gateway (fe80::1) needs its "
		"interface "
		"('dev')");
	assert_route_error("{\"prefix\": \"2001:db8::g/32\", \"type\": \"blackhole\"}",
		"t.json:3:14: /routes/0/prefix: '2001:db8::g/32' is not an IPv4 or IPv6 prefix");
	assert_route_error("{\"prefix\": \"2001:db8::1/32\", \"type\": \"blackhole\"}",
		"t.json:3:14: /routes/0/prefix: '2001:db8::1/32' has host bits set (did you mean "
		"2001:db8::/32?)");
	assert_route_error("{\"prefix\": \"2001:db8::/129\", \"type\": \"blackhole\"}",
		"t.json:3:14: /routes/0/prefix: '2001:db8::/129': prefix length must be 0 to 128");
	assert_route_error("{\"prefix\": \"2001:db8::/32\", \"type\": \"broadcast\"}",
		"t.json:3:3: /routes/0: IPv6 has no broadcast routes");
	assert_route_error("{\"prefix\": \"2001:db8::/32\", \"via\": \"2001:db8::zz\"}",
		"t.json:3:38: /routes/0/via: '2001:db8::zz' is not an IPv6 address");
	assert_int_equal(
		parse("{\"routes\": [{\"prefix\": \"2001:db8::/32\", \"type\": \"blackhole\"},\n"
		      "{\"prefix\": \"2001:DB8:0::/32\", \"type\": \"prohibit\"}]}",
			&(struct cfg_parsed *){NULL}),
		-EEXIST);
	assert_string_equal(fp_errmsg(), "t.json:2:12: /routes/1/prefix: duplicate route 'vrf 0 "
					 "2001:db8::/32' (first at 1:24)");
}

/* Addresses no interface may have: refused at the value, with the reason (0.0.0.0/0 was taken). */
/* Parses text, expecting msg (NULL: success). */
static void assert_parse(const char *text, const char *msg)
{
	struct cfg_parsed *p = NULL;
	int ret = parse(text, &p);

	if (msg == NULL) {
		if (ret != 0)
			fail_msg("%s: %s", text, fp_errmsg());
		cfg_parsed_free(p);
		return;
	}
	assert_true(ret < 0);
	assert_string_equal(fp_errmsg(), msg);
	assert_null(p);
}

/* What applying a document refuses, found when it is parsed (--check-config). */
static void test_refused_as_applied(void **state)
{
	static const char ports[] =
		"{\"ports\": [{\"name\": \"p0\", \"driver\": \"null\"}, {\"name\": \"p1\", "
		"\"driver\": \"null\"}, {\"name\": \"p2\", \"driver\": \"null\", \"up\": false}],\n"
		" \"addresses\": [{\"iface\": \"p0\", \"address\": \"10.0.1.1/24\"}, {\"iface\": "
		"\"p1\", \"address\": \"2001:db8:1::1/64\"}, {\"iface\": \"p2\", \"address\": "
		"\"10.0.2.1/24\"}],\n";
	char text[1024];

	(void)state;
#define ROUTES(r) (snprintf(text, sizeof(text), "%s \"routes\": [%s]}", ports, r), text)
	assert_parse(
		ROUTES("{\"prefix\": \"10.9.0.0/16\", \"via\": \"10.0.1.2\"}, "
		       "{\"prefix\": \"2001:db8:9::/48\", \"via\": \"2001:db8:1::2\", \"dev\": "
		       "\"p1\"}, {\"prefix\": \"2001:db8:8::/48\", \"via\": \"fe80::1\", \"dev\": "
		       "\"p0\"}"),
		NULL);
	assert_parse(ROUTES("{\"prefix\": \"10.9.0.0/16\", \"via\": \"10.0.9.2\"}"),
		"t.json:3:13: /routes/0: gateway 10.0.9.2 is not on a connected network");
	assert_parse(
		ROUTES("{\"prefix\": \"10.9.0.0/16\", \"via\": \"10.0.1.2\", \"dev\": \"p1\"}"),
		"t.json:3:13: /routes/0: gateway 10.0.1.2 is not on a network of p1");
	/* a network routed through an interface alone is connected, in its VRF */
	assert_parse(ROUTES("{\"prefix\": \"10.8.0.0/16\", \"via\": \"10.7.0.9\"}, "
			    "{\"prefix\": \"10.7.0.0/16\", \"dev\": \"p1\"}"),
		NULL);
	assert_parse(ROUTES("{\"prefix\": \"10.8.0.0/16\", \"via\": \"10.7.0.9\", \"vrf\": 1}, "
			    "{\"prefix\": \"10.7.0.0/16\", \"dev\": \"p1\"}"),
		"t.json:3:13: /routes/0: gateway 10.7.0.9 is not on a connected network");
	/* the network of a port set down is not */
	assert_parse(ROUTES("{\"prefix\": \"10.9.0.0/16\", \"via\": \"10.0.2.2\"}"),
		"t.json:3:13: /routes/0: gateway 10.0.2.2 is not on a connected network");
#undef ROUTES
	/* an address on two interfaces, or twice; a link-local one per link */
	assert_parse("{\"ports\": [{\"name\": \"p0\", \"driver\": \"null\"}, {\"name\": \"p1\", "
		     "\"driver\": \"null\"}],\n \"addresses\": [{\"iface\": \"p0\", \"address\": "
		     "\"10.0.1.1/24\"}, {\"iface\": \"p1\", \"address\": \"10.0.1.1/16\"}]}",
		"t.json:2:86: /addresses/1/address: duplicate interface address '10.0.1.1' (first "
		"at "
		"2:43)");
	assert_parse("{\"ports\": [{\"name\": \"p0\", \"driver\": \"null\"}, {\"name\": \"p1\", "
		     "\"driver\": \"null\"}],\n \"addresses\": [{\"iface\": \"p0\", \"address\": "
		     "\"fe80::1/64\"}, {\"iface\": \"p1\", \"address\": \"fe80::1/64\"}]}",
		NULL);
}

/* The fib section: both families' sizes, in range. */
static void test_fib_section(void **state)
{
	(void)state;
	assert_parse("{\"fib\": {\"ipv4_max_routes\": 1048576, \"ipv4_tbl8_groups\": 4096, "
		     "\"ipv6_max_routes\": 4096}}",
		NULL);
	assert_parse("{\"fib\": {\"ipv4_max_routes\": 0}}",
		"t.json:1:29: /fib/ipv4_max_routes: 'ipv4_max_routes' must be between 1 and "
		"16777216, "
		"not 0");
	assert_parse("{\"fib\": {\"ipv4_tbl8_groups\": 8}}",
		"t.json:1:30: /fib/ipv4_tbl8_groups: 'ipv4_tbl8_groups' must be between 64 and "
		"16777216, not 8");
	assert_parse("{\"fib\": {\"ipv4_max_route\": 8}}",
		"t.json:1:10: /fib: unknown key 'ipv4_max_route' (did you mean "
		"'ipv4_max_routes'?)");
}

static void test_addresses_refused(void **state)
{
	static const struct {
		const char *address, *why;
	} refused[] = {
		{"0.0.0.0/0", "'0.0.0.0/0' is the unspecified address, not an interface's"},
		{"0.0.0.0/8", "'0.0.0.0/8' is the unspecified address, not an interface's"},
		{"10.1.2.3/0", "'10.1.2.3/0': a prefix length of 0 would put every destination on "
			       "this link"},
		{"224.0.0.5/24", "'224.0.0.5/24' is a multicast address, not an interface's"},
		{"127.0.0.2/8", "'127.0.0.2/8' is a loopback address, not an interface's"},
		{"255.255.255.255/32", "'255.255.255.255/32' is the broadcast address, not an "
				       "interface's"},
		{"::/0", "'::/0' is the unspecified address, not an interface's"},
		{"::1/128", "'::1/128' is the loopback address, not an interface's"},
		{"ff02::5/64", "'ff02::5/64' is a multicast address, not an interface's"},
		{"2001:db8::1/0", "'2001:db8::1/0': a prefix length of 0 would put every "
				  "destination on this link"},
		{"::ffff:10.0.0.1/96", "'::ffff:10.0.0.1/96' is an IPv4 address written as IPv6, "
				       "not an interface's"},
	};
	struct cfg_parsed *p = NULL;
	char text[512], msg[256];

	(void)state;
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		snprintf(text, sizeof(text),
			"{\"ports\": [{\"name\": \"p0\", \"driver\": \"null\"}],\n"
			" \"addresses\": [{\"iface\": \"p0\", \"address\": \"%s\"}]}",
			refused[i].address);
		snprintf(msg, sizeof(msg), "t.json:2:43: /addresses/0/address: %s", refused[i].why);
		assert_int_equal(parse(text, &p), -EINVAL);
		assert_string_equal(fp_errmsg(), msg);
		assert_null(p);
	}
	/* a /1, class E and link-local addresses are an interface's */
	assert_int_equal(parse("{\"ports\": [{\"name\": \"p0\", \"driver\": \"null\"}],"
			       " \"addresses\": [{\"iface\": \"p0\", \"address\": \"10.0.0.1/1\"},"
			       " {\"iface\": \"p0\", \"address\": \"240.0.0.1/8\"},"
			       " {\"iface\": \"p0\", \"address\": \"fe80::1/64\"}]}",
				 &p),
		0);
	cfg_parsed_free(p);
}

static const char neighs_head[] = "{\"ports\": [{\"name\": \"p0\", \"driver\": \"null\"},\n"
				  "  {\"name\": \"p1\", \"driver\": \"null\"}],\n"
				  " \"neighbours\": [\n";

/* neighs_head, then the neighbours, one a line from line 4. */
static int parse_neighs(const char *lines, struct cfg_parsed **p)
{
	char text[1024];

	snprintf(text, sizeof(text), "%s%s\n ]}", neighs_head, lines);
	return parse(text, p);
}

#define NEIGH(iface, addr)                                                                         \
	"  {\"iface\": \"" iface "\", \"address\": \"" addr "\", \"mac\": \"02:00:00:00:00:09\"}"

static void assert_neigh_error(const char *lines, const char *msg)
{
	struct cfg_parsed *p = NULL;

	assert_true(parse_neighs(lines, &p) < 0);
	assert_string_equal(fp_errmsg(), msg);
	assert_null(p);
}

/* Static neighbours of both families; errors at the value, with the reason. */
static void test_neighbours_section(void **state)
{
	static const struct {
		const char *address, *why;
	} refused[] = {
		{"2001:db8::g", "not an IPv4 or IPv6 address"},
		{"ff02::1", "a multicast address, not a neighbour's"},
		{"::", "the unspecified address, not a neighbour's"},
		{"::1", "the loopback address, not a neighbour's"},
		{"224.0.0.5", "a multicast address, not a neighbour's"},
		{"0.0.0.0", "the unspecified address, not a neighbour's"},
		{"127.0.0.2", "a loopback address, not a neighbour's"},
		{"255.255.255.255", "the broadcast address, not a neighbour's"},
		/* the wrong family */
		{"::ffff:192.0.2.9",
			"an IPv4 address written as IPv6: write 192.0.2.9 for an IPv4 neighbour"},
	};
	struct cfg_parsed *p = NULL;

	(void)state;
	/* the same address on two interfaces, and in both families, are four neighbours */
	assert_int_equal(
		parse_neighs(NEIGH("p0", "192.0.2.9") ",\n" NEIGH("p0", "2001:db8::9") ",\n" NEIGH(
				     "p1", "2001:db8::9") ",\n" NEIGH("p0",
				     "::c000:209") ",\n" NEIGH("p0", "fe80::9"),
			&p),
		0);
	assert_int_equal(((struct cfg_array *)cfg_parsed_get(p, "neighbours"))->n, 5);
	cfg_parsed_free(p);

	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		char line[128], msg[256];

		snprintf(line, sizeof(line), NEIGH("p0", "%s"), refused[i].address);
		snprintf(msg, sizeof(msg), "t.json:4:30: /neighbours/0/address: '%s' is %s",
			refused[i].address, refused[i].why);
		assert_neigh_error(line, msg);
	}
	/* the position of a later one; one neighbour however written */
	assert_neigh_error(NEIGH("p0", "192.0.2.9") ",\n" NEIGH("p0", "2001:db8::1::9"),
		"t.json:5:30: /neighbours/1/address: '2001:db8::1::9' is not an IPv4 or IPv6 "
		"address");
	assert_neigh_error(NEIGH("p0", "2001:db8::9") ",\n" NEIGH("p0", "2001:DB8:0::9"),
		"t.json:5:30: /neighbours/1/address: duplicate neighbour 'p0 2001:db8::9' "
		"(first at 4:30)");
	assert_neigh_error("  {\"iface\": \"p0\", \"address\": \"2001:db8::9\", \"mac\": "
			   "\"2001:db8::3\"}",
		"t.json:4:52: /neighbours/0/mac: '2001:db8::3' is not a MAC address (expected "
		"xx:xx:xx:xx:xx:xx)");
	assert_neigh_error(
		NEIGH("p9", "2001:db8::9"), "t.json:4:13: /neighbours/0/iface: no interface 'p9'");
	assert_neigh_error("  {\"iface\": \"p0\", \"address\": \"2001:db8::9\"}",
		"t.json:4:3: /neighbours/0: missing key 'mac'");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_root_not_object),
		cmocka_unit_test(test_duplicate_keys),
		cmocka_unit_test(test_positions),
		cmocka_unit_test(test_positions_utf8_like_jansson),
		cmocka_unit_test(test_load_file),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_check_keys),
		cmocka_unit_test(test_getters),
		cmocka_unit_test(test_no_doc),
		cmocka_unit_test(test_path),
		cmocka_unit_test(test_declare),
		cmocka_unit_test(test_sections),
		cmocka_unit_test(test_unknown_section),
		cmocka_unit_test(test_dump),
		cmocka_unit_test(test_routes_million),
		cmocka_unit_test(test_routes_error_order),
		cmocka_unit_test(test_routes_shorthand_errors),
		cmocka_unit_test(test_routes_ipv6),
		cmocka_unit_test(test_neighbours_section),
		cmocka_unit_test(test_addresses_refused),
		cmocka_unit_test(test_refused_as_applied),
		cmocka_unit_test(test_fib_section),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
