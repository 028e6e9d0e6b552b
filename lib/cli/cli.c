/* SPDX-License-Identifier: BSD-3-Clause */
#include "cli.h"
#include "infra/fp_error.h"
#include "infra/fp_text.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PATH_WORDS	8
#define MAX_LINE_WORDS	256
#define MAX_EXPECTED	16
#define MAX_SUGGESTIONS 12

enum node_type { NODE_WORD, NODE_CHOICE, NODE_VALUE, NODE_GROUP };

struct cli_node {
	enum node_type type;
	char *text;	 /* the word, "a|b|c" or the placeholder; NULL for a group */
	const char *key; /* the argument set when matched; NULL: a keyword, or a choice's flag */
	bool integer;	 /* placeholder of an unsigned integer */
	bool list;	 /* inside a repeatable group: values are collected in an array */
	bool repeat;	 /* group followed by "..." */
	struct cli_node *child; /* group contents */
	struct cli_node *next;
};

/* A command's name: its syntax's leading words, or one of its aliases. */
struct form {
	const struct cli_command *cmd;
	char *path;
	char *words[MAX_PATH_WORDS];
	int nwords;
};

static struct cli_command *commands; /* sorted by syntax, for help */
static struct form *forms;
static size_t nforms;

static void __attribute__((noreturn)) syntax_die(const struct cli_command *cmd, const char *why)
{
	fprintf(stderr, "fastpathctl: bad command syntax \"%s\": %s\n", cmd->syntax, why);
	abort();
}

static bool is_placeholder(const char *w)
{
	return isupper((unsigned char)w[0]);
}

/* The next token: "[", "]", "]..." or a word; *start is the token, its length is returned. */
static size_t syntax_token(const char *s, const char **start)
{
	s += strspn(s, " ");
	*start = s;
	if (*s == '[')
		return 1;
	if (*s == ']')
		return strncmp(s, "]...", 4) == 0 ? 4 : 1;
	return strcspn(s, " []");
}

static void mark_list(struct cli_node *n)
{
	for (; n != NULL; n = n->next) {
		n->list = true;
		mark_list(n->child);
	}
}

/* Names what each node of a sequence sets (see cli.h). */
static void name_args(struct cli_node *n)
{
	for (struct cli_node *prev = NULL; n != NULL; prev = n, n = n->next) {
		if (n->type == NODE_WORD) {
			n->key = n->text;
		} else if (n->type != NODE_GROUP && prev != NULL && prev->type == NODE_WORD) {
			n->key = prev->text;
			prev->key = NULL;
		} else if (n->type == NODE_VALUE) {
			char *key = strdup(n->text);

			for (char *p = key; *p; p++)
				*p = tolower((unsigned char)*p);
			n->key = key;
		}
	}
}

static struct cli_node *parse_seq(const struct cli_command *cmd, const char **s, int depth)
{
	struct cli_node *head = NULL, **tail = &head;

	for (;;) {
		const char *tok;
		size_t len = syntax_token(*s, &tok);
		struct cli_node *n;

		if (len == 0 && depth > 0)
			syntax_die(cmd, "unclosed [");
		if (len == 0 || *tok == ']') {
			if (len > 0 && depth == 0)
				syntax_die(cmd, "] without [");
			break;
		}
		*s = tok + len;
		n = calloc(1, sizeof(*n));
		if (n == NULL)
			syntax_die(cmd, "out of memory");
		if (*tok == '[') {
			n->type = NODE_GROUP;
			n->child = parse_seq(cmd, s, depth + 1);
			if (n->child == NULL)
				syntax_die(cmd, "empty []");
			n->repeat = syntax_token(*s, &tok) == 4;
			*s = tok + (n->repeat ? 4 : 1);
			if (n->repeat)
				mark_list(n->child);
		} else {
			n->text = strndup(tok, len);
			if (strchr(n->text, '|') != NULL)
				n->type = NODE_CHOICE;
			else if (is_placeholder(n->text))
				n->type = NODE_VALUE;
			else
				n->type = NODE_WORD;
			n->integer = strcmp(n->text, "ID") == 0 || strcmp(n->text, "N") == 0;
		}
		*tail = n;
		tail = &n->next;
	}
	name_args(head);
	return head;
}

