/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ip6_exthdr_forward() and ip6_exthdr_local() on packets built header by header: each verdict
 * with every field of the info and the exact parameter-problem pointer, then every cut of
 * valid chains, then random and mutated buffers. Each walk reads a heap copy of exactly the
 * packet's length, so that AddressSanitizer sees a read past it.
 */
#include "ip6/ip6_exthdr.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

/* cmocka needs these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#define MAX_PKT 4096

/* option types no implementation knows: the experimental values of RFC 4727, one per action */
#define OPT_SKIP	     0x1e /* 00: skip */
#define OPT_DISCARD	     0x5e /* 01: discard */
#define OPT_PP		     0x9e /* 10: discard, parameter problem */
#define OPT_PP_UNICAST	     0xde /* 11: discard, parameter problem unless multicast */
#define NH_EXPERIMENTAL	     253  /* RFC 3692 next header */
#define RH_TYPE_EXPERIMENTAL 253

struct pkt {
	uint8_t b[MAX_PKT];
	uint32_t len;
	uint32_t nh_field; /* the next-header byte of the last header appended */
};

static void pkt_init(struct pkt *p, bool multicast_dst)
{
	static const uint8_t src[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
	static const uint8_t unicast[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};
	static const uint8_t all_nodes[16] = {0xff, 0x02, [15] = 1};

	memset(p, 0, sizeof(*p));
	p->b[0] = 0x60;
	p->b[7] = 64;
	memcpy(p->b + 8, src, 16);
	memcpy(p->b + 24, multicast_dst ? all_nodes : unicast, 16);
	p->len = 40;
	p->nh_field = 6;
}

/* Appends n bytes naming them type in the previous next-header byte; returns their offset. */
static uint32_t pkt_append(struct pkt *p, uint8_t type, const uint8_t *bytes, uint32_t n)
{
	uint32_t off = p->len;

	assert_true(off + n <= MAX_PKT);
	p->b[p->nh_field] = type;
	if (n > 0)
		memcpy(p->b + off, bytes, n);
	p->len += n;
	p->nh_field = off;
	return off;
}

/* A hop-by-hop or destination options header around n bytes of options. */
static uint32_t add_options_header(struct pkt *p, uint8_t type, const uint8_t *opts, uint32_t n)
{
	uint8_t h[2 + 2048] = {0};

	assert_int_equal((n + 2) % 8, 0);
	h[1] = (uint8_t)((n + 2) / 8 - 1);
	memcpy(h + 2, opts, n);
	return pkt_append(p, type, h, n + 2);
}

#define add_hbh(p, opts) add_options_header(p, IPPROTO_HOPOPTS, opts, sizeof(opts))
#define add_dst(p, opts) add_options_header(p, IPPROTO_DSTOPTS, opts, sizeof(opts))

/* A destination options header of 8 bytes: one PadN. */
static uint32_t add_dst_pad(struct pkt *p)
{
	static const uint8_t padn[] = {0x01, 0x04, 0, 0, 0, 0};

	return add_dst(p, padn);
}

static uint32_t add_routing(
	struct pkt *p, uint8_t type, uint8_t segments_left, unsigned int addresses)
{
	uint8_t h[8 + 16 * 8] = {0};

	assert_true(addresses <= 8);
	h[1] = (uint8_t)(2 * addresses);
	h[2] = type;
	h[3] = segments_left;
	for (unsigned int i = 0; i < addresses; i++)
		h[8 + 16 * i] = 0x20;
	return pkt_append(p, IPPROTO_ROUTING, h, 8 + 16 * addresses);
}

static uint32_t add_fragment(struct pkt *p, uint16_t offset, bool more, uint32_t id)
{
	uint16_t field = (uint16_t)(offset | more);
	uint8_t h[8] = {0, 0, field >> 8, field & 0xff, id >> 24, id >> 16, id >> 8, id};

	assert_int_equal(offset % 8, 0);
	return pkt_append(p, IPPROTO_FRAGMENT, h, sizeof(h));
}

/* An upper-layer header (or No Next Header's trailing bytes) of n bytes. */
static uint32_t add_upper(struct pkt *p, uint8_t proto, uint32_t n)
{
	uint8_t bytes[MAX_PKT];

	memset(bytes, 0xab, n);
	return pkt_append(p, proto, bytes, n);
}

static void set_payload_len(uint8_t *b, uint32_t payload)
{
	b[4] = payload >> 8;
	b[5] = payload & 0xff;
}

/* The payload length says the whole packet. */
static void pkt_finish(struct pkt *p)
{
	set_payload_len(p->b, p->len - 40);
}

static struct ip6_proto_set tcp_udp_icmp;

static int setup(void **state)
{
	(void)state;
	memset(&tcp_udp_icmp, 0, sizeof(tcp_udp_icmp));
	ip6_proto_set_add(&tcp_udp_icmp, IPPROTO_TCP);
	ip6_proto_set_add(&tcp_udp_icmp, IPPROTO_UDP);
	ip6_proto_set_add(&tcp_udp_icmp, IPPROTO_ICMPV6);
	return 0;
}

enum mode { FORWARD, LOCAL };

/* The walk on a heap copy of exactly len bytes. */
static enum ip6_exthdr_verdict walk_copy(enum mode mode, const uint8_t *bytes, uint32_t len,
	const struct ip6_proto_set *upper, unsigned int flags, struct ip6_exthdr_info *info)
{
	uint8_t *copy = malloc(len);
	enum ip6_exthdr_verdict v;

	assert_non_null(copy);
	memcpy(copy, bytes, len);
	memset(info, 0x5a, sizeof(*info)); /* no field may be left as it was */
	if (mode == FORWARD)
		v = ip6_exthdr_forward(copy, len, info);
	else
		v = ip6_exthdr_local(copy, len, upper, flags, info);
	free(copy);
	return v;
}

static enum ip6_exthdr_verdict walk(
	enum mode mode, const struct pkt *p, struct ip6_exthdr_info *info)
{
	return walk_copy(mode, p->b, p->len, &tcp_udp_icmp, 0, info);
}

static void expect_info(enum ip6_exthdr_verdict got, const struct ip6_exthdr_info *info,
	enum ip6_exthdr_verdict want, const struct ip6_exthdr_info *w)
{
	assert_int_equal(got, want);
	assert_int_equal(info->proto, w->proto);
	assert_int_equal(info->l4_offset, w->l4_offset);
	assert_int_equal(info->nexthdr_field_offset, w->nexthdr_field_offset);
	assert_int_equal(info->ext_count, w->ext_count);
	assert_int_equal(info->payload_end, w->payload_end);
	assert_int_equal(info->router_alert, w->router_alert);
	assert_int_equal(info->router_alert_value, w->router_alert_value);
	assert_int_equal(info->jumbo, w->jumbo);
	assert_int_equal(info->jumbo_payload_len, w->jumbo_payload_len);
	assert_int_equal(info->has_fragment, w->has_fragment);
	assert_int_equal(info->more_fragments, w->more_fragments);
	assert_int_equal(info->frag_offset_bytes, w->frag_offset_bytes);
	assert_int_equal(info->frag_id, w->frag_id);
	assert_int_equal(info->frag_hdr_offset, w->frag_hdr_offset);
	assert_int_equal(info->frag_prev_nexthdr_offset, w->frag_prev_nexthdr_offset);
	assert_int_equal(info->icmp_code, w->icmp_code);
	assert_int_equal(info->icmp_pointer, w->icmp_pointer);
}

/* The verdict and every field of the info; the fields not named are zero. */
#define EXPECT(got, info, want, ...)                                                               \
	do {                                                                                       \
		const struct ip6_exthdr_info want_info_ = {__VA_ARGS__};                           \
		expect_info(got, &(info), want, &want_info_);                                      \
	} while (0)

static void test_no_extension_header(void **state)
{
	static const uint8_t protos[] = {IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMPV6};
	struct ip6_exthdr_info info;
	struct pkt p;

	(void)state;
	for (unsigned int i = 0; i < sizeof(protos); i++) {
		pkt_init(&p, false);
		add_upper(&p, protos[i], 20);
		pkt_finish(&p);
		EXPECT(walk(LOCAL, &p, &info), info, IP6_EXT_OK, .proto = protos[i],
			.l4_offset = 40, .nexthdr_field_offset = 6, .payload_end = 60);
		EXPECT(walk(FORWARD, &p, &info), info, IP6_EXT_OK, .proto = protos[i],
			.l4_offset = 40, .nexthdr_field_offset = 6, .payload_end = 60);
	}

	/* shorter than a fixed header: the caller's check, kept by the walk as well */
	for (enum mode m = FORWARD; m <= LOCAL; m++)
		EXPECT(walk_copy(m, p.b, 39, &tcp_udp_icmp, 0, &info), info, IP6_EXT_TRUNCATED, 0);

	/* an empty payload: nothing but the fixed header */
	pkt_init(&p, false);
	add_upper(&p, IPPROTO_UDP, 0);
	pkt_finish(&p);
	EXPECT(walk(LOCAL, &p, &info), info, IP6_EXT_OK, .proto = IPPROTO_UDP, .l4_offset = 40,
		.nexthdr_field_offset = 6, .payload_end = 40);
}

/* Bytes past 40 + payload length are link-layer padding, never headers (ip6_rcv_core()). */
static void test_payload_length_ends_the_headers(void **state)
{
	struct ip6_exthdr_info info;
	struct pkt p;

	(void)state;
	pkt_init(&p, false);
	add_dst_pad(&p);
	add_upper(&p, IPPROTO_UDP, 8);
	set_payload_len(p.b, 4); /* ends inside the destination options */
	EXPECT(walk(LOCAL, &p, &info), info, IP6_EXT_TRUNCATED, .payload_end = 44);
	EXPECT(walk(FORWARD, &p, &info), info, IP6_EXT_OK, .proto = IPPROTO_DSTOPTS,
		.l4_offset = 40, .nexthdr_field_offset = 6, .payload_end = 44);

	set_payload_len(p.b, 8); /* ends after them: the UDP header is padding */
	EXPECT(walk(LOCAL, &p, &info), info, IP6_EXT_OK, .proto = IPPROTO_UDP, .l4_offset = 48,
		.nexthdr_field_offset = 40, .ext_count = 1, .payload_end = 48);

	/* payload length 0 without hop-by-hop: Linux trims to the fixed header */
	set_payload_len(p.b, 0);
	EXPECT(walk(LOCAL, &p, &info), info, IP6_EXT_TRUNCATED, .payload_end = 40);
}

static void test_hop_by_hop_padding_and_router_alert(void **state)
{
	static const uint8_t ra_mld[] = {0x05, 0x02, 0x00, 0x00, 0x01, 0x00};
	static const uint8_t pad1_ra[] = {0x00, 0x00, 0x05, 0x02, 0x00, 0x02};
	static const uint8_t padn_only[] = {0x01, 0x04, 0, 0, 0, 0};
	static const uint8_t two_ra[] = {
		0x05, 0x02, 0x00, 0x00, 0x01, 0x04, 0, 0, 0, 0, 0x05, 0x02, 0x12, 0x34};
	struct ip6_exthdr_info info;
	struct pkt p;

	(void)state;
	/* an MLD report: router alert 0, PadN of no data */
	pkt_init(&p, true);
	add_hbh(&p, ra_mld);
	add_upper(&p, IPPROTO_ICMPV6, 8);
	pkt_finish(&p);
	for (enum mode m = FORWARD; m <= LOCAL; m++)
		EXPECT(walk(m, &p, &info), info, IP6_EXT_OK, .proto = IPPROTO_ICMPV6,
			.l4_offset = 48, .nexthdr_field_offset = 40, .ext_count = 1,
			.payload_end = 56, .router_alert = true, .router_alert_value = 0);

	pkt_init(&p, false);
	add_hbh(&p, pad1_ra);
	add_upper(&p, IPPROTO_UDP, 8);
	pkt_finish(&p);
	for (enum mode m = FORWARD; m <= LOCAL; m++)
		EXPECT(walk(m, &p, &info), info, IP6_EXT_OK, .proto = IPPROTO_UDP, .l4_offset = 48,
			.nexthdr_field_offset = 40, .ext_count = 1, .payload_end = 56,
			.router_alert = true, .router_alert_value = 2);

	pkt_init(&p, false);
	add_hbh(&p, padn_only);
	add_upper(&p, IPPROTO_TCP, 20);
	pkt_finish(&p);
	for (enum mode m = FORWARD; m <= LOCAL; m++)
		EXPECT(walk(m, &p, &info), info, IP6_EXT_OK, .proto = IPPROTO_TCP, .l4_offset = 48,
			.nexthdr_field_offset = 40, .ext_count = 1, .payload_end = 68);

	/* 16 bytes; the last router alert is the one kept, as in Linux */
	pkt_init(&p, false);
	add_hbh(&p, two_ra);
	add_upper(&p, IPPROTO_UDP, 8);
	pkt_finish(&p);
	for (enum mode m = FORWARD; m <= LOCAL; m++)
		EXPECT(walk(m, &p, &info), info, IP6_EXT_OK, .proto = IPPROTO_UDP, .l4_offset = 56,
			.nexthdr_field_offset = 40, .ext_count = 1, .payload_end = 64,
			.router_alert = true, .router_alert_value = 0x1234);
}

static void test_hop_by_hop_malformed_options(void **state)
{
	static const uint8_t seven_pad1[] = {0, 0, 0, 0, 0, 0, 0, OPT_SKIP, 5, 0, 0, 0, 0, 0};
	static const struct {
		const char *what;
		uint8_t opts[14];
		uint32_t n;
	} bad[] = {
		{"8 Pad1", {0, 0, 0, 0, 0, 0, 0, 0, OPT_SKIP, 4, 0, 0, 0, 0}, 14},
		{"PadN with data", {0x01, 0x04, 0, 0, 1, 0}, 6},
		{"PadN of 14", {0x01, 0x0c}, 14},
		{"Pad1 then PadN over 7", {0, 0x01, 0x06, 0, 0, 0, 0, 0, 0, OPT_SKIP, 2, 0, 0, 0},
			14},
		{"PadN of 8", {0x01, 0x06, 0, 0, 0, 0, 0, 0, OPT_SKIP, 4, 0, 0, 0, 0}, 14},
		{"router alert of 3", {0x05, 0x03, 0, 0, 0, 0}, 6},
		{"option past the header", {OPT_SKIP, 0x05, 0, 0, 0, 0}, 6},
		{"one byte left", {0x01, 0x03, 0, 0, 0, OPT_SKIP}, 6},
		{"IOAM misaligned", {0x31, 0x04, 0, 0, 0, 0}, 6},
		{"jumbo of 3", {0xc2, 0x03, 0, 0, 0, 0}, 6},
	};
	struct ip6_exthdr_info info;
	struct pkt p;

	(void)state;
	pkt_init(&p, false);
	add_hbh(&p, seven_pad1);
	add_upper(&p, IPPROTO_UDP, 8);
	pkt_finish(&p);
	EXPECT(walk(LOCAL, &p, &info), info, IP6_EXT_OK, .proto = IPPROTO_UDP, .l4_offset = 56,
		.nexthdr_field_offset = 40, .ext_count = 1, .payload_end = 64);

	/* PadN of 7, the most padding in a row */
	pkt_init(&p, false);
	add_options_header(&p, IPPROTO_HOPOPTS,
		(const uint8_t[]){0x01, 0x05, 0, 0, 0, 0, 0, OPT_SKIP, 5, 0, 0, 0, 0, 0}, 14);
	add_upper(&p, IPPROTO_UDP, 8);
	pkt_finish(&p);
	EXPECT(walk(LOCAL, &p, &info), info, IP6_EXT_OK, .proto = IPPROTO_UDP, .l4_offset = 56,
		.nexthdr_field_offset = 40, .ext_count = 1, .payload_end = 64);

	/* each followed by UDP, then last in the buffer, where a byte too far is out of it */
	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		for (uint32_t after = 0; after <= 8; after += 8) {
			pkt_init(&p, false);
			add_options_header(&p, IPPROTO_HOPOPTS, bad[i].opts, bad[i].n);
			add_upper(&p, after ? IPPROTO_UDP : IPPROTO_NONE, after);
			pkt_finish(&p);
			print_message("%s\n", bad[i].what);
			for (enum mode m = FORWARD; m <= LOCAL; m++)
				EXPECT(walk(m, &p, &info), info, IP6_EXT_BAD_HEADER,
					.payload_end = p.len);
		}
	}
}

