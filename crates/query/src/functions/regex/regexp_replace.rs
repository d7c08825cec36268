//! `regexp_replace(string, pattern) → varchar` deletes every match of `pattern`;
//! `regexp_replace(string, pattern, replacement) → varchar` replaces **every** match (empty
//! matches too: `regexp_replace('ab', '', '-')` → `-a-b-`). In `replacement`, `$g` inserts
//! group `g` (further digits are taken while the number stays a valid group, as Java and Trino
//! do: with two groups `$12` is group 1 then `2`), `${name}` a named group and `\c` the character
//! `c` (so `\$` is a dollar sign); anything else is an error ("Illegal replacement sequence").
//! DataFusion's `regexp_replace` replaces only the first match without the `'g'` flag and reads
//! `$1a` as a group named `1a`.
//!
//! Documented examples: `regexp_replace('example expect', 'expect')` → `example`;
//! `regexp_replace('example expect', 'expect', 'surprise')` → `example surprise`.

use std::sync::Arc;

use datafusion::arrow::array::{Array, AsArray, StringBuilder};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{exec_err, Result};
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature};

use super::{all, Patterns};
use crate::functions::conversion::args::{
    any_null, arrays, coerce, finish, lenient, udf_struct, Param,
};

udf_struct!(RegexpReplace);

impl RegexpReplace {
    fn check(&self, args: &[DataType]) -> Result<Vec<DataType>> {
        coerce(
            self.name(),
            args,
            &[
                &[Param::Varchar, Param::Varchar],
                &[Param::Varchar, Param::Varchar, Param::Varchar],
            ],
            "regexp_replace(varchar(x), JoniRegExp), regexp_replace(varchar(x), JoniRegExp, varchar(y))",
        )
    }
}

/// A piece of a parsed replacement string.
#[derive(Debug, PartialEq, Eq)]
enum Piece {
    Text(String),
    Group(usize),
}

/// Parses a Java/Trino replacement string for a pattern with `groups` capturing groups whose
/// named groups `index_of` resolves.
fn parse_replacement(
    replacement: &str,
    groups: usize,
    index_of: impl Fn(&str) -> Option<usize>,
) -> Result<Vec<Piece>> {
    let illegal = || exec_err!("Illegal replacement sequence: {replacement}");
    let mut pieces = Vec::new();
    let mut text = String::new();
    let mut chars = replacement.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(next) => text.push(next),
                None => return illegal(),
            },
            '$' => {
                let group = match chars.next() {
                    Some('{') => {
                        let mut name = String::new();
                        loop {
                            match chars.next() {
                                Some('}') => break,
                                Some(c) => name.push(c),
                                None => return illegal(),
                            }
                        }
                        match index_of(&name) {
                            Some(g) => g,
                            None => return illegal(),
                        }
                    }
                    Some(d) if d.is_ascii_digit() => {
                        let mut g = d as usize - '0' as usize;
                        if g > groups {
                            return illegal();
                        }
                        while let Some(&d) = chars.peek() {
                            let Some(digit) = d.to_digit(10) else {
                                break;
                            };
                            let wider = g * 10 + digit as usize;
                            if wider > groups {
                                break;
                            }
                            g = wider;
                            chars.next();
                        }
                        g
                    }
                    _ => return illegal(),
                };
                if !text.is_empty() {
                    pieces.push(Piece::Text(std::mem::take(&mut text)));
                }
                pieces.push(Piece::Group(group));
            }
            c => text.push(c),
        }
    }
    if !text.is_empty() {
        pieces.push(Piece::Text(text));
    }
    Ok(pieces)
}

impl ScalarUDFImpl for RegexpReplace {
    fn name(&self) -> &str {
        "regexp_replace"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, args: &[DataType]) -> Result<Vec<DataType>> {
        Ok(lenient(self.check(args), args))
    }

    fn return_type(&self, args: &[DataType]) -> Result<DataType> {
        self.check(args)?;
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let (a, scalar) = arrays(&args)?;
        let s = a[0].as_string::<i32>();
        let p = a[1].as_string::<i32>();
        let r = a.get(2).map(|r| r.as_string::<i32>());
        let mut patterns = Patterns::default();
        let mut out = StringBuilder::with_capacity(s.len(), 0);
        let mut buf = String::new();
        for i in 0..s.len() {
            if any_null(&a, i) {
                out.append_null();
                continue;
            }
            let re = patterns.get(p.value(i))?;
            let pieces = parse_replacement(
                r.map_or("", |r| r.value(i)),
                re.captures_len() - 1,
                |name| re.capture_names().position(|n| n == Some(name)),
            )?;
            let s = s.value(i);
            buf.clear();
            let mut last = 0;
            for caps in all(re, s)? {
                let Some(whole) = caps.get(0) else {
                    continue;
                };
                buf.push_str(&s[last..whole.start()]);
                for piece in &pieces {
                    match piece {
                        Piece::Text(t) => buf.push_str(t),
                        Piece::Group(g) => {
                            if let Some(m) = caps.get(*g) {
                                buf.push_str(m.as_str());
                            }
                        }
                    }
                }
                last = whole.end();
            }
            buf.push_str(&s[last..]);
            out.append_value(&buf);
        }
        finish(Arc::new(out.finish()), scalar)
    }
}

#[cfg(test)]
mod tests {
    use super::{parse_replacement, Piece};

    #[test]
    fn java_replacement_syntax() {
        let none = |_: &str| None;
        assert_eq!(
            parse_replacement("$1a", 1, none).unwrap(),
            vec![Piece::Group(1), Piece::Text("a".into())]
        );
        assert_eq!(
            parse_replacement("$12", 2, none).unwrap(),
            vec![Piece::Group(1), Piece::Text("2".into())]
        );
        assert_eq!(
            parse_replacement("$12", 12, none).unwrap(),
            vec![Piece::Group(12)]
        );
        assert_eq!(
            parse_replacement("\\$5", 0, none).unwrap(),
            vec![Piece::Text("$5".into())]
        );
        assert_eq!(
            parse_replacement("${x}", 1, |n| (n == "x").then_some(1)).unwrap(),
            vec![Piece::Group(1)]
        );
        assert!(parse_replacement("$2", 1, none).is_err());
        assert!(parse_replacement("$", 1, none).is_err());
        assert!(parse_replacement("a\\", 1, none).is_err());
    }
}
