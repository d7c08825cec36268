//! awsJson1.0 timestamps: JSON numbers of epoch seconds with a fractional part
//! (`1704164645.678`), read and written through `aws_smithy_types::DateTime`, the type the AWS
//! SDK for Rust uses for the same members.

use aws_smithy_types::DateTime;
use serde::{Deserialize, Deserializer, Serializer};

pub fn serialize<S: Serializer>(t: &DateTime, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(t.as_secs_f64())
}

pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime, D::Error> {
    Ok(DateTime::from_secs_f64(f64::deserialize(d)?))
}

/// For `Option<DateTime>` members.
pub mod option {
    use super::*;

    pub fn serialize<S: Serializer>(t: &Option<DateTime>, s: S) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => super::serialize(t, s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime>, D::Error> {
        Ok(Option::<f64>::deserialize(d)?.map(DateTime::from_secs_f64))
    }
}

/// Engine time (nanoseconds since the epoch) as a wire timestamp, at AWS's millisecond precision.
pub fn from_nanos(ns: i64) -> DateTime {
    DateTime::from_millis(ns.div_euclid(1_000_000))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Serialize, serde::Deserialize)]
    struct T {
        #[serde(with = "crate::timestamp")]
        at: DateTime,
    }

    #[test]
    fn round_trips_milliseconds() {
        let t = T {
            at: from_nanos(1_704_164_645_678_000_000),
        };
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(json, r#"{"at":1704164645.678}"#);
        let back: T = serde_json::from_str(&json).unwrap();
        assert_eq!(back.at.as_secs_f64(), 1704164645.678);
    }
}