/* ip6_tlvopt_unknown(): the action of an unknown option, in either options header. */
static void test_unknown_options(void **state)
{
	static const struct {
		uint8_t type;
		bool multicast;
		enum ip6_exthdr_verdict verdict;
	} cases[] = {
		{OPT_SKIP, false, IP6_EXT_OK},
		{OPT_SKIP, true, IP6_EXT_OK},
		{OPT_DISCARD, false, IP6_EXT_DISCARD},
		{OPT_DISCARD, true, IP6_EXT_DISCARD},
		{OPT_PP, false, IP6_EXT_PARAM_PROBLEM},
		{OPT_PP, true, IP6_EXT_PARAM_PROBLEM},
		{OPT_PP_UNICAST, false, IP6_EXT_PARAM_PROBLEM},
		{OPT_PP_UNICAST, true, IP6_EXT_DISCARD},
	};
	struct ip6_exthdr_info info;
	struct pkt p;

	(void)state;
	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		/* Pad1 first so that the pointer is not the header's first option byte */
		const uint8_t opts[] = {0x00, cases[i].type, 0x03, 1, 2, 3};
		enum ip6_exthdr_verdict v = cases[i].verdict;
		bool ok = v == IP6_EXT_OK, pp = v == IP6_EXT_PARAM_PROBLEM;

		print_message("option 0x%02x to %s\n", cases[i].type,
			cases[i].multicast ? "ff02::1" : "2001:db8::2");

		pkt_init(&p, cases[i].multicast);
		add_hbh(&p, opts);
		add_upper(&p, IPPROTO_ICMPV6, 8);
		pkt_finish(&p);
		for (enum mode m = FORWARD; m <= LOCAL; m++)
			EXPECT(walk(m, &p, &info), info, v, .proto = ok ? IPPROTO_ICMPV6 : 0,
				.l4_offset = ok ? 48 : 0, .nexthdr_field_offset = ok ? 40 : 0,
				.ext_count = ok, .payload_end = 56,
				.icmp_code = pp ? IP6_EXT_PP_UNKNOWN_OPTION : 0,
				.icmp_pointer = pp ? 43 : 0);

		/* the same in destination options after a routing header */
		pkt_init(&p, cases[i].multicast);
		add_routing(&p, 0, 0, 0);
		add_dst(&p, opts);
		add_upper(&p, IPPROTO_ICMPV6, 8);
		pkt_finish(&p);
		if (cases[i].multicast) { /* ipv6_rthdr_rcv() drops first */
			EXPECT(walk(LOCAL, &p, &info), info, IP6_EXT_DISCARD, .payload_end = 64);
		} else {
			EXPECT(walk(LOCAL, &p, &info), info, v, .proto = ok ? IPPROTO_ICMPV6 : 0,
				.l4_offset = ok ? 56 : 0, .nexthdr_field_offset = ok ? 48 : 0,
				.ext_count = ok ? 2 : 0, .payload_end = 64,
				.icmp_code = pp ? IP6_EXT_PP_UNKNOWN_OPTION : 0,
				.icmp_pointer = pp ? 51 : 0);
		}
		EXPECT(walk(FORWARD, &p, &info), info, IP6_EXT_OK, .proto = IPPROTO_ROUTING,
			.l4_offset = 40, .nexthdr_field_offset = 6, .payload_end = 64);

		/* and in destination options right after the fixed header */
		pkt_init(&p, cases[i].multicast);
		add_dst(&p, opts);
		add_upper(&p, IPPROTO_ICMPV6, 8);
		pkt_finish(&p);
		EXPECT(walk(LOCAL, &p, &info), info, v, .proto = ok ? IPPROTO_ICMPV6 : 0,
			.l4_offset = ok ? 48 : 0, .nexthdr_field_offset = ok ? 40 : 0,
			.ext_count = ok, .payload_end = 56,
			.icmp_code = pp ? IP6_EXT_PP_UNKNOWN_OPTION : 0,
			.icmp_pointer = pp ? 43 : 0);
	}
}

