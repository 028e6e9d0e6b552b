/* SPDX-License-Identifier: BSD-3-Clause */
#include "telemetry.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Pure functions (no EAL, no control thread): the OpenMetrics text and HTTP request checks. */

struct help {
	enum tel_kind kind;
	const char *field;
	const char *text;
};

static const struct help helps[] = {
	{TEL_PORTS, "rx_packets", "Packets received by the port."},
	{TEL_PORTS, "rx_bytes", "Bytes received by the port."},
	{TEL_PORTS, "rx_missed", "Packets the port dropped for lack of receive descriptors."},
	{TEL_PORTS, "rx_errors", "Erroneous packets received by the port."},
	{TEL_PORTS, "rx_nombuf", "Receive failures of the port for lack of mbufs."},
	{TEL_PORTS, "tx_packets", "Packets sent by the port."},
	{TEL_PORTS, "tx_bytes", "Bytes sent by the port."},
	{TEL_PORTS, "tx_errors", "Packets the port failed to send."},
	{TEL_PORTS, "xdp_redirected", "Frames the af_xdp port's XDP program handed to fastpath."},
	{TEL_PORTS, "xdp_passed", "Frames the af_xdp port's XDP program left to the kernel."},
	{TEL_PORTS, "xdp_no_socket",
		"Frames for fastpath the af_xdp port's XDP program left to the kernel: no "
		"socket on their queue."},
	{TEL_NODES, "calls", "Calls of the graph node, summed over the workers."},
	{TEL_NODES, "packets", "Packets handled by the graph node, summed over the workers."},
	{TEL_NODES, "cycles", "TSC cycles spent in the graph node, summed over the workers."},
	{TEL_DROPS, "packets", "Packets dropped, by reason."},
	{TEL_MEMPOOLS, "size", "Objects (mbufs, RIB nodes) the mempool was made with."},
	{TEL_MEMPOOLS, "in_use",
		"Objects of the mempool in use now (mbufs: in packets, rings and queues)."},
	{TEL_MEMPOOLS, "free", "Objects of the mempool free now, the lcore caches' too."},
};

static const char *help_text(const struct tel_row *r)
{
	for (size_t i = 0; i < sizeof(helps) / sizeof(helps[0]); i++)
		if (helps[i].kind == r->kind && strcmp(helps[i].field, r->field) == 0)
			return helps[i].text;
	return NULL;
}

static const char *const label_names[] = {
	[TEL_PORTS] = "port",
	[TEL_NODES] = "node",
	[TEL_DROPS] = "reason",
	[TEL_MEMPOOLS] = "pool",
};

/*
 * fastpath_port_rx_packets, fastpath_node_cycles, fastpath_drops: counters, whose samples add
 * "_total"; fastpath_mempool_in_use: a gauge, whose samples have the family's name.
 */
static void family_name(const struct tel_row *r, char *buf, size_t size)
{
	if (r->kind == TEL_PORTS)
		snprintf(buf, size, "fastpath_port_%s", r->field);
	else if (r->kind == TEL_NODES)
		snprintf(buf, size, "fastpath_node_%s", r->field);
	else if (r->kind == TEL_MEMPOOLS)
		snprintf(buf, size, "fastpath_mempool_%s", r->field);
	else if (strcmp(r->field, "packets") == 0)
		snprintf(buf, size, "fastpath_drops");
	else
		snprintf(buf, size, "fastpath_drops_%s", r->field);
	for (char *p = buf; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && *p != '_')
			*p = '_';
}

static bool same_family(const struct tel_row *a, const struct tel_row *b)
{
	return a->kind == b->kind && strcmp(a->field, b->field) == 0;
}

/* Label values escape backslash, double quote and line feed. */
static void put_label_value(FILE *f, const char *v)
{
	for (; *v != '\0'; v++) {
		if (*v == '\\' || *v == '"')
			fprintf(f, "\\%c", *v);
		else if (*v == '\n')
			fputs("\\n", f);
		else
			fputc(*v, f);
	}
}

/*
 * One family per (kind, field), its samples together as OpenMetrics wants
 * (counters_walk() gives the fields of a port one after the other), in order
 * of first appearance; a repeated name keeps its first value.
 */
