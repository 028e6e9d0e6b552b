/* SPDX-License-Identifier: BSD-3-Clause */
#include "base/module.h"
#include "ip6.h"

#include <rte_random.h>

SYSCTL_INT(ip6_auto_flowlabels, "net.ipv6.auto_flowlabels", 0, 3, 1,
	"flow labels of the packets the router makes itself: 1 or 3 a hash of the flow, 0 or 2 "
	"none")
uint32_t ip6_flowlabel_seed;

/* Linux seeds its flow hashes once per boot (net_get_random_once): one per run here */
static int flowlabel_init(void)
{
	ip6_flowlabel_seed = (uint32_t)rte_rand();
	return 0;
}

static struct fp_module flowlabel_module = {
	.name = "ip6_flowlabel",
	.order = 40,
	.init = flowlabel_init,
};
FP_MODULE_REGISTER(flowlabel_module)
