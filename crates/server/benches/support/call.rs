//! One awsJson1.0 call to the spawned server (`--auth off`), for the load generators: the reply
//! as JSON, any non-2xx status a panic naming the operation. Included with `#[path]` (each bench
//! is its own crate).

pub async fn call(http: &reqwest::Client, url: &str, op: &str, body: String) -> serde_json::Value {
    let resp = http
        .post(format!("{url}/"))
        .header("content-type", "application/x-amz-json-1.0")
        .header("x-amz-target", format!("Timestream_20181101.{op}"))
        .body(body)
        .send()
        .await
        .expect("request");
    let status = resp.status();
    let text = resp.text().await.expect("body");
    assert!(status.is_success(), "{op}: HTTP {status}: {text}");
    serde_json::from_str(&text).expect("JSON")
}
