/* SPDX-License-Identifier: BSD-3-Clause */
#include "control.h"
#include "base/fp_error.h"
#include "base/log.h"
#include "base/module.h"
#include "graph/punt.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define TICK_MS 10
#define MAX_FDS 4096

struct fd_entry {
	control_fd_cb cb;
	void *arg;
};

struct timer {
	const char *name;
	uint32_t period_ms;
	uint64_t next_ms;
	control_timer_cb cb;
	void *arg;
	struct timer *next;
};

static int epfd = -1;
static int tickfd = -1;
static struct fd_entry fds[MAX_FDS];
static struct timer *timers;
static volatile int stopping;
/* control_now_ms() when the callback running started, 0 outside the callbacks */
static uint64_t slice_start_ms;
volatile uint64_t fp_clock_ms;

uint64_t control_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool control_slice_over(void)
{
	return slice_start_ms != 0 && control_now_ms() - slice_start_ms >= CONTROL_SLICE_MS;
}

int control_fd_add(int fd, uint32_t events, control_fd_cb cb, void *arg)
{
	struct epoll_event ev = {.events = events, .data.fd = fd};

	if (fd < 0 || fd >= MAX_FDS)
		return fp_error(EMFILE, "file descriptor %d beyond the control loop's table", fd);
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		return fp_error(errno, "epoll_ctl add: %s", strerror(errno));
	fds[fd] = (struct fd_entry){cb, arg};
	return 0;
}

int control_fd_mod(int fd, uint32_t events)
{
	struct epoll_event ev = {.events = events, .data.fd = fd};

	if (epoll_ctl(epfd, EPOLL_CTL_MOD, fd, &ev) < 0)
		return fp_error(errno, "epoll_ctl mod: %s", strerror(errno));
	return 0;
}

void control_fd_del(int fd)
{
	if (fd < 0 || fd >= MAX_FDS)
		return;
	epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL);
	fds[fd] = (struct fd_entry){0};
}

int control_timer_add(const char *name, uint32_t period_ms, control_timer_cb cb, void *arg)
{
	struct timer *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return fp_error(ENOMEM, "timer %s: out of memory", name);
	/* due at once: the first tick of the loop runs it, after the configuration is applied */
	*t = (struct timer){name, period_ms, control_now_ms(), cb, arg, timers};
	timers = t;
	return 0;
}

static void tick(int fd, uint32_t events, void *arg)
{
	uint64_t expirations, now = control_now_ms();

	(void)events;
	(void)arg;
	fp_clock_ms = now;
	if (read(fd, &expirations, sizeof(expirations)) < 0 && errno != EAGAIN)
		LOG(ERR, "timerfd read: %s", strerror(errno));
	for (struct timer *t = timers; t != NULL; t = t->next) {
		if (now < t->next_ms)
			continue;
		t->next_ms = now + t->period_ms;
		t->cb(t->arg);
	}
}

int control_init(void)
{
	struct itimerspec its = {
		.it_interval = {.tv_nsec = TICK_MS * 1000000},
		.it_value = {.tv_nsec = TICK_MS * 1000000},
	};

	fp_clock_ms = control_now_ms();
	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (epfd < 0)
		return fp_error(errno, "epoll_create: %s", strerror(errno));
	tickfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (tickfd < 0 || timerfd_settime(tickfd, 0, &its, NULL) < 0)
		return fp_error(errno, "timerfd: %s", strerror(errno));
	return control_fd_add(tickfd, EPOLLIN, tick, NULL);
}

/* One epoll_wait of timeout_ms and the callbacks of what is ready: the number of events or <0. */
static int control_dispatch(int timeout_ms)
{
	struct epoll_event evs[64];
	int n = epoll_wait(epfd, evs, 64, timeout_ms);

	if (n < 0)
		return errno == EINTR ? 0 : fp_error(errno, "epoll_wait: %s", strerror(errno));
	for (int i = 0; i < n; i++) {
		struct fd_entry *e = &fds[evs[i].data.fd];

		/* an earlier callback of this batch may have closed it */
		if (e->cb == NULL)
			continue;
		slice_start_ms = control_now_ms();
		e->cb(evs[i].data.fd, evs[i].events, e->arg);
		slice_start_ms = 0;
	}
	return n;
}

int control_run(void)
{
	while (!stopping) {
		int ret = control_dispatch(-1);

		if (ret < 0)
			return ret;
	}
	return 0;
}

int control_poll(void)
{
	return control_dispatch(0);
}

void control_stop(void)
{
	stopping = 1;
}

void control_fini(void)
{
	while (timers != NULL) {
		struct timer *t = timers;
		timers = t->next;
		free(t);
	}
	if (tickfd >= 0)
		close(tickfd);
	if (epfd >= 0)
		close(epfd);
	tickfd = epfd = -1;
}

/*
 * The punt ring (graph/punt.h) is one of the loop's sources: the graph below knows no event
 * loop, so the loop registers the ring's eventfd and watchdog here, once the punt module
 * (order 1) has made them, and lets go of the eventfd before it closes it.
 */
static void punt_wakeup(int fd, uint32_t events, void *arg)
{
	(void)fd;
	(void)events;
	(void)arg;
	punt_woken();
}

static void punt_watchdog_tick(void *arg)
{
	(void)arg;
	punt_watchdog();
}

static int punt_loop_init(void)
{
	int ret = control_fd_add(punt_fd(), EPOLLIN, punt_wakeup, NULL);

	return ret < 0 ? ret
		       : control_timer_add(
				 "punt_watchdog", PUNT_WATCHDOG_MS, punt_watchdog_tick, NULL);
}

static void punt_loop_fini(void)
{
	control_fd_del(punt_fd());
}

static struct fp_module punt_loop_module = {
	.name = "punt_loop",
	.order = 2,
	.init = punt_loop_init,
	.fini = punt_loop_fini,
};
FP_MODULE_REGISTER(punt_loop_module)
