//! The server's memory during one phase of the bench: the kernel's peak resident set (VmHWM),
//! reset at the start of the phase, and a sample every 100 ms that says what the resident set
//! was made of at its highest (anonymous memory — the heap — or pages of mapped files, such as
//! the search index's segments, which the kernel may drop at will).

use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What `/proc/PID/status` says, in MB.
#[derive(Clone, Copy, Default, Debug)]
pub(super) struct Status {
    pub(super) rss: f64,
    pub(super) hwm: f64,
    pub(super) anon: f64,
    pub(super) file: f64,
}

pub(super) fn status(pid: u32) -> Status {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        text.lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    };
    Status { rss: field("VmRSS:"), hwm: field("VmHWM:"), anon: field("RssAnon:"), file: field("RssFile:") }
}

/// The CPU time the process has used so far (user and system), in seconds: `/proc/PID/stat`'s
/// utime and stime, in ticks of 1/100 s (Linux's `USER_HZ`).
pub(super) fn cpu_seconds(pid: u32) -> f64 {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // The command name, in parentheses, may hold spaces: the fields are counted after it.
    let fields: Vec<&str> = text.rsplit_once(')').map_or("", |(_, rest)| rest).split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok()).unwrap_or(0.0);
    // After the name: state (field 3) is index 0, utime (14) index 11, stime (15) index 12.
    (ticks(11) + ticks(12)) / 100.0
}

/// The peak of one phase.
#[derive(Clone, Copy, Default, Debug)]
pub(super) struct Peak {
    /// The kernel's peak resident set over the phase (VmHWM after a reset), in MB; when the
    /// reset is refused, the process's peak since it started.
    pub(super) hwm: f64,
    /// Whether `hwm` covers this phase only.
    pub(super) phase_only: bool,
    /// The highest sampled resident set and its parts.
    pub(super) sampled: Status,
}

impl Peak {
    pub(super) fn note(&self) -> String {
        format!(
            "{}at the highest sample {:.0} MB = heap {:.0} MB + mapped files {:.0} MB; target < 250 MB",
            if self.phase_only { "" } else { "since the server started; " },
            self.sampled.rss,
            self.sampled.anon,
            self.sampled.file
        )
    }
}

/// Watches a process from now until [`Watch::stop`].
pub(super) struct Watch {
    pid: u32,
    phase_only: bool,
    max: Arc<Mutex<Status>>,
    task: tokio::task::JoinHandle<()>,
}

impl Watch {
    pub(super) fn start(pid: u32) -> Watch {
        // "5" resets the peak resident set (Linux 4.0+, the process's owner).
        let phase_only = std::fs::write(format!("/proc/{pid}/clear_refs"), "5").is_ok();
        let max = Arc::new(Mutex::new(Status::default()));
        let m = max.clone();
        let task = tokio::spawn(async move {
            loop {
                let s = status(pid);
                {
                    let mut m = m.lock().unwrap();
                    if s.rss > m.rss {
                        *m = s;
                    }
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        });
        Watch { pid, phase_only, max, task }
    }

    pub(super) fn stop(self) -> Peak {
        self.task.abort();
        let now = status(self.pid);
        let sampled = *self.max.lock().unwrap();
        Peak { hwm: now.hwm.max(sampled.rss), phase_only: self.phase_only, sampled }
    }
}
