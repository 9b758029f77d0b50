//! The Linux system calls the platform makes that std does not wrap: TAP
//! devices, AF_PACKET sockets, interface ioctls, signals, the monotonic
//! clock. The only module of the crate where `unsafe` is allowed; every
//! function here is safe to call, and every block says why it is sound.
#![allow(unsafe_code)]

use std::fs::{File, OpenOptions};
use std::io;
use std::mem::{size_of, zeroed};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::fs::OpenOptionsExt;
use std::sync::atomic::{AtomicBool, Ordering};

/// The longest interface name Linux accepts (`IFNAMSIZ` less the NUL).
pub const IFNAME_MAX: usize = libc::IFNAMSIZ - 1;

/// `-1` → the OS error, anything else → the value.
fn check(r: libc::c_int) -> io::Result<libc::c_int> {
    if r < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(r)
    }
}

/// An `ifreq` naming interface `name`, the rest zero.
fn ifreq(name: &str) -> io::Result<libc::ifreq> {
    if name.is_empty() || name.len() > IFNAME_MAX || name.contains('\0') {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("bad interface name {name:?} (1 to {IFNAME_MAX} bytes)"),
        ));
    }
    // SAFETY: `ifreq` is plain old data (a name array and a union of
    // integers, sockaddrs and a pointer); all-zero bytes are a valid value.
    let mut ifr: libc::ifreq = unsafe { zeroed() };
    for (d, s) in ifr.ifr_name.iter_mut().zip(name.bytes()) {
        *d = s as libc::c_char;
    }
    Ok(ifr)
}

