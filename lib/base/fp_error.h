/* SPDX-License-Identifier: BSD-3-Clause */
#pragma once

/*
 * Errors are negative errno values. The function that detects an error also
 * says what is wrong, in words for the user, through fp_error(); callers
 * propagate the number and the outermost layer prints fp_errmsg().
 */

/* Record a message for the calling thread and return -abs(errnum). */
int fp_error(int errnum, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prefix the current message with more context ("route 10/8: " + msg). */
int fp_error_prefix(int errnum, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The last message recorded by this thread (strerror of the code if none). */
const char *fp_errmsg(void);

void fp_error_clear(void);

/* "EINVAL" for 22, "E123" for unknown values. */
const char *fp_errno_name(int errnum);
