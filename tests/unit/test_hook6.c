/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The IPv6 nodes' netfilter seams (graph/hook.h, docs/ipv6.md) in a worker's graph: a feature
 * of this test at each hook records the packets it sees and sends them to the hook's
 * continuation. A packet meets the features on for its interfaces, at the right hooks, in
 * Linux's order, and none when nothing is on; what a seam skips goes the fused way.
 */
#include "graph/graph.h"
#include "graph/hook.h"
#include "infra/control.h"
#include "infra/iface.h"
#include "ip6/addr6.h"
#include "ip6/ip6.h"
#include "test_eal.h"

#include <string.h>

#include <rte_errno.h>
#include <rte_graph_worker.h>
#include <rte_udp.h>

/* cmocka needs these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#define MAX_SEEN 16

/* What the features saw, in order: the hook, and the packet's hop limit there. */
static struct {
	uint8_t hook;
	uint8_t hop_limit;
} seen[MAX_SEEN];
static unsigned int n_seen;

static uint16_t feature_process(
	struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = objs[i];

		if (n_seen < MAX_SEEN) {
			seen[n_seen].hook = FP_HOOK_OF(fp_mbuf_priv(m)->hook.id);
			seen[n_seen].hop_limit =
				rte_pktmbuf_mtod(m, struct rte_ipv6_hdr *)->hop_limits;
			n_seen++;
		}
		/* on: the next feature, or past the hook (FORWARD and OUTPUT into POSTROUTING) */
		rte_node_enqueue_x1(graph, node, fp_hook_next(m, 0), m);
	}
	return n;
}

