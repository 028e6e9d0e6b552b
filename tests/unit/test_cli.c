/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli/cli.h"
#include "base/fp_error.h"

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

CLI_COMMAND(t_value, "test value NAME", "Test.", record)
CLI_COMMAND(t_opts, "test opts A [dev IFACE] [vrf ID] [all]", "Test.", record, "test options")
CLI_COMMAND(t_choice, "test choice [type unicast|blackhole] [up|down]", "Test.", record)
CLI_COMMAND(t_repeat, "test repeat PREFIX [via ADDR]... [nexthop [weight N]]...", "Test.", record)
CLI_COMMAND(t_keywords, "test kw ADDR lladdr MAC dev IFACE", "Test.", record)
CLI_COMMAND(t_fail, "test fail", "Test.", failing)
CLI_COMMAND_VALUES(t_del, "test del PREFIX [dev IFACE] [gw ADDR]", "Test.", "PREFIX=route", record)

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

	if (run(line) != CLI_USAGE)
		fail_msg("%s: not a usage error: %s", line, err_text);
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
	char *argv[] = {"ip", "-4", "route", "vrf", "2"};
	char *alias[] = {"ip", "route", "show", "vrf", "2"};
	char *alias2[] = {"ip", "route"};
	char *add[] = {"route", "add", "10.0.0.0/8", "via", "10.0.1.2", "dev", "p0"};
	char *add2[] = {"ip", "route", "add", "10.0.0.0/8", "dev", "p0", "via", "10.0.1.2"};
	json_t *args, *args2;

	(void)state;
	check_args("test options y", "{\"a\": \"y\"}");
	assert_int_equal(cli_parse(&ctx, 5, argv, &a, &args), 0);
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
		"ip route add [unicast|blackhole|unreachable|prohibit] PREFIX [via ADDR]... "
		"[dev IFACE] [vrf ID] [metric N]");
	assert_true(json_equal(args, args2));
	json_decref(args);
	json_decref(args2);
	/* every alias of the commands */
	for (const char *const *line = (const char *const[]){"ip link", "ip link show",
		     "show interfaces", "show neighbors", "ip neigh show", "ip addr",
		     "show addresses", "route del 10.0.0.0/8 vrf 1", "show stats all",
		     "show routes ipv6 vrf 1", "ip -6 route", "ip -6 route show vrf 1",
		     "ip -6 route add default via fe80::1 dev p0", "ip -6 route del 2001:db8::/32",
		     NULL};
		*line; line++) {
		char buf[64], *words[12];
		int n;

		snprintf(buf, sizeof(buf), "%s", *line);
		n = cli_split(buf, words, 12);
		assert_int_equal(cli_parse(&ctx, n, words, &a, &args), 0);
		json_decref(args);
	}
}

static void test_unknown(void **state)
{
	(void)state;
	check_usage("ip rute", "unknown command 'ip rute'",
		"did you mean:", "    ip route add [unicast|blackhole|unreachable|prohibit] PREFIX",
		"    ip route [table main|local|all] [vrf ID]", NULL);
	check_usage("shw routes", "unknown command 'shw'", "    show routes [ipv4|ipv6] [vrf ID]",
		NULL);
	check_usage("show neighbur", "    show neighbo", NULL);
	/* a typo in a longer name, not bad arguments to "ip route" */
	check_usage("ip route adf 10.0.0.0/8", "unknown command 'ip route adf'",
		"    ip route add [unicast|blackhole|unreachable|prohibit] PREFIX", NULL);
	check_usage("ip", "incomplete command 'ip'", "possible commands:", "    ip addr", NULL);
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
	assert_non_null(strstr(out_text, "ip route show [table main|local|all] [vrf ID]\nip route "
					 "[table main|local|all] [vrf ID]\n"));
	assert_non_null(strstr(out_text, "ip -6 route show [table main|local|all] [vrf ID]\nip -6 "
					 "route [table main|local|all] [vrf ID]\n"));
	assert_int_equal(run("ip route add 10.0.0.0/8 --help"), CLI_OK);
	assert_non_null(strstr(out_text,
		"route add [unicast|blackhole|unreachable|prohibit] PREFIX [via ADDR]..."));
	assert_int_equal(run("help ip neigh"), CLI_OK);
	assert_non_null(strstr(out_text, "ip neigh del ADDR dev IFACE"));
	check_usage("help ip rute", "unknown command", NULL);
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
			    "test vale c\n"
			    "test value d\n";
	const char failing[] = "test value a\ntest fail\ntest value b\n";
	FILE *f = fmemopen((void *)text, strlen(text), "r");

	(void)state;
	assert_int_equal(cli_run_file(&ctx, f, "cmds"), CLI_USAGE);
	fclose(f);
	flush();
	assert_int_equal(calls, 2);
	assert_non_null(strstr(err_text, "fastpathctl: cmds:5: unknown command 'test vale'"));
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

/* Completion, with values from a fake source that records what it was asked. */
static char sources_asked[256];

static json_t *fake_values(struct cli_ctx *c, const char *source, const char *partial)
{
	(void)c;
	(void)partial;
	snprintf(sources_asked + strlen(sources_asked),
		sizeof(sources_asked) - strlen(sources_asked), "%s ", source);
	if (strcmp(source, "iface") == 0)
		return json_pack("[s,s,s]", "uplink", "p1", "p0");
	if (strcmp(source, "route") == 0)
		return json_pack("[s,s,s]", "10.9.0.0/16", "10.66.0.0/16", "10.9.0.0/16");
	return NULL;
}

/* The words cli_complete() offers after the line's words, the last one partial, blank-separated. */
static void check_complete(const char *line, const char *expected)
{
	char buf[256], *argv[16], got[1024] = "";
	int argc;
	json_t *words, *w;
	size_t i;

	snprintf(buf, sizeof(buf), "%s", line);
	argc = cli_split(buf, argv, 16);
	assert_true(argc >= 1);
	words = cli_complete(&ctx, argc - 1, argv, argv[argc - 1]);
	json_array_foreach (words, i, w)
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s", i ? " " : "",
			json_string_value(w));
	json_decref(words);
	if (strcmp(got, expected) != 0)
		fail_msg("complete '%s': got '%s', expected '%s'", line, got, expected);
}

