/* SPDX-License-Identifier: BSD-3-Clause */
#include "api/api.h"
#include "config/config.h"
#include "config/config_load.h"
#include "infra/control.h"
#include "base/fp_error.h"
#include "infra/iface.h"
#include "base/log.h"
#include "base/module.h"
#include "infra/port.h"
#include "infra/sd_notify.h"
#include "infra/settings.h"
#include "graph/worker.h"

#include <errno.h>
#include <ftw.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_version.h>

/* conf/demo.json, built in so that "fastpathd" alone starts the demo */
__asm__(".section .rodata\n"
	".global fp_demo_config\n"
	"fp_demo_config:\n"
	".incbin \"" FP_DEMO_CONFIG "\"\n"
	".byte 0\n"
	".previous\n");
extern const char fp_demo_config[];

static const char *config_path; /* NULL: the demo config */

static void usage(FILE *f)
{
	fprintf(f, "usage: fastpathd [-c FILE] [-w N] [-s SOCKET] [-- EAL ARGS...]\n"
		   "       fastpathd --check-config FILE\n"
		   "       fastpathd --dump-demo-config\n"
		   "  -c, --config FILE     configuration (default: the built-in demo)\n"
		   "  -w, --workers N       worker lcores (overrides workers.count)\n"
		   "  -s, --socket PATH     API socket (overrides api.socket)\n"
		   "      --check-config F  validate F and exit\n"
		   "      --log WHERE       auto (default), stderr, journal or syslog\n"
		   "  -V, --version         print the version of fastpathd and of its DPDK\n"
		   "  -h, --help\n"
		   "EAL arguments after -- are appended to those built from the config.\n");
}

/* The PCI addresses of the pci ports, the devices EAL may probe with eal.allow's. */
static json_t *pci_devices;

static void find_pci_devices(const struct cfg_doc *doc)
{
	json_t *port;
	size_t i;

	json_decref(pci_devices);
	pci_devices = json_array();
	json_array_foreach (json_object_get(cfg_doc_root(doc), "ports"), i, port)
		if (strcmp(json_string_value(json_object_get(port, "driver")), "pci") == 0)
			json_array_append(pci_devices, json_object_get(port, "pci"));
}

/*
 * The parsed form is all that is kept of the document: its tree, hundreds of megabytes for a
 * million routes, is released before EAL init reserves memory and the routes fill the FIB.
 */
static int load(const char *path, struct cfg_parsed **parsed)
{
	struct cfg_doc *doc;
	int ret = path ? cfg_doc_load_file(path, &doc)
		       : cfg_doc_load_string("<demo config>", fp_demo_config, &doc);

	if (ret < 0)
		return ret;
	ret = cfg_parse_doc(doc, parsed);
	if (ret == 0)
		find_pci_devices(doc);
	cfg_doc_free(doc);
	return ret;
}

/*
 * argv for rte_eal_init() from the settings, then the user's own arguments. The PCI bus is
 * scanned only for the pci ports' devices and eal.allow's (-a each): the others, the
 * management NIC among them, are never probed.
 */
