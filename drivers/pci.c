/* SPDX-License-Identifier: BSD-3-Clause */
#include "driver.h"

/* A PCI NIC bound to vfio-pci or uio; driver options go in "devargs". */
PORT_DRIVER(pci, NULL, NULL, {"pci", NULL, DRIVER_STRING, true})
