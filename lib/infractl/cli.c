/* SPDX-License-Identifier: BSD-3-Clause */
#include "cli/cli.h"
#include "base/fp_error.h"

#include <errno.h>

#include <stdlib.h>
#include <string.h>

/* An interface set down has no carrier, as in Linux, whatever its NIC's link says. */
void cli_print_link(FILE *out, const json_t *i, bool link_line)
{
	bool admin = json_is_true(json_object_get(i, "admin_up"));
	bool link = json_is_true(json_object_get(i, "link_up"));
	json_int_t vrf = json_integer_value(json_object_get(i, "vrf"));

	fprintf(out, "%lld: %s: <%sBROADCAST,MULTICAST%s%s%s> mtu %lld state %s",
		json_integer_value(json_object_get(i, "id")), cli_str(i, "name"),
		admin && !link ? "NO-CARRIER," : "",
		json_is_true(json_object_get(i, "promisc")) ? ",PROMISC" : "", admin ? ",UP" : "",
		admin && link ? ",LOWER_UP" : "", json_integer_value(json_object_get(i, "mtu")),
		admin && link ? "UP" : "DOWN");
	if (vrf != 0)
		fprintf(out, " vrf %lld", vrf);
	fputc('\n', out);
	if (link_line)
		fprintf(out, "    link/ether %s brd ff:ff:ff:ff:ff:ff\n", cli_str(i, "mac"));
}

/* As ip link prints it, with the port's driver, speed and queues. */
static void print_iface(FILE *out, const json_t *i)
{
	json_int_t speed = json_integer_value(json_object_get(i, "speed_mbps"));

	cli_print_link(out, i, true);
	fprintf(out, "    driver %s", cli_str(i, "driver"));
	if (speed != 0)
		fprintf(out, " speed %lldMb/s", speed);
	fprintf(out, " rxqs %lld txqs %lld\n", json_integer_value(json_object_get(i, "rxqs")),
		json_integer_value(json_object_get(i, "txqs")));
}

static void print_ifaces(struct cli_ctx *ctx, const json_t *result, const json_t *args)
{
	const json_t *iface;
	size_t i;

	(void)args;
	json_array_foreach (json_object_get(result, "interfaces"), i, iface)
		print_iface(ctx->out, iface);
}

static int show_interfaces(struct cli_ctx *ctx, const json_t *args)
{
	return cli_show(ctx, "iface.list", NULL, print_ifaces, args);
}

CLI_COMMAND(show_interfaces_cmd, "show interfaces", "List the interfaces.", show_interfaces,
	"ip link", "ip link show")

/* A line of counters under their headers, as ip -s link prints them: columns of one width. */
static void print_counters(FILE *out, const char *dir, const json_t *port, const char *const *keys,
	const char *const *names)
{
	fprintf(out, "    %s:", dir);
	for (size_t k = 0; keys[k] != NULL; k++)
		fprintf(out, " %*s", k == 0 ? 8 : 10, names[k]);
	fputs("\n        ", out);
	for (size_t k = 0; keys[k] != NULL; k++)
		fprintf(out, " %*lld", k == 0 ? 8 : 10, cli_int(port, keys[k]));
	fputc('\n', out);
}

static void print_link_stats(FILE *out, const json_t *iface)
{
	static const char *const rx[] = {
		"rx_bytes", "rx_packets", "rx_errors", "rx_nombuf", "rx_missed", NULL};
	static const char *const rx_names[] = {
		"bytes", "packets", "errors", "dropped", "missed", NULL};
	static const char *const tx[] = {"tx_bytes", "tx_packets", "tx_errors", NULL};
	static const char *const tx_names[] = {"bytes", "packets", "errors", NULL};
	const json_t *port = json_object_get(iface, "stats");

	print_iface(out, iface);
	print_counters(out, "RX", port, rx, rx_names);
	print_counters(out, "TX", port, tx, tx_names);
}

/* The interfaces, each with its port's counters as "stats". */
static int show_link_stats(struct cli_ctx *ctx, const json_t *args)
{
	json_t *ifaces = NULL, *stats = NULL, *iface, *port;
	size_t i, j;
	int ret;

	(void)args;
	if ((ret = cli_call(ctx, "iface.list", NULL, &ifaces)) < 0 ||
		(ret = cli_call(ctx, "stats.show", NULL, &stats)) < 0) {
		json_decref(ifaces);
		return ret;
	}
	json_array_foreach (json_object_get(ifaces, "interfaces"), i, iface)
		json_array_foreach (json_object_get(stats, "ports"), j, port)
			if (strcmp(cli_str(port, "name"), cli_str(iface, "name")) == 0)
				json_object_set(iface, "stats", port);
	if (ctx->json) {
		json_dumpf(ifaces, ctx->out, JSON_INDENT(2));
		fputc('\n', ctx->out);
	} else {
		json_array_foreach (json_object_get(ifaces, "interfaces"), i, iface)
			print_link_stats(ctx->out, iface);
	}
	json_decref(ifaces);
	json_decref(stats);
	return 0;
}

CLI_COMMAND(show_link_stats_cmd, "ip -s link",
	"List the interfaces with their ports' counters since the last clear stats, as ip -s link "
	"does: RX bytes, packets, errors, dropped (no buffer) and missed (the NIC's queue was "
	"full), TX bytes, packets and errors (-j: each interface's as \"stats\").",
	show_link_stats, "ip -s link show", "show interfaces stats")

