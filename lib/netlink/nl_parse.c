/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Kernel route messages to fastpath routes: what the mirror takes, and why it leaves the
 * rest. Pure: no socket, no table, so that the unit tests feed it messages of their own.
 */
#include "nl_priv.h"

#include <string.h>

#include <linux/nexthop.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

const char *const nl_verdict_names[NL_VERDICT_MAX] = {
	[NL_MIRROR] = "mirrored",
	[NL_IGNORE_NON_TWIN] = "non_twin",
	[NL_IGNORE_TABLE] = "unmapped_table",
	[NL_IGNORE_OWN] = "own",
	[NL_IGNORE_LINK_LOCAL] = "link_local",
	[NL_IGNORE_STATE] = "state",
	[NL_IGNORE_UNSUPPORTED] = "unsupported",
	[NL_IGNORE_MALFORMED] = "malformed",
};

int nl_table_vrf(const struct nl_config *c, uint32_t table)
{
	for (unsigned int i = 0; i < c->n_tables; i++)
		if (c->tables[i].table == table)
			return c->tables[i].vrf;
	return -1;
}

uint32_t nl_vrf_table(const struct nl_config *c, uint16_t vrf)
{
	for (unsigned int i = 0; i < c->n_tables; i++)
		if (c->tables[i].vrf == vrf)
			return c->tables[i].table;
	return 0;
}

bool nl_addr_attr(const struct nlattr *attr, uint8_t family, struct fp_ip_addr *a)
{
	size_t len = family == AF_INET ? 4 : 16;

	if (nla_len(attr) != (int)len)
		return false;
	*a = (struct fp_ip_addr){.family = family};
	memcpy(family == AF_INET ? (void *)&a->v4 : (void *)a->v6.bytes, nla_data(attr), len);
	return true;
}

static enum nl_verdict route_type(uint8_t rtm_type, enum route_type *type)
{
	switch (rtm_type) {
	case RTN_UNICAST:
		*type = ROUTE_UNICAST;
		return NL_MIRROR;
	case RTN_BLACKHOLE:
		*type = ROUTE_BLACKHOLE;
		return NL_MIRROR;
	case RTN_UNREACHABLE:
		*type = ROUTE_UNREACHABLE;
		return NL_MIRROR;
	case RTN_PROHIBIT:
		*type = ROUTE_PROHIBIT;
		return NL_MIRROR;
	default: /* local, broadcast, anycast, multicast, throw, nat: the kernel's own */
		return NL_IGNORE_UNSUPPORTED;
	}
}

/* One next hop: its interface must be a twin, its gateway (if any) of the route's family. */
static enum nl_verdict next_hop(struct route *r, int ifindex, const struct nlattr *gw,
	uint16_t weight, uint16_t (*iface_of)(int ifindex))
{
	unsigned int i = r->n_nh;

	if (i == FIB4_ECMP_MAX)
		return NL_IGNORE_UNSUPPORTED;
	r->nh[i].iface = iface_of(ifindex);
	if (r->nh[i].iface == FP_IFACE_NONE)
		return NL_IGNORE_NON_TWIN;
	r->nh[i].gw = (struct fp_ip_addr){0};
	if (gw != NULL && !nl_addr_attr(gw, r->prefix.addr.family, &r->nh[i].gw))
		return NL_IGNORE_MALFORMED;
	r->nh[i].weight = weight;
	r->n_nh++;
	return NL_MIRROR;
}

static enum nl_verdict multipath(
	struct route *r, const struct nlattr *mp, uint16_t (*iface_of)(int ifindex))
{
	const struct rtnexthop *nh = nla_data(mp);
	int rem = nla_len(mp);

	while (rem >= (int)sizeof(*nh)) {
		struct nlattr *tb[RTA_MAX + 1];
		enum nl_verdict v;

		if (nh->rtnh_len < sizeof(*nh) || nh->rtnh_len > rem)
			return NL_IGNORE_MALFORMED;
		if (nla_parse(tb, RTA_MAX, (struct nlattr *)RTNH_DATA(nh),
			    nh->rtnh_len - RTNH_LENGTH(0), NULL) < 0)
			return NL_IGNORE_MALFORMED;
		if (tb[RTA_VIA] != NULL || tb[RTA_ENCAP] != NULL)
			return NL_IGNORE_UNSUPPORTED;
		/* rtnh_hops is the weight minus one, as ip route's "weight" */
		v = next_hop(r, nh->rtnh_ifindex, tb[RTA_GATEWAY], nh->rtnh_hops + 1, iface_of);
		if (v != NL_MIRROR)
			return v;
		rem -= RTNH_ALIGN(nh->rtnh_len);
		nh = RTNH_NEXT(nh);
	}
	return r->n_nh > 0 ? NL_MIRROR : NL_IGNORE_MALFORMED;
}

