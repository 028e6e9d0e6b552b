/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The hook registry (lib/graph/hook.c): features in Linux's priority order (ties in registration
 * order), masks per interface and for every interface (also one created later), the forward
 * mask, fp_hook_enter()/fp_hook_next() walking FORWARD into POSTROUTING and out through its
 * continuation, enabling by name, -ENOENT; and the dispatch registry (lib/graph/dispatch.c) that
 * adds the edges. On a real EAL with every module (test_eal.h): the daemon's own seams are there.
 */
#include "graph/dispatch.h"
#include "graph/graph.h"
#include "graph/hook.h"
#include "graph/mbuf.h"
#include "test_eal.h"

#include <errno.h>
#include <limits.h>
#include <string.h>

#include <rte_graph.h>

/* cmocka needs these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#define FWD  FP_HOOK_ID(FP_HOOK_IP4, FP_HOOK_FORWARD)
#define POST FP_HOOK_ID(FP_HOOK_IP4, FP_HOOK_POSTROUTING)

FP_DROP_NODE(test_hook_feature)
FP_DROP_NODE(test_hook_sink)
FP_DROP_NODE(test_hook_l4)

/* a seam of the test's own, with one edge of its own */
static struct rte_node_register test_hook_seam_node = {
	.name = "test_hook_seam",
	.process = fp_drop_process,
	.nb_edges = 1,
	.next_nodes = {"test_hook_sink"},
};
FP_NODE_REGISTER(test_hook_seam_node)
FP_HOOK_NODE(test_hook_seam_node)
FP_DISPATCH_REGISTER(test_dispatch_l4, "test_hook_seam", 17, "test_hook_l4")
FP_DISPATCH_REGISTER(test_dispatch_again, "test_hook_seam", 6, "test_hook_l4")

/* registered by hand in main(), in this order, before the set-up */
static struct fp_hook_feature tie_first = {
	.name = "test_tie_first",
	.family = FP_HOOK_IP4,
	.hook = FP_HOOK_FORWARD,
	.priority = FP_HOOK_PRI_FILTER,
	.node = "test_hook_feature",
};
static struct fp_hook_feature tie_second = {
	.name = "test_tie_second",
	.family = FP_HOOK_IP4,
	.hook = FP_HOOK_FORWARD,
	.priority = FP_HOOK_PRI_FILTER,
	.node = "test_hook_feature",
};
static struct fp_hook_feature confirm = {
	.name = "test_confirm",
	.family = FP_HOOK_IP4,
	.hook = FP_HOOK_FORWARD,
	.priority = FP_HOOK_PRI_CONNTRACK_CONFIRM,
	.node = "test_hook_feature",
};
static struct fp_hook_feature raw = {
	.name = "test_raw",
	.family = FP_HOOK_IP4,
	.hook = FP_HOOK_FORWARD,
	.priority = FP_HOOK_PRI_RAW,
	.node = "test_hook_feature",
};
/* one name at two hooks: FORWARD and POSTROUTING */
static struct fp_hook_feature nat_fwd = {
	.name = "test_nat",
	.family = FP_HOOK_IP4,
	.hook = FP_HOOK_FORWARD,
	.priority = FP_HOOK_PRI_NAT_DST,
	.node = "test_hook_feature",
};
static struct fp_hook_feature nat_post = {
	.name = "test_nat",
	.family = FP_HOOK_IP4,
	.hook = FP_HOOK_POSTROUTING,
	.priority = FP_HOOK_PRI_NAT_SRC,
	.node = "test_hook_feature",
};

static struct fp_mbuf_priv_holder {
	struct rte_mbuf m;
	struct fp_mbuf_priv priv;
} pkt;

static int group_setup(void **state)
{
	(void)state;
	return test_eal_setup("test_hook", 1024);
}

