/* SPDX-License-Identifier: BSD-3-Clause */
#include "bpf/fastpath_xdp.h"
#include "driver.h"
#include "drivers/af_xdp_paths.h"
#include "base/fp_error.h"
#include "base/log.h"
#include "infra/netdev.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/ethtool.h>
#include <linux/if_link.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

/*
 * A Linux netdev through AF_XDP sockets (DPDK's net_af_xdp), one per queue.
 * Our XDP program (bpf/fastpath_xdp.bpf.c) hands the socket what the graph
 * handles and leaves the rest to the kernel; the PMD attaches it at start and
 * detaches it at close. A program of ours that a killed daemon left is
 * detached at the next start (remove_stale_prog).
 */
static const struct port_driver_key af_xdp_keys[] = {
	{"iface", "iface", DRIVER_STRING, true},
	{"start_queue", "start_queue", DRIVER_UINT, false},
	{"busy_budget", "busy_budget", DRIVER_UINT, false},
	{"force_copy", "force_copy", DRIVER_BOOL, false},
	{"shared_umem", "shared_umem", DRIVER_BOOL, false},
	{"xdp_prog", "xdp_prog", DRIVER_PATH, false},
	{NULL},
};

/* A daemon run from its build tree takes the program built with it. */
static const char *default_xdp_prog(void)
{
	char exe[PATH_MAX], root[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	size_t len;

	/* both resolved: the build tree may be reached through a symbolic link */
	if (n > 0 && realpath(FP_BUILD_ROOT, root) != NULL) {
		exe[n] = '\0';
		len = strlen(root);
		if (strncmp(exe, root, len) == 0 && exe[len] == '/')
			return FP_XDP_PROG_BUILT;
	}
	return FP_XDP_PROG_INSTALLED;
}

static int af_xdp_parse(struct cfg_ctx *ctx, const json_t *obj, struct port_conf *conf)
{
	const char *iface, *prog = NULL;
	uint64_t budget;
	size_t len;
	int ret, err;

	if (json_object_get(obj, "mac") != NULL)
		return cfg_err_key(ctx, "mac", EINVAL,
			"an af_xdp port has the MAC address of its netdev: set it there "
			"(ip link set dev IFACE address MAC)");
	/* the PMD sizes both rings of a socket by rx_ring; the kernel wants powers of 2 */
	if (!rte_is_power_of_2(conf->rx_ring))
		return cfg_err_key(ctx, "rx_ring", EINVAL,
			"the rings of an af_xdp port have a power of 2 entries, not %u",
			conf->rx_ring);
	/* the PMD's own bound, checked here for an error at the key */
	ret = cfg_get_uint(ctx, obj, "busy_budget", false, 0, UINT16_MAX, &budget);
	if (ret < 0)
		return ret;
	ret = driver_devargs(ctx, obj, conf, "net_af_xdp", af_xdp_keys);
	if (ret < 0)
		return ret;
	cfg_get_string(ctx, obj, "iface", true, &iface);
	if (if_nametoindex(iface) == 0) {
		cfg_push_key(ctx, "iface");
		ret = cfg_err(ctx, ENODEV, "no network interface '%s' here", iface);
		cfg_pop(ctx);
		return ret;
	}
	ret = cfg_get_string(ctx, obj, "xdp_prog", false, &prog);
	if (ret < 0)
		return ret;
	if (ret == 0) {
		prog = default_xdp_prog();
		len = strlen(conf->devargs);
		if (snprintf(conf->devargs + len, sizeof(conf->devargs) - len, ",xdp_prog=%s",
			    prog) >= (int)(sizeof(conf->devargs) - len))
			return cfg_err(ctx, ENAMETOOLONG, "device arguments too long");
	}
	if (access(prog, R_OK) == 0)
		return 0;
	err = errno;
	if (ret == 0)
		return cfg_err(ctx, err,
			"the XDP program of af_xdp ports, %s: %s (is fastpath installed?)", prog,
			strerror(err));
	cfg_push_key(ctx, "xdp_prog");
	ret = cfg_err(ctx, err, "%s: %s", prog, strerror(err));
	cfg_pop(ctx);
	return ret;
}

/*
 * ethtool's channels as AF_XDP sees them: a socket binds a queue id that is both an RX and a TX
 * queue of the netdev, as a combined channel is. A netdev with separate RX and TX channels and no
 * combined ones (veth: numrxqueues and numtxqueues, ethtool -L rx N tx N) has min(rx, tx) such
 * queue ids: they become its combined channels, the rest stays RX-only or TX-only.
 */
static void channels_as_combined(struct ethtool_channels *ch)
{
	uint32_t both = RTE_MIN(ch->rx_count, ch->tx_count);
	uint32_t max_both = RTE_MIN(ch->max_rx, ch->max_tx);

	if (ch->max_combined != 0 || max_both == 0)
		return;
	ch->max_combined = max_both;
	ch->max_rx -= max_both;
	ch->max_tx -= max_both;
	ch->combined_count = both;
	ch->rx_count -= both;
	ch->tx_count -= both;
}

/*
 * DPDK 22.11's PMD counts the queues of its netdev by its combined channels alone
 * (xdp_get_channels_info) and refuses a queue_count above them: a veth with 2 RX and 2 TX queues
 * would have one. So fastpathd has an ioctl of its own, exported (meson.build) so that the PMD,
 * a plugin the EAL loads, binds to it before libc's: libc's (or a sanitizer's), except that an
 * ETHTOOL_GCHANNELS answer goes through channels_as_combined. Everything else in the process
 * that asks for channels (netdev_queues) sees the same.
 */
int ioctl(int fd, unsigned long request, ...)
{
	static int (*next)(int, unsigned long, ...);
	int (*real)(int, unsigned long, ...) = __atomic_load_n(&next, __ATOMIC_RELAXED);
	struct ethtool_channels *ch;
	va_list ap;
	void *arg;
	int ret;

	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (real == NULL) {
		real = (int (*)(int, unsigned long, ...))dlsym(RTLD_NEXT, "ioctl");
		__atomic_store_n(&next, real, __ATOMIC_RELAXED);
	}
	ret = real(fd, request, arg);
	if (ret == 0 && request == SIOCETHTOOL) {
		ch = (struct ethtool_channels *)((struct ifreq *)arg)->ifr_data;
		if (ch->cmd == ETHTOOL_GCHANNELS) {
			channels_as_combined(ch);
			/* the PMD tests errno for EOPNOTSUPP after a success too */
			errno = 0;
		}
	}
	return ret;
}

/*
 * The queues the PMD can bind sockets to (its own count, xdp_get_channels_info) and those the
 * netdev receives on. A netdev without channels is one stream.
 */
static int netdev_queues(const char *iface, unsigned int *count, unsigned int *rx)
{
	struct ethtool_channels channels = {.cmd = ETHTOOL_GCHANNELS};
	struct ifreq ifr = {.ifr_data = (void *)&channels};
	int ret;

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", iface);
	ret = netdev_ioctl(SIOCETHTOOL, &ifr);
	if (ret < 0 && ret != -EOPNOTSUPP)
		return fp_error(-ret, "%s: channels: %s", iface, strerror(-ret));
	*count = channels.max_combined == 0 ? 1 : channels.combined_count;
	*rx = channels.max_combined == 0 ? 1 : channels.combined_count + channels.rx_count;
	return 0;
}

/* The inodes of the sockets whose rings this process maps. */
static size_t mapped_sockets(ino_t *inodes, size_t max)
{
	FILE *maps = fopen("/proc/self/maps", "re");
	char line[512];
	size_t n = 0;

	if (maps == NULL)
		return 0;
	while (n < max && fgets(line, sizeof(line), maps) != NULL) {
		const char *sock = strstr(line, "socket:[");

		if (sock != NULL)
			inodes[n++] = strtoull(sock + strlen("socket:["), NULL, 10);
	}
	fclose(maps);
	return n;
}

/*
 * DPDK 22.11's PMD, closing a port, leaves open the file of its UMEM, which is
 * also the port's first AF_XDP socket: that socket stays bound to the netdev
 * queue, and a port created there again (a reload that changes it) fails with
 * EBUSY. A live socket has its rings mapped; the orphans have not, and go here.
 */
static void close_orphan_sockets(void)
{
	ino_t mapped[1024];
	size_t n = mapped_sockets(mapped, RTE_DIM(mapped));
	struct dirent *e;
	DIR *fds;

	/* with mappings unaccounted for, a live socket could look orphaned */
	if (n == RTE_DIM(mapped) || (fds = opendir("/proc/self/fd")) == NULL)
		return;
	while ((e = readdir(fds)) != NULL) {
		int fd = atoi(e->d_name), domain = 0;
		socklen_t len = sizeof(domain);
		struct stat st;
		bool live = false;

		if (fd <= 2 || fd == dirfd(fds) || fstat(fd, &st) < 0 || !S_ISSOCK(st.st_mode) ||
			getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) < 0 ||
			domain != AF_XDP)
			continue;
		for (size_t i = 0; i < n && !live; i++)
			live = mapped[i] == st.st_ino;
		if (!live)
			close(fd);
	}
	closedir(fds);
}