static void test_complete(void **state)
{
	(void)state;
	ctx.values = fake_values;
	/* command names; "help" too */
	check_complete("te", "test");
	check_complete("h", "help");
	check_complete("test ''", "choice del fail kw options opts repeat value");
	check_complete("test op", "options opts");
	check_complete("help test o", "options opts");
	/* help completes names, not arguments */
	check_complete("help test opts ''", "");
	check_complete("ip route ''", "add del get replace show table vrf");
	/* keywords and flags of optional groups, each once */
	check_complete("test opts x ''", "all dev vrf");
	check_complete("test opts x all ''", "dev vrf");
	check_complete("test opts x dev p0 vrf 2 ''", "all");
	check_complete("test opts x dev p0 d", "");
	/* values: IFACE everywhere, sorted, each once */
	check_complete("test opts x dev ''", "p0 p1 uplink");
	check_complete("test options x dev u", "uplink");
	check_complete("test kw 1.1.1.1 lladdr 02:00:00:00:00:01 dev p", "p0 p1");
	check_complete("test del ''", "10.66.0.0/16 10.9.0.0/16");
	check_complete("test del 10.9 ", "10.9.0.0/16");
	check_complete("test del 10.9.0.0/16 ''", "dev gw");
	/* ADDR has no source in test del; numbers and names none */
	check_complete("test del 10.9.0.0/16 gw ''", "");
	check_complete("test opts x vrf ''", "");
	check_complete("test value ''", "");
	/* choices */
	check_complete("test choice ''", "down type up");
	check_complete("test choice type ''", "blackhole unicast");
	check_complete("test choice type b", "blackhole");
	check_complete("test choice up ''", "type");
	/* repeatable groups again, nested groups */
	check_complete("test repeat 10.0.0.0/8 via 1.1.1.1 ''", "nexthop via");
	check_complete("test repeat 10.0.0.0/8 nexthop ''", "nexthop via weight");
	check_complete("test repeat 10.0.0.0/8 nexthop weight ''", "");
	/* a line that cannot be a command: nothing */
	check_complete("test opts x foo ''", "");
	check_complete("test valu ''", "");
	check_complete("nothing ''", "");
	assert_string_equal(sources_asked, "iface iface iface route route ");
	assert_int_equal(calls, 0);
}

static void test_complete_line(void **state)
{
	size_t plen;
	json_t *words;

	(void)state;
	ctx.values = fake_values;
	words = cli_complete_line(&ctx, "test opts x d", &plen);
	assert_int_equal(plen, 1);
	assert_int_equal(json_array_size(words), 1);
	assert_string_equal(json_string_value(json_array_get(words, 0)), "dev");
	json_decref(words);
	words = cli_complete_line(&ctx, "  test  opts x  ", &plen);
	assert_int_equal(plen, 0);
	assert_int_equal(json_array_size(words), 3);
	json_decref(words);
	/* a quoted word, open or closed */
	words = cli_complete_line(&ctx, "test opts x dev \"up", &plen);
	assert_int_equal(plen, 2);
	assert_string_equal(json_string_value(json_array_get(words, 0)), "uplink");
	json_decref(words);
	words = cli_complete_line(&ctx, "test opts 'x y' ", &plen);
	assert_int_equal(json_array_size(words), 3);
	json_decref(words);
	words = cli_complete_line(&ctx, "", &plen);
	assert_true(json_array_size(words) > 4);
	json_decref(words);
	/* nothing in a comment */
	words = cli_complete_line(&ctx, "test # d", &plen);
	assert_int_equal(json_array_size(words), 0);
	json_decref(words);
	/* the command for shells' completion scripts */
	assert_int_equal(run("complete test opts x d"), CLI_OK);
	assert_string_equal(out_text, "dev\n");
	assert_int_equal(run("complete test opts x ''"), CLI_OK);
	assert_string_equal(out_text, "all\ndev\nvrf\n");
	assert_int_equal(run("complete"), CLI_OK);
	assert_non_null(strstr(out_text, "help\nip\n"));
	/* "-h" is a word to complete there, not a request for help */
	assert_int_equal(run("complete test -h"), CLI_OK);
	assert_string_equal(out_text, "");
	assert_int_equal(calls, 0);
}

static void test_complete_help(void **state)
{
	(void)state;
	ctx.values = fake_values;
	cli_complete_help(&ctx, "test opts x ");
	flush();
	assert_string_equal(out_text, "  all\n"
				      "  dev IFACE          one of: p0, p1, uplink\n"
				      "  vrf ID (a number)\n"
				      "  <enter>            Test\n");
	close_output();
	open_output();
	cli_complete_help(&ctx, "test choice t");
	cli_complete_help(&ctx, "ip r");
	/* the help's first clause */
	cli_complete_help(&ctx, "ip route a");
	flush();
	assert_string_equal(out_text, "  type unicast|blackhole\n"
				      "  route  List the IPv4 routes, as ip route does...\n"
				      "  add  Add a static route...\n");
	/* nothing fits: the parser's message */
	close_output();
	open_output();
	cli_complete_help(&ctx, "test vale ");
	flush();
	assert_string_equal(out_text, "");
	assert_non_null(strstr(err_text, "unknown command 'test vale'"));
}

