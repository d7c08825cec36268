//! Storage faults against the real binary (issue 17). A full disk: `--data-dir` on a small
//! tmpfs (or an ext4 loop file where tmpfs cannot be mounted) that a filler file fills; writes
//! must answer a clean 500 InternalServerException (no panic, no hang, the process lives on),
//! every acknowledged write must survive a SIGKILL and restart, and writes must succeed again
//! once the filler is deleted, without a restart. A read-only data directory (a read-only bind
//! mount; a chmod 0555 directory for a user that is not root): the server must refuse to start
//! with a message that says so.
//!
//! Mounting needs root: without it, the tests that need a mount print why they are skipped and
//! pass. Run: `cargo test -p timestream-local --test storage_faults -- --nocapture`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value;

const DB: &str = "faults_db";
const TABLE: &str = "faults_table";
const PER_REQUEST: usize = 25;
/// The user a root test runs the server as for the chmod case.
const NOBODY: u32 = 65534;

fn run(cmd: &mut Command) -> Result<(), String> {
    let out = cmd.output().map_err(|e| format!("{cmd:?}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{cmd:?}: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// A file system mounted for one test; unmounted (lazily) on drop.
struct Mount {
    path: PathBuf,
    _dir: tempfile::TempDir,
}

impl Mount {
    /// `mib` MiB of tmpfs, else of an ext4 loop file; `None` (printed) when neither mounts.
    fn small(test: &str, mib: u64) -> Option<Self> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mnt");
        std::fs::create_dir(&path).unwrap();
        let tmpfs = run(Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={mib}m"), "tmpfs"])
            .arg(&path));
        let Err(tmpfs_error) = tmpfs else {
            println!("{test}: --data-dir on a {mib} MiB tmpfs");
            return Some(Self { path, _dir: dir });
        };
        let image = dir.path().join("fs.img");
        let loop_file = std::fs::File::create(&image)
            .and_then(|f| f.set_len(mib << 20))
            .map_err(|e| e.to_string())
            .and_then(|()| run(Command::new("mkfs.ext4").arg("-q").arg(&image)))
            .and_then(|()| {
                run(Command::new("mount")
                    .arg("-o")
                    .arg("loop")
                    .arg(&image)
                    .arg(&path))
            });
        match loop_file {
            Ok(()) => {
                println!("{test}: --data-dir on a {mib} MiB ext4 loop file (tmpfs: {tmpfs_error})");
                Some(Self { path, _dir: dir })
            }
            Err(loop_error) => {
                println!(
                    "SKIPPED {test}: cannot mount a small file system (needs root): tmpfs: {tmpfs_error}; loop: {loop_error}"
                );
                None
            }
        }
    }

    /// `source` bind-mounted read-only at a new path; `None` (printed) when that fails.
    fn read_only_bind(test: &str, source: &Path) -> Option<Self> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ro");
        std::fs::create_dir(&path).unwrap();
        if let Err(e) = run(Command::new("mount").arg("--bind").arg(source).arg(&path)) {
            println!("SKIPPED {test}: cannot bind-mount (needs root): {e}");
            return None;
        }
        let mount = Self { path, _dir: dir };
        if let Err(e) = run(Command::new("mount")
            .args(["-o", "remount,ro,bind"])
            .arg(&mount.path))
        {
            println!("SKIPPED {test}: cannot remount read-only: {e}");
            return None;
        }
        Some(mount)
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = run(Command::new("umount").arg("-l").arg(&self.path));
    }
}

#[path = "support/aws_call.rs"]
mod aws_call;
#[path = "support/spawned.rs"]
mod spawned;

use aws_call::aws;

use spawned::{Spawned as Running, BIN};

/// Starts the binary on `data_dir`; `Err` with its exit status and stderr when it does not
/// come up.
fn spawn(data_dir: &Path, log: &Path) -> Result<Running, String> {
    spawn_as(Path::new(BIN), data_dir, log, None)
}

/// Starts `bin` on `data_dir` as `uid` if given (`bin` must be executable by that user), its
/// stderr into `log`.
fn spawn_as(bin: &Path, data_dir: &Path, log: &Path, uid: Option<u32>) -> Result<Running, String> {
    let mut cmd = spawned::command(&bin.to_string_lossy(), &["--auth", "off"]);
    cmd.arg("--data-dir")
        .arg(data_dir)
        .stderr(std::fs::File::create(log).unwrap());
    if let Some(uid) = uid {
        cmd.uid(uid).gid(uid);
    }
    Running::start(cmd).map_err(|status| {
        format!(
            "{status}: {}",
            std::fs::read_to_string(log).unwrap_or_default().trim()
        )
    })
}

async fn create_table(http: &reqwest::Client, url: &str) {
    let (status, text) = aws(
        http,
        url,
        "CreateDatabase",
        format!(r#"{{"DatabaseName":"{DB}"}}"#),
    )
    .await;
    assert_eq!(status, 200, "{text}");
    let (status, text) = aws(
        http,
        url,
        "CreateTable",
        format!(r#"{{"DatabaseName":"{DB}","TableName":"{TABLE}"}}"#),
    )
    .await;
    assert_eq!(status, 200, "{text}");
}

/// Request `n`: `PER_REQUEST` new records carrying `n` as their value.
async fn write(http: &reqwest::Client, url: &str, n: usize) -> (u16, String) {
    let now = chrono::Utc::now().timestamp_millis();
    let pad = "x".repeat(200);
    let records: Vec<String> = (0..PER_REQUEST)
        .map(|k| {
            let seq = n * PER_REQUEST + k;
            format!(
                r#"{{"Dimensions":[{{"Name":"seq","Value":"{seq}"}},{{"Name":"pad","Value":"{pad}"}}],"MeasureName":"v","MeasureValue":"{n}","MeasureValueType":"DOUBLE","Time":"{now}"}}"#
            )
        })
        .collect();
    aws(
        http,
        url,
        "WriteRecords",
        format!(
            r#"{{"DatabaseName":"{DB}","TableName":"{TABLE}","Records":[{}]}}"#,
            records.join(",")
        ),
    )
    .await
}

fn fill(path: &Path) -> u64 {
    let mut f = std::fs::File::create(path).unwrap();
    let chunk = vec![0xA5u8; 64 << 10];
    let mut written = 0;
    while let Ok(n @ 1..) = f.write(&chunk) {
        written += n as u64;
    }
    let _ = f.sync_all();
    written
}

/// seq → value, from the admin records endpoint.
async fn stored(http: &reqwest::Client, url: &str) -> BTreeMap<usize, f64> {
    let v: Value = http
        .get(format!(
            "{url}/_timestream_local/records?database={DB}&table={TABLE}"
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut out = BTreeMap::new();
    for r in v["records"].as_array().expect("records") {
        let seq = r["dimensions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d[0] == "seq")
            .and_then(|d| d[1].as_str())
            .unwrap()
            .parse()
            .unwrap();
        let value = r["measures"]["DOUBLE"].as_f64().unwrap();
        assert!(out.insert(seq, value).is_none(), "seq {seq} twice");
    }
    out
}

fn check(present: &BTreeMap<usize, f64>, acked: &BTreeSet<usize>, sent: usize) {
    for n in 0..sent {
        let found = (n * PER_REQUEST..(n + 1) * PER_REQUEST)
            .filter(|s| present.get(s) == Some(&(n as f64)))
            .count();
        if acked.contains(&n) {
            assert_eq!(found, PER_REQUEST, "acknowledged request {n} lost records");
        } else {
            assert!(
                found == 0 || found == PER_REQUEST,
                "request {n} partly stored ({found} records)"
            );
        }
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn a_full_disk_answers_500_loses_nothing_and_recovers_without_a_restart() {
    let Some(mount) = Mount::small("full disk", 4) else {
        return;
    };
    let logs = tempfile::tempdir().unwrap();
    let log = logs.path().join("server.log");
    let data = mount.path.join("data");
    let filler = mount.path.join("filler");
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let rt = runtime();
    let mut server = spawn(&data, &log).unwrap();
    let (mut acked, mut sent) = (BTreeSet::new(), 0);
    rt.block_on(async {
        create_table(&http, &server.url).await;
        for _ in 0..8 {
            let (status, text) = write(&http, &server.url, sent).await;
            assert_eq!(status, 200, "{text}");
            acked.insert(sent);
            sent += 1;
        }
        let filled = fill(&filler);

        let t = Instant::now();
        let mut refused = 0;
        while refused < 10 && sent < 2000 {
            let n = sent;
            sent += 1;
            match write(&http, &server.url, n).await {
                (200, _) => {
                    acked.insert(n);
                }
                (status, text) => {
                    refused += 1;
                    assert_eq!(status, 500, "{text}");
                    let body: Value = serde_json::from_str(&text).expect("a JSON error body");
                    assert!(
                        body["__type"]
                            .as_str()
                            .is_some_and(|t| t.ends_with("InternalServerException")),
                        "{text}"
                    );
                }
            }
        }
        println!(
            "filled {filled} bytes; {} requests acknowledged, {refused} answered 500 in {:?}",
            acked.len(),
            t.elapsed()
        );
        assert_eq!(refused, 10, "writes kept succeeding on a full disk");
        assert!(
            server.child.try_wait().unwrap().is_none(),
            "the server died"
        );

        // Space returns: writes succeed again, same process.
        std::fs::remove_file(&filler).unwrap();
        for _ in 0..4 {
            let (status, text) = write(&http, &server.url, sent).await;
            assert_eq!(status, 200, "after the filler is gone: {text}");
            acked.insert(sent);
            sent += 1;
        }
        check(&stored(&http, &server.url).await, &acked, sent);
    });
    let log_text = std::fs::read_to_string(&log).unwrap_or_default();
    let warned = |what: &str| {
        log_text
            .lines()
            .filter(|l| l.contains("WARN") && l.contains(what))
            .count()
    };
    println!(
        "server log: {} lines; {} WARN 'write transaction failed', {} WARN 'checkpoint failed'",
        log_text.lines().count(),
        warned("write transaction failed"),
        warned("checkpoint failed")
    );
    for line in log_text.lines().take(20) {
        println!("  | {line}");
    }
    assert!(
        log_text.lines().all(|l| !l.contains("panicked")),
        "{log_text}"
    );
    assert!(
        warned("write transaction failed") <= 2,
        "a lasting failure is logged once, not per request:\n{log_text}"
    );

    // SIGKILL, restart on the same directory: every acknowledged request is there.
    drop(server);
    server = spawn(&data, &log).unwrap();
    rt.block_on(async {
        let present = stored(&http, &server.url).await;
        check(&present, &acked, sent);
        println!(
            "after SIGKILL and restart: {} records, {} acknowledged requests all present",
            present.len(),
            acked.len()
        );
    });
}

#[test]
fn a_read_only_data_dir_stops_the_server_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let log = dir.path().join("server.log");
    {
        let server = spawn(&data, &log).unwrap();
        let http = reqwest::Client::new();
        runtime().block_on(create_table(&http, &server.url));
    }
    let Some(ro) = Mount::read_only_bind("read-only bind mount", &data) else {
        return;
    };
    let err = spawn(&ro.path, &log)
        .err()
        .expect("the server refuses to start");
    println!("read-only bind mount: {err}");
    assert!(
        err.contains(&format!(
            "the data directory {} is not writable: Read-only file system",
            ro.path.display()
        )),
        "{err}"
    );
}

#[test]
fn a_chmod_0555_data_dir_stops_the_server_with_a_clear_message() {
    // Root ignores permission bits: as root, run the server as nobody.
    let as_root = std::fs::metadata("/proc/self")
        .map(|m| m.uid() == 0)
        .unwrap_or(false);
    let uid = as_root.then_some(NOBODY);
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    let log = dir.path().join("server.log");
    // The build's target dir may sit under a home only root can enter (it does in CI): run a
    // copy of the binary from the test's own directory.
    let bin = dir.path().join("timestream-local");
    std::fs::copy(BIN, &bin).unwrap();
    std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).unwrap();
    if let Some(uid) = uid {
        std::os::unix::fs::chown(&data, Some(uid), Some(uid)).unwrap();
        std::os::unix::fs::chown(dir.path(), Some(uid), Some(uid)).unwrap();
    }
    {
        let server = spawn_as(&bin, &data, &log, uid)
            .unwrap_or_else(|e| panic!("the server runs as uid {uid:?} on a writable dir: {e}"));
        let http = reqwest::Client::new();
        runtime().block_on(create_table(&http, &server.url));
    }
    for entry in std::fs::read_dir(&data).unwrap() {
        let path = entry.unwrap().path();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
    }
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o555)).unwrap();
    let err = spawn_as(&bin, &data, &log, uid)
        .err()
        .expect("the server refuses to start");
    println!("chmod 0555 (uid {uid:?}): {err}");
    assert!(
        err.contains(&format!(
            "the data directory {} is not writable: Permission denied",
            data.display()
        )),
        "{err}"
    );
}
