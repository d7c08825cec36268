//! Tests of the dialect layer's two passes and its position mapping.

use datafusion::sql::parser::Statement as DfStatement;
use datafusion::sql::sqlparser::dialect::GenericDialect;
use datafusion::sql::sqlparser::parser::Parser;

use super::lambdas::check_lambdas;
use super::positions::{line_col, offset_of};
use super::rewrite_statement::rewrite_statement;
use super::rewrite_text::rewrite;

#[test]
fn trim_without_characters_becomes_a_call() {
    assert_eq!(
        rewrite("SELECT TRIM(BOTH FROM x), trim( leading\nfrom y), Trim(TRAILING FROM z)").sql,
        "SELECT trim( x), ltrim( y), rtrim( z)"
    );
    for unchanged in [
        "SELECT trim(BOTH 'x' FROM s)",
        "SELECT trim(s)",
        "SELECT my_trim(BOTH FROM s)",
        "SELECT 'TRIM(BOTH FROM s)'",
    ] {
        assert_eq!(rewrite(unchanged).sql, unchanged);
    }
}

#[test]
fn measure_value_columns_become_identifiers() {
    assert_eq!(
        rewrite("SELECT measure_value::double FROM db.t WHERE measure_value::bigint > 3").sql,
        r#"SELECT "measure_value::double" FROM db.t WHERE "measure_value::bigint" > 3"#
    );
    assert_eq!(
        rewrite("SELECT c.measure_value::double FROM t c").sql,
        r#"SELECT c."measure_value::double" FROM t c"#
    );
    assert_eq!(
        rewrite("SELECT 'measure_value::double'").sql,
        "SELECT 'measure_value::double'"
    );
}