/* Options Linux processes in a way this router always ends in a silent drop. */
static void test_options_dropped_by_default(void **state)
{
	static const uint8_t calipso[] = {0x07, 0x0c, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0};
	static const uint8_t home_address[] = {0x01, 0x02, 0, 0, 0xc9, 0x10, 0x20, 0x01, 0x0d, 0xb8,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3};
	static const uint8_t ioam_aligned[] = {0x00, 0x00, 0x31, 0x02, 0, 0};
	struct ip6_exthdr_info info;
	struct pkt p;

	(void)state;
	pkt_init(&p, false);
	add_hbh(&p, calipso);
	add_upper(&p, IPPROTO_TCP, 20);
	pkt_finish(&p);
	for (enum mode m = FORWARD; m <= LOCAL; m++)
		EXPECT(walk(m, &p, &info), info, IP6_EXT_DISCARD, .payload_end = 76);

	/* a Home Address in destination options; in hop-by-hop it is an unknown 11 option */
	pkt_init(&p, false);
	add_dst(&p, home_address);
	add_upper(&p, IPPROTO_TCP, 20);
	pkt_finish(&p);
	EXPECT(walk(LOCAL, &p, &info), info, IP6_EXT_DISCARD, .payload_end = 84);
	p.b[6] = IPPROTO_HOPOPTS;
	EXPECT(walk(LOCAL, &p, &info), info, IP6_EXT_PARAM_PROBLEM, .payload_end = 84,
		.icmp_code = IP6_EXT_PP_UNKNOWN_OPTION, .icmp_pointer = 46);

	/* IOAM on a 4n boundary is ignored (ioam6_enabled = 0) */
	pkt_init(&p, false);
	add_hbh(&p, ioam_aligned);
	add_upper(&p, IPPROTO_TCP, 20);
	pkt_finish(&p);
	EXPECT(walk(LOCAL, &p, &info), info, IP6_EXT_OK, .proto = IPPROTO_TCP, .l4_offset = 48,
		.nexthdr_field_offset = 40, .ext_count = 1, .payload_end = 68);
}

static void test_too_many_options(void **state)
{
	/* 8 options that are not padding, then PadN to 22 bytes */
	static const uint8_t eight[] = {OPT_SKIP, 0, OPT_SKIP, 0, OPT_SKIP, 0, OPT_SKIP, 0,
		OPT_SKIP, 0, OPT_SKIP, 0, OPT_SKIP, 0, OPT_SKIP, 0, 0x01, 0x04, 0, 0, 0, 0};
	static const uint8_t nine[] = {OPT_SKIP, 0, OPT_SKIP, 0, OPT_SKIP, 0, OPT_SKIP, 0, OPT_SKIP,
		0, OPT_SKIP, 0, OPT_SKIP, 0, OPT_SKIP, 0, OPT_SKIP, 0, 0x01, 0x02, 0, 0};
	struct ip6_exthdr_info info;
	struct pkt p;

	(void)state;
	for (uint8_t type = IPPROTO_HOPOPTS;; type = IPPROTO_DSTOPTS) {
		pkt_init(&p, false);
		add_options_header(&p, type, eight, sizeof(eight));
		add_upper(&p, IPPROTO_UDP, 8);
		pkt_finish(&p);
		EXPECT(walk(LOCAL, &p, &info), info, IP6_EXT_OK, .proto = IPPROTO_UDP,
			.l4_offset = 64, .nexthdr_field_offset = 40, .ext_count = 1,
			.payload_end = 72);

		pkt_init(&p, false);
		add_options_header(&p, type, nine, sizeof(nine));
		add_upper(&p, IPPROTO_UDP, 8);
		pkt_finish(&p);
		EXPECT(walk(LOCAL, &p, &info), info, IP6_EXT_TOO_MANY, .payload_end = 72);
		if (type == IPPROTO_DSTOPTS)
			break;
	}
}