static int group_teardown(void **state)
{
	(void)state;
	test_eal_teardown();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (const struct fp_hook_feature *f = fp_hook_features(); f != NULL; f = f->next)
		if (strncmp(f->name, "test_", 5) == 0) {
			assert_int_equal(fp_hook_enable(f->name, FP_HOOK_ALL_IFACES, false), 0);
			for (int i = 0; i < FP_MAX_IFACES; i++)
				assert_int_equal(fp_hook_enable(f->name, i, false), 0);
		}
	return 0;
}

static void test_priority_order(void **state)
{
	const struct fp_hook_feature *prev = NULL;

	(void)state;
	assert_true(raw.pos < nat_fwd.pos);
	assert_true(nat_fwd.pos < tie_first.pos);
	/* equal priorities: in registration order, as nf_register_net_hook() */
	assert_int_equal(tie_second.pos, tie_first.pos + 1);
	assert_true(tie_second.pos < confirm.pos);
	/* the list: family, hook, priority; positions count up from 0 per hook */
	for (const struct fp_hook_feature *f = fp_hook_features(); f != NULL;
		prev = f, f = f->next) {
		unsigned int id = FP_HOOK_ID(f->family, f->hook);

		assert_int_equal(fp_hook_tables[id].feature[f->pos], f->index);
		if (prev == NULL || (unsigned int)FP_HOOK_ID(prev->family, prev->hook) != id) {
			assert_int_equal(f->pos, 0);
			continue;
		}
		assert_true(prev->priority <= f->priority);
		assert_int_equal(f->pos, prev->pos + 1);
	}
}

static void test_masks(void **state)
{
	(void)state;
	assert_int_equal(fp_hook_enable("test_tie_second", 3, true), 0);
	assert_int_equal(fp_hook_mask(3, FWD), 1u << tie_second.pos);
	assert_int_equal(fp_hook_mask(4, FWD), 0);
	assert_true(fp_hook_enabled("test_tie_second", 3));
	assert_false(fp_hook_enabled("test_tie_second", 4));
	assert_int_equal(fp_hook_any_mask(FWD), 1u << tie_second.pos);
	/* every interface, also one created later (the masks cover every id) */
	assert_int_equal(fp_hook_enable("test_raw", FP_HOOK_ALL_IFACES, true), 0);
	assert_int_equal(fp_hook_mask(4, FWD), 1u << raw.pos);
	assert_int_equal(fp_hook_mask(FP_MAX_IFACES - 1, FWD), 1u << raw.pos);
	assert_int_equal(fp_hook_mask(3, FWD), (1u << raw.pos) | (1u << tie_second.pos));
	/* no interface: nothing */
	assert_int_equal(fp_hook_mask(UINT16_MAX, FWD), 0);
	/* an interface switched on by itself stays on when "all" goes off */
	assert_int_equal(fp_hook_enable("test_raw", 3, true), 0);
	assert_int_equal(fp_hook_enable("test_raw", FP_HOOK_ALL_IFACES, false), 0);
	assert_int_equal(fp_hook_mask(3, FWD), (1u << raw.pos) | (1u << tie_second.pos));
	assert_int_equal(fp_hook_mask(4, FWD), 0);
	/* the forward mask: both interfaces' */
	assert_int_equal(fp_hook_enable("test_confirm", 5, true), 0);
	assert_int_equal(fp_hook_forward_mask(FP_HOOK_IP4, 3, 5),
		(1u << raw.pos) | (1u << tie_second.pos) | (1u << confirm.pos));
	assert_int_equal(fp_hook_forward_mask(FP_HOOK_IP6, 3, 5), 0);
	/* one name, every hook it has */
	assert_int_equal(fp_hook_enable("test_nat", 7, true), 0);
	assert_int_equal(fp_hook_mask(7, FWD), 1u << nat_fwd.pos);
	assert_int_equal(fp_hook_mask(7, POST), 1u << nat_post.pos);
}

static void test_unknown(void **state)
{
	(void)state;
	assert_int_equal(fp_hook_enable("no_such_feature", 1, true), -ENOENT);
	assert_int_equal(fp_hook_enable("test_raw", FP_MAX_IFACES, true), -EINVAL);
	assert_int_equal(fp_hook_enable("test_raw", -2, true), -EINVAL);
	assert_false(fp_hook_enabled("no_such_feature", 1));
}

