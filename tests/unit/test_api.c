/* SPDX-License-Identifier: BSD-3-Clause */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "api/api.h"
#include "api/client.h"
#include "base/fp_error.h"
#include "infra/control.h"

/*
 * The real server on the real control loop, run by a thread of its own; the
 * tests are its clients, through the client library or raw sockets.
 */

static char dir[32], run_dir[48], sock_path[108];
static pthread_t loop_thread;
/* The API group of the tests: nogroup when it exists, for clients that are in it. */
static gid_t test_gid = API_NO_GROUP;

static int t_echo(const json_t *args, json_t **result)
{
	*result = json_deep_copy(args);
	return 0;
}

static int t_fail(const json_t *args, json_t **result)
{
	(void)args;
	*result = json_object(); /* ignored on error */
	return fp_error(EEXIST, "route 10.0.0.0/8 already exists");
}

/* {"n": N} -> {"items": [N objects]}, several MB for big N. */
static int t_big(const json_t *args, json_t **result)
{
	json_int_t n = json_integer_value(json_object_get(args, "n"));
	json_t *items = json_array();

	for (json_int_t i = 0; i < n; i++)
		json_array_append_new(
			items, json_pack("{s:s,s:I}", "prefix", "10.123.234.0/24", "i", i));
	*result = json_pack("{s:o}", "items", items);
	return 0;
}

static int t_nothing(const json_t *args, json_t **result)
{
	(void)args;
	(void)result;
	return 0;
}

static int t_stop(const json_t *args, json_t **result)
{
	(void)args;
	(void)result;
	control_stop();
	return 0;
}

/* {"type": T, "object": O, "count": N, "pad": BYTES}: N events T, O plus "n" and "pad". */
static int t_publish(const json_t *args, json_t **result)
{
	json_int_t count = json_integer_value(json_object_get(args, "count"));
	size_t pad = json_integer_value(json_object_get(args, "pad"));
	const json_t *object = json_object_get(args, "object");
	char *text = calloc(1, pad + 1);

	(void)result;
	memset(text, 'x', pad);
	for (json_int_t i = 0; i < (count ? count : 1); i++) {
		json_t *o = object ? json_deep_copy(object) : json_object();

		if (count)
			json_object_set_new(o, "n", json_integer(i));
		if (pad)
			json_object_set_new(o, "pad", json_string(text));
		api_event_publish(json_string_value(json_object_get(args, "type")), o);
	}
	free(text);
	return 0;
}

/* api_event_wanted() of a few classes. */
static int t_wanted(const json_t *args, json_t **result)
{
	static const char *const names[] = {"link", "neigh", "route", "addr", "route.add", "vrf"};

	(void)args;
	*result = json_object();
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		json_object_set_new(*result, names[i], json_boolean(api_event_wanted(names[i])));
	return 0;
}

/* The streams of test.stream: next() calls and done() calls, read by the tests. */
static int stream_nexts, stream_dones;

struct t_cursor {
	json_int_t i, n, fail_at;
	size_t pad;
};

static int t_stream_next(void *cursor, json_t *items, size_t max)
{
	struct t_cursor *cur = cursor;
	char text[1024];

	__atomic_add_fetch(&stream_nexts, 1, __ATOMIC_SEQ_CST);
	memset(text, 'x', cur->pad);
	text[cur->pad] = '\0';
	for (size_t k = 0; k < max && cur->i < cur->n; k++, cur->i++) {
		if (cur->i == cur->fail_at)
			return fp_error(EIO, "item %lld is unreadable", (long long)cur->i);
		json_array_append_new(
			items, cur->pad ? json_pack("{s:I,s:s}", "i", cur->i, "pad", text)
					: json_pack("{s:I}", "i", cur->i));
	}
	return cur->i < cur->n;
}

static void t_stream_done(void *cursor)
{
	__atomic_add_fetch(&stream_dones, 1, __ATOMIC_SEQ_CST);
	free(cursor);
}

/* {"n": N, "fail_at": K, "pad": BYTES} -> {"items": [{"i": 0}, ...], "total": N}, streamed. */
static int t_stream(const json_t *args, json_t **result)
{
	struct t_cursor *cur = calloc(1, sizeof(*cur));

	cur->n = json_integer_value(json_object_get(args, "n"));
	cur->fail_at = json_integer_value(json_object_get(args, "fail_at")) ?: -1;
	cur->pad = json_integer_value(json_object_get(args, "pad"));
	if (cur->pad > 1000) {
		free(cur);
		return fp_error(EINVAL, "pad: at most 1000");
	}
	*result = json_pack("{s:I}", "total", cur->n);
	return api_stream_begin("items", t_stream_next, t_stream_done, cur);
}

/* Starts a stream, then fails: the stream is dropped, done() called. */
static int t_stream_fail(const json_t *args, json_t **result)
{
	(void)args;
	(void)result;
	/* a second stream is refused, and its cursor freed */
	if (api_stream_begin("items", t_stream_next, t_stream_done,
		    calloc(1, sizeof(struct t_cursor))) != 0 ||
		api_stream_begin("items", t_stream_next, t_stream_done,
			calloc(1, sizeof(struct t_cursor))) != -EINVAL)
		return fp_error(EPROTO, "api_stream_begin() misbehaves");
	return fp_error(ENOENT, "no such table");
}

/* The oldest descriptor passed: {"text": its first bytes}. */
static int t_fd(const json_t *args, json_t **result)
{
	char text[64];
	ssize_t n;
	int fd = api_take_fd();

	(void)args;
	if (fd < 0)
		return fd;
	n = pread(fd, text, sizeof(text) - 1, 0);
	close(fd);
	if (n < 0)
		return fp_error(errno, "read: %s", strerror(errno));
	text[n] = '\0';
	*result = json_pack("{s:s}", "text", text);
	return 0;
}

/* api_take_file() to read, or {"write": true} to write "written": {"name": what it names}. */
static int t_file(const json_t *args, json_t **result)
{
	bool write = json_is_true(json_object_get(args, "write"));
	char name[256];
	int fd = api_take_file(write, name, sizeof(name));

	if (fd < 0)
		return fd;
	if (write && pwrite(fd, "written", 7, 0) != 7) {
		close(fd);
		return fp_error(EIO, "write failed");
	}
	close(fd);
	*result = json_pack("{s:s}", "name", name);
	return 0;
}

API_COMMAND(t_echo_cmd, "test.echo", "returns its arguments", t_echo, API_ARGS("a", "b", "k", "n"))
API_COMMAND(t_publish_cmd, "test.publish", "publishes events", t_publish,
	API_ARGS("type", "object", "count", "pad"))
