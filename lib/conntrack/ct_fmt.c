/* SPDX-License-Identifier: BSD-3-Clause */
#include "ct.h"
#include "base/fp_error.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Entries as conntrack-tools prints them (libnetfilter_conntrack's default output), checked
 * against `conntrack -L` of Linux 6.18 with conntrack 1.4.7 (docs/conntrack.md):
 *   tcp      6 431999 ESTABLISHED src=10.0.1.2 dst=10.0.2.2 sport=40000 dport=5001
 *   src=10.0.2.2 dst=10.0.1.2 sport=5001 dport=40000 [ASSURED] mark=0 use=1
 *   icmp     1 28 src=10.0.1.3 dst=10.0.2.2 type=8 code=0 id=18540 [UNREPLIED] src=10.0.2.2
 *   dst=10.0.1.3 type=0 code=0 id=18540 mark=0 zone=5 use=1
 */

static const char *const tcp_names[] = {"NONE", "SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT",
	"CLOSE_WAIT", "LAST_ACK", "TIME_WAIT", "CLOSE", "SYN_SENT2"};

const char *ct_tcp_state_name(uint8_t state)
{
	return state < RTE_DIM(tcp_names) ? tcp_names[state] : "NONE";
}

/* libnetfilter_conntrack's proto2str: other numbers are "unknown". */
static const char *proto_name(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_UDP:
		return "udp";
	case IPPROTO_UDPLITE:
		return "udplite";
	case IPPROTO_ICMP:
		return "icmp";
	case IPPROTO_ICMPV6:
		return "icmpv6";
	case IPPROTO_SCTP:
		return "sctp";
	case IPPROTO_GRE:
		return "gre";
	case IPPROTO_DCCP:
		return "dccp";
	}
	return "unknown";
}

static bool has_ports(uint8_t proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP;
}

static bool is_icmp(uint8_t proto)
{
	return proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6;
}

/* "src=A dst=B sport=.. dport=.. " */
static int fmt_tuple(const struct ct_tuple *t, char *buf, size_t size)
{
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];

	inet_ntop(t->family, t->src, s, sizeof(s));
	inet_ntop(t->family, t->dst, d, sizeof(d));
	if (has_ports(t->proto))
		return snprintf(
			buf, size, "src=%s dst=%s sport=%u dport=%u ", s, d, t->sport, t->dport);
	if (is_icmp(t->proto))
		return snprintf(buf, size, "src=%s dst=%s type=%u code=%u id=%u ", s, d,
			t->dport >> 8, t->dport & 0xff, t->sport);
	return snprintf(buf, size, "src=%s dst=%s ", s, d);
}

#define ADD(expr)                                                                                  \
	do {                                                                                       \
		int n_ = (expr);                                                                   \
		len += n_;                                                                         \
		pos = (size_t)len < size ? (size_t)len : size;                                     \
	} while (0)

/* What the output shows of an entry, or of an event's copy of one. */
struct view {
	const struct ct_tuple *o, *r;
	uint32_t status, mark;
	int64_t timeout; /* -1: not shown */
	uint8_t tcp_state;
	bool event; /* conntrack -E's line: mark only when set, no use= */
};

static struct view entry_view(const struct ct_table *t, const struct ct_entry *e, uint64_t now_ms)
{
	return (struct view){.o = &e->h[0].t,
		.r = &e->h[1].t,
		.status = __atomic_load_n(&e->status, __ATOMIC_ACQUIRE),
		.mark = e->mark,
		.timeout = ct_entry_timeout(t, e, now_ms),
		.tcp_state = e->tcp.state};
}

static struct view event_view(const struct ct_event *ev)
{
	/* Linux's destroy events carry the time left only when some is (a delete, not expiry) */
	return (struct view){.o = &ev->orig,
		.r = &ev->reply,
		.status = ev->status,
		.mark = ev->mark,
		.timeout =
			ev->type == CT_EV_DESTROY && ev->timeout == 0 ? -1 : (int64_t)ev->timeout,
		.tcp_state = ev->tcp_state,
		.event = true};
}

static int fmt_view(const struct view *v, char *buf, size_t size)
{
	size_t pos = 0;
	int len = 0;

	ADD(snprintf(buf, size, "%-8s %u ", proto_name(v->o->proto), v->o->proto));
	if (v->timeout >= 0)
		ADD(snprintf(buf + pos, size - pos, "%" PRId64 " ", v->timeout));
	if (v->o->proto == IPPROTO_TCP)
		ADD(snprintf(buf + pos, size - pos, "%s ", ct_tcp_state_name(v->tcp_state)));
	ADD(fmt_tuple(v->o, buf + pos, size - pos));
	if (!(v->status & CT_S_SEEN_REPLY))
		ADD(snprintf(buf + pos, size - pos, "[UNREPLIED] "));
	ADD(fmt_tuple(v->r, buf + pos, size - pos));
	if (v->status & CT_S_ASSURED)
		ADD(snprintf(buf + pos, size - pos, "[ASSURED] "));
	if (!v->event || v->mark != 0)
		ADD(snprintf(buf + pos, size - pos, "mark=%u ", v->mark));
	if (v->o->zone != 0)
		ADD(snprintf(buf + pos, size - pos, "zone=%u ", v->o->zone));
	if (!v->event)
		ADD(snprintf(buf + pos, size - pos, "use=1"));
	else if (len > 0 && (size_t)len < size)
		buf[--len] = '\0'; /* the blank after the last field */
	return len;
}

