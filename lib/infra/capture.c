/* SPDX-License-Identifier: BSD-3-Clause */
#include "capture.h"
#include "api/api.h"
#include "config/config.h"
#include "control.h"
#include "fp_error.h"
#include "iface.h"
#include "log.h"
#include "mbuf.h"
#include "module.h"
#include "worker.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ether.h>
#include <rte_malloc.h>
#include <rte_ring.h>

/*
 * DPDK 22.11's rte_pcapng cannot attach a comment to a packet, and a drop
 * must say its reason: the blocks are written here (pcapng, IETF draft
 * tuexen-opsawg-pcapng): section header, one interface per port, enhanced
 * packets with the direction flag and the drop reason as comment.
 */

#define NS_PER_SEC	1000000000ull
#define CAPTURE_RING	8192
#define CAPTURE_POOL	8191
#define CAPTURE_SNAPLEN (RTE_MBUF_DEFAULT_BUF_SIZE - RTE_PKTMBUF_HEADROOM)

struct capture {
	/* set at start, read by the workers */
	uint8_t points;
	uint16_t iface; /* FP_IFACE_NONE: all */
	uint32_t count; /* 0: until stopped */
	uint32_t taken; /* packets the workers took (atomic) */
	uint32_t lost;	/* copies that found no buffer or no room (atomic) */
	struct rte_ring *ring;
	struct rte_mempool *pool;
	/* control thread */
	FILE *file;
	char path[PATH_MAX];
	uint32_t written;
	int32_t idb[FP_MAX_IFACES]; /* pcapng interface of each iface, -1 if none */
	uint64_t start_tsc, start_ns;
	bool stopped;
};

struct capture *fp_capture;
static struct capture *last; /* running or finished, for capture.show */

void capture_packet(struct capture *c, struct rte_mbuf *m, uint16_t iface, enum capture_point point,
	const char *reason)
{
	static const struct rte_ether_hdr ip4_only = {.ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4)};
	const struct fp_mbuf_priv *priv = fp_mbuf_priv(m);
	struct fp_mbuf_priv *cp;
	struct rte_mbuf *copy;
	uint32_t head = 0, len;
	char *data;

	if (!(c->points & point) || (c->iface != FP_IFACE_NONE && c->iface != iface))
		return;
	if (c->count && __atomic_fetch_add(&c->taken, 1, __ATOMIC_RELAXED) >= c->count)
		return;
	copy = rte_pktmbuf_alloc(c->pool);
	if (copy == NULL)
		goto lost;
	/* the file holds Ethernet frames: the header kept before an L3 packet, or a stand-in */
	if (priv->flags & FP_MBUF_AT_L3)
		head = sizeof(struct rte_ether_hdr);
	len = RTE_MIN(m->pkt_len + head, (uint32_t)CAPTURE_SNAPLEN);
	data = rte_pktmbuf_append(copy, len);
	if (head)
		memcpy(data,
			priv->flags & FP_MBUF_L2_KEPT
				? rte_pktmbuf_mtod_offset(m, const void *, -(int)head)
				: (const void *)&ip4_only,
			head);
	if (rte_pktmbuf_read(m, 0, len - head, data + head) != data + head)
		memcpy(data + head, rte_pktmbuf_mtod(m, const void *), len - head);
	/* the original length, for the file */
	copy->hash.usr = m->pkt_len + head;
	cp = fp_mbuf_priv(copy);
	*cp = (struct fp_mbuf_priv){.iface_in = iface};
	cp->flags = point == CAPTURE_RX ? FP_MBUF_CAPTURE_RX : 0;
	cp->capture.reason = reason;
	cp->capture.tsc = rte_rdtsc();
	if (rte_ring_mp_enqueue(c->ring, copy) == 0)
		return;
	rte_pktmbuf_free(copy);
lost:
	__atomic_fetch_add(&c->lost, 1, __ATOMIC_RELAXED);
}

/* pcapng blocks: type, length, body, options, length again; all 32-bit aligned */
struct block {
	uint8_t buf[CAPTURE_SNAPLEN + 512];
	size_t len;
};

static void put(struct block *b, const void *data, size_t len)
{
	if (len > 0) /* empty options come with no data */
		memcpy(b->buf + b->len, data, len);
	b->len += len;
	while (b->len % 4)
		b->buf[b->len++] = 0;
}

static void put32(struct block *b, uint32_t v)
{
	put(b, &v, 4);
}

static void option(struct block *b, uint16_t code, const void *data, uint16_t len)
{
	uint16_t hdr[2] = {code, len};

	put(b, hdr, 4);
	put(b, data, len);
}

static void begin(struct block *b, uint32_t type)
{
	b->len = 0;
	put32(b, type);
	put32(b, 0); /* length, when known */
}

