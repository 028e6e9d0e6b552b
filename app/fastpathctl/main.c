/* SPDX-License-Identifier: BSD-3-Clause */
#include "api/api.h"
#include "cli/cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if __has_include(<editline/readline.h>)
#include <editline/readline.h>
#define HAVE_EDITLINE 1
#endif

static void usage(FILE *out)
{
	fprintf(out,
		"usage: fastpathctl [-s SOCKET] [-j] COMMAND...\n"
		"       fastpathctl [-s SOCKET] [-j] -f FILE   one command per line, - for stdin\n"
		"       fastpathctl [-s SOCKET] [-j]           a shell on a terminal, else stdin\n"
		"\n"
		"  -s, --socket PATH  fastpathd's API socket (default $FASTPATH_SOCKET, else "
		"%s)\n"
		"  -j, --json         show commands print the daemon's JSON result\n"
		"  -f, --file FILE    run the commands of FILE, stopping at the first failure\n"
		"  -V, --version      print the version\n"
		"\n"
		"`fastpathctl help` lists the commands, `help WORDS` or `WORDS --help` explains "
		"them.\n",
		API_SOCKET_DEFAULT);
}

/* Errors are reported and the shell goes on; the exit code is the last command's. */
static int shell(struct cli_ctx *ctx)
{
	char *line, word[8], extra;
	int ret = CLI_OK;

	for (;;) {
#ifdef HAVE_EDITLINE
		line = readline("fastpath> ");
		if (line != NULL && *line != '\0')
			add_history(line);
#else
		size_t cap = 0;

		line = NULL;
		fputs("fastpath> ", stdout);
		fflush(stdout);
		if (getline(&line, &cap, stdin) < 0) {
			free(line);
			line = NULL;
		}
#endif
		if (line == NULL) {
			fputc('\n', stdout);
			break;
		}
		if (sscanf(line, " %7s %c", word, &extra) == 1 &&
			(strcmp(word, "exit") == 0 || strcmp(word, "quit") == 0)) {
			free(line);
			break;
		}
		ret = cli_run_line(ctx, line);
		free(line);
	}
	return ret;
}

static int run_file(struct cli_ctx *ctx, const char *path)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	int ret;

	if (f == NULL) {
		fprintf(ctx->err, "fastpathctl: %s: %m\n", path);
		return CLI_ERROR;
	}
	ret = cli_run_file(ctx, f, path);
	if (f != stdin)
		fclose(f);
	return ret;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{"socket", required_argument, NULL, 's'},
		{"json", no_argument, NULL, 'j'},
		{"file", required_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{0},
	};
	struct cli_ctx ctx = {.socket = getenv("FASTPATH_SOCKET"), .out = stdout, .err = stderr};
	const char *file = NULL;
	int opt, ret;

	if (ctx.socket == NULL || *ctx.socket == '\0')
		ctx.socket = API_SOCKET_DEFAULT;
	/* "+": options end at the command, whose words may start with '-' */
	while ((opt = getopt_long(argc, argv, "+s:jf:hV", options, NULL)) != -1) {
		switch (opt) {
		case 's':
			ctx.socket = optarg;
			break;
		case 'j':
			ctx.json = true;
			break;
		case 'f':
			file = optarg;
			break;
		case 'h':
			usage(stdout);
			return CLI_OK;
		case 'V':
			printf("fastpathctl %s\n", FP_VERSION);
			return CLI_OK;
		default:
			usage(stderr);
			return CLI_USAGE;
		}
	}
	if (file != NULL && optind < argc) {
		fprintf(stderr, "fastpathctl: -f and a command do not go together\n");
		return CLI_USAGE;
	}
	if (file != NULL)
		ret = run_file(&ctx, file);
	else if (optind < argc)
		ret = cli_run(&ctx, argc - optind, argv + optind);
	else if (isatty(STDIN_FILENO))
		ret = shell(&ctx);
	else
		ret = cli_run_file(&ctx, stdin, "<stdin>");
	cli_ctx_fini(&ctx);
	return ret;
}
