/* SPDX-License-Identifier: BSD-3-Clause */
#include "fp_error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static __thread char errmsg[512];

int fp_error(int errnum, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(errmsg, sizeof(errmsg), fmt, ap);
	va_end(ap);
	return -abs(errnum);
}

int fp_error_prefix(int errnum, const char *fmt, ...)
{
	char prefix[256], old[sizeof(errmsg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, errmsg, sizeof(old));
	if (snprintf(errmsg, sizeof(errmsg), "%s%s", prefix, old[0] ? old : strerror(abs(errnum))) >=
		(int)sizeof(errmsg))
		memcpy(errmsg + sizeof(errmsg) - 4, "...", 4); /* say that it was cut */
	return -abs(errnum);
}

const char *fp_errmsg(void)
{
	return errmsg;
}

void fp_error_clear(void)
{
	errmsg[0] = '\0';
}

const char *fp_errno_name(int errnum)
{
	static __thread char buf[16];

	switch (abs(errnum)) {
#define N(e)                                                                                       \
	case e:                                                                                    \
		return #e
		N(EPERM);
		N(ENOENT);
		N(EIO);
		N(E2BIG);
		N(EBADF);
		N(EAGAIN);
		N(ENOMEM);
		N(EACCES);
		N(EFAULT);
		N(EBUSY);
		N(EEXIST);
		N(ENODEV);
		N(ENOTDIR);
		N(EINVAL);
		N(ENFILE);
		N(EMFILE);
		N(ENOSPC);
		N(ERANGE);
		N(ENOSYS);
		N(ENOTSUP);
		N(EMSGSIZE);
		N(EPROTO);
		N(ENOBUFS);
		N(ETIMEDOUT);
		N(ECONNREFUSED);
		N(EHOSTUNREACH);
		N(ENETUNREACH);
		N(EADDRINUSE);
		N(EADDRNOTAVAIL);
		N(ELOOP);
		N(ENAMETOOLONG);
		N(EOVERFLOW);
		N(EBADMSG);
#undef N
	}
	snprintf(buf, sizeof(buf), "E%d", abs(errnum));
	return buf;
}
