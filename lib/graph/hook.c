/* SPDX-License-Identifier: BSD-3-Clause */
#include "hook.h"
#include "base/fp_error.h"
#include "base/module.h"
#include "graph.h"

#include <errno.h>
#include <string.h>

struct fp_hook_table fp_hook_tables[FP_HOOK_IDS];
uint8_t fp_hook_masks[FP_MAX_IFACES][FP_HOOK_IDS];
uint8_t fp_hook_any[FP_HOOK_IDS];

static struct fp_hook_feature *features; /* sorted: family, hook, priority */
static struct fp_hook_node *hook_nodes;
static const char *continuations[FP_HOOK_IDS];

static int feature_cmp(const struct fp_hook_feature *a, const struct fp_hook_feature *b)
{
	int ida = FP_HOOK_ID(a->family, a->hook), idb = FP_HOOK_ID(b->family, b->hook);

	if (ida != idb)
		return ida - idb;
	return a->priority < b->priority ? -1 : a->priority > b->priority;
}

void fp_hook_feature_add(struct fp_hook_feature *f)
{
	struct fp_hook_feature **p = &features;

	/* equal priorities keep their registration order, as nf_register_net_hook() does */
	while (*p != NULL && feature_cmp(*p, f) <= 0)
		p = &(*p)->next;
	f->next = *p;
	*p = f;
}

void fp_hook_node_add(struct fp_hook_node *n)
{
	n->next = hook_nodes;
	hook_nodes = n;
}

void fp_hook_set_continuation(enum fp_hook_family family, enum fp_hook hook, const char *node)
{
	continuations[FP_HOOK_ID(family, hook)] = node;
}

const struct fp_hook_feature *fp_hook_features(void)
{
	return features;
}

/* Whether continuation id has an edge of its own in the block (FORWARD and OUTPUT have not). */
static bool has_continuation(unsigned int id)
{
	return FP_HOOK_OF(id) != FP_HOOK_FORWARD && FP_HOOK_OF(id) != FP_HOOK_OUTPUT;
}

int fp_hooks_setup(void)
{
	const char *block[FP_HOOK_IDS * (FP_HOOK_FEATURES_MAX + 1)];
	const char *own[RTE_DIM(block)];
	uint16_t n_block = 0;
	uint8_t count[FP_HOOK_IDS] = {0};

	for (struct fp_hook_feature *f = features; f != NULL; f = f->next) {
		unsigned int id = FP_HOOK_ID(f->family, f->hook);

		if (f->family >= FP_HOOK_FAMILIES || f->hook >= FP_HOOKS)
			return fp_error(EINVAL, "hook feature %s: no such family or hook", f->name);
		if (count[id] == FP_HOOK_FEATURES_MAX)
			return fp_error(ENOSPC,
				"hook feature %s: more than %d features at one hook", f->name,
				FP_HOOK_FEATURES_MAX);
		if (rte_node_from_name(f->node) == RTE_NODE_ID_INVALID)
			return fp_error(ENOENT, "hook feature %s: no node %s", f->name, f->node);
		f->pos = count[id]++;
		f->index = n_block;
		fp_hook_tables[id].feature[f->pos] = n_block;
		block[n_block++] = f->node;
	}
	for (unsigned int id = 0; id < FP_HOOK_IDS; id++) {
		if (!has_continuation(id))
			continue;
		if (continuations[id] == NULL) {
			unsigned int fam = FP_HOOK_FAMILY(id);

			/* FORWARD and OUTPUT end where POSTROUTING does */
			if (count[id] != 0 ||
				(FP_HOOK_OF(id) == FP_HOOK_POSTROUTING &&
					(count[FP_HOOK_ID(fam, FP_HOOK_FORWARD)] != 0 ||
						count[FP_HOOK_ID(fam, FP_HOOK_OUTPUT)] != 0)))
				return fp_error(
					EINVAL, "hook %u has features and nowhere to go after", id);
			continue; /* a family whose path has no seam there (yet) */
		}
		fp_hook_tables[id].cont = n_block;
		block[n_block++] = continuations[id];
	}
	for (struct fp_hook_node *n = hook_nodes; n != NULL; n = n->next) {
		rte_node_t node = rte_node_from_name(n->reg->name);

		if (rte_node_edge_count(node) != n->reg->nb_edges)
			return fp_error(EINVAL, "hook node %s: %u edges, not its own %u",
				n->reg->name, rte_node_edge_count(node), n->reg->nb_edges);
		/* DPDK refuses an edge to the node itself: a continuation's own block never
		 * leads to it (ip4_route_input does not enter PREROUTING), a drop stands in */
		for (uint16_t i = 0; i < n_block; i++)
			own[i] = strcmp(block[i], n->reg->name) == 0 ? "hook_self" : block[i];
		if (rte_node_edge_update(node, n->reg->nb_edges, own, n_block) != n_block)
			return fp_error(
				EINVAL, "hook node %s: cannot add the hooks' edges", n->reg->name);
	}
	return 0;
}

/* The masks of every interface, from the features' switches. */
static void masks_update(void)
{
	uint8_t any[FP_HOOK_IDS] = {0};

	for (unsigned int i = 0; i < FP_MAX_IFACES; i++) {
		uint8_t masks[FP_HOOK_IDS] = {0};

		for (const struct fp_hook_feature *f = features; f != NULL; f = f->next)
			if (f->all_ifaces || (f->ifaces[i / 64] & (UINT64_C(1) << (i % 64))))
				masks[FP_HOOK_ID(f->family, f->hook)] |= 1u << f->pos;
		for (unsigned int id = 0; id < FP_HOOK_IDS; id++) {
			__atomic_store_n(&fp_hook_masks[i][id], masks[id], __ATOMIC_RELEASE);
			any[id] |= masks[id];
		}
	}
	for (unsigned int id = 0; id < FP_HOOK_IDS; id++)
		__atomic_store_n(&fp_hook_any[id], any[id], __ATOMIC_RELEASE);
}

int fp_hook_enable(const char *name, int iface, bool on)
{
	bool found = false;

	if (iface != FP_HOOK_ALL_IFACES && (iface < 0 || iface >= FP_MAX_IFACES))
		return fp_error(EINVAL, "hook feature %s: no interface %d", name, iface);
	for (struct fp_hook_feature *f = features; f != NULL; f = f->next) {
		if (strcmp(f->name, name) != 0)
			continue;
		found = true;
		if (iface == FP_HOOK_ALL_IFACES)
			f->all_ifaces = on;
		else if (on)
			f->ifaces[iface / 64] |= UINT64_C(1) << (iface % 64);
		else
			f->ifaces[iface / 64] &= ~(UINT64_C(1) << (iface % 64));
	}
	if (!found)
		return fp_error(ENOENT, "no hook feature %s", name);
	masks_update();
	return 0;
}

bool fp_hook_enabled(const char *name, uint16_t iface)
{
	for (const struct fp_hook_feature *f = features; f != NULL; f = f->next)
		if (strcmp(f->name, name) == 0 && iface < FP_MAX_IFACES &&
			(fp_hook_masks[iface][FP_HOOK_ID(f->family, f->hook)] & (1u << f->pos)))
			return true;
	return false;
}

FP_DROP_NODE(hook_self)

static int hooks_init(void)
{
	return fp_hooks_setup();
}

static struct fp_module hook_module = {
	.name = "hook",
	.order = 2, /* after the punt's edges (1), before the workers' graphs */
	.init = hooks_init,
};
FP_MODULE_REGISTER(hook_module)
