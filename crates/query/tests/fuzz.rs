//! Mutation fuzzing of the query front end, on stable Rust (issue 17): no panic may come out of
//! query text. Seeds are every statement of the `.slt` files plus a few hostile ones; each case
//! mutates a seed (insertions of keywords, punctuation and multi-byte characters, deletions,
//! duplications, splices with another seed, truncation) and runs it through a target:
//!
//! - `dialect`: the text rewrite, the statement rewrites after parsing, and the mapping of every
//!   position of the rewritten text back to the user's;
//! - `frontend`: the whole front end without execution — PrepareQuery (parse, dialect, metadata
//!   statements, planning, analysis) over an engine holding the tables the `.slt` files use.
//!
//! Run: `cargo test -p timestream-local-query --test fuzz` (a short run: 3 000 cases per
//! target); `FUZZ_CASES=10000000 FUZZ_TARGET=dialect cargo test --release -p
//! timestream-local-query --test fuzz` for a long one; `FUZZ_SEED=random` draws a new seed,
//! `FUZZ_SEED=<n>` repeats a run (the default seed is 1). A panic fails
//! the run and prints the input; so does a case slower than `FUZZ_SLOW_MS` (default 5 000).
//! A case still running after four times `FUZZ_SLOW_MS` is a hang: a watchdog prints it and
//! ends the run. `FUZZ_TRACE=<file>` writes each case to the file before running it.
//! A run longer than a minute prints its progress every minute (cases done, the last minute's
//! rate), so a long run that slows down shows where.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use engine::{Clock, Engine, Scope};
use protocol::operations::create_database::CreateDatabaseInput;
use protocol::operations::create_table::CreateTableInput;
use protocol::operations::prepare_query::PrepareQueryInput;
use protocol::operations::write_records::WriteRecordsInput;
use protocol::shapes::{Dimension, MeasureValue, MeasureValueType, Record};
use timestream_local_query::{dialect, parse, QueryService};

/// Pieces inserted by mutations: Timestream syntax, SQL structure, and characters that are
/// more than one byte in UTF-8.
const TOKENS: &[&str] = &[
    "€",
    "é",
    "𝄞",
    "日本",
    "\u{0}",
    "\u{feff}",
    " ",
    "\n",
    "'",
    "\"",
    "''",
    "(",
    ")",
    "[",
    "]",
    ",",
    ".",
    ";",
    "*",
    "->",
    "::",
    "--",
    "/*",
    "*/",
    "=",
    "<>",
    "||",
    "+",
    "-",
    "/",
    "%",
    "?",
    "@scheduled_runtime",
    "15m",
    "1h",
    "100ms",
    "2day",
    "1e5",
    "9223372036854775808",
    "measure_value::",
    "measure_value::double",
    "measure_value::varchar",
    "SELECT ",
    "FROM ",
    "WHERE ",
    "GROUP BY ",
    "ORDER BY ",
    "UNION ALL ",
    "VALUES ",
    "VALUES 1, 2",
    "ARRAY[",
    "UNNEST(",
    "CROSS JOIN UNNEST(",
    " AS t(a, b)",
    "WITH ",
    "CASE WHEN ",
    " END",
    "CAST(",
    " AS ROW(a BIGINT, b DOUBLE)",
    "ROW(",
    "x -> ",
    "(s, x) -> ",
    "TRIM(BOTH FROM ",
    "ANY (",
    "ALL (",
    "SHOW TABLES FROM ",
    "SHOW MEASURES FROM ",
    "DESCRIBE ",
    "INTERVAL '1' DAY",
    "TIMESTAMP '2026-01-01 00:00:00'",
    "create_time_series(time, ",
    "interpolate_linear(",
    "sequence(",
    "bin(time, ",
    "ago(",
    "d.m",
    "d.cpu",
    "\"€\"",
    "'€€€'",
    "x.value",
    "NULL",
];

/// A small, fast, seedable generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// The char boundaries of `s`, end included.
fn boundaries(s: &str) -> Vec<usize> {
    s.char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(s.len()))
        .collect()
}