static int link_set(struct cli_ctx *ctx, const json_t *args)
{
	json_t *api = json_pack("{s:s}", "name", cli_str(args, "iface"));

	if (json_object_get(args, "up") == NULL && json_object_get(args, "down") == NULL &&
		json_object_get(args, "mtu") == NULL) {
		json_decref(api);
		return fp_error(EINVAL, "set what: up, down or mtu N");
	}
	if (json_object_get(args, "up") != NULL || json_object_get(args, "down") != NULL)
		json_object_set_new(api, "up", json_boolean(json_object_get(args, "up") != NULL));
	if (json_object_get(args, "mtu") != NULL)
		json_object_set(api, "mtu", json_object_get(args, "mtu"));
	return cli_call(ctx, "iface.set", api, NULL);
}

CLI_COMMAND(link_set_cmd, "ip link set [dev] IFACE [up|down] [mtu N]",
	"Set an interface up or down, or its MTU, at run time: the port and its twin stay. Down "
	"stops receiving and sending (port_tx_iface_down counts what was routed out of it) and "
	"takes the link down, the twin's carrier with it; the NIC's own link too where its "
	"driver can. As in Linux, down takes away the connected and broadcast routes of its "
	"addresses (up brings them back) and deletes the static routes through it alone, for "
	"good (config load of a saved config brings them back); an ECMP route's paths through it "
	"are dead until it is up: its flows take the other paths. The MTU changes where the driver "
	"allows it while running (the twin's "
	"follows), else the error says so. The running config has both (config dump writes the "
	"port's mtu and up), not the config file.",
	link_set)

/* The ports whose driver counts field too (af_xdp: its XDP program's verdicts). */
static json_t *ports_counting(const json_t *ports, const char *field)
{
	json_t *rows = json_array();
	const json_t *port;
	size_t i;

	json_array_foreach (ports, i, port)
		if (json_object_get(port, field) != NULL)
			json_array_append(rows, (json_t *)port);
	return rows;
}

static void print_stats(struct cli_ctx *ctx, const json_t *result, const json_t *args)
{
	const char *nonzero = json_is_true(json_object_get(args, "all")) ? NULL : "packets";
	json_t *xdp = ports_counting(json_object_get(result, "ports"), "xdp_redirected"), *punt;
	bool gap = false;

	cli_table(ctx->out, &gap, json_object_get(result, "ports"),
		"name:port rx_packets rx_bytes rx_missed rx_errors rx_nombuf tx_packets tx_bytes "
		"tx_errors",
		NULL);
	cli_table(ctx->out, &gap, xdp, "name:port xdp_redirected xdp_passed xdp_no_socket", NULL);
	json_decref(xdp);
	cli_table(ctx->out, &gap, json_object_get(result, "drops"), "reason:drop packets", nonzero);
	cli_table(ctx->out, &gap, json_object_get(result, "nodes"),
		"name:node calls packets cycles", nonzero ? "calls" : NULL);
	punt = json_pack("[O]", json_object_get(result, "punt"));
	cli_table(ctx->out, &gap, punt, "depth:punt_ring size enqueued drained wakeups stalled",
		NULL);
	json_decref(punt);
	cli_table(ctx->out, &gap, json_object_get(result, "mempools"), "name:pool size in_use free",
		NULL);
}

static int show_stats(struct cli_ctx *ctx, const json_t *args)
{
	return cli_show(ctx, "stats.show", NULL, print_stats, args);
}

CLI_COMMAND(show_stats_cmd, "show stats [all]",
	"Port counters, then the drop reasons and graph nodes that counted something (all: "
	"every one), then the punt ring: packets waiting for the control thread now, its "
	"size, packets put in and handled since start, wake-ups and stalls, then each mempool's "
	"objects (mbufs...): in use and free now.",
	show_stats)

static int clear_stats(struct cli_ctx *ctx, const json_t *args)
{
	(void)args;
	return cli_call(ctx, "stats.clear", NULL, NULL);
}

CLI_COMMAND(clear_stats_cmd, "clear stats", "Zero the port, drop and node counters.", clear_stats)

/* Most counted first, then by name. */
static int by_count(const void *a, const void *b)
{
	const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	json_int_t cx = cli_int(x, "packets"), cy = cli_int(y, "packets");

	if (cx != cy)
		return cx > cy ? -1 : 1;
	return strcmp(cli_str(x, "reason"), cli_str(y, "reason"));
}

static void print_errors(struct cli_ctx *ctx, const json_t *result, const json_t *args)
{
	const json_t *drops = json_object_get(result, "drops"), *d;
	bool all = json_is_true(json_object_get(args, "all"));
	size_t n = json_array_size(drops), i;
	json_t **sorted = malloc((n + 1) * sizeof(*sorted)), *rows = json_array();

	if (sorted == NULL)
		goto out;
	json_array_foreach (drops, i, d)
		sorted[i] = (json_t *)d;
	qsort(sorted, n, sizeof(*sorted), by_count);
	for (i = 0; i < n; i++)
		json_array_append(rows, sorted[i]);
	cli_table(ctx->out, NULL, rows, "packets:count reason", all ? NULL : "packets");
	if (!all && (json_array_size(rows) == 0 || cli_int(sorted[0], "packets") == 0))
		fputs("no drop counted\n", ctx->out);
	free(sorted);
out:
	json_decref(rows);
}

static int show_errors(struct cli_ctx *ctx, const json_t *args)
{
	return cli_show(ctx, "stats.show", NULL, print_errors, args);
}

CLI_COMMAND(show_errors_cmd, "show errors [all]",
	"The reasons packets were dropped for, with their counts since the last clear stats, most "
	"frequent first (all: the reasons never counted too).",
	show_errors)
