/* SPDX-License-Identifier: BSD-3-Clause */
#pragma once

#include <stdint.h>

#include <rte_mbuf.h>

/*
 * Packet capture to pcapng: workers copy the packets a capture selects (at
 * reception, at transmission, at a drop with its reason) into the capture's
 * own pool and ring; the control thread writes the file. Off, it costs one
 * pointer load per burst at each capture point.
 */

enum capture_point {
	CAPTURE_RX = 1,
	CAPTURE_TX = 2,
	CAPTURE_DROP = 4,
};

struct capture;
extern struct capture *fp_capture; /* NULL when no capture runs */

/* Worker side: copies m if the capture wants it; reason names the drop (or NULL). */
void capture_packet(struct capture *c, struct rte_mbuf *m, uint16_t iface, enum capture_point point,
	const char *reason);

static inline struct capture *capture_active(void)
{
	return __atomic_load_n(&fp_capture, __ATOMIC_ACQUIRE);
}
