/* SPDX-License-Identifier: BSD-3-Clause */
#pragma once

/*
 * Dispatch by registration: a node that sends packets on by a key (eth_input by ethertype,
 * port_rx to its RX entry, ip4_local and ip6_local by L4 protocol) names none of the nodes it
 * sends to; they register themselves from their folders, by constructor, as (dispatching node,
 * key, target node). At start-up (after the hooks' edge blocks, graph/hook.h) each entry
 * becomes an edge of the dispatching node, appended after its own (an edge it has already to
 * the same node is reused), and the node builds its own table from them in its init
 * (fp_dispatch_table(), fp_dispatch_edge()).
 *
 * Local delivery's fallback: what a family's local delivery does not answer itself (Linux's
 * socket layer, after the INPUT hook) and link-local multicast go to one node registered as the
 * fallback (lib/twin: up the interface's kernel twin) when it takes the packet's input
 * interface; without it, or when it does not take the interface, the node answers as Linux does
 * when no socket listens (port or protocol unreachable, ...). A node that hands packets to it
 * marks itself with FP_LOCAL_FALLBACK_NODE and finds its edge with
 * fp_dispatch_edge(name, FP_DISPATCH_FALLBACK).
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_graph.h>
#include <rte_mbuf.h>

struct fp_dispatch_entry {
	const char *from; /* the dispatching node */
	uint32_t key;	  /* its meaning is from's: ethertype, priority, L4 protocol... */
	const char *to;	  /* the target node; NULL: the local fallback's, if any */
	/* set by the registry */
	rte_edge_t edge; /* from's edge to to; RTE_EDGE_ID_INVALID: none (no fallback) */
	struct fp_dispatch_entry *next;
};

void fp_dispatch_add(struct fp_dispatch_entry *e);

/* Node to_node takes from_node's packets of key k. */
#define FP_DISPATCH_REGISTER(var, from_node, k, to_node)                                           \
	static struct fp_dispatch_entry var = {                                                    \
		.from = from_node,                                                                 \
		.key = k,                                                                          \
		.to = to_node,                                                                     \
	};                                                                                         \
	static void __attribute__((constructor)) fp_dispatch_add_##var(void)                       \
	{                                                                                          \
		fp_dispatch_add(&var);                                                             \
	}

/* The key of the local fallback's edge. */
#define FP_DISPATCH_FALLBACK UINT32_MAX

/* Node node_name hands what it does not answer to the local fallback (when there is one). */
#define FP_LOCAL_FALLBACK_NODE(var, node_name)                                                     \
	FP_DISPATCH_REGISTER(var, node_name, FP_DISPATCH_FALLBACK, NULL)

/* Node node_name takes local_node's packets of L4 protocol proto (IPPROTO_*). */
#define FP_L4_PROTO_REGISTER(var, local_node, proto, node_name)                                    \
	FP_DISPATCH_REGISTER(var, local_node, proto, node_name)

/*
 * The edge of node from for key (the first registered), RTE_EDGE_ID_INVALID if none. After the
 * set-up (module order 3): in a node's init or a module's of a later order.
 */
rte_edge_t fp_dispatch_edge(const char *from, uint32_t key);

/*
 * Fills table[key] with from's edge for every key below n_keys, none for keys nobody
 * registered; returns how many keys have an edge.
 */
unsigned int fp_dispatch_table(
	const char *from, rte_edge_t *table, uint32_t n_keys, rte_edge_t none);

/* The registered entries (for listings and the nodes' own tables). */
const struct fp_dispatch_entry *fp_dispatch_entries(void);

/* Appends the entries' edges; module order 3, after the hooks'. */
int fp_dispatch_setup(void);

struct fp_local_fallback {
	const char *node;			/* where the packets it takes go */
	bool (*takes)(uint16_t iface);		/* workers: whether it takes iface's packets now */
	void (*copy)(const struct rte_mbuf *m); /* control thread: a copy of a frame the router
						 * processed itself (ARP, NDP), may be NULL */
};

/* Registers the local fallback (one at most: the last one wins). */
void fp_local_fallback_set(const struct fp_local_fallback *f);

#define FP_LOCAL_FALLBACK_REGISTER(var)                                                            \
	static void __attribute__((constructor)) fp_local_fallback_set_##var(void)                 \
	{                                                                                          \
		fp_local_fallback_set(&var);                                                       \
	}

extern const struct fp_local_fallback *fp_local_fallback;

/* Workers: whether the local fallback takes what arrives on iface (false without one). */
static inline bool fp_local_fallback_takes(uint16_t iface)
{
	const struct fp_local_fallback *f = fp_local_fallback;

	return f != NULL && f->takes(iface);
}

/* Control thread: hands the fallback a copy of m (see struct fp_local_fallback). */
void fp_local_fallback_copy(const struct rte_mbuf *m);
