/* SPDX-License-Identifier: BSD-3-Clause */
#pragma once

/*
 * Kernel twins: every fastpath interface has a TAP device in the kernel with its name (or the
 * configured prefix and its name), MAC, MTU and link state. Packets for the router that the
 * fast path does not answer itself go up the twin; what the kernel sends out of a twin leaves
 * through the interface. The control thread owns the TAP file descriptors; workers never touch
 * them. Addresses and routes on the twins are netlink's business (lib/netlink), not this one's.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_mbuf.h>

#include "graph/mbuf.h"
#include "infra/iface.h"

/* Whether interfaces get twins ("twins": {"enabled"} in the config; default true). */
bool twins_enabled(void);

/* The kernel ifindex of iface's twin; 0 if it has none. Control thread. */
int twin_ifindex(uint16_t iface);

/*
 * The MTU of iface's twin: the interface's. A frame from the kernel larger than one mbuf is read
 * into a chain, which the port must send as one frame: on a port whose driver sends no chained
 * frames (port_tx_multi_segs()), at most what one mbuf holds (TWIN_MTU_MAX); TCP from the kernel
 * over such a jumbo port then uses the smaller MSS.
 */
#define TWIN_MTU_MAX (RTE_MBUF_DEFAULT_DATAROOM - RTE_ETHER_HDR_LEN - RTE_VLAN_HLEN)
uint16_t twin_mtu(const struct iface *iface);

/* The fastpath interface whose twin has this kernel ifindex; FP_IFACE_NONE if none. */
uint16_t twin_iface_of(int ifindex);

/*
 * A twin's life for other control-thread subsystems (lib/netlink pushes the interface's
 * addresses once its twin exists). Called after the TAP is up with its MAC and MTU.
 */
struct twin_listener {
	void (*created)(uint16_t iface, int ifindex);
	void (*removing)(uint16_t iface, int ifindex); /* may be NULL */
	struct twin_listener *next;
};
void twin_listener_register(struct twin_listener *l);

/*
 * The node workers send what goes up a twin to (local delivery's fallback): it limits the rate per
 * worker ("twins": {"rate_limit_pps"}; over it: twin_rate_limited) so that a flood at the
 * router leaves room in the punt ring for ARP and NDP, then hands the packets to PUNT_NODE.
 */
#define TWIN_NODE "twin_output"

/* The punt reason that sends a packet up its iface_in's twin: registered once at start-up,
 * never changed afterwards (read by workers without ordering). */
extern int twin_punt_reason;

/*
 * Per interface, whether it has a twin now: written by the control thread, read by workers.
 * Relaxed is enough: a worker that sees a twin just removed punts a packet that the control
 * thread then drops, counted (twin_none); no other data is published with it.
 */
extern bool twin_present[FP_MAX_IFACES];

static inline bool iface_has_twin(uint16_t iface)
{
	return iface < FP_MAX_IFACES && __atomic_load_n(&twin_present[iface], __ATOMIC_RELAXED);
}

/*
 * Control thread: writes the frame of m (received on its iface_in, its Ethernet header put back
 * in front) up that interface's twin if it has one, leaving m as it is: the copies of ARP
 * replies and neighbour advertisements that fastpath processes and the kernel needs too.
 * Failures are counted drops.
 */
void twin_copy_up(const struct rte_mbuf *m);
