/* SPDX-License-Identifier: BSD-3-Clause */
#include "api.h"
#include "config/config.h"
#include "infra/control.h"
#include "base/fp_error.h"
#include "base/log.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/magic.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

/*
 * Unsent output a client may accumulate before it is dropped. Checked before
 * each request, so one reply may be bigger (a million routes): only clients
 * that keep asking without reading are cut off. Checked too before each event,
 * so that a subscriber that does not read cannot make the daemon hold its events.
 */
#define OUTQ_MAX   (16 << 20)
#define READ_CHUNK (64 << 10)
/* A buffer left bigger than this by a large message is freed once empty. */
#define BUF_KEEP (1 << 20)
/* Room for the descriptors of one message: a few more than are kept, to count them right. */
#define FDS_RECV (2 * API_FDS_MAX)

struct buf {
	char *data;
	size_t len, cap;
};

/* A reply sent in chunks: api_stream_begin(). */
struct stream {
	json_t *id;    /* the request's, NULL when it had none */
	json_t *final; /* what the handler put in *result: sent with the last chunk */
	char *key;
	api_stream_next_fn next;
	api_stream_done_fn done;
	void *cursor;
};

/* A descriptor passed by the client, and where in its byte stream it came. */
struct passed_fd {
	int fd;
	uint64_t at; /* the bytes received with it and before: its request starts before */
};

struct conn {
	int fd;
	uint32_t events;       /* what epoll watches */
	bool closing;	       /* take no more requests; close once the output is sent */
	bool aborted;	       /* closing, and the output is dropped */
	bool eof;	       /* the client sent all its requests */
	uint32_t monitor;      /* the event classes it subscribed to: MONITOR_* bits */
	struct stream *stream; /* its requests wait while a stream is being sent */
	struct buf in;	       /* received bytes; [0, scanned) holds no newline */
	size_t scanned;
	struct buf out; /* replies; [0, sent) is gone */
	size_t sent;
	uint64_t received;		   /* bytes read from the client so far */
	struct passed_fd fds[API_FDS_MAX]; /* oldest first */
	unsigned int n_fds;
	LIST_ENTRY(conn) link;
};

/* Event classes, the part of an event type before the dot; bit i is event_classes[i]. */
static const char *const event_classes[] = {"link", "neigh", "route", "addr", "conntrack"};
#define N_CLASSES (sizeof(event_classes) / sizeof(event_classes[0]))
/* Events of a class missing from the table: only for those who subscribed to everything. */
#define MONITOR_OTHER (1u << 31)
#define MONITOR_ALL   (((1u << N_CLASSES) - 1) | MONITOR_OTHER)

static struct api_command *commands;
static LIST_HEAD(, conn) conns = LIST_HEAD_INITIALIZER(conns);
static int listen_fd = -1;
/* Given up when out of file descriptors, to accept and drop a client rather than spin. */
static int spare_fd = -1;
static char listen_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
static char group_name[64] = API_GROUP_DEFAULT;
static gid_t group_gid = API_NO_GROUP;

/* The connection whose request runs, and the stream its handler started. */
static struct conn *current;
static struct stream *pending;

static struct {
	uint64_t refused;     /* by the access check */
	uint64_t dropped;     /* clients that did not read their replies or events */
	uint64_t events;      /* published */
	uint64_t fds_dropped; /* passed descriptors closed unread: over API_FDS_MAX, truncated */
} counters;

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
	if (b->len > 0) /* an empty buffer may have no data at all */
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

static size_t conn_unsent(const struct conn *c)
{
	return c->out.len - c->sent;
}

static void stream_free(struct stream *s)
{
	if (s == NULL)
		return;
	if (s->done != NULL)
		s->done(s->cursor);
	json_decref(s->id);
	json_decref(s->final);
	free(s->key);
	free(s);
}

/* Closes the passed descriptors that came with the bytes before pos: their requests were served. */
static void conn_release_fds(struct conn *c, uint64_t pos)
{
	unsigned int kept = 0;

	for (unsigned int i = 0; i < c->n_fds; i++) {
		if (c->fds[i].at <= pos)
			close(c->fds[i].fd);
		else
			c->fds[kept++] = c->fds[i];
	}
	c->n_fds = kept;
}

static void conn_close(struct conn *c)
{
	conn_release_fds(c, UINT64_MAX);
	stream_free(c->stream);
	control_fd_del(c->fd);
	close(c->fd);
	LIST_REMOVE(c, link);
	free(c->in.data);
	free(c->out.data);
	free(c);
}

