/* SPDX-License-Identifier: BSD-3-Clause */
#include "ip4_options.h"
#include "infra/iface.h"
#include "infra/sysctl.h"
#include "ip4_route.h"

#include <string.h>
#include <time.h>

#include <rte_ip.h>

static void put_addr(uint8_t *p, uint32_t addr)
{
	memcpy(p, &addr, sizeof(addr));
}

static uint32_t get_addr(const uint8_t *p)
{
	uint32_t addr;

	memcpy(&addr, p, sizeof(addr));
	return addr;
}

uint32_t ip4_options_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return rte_cpu_to_be_32((uint32_t)(ts.tv_sec % 86400) * 1000 + ts.tv_nsec / 1000000);
}

/* The three-byte options: type, length, pointer; Linux checks them in this order. */
static unsigned int check_pointer(const uint8_t *o, unsigned int optlen, unsigned int min)
{
	if (optlen < 3)
		return 1;
	if (o[2] < min)
		return 2;
	if (o[2] <= optlen && o[2] + 3u > optlen)
		return 2;
	return 0;
}

/* A timestamp option with room left (__ip_options_compile's IPOPT_TIMESTAMP case). */
static unsigned int compile_ts_room(uint8_t *o, unsigned int optlen, struct fp_ip4_opt *opt,
	struct ip4_opt_env *env, uint32_t *spec_dst)
{
	uint8_t *timeptr = NULL;

	switch (o[3] & 0xf) {
	case IP4_OPT_TS_TSONLY:
		timeptr = &o[o[2] - 1];
		opt->flags |= IP4_OPT_TS_NEEDTIME;
		o[2] += 4;
		break;
	case IP4_OPT_TS_TSANDADDR:
		if (o[2] + 7u > optlen)
			return 2;
		if (*spec_dst == 0)
			*spec_dst = env->spec_dst(env);
		put_addr(&o[o[2] - 1], *spec_dst);
		timeptr = &o[o[2] + 3];
		opt->flags |= IP4_OPT_TS_NEEDADDR | IP4_OPT_TS_NEEDTIME;
		o[2] += 8;
		break;
	case IP4_OPT_TS_PRESPEC:
		if (o[2] + 7u > optlen)
			return 2;
		/* only the host named stamps */
		if (env->other_host(env, get_addr(&o[o[2] - 1])))
			break;
		timeptr = &o[o[2] + 3];
		opt->flags |= IP4_OPT_TS_NEEDTIME;
		o[2] += 8;
		break;
	default: /* unknown flags: passed on untouched */
		break;
	}
	if (timeptr != NULL) {
		put_addr(timeptr, env->timestamp);
		opt->flags |= IP4_OPT_CHANGED;
	}
	return 0;
}

