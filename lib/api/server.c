/* SPDX-License-Identifier: BSD-3-Clause */
#include "api.h"
#include "infra/control.h"
#include "infra/fp_error.h"
#include "infra/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/*
 * Unsent replies a client may accumulate before it is dropped. Checked before
 * each request, so one reply may be bigger (a million routes): only clients
 * that keep asking without reading are cut off.
 */
#define OUTQ_MAX   (16 << 20)
#define READ_CHUNK (64 << 10)
/* A buffer left bigger than this by a large message is freed once empty. */
#define BUF_KEEP (1 << 20)

struct buf {
	char *data;
	size_t len, cap;
};

struct conn {
	int fd;
	uint32_t events; /* what epoll watches */
	bool closing;	 /* take no more requests; close once the output is sent */
	struct buf in;	 /* received bytes; [0, scanned) holds no newline */
	size_t scanned;
	struct buf out; /* replies; [0, sent) is gone */
	size_t sent;
	LIST_ENTRY(conn) link;
};

static struct api_command *commands;
static LIST_HEAD(, conn) conns = LIST_HEAD_INITIALIZER(conns);
static int listen_fd = -1;
/* Given up when out of file descriptors, to accept and drop a client rather than spin. */
static int spare_fd = -1;
static char listen_path[sizeof(((struct sockaddr_un *)0)->sun_path)];

void api_command_register(struct api_command *c)
{
	struct api_command **p = &commands;

	/* kept sorted for api.commands */
	while (*p != NULL && strcmp((*p)->name, c->name) < 0)
		p = &(*p)->next;
	if (*p != NULL && strcmp((*p)->name, c->name) == 0) {
		fprintf(stderr, "fastpath: API command %s registered twice\n", c->name);
		abort();
	}
	c->next = *p;
	*p = c;
}

const struct api_command *api_command_find(const char *name)
{
	for (const struct api_command *c = commands; c != NULL; c = c->next)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

static int buf_reserve(struct buf *b, size_t room)
{
	size_t cap = b->cap ? b->cap : 4096;
	char *data;

	while (cap - b->len < room)
		cap *= 2;
	if (cap == b->cap)
		return 0;
	data = realloc(b->data, cap);
	if (data == NULL)
		return -1;
	b->data = data;
	b->cap = cap;
	return 0;
}

/* Drops the first n bytes. */
static void buf_consume(struct buf *b, size_t n)
{
	b->len -= n;
	memmove(b->data, b->data + n, b->len);
	if (b->len == 0 && b->cap > BUF_KEEP) {
		free(b->data);
		*b = (struct buf){0};
	}
}

/* json_dump_callback() sink. */
static int buf_append(const char *text, size_t len, void *data)
{
	struct buf *b = data;

	if (buf_reserve(b, len) < 0)
		return -1;
	memcpy(b->data + b->len, text, len);
	b->len += len;
	return 0;
}

static void conn_close(struct conn *c)
{
	control_fd_del(c->fd);
	close(c->fd);
	LIST_REMOVE(c, link);
	free(c->in.data);
	free(c->out.data);
	free(c);
}

/* Stops reading and forgets unsent output: the connection goes at the next conn_update(). */
static void conn_abort(struct conn *c)
{
	c->closing = true;
	c->out.len = c->sent = 0;
}

/* Queues the reply to a request; the error message is fp_errmsg(). result is stolen. */
static void queue_reply(struct conn *c, json_t *id, int ret, json_t *result)
{
	json_t *reply;

	if (ret < 0) {
		json_decref(result);
		reply = json_pack("{s:O?,s:b,s:{s:s,s:i,s:s}}", "id", id, "ok", false, "error",
			"errno", fp_errno_name(ret), "code", -ret, "message",
			fp_errmsg()[0] ? fp_errmsg() : strerror(-ret));
	} else {
		reply = json_pack("{s:O?,s:b,s:o}", "id", id, "ok", true, "result",
			result ? result : json_object());
	}
	/* a half-queued reply would corrupt the stream: give up on the client */
	if (reply == NULL || json_dump_callback(reply, buf_append, &c->out, JSON_COMPACT) < 0 ||
		buf_append("\n", 1, &c->out) < 0) {
		LOG(ERR, "api: out of memory for a reply, dropping client");
		conn_abort(c);
	}
	json_decref(reply);
}

static int dispatch(const json_t *req, json_t **result)
{
	const json_t *cmd = json_object_get(req, "cmd"), *args = json_object_get(req, "args");
	const struct api_command *c;
	const char *key;
	json_t *v, *empty;
	int ret;

	json_object_foreach ((json_t *)req, key, v)
		if (strcmp(key, "id") && strcmp(key, "cmd") && strcmp(key, "args"))
			return fp_error(EINVAL,
				"unknown request member '%s' (expected id, cmd, args)", key);
	if (!json_is_string(cmd))
		return fp_error(EINVAL, "request has no \"cmd\" string");
	if (args != NULL && !json_is_object(args))
		return fp_error(EINVAL, "\"args\" must be an object");
	c = api_command_find(json_string_value(cmd));
	if (c == NULL)
		return fp_error(EOPNOTSUPP, "unknown command '%s' (api.commands lists them)",
			json_string_value(cmd));
	empty = args ? NULL : json_object();
	ret = c->fn(args ? args : empty, result);
	json_decref(empty);
	return ret < 0 ? ret : 0;
}

static void handle_request(struct conn *c, const char *line, size_t len)
{
	json_t *req, *result = NULL;
	json_error_t jerr;
	int ret;

	fp_error_clear();
	req = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (req == NULL)
		ret = fp_error(EBADMSG, "request is not valid JSON: %s at column %d", jerr.text,
			jerr.column);
	else if (!json_is_object(req))
		ret = fp_error(EINVAL, "request must be a JSON object");
	else
		ret = dispatch(req, &result);
	queue_reply(c, json_object_get(req, "id"), ret, result);
	json_decref(req);
}

static bool blank(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return false;
	return true;
}

static void serve_line(struct conn *c, const char *line, size_t len)
{
	if (c->out.len - c->sent > OUTQ_MAX) {
		LOG(WARNING, "api: client does not read its replies, disconnecting it");
		conn_abort(c);
	} else if (!blank(line, len)) {
		handle_request(c, line, len);
	}
}

/* Serves the complete lines received; a partial last line waits for more, or for EOF. */
static void process_input(struct conn *c, bool eof)
{
	size_t start = 0;

	while (!c->closing) {
		char *nl = memchr(c->in.data + c->scanned, '\n', c->in.len - c->scanned);
		size_t end = nl ? (size_t)(nl - c->in.data) : c->in.len;

		if (end - start > API_REQUEST_MAX) {
			/* the rest of this line could not be told from a new request */
			queue_reply(c, NULL,
				fp_error(EMSGSIZE, "request longer than %d bytes", API_REQUEST_MAX),
				NULL);
			c->closing = true;
			break;
		}
		if (nl == NULL) {
			if (eof && end > start)
				serve_line(c, c->in.data + start, end - start);
			c->scanned = end;
			break;
		}
		serve_line(c, c->in.data + start, end - start);
		start = c->scanned = end + 1;
	}
	if (eof)
		c->closing = true;
	if (c->closing)
		return;
	buf_consume(&c->in, start);
	c->scanned -= start;
}

static void conn_read(struct conn *c)
{
	ssize_t n;

	if (buf_reserve(&c->in, READ_CHUNK) < 0) {
		LOG(ERR, "api: out of memory for a request, dropping client");
		conn_abort(c);
		return;
	}
	n = read(c->fd, c->in.data + c->in.len, c->in.cap - c->in.len);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n < 0) {
		conn_abort(c);
		return;
	}
	c->in.len += n;
	process_input(c, n == 0);
}