static void test_hop_by_hop_not_first(void **state)
{
	struct ip6_proto_set all;
	struct ip6_exthdr_info info;
	struct pkt p;

	(void)state;
	pkt_init(&p, false);
	add_dst_pad(&p);
	add_options_header(&p, IPPROTO_HOPOPTS, (const uint8_t[]){0x01, 0x04, 0, 0, 0, 0}, 6);
	add_upper(&p, IPPROTO_UDP, 8);
	pkt_finish(&p);
	EXPECT(walk(LOCAL, &p, &info), info, IP6_EXT_PARAM_PROBLEM, .payload_end = 64,
		.icmp_code = IP6_EXT_PP_UNKNOWN_NEXT_HEADER, .icmp_pointer = 40);
	EXPECT(walk(FORWARD, &p, &info), info, IP6_EXT_OK, .proto = IPPROTO_DSTOPTS,
		.l4_offset = 40, .nexthdr_field_offset = 6, .payload_end = 64);

	/* even if the caller's set names every protocol */
	memset(&all, 0xff, sizeof(all));
	EXPECT(walk_copy(LOCAL, p.b, p.len, &all, 0, &info), info, IP6_EXT_PARAM_PROBLEM,
		.payload_end = 64, .icmp_code = IP6_EXT_PP_UNKNOWN_NEXT_HEADER, .icmp_pointer = 40);

	/* hop-by-hop twice */
	pkt_init(&p, false);
	add_options_header(&p, IPPROTO_HOPOPTS, (const uint8_t[]){0x01, 0x04, 0, 0, 0, 0}, 6);
	add_options_header(&p, IPPROTO_HOPOPTS, (const uint8_t[]){0x01, 0x04, 0, 0, 0, 0}, 6);
	add_upper(&p, IPPROTO_UDP, 8);
	pkt_finish(&p);
	EXPECT(walk(LOCAL, &p, &info), info, IP6_EXT_PARAM_PROBLEM, .payload_end = 64,
		.icmp_code = IP6_EXT_PP_UNKNOWN_NEXT_HEADER, .icmp_pointer = 40);
	EXPECT(walk(FORWARD, &p, &info), info, IP6_EXT_OK, .proto = IPPROTO_HOPOPTS,
		.l4_offset = 48, .nexthdr_field_offset = 40, .ext_count = 1, .payload_end = 64);
}

static void test_destination_options(void **state)
{
	struct ip6_exthdr_info info;
	struct pkt p;

	(void)state;
	pkt_init(&p, false);
	add_dst_pad(&p);
	add_upper(&p, IPPROTO_TCP, 20);
	pkt_finish(&p);
	EXPECT(walk(LOCAL, &p, &info), info, IP6_EXT_OK, .proto = IPPROTO_TCP, .l4_offset = 48,
		.nexthdr_field_offset = 40, .ext_count = 1, .payload_end = 68);

	/* RFC 8200's order: hop-by-hop, destination, routing, destination */
	pkt_init(&p, false);
	add_options_header(&p, IPPROTO_HOPOPTS, (const uint8_t[]){0x01, 0x04, 0, 0, 0, 0}, 6);
	add_dst_pad(&p);
	add_routing(&p, 0, 0, 2);
	add_dst_pad(&p);
	add_upper(&p, IPPROTO_UDP, 8);
	pkt_finish(&p);
	EXPECT(walk(LOCAL, &p, &info), info, IP6_EXT_OK, .proto = IPPROTO_UDP,
		.l4_offset = 40 + 8 + 8 + 40 + 8, .nexthdr_field_offset = 96, .ext_count = 4,
		.payload_end = 112);
}

static void test_routing_header(void **state)
{
	struct ip6_exthdr_info info;
	struct pkt p;

	(void)state;
	/* no segments left: done with, whatever the type (type 0 and an unknown one) */
	for (uint8_t type = 0;; type = RH_TYPE_EXPERIMENTAL) {
		pkt_init(&p, false);
		add_routing(&p, type, 0, 1);
		add_upper(&p, IPPROTO_UDP, 8);
		pkt_finish(&p);
		EXPECT(walk(LOCAL, &p, &info), info, IP6_EXT_OK, .proto = IPPROTO_UDP,
			.l4_offset = 64, .nexthdr_field_offset = 40, .ext_count = 1,
			.payload_end = 72);

		/* segments left: unknown_rh, the pointer at the type */
		p.b[43] = 1;
		EXPECT(walk(LOCAL, &p, &info), info, IP6_EXT_PARAM_PROBLEM, .payload_end = 72,
			.icmp_code = IP6_EXT_PP_HEADER_FIELD, .icmp_pointer = 42);
		EXPECT(walk(FORWARD, &p, &info), info, IP6_EXT_OK, .proto = IPPROTO_ROUTING,
			.l4_offset = 40, .nexthdr_field_offset = 6, .payload_end = 72);
		if (type == RH_TYPE_EXPERIMENTAL)
			break;
	}

	/* after a destination options header */
	pkt_init(&p, false);
	add_dst_pad(&p);
	add_routing(&p, 0, 2, 2);
	add_upper(&p, IPPROTO_UDP, 8);
	pkt_finish(&p);
	EXPECT(walk(LOCAL, &p, &info), info, IP6_EXT_PARAM_PROBLEM, .payload_end = 96,
		.icmp_code = IP6_EXT_PP_HEADER_FIELD, .icmp_pointer = 50);

	/* mobile IPv6, RPL, segment routing: dropped with or without segments left */
	for (uint8_t type = 2; type <= 4; type++) {
		for (uint8_t left = 0; left <= 1; left++) {
			pkt_init(&p, false);
			add_routing(&p, type, left, 1);
			add_upper(&p, IPPROTO_UDP, 8);
			pkt_finish(&p);
			EXPECT(walk(LOCAL, &p, &info), info, IP6_EXT_DISCARD, .payload_end = 72);
		}
	}

	/* to a multicast group, even with no segments left */
	pkt_init(&p, true);
	add_routing(&p, 0, 0, 1);
	add_upper(&p, IPPROTO_UDP, 8);
	pkt_finish(&p);
	EXPECT(walk(LOCAL, &p, &info), info, IP6_EXT_DISCARD, .payload_end = 72);
}

