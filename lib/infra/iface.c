/* SPDX-License-Identifier: BSD-3-Clause */
#include "iface.h"
#include "base/fp_error.h"
#include "graph/worker.h"

#include <errno.h>
#include <string.h>

#include <rte_malloc.h>

struct iface *fp_ifaces[FP_MAX_IFACES];
uint16_t fp_port_iface[RTE_MAX_ETHPORTS] = {[0 ... RTE_MAX_ETHPORTS - 1] = FP_IFACE_NONE};
static struct iface_listener *listeners;

void iface_listener_register(struct iface_listener *l)
{
	struct iface_listener **p = &listeners;

	while (*p != NULL && (*p)->order <= l->order)
		p = &(*p)->next;
	l->next = *p;
	*p = l;
}

struct iface *iface_by_name(const char *name)
{
	for (unsigned int i = 0; i < FP_MAX_IFACES; i++)
		if (fp_ifaces[i] != NULL && strcmp(fp_ifaces[i]->name, name) == 0)
			return fp_ifaces[i];
	return NULL;
}

int iface_alloc(const char *name, struct iface **out)
{
	struct iface *iface;

	if (strlen(name) == 0 || strlen(name) >= FP_IFACE_NAMESIZE)
		return fp_error(EINVAL, "interface name '%s' must have 1 to %d characters", name,
			FP_IFACE_NAMESIZE - 1);
	if (iface_by_name(name) != NULL)
		return fp_error(EEXIST, "interface '%s' exists", name);
	for (uint16_t id = 0; id < FP_MAX_IFACES; id++) {
		if (fp_ifaces[id] != NULL)
			continue;
		iface = rte_zmalloc("iface", sizeof(*iface), RTE_CACHE_LINE_SIZE);
		if (iface == NULL)
			return fp_error(ENOMEM, "interface '%s': out of memory", name);
		iface->id = id;
		iface->port_id = UINT16_MAX;
		snprintf(iface->name, sizeof(iface->name), "%s", name);
		*out = iface;
		return 0;
	}
	return fp_error(ENOSPC, "no room for interface '%s' (at most %d)", name, FP_MAX_IFACES);
}

void iface_publish(struct iface *iface)
{
	__atomic_store_n(&fp_ifaces[iface->id], iface, __ATOMIC_RELEASE);
	if (iface->port_id < RTE_MAX_ETHPORTS)
		__atomic_store_n(&fp_port_iface[iface->port_id], iface->id, __ATOMIC_RELEASE);
	for (struct iface_listener *l = listeners; l != NULL; l = l->next)
		if (l->added != NULL)
			l->added(iface);
}

void iface_link_changed(struct iface *iface)
{
	for (struct iface_listener *l = listeners; l != NULL; l = l->next)
		if (l->link_changed != NULL)
			l->link_changed(iface);
}

void iface_admin_changed(struct iface *iface)
{
	for (struct iface_listener *l = listeners; l != NULL; l = l->next)
		if (l->admin_changed != NULL)
			l->admin_changed(iface);
}

void iface_mtu_changed(struct iface *iface)
{
	for (struct iface_listener *l = listeners; l != NULL; l = l->next)
		if (l->mtu_changed != NULL)
			l->mtu_changed(iface);
}

void iface_free(struct iface *iface)
{
	if (iface == NULL)
		return;
	for (struct iface_listener *l = listeners; l != NULL; l = l->next)
		if (l->removing != NULL)
			l->removing(iface);
	if (fp_ifaces[iface->id] == iface)
		__atomic_store_n(&fp_ifaces[iface->id], NULL, __ATOMIC_RELEASE);
	if (iface->port_id < RTE_MAX_ETHPORTS)
		__atomic_store_n(&fp_port_iface[iface->port_id], FP_IFACE_NONE, __ATOMIC_RELEASE);
	fp_rcu_synchronize();
	rte_free(iface);
}
