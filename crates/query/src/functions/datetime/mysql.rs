//! MySQL-style format specifiers, as Trino's `date_format`/`date_parse` read them
//! (timestream-functions.md §9.5, trap 1 of §13): `%a` `%b` `%c` `%d` `%e` `%f` `%H` `%h` `%I`
//! `%i` `%j` `%k` `%l` `%M` `%m` `%p` `%r` `%S` `%s` `%T` `%v` `%W` `%x` `%Y` `%y` `%%`; `%D`,
//! `%U`, `%u`, `%V`, `%w`, `%X` are errors (`%D not supported in date format string`); any other
//! `%c` stands for the character `c`. `%f` prints six digits (microseconds) and parses 1–9.
//! Not DataFusion's chrono/strftime meanings (`%M` minute, `%s` epoch seconds there).

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike, Weekday};
use datafusion::common::{exec_err, Result};

pub const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

pub const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

fn unsupported<T>(c: char) -> Result<T> {
    exec_err!("%{c} not supported in date format string")
}

pub fn hour12(h: u32) -> u32 {
    match h % 12 {
        0 => 12,
        h => h,
    }
}

/// Formats a UTC date-time with a MySQL format.
pub fn format(dt: NaiveDateTime, pattern: &str) -> Result<String> {
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let Some(spec) = chars.next() else {
            break;
        };
        let month = MONTHS[dt.month0() as usize];
        let weekday = WEEKDAYS[dt.weekday().num_days_from_monday() as usize];
        let text = match spec {
            'a' => weekday[..3].to_owned(),
            'b' => month[..3].to_owned(),
            'c' => dt.month().to_string(),
            'd' => format!("{:02}", dt.day()),
            'e' => dt.day().to_string(),
            'f' => format!("{:06}", dt.nanosecond() / 1_000),
            'H' => format!("{:02}", dt.hour()),
            'h' | 'I' => format!("{:02}", hour12(dt.hour())),
            'i' => format!("{:02}", dt.minute()),
            'j' => format!("{:03}", dt.ordinal()),
            'k' => dt.hour().to_string(),
            'l' => hour12(dt.hour()).to_string(),
            'M' => month.to_owned(),
            'm' => format!("{:02}", dt.month()),
            'p' => (if dt.hour() < 12 { "AM" } else { "PM" }).to_owned(),
            'r' => format!(
                "{:02}:{:02}:{:02} {}",
                hour12(dt.hour()),
                dt.minute(),
                dt.second(),
                if dt.hour() < 12 { "AM" } else { "PM" }
            ),
            'S' | 's' => format!("{:02}", dt.second()),
            'T' => format!("{:02}:{:02}:{:02}", dt.hour(), dt.minute(), dt.second()),
            'v' => format!("{:02}", dt.iso_week().week()),
            'W' => weekday.to_owned(),
            'x' => format!("{:04}", dt.iso_week().year()),
            'Y' => format!("{:04}", dt.year()),
            'y' => format!("{:02}", dt.year().rem_euclid(100)),
            'D' | 'U' | 'u' | 'V' | 'w' | 'X' => return unsupported(spec),
            other => other.to_string(),
        };
        out.push_str(&text);
    }
    Ok(out)
}

/// The fields read so far.
#[derive(Default)]
struct Fields {
    year: Option<i32>,
    month: Option<u32>,
    day: Option<u32>,
    day_of_year: Option<u32>,
    hour: Option<u32>,
    hour12: Option<u32>,
    pm: Option<bool>,
    minute: Option<u32>,
    second: Option<u32>,
    nanos: Option<u32>,
    week: Option<u32>,
    week_year: Option<i32>,
}

/// Reads text left to right, failing in Joda's words.
pub struct Reader<'a> {
    pub text: &'a str,
    pub rest: &'a str,
}

impl<'a> Reader<'a> {
    pub fn malformed<T>(&self) -> Result<T> {
        if self.rest.is_empty() {
            exec_err!("Invalid format: \"{}\" is too short", self.text)
        } else {
            exec_err!(
                "Invalid format: \"{}\" is malformed at \"{}\"",
                self.text,
                self.rest
            )
        }
    }

    /// 1 to `max` digits.
    pub fn number(&mut self, max: usize) -> Result<u32> {
        let n = self
            .rest
            .bytes()
            .take(max)
            .take_while(u8::is_ascii_digit)
            .count();
        match self.rest[..n].parse() {
            Ok(v) if n > 0 => {
                self.rest = &self.rest[n..];
                Ok(v)
            }
            _ => self.malformed(),
        }
    }

    /// One of `names` (case-insensitive), full or, when `short`, its first three letters;
    /// the index.
    pub fn name(&mut self, names: &[&str], short: bool) -> Result<usize> {
        for (i, n) in names.iter().enumerate() {
            let n = if short { &n[..3] } else { n };
            if self
                .rest
                .get(..n.len())
                .is_some_and(|r| r.eq_ignore_ascii_case(n))
            {
                self.rest = &self.rest[n.len()..];
                return Ok(i);
            }
        }
        self.malformed()
    }

    pub fn literal(&mut self, c: char) -> Result<()> {
        match self.rest.strip_prefix(c) {
            Some(r) => {
                self.rest = r;
                Ok(())
            }
            None => self.malformed(),
        }
    }
}

