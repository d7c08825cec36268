//! Joda-Time patterns, as Trino's `format_datetime`/`parse_datetime` read them
//! (timestream-functions.md §9.5), with the java.time letters the guide's own example uses
//! (`uuuu`, `LL`) and a few more (`q`/`Q` quarter, `n` nano-of-second, `V` zone id, `X`
//! offset). Repeated letters choose the form: numbers are zero-padded to the count (`yy`: two
//! digits), text is short for 1–3 letters and full for 4+ (`MMM` `Jan`, `MMMM` `January`).
//! Literal text goes in single quotes, `''` is a quote; other ASCII letters are errors
//! (`Illegal pattern component: …`). Everything is UTC, so zones print as `UTC`/`+0000`; when
//! parsing, an offset or zone (`-08:00`, `PST`, `America/Los_Angeles`) is honoured and the
//! result converted to UTC.

use std::str::FromStr;

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone, Timelike, Weekday};
use datafusion::arrow::array::timezone::Tz;
use datafusion::common::{exec_err, Result};

use super::common::{NANOS_PER_HOUR, NANOS_PER_MINUTE, NANOS_PER_SECOND};
use super::mysql::{Reader, MONTHS, WEEKDAYS};

/// A pattern piece: a letter repeated `count` times, or literal text.
#[derive(Debug, PartialEq, Eq)]
enum Token {
    Field(char, usize),
    Text(String),
}

const LETTERS: &str = "GCYxwweEyDMLdaKhHkmsSzZuqQnVX";

fn tokenize(pattern: &str) -> Result<Vec<Token>> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' {
            if chars.get(i + 1) == Some(&'\'') {
                tokens.push(Token::Text("'".into()));
                i += 2;
                continue;
            }
            let mut text = String::new();
            i += 1;
            while i < chars.len() {
                if chars[i] == '\'' {
                    if chars.get(i + 1) == Some(&'\'') {
                        text.push('\'');
                        i += 2;
                        continue;
                    }
                    break;
                }
                text.push(chars[i]);
                i += 1;
            }
            i += 1;
            tokens.push(Token::Text(text));
        } else if c.is_ascii_alphabetic() {
            if !LETTERS.contains(c) {
                return exec_err!("Illegal pattern component: {c}");
            }
            let mut n = 1;
            while chars.get(i + n) == Some(&c) {
                n += 1;
            }
            tokens.push(Token::Field(c, n));
            i += n;
        } else {
            tokens.push(Token::Text(c.to_string()));
            i += 1;
        }
    }
    Ok(tokens)
}

fn padded(v: i64, width: usize) -> String {
    if v < 0 {
        format!("-{:0width$}", -v)
    } else {
        format!("{v:0width$}")
    }
}

