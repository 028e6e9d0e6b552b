/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The reassembly engine (lib/defrag) against Linux 6.1's answers: ip_defrag() for IPv4,
 * nf_ct_frag6_gather() for IPv6. Fragments are built here byte by byte, fed in various
 * orders, and the whole compared with the datagram they were cut from; the clock is a
 * number the tests move.
 */
#include "defrag/defrag.h"
#include "graph/mbuf.h"
#include "infra/sysctl.h"
#include "ip4/ip4_output.h"
#include "ip6/ip6_output.h"
#include "test_eal.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_ring.h>

/* cmocka needs these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#define POOL_SIZE 1023
#define T0	  1000000 /* ms: the clock at the start of each test */

static struct rte_mempool *pool;
static struct defrag_table *t4, *t6;

/* The datagram the fragments are cut from: a UDP header and a pattern, as one byte array. */
static uint8_t datagram[70000];

static void fill_datagram(uint32_t len, uint8_t seed)
{
	for (uint32_t i = 0; i < len; i++)
		datagram[i] = (uint8_t)(i * 7 + seed + (i >> 8));
	/* a UDP header: ports 40000 -> 5001, length, no checksum */
	datagram[0] = 0x9c, datagram[1] = 0x40, datagram[2] = 0x13, datagram[3] = 0x89;
	datagram[4] = (uint8_t)(len >> 8), datagram[5] = (uint8_t)len;
	datagram[6] = datagram[7] = 0;
}

static struct rte_mbuf *new_mbuf(uint32_t len, uint8_t **data)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);

	assert_non_null(m);
	*data = (uint8_t *)rte_pktmbuf_append(m, len);
	assert_non_null(*data);
	memset(fp_mbuf_priv(m), 0, sizeof(struct fp_mbuf_priv));
	fp_mbuf_priv(m)->iface_in = 3;
	fp_mbuf_priv(m)->vrf = 0;
	return m;
}

/* IPv4 fragment: datagram[off, off + len), identification id, MF if more, flags/tos as given */
static struct rte_mbuf *frag4(
	uint16_t id, uint32_t off, uint32_t len, bool more, uint16_t df, uint8_t tos)
{
	uint8_t *data;
	struct rte_mbuf *m = new_mbuf(20 + len, &data);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)data;

	*ip = (struct rte_ipv4_hdr){
		.version_ihl = 0x45,
		.type_of_service = tos,
		.total_length = rte_cpu_to_be_16(20 + len),
		.packet_id = rte_cpu_to_be_16(id),
		.fragment_offset =
			rte_cpu_to_be_16((off / 8) | (more ? RTE_IPV4_HDR_MF_FLAG : 0) | df),
		.time_to_live = 64,
		.next_proto_id = IPPROTO_UDP,
		.src_addr = RTE_BE32(0x0a000102),
		.dst_addr = RTE_BE32(0x0a000202),
	};
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	memcpy(data + 20, datagram + off, len);
	return m;
}

/* IPv6 fragment: fixed header, fragment header, datagram[off, off + len) */
static struct rte_mbuf *frag6(uint32_t id, uint32_t off, uint32_t len, bool more, uint8_t tc)
{
	uint8_t *data;
	struct rte_mbuf *m = new_mbuf(48 + len, &data);
	struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)data;

	memset(ip6, 0, sizeof(*ip6));
	ip6->vtc_flow = rte_cpu_to_be_32(6u << 28 | (uint32_t)tc << 20);
	ip6->payload_len = rte_cpu_to_be_16(8 + len);
	ip6->proto = 44;
	ip6->hop_limits = 64;
	ip6->src_addr[0] = 0x20, ip6->src_addr[1] = 0x01, ip6->src_addr[15] = 1;
	ip6->dst_addr[0] = 0x20, ip6->dst_addr[1] = 0x01, ip6->dst_addr[15] = 2;
	data[40] = IPPROTO_UDP;
	data[41] = 0;
	data[42] = (uint8_t)(off >> 8);
	data[43] = (uint8_t)(off | (more ? 1 : 0));
	data[44] = (uint8_t)(id >> 24), data[45] = (uint8_t)(id >> 16);
	data[46] = (uint8_t)(id >> 8), data[47] = (uint8_t)id;
	memcpy(data + 48, datagram + off, len);
	return m;
}

/* The bytes of a chain from off, len of them, equal to want */
static void assert_bytes(const struct rte_mbuf *m, uint32_t off, const uint8_t *want, uint32_t len)
{
	static uint8_t buf[70000];
	const uint8_t *p = rte_pktmbuf_read(m, off, len, buf);

	assert_non_null(p);
	assert_memory_equal(p, want, len);
}

static enum defrag_verdict in4(struct rte_mbuf *m, uint64_t now, struct rte_mbuf **out)
{
	enum defrag_verdict v = defrag4_input(t4, &m, now);

	*out = m;
	if (v != DEFRAG_HELD && v != DEFRAG_DONE && v != DEFRAG_PASS)
		rte_pktmbuf_free(m); /* a drop */
	return v;
}

static enum defrag_verdict in6(struct rte_mbuf *m, uint64_t now, struct rte_mbuf **out)
{
	enum defrag_verdict v = defrag6_input(t6, &m, now);

	*out = m;
	if (v != DEFRAG_HELD && v != DEFRAG_DONE && v != DEFRAG_PASS)
		rte_pktmbuf_free(m);
	return v;
}

/* A whole IPv4 datagram of len bytes of payload from datagram[]. */
static void assert_whole4(const struct rte_mbuf *m, uint32_t len)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *);

	assert_int_equal(m->pkt_len, 20 + len);
	assert_int_equal(rte_be_to_cpu_16(ip->total_length), 20 + len);
	assert_int_equal(ip->fragment_offset, 0);
	assert_int_equal(rte_ipv4_cksum(ip), 0); /* a valid checksum sums to 0 */
	assert_bytes(m, 20, datagram, len);
}

static uint64_t mem_free_of_all(void)
{
	return defrag_mem_used(DEFRAG_IPV4) + defrag_mem_used(DEFRAG_IPV6);
}

/* IPv4 -------------------------------------------------------------------------------------- */

