/* SPDX-License-Identifier: BSD-3-Clause */
#pragma once

/*
 * Local delivery's fallback for IPv4 (graph/dispatch.h): what the router does not answer itself
 * goes there when it takes the input interface (the kernel twin), as it came: with its options
 * as received, for the kernel's stack fills them in itself.
 */

#include "graph/dispatch.h"
#include "ip4.h"
#include "ip4_options.h"

/* The node's edge to the fallback; RTE_EDGE_ID_INVALID without one. */
static inline bool ip4_to_fallback(struct rte_mbuf *m, rte_edge_t edge)
{
	uint8_t *iph = rte_pktmbuf_mtod(m, uint8_t *);

	if (edge == RTE_EDGE_ID_INVALID || !fp_local_fallback_takes(fp_mbuf_priv(m)->iface_in))
		return false;
	if (unlikely(iph[0] != RTE_IPV4_VHL_DEF))
		ip4_options_undo(iph, &fp_mbuf_priv(m)->ip4_opt);
	return true;
}
