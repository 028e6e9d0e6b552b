/* SPDX-License-Identifier: BSD-3-Clause */
/* hook.list: the netfilter hook points' features (graph/hook.h), as Linux 6.1's nft list hooks. */
#include "api/api.h"
#include "graph/hook.h"
#include "infra/iface.h"

static const char *const family_names[FP_HOOK_FAMILIES] = {
	[FP_HOOK_IP4] = "ip",
	[FP_HOOK_IP6] = "ip6",
};

static const char *const hook_names[FP_HOOKS] = {
	[FP_HOOK_PREROUTING] = "prerouting",
	[FP_HOOK_INPUT] = "input",
	[FP_HOOK_FORWARD] = "forward",
	[FP_HOOK_OUTPUT] = "output",
	[FP_HOOK_POSTROUTING] = "postrouting",
};

/* The interfaces a feature is on: "all" when switched on for every one, else their names. */
static json_t *feature_ifaces(const struct fp_hook_feature *f)
{
	json_t *names = json_array();

	if (f->all_ifaces) {
		json_array_append_new(names, json_string("all"));
		return names;
	}
	for (unsigned int i = 0; i < FP_MAX_IFACES; i++)
		if ((f->ifaces[i / 64] & (UINT64_C(1) << (i % 64))) && fp_ifaces[i] != NULL)
			json_array_append_new(names, json_string(fp_ifaces[i]->name));
	return names;
}

static int api_hook_list(const json_t *args, json_t **result)
{
	json_t *list = json_array();

	(void)args;
	for (const struct fp_hook_feature *f = fp_hook_features(); f != NULL; f = f->next)
		json_array_append_new(
			list, json_pack("{s:s, s:s, s:i, s:s, s:s, s:o}", "family",
				      family_names[f->family], "hook", hook_names[f->hook],
				      "priority", f->priority, "name", f->name, "node", f->node,
				      "ifaces", feature_ifaces(f)));
	*result = json_pack("{s:o}", "hooks", list);
	return 0;
}

API_COMMAND(hook_list_cmd, "hook.list",
	"the features registered at the netfilter hook points, per family and hook in priority "
	"order, with their node and the interfaces they are on",
	api_hook_list, API_NO_ARGS)