/* The case: a 4000-byte UDP datagram in 3 fragments, whole, then cut again alike. */
static void test_v4_in_order_and_refragment(void **state)
{
	struct rte_mbuf *m, *orig[3], *refrag[8];
	const uint32_t off[3] = {0, 1480, 2960}, len[3] = {1480, 1480, 1040};
	uint8_t orig_bytes[3][1500];
	int n;

	(void)state;
	fill_datagram(4000, 1);
	for (int i = 0; i < 3; i++) {
		orig[i] = frag4(100, off[i], len[i], i < 2, 0, 0);
		memcpy(orig_bytes[i], rte_pktmbuf_mtod(orig[i], void *), 20 + len[i]);
	}
	assert_int_equal(in4(orig[0], T0, &m), DEFRAG_HELD);
	assert_int_equal(in4(orig[1], T0, &m), DEFRAG_HELD);
	assert_int_equal(defrag_table_count(t4), 1);
	assert_true(defrag_mem_used(DEFRAG_IPV4) > 0);
	assert_int_equal(in4(orig[2], T0, &m), DEFRAG_DONE);
	assert_int_equal(defrag_table_count(t4), 0);
	assert_int_equal(defrag_mem_used(DEFRAG_IPV4), 0);
	/* a chained mbuf: one segment per fragment */
	assert_int_equal(m->nb_segs, 3);
	assert_whole4(m, 4000);
	assert_int_equal(fp_mbuf_frag_max_size(m), 1500);

	n = ip4_fragment(m, fp_mbuf_frag_max_size(m), pool, refrag, RTE_DIM(refrag));
	assert_int_equal(n, 3);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(refrag[i]->pkt_len, 20 + len[i]);
		assert_memory_equal(
			rte_pktmbuf_mtod(refrag[i], void *), orig_bytes[i], 20 + len[i]);
		assert_int_equal(fp_mbuf_frag_max_size(refrag[i]), 0);
	}
	rte_pktmbuf_free_bulk(refrag, n);
	/* a packet that never went through reassembly has no frag_max_size */
	fp_mbuf_priv(m)->flags &= ~FP_MBUF_FRAG_MAX;
	assert_int_equal(fp_mbuf_frag_max_size(m), 0);
	rte_pktmbuf_free(m);
	assert_int_equal(defrag_table_stats(t4)->reassembled, 1);
}

/*
 * Options: only the "copied" ones after the first piece (ip_options_fragment()); DF kept on
 * the slow path; reassembled into the same bytes.
 */
static void test_v4_refragment_options(void **state)
{
	const uint8_t opts[8] = {0x07, 0x03, 0x04, 0x94, 0x04, 0x00, 0x00, 0x00}; /* RR, RA, EOL */
	const uint8_t later[8] = {0x01, 0x01, 0x01, 0x94, 0x04, 0x00, 0x00, 0x00};
	struct rte_mbuf *m, *out[4], *whole = NULL;
	struct rte_ipv4_hdr *ip;
	uint8_t *data;
	int n;

	(void)state;
	fill_datagram(1000, 16);
	m = new_mbuf(28 + 1000, &data);
	ip = (struct rte_ipv4_hdr *)data;
	*ip = (struct rte_ipv4_hdr){.version_ihl = 0x47,
		.total_length = rte_cpu_to_be_16(28 + 1000),
		.fragment_offset = RTE_BE16(RTE_IPV4_HDR_DF_FLAG),
		.time_to_live = 64,
		.next_proto_id = IPPROTO_UDP};
	memcpy(data + 20, opts, 8);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	memcpy(data + 28, datagram, 1000);
	assert_int_equal(ip4_fragment(m, 28, pool, out, 4), -EINVAL);
	n = ip4_fragment(m, 28 + 400, pool, out, 4);
	assert_int_equal(n, 3);
	for (int i = 0; i < n; i++) {
		const struct rte_ipv4_hdr *f =
			rte_pktmbuf_mtod(out[i], const struct rte_ipv4_hdr *);
		uint16_t fo = rte_be_to_cpu_16(f->fragment_offset);

		assert_int_equal(out[i]->pkt_len, 28 + (i < 2 ? 400 : 200));
		assert_int_equal(fo & RTE_IPV4_HDR_OFFSET_MASK, i * 50);
		assert_int_equal(!!(fo & RTE_IPV4_HDR_MF_FLAG), i < 2);
		assert_true(fo & RTE_IPV4_HDR_DF_FLAG);
		assert_memory_equal((const uint8_t *)(f + 1), i == 0 ? opts : later, 8);
		assert_int_equal(rte_ipv4_cksum(f), 0);
		assert_bytes(out[i], 28, datagram + i * 400, i < 2 ? 400 : 200);
	}
	/* and back together: the same bytes, options and DF included */
	for (int i = 0; i < n; i++)
		assert_int_equal(in4(out[i], T0, &whole), i < n - 1 ? DEFRAG_HELD : DEFRAG_DONE);
	assert_int_equal(whole->pkt_len, m->pkt_len);
	assert_bytes(whole, 0, rte_pktmbuf_mtod(m, uint8_t *), m->pkt_len);
	rte_pktmbuf_free(whole);
	rte_pktmbuf_free(m);
}

/*
 * Fragments of unequal sizes go out as they came when each fits, as ip_do_fragment()'s fast
 * path sends a reassembled skb's frag_list (Linux 6.18 checked: 1000, 1480, 1480 and 48
 * bytes in, the same out), and without DF though they all had it (ip_fraglist_init()); a
 * smaller size cuts them the slow way, which keeps DF.
 */
static void test_v4_refragment_geometry(void **state)
{
	const uint32_t off[4] = {0, 1000, 2480, 3960}, len[4] = {1000, 1480, 1480, 48};
	struct rte_mbuf *m = NULL, *out[8];
	int n;

	(void)state;
	fill_datagram(4008, 17);
	for (int i = 0; i < 4; i++)
		assert_int_equal(
			in4(frag4(110, off[i], len[i], i < 3, RTE_IPV4_HDR_DF_FLAG, 0), T0, &m),
			i < 3 ? DEFRAG_HELD : DEFRAG_DONE);
	assert_int_equal(fp_mbuf_frag_max_size(m), 1500);
	n = ip4_fragment(m, fp_mbuf_frag_max_size(m), pool, out, 8);
	assert_int_equal(n, 4);
	for (int i = 0; i < n; i++) {
		const struct rte_ipv4_hdr *f =
			rte_pktmbuf_mtod(out[i], const struct rte_ipv4_hdr *);

		assert_int_equal(out[i]->pkt_len, 20 + len[i]);
		assert_int_equal(rte_be_to_cpu_16(f->fragment_offset),
			off[i] / 8 | (i < 3 ? RTE_IPV4_HDR_MF_FLAG : 0));
		assert_bytes(out[i], 20, datagram + off[i], len[i]);
	}
	rte_pktmbuf_free_bulk(out, n);
	/* 1480 bytes do not fit in 1000: every piece but the last 976 bytes */
	n = ip4_fragment(m, 996, pool, out, 8);
	assert_int_equal(n, 5);
	for (int i = 0; i < n; i++) {
		const struct rte_ipv4_hdr *f =
			rte_pktmbuf_mtod(out[i], const struct rte_ipv4_hdr *);

		assert_int_equal(out[i]->pkt_len, 20 + (i < 4 ? 976 : 4008 - 4 * 976));
		assert_true(f->fragment_offset & RTE_BE16(RTE_IPV4_HDR_DF_FLAG));
	}
	rte_pktmbuf_free_bulk(out, n);
	rte_pktmbuf_free(m);
}