/*
 * Stops reading, ends the stream and subscription, and forgets unsent output.
 * The connection goes at its next conn_update(); the shutdown makes epoll
 * report a hangup, so that this happens even when the abort came from
 * elsewhere (an event) and the client sends nothing more.
 */
static void conn_abort(struct conn *c)
{
	c->closing = c->aborted = true;
	c->out.len = c->sent = 0;
	c->monitor = 0;
	stream_free(c->stream);
	c->stream = NULL;
	shutdown(c->fd, SHUT_RDWR);
}

/* Queues one message; msg is stolen. */
static void queue_message(struct conn *c, json_t *msg)
{
	if (c->aborted) {
		json_decref(msg);
		return;
	}
	/* a half-queued message would corrupt the stream: give up on the client */
	if (msg == NULL || json_dump_callback(msg, buf_append, &c->out, JSON_COMPACT) < 0 ||
		buf_append("\n", 1, &c->out) < 0) {
		LOG(ERR, "api: out of memory for a reply, dropping client");
		conn_abort(c);
	}
	json_decref(msg);
}

/* Queues the reply to a request; the error message is fp_errmsg(). result is stolen. */
static void queue_reply(struct conn *c, json_t *id, int ret, json_t *result)
{
	if (ret < 0) {
		json_decref(result);
		queue_message(c, json_pack("{s:O?,s:b,s:{s:s,s:i,s:s}}", "id", id, "ok", false,
					 "error", "errno", fp_errno_name(ret), "code", -ret,
					 "message", fp_errmsg()[0] ? fp_errmsg() : strerror(-ret)));
	} else {
		queue_message(c, json_pack("{s:O?,s:b,s:o}", "id", id, "ok", true, "result",
					 result ? result : json_object()));
	}
}

/* Every argument must be one the command declares. */
static int check_args(const struct api_command *c, const json_t *args)
{
	const char *key;
	char hint[300];
	json_t *v;

	json_object_foreach ((json_t *)args, key, v) {
		bool known = false;

		for (const char *const *a = c->args; *a != NULL && !known; a++)
			known = strcmp(*a, key) == 0;
		if (known)
			continue;
		if (c->args[0] == NULL)
			return fp_error(EINVAL, "unknown argument '%s' for %s: it takes none", key,
				c->name);
		return fp_error(EINVAL, "unknown argument '%s' for %s %s", key, c->name,
			cfg_names_hint(c->args, key, hint, sizeof(hint)));
	}
	return 0;
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
	if (args != NULL && (ret = check_args(c, args)) < 0)
		return ret;
	empty = args ? NULL : json_object();
	ret = c->fn(args ? args : empty, result);
	json_decref(empty);
	return ret < 0 ? ret : 0;
}

static void handle_request(struct conn *c, const char *line, size_t len)
{
	json_t *req, *id, *result = NULL;
	struct stream *s;
	json_error_t jerr;
	int ret;

	fp_error_clear();
	req = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	current = c;
	if (req == NULL)
		ret = fp_error(EBADMSG, "request is not valid JSON: %s at column %d", jerr.text,
			jerr.column);
	else if (!json_is_object(req))
		ret = fp_error(EINVAL, "request must be a JSON object");
	else
		ret = dispatch(req, &result);
	current = NULL;
	s = pending;
	pending = NULL;
	id = json_object_get(req, "id");
	if (s != NULL && ret == 0 && !c->aborted) {
		/* the chunks go out from conn_pump(), as the client reads them */
		s->id = json_incref(id);
		s->final = result;
		c->stream = s;
	} else {
		stream_free(s);
		queue_reply(c, id, ret, result);
	}
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
	if (conn_unsent(c) > OUTQ_MAX) {
		LOG(WARNING, "api: client does not read its replies, disconnecting it");
		counters.dropped++;
		conn_abort(c);
	} else if (!blank(line, len)) {
		handle_request(c, line, len);
	}
}

/*
 * Serves the complete lines received, up to one that starts a stream: the
 * others wait for its end. A partial last line waits for more, or for EOF.
 */