static int end(struct block *b, FILE *f)
{
	uint32_t total;

	option(b, 0, NULL, 0); /* opt_endofopt */
	total = b->len + 4;
	memcpy(b->buf + 4, &total, 4);
	put32(b, total);
	return fwrite(b->buf, 1, b->len, f) == b->len ? 0 : -EIO;
}

static int write_header(struct capture *c)
{
	static struct block b;
	int ret, idb = 0;

	begin(&b, 0x0a0d0d0a); /* section header */
	put32(&b, 0x1a2b3c4d);
	put32(&b, 1); /* version 1.0 */
	put32(&b, 0xffffffff);
	put32(&b, 0xffffffff); /* section length unknown */
	option(&b, 4, "fastpath " FP_VERSION, strlen("fastpath " FP_VERSION)); /* shb_userappl */
	if ((ret = end(&b, c->file)) < 0)
		return ret;
	for (unsigned int i = 0; i < FP_MAX_IFACES; i++) {
		const struct iface *iface = fp_ifaces[i];
		uint8_t tsresol = 9; /* nanoseconds */

		c->idb[i] = -1;
		if (iface == NULL)
			continue;
		begin(&b, 1); /* interface description */
		put32(&b, 1); /* LINKTYPE_ETHERNET, reserved */
		put32(&b, CAPTURE_SNAPLEN);
		option(&b, 2, iface->name, strlen(iface->name)); /* if_name */
		option(&b, 9, &tsresol, 1);			 /* if_tsresol */
		if ((ret = end(&b, c->file)) < 0)
			return ret;
		c->idb[i] = idb++;
	}
	return 0;
}

static int write_packet(struct capture *c, struct rte_mbuf *m)
{
	static struct block b;
	const struct fp_mbuf_priv *priv = fp_mbuf_priv(m);
	uint64_t ns =
		c->start_ns + (priv->capture.tsc - c->start_tsc) * NS_PER_SEC / rte_get_tsc_hz();
	/* epb_flags: direction in bits 0-1, 1 inbound, 2 outbound */
	uint32_t flags = priv->flags & FP_MBUF_CAPTURE_RX ? 1 : priv->capture.reason ? 0 : 2;
	int32_t idb = priv->iface_in < FP_MAX_IFACES ? c->idb[priv->iface_in] : -1;
	char comment[RTE_NODE_NAMESIZE + 8];

	begin(&b, 6); /* enhanced packet */
	put32(&b, idb < 0 ? 0 : idb);
	put32(&b, ns >> 32);
	put32(&b, ns);
	put32(&b, m->data_len);
	put32(&b, m->hash.usr);
	put(&b, rte_pktmbuf_mtod(m, void *), m->data_len);
	if (flags)
		option(&b, 2, &flags, 4);
	if (priv->capture.reason != NULL) {
		int n = snprintf(comment, sizeof(comment), "drop: %s", priv->capture.reason);
		option(&b, 1, comment, n); /* opt_comment */
	}
	return end(&b, c->file);
}

static void capture_free(struct capture *c)
{
	struct rte_mbuf *m;

	if (c == NULL)
		return;
	while (c->ring != NULL && rte_ring_sc_dequeue(c->ring, (void **)&m) == 0)
		rte_pktmbuf_free(m);
	rte_ring_free(c->ring);
	rte_mempool_free(c->pool);
	if (c->file != NULL)
		fclose(c->file);
	free(c);
}

/* Unpublishes the running capture, writes what the workers copied, closes the file. */
static void capture_finish(struct capture *c)
{
	struct rte_mbuf *m;

	if (c->stopped)
		return;
	if (__atomic_load_n(&fp_capture, __ATOMIC_RELAXED) == c) {
		__atomic_store_n(&fp_capture, NULL, __ATOMIC_RELEASE);
		fp_rcu_synchronize();
	}
	while (rte_ring_sc_dequeue(c->ring, (void **)&m) == 0) {
		if (write_packet(c, m) == 0)
			c->written++;
		rte_pktmbuf_free(m);
	}
	fclose(c->file);
	c->file = NULL;
	c->stopped = true;
	LOG(INFO, "capture: %u packets written to %s", c->written, c->path);
}

/* Control timer: writes what the workers copied; stops once count packets are written. */
static void capture_drain(void *arg)
{
	struct capture *c = last;
	struct rte_mbuf *m;

	(void)arg;
	if (c == NULL || c->stopped)
		return;
	while (rte_ring_sc_dequeue(c->ring, (void **)&m) == 0) {
		if (write_packet(c, m) == 0)
			c->written++;
		rte_pktmbuf_free(m);
	}
	fflush(c->file);
	if (c->count && c->written + __atomic_load_n(&c->lost, __ATOMIC_RELAXED) >= c->count)
		capture_finish(c);
}