static void feed4_order(const unsigned int *order, unsigned int n_frags)
{
	struct rte_mbuf *m = NULL;
	uint32_t chunk = 1000, total = 1000 * (n_frags - 1) + 333;

	fill_datagram(total, (uint8_t)order[0]);
	for (unsigned int k = 0; k < n_frags; k++) {
		unsigned int i = order[k];
		uint32_t off = i * chunk, len = i + 1 < n_frags ? chunk : total - off;

		assert_int_equal(in4(frag4(7, off, len, i + 1 < n_frags, 0, 0), T0, &m),
			k + 1 < n_frags ? DEFRAG_HELD : DEFRAG_DONE);
	}
	assert_whole4(m, total);
	assert_int_equal(m->nb_segs, n_frags);
	rte_pktmbuf_free(m);
	assert_int_equal(defrag_table_count(t4), 0);
}

static void test_v4_out_of_order(void **state)
{
	const unsigned int order[] = {3, 0, 5, 1, 4, 2};

	(void)state;
	feed4_order(order, RTE_DIM(order));
}

static void test_v4_reverse(void **state)
{
	const unsigned int order[] = {5, 4, 3, 2, 1, 0};

	(void)state;
	feed4_order(order, RTE_DIM(order));
}

/* A duplicate, whole or inside what came, is dropped; the datagram goes on (Linux: IPFRAG_DUP) */
static void test_v4_duplicates(void **state)
{
	struct rte_mbuf *m;

	(void)state;
	fill_datagram(3000, 2);
	assert_int_equal(in4(frag4(8, 0, 1000, true, 0, 0), T0, &m), DEFRAG_HELD);
	assert_int_equal(in4(frag4(8, 0, 1000, true, 0, 0), T0, &m), DEFRAG_DROP_DUPLICATE);
	assert_int_equal(in4(frag4(8, 2000, 1000, false, 0, 0), T0, &m), DEFRAG_HELD);
	assert_int_equal(in4(frag4(8, 2000, 1000, false, 0, 0), T0, &m), DEFRAG_DROP_DUPLICATE);
	assert_int_equal(in4(frag4(8, 8, 64, true, 0, 0), T0, &m), DEFRAG_DROP_DUPLICATE);
	assert_int_equal(in4(frag4(8, 1000, 1000, true, 0, 0), T0, &m), DEFRAG_DONE);
	assert_whole4(m, 3000);
	rte_pktmbuf_free(m);
}

/*
 * Overlaps: Linux 6.1 drops the whole datagram for IPv4 too (inet_frag_queue_insert(), since
 * 4.19 and FragmentSmack), where older kernels trimmed the overlapping bytes.
 */
static void test_v4_overlap(void **state)
{
	const struct defrag_stats *st = defrag_table_stats(t4);
	uint64_t freed = st->freed[DEFRAG_DROP_OVERLAP];
	struct rte_mbuf *m;

	(void)state;
	fill_datagram(3000, 3);
	assert_int_equal(in4(frag4(9, 0, 1000, true, 0, 0), T0, &m), DEFRAG_HELD);
	assert_int_equal(in4(frag4(9, 2000, 1000, false, 0, 0), T0, &m), DEFRAG_HELD);
	assert_int_equal(in4(frag4(9, 992, 1008, true, 0, 0), T0, &m), DEFRAG_DROP_OVERLAP);
	assert_int_equal(defrag_table_count(t4), 0);
	assert_int_equal(st->freed[DEFRAG_DROP_OVERLAP], freed + 2);
	/* the rest of it starts a new datagram, which never completes */
	assert_int_equal(in4(frag4(9, 1000, 1000, true, 0, 0), T0, &m), DEFRAG_HELD);
	assert_int_equal(defrag_table_count(t4), 1);
	assert_int_equal(defrag_expire(t4, T0 + 30000, &m, 1), 0);
	assert_int_equal(defrag_table_count(t4), 0);
}

/*
 * A fragment spanning two others is a duplicate if they came in order (one of Linux's runs),
 * an overlap if the second came before the first or anywhere but past the end of all (two
 * runs): as Linux 6.18 answered the same sequences.
 */
static void span4(uint16_t id, const uint32_t (*seq)[3], unsigned int n, bool whole)
{
	struct rte_mbuf *m = NULL;
	enum defrag_verdict v = DEFRAG_HELD;

	fill_datagram(4008, (uint8_t)id);
	for (unsigned int k = 0; k < n; k++) {
		v = in4(frag4(id, seq[k][0], seq[k][1], seq[k][2], 0, 0), T0, &m);
		if (v == DEFRAG_DROP_OVERLAP)
			break;
	}
	if (whole) {
		assert_int_equal(v, DEFRAG_DONE);
		assert_whole4(m, 4008);
		rte_pktmbuf_free(m);
	} else {
		assert_int_equal(v, DEFRAG_DROP_OVERLAP);
	}
	defrag_expire(t4, T0 + 30000, &m, 0);
	assert_int_equal(defrag_table_count(t4), 0);
}

static void test_v4_overlap_runs(void **state)
{
	const uint32_t in_order[][3] = {
		{0, 1000, 1}, {1000, 1000, 1}, {3000, 1008, 0}, {0, 2000, 1}, {2000, 1000, 1}};
	const uint32_t reversed[][3] = {
		{3000, 1008, 0}, {1000, 1000, 1}, {0, 1000, 1}, {0, 2000, 1}, {2000, 1000, 1}};
	const uint32_t after_gap[][3] = {
		{3000, 1008, 0}, {0, 1000, 1}, {1000, 1000, 1}, {0, 2000, 1}, {2000, 1000, 1}};
	const uint32_t tail_dup[][3] = {
		{1000, 1000, 1}, {0, 1000, 1}, {0, 1000, 1}, {2000, 2008, 0}};

	(void)state;
	span4(112, in_order, RTE_DIM(in_order), true);
	span4(111, reversed, RTE_DIM(reversed), false);
	span4(113, after_gap, RTE_DIM(after_gap), false);
	span4(108, tail_dup, RTE_DIM(tail_dup), true);
}

/* ipfrag_time 30 s from the first fragment; time exceeded only if the first one came */
/* ipfrag_time lowered: a new datagram expires on its own time, not behind older, longer ones */
static void test_v4_timeout_lowered(void **state)
{
	struct sysctl_ref ref;
	struct sysctl_value v = {.i = 1};
	struct rte_mbuf *m, *heads[4];

	(void)state;
	fill_datagram(3000, 4);
	assert_int_equal(in4(frag4(20, 0, 1000, true, 0, 0), T0, &m), DEFRAG_HELD);
	assert_int_equal(sysctl_resolve("net.ipv4.ipfrag_time", false, &ref), 0);
	assert_int_equal(sysctl_set(&ref, &v), 0);
	assert_int_equal(in4(frag4(21, 0, 1000, true, 0, 0), T0 + 100, &m), DEFRAG_HELD);
	assert_int_equal(defrag_expire(t4, T0 + 1099, heads, 4), 0);
	assert_int_equal(defrag_expire(t4, T0 + 1100, heads, 4), 1);
	assert_int_equal(
		rte_pktmbuf_mtod(heads[0], struct rte_ipv4_hdr *)->packet_id, rte_cpu_to_be_16(21));
	rte_pktmbuf_free(heads[0]);
	v.i = 30;
	assert_int_equal(sysctl_set(&ref, &v), 0);
	assert_int_equal(defrag_table_count(t4), 1);
	assert_int_equal(defrag_expire(t4, T0 + 30000, heads, 4), 1);
	rte_pktmbuf_free(heads[0]);
	assert_int_equal(defrag_table_count(t4), 0);
}