unsigned int ip4_options_compile(uint8_t *iph, struct fp_ip4_opt *opt, struct ip4_opt_env *env)
{
	unsigned int l = (iph[0] & 0xf) * 4 - sizeof(struct rte_ipv4_hdr), optlen, bad = 0;
	uint8_t *o = iph + sizeof(struct rte_ipv4_hdr);
	uint32_t spec_dst = 0;

	*opt = (struct fp_ip4_opt){0};
	while (l > 0) {
		if (o[0] == IP4_OPT_END) {
			/* what follows the end becomes end too */
			for (o++, l--; l > 0; o++, l--)
				if (*o != IP4_OPT_END) {
					*o = IP4_OPT_END;
					opt->flags |= IP4_OPT_CHANGED;
				}
			return 0;
		}
		if (o[0] == IP4_OPT_NOOP) {
			o++, l--;
			continue;
		}
		if (l < 2)
			return o - iph;
		optlen = o[1];
		if (optlen < 2 || optlen > l)
			return o - iph;
		switch (o[0]) {
		case IP4_OPT_SSRR:
		case IP4_OPT_LSRR:
			if (optlen < 3)
				return o + 1 - iph;
			if (o[2] < 4)
				return o + 2 - iph;
			if (opt->srr) /* RFC 1812 5.2.4.1: at most one */
				return o - iph;
			if (o[0] == IP4_OPT_SSRR)
				opt->flags |= IP4_OPT_STRICT;
			opt->srr = o - iph;
			break;
		case IP4_OPT_RR:
			if (opt->rr)
				return o - iph;
			bad = check_pointer(o, optlen, 4);
			if (bad)
				return o + bad - iph;
			if (o[2] <= optlen) {
				if (spec_dst == 0)
					spec_dst = env->spec_dst(env);
				put_addr(&o[o[2] - 1], spec_dst);
				o[2] += 4;
				opt->flags |= IP4_OPT_RR_NEEDADDR | IP4_OPT_CHANGED;
			}
			opt->rr = o - iph;
			break;
		case IP4_OPT_TIMESTAMP:
			if (opt->ts)
				return o - iph;
			if (optlen < 4)
				return o + 1 - iph;
			bad = check_pointer(o, optlen, 5);
			if (bad == 0 && o[2] <= optlen)
				bad = compile_ts_room(o, optlen, opt, env, &spec_dst);
			else if (bad == 0 && (o[3] & 0xf) != IP4_OPT_TS_PRESPEC) {
				/* full: the overflow counter of the hosts that could not stamp */
				if (o[3] >> 4 == 15)
					bad = 3;
				else {
					o[3] += 0x10;
					opt->flags |= IP4_OPT_TS_OVERFLOW | IP4_OPT_CHANGED;
				}
			}
			if (bad)
				return o + bad - iph;
			opt->ts = o - iph;
			break;
		case 148: /* router alert: RFC 2113, four bytes */
			if (optlen < 4)
				return o + 1 - iph;
			break;
		case 134: /* CIPSO: no domain of interpretation is configured here (Linux's default)
			   */
			return o + (optlen < 8 ? 1 : 2) - iph;
		default: /* security, stream id and the unknown: passed on */
			break;
		}
		l -= optlen;
		o += optlen;
	}
	return 0;
}

void ip4_options_forward(uint8_t *iph, const struct fp_ip4_opt *opt, uint32_t out_addr)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)iph;

	if (opt->flags & IP4_OPT_RR_NEEDADDR)
		put_addr(&iph[opt->rr + iph[opt->rr + 2] - 5], out_addr);
	if (opt->flags & IP4_OPT_SRR_HIT) {
		uint8_t *o = iph + opt->srr;

		/* the next hop becomes the destination; the router's address takes its slot */
		ip->dst_addr = get_addr(&o[opt->srr_slot - 1]);
		put_addr(&o[opt->srr_slot - 1], out_addr);
		o[2] = opt->srr_slot + 4;
		/* Linux replaces the timestamp's address only here */
		if (opt->flags & IP4_OPT_TS_NEEDADDR)
			put_addr(&iph[opt->ts + iph[opt->ts + 2] - 9], out_addr);
	}
	if (opt->flags & IP4_OPT_CHANGED) {
		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
	}
}

void ip4_options_undo(uint8_t *iph, const struct fp_ip4_opt *opt)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)iph;

	if (opt->flags & IP4_OPT_RR_NEEDADDR) {
		uint8_t *o = iph + opt->rr;

		o[2] -= 4;
		memset(&o[o[2] - 1], 0, 4);
	}
	if (opt->ts) {
		uint8_t *o = iph + opt->ts;

		if (opt->flags & IP4_OPT_TS_NEEDTIME) {
			o[2] -= 4;
			memset(&o[o[2] - 1], 0, 4);
			if ((o[3] & 0xf) == IP4_OPT_TS_PRESPEC)
				o[2] -= 4;
		}
		if (opt->flags & IP4_OPT_TS_NEEDADDR) {
			o[2] -= 4;
			memset(&o[o[2] - 1], 0, 4);
		}
		if (opt->flags & IP4_OPT_TS_OVERFLOW)
			o[3] -= 0x10;
	}
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
}

