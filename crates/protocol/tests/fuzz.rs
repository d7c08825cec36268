//! Fuzzing of the wire front end on stable Rust (issue 17): no panic may come out of a request
//! body or an Authorization header.
//!
//! - `json`: bodies built from the service models (every operation's input shape, members
//!   present or not, of the right type or not, lengths and numbers at and past their limits,
//!   multi-byte strings), then sometimes mangled as text; each goes through what the server does
//!   with a body: JSON parsing, model validation (`validate_input`) and decoding into the
//!   operation's typed input.
//! - `sigv4`: a correctly signed request, then mutations of its Authorization, date and content
//!   hash headers, through `Authorization::parse`, `check_date` and `verify`.
//!
//! Run: `cargo test -p timestream-local-protocol --test fuzz` (a short run, fixed seed);
//! `FUZZ_CASES=10000000 FUZZ_SEED=random cargo test --profile bench -p
//! timestream-local-protocol --test fuzz` for a long one.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use protocol::model::{self, Service, ShapeType};
use protocol::operations as ops;
use protocol::sigv4::{self, Authorization};
use protocol::validate::validate_input;
use serde_json::{json, Map, Value};

extern crate timestream_local_protocol as protocol;

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

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

const STRINGS: &[&str] = &[
    "",
    "a",
    "db_1",
    "€",
    "日本語",
    "𝄞𝄞",
    "\u{0}",
    "SELECT 1",
    "arn:aws:timestream:us-east-1:123456789012:database/d",
    "rate(1 hour)",
    "cron(0 9 * * ? *)",
    "DOUBLE",
    "MULTI",
    "MILLISECONDS",
    "ENABLED",
    "1767225600000",
    "-1",
    "NaN",
    "null",
];

/// A random value for `shape`, usually of its type, sometimes not.
fn value(rng: &mut Rng, m: &model::ServiceModel, shape: &str, depth: usize) -> Value {
    let Some(s) = m.shape(shape) else {
        return Value::Null;
    };
    if rng.chance(3) || depth > 6 {
        return random_scalar(rng);
    }
    match s.kind {
        ShapeType::Structure => {
            let mut map = Map::new();
            for (name, member) in &s.members {
                if s.required.contains(name) && rng.chance(95) || rng.chance(50) {
                    map.insert(name.clone(), value(rng, m, &member.shape, depth + 1));
                }
            }
            if rng.chance(5) {
                map.insert("Unknown€".into(), random_scalar(rng));
            }
            Value::Object(map)
        }
        ShapeType::List => {
            let n = match rng.below(10) {
                0 => 0,
                1 => s.max.map_or(3, |m| m as usize + 1).min(300),
                _ => 1 + rng.below(3),
            };
            let element = s
                .member
                .as_ref()
                .map(|m| m.shape.clone())
                .unwrap_or_default();
            Value::Array((0..n).map(|_| value(rng, m, &element, depth + 1)).collect())
        }
        ShapeType::String => {
            if let Some(values) = &s.enum_values {
                if rng.chance(80) && !values.is_empty() {
                    return json!(values[rng.below(values.len())]);
                }
            }
            let len = match rng.below(6) {
                0 => s.min.map_or(0, |v| v as usize),
                1 => s.max.map_or(10, |v| v as usize).min(70_000),
                2 => s.max.map_or(11, |v| v as usize + 1).min(70_000),
                _ => rng.below(20),
            };
            let piece = STRINGS[rng.below(STRINGS.len())];
            let mut text: String = piece.chars().cycle().take(len).collect();
            if text.is_empty() && len > 0 {
                text = "a".repeat(len);
            }
            json!(text)
        }
        ShapeType::Integer | ShapeType::Long => match rng.below(6) {
            0 => json!(s.min.unwrap_or(0.0) as i64 - 1),
            1 => json!(s.max.unwrap_or(1e6) as i64 + 1),
            2 => json!(i64::MAX),
            3 => json!(-1.5),
            _ => json!(rng.below(1000)),
        },
        ShapeType::Double => json!(rng.below(1000) as f64 / 7.0),
        ShapeType::Boolean => json!(rng.chance(50)),
        ShapeType::Timestamp => match rng.below(4) {
            0 => json!(-1e300),
            1 => json!("2026-01-01"),
            _ => json!(1_767_225_600.5),
        },
        _ => random_scalar(rng),
    }
}

fn random_scalar(rng: &mut Rng) -> Value {
    match rng.below(7) {
        0 => Value::Null,
        1 => json!(true),
        2 => json!(i64::MIN),
        3 => json!(1e308),
        4 => json!(STRINGS[rng.below(STRINGS.len())]),
        5 => json!([1, "a", null]),
        _ => json!({"a": {"b": []}}),
    }
}

