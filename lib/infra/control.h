/* SPDX-License-Identifier: BSD-3-Clause */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/*
 * The control thread's event loop: one epoll over every file descriptor the
 * control plane reads (API sockets, netlink, timers, signals, the eventfd the
 * workers kick when they punt packets). Callbacks run on the control thread
 * only, so control code needs no locks.
 */

typedef void (*control_fd_cb)(int fd, uint32_t events, void *arg);

/* events: EPOLLIN/EPOLLOUT/... as for epoll_ctl. */
int control_fd_add(int fd, uint32_t events, control_fd_cb cb, void *arg);
int control_fd_mod(int fd, uint32_t events);
void control_fd_del(int fd);

/* A periodic callback, run from the loop: first at its first tick, then every period (rounded
 * to the loop tick, 10 ms). */
typedef void (*control_timer_cb)(void *arg);
int control_timer_add(const char *name, uint32_t period_ms, control_timer_cb cb, void *arg);

/* Milliseconds on a monotonic clock. */
uint64_t control_now_ms(void);

/*
 * Work that can stop and resume (netlink batches, a long API reply) stops once the callback
 * running has had CONTROL_SLICE_MS: the loop then serves the others (the twins' frames, the
 * punt ring, the API) before it comes back. A slow control thread (a loaded machine, a
 * sanitizer build) answers later, but never holds a BGP keepalive or a BFD packet for seconds.
 */
#define CONTROL_SLICE_MS 10
/* Whether the callback running has used its slice (false outside the loop's callbacks). */
bool control_slice_over(void);

/* control_now_ms() as of the last loop tick: a clock the workers read for free. */
extern volatile uint64_t fp_clock_ms;

int control_init(void);
/* Runs until control_stop(); returns 0 or <0. */
int control_run(void);
/*
 * Runs the callbacks of what is ready now, without waiting: the number of events handled,
 * or <0. For the fuzzing harness (tests/fuzz), which walks a graph and drains the punt ring
 * on one thread.
 */
int control_poll(void);
void control_stop(void);
void control_fini(void);
