/* SPDX-License-Identifier: BSD-3-Clause */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

/*
 * fastpathctl's commands. Each subsystem registers its own from its cli.c
 * with CLI_COMMAND(), describing the arguments with a syntax in the style of
 * iproute2's usage lines:
 *
 *   ip route add PREFIX [via ADDR]... [dev IFACE] [type unicast|blackhole] [vrf ID]
 *
 * - The leading lower-case words name the command ("ip route add").
 * - UPPER-CASE words take any argument; ID and N take unsigned integers.
 * - a|b|c takes one of those words.
 * - [...] is optional; [...]... may be repeated. Optional groups in a row
 *   match in any order, as iproute2's options do.
 *
 * The handler gets the arguments as a JSON object. A value is named after
 * the literal word just before it (its keyword: "via", "dev", "type", "vrf"),
 * else after the placeholder in lower case ("prefix"). A literal that is not a
 * keyword, and the word chosen from an a|b|c without keyword, are flags:
 * `[all]` gives "all": true. Values inside a repeatable group are lists, in
 * the order given: `via 1.1.1.1 via 2.2.2.2` gives "via": ["1.1.1.1", "2.2.2.2"].
 *
 * Aliases name the same command with other leading words, sharing the rest of
 * the syntax: "show routes [vrf ID]" with the aliases "ip route" and
 * "ip route show" also accepts `ip route vrf 1`.
 *
 * TAB completion reads the same syntax: command words, keywords and choices
 * come from it, and placeholders from a source of values named per command
 * with CLI_COMMAND_VALUES() ("PREFIX=route": the prefixes of the routes); IFACE
 * and FILE complete with interface and file names in every command.
 */

/* fastpathctl's exit codes, and what cli_run() and friends return. */
enum { CLI_OK = 0, CLI_ERROR = 1, CLI_USAGE = 2 };

struct api_client;
struct cli_ctx;

/*
 * The values a placeholder may take, for completion: a new JSON array of
 * strings, or NULL. source is the name given in the command's values ("iface",
 * "route", ...); partial the word typed so far (the values need not start with
 * it, the caller filters).
 */
typedef json_t *(*cli_values_fn)(struct cli_ctx *ctx, const char *source, const char *partial);

struct cli_ctx {
	const char *socket; /* API socket path */
	bool json;	    /* -j: show commands print the raw JSON result */
	FILE *out, *err;
	char where[256];	   /* "file:line: " in batch mode, starts every message */
	struct api_client *client; /* connected on the first call */
	cli_values_fn values;	   /* completion's values; NULL: cli_values() */
};

/* Returns 0 or a negative errno with an fp_error() message (exit code 1). */
typedef int (*cli_handler_fn)(struct cli_ctx *ctx, const json_t *args);

struct cli_node;

struct cli_command {
	const char *syntax;
	const char *help;
	const char *values; /* "PLACEHOLDER=source ...": what TAB offers for them; may be NULL */
	cli_handler_fn fn;
	const char *const *aliases; /* NULL-terminated lists of leading words */
	/* set by cli_command_register() */
	struct cli_node *args; /* the syntax after the leading words */
	const char *args_text;
	struct cli_command *next;
};

/* Aborts on a syntax it cannot parse: a build mistake, found by the first run. */
void cli_command_register(struct cli_command *cmd);

/*
 * CLI_COMMAND(var, syntax, help, handler, aliases...)
 * CLI_COMMAND_VALUES(var, syntax, help, values, handler, aliases...): values
 * names where completion finds the values of placeholders, blank-separated
 * "PLACEHOLDER=source" pairs with the sources of cli_values(): "PREFIX=route".
 * The help says what the command does, in a sentence or two.
 */
