/* SPDX-License-Identifier: BSD-3-Clause */
#pragma once

#include <rte_log.h>

/* Control-plane logging only: datapath nodes count, they never log. */
extern int fp_logtype;

#define LOG(level, fmt, ...)                                                                       \
	rte_log(RTE_LOG_##level, fp_logtype, "fastpath: " fmt "\n", ##__VA_ARGS__)
