/* LD_PRELOAD shim for comparing lvsdeck's parser with the real ipvsadm on a
 * machine without IPVS: ipvsadm initialises IPVS before it parses its
 * arguments, so this pretends the sockopt interface exists (version 1.2.1)
 * and lets every later kernel call fail. Parse errors then come out as the
 * real binary prints them; valid input ends in a kernel error instead. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#define SHIM_GET_INFO 1153 /* IP_VS_BASE_CTL + 1 */

int socket(int domain, int type, int protocol)
{
	static int (*real)(int, int, int);
	if (!real)
		real = (int (*)(int, int, int))dlsym(RTLD_NEXT, "socket");
	if (domain == AF_INET && type == SOCK_RAW && protocol == IPPROTO_RAW)
		return real(AF_INET, SOCK_DGRAM, 0);
	return real(domain, type, protocol);
}

int getsockopt(int fd, int level, int name, void *val, socklen_t *len)
{
	static int (*real)(int, int, int, void *, socklen_t *);
	if (!real)
		real = (int (*)(int, int, int, void *, socklen_t *))dlsym(RTLD_NEXT, "getsockopt");
	if (level == IPPROTO_IP && name == SHIM_GET_INFO && val && len) {
		unsigned int info[3] = { (1u << 16) | (2u << 8) | 1u, 4096, 0 };
		size_t n = *len < sizeof(info) ? *len : sizeof(info);
		memcpy(val, info, n);
		return 0;
	}
	return real(fd, level, name, val, len);
}
