/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Kernel route messages to fastpath routes (nl_route_parse): types, tables to VRFs, next hops
 * and ECMP weights, and every reason to leave a route out.
 */
#include "netlink/nl_priv.h"

#include <arpa/inet.h>
#include <string.h>

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unicast_v4),
		cmocka_unit_test(test_tables),
		cmocka_unit_test(test_multipath),
		cmocka_unit_test(test_types),
		cmocka_unit_test(test_ipv6_and_ignored),
		cmocka_unit_test(test_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
