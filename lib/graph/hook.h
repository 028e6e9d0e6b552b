/* SPDX-License-Identifier: BSD-3-Clause */
#pragma once

/*
 * Netfilter's hook points in the graph: per family, Linux's NF_INET_PRE_ROUTING, LOCAL_IN,
 * FORWARD, LOCAL_OUT and POST_ROUTING. A feature (defragmentation, conntrack, nftables chains,
 * IPsec, NAT) registers a node at a hook with a priority in Linux's order and is switched on
 * per interface; the IPv4 and IPv6 nodes know the hooks, never the features. (The kernel twins
 * are not a hook feature but local delivery's fallback, after INPUT: graph/dispatch.h.)
 *
 * A packet enters a hook at a seam: a node of the IPv4/IPv6 path reads the hook's mask for the
 * packet's interface (one byte: bit i set = the hook's i-th feature, by priority, is on) and,
 * when it is not 0, sends the packet to the first feature on (fp_hook_enter). The packet
 * carries the hook, its position and the mask (struct fp_hook_pos in its metadata); a feature
 * node sends what it lets through on with fp_hook_next(): to the next feature on, or, past
 * the last, to the node after the hook. FORWARD and LOCAL_OUT lead into POST_ROUTING, as
 * ip_forward_finish() and __ip_local_out() lead to ip_output(). A mask of 0 costs the seam one
 * byte load and a branch: with no feature on, the path is the one without hooks.
 *
 * Which interface's mask: the input interface's at PREROUTING and INPUT, the output
 * interface's at OUTPUT and POSTROUTING, both (or'ed) at FORWARD.
 *
 * Edges: every node that enters or continues hooks (a seam or a feature node: FP_HOOK_NODE)
 * gets after its own edges one block of edges, the same for all: one per registered feature
 * (every family and hook) and one per hook continuation. The edge to a feature is the node's
 * own edge count plus the feature's index in that block, so that a node needs no table of its
 * own. A hook node must have exactly its static edges (.nb_edges) when the hooks are set up.
 */

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include <rte_graph.h>
#include <rte_mbuf.h>

#include "mbuf.h"

enum fp_hook_family {
	FP_HOOK_IP4,
	FP_HOOK_IP6,
	FP_HOOK_FAMILIES,
};

enum fp_hook {
	FP_HOOK_PREROUTING,
	FP_HOOK_INPUT,
	FP_HOOK_FORWARD,
	FP_HOOK_OUTPUT,
	FP_HOOK_POSTROUTING,
	FP_HOOKS,
};

#define FP_HOOK_ID(family, hook) ((family)*FP_HOOKS + (hook))
#define FP_HOOK_IDS		 (FP_HOOK_FAMILIES * FP_HOOKS)
#define FP_HOOK_FAMILY(id)	 ((id) / FP_HOOKS)
#define FP_HOOK_OF(id)		 ((id) % FP_HOOKS)
/* features per family and hook: a mask is one byte */
#define FP_HOOK_FEATURES_MAX 8
/* fp_hook_enable()'s interface: every interface, also those created later */
#define FP_HOOK_ALL_IFACES -1

/* Linux's enum nf_ip_hook_priorities; a lower priority runs first. */
enum fp_hook_priority {
	FP_HOOK_PRI_CONNTRACK_DEFRAG = -400,
	FP_HOOK_PRI_RAW = -300,
	FP_HOOK_PRI_CONNTRACK = -200,
	FP_HOOK_PRI_MANGLE = -150,
	FP_HOOK_PRI_NAT_DST = -100,
	FP_HOOK_PRI_FILTER = 0,
	FP_HOOK_PRI_SECURITY = 50,
	FP_HOOK_PRI_NAT_SRC = 100,
	FP_HOOK_PRI_CONNTRACK_HELPER = 300,
	FP_HOOK_PRI_CONNTRACK_CONFIRM = INT_MAX,
};

struct fp_hook_feature {
	const char *name; /* what fp_hook_enable() and "show hooks" call it; several may share it */
	uint8_t family;	  /* enum fp_hook_family */
	uint8_t hook;	  /* enum fp_hook */
	int priority;
	const char *node; /* the node its packets go to */
	/* set by the registry */
	uint8_t pos;	/* its bit in the hook's masks */
	uint16_t index; /* its edge in the block */
	bool all_ifaces;
	uint64_t ifaces[FP_MAX_IFACES / 64];
	struct fp_hook_feature *next;
};

void fp_hook_feature_add(struct fp_hook_feature *f);

/* A feature named feature_name at (family, hook) with priority, whose packets go to node_name. */
#define FP_HOOK_REGISTER(var, feature_name, fam, hk, prio, node_name)                              \
	static struct fp_hook_feature var = {                                                      \
		.name = feature_name,                                                              \
		.family = fam,                                                                     \
		.hook = hk,                                                                        \
		.priority = prio,                                                                  \
		.node = node_name,                                                                 \
	};                                                                                         \
	static void __attribute__((constructor)) fp_hook_add_##var(void)                           \
	{                                                                                          \
		fp_hook_feature_add(&var);                                                         \
	}

struct fp_hook_node {
	struct rte_node_register *reg;
	struct fp_hook_node *next;
};

