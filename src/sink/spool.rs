//! The webhook's on-disk spool: one file per alert, so an alert survives an endpoint
//! that is down and a restart of the service.
//!
//! # Format
//! `SPOOL_DIR/NNNNNNNNNNNNNNNNNNNN.json`: the sequence number, zero-padded to 20 digits
//! (every `u64`), so the names sort in delivery order; the content is the alert's JSON
//! line without a newline. A file is written as `….json.tmp`, fsync'd, then renamed, so
//! a crash never leaves a half-written alert under a final name; the directory is
//! fsync'd once per batch of renames. Leftover `.tmp` files are removed at startup;
//! other names are left alone.
//!
//! [`SpoolDir`] does the file operations; [`SpoolQueue`] is the in-memory index of what
//! is spooled, in order, with the cap (drop the oldest) and the one alert being sent.

use std::collections::VecDeque;
#[cfg(unix)]
use std::fs::File;
use std::fs::{self, OpenOptions};
use std::io::{self, Write};
#[cfg(unix)]
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

const SUFFIX: &str = ".json";
const TMP_SUFFIX: &str = ".json.tmp";

/// A spool directory.
#[derive(Debug)]
pub(crate) struct SpoolDir {
    dir: PathBuf,
}

impl SpoolDir {
    /// Creates the directory if needed (mode 0700), removes unfinished `.tmp` files and
    /// returns the sequence numbers found, oldest first.
    pub(crate) fn open(dir: &Path) -> io::Result<(SpoolDir, Vec<u64>)> {
        SpoolDir::create(dir)?;
        let mut seqs = Vec::new();
        for entry in fs::read_dir(dir)? {
            let entry = entry?;
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            if let Some(stem) = name.strip_suffix(TMP_SUFFIX) {
                if parse_seq(stem).is_some() {
                    fs::remove_file(entry.path())?;
                }
            } else if let Some(seq) = name.strip_suffix(SUFFIX).and_then(parse_seq) {
                seqs.push(seq);
            }
        }
        seqs.sort_unstable();
        Ok((
            SpoolDir {
                dir: dir.to_path_buf(),
            },
            seqs,
        ))
    }

    /// Creates the directory and its parents if needed (mode 0700: alerts name devices).
    pub(crate) fn create(dir: &Path) -> io::Result<()> {
        let mut builder = fs::DirBuilder::new();
        builder.recursive(true);
        // On Windows the directory inherits %ProgramData%'s ACL (administrators and the
        // service account); the installer does not widen it.
        #[cfg(unix)]
        builder.mode(0o700);
        builder.create(dir)
    }

    /// The directory.
    pub(crate) fn path(&self) -> &Path {
        &self.dir
    }

    fn file(&self, seq: u64, suffix: &str) -> PathBuf {
        self.dir.join(format!("{seq:020}{suffix}"))
    }

    /// Writes one alert durably under its final name (the directory entry becomes
    /// durable at the next [`SpoolDir::sync`]).
    pub(crate) fn write(&self, seq: u64, line: &str) -> io::Result<()> {
        let tmp = self.file(seq, TMP_SUFFIX);
        let result = (|| {
            let mut options = OpenOptions::new();
            options.write(true).create(true).truncate(true);
            #[cfg(unix)]
            options.mode(0o600);
            let mut f = options.open(&tmp)?;
            f.write_all(line.as_bytes())?;
            f.sync_all()?;
            fs::rename(&tmp, self.file(seq, SUFFIX))
        })();
        if result.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        result
    }

    /// Makes the renames and removals so far durable. On Windows a directory cannot be
    /// opened for flushing; NTFS journals renames and removals itself, so this is a
    /// no-op there.
    pub(crate) fn sync(&self) -> io::Result<()> {
        #[cfg(unix)]
        File::open(&self.dir)?.sync_all()?;
        Ok(())
    }

    /// One spooled alert's JSON line.
    pub(crate) fn read(&self, seq: u64) -> io::Result<Vec<u8>> {
        fs::read(self.file(seq, SUFFIX))
    }

    /// Removes one alert; one already gone is not an error.
    pub(crate) fn remove(&self, seq: u64) -> io::Result<()> {
        match fs::remove_file(self.file(seq, SUFFIX)) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }
}

fn parse_seq(stem: &str) -> Option<u64> {
    if stem.len() == 20 && stem.bytes().all(|b| b.is_ascii_digit()) {
        stem.parse().ok()
    } else {
        None
    }
}

/// What is spooled, oldest first, at most `max` alerts waiting.
///
/// The alert being sent (the oldest, marked by [`SpoolQueue::begin`]) is not dropped
/// while its request is in flight, because the endpoint may be accepting it right now;
/// so during a request the spool holds at most `max` alerts besides it. If the request
/// fails, [`SpoolQueue::retry`] applies the cap to it too.
#[derive(Debug)]
pub(crate) struct SpoolQueue {
    seqs: VecDeque<u64>,
    max: usize,
    in_flight: bool,
}

impl SpoolQueue {
    /// A queue holding what a restart found (sorted). Returns the alerts past the cap,
    /// oldest first, for the caller to remove.
    pub(crate) fn new(max: usize, found: Vec<u64>) -> (SpoolQueue, Vec<u64>) {
        let mut q = SpoolQueue {
            seqs: found.into(),
            max: max.max(1),
            in_flight: false,
        };
        let dropped = q.enforce_cap();
        (q, dropped)
    }

