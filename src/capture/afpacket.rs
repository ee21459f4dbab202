//! Linux `AF_PACKET` capture: a raw packet socket bound to one interface, with a classic
//! BPF program ([`FILTER`]) that lets through only what [`crate::wire::is_candidate`]
//! accepts, so the kernel turns the rest of the LAN's traffic away before it is copied.
//!
//! Opening, in order: the interface is looked up (index, IFF_UP, Ethernet) with `ioctl`s
//! on an unprivileged socket; the packet socket is created with protocol 0, which the
//! kernel does not hook to any interface, so no frame can be queued before the filter is
//! in place (and there is nothing to drain); the filter is attached; our own outgoing
//! frames are left out (`PACKET_IGNORE_OUTGOING`, Linux 4.20, else by the packet type
//! each frame comes with); a 4 MiB receive buffer; receive timestamps (`SO_TIMESTAMP`)
//! and `PACKET_AUXDATA` (original length, the VLAN tag the kernel took off); only then
//! `bind` to `ETH_P_ALL` on the interface; `PACKET_MR_ALLMULTI`, so that DHCPv6 Solicits
//! to ff02::1:2 reach us even when the NIC filters multicast. The socket is non-blocking
//! and driven by tokio's `AsyncFd`. `PACKET_STATISTICS` gives the kernel's counters.
//!
//! VLAN tags: on receive the kernel takes the outer 802.1Q/802.1ad tag off before packet
//! sockets see the frame (it goes to the auxiliary data), so the filter sees the frame as
//! if untagged and inner tags (Q-in-Q, 0x9100) in the data; the tag is put back into the
//! frame handed over, as tcpdump does.
//!
//! This is the only module of the crate with `unsafe` code (the crate root denies it and
//! this module allows it): the system calls socket2 has no safe wrapper for (`bind` to a
//! `sockaddr_ll`, `recvmsg` with control messages, `getsockopt(PACKET_STATISTICS)`,
//! `setsockopt` with packet options, the interface `ioctl`s) and registering the socket
//! with tokio (`AsyncFd::register_with_interest`). Each block says why it is sound.
#![allow(unsafe_code)]
#![warn(clippy::undocumented_unsafe_blocks)]

use super::live::{CaptureError, CaptureStats, FrameSource, Received, RecvFuture, now_micros};
use libc::{c_int, sock_filter};
use socket2::{Domain, SockFilter, Socket, Type};
use std::io;
use std::mem::size_of;
use std::os::fd::{AsRawFd, RawFd};
use tokio::io::Interest;
use tokio::io::unix::AsyncFd;

/// The receive buffer asked for. The kernel doubles it for bookkeeping; without
/// CAP_NET_ADMIN it is capped at `net.core.rmem_max`.
pub const RECEIVE_BUFFER: usize = 4 << 20;

/// A boolean socket option's "on".
const ON: c_int = 1;

/// Room kept at the start of the buffer to put back one VLAN tag.
const VLAN_ROOM: usize = 4;

/// Classic BPF opcodes (`linux/filter.h`), as the `code` of a [`sock_filter`].
mod op {
    use libc::{
        BPF_ALU, BPF_B, BPF_H, BPF_IMM, BPF_IND, BPF_JEQ, BPF_JGE, BPF_JGT, BPF_JMP, BPF_K, BPF_LD,
        BPF_LDX, BPF_LEN, BPF_MEM, BPF_RET, BPF_ST, BPF_SUB, BPF_W, BPF_X,
    };
    /// `A = len` (the frame length).
    pub const LD_LEN: u16 = (BPF_LD | BPF_W | BPF_LEN) as u16;
    /// `A = M[k]`.
    pub const LD_MEM: u16 = (BPF_LD | BPF_MEM) as u16;
    /// `A = be16 at [X + k]`.
    pub const LDH_IND: u16 = (BPF_LD | BPF_H | BPF_IND) as u16;
    /// `A = byte at [X + k]`.
    pub const LDB_IND: u16 = (BPF_LD | BPF_B | BPF_IND) as u16;
    /// `X = k`.
    pub const LDX_IMM: u16 = (BPF_LDX | BPF_W | BPF_IMM) as u16;
    /// `M[k] = A`.
    pub const ST: u16 = BPF_ST as u16;
    /// `A -= X`.
    pub const SUB_X: u16 = (BPF_ALU | BPF_SUB | BPF_X) as u16;
    /// `pc += (A == k) ? jt : jf`.
    pub const JEQ: u16 = (BPF_JMP | BPF_JEQ | BPF_K) as u16;
    /// `pc += (A >= k) ? jt : jf`.
    pub const JGE: u16 = (BPF_JMP | BPF_JGE | BPF_K) as u16;
    /// `pc += (A > k) ? jt : jf`.
    pub const JGT: u16 = (BPF_JMP | BPF_JGT | BPF_K) as u16;
    /// `return k` (bytes of the frame to keep; 0 drops it).
    pub const RET: u16 = (BPF_RET | BPF_K) as u16;
}

const fn insn(code: u16, jt: u8, jf: u8, k: u32) -> sock_filter {
    sock_filter { code, jt, jf, k }
}

/// What the filter returns for a frame it accepts: the bytes to keep, i.e. all of it
/// (libpcap's largest snapshot length).
const ACCEPT: u32 = 262_144;