/* __ip_options_echo()'s source route: the addresses passed, last first. */
static void echo_srr(const uint8_t *iph, const struct fp_ip4_opt *sopt, struct ip4_opt_echo *e)
{
	const uint8_t *start = iph + sopt->srr;
	uint8_t *d = e->data + e->len;
	int optlen = start[1], soffset = start[2], doffset = 0;
	uint32_t first_hop = 0;

	if (soffset > optlen)
		soffset = optlen + 1;
	soffset -= 4;
	if (soffset > 3) {
		first_hop = get_addr(&start[soffset - 1]);
		for (soffset -= 4, doffset = 4; soffset > 3; soffset -= 4, doffset += 4)
			memcpy(&d[doffset - 1], &start[soffset - 1], 4);
		/* RFC 1812 requires to fix illegal source routes: no hop back to the source */
		if (memcmp(iph + offsetof(struct rte_ipv4_hdr, src_addr), &start[soffset + 3], 4) ==
			0)
			doffset -= 4;
	}
	if (doffset > 3) {
		e->first_hop = first_hop;
		d[0] = start[0];
		d[1] = doffset + 3;
		d[2] = 4;
		e->opt.srr = sizeof(struct rte_ipv4_hdr) + e->len;
		if (sopt->flags & IP4_OPT_STRICT)
			e->opt.flags |= IP4_OPT_STRICT;
		e->len += doffset + 3;
	}
}

/* Copies the option at iph + off to the end of e, *at its offset in the answer's header. */
static uint8_t *echo_copy(const uint8_t *iph, unsigned int off, struct ip4_opt_echo *e, uint8_t *at)
{
	uint8_t *d = e->data + e->len;

	memcpy(d, iph + off, iph[off + 1]);
	*at = sizeof(struct rte_ipv4_hdr) + e->len;
	e->len += iph[off + 1];
	return d;
}

int ip4_options_echo(const uint8_t *iph, const struct fp_ip4_opt *sopt, struct ip4_opt_echo *e,
	const struct ip4_opt_env *env)
{
	unsigned int optlen, soffset;
	uint8_t *d;

	memset(e, 0, sizeof(*e));
	if (sopt->rr) {
		d = echo_copy(iph, sopt->rr, e, &e->opt.rr);
		optlen = d[1];
		soffset = d[2];
		if ((sopt->flags & IP4_OPT_RR_NEEDADDR) && soffset <= optlen) {
			if (soffset + 3 > optlen)
				return -1;
			d[2] = soffset + 4;
			e->opt.flags |= IP4_OPT_RR_NEEDADDR;
		}
	}
	if (sopt->ts) {
		d = echo_copy(iph, sopt->ts, e, &e->opt.ts);
		optlen = d[1];
		soffset = d[2];
		if (soffset <= optlen) {
			if (sopt->flags & IP4_OPT_TS_NEEDADDR) {
				if (soffset + 3 > optlen)
					return -1;
				e->opt.flags |= IP4_OPT_TS_NEEDADDR;
				soffset += 4;
			}
			if (sopt->flags & IP4_OPT_TS_NEEDTIME) {
				if (soffset + 3 > optlen)
					return -1;
				if ((d[3] & 0xf) != IP4_OPT_TS_PRESPEC) {
					e->opt.flags |= IP4_OPT_TS_NEEDTIME;
					soffset += 4;
				} else if (soffset + 7 <= optlen &&
					   !env->other_host(env, get_addr(&d[soffset - 1]))) {
					e->opt.flags |= IP4_OPT_TS_NEEDTIME;
					soffset += 8;
				}
			}
			d[2] = soffset;
		}
	}
	if (sopt->srr)
		echo_srr(iph, sopt, e);
	while (e->len & 3)
		e->data[e->len++] = IP4_OPT_END;
	return 0;
}

void ip4_options_build(
	uint8_t *iph, const struct ip4_opt_echo *e, uint32_t src, uint32_t daddr, uint32_t now)
{
	memcpy(iph + sizeof(struct rte_ipv4_hdr), e->data, e->len);
	if (e->opt.srr)
		put_addr(&iph[e->opt.srr + iph[e->opt.srr + 1] - 4], daddr);
	if (e->opt.flags & IP4_OPT_RR_NEEDADDR)
		put_addr(&iph[e->opt.rr + iph[e->opt.rr + 2] - 5], src);
	if (e->opt.flags & IP4_OPT_TS_NEEDADDR)
		put_addr(&iph[e->opt.ts + iph[e->opt.ts + 2] - 9], src);
	if (e->opt.flags & IP4_OPT_TS_NEEDTIME)
		put_addr(&iph[e->opt.ts + iph[e->opt.ts + 2] - 5], now);
}