/*
 * Whether another process has the program open (this one just did, to read its name):
 * /proc/PID/fdinfo of a bpf-prog file names its id.
 */
static bool prog_held_by_another(__u32 prog_id)
{
	char path[PATH_MAX], link[32], line[64], want[32], self[16];
	struct dirent *p, *f;
	DIR *procs, *fds;
	bool held = false;

	snprintf(want, sizeof(want), "prog_id:\t%u\n", prog_id);
	snprintf(self, sizeof(self), "%d", getpid());
	if ((procs = opendir("/proc")) == NULL)
		return true; /* cannot tell: as if held */
	while (!held && (p = readdir(procs)) != NULL) {
		if (p->d_name[0] < '1' || p->d_name[0] > '9' || strcmp(p->d_name, self) == 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%s/fd", p->d_name);
		if ((fds = opendir(path)) == NULL)
			continue; /* gone meanwhile */
		while (!held && (f = readdir(fds)) != NULL) {
			ssize_t n;
			FILE *info;

			snprintf(path, sizeof(path), "/proc/%s/fd/%s", p->d_name, f->d_name);
			n = readlink(path, link, sizeof(link) - 1);
			if (n <= 0 || (size_t)n != strlen("anon_inode:bpf-prog") ||
				memcmp(link, "anon_inode:bpf-prog", n) != 0)
				continue;
			snprintf(path, sizeof(path), "/proc/%s/fdinfo/%s", p->d_name, f->d_name);
			if ((info = fopen(path, "re")) == NULL)
				continue;
			while (!held && fgets(line, sizeof(line), info) != NULL)
				held = strcmp(line, want) == 0;
			fclose(info);
		}
		closedir(fds);
	}
	closedir(procs);
	return held;
}

/*
 * The XDP program on the netdev, if any, is refused (the PMD attaches only where none is),
 * unless it is ours and no other process has it open: a live fastpathd's PMD keeps its
 * program open, so that one was left by a daemon that was killed (SIGKILL, a crash) and is
 * detached.
 * 0, or <0 with the reason.
 */
static int remove_stale_prog(const char *iface)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, query);
	LIBBPF_OPTS(bpf_xdp_attach_opts, replace);
	struct bpf_prog_info info = {0};
	unsigned int ifindex = if_nametoindex(iface);
	__u32 len = sizeof(info), mode;
	int fd, ret;

	if (bpf_xdp_query(ifindex, 0, &query) < 0 || query.prog_id == 0)
		return 0;
	if ((fd = bpf_prog_get_fd_by_id(query.prog_id)) < 0 ||
		bpf_obj_get_info_by_fd(fd, &info, &len) < 0 ||
		strcmp(info.name, FP_XDP_PROG_NAME) != 0 || prog_held_by_another(query.prog_id)) {
		if (fd >= 0)
			close(fd);
		return fp_error(EBUSY,
			"%s already has an XDP program (id %u): another fastpathd's, or not "
			"fastpath's (ip link set dev %s xdp off)",
			iface, query.prog_id, iface);
	}
	mode = query.attach_mode == XDP_ATTACHED_SKB  ? XDP_FLAGS_SKB_MODE
	       : query.attach_mode == XDP_ATTACHED_HW ? XDP_FLAGS_HW_MODE
						      : XDP_FLAGS_DRV_MODE;
	/* that program only: not one attached meanwhile */
	replace.old_prog_fd = fd;
	ret = bpf_xdp_detach(ifindex, mode | XDP_FLAGS_REPLACE, &replace);
	close(fd);
	if (ret < 0)
		return fp_error(-ret,
			"%s: cannot detach the XDP program (id %u) a killed fastpathd "
			"left: %s",
			iface, query.prog_id, strerror(-ret));
	LOG(NOTICE, "%s: detached the XDP program (id %u) a killed fastpathd left", iface,
		query.prog_id);
	return 0;
}

