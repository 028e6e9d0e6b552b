/* SPDX-License-Identifier: BSD-3-Clause */
/* Capture's control half: the pcapng file the workers' copies go to, and the API. */
#include "api/api.h"
#include "base/fp_error.h"
#include "base/log.h"
#include "base/module.h"
#include "config/config.h"
#include "graph/capture.h"
#include "graph/mbuf.h"
#include "graph/worker.h"
#include "infra/control.h"
#include "infra/iface.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

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

#define NS_PER_SEC   1000000000ull
#define CAPTURE_RING 8192
#define CAPTURE_POOL 8191
/* The file's size by default (tcpdump -C in spirit, without the rotation), and at least. */
#define CAPTURE_MAX_BYTES     (64ull << 20)
#define CAPTURE_MIN_MAX_BYTES 4096
/* Blocks are gathered into writes of this size at most. */
#define CAPTURE_OUT (64 << 10)

/* A capture to a file: what the workers read (graph/capture.h), then the control thread's. */
struct capture_file {
	struct capture sel;
	int fd;			    /* the client's file, -1 once closed */
	char path[PATH_MAX];	    /* what it names, for capture.show */
	off_t base;		    /* where the capture starts in the file */
	uint64_t max_bytes;	    /* the file is never bigger */
	uint64_t bytes;		    /* written to the file */
	uint32_t written;	    /* packets in the file */
	uint32_t over_limit;	    /* packets not written: the file had reached max_bytes */
	uint32_t write_errors;	    /* packets not written: a write failed */
	int error;		    /* errno of the write that failed, 0 */
	bool full;		    /* max_bytes reached or a write failed: nothing more goes in */
	size_t out_len;		    /* blocks in out, not yet written */
	uint32_t out_packets;	    /* packets in out */
	int32_t idb[FP_MAX_IFACES]; /* pcapng interface of each iface, -1 if none */
	uint64_t start_tsc, start_ns;
	bool stopped;
	uint8_t out[CAPTURE_OUT];
};

static struct capture_file *last; /* running or finished, for capture.show */

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

/*
 * Writes the blocks gathered in out. On a failure (ENOSPC, EIO, a short write that cannot be
 * completed) the file is cut back after its last whole block, so that it stays readable, and
 * nothing more is written: the packets that were in out and those after are counted as
 * write errors, not as captured.
 */
static void flush(struct capture_file *c)
{
	size_t done = 0;

	while (done < c->out_len && c->error == 0) {
		ssize_t n = write(c->fd, c->out + done, c->out_len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			c->error = n < 0 ? errno : EIO;
		else
			done += n;
	}
	if (c->error == 0) {
		c->bytes += c->out_len;
		c->written += c->out_packets;
	} else if (c->out_len > 0) {
		if (ftruncate(c->fd, c->base + c->bytes) < 0)
			LOG(WARNING, "capture: %s: cannot cut the last partial block: %s", c->path,
				strerror(errno));
		c->write_errors += c->out_packets;
		c->full = true;
		LOG(ERR, "capture: %s: %s, capture stopped", c->path, strerror(c->error));
	}
	c->out_len = c->out_packets = 0;
}

/* Ends the block and adds it to the file, or counts the packet it holds as not written. */
static void end(struct block *b, struct capture_file *c, bool packet)
{
	uint32_t total;

	option(b, 0, NULL, 0); /* opt_endofopt */
	total = b->len + 4;
	memcpy(b->buf + 4, &total, 4);
	put32(b, total);
	if (!c->full && c->out_len + b->len > sizeof(c->out))
		flush(c);
	if (!c->full && c->bytes + c->out_len + b->len > c->max_bytes)
		c->full = true;
	if (c->full) {
		if (c->error)
			c->write_errors += packet;
		else
			c->over_limit += packet;
		return;
	}
	memcpy(c->out + c->out_len, b->buf, b->len);
	c->out_len += b->len;
	c->out_packets += packet;
}

/* The section header and an interface per port; 0, or <0 with fp_error when it cannot be written.
 */
static int write_header(struct capture_file *c)
{
	static struct block b;
	int idb = 0;

	begin(&b, 0x0a0d0d0a); /* section header */
	put32(&b, 0x1a2b3c4d);
	put32(&b, 1); /* version 1.0 */
	put32(&b, 0xffffffff);
	put32(&b, 0xffffffff); /* section length unknown */
	option(&b, 4, "fastpath " FP_VERSION, strlen("fastpath " FP_VERSION)); /* shb_userappl */
	end(&b, c, false);
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
		end(&b, c, false);
		c->idb[i] = idb++;
	}
	flush(c);
	if (c->error)
		return fp_error(c->error, "%s: %s", c->path, strerror(c->error));
	if (c->full)
		return fp_error(
			EFBIG, "max_bytes %" PRIu64 " cannot hold the file's header", c->max_bytes);
	return 0;
}