static void conn_flush(struct conn *c)
{
	while (c->sent < c->out.len) {
		ssize_t n = send(c->fd, c->out.data + c->sent, c->out.len - c->sent,
			MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n < 0) {
			conn_abort(c);
			return;
		}
		c->sent += n;
	}
	buf_consume(&c->out, c->sent);
	c->sent = 0;
}

/* Watches what the connection waits for, or closes it when it waits for nothing. */
static void conn_update(struct conn *c)
{
	uint32_t want = (c->closing ? 0 : EPOLLIN) | (c->sent < c->out.len ? EPOLLOUT : 0);

	if (want == 0)
		conn_close(c);
	else if (want != c->events && control_fd_mod(c->fd, want) == 0)
		c->events = want;
}

static void conn_event(int fd, uint32_t events, void *arg)
{
	struct conn *c = arg;

	(void)fd;
	if (events & EPOLLERR)
		conn_abort(c);
	else if ((events & (EPOLLIN | EPOLLHUP)) && !c->closing)
		conn_read(c);
	/* replies go out right away; EPOLLOUT only serves what the socket did not take */
	conn_flush(c);
	conn_update(c);
}

static void listener_event(int fd, uint32_t events, void *arg)
{
	(void)events;
	(void)arg;
	for (;;) {
		int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct conn *c;

		/* EMFILE comes before EAGAIN: there may be no client at all */
		if (cfd < 0 && (errno == EMFILE || errno == ENFILE) && spare_fd >= 0) {
			close(spare_fd);
			cfd = accept(fd, NULL, NULL);
			if (cfd >= 0) {
				LOG(ERR, "api: out of file descriptors, refused a client");
				close(cfd);
			}
			spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
			return;
		}
		if (cfd < 0) {
			if (errno != EAGAIN && errno != EINTR)
				LOG(ERR, "api: accept: %s", strerror(errno));
			return;
		}
		c = calloc(1, sizeof(*c));
		if (c == NULL || control_fd_add(cfd, EPOLLIN, conn_event, c) < 0) {
			LOG(ERR, "api: cannot serve a new client: %s",
				c ? fp_errmsg() : "out of memory");
			free(c);
			close(cfd);
			continue;
		}
		c->fd = cfd;
		c->events = EPOLLIN;
		LIST_INSERT_HEAD(&conns, c, link);
	}
}

