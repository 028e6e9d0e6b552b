/* SPDX-License-Identifier: BSD-3-Clause */
#include "cli.h"
#include "base/fp_error.h"
#include "base/fp_text.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PATH_WORDS	8
#define MAX_LINE_WORDS	256
#define MAX_EXPECTED	16
#define MAX_SUGGESTIONS 12
#define HELP_WIDTH	80

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

/* Whether the sequence has the placeholder, in a group or not. */
static bool has_value(const struct cli_node *n, const char *placeholder, size_t len)
{
	for (; n != NULL; n = n->next)
		if ((n->type == NODE_VALUE && strlen(n->text) == len &&
			    strncmp(n->text, placeholder, len) == 0) ||
			has_value(n->child, placeholder, len))
			return true;
	return false;
}

static void check_values(const struct cli_command *cmd)
{
	for (const char *v = cmd->values; v != NULL && *(v += strspn(v, " ")) != '\0';) {
		size_t len = strcspn(v, " "), name = strcspn(v, "= ");

		if (name == len || name + 1 == len)
			syntax_die(cmd, "values are PLACEHOLDER=source pairs");
		if (!has_value(cmd->args, v, name))
			syntax_die(cmd, "values name a placeholder the syntax does not have");
		v += len;
	}
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
	check_values(cmd);
	while (*p != NULL && strcmp((*p)->syntax, cmd->syntax) < 0)
		p = &(*p)->next;
	cmd->next = *p;
	*p = cmd;
}

