//! LIKE patterns in Trino's escaping, translated into DataFusion's.

use datafusion::common::exec_err;
use datafusion::common::tree_node::Transformed;
use datafusion::common::{Result, ScalarValue};
use datafusion::logical_expr::expr::ScalarFunction;
use datafusion::logical_expr::Expr;
use datafusion::logical_expr::Like;

/// Trino's LIKE pattern (escape character `escape`, if any) in DataFusion's form, where a
/// backslash always escapes the next character.
fn like_pattern(pattern: &str, escape: Option<char>) -> Result<String> {
    let mut out = String::with_capacity(pattern.len() + 4);
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if Some(c) == escape {
            match chars.next() {
                Some(next @ ('%' | '_')) => {
                    out.push('\\');
                    out.push(next);
                }
                Some(next) if Some(next) == escape => {
                    if next == '\\' {
                        out.push('\\');
                    }
                    out.push(next);
                }
                _ => {
                    return exec_err!(
                        "Escape character must be followed by '%', '_' or the escape character"
                    )
                }
            }
        } else {
            if c == '\\' {
                out.push('\\');
            }
            out.push(c);
        }
    }
    Ok(out)
}

pub(super) fn trino_like(like: Like) -> Result<Transformed<Expr>> {
    let Like {
        negated,
        expr,
        pattern,
        escape_char,
        case_insensitive,
    } = like;
    let pattern = match *pattern {
        Expr::Literal(ScalarValue::Utf8(Some(text)), metadata) => Expr::Literal(
            ScalarValue::Utf8(Some(like_pattern(&text, escape_char)?)),
            metadata,
        ),
        other if escape_char.is_none() => Expr::ScalarFunction(ScalarFunction::new_udf(
            datafusion::functions::string::replace(),
            vec![
                other,
                Expr::Literal(ScalarValue::Utf8(Some("\\".into())), None),
                Expr::Literal(ScalarValue::Utf8(Some("\\\\".into())), None),
            ],
        )),
        other => {
            return Ok(Transformed::no(Expr::Like(Like::new(
                negated,
                expr,
                Box::new(other),
                escape_char,
                case_insensitive,
            ))))
        }
    };
    Ok(Transformed::yes(Expr::Like(Like::new(
        negated,
        expr,
        Box::new(pattern),
        None,
        case_insensitive,
    ))))
}
