/* SPDX-License-Identifier: BSD-3-Clause */
#include "api/api.h"
#include "cli/cli.h"

#include <errno.h>
#include <getopt.h>
#include <histedit.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define HISTORY_FILE ".fastpathctl_history"
#define HISTORY_SIZE 1000
#define PROMPT	     "fastpath> "

static void usage(FILE *out)
{
	fprintf(out,
		"usage: fastpathctl [-s SOCKET] [-j] COMMAND...\n"
		"       fastpathctl [-s SOCKET] [-j] -f FILE   one command per line, - for stdin\n"
		"       fastpathctl [-s SOCKET] [-j]           a shell on a terminal, else stdin\n"
		"       fastpathctl [-s SOCKET] complete WORDS...  the words that may follow\n"
		"\n"
		"  -s, --socket PATH  fastpathd's API socket (default $FASTPATH_SOCKET, else "
		"%s)\n"
		"  -j, --json         show commands print the daemon's JSON result\n"
		"  -f, --file FILE    run the commands of FILE, stopping at the first failure\n"
		"  -V, --version      print the version\n"
		"\n"
		"`fastpathctl help` lists the commands, `help WORDS` or `WORDS --help` explains "
		"them.\n"
		"In the shell, TAB completes and ? lists what may come next. The manual is "
		"docs/fastpathctl.md.\n",
		API_SOCKET_DEFAULT);
}

/* The interactive shell: libedit, with completion from the commands' syntax. */

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
}

static char *prompt(EditLine *el)
{
	(void)el;
	return PROMPT;
}

static struct cli_ctx *shell_ctx(EditLine *el)
{
	void *ctx;

	el_get(el, EL_CLIENTDATA, &ctx);
	return ctx;
}

/* The line up to the cursor. */
static char *line_to_cursor(EditLine *el)
{
	const LineInfo *li = el_line(el);

	return strndup(li->buffer, li->cursor - li->buffer);
}

static bool in_quotes(const char *line)
{
	char quote = 0;

	for (; *line; line++)
		if (quote ? *line == quote : *line == '"' || *line == '\'')
			quote = quote ? 0 : *line;
	return quote != 0;
}

/* The shell's own words, where a command name starts. */
static void add_shell_words(json_t *words, const char *line, size_t partial_len)
{
	static const char *const own[] = {"exit", "quit"};
	size_t lead = strspn(line, " \t");

	if (strlen(line) - lead != partial_len || strpbrk(line + lead, " \t\"'") != NULL)
		return;
	for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++) {
		size_t pos = 0;

		if (strncmp(own[i], line + lead, partial_len) != 0)
			continue;
		while (pos < json_array_size(words) &&
			strcmp(json_string_value(json_array_get(words, pos)), own[i]) < 0)
			pos++;
		json_array_insert_new(words, pos, json_string(own[i]));
	}
}

