use crate::support::{call, TestServer};

async fn get(url: &str, path: &str) -> serde_json::Value {
    reqwest::get(format!("{url}/_timestream_local/{path}"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn health_state_and_reset() {
    let server = TestServer::with_args(&["--auth", "off"]).await;
    assert_eq!(get(&server.url, "health").await["status"], "ok");
    call(
        &server.url,
        "CreateDatabase",
        r#"{"DatabaseName":"monitoring"}"#,
        None,
    )
    .await;
    call(
        &server.url,
        "CreateTable",
        r#"{"DatabaseName":"monitoring","TableName":"cpu"}"#,
        None,
    )
    .await;
    let state = get(&server.url, "state").await;
    assert_eq!(state["scopes"][0]["databases"], 1);
    assert_eq!(state["scopes"][0]["tables"], 1);
    let reset = reqwest::Client::new()
        .post(format!("{}/_timestream_local/reset", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(reset.status(), 200);
    assert_eq!(
        get(&server.url, "state").await["scopes"],
        serde_json::json!([])
    );
    server.stop().await;
}

#[tokio::test]
async fn admin_paths_are_not_reachable_through_a_target() {
    let server = TestServer::with_args(&["--auth", "off"]).await;
    let reply = call(&server.url, "_timestream_local/reset", "{}", None).await;
    assert_eq!(reply.error_code(), "UnknownOperationException");
    server.stop().await;
}

#[tokio::test]
async fn data_dir_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_str().unwrap();
    let server = TestServer::with_args(&["--auth", "off", "--data-dir", path]).await;
    let created = call(
        &server.url,
        "CreateDatabase",
        r#"{"DatabaseName":"durable"}"#,
        None,
    )
    .await;
    assert_eq!(created.status, 200);
    server.stop().await;
    let again = TestServer::with_args(&["--auth", "off", "--data-dir", path]).await;
    let described = call(
        &again.url,
        "DescribeDatabase",
        r#"{"DatabaseName":"durable"}"#,
        None,
    )
    .await;
    assert_eq!(described.body["Database"], created.body["Database"]);
    again.stop().await;
}