/// Decodes `value` into the typed input of `operation`, as dispatch does after validation.
fn decode(operation: &str, value: Value) {
    macro_rules! decode {
        ($($name:literal => $ty:ty),* $(,)?) => {
            match operation {
                $($name => drop(serde_json::from_value::<$ty>(value)),)*
                _ => {}
            }
        };
    }
    decode! {
        "CreateDatabase" => ops::create_database::CreateDatabaseInput,
        "DescribeDatabase" => ops::describe_database::DescribeDatabaseInput,
        "ListDatabases" => ops::list_databases::ListDatabasesInput,
        "UpdateDatabase" => ops::update_database::UpdateDatabaseInput,
        "DeleteDatabase" => ops::delete_database::DeleteDatabaseInput,
        "CreateTable" => ops::create_table::CreateTableInput,
        "DescribeTable" => ops::describe_table::DescribeTableInput,
        "ListTables" => ops::list_tables::ListTablesInput,
        "UpdateTable" => ops::update_table::UpdateTableInput,
        "DeleteTable" => ops::delete_table::DeleteTableInput,
        "WriteRecords" => ops::write_records::WriteRecordsInput,
        "TagResource" => ops::tag_resource::TagResourceInput,
        "UntagResource" => ops::untag_resource::UntagResourceInput,
        "ListTagsForResource" => ops::list_tags_for_resource::ListTagsForResourceInput,
        "UpdateAccountSettings" => ops::update_account_settings::UpdateAccountSettingsInput,
        "Query" => ops::query::QueryInput,
        "PrepareQuery" => ops::prepare_query::PrepareQueryInput,
        "CancelQuery" => ops::cancel_query::CancelQueryInput,
        "CreateScheduledQuery" => ops::create_scheduled_query::CreateScheduledQueryInput,
        "DescribeScheduledQuery" => ops::describe_scheduled_query::DescribeScheduledQueryInput,
        "ListScheduledQueries" => ops::list_scheduled_queries::ListScheduledQueriesInput,
        "UpdateScheduledQuery" => ops::update_scheduled_query::UpdateScheduledQueryInput,
        "DeleteScheduledQuery" => ops::delete_scheduled_query::DeleteScheduledQueryInput,
        "ExecuteScheduledQuery" => ops::execute_scheduled_query::ExecuteScheduledQueryInput,
    }
}

fn json_case(rng: &mut Rng) {
    let service = if rng.chance(50) {
        Service::Write
    } else {
        Service::Query
    };
    let m = model::model(service);
    let operations: Vec<&String> = m.operations.keys().collect();
    let operation = operations[rng.below(operations.len())].clone();
    let body = match m.input_shape(&operation) {
        Some(shape) => value(rng, m, shape, 0),
        None => json!({}),
    };
    let mut text = body.to_string();
    if rng.chance(20) {
        // Text mangling: cut, duplicate or insert at a char boundary.
        let cuts: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        if !cuts.is_empty() {
            let at = cuts[rng.below(cuts.len())];
            match rng.below(3) {
                0 => text.truncate(at),
                1 => text.insert_str(at, STRINGS[rng.below(STRINGS.len())]),
                _ => text.insert_str(at, "\"\\ud800\""),
            }
        }
    }
    let Ok(value) = serde_json::from_str::<Value>(&text) else {
        return;
    };
    if validate_input(service, &operation, &value).is_ok() {
        decode(&operation, value);
    }
}

/// A correctly signed request of `body`, its headers and the time it was signed at.
fn signed(body: &[u8]) -> (Vec<(String, String)>, chrono::DateTime<chrono::Utc>) {
    let now = chrono::DateTime::from_timestamp(1_767_225_600, 0).unwrap_or_default();
    let amz_date = now.format("%Y%m%dT%H%M%SZ").to_string();
    let mut headers = vec![
        (
            "content-type".to_owned(),
            "application/x-amz-json-1.0".to_owned(),
        ),
        ("host".to_owned(), "localhost:4577".to_owned()),
        ("x-amz-date".to_owned(), amz_date.clone()),
        (
            "x-amz-target".to_owned(),
            "Timestream_20181101.ListDatabases".to_owned(),
        ),
    ];
    let mut auth = Authorization {
        access_key: "AKID".into(),
        date: amz_date[..8].to_owned(),
        region: "us-east-1".into(),
        service: "timestream".into(),
        signed_headers: headers.iter().map(|(n, _)| n.clone()).collect(),
        signature: String::new(),
    };
    let hash = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(body))
    };
    let req = sigv4::Request {
        method: "POST",
        path: "/",
        query: "",
        headers: &headers,
        body,
    };
    auth.signature = sigv4::signature(&auth, &req, &amz_date, "secret", &hash).unwrap_or_default();
    headers.push((
        "authorization".to_owned(),
        format!(
            "AWS4-HMAC-SHA256 Credential=AKID/{}/us-east-1/timestream/aws4_request, SignedHeaders={}, Signature={}",
            auth.date,
            auth.signed_headers.join(";"),
            auth.signature
        ),
    ));
    (headers, now)
}