static int af_xdp_check_probe(const struct port_conf *conf, uint16_t queues)
{
	const char *iface = driver_netdev(conf);
	json_int_t start = json_integer_value(json_object_get(conf->driver_args, "start_queue"));
	unsigned int count = 0, rx = 0;
	int ret;

	close_orphan_sockets();
	ret = remove_stale_prog(iface);
	if (ret < 0)
		return ret;
	ret = netdev_queues(iface, &count, &rx);
	if (ret < 0)
		return ret;
	if (start + queues > count)
		return fp_error(EINVAL,
			"%s has %u queue(s) for AF_XDP, %u from queue %lld asked (one per worker, "
			"rxqs at least): run fewer workers, or give the netdev more channels "
			"(ethtool -L %s combined N; a veth: rx N tx N, up to the numrxqueues and "
			"numtxqueues it was created with)",
			iface, count, queues, (long long)start, iface);
	/* the XDP program passes them to the kernel: no socket there */
	if (start > 0 || start + queues < rx)
		LOG(WARNING,
			"port %s: %s receives on %u queue(s), the port binds %lld to %lld: what "
			"arrives on the others goes to the kernel (xdp_no_socket), unless the "
			"netdev's spread (ethtool -X; on a veth, the sender's TX queues) avoids "
			"them",
			conf->name, iface, rx, (long long)start, (long long)(start + queues - 1));
	return 0;
}