#define CLI_COMMAND_VALUES(var, syntax_, help_, values_, handler, ...)                             \
	static const char *const var##_aliases[] = {__VA_ARGS__ __VA_OPT__(, ) NULL};              \
	static struct cli_command var = {.syntax = syntax_,                                        \
		.help = help_,                                                                     \
		.values = values_,                                                                 \
		.fn = handler,                                                                     \
		.aliases = var##_aliases};                                                         \
	static void __attribute__((constructor)) var##_register(void)                              \
	{                                                                                          \
		cli_command_register(&var);                                                        \
	}
#define CLI_COMMAND(var, syntax_, help_, handler, ...)                                             \
	CLI_COMMAND_VALUES(var, syntax_, help_, NULL, handler __VA_OPT__(, ) __VA_ARGS__)

/* The registered commands, sorted by syntax, linked by next. */
const struct cli_command *cli_commands(void);

/*
 * Runs one command line, already split: "help [WORDS]", "help --markdown",
 * "WORDS --help" and the registered commands. Messages go to ctx->err;
 * returns an exit code.
 */
int cli_run(struct cli_ctx *ctx, int argc, char **argv);
/* Splits line (modified) and runs it; blank lines and comments do nothing. */
int cli_run_line(struct cli_ctx *ctx, char *line);
/* Batch mode: one command per line; stops at the first failure, naming its line. */
int cli_run_file(struct cli_ctx *ctx, FILE *f, const char *name);
/* Closes the API connection. */
void cli_ctx_fini(struct cli_ctx *ctx);

/*
 * Splits line in place into at most max words: blanks separate words, single
 * or double quotes group them, '#' at the start of a word begins a comment.
 * Returns the number of words or <0 with fp_error.
 */
int cli_split(char *line, char **argv, int max);

/*
 * Matches argv against the commands: 0 with the command and its arguments
 * (a new reference), or CLI_USAGE after printing why, with the command's
 * usage or the closest commands. Used by cli_run(), public for the tests.
 */
int cli_parse(struct cli_ctx *ctx, int argc, char *const argv[], const struct cli_command **cmd,
	json_t **args);

/* "help" without words lists every command; with words, the commands they start. */
int cli_help(struct cli_ctx *ctx, int argc, char *const argv[]);
/* "help --markdown": every command's usage and help, the reference of docs/fastpathctl.md. */
void cli_help_markdown(struct cli_ctx *ctx);

/*
 * Completion, from the syntax cli_parse() matches with: the words that may
 * follow argv[0..argc) and start with partial ("": any), sorted, each once, as
 * a new JSON array of strings. Command names, keywords and choices come from
 * the syntax, placeholders' values from ctx->values. After "help": command
 * names only. Nothing when argv does not start a valid command line.
 */
json_t *cli_complete(struct cli_ctx *ctx, int argc, char *const argv[], const char *partial);
/*
 * The same for a line being typed, up to the cursor: its last word is the
 * partial one, "" after a blank. *partial_len: that word's length, unquoted.
 */
json_t *cli_complete_line(struct cli_ctx *ctx, const char *line, size_t *partial_len);
/*
 * "?" in the shell: prints on ctx->out what may follow line (up to the
 * cursor), one item a line with what it does: command words, keywords with
 * their placeholder, choices, values, and <enter> when the command is complete.
 */
void cli_complete_help(struct cli_ctx *ctx, const char *line);

/* Helpers for the handlers. */

/* Runs an API command (args stolen, NULL: none). 0 or <0 with the daemon's message. */
int cli_call(struct cli_ctx *ctx, const char *cmd, json_t *api_args, json_t **result);
/* The same, passing fd, a file the CLI opened with its user's rights (api_client_call_fd()). */
int cli_call_fd(struct cli_ctx *ctx, const char *cmd, json_t *api_args, int fd, json_t **result);
/*
 * For a long list: each(result, arg) gets every message's result as it comes, chunk by chunk
 * (api_client_call_each()), so that the CLI prints a million entries without holding them.
 */
typedef int (*cli_chunk_fn)(const json_t *result, void *arg);
int cli_call_each(
	struct cli_ctx *ctx, const char *cmd, json_t *api_args, cli_chunk_fn each, void *arg);

/*
 * cli_call(), then prints the result: as indented JSON with -j or when print
 * is NULL, else with print, which also gets the command's own arguments.
 */
typedef void (*cli_print_fn)(struct cli_ctx *ctx, const json_t *result, const json_t *args);
int cli_show(struct cli_ctx *ctx, const char *cmd, json_t *api_args, cli_print_fn print,
	const json_t *args);
int cli_show_fd(struct cli_ctx *ctx, const char *cmd, json_t *api_args, int fd, cli_print_fn print,
	const json_t *args);

/*
 * The command's arguments as API arguments: every member copied, keys
 * renamed by renames, "from=to" pairs separated by blanks ("dev=iface").
 */
json_t *cli_api_args(const json_t *args, const char *renames);

/*
 * Prints rows (an array of objects) as an aligned table. columns lists the
 * members to show, "key" or "key:header" (the header is the key otherwise),
 * headers in upper case, numbers right-aligned, missing members as "-". Rows
 * whose member nonzero is 0 are left out unless nonzero is NULL; without rows
 * nothing is printed. gap (NULL: unused) separates tables with a blank line:
 * the first table printed sets it.
 */
void cli_table(FILE *out, bool *gap, const json_t *rows, const char *columns, const char *nonzero);

/*
 * An interface of iface.list as ip link and ip addr head it: "2: p1: <BROADCAST,MULTICAST,UP,
 * LOWER_UP> mtu 1500 state UP", then, if link_line, "    link/ether MAC brd ...".
 */
void cli_print_link(FILE *out, const json_t *iface, bool link_line);

/* A member's string value, or "" (output code reads the daemon's replies leniently). */
const char *cli_str(const json_t *obj, const char *key);
/* A member's integer value, or 0. */
json_int_t cli_int(const json_t *obj, const char *key);

/*
 * The default cli_values_fn. Sources: "iface" (interface names), "addr"
 * (addresses, 10.0.1.1/24), "route" (prefixes of the routes not derived from
 * addresses), "neigh" (neighbour addresses), "command" (API commands), all
 * from the daemon, and "file" (local file names, directories with a '/').
 */
json_t *cli_values(struct cli_ctx *ctx, const char *source, const char *partial);
