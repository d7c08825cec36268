use engine::{Measures, Tier, Value};

use crate::support::*;

#[tokio::test]
async fn records_survive_a_restart_and_the_memory_tier_is_rebuilt() {
    let dir = tempfile::tempdir().unwrap();
    {
        let e = engine_at(Some(dir.path()));
        create(
            &e,
            "t",
            TableSpec {
                memory_hours: 1,
                magnetic_writes: true,
                ..Default::default()
            },
        );
        write(
            &e,
            "t",
            vec![
                double("a", "cpu", "1.5", NOW_MS),
                double("a", "cpu", "2.5", NOW_MS - 5 * HOUR_MS),
            ],
        )
        .await
        .unwrap();
    }
    let e = engine_at(Some(dir.path()));
    assert_eq!(
        e.memory_tier_usage().0,
        1,
        "only the record inside the memory window is loaded into RAM"
    );
    let rows = scan(&e, "t");
    assert_eq!(rows.len(), 2);
    assert_eq!(
        (rows[0].tier, &rows[0].measures),
        (Tier::Magnetic, &Measures::Single(Value::Double(2.5)))
    );
    assert_eq!(
        (rows[1].tier, &rows[1].measures),
        (Tier::Memory, &Measures::Single(Value::Double(1.5)))
    );
    // The dictionaries were rebuilt too: the same identity is recognised after the restart.
    let r = rejected(&e, "t", vec![double("a", "cpu", "9", NOW_MS)]).await;
    assert_eq!(r[0].existing_version, Some(1));
}
