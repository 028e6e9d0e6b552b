/* SPDX-License-Identifier: BSD-3-Clause */
#include "log.h"
#include "fp_error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <rte_log.h>

static enum fp_log_to log_to;

/* rte_log's levels (RTE_LOG_EMERG 1 ... RTE_LOG_DEBUG 8) are syslog's priorities plus one. */
static int priority(void)
{
	int level = rte_log_cur_msg_loglevel();

	return level >= 1 && level <= 8 ? level - 1 : LOG_INFO;
}

/*
 * Each line of a message (rte_log writes one message a call) with what its reader needs: on a
 * terminal or in a file, the time and the level; to the journal, the level as sd-daemon(3)'s
 * "<N>" prefix (the journal stamps the time); to syslog, the priority.
 */
static ssize_t log_write(void *cookie, const char *buf, size_t size)
{
	static const char *const names[] = {
		"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"};
	int prio = priority();
	size_t done = 0;

	(void)cookie;
	while (done < size) {
		const char *line = buf + done, *nl = memchr(line, '\n', size - done);
		int len = nl ? (int)(nl - line) : (int)(size - done);
		char stamp[48] = "";
		struct timespec ts;
		struct tm tm;

		done += len + (nl != NULL);
		switch (log_to) {
		case FP_LOG_SYSLOG:
			syslog(prio, "%.*s", len, line);
			break;
		case FP_LOG_JOURNAL:
			fprintf(stderr, "<%d>%.*s\n", prio, len, line);
			break;
		case FP_LOG_AUTO: /* resolved by fp_log_init() */
		case FP_LOG_STDERR:
			clock_gettime(CLOCK_REALTIME, &ts);
			localtime_r(&ts.tv_sec, &tm);
			strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
			fprintf(stderr, "%s.%03ld", stamp, ts.tv_nsec / 1000000);
			strftime(stamp, sizeof(stamp), "%z", &tm);
			fprintf(stderr, "%s %s %.*s\n", stamp, names[prio], len, line);
			break;
		}
	}
	fflush(stderr);
	return size;
}

/* Whether stderr is the journal's stream (systemd sets JOURNAL_STREAM to its device:inode). */
static bool stderr_is_journal(void)
{
	const char *env = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	return env != NULL && sscanf(env, "%llu:%llu", &dev, &ino) == 2 &&
	       fstat(STDERR_FILENO, &st) == 0 && st.st_dev == dev && st.st_ino == ino;
}

/* Where the logs go by default: see fp_log_init(). */
static enum fp_log_to log_default(void)
{
	struct stat st;

	if (stderr_is_journal())
		return FP_LOG_JOURNAL;
	if (isatty(STDERR_FILENO) ||
		(fstat(STDERR_FILENO, &st) == 0 && (S_ISREG(st.st_mode) || S_ISFIFO(st.st_mode))))
		return FP_LOG_STDERR;
	return FP_LOG_SYSLOG;
}

int fp_log_parse(const char *name, enum fp_log_to *to)
{
	static const char *const names[] = {
		[FP_LOG_AUTO] = "auto",
		[FP_LOG_STDERR] = "stderr",
		[FP_LOG_JOURNAL] = "journal",
		[FP_LOG_SYSLOG] = "syslog",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(name, names[i]) == 0) {
			*to = i;
			return 0;
		}
	return fp_error(EINVAL, "--log takes auto, stderr, journal or syslog, not '%s'", name);
}

int fp_log_init(enum fp_log_to to)
{
	static const cookie_io_functions_t io = {.write = log_write};
	FILE *f;

	log_to = to == FP_LOG_AUTO ? log_default() : to;
	if (log_to == FP_LOG_SYSLOG)
		openlog("fastpathd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	f = fopencookie(NULL, "w", io);
	if (f == NULL)
		return fp_error(errno, "log stream: %s", strerror(errno));
	/* one write() per message: rte_vlog() flushes after each */
	setvbuf(f, NULL, _IOFBF, BUFSIZ);
	return rte_openlog_stream(f) < 0 ? fp_error(EINVAL, "log stream refused") : 0;
}
