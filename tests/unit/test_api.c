/* SPDX-License-Identifier: BSD-3-Clause */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "api/api.h"
#include "api/client.h"
#include "infra/control.h"
#include "infra/fp_error.h"

/*
 * The real server on the real control loop, run by a thread of its own; the
 * tests are its clients, through the client library or raw sockets.
 */

static char dir[32], run_dir[48], sock_path[108];
static pthread_t loop_thread;

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

API_COMMAND(t_echo_cmd, "test.echo", "returns its arguments", t_echo)
API_COMMAND(t_fail_cmd, "test.fail", "fails", t_fail)
API_COMMAND(t_big_cmd, "test.big", "a big result", t_big)
API_COMMAND(t_nothing_cmd, "test.nothing", "returns no result", t_nothing)
API_COMMAND(t_stop_cmd, "test.stop", "stops the control loop", t_stop)

static void *loop(void *arg)
{
	(void)arg;
	return (void *)(intptr_t)control_run();
}

/* A raw connection reading replies line by line. */
struct raw {
	int fd;
	char buf[1 << 16];
	size_t len;
};

static void raw_open(struct raw *r)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct timeval tv = {.tv_sec = 10};

	strcpy(sa.sun_path, sock_path);
	r->len = 0;
	r->fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(r->fd >= 0);
	assert_int_equal(connect(r->fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(setsockopt(r->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
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

/* The next reply line as a string (static buffer), NULL at the end of the stream. */
static const char *raw_line(struct raw *r)
{
	static char line[sizeof(r->buf)];
	char *nl;

	while ((nl = memchr(r->buf, '\n', r->len)) == NULL) {
		ssize_t n = read(r->fd, r->buf + r->len, sizeof(r->buf) - r->len);

		if (n == 0 || (n < 0 && errno == ECONNRESET))
			return NULL;
		assert_true(n > 0);
		r->len += n;
	}
	memcpy(line, r->buf, nl - r->buf);
	line[nl - r->buf] = '\0';
	r->len -= nl + 1 - r->buf;
	memmove(r->buf, nl + 1, r->len);
	return line;
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
	close(r->fd);
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
	assert_int_equal(api_server_start(sock_path), 0);
	api_server_stop();
	assert_int_equal(access(sock_path, F_OK), -1);

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
	assert_int_equal(
		api_client_call(c, "api.version", json_pack("{s:i}", "x", 1), NULL), -EINVAL);
	assert_string_equal(fp_errmsg(), "unexpected argument 'x'");

	assert_int_equal(api_client_call(c, "api.commands", NULL, &result), 0);
	json_array_foreach (json_object_get(result, "commands"), i, cmd)
		found |=
			strcmp(json_string_value(json_object_get(cmd, "name")), "test.echo") == 0 &&
			strcmp(json_string_value(json_object_get(cmd, "help")),
				"returns its arguments") == 0;
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
	close(r.fd);
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
		close(r[i].fd);
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
	close(gone.fd);
	assert_int_equal(api_client_connect(sock_path, &c), 0);
	assert_int_equal(api_client_call(c, "test.nothing", NULL, NULL), 0);
	while (raw_line(&r) != NULL)
		replies++;
	close(r.fd);
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
		cmocka_unit_test(test_stop),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
