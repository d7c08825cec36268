//! Storage faults on a real file system (issue 17): a full disk and a read-only data directory.
//! The store lives on a small tmpfs (or, where tmpfs cannot be mounted, an ext4 loop file);
//! mounting needs root, and without it these tests print why they are skipped and pass.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use engine::{Engine, Error, HealthStatus};
use protocol::ErrorCode;

use crate::support::*;

/// A file system mounted for one test; unmounted (lazily) on drop.
struct Mount {
    path: PathBuf,
    _dir: tempfile::TempDir,
}

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

impl Mount {
    /// A file system of `mib` MiB: tmpfs, else an ext4 loop file; `None` (printed) when
    /// neither can be mounted here.
    fn small(test: &str, mib: u64) -> Option<Self> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mnt");
        std::fs::create_dir(&path).unwrap();
        let tmpfs = run(Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={mib}m"), "tmpfs"])
            .arg(&path));
        let Err(tmpfs_error) = tmpfs else {
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
            Ok(()) => Some(Self { path, _dir: dir }),
            Err(loop_error) => {
                println!(
                    "SKIPPED {test}: cannot mount a small file system (needs root): tmpfs: {tmpfs_error}; loop: {loop_error}"
                );
                None
            }
        }
    }

    /// `source` bind-mounted read-only at a new path.
    fn read_only_bind(test: &str, source: &Path) -> Option<Self> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ro");
        std::fs::create_dir(&path).unwrap();
        let bound = run(Command::new("mount").arg("--bind").arg(source).arg(&path));
        if let Err(e) = bound {
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

/// Fills the file system holding `path` with `path` until a write fails.
fn fill(path: &Path) -> u64 {
    let mut f = std::fs::File::create(path).unwrap();
    let chunk = vec![0xA5u8; 64 << 10];
    let mut written = 0;
    loop {
        match f.write(&chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => written += n as u64,
        }
    }
    let _ = f.sync_all();
    written
}

const PER_REQUEST: usize = 25;

/// Request `n`: `PER_REQUEST` new records, all carrying `n` as their value.
fn request(n: usize) -> Vec<protocol::shapes::Record> {
    (0..PER_REQUEST)
        .map(|k| {
            let seq = n * PER_REQUEST + k;
            let mut r = double(&format!("h{seq}"), "v", &n.to_string(), NOW_MS);
            r.dimensions.push(dim("pad", &"x".repeat(200)));
            r
        })
        .collect()
}

/// Every stored record by host, checked against what was acknowledged: each acknowledged
/// request entirely there with its value, every other request entirely there or absent.
fn check_against(e: &Engine, acked: &BTreeSet<usize>, sent: usize) {
    let mut present: BTreeMap<usize, f64> = BTreeMap::new();
    for r in scan(e, "t") {
        let host = &r.dimensions.iter().find(|(n, _)| n == "host").unwrap().1;
        let seq: usize = host[1..].parse().unwrap();
        let engine::Measures::Single(engine::Value::Double(v)) = r.measures else {
            panic!("unexpected measures {:?}", r.measures)
        };
        assert!(present.insert(seq, v).is_none(), "seq {seq} twice");
    }
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

async fn write_n(e: &Engine, n: usize) -> Result<(), Error> {
    tokio::time::timeout(Duration::from_secs(30), write(e, "t", request(n)))
        .await
        .expect("a write answers within 30 s, full disk or not")
        .map(|_| ())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_fails_writes_cleanly_loses_nothing_and_recovers() {
    let Some(mount) = Mount::small("full disk", 4) else {
        return;
    };
    let data = mount.path.join("data");
    let filler = mount.path.join("filler");
    let mut acked = BTreeSet::new();
    let mut sent = 0;
    {
        let e = engine_at(Some(&data));
        create(&e, "t", TableSpec::default());
        for _ in 0..4 {
            write_n(&e, sent).await.unwrap();
            acked.insert(sent);
            sent += 1;
        }
        // A reader's snapshot keeps the checkpointer from copying what is written after it,
        // so that once the disk is full, the checkpoint that follows has to grow the database
        // file, and fails.
        let reader = rusqlite::Connection::open(data.join("timestream-local.sqlite3")).unwrap();
        reader.execute_batch("BEGIN").unwrap();
        let _: i64 = reader
            .query_row("SELECT count(*) FROM records", [], |r| r.get(0))
            .unwrap();
        for _ in 0..8 {
            write_n(&e, sent).await.unwrap();
            acked.insert(sent);
            sent += 1;
        }
        let filled = fill(&filler);
        drop(reader);
        let checkpoint_failed = |e: &Engine| {
            e.health()
                .reasons
                .iter()
                .any(|r| r.starts_with("last checkpoint failed: "))
        };
        let deadline = Instant::now() + Duration::from_secs(5);
        while !checkpoint_failed(&e) && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        println!("after filling the disk: {:?}", e.health());
        assert!(checkpoint_failed(&e), "{:?}", e.health());

        // Until SQLite can no longer reuse WAL space it got before, writes may still commit.
        let t = Instant::now();
        let mut failures = 0;
        let mut disk_full_seen = false;
        while failures < 5 && sent < 2000 {
            let n = sent;
            sent += 1;
            match write_n(&e, n).await {
                Ok(()) => {
                    acked.insert(n);
                }
                Err(err) => {
                    failures += 1;
                    assert!(matches!(err, Error::NotCommitted(_)), "{err:?}");
                    let aws = err.to_aws();
                    assert_eq!(aws.code, ErrorCode::InternalServerException, "{aws:?}");
                    let health = e.health();
                    assert_eq!(health.status, HealthStatus::Degraded, "{health:?}");
                    disk_full_seen |= health.reasons.iter().any(|r| r.starts_with("disk full: "));
                }
            }
        }
        println!(
            "filled {filled} bytes; {} writes acknowledged, {failures} refused in {:?}; health: {:?}",
            acked.len(),
            t.elapsed(),
            e.health()
        );
        assert_eq!(failures, 5, "writes kept succeeding on a full disk");
        assert!(disk_full_seen, "health never said the disk is full");
        // Catalog writes fail as cleanly.
        let err = e
            .create_database(
                &scope(),
                protocol::operations::create_database::CreateDatabaseInput {
                    database_name: "other".into(),
                    kms_key_id: None,
                    tags: vec![],
                },
            )
            .unwrap_err();
        assert_eq!(err.to_aws().code, ErrorCode::InternalServerException);

        // Space returns: the next write commits, without a restart.
        std::fs::remove_file(&filler).unwrap();
        let n = sent;
        sent += 1;
        write_n(&e, n)
            .await
            .expect("writes succeed once space returns");
        acked.insert(n);
        for _ in 0..3 {
            write_n(&e, sent).await.unwrap();
            acked.insert(sent);
            sent += 1;
        }
        // The checkpointer catches up on its next rounds.
        let deadline = Instant::now() + Duration::from_secs(5);
        while !e.health().is_ok() && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(e.health().status, HealthStatus::Ok, "{:?}", e.health());
        check_against(&e, &acked, sent);
    }
    // Reopen and compare: nothing acknowledged is lost, nothing is half there.
    let e = engine_at(Some(&data));
    check_against(&e, &acked, sent);
    println!(
        "after reopening: {} records for {} acknowledged requests",
        scan(&e, "t").len(),
        acked.len()
    );
}

#[tokio::test]
async fn a_read_only_data_dir_fails_to_open_with_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    {
        let e = engine_at(Some(&data));
        create(&e, "t", TableSpec::default());
        write(&e, "t", vec![double("a", "cpu", "1", NOW_MS)])
            .await
            .unwrap();
    }
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    for (what, source) in [("an existing store", &data), ("an empty directory", &empty)] {
        let Some(ro) = Mount::read_only_bind("read-only data dir", source) else {
            return;
        };
        let err = Engine::open(Some(&ro.path), engine::Clock::default()).unwrap_err();
        let message = err.to_string();
        println!("{what}: {message}");
        assert!(matches!(err, Error::StoreUnavailable(_)), "{err:?}");
        assert!(
            message.starts_with(&format!(
                "the data directory {} is not writable: ",
                ro.path.display()
            )) && message.contains("Read-only file system"),
            "{message}"
        );
    }
    // The store itself is intact.
    let e = engine_at(Some(&data));
    assert_eq!(scan(&e, "t").len(), 1);
}
