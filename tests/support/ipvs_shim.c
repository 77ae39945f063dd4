/* LD_PRELOAD shim for comparing lvsdeck's parser with the real ipvsadm.
 *
 * ipvsadm initialises IPVS before it parses its arguments, so on a machine without
 * IPVS it never gets to its parse errors. This shim pretends the old sockopt interface
 * exists (IPVS 1.2.1) and cuts ipvsadm off from the kernel's IPVS entirely: generic
 * netlink sockets cannot be opened and every other IPVS sockopt fails with
 * ENOPROTOOPT. Parse errors then come out exactly as the real binary prints them,
 * valid input ends in a kernel error, and no IPVS table is ever touched, even on a
 * director with ip_vs loaded. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#define SHIM_IPVS_BASE 1152 /* IP_VS_BASE_CTL */
#define SHIM_GET_INFO (SHIM_IPVS_BASE + 1)
#define SHIM_IPVS_LAST (SHIM_IPVS_BASE + 64)
#define SHIM_NETLINK_GENERIC 16

static int is_ipvs(int level, int name)
{
	return level == IPPROTO_IP && name >= SHIM_IPVS_BASE && name < SHIM_IPVS_LAST;
}

int socket(int domain, int type, int protocol)
{
	static int (*real)(int, int, int);
	if (!real)
		real = (int (*)(int, int, int))dlsym(RTLD_NEXT, "socket");
	if (domain == AF_NETLINK && protocol == SHIM_NETLINK_GENERIC) {
		errno = EAFNOSUPPORT;
		return -1;
	}
	if (domain == AF_INET && (type & 0xf) == SOCK_RAW && protocol == IPPROTO_RAW)
		return real(AF_INET, SOCK_DGRAM, 0);
	return real(domain, type, protocol);
}

int getsockopt(int fd, int level, int name, void *val, socklen_t *len)
{
	static int (*real)(int, int, int, void *, socklen_t *);
	if (!real)
		real = (int (*)(int, int, int, void *, socklen_t *))dlsym(RTLD_NEXT, "getsockopt");
	if (is_ipvs(level, name)) {
		unsigned int info[3] = { (1u << 16) | (2u << 8) | 1u, 4096, 0 };
		if (name != SHIM_GET_INFO || !val || !len) {
			errno = ENOPROTOOPT;
			return -1;
		}
		memcpy(val, info, *len < sizeof(info) ? *len : sizeof(info));
		return 0;
	}
	return real(fd, level, name, val, len);
}

int setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
	static int (*real)(int, int, int, const void *, socklen_t);
	if (!real)
		real = (int (*)(int, int, int, const void *, socklen_t))dlsym(RTLD_NEXT, "setsockopt");
	if (is_ipvs(level, name)) {
		errno = ENOPROTOOPT;
		return -1;
	}
	return real(fd, level, name, val, len);
}
