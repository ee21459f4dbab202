//! The stdout and file sinks: each alert as one line, written and flushed before the
//! sink waits for the next.
//!
//! Each runs on its own thread because their writes block: a pipe nobody reads or a
//! hung NFS mount would otherwise stall the (single-threaded) runtime that captures
//! frames. A write that fails is not retried (the alert is counted as failed and
//! dropped): a full disk must not hold back the alerts after it.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
#[cfg(unix)]
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::mpsc;

use super::{Counters, Msg, Streak};

/// Where a stream sink writes.
pub(crate) enum Output {
    /// The process's standard output.
    Stdout,
    /// A file opened for appending; `None` after a failed write or reopen, opened again
    /// at the next alert.
    File {
        path: PathBuf,
        file: Option<File>,
        /// Set by [`super::Sinks::reopen`]; checked before every write, so a reopen is
        /// not lost when the queue is too full to carry its wake-up message.
        reopen: Arc<AtomicBool>,
    },
    /// Any writer, for tests (a socket whose peer is gone stands in for a closed stdout).
    #[cfg(all(test, unix))]
    Writer(Box<dyn Write + Send>),
}

/// Opens `path` for appending, creating it (mode 0640: alerts name devices on the LAN).
pub(crate) fn open_append(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.append(true).create(true);
    #[cfg(unix)]
    options.mode(0o640);
    options.open(path)
}

/// What a failed write means for the sink.
enum WriteError {
    /// Standard output is closed for good (EPIPE): disable the sink.
    Closed,
    /// This alert is lost; the next one is tried.
    Failed(io::Error),
}

impl Output {
    fn write_line(&mut self, line: &str) -> Result<(), WriteError> {
        // One buffer, one write: an O_APPEND write of a whole line is not interleaved
        // with another writer's, and a partial line is never left behind on success.
        let mut buf = Vec::with_capacity(line.len() + 1);
        buf.extend_from_slice(line.as_bytes());
        buf.push(b'\n');
        match self {
            Output::Stdout => {
                let mut out = io::stdout().lock();
                out.write_all(&buf)
                    .and_then(|()| out.flush())
                    .map_err(classify_stdout)
            }
            Output::File { path, file, reopen } => {
                if reopen.swap(false, Ordering::Relaxed) {
                    *file = None;
                }
                let f = match file {
                    Some(f) => f,
                    None => file.insert(open_append(path).map_err(WriteError::Failed)?),
                };
                f.write_all(&buf).map_err(|e| {
                    *file = None;
                    WriteError::Failed(e)
                })
            }
            #[cfg(all(test, unix))]
            Output::Writer(w) => w
                .write_all(&buf)
                .and_then(|()| w.flush())
                .map_err(classify_stdout),
        }
    }

    /// Closes and reopens a file (after logrotate moved it). A failure is reported and
    /// the next alert tries again.
    fn reopen(&mut self, name: &str) {
        if let Output::File { path, file, reopen } = self {
            reopen.store(false, Ordering::Relaxed);
            *file = None;
            match open_append(path) {
                Ok(f) => *file = Some(f),
                Err(e) => eprintln!("v6sentinel: warning: sink {name}: reopening: {e}"),
            }
        }
    }

    fn finish(&mut self) {
        if let Output::File { file: Some(f), .. } = self {
            // Best effort: the lines are already written; this only hastens them to disk.
            let _ = f.sync_data();
        }
    }
}

fn classify_stdout(e: io::Error) -> WriteError {
    if e.kind() == io::ErrorKind::BrokenPipe {
        WriteError::Closed
    } else {
        WriteError::Failed(e)
    }
}

