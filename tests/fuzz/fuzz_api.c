/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Arbitrary bytes into the API server, as a client sends them: the input is written on a
 * connection to the daemon's own socket, the writing side closed, and the control loop run
 * until the server has answered every line and closed the connection (replies are read and
 * dropped). So the framing (lines, blank lines, a last line without its newline), the request
 * checks and every command's argument parsing get the input, over a daemon with an interface,
 * addresses, routes and neighbours; after each input that state is loaded back.
 *
 * Commands that open files the client names (config.load, capture.start) are not run: an input
 * with a line that asks for one is skipped, so that the fuzzer cannot write over files.
 */
#include "api/api.h"
#include "config/config_load.h"
#include "fuzz_env.h"
#include "infra/control.h"
#include "base/fp_error.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* control loop rounds within which the server must have answered everything */
#define MAX_ROUNDS 100000

static const char *const denied[] = {"config.load", "capture.start", NULL};

static const char config[] =
	"{"
	"\"twins\": {\"enabled\": false},"
	"\"ports\": ["
	" {\"name\": \"p0\", \"driver\": \"null\", \"no_rx\": true},"
	" {\"name\": \"p1\", \"driver\": \"null\", \"no_rx\": true}],"
	"\"addresses\": ["
	" {\"iface\": \"p0\", \"address\": \"192.0.2.1/24\"},"
	" {\"iface\": \"p1\", \"address\": \"2001:db8:1::1/64\"}],"
	"\"routes\": ["
	" {\"prefix\": \"10.1.0.0/16\", \"via\": \"192.0.2.2\"},"
	" {\"prefix\": \"2001:db8:10::/48\", \"via\": \"2001:db8:1::2\"}],"
	"\"fib\": {\"ipv6_max_routes\": 1024},"
	"\"neighbours\": ["
	" {\"iface\": \"p0\", \"address\": \"192.0.2.3\", \"mac\": \"02:00:00:00:01:03\"}],"
	"\"router_advertisements\": []"
	"}";

/* /tmp/fuzz_api.<pid>.XXXXXX: make fuzz removes those of processes that died (a crash) */
static char dir[64];
static char path[sizeof(dir) + 16];

static void stop(void)
{
	api_server_stop();
	rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_env_start("fuzz_api", config);
	snprintf(dir, sizeof(dir), "/tmp/fuzz_api.%d.XXXXXX", (int)getpid());
	if (mkdtemp(dir) == NULL) {
		perror("fuzz_api: mkdtemp");
		abort();
	}
	snprintf(path, sizeof(path), "%s/sock", dir);
	if (api_server_start(path) < 0) {
		fprintf(stderr, "fuzz_api: %s\n", fp_errmsg());
		abort();
	}
	atexit(stop);
	return 0;
}

static bool is_denied(const char *line, size_t len, size_t flags)
{
	json_t *req = json_loadb(line, len, flags, NULL);
	const char *cmd = json_string_value(json_object_get(req, "cmd"));
	bool deny = false;

	for (int i = 0; cmd != NULL && denied[i] != NULL; i++)
		deny |= strcmp(cmd, denied[i]) == 0;
	json_decref(req);
	return deny;
}

/* Whether a line, as the server will read it (json_loadb()), asks for a denied command. */
static bool asks_denied(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data, *end = s + size;

	while (s < end) {
		const char *nl = memchr(s, '\n', end - s);
		size_t len = (nl ? nl : end) - s;

		if (is_denied(s, len, JSON_REJECT_DUPLICATES) || is_denied(s, len, 0))
			return true;
		s += len + 1;
	}
	return false;
}

static int client_connect(void)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("fuzz_api: connect");
		abort();
	}
	return fd;
}

/* Sends the input, then reads the replies until the server closes the connection. */
static void converse(const uint8_t *data, size_t size)
{
	static char replies[1 << 16];
	int fd = client_connect();
	size_t sent = 0;
	bool shut = false;

	for (int round = 0; round < MAX_ROUNDS; round++) {
		ssize_t n;

		if (sent < size) {
			n = send(fd, data + sent, size - sent, MSG_NOSIGNAL);
			/* an error: the server gave up on us (a line too long), its replies tell */
			sent = n >= 0 ? sent + n : errno == EAGAIN ? sent : size;
		}
		if (sent == size && !shut) {
			shutdown(fd, SHUT_WR);
			shut = true;
		}
		control_poll();
		while ((n = recv(fd, replies, sizeof(replies), 0)) > 0)
			;
		if (n == 0 || (n < 0 && errno != EAGAIN)) {
			close(fd);
			/* the server's side goes when it next runs */
			control_poll();
			return;
		}
	}
	fprintf(stderr, "fuzz_api: the server did not answer within %d rounds\n", MAX_ROUNDS);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *changes = NULL, *args, *result;

	if (asks_denied(data, size))
		return 0;
	converse(data, size);
	/* the next input starts from the same state */
	if (fuzz_config_load(config, &changes) < 0) {
		fprintf(stderr, "fuzz_api: the state cannot be loaded back: %s\n", fp_errmsg());
		abort();
	}
	json_decref(changes);
	args = json_object();
	if (fuzz_api_call("trace.clear", args, &result) == 0)
		json_decref(result);
	json_decref(args);
	return 0;
}