static int api_capture_start(const json_t *args, json_t **result)
{
	static const char *const keys[] = {"port", "direction", "count", "file", NULL};
	static const char *const dirs[] = {"rx", "tx", "drop", "all", NULL};
	static const uint8_t points[] = {
		CAPTURE_RX, CAPTURE_TX, CAPTURE_DROP, CAPTURE_RX | CAPTURE_TX | CAPTURE_DROP};
	const char *port = NULL, *path;
	struct capture *c = NULL;
	struct cfg_ctx ctx;
	int dir = 3, ret;
	uint64_t count = 0;
	struct timespec ts;

	(void)result;
	cfg_ctx_init(&ctx, NULL);
	if ((ret = cfg_check_keys(&ctx, args, keys)) == 0 &&
		(ret = cfg_get_string(&ctx, args, "port", false, &port)) >= 0 &&
		(ret = cfg_get_enum(&ctx, args, "direction", false, dirs, &dir)) >= 0 &&
		(ret = cfg_get_uint(&ctx, args, "count", false, 1, UINT32_MAX, &count)) >= 0)
		ret = cfg_get_string(&ctx, args, "file", true, &path);
	cfg_ctx_fini(&ctx);
	if (ret < 0)
		return ret;
	if (path[0] != '/')
		return fp_error(EINVAL, "'%s': the daemon needs an absolute path", path);
	if (port != NULL && iface_by_name(port) == NULL)
		return fp_error(ENODEV, "no interface '%s'", port);
	if (fp_capture != NULL)
		return fp_error(EBUSY, "a capture to %s is running: stop it first", last->path);
	/* the finished capture's buffers go first: the new ones take their names */
	capture_free(last);
	last = NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return fp_error(ENOMEM, "out of memory");
	c->points = points[dir];
	c->iface = port ? iface_by_name(port)->id : FP_IFACE_NONE;
	c->count = count;
	snprintf(c->path, sizeof(c->path), "%s", path);
	c->ring = rte_ring_create("capture", CAPTURE_RING, SOCKET_ID_ANY, RING_F_SC_DEQ);
	c->pool = rte_pktmbuf_pool_create("capture", CAPTURE_POOL, 64, FP_MBUF_PRIV_SIZE,
		RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (c->ring == NULL || c->pool == NULL) {
		ret = fp_error(ENOMEM, "capture buffers: %s", rte_strerror(rte_errno));
		goto fail;
	}
	if ((c->file = fopen(path, "w")) == NULL) {
		ret = fp_error(errno, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if ((ret = write_header(c)) < 0) {
		ret = fp_error(ret, "%s: write error", path);
		goto fail;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	c->start_ns = (uint64_t)ts.tv_sec * NS_PER_SEC + ts.tv_nsec;
	c->start_tsc = rte_rdtsc();
	last = c;
	__atomic_store_n(&fp_capture, c, __ATOMIC_RELEASE);
	return 0;
fail:
	capture_free(c);
	return ret;
}

static json_t *capture_status(const struct capture *c)
{
	static const char *const names[] = {[CAPTURE_RX] = "rx",
		[CAPTURE_TX] = "tx",
		[CAPTURE_DROP] = "drop",
		[CAPTURE_RX | CAPTURE_TX | CAPTURE_DROP] = "all"};

	if (c == NULL)
		return json_pack("{s:b}", "running", false);
	return json_pack("{s:b, s:s, s:I, s:I, s:I, s:s, s:s}", "running", !c->stopped, "file",
		c->path, "captured", (json_int_t)c->written, "lost",
		(json_int_t)__atomic_load_n(&c->lost, __ATOMIC_RELAXED), "count",
		(json_int_t)c->count, "port",
		c->iface == FP_IFACE_NONE ? "all" : iface_get(c->iface)->name, "direction",
		names[c->points]);
}

static int api_capture_stop(const json_t *args, json_t **result)
{
	(void)args;
	if (last == NULL || last->stopped)
		return fp_error(ENOENT, "no capture is running");
	capture_finish(last);
	*result = capture_status(last);
	return 0;
}

static int api_capture_show(const json_t *args, json_t **result)
{
	(void)args;
	*result = capture_status(last);
	return 0;
}

static int capture_init(void)
{
	return control_timer_add("capture", 10, capture_drain, NULL);
}

static void capture_fini(void)
{
	if (last != NULL)
		capture_finish(last);
	capture_free(last);
	last = NULL;
}

static struct fp_module capture_module = {
	.name = "capture",
	.order = 5,
	.init = capture_init,
	.fini = capture_fini,
};
FP_MODULE_REGISTER(capture_module)

API_COMMAND(capture_start_cmd, "capture.start",
	"capture packets (rx, tx, drops with their reason) of a port or all to a pcapng file",
	api_capture_start)
API_COMMAND(
	capture_stop_cmd, "capture.stop", "stop the capture and close its file", api_capture_stop)
API_COMMAND(
	capture_show_cmd, "capture.show", "the capture's state and packet count", api_capture_show)