/* iproute2's and vppctl's abbreviations: the command each line names. */
static void test_abbreviations(void **state)
{
	static const char *const cases[][2] = {
		{"ip r", "ip route show [table main|local|all] [vrf ID]"},
		{"ip ro sh", "ip route show [table main|local|all] [vrf ID]"},
		{"ip r s t local vrf 2", "ip route show [table main|local|all] [vrf ID]"},
		{"ip -6 r", "ip -6 route show [table main|local|all] [vrf ID]"},
		{"ip -6 r s", "ip -6 route show [table main|local|all] [vrf ID]"},
		{"ip -6 ro list", "ip -6 route show [table main|local|all] [vrf ID]"},
		{"ip a", "show addresses"},
		{"ip address show", "show addresses"},
		{"ip -6 a s", "ip -6 addr"},
		{"ip n", "show neighbours"},
		{"ip neighbour show", "show neighbours"},
		{"ip neighbor", "show neighbours"},
		{"ip l", "show interfaces"},
		{"ip l sh", "show interfaces"},
		{"sh int", "show interfaces"},
		{"sh run", "show runtime"},
		{"sh neighb", "show neighbours"},
		{"sh ro ipv6", "show routes [ipv4|ipv6] [vrf ID]"},
		{"sh rout", "show routes [ipv4|ipv6] [vrf ID]"},
		{"sh route", "show routes [ipv4|ipv6] [vrf ID]"},
		{"sh router", "show router-advertisements"},
		{"sh r", "show routes [ipv4|ipv6] [vrf ID]"},
		{"sh ver", "show version"},
		{"ip r a 10.0.0.0/8 via 10.0.1.2",
			"ip route add [unicast|blackhole|unreachable|prohibit] PREFIX"},
		{"ip r d 10.0.0.0/8", "ip route del PREFIX [vrf ID]"},
		{"ip ro delete 10.0.0.0/8", "ip route del PREFIX [vrf ID]"},
		{"ip n a 10.0.1.2 lladdr 02:00:00:00:00:01 dev p0", "ip neigh add ADDR"},
		{"conf d", "config dump [FILE]"},
		{"te o x", "test opts A"},
		{"test option x", "test opts A"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct cli_command *cmd;
		char buf[128], *argv[16];
		int argc;
		json_t *args;

		snprintf(buf, sizeof(buf), "%s", cases[i][0]);
		argc = cli_split(buf, argv, 16);
		if (cli_parse(&ctx, argc, argv, &cmd, &args) != 0)
			fail_msg("%s: not parsed", cases[i][0]);
		if (strncmp(cmd->syntax, cases[i][1], strlen(cases[i][1])) != 0)
			fail_msg("%s: %s, expected %s", cases[i][0], cmd->syntax, cases[i][1]);
		json_decref(args);
	}
	check_args("te op y dev p1", "{\"a\": \"y\", \"dev\": \"p1\"}");
	/* the arguments are not abbreviated: "d" is A here */
	check_args("tes val d", "{\"name\": \"d\"}");
	/* keywords and choices only where iproute2 takes them abbreviated (see cli.c) */
	check_args("te o y v 2", "{\"a\": \"y\", \"vrf\": 2}");
	check_args("test kw 10.0.1.2 l 02:00:00:00:00:01 dev p1",
		"{\"addr\": \"10.0.1.2\", \"lladdr\": \"02:00:00:00:00:01\", \"dev\": \"p1\"}");
	check_usage("test kw 10.0.1.2 lladdr 02:00:00:00:00:01 d p1", "unexpected 'd'", NULL);
	check_usage("te o y de p1", "unexpected 'de'", NULL);
	check_usage("te o y a", "unexpected 'a'", NULL);
	check_usage("test repeat 10.0.0.0/8 v 10.0.1.2", "unexpected 'v'", NULL);
	/* ambiguous: every candidate, no command run */
	check_usage("c stats", "ambiguous command 'c', 'c' may be:", "    capture\n", "    clear\n",
		"    config\n", NULL);
	check_usage("t c", "ambiguous command 't'", "    test\n", "    trace\n", NULL);
	check_usage("help c", "ambiguous command 'c'", NULL);
	assert_int_equal(calls, 4);
	/* help, completion and ? read abbreviations too */
	assert_int_equal(run("help ip r a"), CLI_OK);
	assert_non_null(
		strstr(out_text, "ip route add [unicast|blackhole|unreachable|prohibit] PREFIX"));
	assert_null(strstr(out_text, "ip route del"));
	assert_int_equal(run("ip ro ad --help"), CLI_OK);
	assert_non_null(
		strstr(out_text, "ip route add [unicast|blackhole|unreachable|prohibit] PREFIX"));
	close_output();
	open_output();
	cli_complete_help(&ctx, "ip r d ");
	flush();
	assert_non_null(strstr(out_text, "PREFIX"));
}

/* The new commands' syntax, down to the arguments their handlers read. */
static void test_grammars(void **state)
{
	static const char *const cases[][2] = {
		{"show graph", "{}"},
		{"show graph dot", "{\"dot\": true}"},
		{"show runtime", "{}"},
		{"show errors", "{}"},
		{"show errors all", "{\"all\": true}"},
		{"show config", "{}"},
		{"config load x.json", "{\"file\": \"x.json\"}"},
		{"config dump", "{}"},
		{"config dump /tmp/x", "{\"file\": \"/tmp/x\"}"},
		{"trace add 50", "{\"n\": 50}"},
		{"trace clear", "{}"},
		{"show trace", "{}"},
		{"capture start file c.pcapng", "{\"file\": \"c.pcapng\"}"},
		{"capture start max-bytes 4096 file c", "{\"max-bytes\": 4096, \"file\": \"c\"}"},
		{"capture start drop count 10 port p1 file c",
			"{\"drop\": true, \"count\": 10, \"port\": \"p1\", \"file\": \"c\"}"},
		{"capture stop", "{}"},
		{"show capture", "{}"},
		{"show version", "{}"},
		{"complete ip ''", "{\"word\": [\"ip\", \"\"]}"},
	};
	static const char *const bad[] = {"trace add", "trace add many", "capture start rx",
		"capture start rx tx file f", "show graph svg", "config load", "show errors some"};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct cli_command *cmd;
		char buf[128], *argv[16];
		int argc;
		json_t *args, *want = json_loads(cases[i][1], 0, NULL);

		snprintf(buf, sizeof(buf), "%s", cases[i][0]);
		argc = cli_split(buf, argv, 16);
		assert_int_equal(cli_parse(&ctx, argc, argv, &cmd, &args), 0);
		if (!json_equal(args, want))
			fail_msg("%s: got %s", cases[i][0], json_dumps(args, JSON_COMPACT));
		json_decref(args);
		json_decref(want);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		check_usage(bad[i], "usage: ", NULL);
	check_usage("capture start port p1",
		"expected rx|tx|drop, count, max-bytes or file after 'p1'", NULL);
}

/* Every command says what it does: docs/fastpathctl.md is made of these. */
static void test_help_texts(void **state)
{
	(void)state;
	for (const struct cli_command *c = cli_commands(); c != NULL; c = c->next) {
		size_t len = strlen(c->help);

		if (len < 5 || c->help[len - 1] != '.')
			fail_msg("%s: help \"%s\" is not a sentence", c->syntax, c->help);
	}
	assert_int_equal(run("help --markdown"), CLI_OK);
	assert_non_null(strstr(out_text, "### test\n"));
	assert_non_null(
		strstr(out_text, "```\ntest opts A [dev IFACE] [vrf ID] [all]\n"
				 "test options A [dev IFACE] [vrf ID] [all]\n```\n\nTest.\n"));
	assert_non_null(strstr(out_text, "\n### trace\n"));
	/* help text wrapped at 80 columns */
	assert_int_equal(run("help capture start"), CLI_OK);
	assert_non_null(strstr(out_text, "\n    Capture packets to a pcapng file"));
	for (const char *l = out_text; *l; l += strcspn(l, "\n") + 1)
		assert_true(strcspn(l, "\n") <= 80);
}

/*
 * A fake fastpathd: canned results on a unix socket, the requests recorded,
 * for the commands' output and the API arguments they send.
 */
static const char *const canned[][2] = {
	{"graph.show",
		"{\"nodes\": [{\"name\": \"eth_input\", \"edges\": [\"ip4_input\", \"eth_drop\"],"
		" \"drop\": false, \"source\": true},"
		" {\"name\": \"ip4_input\", \"edges\": [\"ip4_route\"], \"drop\": false, "
		"\"source\": false},"
		" {\"name\": \"eth_drop\", \"edges\": [], \"drop\": true, \"source\": false}]}"},
	{"runtime.show",
		"{\"workers\": [{\"worker\": 0, \"lcore\": 1, \"nodes\": ["
		"{\"name\": \"ip4_input\", \"calls\": 10, \"packets\": 100, \"cycles\": 12340},"
		"{\"name\": \"ip4_route\", \"calls\": 0, \"packets\": 0, \"cycles\": 0},"
		"{\"name\": \"eth_input\", \"calls\": 20, \"packets\": 100, \"cycles\": 5000}]},"
		" {\"worker\": 1, \"lcore\": 2, \"nodes\": []}]}"},
	{"stats.show", "{\"ports\": [], \"nodes\": [], \"drops\": [{\"reason\": \"ip4_no_route\", "
		       "\"packets\": 3},"
		       " {\"reason\": \"ip4_bad_checksum\", \"packets\": 0},"
		       " {\"reason\": \"ip4_ttl_exceeded\", \"packets\": 12},"
		       " {\"reason\": \"arp_bad\", \"packets\": 3}],"
		       " \"mempools\": [{\"name\": \"mbuf-0\", \"size\": 32767, \"in_use\": 1100,"
		       " \"free\": 31667}]}"},
	{"config.dump", "{\"config\": {\"ports\": [{\"name\": \"p0\"}], \"routes\": [], \"api\": "
			"{\"socket\": \"/s\"}}}"},
	{"config.load", "{\"changes\": [{\"section\": \"routes\", \"added\": [\"10.9.0.0/16\"],"
			" \"removed\": [{\"prefix\": \"10.8.0.0/16\"}], \"changed\": []},"
			" {\"section\": \"api\", \"added\": [], \"removed\": [], \"changed\": "
			"[\"socket\"]}]}"},
	{"trace.show",
		"{\"packets\": [{\"id\": 1, \"worker\": 0, \"nodes\": ["
		"{\"node\": \"eth_input\", \"info\": \"02:00:00:00:00:01 > 02:00:00:00:00:02 type "
		"0x0800\"},"
		"{\"node\": \"ip4_input\", \"info\": \"10.0.1.2 > 10.0.2.2 ttl 64\\nline 2\"}]},"
		" {\"id\": 2, \"worker\": 1, \"nodes\": [{\"node\": \"eth_input\", \"info\": "
		"\"\"}]}]}"},
	{"capture.show",
		"{\"running\": true, \"file\": \"/tmp/c.pcapng\", \"captured\": 12, \"count\": 100,"
		" \"port\": \"p1\", \"direction\": \"rx\", \"bytes\": 3000, \"max_bytes\": "
		"67108864,"
		" \"lost\": 2, \"over_limit\": 3, \"write_errors\": 4,"
		" \"error\": \"No space left on device\"}"},
	{"iface.list",
		"{\"interfaces\": [{\"name\": \"p1\", \"id\": 2, \"admin_up\": true, \"link_up\": "
		"true, \"mtu\": 1500, \"mac\": \"02:00:00:00:01:01\"}, {\"name\": \"p0\", \"id\": "
		"1, "
		"\"mtu\": 1500, \"mac\": \"02:00:00:00:00:01\"}, {\"name\": \"p9\", \"id\": 3, "
		"\"admin_up\": true, \"mtu\": 9000, \"mac\": \"02:00:00:00:09:01\"}]}"},
	{"route.list",
		"{\"routes\": [{\"prefix\": \"10.0.1.0/24\", \"origin\": \"connected\", "
		"\"type\": \"unicast\", \"nexthops\": [{\"dev\": \"p1\"}]},"
		" {\"prefix\": \"10.0.1.1/32\", \"type\": \"local\", \"origin\": "
		"\"connected\", \"nexthops\": [{\"dev\": \"p1\"}]},"
		" {\"prefix\": \"10.0.1.255/32\", \"type\": \"broadcast\", \"origin\": "
		"\"connected\", \"nexthops\": [{\"dev\": \"p1\"}]},"
		" {\"prefix\": \"10.9.0.0/16\", \"type\": \"unicast\", \"origin\": \"static\"}]}"},
	{"neigh.list",
		"{\"neighbours\": [{\"address\": \"10.0.1.2\", \"iface\": \"p1\", \"state\": "
		"\"REACHABLE\"}, {\"address\": \"10.0.1.3\", \"iface\": \"p1\", \"state\": "
		"\"PERMANENT\"}, {\"address\": \"2001:db8::2\", \"iface\": \"p0\", \"state\": "
		"\"STALE\"}]}"},
	{"route.get",
		"{\"vrf\": 0, \"addr\": \"10.9.1.1\", \"from\": \"10.0.1.2\", \"type\": "
		"\"unicast\","
		" \"route\": {\"vrf\": 0, \"prefix\": \"10.9.0.0/16\", \"type\": \"unicast\","
		" \"origin\": \"static\", \"nexthops\": [{\"via\": \"10.0.2.2\", \"dev\": \"p1\"},"
		" {\"via\": \"10.0.3.2\", \"dev\": \"p2\"}]},"
		" \"via\": \"10.0.3.2\", \"dev\": \"p2\", \"path\": 1, \"paths\": 2}"},
	{"addr.list",
		"{\"addresses\": [{\"address\": \"10.0.1.1/24\", \"iface\": \"p1\"},"
		" {\"address\": \"10.0.2.1/24\", \"iface\": \"p0\"},"
		" {\"address\": \"2001:db8:1::1/64\", \"iface\": \"p1\", \"scope\": \"global\","
		" \"state\": \"preferred\"},"
		" {\"address\": \"fe80::1/64\", \"iface\": \"p0\", \"scope\": \"link\","
		" \"state\": \"tentative\"}]}"},
};
/* The daemon's errors, naming the argument at fault by its path in the request. */
static const char *const canned_errors[][2] = {
	{"addr.add", "/address: not an IPv4 or IPv6 prefix"},
	{"neigh.add", "/nowhere/0: a path to no argument"},
	{"route.del", "/prefix: '10.0.0.0/33' is not an IPv4 prefix"},
};
static char server_path[108];
static json_t *requests; /* what the fake daemon was sent, in order */

/*
 * Records the request, with what the descriptor passed with it (if not -1) was opened for and
 * holds, as "passed": {"mode": "r" or "w", "text": ...}; answers from canned.
 */
static void answer(int fd, const char *line, int passed)
{
	json_t *req = json_loads(line, 0, NULL);
	const char *cmd = json_string_value(json_object_get(req, "cmd"));
	const char *result = "{}";
	char text[64] = "", reply[4096];
	char *id;

	if (passed >= 0) {
		int mode = fcntl(passed, F_GETFL) & O_ACCMODE;
		ssize_t n = pread(passed, text, sizeof(text) - 1, 0);

		text[n > 0 ? n : 0] = '\0';
		json_object_set_new(req, "passed",
			json_pack("{s:s,s:s}", "mode", mode == O_WRONLY ? "w" : "r", "text", text));
		close(passed);
	}
	for (size_t i = 0; cmd && i < sizeof(canned) / sizeof(canned[0]); i++)
		if (strcmp(canned[i][0], cmd) == 0)
			result = canned[i][1];
	id = json_dumps(json_object_get(req, "id"), JSON_ENCODE_ANY);
	json_array_append_new(requests, req);
	snprintf(reply, sizeof(reply), "{\"id\": %s, \"ok\": true, \"result\": %s}\n", id, result);
	for (size_t i = 0; cmd && i < sizeof(canned_errors) / sizeof(canned_errors[0]); i++)
		if (strcmp(canned_errors[i][0], cmd) == 0)
			snprintf(reply, sizeof(reply),
				"{\"id\": %s, \"ok\": false, \"error\": {\"errno\": \"EINVAL\", "
				"\"code\": 22, \"message\": \"%s\"}}\n",
				id, canned_errors[i][1]);
	/* a client may be gone (completion gives up): no SIGPIPE for the test program */
	send(fd, reply, strlen(reply), MSG_NOSIGNAL);
	free(id);
}

static void *serve(void *arg)
{
	int lfd = (int)(intptr_t)arg, fd;

	while ((fd = accept(lfd, NULL, NULL)) >= 0) {
		char buf[1 << 16], *nl;
		size_t len = 0;
		int passed = -1;

		for (;;) {
			union {
				char buf[CMSG_SPACE(sizeof(int))];
				struct cmsghdr align;
			} control;
			struct iovec iov = {buf + len, sizeof(buf) - 1 - len};
			struct msghdr msg = {.msg_iov = &iov,
				.msg_iovlen = 1,
				.msg_control = control.buf,
				.msg_controllen = sizeof(control.buf)};
			struct cmsghdr *cm;
			ssize_t n = recvmsg(fd, &msg, 0);

			if (n <= 0)
				break;
			cm = CMSG_FIRSTHDR(&msg);
			if (cm != NULL && cm->cmsg_type == SCM_RIGHTS)
				memcpy(&passed, CMSG_DATA(cm), sizeof(int));
			len += n;
			while ((nl = memchr(buf, '\n', len)) != NULL) {
				*nl = '\0';
				answer(fd, buf, passed);
				passed = -1;
				len -= nl + 1 - buf;
				memmove(buf, nl + 1, len);
			}
		}
		close(fd);
	}
	return NULL;
}

static int start_server(void **state)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char dir[] = "/tmp/test_cli.XXXXXX";
	pthread_t thread;
	int fd;

	(void)state;
	requests = json_array();
	assert_non_null(mkdtemp(dir));
	snprintf(server_path, sizeof(server_path), "%s/sock", dir);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", server_path);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 4) < 0)
		return -1;
	/* it lives as long as the test program */
	if (pthread_create(&thread, NULL, serve, (void *)(intptr_t)fd) != 0)
		return -1;
	pthread_detach(thread);
	return 0;
}