int om_format(const struct tel_snapshot *s, char **text, size_t *len)
{
	FILE *f = open_memstream(text, len);
	char family[96];
	int ret;

	if (f == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < s->n; i++) {
		const struct tel_row *r = &s->rows[i];
		const char *help = help_text(r);
		bool gauge = r->kind == TEL_MEMPOOLS, first = true;

		for (size_t j = 0; j < i && first; j++)
			first = !same_family(&s->rows[j], r);
		if (!first)
			continue;
		family_name(r, family, sizeof(family));
		if (help != NULL)
			fprintf(f, "# HELP %s %s\n", family, help);
		else
			fprintf(f, "# HELP %s %s %s of the %s.\n", family,
				gauge ? "Gauge" : "Counter", r->field, label_names[r->kind]);
		fprintf(f, "# TYPE %s %s\n", family, gauge ? "gauge" : "counter");
		for (size_t j = i; j < s->n; j++) {
			const struct tel_row *q = &s->rows[j];
			bool dup = false;

			if (!same_family(q, r))
				continue;
			for (size_t k = i; k < j && !dup; k++)
				dup = same_family(&s->rows[k], q) &&
				      strcmp(s->rows[k].name, q->name) == 0;
			if (dup)
				continue;
			fprintf(f, "%s%s{%s=\"", family, gauge ? "" : "_total",
				label_names[q->kind]);
			put_label_value(f, q->name);
			fprintf(f, "\"} %" PRIu64 "\n", q->value);
		}
	}
	fputs("# EOF\n", f);
	ret = ferror(f) ? -ENOMEM : 0;
	if (fclose(f) != 0)
		ret = -ENOMEM;
	if (ret < 0) {
		free(*text);
		*text = NULL;
	}
	return ret;
}

/* RFC 9110 tchar */
static bool is_tchar(char c)
{
	return isalnum((unsigned char)c) || (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static bool is_token(const char *s, size_t len)
{
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!is_tchar(s[i]))
			return false;
	return true;
}

/* Line [start, *end) up to and without "\n" or "\r\n"; NULL if there is no line feed yet. */
static const char *line_end(const char *start, const char *limit, const char **next)
{
	const char *nl = memchr(start, '\n', limit - start);

	if (nl == NULL)
		return NULL;
	*next = nl + 1;
	return nl > start && nl[-1] == '\r' ? nl - 1 : nl;
}

static int request_line(const char *line, const char *end, bool *get, bool *head, bool *metrics)
{
	const char *sp1 = memchr(line, ' ', end - line), *sp2, *target, *q;
	size_t tlen;

	if (sp1 == NULL || !is_token(line, sp1 - line))
		return 400;
	target = sp1 + 1;
	sp2 = memchr(target, ' ', end - target);
	if (sp2 == NULL || sp2 == target || *target != '/')
		return 400;
	for (const char *p = target; p < sp2; p++)
		if (*p <= ' ' || *p > '~')
			return 400;
	if (end - (sp2 + 1) != 8 || memcmp(sp2 + 1, "HTTP/1.", 7) != 0 ||
		!isdigit((unsigned char)sp2[8]))
		return 400;
	*get = sp1 - line == 3 && memcmp(line, "GET", 3) == 0;
	*head = sp1 - line == 4 && memcmp(line, "HEAD", 4) == 0;
	q = memchr(target, '?', sp2 - target);
	tlen = (q ? q : sp2) - target;
	*metrics = tlen == 8 && memcmp(target, "/metrics", 8) == 0;
	return 0;
}

int om_http_classify(const char *buf, size_t len, size_t max, bool *head)
{
	const char *limit = buf + len, *line = buf, *end, *next;
	bool get = false, is_head = false, metrics = false;
	int status;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = buf[i];

		if ((c < ' ' && c != '\r' && c != '\n' && c != '\t') || c == 0x7f)
			return 400;
	}
	if ((end = line_end(line, limit, &next)) == NULL)
		return len >= max ? 400 : 0;
	if ((status = request_line(line, end, &get, &is_head, &metrics)) != 0)
		return status;
	/* header fields up to an empty line; they are not used, only checked */
	for (;;) {
		const char *colon;

		line = next;
		if ((end = line_end(line, limit, &next)) == NULL)
			return len >= max ? 400 : 0;
		if (end == line)
			break;
		colon = memchr(line, ':', end - line);
		if (colon == NULL || !is_token(line, colon - line))
			return 400;
	}
	if (!metrics)
		return 404;
	if (!get && !is_head)
		return 405;
	*head = is_head;
	return 200;
}
