/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv6 outside the datapath: NDP messages (ndp_msg.c) parsed with Linux's checks and built, the
 * ICMPv6 checksum against a sum done by hand, and the states of the router's addresses (addr6.c:
 * link-local, DAD, dadfailed, routes, source selection) on a real EAL.
 */
#include "fib/fib6.h"
#include "infra/control.h"
#include "base/fp_net.h"
#include "infra/iface.h"
#include "ip6/addr6.h"
#include "ip6/ip6.h"
#include "ip6/ndp_msg.h"
#include "test_eal.h"

#include <errno.h>
#include <string.h>

/* cmocka needs these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

static struct fp_ip6_addr A(const char *s) {
	struct fp_ip6_addr a;

	assert_int_equal(fp_ip6_parse(s, &a), 0);
	return a;
}

static const struct fp_mac mac = {{0x02, 0, 0, 0, 0x0f, 0x01}};

/* The ICMPv6 checksum, summed 16 bits at a time as RFC 1071 says, with the pseudo-header. */
static uint16_t slow_cksum(const uint8_t *pkt, uint32_t len)
{
	uint32_t sum = 0, ulen = len - IP6_HDR_LEN;

	for (int i = 8; i < 40; i += 2)
		sum += pkt[i] << 8 | pkt[i + 1];
	sum += ulen >> 16;
	sum += ulen & 0xffff;
	sum += IPPROTO_ICMPV6;
	for (uint32_t i = IP6_HDR_LEN; i < len; i += 2)
		sum += pkt[i] << 8 | (i + 1 < len ? pkt[i + 1] : 0);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

static void test_build_ns_and_parse(void **state)
{
	struct fp_ip6_addr src = A("2001:db8::1"), target = A("2001:db8::2");
	struct fp_ip6_addr dst = fp_ip6_solicited_node(&target);
	uint8_t buf[NDP_MSG_MAX];
	uint32_t len = ndp_build_ns(buf, &src, &dst, &target, &mac);
	struct ndp_msg msg;

	(void)state;
	assert_int_equal(len, 40 + 24 + 8);
	assert_int_equal(buf[7], 255); /* hop limit */
	assert_int_equal(buf[6], IPPROTO_ICMPV6);
	assert_int_equal(buf[4] << 8 | buf[5], 32);
	assert_int_equal(icmp6_cksum(&src, &dst, buf + 40, len - 40), 0);
	assert_int_equal(ndp_parse(buf, len, &msg), NDP_OK);
	assert_int_equal(msg.type, ICMP6_NEIGHBOUR_SOLICIT);
	assert_true(fp_ip6_equal(&msg.target, &target));
	assert_true(fp_ip6_equal(&msg.src, &src));
	assert_false(msg.dad);
	assert_true(msg.has_lladdr);
	assert_memory_equal(msg.lladdr.bytes, mac.bytes, 6);
}

static void test_icmp6_cksum_by_hand(void **state)
{
	struct fp_ip6_addr src = A("fe80::1"), target = A("fe80::2"), dst = A("ff02::1");
	uint8_t buf[NDP_MSG_MAX];
	uint32_t len;
	uint16_t field;

	(void)state;
	/* odd contents: every flag, an address with high bytes */
	len = ndp_build_na(buf, &src, &dst, &target, true, false, true, &mac);
	memcpy(&field, buf + 42, 2);
	buf[42] = buf[43] = 0;
	assert_int_equal(rte_be_to_cpu_16(field), slow_cksum(buf, len));
}

/*
 * A redirect as ndisc_send_redirect() makes it: the fixed part, the target link-layer option,
 * the redirected header option holding the packet cut to 1280 - 80 bytes in units of 8, the
 * link-layer option not counted (the whole may pass 1280).
 */
static void test_build_redirect(void **state)
{
	struct fp_ip6_addr src = A("fe80::1"), dst = A("2001:db8::2"), target = A("fe80::3");
	struct fp_ip6_addr dest = A("2001:db8:9::1");
	static uint8_t pkt[1500], buf[NDP_REDIRECT_MAX];
	uint32_t len;

	(void)state;
	for (unsigned int i = 0; i < sizeof(pkt); i++)
		pkt[i] = i * 7;
	len = ndp_build_redirect(buf, &src, &dst, &target, &dest, &mac, pkt, 100);
	/* 100 bytes + 8 of option header, rounded down to 104: 96 of the packet */
	assert_int_equal(len, 40 + 40 + 8 + 104);
	assert_int_equal(buf[7], 255);
	assert_int_equal(buf[40], ICMP6_REDIRECT);
	assert_memory_equal(buf + 48, &target, 16);
	assert_memory_equal(buf + 64, &dest, 16);
	assert_int_equal(buf[80], 2); /* target link-layer address */
	assert_int_equal(buf[81], 1);
	assert_memory_equal(buf + 82, mac.bytes, 6);
	assert_int_equal(buf[88], 4); /* redirected header */
	assert_int_equal(buf[89], 13);
	assert_memory_equal(buf + 96, pkt, 96);
	assert_int_equal(slow_cksum(buf, len), 0);
	len = ndp_build_redirect(buf, &src, &dst, &dest, &dest, NULL, pkt, sizeof(pkt));
	assert_int_equal(len, 40 + 40 + 1200);
	assert_int_equal(buf[80], 4);
	assert_int_equal(buf[81], 150);
	assert_memory_equal(buf + 88, pkt, 1192);
	assert_int_equal(slow_cksum(buf, len), 0);
	assert_int_equal(
		ndp_build_redirect(buf, &src, &dst, &target, &dest, &mac, pkt, sizeof(pkt)), 1288);
}

static void test_dad_ns(void **state)
{
	struct fp_ip6_addr target = A("2001:db8::2"), dst = fp_ip6_solicited_node(&target);
	uint8_t buf[NDP_MSG_MAX];
	struct ndp_msg msg;
	uint32_t len;

	(void)state;
	/* from ::, to the solicited-node group, no link-layer option: a DAD probe */
	len = ndp_build_ns(buf, NULL, &dst, &target, NULL);
	assert_int_equal(len, 40 + 24);
	assert_int_equal(ndp_parse(buf, len, &msg), NDP_OK);
	assert_true(msg.dad);
	assert_false(msg.has_lladdr);
	/* RFC 4861 7.1.1: a DAD probe with a source link-layer address is invalid */
	len = ndp_build_ns(buf, NULL, &dst, &target, &mac);
	assert_int_equal(ndp_parse(buf, len, &msg), NDP_DAD_WITH_LLADDR);
	/* and one not sent to a solicited-node group */
	dst = A("ff02::1");
	len = ndp_build_ns(buf, NULL, &dst, &target, NULL);
	assert_int_equal(ndp_parse(buf, len, &msg), NDP_DAD_NOT_SOLICITED);
}

static void test_ns_na_invalid(void **state)
{
	struct fp_ip6_addr src = A("2001:db8::1"), dst = A("2001:db8::2"), mc = A("ff02::1");
	uint8_t buf[NDP_MSG_MAX];
	struct ndp_msg msg;
	uint32_t len;

	(void)state;
	/* a multicast target */
	len = ndp_build_ns(buf, &src, &dst, &mc, &mac);
	assert_int_equal(ndp_parse(buf, len, &msg), NDP_MULTICAST_TARGET);
	len = ndp_build_na(buf, &src, &dst, &mc, false, true, false, &mac);
	assert_int_equal(ndp_parse(buf, len, &msg), NDP_MULTICAST_TARGET);
	/* shorter than the target */
	len = ndp_build_ns(buf, &src, &dst, &dst, NULL);
	assert_int_equal(ndp_parse(buf, 40 + 20, &msg), NDP_TOO_SHORT);
	assert_int_equal(ndp_parse(buf, 40 + 4, &msg), NDP_TOO_SHORT);
	/* an option of length 0, one past the end, a link-layer option of 16 bytes */
	len = ndp_build_ns(buf, &src, &dst, &dst, &mac);
	buf[40 + 24 + 1] = 0;
	assert_int_equal(ndp_parse(buf, len, &msg), NDP_BAD_OPTIONS);
	buf[40 + 24 + 1] = 2;
	assert_int_equal(ndp_parse(buf, len, &msg), NDP_BAD_OPTIONS);
	memset(buf + len, 0, 8);
	assert_int_equal(ndp_parse(buf, len + 8, &msg), NDP_BAD_LLADDR);
	/* a solicited NA to a multicast group */
	len = ndp_build_na(buf, &src, &mc, &src, false, true, false, NULL);
	assert_int_equal(ndp_parse(buf, len, &msg), NDP_SOLICITED_MULTICAST);
	/* router advertisements and redirects are not a router's to take */
	buf[40] = ICMP6_ROUTER_ADVERT;
	assert_int_equal(ndp_parse(buf, len, &msg), NDP_UNKNOWN_TYPE);
}

static void test_na_flags(void **state)
{
	struct fp_ip6_addr src = A("fe80::1"), dst = A("fe80::2");
	uint8_t buf[NDP_MSG_MAX];
	struct ndp_msg msg;
	uint32_t len;

	(void)state;
	for (int f = 0; f < 8; f++) {
		len = ndp_build_na(buf, &src, &dst, &src, f & 1, f & 2, f & 4, f & 1 ? &mac : NULL);
		assert_int_equal(ndp_parse(buf, len, &msg), NDP_OK);
		assert_int_equal(msg.router, !!(f & 1));
		assert_int_equal(msg.solicited, !!(f & 2));
		assert_int_equal(msg.override, !!(f & 4));
		assert_int_equal(msg.has_lladdr, !!(f & 1));
		assert_int_equal(icmp6_cksum(&src, &dst, buf + 40, len - 40), 0);
	}
}

static void test_build_ra(void **state)
{
	struct fp_ip6_addr src = A("fe80::1"), dst = A("ff02::1");
	struct ndp_ra ra = {
		.cur_hop_limit = 64,
		.router_lifetime = 1800,
		.mtu = 1500,
		.n_prefixes = 2,
		.prefixes = {{{A("2001:db8:1::5"), 64}, true, true, 86400, 14400},
			{{A("2001:db8:2::"), 48}, true, false, 100, 50}},
	};
	uint8_t buf[NDP_MSG_MAX], *opt;
	uint32_t len;

	(void)state;
	len = ndp_build_ra(buf, &src, &dst, &ra, &mac);
	assert_int_equal(len, 40 + 16 + 8 + 8 + 2 * 32);
	assert_int_equal(icmp6_cksum(&src, &dst, buf + 40, len - 40), 0);
	assert_int_equal(buf[7], 255);
	assert_int_equal(buf[40], ICMP6_ROUTER_ADVERT);
	assert_int_equal(buf[44], 64);
	assert_int_equal(buf[46] << 8 | buf[47], 1800);
	opt = buf + 56;
	assert_int_equal(opt[0], 1); /* source link-layer address */
	assert_memory_equal(opt + 2, mac.bytes, 6);
	opt += 8;
	assert_int_equal(opt[0], 5); /* MTU */
	assert_int_equal(opt[6] << 8 | opt[7], 1500);
	opt += 8;
	assert_int_equal(opt[0], 3); /* prefix information, host bits cleared */
	assert_int_equal(opt[1], 4);
	assert_int_equal(opt[2], 64);
	assert_int_equal(opt[3], 0xc0);
	assert_int_equal(opt[4] << 24 | opt[5] << 16 | opt[6] << 8 | opt[7], 86400);
	assert_int_equal(opt[8] << 24 | opt[9] << 16 | opt[10] << 8 | opt[11], 14400);
	struct fp_ip6_addr p1 = A("2001:db8:1::");
	assert_memory_equal(opt + 16, &p1, 16);
	assert_int_equal(opt[32 + 3], 0x80);
}

/* Addresses ---------------------------------------------------------------------------------- */

static struct iface *ifs[2];

static int group_setup(void **state)
{
	(void)state;
	if (test_eal_setup("test_ip6", 1024) < 0)
		return -1;
	return fib6_set_size(1024, 1024) < 0 ? -1 : 0;
}

static int group_teardown(void **state)
{
	(void)state;
	test_eal_teardown();
	return 0;
}

static int setup(void **state)
{
	(void)state;
	ifs[0] = test_iface_new("ip6t0", 1);
	ifs[1] = test_iface_new("ip6t1", 2);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (int i = 0; i < 2; i++) {
		iface_free(ifs[i]);
		ifs[i] = NULL;
	}
	return 0;
}

/* DAD's time passes: the probe, then the verdict a second later. */
static void dad_done(void)
{
	int64_t now = control_now_ms();

	ip6_addr_periodic(now + 1500);
	ip6_addr_periodic(now + 3000);
}

static void test_link_local(void **state)
{
	struct fp_ip6_addr ll = A("fe80::ff:fe00:f01"), sn = fp_ip6_solicited_node(&ll);
	const struct ip6_ifaddr *a = ip6_addr_find(ifs[0]->id, &ll);

	(void)state;
	assert_non_null(a);
	assert_true(a->automatic);
	assert_int_equal(a->p.len, 64);
	assert_int_equal(a->state, IP6_ADDR_TENTATIVE);
	/* tentative: not ours yet, but its solicited-node group is joined (DAD probes) */
	assert_false(ip6_iface_has_addr(ifs[0]->id, &ll));
	assert_true(ip6_iface_joined(ifs[0]->id, &sn));
	assert_false(ip6_iface_joined(ifs[1]->id, &sn));
	dad_done();
	assert_int_equal(ip6_addr_find(ifs[0]->id, &ll)->state, IP6_ADDR_PREFERRED);
	assert_true(ip6_iface_has_addr(ifs[0]->id, &ll));
	/* link-local addresses stay out of the FIB */
	assert_null(fib6_lookup(ifs[0]->vrf, &ll));
	/* the same link-local address on another link is another address */
	assert_int_equal(ip6_addr_add(ifs[1]->id, &(struct fp_ip6_prefix){ll, 64}), 0);
	assert_int_equal(ip6_addr_add(ifs[1]->id, &(struct fp_ip6_prefix){ll, 64}), -EEXIST);
}

static void test_global_dad_and_routes(void **state)
{
	struct fp_ip6_addr a = A("2001:db8:5::1"), net = A("2001:db8:5::"),
			   far = A("2001:db8:5::77");
	const struct nh_group *g;
	struct route6 r;

	(void)state;
	assert_int_equal(ip6_addr_add(ifs[0]->id, &(struct fp_ip6_prefix){a, 64}), 0);
	/* the connected route at once, the local one after DAD */
	assert_int_equal(fib6_route_get(0, &(struct fp_ip6_prefix){net, 64}, &r), 0);
	assert_int_equal(r.origin, ORIGIN_CONNECTED);
	assert_int_equal(r.nh[0].iface, ifs[0]->id);
	g = fib6_lookup(0, &a);
	assert_non_null(g);
	assert_int_equal(g->type, ROUTE_UNICAST);
	dad_done();
	g = fib6_lookup(0, &a);
	assert_non_null(g);
	assert_int_equal(g->type, ROUTE_LOCAL);
	assert_int_equal(ip6_addr_add(ifs[1]->id, &(struct fp_ip6_prefix){a, 64}), -EADDRINUSE);
	assert_int_equal(
		ip6_addr_add(ifs[1]->id, &(struct fp_ip6_prefix){A("ff02::3"), 64}), -EINVAL);
	/* source selection: the global address for a global destination, link-local for one */
	struct fp_ip6_addr s;
	assert_true(ip6_addr_source(ifs[0]->id, &far, &s));
	assert_true(fp_ip6_equal(&s, &a));
	assert_true(ip6_addr_source(ifs[0]->id, &(struct fp_ip6_addr){{0xfe, 0x80, [15] = 9}}, &s));
	struct fp_ip6_addr ll = A("fe80::ff:fe00:f01");
	assert_true(fp_ip6_equal(&s, &ll));
	/* deleted: both routes go */
	assert_int_equal(ip6_addr_del(ifs[0]->id, &(struct fp_ip6_prefix){a, 64}), 0);
	assert_null(fib6_lookup(0, &a));
	assert_int_equal(fib6_route_get(0, &(struct fp_ip6_prefix){net, 64}, &r), -ENOENT);
	assert_int_equal(ip6_addr_del(ifs[0]->id, &(struct fp_ip6_prefix){a, 64}), -ENOENT);
}

static void test_dad_failed(void **state)
{
	struct fp_ip6_addr a = A("2001:db8:6::1");

	(void)state;
	assert_int_equal(ip6_addr_add(ifs[0]->id, &(struct fp_ip6_prefix){a, 64}), 0);
	/* another node answers our probe */
	ip6_addr_dad_failed(ifs[0]->id, &a);
	assert_int_equal(ip6_addr_find(ifs[0]->id, &a)->state, IP6_ADDR_DADFAILED);
	dad_done();
	/* it stays so: no local route, not ours, its group left */
	assert_int_equal(ip6_addr_find(ifs[0]->id, &a)->state, IP6_ADDR_DADFAILED);
	assert_false(ip6_iface_has_addr(ifs[0]->id, &a));
	assert_true(fib6_lookup(0, &a) == NULL || fib6_lookup(0, &a)->type != ROUTE_LOCAL);
	struct fp_ip6_addr sn = fp_ip6_solicited_node(&a);
	assert_false(ip6_iface_joined(ifs[0]->id, &sn));
	/* a second verdict changes nothing; preferred addresses are not failed afterwards */
	ip6_addr_dad_failed(ifs[0]->id, &a);
	assert_int_equal(ip6_addr_del(ifs[0]->id, &(struct fp_ip6_prefix){a, 64}), 0);
	assert_int_equal(ip6_addr_add(ifs[0]->id, &(struct fp_ip6_prefix){a, 64}), 0);
	dad_done();
	ip6_addr_dad_failed(ifs[0]->id, &a);
	assert_int_equal(ip6_addr_find(ifs[0]->id, &a)->state, IP6_ADDR_PREFERRED);
	assert_int_equal(ip6_addr_del(ifs[0]->id, &(struct fp_ip6_prefix){a, 64}), 0);
}

/* The connected route of a prefix two interfaces share moves when its owner loses it. */
static void test_shared_prefix(void **state)
{
	struct fp_ip6_addr a = A("2001:db8:7::1"), b = A("2001:db8:7::2"), net = A("2001:db8:7::");
	struct route6 r;

	(void)state;
	assert_int_equal(ip6_addr_add(ifs[0]->id, &(struct fp_ip6_prefix){a, 64}), 0);
	assert_int_equal(ip6_addr_add(ifs[1]->id, &(struct fp_ip6_prefix){b, 64}), 0);
	assert_int_equal(fib6_route_get(0, &(struct fp_ip6_prefix){net, 64}, &r), 0);
	assert_int_equal(r.nh[0].iface, ifs[0]->id);
	assert_int_equal(ip6_addr_del(ifs[0]->id, &(struct fp_ip6_prefix){a, 64}), 0);
	assert_int_equal(fib6_route_get(0, &(struct fp_ip6_prefix){net, 64}, &r), 0);
	assert_int_equal(r.nh[0].iface, ifs[1]->id);
	assert_int_equal(ip6_addr_del(ifs[1]->id, &(struct fp_ip6_prefix){b, 64}), 0);
	assert_int_equal(fib6_route_get(0, &(struct fp_ip6_prefix){net, 64}, &r), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest pure[] = {
		cmocka_unit_test(test_build_ns_and_parse),
		cmocka_unit_test(test_icmp6_cksum_by_hand),
		cmocka_unit_test(test_build_redirect),
		cmocka_unit_test(test_dad_ns),
		cmocka_unit_test(test_ns_na_invalid),
		cmocka_unit_test(test_na_flags),
		cmocka_unit_test(test_build_ra),
	};
	const struct CMUnitTest addrs[] = {
		cmocka_unit_test_setup_teardown(test_link_local, setup, teardown),
		cmocka_unit_test_setup_teardown(test_global_dad_and_routes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dad_failed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shared_prefix, setup, teardown),
	};

	return cmocka_run_group_tests_name("ndp", pure, NULL, NULL) |
	       cmocka_run_group_tests_name("addresses", addrs, group_setup, group_teardown);
}