static void write_packet(struct capture_file *c, struct rte_mbuf *m)
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
	end(&b, c, true);
}

/* Writes what the workers copied. */
static void capture_write_ring(struct capture_file *c)
{
	struct rte_mbuf *m;

	while (rte_ring_sc_dequeue(c->sel.ring, (void **)&m) == 0) {
		write_packet(c, m);
		rte_pktmbuf_free(m);
	}
	flush(c);
}

static void capture_free(struct capture_file *c)
{
	struct rte_mbuf *m;

	if (c == NULL)
		return;
	while (c->sel.ring != NULL && rte_ring_sc_dequeue(c->sel.ring, (void **)&m) == 0)
		rte_pktmbuf_free(m);
	rte_ring_free(c->sel.ring);
	rte_mempool_free(c->sel.pool);
	if (c->fd >= 0)
		close(c->fd);
	free(c);
}

/* Unpublishes the running capture, writes what the workers copied, closes the file. */
static void capture_finish(struct capture_file *c)
{
	if (c->stopped)
		return;
	if (__atomic_load_n(&fp_capture, __ATOMIC_RELAXED) == &c->sel) {
		__atomic_store_n(&fp_capture, NULL, __ATOMIC_RELEASE);
		fp_rcu_synchronize();
	}
	capture_write_ring(c);
	close(c->fd);
	c->fd = -1;
	c->stopped = true;
	LOG(INFO, "capture: %u packets written to %s", c->written, c->path);
}

/*
 * Control timer: writes what the workers copied; stops once count packets are written, the
 * file is full or a write failed.
 */
static void capture_drain(void *arg)
{
	struct capture_file *c = last;

	(void)arg;
	if (c == NULL || c->stopped)
		return;
	capture_write_ring(c);
	if (c->full ||
		(c->sel.count && c->written + __atomic_load_n(&c->sel.lost, __ATOMIC_RELAXED) >=
					 c->sel.count))
		capture_finish(c);
}

/* Where the client's file is written from: its offset, or its end when it appends. */
static off_t file_start(int fd)
{
	struct stat st;

	if (fcntl(fd, F_GETFL) & O_APPEND)
		return fstat(fd, &st) == 0 ? st.st_size : 0;
	return lseek(fd, 0, SEEK_CUR);
}

