/* SPDX-License-Identifier: BSD-3-Clause */
/* The packet trace's control half: its API, and the lines that describe each step. */
#include "api/api.h"
#include "base/fp_net.h"
#include "config/config.h"
#include "graph/trace.h"
#include "infra/iface.h"

#include <stdio.h>
#include <string.h>

#include <rte_ether.h>
#include <rte_ip.h>

static const char *iface_name(uint16_t id)
{
	const struct iface *iface = iface_get(id);

	return iface ? iface->name : "-";
}

static int describe_eth(char *buf, size_t size, const struct rte_ether_hdr *eth)
{
	char src[FP_MAC_STRLEN], dst[FP_MAC_STRLEN];

	return snprintf(buf, size, "%s > %s type 0x%04x",
		fp_mac_fmt((const struct fp_mac *)&eth->src_addr, src),
		fp_mac_fmt((const struct fp_mac *)&eth->dst_addr, dst),
		rte_be_to_cpu_16(eth->ether_type));
}

static int describe_ip4(char *buf, size_t size, const struct rte_ipv4_hdr *ip)
{
	char src[FP_IP4_ADDRSTRLEN], dst[FP_IP4_ADDRSTRLEN];

	return snprintf(buf, size, "%s > %s ttl %u proto %u len %u", fp_ip4_fmt(ip->src_addr, src),
		fp_ip4_fmt(ip->dst_addr, dst), ip->time_to_live, ip->next_proto_id,
		rte_be_to_cpu_16(ip->total_length));
}

static int describe_ip6(char *buf, size_t size, const struct rte_ipv6_hdr *ip)
{
	char src[FP_IP6_ADDRSTRLEN], dst[FP_IP6_ADDRSTRLEN];

	return snprintf(buf, size, "%s > %s hlim %u next %u plen %u",
		fp_ip6_fmt((const struct fp_ip6_addr *)ip->src_addr, src),
		fp_ip6_fmt((const struct fp_ip6_addr *)ip->dst_addr, dst), ip->hop_limits,
		ip->proto, rte_be_to_cpu_16(ip->payload_len));
}

/* What a node saw of the packet: the frame before the IP nodes, the IP header in them. */
static void describe(char *buf, size_t size, const char *node, struct rte_mbuf *m, const char *next)
{
	struct fp_mbuf_priv *priv = fp_mbuf_priv(m);
	const uint8_t *data = rte_pktmbuf_mtod(m, const uint8_t *);
	char nh[FP_IP4_ADDRSTRLEN];
	int len = 0;

	if (strcmp(node, "eth_input") == 0 && (priv->flags & FP_MBUF_L2_KEPT)) {
		len = snprintf(buf, size, "in %s ", iface_name(priv->iface_in));
		len += describe_eth(
			buf + len, size - len, (const void *)(data - sizeof(struct rte_ether_hdr)));
	} else if (strcmp(next, "port_tx") == 0 && m->data_len >= sizeof(struct rte_ether_hdr)) {
		len = snprintf(buf, size, "out %s ", iface_name(priv->iface_out));
		len += describe_eth(buf + len, size - len, (const void *)data);
	} else if (m->data_len >= sizeof(struct rte_ipv4_hdr) && (data[0] >> 4) == 4) {
		len = describe_ip4(buf, size, (const void *)data);
		if (strcmp(next, "ip4_forward") == 0 || strcmp(next, "ip4_output") == 0)
			len += snprintf(buf + len, size - len, " via %s dev %s",
				fp_ip4_fmt(priv->nh_addr, nh), iface_name(priv->iface_out));
	} else if (m->data_len >= sizeof(struct rte_ipv6_hdr) && (data[0] >> 4) == 6) {
		len = describe_ip6(buf, size, (const void *)data);
		if (strcmp(next, "ip6_forward") == 0 || strcmp(next, "ip6_output") == 0)
			len += snprintf(
				buf + len, size - len, " dev %s", iface_name(priv->iface_out));
	}
	if (len >= 0 && (size_t)len < size)
		snprintf(buf + len, size - len, "%s-> %s", len ? " " : "", next);
}

static int api_trace_add(const json_t *args, json_t **result)
{
	struct cfg_ctx ctx;
	uint64_t count;
	int ret;

	(void)result;
	cfg_ctx_init(&ctx, NULL);
	ret = cfg_get_uint(&ctx, args, "count", true, 1, TRACE_MAX_PACKETS, &count);
	cfg_ctx_fini(&ctx);
	return ret < 0 ? ret : trace_publish(count);
}

static int api_trace_clear(const json_t *args, json_t **result)
{
	(void)args;
	(void)result;
	return trace_publish(0);
}

static int api_trace_show(const json_t *args, json_t **result)
{
	struct trace_buf *t = fp_trace;
	json_t *packets = json_array();

	(void)args;
	for (uint32_t i = 0; t != NULL && i < RTE_MIN(t->claimed, t->count); i++) {
		const struct trace_packet *p = &t->packets[i];
		uint16_t n = __atomic_load_n(&p->n_steps, __ATOMIC_ACQUIRE);
		json_t *steps = json_array();

		for (uint16_t k = 0; k < n; k++)
			json_array_append_new(
				steps, json_pack("{s:s, s:s}", "node", p->steps[k].node, "info",
					       p->steps[k].info));
		json_array_append_new(packets, json_pack("{s:I, s:i, s:o}", "id", (json_int_t)i + 1,
						       "worker", p->worker, "nodes", steps));
	}
	*result = json_pack("{s:o}", "packets", packets);
	return 0;
}

API_COMMAND(trace_add_cmd, "trace.add", "trace the next N packets through the graph", api_trace_add,
	API_ARGS("count"))
API_COMMAND(trace_clear_cmd, "trace.clear", "stop tracing and forget the traced packets",
	api_trace_clear, API_NO_ARGS)
API_COMMAND(trace_show_cmd, "trace.show", "the traced packets, node by node", api_trace_show,
	API_NO_ARGS)

static void __attribute__((constructor)) trace_describe_register(void)
{
	trace_set_describe(describe);
}
