//! Timestream SQL is read-only: no statement reaches DataFusion's file, URL or session-setting
//! features (issue 17). Each hostile statement answers a ValidationException and leaves the
//! directory it names untouched; ordinary queries still run afterwards.

use std::sync::Arc;

use engine::{Clock, Engine, Scope};
use protocol::operations::prepare_query::PrepareQueryInput;
use protocol::operations::query::QueryInput;
use query::{Error, QueryService};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn statements_that_touch_files_or_settings_are_refused() {
    let dir = std::env::temp_dir().join(format!("ts-local-read-only-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let victim = dir.join("victim.csv");
    std::fs::write(&victim, "precious\n").unwrap();
    let d = dir.display();
    let v = victim.display();
    let statements = [
        format!("COPY (SELECT 1 AS a) TO '{v}' STORED AS CSV"),
        format!("COPY (SELECT 1 AS a) TO '{d}/out.json' STORED AS JSON"),
        format!("COPY (SELECT 1 AS a) TO '{d}/dir/' STORED AS CSV"),
        format!("  -- a comment first\n copy (values (1)) to '{d}/x.csv'"),
        format!("CREATE EXTERNAL TABLE e (a VARCHAR) STORED AS CSV LOCATION '{v}'"),
        "CREATE TABLE t AS SELECT 1".to_string(),
        "INSERT INTO t VALUES (1)".to_string(),
        "SET datafusion.execution.batch_size = 1".to_string(),
        "EXPLAIN SELECT 1".to_string(),
        format!("EXPLAIN COPY (SELECT 1) TO '{d}/e.csv'"),
        "DROP TABLE t".to_string(),
        "CREATE VIEW w AS SELECT 1".to_string(),
        "PREPARE p AS SELECT 1".to_string(),
        format!("SELECT * FROM '{v}'"),
        format!("SELECT * FROM read_csv('{v}')"),
        "SELECT * FROM generate_series(1, 3)".to_string(),
        "SELECT * FROM range(3)".to_string(),
    ];
    let clock = Clock::default();
    let engine = Arc::new(Engine::open(None, clock).unwrap());
    let service = QueryService::new(engine);
    let scope = Scope::new("123456789012", "us-east-1");
    for sql in &statements {
        let query = service
            .query(
                &scope,
                QueryInput {
                    query_string: sql.clone(),
                    ..Default::default()
                },
            )
            .await;
        assert!(
            matches!(query, Err(Error::Validation(_))),
            "{sql}: {query:?}"
        );
        let prepared = service
            .prepare(
                &scope,
                PrepareQueryInput {
                    query_string: sql.clone(),
                    validate_only: Some(true),
                },
            )
            .await;
        assert!(
            matches!(prepared, Err(Error::Validation(_))),
            "{sql}: {prepared:?}"
        );
    }
    let mut left: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    left.sort();
    assert_eq!(left, ["victim.csv"]);
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious\n");
    std::fs::remove_dir_all(&dir).unwrap();

    let ok = service
        .query(
            &scope,
            QueryInput {
                query_string: "SELECT 1 AS a".into(),
                ..Default::default()
            },
        )
        .await;
    assert!(ok.is_ok(), "{ok:?}");
}