/// The sink's thread: writes every alert until the queue is closed, or until standard
/// output turns out to be closed (the sink then disables itself with one warning and
/// later alerts are counted as dropped).
pub(crate) fn run(name: &str, mut out: Output, mut rx: mpsc::Receiver<Msg>, counters: &Counters) {
    let mut streak = Streak::default();
    while let Some(msg) = rx.blocking_recv() {
        counters.note_dequeued(name, rx.is_empty());
        let alert = match msg {
            Msg::Alert(alert) => alert,
            Msg::Reopen => {
                out.reopen(name);
                continue;
            }
        };
        match out.write_line(&alert.line) {
            Ok(()) => {
                counters.delivered.fetch_add(1, Ordering::Relaxed);
                streak.succeeded(name);
            }
            Err(WriteError::Closed) => {
                counters.failed.fetch_add(1, Ordering::Relaxed);
                counters.dropped.fetch_add(1, Ordering::Relaxed);
                eprintln!(
                    "v6sentinel: warning: sink {name}: standard output is closed; \
                     this sink is disabled, the others go on"
                );
                // Dropping the receiver makes later sends fail fast (counted as dropped).
                rx.close();
                while rx.try_recv().is_ok() {
                    counters.dropped.fetch_add(1, Ordering::Relaxed);
                }
                return;
            }
            Err(WriteError::Failed(e)) => {
                counters.failed.fetch_add(1, Ordering::Relaxed);
                counters.dropped.fetch_add(1, Ordering::Relaxed);
                streak.failed(name, &e);
            }
        }
    }
    out.finish();
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use crate::sink::{Alert, AlertSeverity};
    use std::io::Read;
    use std::os::unix::net::UnixStream;

    fn alert(line: &str) -> Msg {
        Msg::Alert(Alert {
            line: line.into(),
            severity: AlertSeverity::Warning,
        })
    }

    #[test]
    fn lines_are_written_whole_with_newlines() {
        let (a, mut b) = UnixStream::pair().unwrap();
        let (tx, rx) = mpsc::channel(8);
        tx.try_send(alert("{\"n\":1}")).unwrap();
        tx.try_send(alert("{\"n\":2}")).unwrap();
        drop(tx);
        let counters = Counters::default();
        run("test", Output::Writer(Box::new(a)), rx, &counters);
        let mut got = String::new();
        b.read_to_string(&mut got).unwrap();
        assert_eq!(got, "{\"n\":1}\n{\"n\":2}\n");
        assert_eq!(counters.delivered.load(Ordering::Relaxed), 2);
    }

    #[test]
    fn a_closed_stdout_disables_the_sink_without_killing_anything() {
        let (a, b) = UnixStream::pair().unwrap();
        drop(b); // the reader went away: writes fail with EPIPE, like `v6sentinel watch | head`
        let (tx, rx) = mpsc::channel(8);
        for n in 0..3 {
            tx.try_send(alert(&format!("{{\"n\":{n}}}"))).unwrap();
        }
        let counters = Counters::default();
        run("stdout", Output::Writer(Box::new(a)), rx, &counters);
        assert_eq!(counters.delivered.load(Ordering::Relaxed), 0);
        assert_eq!(counters.failed.load(Ordering::Relaxed), 1);
        assert_eq!(counters.dropped.load(Ordering::Relaxed), 3);
        // The queue is closed: later sends fail at once instead of filling it.
        assert!(tx.try_send(alert("{}")).is_err());
    }

    #[test]
    fn a_file_is_reopened_at_its_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("alerts.jsonl");
        let reopen = Arc::new(AtomicBool::new(false));
        let mut out = Output::File {
            path: path.clone(),
            file: Some(open_append(&path).unwrap()),
            reopen: reopen.clone(),
        };
        out.write_line("one").ok().unwrap();
        std::fs::rename(&path, dir.path().join("alerts.jsonl.1")).unwrap();
        out.write_line("two").ok().unwrap(); // still the old file, as before SIGHUP
        reopen.store(true, Ordering::Relaxed);
        out.write_line("three").ok().unwrap();
        let old = std::fs::read_to_string(dir.path().join("alerts.jsonl.1")).unwrap();
        assert_eq!(old, "one\ntwo\n");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "three\n");
    }
}