static void add_form(struct cli_command *cmd, const char *path, size_t len)
{
	struct form *f;
	char *save;

	forms = realloc(forms, (nforms + 1) * sizeof(*forms));
	if (forms == NULL)
		syntax_die(cmd, "out of memory");
	f = &forms[nforms++];
	*f = (struct form){.cmd = cmd, .path = strndup(path, len)};
	for (char *w = strtok_r(strndup(path, len), " ", &save); w != NULL;
		w = strtok_r(NULL, " ", &save)) {
		if (f->nwords == MAX_PATH_WORDS || is_placeholder(w) || strpbrk(w, "[]|"))
			syntax_die(cmd, "a command name is up to 8 literal words");
		f->words[f->nwords++] = w;
	}
	if (f->nwords == 0)
		syntax_die(cmd, "no command name");
}

void cli_command_register(struct cli_command *cmd)
{
	const char *s = cmd->syntax, *tok;
	struct cli_command **p = &commands;
	size_t len;

	/* the leading literal words name the command */
	while ((len = syntax_token(s, &tok)) > 0 && *tok != '[' && *tok != ']' &&
		!is_placeholder(tok) && memchr(tok, '|', len) == NULL)
		s = tok + len;
	add_form(cmd, cmd->syntax, s - cmd->syntax);
	for (const char *const *a = cmd->aliases; *a != NULL; a++)
		add_form(cmd, *a, strlen(*a));
	cmd->args_text = s + strspn(s, " ");
	cmd->args = parse_seq(cmd, &s, 0);
	while (*p != NULL && strcmp((*p)->syntax, cmd->syntax) < 0)
		p = &(*p)->next;
	cmd->next = *p;
	*p = cmd;
}

static void __attribute__((format(printf, 2, 3))) msg(struct cli_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	fprintf(ctx->err, "fastpathctl: %s", ctx->where);
	va_start(ap, fmt);
	vfprintf(ctx->err, fmt, ap);
	va_end(ap);
	fputc('\n', ctx->err);
}

/* Matching. Greedy: a command line is read left to right with no going back. */

struct match {
	int argc;
	char *const *argv;
	int fail_pos; /* the furthest argument where matching failed */
	const struct cli_node *expected[MAX_EXPECTED]; /* what would have been accepted there */
	int nexpected;
};

/* Records a failure at pos; n is what was expected there, NULL for the end of the command. */
static void expect(struct match *m, int pos, const struct cli_node *n)
{
	if (pos < m->fail_pos)
		return;
	if (pos > m->fail_pos) {
		m->fail_pos = pos;
		m->nexpected = 0;
	}
	for (int i = 0; i < m->nexpected; i++)
		if (m->expected[i] == n)
			return;
	if (m->nexpected < MAX_EXPECTED)
		m->expected[m->nexpected++] = n;
}

static void bind(json_t *args, const struct cli_node *n, const char *key, json_t *value)
{
	json_t *list;

	if (!n->list) {
		json_object_set_new(args, key, value);
		return;
	}
	list = json_object_get(args, key);
	if (list == NULL)
		json_object_set_new(args, key, list = json_array());
	json_array_append_new(list, value);
}

static bool choice_has(const char *choices, const char *word)
{
	size_t len = strlen(word);

	for (const char *c = choices; c != NULL; c = strchr(c, '|'), c = c ? c + 1 : NULL)
		if (strncmp(c, word, len) == 0 && (c[len] == '|' || c[len] == '\0'))
			return true;
	return false;
}

static bool parse_uint(const char *s, json_int_t *v)
{
	char *end;

	errno = 0;
	*v = strtoll(s, &end, 10);
	return isdigit((unsigned char)*s) && *end == '\0' && errno == 0;
}