void ip4_options_fragment(uint8_t *opt, unsigned int len)
{
	for (unsigned int i = 0; i < len;) {
		unsigned int olen;

		if (opt[i] == IP4_OPT_END)
			break;
		if (opt[i] == IP4_OPT_NOOP) {
			i++;
			continue;
		}
		olen = i + 1 < len ? opt[i + 1] : 0;
		if (olen < 2 || i + olen > len)
			break;
		if (!(opt[i] & IP4_OPT_COPIED))
			memset(&opt[i], IP4_OPT_NOOP, olen);
		i += olen;
	}
}

/*
 * net.ipv4.conf.{all,default,IFACE}.accept_source_route: all and the interface's both needed
 * (IN_DEV_SOURCE_ROUTE). As Linux's, "all" starts at 0 and "default" at 1: a source route is
 * dropped until "all" is 1 too.
 */
static struct sysctl_iface_knob accept_source_route_knob = {
	.family = "ipv4",
	.name = "accept_source_route",
	.help = "1 on all and the interface: source-routed packets (LSRR, SSRR) are followed, else "
		"dropped (ip4_source_route)",
	.min = 0,
	.max = 1,
	.def = 1,
	.all_def_differs = true,
	.all_def = 0,
	.combine = SYSCTL_AND,
};
SYSCTL_IFACE_REGISTER(accept_source_route_knob)

/* what the router's callbacks of the environment read */
struct env_ctx {
	struct rte_mbuf *m;
	bool local; /* routed to us (RTCF_LOCAL) */
};

/* fib_compute_spec_dst(): the destination of a packet to us, else the address of the
 * interface the route back to the source leaves by */
static uint32_t input_spec_dst(const struct ip4_opt_env *env)
{
	const struct env_ctx *ctx = env->arg;
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(ctx->m, const struct rte_ipv4_hdr *);
	const struct fp_mbuf_priv *priv = fp_mbuf_priv(ctx->m);
	const struct nh_group *g;
	const struct iface *iface;

	if (ctx->local && !(priv->flags & FP_MBUF_BROADCAST))
		return ip->dst_addr;
	g = fib4_lookup(priv->vrf, ip->src_addr);
	iface = iface_get(
		g != NULL && g->type == ROUTE_UNICAST ? g->members[0].iface : priv->iface_in);
	return iface != NULL ? __atomic_load_n(&iface->ip4_primary, __ATOMIC_RELAXED) : 0;
}

/* inet_addr_type() == RTN_UNICAST: neither ours nor a broadcast or multicast address */
static bool other_host(const struct ip4_opt_env *env, uint32_t addr)
{
	const struct env_ctx *ctx = env->arg;
	const struct nh_group *g;

	if (ip4_is_zeronet(addr) || ip4_is_lbcast(addr) || ip4_is_multicast(addr))
		return false;
	g = fib4_lookup(fp_mbuf_priv(ctx->m)->vrf, addr);
	return g == NULL || (g->type != ROUTE_LOCAL && g->type != ROUTE_BROADCAST);
}

/*
 * ip_options_rcv_srr(), with accept_source_route on: a packet whose source route names us goes
 * on to the route's next address (those that are ours skipped), looked up here.
 */
static enum ip4_opt_verdict receive_source_routed(
	struct rte_mbuf *m, struct rte_ipv4_hdr *ip, struct fp_ip4_opt *opt, enum route_verdict *v)
{
	struct fp_mbuf_priv *priv = fp_mbuf_priv(m);
	uint8_t *o = (uint8_t *)ip + opt->srr;
	unsigned int ptr, space = o[1];
	uint32_t next = 0;

