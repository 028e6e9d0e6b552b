/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Kernel route messages to fastpath routes (nl_route_parse): types, tables to VRFs, next hops
 * and ECMP weights, and every reason to leave a route out. Nexthop objects (nl_nexthop_parse)
 * and the routes resolved through them (nl_nexthop_resolve).
 */
#include "netlink/nl_priv.h"

#include <arpa/inet.h>
#include <string.h>

#include <linux/nexthop.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

/* cmocka needs these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

/* Kernel ifindexes 10..13 are the twins of interfaces 0..3; 20 is some other device. */
static uint16_t iface_of(int ifindex)
{
	return ifindex >= 10 && ifindex <= 13 ? ifindex - 10 : FP_IFACE_NONE;
}

static struct nl_config config(void)
{
	struct nl_config c;

	nl_config_defaults(&c);
	c.tables[c.n_tables++] = (struct nl_table_map){1000, 3};
	return c;
}

struct hop {
	const char *gw;
	int ifindex, weight;
};

static struct nl_msg *route_msg(int family, const char *dst, int len, uint8_t table,
	uint32_t rta_table, uint8_t type, uint8_t protocol, uint32_t metric, const struct hop *hops,
	unsigned int n_hops)
{
	struct rtmsg rtm = {.rtm_family = family,
		.rtm_dst_len = len,
		.rtm_table = table,
		.rtm_protocol = protocol,
		.rtm_type = type};
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_NEWROUTE, 0);
	uint8_t a[16];

	assert_non_null(msg);
	assert_int_equal(nlmsg_append(msg, &rtm, sizeof(rtm), NLMSG_ALIGNTO), 0);
	if (rta_table != 0)
		nla_put_u32(msg, RTA_TABLE, rta_table);
	if (len > 0) {
		assert_int_equal(inet_pton(family, dst, a), 1);
		nla_put(msg, RTA_DST, family == AF_INET ? 4 : 16, a);
	}
	if (metric != 0)
		nla_put_u32(msg, RTA_PRIORITY, metric);
	if (n_hops == 1) {
		nla_put_u32(msg, RTA_OIF, hops[0].ifindex);
		if (hops[0].gw != NULL) {
			assert_int_equal(inet_pton(family, hops[0].gw, a), 1);
			nla_put(msg, RTA_GATEWAY, family == AF_INET ? 4 : 16, a);
		}
	} else if (n_hops > 1) {
		struct nlattr *mp = nla_nest_start(msg, RTA_MULTIPATH);

		for (unsigned int i = 0; i < n_hops; i++) {
			struct rtnexthop *nh = nlmsg_reserve(msg, sizeof(*nh), NLMSG_ALIGNTO);

			*nh = (struct rtnexthop){
				.rtnh_ifindex = hops[i].ifindex, .rtnh_hops = hops[i].weight - 1};
			assert_int_equal(inet_pton(family, hops[i].gw, a), 1);
			nla_put(msg, RTA_GATEWAY, family == AF_INET ? 4 : 16, a);
			nh->rtnh_len = (char *)nlmsg_tail(nlmsg_hdr(msg)) - (char *)nh;
		}
		nla_nest_end(msg, mp);
	}
	return msg;
}

static enum nl_verdict parse(struct nl_msg *msg, bool key_only, struct nl_route *out)
{
	struct nl_config c = config();
	enum nl_verdict v = nl_route_parse(nlmsg_hdr(msg), &c, iface_of, key_only, out);

	nlmsg_free(msg);
	return v;
}