/// Parses `text` with a MySQL format into a UTC date-time; fields the format does not set
/// default to 1970-01-01 00:00:00.
pub fn parse(text: &str, pattern: &str) -> Result<NaiveDateTime> {
    let mut r = Reader { text, rest: text };
    let mut f = Fields::default();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            r.literal(c)?;
            continue;
        }
        let Some(spec) = chars.next() else {
            break;
        };
        match spec {
            'a' => {
                r.name(&WEEKDAYS, true)?;
            }
            'W' => {
                r.name(&WEEKDAYS, false)?;
            }
            'b' => f.month = Some(r.name(&MONTHS, true)? as u32 + 1),
            'M' => f.month = Some(r.name(&MONTHS, false)? as u32 + 1),
            'c' | 'm' => f.month = Some(r.number(2)?),
            'd' | 'e' => f.day = Some(r.number(2)?),
            'f' => {
                let start = r.rest;
                let v = r.number(9)?;
                let digits = (start.len() - r.rest.len()) as u32;
                f.nanos = Some(v * 10u32.pow(9 - digits));
            }
            'H' | 'k' => f.hour = Some(r.number(2)?),
            'h' | 'I' | 'l' => f.hour12 = Some(r.number(2)?),
            'i' => f.minute = Some(r.number(2)?),
            'j' => f.day_of_year = Some(r.number(3)?),
            'p' => f.pm = Some(r.name(&["AM", "PM"], false)? == 1),
            'r' => {
                f.hour12 = Some(r.number(2)?);
                r.literal(':')?;
                f.minute = Some(r.number(2)?);
                r.literal(':')?;
                f.second = Some(r.number(2)?);
                r.literal(' ')?;
                f.pm = Some(r.name(&["AM", "PM"], false)? == 1);
            }
            'S' | 's' => f.second = Some(r.number(2)?),
            'T' => {
                f.hour = Some(r.number(2)?);
                r.literal(':')?;
                f.minute = Some(r.number(2)?);
                r.literal(':')?;
                f.second = Some(r.number(2)?);
            }
            'v' => f.week = Some(r.number(2)?),
            'x' => f.week_year = Some(r.number(4)? as i32),
            'Y' => f.year = Some(r.number(4)? as i32),
            'y' => {
                let y = r.number(2)? as i32;
                f.year = Some(if y >= 70 { 1900 + y } else { 2000 + y });
            }
            'D' | 'U' | 'u' | 'V' | 'w' | 'X' => return unsupported(spec),
            other => r.literal(other)?,
        }
    }
    if !r.rest.is_empty() {
        return r.malformed();
    }
    let invalid = || exec_err!("Invalid format: \"{text}\" (field out of range)");
    let date = match (f.week_year, f.week, f.day_of_year) {
        (Some(wy), Some(w), _) => NaiveDate::from_isoywd_opt(wy, w, Weekday::Mon),
        (_, _, Some(doy)) => NaiveDate::from_yo_opt(f.year.unwrap_or(1970), doy),
        _ => NaiveDate::from_ymd_opt(
            f.year.unwrap_or(1970),
            f.month.unwrap_or(1),
            f.day.unwrap_or(1),
        ),
    };
    let Some(date) = date else {
        return invalid();
    };
    let hour = match (f.hour, f.hour12) {
        (Some(h), _) => h,
        (None, Some(h)) if (1..=12).contains(&h) => {
            h % 12 + if f.pm == Some(true) { 12 } else { 0 }
        }
        (None, Some(_)) => return invalid(),
        (None, None) => {
            if f.pm == Some(true) {
                12
            } else {
                0
            }
        }
    };
    match date.and_hms_nano_opt(
        hour,
        f.minute.unwrap_or(0),
        f.second.unwrap_or(0),
        f.nanos.unwrap_or(0),
    ) {
        Some(dt) => Ok(dt),
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
        let t = dt("2019-10-20 10:20:20.123456");
        assert_eq!(
            format(t, "%Y-%m-%d %H:%i:%s").unwrap(),
            "2019-10-20 10:20:20"
        );
        assert_eq!(
            format(t, "%a %b %c %e %f %h %j %k %l %M %p %r %T %v %W %x %y %%").unwrap(),
            "Sun Oct 10 20 123456 10 293 10 10 October AM 10:20:20 AM 10:20:20 42 Sunday 2019 19 %"
        );
        assert!(format(t, "%D").is_err());
    }

    #[test]
    fn parses() {
        assert_eq!(
            parse("2019-10-20 10:20:20", "%Y-%m-%d %H:%i:%s").unwrap(),
            dt("2019-10-20 10:20:20")
        );
        assert_eq!(
            parse("Oct 5 19 3:04:05 PM", "%b %e %y %r").unwrap(),
            dt("2019-10-05 15:04:05")
        );
        assert_eq!(
            parse("Oct 5 19 03:04:05 PM", "%b %e %y %r").unwrap(),
            dt("2019-10-05 15:04:05")
        );
        assert_eq!(parse("10:20", "%H:%i").unwrap(), dt("1970-01-01 10:20:00"));
        assert_eq!(
            parse("2019-10-20 10:20:20.5", "%Y-%m-%d %T.%f").unwrap(),
            dt("2019-10-20 10:20:20.5")
        );
        assert!(parse("2019-10-20x", "%Y-%m-%d").is_err());
        assert!(parse("2019-13-20", "%Y-%m-%d").is_err());
    }
}
