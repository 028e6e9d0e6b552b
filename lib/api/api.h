/* SPDX-License-Identifier: BSD-3-Clause */
#pragma once

#include <jansson.h>

/*
 * The control API: newline-delimited JSON requests and replies over a unix
 * stream socket (protocol in docs/api.md). Subsystems register their commands
 * with API_COMMAND() next to the code they drive; the server runs them on the
 * control thread, one at a time, so handlers need no locks.
 */

#define API_SOCKET_DEFAULT   "/run/fastpath/fastpath.sock"
#define API_PROTOCOL_VERSION 1
/* Longest request line, newline excluded. */
#define API_REQUEST_MAX (1 << 20)

/*
 * A handler validates args (never NULL: an empty object when the request has
 * none), reporting problems with fp_error(), does the work and sets *result
 * (a new reference, or NULL for an empty object). Returns 0 or a negative
 * errno; on error *result is ignored.
 */
typedef int (*api_handler_fn)(const json_t *args, json_t **result);

struct api_command {
	const char *name; /* "subsystem.verb": "route.add" */
	const char *help; /* one line, shown by api.commands */
	api_handler_fn fn;
	struct api_command *next;
};

/* Aborts on a duplicate name: two handlers for one command is a build mistake. */
void api_command_register(struct api_command *c);

#define API_COMMAND(varname, cmdname, helptext, handler)                                           \
	static struct api_command varname = {.name = cmdname, .help = helptext, .fn = handler};    \
	static void __attribute__((constructor)) varname##_register(void)                          \
	{                                                                                          \
		api_command_register(&varname);                                                    \
	}

const struct api_command *api_command_find(const char *name);

/*
 * Creates the socket's directory if needed, replaces a stale socket file and
 * listens through control_fd_add(). Fails with EADDRINUSE when a live daemon
 * answers on path. Returns 0 or <0 with fp_error.
 */
int api_server_start(const char *path);
/* Closes the listener and every connection, and unlinks the socket. */
void api_server_stop(void);
