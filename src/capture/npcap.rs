//! Whether Npcap is installed (Windows). pnet reads and sends through Npcap's
//! `Packet.dll`, which the binary imports *lazily*: `build.rs` links it through a
//! delay-import library made by mingw's `dlltool -y`, so the program starts, and
//! `analyze`, `oui` and `rules` run, on a machine without Npcap. The first call into
//! `Packet.dll` would then fail hard, so [`available`] loads the DLL itself before any:
//! from `System32` (where "WinPcap API-compatible Mode" puts it), else from
//! `System32\Npcap` (Npcap's own directory). Only those two places are searched — never
//! the current or the program's directory, where anyone could drop a `Packet.dll`. Once
//! loaded it stays loaded, and the delay-load helper's own `LoadLibrary("Packet.dll")`
//! finds it.
//!
//! Besides the AF_PACKET capture and the IP Helper host source, the one module with
//! `unsafe`: two documented Win32 calls.
#![allow(unsafe_code)]

use std::sync::OnceLock;
use windows_sys::Win32::System::LibraryLoader::{LOAD_LIBRARY_SEARCH_SYSTEM32, LoadLibraryExW};
use windows_sys::Win32::System::SystemInformation::GetSystemDirectoryW;

/// Where Npcap is offered.
pub const DOWNLOAD: &str = "https://npcap.com/#download";

/// Whether `Packet.dll` could be loaded (tried once, then remembered).
pub fn available() -> bool {
    static LOADED: OnceLock<bool> = OnceLock::new();
    *LOADED
        .get_or_init(|| load("Packet.dll", LOAD_LIBRARY_SEARCH_SYSTEM32) || load_from_npcap_dir())
}

fn load_from_npcap_dir() -> bool {
    let mut buf = [0u16; 512];
    // SAFETY: the buffer and its length in u16s; the call writes at most that many.
    let n = unsafe { GetSystemDirectoryW(buf.as_mut_ptr(), buf.len() as u32) } as usize;
    let Some(dir) = buf.get(..n).filter(|_| n > 0) else {
        return false;
    };
    let path = format!(r"{}\Npcap\Packet.dll", String::from_utf16_lossy(dir));
    load(&path, 0)
}

fn load(name: &str, flags: u32) -> bool {
    let wide: Vec<u16> = name.encode_utf16().chain(std::iter::once(0)).collect();
    // SAFETY: a NUL-terminated UTF-16 string that outlives the call. The module is never
    // freed: it must stay loaded for the delay-loaded imports.
    let module = unsafe { LoadLibraryExW(wide.as_ptr(), core::ptr::null_mut(), flags) };
    !module.is_null()
}
