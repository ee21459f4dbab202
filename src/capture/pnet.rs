//! Portable live capture through `pnet_datalink` (BPF devices on macOS and the BSDs,
//! Npcap on Windows, a plain AF_PACKET socket on Linux with `--backend pnet`).
//!
//! `pnet_datalink` reads blocking, so a thread of its own reads the interface and feeds
//! a bounded queue that [`FrameSource::recv`] drains. There is no kernel filter:
//! the thread applies [`crate::wire::is_candidate`] to every frame and queues only what
//! passes, and leaves out the frames this host sent (recognized by the interface's own
//! source MAC, where AF_PACKET asks the kernel). The interface is opened promiscuous,
//! pnet's only way to receive the DHCPv6 Solicits sent to ff02::1:2. A full queue drops
//! the frame and counts it. Frame times are the clock when the thread read them. Unlike
//! [`super::afpacket`], a VLAN tag the Linux kernel took off is not put back.
//!
//! The same handle sends: [`FrameSource::send`] writes whole Ethernet frames through
//! pnet's sender (the probes, when the backend is pnet).
//!
//! On Windows, pnet reads through Npcap's `Packet.dll`, which the binary imports lazily
//! (see [`super::npcap`]): [`Pnet::open`] first checks that it can be loaded and fails
//! with [`CaptureError::NpcapMissing`] otherwise. The interface may be named as Windows
//! users know it (the adapter's friendly name, "Ethernet"), by GUID or by index; it is
//! found through the IP Helper API and opened under Npcap's `\Device\NPF_{GUID}` name.
#![forbid(unsafe_code)]

use super::live::{CaptureError, CaptureStats, FrameSource, Received, RecvFuture, now_micros};
use crate::wire::is_candidate;
use std::io;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;

/// Frames queued between the capture thread and the caller.
pub const QUEUE_LEN: usize = 4096;

/// How often the capture thread looks whether it should stop.
const POLL_INTERVAL: Duration = Duration::from_millis(100);

/// One frame on its way from the thread.
struct Owned {
    ts_micros: i64,
    data: Vec<u8>,
}

/// Counters the capture thread keeps.
#[derive(Default)]
struct Shared {
    stop: AtomicBool,
    filtered: AtomicU64,
    dropped_by_queue: AtomicU64,
}

/// A pnet capture on one interface (see the module documentation).
pub struct Pnet {
    rx: mpsc::Receiver<io::Result<Owned>>,
    sender: Mutex<Box<dyn pnet_datalink::DataLinkSender>>,
    shared: Arc<Shared>,
    interface: String,
    received: u64,
    truncated: u64,
}

impl std::fmt::Debug for Pnet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pnet")
            .field("interface", &self.interface)
            .finish_non_exhaustive()
    }
}

