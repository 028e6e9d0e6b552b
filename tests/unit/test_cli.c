/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli/cli.h"
#include "infra/fp_error.h"

/* The commands the tests run record their arguments here. */
static json_t *last_args;
static int calls;

static int record(struct cli_ctx *ctx, const json_t *args)
{
	(void)ctx;
	json_decref(last_args);
	last_args = json_deep_copy(args);
	calls++;
	return 0;
}

static int failing(struct cli_ctx *ctx, const json_t *args)
{
	(void)ctx;
	(void)args;
	return fp_error(EEXIST, "it exists");
}

CLI_COMMAND(t_value, "test value NAME", "", record)
CLI_COMMAND(t_opts, "test opts A [dev IFACE] [vrf ID] [all]", "", record, "test options")
CLI_COMMAND(t_choice, "test choice [type unicast|blackhole] [up|down]", "", record)
CLI_COMMAND(t_repeat, "test repeat PREFIX [via ADDR]... [nexthop [weight N]]...", "", record)
CLI_COMMAND(t_keywords, "test kw ADDR lladdr MAC dev IFACE", "", record)
CLI_COMMAND(t_fail, "test fail", "", failing)

/* Output of the last run. */
static char *out_text, *err_text;
static size_t out_len, err_len;
static struct cli_ctx ctx;

static void close_output(void)
{
	fclose(ctx.out);
	fclose(ctx.err);
	free(out_text);
	free(err_text);
}

static void open_output(void)
{
	ctx.out = open_memstream(&out_text, &out_len);
	ctx.err = open_memstream(&err_text, &err_len);
}

static int setup(void **state)
{
	(void)state;
	ctx = (struct cli_ctx){.socket = "/nonexistent/fastpath.sock"};
	open_output();
	json_decref(last_args);
	last_args = NULL;
	calls = 0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	cli_ctx_fini(&ctx);
	close_output();
	return 0;
}

static void flush(void)
{
	fflush(ctx.out);
	fflush(ctx.err);
}

/* Runs a command line, returns the exit code. */
static int run(const char *line)
{
	char buf[1024];
	int ret;

	close_output();
	open_output();
	snprintf(buf, sizeof(buf), "%s", line);
	ret = cli_run_line(&ctx, buf);
	flush();
	return ret;
}

/* Runs line and checks the arguments the handler got, as JSON text. */
static void check_args(const char *line, const char *expected)
{
	json_t *want = json_loads(expected, 0, NULL);

	assert_non_null(want);
	assert_int_equal(run(line), CLI_OK);
	if (!json_equal(want, last_args)) {
		char *got = json_dumps(last_args, JSON_COMPACT);

		fail_msg("%s: got %s, expected %s", line, got, expected);
	}
	json_decref(want);
}

/* Runs line, expects a usage error whose message contains each of the strings. */
static void check_usage(const char *line, ...)
{
	const char *s;
	va_list ap;

	assert_int_equal(run(line), CLI_USAGE);
	va_start(ap, line);
	while ((s = va_arg(ap, const char *)) != NULL)
		if (strstr(err_text, s) == NULL)
			fail_msg("%s: '%s' not in:\n%s", line, s, err_text);
	va_end(ap);
}

static void test_values(void **state)
{
	(void)state;
	check_args("test value foo", "{\"name\": \"foo\"}");
	check_args("test opts x", "{\"a\": \"x\"}");
	check_args("test opts x dev p0 vrf 3", "{\"a\": \"x\", \"dev\": \"p0\", \"vrf\": 3}");
	/* optional groups in any order; flags */
	check_args("test opts x all vrf 3 dev p0",
		"{\"a\": \"x\", \"dev\": \"p0\", \"vrf\": 3, \"all\": true}");
	/* keywords name the values that follow them */
	check_args("test kw 10.0.0.1 lladdr 02:00:00:00:00:01 dev p0",
		"{\"addr\": \"10.0.0.1\", \"lladdr\": \"02:00:00:00:00:01\", \"dev\": \"p0\"}");
}

static void test_choices(void **state)
{
	(void)state;
	check_args("test choice", "{}");
	check_args("test choice type blackhole down", "{\"type\": \"blackhole\", \"down\": true}");
	check_args("test choice up", "{\"up\": true}");
	check_usage("test choice type local", "unexpected 'local', expected unicast|blackhole",
		"usage: test choice [type unicast|blackhole] [up|down]", NULL);
}

