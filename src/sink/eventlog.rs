//! The Event Log sink (Windows): each alert as one event in the Application log, and the
//! registration of event sources that `v6sentinel service install` does.
//!
//! # What an event holds
//! The event's one insertion string is the alert's `v6sentinel.alert/1` JSON line, as
//! the other sinks write it, with every `%` written `\u0025` (the same JSON; Event
//! Viewer would otherwise read a `%%n` inside a vendor or domain name as a parameter to
//! look up). Its type follows the alert's severity ([`event_type`]): critical → Error,
//! warning → Warning, resolved and info → Information. Its ID says what happened
//! ([`event_id`], the table in [`ids`]), so that a Task Scheduler trigger or a filter
//! in Event Viewer can pick, say, event 101 ("a device started handing out IPv6").
//!
//! # The message file
//! Event Viewer formats an event with the message of its ID from the source's
//! `EventMessageFile`. v6sentinel ships no message DLL; its sources name Windows' own
//! `%SystemRoot%\System32\EventCreate.exe`, whose message table has the text `%1` (the
//! first insertion string, verbatim) for every ID from 1 to 1000 — that is how
//! `eventcreate /id N /d TEXT` shows any text under any ID in that range. So every ID
//! here lies in 1–1000 and the event's description is exactly the JSON line. The same
//! registration is what `eventcreate /so NAME` writes for a new source and what Go's
//! `golang.org/x/sys/windows/svc/eventlog.InstallAsEventCreate` does: `EventMessageFile`
//! (REG_EXPAND_SZ), `TypesSupported` = 7 (error, warning, information), `CustomSource`
//! = 1, under `HKLM\SYSTEM\CurrentControlSet\Services\EventLog\Application\SOURCE`.
//!
//! # Running
//! Like the stdout and file sinks, the sink is a thread draining its own queue:
//! `ReportEventW` is a blocking call into the event log service. A failed report is
//! retried once on a freshly registered handle a second later, then the alert is
//! dropped (counted) so that it does not hold back those after it.
//!
//! The pure parts (IDs, types, the text) are compiled everywhere and tested on Linux;
//! the Win32 calls are `cfg(windows)`. Besides the AF_PACKET capture, the IP Helper host
//! source and the Npcap check, the one module with `unsafe`: each block is one
//! documented advapi32 call, with its SAFETY note.
#![allow(unsafe_code)]

use super::AlertSeverity;

/// The event source of `type = "eventlog"` without `source`, and of the service's own
/// events.
pub const DEFAULT_SOURCE: &str = "v6sentinel";

/// The message file registered for every source (see the module documentation).
pub const MESSAGE_FILE: &str = r"%SystemRoot%\System32\EventCreate.exe";

/// The registry key under `HKEY_LOCAL_MACHINE` that holds the Application log's sources.
pub const APPLICATION_KEY: &str = r"SYSTEM\CurrentControlSet\Services\EventLog\Application";

/// The longest insertion string `ReportEventW` takes, in UTF-16 code units ("each
/// string is limited to 31,839 characters", the function's documentation).
pub const MAX_TEXT: usize = 31_839;

/// Event types (winnt.h; `wType` of `ReportEventW`).
pub mod types {
    /// `EVENTLOG_ERROR_TYPE`.
    pub const ERROR: u16 = 0x0001;
    /// `EVENTLOG_WARNING_TYPE`.
    pub const WARNING: u16 = 0x0002;
    /// `EVENTLOG_INFORMATION_TYPE`.
    pub const INFORMATION: u16 = 0x0004;
}

#[cfg(windows)]
const _: () = {
    use windows_sys::Win32::System::EventLog as el;
    assert!(types::ERROR == el::EVENTLOG_ERROR_TYPE);
    assert!(types::WARNING == el::EVENTLOG_WARNING_TYPE);
    assert!(types::INFORMATION == el::EVENTLOG_INFORMATION_TYPE);
};