impl Pnet {
    /// Opens the interface and starts the capture thread.
    pub fn open(interface: &str) -> Result<Pnet, CaptureError> {
        let missing = || CaptureError::NoSuchInterface {
            interface: interface.to_owned(),
        };
        if !super::live::valid_interface_name(interface) {
            return Err(missing());
        }
        #[cfg(windows)]
        let device = {
            if !super::npcap::available() {
                return Err(CaptureError::NpcapMissing {
                    interface: interface.to_owned(),
                });
            }
            crate::host::windows_adapter(interface)
                .map_err(|_| missing())?
                .npcap_name()
        };
        #[cfg(not(windows))]
        let device = interface.to_owned();
        let iface = pnet_datalink::interfaces()
            .into_iter()
            .find(|i| i.name.eq_ignore_ascii_case(&device))
            .ok_or_else(missing)?;
        // pnet's Windows flags come from the legacy adapter list; ask the system.
        #[cfg(windows)]
        let up = crate::host::is_up(interface);
        #[cfg(not(windows))]
        let up = iface.is_up();
        if !up {
            return Err(CaptureError::InterfaceDown {
                interface: interface.to_owned(),
            });
        }
        let own_mac = iface.mac.map(|m| m.octets());
        let config = pnet_datalink::Config {
            read_buffer_size: super::live::BUFFER_LEN,
            read_timeout: Some(POLL_INTERVAL),
            promiscuous: true,
            ..pnet_datalink::Config::default()
        };
        let channel = pnet_datalink::channel(&iface, config)
            .map_err(|e| CaptureError::setup(interface, "opening the pnet datalink channel", e))?;
        let pnet_datalink::Channel::Ethernet(sender, mut reader) = channel else {
            return Err(CaptureError::Setup {
                interface: interface.to_owned(),
                operation: "opening the pnet datalink channel",
                source: io::Error::other("not an Ethernet channel"),
            });
        };
        let (tx, rx) = mpsc::channel(QUEUE_LEN);
        let shared = Arc::new(Shared::default());
        let thread_shared = Arc::clone(&shared);
        std::thread::Builder::new()
            .name(format!("v6s-pnet-{interface}"))
            .spawn(move || {
                let shared = thread_shared;
                while !shared.stop.load(Ordering::Relaxed) {
                    let frame = match reader.next() {
                        Ok(frame) => frame,
                        Err(e)
                            if matches!(
                                e.kind(),
                                io::ErrorKind::TimedOut
                                    | io::ErrorKind::WouldBlock
                                    | io::ErrorKind::Interrupted
                            ) =>
                        {
                            continue;
                        }
                        Err(e) => {
                            // The receiver gets the error, then sees the queue close.
                            let _ = tx.blocking_send(Err(e));
                            return;
                        }
                    };
                    if frame.is_empty() {
                        continue;
                    }
                    let own = own_mac.is_some_and(|mac| frame.get(6..12) == Some(&mac[..]));
                    if own || !is_candidate(frame) {
                        shared.filtered.fetch_add(1, Ordering::Relaxed);
                        continue;
                    }
                    let owned = Owned {
                        ts_micros: now_micros(),
                        data: frame.to_vec(),
                    };
                    match tx.try_send(Ok(owned)) {
                        Ok(()) => {}
                        Err(mpsc::error::TrySendError::Full(_)) => {
                            shared.dropped_by_queue.fetch_add(1, Ordering::Relaxed);
                        }
                        Err(mpsc::error::TrySendError::Closed(_)) => return,
                    }
                }
            })
            .map_err(|e| CaptureError::setup(interface, "starting the capture thread", e))?;
        Ok(Pnet {
            rx,
            sender: Mutex::new(sender),
            shared,
            interface: interface.to_owned(),
            received: 0,
            truncated: 0,
        })
    }

    /// The interface captured on.
    pub fn interface(&self) -> &str {
        &self.interface
    }
}

impl Drop for Pnet {
    /// Tells the thread to stop; it does within 100 ms (its read timeout) and closes the
    /// interface. Not joined: dropping must not block an async task.
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::Relaxed);
    }
}

impl FrameSource for Pnet {
    fn recv<'a>(&'a mut self, buf: &'a mut [u8]) -> RecvFuture<'a> {
        Box::pin(async move {
            // `mpsc::Receiver::recv` is cancel-safe.
            match self.rx.recv().await {
                Some(Ok(frame)) => {
                    let len = frame.data.len().min(buf.len());
                    buf[..len].copy_from_slice(&frame.data[..len]);
                    self.received += 1;
                    if len < frame.data.len() {
                        self.truncated += 1;
                    }
                    Ok(Received {
                        ts_micros: frame.ts_micros,
                        start: 0,
                        len,
                        orig_len: frame.data.len(),
                    })
                }
                Some(Err(e)) => Err(CaptureError::recv(&self.interface, e)),
                None => Err(CaptureError::Closed {
                    interface: self.interface.clone(),
                }),
            }
        })
    }

    fn stats(&mut self) -> Result<CaptureStats, CaptureError> {
        Ok(CaptureStats {
            received: self.received,
            kernel_passed: None,
            dropped_by_kernel: None,
            dropped_by_queue: self.shared.dropped_by_queue.load(Ordering::Relaxed),
            filtered: self.shared.filtered.load(Ordering::Relaxed),
            truncated: self.truncated,
        })
    }

    fn send(&mut self, frame: &[u8]) -> io::Result<()> {
        let mut sender = self
            .sender
            .lock()
            .map_err(|_| io::Error::other("the sender's lock is poisoned"))?;
        match sender.send_to(frame, None) {
            Some(result) => result,
            None => Err(io::Error::other(
                "the frame does not fit pnet's send buffer",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_interface() {
        for name in ["v6s-nope-1", ""] {
            match Pnet::open(name) {
                Err(CaptureError::NoSuchInterface { interface }) => assert_eq!(interface, name),
                // Windows without Npcap (wine): that is said first.
                #[cfg(windows)]
                Err(CaptureError::NpcapMissing { interface }) => assert_eq!(interface, name),
                other => panic!("{name}: {other:?}"),
            }
        }
    }
}