/// The kernel filter: the twin of [`crate::wire::is_candidate`], instruction for
/// instruction. It passes an Ethernet frame that carries IPv6 (after at most
/// [`crate::wire::ethernet::MAX_TAGS`] 802.1Q / 802.1ad / 0x9100 tags) whose first next
/// header is ICMPv6 of type 133 to 137 (RS, RA, NS, NA, Redirect), UDP from or to port
/// 546 or 547 (DHCPv6), or an extension header (Hop-by-Hop 0, Routing 43, Fragment 44,
/// Destination Options 60), which may hide either (RA-Guard evasion, RFC 7113), or an IPv6
/// packet inside (IPv6-in-IPv6, 41), which may carry an RA past RA-Guard. An IPv6 frame
/// too short to tell is passed, so that the dissector reports it.
///
/// `X` holds the bytes of VLAN tags crossed, so the IPv6 part reads `[X + offset]`;
/// `M[0]` the frame length less those bytes. A jump offset is the number of instructions
/// skipped; `ACC` is instruction 52, `REJ` 53. A load past the end of the frame ends the
/// program with 0 (reject), as `is_candidate` returns `false` when the EtherType is cut.
pub const FILTER: [sock_filter; 54] = [
    // 0: X = 0: no tag crossed yet.
    insn(op::LDX_IMM, 0, 0, 0),
    // Tag level 0 (instructions 1-6; levels 1-3 repeat it with X = 4, 8, 12).
    // 1: A = EtherType (or tag protocol identifier) at 12 + X.
    insn(op::LDH_IND, 0, 0, 12),
    // 2: IPv6? go to the IPv6 part (27).
    insn(op::JEQ, 24, 0, 0x86dd),
    // 3: 802.1Q tag? go to 6.
    insn(op::JEQ, 2, 0, 0x8100),
    // 4: 802.1ad tag? go to 6.
    insn(op::JEQ, 1, 0, 0x88a8),
    // 5: 0x9100 (old Q-in-Q) tag? go on, else REJ.
    insn(op::JEQ, 0, 47, 0x9100),
    // 6: X = 4: one tag crossed.
    insn(op::LDX_IMM, 0, 0, 4),
    // 7: tag level 1: A = EtherType at 12 + X.
    insn(op::LDH_IND, 0, 0, 12),
    // 8: IPv6? go to 27.
    insn(op::JEQ, 18, 0, 0x86dd),
    // 9: 802.1Q? go to 12.
    insn(op::JEQ, 2, 0, 0x8100),
    // 10: 802.1ad? go to 12.
    insn(op::JEQ, 1, 0, 0x88a8),
    // 11: 0x9100? go on, else REJ.
    insn(op::JEQ, 0, 41, 0x9100),
    // 12: X = 8.
    insn(op::LDX_IMM, 0, 0, 8),
    // 13: tag level 2: A = EtherType at 12 + X.
    insn(op::LDH_IND, 0, 0, 12),
    // 14: IPv6? go to 27.
    insn(op::JEQ, 12, 0, 0x86dd),
    // 15: 802.1Q? go to 18.
    insn(op::JEQ, 2, 0, 0x8100),
    // 16: 802.1ad? go to 18.
    insn(op::JEQ, 1, 0, 0x88a8),
    // 17: 0x9100? go on, else REJ.
    insn(op::JEQ, 0, 35, 0x9100),
    // 18: X = 12.
    insn(op::LDX_IMM, 0, 0, 12),
    // 19: tag level 3: A = EtherType at 12 + X.
    insn(op::LDH_IND, 0, 0, 12),
    // 20: IPv6? go to 27.
    insn(op::JEQ, 6, 0, 0x86dd),
    // 21: 802.1Q? go to 24.
    insn(op::JEQ, 2, 0, 0x8100),
    // 22: 802.1ad? go to 24.
    insn(op::JEQ, 1, 0, 0x88a8),
    // 23: 0x9100? go on, else REJ.
    insn(op::JEQ, 0, 29, 0x9100),
    // 24: X = 16: MAX_TAGS (4) tags crossed.
    insn(op::LDX_IMM, 0, 0, 16),
    // 25: A = EtherType at 12 + X.
    insn(op::LDH_IND, 0, 0, 12),
    // 26: IPv6? go on, else REJ (no fifth tag).
    insn(op::JEQ, 0, 26, 0x86dd),
    // The IPv6 part; the IPv6 header starts at 14 + X.
    // 27: A = frame length.
    insn(op::LD_LEN, 0, 0, 0),
    // 28: A -= X: the length as if untagged.
    insn(op::SUB_X, 0, 0, 0),
    // 29: M[0] = A.
    insn(op::ST, 0, 0, 0),
    // 30: next header (at 14 + 6) present, i.e. length >= 21? go on, else ACC.
    insn(op::JGE, 0, 21, 21),
    // 31: A = next header.
    insn(op::LDB_IND, 0, 0, 20),
    // 32: ICMPv6? go to 39.
    insn(op::JEQ, 6, 0, 58),
    // 33: UDP? go to 44.
    insn(op::JEQ, 10, 0, 17),
    // 34: Hop-by-Hop options? ACC.
    insn(op::JEQ, 17, 0, 0),
    // 35: Routing header? ACC.
    insn(op::JEQ, 16, 0, 43),
    // 36: Fragment header? ACC.
    insn(op::JEQ, 15, 0, 44),
    // 37: Destination options? ACC.
    insn(op::JEQ, 14, 0, 60),
    // 38: IPv6-in-IPv6 (which may carry an RA past RA-Guard)? ACC, else REJ.
    insn(op::JEQ, 13, 14, 41),
    // ICMPv6 (39-43); the message starts at 14 + 40.
    // 39: A = length as if untagged.
    insn(op::LD_MEM, 0, 0, 0),
    // 40: type present (length >= 55)? go on, else ACC.
    insn(op::JGE, 0, 11, 55),
    // 41: A = ICMPv6 type.
    insn(op::LDB_IND, 0, 0, 54),
    // 42: type >= 133 (RS)? go on, else REJ.
    insn(op::JGE, 0, 10, 133),
    // 43: type > 137 (Redirect)? REJ, else ACC.
    insn(op::JGT, 9, 8, 137),
    // UDP (44-51); the header starts at 14 + 40.
    // 44: A = length as if untagged.
    insn(op::LD_MEM, 0, 0, 0),
    // 45: both ports present (length >= 58)? go on, else ACC.
    insn(op::JGE, 0, 6, 58),
    // 46: A = source port.
    insn(op::LDH_IND, 0, 0, 54),
    // 47: from the DHCPv6 client port? ACC.
    insn(op::JEQ, 4, 0, 546),
    // 48: from the DHCPv6 server/relay port? ACC.
    insn(op::JEQ, 3, 0, 547),
    // 49: A = destination port.
    insn(op::LDH_IND, 0, 0, 56),
    // 50: to the DHCPv6 client port? ACC.
    insn(op::JEQ, 1, 0, 546),
    // 51: to the DHCPv6 server/relay port? ACC, else REJ.
    insn(op::JEQ, 0, 1, 547),
    // 52 ACC: keep the whole frame.
    insn(op::RET, 0, 0, ACCEPT),
    // 53 REJ: drop it.
    insn(op::RET, 0, 0, 0),
];

