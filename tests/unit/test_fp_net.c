/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The address helpers of lib/base/fp_net.h: parsing and formatting of both families (the
 * messages too: they reach users as they are), prefixes and their host bits, the IPv6
 * predicates and the addresses NDP derives (EUI-64 link-local, solicited-node, multicast MAC).
 */
#include "base/fp_error.h"
#include "base/fp_net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

/* cmocka needs these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

static struct fp_ip6_addr ip6(const char *s)
{
	struct fp_ip6_addr a;

	assert_int_equal(fp_ip6_parse(s, &a), 0);
	return a;
}

static struct fp_mac mac_of(const char *s)
{
	struct fp_mac m;

	assert_int_equal(fp_mac_parse(s, &m), 0);
	return m;
}

#define assert_ip6(addr, text)                                                                     \
	do {                                                                                       \
		char b_[FP_IP6_ADDRSTRLEN];                                                        \
		assert_string_equal(fp_ip6_fmt(addr, b_), text);                                   \
	} while (0)

/* fn(s, out...) fails with EINVAL and exactly msg. */
#define assert_refused(call, msg)                                                                  \
	do {                                                                                       \
		assert_int_equal(call, -EINVAL);                                                   \
		assert_string_equal(fp_errmsg(), msg);                                             \
	} while (0)

/* IPv6 text ----------------------------------------------------------------------------------- */

static void test_ip6_parse(void **state)
{
	static const uint8_t doc1[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
	static const uint8_t mapped[16] = {[10] = 0xff, 0xff, 192, 0, 2, 1};
	struct fp_ip6_addr a;

	(void)state;
	assert_int_equal(fp_ip6_parse("2001:db8::1", &a), 0);
	assert_memory_equal(a.bytes, doc1, 16);
	assert_int_equal(fp_ip6_parse("2001:0DB8:0000:0000:0000:0000:0000:0001", &a), 0);
	assert_memory_equal(a.bytes, doc1, 16);
	assert_int_equal(fp_ip6_parse("::ffff:192.0.2.1", &a), 0);
	assert_memory_equal(a.bytes, mapped, 16);

	assert_refused(fp_ip6_parse("2001:db8::g", &a), "'2001:db8::g' is not an IPv6 address");
	assert_refused(fp_ip6_parse("1:2:3:4:5:6:7:8:9", &a),
		"'1:2:3:4:5:6:7:8:9' is not an IPv6 address");
	assert_refused(fp_ip6_parse("1::2::3", &a), "'1::2::3' is not an IPv6 address");
	assert_refused(fp_ip6_parse(" ::1", &a), "' ::1' is not an IPv6 address");
	assert_refused(fp_ip6_parse("fe80::1%eth0", &a), "'fe80::1%eth0' is not an IPv6 address");
	assert_refused(fp_ip6_parse("", &a), "'' is not an IPv6 address");
	assert_refused(fp_ip6_parse(NULL, &a), "'' is not an IPv6 address");
	/* the other family: the message says which */
	assert_refused(fp_ip6_parse("192.0.2.1", &a), "'192.0.2.1' is an IPv4 address, not IPv6");
}

/* RFC 5952 section 4 and its examples; every output parses back to the same address. */
static void test_ip6_fmt_canonical(void **state)
{
	static const char *const cases[][2] = {
		{"2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"}, /* 4.1, 4.2.1 */
		{"2001:DB8::ABCD", "2001:db8::abcd"},			    /* 4.3 lower case */
		{"2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"},	    /* 4.2.2 one group */
		{"2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"},		    /* 4.2.3 the first */
		{"2001:0:0:1:0:0:0:1", "2001:0:0:1::1"},		    /* 4.2.3 the longest */
		{"0:0:0:0:0:0:0:0", "::"},
		{"0:0:0:0:0:0:0:1", "::1"},
		{"2001:db8:0:0:0:0:0:0", "2001:db8::"},
		{"fe80:0:0:0:0:0:0:1", "fe80::1"},
		{"ff02:0:0:0:0:1:ff00:1", "ff02::1:ff00:1"},
		{"0:0:0:0:0:ffff:c000:0201", "::ffff:192.0.2.1"}, /* 5: IPv4-mapped, mixed */
		{"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
			"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"},
	};
	char buf[FP_IP6_ADDRSTRLEN];
	struct fp_ip6_addr a;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		a = ip6(cases[i][0]);
		assert_string_equal(fp_ip6_fmt(&a, buf), cases[i][1]);
		assert_memory_equal(ip6(buf).bytes, a.bytes, 16);
	}
	/* the longest text fits */
	a = ip6("::ffff:255.255.255.255");
	assert_string_equal(fp_ip6_fmt(&a, buf), "::ffff:255.255.255.255");
	assert_true(strlen("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255") < FP_IP6_ADDRSTRLEN);
}