static void test_v4_timeout(void **state)
{
	const struct defrag_stats *st = defrag_table_stats(t4);
	uint64_t timeouts = st->timeouts;
	struct rte_mbuf *m, *heads[4];

	(void)state;
	fill_datagram(3000, 4);
	/* with its first fragment */
	assert_int_equal(in4(frag4(10, 0, 1000, true, 0, 0), T0, &m), DEFRAG_HELD);
	assert_int_equal(in4(frag4(10, 1000, 1000, true, 0, 0), T0 + 5000, &m), DEFRAG_HELD);
	/* without */
	assert_int_equal(in4(frag4(11, 1000, 1000, true, 0, 0), T0 + 1000, &m), DEFRAG_HELD);
	assert_int_equal(defrag_expire(t4, T0 + 29999, heads, 4), 0);
	assert_int_equal(defrag_table_count(t4), 2);
	assert_int_equal(defrag_expire(t4, T0 + 30000, heads, 4), 1);
	assert_int_equal(defrag_table_count(t4), 1);
	/* the first fragment alone, as it came: what the ICMP error quotes */
	assert_int_equal(heads[0]->nb_segs, 1);
	assert_int_equal(heads[0]->pkt_len, 1020);
	assert_int_equal(
		rte_be_to_cpu_16(
			rte_pktmbuf_mtod(heads[0], struct rte_ipv4_hdr *)->fragment_offset),
		RTE_IPV4_HDR_MF_FLAG);
	assert_bytes(heads[0], 20, datagram, 1000);
	rte_pktmbuf_free(heads[0]);
	assert_int_equal(defrag_expire(t4, T0 + 31000, heads, 4), 0);
	assert_int_equal(defrag_table_count(t4), 0);
	assert_int_equal(st->timeouts, timeouts + 2);
	assert_int_equal(defrag_mem_used(DEFRAG_IPV4), 0);
	/* the last fragment missing, fragments coming in order: the first is chained to the
	 * second in one run, and comes back alone */
	assert_int_equal(in4(frag4(12, 0, 1000, true, 0, 0), T0, &m), DEFRAG_HELD);
	assert_int_equal(in4(frag4(12, 1000, 1000, true, 0, 0), T0, &m), DEFRAG_HELD);
	assert_int_equal(defrag_expire(t4, T0 + 30000, heads, 4), 1);
	assert_int_equal(heads[0]->pkt_len, 1020);
	assert_int_equal(heads[0]->nb_segs, 1);
	assert_null(heads[0]->next);
	rte_pktmbuf_free(heads[0]);
	assert_int_equal(defrag_mem_used(DEFRAG_IPV4), 0);
}

/* What ip_frag_queue() finds corrupt, and what it takes as it is */
static void test_v4_malformed(void **state)
{
	struct rte_mbuf *m, *f;

	(void)state;
	fill_datagram(66000, 5);
	/* two different ends: the datagram is dropped */
	assert_int_equal(in4(frag4(20, 0, 1000, true, 0, 0), T0, &m), DEFRAG_HELD);
	assert_int_equal(in4(frag4(20, 2000, 1000, false, 0, 0), T0, &m), DEFRAG_HELD);
	assert_int_equal(in4(frag4(20, 2000, 1008, false, 0, 0), T0, &m), DEFRAG_DROP_MALFORMED);
	assert_int_equal(defrag_table_count(t4), 0);
	/* bytes beyond the end already known */
	assert_int_equal(in4(frag4(21, 1000, 1000, false, 0, 0), T0, &m), DEFRAG_HELD);
	assert_int_equal(in4(frag4(21, 2000, 8, true, 0, 0), T0, &m), DEFRAG_DROP_MALFORMED);
	assert_int_equal(defrag_table_count(t4), 0);
	/* an empty fragment */
	assert_int_equal(in4(frag4(22, 0, 0, true, 0, 0), T0, &m), DEFRAG_DROP_MALFORMED);
	assert_int_equal(defrag_table_count(t4), 0);
	/* a non-last fragment not a multiple of 8: its tail is ignored */
	assert_int_equal(in4(frag4(23, 0, 1005, true, 0, 0), T0, &m), DEFRAG_HELD);
	assert_int_equal(in4(frag4(23, 1000, 500, false, 0, 0), T0, &m), DEFRAG_DONE);
	assert_whole4(m, 1500);
	rte_pktmbuf_free(m);
	/* tiny fragments are fine: 8 bytes each */
	for (uint32_t off = 0; off < 64; off += 8)
		assert_int_equal(in4(frag4(24, off, 8, off < 56, 0, 0), T0, &m),
			off < 56 ? DEFRAG_HELD : DEFRAG_DONE);
	assert_whole4(m, 64);
	assert_int_equal(m->nb_segs, 8);
	rte_pktmbuf_free(m);
	/* over 65535 bytes whole: dropped when it is whole ("Oversized IP packet") */
	for (uint32_t off = 0; off < 65120; off += 1480) {
		f = frag4(25, off, 1480, true, 0, 0);
		assert_int_equal(in4(f, T0, &m), DEFRAG_HELD);
	}
	assert_int_equal(in4(frag4(25, 65120, 480, false, 0, 0), T0, &m), DEFRAG_DROP_OVERSIZE);
	assert_int_equal(defrag_table_count(t4), 0);
	assert_int_equal(defrag_mem_used(DEFRAG_IPV4), 0);
	/* a fragment shorter than its header says */
	f = frag4(26, 0, 100, true, 0, 0);
	rte_pktmbuf_trim(f, 50);
	assert_int_equal(in4(f, T0, &m), DEFRAG_DROP_TRUNCATED);
}

/* ECN as ip_frag_ecn_table: CE spreads over ECT; ECT mixed with not-ECT is dropped; DF */
static void test_v4_ecn_df(void **state)
{
	struct rte_mbuf *m;
	const struct rte_ipv4_hdr *ip;

	(void)state;
	fill_datagram(2000, 6);
	assert_int_equal(
		in4(frag4(30, 0, 1000, true, RTE_IPV4_HDR_DF_FLAG, 2), T0, &m), DEFRAG_HELD);
	assert_int_equal(
		in4(frag4(30, 1000, 1000, false, RTE_IPV4_HDR_DF_FLAG, 3), T0, &m), DEFRAG_DONE);
	ip = rte_pktmbuf_mtod(m, const struct rte_ipv4_hdr *);
	assert_int_equal(ip->type_of_service & 3, 3);
	/* every fragment had DF: the whole has it */
	assert_int_equal(rte_be_to_cpu_16(ip->fragment_offset), RTE_IPV4_HDR_DF_FLAG);
	assert_int_equal(rte_ipv4_cksum(ip), 0);
	rte_pktmbuf_free(m);

	assert_int_equal(in4(frag4(31, 0, 1000, true, 0, 0), T0, &m), DEFRAG_HELD);
	assert_int_equal(in4(frag4(31, 1000, 1000, false, 0, 2), T0, &m), DEFRAG_DROP_ECN);
	assert_int_equal(defrag_table_count(t4), 0);
	assert_int_equal(defrag_mem_used(DEFRAG_IPV4), 0);
}