/// An `AF_PACKET` capture on one interface (see the module documentation).
#[derive(Debug)]
pub struct AfPacket {
    fd: AsyncFd<Socket>,
    interface: String,
    /// Whether the kernel leaves our outgoing frames out; when it cannot, they are
    /// recognized by their packet type.
    kernel_ignores_outgoing: bool,
    stats: CaptureStats,
}

impl AfPacket {
    /// Opens the capture (see the module documentation for the steps). Must be called
    /// inside a tokio runtime with I/O enabled.
    pub fn open(interface: &str) -> Result<AfPacket, CaptureError> {
        let ifindex = check_interface(interface)?;
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(CaptureError::NoRuntime {
                interface: interface.to_owned(),
            });
        }
        let fail = |operation| move |e| CaptureError::setup(interface, operation, e);
        // Protocol 0: not hooked to any interface until `bind`, so nothing is queued
        // before the filter is attached.
        let socket = Socket::new(Domain::PACKET, Type::RAW.nonblocking(), None)
            .map_err(fail("socket(AF_PACKET, SOCK_RAW)"))?;
        let program = FILTER.map(|i| SockFilter::new(i.code, i.jt, i.jf, i.k));
        socket
            .attach_filter(&program)
            .map_err(fail("attaching the BPF filter (SO_ATTACH_FILTER)"))?;
        let kernel_ignores_outgoing =
            match set_option(&socket, libc::SOL_PACKET, libc::PACKET_IGNORE_OUTGOING, &ON) {
                Ok(()) => true,
                // Before Linux 4.20: recognized per frame instead.
                Err(e) if matches!(e.raw_os_error(), Some(libc::ENOPROTOOPT | libc::EINVAL)) => {
                    false
                }
                Err(e) => return Err(fail("setsockopt(PACKET_IGNORE_OUTGOING)")(e)),
            };
        let size = c_int::try_from(RECEIVE_BUFFER).unwrap_or(c_int::MAX);
        if set_option(&socket, libc::SOL_SOCKET, libc::SO_RCVBUFFORCE, &size).is_err() {
            // Without CAP_NET_ADMIN: as much as net.core.rmem_max allows.
            socket
                .set_recv_buffer_size(RECEIVE_BUFFER)
                .map_err(fail("setsockopt(SO_RCVBUF)"))?;
        }
        set_option(&socket, libc::SOL_SOCKET, libc::SO_TIMESTAMP, &ON)
            .map_err(fail("setsockopt(SO_TIMESTAMP)"))?;
        set_option(&socket, libc::SOL_PACKET, libc::PACKET_AUXDATA, &ON)
            .map_err(fail("setsockopt(PACKET_AUXDATA)"))?;
        bind(&socket, ifindex).map_err(|e| CaptureError::bind(interface, e))?;
        let membership = libc::packet_mreq {
            mr_ifindex: ifindex,
            mr_type: libc::PACKET_MR_ALLMULTI as u16,
            mr_alen: 0,
            mr_address: [0; 8],
        };
        set_option(
            &socket,
            libc::SOL_PACKET,
            libc::PACKET_ADD_MEMBERSHIP,
            &membership,
        )
        .map_err(fail(
            "setsockopt(PACKET_ADD_MEMBERSHIP, PACKET_MR_ALLMULTI)",
        ))?;
        // SAFETY: `socket` owns its descriptor (socket2 closes it on drop only), the
        // `AsyncFd` takes ownership of the `Socket` and keeps it until it is dropped, and
        // `Socket::as_raw_fd` always returns that same descriptor.
        let fd = unsafe { AsyncFd::register_with_interest(socket, Interest::READABLE) }
            .map_err(|e| fail("registering with the tokio reactor")(e.into_parts().1))?;
        Ok(AfPacket {
            fd,
            interface: interface.to_owned(),
            kernel_ignores_outgoing,
            stats: CaptureStats {
                kernel_passed: Some(0),
                dropped_by_kernel: Some(0),
                ..CaptureStats::default()
            },
        })
    }

    /// The interface captured on.
    pub fn interface(&self) -> &str {
        &self.interface
    }

    /// The error for a failed receive. The kernel says ENETDOWN both when the interface
    /// went down and when it was removed; a removed one is reported missing.
    fn recv_error(&self, e: io::Error) -> CaptureError {
        if e.raw_os_error() == Some(libc::ENETDOWN)
            && matches!(
                check_interface(&self.interface),
                Err(CaptureError::NoSuchInterface { .. })
            )
        {
            return CaptureError::NoSuchInterface {
                interface: self.interface.clone(),
            };
        }
        CaptureError::recv(&self.interface, e)
    }
}

