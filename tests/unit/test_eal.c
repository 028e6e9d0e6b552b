/* SPDX-License-Identifier: BSD-3-Clause */
#include "test_eal.h"
#include "infra/control.h"
#include "base/fp_error.h"
#include "infra/iface.h"
#include "graph/mbuf.h"
#include "base/module.h"
#include "infra/settings.h"
#include "graph/worker.h"
#include "neigh/neigh.h"

#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_graph.h>

/* cmocka needs these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

int test_eal_init(const char *name, unsigned int mem_mb)
{
	/* --in-memory is refused with --no-huge (which implies --legacy-mem in 22.11): no shared
	 * files instead, under a prefix of our own */
	static char prefix[64], mem[16], prog[64];
	char *argv[] = {prog, "--no-huge", "--no-pci", "--no-shconf", "--file-prefix", prefix, "-m",
		mem, "--no-telemetry", "--log-level=lib.*:error", "--log-level=fastpath:warning",
		"-l", "0", NULL};

	snprintf(prog, sizeof(prog), "%s", name);
	snprintf(prefix, sizeof(prefix), "%s_%d", name, (int)getpid());
	snprintf(mem, sizeof(mem), "%u", mem_mb);
	settings_defaults(&fp_settings);
	if (rte_eal_init(RTE_DIM(argv) - 1, argv) < 0) {
		fprintf(stderr, "EAL init failed: %s\n", rte_strerror(rte_errno));
		return -1;
	}
	return 0;
}

int test_eal_setup(const char *name, unsigned int mem_mb)
{
	if (test_eal_init(name, mem_mb) < 0)
		return -1;
	if (control_init() < 0 || fp_modules_init() < 0) {
		fprintf(stderr, "init failed: %s\n", fp_errmsg());
		return -1;
	}
	return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void test_eal_teardown(void)
{
	fp_modules_fini();
	control_fini();
	test_eal_cleanup();
}

void test_eal_cleanup(void)
{
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	/* leave nothing under /var/run/dpdk */
	nftw(dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
}

void test_inject_attach(void)
{
	assert_int_equal(fp_n_workers, 0);
	fp_workers[0].inject = rte_ring_create("test_inject", 1024, SOCKET_ID_ANY, RING_F_SP_ENQ);
	assert_non_null(fp_workers[0].inject);
	fp_n_workers = 1;
}

struct rte_mbuf *test_inject_take(const char **node)
{
	static char names[64][RTE_NODE_NAMESIZE];
	char *edges[RTE_DIM(names)];
	rte_node_t id = rte_node_from_name("control_input");
	struct rte_mbuf *m;

	if (rte_ring_sc_dequeue(fp_workers[0].inject, (void **)&m) < 0)
		return NULL;
	for (unsigned int i = 0; i < RTE_DIM(names); i++)
		edges[i] = names[i];
	assert_true(rte_node_edge_count(id) <= RTE_DIM(names));
	rte_node_edge_get(id, edges);
	assert_true(fp_mbuf_priv(m)->inject_edge < rte_node_edge_count(id));
	*node = edges[fp_mbuf_priv(m)->inject_edge];
	return m;
}

void test_inject_detach(void)
{
	struct rte_mbuf *m;

	while (rte_ring_sc_dequeue(fp_workers[0].inject, (void **)&m) == 0)
		rte_pktmbuf_free(m);
	rte_ring_free(fp_workers[0].inject);
	fp_workers[0].inject = NULL;
	fp_n_workers = 0;
}

struct iface *test_iface_new(const char *name, uint8_t mac_last)
{
	struct iface *ifc;

	assert_int_equal(iface_alloc(name, &ifc), 0);
	ifc->mac = (struct rte_ether_addr){{0x02, 0, 0, 0, 0x0f, mac_last}};
	ifc->mtu = 1500;
	ifc->admin_up = true;
	assert_int_equal(ifc->port_id, UINT16_MAX);
	iface_publish(ifc);
	assert_ptr_equal(iface_get(ifc->id), ifc);
	return ifc;
}

static int count_neigh(const struct neigh *n, void *arg)
{
	(void)n;
	(*(unsigned int *)arg)++;
	return 0;
}

unsigned int test_neigh_count(void)
{
	unsigned int n = 0;

	neigh_walk(count_neigh, &n);
	return n;
}