const struct cli_command *cli_commands(void)
{
	return commands;
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

/*
 * The keywords and choices iproute2 6.1 takes abbreviated (it reads them with matches(), the
 * others with strcmp()), and the shortest prefix it reads as each: shorter ones name another
 * keyword of ip's (ip route get "d" is dsfield, ip route add "p" priority, "pro" protocol,
 * "b" broadcast), or nothing. Tried against ip in a namespace; via, dev, mtu, up, down, all,
 * weight and default are written in full there, so here too.
 */
static const struct {
	const char *word;
	size_t min;
} abbreviable[] = {
	{"vrf", 1},	/* ip route add/del/show/get */
	{"table", 1},	/* ip route show */
	{"metric", 1},	/* ip route add */
	{"from", 1},	/* ip route get */
	{"iif", 1},	/* ip route get */
	{"ipproto", 2}, /* ip route get: "i" is iif */
	{"sport", 1},	/* ip route get */
	{"dport", 2},	/* ip route get: "d" is dsfield */
	{"lladdr", 1},	/* ip neigh add */
	/* the route types of ip route add */
	{"unicast", 3},	    /* "u", "un" are unreachable */
	{"unreachable", 1}, /* tried before unicast */
	{"blackhole", 2},   /* "b" is broadcast */
	{"prohibit", 4},    /* "p" is priority, "pro" protocol */
};

/* Whether arg names the syntax's word: in full, or abbreviated where iproute2 takes it so. */
static bool word_is(const char *arg, const char *word, size_t word_len)
{
	size_t len = strlen(arg);

	if (len == word_len && strncmp(arg, word, len) == 0)
		return true;
	if (len == 0 || len > word_len || strncmp(arg, word, len) != 0)
		return false;
	for (size_t i = 0; i < sizeof(abbreviable) / sizeof(abbreviable[0]); i++)
		if (strlen(abbreviable[i].word) == word_len &&
			strncmp(abbreviable[i].word, word, word_len) == 0)
			return len >= abbreviable[i].min;
	return false;
}

/* The choice arg names, in full or abbreviated (word_is), or NULL; *len is its length. */
static const char *choice_of(const char *choices, const char *arg, size_t *len)
{
	for (const char *c = choices; c != NULL; c = strchr(c, '|'), c = c ? c + 1 : NULL) {
		*len = strcspn(c, "|");
		if (word_is(arg, c, *len))
			return c;
	}
	return NULL;
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
	const char *arg = pos < m->argc ? m->argv[pos] : NULL, *choice;
	json_int_t v;
	size_t len;

	if (arg != NULL) {
		switch (n->type) {
		case NODE_WORD:
			if (!word_is(arg, n->text, strlen(n->text)))
				break;
			if (n->key != NULL)
				bind(args, n, n->key, json_true());
			return pos + 1;
		case NODE_CHOICE:
			if ((choice = choice_of(n->text, arg, &len)) == NULL)
				break;
			if (n->key != NULL) {
				bind(args, n, n->key, json_stringn(choice, len));
			} else {
				char *flag = strndup(choice, len);

				bind(args, n, flag, json_true());
				free(flag);
			}
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
	/* the shorter names first: "ip addr" before "ip -4 addr" */
	if (x->form->nwords != y->form->nwords)
		return x->form->nwords - y->form->nwords;
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

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * Abbreviations, as iproute2 and vppctl take them: a command word may be
 * shortened to any prefix that names one word where it stands ("sh int":
 * "show interfaces"), or several that all lead to one command ("show neighb":
 * neighbours and its alias neighbors). iproute2's own spellings of words the
 * syntax spells otherwise are accepted after the first word, and its short
 * forms win where a prefix is ambiguous: iproute2 tries its words in the
 * order of its tables, so "ip -6 r" is route (not ra), "ip a" addr.
 */
static const struct {
	const char *spelling, *word;
} spellings[] = {
	{"address", "addr"},
	{"neighbour", "neigh"},
	{"neighbor", "neigh"},
	{"delete", "del"},
	{"list", "show"},
	{"lst", "show"},
};

/* "show ro": routes, the command typed most, rather than router-advertisements */
static const char *const precedence[] = {"addr", "route", "neigh", "link", "add", "replace", "del",
	"show", "get", "flush", "routes"};

/* Whether typed abbreviates word, or one of iproute2's spellings of it after the first word. */
static bool abbreviates(const char *typed, const char *word, int k)
{
	size_t len = strlen(typed);

	if (strncmp(typed, word, len) == 0)
		return true;
	for (size_t i = 0; k > 0 && i < sizeof(spellings) / sizeof(spellings[0]); i++)
		if (strcmp(spellings[i].word, word) == 0 &&
			strncmp(typed, spellings[i].spelling, len) == 0)
			return true;
	return false;
}

static int precedence_rank(const char *word)
{
	for (size_t i = 0; i < sizeof(precedence) / sizeof(precedence[0]); i++)
		if (strcmp(precedence[i], word) == 0)
			return (int)i;
	return -1;
}

/*
 * Copies argv to out with the abbreviated words of the command name written
 * in full. Returns 0, or -EINVAL after printing the candidates of an
 * ambiguous word when ctx is not NULL. Words that abbreviate no command word
 * are left as they are: they are arguments, or an unknown command.
 */
static int expand_name(struct cli_ctx *ctx, int argc, char *const argv[], char *out[])
{
	memcpy(out, argv, argc * sizeof(*out));
	for (int k = 0; k < argc; k++) {
		const char *cand[nforms + 1];
		const struct cli_command *only = NULL;
		bool exact = false, several_commands = false;
		int ncand = 0, best = -1;

		for (const struct form *f = forms; f < forms + nforms; f++) {
			const char *w;
			int i = 0;

			if (f->nwords <= k || path_match(f, k, out) < k)
				continue;
			w = f->words[k];
			exact = exact || strcmp(w, argv[k]) == 0;
			if (!abbreviates(argv[k], w, k))
				continue;
			several_commands = several_commands || (only != NULL && only != f->cmd);
			only = f->cmd;
			while (i < ncand && strcmp(cand[i], w) != 0)
				i++;
			if (i == ncand)
				cand[ncand++] = w;
		}
		if (exact || ncand == 0)
			continue;
		for (int i = 0; i < ncand; i++) {
			int r = precedence_rank(cand[i]);

			if (r >= 0 && (best < 0 || r < precedence_rank(cand[best])))
				best = i;
		}
		if (ncand == 1 || !several_commands) {
			out[k] = (char *)cand[0];
		} else if (best >= 0) {
			out[k] = (char *)cand[best];
		} else {
			if (ctx != NULL) {
				char typed[256];

				join(typed, sizeof(typed), out, k + 1);
				msg(ctx, "ambiguous command '%s', '%s' may be:", typed, argv[k]);
				qsort(cand, ncand, sizeof(cand[0]), str_cmp);
				for (int i = 0; i < ncand; i++)
					fprintf(ctx->err, "    %s\n", cand[i]);
			}
			return -EINVAL;
		}
	}
	return 0;
}

int cli_parse(struct cli_ctx *ctx, int argc, char *const argv[], const struct cli_command **cmd,
	json_t **args)
{
	const struct form *matched = NULL, *failed = NULL;
	struct match fail = {0};
	char *words[argc + 1];

	*args = NULL;
	if (expand_name(ctx, argc, argv, words) < 0)
		return CLI_USAGE;
	argv = words;
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

/* text in lines of up to width columns (or one word), each starting with indent. */
static void print_wrapped(FILE *out, const char *indent, const char *text, int width)
{
	int room = width - (int)strlen(indent);

	while (*text) {
		int len = strcspn(text, " ");

		/* as many more words as fit */
		for (;;) {
			int next = len + strspn(text + len, " ");
			int word = strcspn(text + next, " ");

			if (word == 0 || next + word > room)
				break;
			len = next + word;
		}
		fprintf(out, "%s%.*s\n", indent, len, text);
		text += len;
		text += strspn(text, " ");
	}
}

int cli_help(struct cli_ctx *ctx, int argc, char *const argv[])
{
	bool prefix = false, shown = false;
	char *words[argc + 1];
	int longest = 0;

	if (expand_name(ctx, argc, argv, words) < 0)
		return CLI_USAGE;
	argv = words;

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
			print_wrapped(ctx->out, "    ", c->help, HELP_WIDTH);
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
	if (argc == 2 && strcmp(argv[0], "help") == 0 && strcmp(argv[1], "--markdown") == 0) {
		cli_help_markdown(ctx);
		return CLI_OK;
	}
	if (strcmp(argv[0], "help") == 0)
		return cli_help(ctx, argc - 1, argv + 1);
	/* the words to complete are any words, "-h" too */
	for (int i = 0; i < argc && strcmp(argv[0], "complete") != 0; i++)
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

void cli_help_markdown(struct cli_ctx *ctx)
{
	char group[64] = "";

	/* sorted by syntax: grouped by first word */
	for (const struct cli_command *c = commands; c != NULL; c = c->next) {
		int len = strcspn(c->syntax, " ");

		if ((int)strlen(group) != len || strncmp(group, c->syntax, len) != 0) {
			snprintf(group, sizeof(group), "%.*s", len, c->syntax);
			fprintf(ctx->out, "%s### %s\n", c == commands ? "" : "\n", group);
		}
		fputs("\n```\n", ctx->out);
		print_usage(ctx->out, c, false);
		fprintf(ctx->out, "```\n\n%s\n", c->help);
	}
}

/*
 * Completion: what the matcher tries at the end of the words typed, where it
 * records what it expected for its error messages, is what may come next.
 */

/* Placeholders that complete the same way in every command. */
static const char default_values[] = "IFACE=iface FILE=file";

/* The source of a placeholder's values in cmd ("" when it has none), in buf. */
static const char *value_source(
	const struct cli_command *cmd, const char *placeholder, char *buf, size_t size)
{
	const char *lists[] = {cmd->values, default_values};
	size_t plen = strlen(placeholder);

	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		for (const char *v = lists[i]; v != NULL && *(v += strspn(v, " ")) != '\0';) {
			size_t len = strcspn(v, " ");

			if (len > plen && strncmp(v, placeholder, plen) == 0 && v[plen] == '=') {
				snprintf(buf, size, "%.*s", (int)(len - plen - 1), v + plen + 1);
				return buf;
			}
			v += len;
		}
	}
	buf[0] = '\0';
	return buf;
}

enum next_kind {
	NEXT_NAME, /* a word of a command name (f NULL: "help") */
	NEXT_NODE, /* a node of f's arguments */
	NEXT_END,  /* f's command is complete */
};

typedef void (*next_fn)(void *opaque, enum next_kind kind, const struct form *f, const char *word,
	const struct cli_node *n);

/* Calls fn for everything that may follow argv[0..argc). */
static void walk_next(int argc, char *const argv[], next_fn fn, void *opaque)
{
	bool names_only = argc > 0 && strcmp(argv[0], "help") == 0;
	char *words[argc + 1];

	if (names_only) {
		argc--;
		argv++;
	} else if (argc == 0) {
		fn(opaque, NEXT_NAME, NULL, "help", NULL);
	}
	/* "ip r <TAB>" completes what follows ip route; an ambiguous word, nothing */
	if (expand_name(NULL, argc, argv, words) < 0)
		return;
	argv = words;
	for (const struct form *f = forms; f < forms + nforms; f++) {
		int k = path_match(f, argc, argv);

		if (k == argc && argc < f->nwords) {
			fn(opaque, NEXT_NAME, f, f->words[argc], NULL);
		} else if (k == f->nwords && !names_only) {
			struct match m = {.argc = argc, .argv = argv, .fail_pos = -1};
			json_t *a = json_object();
			int pos = match_seq(&m, f->cmd->args, f->nwords, a);

			json_decref(a);
			if (pos == argc)
				fn(opaque, NEXT_END, f, NULL, NULL);
			for (int i = 0; m.fail_pos == argc && i < m.nexpected; i++)
				if (m.expected[i] != NULL)
					fn(opaque, NEXT_NODE, f, NULL, m.expected[i]);
		}
	}
}

struct completion {
	struct cli_ctx *ctx;
	int argc;
	const char *partial;
	json_t *cache; /* source: its values, each asked once */
	json_t *words; /* cli_complete() */
	struct help_item {
		char *text;
		char *help;
		bool literal;  /* a word: shown when it starts with the partial word */
		bool conflict; /* given different helps: shown without */
		bool values;   /* help lists values, it is not a sentence */
	} * items;	       /* cli_complete_help() */
	size_t nitems;
};

static bool starts_with(const char *s, size_t len, const char *prefix)
{
	size_t plen = strlen(prefix);

	return len >= plen && strncmp(s, prefix, plen) == 0;
}

/* Sorted, each once; words is stolen. */
static json_t *sorted_unique(json_t *words)
{
	size_t n = json_array_size(words), i;
	const char **v = malloc((n + 1) * sizeof(*v));
	json_t *out = json_array(), *w;

	if (v != NULL) {
		json_array_foreach (words, i, w)
			v[i] = json_string_value(w);
		qsort(v, n, sizeof(*v), str_cmp);
		for (i = 0; i < n; i++)
			if (i == 0 || strcmp(v[i], v[i - 1]) != 0)
				json_array_append_new(out, json_string(v[i]));
		free(v);
	}
	json_decref(words);
	return out;
}

/* The values of n, a placeholder of f: an array, empty without a source. */
static const json_t *node_values(
	struct completion *c, const struct form *f, const struct cli_node *n)
{
	cli_values_fn fn = c->ctx->values ? c->ctx->values : cli_values;
	char source[64];
	json_t *v;

	if (n->type != NODE_VALUE || !*value_source(f->cmd, n->text, source, sizeof(source)))
		return NULL;
	v = json_object_get(c->cache, source);
	if (v == NULL) {
		v = fn(c->ctx, source, c->partial);
		if (!json_is_array(v)) {
			json_decref(v);
			v = json_array();
		}
		v = sorted_unique(v);
		json_object_set_new(c->cache, source, v);
	}
	return v;
}

static void add_word(struct completion *c, const char *w, size_t len)
{
	if (starts_with(w, len, c->partial))
		json_array_append_new(c->words, json_stringn(w, len));
}

static void complete_next(void *opaque, enum next_kind kind, const struct form *f, const char *word,
	const struct cli_node *n)
{
	struct completion *c = opaque;
	const json_t *v;
	size_t i;

	if (kind == NEXT_NAME) {
		add_word(c, word, strlen(word));
	} else if (kind == NEXT_NODE && n->type == NODE_WORD) {
		add_word(c, n->text, strlen(n->text));
	} else if (kind == NEXT_NODE && n->type == NODE_CHOICE) {
		for (const char *a = n->text; a != NULL; a = strchr(a, '|'), a = a ? a + 1 : NULL)
			add_word(c, a, strcspn(a, "|"));
	} else if (kind == NEXT_NODE) {
		json_array_foreach (node_values(c, f, n), i, v)
			if (json_is_string(v))
				add_word(c, json_string_value(v), json_string_length(v));
	}
}

json_t *cli_complete(struct cli_ctx *ctx, int argc, char *const argv[], const char *partial)
{
	struct completion c = {.ctx = ctx,
		.argc = argc,
		.partial = partial ? partial : "",
		.cache = json_object(),
		.words = json_array()};

	walk_next(argc, argv, complete_next, &c);
	json_decref(c.cache);
	return sorted_unique(c.words);
}

/*
 * Splits line, being typed, into buf (strlen(line) + 2 bytes): the complete
 * words in argv, the last one in *partial, "" after a blank. An unterminated
 * quote is closed. -1 inside a comment or on a split error.
 */
static int split_partial(const char *line, char *buf, char **argv, int max, const char **partial)
{
	size_t len = strlen(line);
	char quote = 0;
	int argc;

	for (const char *p = line; *p; p++) {
		if (quote) {
			if (*p == quote)
				quote = 0;
		} else if (*p == '"' || *p == '\'') {
			quote = *p;
		} else if (*p == '#' && (p == line || isspace((unsigned char)p[-1]))) {
			return -1;
		}
	}
	memcpy(buf, line, len);
	buf[len] = quote;
	buf[len + (quote != 0)] = '\0';
	argc = cli_split(buf, argv, max);
	if (argc < 0)
		return -1;
	if (argc == 0 || (!quote && isspace((unsigned char)line[len - 1])))
		*partial = "";
	else
		*partial = argv[--argc];
	return argc;
}

json_t *cli_complete_line(struct cli_ctx *ctx, const char *line, size_t *partial_len)
{
	char *buf = malloc(strlen(line) + 2), *argv[MAX_LINE_WORDS];
	const char *partial = "";
	int argc = buf ? split_partial(line, buf, argv, MAX_LINE_WORDS, &partial) : -1;
	json_t *words = argc < 0 ? json_array() : cli_complete(ctx, argc, argv, partial);

	*partial_len = strlen(partial);
	free(buf);
	return words;
}

/* Values as a help text: "one of: a, b, c", cut when long. */
static char *values_text(struct completion *c, const json_t *values)
{
	char text[256] = "";
	const json_t *v;
	size_t i, n = 0;

	json_array_foreach (values, i, v) {
		const char *s = json_string_value(v);
		size_t len = strlen(text);

		if (s == NULL || !starts_with(s, strlen(s), c->partial))
			continue;
		if (len + strlen(s) + 8 >= sizeof(text)) {
			snprintf(text + len, sizeof(text) - len, ", ...");
			break;
		}
		snprintf(text + len, sizeof(text) - len, "%s%s", n++ ? ", " : "one of: ", s);
	}
	return strdup(text);
}

/* Each text once, with its help if all that give one give the same. */
static void help_add(struct completion *c, char *text, char *help, bool literal, bool values)
{
	struct help_item *items, *it;

	if (text == NULL || (literal && !starts_with(text, strlen(text), c->partial)))
		goto drop;
	for (size_t i = 0; i < c->nitems; i++) {
		it = &c->items[i];
		if (strcmp(it->text, text) != 0)
			continue;
		if (help != NULL && it->help == NULL && !it->conflict) {
			it->help = help;
			help = NULL;
		} else if (help != NULL && it->help != NULL && strcmp(it->help, help) != 0) {
			free(it->help);
			it->help = NULL;
			it->conflict = true;
		}
		goto drop;
	}
	items = realloc(c->items, (c->nitems + 1) * sizeof(*items));
	if (items == NULL)
		goto drop;
	c->items = items;
	c->items[c->nitems++] = (struct help_item){
		.text = text, .help = help, .literal = literal, .values = values};
	return;
drop:
	free(text);
	free(help);
}

static char *dup_or_null(const char *s)
{
	return s && *s ? strdup(s) : NULL;
}

static void help_next(void *opaque, enum next_kind kind, const struct form *f, const char *word,
	const struct cli_node *n)
{
	struct completion *c = opaque;
	const struct cli_node *value = n;
	char *text = NULL;

	switch (kind) {
	case NEXT_NAME:
		if (f == NULL)
			help_add(c, strdup(word),
				strdup("List the commands; help WORDS explains those starting "
				       "with WORDS."),
				true, false);
		else
			/* a word that ends a name says what the command does */
			help_add(c, strdup(word),
				f->nwords == c->argc + 1 ? dup_or_null(f->cmd->help) : NULL, true,
				false);
		return;
	case NEXT_END:
		/* the command is complete before the word being typed */
		if (!*c->partial)
			help_add(c, strdup("<enter>"), dup_or_null(f->cmd->help), false, false);
		return;
	case NEXT_NODE:
		break;
	}
	/* a keyword with its value: "dev IFACE" */
	if (n->type == NODE_WORD && n->key == NULL && n->next != NULL) {
		value = n->next;
		if (asprintf(&text, "%s %s%s", n->text, value->text,
			    value->integer ? " (a number)" : "") < 0)
			text = NULL;
	} else if (n->integer) {
		if (asprintf(&text, "%s (a number)", n->text) < 0)
			text = NULL;
	} else {
		text = strdup(n->text);
	}
	if (n->type == NODE_CHOICE) {
		bool any = false;

		for (const char *a = n->text; a != NULL; a = strchr(a, '|'), a = a ? a + 1 : NULL)
			any = any || starts_with(a, strcspn(a, "|"), c->partial);
		if (!any) {
			free(text);
			return;
		}
	}
	help_add(c, text,
		value->type == NODE_VALUE ? values_text(c, node_values(c, f, value)) : NULL,
		n->type == NODE_WORD, true);
}

/*
 * How much of a help text "?" shows on its line: its first clause (up to a
 * '.', ':' or ';' outside parentheses), cut after a word to fit room columns.
 */
static int short_help(const char *help, bool values, int room)
{
	int len = values ? (int)strlen(help) : 0, depth = 0, cut = 0;

	for (; help[len] && !values; len++) {
		depth += help[len] == '(' ? 1 : help[len] == ')' ? -1 : 0;
		if (depth == 0 && strchr(".:;", help[len]) &&
			(help[len + 1] == ' ' || help[len + 1] == '\0'))
			break;
	}
	if (room < 20)
		room = 20;
	if (len <= room)
		return len;
	for (int i = 0; i <= room - 3; i++)
		if (help[i] == ' ')
			cut = i;
	return cut > 0 ? cut : room - 3;
}

/* Words, then placeholders (upper case), then <enter>. */
static int help_item_cmp(const void *a, const void *b)
{
	const struct help_item *x = a, *y = b;

	if ((*x->text == '<') != (*y->text == '<'))
		return *x->text == '<' ? 1 : -1;
	if (x->literal != y->literal)
		return x->literal ? -1 : 1;
	return strcmp(x->text, y->text);
}

void cli_complete_help(struct cli_ctx *ctx, const char *line)
{
	char *buf = malloc(strlen(line) + 2), *argv[MAX_LINE_WORDS];
	struct completion c = {.ctx = ctx, .partial = "", .cache = json_object()};
	int argc = buf ? split_partial(line, buf, argv, MAX_LINE_WORDS, &c.partial) : -1;
	int width = 0;

	c.argc = argc;
	if (argc >= 0)
		walk_next(argc, argv, help_next, &c);
	if (c.nitems > 0)
		qsort(c.items, c.nitems, sizeof(*c.items), help_item_cmp);
	for (size_t i = 0; i < c.nitems; i++)
		if ((int)strlen(c.items[i].text) > width)
			width = strlen(c.items[i].text);
	for (size_t i = 0; i < c.nitems; i++) {
		const char *help = c.items[i].help ? c.items[i].help : "";
		int len = short_help(help, c.items[i].values, HELP_WIDTH - 4 - width);

		fprintf(ctx->out, "  %-*s%s%.*s%s\n", *help ? width : 0, c.items[i].text,
			*help ? "  " : "", len, help, help[len] && help[len] != '.' ? "..." : "");
		free(c.items[i].text);
		free(c.items[i].help);
	}
	/* nothing fits: the parser says why */
	if (c.nitems == 0 && argc >= 0) {
		const struct cli_command *cmd;
		json_t *args;

		if (*c.partial)
			argv[argc++] = (char *)c.partial;
		if (cli_parse(ctx, argc, argv, &cmd, &args) == 0)
			json_decref(args);
	}
	free(c.items);
	free(buf);
	json_decref(c.cache);
}
