/* SPDX-License-Identifier: BSD-3-Clause */
#include "settings.h"

#include <stdio.h>

/* What the daemon starts with; the config's eal, workers and api sections fill it
 * (infractl/settings_config.c). */
struct fp_settings fp_settings;

void settings_defaults(struct fp_settings *s)
{
	*s = (struct fp_settings){
		.huge = true,
		.mbufs = 32767,
		.workers = 1,
		.idle_sleep_us = 0,
		.fast_path = true,
	};
	snprintf(s->file_prefix, sizeof(s->file_prefix), "fastpath");
	snprintf(s->api_socket, sizeof(s->api_socket), "/run/fastpath/fastpath.sock");
}
