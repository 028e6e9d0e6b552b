/* SPDX-License-Identifier: BSD-3-Clause */
#pragma once

#include <rte_log.h>

/* Control-plane logging only: datapath nodes count, they never log. */
extern int fp_logtype;

#define LOG(level, fmt, ...)                                                                       \
	rte_log(RTE_LOG_##level, fp_logtype, "fastpath: " fmt "\n", ##__VA_ARGS__)

/* Where fastpathd's logs (its own and DPDK's) go: fastpathd --log. */
enum fp_log_to {
	FP_LOG_AUTO,	/* as a daemon does: see fp_log_init() */
	FP_LOG_STDERR,	/* each line with its time and level */
	FP_LOG_JOURNAL, /* stderr read by journald: each line with its level as "<N>" */
	FP_LOG_SYSLOG,	/* syslog(3), facility daemon, ident fastpathd */
};

/* "auto", "stderr", "journal", "syslog": 0, or -EINVAL with a message. */
int fp_log_parse(const char *name, enum fp_log_to *to);

/*
 * Sends rte_log's messages where to says, before rte_eal_init() so that EAL's go there too.
 * FP_LOG_AUTO: the journal when stderr is its stream (JOURNAL_STREAM, under systemd); stderr
 * when it is a terminal, a file or a pipe (someone reads it: `fastpathd 2>log`, a supervisor);
 * else (stderr closed or /dev/null, a daemon started by a script) syslog.
 */
int fp_log_init(enum fp_log_to to);
