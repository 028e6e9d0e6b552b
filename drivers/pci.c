/* SPDX-License-Identifier: BSD-3-Clause */
#include "driver.h"

#include "config/config.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_pci.h>

/* A PCI NIC bound to vfio-pci or uio; driver options go in "devargs". */
static const struct port_driver_key pci_keys[] = {{"pci", NULL, DRIVER_STRING, true}, {NULL}};

/*
 * Kernel drivers DPDK drives a device through: the userspace I/O ones, and Mellanox's, whose
 * PMDs share the NIC with the kernel (bifurcated).
 */
static bool dpdk_can_drive(const char *kdrv)
{
	static const char *const ok[] = {
		"vfio-pci", "uio_pci_generic", "igb_uio", "mlx4_core", "mlx5_core", NULL};

	for (const char *const *k = ok; *k != NULL; k++)
		if (strcmp(kdrv, *k) == 0)
			return true;
	return false;
}

/*
 * Checked when the config is read, before EAL init: DPDK never sees a device that the kernel
 * drives (the management NIC), and the error says how to hand one over.
 */
static int pci_check_device(struct cfg_ctx *ctx, const char *addr)
{
	char path[PATH_MAX], link[PATH_MAX];
	const char *kdrv = NULL;
	struct rte_pci_addr pa;
	struct stat st;
	ssize_t n;
	int ret;

	cfg_push_key(ctx, "pci");
	if (rte_pci_addr_parse(addr, &pa) < 0) {
		ret = cfg_err(
			ctx, EINVAL, "'%s' is not a PCI address (DDDD:BB:DD.F, as lspci -D)", addr);
		goto out;
	}
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s", addr);
	if (stat(path, &st) < 0) {
		ret = cfg_err(ctx, ENODEV, "no PCI device %s here (lspci -D lists them)", addr);
		goto out;
	}
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver", addr);
	n = readlink(path, link, sizeof(link) - 1);
	if (n > 0) {
		link[n] = '\0';
		kdrv = strrchr(link, '/') ? strrchr(link, '/') + 1 : link;
	}
	if (kdrv == NULL || !dpdk_can_drive(kdrv)) {
		ret = cfg_err(ctx, EBUSY,
			"PCI device %s is bound to %s%s%s, not to a driver DPDK can use: "
			"dpdk-devbind.py --bind=vfio-pci %s (docs/real-nics.md)",
			addr, kdrv ? "the kernel's driver '" : "no driver", kdrv ? kdrv : "",
			kdrv ? "'" : "", addr);
		goto out;
	}
	ret = 0;
out:
	cfg_pop(ctx);
	return ret;
}

static int pci_parse(struct cfg_ctx *ctx, const json_t *obj, struct port_conf *conf)
{
	int ret = driver_devargs(ctx, obj, conf, NULL, pci_keys);

	if (ret < 0)
		return ret;
	return pci_check_device(ctx, json_string_value(json_object_get(obj, "pci")));
}

static struct port_driver pci_driver = {
	.name = "pci",
	.keys = pci_keys,
	.parse = pci_parse,
};
PORT_DRIVER_REGISTER(pci_driver)
