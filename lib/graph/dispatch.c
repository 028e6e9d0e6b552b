/* SPDX-License-Identifier: BSD-3-Clause */
#include "dispatch.h"
#include "base/fp_error.h"
#include "base/module.h"
#include "graph.h"

#include <errno.h>
#include <string.h>

static struct fp_dispatch_entry *entries; /* in registration order */
const struct fp_local_fallback *fp_local_fallback;

void fp_dispatch_add(struct fp_dispatch_entry *e)
{
	struct fp_dispatch_entry **p = &entries;

	while (*p != NULL)
		p = &(*p)->next;
	e->edge = RTE_EDGE_ID_INVALID;
	e->next = NULL;
	*p = e;
}

const struct fp_dispatch_entry *fp_dispatch_entries(void)
{
	return entries;
}

void fp_local_fallback_set(const struct fp_local_fallback *f)
{
	fp_local_fallback = f;
}

void fp_local_fallback_copy(const struct rte_mbuf *m)
{
	if (fp_local_fallback != NULL && fp_local_fallback->copy != NULL)
		fp_local_fallback->copy(m);
}

rte_edge_t fp_dispatch_edge(const char *from, uint32_t key)
{
	for (const struct fp_dispatch_entry *e = entries; e != NULL; e = e->next)
		if (e->key == key && strcmp(e->from, from) == 0 && e->edge != RTE_EDGE_ID_INVALID)
			return e->edge;
	return RTE_EDGE_ID_INVALID;
}

unsigned int fp_dispatch_table(
	const char *from, rte_edge_t *table, uint32_t n_keys, rte_edge_t none)
{
	unsigned int n = 0;

	for (uint32_t k = 0; k < n_keys; k++)
		table[k] = none;
	for (const struct fp_dispatch_entry *e = entries; e != NULL; e = e->next)
		if (e->key < n_keys && table[e->key] == none && e->edge != RTE_EDGE_ID_INVALID &&
			strcmp(e->from, from) == 0) {
			table[e->key] = e->edge;
			n++;
		}
	return n;
}

/* The static edge of from to name, or the one an earlier entry added, or a new one. */
static rte_edge_t edge_to(const struct fp_dispatch_entry *entry, rte_node_t from, const char *name)
{
	for (const struct fp_node *n = fp_nodes(); n != NULL; n = n->next)
		if (strcmp(n->reg->name, entry->from) == 0)
			for (rte_edge_t i = 0; i < n->reg->nb_edges; i++)
				if (strcmp(n->reg->next_nodes[i], name) == 0)
					return i;
	for (const struct fp_dispatch_entry *e = entries; e != entry; e = e->next)
		if (e->edge != RTE_EDGE_ID_INVALID && strcmp(e->from, entry->from) == 0 &&
			strcmp(e->to != NULL ? e->to : fp_local_fallback->node, name) == 0)
			return e->edge;
	if (rte_node_edge_update(from, RTE_EDGE_ID_INVALID, &name, 1) != 1)
		return RTE_EDGE_ID_INVALID;
	return rte_node_edge_count(from) - 1;
}

int fp_dispatch_setup(void)
{
	for (struct fp_dispatch_entry *e = entries; e != NULL; e = e->next) {
		rte_node_t from = rte_node_from_name(e->from);
		const char *to = e->to;

		if (to == NULL && fp_local_fallback == NULL)
			continue; /* no fallback: the node answers alone */
		if (to == NULL)
			to = fp_local_fallback->node;
		if (from == RTE_NODE_ID_INVALID)
			return fp_error(ENOENT, "dispatch to %s: no node %s", to, e->from);
		if (rte_node_from_name(to) == RTE_NODE_ID_INVALID)
			return fp_error(ENOENT, "dispatch of %s: no node %s", e->from, to);
		e->edge = edge_to(e, from, to);
		if (e->edge == RTE_EDGE_ID_INVALID)
			return fp_error(
				EINVAL, "dispatch of %s: cannot add an edge to %s", e->from, to);
	}
	return 0;
}

static struct fp_module dispatch_module = {
	.name = "dispatch",
	.order = 3, /* after the hooks' edge blocks (2), before the nodes' tables and the graphs */
	.init = fp_dispatch_setup,
};
FP_MODULE_REGISTER(dispatch_module)
