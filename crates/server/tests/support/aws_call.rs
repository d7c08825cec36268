//! One awsJson1.0 call to a spawned server (`--auth off`), for the tests and load generators
//! that drive the binary over raw HTTP. Included with `#[path]` (each test and bench is its own
//! crate), so not every user calls every item.
#![allow(dead_code)]

/// The status and body of `op` with `body`; a dropped connection or a hang is a panic.
pub async fn aws(http: &reqwest::Client, url: &str, op: &str, body: String) -> (u16, String) {
    let resp = http
        .post(format!("{url}/"))
        .header("content-type", "application/x-amz-json-1.0")
        .header("x-amz-target", format!("Timestream_20181101.{op}"))
        .body(body)
        .send()
        .await
        .expect("an answer, not a dropped connection or a hang");
    let status = resp.status().as_u16();
    (status, resp.text().await.unwrap_or_default())
}

/// The reply of `op` as JSON; any non-2xx status is a panic naming the operation.
pub async fn call(http: &reqwest::Client, url: &str, op: &str, body: String) -> serde_json::Value {
    let (status, text) = aws(http, url, op, body).await;
    assert!((200..300).contains(&status), "{op}: HTTP {status}: {text}");
    serde_json::from_str(&text).expect("JSON")
}