/* A word, choice or value at pos: the position after it, or -1. */
static int match_node(struct match *m, const struct cli_node *n, int pos, json_t *args)
{
	const char *arg = pos < m->argc ? m->argv[pos] : NULL;
	json_int_t v;

	if (arg != NULL) {
		switch (n->type) {
		case NODE_WORD:
			if (strcmp(arg, n->text) != 0)
				break;
			if (n->key != NULL)
				bind(args, n, n->key, json_true());
			return pos + 1;
		case NODE_CHOICE:
			if (!choice_has(n->text, arg))
				break;
			if (n->key != NULL)
				bind(args, n, n->key, json_string(arg));
			else
				bind(args, n, arg, json_true());
			return pos + 1;
		case NODE_VALUE:
			if (!n->integer) {
				bind(args, n, n->key, json_string(arg));
				return pos + 1;
			}
			if (!parse_uint(arg, &v))
				break;
			bind(args, n, n->key, json_integer(v));
			return pos + 1;
		case NODE_GROUP:
			break;
		}
	}
	expect(m, pos, n);
	return -1;
}

static int match_seq(struct match *m, const struct cli_node *n, int pos, json_t *args);

/* Adds a group's arguments to those of the enclosing sequence. */
static void merge_args(json_t *args, json_t *group)
{
	const char *key;
	json_t *v, *old;

	json_object_foreach (group, key, v) {
		old = json_object_get(args, key);
		if (json_is_array(old) && json_is_array(v))
			json_array_extend(old, v);
		else
			json_object_set(args, key, v);
	}
}

/* A run of optional groups [first, end): each matches once (repeatable ones more), in any order. */
static int match_groups(struct match *m, const struct cli_node *first, const struct cli_node *end,
	int pos, json_t *args)
{
	unsigned long long used = 0;
	bool progress = true;

	while (progress) {
		int i = 0;

		progress = false;
		for (const struct cli_node *g = first; g != end; g = g->next, i++) {
			json_t *group;
			int next;

			if ((used & (1ull << i)) && !g->repeat)
				continue;
			group = json_object();
			next = match_seq(m, g->child, pos, group);
			if (next > pos) {
				merge_args(args, group);
				used |= 1ull << i;
				pos = next;
				progress = true;
			}
			json_decref(group);
		}
	}
	return pos;
}

/* The position after the sequence, or -1. */
static int match_seq(struct match *m, const struct cli_node *n, int pos, json_t *args)
{
	while (n != NULL && pos >= 0) {
		const struct cli_node *first = n;

		if (n->type != NODE_GROUP) {
			pos = match_node(m, n, pos, args);
			n = n->next;
			continue;
		}
		while (n != NULL && n->type == NODE_GROUP)
			n = n->next;
		pos = match_groups(m, first, n, pos, args);
	}
	return pos;
}

/* How many leading words of argv f's name matches. */
static int path_match(const struct form *f, int argc, char *const argv[])
{
	int k = 0;

	while (k < f->nwords && k < argc && strcmp(f->words[k], argv[k]) == 0)
		k++;
	return k;
}

static bool has_longer_form(const struct form *f)
{
	for (const struct form *o = forms; o < forms + nforms; o++)
		if (o->nwords > f->nwords && path_match(o, f->nwords, f->words) == f->nwords)
			return true;
	return false;
}

static void print_form(FILE *out, const char *indent, const struct form *f)
{
	const char *args = f->cmd->args_text;

	fprintf(out, "%s%s%s%s\n", indent, f->path, *args ? " " : "", args);
}

/* Every name of cmd with its arguments. */
static void print_usage(FILE *out, const struct cli_command *cmd, bool usage)
{
	const char *indent = usage ? "usage: " : "";

	for (const struct form *f = forms; f < forms + nforms; f++) {
		if (f->cmd == cmd) {
			print_form(out, indent, f);
			indent = usage ? "       " : "";
		}
	}
}

static void report_mismatch(struct cli_ctx *ctx, const struct match *m, const struct form *f)
{
	const struct cli_node *exp[MAX_EXPECTED];
	char expected[512] = "";
	int n = 0;

	for (int i = 0; i < m->nexpected; i++)
		if (m->expected[i] != NULL)
			exp[n++] = m->expected[i];
	for (int i = 0; i < n; i++) {
		const char *sep = i == 0 ? "" : ", ";

		if (i > 0 && i + 1 == n)
			sep = " or ";
		snprintf(expected + strlen(expected), sizeof(expected) - strlen(expected), "%s%s%s",
			sep, exp[i]->text, exp[i]->integer ? " (a number)" : "");
	}
	if (m->fail_pos >= m->argc)
		msg(ctx, "%s: expected %s after '%s'", f->path, expected, m->argv[m->fail_pos - 1]);
	else if (n > 0)
		msg(ctx, "%s: unexpected '%s', expected %s", f->path, m->argv[m->fail_pos],
			expected);
	else
		msg(ctx, "%s: unexpected '%s'", f->path, m->argv[m->fail_pos]);
	print_usage(ctx->err, f->cmd, true);
}

