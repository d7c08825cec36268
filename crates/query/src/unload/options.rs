//! UNLOAD's `TO` and `WITH ( … )` (timestream-sql.md §4.12, developer guide "UNLOAD
//! Concepts"): where the files go and how they are written. Option values are string literals
//! compared without case (`format = 'csv'` is what AWS's own copy-table tool sends);
//! `partitioned_by` is an `ARRAY['col', …]`.

use datafusion::sql::sqlparser::ast::{Expr, SqlOption, Value};

use crate::Error;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Csv,
    Parquet,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Self::Csv => "CSV",
            Self::Parquet => "PARQUET",
        }
    }
}

const MB: f64 = 1024.0 * 1024.0;
const GB: f64 = 1024.0 * MB;
/// `max_file_size` bounds, and its default.
const MIN_FILE_SIZE: f64 = 16.0 * MB;
const MAX_FILE_SIZE: f64 = 78.0 * GB;

/// Where an UNLOAD writes, and how.
#[derive(Clone, Debug, PartialEq)]
pub struct Options {
    pub bucket: String,
    /// The folder's key, without a trailing `/` (empty for the bucket's root).
    pub folder: String,
    pub format: Format,
    pub gzip: bool,
    pub partitioned_by: Vec<String>,
    pub field_delimiter: char,
    pub escaped_by: char,
    pub include_header: bool,
    pub max_file_size: u64,
}

impl Options {
    /// The options of `UNLOAD (…) TO 'to' WITH (with)`.
    pub fn parse(to: &str, with: &[SqlOption]) -> Result<Self, Error> {
        let (bucket, folder) = s3::parse_url(to).map_err(|_| {
            invalid(format!(
                "Invalid S3 location '{to}' in the TO clause: expected s3://bucket-name/folder"
            ))
        })?;
        let mut options = Self {
            bucket,
            folder: folder.trim_end_matches('/').to_owned(),
            format: Format::Csv,
            gzip: true,
            partitioned_by: Vec::new(),
            field_delimiter: ',',
            escaped_by: '\\',
            include_header: false,
            max_file_size: MAX_FILE_SIZE as u64,
        };
        let mut seen = Vec::new();
        for option in with {
            let SqlOption::KeyValue { key, value } = option else {
                return Err(invalid(format!(
                    "Invalid UNLOAD option '{option}': expected option = value"
                )));
            };
            let name = key.value.to_ascii_lowercase();
            if seen.contains(&name) {
                return Err(invalid(format!("Duplicate UNLOAD option '{name}'")));
            }
            seen.push(name.clone());
            match name.as_str() {
                "format" => {
                    options.format = match string(&name, value)?.to_ascii_uppercase().as_str() {
                        "CSV" => Format::Csv,
                        "PARQUET" => Format::Parquet,
                        other => return Err(not_one_of(&name, other, "CSV, PARQUET")),
                    }
                }
                "compression" => {
                    options.gzip = match string(&name, value)?.to_ascii_uppercase().as_str() {
                        "GZIP" => true,
                        "NONE" => false,
                        other => return Err(not_one_of(&name, other, "GZIP, NONE")),
                    }
                }
                "encryption" => match string(&name, value)?.to_ascii_uppercase().as_str() {
                    // Accepted: objects here are not encrypted at rest (README, "UNLOAD").
                    "SSE_S3" | "SSE_KMS" => {}
                    other => return Err(not_one_of(&name, other, "SSE_S3, SSE_KMS")),
                },
                "kms_key" => {
                    string(&name, value)?;
                }
                "field_delimiter" => options.field_delimiter = one_char(&name, value)?,
                "escaped_by" => options.escaped_by = one_char(&name, value)?,
                "include_header" => {
                    options.include_header = match value {
                        Expr::Value(v) if matches!(v.value, Value::Boolean(_)) => {
                            matches!(v.value, Value::Boolean(true))
                        }
                        _ => match string(&name, value)?.to_ascii_lowercase().as_str() {
                            "true" => true,
                            "false" => false,
                            other => return Err(not_one_of(&name, other, "true, false")),
                        },
                    }
                }
                "max_file_size" => options.max_file_size = file_size(&string(&name, value)?)?,
                "partitioned_by" => options.partitioned_by = columns(&name, value)?,
                _ => {
                    return Err(invalid(format!(
                        "Unsupported UNLOAD option '{}'. Supported options: partitioned_by, format, compression, encryption, kms_key, field_delimiter, escaped_by, include_header, max_file_size",
                        key.value
                    )))
                }
            }
        }
        Ok(options)
    }