static void test_unicast_v4(void **state)
{
	struct hop h = {"10.0.3.2", 12, 1};
	struct nl_route r;
	char buf[64];

	(void)state;
	assert_int_equal(parse(route_msg(AF_INET, "10.201.0.0", 24, RT_TABLE_MAIN, 0, RTN_UNICAST,
				       RTPROT_BOOT, 0, &h, 1),
				 false, &r),
		NL_MIRROR);
	assert_string_equal(fp_ip_prefix_fmt(&r.r.prefix, buf), "10.201.0.0/24");
	assert_int_equal(r.r.vrf, 0);
	assert_int_equal(r.r.type, ROUTE_UNICAST);
	assert_int_equal(r.r.origin, ORIGIN_KERNEL);
	assert_int_equal(r.r.protocol, RTPROT_BOOT);
	assert_int_equal(r.r.n_nh, 1);
	assert_int_equal(r.r.nh[0].iface, 2);
	assert_string_equal(fp_ip_fmt(&r.r.nh[0].gw, buf), "10.0.3.2");
	assert_int_equal(r.metric, 0);
}

static void test_tables(void **state)
{
	struct hop h = {NULL, 10, 1};
	struct nl_route r;

	(void)state;
	/* RTA_TABLE carries tables past 255; rtm_table then says RT_TABLE_UNSPEC */
	assert_int_equal(parse(route_msg(AF_INET, "10.1.0.0", 16, RT_TABLE_UNSPEC, 1000,
				       RTN_UNICAST, 12, 32, &h, 1),
				 false, &r),
		NL_MIRROR);
	assert_int_equal(r.r.vrf, 3);
	assert_int_equal(r.r.protocol, 12);
	assert_int_equal(r.metric, 32);
	assert_int_equal(
		parse(route_msg(AF_INET, "10.1.0.0", 16, 100, 0, RTN_UNICAST, 12, 0, &h, 1), false,
			&r),
		NL_IGNORE_TABLE);
	assert_int_equal(parse(route_msg(AF_INET, "10.0.1.1", 32, RT_TABLE_LOCAL, 0, RTN_LOCAL,
				       RTPROT_KERNEL, 0, &h, 1),
				 false, &r),
		NL_IGNORE_TABLE);
	struct nl_config c = config();

	assert_int_equal(nl_table_vrf(&c, RT_TABLE_MAIN), 0);
	assert_int_equal(nl_table_vrf(&c, 1000), 3);
	assert_int_equal(nl_table_vrf(&c, RT_TABLE_LOCAL), -1);
	assert_int_equal(nl_vrf_table(&c, 3), 1000);
	assert_int_equal(nl_vrf_table(&c, 1), 0);
}

static void test_multipath(void **state)
{
	struct hop h[] = {{"10.0.2.2", 11, 1}, {"10.0.3.2", 12, 3}};
	struct hop bad[] = {{"10.0.2.2", 11, 1}, {"192.168.9.2", 20, 1}};
	struct nl_route r;

	(void)state;
	assert_int_equal(parse(route_msg(AF_INET, "0.0.0.0", 0, RT_TABLE_MAIN, 0, RTN_UNICAST, 188,
				       20, h, 2),
				 false, &r),
		NL_MIRROR);
	assert_int_equal(r.r.prefix.len, 0);
	assert_int_equal(r.r.n_nh, 2);
	assert_int_equal(r.r.nh[0].iface, 1);
	assert_int_equal(r.r.nh[0].weight, 1);
	assert_int_equal(r.r.nh[1].iface, 2);
	assert_int_equal(r.r.nh[1].weight, 3);
	/* one hop through a device without twin leaves the whole route out */
	assert_int_equal(parse(route_msg(AF_INET, "10.9.0.0", 16, RT_TABLE_MAIN, 0, RTN_UNICAST, 12,
				       0, bad, 2),
				 false, &r),
		NL_IGNORE_NON_TWIN);
	/* but its deletion is found by its key alone */
	assert_int_equal(parse(route_msg(AF_INET, "10.9.0.0", 16, RT_TABLE_MAIN, 0, RTN_UNICAST, 12,
				       0, bad, 2),
				 true, &r),
		NL_MIRROR);
	assert_int_equal(r.r.prefix.len, 16);
}