/// The event IDs. All lie in 1–1000, the range `EventCreate.exe`'s message table
/// covers. Tens name the subject (0: the service itself, 100: a source, 200: a
/// flood), units the event.
pub mod ids {
    /// The service started watching (information).
    pub const SERVICE_STARTED: u32 = 1;
    /// The service stopped after flushing its sinks (information).
    pub const SERVICE_STOPPED: u32 = 2;
    /// The service could not start: the configuration is wrong (error; the text is
    /// `FILE:LINE:COLUMN: what is wrong`). Exit code 78.
    pub const SERVICE_CONFIG_ERROR: u32 = 3;
    /// The service stopped on another error, e.g. it cannot capture (error).
    pub const SERVICE_FAILED: u32 = 4;
    /// An alert whose kind or event is not one of the below (not emitted today).
    pub const ALERT_OTHER: u32 = 100;
    /// A device started handing out IPv6 configuration (`kind: source`, `raised`).
    pub const SOURCE_RAISED: u32 = 101;
    /// What it hands out or its severity changed (`updated`).
    pub const SOURCE_UPDATED: u32 = 102;
    /// It stopped (`resolved`).
    pub const SOURCE_RESOLVED: u32 = 103;
    /// Router Advertisements from very many senders (`kind: flood`, `raised`).
    pub const FLOOD_RAISED: u32 = 201;
    /// The flood changed (`updated`).
    pub const FLOOD_UPDATED: u32 = 202;
    /// The flood is over (`resolved`).
    pub const FLOOD_RESOLVED: u32 = 203;
}

/// The event type of an alert: critical → Error, warning → Warning, resolved and info →
/// Information.
pub const fn event_type(severity: AlertSeverity) -> u16 {
    match severity {
        AlertSeverity::Critical => types::ERROR,
        AlertSeverity::Warning => types::WARNING,
        AlertSeverity::Resolved | AlertSeverity::Info => types::INFORMATION,
    }
}

/// The event ID of an alert line, from its `kind` and `event` ([`ids`]).
pub fn event_id(line: &str) -> u32 {
    #[derive(serde::Deserialize)]
    struct Head {
        kind: Option<String>,
        event: Option<String>,
    }
    let Ok(head) = serde_json::from_str::<Head>(line) else {
        return ids::ALERT_OTHER;
    };
    let base = match head.kind.as_deref() {
        Some("source") => 100,
        Some("flood") => 200,
        _ => return ids::ALERT_OTHER,
    };
    match head.event.as_deref() {
        Some("raised") => base + 1,
        Some("updated") => base + 2,
        Some("resolved") => base + 3,
        _ => ids::ALERT_OTHER,
    }
}

/// The event's insertion string: the line with `%` as `\u0025` (legal only inside JSON
/// strings, where the escape means the same character), cut to [`MAX_TEXT`] UTF-16
/// units with a note saying so when longer (the JSON is then incomplete; the other
/// sinks have it whole).
pub fn event_text(line: &str) -> String {
    let text = line.replace('%', "\\u0025");
    let units = text.encode_utf16().count();
    if units <= MAX_TEXT {
        return text;
    }
    let note = format!(" [v6sentinel: alert cut from {units} to {MAX_TEXT} characters]");
    let room = MAX_TEXT - note.encode_utf16().count();
    let mut kept = String::with_capacity(room);
    let mut used = 0;
    for c in text.chars() {
        used += c.len_utf16();
        if used > room {
            break;
        }
        kept.push(c);
    }
    kept.push_str(&note);
    kept
}

#[cfg(windows)]
pub(crate) use win::spawn;
#[cfg(windows)]
pub use win::{
    EventSource, StderrLog, deregister_source, is_registered, log_stderr_to, register_source,
};

#[cfg(windows)]
mod win {
    use super::{APPLICATION_KEY, event_id, event_text, event_type};
    use crate::sink::{Counters, Done, Msg, SinkError, Streak};
    use core::ptr::{null, null_mut};
    use std::io;
    use std::sync::Arc;
    use std::sync::atomic::Ordering;
    use std::time::Duration;
    use tokio::sync::mpsc;
    use windows_sys::Win32::Foundation::{ERROR_FILE_NOT_FOUND, HANDLE, WIN32_ERROR};
    use windows_sys::Win32::System::Console::{STD_ERROR_HANDLE, SetStdHandle};
    use windows_sys::Win32::System::EventLog::{
        DeregisterEventSource, RegisterEventSourceW, ReportEventW,
    };
    use windows_sys::Win32::System::Registry::{
        HKEY, HKEY_LOCAL_MACHINE, KEY_QUERY_VALUE, KEY_SET_VALUE, REG_CREATED_NEW_KEY, REG_DWORD,
        REG_EXPAND_SZ, REG_OPTION_NON_VOLATILE, RegCloseKey, RegCreateKeyExW, RegDeleteKeyW,
        RegOpenKeyExW, RegSetValueExW,
    };