    /// The key of `name` inside the folder.
    pub fn key(&self, name: &str) -> String {
        if self.folder.is_empty() {
            name.to_owned()
        } else {
            format!("{}/{name}", self.folder)
        }
    }
}

fn invalid(message: String) -> Error {
    Error::Validation(message)
}

fn not_one_of(name: &str, value: &str, valid: &str) -> Error {
    invalid(format!(
        "Invalid value '{value}' for UNLOAD option '{name}'. Valid values: {valid}"
    ))
}

fn string(name: &str, value: &Expr) -> Result<String, Error> {
    match value {
        Expr::Value(v) => match &v.value {
            Value::SingleQuotedString(s) => Ok(s.clone()),
            _ => Err(invalid(format!(
                "UNLOAD option '{name}' must be a string literal, not {value}"
            ))),
        },
        _ => Err(invalid(format!(
            "UNLOAD option '{name}' must be a string literal, not {value}"
        ))),
    }
}

fn one_char(name: &str, value: &Expr) -> Result<char, Error> {
    let s = string(name, value)?;
    let mut chars = s.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) if c.is_ascii() => Ok(c),
        _ => Err(invalid(format!(
            "UNLOAD option '{name}' must be a single ASCII character, not '{s}'"
        ))),
    }
}

fn columns(name: &str, value: &Expr) -> Result<Vec<String>, Error> {
    let Expr::Array(array) = value else {
        return Err(invalid(format!(
            "UNLOAD option '{name}' must be an ARRAY of column names, not {value}"
        )));
    };
    let columns = array
        .elem
        .iter()
        .map(|e| string(name, e))
        .collect::<Result<Vec<_>, _>>()?;
    if columns.is_empty() {
        return Err(invalid(format!(
            "UNLOAD option '{name}' must name at least one column"
        )));
    }
    Ok(columns)
}

/// `'<n>MB'` / `'<n>GB'`, decimals allowed, 16 MB … 78 GB.
fn file_size(text: &str) -> Result<u64, Error> {
    let upper = text.trim().to_ascii_uppercase();
    let parsed = upper
        .strip_suffix("GB")
        .map(|n| (n, GB))
        .or_else(|| upper.strip_suffix("MB").map(|n| (n, MB)))
        .and_then(|(n, unit)| n.trim().parse::<f64>().ok().map(|n| n * unit))
        .filter(|bytes| bytes.is_finite());
    match parsed {
        Some(bytes) if (MIN_FILE_SIZE..=MAX_FILE_SIZE).contains(&bytes) => Ok(bytes as u64),
        Some(_) => Err(invalid(format!(
            "Invalid value '{text}' for UNLOAD option 'max_file_size': it must be between 16MB and 78GB"
        ))),
        None => Err(invalid(format!(
            "Invalid value '{text}' for UNLOAD option 'max_file_size': expected a size such as '256MB' or '0.5GB'"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_sizes_take_decimals_and_stay_in_range() {
        assert_eq!(file_size("16MB").unwrap(), 16 << 20);
        assert_eq!(file_size("0.5gb").unwrap(), 512 << 20);
        assert_eq!(file_size("78GB").unwrap(), 78 << 30);
        assert!(file_size("15.9MB").is_err());
        assert!(file_size("79GB").is_err());
        assert!(file_size("100").is_err());
        assert!(file_size("NaNGB").is_err());
    }
}
