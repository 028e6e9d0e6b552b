/* SPDX-License-Identifier: BSD-3-Clause */
#pragma once

/*
 * What fastpath_xdp.bpf.c and fastpathd share: the per-CPU counters of its
 * verdicts, indexed by enum fp_xdp_counter in the map named FP_XDP_COUNTERS_MAP.
 */
#define FP_XDP_COUNTERS_MAP "fp_xdp_counters"
/* The program's name (its function's), by which fastpathd knows a program of its own. */
#define FP_XDP_PROG_NAME "fastpath_xdp"

enum fp_xdp_counter {
	FP_XDP_REDIRECTED, /* an ethertype of the graph, handed to the port's AF_XDP socket */
	FP_XDP_PASSED,	   /* another ethertype, left to the kernel's stack on the netdev */
	FP_XDP_NO_SOCKET,  /* an ethertype of the graph on a queue without a socket: kernel */
	FP_XDP_COUNTERS,
};
