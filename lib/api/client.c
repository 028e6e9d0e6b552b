/* SPDX-License-Identifier: BSD-3-Clause */
#include "client.h"
#include "base/fp_error.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define READ_CHUNK (64 << 10)

struct api_client {
	int fd; /* -1 after a transport error: reconnect before the next call */
	json_int_t last_id;
	json_t *events; /* received during a call, for api_client_event(): oldest first */
	char *buf;	/* received, not yet parsed: [0, len) */
	size_t len, cap;
	char path[];
};

static int client_open(struct api_client *c)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd, err;

	if (strlen(c->path) >= sizeof(sa.sun_path))
		return fp_error(ENAMETOOLONG, "socket path %s is too long", c->path);
	memcpy(sa.sun_path, c->path, strlen(c->path));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return fp_error(errno, "socket: %s", strerror(errno));
	if (connect(fd, (const struct sockaddr *)&sa, sizeof(sa)) < 0) {
		err = errno;
		close(fd);
		return fp_error(err, "cannot connect to fastpathd at %s: %s%s", c->path,
			strerror(err),
			err == ENOENT || err == ECONNREFUSED ? " (is fastpathd running?)" : "");
	}
	c->fd = fd;
	c->len = 0;
	return 0;
}

/* A transport error: the stream position is lost, so the connection goes. */
static int client_broken(struct api_client *c, int errnum, const char *what)
{
	close(c->fd);
	c->fd = -1;
	return fp_error(errnum, "connection to fastpathd: %s", what);
}

int api_client_connect(const char *path, struct api_client **client)
{
	struct api_client *c = calloc(1, sizeof(*c) + strlen(path) + 1);
	int ret;

	if (c == NULL)
		return fp_error(ENOMEM, "out of memory");
	strcpy(c->path, path);
	ret = client_open(c);
	if (ret < 0) {
		free(c);
		return ret;
	}
	*client = c;
	return 0;
}

void api_client_close(struct api_client *c)
{
	if (c == NULL)
		return;
	if (c->fd >= 0)
		close(c->fd);
	json_decref(c->events);
	free(c->buf);
	free(c);
}

/* The request, with fd (unless -1) on its first bytes. */
static int send_request(struct api_client *c, const char *cmd, json_t *args, int fd)
{
	json_t *req = json_pack("{s:I,s:s,s:o*}", "id", ++c->last_id, "cmd", cmd, "args", args);
	char *text = req ? json_dumps(req, JSON_COMPACT) : NULL;
	struct iovec iov[2] = {{text, text ? strlen(text) : 0}, {"\n", 1}};
	struct msghdr msg = {.msg_iov = iov, .msg_iovlen = 2};
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} control;
	int ret = 0;

	json_decref(req);
	if (text == NULL)
		return fp_error(EINVAL, "%s: cannot encode the request", cmd);
	if (fd >= 0) {
		struct cmsghdr *cm;

		msg.msg_control = control.buf;
		msg.msg_controllen = sizeof(control.buf);
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	}
	while (msg.msg_iovlen > 0) {
		ssize_t n = sendmsg(c->fd, &msg, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = client_broken(c, errno, strerror(errno));
			break;
		}
		/* the descriptor went with the first bytes */
		msg.msg_control = NULL;
		msg.msg_controllen = 0;
		for (; msg.msg_iovlen > 0 && (size_t)n >= msg.msg_iov->iov_len; msg.msg_iovlen--)
			n -= msg.msg_iov++->iov_len;
		if (msg.msg_iovlen > 0) {
			msg.msg_iov->iov_base = (char *)msg.msg_iov->iov_base + n;
			msg.msg_iov->iov_len -= n;
		}
	}
	free(text);
	return ret;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Reads up to the next newline; *reply is the parsed line. Waits at most
 * timeout_ms (-1: for ever): -ETIMEDOUT then, and the connection stays.
 */