/*
 * Past ipfrag_high_thresh, fragments are refused, even for datagrams under way, until memory
 * is freed: Linux 6.1's inet_frag_find(); nothing is evicted (low_thresh has not been used
 * for that since 4.17).
 */
static void test_v4_memory_limit(void **state)
{
	struct sysctl_ref ref;
	struct sysctl_value v = {.i = 0};
	struct rte_mbuf *m, *heads[8];
	uint64_t one;
	unsigned int held = 0;

	(void)state;
	fill_datagram(2000, 7);
	assert_int_equal(in4(frag4(40, 1000, 1000, false, 0, 0), T0, &m), DEFRAG_HELD);
	one = defrag_mem_used(DEFRAG_IPV4);
	assert_int_equal(sysctl_resolve("net.ipv4.ipfrag_high_thresh", false, &ref), 0);
	v.i = (int32_t)(3 * one);
	assert_int_equal(sysctl_set(&ref, &v), 0);
	/* the check is before the fragment is counted, as Linux: up to 4 held */
	for (uint16_t id = 41; id < 50; id++) {
		enum defrag_verdict r = in4(frag4(id, 1000, 1000, false, 0, 0), T0 + 1, &m);

		if (r == DEFRAG_HELD)
			held++;
		else
			assert_int_equal(r, DEFRAG_DROP_NO_MEMORY);
	}
	assert_int_equal(held, 3);
	assert_int_equal(defrag_mem_used(DEFRAG_IPV4), 4 * one);
	/* the datagram under way cannot complete either */
	assert_int_equal(in4(frag4(40, 0, 1000, true, 0, 0), T0 + 2, &m), DEFRAG_DROP_NO_MEMORY);
	/* the oldest times out: room again */
	assert_int_equal(defrag_expire(t4, T0 + 30000, heads, 8), 0);
	assert_int_equal(defrag_table_count(t4), 3);
	assert_int_equal(in4(frag4(40, 0, 1000, true, 0, 0), T0 + 30000, &m), DEFRAG_HELD);
	/* high_thresh 0: nothing is reassembled */
	v.i = 0;
	assert_int_equal(sysctl_set(&ref, &v), 0);
	assert_int_equal(in4(frag4(60, 0, 1000, true, 0, 0), T0, &m), DEFRAG_DROP_NO_MEMORY);
	sysctl_default(&ref, &v);
	assert_int_equal(v.i, 4194304);
	assert_int_equal(sysctl_set(&ref, &v), 0);
	assert_int_equal(defrag_expire(t4, T0 + 70000, heads, 8), 1);
	rte_pktmbuf_free(heads[0]);
	assert_int_equal(defrag_table_count(t4), 0);
	assert_int_equal(defrag_mem_used(DEFRAG_IPV4), 0);
}

/*
 * ipfrag_max_dist: a datagram that got none of the last max_dist fragments from its source
 * starts again (ip_frag_too_far(), ip_frag_reinit()).
 */
static void test_v4_max_dist(void **state)
{
	const struct defrag_stats *st = defrag_table_stats(t4);
	uint64_t freed = st->freed[DEFRAG_DROP_TOO_FAR];
	struct sysctl_ref ref;
	struct sysctl_value v = {.i = 2};
	struct rte_mbuf *m, *heads[4];

	(void)state;
	fill_datagram(2000, 15);
	assert_int_equal(sysctl_resolve("net.ipv4.ipfrag_max_dist", false, &ref), 0);
	assert_int_equal(sysctl_set(&ref, &v), 0);
	assert_int_equal(in4(frag4(200, 0, 1000, true, 0, 0), T0, &m), DEFRAG_HELD);
	for (uint16_t id = 201; id < 204; id++)
		assert_int_equal(in4(frag4(id, 1000, 8, true, 0, 0), T0, &m), DEFRAG_HELD);
	/* 3 fragments of others since its last: its first fragment is gone */
	assert_int_equal(in4(frag4(200, 1000, 1000, false, 0, 0), T0 + 10, &m), DEFRAG_HELD);
	assert_int_equal(st->freed[DEFRAG_DROP_TOO_FAR], freed + 1);
	/* and its timer was re-armed: T0 + 10 + 30 s */
	assert_int_equal(defrag_expire(t4, T0 + 30000, heads, 4), 0);
	assert_int_equal(defrag_table_count(t4), 1);
	assert_int_equal(defrag_expire(t4, T0 + 30010, heads, 4), 0);
	assert_int_equal(defrag_table_count(t4), 0);
	/* max_dist - 1 of others are not too far (Linux counts the datagram's own) */
	assert_int_equal(in4(frag4(205, 0, 1000, true, 0, 0), T0, &m), DEFRAG_HELD);
	assert_int_equal(in4(frag4(206, 1000, 8, true, 0, 0), T0, &m), DEFRAG_HELD);
	assert_int_equal(in4(frag4(205, 1000, 1000, false, 0, 0), T0, &m), DEFRAG_DONE);
	assert_whole4(m, 2000);
	rte_pktmbuf_free(m);
	sysctl_default(&ref, &v);
	assert_int_equal(v.i, 64);
	assert_int_equal(sysctl_set(&ref, &v), 0);
	assert_int_equal(defrag_expire(t4, T0 + 30000, heads, 4), 0);
	assert_int_equal(defrag_table_count(t4), 0);
}

/*
 * Fragments of one datagram arriving at two workers: each sends those it does not own to the
 * owner's ring (the hand-off), the owner alone reassembles. Two threads, two tables.
 */
struct worker_arg {
	unsigned int self;
	struct rte_ring *rings[2];
	struct defrag_table *table;
	struct rte_mbuf *in[8];
	unsigned int n_in;
	unsigned int expected; /* packets the owner gets, from itself and the other */
	struct rte_mbuf *done;
};

static void *worker(void *p)
{
	struct worker_arg *a = p;
	unsigned int got = 0;

	for (unsigned int i = 0; i < a->n_in; i++) {
		unsigned int owner = defrag_owner(defrag4_owner_hash(a->in[i]), 2);

		while (rte_ring_mp_enqueue(a->rings[owner], a->in[i]) != 0)
			;
	}
	while (got < a->expected) {
		struct rte_mbuf *m;

		if (rte_ring_sc_dequeue(a->rings[a->self], (void **)&m) != 0)
			continue;
		got++;
		if (defrag4_input(a->table, &m, T0) == DEFRAG_DONE)
			a->done = m;
	}
	return NULL;
}