/* fe80::/64 of every device and the multicast routes: fastpath's link scope is its own. */
static bool link_scope_v6(const struct fp_ip_prefix *p)
{
	return p->addr.family == AF_INET6 && p->len >= 8 &&
	       (fp_ip6_is_multicast(&p->addr.v6) ||
		       (p->len >= 10 && fp_ip6_is_link_local(&p->addr.v6)));
}

enum nl_verdict nl_route_parse(const struct nlmsghdr *h, const struct nl_config *c,
	uint16_t (*iface_of)(int ifindex), bool key_only, struct nl_route *out)
{
	struct nlattr *tb[RTA_MAX + 1];
	const struct rtmsg *rtm;
	struct route *r = &out->r;
	enum nl_verdict v;
	uint32_t table;
	int vrf;

	/* every early return below leaves them unset: route_msg() reads them whatever the verdict
	 */
	out->key_valid = false;
	out->nh_id = 0;
	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*rtm)) ||
		nlmsg_parse((struct nlmsghdr *)h, sizeof(*rtm), tb, RTA_MAX, NULL) < 0)
		return NL_IGNORE_MALFORMED;
	rtm = nlmsg_data(h);
	if (rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6)
		return NL_IGNORE_UNSUPPORTED;
	table = tb[RTA_TABLE] != NULL && nla_len(tb[RTA_TABLE]) == 4 ? nla_get_u32(tb[RTA_TABLE])
								     : rtm->rtm_table;
	if ((vrf = nl_table_vrf(c, table)) < 0)
		return NL_IGNORE_TABLE;
	*r = (struct route){.vrf = vrf,
		.origin = ORIGIN_KERNEL,
		.protocol = rtm->rtm_protocol,
		.prefix = {.addr = {.family = rtm->rtm_family}, .len = rtm->rtm_dst_len}};
	if (rtm->rtm_dst_len > fp_family_bits(rtm->rtm_family))
		return NL_IGNORE_MALFORMED;
	if (tb[RTA_DST] != NULL && !nl_addr_attr(tb[RTA_DST], rtm->rtm_family, &r->prefix.addr))
		return NL_IGNORE_MALFORMED;
	r->prefix.addr = fp_ip_masked(&r->prefix.addr, r->prefix.len);
	out->metric = tb[RTA_PRIORITY] != NULL && nla_len(tb[RTA_PRIORITY]) == 4
			      ? nla_get_u32(tb[RTA_PRIORITY])
			      : 0;
	if (link_scope_v6(&r->prefix))
		return NL_IGNORE_LINK_LOCAL;
	/* source routing and TOS: not in fastpath's FIB, and a deletion of one must not take the
	 * plain route of the same prefix with it */
	if (rtm->rtm_src_len != 0 || rtm->rtm_tos != 0)
		return NL_IGNORE_UNSUPPORTED;
	out->key_valid = true;
	if (rtm->rtm_protocol == NL_PROTO_FASTPATH)
		return NL_IGNORE_OWN;
	if ((v = route_type(rtm->rtm_type, &r->type)) != NL_MIRROR || key_only)
		return v;
	/* the kernel adds the object's next hops (RTA_OIF, RTA_MULTIPATH...) to what it sends:
	 * the object is what counts, the mirror resolves it, now and when it changes */
	if (tb[RTA_NH_ID] != NULL) {
		if (nla_len(tb[RTA_NH_ID]) != 4 || (out->nh_id = nla_get_u32(tb[RTA_NH_ID])) == 0)
			return NL_IGNORE_MALFORMED;
		/* the kernel marks a route through a blackhole object blackhole itself */
		return r->type == ROUTE_UNICAST || r->type == ROUTE_BLACKHOLE
			       ? NL_MIRROR
			       : NL_IGNORE_UNSUPPORTED;
	}
	if (tb[RTA_VIA] != NULL || tb[RTA_ENCAP] != NULL)
		return NL_IGNORE_UNSUPPORTED;
	if (r->type != ROUTE_UNICAST)
		return NL_MIRROR;
	if (tb[RTA_MULTIPATH] != NULL)
		return multipath(r, tb[RTA_MULTIPATH], iface_of);
	if (tb[RTA_OIF] == NULL || nla_len(tb[RTA_OIF]) != 4)
		return NL_IGNORE_MALFORMED;
	return next_hop(r, nla_get_u32(tb[RTA_OIF]), tb[RTA_GATEWAY], 1, iface_of);
}