    /// How long the worker waits before retrying a report that failed.
    const RETRY_AFTER: Duration = Duration::from_secs(1);

    /// `TypesSupported`: error, warning and information.
    const TYPES_SUPPORTED: u32 = 0x7;

    /// A NUL-terminated UTF-16 copy of `s`.
    fn wide(s: &str) -> Vec<u16> {
        s.encode_utf16().chain(core::iter::once(0)).collect()
    }

    fn check(rc: WIN32_ERROR) -> io::Result<()> {
        if rc == 0 {
            Ok(())
        } else {
            Err(io::Error::from_raw_os_error(rc as i32))
        }
    }

    /// A registered event source: the handle `ReportEventW` writes through.
    #[derive(Debug)]
    pub struct EventSource {
        handle: HANDLE,
    }

    // SAFETY: an event log handle is not tied to the thread that opened it (advapi32
    // serialises the calls on it), and `EventSource` owns it alone: it is moved to the
    // sink's thread, never shared.
    unsafe impl Send for EventSource {}

    impl EventSource {
        /// Opens `source` on the local computer (`RegisterEventSourceW`). Works whether
        /// or not the source is registered; an unregistered one shows in Event Viewer
        /// without its description ([`is_registered`]).
        pub fn open(source: &str) -> io::Result<EventSource> {
            let name = wide(source);
            // SAFETY: a null server name means the local computer; `name` is
            // NUL-terminated and outlives the call.
            let handle = unsafe { RegisterEventSourceW(null(), name.as_ptr()) };
            if handle.is_null() {
                return Err(io::Error::last_os_error());
            }
            Ok(EventSource { handle })
        }

        /// Writes one event of type `kind` ([`super::types`]) and ID `id` whose one
        /// insertion string is `text` (at most [`super::MAX_TEXT`] UTF-16 units).
        pub fn report(&self, kind: u16, id: u32, text: &str) -> io::Result<()> {
            let text = wide(text);
            let strings = [text.as_ptr()];
            // SAFETY: `handle` came from RegisterEventSourceW and is deregistered only in
            // Drop; `strings` is an array of one pointer to a NUL-terminated string, both
            // alive for the call; no user SID (null) and no raw data (size 0, null).
            let ok = unsafe {
                ReportEventW(
                    self.handle,
                    kind,
                    0,
                    id,
                    null_mut(),
                    1,
                    0,
                    strings.as_ptr(),
                    null(),
                )
            };
            if ok == 0 {
                Err(io::Error::last_os_error())
            } else {
                Ok(())
            }
        }
    }

    impl Drop for EventSource {
        fn drop(&mut self) {
            // SAFETY: the handle came from RegisterEventSourceW and is closed once, here.
            unsafe { DeregisterEventSource(self.handle) };
        }
    }

    /// An open registry key, closed on drop.
    struct Key(HKEY);

    impl Drop for Key {
        fn drop(&mut self) {
            // SAFETY: the key was opened by RegCreateKeyExW or RegOpenKeyExW and is
            // closed once, here.
            unsafe { RegCloseKey(self.0) };
        }
    }