	if (priv->flags & FP_MBUF_L2_MULTICAST)
		return IP4_OPT_SOURCE_ROUTE_FAILED;
	if (*v == ROUTE_TO_NEXT_HOP) { /* not addressed to us */
		if (!(opt->flags & IP4_OPT_STRICT))
			return IP4_OPT_ROUTE;
		priv->icmp_info = offsetof(struct rte_ipv4_hdr, dst_addr);
		return IP4_OPT_PARAM_PROBLEM;
	}
	if (*v != ROUTE_TO_US || (priv->flags & FP_MBUF_BROADCAST))
		return IP4_OPT_SOURCE_ROUTE_FAILED;
	for (ptr = o[2]; ptr <= space; ptr += 4) {
		uint32_t dst;
		uint64_t nh;

		if (ptr + 3 > space) {
			priv->icmp_info = opt->srr + 2;
			return IP4_OPT_PARAM_PROBLEM;
		}
		next = get_addr(&o[ptr - 1]);
		if (ip4_is_zeronet(next) || ip4_is_loopback(next) || ip4_is_multicast(next) ||
			ip4_is_lbcast(next))
			return IP4_OPT_SOURCE_ROUTE_FAILED;
		dst = ip4_host(next);
		ip4_fib_lookup(&m, &dst, &nh, 1, priv->vrf);
		*v = ip4_route_decide(m, ip, nh);
		if (*v == ROUTE_TO_NEXT_HOP)
			break;
		if (*v != ROUTE_TO_US || (priv->flags & FP_MBUF_BROADCAST))
			return IP4_OPT_SOURCE_ROUTE_FAILED;
		/* ours: on to the next address ("superfast loopback forward") */
		ip->dst_addr = next;
		opt->flags |= IP4_OPT_CHANGED;
	}
	if (ptr <= space) {
		opt->flags |= IP4_OPT_SRR_HIT | IP4_OPT_CHANGED;
		opt->srr_slot = ptr;
		if (priv->neigh == NULL) /* connected: the neighbour is the next address */
			priv->nh_addr = next;
	}
	return IP4_OPT_ROUTE;
}

enum ip4_opt_verdict ip4_options_input(struct rte_mbuf *m, enum route_verdict *v)
{
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *);
	struct fp_mbuf_priv *priv = fp_mbuf_priv(m);
	struct env_ctx ctx = {.m = m, .local = *v == ROUTE_TO_US};
	struct ip4_opt_env env = {
		.spec_dst = input_spec_dst,
		.other_host = other_host,
		.timestamp = ip4_options_now(),
		.arg = &ctx,
	};
	unsigned int bad = ip4_options_compile((uint8_t *)ip, &priv->ip4_opt, &env);

	if (bad) {
		priv->icmp_info = bad;
		return IP4_OPT_PARAM_PROBLEM;
	}
	if (priv->ip4_opt.srr == 0)
		return IP4_OPT_ROUTE;
	if (!sysctl_iface(priv->iface_in, &accept_source_route_knob))
		return IP4_OPT_SOURCE_ROUTED;
	return receive_source_routed(m, ip, &priv->ip4_opt, v);
}

int ip4_options_answer(struct rte_mbuf *m, struct ip4_opt_echo *echo)
{
	struct env_ctx ctx = {.m = m};
	struct ip4_opt_env env = {.other_host = other_host, .arg = &ctx};

	return ip4_options_echo(
		rte_pktmbuf_mtod(m, const uint8_t *), &fp_mbuf_priv(m)->ip4_opt, echo, &env);
}

void ip4_options_answer_build(struct rte_mbuf *m, struct rte_ipv4_hdr *ip,
	const struct ip4_opt_echo *echo, uint32_t final_dst)
{
	ip->version_ihl = RTE_IPV4_VHL_DEF + echo->len / 4;
	ip4_options_build((uint8_t *)ip, echo, ip->src_addr, final_dst, ip4_options_now());
	fp_mbuf_priv(m)->ip4_opt = echo->opt;
}

/* ip4_input's names for the packets ip4_options_input() stops */
FP_DROP_NODE(ip4_source_route)
FP_DROP_NODE(ip4_source_route_failed)
IP4_ICMP_ERROR_NODE(ip4_bad_option, ICMP4_PARAM_PROBLEM, 0)
/* the answers Linux does not send: no room left in an option for the router's entry */
FP_DROP_NODE(ip4_options_no_room)