    /// How many alerts are spooled, the one in flight included.
    pub(crate) fn len(&self) -> usize {
        self.seqs.len()
    }

    /// The sequence number after the newest spooled alert (where a restart goes on).
    pub(crate) fn next_seq(&self) -> u64 {
        self.seqs.back().map_or(1, |s| s.saturating_add(1))
    }

    /// Appends a newly spooled alert. Returns the alerts dropped to make room, oldest
    /// first.
    pub(crate) fn push(&mut self, seq: u64) -> Vec<u64> {
        self.seqs.push_back(seq);
        self.enforce_cap()
    }

    /// The oldest alert, now in flight; `None` when the spool is empty or a request is
    /// already in flight.
    pub(crate) fn begin(&mut self) -> Option<u64> {
        if self.in_flight {
            return None;
        }
        let seq = *self.seqs.front()?;
        self.in_flight = true;
        Some(seq)
    }

    /// The alert in flight is done with (delivered, or rejected for good): it leaves the
    /// spool.
    pub(crate) fn finish(&mut self) -> Option<u64> {
        if !self.in_flight {
            return None;
        }
        self.in_flight = false;
        self.seqs.pop_front()
    }

    /// The request failed and will be retried: the alert stays first unless the cap now
    /// drops it. Returns the alerts dropped, oldest first.
    pub(crate) fn retry(&mut self) -> Vec<u64> {
        self.in_flight = false;
        self.enforce_cap()
    }

    fn enforce_cap(&mut self) -> Vec<u64> {
        let exempt = usize::from(self.in_flight);
        let mut dropped = Vec::new();
        while self.seqs.len() - exempt > self.max {
            match self.seqs.remove(exempt) {
                Some(seq) => dropped.push(seq),
                None => break,
            }
        }
        dropped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_named_in_order_and_recovered_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let spool_path = dir.path().join("spool");
        let (spool, found) = SpoolDir::open(&spool_path).unwrap();
        assert!(found.is_empty());
        // Written out of order, and past 9 → 10 where a non-padded name would sort wrong.
        for seq in [10, 2, 9, 1, 100] {
            spool.write(seq, &format!("{{\"n\":{seq}}}")).unwrap();
        }
        spool.sync().unwrap();
        assert!(spool_path.join("00000000000000000010.json").exists());
        // A crash in the middle of a write, and a stranger's file.
        fs::write(spool_path.join("00000000000000000101.json.tmp"), "{\"n\":").unwrap();
        fs::write(spool_path.join("README"), "hands off").unwrap();

        let (spool, found) = SpoolDir::open(&spool_path).unwrap();
        assert_eq!(found, vec![1, 2, 9, 10, 100]);
        assert!(!spool_path.join("00000000000000000101.json.tmp").exists());
        assert!(spool_path.join("README").exists());
        assert_eq!(spool.read(9).unwrap(), b"{\"n\":9}");
        spool.remove(9).unwrap();
        spool.remove(9).unwrap(); // already gone: fine
        assert_eq!(SpoolDir::open(&spool_path).unwrap().1, vec![1, 2, 10, 100]);
    }

    #[test]
    fn the_queue_delivers_oldest_first() {
        let (mut q, dropped) = SpoolQueue::new(10, vec![3, 4]);
        assert!(dropped.is_empty());
        assert_eq!(q.next_seq(), 5);
        assert!(q.push(5).is_empty());
        assert_eq!(q.begin(), Some(3));
        assert_eq!(q.begin(), None, "one request at a time");
        assert!(q.retry().is_empty());
        assert_eq!(q.begin(), Some(3), "a failed alert is retried first");
        assert_eq!(q.finish(), Some(3));
        assert_eq!(q.begin(), Some(4));
        assert_eq!(q.finish(), Some(4));
        assert_eq!(q.begin(), Some(5));
        assert_eq!(q.finish(), Some(5));
        assert_eq!(q.begin(), None);
    }

    #[test]
    fn past_the_cap_the_oldest_are_dropped() {
        let (mut q, _) = SpoolQueue::new(3, vec![]);
        let mut dropped = Vec::new();
        for seq in 1..=7 {
            dropped.extend(q.push(seq));
        }
        assert_eq!(dropped, vec![1, 2, 3, 4]);
        assert_eq!(q.len(), 3);
        assert_eq!(q.begin(), Some(5));
    }

    #[test]
    fn the_alert_in_flight_is_not_dropped_until_its_request_fails() {
        let (mut q, _) = SpoolQueue::new(2, vec![1, 2]);
        assert_eq!(q.begin(), Some(1));
        // Two newer alerts while 1 is being sent: 2 goes, 1 stays in flight.
        assert_eq!(q.push(3), Vec::<u64>::new());
        assert_eq!(q.push(4), vec![2]);
        assert_eq!(q.len(), 3);
        // The request failed: now 1 is past the cap too.
        assert_eq!(q.retry(), vec![1]);
        assert_eq!(q.begin(), Some(3));
        // Had it succeeded instead, it would have left normally.
        assert_eq!(q.finish(), Some(3));
        assert_eq!(q.len(), 1);
    }

    #[test]
    fn a_restart_with_a_smaller_cap_keeps_the_newest() {
        let (mut q, dropped) = SpoolQueue::new(2, vec![7, 8, 9, 10]);
        assert_eq!(dropped, vec![7, 8]);
        assert_eq!(q.begin(), Some(9));
        assert_eq!(q.next_seq(), 11);
    }
}