static void test_types(void **state)
{
	static const struct {
		uint8_t rtn;
		int verdict;
		enum route_type type;
	} cases[] = {
		{RTN_BLACKHOLE, NL_MIRROR, ROUTE_BLACKHOLE},
		{RTN_UNREACHABLE, NL_MIRROR, ROUTE_UNREACHABLE},
		{RTN_PROHIBIT, NL_MIRROR, ROUTE_PROHIBIT},
		{RTN_THROW, NL_IGNORE_UNSUPPORTED, 0},
		{RTN_MULTICAST, NL_IGNORE_UNSUPPORTED, 0},
	};
	struct nl_route r;

	(void)state;
	for (unsigned int i = 0; i < RTE_DIM(cases); i++) {
		assert_int_equal(parse(route_msg(AF_INET6, "2001:db8:99::", 48, RT_TABLE_MAIN, 0,
					       cases[i].rtn, RTPROT_STATIC, 1024, NULL, 0),
					 false, &r),
			cases[i].verdict);
		if (cases[i].verdict == NL_MIRROR) {
			assert_int_equal(r.r.type, cases[i].type);
			assert_int_equal(r.r.n_nh, 0);
			assert_int_equal(r.metric, 1024);
		}
	}
}

static void test_ipv6_and_ignored(void **state)
{
	struct hop h = {"fe80::2", 13, 1}, h4 = {"10.0.3.2", 12, 1}, other = {NULL, 20, 1};
	struct nl_route r;
	char buf[64];

	(void)state;
	assert_int_equal(parse(route_msg(AF_INET6, "2001:db8:77::", 48, RT_TABLE_MAIN, 0,
				       RTN_UNICAST, 12, 0, &h, 1),
				 false, &r),
		NL_MIRROR);
	assert_int_equal(r.r.nh[0].iface, 3);
	assert_string_equal(fp_ip_fmt(&r.r.nh[0].gw, buf), "fe80::2");
	assert_int_equal(parse(route_msg(AF_INET6, "fe80::", 64, RT_TABLE_MAIN, 0, RTN_UNICAST,
				       RTPROT_KERNEL, 256, &h, 1),
				 false, &r),
		NL_IGNORE_LINK_LOCAL);
	assert_int_equal(parse(route_msg(AF_INET6, "ff00::", 8, RT_TABLE_MAIN, 0, RTN_UNICAST,
				       RTPROT_KERNEL, 256, &h, 1),
				 false, &r),
		NL_IGNORE_LINK_LOCAL);
	assert_int_equal(parse(route_msg(AF_INET, "10.5.0.0", 16, RT_TABLE_MAIN, 0, RTN_UNICAST,
				       NL_PROTO_FASTPATH, 0, &h4, 1),
				 false, &r),
		NL_IGNORE_OWN);
	assert_int_equal(parse(route_msg(AF_INET, "10.5.0.0", 16, RT_TABLE_MAIN, 0, RTN_UNICAST,
				       RTPROT_BOOT, 0, &other, 1),
				 false, &r),
		NL_IGNORE_NON_TWIN);
}

static void test_malformed(void **state)
{
	struct rtmsg rtm = {.rtm_family = AF_INET,
		.rtm_dst_len = 24,
		.rtm_table = RT_TABLE_MAIN,
		.rtm_type = RTN_UNICAST};
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_NEWROUTE, 0);
	struct nl_route r;
	uint8_t six[6] = {0};

	(void)state;
	nlmsg_append(msg, &rtm, sizeof(rtm), NLMSG_ALIGNTO);
	nla_put(msg, RTA_DST, sizeof(six), six); /* an IPv4 address of 6 bytes */
	assert_int_equal(parse(msg, false, &r), NL_IGNORE_MALFORMED);
	msg = nlmsg_alloc_simple(RTM_NEWROUTE, 0);
	rtm.rtm_dst_len = 33;
	nlmsg_append(msg, &rtm, sizeof(rtm), NLMSG_ALIGNTO);
	assert_int_equal(parse(msg, false, &r), NL_IGNORE_MALFORMED);
	msg = nlmsg_alloc_simple(RTM_NEWROUTE, 0);
	rtm.rtm_dst_len = 0; /* a unicast route without a device */
	nlmsg_append(msg, &rtm, sizeof(rtm), NLMSG_ALIGNTO);
	assert_int_equal(parse(msg, false, &r), NL_IGNORE_MALFORMED);
	/* a header cut short; the key is not valid whatever r held (the mirror reads it) */
	msg = nlmsg_alloc_simple(RTM_NEWROUTE, 0);
	nlmsg_append(msg, &rtm, 4, NLMSG_ALIGNTO);
	memset(&r, 0xff, sizeof(r));
	assert_int_equal(parse(msg, false, &r), NL_IGNORE_MALFORMED);
	assert_false(r.key_valid);
	/* nor is it for a table no VRF maps */
	msg = nlmsg_alloc_simple(RTM_NEWROUTE, 0);
	rtm.rtm_table = 200;
	nlmsg_append(msg, &rtm, sizeof(rtm), NLMSG_ALIGNTO);
	memset(&r, 0xff, sizeof(r));
	assert_int_equal(parse(msg, false, &r), NL_IGNORE_TABLE);
	assert_false(r.key_valid);
}