static void process_input(struct conn *c)
{
	/* where in.data starts in the client's byte stream */
	uint64_t base = c->received - c->in.len;
	size_t start = 0;

	while (!c->closing && c->stream == NULL) {
		char *nl = memchr(c->in.data + c->scanned, '\n', c->in.len - c->scanned);
		size_t end = nl ? (size_t)(nl - c->in.data) : c->in.len;

		if (end - start > API_REQUEST_MAX) {
			/* the rest of this line could not be told from a new request */
			queue_reply(c, NULL,
				fp_error(EMSGSIZE, "request longer than %d bytes", API_REQUEST_MAX),
				NULL);
			c->closing = true;
			return;
		}
		if (nl == NULL) {
			c->scanned = end;
			if (!c->eof)
				break;
			if (end > start)
				serve_line(c, c->in.data + start, end - start);
			conn_release_fds(c, base + end);
			start = end;
			/* after the stream this line may have started, if any */
			if (c->stream == NULL)
				c->closing = true;
			break;
		}
		serve_line(c, c->in.data + start, end - start);
		conn_release_fds(c, base + end + 1);
		start = c->scanned = end + 1;
	}
	if (c->closing)
		return;
	buf_consume(&c->in, start);
	c->scanned -= start;
}

/* Keeps the descriptors the client passed with the bytes just read (SCM_RIGHTS), in order. */
static void conn_collect_fds(struct conn *c, struct msghdr *msg)
{
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(msg); cm != NULL; cm = CMSG_NXTHDR(msg, cm)) {
		size_t n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		int fds[FDS_RECV];

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		memcpy(fds, CMSG_DATA(cm), n * sizeof(int));
		for (size_t i = 0; i < n; i++) {
			if (c->n_fds < API_FDS_MAX) {
				c->fds[c->n_fds++] = (struct passed_fd){fds[i], c->received};
				continue;
			}
			close(fds[i]);
			counters.fds_dropped++;
		}
	}
	/* the kernel closed those that did not fit: how many is unknown, one at least */
	if (msg->msg_flags & MSG_CTRUNC) {
		LOG(WARNING, "api: a client passed more than %d file descriptors at once",
			FDS_RECV);
		counters.fds_dropped++;
	}
}

static void conn_read(struct conn *c)
{
	union {
		char buf[CMSG_SPACE(FDS_RECV * sizeof(int))];
		struct cmsghdr align;
	} control;
	struct iovec iov;
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
	ssize_t n;

	if (buf_reserve(&c->in, READ_CHUNK) < 0) {
		LOG(ERR, "api: out of memory for a request, dropping client");
		conn_abort(c);
		return;
	}
	iov = (struct iovec){c->in.data + c->in.len, c->in.cap - c->in.len};
	msg.msg_control = control.buf;
	msg.msg_controllen = sizeof(control.buf);
	n = recvmsg(c->fd, &msg, MSG_CMSG_CLOEXEC);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n < 0) {
		conn_abort(c);
		return;
	}
	c->in.len += n;
	c->received += n;
	c->eof = n == 0;
	conn_collect_fds(c, &msg);
	process_input(c);
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

/* Queues the next chunk of the stream, or its last message. */
static void stream_step(struct conn *c)
{
	struct stream *s = c->stream;
	json_t *items = json_array(), *result;
	int ret;

	fp_error_clear();
	/* detached while next() runs, so that an abort meanwhile cannot free its cursor */
	c->stream = NULL;
	ret = items ? s->next(s->cursor, items, API_STREAM_CHUNK)
		    : fp_error(ENOMEM, "out of memory for a reply");
	if (c->aborted) {
		json_decref(items);
		stream_free(s);
		return;
	}
	if (ret > 0) {
		c->stream = s;
		queue_message(c, json_pack("{s:O?,s:b,s:b,s:{s:o}}", "id", s->id, "ok", true,
					 "more", true, "result", s->key, items));
		return;
	}
	if (ret == 0) {
		result = s->final ? s->final : json_object();
		s->final = NULL;
		json_object_set_new(result, s->key, items);
	} else {
		json_decref(items);
		result = NULL;
	}
	queue_reply(c, s->id, ret, result);
	stream_free(s);
}

/*
 * Sends what the socket takes. A stream makes its next chunk once the previous
 * one is all sent, one chunk per wakeup, so that other clients are served in
 * between; after its last chunk, the requests that waited are served.
 */
static void conn_pump(struct conn *c)
{
	conn_flush(c);
	if (c->stream == NULL || c->closing || c->out.len > 0)
		return;
	stream_step(c);
	if (c->stream == NULL && !c->closing)
		process_input(c);
	conn_flush(c);
}

static uint32_t conn_wants(const struct conn *c)
{
	return (c->closing || c->stream ? 0 : EPOLLIN) |
	       (c->sent < c->out.len || c->stream ? EPOLLOUT : 0);
}