/* The thread stays blocked in accept() until the program ends; its socket goes. */
static int stop_server(void **state)
{
	(void)state;
	unlink(server_path);
	*strrchr(server_path, '/') = '\0';
	rmdir(server_path);
	json_decref(requests);
	return 0;
}

static int setup_daemon(void **state)
{
	setup(state);
	ctx.socket = server_path;
	json_array_clear(requests);
	return 0;
}

/* The last request: "cmd {args}". */
static void check_request(const char *cmd, const char *args)
{
	json_t *req = json_array_get(requests, json_array_size(requests) - 1);
	json_t *want = json_loads(args, 0, NULL), *got = json_object_get(req, "args");

	assert_non_null(want);
	assert_string_equal(json_string_value(json_object_get(req, "cmd")), cmd);
	if (!json_equal(got ? got : json_object_get(want, "no args"), want) &&
		!(got == NULL && json_object_size(want) == 0))
		fail_msg("%s: sent %s, expected %s", cmd, json_dumps(got, JSON_COMPACT), args);
	json_decref(want);
}

/* What the last request passed: the descriptor's mode ("r", "w") and first bytes. */
static void check_passed(const char *mode, const char *text)
{
	json_t *req = json_array_get(requests, json_array_size(requests) - 1);
	json_t *passed = json_object_get(req, "passed");

	if (passed == NULL)
		fail_msg(
			"%s: no descriptor passed", json_string_value(json_object_get(req, "cmd")));
	assert_string_equal(json_string_value(json_object_get(passed, "mode")), mode);
	assert_string_equal(json_string_value(json_object_get(passed, "text")), text);
}