/* A nexthop object: a gateway on a device, a blackhole (ifindex -1) or a group (n_grp > 0). */
static struct nl_msg *nexthop_msg(int family, uint32_t id, const char *gw, int ifindex,
	const struct nexthop_grp *grp, unsigned int n_grp)
{
	struct nhmsg nhm = {.nh_family = n_grp > 0 || ifindex < 0 ? AF_UNSPEC : family};
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_NEWNEXTHOP, 0);
	uint8_t a[16];

	assert_non_null(msg);
	assert_int_equal(nlmsg_append(msg, &nhm, sizeof(nhm), NLMSG_ALIGNTO), 0);
	nla_put_u32(msg, NHA_ID, id);
	if (n_grp > 0) {
		nla_put(msg, NHA_GROUP, n_grp * sizeof(*grp), grp);
		return msg;
	}
	if (ifindex < 0) {
		nla_put_flag(msg, NHA_BLACKHOLE);
		return msg;
	}
	nla_put_u32(msg, NHA_OIF, ifindex);
	if (gw != NULL) {
		assert_int_equal(inet_pton(family, gw, a), 1);
		nla_put(msg, NHA_GATEWAY, family == AF_INET ? 4 : 16, a);
	}
	return msg;
}

static enum nl_verdict nh_parse(struct nl_msg *msg, struct nl_nexthop *out)
{
	enum nl_verdict v = nl_nexthop_parse(nlmsg_hdr(msg), false, out);

	nlmsg_free(msg);
	return v;
}

/* The objects the resolution tests look up. */
static struct nl_nexthop store[8];
static unsigned int n_store;

static const struct nl_nexthop *store_find(uint32_t id)
{
	for (unsigned int i = 0; i < n_store; i++)
		if (store[i].id == id)
			return &store[i];
	return NULL;
}

static void store_add(struct nl_msg *msg)
{
	assert_true(n_store < 8);
	assert_int_equal(nh_parse(msg, &store[n_store]), NL_MIRROR);
	n_store++;
}

