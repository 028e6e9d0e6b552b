/* SPDX-License-Identifier: BSD-3-Clause */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>

#include "graph/mbuf.h"

#define FP_IFACE_NAMESIZE 16 /* the kernel twin carries the same name: IFNAMSIZ */
#define FP_MAX_VRFS	  256 /* a packet carries its VRF in a byte (graph/mbuf.h) */

/*
 * An interface: what addresses, routes and neighbours attach to. Today every
 * interface is a port (a DPDK ethdev); VLAN interfaces will be interfaces on
 * top of a port. Workers read these fields; the control thread writes them
 * and frees an interface only after an RCU grace period.
 */
struct iface {
	uint16_t id;
	uint16_t port_id;
	uint16_t vrf;
	uint16_t mtu;
	struct rte_ether_addr mac;
	bool admin_up;
	uint32_t ip4_primary; /* source of the ICMP errors sent from this interface, 0 if none */
	bool link_up;	      /* as last seen by the control thread's link watch */
	char name[FP_IFACE_NAMESIZE];
};

extern struct iface *fp_ifaces[FP_MAX_IFACES];
extern uint16_t fp_port_iface[RTE_MAX_ETHPORTS]; /* ethdev port -> iface id */

static inline struct iface *iface_get(uint16_t id)
{
	return id < FP_MAX_IFACES ? fp_ifaces[id] : NULL;
}

/* The metadata head of a packet received on iface: iface_in and vrf, the other fields 0. */
static inline uint64_t iface_rx_priv_head(const struct iface *iface)
{
	return (struct fp_mbuf_priv){.iface_in = iface->id, .vrf = iface->vrf}.head;
}

struct iface *iface_by_name(const char *name);
/* Allocates an id; the caller fills the rest and publishes with iface_publish(). */
int iface_alloc(const char *name, struct iface **out);
void iface_publish(struct iface *iface);
/* Unpublishes, waits for the workers, frees. */
void iface_free(struct iface *iface);

/*
 * Subsystems that keep per-interface state hear about new interfaces once they are
 * published (IPv6 gives each its link-local address) and about removals before the free, in
 * ascending order: addresses (10) before routes (20) before neighbours (30), which routes
 * reference.
 */
struct iface_listener {
	int order;
	void (*removing)(struct iface *iface);	   /* may be NULL */
	void (*added)(struct iface *iface);	   /* once published; may be NULL */
	void (*link_changed)(struct iface *iface); /* iface->link_up changed; may be NULL */
	void (*mtu_changed)(struct iface *iface);  /* iface->mtu changed; may be NULL */
	/* iface->admin_up changed (ip link set up|down), before the link follows; may be NULL */
	void (*admin_changed)(struct iface *iface);
	struct iface_listener *next;
};
void iface_listener_register(struct iface_listener *l);
/* The link watch tells the listeners that iface->link_up changed. */
void iface_link_changed(struct iface *iface);
/* ip link set mtu tells them that iface->mtu changed. */
void iface_mtu_changed(struct iface *iface);
/* ip link set up|down tells them that iface->admin_up changed. */
void iface_admin_changed(struct iface *iface);