static void test_fragment_header(void **state)
{
	struct ip6_proto_set none = {{0}};
	struct ip6_exthdr_info info;
	struct pkt p;

	(void)state;
	/* first fragment: UDP header and 16 bytes, 24 in all */
	pkt_init(&p, false);
	add_fragment(&p, 0, true, 0x12345678);
	add_upper(&p, IPPROTO_UDP, 24);
	pkt_finish(&p);
	EXPECT(walk(LOCAL, &p, &info), info, IP6_EXT_FRAGMENT, .proto = IPPROTO_UDP,
		.l4_offset = 48, .nexthdr_field_offset = 40, .ext_count = 1, .payload_end = 72,
		.has_fragment = true, .more_fragments = true, .frag_offset_bytes = 0,
		.frag_id = 0x12345678, .frag_hdr_offset = 40, .frag_prev_nexthdr_offset = 6);
	EXPECT(walk(FORWARD, &p, &info), info, IP6_EXT_OK, .proto = IPPROTO_FRAGMENT,
		.l4_offset = 40, .nexthdr_field_offset = 6, .payload_end = 72);
	/* a fragment is no upper-layer protocol: the set does not matter */
	EXPECT(walk_copy(LOCAL, p.b, p.len, &none, 0, &info), info, IP6_EXT_FRAGMENT,
		.proto = IPPROTO_UDP, .l4_offset = 48, .nexthdr_field_offset = 40, .ext_count = 1,
		.payload_end = 72, .has_fragment = true, .more_fragments = true,
		.frag_id = 0x12345678, .frag_hdr_offset = 40, .frag_prev_nexthdr_offset = 6);

	/* a middle one after destination options */
	pkt_init(&p, false);
	add_dst_pad(&p);
	add_fragment(&p, 1448, true, 0xfedcba98);
	add_upper(&p, IPPROTO_TCP, 16);
	pkt_finish(&p);
	EXPECT(walk(LOCAL, &p, &info), info, IP6_EXT_FRAGMENT, .proto = IPPROTO_TCP,
		.l4_offset = 56, .nexthdr_field_offset = 48, .ext_count = 2, .payload_end = 72,
		.has_fragment = true, .more_fragments = true, .frag_offset_bytes = 1448,
		.frag_id = 0xfedcba98, .frag_hdr_offset = 48, .frag_prev_nexthdr_offset = 40);

	/* the last one, of any length */
	pkt_init(&p, false);
	add_fragment(&p, 1456, false, 7);
	add_upper(&p, IPPROTO_TCP, 5);
	pkt_finish(&p);
	EXPECT(walk(LOCAL, &p, &info), info, IP6_EXT_FRAGMENT, .proto = IPPROTO_TCP,
		.l4_offset = 48, .nexthdr_field_offset = 40, .ext_count = 1, .payload_end = 53,
		.has_fragment = true, .frag_offset_bytes = 1456, .frag_id = 7,
		.frag_hdr_offset = 40, .frag_prev_nexthdr_offset = 6);

	/* atomic: offset 0, no more fragments, reserved bits ignored; the walk goes on */
	pkt_init(&p, false);
	add_fragment(&p, 0, false, 9);
	p.b[43] |= 0x06;
	add_upper(&p, IPPROTO_UDP, 8);
	pkt_finish(&p);
	EXPECT(walk(LOCAL, &p, &info), info, IP6_EXT_OK, .proto = IPPROTO_UDP, .l4_offset = 48,
		.nexthdr_field_offset = 40, .ext_count = 1, .payload_end = 56, .has_fragment = true,
		.frag_id = 9, .frag_hdr_offset = 40, .frag_prev_nexthdr_offset = 6);

	/* not a multiple of 8 with more to come: the pointer at the payload length */
	pkt_init(&p, false);
	add_fragment(&p, 8, true, 1);
	add_upper(&p, IPPROTO_UDP, 13);
	pkt_finish(&p);
	EXPECT(walk(LOCAL, &p, &info), info, IP6_EXT_PARAM_PROBLEM, .payload_end = 61,
		.has_fragment = true, .more_fragments = true, .frag_offset_bytes = 8, .frag_id = 1,
		.frag_hdr_offset = 40, .frag_prev_nexthdr_offset = 6,
		.icmp_code = IP6_EXT_PP_HEADER_FIELD, .icmp_pointer = 4);

	/* past 65535 in the reassembled payload: the pointer at the fragment offset */
	pkt_init(&p, false);
	add_fragment(&p, 65528, false, 1);
	add_upper(&p, IPPROTO_UDP, 16);
	pkt_finish(&p);
	EXPECT(walk(LOCAL, &p, &info), info, IP6_EXT_PARAM_PROBLEM, .payload_end = 64,
		.has_fragment = true, .frag_offset_bytes = 65528, .frag_id = 1,
		.frag_hdr_offset = 40, .frag_prev_nexthdr_offset = 6,
		.icmp_code = IP6_EXT_PP_HEADER_FIELD, .icmp_pointer = 42);

	/* empty */
	pkt_init(&p, false);
	add_fragment(&p, 8, true, 1);
	add_upper(&p, IPPROTO_UDP, 0);
	pkt_finish(&p);
	EXPECT(walk(LOCAL, &p, &info), info, IP6_EXT_DISCARD, .payload_end = 48,
		.has_fragment = true, .more_fragments = true, .frag_offset_bytes = 8, .frag_id = 1,
		.frag_hdr_offset = 40, .frag_prev_nexthdr_offset = 6);

	/* a second fragment header after an atomic one: the pointer at the second */
	pkt_init(&p, false);
	add_fragment(&p, 0, false, 1);
	add_fragment(&p, 0, true, 2);
	add_upper(&p, IPPROTO_UDP, 16);
	pkt_finish(&p);
	EXPECT(walk(LOCAL, &p, &info), info, IP6_EXT_PARAM_PROBLEM, .payload_end = 72,
		.has_fragment = true, .frag_id = 1, .frag_hdr_offset = 40,
		.frag_prev_nexthdr_offset = 6, .icmp_code = IP6_EXT_PP_HEADER_FIELD,
		.icmp_pointer = 48);

	/* one in a reassembled packet */
	pkt_init(&p, false);
	add_dst_pad(&p);
	add_fragment(&p, 0, false, 1);
	add_upper(&p, IPPROTO_UDP, 8);
	pkt_finish(&p);
	EXPECT(walk_copy(LOCAL, p.b, p.len, &tcp_udp_icmp, IP6_EXTHDR_REASSEMBLED, &info), info,
		IP6_EXT_PARAM_PROBLEM, .payload_end = 64, .icmp_code = IP6_EXT_PP_HEADER_FIELD,
		.icmp_pointer = 48);
}

/* RFC 8200 4.5: the first fragment holds every header through the upper-layer one. */
static void test_first_fragment_header_chain(void **state)
{
	struct ip6_exthdr_info info;
	struct pkt p;

	(void)state;
	/* 16 bytes of TCP's 20 */
	pkt_init(&p, false);
	add_fragment(&p, 0, true, 1);
	add_upper(&p, IPPROTO_TCP, 16);
	pkt_finish(&p);
	EXPECT(walk(LOCAL, &p, &info), info, IP6_EXT_PARAM_PROBLEM, .payload_end = 64,
		.has_fragment = true, .more_fragments = true, .frag_id = 1, .frag_hdr_offset = 40,
		.frag_prev_nexthdr_offset = 6, .icmp_code = IP6_EXT_PP_INCOMPLETE_CHAIN,
		.icmp_pointer = 0);

	/* the same bytes in a later fragment are data */
	p.b[42] = 0;
	p.b[43] = 8 | 1;
	EXPECT(walk(LOCAL, &p, &info), info, IP6_EXT_FRAGMENT, .proto = IPPROTO_TCP,
		.l4_offset = 48, .nexthdr_field_offset = 40, .ext_count = 1, .payload_end = 64,
		.has_fragment = true, .more_fragments = true, .frag_offset_bytes = 8, .frag_id = 1,
		.frag_hdr_offset = 40, .frag_prev_nexthdr_offset = 6);

	/* destination options after the fragment header, cut */
	pkt_init(&p, false);
	add_fragment(&p, 0, true, 1);
	add_dst_pad(&p);
	p.b[49] = 1; /* 16 bytes long, 8 present */
	pkt_finish(&p);
	EXPECT(walk(LOCAL, &p, &info), info, IP6_EXT_PARAM_PROBLEM, .payload_end = 56,
		.has_fragment = true, .more_fragments = true, .frag_id = 1, .frag_hdr_offset = 40,
		.frag_prev_nexthdr_offset = 6, .icmp_code = IP6_EXT_PP_INCOMPLETE_CHAIN,
		.icmp_pointer = 0);

	/* whole: destination options, AH (RFC 4302 length: 4-byte units - 2), then UDP */
	pkt_init(&p, false);
	add_fragment(&p, 0, true, 1);
	add_dst_pad(&p);
	pkt_append(&p, IPPROTO_AH, (const uint8_t[]){0, 4, [23] = 0}, 24);
	add_upper(&p, IPPROTO_UDP, 8);
	pkt_finish(&p);
	EXPECT(walk(LOCAL, &p, &info), info, IP6_EXT_FRAGMENT, .proto = IPPROTO_DSTOPTS,
		.l4_offset = 48, .nexthdr_field_offset = 40, .ext_count = 1, .payload_end = 88,
		.has_fragment = true, .more_fragments = true, .frag_id = 1, .frag_hdr_offset = 40,
		.frag_prev_nexthdr_offset = 6);
	/* one byte less of UDP */
	p.len--;
	pkt_finish(&p);
	EXPECT(walk(LOCAL, &p, &info), info, IP6_EXT_PARAM_PROBLEM, .payload_end = 87,
		.has_fragment = true, .more_fragments = true, .frag_id = 1, .frag_hdr_offset = 40,
		.frag_prev_nexthdr_offset = 6, .icmp_code = IP6_EXT_PP_INCOMPLETE_CHAIN,
		.icmp_pointer = 0);

	/* no next header: nothing to hold */
	pkt_init(&p, false);
	add_fragment(&p, 0, true, 1);
	add_upper(&p, IPPROTO_NONE, 8);
	pkt_finish(&p);
	EXPECT(walk(LOCAL, &p, &info), info, IP6_EXT_FRAGMENT, .proto = IPPROTO_NONE,
		.l4_offset = 48, .nexthdr_field_offset = 40, .ext_count = 1, .payload_end = 56,
		.has_fragment = true, .more_fragments = true, .frag_id = 1, .frag_hdr_offset = 40,
		.frag_prev_nexthdr_offset = 6);
}