static void check_output(const char *line, const char *expected)
{
	if (run(line) != CLI_OK)
		fail_msg("%s: %s", line, err_text);
	if (strcmp(out_text, expected) != 0)
		fail_msg("%s: got\n%s\nexpected\n%s", line, out_text, expected);
}

static void test_show_commands(void **state)
{
	(void)state;
	check_output("show runtime", "worker 0 (lcore 1)\n"
				     "NAME       CALLS  VECTORS  VECTORS/CALL  CYCLES/PACKET\n"
				     "eth_input     20      100          5.00          50.00\n"
				     "ip4_input     10      100         10.00         123.40\n"
				     "\n"
				     "worker 1 (lcore 2)\n"
				     "no node ran\n");
	check_output("show errors", "COUNT  REASON\n"
				    "   12  ip4_ttl_exceeded\n"
				    "    3  arp_bad\n"
				    "    3  ip4_no_route\n");
	check_output("show stats", "DROP              PACKETS\n"
				   "ip4_no_route            3\n"
				   "ip4_ttl_exceeded       12\n"
				   "arp_bad                 3\n"
				   "\n"
				   "POOL     SIZE  IN_USE   FREE\n"
				   "mbuf-0  32767    1100  31667\n");
	check_output("show errors all", "COUNT  REASON\n"
					"   12  ip4_ttl_exceeded\n"
					"    3  arp_bad\n"
					"    3  ip4_no_route\n"
					"    0  ip4_bad_checksum\n");
	check_output("show graph", "eth_input (source)  -> ip4_input, eth_drop\n"
				   "ip4_input           -> ip4_route\n"
				   "eth_drop (drop)\n");
	check_output("show graph dot", "digraph fastpath {\n"
				       "\trankdir=LR;\n"
				       "\tnode [shape=box];\n"
				       "\t\"eth_input\" [style=bold, shape=ellipse];\n"
				       "\t\"eth_drop\" [color=red, fontcolor=red];\n"
				       "\t\"eth_input\" -> \"ip4_input\";\n"
				       "\t\"eth_input\" -> \"eth_drop\" [color=red];\n"
				       "\t\"ip4_input\" -> \"ip4_route\";\n"
				       "}\n");
	check_request("graph.show", "{}");
	check_output("show trace", "Packet 1 (worker 0)\n"
				   "  eth_input\n"
				   "    02:00:00:00:00:01 > 02:00:00:00:00:02 type 0x0800\n"
				   "  ip4_input\n"
				   "    10.0.1.2 > 10.0.2.2 ttl 64\n"
				   "    line 2\n"
				   "\n"
				   "Packet 2 (worker 1)\n"
				   "  eth_input\n");
	check_output("show capture",
		"capture running\n"
		"  file       /tmp/c.pcapng\n"
		"  port       p1\n"
		"  direction  rx\n"
		"  captured   12 of 100 packets\n"
		"  bytes      3000 of at most 67108864\n"
		"  lost       2 packets (no buffer)\n"
		"  full       3 packets not written (max-bytes reached)\n"
		"  error      No space left on device: 4 packets not written\n");
	/* the config document as it came, in its order */
	check_output("show config", "{\n"
				    "  \"ports\": [\n"
				    "    {\n"
				    "      \"name\": \"p0\"\n"
				    "    }\n"
				    "  ],\n"
				    "  \"routes\": [],\n"
				    "  \"api\": {\n"
				    "    \"socket\": \"/s\"\n"
				    "  }\n"
				    "}\n");
	/* -j: the API's result */
	ctx.json = true;
	assert_int_equal(run("show runtime"), CLI_OK);
	assert_non_null(strstr(out_text, "\"workers\": ["));
	assert_int_equal(run("show config"), CLI_OK);
	assert_non_null(strstr(out_text, "{\n  \"config\": {"));
}