/* Watches what the connection waits for; never closes it (safe anywhere). */
static void conn_watch(struct conn *c)
{
	uint32_t want = conn_wants(c);

	if (want != 0 && want != c->events && control_fd_mod(c->fd, want) == 0)
		c->events = want;
}

/* conn_watch(), or closes the connection when it waits for nothing. */
static void conn_update(struct conn *c)
{
	if (conn_wants(c) == 0)
		conn_close(c);
	else
		conn_watch(c);
}

static void conn_event(int fd, uint32_t events, void *arg)
{
	struct conn *c = arg;

	(void)fd;
	if (events & EPOLLERR)
		conn_abort(c);
	else if ((events & (EPOLLIN | EPOLLHUP)) && !c->closing && c->stream == NULL)
		conn_read(c);
	/* replies go out right away; EPOLLOUT only serves what the socket did not take */
	conn_pump(c);
	conn_update(c);
}

bool api_peer_allowed(
	uid_t uid, gid_t gid, const gid_t *groups, int ngroups, uid_t self, gid_t group)
{
	if (uid == 0 || uid == self)
		return true;
	if (group == API_NO_GROUP)
		return false;
	if (gid == group)
		return true;
	for (int i = 0; i < ngroups; i++)
		if (groups[i] == group)
			return true;
	return false;
}

/*
 * SO_PEERCRED against api_peer_allowed(), with the groups of the peer's user
 * from the group database. On refusal, msg says why.
 */
static bool peer_check(int fd, char *msg, size_t size)
{
	gid_t fixed[64], *groups = fixed;
	struct passwd pw, *pwp = NULL;
	socklen_t len = sizeof(struct ucred);
	struct ucred cred;
	int ngroups = 0;
	char pwbuf[16384];
	char uidtext[16];
	bool ok;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
		snprintf(msg, size, "cannot identify the client: %s", strerror(errno));
		LOG(WARNING, "api: refused a client: %s", msg);
		return false;
	}
	if (api_peer_allowed(cred.uid, cred.gid, NULL, 0, geteuid(), group_gid))
		return true;
	getpwuid_r(cred.uid, &pw, pwbuf, sizeof(pwbuf), &pwp);
	if (pwp != NULL && group_gid != API_NO_GROUP) {
		ngroups = sizeof(fixed) / sizeof(fixed[0]);
		if (getgrouplist(pwp->pw_name, cred.gid, groups, &ngroups) < 0) {
			groups = malloc(ngroups * sizeof(*groups));
			if (groups == NULL ||
				getgrouplist(pwp->pw_name, cred.gid, groups, &ngroups) < 0)
				ngroups = 0;
		}
	}
	ok = api_peer_allowed(cred.uid, cred.gid, groups, ngroups, geteuid(), group_gid);
	if (groups != fixed)
		free(groups);
	if (ok)
		return true;
	snprintf(uidtext, sizeof(uidtext), "%u", (unsigned)cred.uid);
	snprintf(msg, size, "user '%s' is not in group '%s'%s", pwp ? pwp->pw_name : uidtext,
		group_name, group_gid == API_NO_GROUP ? " (the group does not exist)" : "");
	LOG(WARNING, "api: refused a client, pid %d uid %u: %s", (int)cred.pid, (unsigned)cred.uid,
		msg);
	return false;
}