static void test_no_next_header(void **state)
{
	struct ip6_exthdr_info info;
	struct pkt p;

	(void)state;
	pkt_init(&p, false);
	add_upper(&p, IPPROTO_NONE, 0);
	pkt_finish(&p);
	for (enum mode m = FORWARD; m <= LOCAL; m++)
		EXPECT(walk(m, &p, &info), info, IP6_EXT_OK, .proto = IPPROTO_NONE, .l4_offset = 40,
			.nexthdr_field_offset = 6, .payload_end = 40);

	/* after destination options, with bytes after it to ignore (RFC 8200 4.7) */
	pkt_init(&p, false);
	add_dst_pad(&p);
	add_upper(&p, IPPROTO_NONE, 16);
	pkt_finish(&p);
	EXPECT(walk(LOCAL, &p, &info), info, IP6_EXT_OK, .proto = IPPROTO_NONE, .l4_offset = 48,
		.nexthdr_field_offset = 40, .ext_count = 1, .payload_end = 64);
}

static void test_unknown_next_header(void **state)
{
	struct ip6_proto_set esp_ah = {{0}};
	struct ip6_exthdr_info info;
	struct pkt p;

	(void)state;
	pkt_init(&p, false);
	add_upper(&p, NH_EXPERIMENTAL, 8);
	pkt_finish(&p);
	EXPECT(walk(LOCAL, &p, &info), info, IP6_EXT_PARAM_PROBLEM, .payload_end = 48,
		.icmp_code = IP6_EXT_PP_UNKNOWN_NEXT_HEADER, .icmp_pointer = 6);
	EXPECT(walk(FORWARD, &p, &info), info, IP6_EXT_OK, .proto = NH_EXPERIMENTAL,
		.l4_offset = 40, .nexthdr_field_offset = 6, .payload_end = 48);

	/* named by the routing header, named by destination options after it */
	pkt_init(&p, false);
	add_routing(&p, 0, 0, 0);
	add_dst_pad(&p);
	add_upper(&p, NH_EXPERIMENTAL, 8);
	pkt_finish(&p);
	EXPECT(walk(LOCAL, &p, &info), info, IP6_EXT_PARAM_PROBLEM, .payload_end = 64,
		.icmp_code = IP6_EXT_PP_UNKNOWN_NEXT_HEADER, .icmp_pointer = 48);

	/* ESP and AH: upper layers, known if the caller says so */
	ip6_proto_set_add(&esp_ah, IPPROTO_ESP);
	ip6_proto_set_add(&esp_ah, IPPROTO_AH);
	for (uint8_t proto = IPPROTO_ESP; proto <= IPPROTO_AH; proto++) {
		pkt_init(&p, false);
		add_dst_pad(&p);
		add_upper(&p, proto, 24);
		pkt_finish(&p);
		EXPECT(walk(LOCAL, &p, &info), info, IP6_EXT_PARAM_PROBLEM, .payload_end = 72,
			.icmp_code = IP6_EXT_PP_UNKNOWN_NEXT_HEADER, .icmp_pointer = 40);
		EXPECT(walk_copy(LOCAL, p.b, p.len, &esp_ah, 0, &info), info, IP6_EXT_OK,
			.proto = proto, .l4_offset = 48, .nexthdr_field_offset = 40, .ext_count = 1,
			.payload_end = 72);
		/* and TCP is not in that set */
		p.b[40] = IPPROTO_TCP;
		EXPECT(walk_copy(LOCAL, p.b, p.len, &esp_ah, 0, &info), info, IP6_EXT_PARAM_PROBLEM,
			.payload_end = 72, .icmp_code = IP6_EXT_PP_UNKNOWN_NEXT_HEADER,
			.icmp_pointer = 40);
	}
}

static void test_chain_bound(void **state)
{
	static const uint8_t padn[] = {0x01, 0x04, 0, 0, 0, 0};
	struct ip6_exthdr_info info;
	struct pkt p;

	(void)state;
	assert_int_equal(IP6_EXTHDR_MAX_CHAIN, 8);
	for (unsigned int n = 8; n <= 9; n++) {
		pkt_init(&p, false);
		for (unsigned int i = 0; i < n; i++)
			add_dst_pad(&p);
		add_upper(&p, IPPROTO_TCP, 20);
		pkt_finish(&p);
		if (n == 8)
			EXPECT(walk(LOCAL, &p, &info), info, IP6_EXT_OK, .proto = IPPROTO_TCP,
				.l4_offset = 104, .nexthdr_field_offset = 96, .ext_count = 8,
				.payload_end = 124);
		else
			EXPECT(walk(LOCAL, &p, &info), info, IP6_EXT_TOO_MANY, .payload_end = 132);

		/* hop-by-hop counts */
		pkt_init(&p, false);
		add_hbh(&p, padn);
		for (unsigned int i = 1; i < n; i++)
			add_dst_pad(&p);
		add_upper(&p, IPPROTO_TCP, 20);
		pkt_finish(&p);
		if (n == 8)
			EXPECT(walk(LOCAL, &p, &info), info, IP6_EXT_OK, .proto = IPPROTO_TCP,
				.l4_offset = 104, .nexthdr_field_offset = 96, .ext_count = 8,
				.payload_end = 124);
		else
			EXPECT(walk(LOCAL, &p, &info), info, IP6_EXT_TOO_MANY, .payload_end = 132);
	}

	/* the headers behind a first fragment count too */
	pkt_init(&p, false);
	for (unsigned int i = 0; i < 7; i++)
		add_dst_pad(&p);
	add_fragment(&p, 0, true, 5);
	add_dst_pad(&p);
	add_upper(&p, IPPROTO_UDP, 8);
	pkt_finish(&p);
	EXPECT(walk(LOCAL, &p, &info), info, IP6_EXT_TOO_MANY, .payload_end = 120,
		.has_fragment = true, .more_fragments = true, .frag_id = 5, .frag_hdr_offset = 96,
		.frag_prev_nexthdr_offset = 88);
}

