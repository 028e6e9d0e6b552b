/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ip4_options_compile(), _forward(), _echo(), _build() and _fragment() on crafted headers,
 * each result compared with what Linux's ip_options.c gives for the same bytes: the parameter
 * problem pointer of each malformation, the slots filled and pointers advanced, the checksum
 * after forwarding; then every byte string of a short options field, which must neither crash
 * nor read past the header (AddressSanitizer on a heap copy of exactly its length).
 */
#include "ip4/ip4_options.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ip.h>

/* cmocka needs these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#define SPEC_DST 0x0a000101 /* 10.0.1.1: where the packet came in */
#define OUT_ADDR 0x0a000201 /* 10.0.2.1: where it leaves */
#define OURS	 0x0a000301 /* another of the router's addresses */
#define SOURCE	 0x0a000102 /* 10.0.1.2 */
#define NOW	 0x01020304
#define HDR	 20

static unsigned int spec_dst_calls;

static uint32_t spec_dst(const struct ip4_opt_env *env)
{
	(void)env;
	spec_dst_calls++;
	return htonl(SPEC_DST);
}

static bool other_host(const struct ip4_opt_env *env, uint32_t addr)
{
	(void)env;
	return addr != htonl(SPEC_DST) && addr != htonl(OUT_ADDR) && addr != htonl(OURS);
}

static struct ip4_opt_env env = {
	.spec_dst = spec_dst,
	.other_host = other_host,
};

/* A header with the options opt (n bytes, padded with EOL to a multiple of 4), in a heap
 * buffer of exactly its length. */
static uint8_t *header(const uint8_t *opt, unsigned int n)
{
	unsigned int hlen = HDR + ((n + 3) & ~3u);
	uint8_t *h = calloc(1, hlen);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)h;

	assert_non_null(h);
	ip->version_ihl = 0x40 | hlen / 4;
	ip->total_length = htons(hlen);
	ip->time_to_live = 64;
	ip->next_proto_id = 1;
	ip->src_addr = htonl(SOURCE);
	ip->dst_addr = htonl(0x0a000202);
	memcpy(h + HDR, opt, n);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	env.timestamp = htonl(NOW);
	spec_dst_calls = 0;
	return h;
}

static uint32_t addr_at(const uint8_t *p)
{
	uint32_t a;

	memcpy(&a, p, 4);
	return ntohl(a);
}

/* the pointer Linux sends in its parameter problem for these options, 0 for none */
static unsigned int compile(const uint8_t *opt, unsigned int n, struct fp_ip4_opt *out)
{
	uint8_t *h = header(opt, n);
	unsigned int ptr = ip4_options_compile(h, out, &env);

	free(h);
	return ptr;
}

#define OPT(...) ((const uint8_t[]){__VA_ARGS__}), sizeof((const uint8_t[]){__VA_ARGS__})

static void test_malformed_pointers(void **state)
{
	struct fp_ip4_opt o;

	(void)state;
	/* a length below 2, or past the header: the option's first byte */
	assert_int_equal(compile(OPT(7, 1, 4, 0), &o), 20);
	assert_int_equal(compile(OPT(1, 7, 11, 4), &o), 21);
	assert_int_equal(compile(OPT(1, 1, 1, 7), &o), 23); /* a type alone at the end */
	/* record route: length 2 (no pointer), pointer below 4, pointer in a short last slot */
	assert_int_equal(compile(OPT(7, 2, 1, 1), &o), 21);
	assert_int_equal(compile(OPT(7, 7, 3, 0, 0, 0, 0), &o), 22);
	assert_int_equal(compile(OPT(7, 9, 8, 0, 0, 0, 0, 0, 0), &o), 22);
	/* twice: the second's first byte */
	assert_int_equal(compile(OPT(7, 7, 4, 0, 0, 0, 0, 1, 7, 7, 4, 0, 0, 0, 0), &o), 28);
	/* timestamp: length 3, pointer 4, room for the time but not the address, overflow 15 */
	assert_int_equal(compile(OPT(68, 3, 5), &o), 21);
	assert_int_equal(compile(OPT(68, 8, 4, 0, 0, 0, 0, 0), &o), 22);
	assert_int_equal(compile(OPT(68, 8, 5, 1, 0, 0, 0, 0), &o), 22);
	assert_int_equal(compile(OPT(68, 8, 9, 0xf0, 0, 0, 0, 0), &o), 23);
	/* source routes: pointer below 4, two of them */
	assert_int_equal(compile(OPT(131, 7, 3, 0, 0, 0, 0), &o), 22);
	assert_int_equal(compile(OPT(131, 7, 4, 1, 2, 3, 4, 137, 7, 4, 1, 2, 3, 4), &o), 27);
	/* router alert of 3 bytes; CIPSO, no domain of interpretation configured */
	assert_int_equal(compile(OPT(148, 3, 0), &o), 21);
	assert_int_equal(compile(OPT(134, 6, 0, 0, 0, 1), &o), 21);
	assert_int_equal(compile(OPT(134, 8, 0, 0, 0, 1, 0, 0), &o), 22);
}