/// Formats a UTC date-time with a Joda pattern.
pub fn format(dt: NaiveDateTime, pattern: &str) -> Result<String> {
    let mut out = String::new();
    for token in tokenize(pattern)? {
        let (c, n) = match token {
            Token::Text(t) => {
                out.push_str(&t);
                continue;
            }
            Token::Field(c, n) => (c, n),
        };
        let hour = dt.hour();
        let text = match c {
            'G' => (if dt.year() > 0 { "AD" } else { "BC" }).to_owned(),
            'C' => padded(i64::from(dt.year() / 100), n),
            'y' | 'u' | 'Y' if n == 2 => padded(i64::from(dt.year().rem_euclid(100)), 2),
            'y' | 'u' | 'Y' => padded(i64::from(dt.year()), n),
            'x' if n == 2 => padded(i64::from(dt.iso_week().year().rem_euclid(100)), 2),
            'x' => padded(i64::from(dt.iso_week().year()), n),
            'w' => padded(i64::from(dt.iso_week().week()), n),
            'e' => padded(i64::from(dt.weekday().number_from_monday()), n),
            'E' => {
                let name = WEEKDAYS[dt.weekday().num_days_from_monday() as usize];
                (if n >= 4 { name } else { &name[..3] }).to_owned()
            }
            'D' => padded(i64::from(dt.ordinal()), n),
            'M' | 'L' => {
                let name = MONTHS[dt.month0() as usize];
                match n {
                    1 | 2 => padded(i64::from(dt.month()), n),
                    3 => name[..3].to_owned(),
                    _ => name.to_owned(),
                }
            }
            'q' | 'Q' => padded(i64::from(dt.month0() / 3 + 1), n),
            'd' => padded(i64::from(dt.day()), n),
            'a' => (if hour < 12 { "AM" } else { "PM" }).to_owned(),
            'K' => padded(i64::from(hour % 12), n),
            'h' => padded(i64::from(super::mysql::hour12(hour)), n),
            'H' => padded(i64::from(hour), n),
            'k' => padded(i64::from(if hour == 0 { 24 } else { hour }), n),
            'm' => padded(i64::from(dt.minute()), n),
            's' => padded(i64::from(dt.second()), n),
            'S' => {
                let nanos = format!("{:09}", dt.nanosecond() % 1_000_000_000);
                if n <= 9 {
                    nanos[..n].to_owned()
                } else {
                    format!("{nanos:0<n$}")
                }
            }
            'n' => padded(i64::from(dt.nanosecond() % 1_000_000_000), n),
            'z' => (if n >= 4 {
                "Coordinated Universal Time"
            } else {
                "UTC"
            })
            .to_owned(),
            'Z' => match n {
                1 => "+0000".to_owned(),
                2 => "+00:00".to_owned(),
                _ => "UTC".to_owned(),
            },
            'V' => "UTC".to_owned(),
            'X' => "Z".to_owned(),
            other => return exec_err!("Illegal pattern component: {other}"),
        };
        out.push_str(&text);
    }
    Ok(out)
}

/// Zone abbreviations accepted by `z` when parsing, as offsets east of UTC in minutes.
const ZONE_NAMES: [(&str, i64); 26] = [
    ("UTC", 0),
    ("GMT", 0),
    ("UT", 0),
    ("Z", 0),
    ("EST", -300),
    ("EDT", -240),
    ("CST", -360),
    ("CDT", -300),
    ("MST", -420),
    ("MDT", -360),
    ("PST", -480),
    ("PDT", -420),
    ("AKST", -540),
    ("AKDT", -480),
    ("HST", -600),
    ("WET", 0),
    ("WEST", 60),
    ("BST", 60),
    ("CET", 60),
    ("CEST", 120),
    ("EET", 120),
    ("EEST", 180),
    ("IST", 330),
    ("JST", 540),
    ("KST", 540),
    ("AEST", 600),
];

/// The fields read so far.
#[derive(Default)]
struct Fields {
    year: Option<i32>,
    month: Option<u32>,
    day: Option<u32>,
    day_of_year: Option<u32>,
    week_year: Option<i32>,
    week: Option<u32>,
    weekday: Option<u32>,
    hour: Option<u32>,
    hour12: Option<u32>,
    pm: Option<bool>,
    minute: Option<u32>,
    second: Option<u32>,
    nanos: Option<u32>,
    /// A fixed offset east of UTC, in ns.
    offset: Option<i64>,
    zone: Option<Tz>,
}

/// Reads an offset `Z`, `±HH`, `±HHmm`, `±HH:mm` (ns east of UTC).
fn read_offset(r: &mut Reader) -> Result<i64> {
    if let Some(rest) = r.rest.strip_prefix('Z') {
        r.rest = rest;
        return Ok(0);
    }
    let sign = match r.rest.as_bytes().first() {
        Some(b'+') => 1,
        Some(b'-') => -1,
        _ => return r.malformed(),
    };
    r.rest = &r.rest[1..];
    let hours = r.number(2)?;
    let minutes = if let Some(rest) = r.rest.strip_prefix(':') {
        r.rest = rest;
        r.number(2)?
    } else if r.rest.starts_with(|c: char| c.is_ascii_digit()) {
        r.number(2)?
    } else {
        0
    };
    Ok(sign * (i64::from(hours) * NANOS_PER_HOUR + i64::from(minutes) * NANOS_PER_MINUTE))
}