void fp_hook_node_add(struct fp_hook_node *n);

/* node_reg enters or continues hooks: it gets the block of edges after its own. */
#define FP_HOOK_NODE(node_reg)                                                                     \
	static struct fp_hook_node fp_hook_node_##node_reg = {.reg = &node_reg};                   \
	static void __attribute__((constructor)) fp_hook_node_add_##node_reg(void)                 \
	{                                                                                          \
		fp_hook_node_add(&fp_hook_node_##node_reg);                                        \
	}

/* Sets each hook's continuation: the node after it (FORWARD and OUTPUT have none: POSTROUTING). */
void fp_hook_set_continuation(enum fp_hook_family family, enum fp_hook hook, const char *node);

#define FP_HOOK_CONTINUATION(fam, hk, node_name)                                                   \
	static void __attribute__((constructor)) fp_hook_cont_##fam##_##hk(void)                   \
	{                                                                                          \
		fp_hook_set_continuation(fam, hk, node_name);                                      \
	}

/* Per hook, what the workers read: the block's index of each feature, by position. */
struct fp_hook_table {
	uint16_t feature[FP_HOOK_FEATURES_MAX];
	uint16_t cont; /* the continuation's index in the block */
};

extern struct fp_hook_table fp_hook_tables[FP_HOOK_IDS];
/* per interface and hook, the features on; written by the control thread only */
extern uint8_t fp_hook_masks[FP_MAX_IFACES][FP_HOOK_IDS];

/*
 * Per hook, the features on for any interface (the or of every interface's mask): a node tests
 * it once per burst, so that with nothing on anywhere its packets pay no per-packet test.
 */
extern uint8_t fp_hook_any[FP_HOOK_IDS];

static inline uint8_t fp_hook_any_mask(unsigned int id)
{
	return __atomic_load_n(&fp_hook_any[id], __ATOMIC_RELAXED);
}

/* The features on at hook id for interface iface (0 for no interface). */
static inline uint8_t fp_hook_mask(uint16_t iface, unsigned int id)
{
	return likely(iface < FP_MAX_IFACES)
		       ? __atomic_load_n(&fp_hook_masks[iface][id], __ATOMIC_RELAXED)
		       : 0;
}

/* The features on at FORWARD for a packet from iif to oif. */
static inline uint8_t fp_hook_forward_mask(enum fp_hook_family family, uint16_t iif, uint16_t oif)
{
	unsigned int id = FP_HOOK_ID(family, FP_HOOK_FORWARD);

	return fp_hook_mask(iif, id) | fp_hook_mask(oif, id);
}

/*
 * The edge, of a hook node with own_edges edges of its own, to the first feature of mask
 * (not 0) at hook id; the packet remembers where it is.
 */
static inline rte_edge_t fp_hook_enter(
	struct rte_mbuf *m, unsigned int id, uint8_t mask, rte_edge_t own_edges)
{
	struct fp_hook_pos *h = &fp_mbuf_priv(m)->hook;

	h->id = id;
	h->mask = mask;
	h->pos = __builtin_ctz(mask);
	return own_edges + fp_hook_tables[id].feature[h->pos];
}

/*
 * The edge, of a hook node with own_edges edges of its own, that a packet a feature lets
 * through takes: the next feature on at its hook, or the node after the hook (entering
 * POSTROUTING after FORWARD and OUTPUT, when a feature is on there for the output interface).
 */
static inline rte_edge_t fp_hook_next(struct rte_mbuf *m, rte_edge_t own_edges)
{
	struct fp_mbuf_priv *priv = fp_mbuf_priv(m);
	struct fp_hook_pos *h = &priv->hook;
	unsigned int rest = h->mask & ~((2u << h->pos) - 1);
	unsigned int id = h->id, post;
	uint8_t mask;

	if (rest != 0) {
		h->pos = __builtin_ctz(rest);
		return own_edges + fp_hook_tables[id].feature[h->pos];
	}
	if (FP_HOOK_OF(id) != FP_HOOK_FORWARD && FP_HOOK_OF(id) != FP_HOOK_OUTPUT)
		return own_edges + fp_hook_tables[id].cont;
	post = FP_HOOK_ID(FP_HOOK_FAMILY(id), FP_HOOK_POSTROUTING);
	mask = fp_hook_mask(priv->iface_out, post);
	if (mask != 0)
		return fp_hook_enter(m, post, mask, own_edges);
	return own_edges + fp_hook_tables[post].cont;
}

/*
 * Switches the features called name on or off (all their families and hooks) for one
 * interface, or for every interface (FP_HOOK_ALL_IFACES, which also covers interfaces created
 * later; an interface switched on by itself stays on when "all" goes off). Control thread.
 * -ENOENT for a name no feature has.
 */
int fp_hook_enable(const char *name, int iface, bool on);

/* Whether a feature called name is on for iface (any of its hooks). */
bool fp_hook_enabled(const char *name, uint16_t iface);

/* The registered features, in family, hook and priority order (for listings). */
const struct fp_hook_feature *fp_hook_features(void);

/* Appends the edge blocks to the hook nodes; before the workers' graphs are created. */
int fp_hooks_setup(void);