fn mangle(rng: &mut Rng, text: &str) -> String {
    let mut s = text.to_owned();
    for _ in 0..1 + rng.below(3) {
        let cuts: Vec<usize> = s.char_indices().map(|(i, _)| i).chain([s.len()]).collect();
        let at = cuts[rng.below(cuts.len())];
        match rng.below(5) {
            0 => s.truncate(at),
            1 => s.insert_str(
                at,
                ["/", ",", "=", ";", " ", "€", "𝄞", "\u{0}", "aws4_request"][rng.below(9)],
            ),
            2 => s.insert_str(at, STRINGS[rng.below(STRINGS.len())]),
            3 => {
                let to = cuts[rng.below(cuts.len())];
                let (lo, hi) = (at.min(to), at.max(to));
                s.replace_range(lo..hi, "");
            }
            _ => s = s.to_uppercase(),
        }
    }
    s
}

fn sigv4_case(rng: &mut Rng) {
    let body = br#"{"MaxResults": 5}"#;
    let (mut headers, now) = signed(body);
    let which = rng.below(headers.len());
    headers[which].1 = mangle(rng, &headers[which].1);
    if rng.chance(20) {
        headers.push(("date".into(), mangle(rng, "Thu, 01 Jan 2026 00:00:00 GMT")));
    }
    if rng.chance(20) {
        headers.push((
            "x-amz-content-sha256".into(),
            mangle(rng, "UNSIGNED-PAYLOAD"),
        ));
    }
    let Some((_, header)) = headers.iter().find(|(n, _)| n == "authorization") else {
        return;
    };
    let Ok(auth) = Authorization::parse(header) else {
        return;
    };
    let req = sigv4::Request {
        method: "POST",
        path: "/",
        query: "",
        headers: &headers,
        body,
    };
    if let Ok(amz_date) = sigv4::check_date(&auth, &req, now) {
        let _ = sigv4::verify(&auth, &req, &amz_date, "secret");
    }
}

fn main() {
    let cases: u64 = std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3_000);
    let seed = match std::env::var("FUZZ_SEED").as_deref() {
        Ok("random") => {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
                | 1
        }
        Ok(n) => n.parse().unwrap_or(1),
        Err(_) => 1,
    };
    let targets: Vec<String> = std::env::var("FUZZ_TARGET")
        .map(|t| t.split(',').map(str::to_owned).collect())
        .unwrap_or_else(|_| vec!["json".into(), "sigv4".into()]);
    let last_panic: Arc<Mutex<String>> = Arc::default();
    let hook = last_panic.clone();
    std::panic::set_hook(Box::new(move |info| {
        *hook.lock().unwrap_or_else(|p| p.into_inner()) = info.to_string();
    }));
    let mut failures = Vec::new();
    for target in &targets {
        let mut rng = Rng(seed);
        let started = Instant::now();
        for case in 0..cases {
            let state = rng.0;
            let outcome = catch_unwind(AssertUnwindSafe(|| match target.as_str() {
                "sigv4" => sigv4_case(&mut rng),
                _ => json_case(&mut rng),
            }));
            if outcome.is_err() {
                let message = last_panic.lock().unwrap_or_else(|p| p.into_inner()).clone();
                failures.push(format!(
                    "[{target}] case {case} (rng state {state}) panicked: {message}"
                ));
                rng.next();
                if failures.len() >= 20 {
                    break;
                }
            }
        }
        let elapsed = started.elapsed().as_secs_f64();
        println!(
            "fuzz {target}: {cases} cases in {elapsed:.1} s ({:.0}/s), seed {seed}",
            cases as f64 / elapsed
        );
    }
    if !failures.is_empty() {
        for f in &failures {
            eprintln!("{f}");
        }
        eprintln!("FUZZ_SEED={seed}: {} failures", failures.len());
        std::process::exit(1);
    }
}