API_COMMAND(t_wanted_cmd, "test.wanted", "api_event_wanted()", t_wanted, API_NO_ARGS)
API_COMMAND(
	t_stream_cmd, "test.stream", "a streamed result", t_stream, API_ARGS("n", "fail_at", "pad"))
API_COMMAND(t_stream_fail_cmd, "test.stream_fail", "starts a stream and fails", t_stream_fail,
	API_NO_ARGS)
API_COMMAND(t_fail_cmd, "test.fail", "fails", t_fail, API_NO_ARGS)
API_COMMAND(t_big_cmd, "test.big", "a big result", t_big, API_ARGS("n"))
API_COMMAND(t_nothing_cmd, "test.nothing", "returns no result", t_nothing, API_NO_ARGS)
API_COMMAND(t_stop_cmd, "test.stop", "stops the control loop", t_stop, API_NO_ARGS)
API_COMMAND(t_fd_cmd, "test.fd", "reads the descriptor passed", t_fd, API_NO_ARGS)
API_COMMAND(t_file_cmd, "test.file", "checks the file passed", t_file, API_ARGS("write"))

static void *loop(void *arg)
{
	(void)arg;
	return (void *)(intptr_t)control_run();
}

/* A raw connection reading replies line by line. */
struct raw {
	int fd;
	char *buf; /* received; [0, used) is the line raw_line() returned last */
	size_t len, cap, used;
};

