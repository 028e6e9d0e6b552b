/* SPDX-License-Identifier: BSD-3-Clause */
/* The "twins" config section: the names it makes must be kernel interface names. */
#include "config/config.h"
#include "base/fp_error.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

/* Parses {"twins": twins, "ports": [ports named as given]}; 0 or <0 with the message. */
static int parse(const char *twins, const char *port_name)
{
	struct cfg_parsed *parsed = NULL;
	struct cfg_doc *doc = NULL;
	char text[512];
	int ret;

	snprintf(text, sizeof(text),
		"{\"twins\": %s,\n \"ports\": [{\"name\": \"%s\", \"driver\": \"null\"}]}", twins,
		port_name);
	if (cfg_doc_load_string("t.json", text, &doc) < 0)
		fail_msg("%s", fp_errmsg());
	ret = cfg_parse_doc(doc, &parsed);
	cfg_parsed_free(parsed);
	cfg_doc_free(doc);
	return ret;
}

static void assert_refused(const char *twins, const char *port_name, const char *msg)
{
	assert_true(parse(twins, port_name) < 0);
	assert_string_equal(fp_errmsg(), msg);
}

static void test_valid(void **state)
{
	(void)state;
	assert_int_equal(parse("{}", "p1"), 0);
	assert_int_equal(parse("{\"enabled\": false}", "p1"), 0);
	assert_int_equal(parse("{\"prefix\": \"fp-\"}", "p1"), 0);
	/* 15 characters, the most IFNAMSIZ leaves */
	assert_int_equal(parse("{\"prefix\": \"fp-\"}", "abcdefghijkl"), 0);
	/* no twins, no names to check */
	assert_int_equal(parse("{\"enabled\": false, \"prefix\": \"longerprefix-\"}", "port1"), 0);
}

static void test_refused(void **state)
{
	(void)state;
	assert_refused("{\"prefix\": \"fp-\"}", "abcdefghijklm",
		"t.json:1:22: /twins/prefix: twin name 'fp-abcdefghijklm' of port 'abcdefghijklm' "
		"is longer than 15 characters");
	assert_refused("{\"prefix\": \"fp/\"}", "p1",
		"t.json:1:22: /twins/prefix: 'fp/' cannot start kernel interface names (no '/', "
		"':' "
		"or blank)");
	assert_refused("{\"prefix\": \"a b\"}", "p1",
		"t.json:1:22: /twins/prefix: 'a b' cannot start kernel interface names (no '/', "
		"':' "
		"or blank)");
	assert_refused("{\"prefix\": \"abcdefghijklmno\"}", "p1",
		"t.json:1:22: /twins/prefix: a twin prefix has at most 14 characters");
	assert_refused("{\"prefix\": 3}", "p1",
		"t.json:1:22: /twins/prefix: 'prefix' must be a string, not an integer");
	assert_refused("[]", "p1", "t.json:1:11: /twins: must be an object, not an array");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