/* The counters map of the program attached to ifindex, or <0 (none, or not ours). */
static int counters_map_fd(unsigned int ifindex)
{
	struct bpf_prog_info prog_info = {0};
	__u32 map_ids[16], len = sizeof(prog_info), prog_id = 0;
	int prog_fd, map_fd = -ENOENT;

	if (bpf_xdp_query_id(ifindex, 0, &prog_id) < 0 || prog_id == 0)
		return -ENOENT;
	prog_fd = bpf_prog_get_fd_by_id(prog_id);
	if (prog_fd < 0)
		return prog_fd;
	prog_info.nr_map_ids = RTE_DIM(map_ids);
	prog_info.map_ids = (__u64)(uintptr_t)map_ids;
	if (bpf_obj_get_info_by_fd(prog_fd, &prog_info, &len) == 0) {
		for (__u32 i = 0; i < RTE_MIN(prog_info.nr_map_ids, RTE_DIM(map_ids)); i++) {
			struct bpf_map_info map_info = {0};
			__u32 map_len = sizeof(map_info);
			int fd = bpf_map_get_fd_by_id(map_ids[i]);

			if (fd < 0)
				continue;
			if (bpf_obj_get_info_by_fd(fd, &map_info, &map_len) == 0 &&
				strcmp(map_info.name, FP_XDP_COUNTERS_MAP) == 0) {
				map_fd = fd;
				break;
			}
			close(fd);
		}
	}
	close(prog_fd);
	return map_fd;
}

/* What the XDP program on the port's netdev did, summed over the CPUs. */
static void af_xdp_counters(const struct port_conf *conf, counter_cb cb, json_t *out)
{
	static const char *const fields[FP_XDP_COUNTERS] = {
		[FP_XDP_REDIRECTED] = "xdp_redirected",
		[FP_XDP_PASSED] = "xdp_passed",
		[FP_XDP_NO_SOCKET] = "xdp_no_socket",
	};
	const char *iface = driver_netdev(conf);
	int ncpus = libbpf_num_possible_cpus();
	unsigned int ifindex;
	int map_fd;

	if (iface == NULL || ncpus <= 0 || (ifindex = if_nametoindex(iface)) == 0 ||
		(map_fd = counters_map_fd(ifindex)) < 0)
		return;
	for (__u32 c = 0; c < FP_XDP_COUNTERS; c++) {
		uint64_t per_cpu[ncpus], sum = 0;

		if (bpf_map_lookup_elem(map_fd, &c, per_cpu) < 0)
			continue;
		for (int cpu = 0; cpu < ncpus; cpu++)
			sum += per_cpu[cpu];
		cb(out, "ports", conf->name, fields[c], sum);
	}
	close(map_fd);
}

static struct port_driver af_xdp_driver = {
	.name = "af_xdp",
	.keys = af_xdp_keys,
	/* the PMD has as many queues as it is told at probe, and pairs RX with TX */
	.queues_arg = "queue_count",
	.parse = af_xdp_parse,
	.check_probe = af_xdp_check_probe,
	.counters = af_xdp_counters,
	.medium_up = driver_netdev_running,
};
PORT_DRIVER_REGISTER(af_xdp_driver)