static void test_nexthop_objects(void **state)
{
	struct nexthop_grp g[2] = {{.id = 1, .weight = 0}, {.id = 2, .weight = 2}};
	struct nl_nexthop nh;
	char buf[64];

	(void)state;
	assert_int_equal(
		nh_parse(nexthop_msg(AF_INET, 1, "10.0.3.2", 12, NULL, 0), &nh), NL_MIRROR);
	assert_int_equal(nh.id, 1);
	assert_int_equal(nh.usable, NL_MIRROR);
	assert_int_equal(nh.ifindex, 12);
	assert_string_equal(fp_ip_fmt(&nh.gw, buf), "10.0.3.2");
	assert_int_equal(nh.n_grp, 0);
	assert_false(nh.blackhole);
	assert_int_equal(
		nh_parse(nexthop_msg(AF_INET6, 7, "fd00::2", 13, NULL, 0), &nh), NL_MIRROR);
	assert_string_equal(fp_ip_fmt(&nh.gw, buf), "fd00::2");
	/* a device only: a gateway of no family */
	assert_int_equal(nh_parse(nexthop_msg(AF_INET, 8, NULL, 20, NULL, 0), &nh), NL_MIRROR);
	assert_int_equal(nh.gw.family, 0);
	assert_int_equal(nh.ifindex, 20);
	assert_int_equal(nh_parse(nexthop_msg(AF_INET, 9, NULL, -1, NULL, 0), &nh), NL_MIRROR);
	assert_true(nh.blackhole);
	/* a group: weights as ip nexthop writes them (1 and 3) */
	assert_int_equal(nh_parse(nexthop_msg(AF_INET, 10, NULL, 0, g, 2), &nh), NL_MIRROR);
	assert_int_equal(nh.n_grp, 2);
	assert_int_equal(nh.grp[0].id, 1);
	assert_int_equal(nh.grp[0].weight, 1);
	assert_int_equal(nh.grp[1].id, 2);
	assert_int_equal(nh.grp[1].weight, 3);
}

static void test_nexthop_unsupported_and_malformed(void **state)
{
	struct nexthop_grp g[2] = {{.id = 1}, {.id = 0}};
	struct nl_nexthop nh;
	struct nl_msg *msg;
	uint8_t six[6] = {0};

	(void)state;
	/* a resilient group: kept (routes name it), its routes not mirrored */
	msg = nexthop_msg(AF_INET, 10, NULL, 0, g, 1);
	nla_put_u16(msg, NHA_GROUP_TYPE, NEXTHOP_GRP_TYPE_RES);
	assert_int_equal(nh_parse(msg, &nh), NL_MIRROR);
	assert_int_equal(nh.usable, NL_IGNORE_UNSUPPORTED);
	msg = nexthop_msg(AF_INET, 10, NULL, 0, g, 1);
	nla_put_u16(msg, NHA_GROUP_TYPE, NEXTHOP_GRP_TYPE_MPATH);
	assert_int_equal(nh_parse(msg, &nh), NL_MIRROR);
	assert_int_equal(nh.usable, NL_MIRROR);
	/* an fdb nexthop (VXLAN): no device, never a route's */
	msg = nlmsg_alloc_simple(RTM_NEWNEXTHOP, 0);
	nlmsg_append(
		msg, &(struct nhmsg){.nh_family = AF_INET}, sizeof(struct nhmsg), NLMSG_ALIGNTO);
	nla_put_u32(msg, NHA_ID, 11);
	nla_put_flag(msg, NHA_FDB);
	assert_int_equal(nh_parse(msg, &nh), NL_MIRROR);
	assert_int_equal(nh.usable, NL_IGNORE_UNSUPPORTED);
	/* a member of id 0, a group of no member, no id, an id 0, no device, a gateway of 6 bytes,
	 * a header cut short */
	assert_int_equal(
		nh_parse(nexthop_msg(AF_INET, 10, NULL, 0, g, 2), &nh), NL_IGNORE_MALFORMED);
	msg = nexthop_msg(AF_INET, 10, NULL, 0, g, 1);
	nla_put(msg, NHA_GROUP, 3, g); /* later attributes win: a group of 3 bytes */
	assert_int_equal(nh_parse(msg, &nh), NL_IGNORE_MALFORMED);
	msg = nlmsg_alloc_simple(RTM_NEWNEXTHOP, 0);
	nlmsg_append(
		msg, &(struct nhmsg){.nh_family = AF_INET}, sizeof(struct nhmsg), NLMSG_ALIGNTO);
	nla_put_u32(msg, NHA_OIF, 12);
	assert_int_equal(nh_parse(msg, &nh), NL_IGNORE_MALFORMED);
	assert_int_equal(nh_parse(nexthop_msg(AF_INET, 0, "10.0.3.2", 12, NULL, 0), &nh),
		NL_IGNORE_MALFORMED);
	msg = nlmsg_alloc_simple(RTM_NEWNEXTHOP, 0);
	nlmsg_append(
		msg, &(struct nhmsg){.nh_family = AF_INET}, sizeof(struct nhmsg), NLMSG_ALIGNTO);
	nla_put_u32(msg, NHA_ID, 3);
	assert_int_equal(nh_parse(msg, &nh), NL_IGNORE_MALFORMED);
	msg = nlmsg_alloc_simple(RTM_NEWNEXTHOP, 0);
	nlmsg_append(
		msg, &(struct nhmsg){.nh_family = AF_INET}, sizeof(struct nhmsg), NLMSG_ALIGNTO);
	nla_put_u32(msg, NHA_ID, 3);
	nla_put_u32(msg, NHA_OIF, 12);
	nla_put(msg, NHA_GATEWAY, sizeof(six), six);
	assert_int_equal(nh_parse(msg, &nh), NL_IGNORE_MALFORMED);
	msg = nlmsg_alloc_simple(RTM_NEWNEXTHOP, 0);
	nlmsg_append(msg, &(struct nhmsg){.nh_family = AF_INET}, 4, NLMSG_ALIGNTO);
	assert_int_equal(nh_parse(msg, &nh), NL_IGNORE_MALFORMED);
	/* a deletion needs the id only */
	msg = nexthop_msg(AF_INET, 5, NULL, 0, NULL, 0);
	assert_int_equal(nl_nexthop_parse(nlmsg_hdr(msg), true, &nh), NL_MIRROR);
	assert_int_equal(nh.id, 5);
	nlmsg_free(msg);
}