static void raw_open(struct raw *r)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct timeval tv = {.tv_sec = 10};

	strcpy(sa.sun_path, sock_path);
	*r = (struct raw){0};
	r->fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(r->fd >= 0);
	assert_int_equal(connect(r->fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(setsockopt(r->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
}

static void raw_close(struct raw *r)
{
	close(r->fd);
	free(r->buf);
	*r = (struct raw){.fd = -1};
}

static void raw_send_len(struct raw *r, const char *text, size_t len)
{
	while (len > 0) {
		ssize_t n = send(r->fd, text, len, MSG_NOSIGNAL);

		assert_true(n > 0);
		text += n;
		len -= n;
	}
}

static void raw_send(struct raw *r, const char *text)
{
	raw_send_len(r, text, strlen(text));
}

/* The next line, valid until the next call; NULL at the end of the stream. */
static char *raw_line(struct raw *r)
{
	size_t scanned = 0;
	char *nl;

	r->len -= r->used;
	if (r->len > 0)
		memmove(r->buf, r->buf + r->used, r->len);
	r->used = 0;
	/* a new connection has no buffer yet */
	while ((nl = r->len > scanned ? memchr(r->buf + scanned, '\n', r->len - scanned) : NULL) ==
		NULL) {
		ssize_t n;

		scanned = r->len;
		if (r->cap - r->len < (1 << 16)) {
			r->cap = r->cap ? 2 * r->cap : 1 << 17;
			r->buf = realloc(r->buf, r->cap);
			assert_non_null(r->buf);
		}
		n = read(r->fd, r->buf + r->len, r->cap - r->len);
		if (n == 0 || (n < 0 && errno == ECONNRESET))
			return NULL;
		assert_true(n > 0);
		r->len += n;
	}
	*nl = '\0';
	r->used = nl + 1 - r->buf;
	return r->buf;
}

/* Reads a reply and checks it against the expected JSON text. */
static void raw_expect(struct raw *r, const char *expected)
{
	const char *line = raw_line(r);
	json_t *got, *want = json_loads(expected, 0, NULL);

	assert_non_null(want);
	assert_non_null(line);
	got = json_loads(line, 0, NULL);
	if (!json_equal(got, want))
		fail_msg("got %s\nexpected %s", line, expected);
	json_decref(got);
	json_decref(want);
}

/* Reads an error reply: its id (JSON text) and errno name. */
static void raw_expect_error(struct raw *r, const char *id, const char *errname)
{
	const char *line = raw_line(r);
	json_t *reply, *want_id = json_loads(id, JSON_DECODE_ANY, NULL);
	const char *name, *message;
	json_t *got_id;
	int ok, code;

	assert_non_null(line);
	reply = json_loads(line, 0, NULL);
	if (json_unpack(reply, "{s:o,s:b,s:{s:s,s:i,s:s}}", "id", &got_id, "ok", &ok, "error",
		    "errno", &name, "code", &code, "message", &message) < 0 ||
		ok || !json_equal(got_id, want_id) || strcmp(name, errname) != 0)
		fail_msg("got %s, expected an %s error with id %s", line, errname, id);
	assert_true(message[0] != '\0' && code > 0);
	json_decref(reply);
	json_decref(want_id);
}

static void raw_expect_eof(struct raw *r)
{
	assert_null(raw_line(r));
	raw_close(r);
}

static void test_start(void **state)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct stat st;
	int fd;

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/fp-test-api-%d", (int)getpid());
	snprintf(run_dir, sizeof(run_dir), "%s/run", dir);
	snprintf(sock_path, sizeof(sock_path), "%s/fastpath.sock", run_dir);
	strcpy(sa.sun_path, sock_path);
	assert_int_equal(control_init(), 0);

	/* creates the directories; removes the socket when it stops */
	api_server_set_group("fp-test-no-such-group");
	assert_int_equal(api_server_start(sock_path), 0);
	/* without the group, the socket keeps the daemon's */
	assert_int_equal(stat(sock_path, &st), 0);
	assert_int_equal(st.st_gid, getegid());
	api_server_stop();
	assert_int_equal(access(sock_path, F_OK), -1);
	if (getgrnam("nogroup") != NULL && geteuid() == 0) {
		test_gid = getgrnam("nogroup")->gr_gid;
		api_server_set_group("nogroup");
	}

	/* leaves alone a file that is not a socket */
	fd = creat(sock_path, 0644);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(api_server_start(sock_path), -EEXIST);
	assert_int_equal(unlink(sock_path), 0);

	/* does not steal the socket of a live daemon */
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fd, 1), 0);
	assert_int_equal(api_server_start(sock_path), -EADDRINUSE);
	assert_non_null(strstr(fp_errmsg(), "another fastpathd is listening"));

	/* but replaces the socket a dead one left */
	close(fd);
	assert_int_equal(api_server_start(sock_path), 0);
	assert_int_equal(stat(sock_path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0660);
	assert_int_equal(st.st_uid, geteuid());
	if (test_gid != API_NO_GROUP)
		assert_int_equal(st.st_gid, test_gid);
	assert_int_equal(api_server_start(sock_path), -EBUSY);

	assert_int_equal(pthread_create(&loop_thread, NULL, loop, NULL), 0);
}

static void test_client(void **state)
{
	json_t *result, *cmd;
	struct api_client *c;
	bool found = false;
	size_t i;

	(void)state;
	assert_int_equal(api_client_connect(sock_path, &c), 0);

	assert_int_equal(api_client_call(c, "api.version", NULL, &result), 0);
	assert_string_equal(json_string_value(json_object_get(result, "version")), FP_VERSION);
	assert_int_equal(
		json_integer_value(json_object_get(result, "protocol")), API_PROTOCOL_VERSION);
	json_decref(result);

	assert_int_equal(
		api_client_call(c, "test.echo", json_pack("{s:[i,s]}", "a", 1, "b"), &result), 0);
	assert_int_equal(json_integer_value(json_array_get(json_object_get(result, "a"), 0)), 1);
	json_decref(result);

	/* no args: the handler gets an empty object, a NULL result is an empty object */
	assert_int_equal(api_client_call(c, "test.echo", NULL, &result), 0);
	assert_true(json_is_object(result) && json_object_size(result) == 0);
	json_decref(result);
	assert_int_equal(api_client_call(c, "test.nothing", json_object(), &result), 0);
	assert_true(json_is_object(result) && json_object_size(result) == 0);
	json_decref(result);

	/* errors carry the handler's errno and message */
	assert_int_equal(api_client_call(c, "test.fail", NULL, NULL), -EEXIST);
	assert_string_equal(fp_errmsg(), "route 10.0.0.0/8 already exists");
	assert_int_equal(api_client_call(c, "route.frobnicate", NULL, NULL), -EOPNOTSUPP);
	assert_string_equal(
		fp_errmsg(), "unknown command 'route.frobnicate' (api.commands lists them)");

	/* every command refuses the arguments it does not declare, before its handler runs */
	assert_int_equal(
		api_client_call(c, "api.version", json_pack("{s:i}", "x", 1), NULL), -EINVAL);
	assert_string_equal(fp_errmsg(), "unknown argument 'x' for api.version: it takes none");
	assert_int_equal(
		api_client_call(c, "test.echo", json_pack("{s:i,s:i}", "a", 1, "zz", 2), NULL),
		-EINVAL);
	assert_string_equal(
		fp_errmsg(), "unknown argument 'zz' for test.echo (expected 'a', 'b', 'k', 'n')");
	assert_int_equal(
		api_client_call(c, "test.stream", json_pack("{s:i}", "fail-at", 2), NULL), -EINVAL);
	assert_string_equal(fp_errmsg(),
		"unknown argument 'fail-at' for test.stream (did you mean 'fail_at'?)");
	assert_int_equal(api_client_call(c, "test.fail", json_pack("{s:n}", "x"), NULL), -EINVAL);

	assert_int_equal(api_client_call(c, "api.commands", NULL, &result), 0);
	json_array_foreach (json_object_get(result, "commands"), i, cmd)
		found |=
			strcmp(json_string_value(json_object_get(cmd, "name")), "test.echo") == 0 &&
			strcmp(json_string_value(json_object_get(cmd, "help")),
				"returns its arguments") == 0 &&
			json_array_size(json_object_get(cmd, "args")) == 4 &&
			strcmp(json_string_value(json_array_get(json_object_get(cmd, "args"), 3)),
				"n") == 0;
	assert_true(found);
	json_decref(result);
	api_client_close(c);
}

/* Bad requests get an error reply; the connection stays usable while the framing holds. */
static void test_malformed(void **state)
{
	struct raw r;

	(void)state;
	raw_open(&r);
	raw_send(&r, "{bad json\n");
	raw_expect_error(&r, "null", "EBADMSG");
	raw_send(&r, "{\"id\": 1, \"cmd\": \"api.vers\n");
	raw_expect_error(&r, "null", "EBADMSG");
	raw_send(&r, "[1, 2]\n");
	raw_expect_error(&r, "null", "EINVAL");
	raw_send(&r, "{\"id\": 3}\n");
	raw_expect_error(&r, "3", "EINVAL");
	raw_send(&r, "{\"id\": \"x\", \"cmd\": \"test.echo\", \"args\": [1]}\n");
	raw_expect_error(&r, "\"x\"", "EINVAL");
	raw_send(&r, "{\"id\": 4, \"cmd\": \"test.echo\", \"arg\": {}}\n");
	raw_expect_error(&r, "4", "EINVAL");
	raw_send(&r, "{\"id\": 5, \"cmd\": \"test.echo\", \"id\": 6}\n");
	raw_expect_error(&r, "null", "EBADMSG");
	raw_send(&r, "{\"id\": 7, \"cmd\": 7}\n");
	raw_expect_error(&r, "7", "EINVAL");
	raw_send(&r, "{\"id\": [8], \"cmd\": \"nope\"}\n");
	raw_expect_error(&r, "[8]", "ENOTSUP");
	raw_send(&r, "{\"id\": 9, \"cmd\": \"test.fail\"}\n");
	raw_expect(&r, "{\"id\": 9, \"ok\": false, \"error\": {\"errno\": \"EEXIST\", \"code\": 17,"
		       " \"message\": \"route 10.0.0.0/8 already exists\"}}");

	/* blank lines are skipped; CRLF and no id are fine */
	raw_send(&r, "\n  \r\n{\"cmd\": \"test.echo\", \"args\": {\"k\": 1}}\r\n");
	raw_expect(&r, "{\"id\": null, \"ok\": true, \"result\": {\"k\": 1}}");

	/* pipelined requests are answered in order; a request may come in pieces */
	raw_send(&r, "{\"id\": 10, \"cmd\": \"test.echo\", \"args\": {\"n\": 10}}\n"
		     "{\"id\": 11, \"cmd\": \"test.echo\", \"args\": {\"n\": 11}}\n{\"id\": 12, ");
	raw_expect(&r, "{\"id\": 10, \"ok\": true, \"result\": {\"n\": 10}}");
	raw_expect(&r, "{\"id\": 11, \"ok\": true, \"result\": {\"n\": 11}}");
	usleep(20000);
	raw_send(&r, "\"cmd\": \"test.nothing\"}\n");
	raw_expect(&r, "{\"id\": 12, \"ok\": true, \"result\": {}}");
	raw_close(&r);
}

/* At the end of the stream, a last request without its newline is still served. */
static void test_truncated(void **state)
{
	struct raw r;

	(void)state;
	raw_open(&r);
	raw_send(&r, "{\"id\": 1, \"cmd\": \"test.nothing\"}\n{\"id\": 2, \"cmd\": \"api.ver");
	shutdown(r.fd, SHUT_WR);
	raw_expect(&r, "{\"id\": 1, \"ok\": true, \"result\": {}}");
	raw_expect_error(&r, "null", "EBADMSG");
	raw_expect_eof(&r);

	raw_open(&r);
	raw_send(&r, "{\"id\": 3, \"cmd\": \"test.nothing\"}");
	shutdown(r.fd, SHUT_WR);
	raw_expect(&r, "{\"id\": 3, \"ok\": true, \"result\": {}}");
	raw_expect_eof(&r);
}

static void test_oversized(void **state)
{
	const char req[] = "{\"id\": 1, \"cmd\": \"test.nothing\"}";
	char *big = malloc(API_REQUEST_MAX + 2);
	struct raw r;

	(void)state;
	/* the longest request */
	memset(big, ' ', API_REQUEST_MAX);
	memcpy(big, req, strlen(req));
	big[API_REQUEST_MAX] = '\n';
	raw_open(&r);
	raw_send_len(&r, big, API_REQUEST_MAX + 1);
	raw_expect(&r, "{\"id\": 1, \"ok\": true, \"result\": {}}");

	/* one byte more: an error, then the server hangs up */
	big[API_REQUEST_MAX] = ' ';
	raw_send_len(&r, big, API_REQUEST_MAX + 1);
	raw_expect_error(&r, "null", "EMSGSIZE");
	raw_expect_eof(&r);
	free(big);
}

/* Replies far bigger than the socket buffer: written as the client reads. */
static void test_big_reply(void **state)
{
	struct api_client *c;
	json_t *result;

	(void)state;
	assert_int_equal(api_client_connect(sock_path, &c), 0);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(
			api_client_call(c, "test.big", json_pack("{s:i}", "n", 300000), &result),
			0);
		assert_int_equal(json_array_size(json_object_get(result, "items")), 300000);
		json_decref(result);
	}
	api_client_close(c);
}

