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
 * new reference to the reply's result. An error reply returns its negative
 * errno, its message in fp_errmsg(). After a broken connection the next call
 * connects again; no call is ever sent twice.
 */
int api_client_call(struct api_client *client, const char *cmd, json_t *args, json_t **result);

void api_client_close(struct api_client *client);
