/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The XDP program of af_xdp ports: the frames fastpathd's graph handles go to
 * the port's AF_XDP socket, everything else (LLDP, STP, LACP...) to the
 * kernel's stack on the same netdev, as if fastpathd were not there.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>

#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "fastpath_xdp.h"

/* The DPDK PMD (xdp_prog= devarg) puts the socket of netdev queue N at key N. */
struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, __u32);
} xsks_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, FP_XDP_COUNTERS);
	__type(key, __u32);
	__type(value, __u64);
} fp_xdp_counters SEC(".maps");

static __always_inline int count(__u32 counter, int verdict)
{
	__u64 *value = bpf_map_lookup_elem(&fp_xdp_counters, &counter);

	if (value != NULL)
		*value += 1;
	return verdict;
}

/*
 * eth_input's demux: what it handles. Tagged frames (802.1Q, 802.1ad) are not: fastpath has no
 * VLAN interfaces and would drop them (eth_unknown_vlan), the kernel may have some on the netdev.
 */
static __always_inline int for_the_graph(__be16 ether_type)
{
	return ether_type == bpf_htons(ETH_P_IP) || ether_type == bpf_htons(ETH_P_IPV6) ||
	       ether_type == bpf_htons(ETH_P_ARP);
}

SEC("xdp")
int fastpath_xdp(struct xdp_md *ctx)
{
	const void *data = (const void *)(long)ctx->data;
	const void *end = (const void *)(long)ctx->data_end;
	const struct ethhdr *eth = data;

	/* runts and 802.3 length fields (LLC: STP) are the kernel's */
	if ((const void *)(eth + 1) > end || !for_the_graph(eth->h_proto))
		return count(FP_XDP_PASSED, XDP_PASS);
	if (bpf_redirect_map(&xsks_map, ctx->rx_queue_index, XDP_PASS) == XDP_REDIRECT)
		return count(FP_XDP_REDIRECTED, XDP_REDIRECT);
	return count(FP_XDP_NO_SOCKET, XDP_PASS);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