static void test_many_clients(void **state)
{
	enum { N = 100 };
	struct raw *r = calloc(N, sizeof(*r));
	char text[128];

	(void)state;
	for (int i = 0; i < N; i++)
		raw_open(&r[i]);
	for (int i = N - 1; i >= 0; i--) {
		snprintf(text, sizeof(text), "{\"id\": %d, \"cmd\": \"test.echo\", \"args\": {}}\n",
			i);
		raw_send(&r[i], text);
	}
	for (int i = 0; i < N; i++) {
		snprintf(text, sizeof(text), "{\"id\": %d, \"ok\": true, \"result\": {}}", i);
		raw_expect(&r[i], text);
		raw_close(&r[i]);
	}
	free(r);
}

/* A client that asks and never reads is dropped; the others do not notice. */
static void test_slow_reader(void **state)
{
	const char req[] = "{\"cmd\": \"test.big\", \"args\": {\"n\": 100000}}\n";
	struct api_client *c;
	struct raw r, gone;
	int replies = 0;

	(void)state;
	raw_open(&r);
	for (int i = 0; i < 20; i++)
		raw_send(&r, req);
	/* and one that hangs up before its reply */
	raw_open(&gone);
	raw_send(&gone, req);
	raw_close(&gone);
	assert_int_equal(api_client_connect(sock_path, &c), 0);
	assert_int_equal(api_client_call(c, "test.nothing", NULL, NULL), 0);
	while (raw_line(&r) != NULL)
		replies++;
	raw_close(&r);
	assert_true(replies < 20);
	assert_int_equal(api_client_call(c, "test.nothing", NULL, NULL), 0);
	api_client_close(c);
}

/*
 * Out of file descriptors, the server drops clients instead of spinning on
 * accept. Runs first, while every descriptor the server holds is a low one.
 */
static void test_out_of_fds(void **state)
{
	enum { LIMIT = 64 };
	struct rlimit saved, low = {.rlim_cur = LIMIT};
	struct api_client *c;
	int filler[LIMIT], n = 0;
	struct raw r;

	(void)state;
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &saved), 0);
	low.rlim_max = saved.rlim_max;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	/* every descriptor taken but one, for the client's socket */
	while ((filler[n] = open("/dev/null", O_RDONLY)) >= 0)
		n++;
	assert_int_equal(errno, EMFILE);
	close(filler[--n]);
	raw_open(&r);
	raw_expect_eof(&r);
	while (n > 0)
		close(filler[--n]);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &saved), 0);

	assert_int_equal(api_client_connect(sock_path, &c), 0);
	assert_int_equal(api_client_call(c, "test.nothing", NULL, NULL), 0);
	api_client_close(c);
}

static json_int_t api_stat(const char *name)
{
	struct api_client *c;
	json_t *result;
	json_int_t v;

	assert_int_equal(api_client_connect(sock_path, &c), 0);
	assert_int_equal(api_client_call(c, "api.stats", NULL, &result), 0);
	v = json_integer_value(json_object_get(result, name));
	json_decref(result);
	api_client_close(c);
	return v;
}

static void test_peer_allowed(void **state)
{
	const gid_t groups[] = {4, 24, 100};

	(void)state;
	/* root and the daemon's own user, group or not */
	assert_true(api_peer_allowed(0, 0, NULL, 0, 0, API_NO_GROUP));
	assert_true(api_peer_allowed(0, 5, NULL, 0, 1000, 999));
	assert_true(api_peer_allowed(1000, 1000, NULL, 0, 1000, API_NO_GROUP));
	/* anyone else must be in the group */
	assert_false(api_peer_allowed(1001, 1001, groups, 3, 0, API_NO_GROUP));
	assert_false(api_peer_allowed(1001, 1001, NULL, 0, 0, 999));
	assert_false(api_peer_allowed(1001, 1001, groups, 3, 0, 999));
	assert_true(api_peer_allowed(1001, 999, NULL, 0, 0, 999));
	assert_true(api_peer_allowed(1001, 1001, groups, 3, 0, 24));
	assert_true(api_peer_allowed(1001, 1001, groups, 3, 0, 100));
	assert_false(api_peer_allowed(1001, 1001, groups, 2, 0, 100));
	/* a gid of -1 is no member of a missing group */
	assert_false(api_peer_allowed(1001, API_NO_GROUP, NULL, 0, 0, API_NO_GROUP));
}

/*
 * A child process running as nobody (uid 65534) with primary group gid sends
 * api.version; returns 0 when its first line is want, and, if eof, the
 * connection ends there.
 */