static void test_passed_on(void **state)
{
	struct fp_ip4_opt o;
	uint8_t *h;

	(void)state;
	/* unknown options, copied or not, router alert, security: untouched */
	assert_int_equal(compile(OPT(0x9e, 4, 0xaa, 0xbb), &o), 0);
	assert_int_equal(o.flags, 0);
	assert_int_equal(compile(OPT(0x1e, 4, 0xaa, 0xbb, 148, 4, 0, 0), &o), 0);
	assert_int_equal(compile(OPT(130, 11, 0, 0, 0, 0, 0, 0, 0, 0, 0), &o), 0);
	/* after the end, everything becomes end: the header changed */
	h = header(OPT(1, 0, 0x55, 0x66, 7, 7, 4, 9));
	assert_int_equal(ip4_options_compile(h, &o, &env), 0);
	assert_memory_equal(h + HDR, ((uint8_t[]){1, 0, 0, 0, 0, 0, 0, 0}), 8);
	assert_true(o.flags & IP4_OPT_CHANGED);
	assert_int_equal(o.rr, 0);
	free(h);
	/* a source route is found, its pointer checked only when followed */
	assert_int_equal(compile(OPT(137, 7, 9, 1, 2, 3, 4), &o), 0);
	assert_int_equal(o.srr, 20);
	assert_true(o.flags & IP4_OPT_STRICT);
}

static void test_record_route(void **state)
{
	struct fp_ip4_opt o;
	struct rte_ipv4_hdr *ip;
	uint8_t *h = header(OPT(1, 7, 11, 4, 0, 0, 0, 0, 0, 0, 0, 0));

	(void)state;
	ip = (struct rte_ipv4_hdr *)h;
	/* on input: the first slot gets the router's address towards the source */
	assert_int_equal(ip4_options_compile(h, &o, &env), 0);
	assert_int_equal(o.rr, 21);
	assert_int_equal(o.flags, IP4_OPT_RR_NEEDADDR | IP4_OPT_CHANGED);
	assert_int_equal(h[23], 8);
	assert_int_equal(addr_at(h + 24), SPEC_DST);
	assert_int_equal(spec_dst_calls, 1);
	/* forwarded: the same slot gets the outgoing interface's address, a valid checksum */
	ip->time_to_live--;
	ip4_options_forward(h, &o, htonl(OUT_ADDR));
	assert_int_equal(addr_at(h + 24), OUT_ADDR);
	assert_int_equal(addr_at(h + 28), 0);
	assert_int_equal(h[23], 8);
	assert_int_equal(rte_ipv4_cksum(ip), 0);
	free(h);

	/* full: passed on as it came, no address asked */
	h = header(OPT(7, 7, 8, 1, 2, 3, 4));
	assert_int_equal(ip4_options_compile(h, &o, &env), 0);
	assert_int_equal(o.flags, 0);
	assert_int_equal(o.rr, 20);
	assert_int_equal(h[22], 8);
	assert_int_equal(spec_dst_calls, 0);
	free(h);
}

