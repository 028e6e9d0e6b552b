/* SPDX-License-Identifier: BSD-3-Clause */
#pragma once

/*
 * systemd's readiness protocol (sd_notify(3)) without libsystemd: one datagram of
 * "KEY=VALUE\n" lines to the socket named by $NOTIFY_SOCKET, which systemd sets for
 * Type=notify units. Without the variable (not run by systemd) it does nothing.
 * The variable is kept: a reload notifies again.
 */
void fp_sd_notify(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