static int run_as_nobody(gid_t gid, const char *want, bool eof)
{
	static const char req[] = "{\"id\": 1, \"cmd\": \"api.version\"}\n";
	int status;
	pid_t pid;

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct sockaddr_un sa = {.sun_family = AF_UNIX};
		struct timeval tv = {.tv_sec = 10};
		size_t len = 0;
		char buf[4096];
		char *nl;
		ssize_t n;
		int fd;

		if (setgroups(0, NULL) < 0 || setresgid(gid, gid, gid) < 0 ||
			setresuid(65534, 65534, 65534) < 0)
			_exit(2);
		strcpy(sa.sun_path, sock_path);
		fd = socket(AF_UNIX, SOCK_STREAM, 0);
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
			_exit(3);
		/* may fail when the server was quicker to hang up */
		if (send(fd, req, sizeof(req) - 1, MSG_NOSIGNAL) < 0)
			(void)0;
		while ((nl = memchr(buf, '\n', len)) == NULL && len < sizeof(buf) &&
			(n = read(fd, buf + len, sizeof(buf) - len)) > 0)
			len += n;
		if (nl == NULL)
			_exit(4);
		*nl = '\0';
		if (strcmp(buf, want) != 0) {
			fprintf(stderr, "got %s\nexpected %s\n", buf, want);
			_exit(1);
		}
		/* ECONNRESET: the server did not read the request before closing */
		if (eof && read(fd, buf, sizeof(buf)) != 0 && errno != ECONNRESET)
			_exit(5);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* The descriptors this process has open (the server runs in it): its passed ones count. */
static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = -1; /* the DIR's own */

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/* Sends text with n descriptors on its first byte, in one sendmsg(). */
static void raw_send_fds(struct raw *r, const char *text, const int *fds, int n)
{
	union {
		char buf[CMSG_SPACE(16 * sizeof(int))];
		struct cmsghdr align;
	} control;
	struct iovec iov = {(void *)text, strlen(text)};
	struct msghdr msg = {.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control.buf,
		.msg_controllen = CMSG_SPACE(n * sizeof(int))};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);

	assert_true(n <= 16);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(n * sizeof(int));
	memcpy(CMSG_DATA(cm), fds, n * sizeof(int));
	assert_int_equal(sendmsg(r->fd, &msg, MSG_NOSIGNAL), (ssize_t)strlen(text));
}

static json_int_t fds_dropped(struct api_client *c)
{
	json_t *result;
	json_int_t n;

	assert_int_equal(api_client_call(c, "api.stats", NULL, &result), 0);
	n = json_integer_value(json_object_get(result, "fds_dropped"));
	json_decref(result);
	return n;
}

/* api_take_file() of what fd is: the error, its message containing what. */
static void expect_file_refused(struct api_client *c, int fd, bool write, int err, const char *what)
{
	assert_int_equal(api_client_call_fd(c, "test.file",
				 write ? json_pack("{s:b}", "write", true) : NULL, fd, NULL),
		-err);
	if (strstr(fp_errmsg(), what) == NULL)
		fail_msg("'%s' does not say '%s'", fp_errmsg(), what);
	close(fd);
}

/* Files passed with requests (SCM_RIGHTS): taken in order, checked, never kept for long. */
static void test_pass_fds(void **state)
{
	char path[64], fifo[64], text[160];
	struct api_client *c;
	int fd, fd2, fds[12], sv[2], base;
	json_int_t dropped;
	json_t *result;
	struct raw r;

	(void)state;
	snprintf(path, sizeof(path), "%s/file", dir);
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "hello", 5), 5);
	assert_int_equal(api_client_connect(sock_path, &c), 0);
	assert_int_equal(api_client_call(c, "api.version", NULL, NULL), 0);
	base = open_fds();

	/* the handler reads what the client opened */
	assert_int_equal(api_client_call_fd(c, "test.fd", NULL, fd, &result), 0);
	assert_string_equal(json_string_value(json_object_get(result, "text")), "hello");
	json_decref(result);
	assert_int_equal(api_client_call(c, "test.fd", NULL, NULL), -EBADF);
	assert_string_equal(fp_errmsg(), "no file descriptor passed with the request");
	/* one that no handler takes goes with its request: it serves no later one */
	assert_int_equal(api_client_call_fd(c, "test.nothing", NULL, fd, NULL), 0);
	assert_int_equal(api_client_call(c, "test.fd", NULL, NULL), -EBADF);
	assert_int_equal(open_fds(), base);

	/* regular files only, open for what is done with them: refused at once, unread */
	assert_int_equal(mkfifo(fifo, 0600), 0);
	expect_file_refused(c, open(fifo, O_RDWR | O_NONBLOCK), false, EINVAL,
		"fifo: a FIFO, not a regular file");
	expect_file_refused(
		c, open("/dev/zero", O_RDONLY), false, EINVAL, "a character device, not a regular");
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	close(sv[1]);
	expect_file_refused(c, sv[0], false, EINVAL, "a socket, not a regular file");
	expect_file_refused(c, open(dir, O_RDONLY | O_DIRECTORY), false, EINVAL, "a directory");
	expect_file_refused(c, open(path, O_WRONLY), false, EBADF, "not open for reading");
	expect_file_refused(c, open(path, O_RDONLY), true, EBADF, "not open for writing");
	expect_file_refused(c, open(path, O_PATH), false, EBADF, "O_PATH");
	expect_file_refused(c, open(path, O_PATH), true, EBADF, "O_PATH");
	assert_int_equal(unlink(fifo), 0);
	assert_int_equal(
		api_client_call_fd(c, "test.file", json_pack("{s:b}", "write", true), fd, &result),
		0);
	assert_string_equal(json_string_value(json_object_get(result, "name")), path);
	json_decref(result);
	assert_int_equal(pread(fd, text, 7, 0), 7);
	assert_memory_equal(text, "written", 7);
	assert_int_equal(open_fds(), base);

	/* beyond API_FDS_MAX the extra ones are closed and counted; beyond what one message can
	 * bring (MSG_CTRUNC), the kernel closes them, counted once */
	dropped = fds_dropped(c);
	for (int i = 0; i < 12; i++)
		fds[i] = dup(fd);
	raw_open(&r);
	raw_send_fds(&r, "{\"id\": 1, \"cmd\": \"test.fd\"}\n", fds, API_FDS_MAX + 2);
	raw_expect(&r, "{\"id\": 1, \"ok\": true, \"result\": {\"text\": \"written\"}}");
	raw_send_fds(&r, "{\"id\": 2, \"cmd\": \"test.nothing\"}\n", fds, 12);
	raw_expect(&r, "{\"id\": 2, \"ok\": true, \"result\": {}}");
	assert_int_equal(fds_dropped(c), dropped + 2 + (2 * API_FDS_MAX - API_FDS_MAX) + 1);

	/* pipelined requests take their own descriptors */
	fd2 = open(path, O_RDWR | O_TRUNC);
	assert_int_equal(write(fd2, "world", 5), 5);
	fds[0] = open(fifo, O_RDWR | O_CREAT, 0600); /* a regular file now */
	assert_int_equal(write(fds[0], "first", 5), 5);
	raw_send_fds(&r, "{\"id\": 3, \"cmd\": \"test.fd\"}\n", &fds[0], 1);
	raw_send_fds(&r, "{\"id\": 4, \"cmd\": \"test.fd\"}\n", &fd2, 1);
	raw_expect(&r, "{\"id\": 3, \"ok\": true, \"result\": {\"text\": \"first\"}}");
	raw_expect(&r, "{\"id\": 4, \"ok\": true, \"result\": {\"text\": \"world\"}}");
	close(fds[0]);
	close(fd2);
	assert_int_equal(unlink(fifo), 0);

	/* those passed with a request not yet whole are held, then closed with the connection */
	base = open_fds();
	raw_send_fds(&r, "{\"id\": 5, ", &fds[1], 3);
	for (int i = 1; i < 12; i++)
		close(fds[i]);
	base -= 11;
	for (int i = 0; i < 100 && open_fds() != base + 3; i++)
		usleep(10000);
	assert_int_equal(open_fds(), base + 3);
	raw_close(&r);
	/* the client's socket, the server's end and the 3 */
	for (int i = 0; i < 100 && open_fds() != base - 2; i++)
		usleep(10000);
	assert_int_equal(open_fds(), base - 2);
	api_client_close(c);
	close(fd);
	assert_int_equal(unlink(path), 0);
}