fn mutate(rng: &mut Rng, seeds: &[String], mut s: String) -> String {
    for _ in 0..1 + rng.below(4) {
        let b = boundaries(&s);
        let at = b[rng.below(b.len())];
        let to = b[rng.below(b.len())];
        let (lo, hi) = (at.min(to), at.max(to));
        match rng.below(8) {
            0..=2 => s.insert_str(at, TOKENS[rng.below(TOKENS.len())]),
            3 => s.replace_range(lo..hi, ""),
            4 => {
                let piece = s[lo..hi].to_owned();
                s.insert_str(hi, &piece);
            }
            5 => {
                let other = &seeds[rng.below(seeds.len())];
                let ob = boundaries(other);
                let from = ob[rng.below(ob.len())];
                s.insert_str(at, &other[from..]);
            }
            6 => s.truncate(at),
            _ => {
                let c = char::from_u32(rng.below(0x3_0000) as u32).unwrap_or('€');
                s.insert(at, c);
            }
        }
        if s.len() > 4096 {
            let b = boundaries(&s);
            let cut = b.iter().rev().find(|&&i| i <= 4096).copied().unwrap_or(0);
            s.truncate(cut);
        }
    }
    s
}

/// Every statement of the `.slt` files (the SQL after a `query`/`statement` line).
fn seeds() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/slt");
    let mut out = vec![
        "SELECT measure_value::doubl€ FROM d.m".to_owned(),
        "SELECT '€€€€€€€€' + 1, nope FROM d.m".to_owned(),
        "SELECT filter(ARRAY[1, 2], x -> x > 1), reduce(ARRAY[1], 0, (s, x) -> s + x, s -> s)"
            .to_owned(),
    ];
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort();
    for f in files {
        let Ok(text) = std::fs::read_to_string(&f) else {
            continue;
        };
        let mut lines = text.lines();
        while let Some(line) = lines.next() {
            if !(line.starts_with("query ") || line.starts_with("statement ")) {
                continue;
            }
            let sql: Vec<&str> = lines
                .by_ref()
                .take_while(|l| !l.is_empty() && *l != "----")
                .collect();
            let sql = sql.join("\n");
            if !sql.starts_with("CREATE TABLE")
                && !sql.starts_with("WRITE ")
                && !sql.starts_with("SET CLOCK")
            {
                out.push(sql);
            }
        }
    }
    out
}

/// The dialect target: rewrite, parse, statement rewrites, position mapping.
fn dialect_case(sql: &str) {
    let rewritten = dialect::rewrite(sql);
    let _ = rewritten.original_offset(rewritten.sql.len());
    for (offset, _) in rewritten.sql.char_indices().step_by(7) {
        let (line, col) = dialect::line_col(&rewritten.sql, offset);
        let _ = rewritten.original_line_col(sql, line, col);
    }
    if let Ok(mut statement) = parse::statement(&rewritten.sql, 200) {
        dialect::rewrite_statement(&mut statement);
    }
}

fn engine_with_tables() -> Arc<Engine> {
    let clock = Clock::default();
    clock.freeze_at_ns(1_767_225_600_000_000_000);
    let engine = Arc::new(Engine::open(None, clock).expect("engine"));
    let scope = Scope::new("123456789012", "us-east-1");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let _ = engine.create_database(
        &scope,
        CreateDatabaseInput {
            database_name: "d".into(),
            kms_key_id: None,
            tags: vec![],
        },
    );
    for table in ["m", "cpu", "t", "x"] {
        let _ = engine.create_table(
            &scope,
            CreateTableInput {
                database_name: "d".into(),
                table_name: table.into(),
                retention_properties: None,
                tags: vec![],
                magnetic_store_write_properties: None,
                schema: None,
            },
        );
        let dims = vec![Dimension {
            name: "h".into(),
            value: "a".into(),
            dimension_value_type: None,
        }];
        let records = vec![
            Record {
                dimensions: dims.clone(),
                measure_name: Some("v".into()),
                measure_value: Some("1.5".into()),
                measure_value_type: Some(MeasureValueType::Double),
                time: Some("1767225590000".into()),
                ..Default::default()
            },
            Record {
                dimensions: dims,
                measure_name: Some("multi".into()),
                measure_value_type: Some(MeasureValueType::Multi),
                measure_values: Some(vec![MeasureValue {
                    name: "cpu".into(),
                    value: "3".into(),
                    r#type: MeasureValueType::Bigint,
                }]),
                time: Some("1767225591000".into()),
                ..Default::default()
            },
        ];
        let _ = runtime.block_on(engine.write_records(
            &scope,
            WriteRecordsInput {
                database_name: "d".into(),
                table_name: table.into(),
                common_attributes: None,
                records,
            },
        ));
    }
    engine
}