/* A route naming nexthop object nh_id, with the next hops the kernel adds to it. */
static struct nl_msg *route_nhid_msg(int family, const char *dst, int len, uint32_t nh_id)
{
	struct hop h = {NULL, 12, 1};
	struct nl_msg *msg =
		route_msg(family, dst, len, RT_TABLE_MAIN, 0, RTN_UNICAST, RTPROT_BGP, 20, &h, 1);

	nla_put_u32(msg, RTA_NH_ID, nh_id);
	return msg;
}

static void test_nexthop_routes(void **state)
{
	struct nexthop_grp g[2] = {{.id = 1, .weight = 0}, {.id = 2, .weight = 2}};
	struct nexthop_grp bad[2] = {{.id = 1}, {.id = 3}};
	struct nexthop_grp unknown[1] = {{.id = 99}};
	struct nl_msg *msg;
	struct nl_route r;
	char buf[64];

	(void)state;
	n_store = 0;
	store_add(nexthop_msg(AF_INET, 1, "10.0.3.2", 12, NULL, 0));
	store_add(nexthop_msg(AF_INET, 2, "10.0.1.2", 11, NULL, 0));
	store_add(nexthop_msg(AF_INET, 3, "10.0.9.2", 20, NULL, 0)); /* not a twin */
	store_add(nexthop_msg(AF_INET, 4, NULL, -1, NULL, 0));
	store_add(nexthop_msg(AF_INET, 5, NULL, 0, g, 2));
	store_add(nexthop_msg(AF_INET, 6, NULL, 0, bad, 2));
	store_add(nexthop_msg(AF_INET6, 7, "fd00::2", 13, NULL, 0));
	store_add(nexthop_msg(AF_INET, 8, NULL, 0, unknown, 1));
	/* the route's key and its object; the next hops come from the object */
	assert_int_equal(parse(route_nhid_msg(AF_INET, "10.201.0.0", 24, 5), false, &r), NL_MIRROR);
	assert_true(r.key_valid);
	assert_int_equal(r.nh_id, 5);
	assert_int_equal(r.metric, 20);
	assert_int_equal(r.r.protocol, RTPROT_BGP);
	assert_int_equal(nl_nexthop_resolve(5, store_find, iface_of, &r.r), NL_MIRROR);
	assert_int_equal(r.r.type, ROUTE_UNICAST);
	assert_int_equal(r.r.n_nh, 2);
	assert_string_equal(fp_ip_fmt(&r.r.nh[0].gw, buf), "10.0.3.2");
	assert_int_equal(r.r.nh[0].iface, 2);
	assert_int_equal(r.r.nh[0].weight, 1);
	assert_string_equal(fp_ip_fmt(&r.r.nh[1].gw, buf), "10.0.1.2");
	assert_int_equal(r.r.nh[1].iface, 1);
	assert_int_equal(r.r.nh[1].weight, 3);
	/* resolved again through another object: the previous next hops go */
	assert_int_equal(nl_nexthop_resolve(1, store_find, iface_of, &r.r), NL_MIRROR);
	assert_int_equal(r.r.n_nh, 1);
	assert_int_equal(r.r.nh[0].weight, 1);
	assert_int_equal(nl_nexthop_resolve(4, store_find, iface_of, &r.r), NL_MIRROR);
	assert_int_equal(r.r.type, ROUTE_BLACKHOLE);
	assert_int_equal(r.r.n_nh, 0);
	/* a non-twin device, alone or in a group; an IPv6 gateway for IPv4; unknown objects */
	assert_int_equal(nl_nexthop_resolve(3, store_find, iface_of, &r.r), NL_IGNORE_NON_TWIN);
	assert_int_equal(nl_nexthop_resolve(6, store_find, iface_of, &r.r), NL_IGNORE_NON_TWIN);
	assert_int_equal(nl_nexthop_resolve(7, store_find, iface_of, &r.r), NL_IGNORE_UNSUPPORTED);
	assert_int_equal(nl_nexthop_resolve(42, store_find, iface_of, &r.r), NL_IGNORE_MALFORMED);
	assert_int_equal(nl_nexthop_resolve(8, store_find, iface_of, &r.r), NL_IGNORE_MALFORMED);
	/* IPv6 */
	assert_int_equal(
		parse(route_nhid_msg(AF_INET6, "2001:db8:5::", 48, 7), false, &r), NL_MIRROR);
	assert_int_equal(nl_nexthop_resolve(7, store_find, iface_of, &r.r), NL_MIRROR);
	assert_string_equal(fp_ip_fmt(&r.r.nh[0].gw, buf), "fd00::2");
	assert_int_equal(r.r.nh[0].iface, 3);
	/* the kernel marks a route through a blackhole object blackhole itself; not unreachable */
	msg = route_msg(AF_INET, "10.236.0.0", 24, RT_TABLE_MAIN, 0, RTN_BLACKHOLE, RTPROT_STATIC,
		0, NULL, 0);
	nla_put_u32(msg, RTA_NH_ID, 4);
	assert_int_equal(parse(msg, false, &r), NL_MIRROR);
	assert_int_equal(nl_nexthop_resolve(r.nh_id, store_find, iface_of, &r.r), NL_MIRROR);
	assert_int_equal(r.r.type, ROUTE_BLACKHOLE);
	msg = route_msg(AF_INET, "10.236.0.0", 24, RT_TABLE_MAIN, 0, RTN_UNREACHABLE, RTPROT_STATIC,
		0, NULL, 0);
	nla_put_u32(msg, RTA_NH_ID, 4);
	assert_int_equal(parse(msg, false, &r), NL_IGNORE_UNSUPPORTED);
	/* a deletion by key; an id of 0 */
	assert_int_equal(parse(route_nhid_msg(AF_INET, "10.201.0.0", 24, 5), true, &r), NL_MIRROR);
	assert_true(r.key_valid);
	assert_int_equal(parse(route_nhid_msg(AF_INET, "10.201.0.0", 24, 0), false, &r),
		NL_IGNORE_MALFORMED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unicast_v4),
		cmocka_unit_test(test_tables),
		cmocka_unit_test(test_multipath),
		cmocka_unit_test(test_types),
		cmocka_unit_test(test_ipv6_and_ignored),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_nexthop_objects),
		cmocka_unit_test(test_nexthop_unsupported_and_malformed),
		cmocka_unit_test(test_nexthop_routes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