static int api_capture_start(const json_t *args, json_t **result)
{
	static const char *const dirs[] = {"rx", "tx", "drop", "all", NULL};
	static const uint8_t points[] = {
		CAPTURE_RX, CAPTURE_TX, CAPTURE_DROP, CAPTURE_RX | CAPTURE_TX | CAPTURE_DROP};
	uint64_t count = 0, max_bytes = CAPTURE_MAX_BYTES;
	struct capture_file *c = NULL;
	const char *port = NULL;
	struct cfg_ctx ctx;
	int dir = 3, ret;
	struct timespec ts;

	(void)result;
	cfg_ctx_init(&ctx, NULL);
	if ((ret = cfg_get_string(&ctx, args, "port", false, &port)) >= 0 &&
		(ret = cfg_get_enum(&ctx, args, "direction", false, dirs, &dir)) >= 0 &&
		(ret = cfg_get_uint(&ctx, args, "count", false, 1, UINT32_MAX, &count)) >= 0)
		ret = cfg_get_uint(&ctx, args, "max_bytes", false, CAPTURE_MIN_MAX_BYTES, INT64_MAX,
			&max_bytes);
	cfg_ctx_fini(&ctx);
	if (ret < 0)
		return ret;
	if (port != NULL && iface_by_name(port) == NULL)
		return fp_error(ENODEV, "no interface '%s'", port);
	if (fp_capture != NULL)
		return fp_error(EBUSY, "a capture to %s is running: stop it first", last->path);
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return fp_error(ENOMEM, "out of memory");
	c->fd = api_take_file(true, c->path, sizeof(c->path));
	if (c->fd < 0) {
		ret = c->fd;
		free(c);
		return ret;
	}
	/* the finished capture's buffers go first: the new ones take their names */
	capture_free(last);
	last = NULL;
	c->sel.points = points[dir];
	c->sel.iface = port ? iface_by_name(port)->id : FP_IFACE_NONE;
	c->sel.count = count;
	c->max_bytes = max_bytes;
	c->base = file_start(c->fd);
	c->sel.ring = rte_ring_create("capture", CAPTURE_RING, SOCKET_ID_ANY, RING_F_SC_DEQ);
	c->sel.pool = rte_pktmbuf_pool_create("capture", CAPTURE_POOL, 64, FP_MBUF_PRIV_SIZE,
		RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (c->sel.ring == NULL || c->sel.pool == NULL) {
		ret = fp_error(ENOMEM, "capture buffers: %s", rte_strerror(rte_errno));
		goto fail;
	}
	if ((ret = write_header(c)) < 0)
		goto fail;
	clock_gettime(CLOCK_REALTIME, &ts);
	c->start_ns = (uint64_t)ts.tv_sec * NS_PER_SEC + ts.tv_nsec;
	c->start_tsc = rte_rdtsc();
	last = c;
	__atomic_store_n(&fp_capture, &c->sel, __ATOMIC_RELEASE);
	return 0;
fail:
	capture_free(c);
	return ret;
}

static json_t *capture_status(const struct capture_file *c)
{
	static const char *const names[] = {[CAPTURE_RX] = "rx",
		[CAPTURE_TX] = "tx",
		[CAPTURE_DROP] = "drop",
		[CAPTURE_RX | CAPTURE_TX | CAPTURE_DROP] = "all"};
	json_t *o;

	if (c == NULL)
		return json_pack("{s:b}", "running", false);
	o = json_pack("{s:b, s:s, s:I, s:I, s:I, s:s, s:s, s:I, s:I, s:I, s:I}", "running",
		!c->stopped, "file", c->path, "captured", (json_int_t)c->written, "lost",
		(json_int_t)__atomic_load_n(&c->sel.lost, __ATOMIC_RELAXED), "count",
		(json_int_t)c->sel.count, "port",
		c->sel.iface == FP_IFACE_NONE ? "all" : iface_get(c->sel.iface)->name, "direction",
		names[c->sel.points], "bytes", (json_int_t)c->bytes, "max_bytes",
		(json_int_t)c->max_bytes, "over_limit", (json_int_t)c->over_limit, "write_errors",
		(json_int_t)c->write_errors);
	if (c->error)
		json_object_set_new(o, "error", json_string(strerror(c->error)));
	return o;
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
	"capture packets (rx, tx, drops with their reason) of a port or all to the pcapng file "
	"passed with the request",
	api_capture_start, API_ARGS("port", "direction", "count", "max_bytes"))
API_COMMAND(capture_stop_cmd, "capture.stop", "stop the capture and close its file",
	api_capture_stop, API_NO_ARGS)
API_COMMAND(capture_show_cmd, "capture.show", "the capture's state and packet count",
	api_capture_show, API_NO_ARGS)