/// Reads a zone: an IANA id (`America/Los_Angeles`), an abbreviation or an offset.
fn read_zone(r: &mut Reader, f: &mut Fields) -> Result<()> {
    if r.rest.starts_with(['+', '-']) {
        f.offset = Some(read_offset(r)?);
        return Ok(());
    }
    let len = r
        .rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || "/_-+".contains(c)))
        .unwrap_or(r.rest.len());
    let word = &r.rest[..len];
    if let Some((_, minutes)) = ZONE_NAMES.iter().find(|(n, _)| *n == word) {
        f.offset = Some(minutes * NANOS_PER_MINUTE);
    } else if word.contains('/') {
        match Tz::from_str(word) {
            Ok(tz) => f.zone = Some(tz),
            Err(_) => return r.malformed(),
        }
    } else {
        return r.malformed();
    }
    r.rest = &r.rest[len..];
    Ok(())
}

fn is_numeric(t: Option<&Token>) -> bool {
    matches!(t, Some(Token::Field(c, n)) if !matches!((c, n), ('M' | 'L', 3..) | ('E' | 'a' | 'G' | 'z' | 'Z' | 'V' | 'X', _)))
}

/// Parses text with a Joda pattern into a UTC date-time.
pub fn parse(text: &str, pattern: &str) -> Result<NaiveDateTime> {
    let tokens = tokenize(pattern)?;
    let mut r = Reader { text, rest: text };
    let mut f = Fields::default();
    for (i, token) in tokens.iter().enumerate() {
        let (c, n) = match token {
            Token::Text(t) => {
                for ch in t.chars() {
                    r.literal(ch)?;
                }
                continue;
            }
            Token::Field(c, n) => (*c, *n),
        };
        // A number right before another numeric field takes exactly its count of digits.
        let adjacent = is_numeric(tokens.get(i + 1));
        let width = |max: usize| if adjacent { n.max(1) } else { max.max(n) };
        match c {
            'G' => {
                r.name(&["AD", "BC"], false)?;
            }
            'C' => {
                r.number(width(2))?;
            }
            'y' | 'u' | 'Y' if n == 2 => {
                // Joda's pivot is the current year − 30, so 1946…2045 in 2026; fixed here
                // (functions never read the clock).
                let y = r.number(2)? as i32;
                f.year = Some(if y >= 46 { 1900 + y } else { 2000 + y });
            }
            'y' | 'u' | 'Y' => f.year = Some(r.number(width(9))? as i32),
            'x' => f.week_year = Some(r.number(width(9))? as i32),
            'w' => f.week = Some(r.number(width(2))?),
            'e' => f.weekday = Some(r.number(width(1))?),
            'E' => f.weekday = Some(r.name(&WEEKDAYS, n < 4)? as u32 + 1),
            'D' => f.day_of_year = Some(r.number(width(3))?),
            'M' | 'L' if n >= 3 => f.month = Some(r.name(&MONTHS, n == 3)? as u32 + 1),
            'M' | 'L' => f.month = Some(r.number(width(2))?),
            'q' | 'Q' => f.month = Some((r.number(width(1))?.max(1) - 1) * 3 + 1),
            'd' => f.day = Some(r.number(width(2))?),
            'a' => f.pm = Some(r.name(&["AM", "PM"], false)? == 1),
            'K' | 'h' => f.hour12 = Some(r.number(width(2))? % 12),
            'H' => f.hour = Some(r.number(width(2))?),
            'k' => f.hour = Some(r.number(width(2))? % 24),
            'm' => f.minute = Some(r.number(width(2))?),
            's' => f.second = Some(r.number(width(2))?),
            'S' => {
                let start = r.rest.len();
                let v = r.number(if adjacent { n.min(9) } else { 9 })?;
                let digits = (start - r.rest.len()) as u32;
                f.nanos = Some(v * 10u32.pow(9 - digits));
            }
            'n' => f.nanos = Some(r.number(width(9))?),
            'z' | 'V' => read_zone(&mut r, &mut f)?,
            'Z' | 'X' => {
                if n >= 3 && !r.rest.starts_with(['+', '-', 'Z']) {
                    read_zone(&mut r, &mut f)?;
                } else {
                    f.offset = Some(read_offset(&mut r)?);
                }
            }
            other => return exec_err!("Illegal pattern component: {other}"),
        }
    }
    if !r.rest.is_empty() {
        return r.malformed();
    }
    let invalid = || exec_err!("Invalid format: \"{text}\" (field out of range)");
    let date = match (f.week_year, f.week, f.day_of_year) {
        (Some(wy), w, _) => {
            let weekday = match f.weekday.unwrap_or(1) {
                1 => Weekday::Mon,
                2 => Weekday::Tue,
                3 => Weekday::Wed,
                4 => Weekday::Thu,
                5 => Weekday::Fri,
                6 => Weekday::Sat,
                _ => Weekday::Sun,
            };
            NaiveDate::from_isoywd_opt(wy, w.unwrap_or(1), weekday)
        }
        (_, _, Some(doy)) => NaiveDate::from_yo_opt(f.year.unwrap_or(1970), doy),
        _ => NaiveDate::from_ymd_opt(
            f.year.unwrap_or(1970),
            f.month.unwrap_or(1),
            f.day.unwrap_or(1),
        ),
    };
    let hour = match (f.hour, f.hour12) {
        (Some(h), _) => Some(h),
        (None, Some(h)) => Some(h + if f.pm == Some(true) { 12 } else { 0 }),
        (None, None) => Some(if f.pm == Some(true) { 12 } else { 0 }),
    };
    let time = hour.and_then(|h| {
        NaiveTime::from_hms_nano_opt(
            h,
            f.minute.unwrap_or(0),
            f.second.unwrap_or(0),
            f.nanos.unwrap_or(0),
        )
    });
    let (Some(date), Some(time)) = (date, time) else {
        return invalid();
    };
    let local = date.and_time(time);
    let offset_ns = match (f.offset, f.zone) {
        (Some(o), _) => o,
        (None, Some(tz)) => match tz.offset_from_local_datetime(&local).earliest() {
            Some(o) => i64::from(o.fix().local_minus_utc()) * NANOS_PER_SECOND,
            None => return invalid(),
        },
        (None, None) => 0,
    };
    match local.checked_sub_signed(chrono::TimeDelta::nanoseconds(offset_ns)) {
        Some(utc) => Ok(utc),
        None => invalid(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dt(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f").unwrap()
    }

    #[test]
    fn formats() {
        let t = dt("1968-01-13 12:05:09.123456789");
        assert_eq!(format(t, "yyyy-MM-dd HH").unwrap(), "1968-01-13 12");
        assert_eq!(
            format(t, "yy MMM MMMM E EEEE a h K k m s SSS n D w e x 'at' ''").unwrap(),
            "68 Jan January Sat Saturday PM 12 0 12 5 9 123 123456789 13 2 6 1968 at '"
        );
        assert_eq!(format(t, "Z ZZ z").unwrap(), "+0000 +00:00 UTC");
        assert!(format(t, "yyyy-bb").is_err());
    }

    #[test]
    fn parses() {
        assert_eq!(
            parse("1968-01-13 12", "yyyy-MM-dd HH").unwrap(),
            dt("1968-01-13 12:00:00")
        );
        assert_eq!(
            parse("2019-12-29 10:10 PST", "uuuu-LL-dd HH:mm z").unwrap(),
            dt("2019-12-29 18:10:00")
        );
        assert_eq!(
            parse("20191229101005", "yyyyMMddHHmmss").unwrap(),
            dt("2019-12-29 10:10:05")
        );
        assert_eq!(
            parse(
                "2019-07-01 10:00 America/Los_Angeles",
                "yyyy-MM-dd HH:mm ZZZ"
            )
            .unwrap(),
            dt("2019-07-01 17:00:00")
        );
        assert_eq!(
            parse("2019-07-01T10:00:00.5+02:00", "yyyy-MM-dd'T'HH:mm:ss.SSSZZ").unwrap(),
            dt("2019-07-01 08:00:00.5")
        );
        assert!(parse("2019-07-01x", "yyyy-MM-dd").is_err());
    }
}