/* A feature of the test at hook hk: a node of no edges of its own, the hooks' block only. */
#define TEST_FEATURE(hk, feat)                                                                     \
	static struct rte_node_register feat##_node = {                                            \
		.name = #feat,                                                                     \
		.process = feature_process,                                                        \
	};                                                                                         \
	FP_NODE_REGISTER(feat##_node)                                                              \
	FP_HOOK_NODE(feat##_node)                                                                  \
	FP_HOOK_REGISTER(feat##_feature, #feat, FP_HOOK_IP6, hk, FP_HOOK_PRI_FILTER, #feat)

TEST_FEATURE(FP_HOOK_PREROUTING, t6_pre)
TEST_FEATURE(FP_HOOK_INPUT, t6_in)
TEST_FEATURE(FP_HOOK_FORWARD, t6_fwd)
TEST_FEATURE(FP_HOOK_OUTPUT, t6_out)
TEST_FEATURE(FP_HOOK_POSTROUTING, t6_post)

/* The ports' RX: the packets of the test, once, into ip6_input. */
static struct rte_mbuf *rx[RTE_GRAPH_BURST_SIZE];
static uint16_t rx_n;

static uint16_t test_rx_process(
	struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t n)
{
	uint16_t got = rx_n;

	(void)objs;
	(void)n;
	if (got > 0)
		rte_node_enqueue(graph, node, 0, (void **)rx, got);
	rx_n = 0;
	return got;
}

static struct rte_node_register test_rx_node = {
	.name = "test_hook6_rx",
	.flags = RTE_NODE_SOURCE_F,
	.process = test_rx_process,
	.nb_edges = 1,
	.next_nodes = {"ip6_input"},
};
RTE_NODE_REGISTER(test_rx_node);

static struct rte_graph *graph;
static struct rte_mempool *pool;
static struct iface *p0, *p1;

static struct fp_ip6_addr A(const char *s) {
	struct fp_ip6_addr a;

	assert_int_equal(fp_ip6_parse(s, &a), 0);
	return a;
}

/* Packets a node got since the last call for it. */
static uint64_t
node_got(const char *name)
{
	static uint64_t before[1024]; /* by node id */
	struct rte_node *node = rte_graph_node_get_by_name("worker0", name);
	uint64_t got;

	assert_non_null(node);
	assert_true(node->id < RTE_DIM(before));
	got = node->total_objs - before[node->id];
	before[node->id] = node->total_objs;
	return got;
}

static const char *const watched[] = {
	"ip6_forward", "ip6_route_input", "ip6_local", "ip6_route", "ip6_output"};

/* An ICMPv6 echo request (or a UDP datagram) from h1 on p0 to dst, hop limit 64. */
static void send_one(const char *dst, bool echo)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	uint8_t pkt[sizeof(struct rte_ipv6_hdr) + 16] = {0};
	struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)pkt;
	uint8_t *l4 = pkt + sizeof(*ip);

	ip->vtc_flow = RTE_BE32(0x60000000);
	ip->payload_len = RTE_BE16(16);
	ip->proto = echo ? IPPROTO_ICMPV6 : IPPROTO_UDP;
	ip->hop_limits = 64;
	*(struct fp_ip6_addr *)ip->src_addr = A("2001:db8:1::2");
	*(struct fp_ip6_addr *)ip->dst_addr = A(dst);
	if (echo) {
		l4[0] = ICMP6_ECHO_REQUEST;
		((struct icmp6_hdr *)l4)->cksum = icmp6_cksum(ip6_src(ip), ip6_dst(ip), l4, 16);
	} else {
		*(struct rte_udp_hdr *)l4 = (struct rte_udp_hdr){
			.src_port = RTE_BE16(1000),
			.dst_port = RTE_BE16(2000),
			.dgram_len = RTE_BE16(16),
		};
	}
	assert_non_null(m);
	assert_non_null(rte_pktmbuf_append(m, sizeof(pkt)));
	memcpy(rte_pktmbuf_mtod(m, void *), pkt, sizeof(pkt));
	*fp_mbuf_priv(m) = (struct fp_mbuf_priv){
		.iface_in = p0->id,
		.vrf = p0->vrf,
		.flags = FP_MBUF_AT_L3,
	};
	rx[rx_n++] = m;
	n_seen = 0;
	for (unsigned int i = 0; i < RTE_DIM(watched); i++)
		node_got(watched[i]);
	rte_graph_walk(graph);
	rte_graph_walk(graph);
}

static void enable(const char *feature, const struct iface *ifc, bool on)
{
	assert_int_equal(fp_hook_enable(feature, ifc->id, on), 0);
}

static void test_nothing_on(void **state)
{
	(void)state;
	send_one("2001:db8:2::2", false);
	assert_int_equal(n_seen, 0);
	assert_int_equal(node_got("ip6_forward"), 1);
	/* the fused path: routed in ip6_input, the output step in ip6_forward */
	assert_int_equal(node_got("ip6_route_input"), 0);
	assert_int_equal(node_got("ip6_output"), 0);
	send_one("2001:db8:1::1", true);
	assert_int_equal(n_seen, 0);
	assert_int_equal(node_got("ip6_local"), 1);
	assert_int_equal(node_got("ip6_route"), 1); /* the echo reply */
	assert_int_equal(node_got("ip6_output"), 1);
}

static void test_forwarded(void **state)
{
	(void)state;
	/* PREROUTING and FORWARD on the input interface, POSTROUTING on the output one */
	enable("t6_pre", p0, true);
	enable("t6_fwd", p0, true);
	enable("t6_post", p1, true);
	send_one("2001:db8:2::2", false);
	assert_int_equal(n_seen, 3);
	assert_int_equal(seen[0].hook, FP_HOOK_PREROUTING);
	assert_int_equal(seen[0].hop_limit, 64);
	/* Linux decrements before NF_INET_FORWARD */
	assert_int_equal(seen[1].hook, FP_HOOK_FORWARD);
	assert_int_equal(seen[1].hop_limit, 63);
	/* FORWARD leads into POSTROUTING, whose continuation is ip6_output */
	assert_int_equal(seen[2].hook, FP_HOOK_POSTROUTING);
	assert_int_equal(node_got("ip6_route_input"), 1);
	assert_int_equal(node_got("ip6_forward"), 1);
	assert_int_equal(node_got("ip6_output"), 1);
	/* FORWARD off: POSTROUTING's seam in ip6_forward */
	enable("t6_fwd", p0, false);
	send_one("2001:db8:2::2", false);
	assert_int_equal(n_seen, 2);
	assert_int_equal(seen[1].hook, FP_HOOK_POSTROUTING);
	assert_int_equal(seen[1].hop_limit, 63);
	assert_int_equal(node_got("ip6_output"), 1);
	/* FORWARD's mask is the output interface's too; POSTROUTING's the output one's only */
	enable("t6_pre", p0, false);
	enable("t6_post", p1, false);
	enable("t6_fwd", p1, true);
	enable("t6_post", p0, true);
	send_one("2001:db8:2::2", false);
	assert_int_equal(n_seen, 1);
	assert_int_equal(seen[0].hook, FP_HOOK_FORWARD);
	assert_int_equal(node_got("ip6_route_input"), 0);
	enable("t6_fwd", p1, false);
	enable("t6_post", p0, false);
	/* a packet that fails ip6_input's checks meets no hook */
	enable("t6_pre", p0, true);
	send_one("::1", false);
	assert_int_equal(n_seen, 0);
	assert_int_equal(node_got("ip6_forward"), 0);
	enable("t6_pre", p0, false);
}

static void test_local(void **state)
{
	(void)state;
	/* INPUT on the fused path (routed in ip6_input), the reply through OUTPUT */
	enable("t6_in", p0, true);
	enable("t6_out", p0, true);
	send_one("2001:db8:1::1", true);
	assert_int_equal(n_seen, 2);
	assert_int_equal(seen[0].hook, FP_HOOK_INPUT);
	assert_int_equal(seen[1].hook, FP_HOOK_OUTPUT);
	assert_int_equal(node_got("ip6_local"), 1);
	assert_int_equal(node_got("ip6_output"), 1);
	/* after PREROUTING: routed in ip6_route_input, INPUT's seam there */
	enable("t6_pre", p0, true);
	enable("t6_out", p0, false);
	send_one("2001:db8:1::1", true);
	assert_int_equal(n_seen, 2);
	assert_int_equal(seen[0].hook, FP_HOOK_PREROUTING);
	assert_int_equal(seen[1].hook, FP_HOOK_INPUT);
	assert_int_equal(node_got("ip6_route_input"), 1);
	assert_int_equal(node_got("ip6_local"), 1);
	/* a link-local address of ours, routed by the interface after PREROUTING */
	send_one("fe80::ff:fe00:f01", true);
	assert_int_equal(n_seen, 2);
	assert_int_equal(seen[1].hook, FP_HOOK_INPUT);
	assert_int_equal(node_got("ip6_local"), 1);
	/* the reply: POSTROUTING on its output interface */
	enable("t6_in", p0, false);
	enable("t6_pre", p0, false);
	enable("t6_post", p0, true);
	send_one("2001:db8:1::1", true);
	assert_int_equal(n_seen, 1);
	assert_int_equal(seen[0].hook, FP_HOOK_POSTROUTING);
	assert_int_equal(node_got("ip6_output"), 1);
	enable("t6_post", p0, false);
}

static int group_setup(void **state)
{
	const char *patterns[] = {"test_hook6_rx"};
	struct rte_graph_param prm = {
		.socket_id = SOCKET_ID_ANY,
		.node_patterns = patterns,
		.nb_node_patterns = RTE_DIM(patterns),
	};
	int64_t now;

	(void)state;
	if (test_eal_setup("test_hook6", 1024) < 0)
		return -1;
	pool = rte_pktmbuf_pool_create(
		"test_hook6", 255, 0, FP_MBUF_PRIV_SIZE, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	p0 = test_iface_new("t6p0", 1);
	p1 = test_iface_new("t6p1", 2);
	if (pool == NULL ||
		ip6_addr_add(p0->id, &(struct fp_ip6_prefix){A("2001:db8:1::1"), 64}) < 0 ||
		ip6_addr_add(p1->id, &(struct fp_ip6_prefix){A("2001:db8:2::1"), 64}) < 0)
		return -1;
	/* DAD's probe, then its verdict */
	now = control_now_ms();
	ip6_addr_periodic(now + 1500);
	ip6_addr_periodic(now + 3000);
	/* the test's source and what it reaches, as worker 0's graph (port_tx's queue) */
	test_inject_attach();
	if (rte_graph_create("worker0", &prm) == RTE_GRAPH_ID_INVALID) {
		fprintf(stderr, "graph: %s\n", rte_strerror(rte_errno));
		return -1;
	}
	graph = rte_graph_lookup("worker0");
	return graph == NULL ? -1 : 0;
}

static int group_teardown(void **state)
{
	(void)state;
	rte_graph_destroy(rte_graph_from_name("worker0"));
	test_inject_detach();
	test_eal_teardown();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nothing_on),
		cmocka_unit_test(test_forwarded),
		cmocka_unit_test(test_local),
	};

	return cmocka_run_group_tests_name("ip6 seams", tests, group_setup, group_teardown);
}