/* Clients from other users: served when in the group, else one error and goodbye. */
static void test_access(void **state)
{
	const struct passwd *pw = getpwuid(65534);
	json_int_t refused = api_stat("refused");
	char want[256];

	(void)state;
	if (geteuid() != 0)
		skip();
	/* past the socket's permissions, to meet the server's own check */
	assert_int_equal(chmod(sock_path, 0666), 0);
	if (test_gid == API_NO_GROUP)
		snprintf(want, sizeof(want),
			"{\"id\":null,\"ok\":false,\"error\":{\"errno\":\"EACCES\",\"code\":13,"
			"\"message\":\"user '%s' is not in group 'fp-test-no-such-group' (the "
			"group "
			"does not exist)\"}}",
			pw ? pw->pw_name : "65534");
	else
		snprintf(want, sizeof(want),
			"{\"id\":null,\"ok\":false,\"error\":{\"errno\":\"EACCES\",\"code\":13,"
			"\"message\":\"user '%s' is not in group 'nogroup'\"}}",
			pw ? pw->pw_name : "65534");
	assert_int_equal(run_as_nobody(1, want, true), 0);
	assert_int_equal(api_stat("refused"), refused + 1);
	if (test_gid != API_NO_GROUP) {
		snprintf(want, sizeof(want),
			"{\"id\":1,\"ok\":true,\"result\":{\"version\":\"%s\",\"protocol\":%d}}",
			FP_VERSION, API_PROTOCOL_VERSION);
		assert_int_equal(run_as_nobody(test_gid, want, false), 0);
		assert_int_equal(api_stat("refused"), refused + 1);
	}
	assert_int_equal(chmod(sock_path, 0660), 0);
}

/* Checks a JSON value against the expected JSON text, and drops it. */
static void expect_json(json_t *got, const char *expected)
{
	json_t *want = json_loads(expected, 0, NULL);
	char *text;

	assert_non_null(want);
	if (!json_equal(got, want)) {
		text = json_dumps(got, JSON_ENCODE_ANY);
		fail_msg("got %s\nexpected %s", text, expected);
	}
	json_decref(want);
	json_decref(got);
}

/* Checks an event message: its type and the object's "prefix". */
static void expect_event(json_t *event, const char *type, const char *prefix)
{
	const char *t, *p;

	if (json_unpack(event, "{s:s,s:{s:s}}", "event", &t, "object", "prefix", &p) < 0 ||
		strcmp(t, type) != 0 || strcmp(p, prefix) != 0 || json_object_size(event) != 2)
		fail_msg("got %s, expected %s %s", json_dumps(event, 0), type, prefix);
	json_decref(event);
}

static void publish(struct api_client *c, const char *type, const char *prefix)
{
	assert_int_equal(
		api_client_call(c, "test.publish",
			json_pack("{s:s,s:{s:s}}", "type", type, "object", "prefix", prefix), NULL),
		0);
}