static int eal_args(int extra_argc, char **extra_argv, char ***out)
{
	static char lcores[512], mem[32];
	size_t n_allow = json_array_size(pci_devices) + json_array_size(fp_settings.eal_allow);
	char **argv = calloc(32 + extra_argc + json_array_size(fp_settings.eal_args) + 2 * n_allow,
		sizeof(*argv));
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int argc = 0;
	json_t *arg;
	size_t i;

	if (argv == NULL)
		return -ENOMEM;
	argv[argc++] = "fastpathd";
	if (fp_settings.lcores[0] == '\0') {
		/* control thread on CPU 0, workers spread over the other CPUs */
		int len = snprintf(lcores, sizeof(lcores), "0@0");

		for (unsigned int w = 0; w < fp_settings.workers && len < (int)sizeof(lcores); w++)
			len += snprintf(lcores + len, sizeof(lcores) - len, ",%u@%ld", w + 1,
				ncpu > 1 ? 1 + (long)w % (ncpu - 1) : 0);
	} else {
		snprintf(lcores, sizeof(lcores), "%s", fp_settings.lcores);
	}
	argv[argc++] = "--lcores";
	argv[argc++] = lcores;
	/* no shared files: --in-memory, or with --no-huge (which it refuses) --no-shconf */
	argv[argc++] = fp_settings.huge ? "--in-memory" : "--no-shconf";
	argv[argc++] = "--file-prefix";
	argv[argc++] = fp_settings.file_prefix;
	if (n_allow == 0)
		argv[argc++] = "--no-pci";
	json_array_foreach (pci_devices, i, arg) {
		argv[argc++] = "-a";
		argv[argc++] = (char *)json_string_value(arg);
	}
	json_array_foreach (fp_settings.eal_allow, i, arg) {
		argv[argc++] = "-a";
		argv[argc++] = (char *)json_string_value(arg);
	}
	if (!fp_settings.huge)
		argv[argc++] = "--no-huge";
	if (fp_settings.memory_mb || !fp_settings.huge) {
		/* without hugepages memory is reserved at start (touched when used): a FIB for 1M
		 * routes takes about 520 MB, which 4 KB pages fit only in twice as much */
		snprintf(mem, sizeof(mem), "%u",
			fp_settings.memory_mb ? fp_settings.memory_mb : 2048);
		argv[argc++] = "-m";
		argv[argc++] = mem;
	}
	if (fp_settings.log_level[0]) {
		argv[argc++] = "--log-level";
		argv[argc++] = fp_settings.log_level;
	}
	json_array_foreach (fp_settings.eal_args, i, arg)
		argv[argc++] = (char *)json_string_value(arg);
	for (int k = 0; k < extra_argc; k++)
		argv[argc++] = extra_argv[k];
	*out = argv;
	return argc;
}

static void reload(void)
{
	json_t *changes = NULL, *c;
	size_t i;

	fp_sd_notify(
		"RELOADING=1\nSTATUS=reloading %s", config_path ? config_path : "the demo config");
	if (config_reload(&changes) < 0) {
		LOG(ERR, "reload refused, the running configuration stays: %s", fp_errmsg());
		fp_sd_notify("READY=1\nSTATUS=reload refused, the running configuration stays: %s",
			fp_errmsg());
		return;
	}
	fp_sd_notify("READY=1\nSTATUS=reloaded: %zu sections changed; %u workers, API on %s",
		json_array_size(json_object_get(changes, "changes")), fp_n_workers,
		fp_settings.api_socket);
	LOG(NOTICE, "reloaded %s: %zu sections changed",
		config_path ? config_path : "the demo config",
		json_array_size(json_object_get(changes, "changes")));
	json_array_foreach (json_object_get(changes, "changes"), i, c) {
		char *text = json_dumps(c, JSON_COMPACT | JSON_PRESERVE_ORDER);

		LOG(NOTICE, "reload: %s", text ? text : "?");
		free(text);
	}
	json_decref(changes);
}

