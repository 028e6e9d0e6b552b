/* SPDX-License-Identifier: BSD-3-Clause */
#include "cli/cli.h"

#include <stdio.h>

static void print_names(FILE *out, const char *what, const json_t *names)
{
	const json_t *n;
	size_t i;

	fprintf(out, "    %s:", what);
	if (json_array_size(names) == 0)
		fputs(" none", out);
	json_array_foreach (names, i, n)
		fprintf(out, " %s", json_string_value(n));
	fputc('\n', out);
}

static void print_ports(struct cli_ctx *ctx, const json_t *result, const json_t *args)
{
	const json_t *p;
	size_t i;

	(void)args;
	json_array_foreach (json_object_get(result, "ports"), i, p) {
		json_int_t numa = cli_int(p, "numa_node");

		fprintf(ctx->out, "%s: driver %s pmd %s device %s bus %s numa ", cli_str(p, "name"),
			cli_str(p, "driver"), cli_str(p, "pmd"), cli_str(p, "device"),
			cli_str(p, "bus"));
		if (numa < 0)
			fputs("-", ctx->out);
		else
			fprintf(ctx->out, "%lld", numa);
		fprintf(ctx->out, "\n    link %s",
			json_is_true(json_object_get(p, "link_up")) ? "up" : "down");
		if (cli_int(p, "speed_mbps") != 0)
			fprintf(ctx->out, " speed %lldMb/s %s-duplex", cli_int(p, "speed_mbps"),
				cli_str(p, "duplex"));
		fprintf(ctx->out, " autoneg %s rxqs %lld txqs %lld\n",
			json_is_true(json_object_get(p, "autoneg")) ? "on" : "off",
			cli_int(p, "rx_queues"), cli_int(p, "tx_queues"));
		print_names(ctx->out, "rx offloads",
			json_object_get(json_object_get(p, "rx_offloads"), "enabled"));
		print_names(ctx->out, "rx offloads offered",
			json_object_get(json_object_get(p, "rx_offloads"), "capable"));
		print_names(ctx->out, "tx offloads",
			json_object_get(json_object_get(p, "tx_offloads"), "enabled"));
		print_names(ctx->out, "tx offloads offered",
			json_object_get(json_object_get(p, "tx_offloads"), "capable"));
	}
}

static int show_ports(struct cli_ctx *ctx, const json_t *args)
{
	return cli_show(ctx, "port.info", NULL, print_ports, args);
}

CLI_COMMAND(show_ports_cmd, "show ports",
	"Show each port's NIC: fastpath's driver, DPDK's PMD, the device (a NIC's PCI address) and "
	"its bus, NUMA node (- for none), link speed, duplex and autoneg, queues, and the RX and "
	"TX offloads enabled and those the PMD offers.",
	show_ports)