static void test_monitor(void **state)
{
	struct api_client *m, *c;
	json_t *result, *event;
	struct raw r;

	(void)state;
	assert_int_equal(api_client_connect(sock_path, &m), 0);
	assert_int_equal(api_client_connect(sock_path, &c), 0);
	/* nobody listens yet: publishing is a no-op */
	publish(c, "route.add", "10.0.0.0/8");
	assert_int_equal(api_client_call(c, "test.wanted", NULL, &result), 0);
	expect_json(result,
		"{\"link\": false, \"neigh\": false, \"route\": false, \"addr\": false, "
		"\"route.add\": false, \"vrf\": false}");

	assert_int_equal(api_client_call(m, "monitor",
				 json_pack("{s:[s,s]}", "events", "route", "neigh"), &result),
		0);
	expect_json(result, "{\"events\": [\"neigh\", \"route\"]}");
	assert_int_equal(api_stat("monitors"), 1);
	assert_int_equal(api_client_call(c, "test.wanted", NULL, &result), 0);
	expect_json(result, "{\"link\": false, \"neigh\": true, \"route\": true, \"addr\": false, "
			    "\"route.add\": true, \"vrf\": false}");

	publish(c, "route.add", "10.1.0.0/16");
	publish(c, "addr.add", "10.2.0.1/24"); /* not subscribed */
	publish(c, "neigh.update", "10.3.0.1");
	publish(c, "vrf.add", "10.4.0.0/16"); /* a class not listed */
	assert_int_equal(api_client_event(m, 5000, &event), 0);
	expect_event(event, "route.add", "10.1.0.0/16");
	assert_int_equal(api_client_event(m, 5000, &event), 0);
	expect_event(event, "neigh.update", "10.3.0.1");
	assert_int_equal(api_client_event(m, 100, &event), -ETIMEDOUT);

	/* requests on a monitoring connection: events that come first are kept */
	publish(m, "route.del", "10.1.0.0/16");
	assert_int_equal(api_client_call(m, "test.echo", json_pack("{s:i}", "k", 1), &result), 0);
	assert_int_equal(json_integer_value(json_object_get(result, "k")), 1);
	json_decref(result);
	assert_int_equal(api_client_event(m, 5000, &event), 0);
	expect_event(event, "route.del", "10.1.0.0/16");

	/* monitor again replaces the subscription; no events: all of them */
	assert_int_equal(api_client_call(m, "monitor", NULL, &result), 0);
	expect_json(
		result, "{\"events\": [\"link\", \"neigh\", \"route\", \"addr\", \"conntrack\"]}");
	assert_int_equal(api_client_call(c, "test.wanted", NULL, &result), 0);
	expect_json(result, "{\"link\": true, \"neigh\": true, \"route\": true, \"addr\": true, "
			    "\"route.add\": true, \"vrf\": true}");
	publish(c, "addr.add", "10.2.0.1/24");
	publish(c, "vrf.add", "10.4.0.0/16");
	publish(c, "link", "10.5.0.0/16"); /* a type without a dot is its class */
	assert_int_equal(api_client_event(m, 5000, &event), 0);
	expect_event(event, "addr.add", "10.2.0.1/24");
	assert_int_equal(api_client_event(m, 5000, &event), 0);
	expect_event(event, "vrf.add", "10.4.0.0/16");
	assert_int_equal(api_client_event(m, 5000, &event), 0);
	expect_event(event, "link", "10.5.0.0/16");

	/* bad subscriptions */
	assert_int_equal(
		api_client_call(m, "monitor", json_pack("{s:[s]}", "events", "bogus"), NULL),
		-EINVAL);
	assert_string_equal(fp_errmsg(),
		"events: unknown event class 'bogus' (link, neigh, route, addr, conntrack)");
	assert_int_equal(
		api_client_call(m, "monitor", json_pack("{s:[s]}", "events", "route.add"), NULL),
		-EINVAL);
	assert_int_equal(
		api_client_call(m, "monitor", json_pack("{s:[i]}", "events", 1), NULL), -EINVAL);
	assert_int_equal(api_client_call(m, "monitor", json_pack("{s:s}", "events", "route"), NULL),
		-EINVAL);
	assert_int_equal(
		api_client_call(m, "monitor", json_pack("{s:[]}", "events"), NULL), -EINVAL);
	assert_int_equal(
		api_client_call(m, "monitor", json_pack("{s:b}", "all", 1), NULL), -EINVAL);
	assert_int_equal(
		api_client_call(m, "monitor.stop", json_pack("{s:b}", "x", 1), NULL), -EINVAL);
	api_client_close(m);

	/* the wire format; after monitor.stop, nothing more */
	raw_open(&r);
	raw_send(&r, "{\"id\": 1, \"cmd\": \"monitor\", \"args\": {\"events\": [\"route\"]}}\n");
	raw_expect(&r, "{\"id\": 1, \"ok\": true, \"result\": {\"events\": [\"route\"]}}");
	assert_int_equal(api_client_call(c, "test.publish",
				 json_pack("{s:s,s:{s:s,s:i}}", "type", "route.add", "object",
					 "prefix", "10.9.0.0/16", "vrf", 0),
				 NULL),
		0);
	raw_expect(&r, "{\"event\": \"route.add\", \"object\": {\"prefix\": \"10.9.0.0/16\", "
		       "\"vrf\": 0}}");
	raw_send(&r, "{\"id\": 2, \"cmd\": \"monitor.stop\"}\n");
	raw_expect(&r, "{\"id\": 2, \"ok\": true, \"result\": {}}");
	publish(c, "route.del", "10.9.0.0/16");
	raw_send(&r, "{\"id\": 3, \"cmd\": \"test.nothing\"}\n");
	raw_expect(&r, "{\"id\": 3, \"ok\": true, \"result\": {}}");
	raw_close(&r);
	api_client_close(c);
}

/* A subscriber that does not read is dropped at the bound; readers go on. */
static void test_monitor_slow(void **state)
{
	json_int_t dropped = api_stat("dropped");
	struct api_client *reader, *c;
	char scratch[1 << 16];
	json_t *event;
	size_t total = 0;
	struct raw r;
	ssize_t n;

	(void)state;
	raw_open(&r);
	raw_send(&r, "{\"id\": 1, \"cmd\": \"monitor\"}\n");
	assert_non_null(strstr(raw_line(&r), "\"ok\":true"));
	assert_int_equal(api_client_connect(sock_path, &reader), 0);
	assert_int_equal(api_client_call(reader, "monitor", NULL, NULL), 0);
	assert_int_equal(api_client_connect(sock_path, &c), 0);
	/* 30 MB of events, 1 MB at a time: more than the bound of 16 MiB */
	for (int i = 0; i < 30; i++) {
		assert_int_equal(
			api_client_call(c, "test.publish",
				json_pack("{s:s,s:{s:s},s:i,s:i}", "type", "route.add", "object",
					"prefix", "10.0.0.0/8", "count", 10, "pad", 100000),
				NULL),
			0);
		for (int k = 0; k < 10; k++) {
			assert_int_equal(api_client_event(reader, 5000, &event), 0);
			assert_int_equal(json_integer_value(json_object_get(
						 json_object_get(event, "object"), "n")),
				k);
			json_decref(event);
		}
	}
	assert_int_equal(api_stat("dropped"), dropped + 1);
	assert_int_equal(api_stat("monitors"), 1);
	/* the slow one gets what its socket held, then the end */
	while ((n = read(r.fd, scratch, sizeof(scratch))) > 0)
		total += n;
	assert_int_equal(n, 0);
	assert_true(total < 16 << 20);
	raw_close(&r);
	assert_int_equal(api_client_call(c, "test.nothing", NULL, NULL), 0);
	api_client_close(reader);
	api_client_close(c);
}

/*
 * Reads a stream's messages on r: id, counts of items, "more" on all but the
 * last when complete; *next is the first item's "i", then the next one's.
 */
static void expect_chunks(
	struct raw *r, int id, const int *counts, int nchunks, bool complete, json_int_t *next)
{
	for (int k = 0; k < nchunks; k++) {
		json_t *msg = json_loads(raw_line(r), 0, NULL), *items, *item;
		int more = 0, ok = 0;
		json_int_t got_id;
		size_t i;

		if (json_unpack(msg, "{s:I,s:b,s?b,s:{s:o}}", "id", &got_id, "ok", &ok, "more",
			    &more, "result", "items", &items) < 0)
			fail_msg("chunk %d: unexpected message", k);
		assert_int_equal(got_id, id);
		assert_true(ok);
		assert_int_equal(more, k < nchunks - 1 || !complete);
		assert_int_equal(json_array_size(items), counts[k]);
		/* only the last message has the handler's other members */
		assert_int_equal(json_object_size(json_object_get(msg, "result")), more ? 1 : 2);
		json_array_foreach (items, i, item)
			assert_int_equal(json_integer_value(json_object_get(item, "i")), (*next)++);
		json_decref(msg);
	}
}