static void test_v4_two_workers(void **state)
{
	struct worker_arg a[2] = {{.self = 0}, {.self = 1}};
	struct rte_ring *rings[2];
	struct rte_mbuf *frags[6];
	unsigned int owner, n_owner[2] = {0, 0};
	pthread_t th[2];

	(void)state;
	/* the owner depends on the datagram only, and datagrams spread over workers */
	fill_datagram(6000, 8);
	for (uint16_t id = 0; id < 64; id++) {
		struct rte_mbuf *f0 = frag4(id, 0, 8, true, 0, 0),
				*f1 = frag4(id, 8, 8, false, 0, 0);

		assert_int_equal(defrag4_owner_hash(f0), defrag4_owner_hash(f1));
		n_owner[defrag_owner(defrag4_owner_hash(f0), 2)]++;
		rte_pktmbuf_free(f0);
		rte_pktmbuf_free(f1);
	}
	assert_true(n_owner[0] > 8 && n_owner[1] > 8);

	for (int i = 0; i < 2; i++) {
		char name[32];

		snprintf(name, sizeof(name), "test_defrag_%d", i);
		rings[i] = rte_ring_create(name, 64, SOCKET_ID_ANY, RING_F_SC_DEQ);
		assert_non_null(rings[i]);
	}
	for (int i = 0; i < 6; i++)
		frags[i] = frag4(500, i * 1000, 1000, i < 5, 0, 0);
	owner = defrag_owner(defrag4_owner_hash(frags[0]), 2);
	for (int w = 0; w < 2; w++) {
		a[w].rings[0] = rings[0];
		a[w].rings[1] = rings[1];
		a[w].table = w == 0 ? t4 : defrag_table_create(DEFRAG_IPV4, 64, SOCKET_ID_ANY);
		assert_non_null(a[w].table);
		a[w].expected = (unsigned int)w == owner ? 6 : 0;
	}
	/* even fragments at worker 0, odd ones at worker 1 */
	for (int i = 0; i < 6; i++)
		a[i % 2].in[a[i % 2].n_in++] = frags[i];
	for (int w = 0; w < 2; w++)
		assert_int_equal(pthread_create(&th[w], NULL, worker, &a[w]), 0);
	for (int w = 0; w < 2; w++)
		assert_int_equal(pthread_join(th[w], NULL), 0);
	assert_non_null(a[owner].done);
	assert_null(a[1 - owner].done);
	assert_whole4(a[owner].done, 6000);
	rte_pktmbuf_free(a[owner].done);
	defrag_table_free(a[1].table);
	rte_ring_free(rings[0]);
	rte_ring_free(rings[1]);
}

/* IPv6 -------------------------------------------------------------------------------------- */

static void assert_whole6(const struct rte_mbuf *m, uint32_t len)
{
	const struct rte_ipv6_hdr *ip6 = rte_pktmbuf_mtod(m, const struct rte_ipv6_hdr *);

	assert_int_equal(m->pkt_len, 40 + len);
	assert_int_equal(rte_be_to_cpu_16(ip6->payload_len), len);
	/* the fragment header is gone: its next header takes its place */
	assert_int_equal(ip6->proto, IPPROTO_UDP);
	assert_int_equal(ip6->src_addr[15], 1);
	assert_int_equal(ip6->dst_addr[15], 2);
	assert_bytes(m, 40, datagram, len);
}

static void test_v6_in_order_and_refragment(void **state)
{
	struct rte_mbuf *m, *orig[3], *refrag[8];
	const uint32_t off[3] = {0, 1448, 2896}, len[3] = {1448, 1448, 1104};
	uint8_t orig_bytes[3][1500];
	int n;

	(void)state;
	fill_datagram(4000, 9);
	for (int i = 0; i < 3; i++) {
		orig[i] = frag6(0xabcd1234, off[i], len[i], i < 2, 0);
		memcpy(orig_bytes[i], rte_pktmbuf_mtod(orig[i], void *), 48 + len[i]);
	}
	assert_int_equal(in6(orig[0], T0, &m), DEFRAG_HELD);
	assert_int_equal(in6(orig[2], T0, &m), DEFRAG_HELD);
	assert_int_equal(in6(orig[1], T0, &m), DEFRAG_DONE);
	assert_int_equal(m->nb_segs, 3);
	assert_whole6(m, 4000);
	assert_int_equal(fp_mbuf_frag_max_size(m), 1496);
	assert_int_equal(defrag_mem_used(DEFRAG_IPV6), 0);

	n = ip6_fragment(m, fp_mbuf_frag_max_size(m), 0xabcd1234, pool, refrag, 8);
	assert_int_equal(n, 3);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(refrag[i]->pkt_len, 48 + len[i]);
		assert_memory_equal(
			rte_pktmbuf_mtod(refrag[i], void *), orig_bytes[i], 48 + len[i]);
	}
	rte_pktmbuf_free_bulk(refrag, n);
	/* never below 1280, as ip6_fragment() */
	n = ip6_fragment(m, 600, 1, pool, refrag, 8);
	assert_int_equal(n, 4);
	assert_int_equal(refrag[0]->pkt_len, 48 + 1232);
	rte_pktmbuf_free_bulk(refrag, n);
	assert_int_equal(ip6_fragment(m, 1500, 1, pool, refrag, 2), -ENOBUFS);
	rte_pktmbuf_free(m);
}

/*
 * Cut and put back together: an IPv6 datagram with hop-by-hop options, destination options
 * and a routing header (unfragmentable, ip6_find_1stfragopt()) is cut at 1280 and
 * reassembled into the same bytes.
 */
static void test_v6_round_trip(void **state)
{
	struct rte_mbuf *m, *whole = NULL, *out[4];
	uint8_t *d;
	const uint32_t dlen = 1900;
	int n;

	(void)state;
	fill_datagram(dlen, 19);
	m = new_mbuf(40 + 24 + dlen, &d);
	memset(d, 0, 64);
	d[0] = 0x60;
	d[4] = (uint8_t)((24 + dlen) >> 8), d[5] = (uint8_t)(24 + dlen);
	d[6] = 0, d[7] = 64;				      /* hop-by-hop */
	d[8] = 0x20, d[23] = 1, d[24] = 0x20, d[39] = 2;      /* addresses */
	d[40] = 60, d[41] = 0, d[42] = 1, d[43] = 4;	      /* -> dest options, PadN */
	d[48] = 43, d[49] = 0, d[50] = 1, d[51] = 4;	      /* -> routing, PadN-like */
	d[56] = IPPROTO_UDP, d[57] = 0, d[58] = 4, d[59] = 0; /* -> UDP; segments left 0 */
	memcpy(d + 64, datagram, dlen);
	n = ip6_fragment(m, 1280, 0x55aa, pool, out, 4);
	assert_int_equal(n, 2);
	for (int i = 0; i < n; i++) {
		const uint8_t *f = rte_pktmbuf_mtod(out[i], const uint8_t *);

		/* the fragment header after the routing header, which names it */
		assert_int_equal(f[56], 44);
		assert_int_equal(f[64], IPPROTO_UDP);
		assert_int_equal(out[i]->pkt_len, i == 0 ? 1280 : 64 + 8 + dlen - 1208);
		assert_int_equal(in6(out[i], T0, &whole), i == 0 ? DEFRAG_HELD : DEFRAG_DONE);
	}
	assert_int_equal(whole->pkt_len, m->pkt_len);
	assert_bytes(whole, 0, rte_pktmbuf_mtod(m, uint8_t *), m->pkt_len);
	rte_pktmbuf_free(whole);
	rte_pktmbuf_free(m);
}

