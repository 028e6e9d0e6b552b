/* SPDX-License-Identifier: BSD-3-Clause */
#pragma once

#include <stdint.h>

/*
 * A real EAL for the unit tests that run the daemon's modules (test_fib, test_neigh): no
 * hugepages, no PCI, no shared files, under a file prefix of the test's own; the control
 * loop's state and every module initialised, without workers: fp_rcu_synchronize() is then a
 * no-op and packets the control plane sends (ARP, injected packets) are dropped.
 */

struct iface;
struct rte_mbuf;

/* mem_mb: the EAL's memory. 0, or -1 with the reason printed. */
int test_eal_setup(const char *name, unsigned int mem_mb);
/* The EAL alone, for tests of code that needs only mempools and rings (test_defrag). */
int test_eal_init(const char *name, unsigned int mem_mb);
/* After test_eal_init(): EAL stopped, nothing left under /var/run/dpdk. */
void test_eal_cleanup(void);
/* Modules, control loop and EAL stopped; nothing left under /var/run/dpdk. */
void test_eal_teardown(void);
/* The entries of the neighbour table, both families. */
unsigned int test_neigh_count(void);
/*
 * Worker 0's inject ring, without a worker: what the control thread injects (punt_inject())
 * waits there for test_inject_take() instead of being dropped. Until test_inject_detach(),
 * which frees what is left.
 */
void test_inject_attach(void);
/* The next injected packet (NULL if none) and the name of the node it goes to. */
struct rte_mbuf *test_inject_take(const char **node);
void test_inject_detach(void);
/* A new interface without a port, up, MTU 1500, MAC 02:00:00:00:0f:<mac_last>, published. */
struct iface *test_iface_new(const char *name, uint8_t mac_last);