/* enter FORWARD, every feature on in order, then POSTROUTING's, then its continuation */
static void test_chain(void **state)
{
	struct rte_mbuf *m = &pkt.m;
	struct fp_mbuf_priv *priv = fp_mbuf_priv(m);
	rte_node_t seam = rte_node_from_name("test_hook_seam");
	const rte_edge_t own = 1;
	uint8_t mask;

	(void)state;
	assert_ptr_equal(priv, &pkt.priv);
	*priv = (struct fp_mbuf_priv){.iface_in = 3, .iface_out = 7};
	assert_int_equal(fp_hook_enable("test_raw", 3, true), 0);
	assert_int_equal(fp_hook_enable("test_confirm", 7, true), 0);
	assert_int_equal(fp_hook_enable("test_nat", 7, true), 0);
	mask = fp_hook_forward_mask(FP_HOOK_IP4, 3, 7);
	assert_int_equal(mask, (1u << raw.pos) | (1u << nat_fwd.pos) | (1u << confirm.pos));
	assert_int_equal(fp_hook_enter(m, FWD, mask, own), own + raw.index);
	assert_int_equal(fp_hook_next(m, own), own + nat_fwd.index);
	assert_int_equal(fp_hook_next(m, own), own + confirm.index);
	/* past FORWARD: POSTROUTING, with the output interface's mask */
	assert_int_equal(fp_hook_next(m, own), own + nat_post.index);
	assert_int_equal(priv->hook.id, POST);
	/* past POSTROUTING: its continuation, the output step */
	assert_int_equal(fp_hook_next(m, own), own + fp_hook_tables[POST].cont);
	/* nothing on at POSTROUTING for the output interface: straight to the continuation */
	priv->iface_out = 8;
	assert_int_equal(fp_hook_enter(m, FWD, 1u << raw.pos, own), own + raw.index);
	assert_int_equal(fp_hook_next(m, own), own + fp_hook_tables[POST].cont);
	/* the block follows the seam's own edge: every feature and continuation once */
	assert_true(rte_node_edge_count(seam) > own + fp_hook_tables[POST].cont);
}

/* the dispatch registry: edges after the hooks' block, one per target, the table by key */
static void test_dispatch(void **state)
{
	rte_edge_t table[32];
	rte_edge_t e = fp_dispatch_edge("test_hook_seam", 17);

	(void)state;
	assert_int_not_equal(e, RTE_EDGE_ID_INVALID);
	assert_int_equal(e, rte_node_edge_count(rte_node_from_name("test_hook_seam")) - 1);
	/* the same target twice: one edge */
	assert_int_equal(fp_dispatch_edge("test_hook_seam", 6), e);
	assert_int_equal(fp_dispatch_edge("test_hook_seam", 5), RTE_EDGE_ID_INVALID);
	assert_int_equal(fp_dispatch_table("test_hook_seam", table, 32, 0), 2);
	assert_int_equal(table[17], e);
	assert_int_equal(table[6], e);
	assert_int_equal(table[5], 0);
	/* the IPv4 local delivery's ICMP, registered by lib/ip4 */
	assert_int_not_equal(fp_dispatch_edge("ip4_local", 1), RTE_EDGE_ID_INVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_priority_order),
		cmocka_unit_test_teardown(test_masks, teardown),
		cmocka_unit_test_teardown(test_unknown, teardown),
		cmocka_unit_test_teardown(test_chain, teardown),
		cmocka_unit_test(test_dispatch),
	};

	fp_hook_feature_add(&confirm);
	fp_hook_feature_add(&tie_first);
	fp_hook_feature_add(&tie_second);
	fp_hook_feature_add(&raw);
	fp_hook_feature_add(&nat_fwd);
	fp_hook_feature_add(&nat_post);
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
