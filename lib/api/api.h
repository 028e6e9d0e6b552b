/* SPDX-License-Identifier: BSD-3-Clause */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/*
 * The control API: newline-delimited JSON requests and replies over a unix
 * stream socket (protocol in docs/api.md). Subsystems register their commands
 * with API_COMMAND() next to the code they drive; the server runs them on the
 * control thread, one at a time, so handlers need no locks.
 */

#define API_SOCKET_DEFAULT "/run/fastpath/fastpath.sock"
/* 2: chunked replies ("more") and events (monitor). */
#define API_PROTOCOL_VERSION 2
/* Longest request line, newline excluded. */
#define API_REQUEST_MAX (1 << 20)

/*
 * A handler validates args (never NULL: an empty object when the request has
 * none; its names are those the command declares, the dispatcher refused the
 * others), reporting problems with fp_error(), does the work and sets *result
 * (a new reference, or NULL for an empty object). Returns 0 or a negative
 * errno; on error *result is ignored.
 */
typedef int (*api_handler_fn)(const json_t *args, json_t **result);

struct api_command {
	const char *name; /* "subsystem.verb": "route.add" */
	const char *help; /* one line, shown by api.commands */
	api_handler_fn fn;
	/*
	 * The argument names the command takes, NULL-terminated: the dispatcher refuses a
	 * request with any other, before the handler runs, and api.commands lists them.
	 */
	const char *const *args;
	struct api_command *next;
};

/* Aborts on a duplicate name: two handlers for one command is a build mistake. */
void api_command_register(struct api_command *c);

/* The args of API_COMMAND(): API_ARGS("prefix", "vrf"), a keys[] array, or API_NO_ARGS. */
#define API_ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})
#define API_NO_ARGS   ((const char *const[]){NULL})

#define API_COMMAND(varname, cmdname, helptext, handler, argnames)                                 \
	static struct api_command varname = {                                                      \
		.name = cmdname, .help = helptext, .fn = handler, .args = argnames};               \
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

/*
 * Access. The socket is mode 0660, owned by the daemon's user (root) and given
 * to the API group when that group exists; without it, it keeps the daemon's
 * group and the server logs that once, at start. A client is then checked on
 * accept (SO_PEERCRED): see api_peer_allowed(). A refused client gets one
 * EACCES error reply (id null) and is disconnected.
 */
#define API_GROUP_DEFAULT "fastpath"
#define API_NO_GROUP	  ((gid_t)-1)

/* The API group's name (API_GROUP_DEFAULT by default); copied; before api_server_start(). */
void api_server_set_group(const char *name);

/*
 * Whether a client may use the API: uid 0, the daemon's own uid (self), or a
 * member of the API group (group, API_NO_GROUP when it does not exist) by its
 * primary gid or by one of groups[0..ngroups), its user's supplementary groups
 * (getgrouplist()). A pure function.
 */
bool api_peer_allowed(
	uid_t uid, gid_t gid, const gid_t *groups, int ngroups, uid_t self, gid_t group);

/*
 * Files. The daemon never opens a path a client names: the client opens the
 * file with its own rights and passes the descriptor with the request, as
 * SCM_RIGHTS ancillary data on the request's first bytes (one sendmsg();
 * api_client_call_fd()). The server keeps at most API_FDS_MAX passed
 * descriptors per connection, oldest first (more are closed and counted in
 * api.stats); those that no handler took are closed once the request they came
 * with is served, and all when the connection goes.
 */
#define API_FDS_MAX 4

/*
 * From a handler only: takes the oldest descriptor passed on the request's
 * connection, which the caller then owns (closes). -EBADF with fp_error when
 * there is none.
 */
int api_take_fd(void);

/*
 * api_take_fd() for a file to read (write false) or write (true): it must be a
 * regular file (a FIFO, socket or device could block the control thread or
 * never end), open for that (not O_PATH), and not on FUSE (whose reads and
 * writes a process answers, maybe never). name: what the descriptor names, for
 * messages (its /proc/self/fd link, never opened). The descriptor, or <0 with
 * fp_error (it is then closed).
 */
int api_take_file(bool write, char *name, size_t size);

/*
 * Events. A client sends {"cmd": "monitor", "args": {"events": ["route", ...]}}
 * and from then on receives {"event": type, "object": {...}} messages on its
 * connection, until monitor.stop (docs/api.md).
 *
 * api_event_publish() pushes one: type is "class.what" ("route.add",
 * "route.del", "neigh.update", "addr.add", "link.up"), its class the part before
 * the dot (link, neigh, route, addr: the table in server.c; an event of another
 * class reaches only the clients that subscribed to everything). object is
 * stolen, NULL for {}. Control thread only. Never blocks and never fails: the
 * message is queued on each subscriber, and one whose queue would exceed the
 * bound (16 MiB) is disconnected instead (logged, counted in api.stats). With
 * no subscriber for the class it costs a list walk, without encoding.
 */
void api_event_publish(const char *type, json_t *object);

/*
 * Whether a connection subscribed to the events of this class ("route"; a type,
 * "route.add", counts by its class), so that a publisher can skip building an
 * object nobody reads. Control thread only.
 */
bool api_event_wanted(const char *class_or_type);

/*
 * Streaming, for results too big to build at once (a million routes). Instead of
 * setting *result with the whole list, a handler validates its args, allocates
 * a cursor and returns api_stream_begin(key, next, done, cursor). The server
 * then calls next() each time the connection's output queue is empty, one chunk
 * per wakeup, and sends
 *   {"id": N, "ok": true, "more": true, "result": {key: [chunk]}}
 * while next() returns 1, then {"id": N, "ok": true, "result": {key: [last chunk], ...}}
 * where "..." is what the handler put in *result (other members, optional).
 * An error from next() ends the reply with an error message instead. The client
 * library concatenates the chunks (docs/api.md). Requests that the client sent
 * behind this one are served after the last chunk; events may come in between.
 */
#define API_STREAM_CHUNK 10000

/*
 * Appends the next items, in order, to the array items: at most max of them.
 * Returns 1 when more remain, 0 when the list is complete (items may hold the
 * last ones, or none), or a negative errno set with fp_error(). Runs on the
 * control thread, at some later time: what it walks may have changed since
 * its last call, so the cursor must be a position that survives changes (the
 * last key sent, to resume after it), not a pointer into the table.
 */
typedef int (*api_stream_next_fn)(void *cursor, json_t *items, size_t max);
/* Frees the cursor. */
typedef void (*api_stream_done_fn)(void *cursor);

/*
 * From a handler only, once: its reply becomes the stream. Takes the cursor:
 * done(cursor) (done may be NULL) is called exactly once, when the stream ends
 * however it ends (last chunk queued, error, client gone, server stopped), and
 * also when api_stream_begin() fails or the handler returns an error after it.
 * Returns 0 or <0 with fp_error.
 */
int api_stream_begin(
	const char *key, api_stream_next_fn next, api_stream_done_fn done, void *cursor);