/// A datagram socket to make interface ioctls on, in the calling thread's
/// network namespace.
fn ioctl_socket() -> io::Result<OwnedFd> {
    // SAFETY: socket(2) takes no pointers.
    let fd =
        check(unsafe { libc::socket(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0) })?;
    // SAFETY: `fd` is a new descriptor that nothing else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// Makes interface ioctl `request` with `ifr` on `fd`.
fn if_ioctl(fd: &OwnedFd, request: libc::c_ulong, ifr: &mut libc::ifreq) -> io::Result<()> {
    // SAFETY: every request passed here (SIOCGIFINDEX, SIOCGIFHWADDR,
    // SIOCGIFFLAGS, SIOCSIFFLAGS, SIOCETHTOOL) reads and writes at most one
    // `ifreq`, which `ifr` is, and, for SIOCETHTOOL, the buffer its
    // `ifru_data` points to, which the caller keeps alive.
    check(unsafe { libc::ioctl(fd.as_raw_fd(), request as _, ifr as *mut libc::ifreq) })?;
    Ok(())
}

/// The index of interface `name`; `ENODEV` when there is none.
pub fn if_index(name: &str) -> io::Result<i32> {
    let mut ifr = ifreq(name)?;
    if_ioctl(&ioctl_socket()?, libc::SIOCGIFINDEX, &mut ifr)?;
    // SAFETY: SIOCGIFINDEX filled in the `ifru_ifindex` member.
    Ok(unsafe { ifr.ifr_ifru.ifru_ifindex })
}

/// The Ethernet address of interface `name`.
pub fn if_hwaddr(name: &str) -> io::Result<[u8; 6]> {
    let mut ifr = ifreq(name)?;
    if_ioctl(&ioctl_socket()?, libc::SIOCGIFHWADDR, &mut ifr)?;
    // SAFETY: SIOCGIFHWADDR filled in the `ifru_hwaddr` member.
    let sa = unsafe { ifr.ifr_ifru.ifru_hwaddr };
    let mut mac = [0u8; 6];
    for (m, b) in mac.iter_mut().zip(sa.sa_data.iter()) {
        *m = *b as u8;
    }
    Ok(mac)
}

/// Sets interface `name` up, if it is not.
pub fn if_up(name: &str) -> io::Result<()> {
    let fd = ioctl_socket()?;
    let mut ifr = ifreq(name)?;
    if_ioctl(&fd, libc::SIOCGIFFLAGS, &mut ifr)?;
    // SAFETY: SIOCGIFFLAGS filled in the `ifru_flags` member.
    let flags = unsafe { ifr.ifr_ifru.ifru_flags };
    if flags & libc::IFF_UP as libc::c_short != 0 {
        return Ok(());
    }
    ifr.ifr_ifru.ifru_flags = flags | libc::IFF_UP as libc::c_short;
    if_ioctl(&fd, libc::SIOCSIFFLAGS, &mut ifr)
}

/// `struct ethtool_drvinfo` from `<linux/ethtool.h>`.
#[repr(C)]
struct EthtoolDrvinfo {
    cmd: u32,
    driver: [u8; 32],
    version: [u8; 32],
    fw_version: [u8; 32],
    bus_info: [u8; 32],
    erom_version: [u8; 32],
    reserved2: [u8; 12],
    n_priv_flags: u32,
    n_stats: u32,
    testinfo_len: u32,
    eedump_len: u32,
    regdump_len: u32,
}

/// `ETHTOOL_GDRVINFO`.
const ETHTOOL_GDRVINFO: u32 = 3;

/// The name of the driver behind interface `name` (`tun` for TUN/TAP
/// devices, `veth`, `e1000e`, …).
pub fn if_driver(name: &str) -> io::Result<String> {
    let mut info = EthtoolDrvinfo {
        cmd: ETHTOOL_GDRVINFO,
        driver: [0; 32],
        version: [0; 32],
        fw_version: [0; 32],
        bus_info: [0; 32],
        erom_version: [0; 32],
        reserved2: [0; 12],
        n_priv_flags: 0,
        n_stats: 0,
        testinfo_len: 0,
        eedump_len: 0,
        regdump_len: 0,
    };
    let mut ifr = ifreq(name)?;
    ifr.ifr_ifru.ifru_data = (&mut info as *mut EthtoolDrvinfo).cast();
    if_ioctl(&ioctl_socket()?, libc::SIOCETHTOOL, &mut ifr)?;
    let end = info.driver.iter().position(|&b| b == 0).unwrap_or(32);
    Ok(String::from_utf8_lossy(&info.driver[..end]).into_owned())
}

/// Attaches to TAP device `name`, creating it when it does not exist, as a
/// non-blocking file without packet information headers (`IFF_TAP |
/// IFF_NO_PI`). A device created this way disappears when the file closes.
pub fn tap_open(name: &str) -> io::Result<File> {
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(libc::O_NONBLOCK)
        .open("/dev/net/tun")?;
    let mut ifr = ifreq(name)?;
    ifr.ifr_ifru.ifru_flags = (libc::IFF_TAP | libc::IFF_NO_PI) as libc::c_short;
    // SAFETY: TUNSETIFF reads and writes one `ifreq`, which `ifr` is.
    check(unsafe {
        libc::ioctl(
            file.as_raw_fd(),
            libc::TUNSETIFF as _,
            &mut ifr as *mut libc::ifreq,
        )
    })?;
    Ok(file)
}

/// An AF_PACKET socket bound to interface `ifindex`, receiving every
/// protocol, non-blocking, that does not see the frames it sends itself.
pub fn packet_socket(ifindex: i32) -> io::Result<OwnedFd> {
    // Protocol 0 receives nothing until the socket is bound, so that no
    // frame of another interface slips in between socket() and bind().
    // SAFETY: socket(2) takes no pointers.
    let fd = check(unsafe {
        libc::socket(
            libc::AF_PACKET,
            libc::SOCK_RAW | libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC,
            0,
        )
    })?;
    // SAFETY: `fd` is a new descriptor that nothing else owns.
    let fd = unsafe { OwnedFd::from_raw_fd(fd) };
    // SAFETY: `sockaddr_ll` is plain old data; zero is a valid value.
    let mut sll: libc::sockaddr_ll = unsafe { zeroed() };
    sll.sll_family = libc::AF_PACKET as u16;
    sll.sll_protocol = (libc::ETH_P_ALL as u16).to_be();
    sll.sll_ifindex = ifindex;
    // SAFETY: `sll` is a `sockaddr_ll` of the length given, alive for the call.
    check(unsafe {
        libc::bind(
            fd.as_raw_fd(),
            (&sll as *const libc::sockaddr_ll).cast(),
            size_of::<libc::sockaddr_ll>() as libc::socklen_t,
        )
    })?;
    // Older kernels (before 4.20) lack the option; `recv_packet` also skips
    // outgoing frames, so its failure is harmless.
    let one: libc::c_int = 1;
    // SAFETY: the option value is one `c_int`, alive for the call.
    unsafe {
        libc::setsockopt(
            fd.as_raw_fd(),
            libc::SOL_PACKET,
            libc::PACKET_IGNORE_OUTGOING,
            (&one as *const libc::c_int).cast(),
            size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    Ok(fd)
}

/// Puts interface `ifindex` in promiscuous mode for as long as packet
/// socket `fd` is open.
pub fn packet_promisc(fd: &OwnedFd, ifindex: i32) -> io::Result<()> {
    // SAFETY: `packet_mreq` is plain old data; zero is a valid value.
    let mut mreq: libc::packet_mreq = unsafe { zeroed() };
    mreq.mr_ifindex = ifindex;
    mreq.mr_type = libc::PACKET_MR_PROMISC as u16;
    // SAFETY: the option value is one `packet_mreq`, alive for the call.
    check(unsafe {
        libc::setsockopt(
            fd.as_raw_fd(),
            libc::SOL_PACKET,
            libc::PACKET_ADD_MEMBERSHIP,
            (&mreq as *const libc::packet_mreq).cast(),
            size_of::<libc::packet_mreq>() as libc::socklen_t,
        )
    })?;
    Ok(())
}

/// Asks for a receive buffer of `bytes` on socket `fd` (the kernel caps
/// the request at `net.core.rmem_max`); returns the size it took, as
/// `SO_RCVBUF` reads it (twice the request: the kernel counts its own
/// bookkeeping).
pub fn set_recv_buffer(fd: &impl AsRawFd, bytes: usize) -> io::Result<usize> {
    let want = libc::c_int::try_from(bytes).unwrap_or(libc::c_int::MAX);
    // SAFETY: the option value is one `c_int`, alive for the call.
    check(unsafe {
        libc::setsockopt(
            fd.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_RCVBUF,
            (&want as *const libc::c_int).cast(),
            size_of::<libc::c_int>() as libc::socklen_t,
        )
    })?;
    let mut got: libc::c_int = 0;
    let mut len = size_of::<libc::c_int>() as libc::socklen_t;
    // SAFETY: `got` and `len` are writable and `len` says `got`'s size.
    check(unsafe {
        libc::getsockopt(
            fd.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_RCVBUF,
            (&mut got as *mut libc::c_int).cast(),
            &mut len,
        )
    })?;
    Ok(got.max(0) as usize)
}

/// Receives one frame from packet socket `fd` into `buf`: `Ok(Some(len))`
/// with the frame's full length (larger than `buf` when it was cut),
/// `Ok(None)` when no frame is waiting. Frames this host sent are skipped.
pub fn recv_packet(fd: &OwnedFd, buf: &mut [u8]) -> io::Result<Option<usize>> {
    loop {
        // SAFETY: `sockaddr_ll` is plain old data; zero is a valid value.
        let mut sll: libc::sockaddr_ll = unsafe { zeroed() };
        let mut sll_len = size_of::<libc::sockaddr_ll>() as libc::socklen_t;
        // SAFETY: `buf` is writable for `buf.len()` bytes and `sll` for
        // `sll_len`, both alive for the call.
        let n = unsafe {
            libc::recvfrom(
                fd.as_raw_fd(),
                buf.as_mut_ptr().cast(),
                buf.len(),
                libc::MSG_TRUNC | libc::MSG_DONTWAIT,
                (&mut sll as *mut libc::sockaddr_ll).cast(),
                &mut sll_len,
            )
        };
        if n < 0 {
            let e = io::Error::last_os_error();
            return match e.kind() {
                io::ErrorKind::WouldBlock => Ok(None),
                io::ErrorKind::Interrupted => continue,
                _ => Err(e),
            };
        }
        if sll.sll_pkttype != libc::PACKET_OUTGOING {
            return Ok(Some(n as usize));
        }
    }
}

/// Sends one frame on packet socket `fd`: `Ok(true)` when sent,
/// `Ok(false)` when the socket's queue is full.
pub fn send_packet(fd: &OwnedFd, frame: &[u8]) -> io::Result<bool> {
    loop {
        // SAFETY: `frame` is readable for `frame.len()` bytes during the call.
        let n = unsafe {
            libc::send(
                fd.as_raw_fd(),
                frame.as_ptr().cast(),
                frame.len(),
                libc::MSG_DONTWAIT,
            )
        };
        if n >= 0 {
            return Ok(true);
        }
        let e = io::Error::last_os_error();
        match (e.kind(), e.raw_os_error()) {
            (io::ErrorKind::Interrupted, _) => continue,
            (io::ErrorKind::WouldBlock, _) => return Ok(false),
            (_, Some(libc::ENOBUFS)) => return Ok(false),
            _ => return Err(e),
        }
    }
}

/// Set by the first SIGINT or SIGTERM.
static STOP: AtomicBool = AtomicBool::new(false);

extern "C" fn on_stop_signal(_signal: libc::c_int) {
    if STOP.swap(true, Ordering::Relaxed) {
        // A second signal while stopping: leave at once.
        // SAFETY: _exit(2) is async-signal-safe.
        unsafe { libc::_exit(130) };
    }
}

/// Makes SIGINT and SIGTERM set the flag [`stop_requested`] reads (a
/// second one ends the process at once, with status 130).
pub fn catch_stop_signals() -> io::Result<()> {
    for signal in [libc::SIGINT, libc::SIGTERM] {
        // SAFETY: `sigaction` is plain old data; zero is a valid value.
        let mut sa: libc::sigaction = unsafe { zeroed() };
        sa.sa_sigaction = on_stop_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
        sa.sa_flags = libc::SA_RESTART;
        // SAFETY: `sa` is a valid sigaction whose handler only touches an
        // atomic and calls _exit, both async-signal-safe; a null old-action
        // pointer is allowed.
        check(unsafe { libc::sigaction(signal, &sa, std::ptr::null_mut()) })?;
    }
    Ok(())
}

/// True once SIGINT or SIGTERM arrived (after [`catch_stop_signals`]).
pub fn stop_requested() -> bool {
    STOP.load(Ordering::Relaxed)
}

/// Makes `command`'s process a child that the terminal's Ctrl-C does not
/// reach (a process group of its own), so that its parent decides how it
/// stops, and that gets SIGTERM when its parent dies, so that it never
/// outlives it.
pub fn supervised(command: &mut std::process::Command) {
    use std::os::unix::process::CommandExt;
    command.process_group(0);
    // SAFETY: the closure runs in the child between fork and exec and only
    // calls prctl(2), which is async-signal-safe.
    unsafe {
        command.pre_exec(|| {
            check(libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM))?;
            Ok(())
        });
    }
}

/// 64 random bits from the kernel (getrandom(2), which blocks only
/// until the kernel's pool is first seeded, early in boot).
pub fn random_u64() -> io::Result<u64> {
    let mut v = [0u8; 8];
    let mut got = 0;
    while got < v.len() {
        // SAFETY: the pointer and length describe the unfilled part of `v`.
        let n = unsafe { libc::getrandom(v[got..].as_mut_ptr().cast(), v.len() - got, 0) };
        if n < 0 {
            let e = io::Error::last_os_error();
            if e.kind() != io::ErrorKind::Interrupted {
                return Err(e);
            }
            continue;
        }
        got += n as usize;
    }
    Ok(u64::from_ne_bytes(v))
}

/// CLOCK_MONOTONIC, in nanoseconds.
pub fn monotonic_ns() -> u64 {
    // SAFETY: `timespec` is plain old data; zero is a valid value.
    let mut ts: libc::timespec = unsafe { zeroed() };
    // SAFETY: `ts` is a writable timespec; CLOCK_MONOTONIC always exists,
    // so the call cannot fail.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}
