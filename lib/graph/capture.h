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

/* What a copy keeps of a packet at most: one buffer. */
#define CAPTURE_SNAPLEN (RTE_MBUF_DEFAULT_BUF_SIZE - RTE_PKTMBUF_HEADROOM)

enum capture_point {
	CAPTURE_RX = 1,
	CAPTURE_TX = 2,
	CAPTURE_DROP = 4,
};

/* What the workers read of a capture; set before it is published, then only counted. */
struct capture {
	uint8_t points;		  /* enum capture_point bits */
	uint16_t iface;		  /* FP_IFACE_NONE: all */
	uint32_t count;		  /* 0: until stopped */
	uint32_t taken;		  /* packets the workers took (atomic) */
	uint32_t lost;		  /* copies that found no buffer or no room (atomic) */
	struct rte_ring *ring;	  /* the copies, to the control thread */
	struct rte_mempool *pool; /* the copies' buffers */
};

extern struct capture *fp_capture; /* NULL when no capture runs */

/* Worker side: copies m if the capture wants it; reason names the drop (or NULL). */
void capture_packet(struct capture *c, struct rte_mbuf *m, uint16_t iface, enum capture_point point,
	const char *reason);

static inline struct capture *capture_active(void)
{
	return __atomic_load_n(&fp_capture, __ATOMIC_ACQUIRE);
}