static void test_repeat(void **state)
{
	(void)state;
	check_args("test repeat 10.0.0.0/8", "{\"prefix\": \"10.0.0.0/8\"}");
	check_args("test repeat 10.0.0.0/8 via 1.1.1.1 via 2.2.2.2",
		"{\"prefix\": \"10.0.0.0/8\", \"via\": [\"1.1.1.1\", \"2.2.2.2\"]}");
	check_args("test repeat 10.0.0.0/8 via 1.1.1.1 nexthop weight 2 via 3.3.3.3 nexthop",
		"{\"prefix\": \"10.0.0.0/8\", \"via\": [\"1.1.1.1\", \"3.3.3.3\"],"
		" \"nexthop\": [true, true], \"weight\": [2]}");
}

static void test_mismatch(void **state)
{
	(void)state;
	check_usage("test value", "test value: expected NAME after 'value'",
		"usage: test value NAME", NULL);
	check_usage("test value a b", "unexpected 'b'", NULL);
	check_usage("test opts x vrf", "expected ID (a number) after 'vrf'", NULL);
	check_usage("test opts x vrf blue", "unexpected 'blue', expected ID (a number)", NULL);
	check_usage("test opts x foo", "unexpected 'foo', expected dev, vrf or all",
		"usage: test opts A [dev IFACE] [vrf ID] [all]",
		"       test options A [dev IFACE] [vrf ID] [all]", NULL);
	/* each optional group once */
	check_usage("test opts x dev p0 dev p1", "unexpected 'dev'", NULL);
	check_usage("test kw 10.0.0.1 lladdr", "expected MAC after 'lladdr'", NULL);
	assert_int_equal(calls, 0);
}

static void test_aliases(void **state)
{
	const struct cli_command *a, *b;
	char *argv[] = {"show", "routes", "vrf", "2"};
	char *alias[] = {"ip", "route", "show", "vrf", "2"};
	char *alias2[] = {"ip", "route"};
	char *add[] = {"route", "add", "10.0.0.0/8", "via", "10.0.1.2", "dev", "p0"};
	char *add2[] = {"ip", "route", "add", "10.0.0.0/8", "dev", "p0", "via", "10.0.1.2"};
	json_t *args, *args2;

	(void)state;
	check_args("test options y", "{\"a\": \"y\"}");
	assert_int_equal(cli_parse(&ctx, 4, argv, &a, &args), 0);
	assert_int_equal(cli_parse(&ctx, 5, alias, &b, &args2), 0);
	assert_ptr_equal(a, b);
	assert_true(json_equal(args, args2));
	json_decref(args);
	json_decref(args2);
	assert_int_equal(cli_parse(&ctx, 2, alias2, &b, &args2), 0);
	assert_ptr_equal(a, b);
	json_decref(args2);
	/* "ip route add" is more specific than "ip route [vrf ID]" */
	assert_int_equal(cli_parse(&ctx, 7, add, &a, &args), 0);
	assert_int_equal(cli_parse(&ctx, 8, add2, &b, &args2), 0);
	assert_ptr_equal(a, b);
	assert_string_equal(a->syntax + 0,
		"ip route add PREFIX [via ADDR]... [dev IFACE] "
		"[type unicast|blackhole|unreachable|prohibit] [vrf ID]");
	assert_true(json_equal(args, args2));
	json_decref(args);
	json_decref(args2);
	/* every alias of the commands */
	for (const char *const *line = (const char *const[]){"ip link", "ip link show",
		     "show interfaces", "show neighbors", "ip neigh show", "ip addr",
		     "show addresses", "route del 10.0.0.0/8 vrf 1", "show stats all", NULL};
		*line; line++) {
		char buf[64], *words[8];
		int n;

		snprintf(buf, sizeof(buf), "%s", *line);
		n = cli_split(buf, words, 8);
		assert_int_equal(cli_parse(&ctx, n, words, &a, &args), 0);
		json_decref(args);
	}
}

static void test_unknown(void **state)
{
	(void)state;
	check_usage("ip rout", "unknown command 'ip rout'",
		"did you mean:", "    ip route add PREFIX", "    ip route [vrf ID]", NULL);
	check_usage("sho routes", "unknown command 'sho'", "    show routes [vrf ID]", NULL);
	check_usage("show neighbour", "    show neighbours", NULL);
	/* a typo in a longer name, not bad arguments to "ip route" */
	check_usage("ip route ad 10.0.0.0/8", "unknown command 'ip route ad'",
		"    ip route add PREFIX", NULL);
	check_usage("ip", "incomplete command 'ip'", "possible commands:", "    ip link", NULL);
	/* nothing close: the commands sharing the first word */
	check_usage("show xyzzy", "unknown command 'show xyzzy'", "    show stats [all]", NULL);
	check_usage("frobnicate", "unknown command 'frobnicate'", NULL);
	assert_null(strstr(err_text, "did you mean"));
}