static void test_ip6_prefix(void **state)
{
	char buf[FP_IP6_PREFIXSTRLEN];
	struct fp_ip6_prefix p;

	(void)state;
	assert_int_equal(fp_ip6_prefix_parse("2001:db8::/32", &p, false), 0);
	assert_int_equal(p.len, 32);
	assert_string_equal(fp_ip6_prefix_fmt(&p, buf), "2001:db8::/32");
	assert_int_equal(fp_ip6_prefix_parse("2001:db8::1", &p, false), 0);
	assert_int_equal(p.len, 128);
	assert_string_equal(fp_ip6_prefix_fmt(&p, buf), "2001:db8::1/128");
	assert_int_equal(fp_ip6_prefix_parse("::/0", &p, false), 0);
	assert_string_equal(fp_ip6_prefix_fmt(&p, buf), "::/0");
	assert_int_equal(fp_ip6_prefix_parse("2001:db8:8000::/33", &p, false), 0);
	assert_int_equal(
		fp_ip6_prefix_parse("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128", &p, false), 0);
	assert_string_equal(
		fp_ip6_prefix_fmt(&p, buf), "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128");

	/* host bits: refused with the network meant, unless allowed (an interface address) */
	assert_refused(fp_ip6_prefix_parse("2001:db8::1/64", &p, false),
		"'2001:db8::1/64' has host bits set (did you mean 2001:db8::/64?)");
	assert_refused(fp_ip6_prefix_parse("2001:db8:c000::/33", &p, false),
		"'2001:db8:c000::/33' has host bits set (did you mean 2001:db8:8000::/33?)");
	assert_int_equal(fp_ip6_prefix_parse("2001:db8::1/64", &p, true), 0);
	assert_int_equal(p.len, 64);
	assert_ip6(&p.addr, "2001:db8::1");

	assert_refused(fp_ip6_prefix_parse("2001:db8::/129", &p, false),
		"'2001:db8::/129': prefix length must be 0 to 128");
	assert_refused(fp_ip6_prefix_parse("2001:db8::/", &p, false),
		"'2001:db8::/': prefix length must be 0 to 128");
	assert_refused(fp_ip6_prefix_parse("2001:db8::/6x", &p, false),
		"'2001:db8::/6x': prefix length must be 0 to 128");
	assert_refused(fp_ip6_prefix_parse("2001:db8::g/64", &p, false),
		"'2001:db8::g/64' is not an IPv6 prefix");
	assert_refused(fp_ip6_prefix_parse("10.0.0.0/8", &p, false),
		"'10.0.0.0/8' is an IPv4 prefix, not IPv6");
}