static void join(char *buf, size_t size, char *const words[], int n)
{
	buf[0] = '\0';
	for (int i = 0; i < n; i++)
		snprintf(buf + strlen(buf), size - strlen(buf), "%s%s", i ? " " : "", words[i]);
}

struct suggestion {
	const struct form *form;
	size_t dist;
};

static int suggestion_cmp(const void *a, const void *b)
{
	const struct suggestion *x = a, *y = b;

	if (x->dist != y->dist)
		return x->dist < y->dist ? -1 : 1;
	return strcmp(x->form->path, y->form->path);
}

/*
 * No command name matches: suggest the names within a small edit distance of
 * what was typed (over as many words), else those sharing its first words.
 */
static void report_unknown(struct cli_ctx *ctx, int argc, char *const argv[])
{
	struct suggestion sugg[nforms + 1];
	char typed[256], name[256];
	size_t n = 0;
	int shared = 0;
	bool incomplete;

	for (const struct form *f = forms; f < forms + nforms; f++) {
		int k = f->nwords < argc ? f->nwords : argc, common = path_match(f, argc, argv);
		size_t d;

		join(typed, sizeof(typed), argv, k);
		join(name, sizeof(name), f->words, k);
		d = fp_edit_distance(typed, name);
		if (d <= 1 + strlen(name) / 4)
			sugg[n++] = (struct suggestion){f, d};
		if (common > shared)
			shared = common;
	}
	if (n == 0 && shared > 0)
		for (const struct form *f = forms; f < forms + nforms; f++)
			if (path_match(f, argc, argv) == shared)
				sugg[n++] = (struct suggestion){f, 0};
	qsort(sugg, n, sizeof(*sugg), suggestion_cmp);
	/* every word typed starts a command name, too few of them */
	incomplete = shared == argc;
	join(typed, sizeof(typed), argv, shared < argc ? shared + 1 : argc);
	msg(ctx, "%s command '%s'", incomplete ? "incomplete" : "unknown", typed);
	if (n > 0)
		fprintf(ctx->err, "%s:\n", incomplete ? "possible commands" : "did you mean");
	/* one name per command, the closest */
	for (size_t i = 0, shown = 0; i < n && shown < MAX_SUGGESTIONS; i++) {
		size_t j = 0;

		while (j < i && sugg[j].form->cmd != sugg[i].form->cmd)
			j++;
		if (j == i) {
			print_form(ctx->err, "    ", sugg[i].form);
			shown++;
		}
	}
}

int cli_parse(struct cli_ctx *ctx, int argc, char *const argv[], const struct cli_command **cmd,
	json_t **args)
{
	const struct form *matched = NULL, *failed = NULL;
	struct match fail = {0};

	*args = NULL;
	for (const struct form *f = forms; f < forms + nforms; f++) {
		struct match m = {.argc = argc, .argv = argv, .fail_pos = -1};
		json_t *a;
		int pos;

		if (path_match(f, argc, argv) < f->nwords)
			continue;
		a = json_object();
		pos = match_seq(&m, f->cmd->args, f->nwords, a);
		/* the most specific name wins: "ip route add ..." over "ip route [vrf ID]" */
		if (pos == argc && (matched == NULL || f->nwords > matched->nwords)) {
			json_decref(*args);
			*args = a;
			matched = f;
			continue;
		}
		json_decref(a);
		if (pos == argc)
			continue;
		if (pos >= 0)
			expect(&m, pos, NULL);
		if (failed == NULL || f->nwords > failed->nwords ||
			(f->nwords == failed->nwords && m.fail_pos > fail.fail_pos)) {
			failed = f;
			fail = m;
		}
	}
	if (matched != NULL) {
		*cmd = matched->cmd;
		return 0;
	}
	/* "ip route ad ...": a typo in a longer name rather than bad arguments to "ip route" */
	if (failed != NULL && !(fail.fail_pos == failed->nwords && has_longer_form(failed)))
		report_mismatch(ctx, &fail, failed);
	else
		report_unknown(ctx, argc, argv);
	return CLI_USAGE;
}

