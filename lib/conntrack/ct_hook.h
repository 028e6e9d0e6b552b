/* SPDX-License-Identifier: BSD-3-Clause */
#pragma once

#include <stdint.h>

#include <rte_mbuf.h>

#include "ct.h"
#include "ct_state.h"
#include "graph/mbuf.h"

/*
 * Connection tracking in the graph (docs/conntrack.md, "In the graph"): the hook feature
 * "conntrack" (ct_parse + ct_in_bulk at prerouting and output, ct_confirm at input and
 * postrouting, both families), and who switched it on. The table and the workers' counters
 * are ct_state's (ct_state.h), filled when tracking is first required: until then its table
 * is NULL.
 */

/*
 * Tracking on: the table made if it is not yet, "defrag" then "conntrack" switched on at
 * every interface, as Linux's nf_conntrack pulls in nf_defrag. Every feature that needs
 * tracking (the config's "conntrack": {"enabled": true}, nftables rules with ct, NAT) calls
 * it once and ct_release() when it no longer needs it; tracking stays on while one needs it.
 * Control thread: 0 or <0 with fp_error.
 */
int ct_require(void);
void ct_release(void);

/* The entry of a packet that went through the conntrack hook, NULL if none; *info its state. */
static inline struct ct_entry *ct_of_mbuf(struct rte_mbuf *m, enum ct_info *info)
{
	struct fp_mbuf_priv *priv = fp_mbuf_priv(m);

	if (!(priv->flags & FP_MBUF_CT)) {
		*info = CT_INVALID; /* as nft's ct state for a packet without a ct */
		return NULL;
	}
	*info = (enum ct_info)priv->ct_info;
	return priv->ct != 0 ? ct_entry_by_id(ct_state.table, priv->ct) : NULL;
}
