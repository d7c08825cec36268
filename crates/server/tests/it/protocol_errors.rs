use crate::support::{call, TestServer};

#[tokio::test]
async fn every_model_operation_has_a_route() {
    let server = TestServer::with_args(&["--auth", "off"]).await;
    for op in protocol::model::all_operations() {
        let reply = call(&server.url, op, "{}", None).await;
        assert_ne!(
            reply.error_code(),
            "UnknownOperationException",
            "{op} is not routed"
        );
        assert_ne!(reply.status, 500, "{op} answered 500: {:?}", reply.body);
    }
    server.stop().await;
}

#[tokio::test]
async fn batch_load_operations_validate_then_answer() {
    let server = TestServer::with_args(&["--auth", "off"]).await;
    let reply = call(&server.url, "DescribeBatchLoadTask", "{}", None).await;
    assert_eq!(reply.error_code(), "ValidationException");
    assert!(reply.message().contains("'taskId'"), "{}", reply.message());
    let reply = call(
        &server.url,
        "DescribeBatchLoadTask",
        r#"{"TaskId":"ABC123"}"#,
        None,
    )
    .await;
    assert_eq!(reply.error_code(), "ResourceNotFoundException");
    assert_eq!(
        reply.message(),
        "The batch load task ABC123 does not exist."
    );
    server.stop().await;
}

#[tokio::test]
async fn unknown_target_and_bad_json() {
    let server = TestServer::with_args(&["--auth", "off"]).await;
    let reply = call(&server.url, "DropEverything", "{}", None).await;
    assert_eq!(
        (reply.status, reply.error_code()),
        (400, "UnknownOperationException")
    );
    let reply = call(&server.url, "ListDatabases", "{not json", None).await;
    assert_eq!(
        (reply.status, reply.error_code()),
        (400, "SerializationException")
    );
    let reply = call(&server.url, "ListDatabases", r#"{"MaxResults":"5"}"#, None).await;
    assert_eq!(reply.error_code(), "SerializationException");
    server.stop().await;
}

#[tokio::test]
async fn every_response_has_request_id_date_and_content_type() {
    let server = TestServer::with_args(&["--auth", "off"]).await;
    for (op, body) in [
        ("ListDatabases", "{}"),
        ("DescribeDatabase", r#"{"DatabaseName":"nope"}"#),
    ] {
        let reply = call(&server.url, op, body, None).await;
        let id = reply.headers["x-amzn-requestid"].to_str().unwrap();
        assert_eq!(id.len(), 26);
        assert!(reply.headers.contains_key("date"));
        assert_eq!(reply.headers["content-type"], "application/x-amz-json-1.0");
    }
    let missing = call(
        &server.url,
        "DescribeDatabase",
        r#"{"DatabaseName":"nope"}"#,
        None,
    )
    .await;
    assert_eq!(missing.status, 404);
    assert_eq!(
        missing.body["__type"],
        "com.amazonaws.timestream.v20181101#ResourceNotFoundException"
    );
    assert_eq!(missing.message(), "The database nope does not exist.");
    server.stop().await;
}

#[tokio::test]
async fn shared_tagging_operations_are_routed_by_arn() {
    let server = TestServer::with_args(&["--auth", "off"]).await;
    // The query model caps ResourceARN at 2048 characters, the write model at 1011.
    let long = format!(
        "arn:aws:timestream:us-east-1:123456789012:scheduled-query/{}",
        "q".repeat(1100)
    );
    let reply = call(
        &server.url,
        "ListTagsForResource",
        &format!(r#"{{"ResourceARN":"{long}"}}"#),
        None,
    )
    .await;
    assert_eq!(reply.error_code(), "ResourceNotFoundException");
    let long_db = format!(
        "arn:aws:timestream:us-east-1:123456789012:database/{}",
        "d".repeat(1100)
    );
    let reply = call(
        &server.url,
        "ListTagsForResource",
        &format!(r#"{{"ResourceARN":"{long_db}"}}"#),
        None,
    )
    .await;
    assert_eq!(reply.error_code(), "ValidationException");
    assert!(reply
        .message()
        .contains("Member must have length less than or equal to 1011"));
    server.stop().await;
}