impl FrameSource for AfPacket {
    fn recv<'a>(&'a mut self, buf: &'a mut [u8]) -> RecvFuture<'a> {
        Box::pin(async move {
            loop {
                // ERROR too: the interface going down only raises the socket's error.
                let mut guard = self
                    .fd
                    .ready(Interest::READABLE | Interest::ERROR)
                    .await
                    .map_err(|e| CaptureError::recv(&self.interface, e))?;
                match guard.try_io(|fd| recv_frame(fd.get_ref().as_raw_fd(), buf)) {
                    Ok(Ok(frame)) => {
                        if frame.outgoing && !self.kernel_ignores_outgoing {
                            self.stats.filtered += 1;
                            continue;
                        }
                        self.stats.received += 1;
                        if frame.received.len < frame.received.orig_len {
                            self.stats.truncated += 1;
                        }
                        return Ok(frame.received);
                    }
                    Ok(Err(e)) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Ok(Err(e)) => return Err(self.recv_error(e)),
                    // Would block: readiness was cleared, wait again.
                    Err(_) => continue,
                }
            }
        })
    }

    fn stats(&mut self) -> Result<CaptureStats, CaptureError> {
        let st = packet_statistics(self.fd.get_ref()).map_err(|source| CaptureError::Stats {
            interface: self.interface.clone(),
            source,
        })?;
        // The kernel resets its counters on every read; `tp_packets` includes the drops.
        let add = |total: Option<u64>, n: u32| Some(total.unwrap_or(0) + u64::from(n));
        self.stats.kernel_passed = add(self.stats.kernel_passed, st.tp_packets);
        self.stats.dropped_by_kernel = add(self.stats.dropped_by_kernel, st.tp_drops);
        Ok(self.stats)
    }
}

/// Looks the interface up with an unprivileged socket: its index, then that it is up
/// and carries Ethernet frames.
fn check_interface(interface: &str) -> Result<c_int, CaptureError> {
    let missing = || CaptureError::NoSuchInterface {
        interface: interface.to_owned(),
    };
    if !super::live::valid_interface_name(interface) {
        return Err(missing());
    }
    let fail = |operation| move |e| CaptureError::setup(interface, operation, e);
    let control = Socket::new(Domain::UNIX, Type::DGRAM, None)
        .map_err(fail("socket(AF_UNIX) for interface queries"))?;
    let mut req = ifreq(interface);
    interface_ioctl(&control, libc::SIOCGIFINDEX, &mut req).map_err(fail("ioctl(SIOCGIFINDEX)"))?;
    // SAFETY: SIOCGIFINDEX succeeded, so the kernel wrote `ifru_ifindex`; every member
    // of the union is plain data, so any bits are a valid `c_int` anyway.
    let ifindex = unsafe { req.ifr_ifru.ifru_ifindex };
    interface_ioctl(&control, libc::SIOCGIFFLAGS, &mut req).map_err(fail("ioctl(SIOCGIFFLAGS)"))?;
    // SAFETY: as above, for `ifru_flags` written by SIOCGIFFLAGS.
    let flags = unsafe { req.ifr_ifru.ifru_flags };
    if c_int::from(flags) & libc::IFF_UP == 0 {
        return Err(CaptureError::InterfaceDown {
            interface: interface.to_owned(),
        });
    }
    interface_ioctl(&control, libc::SIOCGIFHWADDR, &mut req)
        .map_err(fail("ioctl(SIOCGIFHWADDR)"))?;
    // SAFETY: as above, for `ifru_hwaddr` written by SIOCGIFHWADDR.
    let hardware_type = unsafe { req.ifr_ifru.ifru_hwaddr.sa_family };
    // Loopback frames carry a (zero) Ethernet header too.
    if hardware_type != libc::ARPHRD_ETHER && hardware_type != libc::ARPHRD_LOOPBACK {
        return Err(CaptureError::NotEthernet {
            interface: interface.to_owned(),
            hardware_type,
        });
    }
    Ok(ifindex)
}

/// An `ifreq` naming `name`, which [`super::live::valid_interface_name`] accepted (at
/// most 15 bytes, so it stays NUL-terminated).
fn ifreq(name: &str) -> libc::ifreq {
    // SAFETY: `ifreq` is a C struct of a char array and a union of integers, sockaddrs
    // and a raw pointer, for all of which all-zero bits are valid.
    let mut req: libc::ifreq = unsafe { std::mem::zeroed() };
    for (dst, src) in req.ifr_name.iter_mut().zip(name.bytes()) {
        *dst = src as libc::c_char;
    }
    req
}

