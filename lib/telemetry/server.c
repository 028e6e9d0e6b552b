/* SPDX-License-Identifier: BSD-3-Clause */
#include "infra/control.h"
#include "base/fp_error.h"
#include "base/log.h"
#include "telemetry.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <unistd.h>

/*
 * The OpenMetrics endpoint: HTTP/1.0, one request per connection, on the
 * control thread's epoll. Nothing blocks: sockets are non-blocking, a request
 * is answered once its headers are in, the reply goes out as the socket takes
 * it. A connection lives OM_TIMEOUT_MS at most, however slowly its client
 * sends or reads, and there are at most OM_MAX_CONNS of them.
 */
#define OM_MAX_CONNS   16
#define OM_REQUEST_MAX 8192
#define OM_TIMEOUT_MS  5000
/* After the reply, the client's end of the stream is awaited this long at most. */
#define OM_LINGER_MS 1000
#define OM_BACKLOG   32

enum om_state {
	OM_READING,  /* the request */
	OM_WRITING,  /* the reply */
	OM_DRAINING, /* reply sent and our side shut: discard input until the client closes */
};

struct om_conn {
	int fd;
	enum om_state state;
	uint32_t events; /* what epoll watches */
	uint64_t deadline_ms;
	char *out;
	size_t out_len, sent;
	size_t in_len;
	LIST_ENTRY(om_conn) link;
	char in[OM_REQUEST_MAX];
};

static LIST_HEAD(, om_conn) conns = LIST_HEAD_INITIALIZER(conns);
static unsigned int n_conns;
static int listen_fd = -1;
static struct om_listen listening;
/* Given up when out of file descriptors, to accept and drop a client rather than spin. */
static int spare_fd = -1;

static void conn_close(struct om_conn *c)
{
	control_fd_del(c->fd);
	close(c->fd);
	LIST_REMOVE(c, link);
	n_conns--;
	free(c->out);
	free(c);
}

/* Watch for events instead; false (connection closed) if epoll refuses. */
static bool conn_watch(struct om_conn *c, uint32_t events)
{
	if (events != c->events && control_fd_mod(c->fd, events) < 0) {
		conn_close(c);
		return false;
	}
	c->events = events;
	return true;
}

static const char *reason_phrase(int status)
{
	switch (status) {
	case 200:
		return "OK";
	case 400:
		return "Bad Request";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 503:
		return "Service Unavailable";
	default:
		return "Internal Server Error";
	}
}

/* The whole reply in one buffer: NULL if out of memory. */
static char *reply(int status, bool head, size_t *len)
{
	const char *type = "text/plain; charset=utf-8";
	char *body = NULL, *out = NULL;
	size_t body_len = 0;
	FILE *f;

	if (status == 200) {
		struct tel_snapshot *s = tel_snapshot_take();

		if (s == NULL || om_format(s, &body, &body_len) < 0) {
			LOG(ERR, "openmetrics: %s", s ? "out of memory" : fp_errmsg());
			status = 500;
		}
		tel_snapshot_free(s);
		type = OM_CONTENT_TYPE;
	}
	if (status != 200) {
		type = "text/plain; charset=utf-8";
		if (asprintf(&body, "%s\n", reason_phrase(status)) < 0)
			return NULL;
		body_len = strlen(body);
	}
	f = open_memstream(&out, len);
	if (f == NULL) {
		free(body);
		return NULL;
	}
	fprintf(f,
		"HTTP/1.0 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%s"
		"Connection: close\r\n\r\n",
		status, reason_phrase(status), type, body_len,
		status == 405 ? "Allow: GET, HEAD\r\n" : "");
	if (!head)
		fwrite(body, 1, body_len, f);
	free(body);
	if (ferror(f) | fclose(f)) {
		free(out);
		return NULL;
	}
	return out;
}

static void conn_drain(struct om_conn *c)
{
	char buf[4096];

	/* a bounded amount per wake-up: a client that streams cannot hold the loop */
	for (int i = 0; i < 16; i++) {
		ssize_t n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			conn_close(c);
			return;
		}
	}
}

static void conn_write(struct om_conn *c)
{
	uint64_t linger = control_now_ms() + OM_LINGER_MS;

	while (c->sent < c->out_len) {
		ssize_t n = send(
			c->fd, c->out + c->sent, c->out_len - c->sent, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			conn_watch(c, EPOLLOUT); /* brings us back */
			return;
		}
		if (n < 0) {
			conn_close(c);
			return;
		}
		c->sent += n;
	}
	free(c->out);
	c->out = NULL;
	/*
	 * Closing now could reset the connection if request bytes are still
	 * unread, and the client might lose the reply: send FIN, then read what
	 * is left until the client closes.
	 */
	shutdown(c->fd, SHUT_WR);
	c->state = OM_DRAINING;
	if (linger < c->deadline_ms)
		c->deadline_ms = linger;
	if (conn_watch(c, EPOLLIN))
		conn_drain(c);
}

static void conn_respond(struct om_conn *c, int status, bool head)
{
	c->out = reply(status, head, &c->out_len);
	if (c->out == NULL) {
		LOG(ERR, "openmetrics: cannot answer a request: out of memory");
		conn_close(c);
		return;
	}
	c->state = OM_WRITING;
	c->sent = 0;
	conn_write(c);
}