static void test_stream(void **state)
{
	static const int counts[] = {10000, 10000, 5000};
	json_int_t next = 0;
	struct api_client *c;
	json_t *result, *item;
	struct raw r;
	int dones;
	size_t i;

	(void)state;
	dones = __atomic_load_n(&stream_dones, __ATOMIC_SEQ_CST);
	assert_int_equal(api_client_connect(sock_path, &c), 0);
	/* reassembled by the client library */
	assert_int_equal(
		api_client_call(c, "test.stream", json_pack("{s:i}", "n", 25000), &result), 0);
	assert_int_equal(json_object_size(result), 2);
	assert_int_equal(json_integer_value(json_object_get(result, "total")), 25000);
	assert_int_equal(json_array_size(json_object_get(result, "items")), 25000);
	json_array_foreach (json_object_get(result, "items"), i, item)
		assert_int_equal(json_integer_value(json_object_get(item, "i")), (json_int_t)i);
	json_decref(result);
	/* short: one message, as any reply */
	assert_int_equal(api_client_call(c, "test.stream", json_pack("{s:i}", "n", 0), &result), 0);
	expect_json(result, "{\"total\": 0, \"items\": []}");

	/* an error in the middle ends the reply; the connection stays usable */
	assert_int_equal(api_client_call(c, "test.stream",
				 json_pack("{s:i,s:i}", "n", 25000, "fail_at", 15000), &result),
		-EIO);
	assert_string_equal(fp_errmsg(), "item 15000 is unreadable");
	assert_int_equal(api_client_call(c, "test.nothing", NULL, NULL), 0);
	/* a handler that fails after starting a stream: the cursor goes */
	assert_int_equal(api_client_call(c, "test.stream_fail", NULL, NULL), -ENOENT);
	assert_string_equal(fp_errmsg(), "no such table");
	assert_int_equal(__atomic_load_n(&stream_dones, __ATOMIC_SEQ_CST), dones + 5);
	/* outside a handler */
	assert_int_equal(api_stream_begin("items", t_stream_next, t_stream_done,
				 calloc(1, sizeof(struct t_cursor))),
		-EINVAL);
	assert_int_equal(__atomic_load_n(&stream_dones, __ATOMIC_SEQ_CST), dones + 6);

	/* the wire: chunks of at most API_STREAM_CHUNK; pipelined requests wait their turn */
	raw_open(&r);
	raw_send(&r, "{\"id\": 5, \"cmd\": \"test.stream\", \"args\": {\"n\": 25000}}\n"
		     "{\"id\": 6, \"cmd\": \"test.echo\", \"args\": {\"k\": 6}}\n");
	expect_chunks(&r, 5, counts, 3, true, &next);
	raw_expect(&r, "{\"id\": 6, \"ok\": true, \"result\": {\"k\": 6}}");
	/* and an error in the middle */
	raw_send(&r, "{\"id\": 7, \"cmd\": \"test.stream\", \"args\": {\"n\": 25000, "
		     "\"fail_at\": 15000}}\n");
	next = 0;
	expect_chunks(&r, 7, counts, 1, false, &next);
	raw_expect_error(&r, "7", "EIO");
	/* a stream started by the last request, its newline missing, before EOF */
	raw_send(&r, "{\"id\": 8, \"cmd\": \"test.stream\", \"args\": {\"n\": 25000}}");
	shutdown(r.fd, SHUT_WR);
	next = 0;
	expect_chunks(&r, 8, counts, 3, true, &next);
	raw_expect_eof(&r);
	api_client_close(c);
}

/* A slow reader: the stream waits for it, built a chunk at a time; the others are served. */
static void test_stream_slow(void **state)
{
	static const int counts[] = {10000, 10000, 5000};
	int nexts, dones = __atomic_load_n(&stream_dones, __ATOMIC_SEQ_CST);
	json_int_t next = 0;
	struct api_client *c;
	struct raw r;

	(void)state;
	nexts = __atomic_load_n(&stream_nexts, __ATOMIC_SEQ_CST);
	raw_open(&r);
	/* items of 130 bytes: a chunk is 1.3 MB, more than the socket holds */
	raw_send(&r, "{\"id\": 1, \"cmd\": \"test.stream\", \"args\": {\"n\": 25000, \"pad\": "
		     "110}}\n");
	usleep(300000);
	assert_int_equal(__atomic_load_n(&stream_nexts, __ATOMIC_SEQ_CST), nexts + 1);
	assert_int_equal(api_client_connect(sock_path, &c), 0);
	assert_int_equal(api_client_call(c, "test.nothing", NULL, NULL), 0);
	assert_int_equal(api_stat("streams"), 1);
	expect_chunks(&r, 1, counts, 3, true, &next);
	assert_int_equal(__atomic_load_n(&stream_nexts, __ATOMIC_SEQ_CST), nexts + 3);
	assert_int_equal(__atomic_load_n(&stream_dones, __ATOMIC_SEQ_CST), dones + 1);

	/* one that hangs up in the middle: its cursor is freed */
	raw_send(&r, "{\"id\": 2, \"cmd\": \"test.stream\", \"args\": {\"n\": 1000000, \"pad\": "
		     "110}}\n");
	assert_non_null(raw_line(&r));
	raw_close(&r);
	for (int i = 0; i < 500 && __atomic_load_n(&stream_dones, __ATOMIC_SEQ_CST) == dones + 1;
		i++)
		usleep(10000);
	assert_int_equal(__atomic_load_n(&stream_dones, __ATOMIC_SEQ_CST), dones + 2);
	assert_true(__atomic_load_n(&stream_nexts, __ATOMIC_SEQ_CST) < nexts + 10);
	assert_int_equal(api_stat("streams"), 0);
	api_client_close(c);
}

static void test_stop(void **state)
{
	struct api_client *c;
	void *loop_ret;
	int ret;

	(void)state;
	assert_int_equal(api_client_connect(sock_path, &c), 0);
	assert_int_equal(api_client_call(c, "test.stop", NULL, NULL), 0);
	assert_int_equal(pthread_join(loop_thread, &loop_ret), 0);
	assert_null(loop_ret);
	/* the daemon is gone: the next call fails, and says so */
	api_server_stop();
	assert_int_equal(access(sock_path, F_OK), -1);
	ret = api_client_call(c, "test.nothing", NULL, NULL);
	assert_true(ret == -EPIPE || ret == -ECONNRESET);
	assert_int_equal(api_client_call(c, "test.nothing", NULL, NULL), -ENOENT);
	assert_non_null(strstr(fp_errmsg(), "is fastpathd running?"));
	api_client_close(c);
	control_fini();
	assert_int_equal(rmdir(run_dir), 0);
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_start),
		cmocka_unit_test(test_out_of_fds),
		cmocka_unit_test(test_client),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_oversized),
		cmocka_unit_test(test_big_reply),
		cmocka_unit_test(test_many_clients),
		cmocka_unit_test(test_slow_reader),
		cmocka_unit_test(test_peer_allowed),
		cmocka_unit_test(test_access),
		cmocka_unit_test(test_pass_fds),
		cmocka_unit_test(test_monitor),
		cmocka_unit_test(test_monitor_slow),
		cmocka_unit_test(test_stream),
		cmocka_unit_test(test_stream_slow),
		cmocka_unit_test(test_stop),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
