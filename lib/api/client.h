/* SPDX-License-Identifier: BSD-3-Clause */
#pragma once

#include <jansson.h>

/*
 * Client side of the control API (docs/api.md), for fastpathctl and the
 * tests. Calls are synchronous: one request, then its reply.
 */

struct api_client;

/* 0 or <0 with fp_error ("cannot connect to fastpathd at ...: is it running?"). */
int api_client_connect(const char *path, struct api_client **client);

/*
 * Runs cmd with args, which is stolen (NULL: no arguments) so that json_pack()
 * can be written in the call. On success *result, if result is not NULL, is a
 * new reference to the reply's result; a reply sent in chunks ("more") comes
 * whole, the arrays of the chunks' results concatenated. An error reply returns
 * its negative errno, its message in fp_errmsg(). After a broken connection the
 * next call connects again (without the monitor subscription the old one had);
 * no call is ever sent twice. Events that arrive while it waits for the reply
 * are kept for api_client_event().
 */
int api_client_call(struct api_client *client, const char *cmd, json_t *args, json_t **result);

/*
 * api_client_call() with a file descriptor passed along (SCM_RIGHTS on the
 * request's first bytes), for the commands that take a file the client opened
 * with its own rights: capture.start, config.load. fd stays the caller's; -1
 * passes none.
 */
int api_client_call_fd(
	struct api_client *client, const char *cmd, json_t *args, int fd, json_t **result);

/*
 * api_client_call() for a long list: each(result, arg) gets every message's
 * result as it comes (a chunk, the last one with the other members), so that
 * the client never holds the whole list. each returns 0, or <0 to fail the
 * call (the rest of the reply is then dropped with the connection).
 */
typedef int (*api_chunk_fn)(const json_t *result, void *arg);
int api_client_call_each(
	struct api_client *client, const char *cmd, json_t *args, api_chunk_fn each, void *arg);

/*
 * The next event on a connection subscribed with api_client_call(c, "monitor",
 * ...): *event is a new reference to the whole message, {"event": "route.add",
 * "object": {...}}. Waits at most timeout_ms, -1 for ever; -ETIMEDOUT then.
 * -ENOTCONN after the connection broke: connect and subscribe again.
 */
int api_client_event(struct api_client *client, int timeout_ms, json_t **event);

void api_client_close(struct api_client *client);
