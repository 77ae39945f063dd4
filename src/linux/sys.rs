//! The C library's one-off calls, each behind a safe function: the process's ids, the
//! allocator, the terminal's size, a file lock, reverse name lookups, and registering an
//! owned socket with tokio. The rest of the crate denies `unsafe`; this file and the
//! socket code beside it are where it is allowed, each block with its reason.

use std::ffi::{CStr, CString};
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::os::fd::AsRawFd;
use std::sync::Mutex;

use tokio::io::unix::AsyncFd;

/// The real user id (for "who made the change" when no login name is set).
pub fn uid() -> u32 {
    // SAFETY: getuid cannot fail and touches no memory.
    unsafe { libc::getuid() }
}

/// The effective user id.
pub fn euid() -> u32 {
    // SAFETY: geteuid cannot fail and touches no memory.
    unsafe { libc::geteuid() }
}

/// The effective group id.
pub fn egid() -> u32 {
    // SAFETY: getegid cannot fail and touches no memory.
    unsafe { libc::getegid() }
}

/// Hands the allocator's freed pages back to the kernel. glibc keeps freed heap memory, so
/// without this a large director's console stays at its peak (two tables at once).
pub fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free memory of the allocator's own arenas.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// The size of the terminal on standard output, `(rows, columns)`.
pub fn terminal_size() -> Option<(u16, u16)> {
    // SAFETY: winsize is plain old data; all-zero is valid.
    let mut ws: libc::winsize = unsafe { std::mem::zeroed() };
    // SAFETY: TIOCGWINSZ fills a winsize we own; failure leaves it zeroed.
    let r = unsafe { libc::ioctl(libc::STDOUT_FILENO, libc::TIOCGWINSZ, &mut ws) };
    (r == 0 && ws.ws_row > 0).then_some((ws.ws_row, ws.ws_col))
}

/// Takes an exclusive `flock` on `file`, waiting for it; released when the file closes.
pub fn lock_exclusive(file: &std::fs::File) -> io::Result<()> {
    // SAFETY: flock on a descriptor the caller's file owns for the duration of the call.
    if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Registers a socket2 socket with tokio's reactor.
pub fn async_socket(sock: socket2::Socket) -> io::Result<AsyncFd<socket2::Socket>> {
    // SAFETY: the socket2 `Socket` owns its descriptor and keeps it open, unchanged, for as
    // long as the `AsyncFd` holds it.
    unsafe { AsyncFd::register(sock) }.map_err(|e| e.into_parts().1)
}

/// Registers neli's netlink socket with tokio's reactor.
pub fn async_netlink(sock: neli::socket::NlSocket) -> io::Result<AsyncFd<neli::socket::NlSocket>> {
    // SAFETY: the socket owns its descriptor for its whole life (it closes it on drop,
    // inside the AsyncFd) and `as_raw_fd` always returns that same descriptor.
    unsafe { AsyncFd::register(sock) }.map_err(|e| e.into_parts().1)
}

/// The host name of an address (`getnameinfo` with NI_NAMEREQD: /etc/hosts, then DNS).
pub fn host_name(addr: &IpAddr) -> Option<String> {
    let sock = raw_sockaddr(&SocketAddr::new(*addr, 0));
    let mut host = [0 as libc::c_char; 1025];
    // SAFETY: `sock` is a valid sockaddr of the given length and `host` a writable buffer
    // of the given length; getnameinfo writes a NUL-terminated string into it.
    let rc = unsafe {
        libc::getnameinfo(
            (&sock.storage as *const libc::sockaddr_storage).cast(),
            sock.len,
            host.as_mut_ptr(),
            host.len() as libc::socklen_t,
            std::ptr::null_mut(),
            0,
            libc::NI_NAMEREQD,
        )
    };
    if rc != 0 {
        return None;
    }
    // SAFETY: on success getnameinfo NUL-terminated `host`.
    let name = unsafe { CStr::from_ptr(host.as_ptr()) };
    Some(name.to_string_lossy().into_owned())
}

/// `getservbyport` returns a static buffer; one caller at a time.
static SERVENT_LOCK: Mutex<()> = Mutex::new(());

/// The service name of a port for a protocol (`tcp`, `udp`, `sctp`) from /etc/services.
pub fn service_name(port: u16, protocol: &str) -> Option<String> {
    let proto = CString::new(protocol).ok()?;
    let _guard = SERVENT_LOCK.lock().ok()?;
    // SAFETY: `proto` is NUL-terminated; the returned entry is read before the lock drops.
    unsafe {
        let ent = libc::getservbyport(libc::c_int::from(port.to_be()), proto.as_ptr());
        if ent.is_null() || (*ent).s_name.is_null() {
            return None;
        }
        Some(CStr::from_ptr((*ent).s_name).to_string_lossy().into_owned())
    }
}

/// A `sockaddr_in`/`sockaddr_in6` in a buffer, for getnameinfo.
struct RawSockaddr {
    storage: libc::sockaddr_storage,
    len: libc::socklen_t,
}

fn raw_sockaddr(addr: &SocketAddr) -> RawSockaddr {
    // SAFETY: sockaddr_storage is plain data; all-zero is a valid value.
    let mut storage: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
    let len = match addr {
        SocketAddr::V4(a) => {
            let sin = libc::sockaddr_in {
                sin_family: libc::AF_INET as libc::sa_family_t,
                sin_port: a.port().to_be(),
                sin_addr: libc::in_addr {
                    s_addr: u32::from(*a.ip()).to_be(),
                },
                sin_zero: [0; 8],
            };
            // SAFETY: sockaddr_storage is large and aligned enough for any sockaddr.
            unsafe { std::ptr::write((&mut storage as *mut libc::sockaddr_storage).cast(), sin) };
            std::mem::size_of::<libc::sockaddr_in>()
        }
        SocketAddr::V6(a) => {
            let sin6 = libc::sockaddr_in6 {
                sin6_family: libc::AF_INET6 as libc::sa_family_t,
                sin6_port: a.port().to_be(),
                sin6_flowinfo: 0,
                sin6_addr: libc::in6_addr {
                    s6_addr: a.ip().octets(),
                },
                sin6_scope_id: 0,
            };
            // SAFETY: as above.
            unsafe { std::ptr::write((&mut storage as *mut libc::sockaddr_storage).cast(), sin6) };
            std::mem::size_of::<libc::sockaddr_in6>()
        }
    };
    RawSockaddr {
        storage,
        len: len as libc::socklen_t,
    }
}