static void test_timestamps(void **state)
{
	struct fp_ip4_opt o;
	uint8_t *h;

	(void)state;
	/* type 0: the time in the next slot */
	h = header(OPT(68, 12, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0));
	assert_int_equal(ip4_options_compile(h, &o, &env), 0);
	assert_int_equal(o.ts, 20);
	assert_int_equal(o.flags, IP4_OPT_TS_NEEDTIME | IP4_OPT_CHANGED);
	assert_int_equal(h[22], 9);
	assert_int_equal(addr_at(h + 24), NOW);
	free(h);
	/* type 1: address and time */
	h = header(OPT(68, 12, 5, 1, 0, 0, 0, 0, 0, 0, 0, 0));
	assert_int_equal(ip4_options_compile(h, &o, &env), 0);
	assert_int_equal(o.flags, IP4_OPT_TS_NEEDADDR | IP4_OPT_TS_NEEDTIME | IP4_OPT_CHANGED);
	assert_int_equal(h[22], 13);
	assert_int_equal(addr_at(h + 24), SPEC_DST);
	assert_int_equal(addr_at(h + 28), NOW);
	/* forwarded without a source route: Linux leaves the address it recorded on input */
	ip4_options_forward(h, &o, htonl(OUT_ADDR));
	assert_int_equal(addr_at(h + 24), SPEC_DST);
	assert_int_equal(rte_ipv4_cksum((struct rte_ipv4_hdr *)h), 0);
	free(h);
	/* type 3: only the router named stamps */
	h = header(OPT(68, 20, 5, 3, 10, 0, 3, 1, 0, 0, 0, 0, 10, 0, 2, 2, 0, 0, 0, 0));
	assert_int_equal(ip4_options_compile(h, &o, &env), 0);
	assert_int_equal(o.flags, IP4_OPT_TS_NEEDTIME | IP4_OPT_CHANGED);
	assert_int_equal(h[22], 13);
	assert_int_equal(addr_at(h + 28), NOW);
	free(h);
	h = header(OPT(68, 12, 5, 3, 192, 0, 2, 9, 0, 0, 0, 0));
	assert_int_equal(ip4_options_compile(h, &o, &env), 0);
	assert_int_equal(o.flags, 0);
	assert_int_equal(h[22], 5);
	free(h);
	/* full: the overflow counter, but not for type 3 */
	h = header(OPT(68, 8, 9, 0x30, 1, 2, 3, 4));
	assert_int_equal(ip4_options_compile(h, &o, &env), 0);
	assert_int_equal(h[23], 0x40);
	assert_true(o.flags & IP4_OPT_CHANGED);
	free(h);
	h = header(OPT(68, 12, 13, 0x33, 192, 0, 2, 9, 0, 0, 0, 0));
	assert_int_equal(ip4_options_compile(h, &o, &env), 0);
	assert_int_equal(h[23], 0x33);
	free(h);
	/* unknown flags: left as they are */
	h = header(OPT(68, 12, 5, 2, 0, 0, 0, 0, 0, 0, 0, 0));
	assert_int_equal(ip4_options_compile(h, &o, &env), 0);
	assert_int_equal(o.flags, 0);
	assert_int_equal(h[22], 5);
	free(h);
}

/* What goes up the kernel twin: the options as they came, a valid checksum. */
static void test_undo(void **state)
{
	static const uint8_t opts[][12] = {
		{7, 11, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0},
		{68, 12, 5, 1, 0, 0, 0, 0, 0, 0, 0, 0},
		{68, 12, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0},
		{68, 12, 5, 3, 10, 0, 1, 1, 0, 0, 0, 0},
		{68, 8, 9, 0x20, 1, 2, 3, 4, 1, 1, 1, 1},
	};
	struct fp_ip4_opt o;

	(void)state;
	for (unsigned int i = 0; i < RTE_DIM(opts); i++) {
		uint8_t *h = header(opts[i], sizeof(opts[i]));
		uint8_t *orig = malloc(HDR + sizeof(opts[i]));

		memcpy(orig, h, HDR + sizeof(opts[i]));
		assert_int_equal(ip4_options_compile(h, &o, &env), 0);
		assert_true(o.flags & IP4_OPT_CHANGED);
		ip4_options_undo(h, &o);
		assert_memory_equal(h, orig, HDR + sizeof(opts[i]));
		free(orig);
		free(h);
	}
}

