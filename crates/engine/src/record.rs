//! The record model of the engine: a validated record as it is stored, and the compact binary
//! encoding of its value(s) in SQLite. Identity is (series, measure name, time); two writes carry
//! "the same value" exactly when their encodings are equal (attributes of a multi-measure record
//! are kept sorted by name, so the comparison is over the whole set, as AWS compares them).

use protocol::shapes::MeasureValueType;

/// One typed value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Double(f64),
    Bigint(i64),
    Varchar(String),
    Boolean(bool),
    /// Nanoseconds since the epoch.
    Timestamp(i64),
}

impl Value {
    pub fn value_type(&self) -> MeasureValueType {
        match self {
            Self::Double(_) => MeasureValueType::Double,
            Self::Bigint(_) => MeasureValueType::Bigint,
            Self::Varchar(_) => MeasureValueType::Varchar,
            Self::Boolean(_) => MeasureValueType::Boolean,
            Self::Timestamp(_) => MeasureValueType::Timestamp,
        }
    }

    fn tag(&self) -> u8 {
        match self {
            Self::Double(_) => 1,
            Self::Bigint(_) => 2,
            Self::Varchar(_) => 3,
            Self::Boolean(_) => 4,
            Self::Timestamp(_) => 5,
        }
    }
}

/// The value(s) of a record: one for a single-measure record, named attributes for MULTI.
#[derive(Debug, Clone, PartialEq)]
pub enum Measures {
    Single(Value),
    /// Sorted by attribute name, names unique.
    Multi(Vec<(String, Value)>),
}

const MULTI_TAG: u8 = 0xFF;

impl Measures {
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(16);
        match self {
            Self::Single(v) => {
                out.push(v.tag());
                encode_payload(v, &mut out, false);
            }
            Self::Multi(attrs) => {
                out.push(MULTI_TAG);
                out.extend_from_slice(&(attrs.len() as u16).to_le_bytes());
                for (name, v) in attrs {
                    out.extend_from_slice(&(name.len() as u16).to_le_bytes());
                    out.extend_from_slice(name.as_bytes());
                    out.push(v.tag());
                    encode_payload(v, &mut out, true);
                }
            }
        }
        out
    }

    pub fn decode(bytes: &[u8]) -> Option<Self> {
        Some(match EncodedMeasures::parse(bytes)? {
            EncodedMeasures::Single(v) => Self::Single(v.to_value()),
            EncodedMeasures::Multi(attrs) => {
                let mut out = Vec::with_capacity(attrs.len());
                for attr in attrs {
                    let (name, v) = attr?;
                    out.push((std::str::from_utf8(name).ok()?.to_owned(), v.to_value()));
                }
                Self::Multi(out)
            }
        })
    }
}

/// A value borrowed from an encoding or a [`Value`]: what the memory tier's chunk builder
/// takes, so that values read from SQLite reach their Arrow column without an allocation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum ValueRef<'a> {
    Double(f64),
    Bigint(i64),
    Varchar(&'a str),
    Boolean(bool),
    Timestamp(i64),
}

impl ValueRef<'_> {
    pub fn value_type(self) -> MeasureValueType {
        match self {
            Self::Double(_) => MeasureValueType::Double,
            Self::Bigint(_) => MeasureValueType::Bigint,
            Self::Varchar(_) => MeasureValueType::Varchar,
            Self::Boolean(_) => MeasureValueType::Boolean,
            Self::Timestamp(_) => MeasureValueType::Timestamp,
        }
    }

    pub fn to_value(self) -> Value {
        match self {
            Self::Double(d) => Value::Double(d),
            Self::Bigint(i) => Value::Bigint(i),
            Self::Varchar(s) => Value::Varchar(s.to_owned()),
            Self::Boolean(b) => Value::Boolean(b),
            Self::Timestamp(t) => Value::Timestamp(t),
        }
    }
}

impl Value {
    pub(crate) fn as_ref(&self) -> ValueRef<'_> {
        match self {
            Self::Double(d) => ValueRef::Double(*d),
            Self::Bigint(i) => ValueRef::Bigint(*i),
            Self::Varchar(s) => ValueRef::Varchar(s),
            Self::Boolean(b) => ValueRef::Boolean(*b),
            Self::Timestamp(t) => ValueRef::Timestamp(*t),
        }
    }
}