/// One `SIOCGIF*` query.
fn interface_ioctl(
    socket: &Socket,
    request: libc::c_ulong,
    req: &mut libc::ifreq,
) -> io::Result<()> {
    // SAFETY: the SIOCGIF* requests used here read the NUL-terminated name from, and
    // write one union member into, the `ifreq` that `req` points at, which is live,
    // writable and of the size the kernel expects; the descriptor is open.
    let rc = unsafe {
        libc::ioctl(
            socket.as_raw_fd(),
            request as libc::Ioctl,
            std::ptr::from_mut(req),
        )
    };
    if rc < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(())
    }
}

/// `setsockopt` with a value the kernel reads as `T`.
fn set_option<T>(socket: &Socket, level: c_int, name: c_int, value: &T) -> io::Result<()> {
    let len = libc::socklen_t::try_from(size_of::<T>())
        .map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))?;
    // SAFETY: `value` points at a live `T` of `len` bytes, which the kernel only reads;
    // the descriptor is open.
    let rc = unsafe {
        libc::setsockopt(
            socket.as_raw_fd(),
            level,
            name,
            std::ptr::from_ref(value).cast(),
            len,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Binds the socket to every protocol (`ETH_P_ALL`) on interface `ifindex`.
fn bind(socket: &Socket, ifindex: c_int) -> io::Result<()> {
    let addr = libc::sockaddr_ll {
        sll_family: libc::AF_PACKET as u16,
        sll_protocol: (libc::ETH_P_ALL as u16).to_be(),
        sll_ifindex: ifindex,
        sll_hatype: 0,
        sll_pkttype: 0,
        sll_halen: 0,
        sll_addr: [0; 8],
    };
    let len = size_of::<libc::sockaddr_ll>() as libc::socklen_t;
    // SAFETY: `addr` is a live `sockaddr_ll` and `len` its size; the kernel only reads
    // it; the descriptor is open.
    let rc = unsafe { libc::bind(socket.as_raw_fd(), std::ptr::from_ref(&addr).cast(), len) };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// The kernel's counters since the last read (`PACKET_STATISTICS` resets them).
fn packet_statistics(socket: &Socket) -> io::Result<libc::tpacket_stats> {
    let mut st = libc::tpacket_stats {
        tp_packets: 0,
        tp_drops: 0,
    };
    let mut len = size_of::<libc::tpacket_stats>() as libc::socklen_t;
    // SAFETY: `st` is a live, writable `tpacket_stats` (two `c_uint`s: any bits are
    // valid) of `len` bytes and `len` a live `socklen_t`; the kernel writes at most `len`
    // bytes; the descriptor is open.
    let rc = unsafe {
        libc::getsockopt(
            socket.as_raw_fd(),
            libc::SOL_PACKET,
            libc::PACKET_STATISTICS,
            std::ptr::from_mut(&mut st).cast(),
            &mut len,
        )
    };
    if rc == 0 {
        Ok(st)
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Room for the control messages asked for: a `timeval` and a `tpacket_auxdata`, with
/// their headers, and then some.
const CONTROL_LEN: usize = 128;

/// A control-message buffer aligned for `cmsghdr` (a `size_t` first).
#[repr(C, align(8))]
struct Control([u8; CONTROL_LEN]);

/// One frame read by [`recv_frame`].
struct RawFrame {
    received: Received,
    /// Sent by this host (`PACKET_OUTGOING`).
    outgoing: bool,
}

/// Reads one frame with `recvmsg`, without blocking, into `buf` (after [`VLAN_ROOM`]
/// bytes), with its receive time and auxiliary data, and puts back the VLAN tag the
/// kernel took off.
fn recv_frame(fd: RawFd, buf: &mut [u8]) -> io::Result<RawFrame> {
    let data = buf
        .get_mut(VLAN_ROOM..)
        .filter(|d| !d.is_empty())
        .ok_or_else(|| io::Error::from(io::ErrorKind::InvalidInput))?;
    let capacity = data.len();
    let mut addr = libc::sockaddr_ll {
        sll_family: 0,
        sll_protocol: 0,
        sll_ifindex: 0,
        sll_hatype: 0,
        sll_pkttype: 0,
        sll_halen: 0,
        sll_addr: [0; 8],
    };
    let mut control = Control([0; CONTROL_LEN]);
    let mut iov = libc::iovec {
        iov_base: data.as_mut_ptr().cast(),
        iov_len: capacity,
    };
    // SAFETY: `msghdr` is a C struct of integers and raw pointers (plus, on some libcs,
    // padding fields), for all of which all-zero bits are valid.
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_name = std::ptr::from_mut(&mut addr).cast();
    msg.msg_namelen = size_of::<libc::sockaddr_ll>() as libc::socklen_t;
    msg.msg_iov = &mut iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.0.as_mut_ptr().cast();
    msg.msg_controllen = CONTROL_LEN as _;
    // SAFETY: every pointer in `msg` points at a live local: `addr` (`msg_namelen`
    // bytes), one `iovec` over `data` (writable for `iov_len` bytes, borrowed mutably
    // for this call) and `control` (`msg_controllen` bytes, aligned for `cmsghdr`); the
    // kernel writes within those bounds only. MSG_DONTWAIT: it never blocks.
    let n = unsafe { libc::recvmsg(fd, &mut msg, libc::MSG_DONTWAIT | libc::MSG_TRUNC) };
    let len = usize::try_from(n).map_err(|_| io::Error::last_os_error())?;
    let control_len = (msg.msg_controllen as usize).min(CONTROL_LEN);
    let mut ts_micros = None;
    let mut aux = None;
    for (level, kind, payload) in control_messages(&control.0[..control_len]) {
        match (level, kind) {
            (libc::SOL_SOCKET, libc::SO_TIMESTAMP) => ts_micros = timeval_micros(payload),
            (libc::SOL_PACKET, libc::PACKET_AUXDATA) => aux = AuxData::parse(payload),
            _ => {}
        }
    }
    // With MSG_TRUNC, `len` is the frame's length even when it did not fit.
    let captured = len.min(capacity);
    let mut orig_len = aux.map_or(len, |a| (a.len as usize).max(len));
    let mut start = VLAN_ROOM;
    let mut frame_len = captured;
    if let Some(tag) = aux.and_then(|a| a.vlan) {
        if captured >= 12 {
            // Move the MACs 4 bytes left and put the tag between them and the EtherType.
            buf.copy_within(VLAN_ROOM..VLAN_ROOM + 12, 0);
            buf[12..14].copy_from_slice(&tag.tpid.to_be_bytes());
            buf[14..16].copy_from_slice(&tag.tci.to_be_bytes());
            start = 0;
            frame_len += 4;
            orig_len += 4;
        }
    }
    Ok(RawFrame {
        received: Received {
            ts_micros: ts_micros.unwrap_or_else(now_micros),
            start,
            len: frame_len,
            orig_len,
        },
        outgoing: addr.sll_pkttype == libc::PACKET_OUTGOING,
    })
}

/// Walks the control messages in `buf` as the kernel lays them out: a `cmsghdr`
/// (`size_t` length, `int` level, `int` type), the data, padding to a `size_t` boundary.
fn control_messages(mut buf: &[u8]) -> impl Iterator<Item = (c_int, c_int, &[u8])> {
    const WORD: usize = size_of::<usize>();
    const HEADER: usize = size_of::<libc::cmsghdr>();
    std::iter::from_fn(move || {
        let int = |at: usize| {
            buf.get(at..at + 4)
                .and_then(|b| b.try_into().ok())
                .map(c_int::from_ne_bytes)
        };
        let len = usize::from_ne_bytes(buf.get(..WORD)?.try_into().ok()?);
        let (level, kind) = (int(WORD)?, int(WORD + 4)?);
        let data = buf.get(HEADER..len)?;
        let next = len.checked_next_multiple_of(WORD)?;
        buf = buf.get(next..).unwrap_or_default();
        Some((level, kind, data))
    })
}

/// A `struct timeval` (64-bit fields, or 32-bit ones on old 32-bit ABIs) in
/// microseconds since the epoch.
fn timeval_micros(data: &[u8]) -> Option<i64> {
    let (sec, usec) = match data.len() {
        16 => (
            i64::from_ne_bytes(data.get(..8)?.try_into().ok()?),
            i64::from_ne_bytes(data.get(8..16)?.try_into().ok()?),
        ),
        8 => (
            i64::from(i32::from_ne_bytes(data.get(..4)?.try_into().ok()?)),
            i64::from(i32::from_ne_bytes(data.get(4..8)?.try_into().ok()?)),
        ),
        _ => return None,
    };
    sec.checked_mul(1_000_000)?.checked_add(usec)
}

/// The VLAN tag the kernel took off a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct VlanTag {
    tpid: u16,
    tci: u16,
}

/// What `PACKET_AUXDATA` says about a frame (`struct tpacket_auxdata`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct AuxData {
    /// The frame's length before the filter cut it.
    len: u32,
    vlan: Option<VlanTag>,
}

impl AuxData {
    /// `tp_status`, `tp_len`, `tp_snaplen` (u32), `tp_mac`, `tp_net`, `tp_vlan_tci`,
    /// `tp_vlan_tpid` (u16), native byte order.
    fn parse(data: &[u8]) -> Option<AuxData> {
        let u32_at = |at: usize| {
            data.get(at..at + 4)
                .and_then(|b| b.try_into().ok())
                .map(u32::from_ne_bytes)
        };
        let u16_at = |at: usize| {
            data.get(at..at + 2)
                .and_then(|b| b.try_into().ok())
                .map(u16::from_ne_bytes)
        };
        let status = u32_at(0)?;
        let len = u32_at(4)?;
        let tci = u16_at(16)?;
        let tpid = u16_at(18)?;
        // Old kernels set no VLAN_VALID flag but a non-zero TCI.
        let vlan = (status & libc::TP_STATUS_VLAN_VALID != 0 || tci != 0).then_some(VlanTag {
            tpid: if status & libc::TP_STATUS_VLAN_TPID_VALID != 0 {
                tpid
            } else {
                0x8100
            },
            tci,
        });
        Some(AuxData { len, vlan })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::is_candidate;
    use proptest::prelude::*;

    /// A classic BPF interpreter for the instructions [`FILTER`] uses, with the kernel's
    /// rules: A, X and M[] start at zero, a load past the end returns 0.
    fn run(program: &[sock_filter], frame: &[u8]) -> u32 {
        let (mut a, mut x, mut mem) = (0u32, 0u32, [0u32; 16]);
        let mut pc = 0;
        loop {
            let i = program[pc];
            pc += 1;
            let load = |at: u32, size: usize| -> Option<u32> {
                let at = at as usize;
                let bytes = frame.get(at..at.checked_add(size)?)?;
                Some(bytes.iter().fold(0u32, |v, b| (v << 8) | u32::from(*b)))
            };
            let jump = |cond: bool| if cond { i.jt as usize } else { i.jf as usize };
            match i.code {
                op::LD_LEN => a = frame.len() as u32,
                op::LD_MEM => a = mem[i.k as usize],
                op::LDH_IND => match load(x.wrapping_add(i.k), 2) {
                    Some(v) => a = v,
                    None => return 0,
                },
                op::LDB_IND => match load(x.wrapping_add(i.k), 1) {
                    Some(v) => a = v,
                    None => return 0,
                },
                op::LDX_IMM => x = i.k,
                op::ST => mem[i.k as usize] = a,
                op::SUB_X => a = a.wrapping_sub(x),
                op::JEQ => pc += jump(a == i.k),
                op::JGE => pc += jump(a >= i.k),
                op::JGT => pc += jump(a > i.k),
                op::RET => return i.k,
                other => panic!("opcode {other:#x} not interpreted"),
            }
        }
    }

    fn passes(frame: &[u8]) -> bool {
        run(&FILTER, frame) != 0
    }

    #[test]
    fn program_shape() {
        // What the kernel checks on attach: jumps forward and inside, ends in a return.
        for (pc, i) in FILTER.iter().enumerate() {
            if matches!(i.code, op::JEQ | op::JGE | op::JGT) {
                assert!(pc + 1 + usize::from(i.jt.max(i.jf)) < FILTER.len(), "{pc}");
            }
        }
        let ret = |i: sock_filter| (i.code, i.k);
        assert_eq!(ret(FILTER[52]), (op::RET, ACCEPT));
        assert_eq!(ret(FILTER[53]), (op::RET, 0));
        // Every jump to ACC or REJ lands there.
        for (pc, i) in FILTER.iter().enumerate() {
            if matches!(i.code, op::JEQ | op::JGE | op::JGT) {
                for off in [i.jt, i.jf] {
                    let to = pc + 1 + usize::from(off);
                    assert!(to <= 53);
                }
            }
        }
    }

    fn ipv6(next_header: u8, upper: &[u8]) -> Vec<u8> {
        let mut f = vec![0u8; 14];
        f[0..6].copy_from_slice(&[0x33, 0x33, 0, 0, 0, 1]);
        f[6..12].copy_from_slice(&[2, 0, 0, 0, 0, 1]);
        f[12..14].copy_from_slice(&[0x86, 0xdd]);
        let mut ip = [0u8; 40];
        ip[0] = 0x60;
        ip[4..6].copy_from_slice(&(upper.len() as u16).to_be_bytes());
        ip[6] = next_header;
        ip[7] = 255;
        f.extend_from_slice(&ip);
        f.extend_from_slice(upper);
        f
    }

    fn tagged(frame: &[u8], tags: &[u16]) -> Vec<u8> {
        let mut f = frame[..12].to_vec();
        for (n, t) in tags.iter().enumerate() {
            f.extend_from_slice(&t.to_be_bytes());
            f.extend_from_slice(&(10 + n as u16).to_be_bytes());
        }
        f.extend_from_slice(&frame[12..]);
        f
    }

    #[test]
    fn passes_what_v6sentinel_reads() {
        let udp = |s: u16, d: u16| {
            let mut u = s.to_be_bytes().to_vec();
            u.extend_from_slice(&d.to_be_bytes());
            u.extend_from_slice(&[0, 8, 0, 0]);
            u
        };
        let cases: Vec<(Vec<u8>, bool)> = vec![
            (ipv6(58, &[134, 0, 0, 0]), true),  // RA
            (ipv6(58, &[133, 0, 0, 0]), true),  // RS
            (ipv6(58, &[137, 0, 0, 0]), true),  // Redirect
            (ipv6(58, &[132, 0, 0, 0]), false), // MLD done
            (ipv6(58, &[138, 0, 0, 0]), false), // router renumbering
            (ipv6(58, &[128, 0, 0, 0]), false), // echo request
            (ipv6(58, &[143, 0, 0, 0]), false), // MLDv2 report (no hop-by-hop here)
            (ipv6(17, &udp(547, 546)), true),
            (ipv6(17, &udp(546, 547)), true),
            (ipv6(17, &udp(547, 5353)), true),
            (ipv6(17, &udp(5353, 546)), true),
            (ipv6(17, &udp(53, 5353)), false),
            (ipv6(6, &[0; 20]), false),
            (ipv6(0, &[58, 0, 1, 4, 0, 0, 0, 0, 134]), true),
            (ipv6(43, &[58; 8]), true),
            (ipv6(44, &[58; 8]), true),
            (ipv6(60, &[58; 8]), true),
            (ipv6(41, &[0x60; 8]), true), // IPv6-in-IPv6
            (ipv6(51, &[58; 8]), false),  // AH: not an extension header is_candidate follows
            (ipv6(59, &[]), false),
        ];
        for (frame, want) in &cases {
            assert_eq!(passes(frame), *want, "{frame:02x?}");
            assert_eq!(is_candidate(frame), *want, "{frame:02x?}");
            for tags in [
                &[0x8100][..],
                &[0x88a8, 0x8100],
                &[0x9100, 0x8100, 0x8100, 0x8100],
            ] {
                let t = tagged(frame, tags);
                assert_eq!(passes(&t), *want, "{t:02x?}");
            }
            // A fifth tag is one too many.
            let t = tagged(frame, &[0x8100; 5]);
            assert!(!passes(&t) && !is_candidate(&t));
        }
        // Not IPv6.
        let mut v4 = ipv6(17, &udp(547, 546));
        v4[12..14].copy_from_slice(&[0x08, 0x00]);
        assert!(!passes(&v4));
        // Too short to tell: passed to the dissector; too short for an EtherType: not.
        assert!(passes(&ipv6(58, &[])));
        assert!(passes(&ipv6(17, &[2, 35, 0])));
        assert!(passes(&ipv6(17, &[0, 53, 0, 53, 0])[..57]));
        assert!(!passes(&ipv6(17, &[0, 53, 0, 53, 0, 8, 0, 0])));
        assert!(passes(&ipv6(58, &[])[..20]));
        assert!(!passes(&[0u8; 13]));
    }

    /// Frames built to hit every branch: tags, EtherTypes, next headers, types, ports
    /// and cut lengths.
    fn frames() -> impl Strategy<Value = Vec<u8>> {
        let tag = prop_oneof![Just(0x8100u16), Just(0x88a8), Just(0x9100), any::<u16>()];
        let ethertype = prop_oneof![4 => Just(0x86ddu16), 1 => Just(0x0800), 1 => any::<u16>()];
        let next_header = prop_oneof![
            Just(58u8),
            Just(17),
            Just(0),
            Just(43),
            Just(44),
            Just(60),
            Just(6),
            any::<u8>()
        ];
        let byte = prop_oneof![128u8..=140, any::<u8>()];
        let port = prop_oneof![Just(546u16), Just(547), any::<u16>()];
        (
            prop::collection::vec(tag, 0..6),
            ethertype,
            next_header,
            byte,
            port.clone(),
            port,
            // The length to cut to, not counting the tags: mostly at a boundary the
            // filter tests (EtherType, next header, ICMPv6 type, ports), else anywhere.
            prop_oneof![
                Just(usize::MAX),
                prop::sample::select(vec![11, 13, 14, 20, 21, 54, 55, 56, 57, 58]),
                0..80usize,
            ],
        )
            .prop_map(|(tags, et, nh, ty, sp, dp, cut)| {
                let mut upper = sp.to_be_bytes().to_vec();
                upper.extend_from_slice(&dp.to_be_bytes());
                upper[0] = if nh == 58 { ty } else { upper[0] };
                upper.extend_from_slice(&[0; 8]);
                let mut f = tagged(&ipv6(nh, &upper), &tags);
                let at = 12 + 4 * tags.len();
                f[at..at + 2].copy_from_slice(&et.to_be_bytes());
                f.truncate((at - 12).saturating_add(cut));
                f
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4096))]

        #[test]
        fn filter_is_the_twin_of_is_candidate(frame in frames()) {
            prop_assert_eq!(passes(&frame), is_candidate(&frame), "{:02x?}", frame);
        }

        #[test]
        fn filter_agrees_on_noise(frame in prop::collection::vec(any::<u8>(), 0..80)) {
            prop_assert_eq!(passes(&frame), is_candidate(&frame));
        }
    }

    fn cmsg(level: c_int, kind: c_int, data: &[u8]) -> Vec<u8> {
        let header = size_of::<libc::cmsghdr>();
        let len = header + data.len();
        let mut v = len.to_ne_bytes().to_vec();
        v.extend_from_slice(&level.to_ne_bytes());
        v.extend_from_slice(&kind.to_ne_bytes());
        v.resize(header, 0);
        v.extend_from_slice(data);
        v.resize(len.next_multiple_of(size_of::<usize>()), 0);
        v
    }

    #[test]
    fn control_messages_and_aux_data() {
        let mut tv = 1_700_000_000i64.to_ne_bytes().to_vec();
        tv.extend_from_slice(&123_456i64.to_ne_bytes());
        let mut aux = Vec::new();
        for v in [
            libc::TP_STATUS_VLAN_VALID | libc::TP_STATUS_VLAN_TPID_VALID,
            90,
            90,
        ] {
            aux.extend_from_slice(&v.to_ne_bytes());
        }
        for v in [0u16, 14, 10, 0x88a8] {
            aux.extend_from_slice(&v.to_ne_bytes());
        }
        let mut buf = cmsg(libc::SOL_SOCKET, libc::SO_TIMESTAMP, &tv);
        buf.extend(cmsg(libc::SOL_PACKET, libc::PACKET_AUXDATA, &aux));
        let msgs: Vec<_> = control_messages(&buf).collect();
        assert_eq!(msgs.len(), 2);
        assert_eq!(timeval_micros(msgs[0].2), Some(1_700_000_000_123_456));
        assert_eq!(
            AuxData::parse(msgs[1].2),
            Some(AuxData {
                len: 90,
                vlan: Some(VlanTag {
                    tpid: 0x88a8,
                    tci: 10
                })
            })
        );
        // A header that claims more than there is ends the walk.
        let mut bad = cmsg(libc::SOL_SOCKET, libc::SO_TIMESTAMP, &tv);
        bad[0] = 200;
        assert_eq!(control_messages(&bad).count(), 0);
        assert_eq!(control_messages(&[]).count(), 0);
        assert_eq!(control_messages(&buf[..10]).count(), 0);
        assert_eq!(timeval_micros(&[0; 3]), None);
    }

    #[test]
    fn opening_a_missing_interface_needs_no_privilege() {
        for name in ["v6s-nope-0", "", "no/such", "0123456789abcdefg"] {
            match AfPacket::open(name) {
                Err(CaptureError::NoSuchInterface { interface }) => assert_eq!(interface, name),
                other => panic!("{name}: {other:?}"),
            }
        }
    }

    #[test]
    fn opening_outside_a_runtime_is_an_error_not_a_panic() {
        // `lo` exists and is up in every network namespace that has run `ip link set lo
        // up`; where it is down the interface check answers first, which is fine too.
        match AfPacket::open("lo") {
            Err(CaptureError::NoRuntime { .. } | CaptureError::InterfaceDown { .. }) => {}
            other => panic!("{other:?}"),
        }
    }
}
