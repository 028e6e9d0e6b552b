/* SPDX-License-Identifier: BSD-3-Clause */
/* fastpathctl monitor: the daemon's events as they happen, like "ip monitor". */
#include "api/client.h"
#include "cli/cli.h"
#include "base/fp_error.h"

#include <errno.h>
#include <stdlib.h>

static int monitor(struct cli_ctx *ctx, const json_t *args)
{
	static const char *const classes[] = {"link", "neigh", "route", "addr", "conntrack"};
	json_t *events = json_array(), *result = NULL, *ev;
	int ret;

	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++)
		if (json_is_true(json_object_get(args, classes[i])))
			json_array_append_new(events, json_string(classes[i]));
	if (json_array_size(events) == 0) {
		json_decref(events);
		events = NULL; /* all */
	}
	ret = cli_call(
		ctx, "monitor", events ? json_pack("{s:o}", "events", events) : NULL, &result);
	json_decref(result);
	if (ret < 0)
		return ret;
	/* until the daemon goes or the user interrupts */
	while ((ret = api_client_event(ctx->client, -1, &ev)) == 0) {
		char *text = json_dumps(ctx->json ? ev : json_object_get(ev, "object"),
			JSON_COMPACT | JSON_PRESERVE_ORDER);

		if (ctx->json)
			fprintf(ctx->out, "%s\n", text ? text : "{}");
		else
			fprintf(ctx->out, "%-12s %s\n",
				json_string_value(json_object_get(ev, "event")),
				text ? text : "{}");
		fflush(ctx->out);
		free(text);
		json_decref(ev);
	}
	return ret == -ENOTCONN ? fp_error(ENOTCONN, "fastpathd closed the connection") : ret;
}

CLI_COMMAND(monitor_cmd, "monitor [link] [neigh] [route] [addr] [conntrack]",
	"Print the daemon's events as they happen (links up and down, neighbour, route and "
	"address changes, tracked connections), all kinds unless some are named; -j prints "
	"them as JSON lines.",
	monitor)