/* A jumbogram: payload length 0, hop-by-hop Jumbo Payload of jumbo_len at offset 42. */
static uint8_t *jumbo_packet(uint32_t jumbo_len, uint32_t len)
{
	uint8_t *b = calloc(1, len);

	assert_non_null(b);
	b[0] = 0x60;
	b[6] = IPPROTO_HOPOPTS;
	b[7] = 64;
	b[24] = 0x20;
	b[40] = IPPROTO_UDP;
	b[42] = 0xc2;
	b[43] = 4;
	b[44] = jumbo_len >> 24;
	b[45] = jumbo_len >> 16;
	b[46] = jumbo_len >> 8;
	b[47] = jumbo_len;
	return b;
}

static void test_jumbo_payload(void **state)
{
	const uint32_t jumbo_len = 65536 + 64;
	struct ip6_exthdr_info info;
	struct pkt p;
	uint8_t *b;

	(void)state;
	b = jumbo_packet(jumbo_len, 40 + jumbo_len + 6); /* and link padding */
	for (enum mode m = FORWARD; m <= LOCAL; m++)
		EXPECT(walk_copy(m, b, 40 + jumbo_len + 6, &tcp_udp_icmp, 0, &info), info,
			IP6_EXT_OK, .proto = IPPROTO_UDP, .l4_offset = 48,
			.nexthdr_field_offset = 40, .ext_count = 1, .payload_end = 40 + jumbo_len,
			.jumbo = true, .jumbo_payload_len = jumbo_len);
	/* longer than the frame */
	EXPECT(walk_copy(LOCAL, b, 40 + jumbo_len - 1, &tcp_udp_icmp, 0, &info), info,
		IP6_EXT_TRUNCATED, .payload_end = 40);
	/* a fragment header in it: the pointer at that header */
	b[40] = IPPROTO_FRAGMENT;
	EXPECT(walk_copy(LOCAL, b, 40 + jumbo_len, &tcp_udp_icmp, 0, &info), info,
		IP6_EXT_PARAM_PROBLEM, .payload_end = 40 + jumbo_len, .jumbo = true,
		.jumbo_payload_len = jumbo_len, .icmp_code = IP6_EXT_PP_HEADER_FIELD,
		.icmp_pointer = 48);
	free(b);

	/* a jumbo length that fits the payload length field: the pointer at it */
	b = jumbo_packet(65535, 40 + 65535);
	EXPECT(walk_copy(LOCAL, b, 40 + 65535, &tcp_udp_icmp, 0, &info), info,
		IP6_EXT_PARAM_PROBLEM, .payload_end = 40, .icmp_code = IP6_EXT_PP_HEADER_FIELD,
		.icmp_pointer = 44);
	free(b);

	/* with a payload length: the pointer at the option */
	b = jumbo_packet(70000, 56);
	set_payload_len(b, 16);
	EXPECT(walk_copy(FORWARD, b, 56, &tcp_udp_icmp, 0, &info), info, IP6_EXT_PARAM_PROBLEM,
		.payload_end = 56, .icmp_code = IP6_EXT_PP_HEADER_FIELD, .icmp_pointer = 42);
	/* misaligned: PadN of no data first, then the option at 44, PadN to 16 bytes */
	memcpy(b + 40,
		(const uint8_t[]){
			IPPROTO_UDP, 1, 0x01, 0x00, 0xc2, 4, 0, 1, 0, 0, 0x01, 0x04, 0, 0, 0, 0},
		16);
	set_payload_len(b, 0);
	EXPECT(walk_copy(FORWARD, b, 56, &tcp_udp_icmp, 0, &info), info, IP6_EXT_BAD_HEADER,
		.payload_end = 40);
	free(b);

	/* payload length 0 with hop-by-hop but no Jumbo Payload: the pointer at the length */
	pkt_init(&p, false);
	add_options_header(&p, IPPROTO_HOPOPTS, (const uint8_t[]){0x01, 0x04, 0, 0, 0, 0}, 6);
	add_upper(&p, IPPROTO_UDP, 8);
	for (enum mode m = FORWARD; m <= LOCAL; m++)
		EXPECT(walk(m, &p, &info), info, IP6_EXT_PARAM_PROBLEM, .payload_end = 40,
			.icmp_code = IP6_EXT_PP_HEADER_FIELD, .icmp_pointer = 4);

	/* in destination options, a Jumbo Payload is an unknown option of action 11 */
	pkt_init(&p, false);
	add_dst(&p, ((const uint8_t[]){0xc2, 4, 0, 1, 0, 0}));
	add_upper(&p, IPPROTO_UDP, 8);
	pkt_finish(&p);
	EXPECT(walk(LOCAL, &p, &info), info, IP6_EXT_PARAM_PROBLEM, .payload_end = 56,
		.icmp_code = IP6_EXT_PP_UNKNOWN_OPTION, .icmp_pointer = 42);
}

/*
 * Every cut of p, with the payload length saying the cut (the caller's contract) or still the
 * whole packet: nothing but TRUNCATED short of the last header, and past it the verdict of the
 * whole packet. With a first fragment at frag_hdr_offset, whose header chain ends at
 * chain_end, a cut between the two is an incomplete chain, and after it the fragment's length
 * must be a multiple of 8.
 */
static void check_every_cut(const struct pkt *p, uint8_t proto, uint32_t l4_offset,
	uint32_t frag_hdr_offset, uint32_t chain_end)
{
	struct ip6_exthdr_info info;
	uint8_t b[MAX_PKT];

	for (uint32_t cut = 40; cut <= p->len; cut++) {
		for (int consistent = 0; consistent <= 1; consistent++) {
			enum ip6_exthdr_verdict v, want;
			uint32_t code = 0, pointer = 0;

			memcpy(b, p->b, cut);
			set_payload_len(b, consistent ? cut - 40 : p->len - 40);
			v = walk_copy(LOCAL, b, cut, &tcp_udp_icmp, 0, &info);

			if (frag_hdr_offset == 0) {
				want = cut < l4_offset ? IP6_EXT_TRUNCATED : IP6_EXT_OK;
			} else if (cut < frag_hdr_offset + 8) {
				want = IP6_EXT_TRUNCATED;
			} else if (cut < chain_end) {
				want = IP6_EXT_PARAM_PROBLEM;
				code = IP6_EXT_PP_INCOMPLETE_CHAIN;
			} else if (consistent && (cut - frag_hdr_offset - 8) % 8 != 0) {
				want = IP6_EXT_PARAM_PROBLEM;
				code = IP6_EXT_PP_HEADER_FIELD;
				pointer = 4;
			} else {
				want = IP6_EXT_FRAGMENT;
			}
			print_message("cut %u, payload length %u\n", cut,
				consistent ? cut - 40 : p->len - 40);
			assert_int_equal(v, want);
			assert_int_equal(info.icmp_code, code);
			assert_int_equal(info.icmp_pointer, pointer);
			if (v == IP6_EXT_OK || v == IP6_EXT_FRAGMENT) {
				assert_int_equal(info.proto, proto);
				assert_int_equal(info.l4_offset, l4_offset);
			}
		}
	}
}

