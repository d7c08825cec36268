//! The real `timestream-local` binary as a child process, for the tests and benchmarks that need
//! one of their own (crash, storage faults, query limits, the load generators): started on a free
//! port, its URL read from the one line it prints, its stdout drained so that it never writes
//! into a closed pipe, SIGKILLed on drop. Included with `#[path]` (each test and bench is its
//! own crate), so not every user calls every item.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub const BIN: &str = env!("CARGO_BIN_EXE_timestream-local");

pub struct Spawned {
    pub child: Child,
    pub url: String,
}

/// `bin` with `--port 0 --log-level warn` and `args`, stdout piped (stderr inherited unless the
/// caller redirects it).
pub fn command(bin: &str, args: &[&str]) -> Command {
    let mut cmd = Command::new(bin);
    cmd.args(["--port", "0", "--log-level", "warn"])
        .args(args)
        .stdout(Stdio::piped());
    cmd
}

impl Spawned {
    /// The server started by `cmd`; `Err` with its exit status when it prints no URL.
    pub fn start(mut cmd: Command) -> Result<Self, String> {
        let mut child = cmd.spawn().map_err(|e| format!("cannot spawn: {e}"))?;
        let mut out = BufReader::new(child.stdout.take().expect("stdout is piped"));
        let mut line = String::new();
        let _ = out.read_line(&mut line);
        let Some(url) = line.split_whitespace().find(|w| w.starts_with("http://")) else {
            let status = child.wait().map_err(|e| e.to_string())?;
            return Err(format!("{status}"));
        };
        let url = url.trim_end_matches('/').to_owned();
        std::thread::spawn(move || {
            let mut sink = Vec::new();
            let _ = out.read_to_end(&mut sink);
        });
        Ok(Self { child, url })
    }

    /// The binary under test with `args` (and `--port 0 --log-level warn`).
    pub fn with_args(args: &[&str]) -> Self {
        Self::start(command(BIN, args)).expect("the server starts")
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// CPU time (user + system) the server has used so far, from `/proc/<pid>/stat`.
    pub fn cpu_time(&self) -> Duration {
        cpu_time(self.pid())
    }

    /// The most memory the server has held so far (VmHWM of `/proc/<pid>/status`), in bytes.
    pub fn peak_rss(&self) -> u64 {
        let status =
            std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .map_or(0, |kib| kib * 1024)
    }
}

impl Drop for Spawned {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// CPU time (user + system) process `pid` (or `self`) has used so far.
pub fn cpu_time(pid: impl std::fmt::Display) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let ticks: u64 = rest
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|t| t.parse::<u64>().ok())
        .sum();
    // USER_HZ is 100 on every Linux this runs on.
    Duration::from_millis(ticks * 10)
}