static void test_ip6_masked(void **state)
{
	static const struct {
		uint8_t len;
		const char *net;
	} cases[] = {
		{0, "::"},
		{1, "8000::"},
		{7, "fe00::"},
		{8, "ff00::"},
		{9, "ff80::"},
		{64, "ffff:ffff:ffff:ffff::"},
		{127, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe"},
		{128, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"},
	};
	struct fp_ip6_addr ones = ip6("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), m;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		m = fp_ip6_masked(&ones, cases[i].len);
		assert_ip6(&m, cases[i].net);
	}
}

/* IPv4 text: the other family gets its own message; the IPv4 ones stay as they were. */
static void test_ip4_wrong_family(void **state)
{
	struct fp_ip4_prefix p;
	uint32_t a;

	(void)state;
	assert_refused(
		fp_ip4_parse("2001:db8::1", &a), "'2001:db8::1' is an IPv6 address, not IPv4");
	assert_refused(fp_ip4_parse("10.0.0.256", &a), "'10.0.0.256' is not an IPv4 address");
	assert_refused(fp_ip4_prefix_parse("2001:db8::/32", &p, false),
		"'2001:db8::/32' is an IPv6 prefix, not IPv4");
	assert_refused(fp_ip4_prefix_parse("2001:db8:1:2:3:4:5::/112", &p, false),
		"'2001:db8:1:2:3:4:5::/112' is an IPv6 prefix, not IPv4");
	assert_refused(
		fp_ip4_prefix_parse("10.0.0/8", &p, false), "'10.0.0/8' is not an IPv4 prefix");
	assert_refused(fp_ip4_prefix_parse("10.0.0.1/8", &p, false),
		"'10.0.0.1/8' has host bits set (did you mean 10.0.0.0/8?)");
	assert_refused(fp_ip4_prefix_parse("10.0.0.0/33", &p, false),
		"'10.0.0.0/33': prefix length must be 0 to 32");
	assert_int_equal(fp_ip4_prefix_parse("10.0.0.1/8", &p, true), 0);
	assert_int_equal(p.len, 8);
	assert_int_equal(fp_ip4_prefix_parse("10.1.2.3", &p, false), 0);
	assert_int_equal(p.len, 32);
}

/* Predicates and derived addresses --------------------------------------------------------- */

static void test_ip6_predicates(void **state)
{
	enum { UNSPEC = 1, LOOP = 2, MCAST = 4, LL = 8, MAPPED = 16 };
	static const struct {
		const char *addr;
		int is;
	} cases[] = {
		{"::", UNSPEC},
		{"::1", LOOP},
		{"ff02::1", MCAST},
		{"ff05::1:3", MCAST},
		{"fe80::1", LL},
		{"febf:ffff::1", LL}, /* fe80::/10 ends here */
		{"fec0::1", 0},	      /* old site-local */
		{"fe7f::1", 0},
		{"::ffff:192.0.2.1", MAPPED},
		{"::ffff:0.0.0.0", MAPPED},
		{"::192.0.2.1", 0}, /* IPv4-compatible, not mapped */
		{"::fffe:192.0.2.1", 0},
		{"64:ff9b::192.0.2.1", 0}, /* NAT64 */
		{"2001:db8::1", 0},
		{"::2", 0},
		{"1::", 0},
	};
	struct fp_ip6_addr a;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		a = ip6(cases[i].addr);
		assert_int_equal(fp_ip6_is_unspecified(&a), !!(cases[i].is & UNSPEC));
		assert_int_equal(fp_ip6_is_loopback(&a), !!(cases[i].is & LOOP));
		assert_int_equal(fp_ip6_is_multicast(&a), !!(cases[i].is & MCAST));
		assert_int_equal(fp_ip6_is_link_local(&a), !!(cases[i].is & LL));
		assert_int_equal(fp_ip6_is_v4_mapped(&a), !!(cases[i].is & MAPPED));
	}
}

static void test_ip6_derived(void **state)
{
	struct fp_mac mac = mac_of("00:11:22:33:44:55"), m;
	struct fp_ip6_addr a;
	char buf[FP_MAC_STRLEN];

	(void)state;
	/* RFC 4291 appendix A: U/L bit flipped, ff:fe in the middle */
	a = fp_ip6_link_local_eui64(&mac);
	assert_ip6(&a, "fe80::211:22ff:fe33:4455");
	assert_true(fp_ip6_is_link_local(&a));
	mac = mac_of("02:00:00:00:00:01"); /* locally administered: the bit goes to 0 */
	a = fp_ip6_link_local_eui64(&mac);
	assert_ip6(&a, "fe80::ff:fe00:1");

	/* RFC 4291 2.7.1: ff02::1:ff00:0/104 and the low 24 bits */
	a = ip6("2001:db8::1:2345:6789");
	a = fp_ip6_solicited_node(&a);
	assert_ip6(&a, "ff02::1:ff45:6789");
	assert_true(fp_ip6_is_multicast(&a));
	a = ip6("fe80::211:22ff:fe33:4455");
	a = fp_ip6_solicited_node(&a);
	assert_ip6(&a, "ff02::1:ff33:4455");

	/* RFC 2464 7: 33:33 and the low 32 bits */
	m = fp_ip6_mcast_mac(&a);
	assert_string_equal(fp_mac_fmt(&m, buf), "33:33:ff:33:44:55");
	a = ip6("ff02::1");
	m = fp_ip6_mcast_mac(&a);
	assert_string_equal(fp_mac_fmt(&m, buf), "33:33:00:00:00:01");
	a = ip6("ff05::1:3");
	m = fp_ip6_mcast_mac(&a);
	assert_string_equal(fp_mac_fmt(&m, buf), "33:33:00:01:00:03");
}

/* Either family ------------------------------------------------------------------------------ */

static void test_ip_either_family(void **state)
{
	struct fp_ip6_addr v6;
	struct fp_ip_addr a, b;
	char buf[FP_IP_ADDRSTRLEN];

	(void)state;
	assert_int_equal(fp_ip_parse("192.0.2.1", &a), 0);
	assert_int_equal(a.family, AF_INET);
	assert_int_equal(a.v4, htonl(0xc0000201));
	assert_string_equal(fp_ip_fmt(&a, buf), "192.0.2.1");
	/* every byte defined: a parsed address equals a constructed one to the byte */
	b = fp_ip_addr4(htonl(0xc0000201));
	assert_memory_equal(&a, &b, sizeof(a));
	assert_true(fp_ip_addr_equal(&a, &b));

	assert_int_equal(fp_ip_parse("2001:DB8::0:1", &a), 0);
	assert_int_equal(a.family, AF_INET6);
	assert_string_equal(fp_ip_fmt(&a, buf), "2001:db8::1");
	v6 = ip6("2001:db8::1");
	b = fp_ip_addr6(&v6);
	assert_memory_equal(&a, &b, sizeof(a));
	assert_true(fp_ip_addr_equal(&a, &b));
	assert_int_equal(fp_ip_parse("::ffff:192.0.2.1", &a), 0);
	assert_int_equal(a.family, AF_INET6);
	assert_string_equal(fp_ip_fmt(&a, buf), "::ffff:192.0.2.1");

	/* the same 16 bytes in both families are two addresses */
	assert_int_equal(fp_ip_parse("192.0.2.1", &a), 0);
	assert_int_equal(fp_ip_parse("c000:201::", &b), 0);
	assert_memory_equal(&a.v6, &b.v6, sizeof(a.v6));
	assert_false(fp_ip_addr_equal(&a, &b));

	assert_refused(fp_ip_parse("x", &a), "'x' is not an IPv4 or IPv6 address");
	assert_refused(
		fp_ip_parse("192.0.2.1:80", &a), "'192.0.2.1:80' is not an IPv4 or IPv6 address");
	assert_refused(
		fp_ip_parse("192.0.2.256", &a), "'192.0.2.256' is not an IPv4 or IPv6 address");
	assert_refused(
		fp_ip_parse("2001:db8:::1", &a), "'2001:db8:::1' is not an IPv4 or IPv6 address");
	assert_refused(fp_ip_parse("", &a), "'' is not an IPv4 or IPv6 address");
	assert_refused(fp_ip_parse(NULL, &a), "'' is not an IPv4 or IPv6 address");

	a.family = 0;
	assert_string_equal(fp_ip_fmt(&a, buf), "?");
	assert_string_equal(fp_family_name(AF_INET), "IPv4");
	assert_string_equal(fp_family_name(AF_INET6), "IPv6");
	assert_string_equal(fp_family_name(AF_UNSPEC), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ip6_parse),
		cmocka_unit_test(test_ip6_fmt_canonical),
		cmocka_unit_test(test_ip6_prefix),
		cmocka_unit_test(test_ip6_masked),
		cmocka_unit_test(test_ip4_wrong_family),
		cmocka_unit_test(test_ip6_predicates),
		cmocka_unit_test(test_ip6_derived),
		cmocka_unit_test(test_ip_either_family),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