enum nl_verdict nl_nexthop_parse(const struct nlmsghdr *h, bool key_only, struct nl_nexthop *out)
{
	struct nlattr *tb[NHA_MAX + 1];
	const struct nhmsg *nhm;

	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*nhm)) ||
		nlmsg_parse((struct nlmsghdr *)h, sizeof(*nhm), tb, NHA_MAX, NULL) < 0)
		return NL_IGNORE_MALFORMED;
	nhm = nlmsg_data(h);
	if (tb[NHA_ID] == NULL || nla_len(tb[NHA_ID]) != 4 || nla_get_u32(tb[NHA_ID]) == 0)
		return NL_IGNORE_MALFORMED;
	*out = (struct nl_nexthop){.id = nla_get_u32(tb[NHA_ID]), .usable = NL_MIRROR};
	if (key_only)
		return NL_MIRROR;
	if (tb[NHA_GROUP] != NULL) {
		const struct nexthop_grp *g = nla_data(tb[NHA_GROUP]);
		size_t n = nla_len(tb[NHA_GROUP]) / sizeof(*g);

		if (n == 0 || nla_len(tb[NHA_GROUP]) % sizeof(*g) != 0)
			return NL_IGNORE_MALFORMED;
		/* resilient groups choose their member per bucket, not per flow hash */
		if ((tb[NHA_GROUP_TYPE] != NULL &&
			    (nla_len(tb[NHA_GROUP_TYPE]) != 2 ||
				    nla_get_u16(tb[NHA_GROUP_TYPE]) != NEXTHOP_GRP_TYPE_MPATH)) ||
			n > FIB4_ECMP_MAX)
			out->usable = NL_IGNORE_UNSUPPORTED;
		out->n_grp = n > FIB4_ECMP_MAX ? 0 : n;
		for (unsigned int i = 0; i < out->n_grp; i++) {
			if (g[i].id == 0)
				return NL_IGNORE_MALFORMED;
			out->grp[i].id = g[i].id;
			/* the weight minus one, as ip nexthop's "id,weight" */
			out->grp[i].weight = g[i].weight + 1;
		}
		return NL_MIRROR;
	}
	if (tb[NHA_ENCAP] != NULL || tb[NHA_FDB] != NULL)
		out->usable = NL_IGNORE_UNSUPPORTED;
	if (tb[NHA_BLACKHOLE] != NULL) {
		out->blackhole = true;
		return NL_MIRROR;
	}
	if (tb[NHA_OIF] == NULL || nla_len(tb[NHA_OIF]) != 4) {
		/* an fdb nexthop has no device: never a route's */
		return tb[NHA_FDB] != NULL ? NL_MIRROR : NL_IGNORE_MALFORMED;
	}
	out->ifindex = nla_get_u32(tb[NHA_OIF]);
	if (tb[NHA_GATEWAY] != NULL &&
		((nhm->nh_family != AF_INET && nhm->nh_family != AF_INET6) ||
			!nl_addr_attr(tb[NHA_GATEWAY], nhm->nh_family, &out->gw)))
		return NL_IGNORE_MALFORMED;
	return NL_MIRROR;
}

/* One nexthop object's single next hop onto r, of r's family (IPv6 gateways for IPv4: not). */
static enum nl_verdict resolve_one(const struct nl_nexthop *nh, uint16_t weight,
	uint16_t (*iface_of)(int ifindex), struct route *r)
{
	unsigned int i = r->n_nh;

	if (nh->usable != NL_MIRROR)
		return nh->usable;
	if (nh->n_grp > 0 || nh->blackhole) /* the kernel refuses both in a group */
		return NL_IGNORE_MALFORMED;
	if (nh->gw.family != 0 && nh->gw.family != r->prefix.addr.family)
		return NL_IGNORE_UNSUPPORTED;
	if (i == FIB4_ECMP_MAX)
		return NL_IGNORE_UNSUPPORTED;
	if ((r->nh[i].iface = iface_of(nh->ifindex)) == FP_IFACE_NONE)
		return NL_IGNORE_NON_TWIN;
	r->nh[i].gw = nh->gw;
	r->nh[i].weight = weight;
	r->n_nh++;
	return NL_MIRROR;
}

enum nl_verdict nl_nexthop_resolve(uint32_t id, const struct nl_nexthop *(*find)(uint32_t id),
	uint16_t (*iface_of)(int ifindex), struct route *r)
{
	const struct nl_nexthop *nh = find(id);

	r->n_nh = 0;
	if (nh == NULL)
		return NL_IGNORE_MALFORMED; /* the kernel makes the object before its routes */
	if (nh->usable != NL_MIRROR)
		return nh->usable;
	if (nh->blackhole) {
		r->type = ROUTE_BLACKHOLE;
		return NL_MIRROR;
	}
	r->type = ROUTE_UNICAST;
	if (nh->n_grp == 0)
		return resolve_one(nh, 1, iface_of, r);
	for (unsigned int i = 0; i < nh->n_grp; i++) {
		const struct nl_nexthop *m = find(nh->grp[i].id);
		enum nl_verdict v;

		if (m == NULL)
			return NL_IGNORE_MALFORMED;
		if ((v = resolve_one(m, nh->grp[i].weight, iface_of, r)) != NL_MIRROR)
			return v;
	}
	return NL_MIRROR;
}