static void test_v6_reverse_and_duplicates(void **state)
{
	struct rte_mbuf *m, *f0, *f1;
	uint32_t h0 = 0, h1 = 1;

	(void)state;
	fill_datagram(3000, 10);
	/* the owner: one for a datagram's fragments, none for a packet without fragment header */
	f0 = frag6(77, 0, 1000, true, 0);
	f1 = frag6(77, 2000, 1000, false, 0);
	assert_true(defrag6_owner_hash(f0, &h0));
	assert_true(defrag6_owner_hash(f1, &h1));
	assert_int_equal(h0, h1);
	rte_pktmbuf_mtod(f1, struct rte_ipv6_hdr *)->proto = IPPROTO_UDP;
	assert_false(defrag6_owner_hash(f1, &h1));
	rte_pktmbuf_free(f0);
	rte_pktmbuf_free(f1);
	assert_int_equal(in6(frag6(77, 2000, 1000, false, 0), T0, &m), DEFRAG_HELD);
	assert_int_equal(in6(frag6(77, 2000, 1000, false, 0), T0, &m), DEFRAG_DROP_DUPLICATE);
	assert_int_equal(in6(frag6(77, 1000, 1000, true, 0), T0, &m), DEFRAG_HELD);
	assert_int_equal(in6(frag6(77, 1200, 800, true, 0), T0, &m), DEFRAG_DROP_DUPLICATE);
	assert_int_equal(in6(frag6(77, 0, 1000, true, 0), T0, &m), DEFRAG_DONE);
	assert_whole6(m, 3000);
	rte_pktmbuf_free(m);
}

/* RFC 5722: an overlap drops the datagram */
static void test_v6_overlap(void **state)
{
	struct rte_mbuf *m;

	(void)state;
	fill_datagram(3000, 11);
	assert_int_equal(in6(frag6(78, 0, 1000, true, 0), T0, &m), DEFRAG_HELD);
	assert_int_equal(in6(frag6(78, 1000, 1000, true, 0), T0, &m), DEFRAG_HELD);
	assert_int_equal(in6(frag6(78, 1992, 1008, false, 0), T0, &m), DEFRAG_DROP_OVERLAP);
	assert_int_equal(defrag_table_count(t6), 0);
	assert_int_equal(defrag_mem_used(DEFRAG_IPV6), 0);
}

/* nf_conntrack_frag6_timeout 60 s; time exceeded whenever the first fragment came */
static void test_v6_timeout(void **state)
{
	struct rte_mbuf *m, *heads[2];

	(void)state;
	fill_datagram(3000, 12);
	assert_int_equal(in6(frag6(79, 0, 1000, true, 0), T0, &m), DEFRAG_HELD);
	assert_int_equal(in6(frag6(80, 1000, 1000, true, 0), T0, &m), DEFRAG_HELD);
	assert_int_equal(defrag_expire(t6, T0 + 59999, heads, 2), 0);
	assert_int_equal(defrag_expire(t6, T0 + 60000, heads, 2), 1);
	assert_int_equal(heads[0]->pkt_len, 1048);
	assert_int_equal(rte_pktmbuf_mtod(heads[0], struct rte_ipv6_hdr *)->proto, 44);
	rte_pktmbuf_free(heads[0]);
	assert_int_equal(defrag_table_count(t6), 0);
	assert_int_equal(defrag_mem_used(DEFRAG_IPV6), 0);
}

/* What nf_ct_frag6_gather() lets through, drops, or takes as it is */
static void test_v6_malformed(void **state)
{
	struct rte_mbuf *m, *f;
	uint8_t *d, hdr[40];

	(void)state;
	fill_datagram(3000, 13);
	/* a non-last fragment not a multiple of 8: passed on, its datagram dropped */
	assert_int_equal(in6(frag6(81, 0, 1000, true, 0), T0, &m), DEFRAG_HELD);
	f = frag6(81, 1000, 1001, true, 0);
	assert_int_equal(in6(f, T0, &m), DEFRAG_PASS);
	assert_ptr_equal(m, f);
	assert_int_equal(f->pkt_len, 48 + 1001);
	rte_pktmbuf_free(f);
	assert_int_equal(defrag_table_count(t6), 0);
	/* a first fragment whose UDP header is not whole in it: passed on (RFC 7112) */
	f = frag6(82, 0, 4, true, 0);
	assert_int_equal(in6(f, T0, &m), DEFRAG_PASS);
	rte_pktmbuf_free(f);
	assert_int_equal(defrag_table_count(t6), 0);
	/* not a fragment at all: passed */
	f = frag6(83, 0, 16, false, 0);
	rte_pktmbuf_mtod(f, struct rte_ipv6_hdr *)->proto = IPPROTO_UDP;
	assert_int_equal(in6(f, T0, &m), DEFRAG_PASS);
	rte_pktmbuf_free(f);
	/* past 65535 bytes: the fragment is dropped, the datagram goes on */
	assert_int_equal(in6(frag6(84, 65000, 1000, false, 0), T0, &m), DEFRAG_DROP_OVERSIZE);
	/* two different ends: the fragment is dropped, not the datagram (unlike IPv4) */
	assert_int_equal(in6(frag6(84, 1000, 1000, false, 0), T0, &m), DEFRAG_HELD);
	assert_int_equal(in6(frag6(84, 1000, 1008, false, 0), T0, &m), DEFRAG_DROP_MALFORMED);
	assert_int_equal(in6(frag6(84, 0, 1000, true, 0), T0, &m), DEFRAG_DONE);
	assert_whole6(m, 2000);
	rte_pktmbuf_free(m);
	/* an atomic fragment (offset 0, no M): whole at once, its fragment header removed */
	assert_int_equal(in6(frag6(85, 0, 100, false, 0), T0, &m), DEFRAG_DONE);
	assert_whole6(m, 100);
	rte_pktmbuf_free(m);
	/* a fragment header after a destination options header, kept before it */
	f = frag6(86, 0, 1000, false, 0);
	d = (uint8_t *)rte_pktmbuf_prepend(f, 8);
	memcpy(hdr, d + 8, sizeof(hdr));
	memcpy(d, hdr, sizeof(hdr));
	d[6] = 60; /* fixed header -> destination options -> fragment */
	d[40] = 44, d[41] = 0, d[42] = 1, d[43] = 4, memset(d + 44, 0, 4); /* PadN */
	rte_pktmbuf_mtod(f, struct rte_ipv6_hdr *)->payload_len = rte_cpu_to_be_16(8 + 8 + 1000);
	assert_int_equal(in6(f, T0, &m), DEFRAG_DONE);
	d = rte_pktmbuf_mtod(m, uint8_t *);
	assert_int_equal(m->pkt_len, 48 + 1000);
	assert_int_equal(d[6], 60);
	assert_int_equal(d[40], IPPROTO_UDP);
	assert_int_equal(
		rte_be_to_cpu_16(rte_pktmbuf_mtod(m, struct rte_ipv6_hdr *)->payload_len), 1008);
	assert_bytes(m, 48, datagram, 1000);
	rte_pktmbuf_free(m);
	assert_int_equal(defrag_table_count(t6), 0);
}