/* The ip commands: what they send, and the answers as ip prints them. */
static void test_ip_commands(void **state)
{
	(void)state;
	check_output("ip route replace 10.9.0.0/16 via 10.0.2.2 metric 20", "");
	check_request("route.add", "{\"prefix\": \"10.9.0.0/16\", \"via\": [\"10.0.2.2\"], "
				   "\"replace\": true}");
	check_output("ip -6 route replace default via fe80::1 dev p1", "");
	check_request("route.add", "{\"prefix\": \"::/0\", \"via\": [\"fe80::1\"], \"dev\": "
				   "\"p1\", \"replace\": true}");
	/* metric is taken and ranks nothing */
	check_output("ip route add 10.8.0.0/16 dev p1 metric 100", "");
	check_request("route.add", "{\"prefix\": \"10.8.0.0/16\", \"dev\": \"p1\"}");
	/* iproute2's abbreviations of keywords and types, and its type before the prefix */
	check_output("ip r a 10.8.0.0/16 via 10.0.2.2 m 100 v 2", "");
	check_request("route.add", "{\"prefix\": \"10.8.0.0/16\", \"via\": [\"10.0.2.2\"], "
				   "\"vrf\": 2}");
	check_output("ip route add bl 10.7.0.0/16", "");
	check_request("route.add", "{\"prefix\": \"10.7.0.0/16\", \"type\": \"blackhole\"}");
	check_output("ip -6 route add u default", "");
	check_request("route.add", "{\"prefix\": \"::/0\", \"type\": \"unreachable\"}");
	check_output("ip route replace proh 10.7.0.0/16", "");
	check_request("route.add", "{\"prefix\": \"10.7.0.0/16\", \"type\": \"prohibit\", "
				   "\"replace\": true}");
	check_usage("ip route add b 10.7.0.0/16", NULL);
	check_usage("ip route add pro 10.7.0.0/16", NULL);
	check_usage(
		"ip route add 10.7.0.0/16 v 10.0.2.2", "unexpected '10.0.2.2', expected ID", NULL);
	check_usage("ip route add 10.7.0.0/16 via 10.0.2.2 d p1", "unexpected 'd'", NULL);
	check_output("ip r g 10.9.1.1 from 10.0.1.2 ipproto udp sport 5000 dport 53",
		"10.9.1.1 from 10.0.1.2 via 10.0.3.2 dev p2\n"
		"    route 10.9.0.0/16 proto static\n"
		"\tnexthop via 10.0.2.2 dev p1\n"
		"\tnexthop via 10.0.3.2 dev p2\n"
		"    path 2 of 2 (the flow's ECMP member)\n");
	check_request("route.get", "{\"addr\": \"10.9.1.1\", \"from\": \"10.0.1.2\", \"ipproto\": "
				   "\"udp\", \"sport\": 5000, \"dport\": 53}");
	assert_int_equal(run("ip r g 10.9.1.1 f 10.0.1.2 ip udp s 5000 dp 53 i p1"), CLI_OK);
	check_request("route.get", "{\"addr\": \"10.9.1.1\", \"from\": \"10.0.1.2\", \"ipproto\": "
				   "\"udp\", \"sport\": 5000, \"dport\": 53, \"iif\": \"p1\"}");
	/* "d" is ip's dsfield, not dport */
	check_usage("ip route get 10.9.1.1 d 53", "unexpected 'd'", NULL);
}