    impl Key {
        fn set(&self, name: &str, kind: u32, data: &[u8]) -> io::Result<()> {
            let name = wide(name);
            let len = u32::try_from(data.len())
                .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "value too large"))?;
            // SAFETY: an open key with KEY_SET_VALUE; `name` is NUL-terminated; `data`
            // is `len` readable bytes; all outlive the call.
            check(unsafe { RegSetValueExW(self.0, name.as_ptr(), 0, kind, data.as_ptr(), len) })
        }

        fn set_expand_sz(&self, name: &str, value: &str) -> io::Result<()> {
            // The terminating NUL is part of the data (RegSetValueExW's documentation).
            let bytes: Vec<u8> = wide(value).iter().flat_map(|u| u.to_le_bytes()).collect();
            self.set(name, REG_EXPAND_SZ, &bytes)
        }

        fn set_dword(&self, name: &str, value: u32) -> io::Result<()> {
            self.set(name, REG_DWORD, &value.to_le_bytes())
        }
    }

    fn source_key(source: &str) -> io::Result<Vec<u16>> {
        crate::sink::config::check_event_source(source)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
        Ok(wide(&format!(r"{APPLICATION_KEY}\{source}")))
    }

    /// Registers `source` in the Application log with the EventCreate.exe message file
    /// (see the module documentation); an existing registration is overwritten with
    /// these values. Needs an administrator. Returns whether the key was new.
    pub fn register_source(source: &str) -> io::Result<bool> {
        let path = source_key(source)?;
        let mut key: HKEY = null_mut();
        let mut disposition = 0u32;
        // SAFETY: HKEY_LOCAL_MACHINE is a predefined key; `path` is NUL-terminated; no
        // class, default security; `key` and `disposition` are written by the call.
        check(unsafe {
            RegCreateKeyExW(
                HKEY_LOCAL_MACHINE,
                path.as_ptr(),
                0,
                null(),
                REG_OPTION_NON_VOLATILE,
                KEY_SET_VALUE,
                null(),
                &mut key,
                &mut disposition,
            )
        })?;
        let key = Key(key);
        key.set_expand_sz("EventMessageFile", super::MESSAGE_FILE)?;
        key.set_dword("TypesSupported", TYPES_SUPPORTED)?;
        key.set_dword("CustomSource", 1)?;
        Ok(disposition == REG_CREATED_NEW_KEY)
    }

    /// Removes the registration of `source`. Returns whether there was one. Events
    /// already written stay in the log (Event Viewer then shows them without their
    /// description).
    pub fn deregister_source(source: &str) -> io::Result<bool> {
        let path = source_key(source)?;
        // SAFETY: a predefined key and a NUL-terminated path that outlives the call.
        match unsafe { RegDeleteKeyW(HKEY_LOCAL_MACHINE, path.as_ptr()) } {
            0 => Ok(true),
            ERROR_FILE_NOT_FOUND => Ok(false),
            rc => Err(io::Error::from_raw_os_error(rc as i32)),
        }
    }

    /// Whether `source` is registered in the Application log.
    pub fn is_registered(source: &str) -> bool {
        let Ok(path) = source_key(source) else {
            return false;
        };
        let mut key: HKEY = null_mut();
        // SAFETY: a predefined key, a NUL-terminated path; `key` is written on success
        // and then closed by `Key`.
        let rc = unsafe {
            RegOpenKeyExW(
                HKEY_LOCAL_MACHINE,
                path.as_ptr(),
                0,
                KEY_QUERY_VALUE,
                &mut key,
            )
        };
        if rc == 0 {
            drop(Key(key));
            true
        } else {
            false
        }
    }

    /// Sends what the process writes to standard error from now on to the end of `path`,
    /// each line prefixed with its UTC time: under the service manager standard error
    /// goes nowhere, and the service's warnings (a failed reload, a lost capture, a sink
    /// that cannot deliver) must be found somewhere. Standard error becomes a pipe that a
    /// thread drains into the file; the thread never stops reading, so a write to
    /// standard error never blocks on it for long nor fails, even when the file cannot
    /// be written (those lines are lost). Call [`StderrLog::flush`] before the process
    /// exits, or its last lines may not reach the file.
    pub fn log_stderr_to(path: &std::path::Path) -> io::Result<StderrLog> {
        use std::io::{BufRead, Write};
        use std::os::windows::io::{FromRawHandle, RawHandle};
        use windows_sys::Win32::System::Pipes::CreatePipe;
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(path)?;
        // (`std::io::pipe` would do, but it is newer than the crate's rust-version.)
        let (mut read, mut write): (HANDLE, HANDLE) = (null_mut(), null_mut());
        // SAFETY: the two out-pointers are written on success; default security (the
        // handles are not inherited by child processes) and the default buffer size.
        if unsafe { CreatePipe(&mut read, &mut write, null(), 0) } == 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `read` was just created and is owned by nothing else; the File closes
        // it.
        let reader = unsafe { std::fs::File::from_raw_handle(read as RawHandle) };
        let (flushed_tx, flushed_rx) = std::sync::mpsc::channel();
        std::thread::Builder::new()
            .name("v6s-stderr".to_owned())
            .spawn(move || {
                let mut lines = io::BufReader::new(reader);
                let mut line = Vec::new();
                loop {
                    line.clear();
                    match lines.read_until(b'\n', &mut line) {
                        Ok(0) | Err(_) => return,
                        Ok(_) => {}
                    }
                    if line.strip_suffix(b"\n") == Some(FLUSH_MARK.as_bytes()) {
                        let _ = file.flush();
                        let _ = flushed_tx.send(());
                        continue;
                    }
                    let time = crate::sink::syslog::rfc3339_micros(std::time::SystemTime::now());
                    let mut out = Vec::with_capacity(time.len() + 1 + line.len() + 1);
                    out.extend_from_slice(time.as_bytes());
                    out.push(b' ');
                    out.extend_from_slice(&line);
                    if !out.ends_with(b"\n") {
                        out.push(b'\n');
                    }
                    let _ = file.write_all(&out);
                }
            })?;
        // SAFETY: `write` is the open write end of the pipe, never closed: it is standard
        // error for the rest of the process's life.
        if unsafe { SetStdHandle(STD_ERROR_HANDLE, write) } == 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(StderrLog {
            flushed: std::sync::Mutex::new(flushed_rx),
        })
    }

    /// A line [`StderrLog::flush`] writes and the logging thread answers instead of
    /// logging it (a NUL cannot appear in the service's own messages).
    const FLUSH_MARK: &str = "\0v6sentinel-flush";

    /// Standard error going to a file ([`log_stderr_to`]).
    #[derive(Debug)]
    pub struct StderrLog {
        flushed: std::sync::Mutex<std::sync::mpsc::Receiver<()>>,
    }

    impl StderrLog {
        /// Waits, at most `timeout`, until every line written to standard error so far
        /// is in the file.
        pub fn flush(&self, timeout: Duration) {
            eprintln!("{FLUSH_MARK}");
            if let Ok(rx) = self.flushed.lock() {
                let _ = rx.recv_timeout(timeout);
            }
        }
    }

    /// Opens `source` and starts the sink's thread.
    pub(crate) fn spawn(
        name: &Arc<str>,
        source: &str,
        rx: mpsc::Receiver<Msg>,
        counters: &Arc<Counters>,
        done: Done,
    ) -> Result<(), SinkError> {
        let handle = EventSource::open(source).map_err(|error| SinkError::EventSource {
            sink: name.to_string(),
            error,
        })?;
        if !is_registered(source) {
            eprintln!(
                "v6sentinel: warning: sink {name}: the event source {source:?} is not \
                 registered, so Event Viewer will show its events without their text; \
                 `v6sentinel service install` registers the sources of its configuration"
            );
        }
        let thread_name = name.clone();
        let counters = counters.clone();
        let source = source.to_owned();
        std::thread::Builder::new()
            .name("v6s-sink-eventlog".to_owned())
            .spawn(move || {
                let _done = done;
                run(&thread_name, &source, handle, rx, &counters);
            })
            .map(drop)
            .map_err(|error| SinkError::Thread {
                sink: name.to_string(),
                source: error,
            })
    }

    /// The sink's thread: reports every alert until the queue is closed.
    fn run(
        name: &str,
        source: &str,
        mut handle: EventSource,
        mut rx: mpsc::Receiver<Msg>,
        counters: &Counters,
    ) {
        let mut streak = Streak::default();
        while let Some(msg) = rx.blocking_recv() {
            counters.note_dequeued(name, rx.is_empty());
            let Msg::Alert(alert) = msg else { continue };
            let (kind, id) = (event_type(alert.severity), event_id(&alert.line));
            let text = event_text(&alert.line);
            let mut result = handle.report(kind, id, &text);
            if let Err(e) = &result {
                counters.failed.fetch_add(1, Ordering::Relaxed);
                streak.failed(name, e);
                std::thread::sleep(RETRY_AFTER);
                if let Ok(fresh) = EventSource::open(source) {
                    handle = fresh;
                }
                result = handle.report(kind, id, &text);
            }
            match result {
                Ok(()) => {
                    counters.delivered.fetch_add(1, Ordering::Relaxed);
                    streak.succeeded(name);
                }
                Err(e) => {
                    counters.failed.fetch_add(1, Ordering::Relaxed);
                    counters.dropped.fetch_add(1, Ordering::Relaxed);
                    streak.failed(name, &e);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severities_map_to_event_types() {
        assert_eq!(event_type(AlertSeverity::Critical), types::ERROR);
        assert_eq!(event_type(AlertSeverity::Warning), types::WARNING);
        assert_eq!(event_type(AlertSeverity::Resolved), types::INFORMATION);
        assert_eq!(event_type(AlertSeverity::Info), types::INFORMATION);
    }

    #[test]
    fn ids_follow_kind_and_event() {
        let line = |kind: &str, event: &str| {
            format!(
                r#"{{"schema":"v6sentinel.alert/1","time":"2026-05-01T00:00:00.000000Z","event":"{event}","kind":"{kind}","id":"x"}}"#
            )
        };
        assert_eq!(event_id(&line("source", "raised")), ids::SOURCE_RAISED);
        assert_eq!(event_id(&line("source", "updated")), ids::SOURCE_UPDATED);
        assert_eq!(event_id(&line("source", "resolved")), ids::SOURCE_RESOLVED);
        assert_eq!(event_id(&line("flood", "raised")), ids::FLOOD_RAISED);
        assert_eq!(event_id(&line("flood", "updated")), ids::FLOOD_UPDATED);
        assert_eq!(event_id(&line("flood", "resolved")), ids::FLOOD_RESOLVED);
        assert_eq!(event_id(&line("meteor", "raised")), ids::ALERT_OTHER);
        assert_eq!(event_id(&line("source", "exploded")), ids::ALERT_OTHER);
        assert_eq!(event_id("not json"), ids::ALERT_OTHER);
        // EventCreate.exe's message table covers 1–1000.
        for id in [
            ids::SERVICE_STARTED,
            ids::SERVICE_STOPPED,
            ids::SERVICE_CONFIG_ERROR,
            ids::SERVICE_FAILED,
            ids::ALERT_OTHER,
            ids::SOURCE_RAISED,
            ids::SOURCE_UPDATED,
            ids::SOURCE_RESOLVED,
            ids::FLOOD_RAISED,
            ids::FLOOD_UPDATED,
            ids::FLOOD_RESOLVED,
        ] {
            assert!((1..=1000).contains(&id), "{id}");
        }
    }

    #[test]
    fn percent_signs_are_escaped_and_the_json_is_the_same() {
        let line = r#"{"dnssl":["%%1.example","100%"],"n":1}"#;
        let text = event_text(line);
        assert!(!text.contains('%'), "{text}");
        let a: serde_json::Value = serde_json::from_str(line).unwrap();
        let b: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(a, b);
        assert_eq!(event_text("{\"a\":\"端末\"}"), "{\"a\":\"端末\"}");
    }

    #[test]
    fn long_alerts_are_cut_to_the_limit_with_a_note() {
        let line = format!("{{\"x\":\"{}\"}}", "端".repeat(40_000));
        let text = event_text(&line);
        assert!(text.encode_utf16().count() <= MAX_TEXT);
        assert!(text.encode_utf16().count() > MAX_TEXT - 100);
        assert!(text.ends_with(&format!("cut from 40008 to {MAX_TEXT} characters]")));
        // A character outside the BMP (two UTF-16 units) is never split.
        let line = "😀".repeat(MAX_TEXT);
        let text = event_text(&line);
        assert!(text.encode_utf16().count() <= MAX_TEXT);
        assert!(text.starts_with('😀'));
        let exact = "a".repeat(MAX_TEXT);
        assert_eq!(event_text(&exact), exact);
    }
}