static void test_burst(void **state)
{
	struct rte_mbuf *pkts[4], *drops[4];
	uint8_t reasons[4];
	uint16_t n, n_drops;

	(void)state;
	fill_datagram(2000, 14);
	pkts[0] = frag4(90, 0, 1000, true, 0, 0);
	pkts[1] = frag4(90, 0, 1000, true, 0, 0);     /* duplicate */
	pkts[2] = frag4(91, 0, 100, false, 0, 0);     /* not a fragment */
	pkts[3] = frag4(90, 1000, 1000, false, 0, 0); /* completes 90 */
	n = defrag_burst(t4, pkts, 4, T0, drops, reasons, &n_drops);
	assert_int_equal(n, 2);
	assert_int_equal(n_drops, 1);
	assert_int_equal(reasons[0], DEFRAG_DROP_DUPLICATE);
	assert_string_equal(defrag_verdict_name(DEFRAG_IPV4, reasons[0]), "defrag4_duplicate");
	assert_string_equal(
		defrag_verdict_name(DEFRAG_IPV6, DEFRAG_DROP_TIMEOUT), "defrag6_timeout");
	assert_int_equal(pkts[0]->pkt_len, 120);
	assert_whole4(pkts[1], 2000);
	rte_pktmbuf_free_bulk(pkts, n);
	rte_pktmbuf_free(drops[0]);
}

/* A chain's segments and lengths agree. */
static void assert_chain(const struct rte_mbuf *m)
{
	uint32_t len = 0;
	uint16_t segs = 0;

	for (const struct rte_mbuf *s = m; s != NULL; s = s->next) {
		len += s->data_len;
		segs++;
	}
	assert_int_equal(len, m->pkt_len);
	assert_int_equal(segs, m->nb_segs);
}

/*
 * Random fragments of a few datagrams, both families, for anything to break: every verdict is
 * one of the API's, every whole is consistent with its headers, and after the timeouts
 * nothing is held and no buffer is lost.
 */
static void test_random(void **state)
{
	uint64_t x = 0x9e3779b97f4a7c15, now = T0;
	struct rte_mbuf *m, *heads[16];
	unsigned int done = 0;

	(void)state;
	fill_datagram(8000, 18);
	for (unsigned int k = 0; k < 20000; k++) {
		uint32_t r, off, len;
		uint16_t id;
		bool v6, more;
		enum defrag_verdict v;

		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		r = (uint32_t)x;
		v6 = r & 1;
		more = (r >> 1) & 3;
		off = ((r >> 3) % 500) * 8;
		len = (x >> 32) % 1500;
		if (((x >> 44) & 15) == 0)
			len = (len & ~7u) + 8; /* now and then fitting ends */
		/* garbage goes to datagrams of its own, but one in 8 */
		id = ((r >> 12) & 3) | (((x >> 50) & 7) ? 4 : 0);
		if ((x >> 40) & 1) {
			/* half of them the pieces of whole datagrams, ECN-consistent */
			off = ((r >> 3) % 8) * 1000;
			len = 1000;
			more = off < 7000;
			r &= ~(3u << 20);
			id &= 3;
		}
		m = v6 ? frag6(id, off, len, more, 0) : frag4(id, off, len, more, 0, (r >> 20) & 3);
		v = v6 ? in6(m, now, &m) : in4(m, now, &m);
		assert_true(v < DEFRAG_DROP_TIMEOUT);
		if (v == DEFRAG_DONE) {
			assert_chain(m);
			if (v6)
				assert_int_equal(40 + rte_be_to_cpu_16(rte_pktmbuf_mtod(
							      m, struct rte_ipv6_hdr *)
									       ->payload_len),
					m->pkt_len);
			else
				assert_int_equal(
					rte_be_to_cpu_16(rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *)
								 ->total_length),
					m->pkt_len);
			done++;
		}
		if (v == DEFRAG_DONE || v == DEFRAG_PASS)
			rte_pktmbuf_free(m);
		now += 10;
		for (unsigned int n = defrag_expire(k & 1 ? t6 : t4, now, heads, 16); n > 0;)
			rte_pktmbuf_free(heads[--n]);
	}
	assert_true(done > 100);
	for (unsigned int n = defrag_expire(t4, now + 61000, heads, 0); n > 0;)
		rte_pktmbuf_free(heads[--n]);
	for (unsigned int n = defrag_expire(t6, now + 61000, heads, 0); n > 0;)
		rte_pktmbuf_free(heads[--n]);
	assert_int_equal(defrag_table_count(t4) + defrag_table_count(t6), 0);
}

/* Fixtures ---------------------------------------------------------------------------------- */

static int setup(void **state)
{
	(void)state;
	t4 = defrag_table_create(DEFRAG_IPV4, 256, SOCKET_ID_ANY);
	t6 = defrag_table_create(DEFRAG_IPV6, 256, SOCKET_ID_ANY);
	return t4 != NULL && t6 != NULL ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	defrag_table_free(t4);
	defrag_table_free(t6);
	/* nothing held, no buffer lost */
	assert_int_equal(mem_free_of_all(), 0);
	assert_int_equal(rte_mempool_avail_count(pool), POOL_SIZE);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_v4_in_order_and_refragment, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v4_refragment_options, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v4_refragment_geometry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v4_out_of_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v4_reverse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v4_duplicates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v4_overlap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v4_overlap_runs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v4_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v4_timeout_lowered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v4_malformed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v4_ecn_df, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v4_memory_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v4_max_dist, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v4_two_workers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v6_in_order_and_refragment, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v6_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v6_reverse_and_duplicates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v6_overlap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v6_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v6_malformed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_burst, setup, teardown),
		cmocka_unit_test_setup_teardown(test_random, setup, teardown),
	};
	int rc;

	if (test_eal_init("test_defrag", 64) < 0)
		return 1;
	pool = rte_pktmbuf_pool_create("test_defrag", POOL_SIZE, 0, FP_MBUF_PRIV_SIZE,
		RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (pool == NULL)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	rte_mempool_free(pool);
	test_eal_cleanup();
	return rc;
}