static void test_truncated_at_every_byte(void **state)
{
	static const uint8_t ra_padn[] = {0x05, 0x02, 0, 0, 0x01, 0x00};
	static const uint8_t dst_opts[] = {OPT_SKIP, 6, 1, 2, 3, 4, 5, 6, 0x01, 0x04, 0, 0, 0, 0};
	struct ip6_exthdr_info info;
	struct pkt p;

	(void)state;
	/* hop-by-hop, destination options, routing header done with, atomic fragment, TCP */
	pkt_init(&p, false);
	add_hbh(&p, ra_padn);
	add_dst(&p, dst_opts);
	add_routing(&p, 0, 0, 1);
	add_fragment(&p, 0, false, 3);
	add_upper(&p, IPPROTO_TCP, 20);
	pkt_finish(&p);
	EXPECT(walk(LOCAL, &p, &info), info, IP6_EXT_OK, .proto = IPPROTO_TCP, .l4_offset = 96,
		.nexthdr_field_offset = 88, .ext_count = 4, .payload_end = 116,
		.router_alert = true, .has_fragment = true, .frag_id = 3, .frag_hdr_offset = 88,
		.frag_prev_nexthdr_offset = 64);
	check_every_cut(&p, IPPROTO_TCP, 96, 0, 0);

	/* hop-by-hop, destination options, first fragment, destination options, TCP + 4 */
	pkt_init(&p, false);
	add_hbh(&p, ra_padn);
	add_dst(&p, dst_opts);
	add_fragment(&p, 0, true, 4);
	add_dst_pad(&p);
	add_upper(&p, IPPROTO_TCP, 24);
	pkt_finish(&p);
	EXPECT(walk(LOCAL, &p, &info), info, IP6_EXT_FRAGMENT, .proto = IPPROTO_DSTOPTS,
		.l4_offset = 72, .nexthdr_field_offset = 64, .ext_count = 3, .payload_end = 104,
		.router_alert = true, .has_fragment = true, .more_fragments = true, .frag_id = 4,
		.frag_hdr_offset = 64, .frag_prev_nexthdr_offset = 48);
	check_every_cut(&p, IPPROTO_DSTOPTS, 72, 64, 100);
}

/* What holds of any verdict on any input. */
static void check_invariants(const uint8_t *b, uint32_t len, enum mode mode,
	enum ip6_exthdr_verdict v, const struct ip6_exthdr_info *info)
{
	assert_true(v < IP6_EXT_VERDICTS);
	if (v == IP6_EXT_OK || v == IP6_EXT_FRAGMENT) {
		assert_true(info->l4_offset <= len);
		assert_true(info->l4_offset <= info->payload_end);
		assert_true(info->nexthdr_field_offset < info->l4_offset);
		assert_int_equal(info->proto, b[info->nexthdr_field_offset]);
		assert_true(info->ext_count <= (mode == FORWARD ? 1 : IP6_EXTHDR_MAX_CHAIN));
	}
	if (v == IP6_EXT_FRAGMENT)
		assert_int_equal(mode, LOCAL);
	if (v == IP6_EXT_PARAM_PROBLEM) {
		assert_true(info->icmp_code <= IP6_EXT_PP_INCOMPLETE_CHAIN);
		assert_true(info->icmp_pointer < len);
		if (info->icmp_code == IP6_EXT_PP_INCOMPLETE_CHAIN)
			assert_int_equal(info->icmp_pointer, 0);
	} else {
		assert_int_equal(info->icmp_code, 0);
		assert_int_equal(info->icmp_pointer, 0);
	}
}

/* Both walks on one buffer: forwarding's verdict, when not OK, is the local one too. */
static void walk_both(const uint8_t *b, uint32_t len, const struct ip6_proto_set *upper)
{
	struct ip6_exthdr_info fwd, loc;
	enum ip6_exthdr_verdict vf, vl;

	vf = walk_copy(FORWARD, b, len, upper, 0, &fwd);
	check_invariants(b, len, FORWARD, vf, &fwd);
	vl = walk_copy(LOCAL, b, len, upper, rand() % 2 ? IP6_EXTHDR_REASSEMBLED : 0, &loc);
	check_invariants(b, len, LOCAL, vl, &loc);
	if (vf != IP6_EXT_OK) {
		assert_int_equal(vl, vf);
		assert_int_equal(loc.icmp_pointer, fwd.icmp_pointer);
	}
	assert_int_equal(loc.router_alert, fwd.router_alert);
	assert_int_equal(loc.jumbo, fwd.jumbo);
}

static const uint8_t interesting_nh[] = {IPPROTO_HOPOPTS, IPPROTO_DSTOPTS, IPPROTO_ROUTING,
	IPPROTO_FRAGMENT, IPPROTO_NONE, IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMPV6, IPPROTO_ESP,
	IPPROTO_AH};

static uint8_t random_nh(void)
{
	if (rand() % 4 == 0)
		return rand();
	return interesting_nh[rand() % sizeof(interesting_nh)];
}

static void random_upper_set(struct ip6_proto_set *set)
{
	for (int i = 0; i < 4; i++)
		set->bits[i] = (uint64_t)rand() << 32 ^ rand();
	if (rand() % 2)
		*set = tcp_udp_icmp;
}

/* Random bytes of random length, version 6, next headers and payload length often plausible. */
static void test_random_buffers(void **state)
{
	uint8_t b[1024];

	(void)state;
	srand(6);
	for (int round = 0; round < 100000; round++) {
		uint32_t len = 40 + rand() % 600;
		struct ip6_proto_set upper;

		for (uint32_t i = 0; i < len; i++)
			b[i] = rand();
		b[0] = 0x60 | (b[0] & 0x0f);
		if (rand() % 4)
			b[6] = random_nh();
		switch (rand() % 4) {
		case 0:
			set_payload_len(b, 0);
			break;
		case 1:
		case 2:
			set_payload_len(b, rand() % (len - 39));
			break;
		default:
			break; /* whatever, even past len */
		}
		random_upper_set(&upper);
		walk_both(b, len, &upper);
	}
}

/* Chains of plausible headers with random fields, a few bytes flipped, cut anywhere. */
static void test_mutated_chains(void **state)
{
	(void)state;
	srand(66);
	for (int round = 0; round < 100000; round++) {
		struct ip6_proto_set upper;
		struct pkt p;
		unsigned int headers = rand() % 12;

		pkt_init(&p, rand() % 4 == 0);
		for (unsigned int h = 0; h < headers && p.len < MAX_PKT - 600; h++) {
			uint8_t nh = random_nh(), opts[256];
			uint32_t n;

			switch (nh) {
			case IPPROTO_HOPOPTS:
			case IPPROTO_DSTOPTS:
				n = 8 * (rand() % 4) + 6;
				for (uint32_t i = 0; i < n; i++)
					opts[i] = rand() % 3 ? rand() % 8 : rand();
				add_options_header(&p, nh, opts, n);
				break;
			case IPPROTO_ROUTING:
				add_routing(&p, rand() % 6, rand() % 3, rand() % 3);
				break;
			case IPPROTO_FRAGMENT:
				add_fragment(&p, (uint16_t)(rand() % 3 * 8 * (rand() % 200)),
					rand() % 2, rand());
				break;
			default:
				add_upper(&p, nh, rand() % 40);
				h = headers;
				break;
			}
		}
		pkt_finish(&p);
		for (int flips = rand() % 4; flips > 0; flips--)
			p.b[40 + rand() % (p.len - 40 + 1)] ^= 1 << (rand() % 8);
		if (rand() % 2) {
			p.len = 40 + rand() % (p.len - 39);
			if (rand() % 2)
				pkt_finish(&p);
		}
		random_upper_set(&upper);
		walk_both(p.b, p.len, &upper);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_extension_header),
		cmocka_unit_test(test_payload_length_ends_the_headers),
		cmocka_unit_test(test_hop_by_hop_padding_and_router_alert),
		cmocka_unit_test(test_hop_by_hop_malformed_options),
		cmocka_unit_test(test_unknown_options),
		cmocka_unit_test(test_options_dropped_by_default),
		cmocka_unit_test(test_too_many_options),
		cmocka_unit_test(test_hop_by_hop_not_first),
		cmocka_unit_test(test_destination_options),
		cmocka_unit_test(test_routing_header),
		cmocka_unit_test(test_fragment_header),
		cmocka_unit_test(test_first_fragment_header_chain),
		cmocka_unit_test(test_no_next_header),
		cmocka_unit_test(test_unknown_next_header),
		cmocka_unit_test(test_chain_bound),
		cmocka_unit_test(test_jumbo_payload),
		cmocka_unit_test(test_truncated_at_every_byte),
		cmocka_unit_test(test_random_buffers),
		cmocka_unit_test(test_mutated_chains),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