int cli_help(struct cli_ctx *ctx, int argc, char *const argv[])
{
	bool prefix = false, shown = false;
	int longest = 0;

	/*
	 * The commands whose names start with the words ("help ip route": all of
	 * them), else the longest name the words start with ("ip route add
	 * 10.0.0.0/8 --help": that one).
	 */
	for (const struct form *f = forms; f < forms + nforms; f++) {
		int k = path_match(f, argc, argv);

		if (k == argc)
			prefix = true;
		else if (k == f->nwords && k > longest)
			longest = k;
	}
	for (const struct cli_command *c = commands; c != NULL; c = c->next) {
		bool show = false;

		for (const struct form *f = forms; !show && f < forms + nforms; f++) {
			int k = path_match(f, argc, argv);

			show = f->cmd == c && (prefix ? k == argc : k == f->nwords && k == longest);
		}
		if (show) {
			fprintf(ctx->out, "%s", shown ? "\n" : "");
			print_usage(ctx->out, c, false);
			fprintf(ctx->out, "    %s\n", c->help);
			shown = true;
		}
	}
	if (shown)
		return CLI_OK;
	report_unknown(ctx, argc, argv);
	return CLI_USAGE;
}

int cli_run(struct cli_ctx *ctx, int argc, char **argv)
{
	const struct cli_command *cmd;
	json_t *args;
	int ret;

	if (argc == 0)
		return CLI_OK;
	if (strcmp(argv[0], "help") == 0)
		return cli_help(ctx, argc - 1, argv + 1);
	for (int i = 0; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return cli_help(ctx, i, argv);
	if (cli_parse(ctx, argc, argv, &cmd, &args) != 0)
		return CLI_USAGE;
	fp_error_clear();
	ret = cmd->fn(ctx, args);
	json_decref(args);
	if (ret >= 0)
		return CLI_OK;
	msg(ctx, "%s", fp_errmsg()[0] ? fp_errmsg() : strerror(-ret));
	return CLI_ERROR;
}

int cli_split(char *line, char **argv, int max)
{
	char *r = line;
	int argc = 0;

	for (;;) {
		char quote = 0, *w;

		r += strspn(r, " \t\r\n");
		if (*r == '\0' || *r == '#')
			return argc;
		if (argc == max)
			return fp_error(E2BIG, "more than %d words", max);
		argv[argc++] = w = r;
		for (; *r != '\0' && (quote || !isspace((unsigned char)*r)); r++) {
			if (*r == quote)
				quote = 0;
			else if (!quote && (*r == '"' || *r == '\''))
				quote = *r;
			else
				*w++ = *r;
		}
		if (quote)
			return fp_error(EINVAL, "unterminated %c quote", quote);
		if (*r != '\0')
			r++;
		*w = '\0';
	}
}

int cli_run_line(struct cli_ctx *ctx, char *line)
{
	char *argv[MAX_LINE_WORDS];
	int argc = cli_split(line, argv, MAX_LINE_WORDS);

	if (argc < 0) {
		msg(ctx, "%s", fp_errmsg());
		return CLI_USAGE;
	}
	return cli_run(ctx, argc, argv);
}

int cli_run_file(struct cli_ctx *ctx, FILE *f, const char *name)
{
	unsigned int lineno = 0;
	int ret = CLI_OK;
	char *line = NULL;
	size_t cap = 0;

	while (ret == CLI_OK && getline(&line, &cap, f) >= 0) {
		snprintf(ctx->where, sizeof(ctx->where), "%s:%u: ", name, ++lineno);
		ret = cli_run_line(ctx, line);
	}
	ctx->where[0] = '\0';
	free(line);
	return ret;
}