static void test_echo(void **state)
{
	struct fp_ip4_opt o;
	struct ip4_opt_echo e;
	uint8_t reply[HDR + IP4_OPT_MAX_LEN] = {0x45};
	/* NOP, record route of 3 slots, timestamp type 1 of 2 pairs, router alert */
	uint8_t *h = header(OPT(1, 7, 15, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 68, 20, 5, 1, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 148, 4, 0, 0));

	(void)state;
	assert_int_equal(ip4_options_compile(h, &o, &env), 0);
	assert_int_equal(ip4_options_echo(h, &o, &e, &env), 0);
	/* the record route and the timestamp, in that order, the rest left out, END-padded */
	assert_int_equal(e.len, 36);
	assert_int_equal(e.opt.rr, 20);
	assert_int_equal(e.opt.ts, 35);
	assert_int_equal(e.data[2], 12);
	assert_int_equal(e.data[15 + 2], 21);
	assert_int_equal(e.data[35], IP4_OPT_END);
	ip4_options_build(reply, &e, htonl(OUT_ADDR), htonl(SOURCE), htonl(NOW));
	assert_int_equal(addr_at(reply + 20 + 3), SPEC_DST);
	assert_int_equal(addr_at(reply + 20 + 7), OUT_ADDR);
	assert_int_equal(addr_at(reply + 35 + 4), SPEC_DST);
	assert_int_equal(addr_at(reply + 35 + 12), OUT_ADDR);
	assert_int_equal(addr_at(reply + 35 + 16), NOW);
	free(h);

	/* a record route with room for the router on input but not for the answer: no answer */
	h = header(OPT(7, 9, 4, 0, 0, 0, 0, 0, 0));
	assert_int_equal(ip4_options_compile(h, &o, &env), 0);
	assert_int_equal(ip4_options_echo(h, &o, &e, &env), -1);
	free(h);
	/* only NOPs: no options */
	h = header(OPT(1, 1, 1, 1));
	assert_int_equal(ip4_options_compile(h, &o, &env), 0);
	assert_int_equal(ip4_options_echo(h, &o, &e, &env), 0);
	assert_int_equal(e.len, 0);
	free(h);
	/* a source route walked to its end: reversed, the source left out, first hop */
	h = header(OPT(131, 15, 16, 10, 0, 1, 2, 10, 0, 2, 1, 10, 0, 2, 2));
	assert_int_equal(ip4_options_compile(h, &o, &env), 0);
	assert_int_equal(ip4_options_echo(h, &o, &e, &env), 0);
	assert_int_equal(ntohl(e.first_hop), 0x0a000202);
	assert_memory_equal(e.data, ((uint8_t[]){131, 11, 4, 10, 0, 2, 1, 10, 0, 1, 2, 0}), 12);
	memset(reply, 0, sizeof(reply));
	ip4_options_build(reply, &e, htonl(OUT_ADDR), htonl(SOURCE), htonl(NOW));
	assert_int_equal(addr_at(reply + 20 + 7), SOURCE);
	free(h);
}

static void test_source_route_forward(void **state)
{
	struct fp_ip4_opt o;
	struct rte_ipv4_hdr *ip;
	uint8_t *h = header(OPT(131, 11, 4, 10, 0, 2, 2, 10, 0, 3, 2));

	(void)state;
	ip = (struct rte_ipv4_hdr *)h;
	assert_int_equal(ip4_options_compile(h, &o, &env), 0);
	/* what ip4_options_input() sets when the route's next hop is not ours */
	o.flags |= IP4_OPT_SRR_HIT | IP4_OPT_CHANGED;
	o.srr_slot = 4;
	ip4_options_forward(h, &o, htonl(OUT_ADDR));
	assert_int_equal(ntohl(ip->dst_addr), 0x0a000202);
	assert_int_equal(addr_at(h + 23), OUT_ADDR);
	assert_int_equal(h[22], 8);
	assert_int_equal(rte_ipv4_cksum(ip), 0);
	free(h);
}

static void test_fragment(void **state)
{
	uint8_t opt[] = {1, 7, 7, 4, 0, 0, 0, 0, 0x94, 4, 0, 0, 0x1e, 3, 1, 0x9e, 2, 0, 0, 0};

	(void)state;
	ip4_options_fragment(opt, sizeof(opt));
	assert_memory_equal(opt,
		((uint8_t[]){1, 1, 1, 1, 1, 1, 1, 1, 0x94, 4, 0, 0, 1, 1, 1, 0x9e, 2, 0, 0, 0}),
		sizeof(opt));
}

/* Every options field of 8 bytes drawn from the values that matter, and random ones. */
static void test_any_bytes(void **state)
{
	static const uint8_t values[] = {0, 1, 2, 3, 4, 5, 7, 8, 9, 68, 131, 137, 148, 255};
	struct fp_ip4_opt o;
	struct ip4_opt_echo e;

	(void)state;
	srand(1);
	for (unsigned int i = 0; i < 400000; i++) {
		uint8_t opt[8];
		uint8_t *h;
		unsigned int n = 4 + 4 * (i & 1), ptr;

		for (unsigned int k = 0; k < n; k++)
			opt[k] = i < 200000 ? values[rand() % sizeof(values)] : rand();
		h = header(opt, n);
		ptr = ip4_options_compile(h, &o, &env);
		assert_true(ptr == 0 || (ptr >= 20 && ptr < 20 + n));
		if (ptr == 0 && ip4_options_echo(h, &o, &e, &env) == 0)
			assert_true(e.len <= IP4_OPT_MAX_LEN && e.len % 4 == 0);
		ip4_options_forward(h, &o, htonl(OUT_ADDR));
		free(h);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_malformed_pointers),
		cmocka_unit_test(test_passed_on),
		cmocka_unit_test(test_record_route),
		cmocka_unit_test(test_timestamps),
		cmocka_unit_test(test_undo),
		cmocka_unit_test(test_echo),
		cmocka_unit_test(test_source_route_forward),
		cmocka_unit_test(test_fragment),
		cmocka_unit_test(test_any_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