/* mkdir -p of the socket's directory (/run/fastpath). */
static int make_parent_dirs(const char *path)
{
	char dir[sizeof(listen_path)];

	snprintf(dir, sizeof(dir), "%s", path);
	for (char *p = strchr(dir + 1, '/'); p != NULL; p = strchr(p + 1, '/')) {
		*p = '\0';
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			return fp_error(errno, "API socket directory %s: %s", dir, strerror(errno));
		*p = '/';
	}
	return 0;
}

/* A socket file nobody answers on was left by a daemon that died: remove it. */
static int remove_stale_socket(const struct sockaddr_un *sa)
{
	const char *path = sa->sun_path;
	struct stat st;
	int fd, ret, err;

	if (lstat(path, &st) < 0)
		return errno == ENOENT
			       ? 0
			       : fp_error(errno, "API socket %s: %s", path, strerror(errno));
	if (!S_ISSOCK(st.st_mode))
		return fp_error(EEXIST, "API socket %s: the file exists and is not a socket", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return fp_error(errno, "socket: %s", strerror(errno));
	ret = connect(fd, (const struct sockaddr *)sa, sizeof(*sa));
	err = errno;
	close(fd);
	/* EAGAIN: a live daemon whose backlog is full */
	if (ret == 0 || err == EAGAIN)
		return fp_error(
			EADDRINUSE, "API socket %s: another fastpathd is listening on it", path);
	if (err != ECONNREFUSED)
		return fp_error(err, "API socket %s: %s", path, strerror(err));
	if (unlink(path) < 0)
		return fp_error(errno, "API socket %s: cannot remove the stale socket: %s", path,
			strerror(errno));
	return 0;
}

int api_server_start(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	mode_t umask_saved;
	int fd, ret;

	if (listen_fd >= 0)
		return fp_error(EBUSY, "the API server already listens on %s", listen_path);
	if (strlen(path) >= sizeof(sa.sun_path))
		return fp_error(ENAMETOOLONG, "API socket %s: path longer than %zu bytes", path,
			sizeof(sa.sun_path) - 1);
	memcpy(sa.sun_path, path, strlen(path));
	ret = make_parent_dirs(path);
	if (ret == 0)
		ret = remove_stale_socket(&sa);
	if (ret < 0)
		return ret;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return fp_error(errno, "socket: %s", strerror(errno));
	/* created 0660, so that there is no moment when anyone may connect */
	umask_saved = umask(0117);
	ret = bind(fd, (const struct sockaddr *)&sa, sizeof(sa));
	umask(umask_saved);
	if (ret < 0) {
		ret = fp_error(errno, "API socket %s: bind: %s", path, strerror(errno));
		close(fd);
		return ret;
	}
	if (listen(fd, SOMAXCONN) < 0)
		ret = fp_error(errno, "API socket %s: listen: %s", path, strerror(errno));
	else
		ret = control_fd_add(fd, EPOLLIN, listener_event, NULL);
	if (ret < 0) {
		unlink(path);
		close(fd);
		return ret;
	}
	listen_fd = fd;
	spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	memcpy(listen_path, sa.sun_path, sizeof(listen_path));
	return 0;
}

void api_server_stop(void)
{
	while (!LIST_EMPTY(&conns))
		conn_close(LIST_FIRST(&conns));
	if (listen_fd < 0)
		return;
	control_fd_del(listen_fd);
	close(listen_fd);
	unlink(listen_path);
	if (spare_fd >= 0)
		close(spare_fd);
	listen_fd = spare_fd = -1;
}

static int no_args(const json_t *args)
{
	const char *key = json_object_iter_key(json_object_iter((json_t *)args));

	return key ? fp_error(EINVAL, "unexpected argument '%s'", key) : 0;
}

static int api_commands(const json_t *args, json_t **result)
{
	int ret = no_args(args);
	json_t *list;

	if (ret < 0)
		return ret;
	list = json_array();
	for (const struct api_command *c = commands; c != NULL; c = c->next)
		json_array_append_new(
			list, json_pack("{s:s,s:s}", "name", c->name, "help", c->help));
	*result = json_pack("{s:o}", "commands", list);
	return 0;
}

static int api_version(const json_t *args, json_t **result)
{
	int ret = no_args(args);

	if (ret == 0)
		*result = json_pack(
			"{s:s,s:i}", "version", FP_VERSION, "protocol", API_PROTOCOL_VERSION);
	return ret;
}

API_COMMAND(api_commands_cmd, "api.commands", "list the API commands with their help", api_commands)
API_COMMAND(api_version_cmd, "api.version", "daemon version and API protocol version", api_version)
