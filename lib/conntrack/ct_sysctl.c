/* SPDX-License-Identifier: BSD-3-Clause */
#include "base/fp_error.h"
#include "config/config.h"
#include "ct.h"
#include "ct_hook.h"
#include "infra/sysctl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/*
 * Linux's net.netfilter.nf_conntrack_* knobs with their defaults (Linux 6.1 on a machine of
 * more than 4 GB: nf_conntrack_max 262144), and the config's "conntrack" section, whose keys
 * are the same names without the "nf_conntrack_" prefix.
 */

#define CT_SYSCTL(var, name, max, def, help)                                                       \
	SYSCTL_INT(var, "net.netfilter.nf_conntrack_" name, 0, max, def, help)

CT_SYSCTL(ct_max, "max", INT32_MAX, 262144,
	"most connections tracked; capped by the table made at start (the config's conntrack.max)")
CT_SYSCTL(ct_tcp_be_liberal, "tcp_be_liberal", 1, 0,
	"1: TCP segments out of window are not invalid (only out-of-window RSTs are)")
CT_SYSCTL(ct_tcp_loose, "tcp_loose", 1, 1,
	"1: a TCP connection already established is picked up from its first packet seen")
CT_SYSCTL(ct_tcp_max_retrans, "tcp_max_retrans", INT32_MAX, 3,
	"retransmissions without an acceptable ACK before the tcp_timeout_max_retrans timeout")
CT_SYSCTL(ct_udp_timeout, "udp_timeout", INT32_MAX, 30, "s: UDP, unreplied or replied once")
CT_SYSCTL(ct_udp_timeout_stream, "udp_timeout_stream", INT32_MAX, 120,
	"s: UDP seen both ways and still active 2 s after it began")
CT_SYSCTL(ct_icmp_timeout, "icmp_timeout", INT32_MAX, 30, "s: ICMP queries")
CT_SYSCTL(ct_icmpv6_timeout, "icmpv6_timeout", INT32_MAX, 30, "s: ICMPv6 queries")
CT_SYSCTL(ct_generic_timeout, "generic_timeout", INT32_MAX, 600, "s: other protocols")

int32_t ct_tcp_timeouts[CT_TCP_MAX + 4] = {
	[CT_TCP_SYN_SENT] = 120,
	[CT_TCP_SYN_RECV] = 60,
	[CT_TCP_ESTABLISHED] = 432000,
	[CT_TCP_FIN_WAIT] = 120,
	[CT_TCP_CLOSE_WAIT] = 60,
	[CT_TCP_LAST_ACK] = 30,
	[CT_TCP_TIME_WAIT] = 120,
	[CT_TCP_CLOSE] = 10,
	[CT_TCP_SYN_SENT2] = 120, /* not a sysctl in Linux either */
	[CT_TCP_T_RETRANS] = 300,
	[CT_TCP_T_UNACK] = 300,
};