/* ip route: table main as Linux lists it, the local and broadcast routes in table local */
static void test_route_tables(void **state)
{
	(void)state;
	check_output("ip route", "10.0.1.0/24 dev p1 proto kernel scope link\n"
				 "10.9.0.0/16 proto static\n");
	check_output("ip r s t local", "local 10.0.1.1 dev p1 proto kernel scope host\n"
				       "broadcast 10.0.1.255 dev p1 proto kernel scope link\n");
	check_output("ip route show table all",
		"10.0.1.0/24 dev p1 proto kernel scope link\n"
		"local 10.0.1.1 dev p1 table local proto kernel scope host\n"
		"broadcast 10.0.1.255 dev p1 table local proto kernel scope link\n"
		"10.9.0.0/16 proto static\n");
	check_output("show routes", "10.0.1.0/24 dev p1 proto kernel scope link\n"
				    "local 10.0.1.1 dev p1 proto kernel scope host\n"
				    "broadcast 10.0.1.255 dev p1 proto kernel scope link\n"
				    "10.9.0.0/16 proto static\n");
	check_request("route.list", "{}");
	check_usage("ip route show table default", "expected main|local|all", NULL);
}

/* The requests since the n-th, as a JSON array of [cmd, args] text. */
static void check_requests_since(size_t n, const char *expected)
{
	json_t *got = json_array(), *want = json_loads(expected, 0, NULL);

	assert_non_null(want);
	for (size_t i = n; i < json_array_size(requests); i++) {
		json_t *req = json_array_get(requests, i);

		json_array_append_new(got, json_pack("[O, O]", json_object_get(req, "cmd"),
						   json_object_get(req, "args") ?: json_null()));
	}
	if (!json_equal(got, want))
		fail_msg("sent %s, expected %s", json_dumps(got, JSON_COMPACT), expected);
	json_decref(got);
	json_decref(want);
}

/* ip link set: iface.set with what is set, nothing when nothing is */
static void test_link_set(void **state)
{
	size_t n;

	(void)state;
	check_output("ip link set p1 down", "");
	check_request("iface.set", "{\"name\": \"p1\", \"up\": false}");
	check_output("ip l set dev p1 mtu 9000 up", "");
	check_request("iface.set", "{\"name\": \"p1\", \"mtu\": 9000, \"up\": true}");
	check_output("ip link set p0 mtu 1400", "");
	check_request("iface.set", "{\"name\": \"p0\", \"mtu\": 1400}");
	n = json_array_size(requests);
	assert_int_equal(run("ip link set p1"), CLI_ERROR);
	assert_non_null(strstr(err_text, "set what: up, down or mtu N"));
	check_usage("ip link set p1 mtu big", "unexpected 'big', expected N (a number)", NULL);
	assert_int_equal(json_array_size(requests), n);
}

/* The daemon's errors name the word typed, not the argument's path in the request. */
static void test_errors_in_cli_words(void **state)
{
	(void)state;
	assert_int_equal(run("ip addr add 10.0.0.300/8 dev p1"), CLI_ERROR);
	assert_string_equal(err_text, "fastpathctl: 10.0.0.300/8: not an IPv4 or IPv6 prefix\n");
	assert_int_equal(run("ip neigh add 10.0.1.9 lladdr 02:00:00:00:00:09 dev p1"), CLI_ERROR);
	assert_string_equal(err_text, "fastpathctl: /nowhere/0: a path to no argument\n");
	assert_int_equal(run("ip route del 10.0.0.0/33"), CLI_ERROR);
	assert_string_equal(err_text, "fastpathctl: '10.0.0.0/33' is not an IPv4 prefix\n");
}

/* ip addr: each interface as ip link heads it, with its addresses of both families */
static void test_addr_grouped(void **state)
{
	(void)state;
	check_output("ip a", "2: p1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 state UP\n"
			     "    link/ether 02:00:00:00:01:01 brd ff:ff:ff:ff:ff:ff\n"
			     "    inet 10.0.1.1/24 brd 10.0.1.255 scope global p1\n"
			     "       valid_lft forever preferred_lft forever\n"
			     "    inet6 2001:db8:1::1/64 scope global\n"
			     "       valid_lft forever preferred_lft forever\n"
			     "1: p0: <BROADCAST,MULTICAST> mtu 1500 state DOWN\n"
			     "    link/ether 02:00:00:00:00:01 brd ff:ff:ff:ff:ff:ff\n"
			     "    inet 10.0.2.1/24 brd 10.0.2.255 scope global p0\n"
			     "       valid_lft forever preferred_lft forever\n"
			     "    inet6 fe80::1/64 scope link tentative\n"
			     "       valid_lft forever preferred_lft forever\n"
			     "3: p9: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 9000 state DOWN\n"
			     "    link/ether 02:00:00:00:09:01 brd ff:ff:ff:ff:ff:ff\n");
	check_request("addr.list", "{}");
	/* one interface, with or without dev */
	check_output("ip a s dev p9",
		"3: p9: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 9000 state DOWN\n"
		"    link/ether 02:00:00:00:09:01 brd ff:ff:ff:ff:ff:ff\n");
	check_output("ip addr show p0", "1: p0: <BROADCAST,MULTICAST> mtu 1500 state DOWN\n"
					"    link/ether 02:00:00:00:00:01 brd ff:ff:ff:ff:ff:ff\n"
					"    inet 10.0.2.1/24 brd 10.0.2.255 scope global p0\n"
					"       valid_lft forever preferred_lft forever\n"
					"    inet6 fe80::1/64 scope link tentative\n"
					"       valid_lft forever preferred_lft forever\n");
	assert_int_equal(run("ip addr show dev p7"), CLI_ERROR);
	assert_string_equal(err_text, "fastpathctl: Device \"p7\" does not exist.\n");
	/* one family: the interfaces that have such addresses, without link/ether, as ip does
	 * (the fake daemon answers with both families; the real one with the family asked for) */
	check_output("ip -4 a s p9", "");
	check_request("addr.list", "{\"family\": \"inet\"}");
	check_output("ip -6 addr show dev p1",
		"2: p1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 state UP\n"
		"    inet 10.0.1.1/24 brd 10.0.1.255 scope global p1\n"
		"       valid_lft forever preferred_lft forever\n"
		"    inet6 2001:db8:1::1/64 scope global\n"
		"       valid_lft forever preferred_lft forever\n");
}

