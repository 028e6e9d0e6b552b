/* SPDX-License-Identifier: BSD-3-Clause */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "base/fp_net.h"

#define IP4_ADDR_MAX 32 /* per interface */

/*
 * Addresses of the router's interfaces. Adding one installs, as Linux does,
 * a local route (/32), the connected route of its network and the network's
 * broadcast route, and announces it with a gratuitous ARP.
 */
int ip4_addr_add(uint16_t iface, const struct fp_ip4_prefix *addr);
int ip4_addr_del(uint16_t iface, const struct fp_ip4_prefix *addr);
bool ip4_addr_is_local(uint16_t vrf, uint32_t ip);
/* The address to send from on iface towards dst: one on dst's network, else the first. */
uint32_t ip4_addr_source_for(uint16_t iface, uint32_t dst);
int ip4_addr_walk(int (*cb)(uint16_t iface, const struct fp_ip4_prefix *a, void *arg), void *arg);

/*
 * Control-thread subsystems that follow the addresses of both families (lib/netlink): told
 * once an address is added (an IPv6 one when created, before DAD) and once it is deleted.
 */
struct addr_listener {
	void (*changed)(uint16_t iface, const struct fp_ip_prefix *a, bool added);
	struct addr_listener *next;
};
void addr_listener_register(struct addr_listener *l);
/* ip4/addr.c and ip6/addr6.c tell the listeners. */
void addr_listeners_notify(uint16_t iface, const struct fp_ip_prefix *a, bool added);