static void on_signal(int fd, uint32_t events, void *arg)
{
	struct signalfd_siginfo si;

	(void)events;
	(void)arg;
	if (read(fd, &si, sizeof(si)) != sizeof(si))
		return;
	if (si.ssi_signo == SIGHUP) {
		reload();
		return;
	}
	LOG(INFO, "signal %d: stopping", si.ssi_signo);
	fp_sd_notify("STOPPING=1\nSTATUS=stopping on signal %d", si.ssi_signo);
	control_stop();
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void destroy_ports(void)
{
	for (unsigned int i = 0; i < FP_MAX_IFACES; i++)
		if (fp_ifaces[i] != NULL && port_conf_of(fp_ifaces[i]) != NULL)
			port_destroy(fp_ifaces[i]);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"workers", required_argument, NULL, 'w'},
		{"socket", required_argument, NULL, 's'},
		{"check-config", required_argument, NULL, 'C'},
		{"dump-demo-config", no_argument, NULL, 'D'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{"log", required_argument, NULL, 'L'},
		{0},
	};
	const char *socket_path = NULL, *check = NULL;
	enum fp_log_to log_to = FP_LOG_AUTO;
	struct cfg_parsed *parsed = NULL;
	char runtime_dir[PATH_MAX] = "";
	char **eal_argv = NULL;
	int opt, workers = 0, eal_argc, ret, sfd;
	sigset_t sigs;

	while ((opt = getopt_long(argc, argv, "c:w:s:hV", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			config_path = optarg;
			break;
		case 'w':
			workers = atoi(optarg);
			if (workers < 1 || workers > FP_MAX_WORKERS) {
				fprintf(stderr, "fastpathd: --workers takes 1 to %d\n",
					FP_MAX_WORKERS);
				return 2;
			}
			break;
		case 's':
			socket_path = optarg;
			break;
		case 'C':
			check = optarg;
			break;
		case 'L':
			if (fp_log_parse(optarg, &log_to) < 0) {
				fprintf(stderr, "fastpathd: %s\n", fp_errmsg());
				return 2;
			}
			break;
		case 'D':
			fputs(fp_demo_config, stdout);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("fastpathd %s (%s)\n", FP_VERSION, rte_version());
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (check != NULL) {
		ret = load(check, &parsed);
		if (ret < 0) {
			fprintf(stderr, "%s\n", fp_errmsg());
			return 1;
		}
		printf("%s: valid\n", check);
		cfg_parsed_free(parsed);
		json_decref(pci_devices);
		return 0;
	}
	if (load(config_path, &parsed) < 0) {
		fprintf(stderr, "fastpathd: %s\n", fp_errmsg());
		return 1;
	}
	settings_defaults(&fp_settings);
	settings_from_parsed(&fp_settings, cfg_parsed_get(parsed, "eal"),
		cfg_parsed_get(parsed, "workers"), cfg_parsed_get(parsed, "api"));
	if (workers > 0)
		fp_settings.workers = workers;
	if (socket_path != NULL)
		snprintf(fp_settings.api_socket, sizeof(fp_settings.api_socket), "%s", socket_path);

	/* signals are read from the control loop, never handled asynchronously */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (fp_log_init(log_to) < 0)
		fprintf(stderr, "fastpathd: %s: logging to stderr\n", fp_errmsg());
	eal_argc = eal_args(argc - optind, argv + optind, &eal_argv);
	if (eal_argc < 0 || rte_eal_init(eal_argc, eal_argv) < 0) {
		fprintf(stderr, "fastpathd: EAL init failed: %s\n", rte_strerror(rte_errno));
		cfg_parsed_free(parsed);
		json_decref(fp_settings.eal_args);
		json_decref(fp_settings.eal_allow);
		json_decref(pci_devices);
		free(eal_argv);
		return 1;
	}
	snprintf(runtime_dir, sizeof(runtime_dir), "%s", rte_eal_get_runtime_dir());
	config_set_startup(config_path, fp_demo_config);
	ret = control_init();
	if (ret == 0)
		ret = workers_init(fp_settings.workers, fp_settings.idle_sleep_us);
	if (ret == 0)
		ret = fp_modules_init();
	if (ret == 0)
		ret = api_server_start(fp_settings.api_socket);
	if (ret == 0 && (ret = cfg_apply(parsed)) < 0)
		fp_error_prefix(ret, "%s: ", config_path ? config_path : "demo config");
	cfg_parsed_free(parsed);
	if (ret == 0)
		ret = workers_start();
	if (ret == 0) {
		sfd = signalfd(-1, &sigs, SFD_NONBLOCK | SFD_CLOEXEC);
		ret = sfd < 0 ? fp_error(errno, "signalfd: %s", strerror(errno))
			      : control_fd_add(sfd, EPOLLIN, on_signal, NULL);
	}
	if (ret == 0) {
		LOG(INFO, "running: %u workers, API on %s", fp_n_workers, fp_settings.api_socket);
		/* the configuration is applied and the API answers: systemd may start what
		 * comes after fastpathd */
		fp_sd_notify("READY=1\nSTATUS=running: %u workers, API on %s", fp_n_workers,
			fp_settings.api_socket);
		ret = control_run();
	}
	if (ret < 0) {
		fprintf(stderr, "fastpathd: %s\n", fp_errmsg());
		fp_sd_notify("STATUS=failed: %s", fp_errmsg());
	}

	workers_stop();
	api_server_stop();
	destroy_ports();
	fp_modules_fini();
	workers_fini();
	control_fini();
	config_set_startup(NULL, NULL);
	rte_eal_cleanup();
	/* leave nothing under /var/run/dpdk */
	if (runtime_dir[0])
		nftw(runtime_dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
	json_decref(fp_settings.eal_args);
	json_decref(fp_settings.eal_allow);
	json_decref(pci_devices);
	free(eal_argv);
	return ret < 0 ? 1 : 0;
}