static void listener_event(int fd, uint32_t events, void *arg)
{
	(void)events;
	(void)arg;
	for (;;) {
		int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		char msg[256];
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
		if (!peer_check(cfd, msg, sizeof(msg))) {
			/* one error reply, then the connection goes */
			counters.refused++;
			queue_reply(c, NULL, fp_error(EACCES, "%s", msg), NULL);
			c->closing = true;
			conn_flush(c);
			conn_update(c);
		}
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

void api_server_set_group(const char *name)
{
	snprintf(group_name, sizeof(group_name), "%s", name);
}

/* Gives the socket to the API group, when it exists. */
static void set_socket_group(const char *path)
{
	char grbuf[16384];
	struct group gr, *grp = NULL;

	getgrnam_r(group_name, &gr, grbuf, sizeof(grbuf), &grp);
	group_gid = grp ? grp->gr_gid : API_NO_GROUP;
	if (grp == NULL)
		LOG(WARNING,
			"api: group '%s' does not exist: the socket %s keeps the daemon's group, "
			"only root can use the API",
			group_name, path);
	else if (chown(path, -1, grp->gr_gid) < 0)
		LOG(WARNING, "api: cannot give the socket %s to group '%s': %s", path, group_name,
			strerror(errno));
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
	set_socket_group(path);
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

int api_take_fd(void)
{
	int fd;

	if (current == NULL || current->n_fds == 0)
		return fp_error(EBADF, "no file descriptor passed with the request");
	fd = current->fds[0].fd;
	memmove(&current->fds[0], &current->fds[1], --current->n_fds * sizeof(current->fds[0]));
	return fd;
}

static const char *file_type(mode_t mode)
{
	return S_ISFIFO(mode)	? "a FIFO"
	       : S_ISSOCK(mode) ? "a socket"
	       : S_ISCHR(mode)	? "a character device"
	       : S_ISBLK(mode)	? "a block device"
	       : S_ISDIR(mode)	? "a directory"
				: "an unknown type of file";
}

static int check_file(int fd, bool write, const char *name)
{
	int flags = fcntl(fd, F_GETFL), mode = flags & O_ACCMODE;
	struct statfs sfs;
	struct stat st;

	if (flags < 0 || fstat(fd, &st) < 0 || fstatfs(fd, &sfs) < 0)
		return fp_error(errno, "%s: %s", name, strerror(errno));
	if (flags & O_PATH)
		return fp_error(EBADF,
			"%s: opened with O_PATH, the file can be neither read nor "
			"written through it",
			name);
	if (!S_ISREG(st.st_mode))
		return fp_error(EINVAL, "%s: %s, not a regular file", name, file_type(st.st_mode));
	if (write ? mode == O_RDONLY : mode == O_WRONLY)
		return fp_error(EBADF, "%s: not open for %s", name, write ? "writing" : "reading");
	if (sfs.f_type == FUSE_SUPER_MAGIC)
		return fp_error(EINVAL,
			"%s: on a FUSE file system, whose process could keep fastpathd waiting",
			name);
	return 0;
}

int api_take_file(bool write, char *name, size_t size)
{
	char link[32];
	ssize_t n;
	int fd = api_take_fd(), ret;

	if (fd < 0)
		return fd;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, name, size - 1);
	if (n < 0)
		snprintf(name, size, "the file passed");
	else
		name[n] = '\0';
	ret = check_file(fd, write, name);
	if (ret < 0) {
		close(fd);
		return ret;
	}
	return fd;
}

int api_stream_begin(
	const char *key, api_stream_next_fn next, api_stream_done_fn done, void *cursor)
{
	struct stream *s;

	if (current == NULL || pending != NULL) {
		if (done != NULL)
			done(cursor);
		return fp_error(
			EINVAL, "%s: a stream is started by a handler, once", key ? key : "stream");
	}
	s = calloc(1, sizeof(*s));
	if (s != NULL)
		s->key = strdup(key);
	if (s == NULL || s->key == NULL) {
		free(s);
		if (done != NULL)
			done(cursor);
		return fp_error(ENOMEM, "out of memory");
	}
	s->next = next;
	s->done = done;
	s->cursor = cursor;
	pending = s;
	return 0;
}

static uint32_t event_class_bit(const char *type)
{
	size_t len = strcspn(type, ".");

	for (size_t i = 0; i < N_CLASSES; i++)
		if (strlen(event_classes[i]) == len && strncmp(event_classes[i], type, len) == 0)
			return 1u << i;
	return MONITOR_OTHER;
}

bool api_event_wanted(const char *class_or_type)
{
	uint32_t bit = event_class_bit(class_or_type);
	const struct conn *c;

	LIST_FOREACH (c, &conns, link)
		if ((c->monitor & bit) && !c->closing)
			return true;
	return false;
}

void api_event_publish(const char *type, json_t *object)
{
	uint32_t bit = event_class_bit(type);
	struct conn *c;
	json_t *msg;
	size_t len;
	char *text;

	counters.events++;
	LIST_FOREACH (c, &conns, link)
		if ((c->monitor & bit) && !c->closing)
			break;
	if (c == NULL) {
		json_decref(object);
		return;
	}
	/* encoded once for every subscriber */
	msg = json_pack("{s:s,s:o}", "event", type, "object", object ? object : json_object());
	text = msg ? json_dumps(msg, JSON_COMPACT) : NULL;
	json_decref(msg);
	if (text == NULL) {
		LOG(ERR, "api: cannot encode an event %s", type);
		return;
	}
	len = strlen(text);
	text[len++] = '\n'; /* over the terminating NUL, which is not sent */
	for (; c != NULL; c = LIST_NEXT(c, link)) {
		if (!(c->monitor & bit) || c->closing)
			continue;
		if (conn_unsent(c) + len > OUTQ_MAX) {
			LOG(WARNING,
				"api: monitor client does not read its events, disconnecting it");
			counters.dropped++;
			conn_abort(c);
			continue;
		}
		if (buf_append(text, len, &c->out) < 0) {
			LOG(ERR, "api: out of memory for an event, dropping client");
			conn_abort(c);
			continue;
		}
		/* sent from the loop, many events in one write */
		conn_watch(c);
	}
	free(text);
}

static int api_commands(const json_t *args, json_t **result)
{
	json_t *list = json_array();

	(void)args;
	for (const struct api_command *c = commands; c != NULL; c = c->next) {
		json_t *names = json_array();

		for (const char *const *a = c->args; *a != NULL; a++)
			json_array_append_new(names, json_string(*a));
		json_array_append_new(list, json_pack("{s:s,s:s,s:o}", "name", c->name, "help",
						    c->help, "args", names));
	}
	*result = json_pack("{s:o}", "commands", list);
	return 0;
}

static int api_version(const json_t *args, json_t **result)
{
	(void)args;
	*result = json_pack("{s:s,s:i}", "version", FP_VERSION, "protocol", API_PROTOCOL_VERSION);
	return 0;
}

static int api_stats(const json_t *args, json_t **result)
{
	int clients = 0, monitors = 0, streams = 0;
	const struct conn *c;

	(void)args;
	LIST_FOREACH (c, &conns, link) {
		clients++;
		monitors += c->monitor != 0;
		streams += c->stream != NULL;
	}
	*result = json_pack("{s:i,s:i,s:i,s:I,s:I,s:I,s:I}", "clients", clients, "monitors",
		monitors, "streams", streams, "refused", (json_int_t)counters.refused, "dropped",
		(json_int_t)counters.dropped, "events", (json_int_t)counters.events, "fds_dropped",
		(json_int_t)counters.fds_dropped);
	return 0;
}

static json_t *class_list(uint32_t mask)
{
	json_t *list = json_array();

	for (size_t i = 0; i < N_CLASSES; i++)
		if (mask & (1u << i))
			json_array_append_new(list, json_string(event_classes[i]));
	return list;
}

/* "link, neigh, route, addr", for messages. */
static const char *class_names(void)
{
	static char text[128];

	if (text[0] == '\0')
		for (size_t i = 0; i < N_CLASSES; i++)
			snprintf(text + strlen(text), sizeof(text) - strlen(text), "%s%s",
				i ? ", " : "", event_classes[i]);
	return text;
}

static int api_monitor(const json_t *args, json_t **result)
{
	const json_t *events = json_object_get(args, "events"), *v;
	uint32_t mask = 0;
	size_t i;

	if (events == NULL)
		mask = MONITOR_ALL;
	else if (!json_is_array(events) || json_array_size(events) == 0)
		return fp_error(EINVAL,
			"events: expected a non-empty list of event classes (%s); without events, "
			"all of them",
			class_names());
	json_array_foreach (events, i, v) {
		const char *name = json_string_value(v);
		uint32_t bit = name && !strchr(name, '.') ? event_class_bit(name) : MONITOR_OTHER;

		if (bit == MONITOR_OTHER)
			return fp_error(EINVAL, "events: unknown event class '%s' (%s)",
				name ? name : "(not a string)", class_names());
		mask |= bit;
	}
	if (current == NULL)
		return fp_error(EOPNOTSUPP, "monitor needs an API connection");
	current->monitor = mask;
	*result = json_pack("{s:o}", "events", class_list(mask));
	return 0;
}

static int api_monitor_stop(const json_t *args, json_t **result)
{
	(void)args;
	(void)result;
	if (current != NULL)
		current->monitor = 0;
	return 0;
}

API_COMMAND(api_commands_cmd, "api.commands", "list the API commands with their help and arguments",
	api_commands, API_NO_ARGS)
API_COMMAND(api_version_cmd, "api.version", "daemon version and API protocol version", api_version,
	API_NO_ARGS)
API_COMMAND(
	api_stats_cmd, "api.stats", "API clients, subscribers and counters", api_stats, API_NO_ARGS)
API_COMMAND(api_monitor_cmd, "monitor",
	"push events on this connection: link, neigh, route, addr, conntrack", api_monitor,
	API_ARGS("events"))
API_COMMAND(api_monitor_stop_cmd, "monitor.stop", "stop pushing events on this connection",
	api_monitor_stop, API_NO_ARGS)