/* In columns, sorted down them, as ls does. */
static void print_columns(FILE *out, const json_t *words)
{
	size_t n = json_array_size(words), width = 0;
	struct winsize ws;
	size_t cols, rows, term = 80;

	if (ioctl(fileno(out), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		term = ws.ws_col;
	for (size_t i = 0; i < n; i++)
		if (json_string_length(json_array_get(words, i)) > width)
			width = json_string_length(json_array_get(words, i));
	cols = term / (width + 2) ? term / (width + 2) : 1;
	rows = (n + cols - 1) / cols;
	for (size_t r = 0; r < rows; r++) {
		for (size_t c = 0; c < cols && c * rows + r < n; c++) {
			size_t i = c * rows + r;
			bool last = c + 1 == cols || i + rows >= n;

			fprintf(out, "%-*s%s", last ? 0 : (int)width,
				json_string_value(json_array_get(words, i)), last ? "" : "  ");
		}
		fputc('\n', out);
	}
}

/*
 * TAB: one candidate is completed, followed by a blank; several are completed
 * as far as they agree, or listed when they do not.
 */
static unsigned char complete_key(EditLine *el, int ch)
{
	struct cli_ctx *ctx = shell_ctx(el);
	char *line = line_to_cursor(el);
	size_t plen, common;
	unsigned char ret = CC_REFRESH;
	const char *first;
	json_t *words;

	(void)ch;
	if (line == NULL)
		return CC_ERROR;
	words = cli_complete_line(ctx, line, &plen);
	add_shell_words(words, line, plen);
	if (json_array_size(words) == 0) {
		ret = CC_REFRESH_BEEP;
		goto out;
	}
	first = json_string_value(json_array_get(words, 0));
	common = strlen(first);
	for (size_t i = 1; i < json_array_size(words); i++) {
		const char *w = json_string_value(json_array_get(words, i));
		size_t k = 0;

		while (k < common && w[k] == first[k])
			k++;
		common = k;
	}
	if (json_array_size(words) == 1) {
		char text[1024];

		/* a directory goes on with its files */
		snprintf(text, sizeof(text), "%s%s", first + plen,
			first[strlen(first) - 1] == '/' ? "" : " ");
		if (*text)
			el_insertstr(el, text);
	} else if (common > plen) {
		char text[1024];

		snprintf(text, sizeof(text), "%.*s", (int)(common - plen), first + plen);
		el_insertstr(el, text);
	} else {
		fputc('\n', stdout);
		print_columns(stdout, words);
		fflush(stdout);
		ret = CC_REDISPLAY;
	}
out:
	json_decref(words);
	free(line);
	return ret;
}

/* ?: what may come next, with what it does. Inside quotes it is just a '?'. */
static unsigned char help_key(EditLine *el, int ch)
{
	struct cli_ctx *ctx = shell_ctx(el);
	char *line = line_to_cursor(el);

	(void)ch;
	if (line == NULL)
		return CC_ERROR;
	if (in_quotes(line)) {
		free(line);
		el_insertstr(el, "?");
		return CC_REFRESH;
	}
	fputc('\n', stdout);
	fflush(stdout);
	cli_complete_help(ctx, line);
	if (strspn(line, " \t") == strlen(line))
		fputs("(exit, quit or Ctrl-D leave the shell)\n", ctx->out);
	fflush(ctx->out);
	fflush(ctx->err);
	free(line);
	return CC_REDISPLAY;
}

/* ~/.fastpathctl_history; "" without a home. */
static void history_path(char *buf, size_t size)
{
	const char *home = getenv("HOME");
	struct passwd *pw;

	if (home == NULL || *home == '\0') {
		pw = getpwuid(getuid());
		home = pw ? pw->pw_dir : NULL;
	}
	if (home == NULL || (size_t)snprintf(buf, size, "%s/%s", home, HISTORY_FILE) >= size)
		buf[0] = '\0';
}

static bool is_word(const char *line, const char *word)
{
	char first[8], extra;

	return sscanf(line, " %7s %c", first, &extra) == 1 && strcmp(first, word) == 0;
}

/* Errors are reported and the shell goes on; the exit code is the last command's. */
static int shell(struct cli_ctx *ctx)
{
	struct sigaction sa = {.sa_handler = on_sigint}, old_sa;
	char path[PATH_MAX];
	int ret = CLI_OK, count;
	History *hist;
	HistEvent ev;
	EditLine *el;

	el = el_init("fastpathctl", stdin, stdout, stderr);
	hist = history_init();
	if (el == NULL || hist == NULL) {
		fprintf(stderr, "fastpathctl: cannot start the line editor\n");
		return CLI_ERROR;
	}
	history(hist, &ev, H_SETSIZE, HISTORY_SIZE);
	history(hist, &ev, H_SETUNIQUE, 1);
	history_path(path, sizeof(path));
	if (*path)
		history(hist, &ev, H_LOAD, path);
	el_set(el, EL_EDITOR, "emacs");
	el_set(el, EL_PROMPT, prompt);
	el_set(el, EL_HIST, history, hist);
	el_set(el, EL_SIGNAL, 1);
	el_set(el, EL_CLIENTDATA, ctx);
	/* wide: el_set() would copy the names and never free them */
	el_wset(el, EL_ADDFN, L"fp-complete", L"Complete the word", complete_key);
	el_wset(el, EL_ADDFN, L"fp-help", L"List what may come next", help_key);
	el_set(el, EL_BIND, "^I", "fp-complete", NULL);
	el_set(el, EL_BIND, "?", "fp-help", NULL);
	/* ~/.editrc, for key bindings */
	el_source(el, NULL);
	/* Ctrl-C drops the line being typed (a command waiting for the daemon has a timeout) */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_sa);
	printf("fastpathctl %s: TAB completes, ? lists what may come next, help lists the "
	       "commands.\n",
		FP_VERSION);
	for (;;) {
		const char *got;
		char *line;

		interrupted = 0;
		got = el_gets(el, &count);
		if (got == NULL && interrupted) {
			fputc('\n', stdout);
			continue;
		}
		if (got == NULL || count <= 0) {
			fputc('\n', stdout);
			break;
		}
		line = strdup(got);
		if (line == NULL)
			break;
		line[strcspn(line, "\n")] = '\0';
		if (is_word(line, "exit") || is_word(line, "quit")) {
			free(line);
			break;
		}
		/* saved at once: a shell killed keeps its history */
		if (strspn(line, " \t") < strlen(line)) {
			history(hist, &ev, H_ENTER, line);
			if (*path)
				history(hist, &ev, H_SAVE, path);
		}
		ret = cli_run_line(ctx, line);
		free(line);
		fflush(stdout);
	}
	sigaction(SIGINT, &old_sa, NULL);
	history_end(hist);
	el_end(el);
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