int ct_format(
	const struct ct_table *t, const struct ct_entry *e, uint64_t now_ms, char *buf, size_t size)
{
	struct view v = entry_view(t, e, now_ms);

	return fmt_view(&v, buf, size);
}

int ct_event_format(const struct ct_event *ev, char *buf, size_t size)
{
	static const char *const names[] = {"[NEW]", "[UPDATE]", "[DESTROY]"};
	struct view v = event_view(ev);
	int n = snprintf(buf, size, "%9s ", names[ev->type]);

	return n + fmt_view(&v, buf + RTE_MIN((size_t)n, size), size - RTE_MIN((size_t)n, size));
}

int ct_stats_format(unsigned int cpu, const struct ct_worker *w, char *buf, size_t size)
{
	return snprintf(buf, size,
		"cpu=%-4u\tfound=%" PRIu64 " invalid=%" PRIu64 " insert=%" PRIu64
		" insert_failed=%" PRIu64 " drop=%" PRIu64 " early_drop=%" PRIu64 " error=%" PRIu64
		" search_restart=0 clash_resolve=%" PRIu64 " chaintoolong=0 ",
		cpu, w->found, w->invalid, w->insert, w->insert_failed, w->drop, w->early_drop,
		w->error, w->clash_resolve);
}

static json_t *tuple_json(const struct ct_tuple *t)
{
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];
	json_t *j;

	inet_ntop(t->family, t->src, s, sizeof(s));
	inet_ntop(t->family, t->dst, d, sizeof(d));
	j = json_pack("{s:s, s:s}", "src", s, "dst", d);
	if (has_ports(t->proto)) {
		json_object_set_new(j, "sport", json_integer(t->sport));
		json_object_set_new(j, "dport", json_integer(t->dport));
	} else if (is_icmp(t->proto)) {
		json_object_set_new(j, "type", json_integer(t->dport >> 8));
		json_object_set_new(j, "code", json_integer(t->dport & 0xff));
		json_object_set_new(j, "id", json_integer(t->sport));
	}
	return j;
}

static json_t *view_json(const struct view *v)
{
	json_t *flags = json_array();
	json_t *j;

	if (v->status & CT_S_SEEN_REPLY)
		json_array_append_new(flags, json_string("SEEN_REPLY"));
	if (v->status & CT_S_ASSURED)
		json_array_append_new(flags, json_string("ASSURED"));
	if (v->status & CT_S_CONFIRMED)
		json_array_append_new(flags, json_string("CONFIRMED"));
	j = json_pack("{s:s, s:s, s:i, s:o, s:o, s:o, s:i, s:i}", "family",
		v->o->family == AF_INET ? "ipv4" : "ipv6", "proto", proto_name(v->o->proto),
		"protonum", v->o->proto, "original", tuple_json(v->o), "reply", tuple_json(v->r),
		"status", flags, "mark", (json_int_t)v->mark, "zone", v->o->zone);
	if (j == NULL)
		return NULL;
	if (v->timeout >= 0)
		json_object_set_new(j, "timeout", json_integer(v->timeout));
	if (v->o->proto == IPPROTO_TCP)
		json_object_set_new(j, "state", json_string(ct_tcp_state_name(v->tcp_state)));
	if (!v->event)
		json_object_set_new(j, "use", json_integer(1));
	return j;
}

json_t *ct_entry_json(const struct ct_table *t, const struct ct_entry *e, uint64_t now_ms)
{
	struct view v = entry_view(t, e, now_ms);

	return view_json(&v);
}

json_t *ct_event_json(const struct ct_event *ev)
{
	static const char *const types[] = {"new", "update", "destroy"};
	struct view v = event_view(ev);
	json_t *j = view_json(&v);
	char line[512];

	if (j == NULL)
		return NULL;
	ct_event_format(ev, line, sizeof(line));
	json_object_set_new(j, "type", json_string(types[ev->type]));
	json_object_set_new(j, "line", json_string(line));
	return j;
}

/* Filters */