/// An encoded record's value(s), read in place: [`Measures::decode`] without its allocations.
#[derive(Debug, Clone)]
pub(crate) enum EncodedMeasures<'a> {
    Single(ValueRef<'a>),
    Multi(EncodedAttributes<'a>),
}

impl<'a> EncodedMeasures<'a> {
    /// `None` when `bytes` is not an encoding; a multi-measure record's attributes are checked
    /// as they are read.
    pub fn parse(bytes: &'a [u8]) -> Option<Self> {
        let (&tag, rest) = bytes.split_first()?;
        if tag != MULTI_TAG {
            let (v, _) = decode_payload(tag, rest, false)?;
            return Some(Self::Single(v));
        }
        let remaining = u16::from_le_bytes(rest.get(..2)?.try_into().ok()?) as usize;
        Some(Self::Multi(EncodedAttributes {
            rest: &rest[2..],
            remaining,
        }))
    }
}

/// The attributes of an encoded multi-measure record, in their (sorted) order: the name's
/// bytes, not yet checked to be UTF-8 (a reader that knows the name already need not check it
/// again), and the value. An item is `None` when the encoding is cut short or malformed.
#[derive(Debug, Clone)]
pub(crate) struct EncodedAttributes<'a> {
    rest: &'a [u8],
    remaining: usize,
}

impl<'a> Iterator for EncodedAttributes<'a> {
    type Item = Option<(&'a [u8], ValueRef<'a>)>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.remaining == 0 {
            return None;
        }
        self.remaining -= 1;
        let attr = (|| {
            let rest = self.rest;
            let len = u16::from_le_bytes(rest.get(..2)?.try_into().ok()?) as usize;
            let name = rest.get(2..2 + len)?;
            let tag = *rest.get(2 + len)?;
            let (v, used) = decode_payload(tag, &rest[3 + len..], true)?;
            self.rest = &rest[3 + len + used..];
            Some((name, v))
        })();
        if attr.is_none() {
            // Nothing after a malformed attribute can be read.
            self.remaining = 0;
        }
        Some(attr)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

impl ExactSizeIterator for EncodedAttributes<'_> {}

fn encode_payload(v: &Value, out: &mut Vec<u8>, length_prefixed: bool) {
    match v {
        Value::Double(d) => out.extend_from_slice(&d.to_le_bytes()),
        Value::Bigint(i) | Value::Timestamp(i) => out.extend_from_slice(&i.to_le_bytes()),
        Value::Boolean(b) => out.push(u8::from(*b)),
        Value::Varchar(s) => {
            if length_prefixed {
                out.extend_from_slice(&(s.len() as u16).to_le_bytes());
            }
            out.extend_from_slice(s.as_bytes());
        }
    }
}

fn decode_payload(tag: u8, bytes: &[u8], length_prefixed: bool) -> Option<(ValueRef<'_>, usize)> {
    let eight = || -> Option<[u8; 8]> { bytes.get(..8)?.try_into().ok() };
    Some(match tag {
        1 => (ValueRef::Double(f64::from_le_bytes(eight()?)), 8),
        2 => (ValueRef::Bigint(i64::from_le_bytes(eight()?)), 8),
        5 => (ValueRef::Timestamp(i64::from_le_bytes(eight()?)), 8),
        4 => (ValueRef::Boolean(*bytes.first()? != 0), 1),
        3 if length_prefixed => {
            let len = u16::from_le_bytes(bytes.get(..2)?.try_into().ok()?) as usize;
            (
                ValueRef::Varchar(std::str::from_utf8(bytes.get(2..2 + len)?).ok()?),
                2 + len,
            )
        }
        3 => (
            ValueRef::Varchar(std::str::from_utf8(bytes).ok()?),
            bytes.len(),
        ),
        _ => return None,
    })
}

/// A stored record, as the engine's read API returns it.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredRecord {
    /// Sorted by name.
    pub dimensions: Vec<(String, String)>,
    pub measure_name: String,
    pub time_ns: i64,
    pub version: i64,
    pub measures: Measures,
    pub tier: Tier,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tier {
    Memory,
    Magnetic,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        for m in [
            Measures::Single(Value::Double(72.5)),
            Measures::Single(Value::Varchar("héllo".into())),
            Measures::Single(Value::Boolean(true)),
            Measures::Multi(vec![
                ("cpu".into(), Value::Double(1.5)),
                ("host".into(), Value::Varchar("a".into())),
                ("n".into(), Value::Bigint(-3)),
                ("t".into(), Value::Timestamp(1_700_000_000_000_000_000)),
            ]),
        ] {
            assert_eq!(Measures::decode(&m.encode()), Some(m));
        }
        assert_eq!(Measures::decode(&[9, 1]), None);
    }

    #[test]
    fn a_multi_measure_encoding_cut_short_is_refused() {
        let m = Measures::Multi(vec![
            ("a".into(), Value::Varchar("xyz".into())),
            ("b".into(), Value::Double(1.0)),
        ]);
        let bytes = m.encode();
        for n in 0..bytes.len() {
            assert_eq!(Measures::decode(&bytes[..n]), None, "{n} bytes");
        }
        assert_eq!(Measures::decode(&bytes), Some(m));
    }
}