#define TCP_TIMEOUT(state, n_, def_)                                                               \
	static struct sysctl_knob tcp_timeout_##n_ = {                                             \
		.name = "net.netfilter.nf_conntrack_tcp_timeout_" #n_,                             \
		.help = "s: TCP connections in " #n_,                                              \
		.min = 0,                                                                          \
		.max = INT32_MAX,                                                                  \
		.def = def_,                                                                       \
		.value = &ct_tcp_timeouts[state],                                                  \
	};                                                                                         \
	SYSCTL_GLOBAL_REGISTER(tcp_timeout_##n_)

TCP_TIMEOUT(CT_TCP_SYN_SENT, syn_sent, 120)
TCP_TIMEOUT(CT_TCP_SYN_RECV, syn_recv, 60)
TCP_TIMEOUT(CT_TCP_ESTABLISHED, established, 432000)
TCP_TIMEOUT(CT_TCP_FIN_WAIT, fin_wait, 120)
TCP_TIMEOUT(CT_TCP_CLOSE_WAIT, close_wait, 60)
TCP_TIMEOUT(CT_TCP_LAST_ACK, last_ack, 30)
TCP_TIMEOUT(CT_TCP_TIME_WAIT, time_wait, 120)
TCP_TIMEOUT(CT_TCP_CLOSE, close, 10)
TCP_TIMEOUT(CT_TCP_T_RETRANS, max_retrans, 300)
TCP_TIMEOUT(CT_TCP_T_UNACK, unacknowledged, 300)

/*
 * The config section: {"enabled": true, "max": N, "tcp_timeout_established": 3600, ...}.
 * Its keys are set after the "sysctl" section (which gives every knob it does not name its
 * default), so they win over the same knob there. "enabled" switches tracking on (ct_require:
 * the table is made then, with "max" entries) for every interface.
 */

#define CT_KEYS_MAX 32
static const char *ct_keys[CT_KEYS_MAX];

/* The knobs under net.netfilter.nf_conntrack_, by their short name, from the registry. */
static int collect_key(const char *name, const struct sysctl_ref *ref, void *arg)
{
	static const char prefix[] = "net.netfilter.nf_conntrack_";
	unsigned int *n = arg;

	(void)ref;
	if (strncmp(name, prefix, sizeof(prefix) - 1) != 0 || *n + 1 >= CT_KEYS_MAX)
		return 0;
	ct_keys[(*n)++] = strdup(name + sizeof(prefix) - 1);
	return 0;
}

static const char *const *keys(void)
{
	static unsigned int n;

	if (n == 0) {
		ct_keys[n++] = "enabled";
		sysctl_walk(collect_key, &n);
		ct_keys[n] = NULL;
	}
	return ct_keys;
}

struct ct_parsed {
	bool enabled;
	size_t n;
	struct sysctl_ref refs[CT_KEYS_MAX];
	struct sysctl_value values[CT_KEYS_MAX];
};

static int ct_section_parse(struct cfg_ctx *ctx, const json_t *value, void **parsed)
{
	const char *const *allowed = keys();
	struct ct_parsed *p;
	const char *key;
	json_t *v;
	int ret;

	if ((ret = cfg_check_type(ctx, value, JSON_OBJECT)) < 0 ||
		(ret = cfg_check_keys(ctx, value, allowed)) < 0)
		return ret;
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return fp_error(ENOMEM, "out of memory");
	if ((ret = cfg_get_bool(ctx, value, "enabled", false, &p->enabled)) < 0)
		goto err;
	json_object_foreach ((json_t *)value, key, v) {
		char name[SYSCTL_NAME_MAX];
		uint64_t u;

		if (strcmp(key, "enabled") == 0)
			continue;
		snprintf(name, sizeof(name), "net.netfilter.nf_conntrack_%s", key);
		if (sysctl_resolve(name, false, &p->refs[p->n]) < 0) {
			ret = cfg_err_key(ctx, key, ENOENT, "%s", fp_errmsg());
			goto err;
		}
		if ((ret = cfg_get_uint(ctx, value, key, true, (uint64_t)p->refs[p->n].global->min,
			     (uint64_t)p->refs[p->n].global->max, &u)) < 0)
			goto err;
		p->values[p->n++] = (struct sysctl_value){.i = (int32_t)u};
	}
	*parsed = p;
	return 0;
err:
	free(p);
	return ret;
}

/* whether the config holds one of tracking's ct_require() */
static bool cfg_enabled;

static int ct_section_apply(void *parsed)
{
	struct ct_parsed *p = parsed;
	int ret;

	for (size_t i = 0; i < p->n; i++)
		if ((ret = sysctl_set(&p->refs[i], &p->values[i])) < 0)
			return ret;
	if (p->enabled == cfg_enabled)
		return 0;
	if (!p->enabled)
		ct_release();
	else if ((ret = ct_require()) < 0)
		return ret;
	cfg_enabled = p->enabled;
	return 0;
}

/* The knobs are the "sysctl" section's to dump: this one says whether tracking is on. */
static json_t *ct_section_dump(void)
{
	return cfg_enabled ? json_pack("{s:b}", "enabled", true) : NULL;
}

/* After the "sysctl" section (12), whose defaults it overrides. */
static struct cfg_section ct_section = {
	.key = "conntrack",
	.order = 13,
	.parse = ct_section_parse,
	.apply = ct_section_apply,
	.free = free,
	.dump = ct_section_dump,
};
CFG_SECTION_REGISTER(ct_section)