fn env(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

fn main() {
    let cases = env("FUZZ_CASES").unwrap_or(3_000);
    // A fixed seed by default, so a CI run is repeatable; `FUZZ_SEED=random` for a fresh one.
    let seed = match std::env::var("FUZZ_SEED").as_deref() {
        Ok("random") => {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
                | 1
        }
        _ => env("FUZZ_SEED").unwrap_or(1),
    };
    let slow = Duration::from_millis(env("FUZZ_SLOW_MS").unwrap_or(5_000));
    let targets: Vec<String> = std::env::var("FUZZ_TARGET")
        .map(|t| t.split(',').map(str::to_owned).collect())
        .unwrap_or_else(|_| vec!["dialect".into(), "frontend".into()]);
    let seeds = seeds();
    let trace = std::env::var("FUZZ_TRACE").ok();
    // Panics are expected to be caught; their messages are collected, not printed.
    let last_panic: Arc<Mutex<String>> = Arc::default();
    let hook_panic = last_panic.clone();
    std::panic::set_hook(Box::new(move |info| {
        *hook_panic.lock().unwrap_or_else(|p| p.into_inner()) = info.to_string();
    }));
    println!("fuzz: seed {seed}, {cases} cases per target");
    let running: Arc<Mutex<Option<(Instant, String)>>> = Arc::default();
    let watched = running.clone();
    std::thread::spawn(move || loop {
        std::thread::sleep(Duration::from_secs(1));
        let case = watched.lock().unwrap_or_else(|p| p.into_inner()).clone();
        if let Some((started, sql)) = case.filter(|(t, _)| t.elapsed() > slow * 4) {
            eprintln!(
                "FUZZ_SEED={seed}: a case has run for {:?} (hang)\n  input: {sql:?}",
                started.elapsed()
            );
            std::process::exit(1);
        }
    });
    let mut failures = Vec::new();
    for target in &targets {
        let service = (target == "frontend").then(|| QueryService::new(engine_with_tables()));
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .thread_stack_size(64 << 20)
            .build()
            .expect("runtime");
        let scope = Scope::new("123456789012", "us-east-1");
        let mut rng = Rng(seed);
        let started = Instant::now();
        let mut slowest = (Duration::ZERO, String::new());
        let mut last_report = (Instant::now(), 0u64);
        for done in 0..cases {
            if last_report.0.elapsed() >= Duration::from_secs(60) {
                let rate = (done - last_report.1) as f64 / last_report.0.elapsed().as_secs_f64();
                println!(
                    "fuzz {target}: {done} cases after {:.0} s, {rate:.0}/s in the last minute",
                    started.elapsed().as_secs_f64()
                );
                last_report = (Instant::now(), done);
            }
            let base = seeds[rng.below(seeds.len())].clone();
            let sql = mutate(&mut rng, &seeds, base);
            if let Some(path) = &trace {
                // The case about to run, for a case that hangs.
                let _ = std::fs::write(path, &sql);
            }
            let t0 = Instant::now();
            *running.lock().unwrap_or_else(|p| p.into_inner()) = Some((t0, sql.clone()));
            let outcome = catch_unwind(AssertUnwindSafe(|| match &service {
                None => dialect_case(&sql),
                Some(service) => {
                    let _ = runtime.block_on(service.prepare(
                        &scope,
                        PrepareQueryInput {
                            query_string: sql.clone(),
                            validate_only: Some(true),
                        },
                    ));
                }
            }));
            let took = t0.elapsed();
            *running.lock().unwrap_or_else(|p| p.into_inner()) = None;
            if took > slowest.0 {
                slowest = (took, sql.clone());
            }
            if outcome.is_err() {
                let message = last_panic.lock().unwrap_or_else(|p| p.into_inner()).clone();
                failures.push(format!("[{target}] panic: {message}\n  input: {sql:?}"));
            } else if took > slow {
                failures.push(format!("[{target}] took {took:?}\n  input: {sql:?}"));
            }
            if failures.len() >= 20 {
                break;
            }
        }
        let elapsed = started.elapsed().as_secs_f64();
        println!(
            "fuzz {target}: {cases} cases in {elapsed:.1} s ({:.0}/s), seed {seed}, {} seeds; slowest {:?}",
            cases as f64 / elapsed,
            seeds.len(),
            slowest.0
        );
    }
    if !failures.is_empty() {
        for f in &failures {
            eprintln!("{f}\n");
        }
        eprintln!("FUZZ_SEED={seed}: {} failures", failures.len());
        std::process::exit(1);
    }
}
