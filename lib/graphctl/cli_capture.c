/* SPDX-License-Identifier: BSD-3-Clause */
/* Packet capture to a pcapng file, by the daemon. */
#include "base/fp_error.h"
#include "cli/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

static int capture_start(struct cli_ctx *ctx, const json_t *args)
{
	static const char *const directions[] = {"rx", "tx", "drop"};
	const char *path = cli_str(args, "file");
	json_t *api = json_object();
	int fd, ret;

	if (*cli_str(args, "port"))
		json_object_set_new(api, "port", json_string(cli_str(args, "port")));
	for (size_t i = 0; i < sizeof(directions) / sizeof(directions[0]); i++)
		if (json_is_true(json_object_get(args, directions[i])))
			json_object_set_new(api, "direction", json_string(directions[i]));
	if (json_is_integer(json_object_get(args, "count")))
		json_object_set(api, "count", json_object_get(args, "count"));
	if (json_is_integer(json_object_get(args, "max-bytes")))
		json_object_set(api, "max_bytes", json_object_get(args, "max-bytes"));
	/* opened here, with the user's rights: the daemon writes what it is given */
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		json_decref(api);
		return fp_error(errno, "%s: %s", path, strerror(errno));
	}
	ret = cli_call_fd(ctx, "capture.start", api, fd, NULL);
	close(fd);
	return ret;
}

CLI_COMMAND(capture_start_cmd,
	"capture start [port IFACE] [rx|tx|drop] [count N] [max-bytes N] file FILE",
	"Capture packets to a pcapng file (for wireshark or tcpdump -r): those of one port or "
	"all, received, sent, dropped (each with its reason as comment; those answered with an "
	"ICMP error too, as they came) or all of them, until capture stop, N packets or a file of "
	"max-bytes (default 64 MiB). fastpathctl creates FILE with your rights and fastpathd "
	"writes to it.",
	capture_start)

static int capture_stop(struct cli_ctx *ctx, const json_t *args)
{
	(void)args;
	return cli_call(ctx, "capture.stop", NULL, NULL);
}

CLI_COMMAND(capture_stop_cmd, "capture stop", "Stop the capture and close its file.", capture_stop)

static void print_capture(struct cli_ctx *ctx, const json_t *result, const json_t *args)
{
	bool running = json_is_true(json_object_get(result, "running"));
	json_int_t count = cli_int(result, "count");

	(void)args;
	if (!running && !*cli_str(result, "file")) {
		fputs("no capture\n", ctx->out);
		return;
	}
	fprintf(ctx->out, "capture %s\n", running ? "running" : "stopped");
	fprintf(ctx->out, "  file       %s\n", cli_str(result, "file"));
	fprintf(ctx->out, "  port       %s\n",
		*cli_str(result, "port") ? cli_str(result, "port") : "all");
	fprintf(ctx->out, "  direction  %s\n",
		*cli_str(result, "direction") ? cli_str(result, "direction") : "all");
	fprintf(ctx->out, "  captured   %lld", cli_int(result, "captured"));
	if (count > 0)
		fprintf(ctx->out, " of %lld", count);
	fputs(" packets\n", ctx->out);
	fprintf(ctx->out, "  bytes      %lld of at most %lld\n", cli_int(result, "bytes"),
		cli_int(result, "max_bytes"));
	if (cli_int(result, "lost") > 0)
		fprintf(ctx->out, "  lost       %lld packets (no buffer)\n",
			cli_int(result, "lost"));
	if (cli_int(result, "over_limit") > 0)
		fprintf(ctx->out, "  full       %lld packets not written (max-bytes reached)\n",
			cli_int(result, "over_limit"));
	if (*cli_str(result, "error"))
		fprintf(ctx->out, "  error      %s: %lld packets not written\n",
			cli_str(result, "error"), cli_int(result, "write_errors"));
}

static int show_capture(struct cli_ctx *ctx, const json_t *args)
{
	return cli_show(ctx, "capture.show", NULL, print_capture, args);
}

CLI_COMMAND(show_capture_cmd, "show capture",
	"The capture's state: running or not, its file, port, direction, packets captured and "
	"bytes written, packets not written (file full, write error).",
	show_capture)