static int read_message(struct api_client *c, int timeout_ms, json_t **reply)
{
	int64_t deadline = timeout_ms < 0 ? 0 : now_ms() + timeout_ms;
	size_t scanned = 0;
	json_error_t jerr;
	char *nl;

	for (;;) {
		ssize_t n;

		nl = c->len > scanned ? memchr(c->buf + scanned, '\n', c->len - scanned) : NULL;
		if (nl != NULL)
			break;
		scanned = c->len;
		if (c->cap - c->len < READ_CHUNK) {
			size_t cap = c->cap ? c->cap * 2 : 2 * READ_CHUNK;
			char *buf = realloc(c->buf, cap);

			if (buf == NULL)
				return fp_error(ENOMEM, "out of memory for the reply");
			c->buf = buf;
			c->cap = cap;
		}
		if (timeout_ms >= 0) {
			struct pollfd pfd = {.fd = c->fd, .events = POLLIN};
			int64_t left = deadline - now_ms();
			int ret = left > 0 ? poll(&pfd, 1, left) : 0;

			if (ret < 0 && errno == EINTR)
				continue;
			if (ret < 0)
				return client_broken(c, errno, strerror(errno));
			if (ret == 0)
				return fp_error(
					ETIMEDOUT, "nothing from fastpathd in %d ms", timeout_ms);
		}
		n = read(c->fd, c->buf + c->len, c->cap - c->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return client_broken(c, errno, strerror(errno));
		if (n == 0)
			return client_broken(c, ECONNRESET, "fastpathd closed the connection");
		c->len += n;
	}
	*reply = json_loadb(c->buf, nl - c->buf, 0, &jerr);
	c->len -= nl + 1 - c->buf;
	memmove(c->buf, nl + 1, c->len);
	if (!json_is_object(*reply)) {
		json_decref(*reply);
		return client_broken(c, EPROTO, "invalid reply");
	}
	return 0;
}

/* An event pushed on a monitoring connection, not a reply. */
static bool is_event(const json_t *msg)
{
	return json_object_get(msg, "id") == NULL && json_is_string(json_object_get(msg, "event"));
}

/* Adds a chunk's result to the ones before: arrays are concatenated, other members replaced. */
static int merge_chunk(json_t *acc, json_t *chunk)
{
	const char *key;
	json_t *v;

	json_object_foreach (chunk, key, v) {
		json_t *a = json_object_get(acc, key);

		if (json_is_array(a) && json_is_array(v) ? json_array_extend(a, v) < 0
							 : json_object_set(acc, key, v) < 0)
			return fp_error(ENOMEM, "out of memory for the reply");
	}
	return 0;
}

/*
 * Reads the reply to the last request: its messages when it comes in chunks,
 * keeping the events that come in between. *result is the whole result, or with
 * each, the last message's: each gets every message's result as it comes.
 */
static int read_reply(struct api_client *c, api_chunk_fn each, void *arg, json_t **result)
{
	json_t *reply, *id, *res = NULL, *err = NULL, *acc = NULL;
	int ret, ok, more = 0, code;
	const char *msg;

	for (;;) {
		ret = read_message(c, -1, &reply);
		if (ret < 0)
			break;
		if (is_event(reply)) {
			if (c->events == NULL)
				c->events = json_array();
			json_array_append_new(c->events, reply);
			continue;
		}
		more = 0;
		res = err = NULL;
		/* id null: the server could not read our request, the reply is still ours */
		if (json_unpack(reply, "{s:o,s:b,s?b,s?o,s?o}", "id", &id, "ok", &ok, "more", &more,
			    "result", &res, "error", &err) < 0 ||
			!(json_is_null(id) || json_integer_value(id) == c->last_id) ||
			(res != NULL && !json_is_object(res)) || (more && (!ok || res == NULL))) {
			ret = client_broken(c, EPROTO, "reply does not match the request");
		} else if (!ok) {
			if (json_unpack(err, "{s:i,s:s}", "code", &code, "message", &msg) < 0 ||
				code <= 0)
				ret = client_broken(c, EPROTO, "malformed error reply");
			else
				ret = fp_error(code, "%s", msg);
		} else if (each != NULL) {
			ret = res != NULL ? each(res, arg) : 0;
			if (!more)
				acc = res ? json_incref(res) : json_object();
		} else if (acc == NULL) {
			/* the first message, often the only one */
			acc = res ? json_incref(res) : json_object();
		} else if (res != NULL) {
			ret = merge_chunk(acc, res);
		}
		json_decref(reply);
		if (ret < 0 || !more)
			break;
	}
	if (ret < 0) {
		json_decref(acc);
		/* the rest of a stream cut here cannot be told from later replies */
		if (more && c->fd >= 0) {
			close(c->fd);
			c->fd = -1;
		}
		return ret;
	}
	*result = acc;
	return 0;
}

/* A request and its reply (read_reply()'s each, arg and *result). */
static int call(struct api_client *c, const char *cmd, json_t *args, int fd, api_chunk_fn each,
	void *arg, json_t **result)
{
	int ret = c->fd < 0 ? client_open(c) : 0;

	if (ret < 0) {
		json_decref(args);
		return ret;
	}
	ret = send_request(c, cmd, args, fd);
	return ret == 0 ? read_reply(c, each, arg, result) : ret;
}

int api_client_call_fd(struct api_client *c, const char *cmd, json_t *args, int fd, json_t **result)
{
	json_t *res = NULL;
	int ret = call(c, cmd, args, fd, NULL, NULL, &res);

	if (ret < 0)
		return ret;
	if (result != NULL)
		*result = res;
	else
		json_decref(res);
	return 0;
}

int api_client_call_each(
	struct api_client *c, const char *cmd, json_t *args, api_chunk_fn each, void *arg)
{
	json_t *last = NULL;
	int ret = call(c, cmd, args, -1, each, arg, &last);

	json_decref(last);
	return ret;
}

int api_client_call(struct api_client *c, const char *cmd, json_t *args, json_t **result)
{
	return api_client_call_fd(c, cmd, args, -1, result);
}

int api_client_event(struct api_client *c, int timeout_ms, json_t **event)
{
	json_t *msg;
	int ret;

	if (json_array_size(c->events) > 0) {
		*event = json_incref(json_array_get(c->events, 0));
		json_array_remove(c->events, 0);
		return 0;
	}
	if (c->fd < 0)
		return fp_error(ENOTCONN, "not connected to fastpathd: subscribe again");
	ret = read_message(c, timeout_ms, &msg);
	if (ret < 0)
		return ret;
	if (!is_event(msg)) {
		json_decref(msg);
		return client_broken(c, EPROTO, "a reply to no request");
	}
	*event = msg;
	return 0;
}