static void test_help(void **state)
{
	(void)state;
	assert_int_equal(run("help"), CLI_OK);
	assert_non_null(strstr(out_text, "ip neigh add ADDR lladdr MAC dev IFACE\n"));
	assert_non_null(strstr(out_text, "show routes [vrf ID]\nip route [vrf ID]\n"));
	assert_int_equal(run("ip route add 10.0.0.0/8 --help"), CLI_OK);
	assert_non_null(strstr(out_text, "route add PREFIX [via ADDR]..."));
	assert_int_equal(run("help ip neigh"), CLI_OK);
	assert_non_null(strstr(out_text, "ip neigh del ADDR dev IFACE"));
	check_usage("help ip rout", "unknown command", NULL);
	assert_int_equal(calls, 0);
}

static void test_split(void **state)
{
	char line[] = "  a \"b c\" d'e'f ''  # comment", bad[] = "a \"b", *argv[8];

	(void)state;
	assert_int_equal(cli_split(line, argv, 8), 4);
	assert_string_equal(argv[0], "a");
	assert_string_equal(argv[1], "b c");
	assert_string_equal(argv[2], "def");
	assert_string_equal(argv[3], "");
	assert_int_equal(cli_split(bad, argv, 8), -EINVAL);
	assert_string_equal(fp_errmsg(), "unterminated \" quote");
	assert_int_equal(run("# nothing"), CLI_OK);
}

static void test_errors(void **state)
{
	(void)state;
	assert_int_equal(run("test fail"), CLI_ERROR);
	assert_string_equal(err_text, "fastpathctl: it exists\n");
	/* no daemon */
	assert_int_equal(run("show routes"), CLI_ERROR);
	assert_non_null(strstr(err_text, "cannot connect to fastpathd at /nonexistent"));
}

static void test_batch(void **state)
{
	const char text[] = "# routes\n"
			    "test value a\n"
			    "\n"
			    "test value b # the second\n"
			    "test valu c\n"
			    "test value d\n";
	const char failing[] = "test value a\ntest fail\ntest value b\n";
	FILE *f = fmemopen((void *)text, strlen(text), "r");

	(void)state;
	assert_int_equal(cli_run_file(&ctx, f, "cmds"), CLI_USAGE);
	fclose(f);
	flush();
	assert_int_equal(calls, 2);
	assert_non_null(strstr(err_text, "fastpathctl: cmds:5: unknown command 'test valu'"));
	assert_string_equal(ctx.where, "");

	f = fmemopen((void *)failing, strlen(failing), "r");
	assert_int_equal(cli_run_file(&ctx, f, "f"), CLI_ERROR);
	fclose(f);
	flush();
	assert_int_equal(calls, 3);
	assert_non_null(strstr(err_text, "fastpathctl: f:2: it exists\n"));
}

static void test_table(void **state)
{
	json_t *rows = json_loads("[{\"name\": \"p0\", \"packets\": 5, \"bytes\": 300},"
				  " {\"name\": \"port1\", \"packets\": 0},"
				  " {\"name\": \"p2\", \"packets\": 12345, \"bytes\": 1}]",
		0, NULL);
	bool gap = false;

	(void)state;
	cli_table(ctx.out, &gap, rows, "name:port packets bytes", NULL);
	cli_table(ctx.out, &gap, rows, "name packets", "packets");
	/* no rows, no table */
	cli_table(ctx.out, &gap, json_object_get(rows, "none"), "name", NULL);
	flush();
	assert_string_equal(out_text, "PORT   PACKETS  BYTES\n"
				      "p0           5    300\n"
				      "port1        0      -\n"
				      "p2       12345      1\n"
				      "\n"
				      "NAME  PACKETS\n"
				      "p0          5\n"
				      "p2      12345\n");
	json_decref(rows);
}

static void test_api_args(void **state)
{
	json_t *args = json_pack(
		"{s:s,s:s,s:[s],s:i}", "addr", "10.0.0.1", "dev", "p0", "via", "1.1.1.1", "vrf", 2);
	json_t *api = cli_api_args(args, "addr=address dev=iface");
	json_t *want = json_pack("{s:s,s:s,s:[s],s:i}", "address", "10.0.0.1", "iface", "p0", "via",
		"1.1.1.1", "vrf", 2);

	(void)state;
	assert_true(json_equal(api, want));
	json_decref(args);
	json_decref(api);
	json_decref(want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_values, setup, teardown),
		cmocka_unit_test_setup_teardown(test_choices, setup, teardown),
		cmocka_unit_test_setup_teardown(test_repeat, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mismatch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_aliases, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_help, setup, teardown),
		cmocka_unit_test_setup_teardown(test_split, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_batch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_api_args, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
