/* SPDX-License-Identifier: BSD-3-Clause */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>
#include <rte_ether.h>
#include <rte_hash.h>
#include <rte_mbuf.h>

#include "infra/control.h"
#include "neigh_sm.h"

#define NEIGH_L2_VALID (1ull << 63)

/*
 * A neighbour: an IPv4 host on a connected network, next hop of routes or
 * destination itself. The control thread owns it and runs its state machine;
 * workers read only l2 (the MAC with a valid bit, one atomic word) and mark it
 * used.
 */
struct neigh {
	uint64_t l2;	  /* MAC in the low 48 bits | NEIGH_L2_VALID */
	uint64_t used_ms; /* fp_clock_ms of the last packet sent through it */
	uint32_t ip;	  /* network order */
	uint16_t iface;
	/* control thread only */
	uint32_t refcnt; /* routes using it as gateway */
	struct neigh_sm sm;
	struct rte_mbuf *held_head, *held_tail; /* packets waiting for resolution */
	uint32_t held_bytes;
	uint32_t held_count;
	uint64_t reported; /* state and l2 last told to monitors */
};

struct neigh_key {
	uint32_t ip;
	uint16_t iface;
	uint16_t pad;
};

extern struct rte_hash *fp_neigh_hash;

/* The neighbour for ip on iface, if the control thread knows it; safe on workers. */
static inline struct neigh *neigh_lookup(uint16_t iface, uint32_t ip)
{
	struct neigh_key key = {.ip = ip, .iface = iface};
	void *n;

	return rte_hash_lookup_data(fp_neigh_hash, &key, &n) >= 0 ? n : NULL;
}

/* Datapath: copies the MAC and marks the entry used; false if there is no usable MAC. */
static inline bool neigh_l2_get(struct neigh *n, struct rte_ether_addr *mac)
{
	uint64_t l2 = __atomic_load_n(&n->l2, __ATOMIC_RELAXED);
	uint64_t now = fp_clock_ms;

	if (!(l2 & NEIGH_L2_VALID))
		return false;
	/* one write per tick at most: workers share this cache line */
	if (n->used_ms != now)
		__atomic_store_n(&n->used_ms, now, __ATOMIC_RELAXED);
	for (int i = 0; i < RTE_ETHER_ADDR_LEN; i++)
		mac->addr_bytes[i] = l2 >> (8 * i);
	return true;
}

/* Control thread (which looks entries up with neigh_lookup() too). */
/* Finds or creates the entry and takes a reference (a route's gateway). */
struct neigh *neigh_ref(uint16_t iface, uint32_t ip);
void neigh_unref(struct neigh *n);
int neigh_static_add(uint16_t iface, uint32_t ip, const struct rte_ether_addr *mac);
int neigh_del(uint16_t iface, uint32_t ip);
int neigh_walk(int (*cb)(const struct neigh *n, void *arg), void *arg);

/* Sends an ARP request for ip out of iface; to dst, or broadcast if dst is NULL. */
int arp_send_request(uint16_t iface, uint32_t ip, const struct rte_ether_addr *dst);
/* ARP from the workers (punt handler). */
void arp_input(struct rte_mbuf *m);
/* Announces ip on iface (sender and target ip): neighbours update their caches. */
void arp_gratuitous(uint16_t iface, uint32_t ip);
/* ARP's learning entry point: a packet from ip with sha proved state. */
void neigh_learn(uint16_t iface, uint32_t ip, const struct rte_ether_addr *sha,
	enum neigh_state state, bool create, bool garp);

/* Punt reason for IPv4 packets whose next hop has no usable MAC (ip4_output). */
extern int neigh_punt_resolve;

/* A neighbour as the API shows it; config: only what the config file holds. */
json_t *neigh_to_json(const struct neigh *n, bool config);