static void conn_read(struct om_conn *c)
{
	ssize_t n = recv(c->fd, c->in + c->in_len, sizeof(c->in) - c->in_len, MSG_DONTWAIT);
	bool head = false;
	int status;

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		/* closed before a whole request: nobody to answer */
		conn_close(c);
		return;
	}
	c->in_len += n;
	status = om_http_classify(c->in, c->in_len, sizeof(c->in), &head);
	if (status != 0)
		conn_respond(c, status, head);
}

static void conn_event(int fd, uint32_t events, void *arg)
{
	struct om_conn *c = arg;

	(void)fd;
	if (events & EPOLLERR) {
		conn_close(c);
		return;
	}
	switch (c->state) {
	case OM_READING:
		conn_read(c);
		break;
	case OM_WRITING:
		conn_write(c);
		break;
	case OM_DRAINING:
		conn_drain(c);
		break;
	}
}

/* Over the connection limit: a 503 if the socket takes it at once, then close. */
static void refuse(int fd)
{
	static const char busy[] =
		"HTTP/1.0 503 Service Unavailable\r\n"
		"Content-Type: text/plain; charset=utf-8\r\n"
		"Content-Length: 20\r\nRetry-After: 1\r\nConnection: close\r\n\r\n"
		"Service Unavailable\n";

	(void)send(fd, busy, sizeof(busy) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
	close(fd);
}

static void listener_event(int fd, uint32_t events, void *arg)
{
	(void)events;
	(void)arg;
	for (;;) {
		int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct om_conn *c;

		if (cfd < 0 && (errno == EMFILE || errno == ENFILE) && spare_fd >= 0) {
			close(spare_fd);
			cfd = accept(fd, NULL, NULL);
			if (cfd >= 0)
				close(cfd);
			LOG(ERR, "openmetrics: out of file descriptors, refused a client");
			spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
			return;
		}
		if (cfd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno != EAGAIN)
				LOG(ERR, "openmetrics: accept: %s", strerror(errno));
			return;
		}
		if (n_conns >= OM_MAX_CONNS) {
			refuse(cfd);
			continue;
		}
		c = malloc(sizeof(*c));
		if (c == NULL || control_fd_add(cfd, EPOLLIN, conn_event, c) < 0) {
			LOG(ERR, "openmetrics: cannot serve a new client: %s",
				c ? fp_errmsg() : "out of memory");
			free(c);
			close(cfd);
			continue;
		}
		c->fd = cfd;
		c->state = OM_READING;
		c->events = EPOLLIN;
		c->deadline_ms = control_now_ms() + OM_TIMEOUT_MS;
		c->out = NULL;
		c->out_len = c->sent = c->in_len = 0;
		LIST_INSERT_HEAD(&conns, c, link);
		n_conns++;
	}
}

void om_server_expire(void *arg)
{
	uint64_t now = control_now_ms();
	struct om_conn *c, *next;

	(void)arg;
	for (c = LIST_FIRST(&conns); c != NULL; c = next) {
		next = LIST_NEXT(c, link);
		if (now >= c->deadline_ms)
			conn_close(c);
	}
}

static void stop_listening(void)
{
	if (listen_fd < 0)
		return;
	control_fd_del(listen_fd);
	close(listen_fd);
	listen_fd = -1;
	LOG(INFO, "openmetrics: stopped listening on %s", listening.text);
}

static int open_listener(const struct om_listen *l)
{
	int fd, ret, on = 1;

	fd = socket(l->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return fp_error(errno, "openmetrics: socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	/* [::] means IPv6 only; a v4-mapped address needs the dual stack */
	if (l->addr.ss_family == AF_INET6 &&
		!IN6_IS_ADDR_V4MAPPED(&((const struct sockaddr_in6 *)&l->addr)->sin6_addr))
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
	if (bind(fd, (const struct sockaddr *)&l->addr, l->addrlen) < 0 ||
		listen(fd, OM_BACKLOG) < 0) {
		int err = errno;

		close(fd);
		return fp_error(
			err, "openmetrics: cannot listen on %s: %s", l->text, strerror(err));
	}
	if ((ret = control_fd_add(fd, EPOLLIN, listener_event, NULL)) < 0) {
		close(fd);
		return fp_error_prefix(ret, "openmetrics: ");
	}
	return fd;
}

int om_server_configure(const struct om_listen *l)
{
	int fd;

	if (l == NULL) {
		stop_listening();
		return 0;
	}
	if (listen_fd >= 0 && l->addrlen == listening.addrlen &&
		memcmp(&l->addr, &listening.addr, l->addrlen) == 0) {
		listening = *l;
		return 0;
	}
	if (spare_fd < 0)
		spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	/* the new socket first: if it fails, the old one stays */
	if ((fd = open_listener(l)) < 0)
		return fd;
	stop_listening();
	listen_fd = fd;
	listening = *l;
	LOG(INFO, "openmetrics: serving http://%s/metrics", l->text);
	return 0;
}

void om_server_fini(void)
{
	while (!LIST_EMPTY(&conns))
		conn_close(LIST_FIRST(&conns));
	stop_listening();
	if (spare_fd >= 0)
		close(spare_fd);
	spare_fd = -1;
}