/* ip neigh flush: the neighbours of the interface, or all, but the PERMANENT ones. */
static void test_neigh_flush(void **state)
{
	size_t n = json_array_size(requests);

	(void)state;
	check_output("ip neigh flush dev p1", "");
	check_requests_since(n, "[[\"neigh.list\", null], [\"neigh.del\", {\"iface\": \"p1\", "
				"\"address\": \"10.0.1.2\"}]]");
	n = json_array_size(requests);
	check_output("ip n f all", "");
	check_requests_since(n, "[[\"neigh.list\", null], [\"neigh.del\", {\"iface\": \"p1\", "
				"\"address\": \"10.0.1.2\"}], [\"neigh.del\", {\"iface\": \"p0\", "
				"\"address\": \"2001:db8::2\"}]]");
	/* one family's: ip -4 and ip -6 */
	n = json_array_size(requests);
	check_output("ip -6 n f all", "");
	check_requests_since(n, "[[\"neigh.list\", null], [\"neigh.del\", {\"iface\": \"p0\", "
				"\"address\": \"2001:db8::2\"}]]");
	n = json_array_size(requests);
	check_output("ip -4 neigh flush dev p0", "");
	check_requests_since(n, "[[\"neigh.list\", null]]");
	check_output("ip -4 neigh flush dev p1", "");
	check_requests_since(n, "[[\"neigh.list\", null], [\"neigh.list\", null], "
				"[\"neigh.del\", {\"iface\": \"p1\", \"address\": \"10.0.1.2\"}]]");
	check_output("ip -6 n", "2001:db8::2 dev p0 STALE\n");
	check_output("ip -4 neigh show", "10.0.1.2 dev p1 REACHABLE\n10.0.1.3 dev p1 PERMANENT\n");
	n = json_array_size(requests);
	assert_int_equal(run("ip -6 neigh flush"), CLI_ERROR);
	assert_int_equal(run("ip neigh flush"), CLI_ERROR);
	assert_non_null(strstr(err_text, "flush what: dev IFACE or all"));
	assert_int_equal(json_array_size(requests), n);
}

static void test_daemon_commands(void **state)
{
	char cwd[PATH_MAX], want[PATH_MAX + 128], dir[] = "/tmp/test_cli_files.XXXXXX";
	char path[PATH_MAX], text[256] = "";
	FILE *f;
	int fd;

	(void)state;
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_non_null(mkdtemp(dir));
	check_output("trace add 5", "");
	check_request("trace.add", "{\"count\": 5}");
	check_output("trace clear", "");
	check_request("trace.clear", "{}");
	/* the capture file is fastpathctl's to create, with its user's rights, and to pass */
	snprintf(path, sizeof(path), "%s/c.pcapng", dir);
	fd = open(path, O_WRONLY | O_CREAT, 0600);
	assert_int_equal(write(fd, "old content", 11), 11);
	close(fd);
	snprintf(want, sizeof(want), "capture start port p1 tx count 10 max-bytes 8192 file %s",
		path);
	check_output(want, "");
	check_request("capture.start", "{\"port\": \"p1\", \"direction\": \"tx\", \"count\": 10, "
				       "\"max_bytes\": 8192}");
	check_passed("w", ""); /* truncated */
	/* relative to fastpathctl's directory */
	assert_int_equal(chdir(dir), 0);
	check_output("capture start file rel.pcapng", "");
	check_request("capture.start", "{}");
	check_passed("w", "");
	assert_int_equal(access("rel.pcapng", F_OK), 0);
	assert_int_equal(unlink("rel.pcapng"), 0);
	assert_int_equal(run("capture start file /nonexistent/dir/c.pcapng"), CLI_ERROR);
	assert_non_null(strstr(err_text, "/nonexistent/dir/c.pcapng: No such file or directory"));
	check_output("capture stop", "");
	check_request("capture.stop", "{}");
	/* config load: the file as fastpathctl opened it, read-only */
	f = fopen("conf.json", "w");
	assert_non_null(f);
	fputs("{\"routes\": []}", f);
	fclose(f);
	check_output("config load conf.json", "routes:\n"
					      "  + 10.9.0.0/16\n"
					      "  - {\"prefix\":\"10.8.0.0/16\"}\n"
					      "api:\n"
					      "  ~ socket\n");
	check_request("config.load", "{}");
	check_passed("r", "{\"routes\": []}");
	/* config dump FILE writes what show config prints */
	check_output("config dump conf.json", "");
	assert_int_equal(chdir(cwd), 0);
	snprintf(path, sizeof(path), "%s/conf.json", dir);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_true(fread(text, 1, sizeof(text) - 1, f) > 0);
	fclose(f);
	assert_non_null(strstr(text, "{\n  \"ports\": [\n"));
	assert_int_equal(unlink(path), 0);
	snprintf(path, sizeof(path), "%s/c.pcapng", dir);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
	assert_int_equal(run("config load /nonexistent.json"), CLI_ERROR);
	assert_non_null(strstr(err_text, "/nonexistent.json: No such file or directory"));
}

/* cli_values(): what completion gets from the daemon. */
static void test_complete_daemon(void **state)
{
	(void)state;
	check_complete("ip addr add 10.0.0.1/24 dev ''", "p0 p1 p9");
	/* static routes: those of the addresses go with them */
	check_complete("ip route del ''", "10.9.0.0/16");
	check_complete("ip neigh del ''", "10.0.1.2 10.0.1.3 2001:db8::2");
	check_complete("ip addr del ''", "10.0.1.1/24 10.0.2.1/24 2001:db8:1::1/64 fe80::1/64");
	/* ADDR in route add, PREFIX in addr add: any */
	check_complete("ip route add 10.0.0.0/8 via ''", "");
	check_complete("ip addr add ''", "");
	/* no daemon: only the syntax */
	ctx.socket = "/nonexistent/fastpath.sock";
	cli_ctx_fini(&ctx);
	check_complete("ip route del ''", "");
	check_complete("ip route del 10.0.0.0/8 ''", "vrf");
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
		cmocka_unit_test_setup_teardown(test_complete, setup, teardown),
		cmocka_unit_test_setup_teardown(test_complete_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_complete_help, setup, teardown),
		cmocka_unit_test_setup_teardown(test_abbreviations, setup, teardown),
		cmocka_unit_test_setup_teardown(test_grammars, setup, teardown),
		cmocka_unit_test_setup_teardown(test_help_texts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_show_commands, setup_daemon, teardown),
		cmocka_unit_test_setup_teardown(test_ip_commands, setup_daemon, teardown),
		cmocka_unit_test_setup_teardown(test_link_set, setup_daemon, teardown),
		cmocka_unit_test_setup_teardown(test_route_tables, setup_daemon, teardown),
		cmocka_unit_test_setup_teardown(test_errors_in_cli_words, setup_daemon, teardown),
		cmocka_unit_test_setup_teardown(test_addr_grouped, setup_daemon, teardown),
		cmocka_unit_test_setup_teardown(test_neigh_flush, setup_daemon, teardown),
		cmocka_unit_test_setup_teardown(test_daemon_commands, setup_daemon, teardown),
		cmocka_unit_test_setup_teardown(test_complete_daemon, setup_daemon, teardown),
	};

	return cmocka_run_group_tests(tests, start_server, stop_server);
}