static int parse_proto(const char *s, uint8_t *proto)
{
	static const uint8_t known[] = {IPPROTO_TCP, IPPROTO_UDP, IPPROTO_UDPLITE, IPPROTO_ICMP,
		IPPROTO_ICMPV6, IPPROTO_SCTP, IPPROTO_GRE, IPPROTO_DCCP};
	char *end;
	long n;

	for (size_t i = 0; i < RTE_DIM(known); i++)
		if (strcmp(s, proto_name(known[i])) == 0) {
			*proto = known[i];
			return 0;
		}
	n = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || n < 1 || n > 255)
		return fp_error(EINVAL, "unknown protocol '%s'", s);
	*proto = (uint8_t)n;
	return 0;
}

static int parse_addr(const char *s, uint8_t *family, uint8_t addr[16])
{
	memset(addr, 0, 16);
	if (inet_pton(AF_INET, s, addr) == 1)
		*family = AF_INET;
	else if (inet_pton(AF_INET6, s, addr) == 1)
		*family = AF_INET6;
	else
		return fp_error(EINVAL, "'%s' is no address", s);
	return 0;
}

static int parse_num(const char *opt, const char *s, long max, int32_t *out)
{
	char *end;
	long n = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || n < 0 || n > max)
		return fp_error(EINVAL, "%s takes a number from 0 to %ld, not '%s'", opt, max, s);
	*out = (int32_t)n;
	return 0;
}

int ct_filter_parse(struct ct_filter *f, int argc, const char *const argv[])
{
	int ret = 0;

	*f = (struct ct_filter){.sport = -1, .dport = -1, .state = -1, .zone = -1};
	for (int i = 0; i < argc && ret == 0; i += 2) {
		const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (v == NULL)
			return fp_error(EINVAL, "%s needs a value", o);
		if (!strcmp(o, "-p") || !strcmp(o, "--proto") || !strcmp(o, "--protonum")) {
			ret = parse_proto(v, &f->proto);
		} else if (!strcmp(o, "-s") || !strcmp(o, "--src") || !strcmp(o, "--orig-src")) {
			ret = parse_addr(v, &f->src_family, f->src);
			f->has_src = true;
		} else if (!strcmp(o, "-d") || !strcmp(o, "--dst") || !strcmp(o, "--orig-dst")) {
			ret = parse_addr(v, &f->dst_family, f->dst);
			f->has_dst = true;
		} else if (!strcmp(o, "--sport") || !strcmp(o, "--orig-port-src")) {
			ret = parse_num(o, v, 65535, &f->sport);
		} else if (!strcmp(o, "--dport") || !strcmp(o, "--orig-port-dst")) {
			ret = parse_num(o, v, 65535, &f->dport);
		} else if (!strcmp(o, "-w") || !strcmp(o, "--zone")) {
			ret = parse_num(o, v, 65535, &f->zone);
		} else if (!strcmp(o, "-f") || !strcmp(o, "--family")) {
			if (!strcmp(v, "ipv4"))
				f->family = AF_INET;
			else if (!strcmp(v, "ipv6"))
				f->family = AF_INET6;
			else
				ret = fp_error(EINVAL, "unknown family '%s' (ipv4, ipv6)", v);
		} else if (!strcmp(o, "--state")) {
			f->state = -1;
			for (unsigned int s = 0; s < RTE_DIM(tcp_names); s++)
				if (strcasecmp(v, tcp_names[s]) == 0)
					f->state = (int32_t)s;
			if (f->state < 0)
				ret = fp_error(EINVAL, "unknown TCP state '%s'", v);
		} else {
			return fp_error(EINVAL, "unknown option '%s'", o);
		}
	}
	if (ret < 0)
		return ret;
	/* as conntrack: these are options of the protocol given with -p */
	if ((f->sport >= 0 || f->dport >= 0) && f->proto != IPPROTO_TCP && f->proto != IPPROTO_UDP)
		return fp_error(EINVAL, "--sport and --dport need -p tcp or -p udp");
	if (f->state >= 0 && f->proto != IPPROTO_TCP)
		return fp_error(EINVAL, "--state needs -p tcp");
	if (f->family != 0 && ((f->has_src && f->src_family != f->family) ||
				      (f->has_dst && f->dst_family != f->family)))
		return fp_error(EINVAL, "mismatched address family: -f and -s or -d");
	return 0;
}

bool ct_filter_match(const struct ct_filter *f, const struct ct_entry *e)
{
	const struct ct_tuple *o = &e->h[0].t;

	if (f->proto != 0 && o->proto != f->proto)
		return false;
	if (f->family != 0 && o->family != f->family)
		return false;
	if (f->has_src && (o->family != f->src_family ||
				  memcmp(o->src, f->src, f->src_family == AF_INET ? 4 : 16) != 0))
		return false;
	if (f->has_dst && (o->family != f->dst_family ||
				  memcmp(o->dst, f->dst, f->dst_family == AF_INET ? 4 : 16) != 0))
		return false;
	if (f->sport >= 0 && o->sport != f->sport)
		return false;
	if (f->dport >= 0 && o->dport != f->dport)
		return false;
	if (f->zone >= 0 && o->zone != f->zone)
		return false;
	return f->state < 0 || e->tcp.state == f->state;
}
