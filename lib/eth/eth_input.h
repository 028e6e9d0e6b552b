/* SPDX-License-Identifier: BSD-3-Clause */
#pragma once

/*
 * What the Ethernet layer hands packets to, by registration (graph/dispatch.h): each network
 * protocol registers its ethertype from its own folder, and the node polling the ports sends
 * its packets to the RX entry of the highest priority (eth_input itself registers at 0, a fast
 * path above it). eth_input strips the Ethernet header and classifies the frame (for us, multicast)
 * before it dispatches; an ethertype nobody registered is dropped (eth_unknown_ethertype).
 */

#include "graph/dispatch.h"

/* The node that takes eth_input's frames of ethertype type (host order), e.g. RTE_ETHER_TYPE_IPV4.
 */
#define ETH_INPUT_REGISTER(var, type, node) FP_DISPATCH_REGISTER(var, "eth_input", type, node)

/* node takes what port_rx polls, unless an entry of a higher priority does. */
#define ETH_RX_ENTRY_REGISTER(var, node, priority)                                                 \
	FP_DISPATCH_REGISTER(var, "port_rx", priority, node)