#[test]
fn durations_become_intervals_only_where_an_expression_starts() {
    assert_eq!(
        rewrite("bin(time, 5m)").sql,
        "bin(time, INTERVAL '5 minute')"
    );
    assert_eq!(
        rewrite("ago(1h) + 50ns - 2day").sql,
        "ago(INTERVAL '1 hour') + INTERVAL '50 nanosecond' - INTERVAL '2 day'"
    );
    assert_eq!(
        rewrite("SELECT 10000ms, 1.5, 1e5, 3").sql,
        "SELECT INTERVAL '10000 millisecond', 1.5, 1e5, 3"
    );
    assert_eq!(
        rewrite(r#"FROM "readings-PT1M-41830d" x1d"#).sql,
        r#"FROM "readings-PT1M-41830d" x1d"#
    );
    assert_eq!(rewrite("-- 5m\nSELECT '5m'").sql, "-- 5m\nSELECT '5m'");
    assert_eq!(
        rewrite("SELECT 1year, 2Y, 12month, t.x2month FROM t").sql,
        "SELECT INTERVAL '1' YEAR, INTERVAL '2' YEAR, INTERVAL '12' MONTH, t.x2month FROM t"
    );
}

#[test]
fn values_rows_get_parentheses() {
    assert_eq!(
        rewrite("SELECT x FROM (VALUES 3, NULL, 'a,b') AS t(x)").sql,
        "SELECT x FROM (VALUES (3), (NULL), ('a,b')) AS t(x)"
    );
    assert_eq!(
        rewrite("VALUES (1, 2), (3, 4) ORDER BY 1").sql,
        "VALUES (1, 2), (3, 4) ORDER BY 1"
    );
    assert_eq!(
        rewrite("SELECT 17 < ALL (VALUES 19, abs(-20))").sql,
        "SELECT 17 < ALL (SELECT * FROM (VALUES (19), (abs(-20))))"
    );
    assert_eq!(
        rewrite("SELECT x FROM (VALUES 1) AS t(x)").sql,
        "SELECT x FROM (VALUES (1)) AS t(x)"
    );
    assert_eq!(rewrite("VALUES 1, 2").sql, "VALUES (1), (2)");
    assert_eq!(
        rewrite("SELECT my_values, xorder FROM t").sql,
        "SELECT my_values, xorder FROM t"
    );
}

#[test]
fn lambdas_become_marker_calls() {
    assert_eq!(
        rewrite("SELECT filter(a, x -> x > 0) FROM t").sql,
        r#"SELECT filter(a, "__lambda"(x, x > 0)) FROM t"#
    );
    assert_eq!(
        rewrite("reduce(a, 0, (s, x) -> s + x, s -> s)").sql,
        r#"reduce(a, 0, "__lambda"(s, x, s + x), "__lambda"(s, s))"#
    );
    // The body ends at the `,` or `)` of its argument list, not at those of inner calls.
    assert_eq!(
        rewrite("transform(a, x -> coalesce(x, (1)), 2)").sql,
        r#"transform(a, "__lambda"(x, coalesce(x, (1))), 2)"#
    );
    assert_eq!(
        rewrite("transform(a, x -> ARRAY[x, x[1]])").sql,
        r#"transform(a, "__lambda"(x, ARRAY[x, x[1]]))"#
    );
    assert_eq!(
        rewrite(r#"zip_with(a, b, ( "p" ,q )->"p"+q)"#).sql,
        r#"zip_with(a, b, "__lambda"( "p" ,q ,"p"+q))"#
    );
    // At the end of the text the body ends there.
    assert_eq!(rewrite("x -> x + 1").sql, r#""__lambda"(x, x + 1)"#);
}

#[test]
fn nested_lambdas() {
    assert_eq!(
        rewrite("transform(a, x -> filter(x, y -> y > x))").sql,
        r#"transform(a, "__lambda"(x, filter(x, "__lambda"(y, y > x))))"#
    );
    assert_eq!(
        rewrite("reduce(a, 0, (s, r) -> s + reduce(r, 0, (t, x) -> t + x, t -> t), s -> s)").sql,
        r#"reduce(a, 0, "__lambda"(s, r, s + reduce(r, 0, "__lambda"(t, x, t + x), "__lambda"(t, t))), "__lambda"(s, s))"#
    );
}

#[test]
fn arrows_in_strings_comments_and_names_stay() {
    for unchanged in [
        "SELECT 'x -> 1', \"a->b\" FROM t",
        "SELECT 1 -- x -> y",
        "SELECT /* (a, b) -> c */ 1",
        "SELECT f(a) -> 1",
        "SELECT t.x -> 1",
        // The name before the `->` is in a comment: not a parameter.
        "SELECT f(0, -- (s, x)\n-> s)",
    ] {
        assert_eq!(rewrite(unchanged).sql, unchanged);
    }
}

#[test]
fn the_pass_reads_the_parsers_tokens() {
    // A comment inside a row type ends at the line's end, as the parser reads it.
    let commented = "CAST(r AS ROW(a DOUB--LE, b int))\n";
    assert_eq!(rewrite(commented).sql, commented);
    // `->>` is a lambda's `->` then `>`: the parser points at the `>`, as Trino does.
    assert_eq!(rewrite("f(x ->> 1)").sql, r#"f("__lambda"(x,> 1))"#);
    // Text the tokenizer refuses is left as it is: the parser reports the tokenizer's error
    // where the user wrote the unterminated literal, not in a rewrite of it.
    for refused in ["SELECT 5m, 'abc", "SELECT measure_value::double\" FROM t"] {
        assert_eq!(rewrite(refused).sql, refused);
        assert!(rewrite(refused).edits.is_empty());
    }
}

#[test]
fn row_types_become_structs() {
    assert_eq!(
        rewrite("CAST(ROW(0.0, 0) AS ROW(sum DOUBLE, count INTEGER))").sql,
        "CAST(ROW(0.0, 0) AS STRUCT<sum DOUBLE, count INTEGER>)"
    );
    assert_eq!(
        rewrite("CAST(r AS row(a double, b ROW(c bigint)))").sql,
        "CAST(r AS STRUCT<a double, b STRUCT<c bigint>>)"
    );
    for unchanged in [
        "SELECT * FROM (VALUES (1, 2)) AS row(a, b)",
        "SELECT ROW(1, 2) AS r",
        "SELECT '→' →ROW(a int)",
    ] {
        assert_eq!(rewrite(unchanged).sql, unchanged);
    }
}

#[test]
fn positions_in_lambda_bodies_map_back() {
    let text = "SELECT 5m,\n  transform(ARRAY[1], (x) -> x + nope)";
    let r = rewrite(text);
    let at = r.sql.find("nope").unwrap();
    assert_eq!(r.original_offset(at), text.find("nope").unwrap());
    assert_eq!(
        r.original_line_col(
            text,
            2,
            r.sql.lines().nth(1).unwrap().find("nope").unwrap() + 1
        ),
        (2, 34)
    );
    // The lambda itself is placed at its parameters (the parenthesis).
    let marker = r.sql.find("\"__lambda\"").unwrap();
    assert_eq!(r.original_offset(marker), text.find("(x)").unwrap());
    // After the lambda, positions are the user's again.
    let text = "SELECT filter(a, x -> x > 0), nope";
    let r = rewrite(text);
    assert_eq!(
        r.original_offset(r.sql.find("nope").unwrap()),
        text.find("nope").unwrap()
    );
}

fn parsed(sql: &str) -> DfStatement {
    let statement = Parser::new(&GenericDialect {})
        .try_with_sql(&rewrite(sql).sql)
        .and_then(|mut p| p.parse_statement())
        .unwrap();
    DfStatement::Statement(Box::new(statement))
}

#[test]
fn marker_calls_become_lambda_expressions() {
    let mut statement = parsed(
        "SELECT reduce(FILTER(ts, x -> x.value > 70.0), 0, (s, x) -> s + 1, s -> s.count), \
         x.value FROM t",
    );
    rewrite_statement(&mut statement);
    assert_eq!(
        statement.to_string(),
        "SELECT reduce(FILTER(ts, x -> x['value'] > 70.0), 0, (s, x) -> s + 1, \
         s -> s['count']) AS \"_col0\", x.value FROM t"
    );
    let mut statement =
        parsed("SELECT regexp_replace(s, '(a)', x -> upper(x[1])), regexp_replace(s, 'a')");
    rewrite_statement(&mut statement);
    assert_eq!(
        statement.to_string(),
        "SELECT __regexp_replace_lambda(s, '(a)', x -> upper(x[1])) AS \"_col0\", \
         regexp_replace(s, 'a') AS \"_col1\""
    );
}

#[test]
fn an_alias_named_like_an_ordered_input_column_is_hidden() {
    let mut statement = parsed("SELECT -h.x AS x, h.k FROM t h ORDER BY h.x, x");
    rewrite_statement(&mut statement);
    assert_eq!(
        statement.to_string(),
        "SELECT -h.x AS \"x\u{1}o0\", h.k FROM t h ORDER BY h.x, \"x\u{1}o0\""
    );
    // A subquery's columns keep the user's names for the query around it.
    let mut statement =
        parsed("SELECT s.x FROM (SELECT -h.x AS x FROM t h ORDER BY h.x LIMIT 1) s");
    rewrite_statement(&mut statement);
    assert_eq!(
        statement.to_string(),
        "SELECT s.x FROM (SELECT \"x\u{1}o0\" AS \"x\" FROM (SELECT -h.x AS \"x\u{1}o0\" \
         FROM t h ORDER BY h.x LIMIT 1) AS __ordered) s"
    );
    let untouched = "SELECT -h.x AS y FROM t h ORDER BY h.x";
    let mut statement = parsed(untouched);
    rewrite_statement(&mut statement);
    assert_eq!(statement.to_string(), untouched);
}

#[test]
fn misplaced_lambdas_are_errors() {
    let error = |sql: &str| {
        check_lambdas(&parsed(sql), &rewrite(sql).sql)
            .err()
            .map(|e| e.strip_backtrace())
    };
    assert_eq!(error("SELECT filter(a, x -> x > 0)"), None);
    assert_eq!(
        error("SELECT filter(a, (x, y) -> x > 0)"),
        Some(
            "Error during planning: line 1:18: Expected a lambda that takes 1 argument(s) \
             but got 2"
                .into()
        )
    );
    assert_eq!(
        error("SELECT x -> 1"),
        Some(
            "Error during planning: line 1:8: Lambda expression should always be used \
             inside a function"
                .into()
        )
    );
}

#[test]
fn positions_map_back() {
    let text = "SELECT measure_value::double, nope FROM t";
    let r = rewrite(text);
    let at = r.sql.find("nope").unwrap();
    assert_eq!(r.original_offset(at), text.find("nope").unwrap());
    assert_eq!(line_col("a\nbc", 3), (2, 2));
    assert_eq!(offset_of("a\nbc", 2, 2), 3);
}
