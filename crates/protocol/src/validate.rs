//! One validation path for every operation: a walk over the input JSON guided by the service
//! model, reporting violations exactly as AWS's Coral framework words them (wire-protocol.md
//! §5.10): `N validation error(s) detected: Value 'v' at 'a.b.1.member.c' failed to satisfy
//! constraint: <phrase>`, items joined by `; `, every violation counted. A JSON value of the wrong
//! type is not a constraint violation but a `SerializationException`, as Coral's JSON
//! deserializer reports it before validation runs.
//!
//! A member whose shape the model marks `sensitive` (`QueryString`, `ClientToken`,
//! `ClientRequestToken`) is reported without its value, `Value at 'queryString' failed to
//! satisfy constraint: …`, the form AWS answers with for sensitive members (Cognito's
//! `password`, Secrets Manager's `secretString`); a missing one is still `Value null at …`.
//! Other values are echoed whole, as Coral does: AWS publishes no length cap, and every
//! echoed value is bounded by the request size limit.

use serde_json::Value;

use crate::model::{model, Service, ServiceModel, Shape, ShapeType};
use crate::{AwsError, ErrorCode};

/// Checks `input` against the input shape of `operation` in `service`'s model.
pub fn validate_input(service: Service, operation: &str, input: &Value) -> Result<(), AwsError> {
    let m = model(service);
    let Some(shape) = m.input_shape(operation) else {
        return Ok(());
    };
    let mut violations = Vec::new();
    walk(m, shape, input, "", &mut violations)?;
    if violations.is_empty() {
        return Ok(());
    }
    let n = violations.len();
    let plural = if n == 1 { "error" } else { "errors" };
    Err(AwsError::new(
        ErrorCode::InputValidation,
        format!(
            "{n} validation {plural} detected: {}",
            violations.join("; ")
        ),
    ))
}

fn walk(
    m: &ServiceModel,
    shape_name: &str,
    value: &Value,
    path: &str,
    out: &mut Vec<String>,
) -> Result<(), AwsError> {
    let Some(shape) = m.shape(shape_name) else {
        return Ok(());
    };
    match shape.kind {
        ShapeType::Structure => {
            let Value::Object(obj) = value else {
                return Err(type_mismatch(value, "a structure", path));
            };
            for (member, target) in &shape.members {
                let child_path = join(path, &lower_camel(member));
                match obj.get(member).filter(|v| !v.is_null()) {
                    Some(child) => walk(m, &target.shape, child, &child_path, out)?,
                    None if shape.required.iter().any(|r| r == member) => out.push(format!(
                        "Value null at '{child_path}' failed to satisfy constraint: Member must not be null"
                    )),
                    None => {}
                }
            }
        }
        ShapeType::List => {
            let Value::Array(items) = value else {
                return Err(type_mismatch(value, "a list", path));
            };
            check_length(shape, value, items.len(), path, out);
            if let Some(member) = &shape.member {
                for (i, item) in items.iter().enumerate() {
                    let item_path = format!("{path}.{}.member", i + 1);
                    if !item.is_null() {
                        walk(m, &member.shape, item, &item_path, out)?;
                    }
                }
            }
        }
        ShapeType::String => {
            let Value::String(s) = value else {
                return Err(type_mismatch(value, "a String", path));
            };
            check_length(shape, value, s.chars().count(), path, out);
            if let (Some(pattern), Some(re)) = (&shape.pattern, &shape.compiled_pattern) {
                if !re.is_match(s) {
                    out.push(violation(
                        shape,
                        value,
                        path,
                        &format!("Member must satisfy regular expression pattern: {pattern}"),
                    ));
                }
            }
            if let Some(values) = &shape.enum_values {
                if !values.iter().any(|v| v == s) {
                    out.push(violation(
                        shape,
                        value,
                        path,
                        &format!(
                            "Member must satisfy enum value set: [{}]",
                            values.join(", ")
                        ),
                    ));
                }
            }
        }
        ShapeType::Integer | ShapeType::Long => {
            let (Some(n), true) = (value.as_f64(), value.is_number()) else {
                return Err(type_mismatch(value, integer_name(shape.kind), path));
            };
            let fits = match shape.kind {
                ShapeType::Integer => value.as_i64().is_some_and(|i| i32::try_from(i).is_ok()),
                _ => value.as_i64().is_some(),
            };
            if !fits {
                return Err(AwsError::serialization(format!(
                    "NUMBER_VALUE {value} can not be converted to {} at '{path}'",
                    integer_name(shape.kind)
                )));
            }
            check_range(shape, value, n, path, out);
        }
        ShapeType::Double | ShapeType::Float => {
            let Some(n) = value.as_f64() else {
                return Err(type_mismatch(value, "a Double", path));
            };
            check_range(shape, value, n, path, out);
        }
        ShapeType::Boolean => {
            if !value.is_boolean() {
                return Err(type_mismatch(value, "a Boolean", path));
            }
        }
        ShapeType::Timestamp => {
            if !value.is_number() {
                return Err(type_mismatch(value, "a Date (epoch seconds)", path));
            }
        }
        ShapeType::Map | ShapeType::Blob => {}
    }
    Ok(())
}

fn integer_name(kind: ShapeType) -> &'static str {
    match kind {
        ShapeType::Integer => "an Integer",
        _ => "a Long",
    }
}

fn check_length(shape: &Shape, value: &Value, len: usize, path: &str, out: &mut Vec<String>) {
    let len = len as f64;
    if let Some(min) = shape.min.filter(|min| len < *min) {
        out.push(violation(
            shape,
            value,
            path,
            &format!(
                "Member must have length greater than or equal to {}",
                number(min)
            ),
        ));
    }
    if let Some(max) = shape.max.filter(|max| len > *max) {
        out.push(violation(
            shape,
            value,
            path,
            &format!(
                "Member must have length less than or equal to {}",
                number(max)
            ),
        ));
    }
}

fn check_range(shape: &Shape, value: &Value, n: f64, path: &str, out: &mut Vec<String>) {
    if let Some(min) = shape.min.filter(|min| n < *min) {
        out.push(violation(
            shape,
            value,
            path,
            &format!(
                "Member must have value greater than or equal to {}",
                number(min)
            ),
        ));
    }
    if let Some(max) = shape.max.filter(|max| n > *max) {
        out.push(violation(
            shape,
            value,
            path,
            &format!(
                "Member must have value less than or equal to {}",
                number(max)
            ),
        ));
    }
}

fn violation(shape: &Shape, value: &Value, path: &str, constraint: &str) -> String {
    if shape.sensitive {
        return format!("Value at '{path}' failed to satisfy constraint: {constraint}");
    }
    format!(
        "Value '{}' at '{path}' failed to satisfy constraint: {constraint}",
        render(value)
    )
}

/// How Coral prints a value inside `Value '…'`: strings bare, lists as `[a, b]`.
fn render(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Array(items) => {
            format!(
                "[{}]",
                items.iter().map(render).collect::<Vec<_>>().join(", ")
            )
        }
        Value::Object(map) => format!(
            "{{{}}}",
            map.iter()
                .map(|(k, v)| format!("{k}={}", render(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        other => other.to_string(),
    }
}

fn number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        n.to_string()
    }
}

fn type_mismatch(value: &Value, expected: &str, path: &str) -> AwsError {
    let found = match value {
        Value::Object(_) => {
            return AwsError::serialization(format!(
                "Start of structure or map found where not expected at '{}'.",
                display_path(path)
            ))
        }
        Value::Array(_) => {
            return AwsError::serialization(format!(
                "Start of list found where not expected at '{}'.",
                display_path(path)
            ))
        }
        Value::String(_) => "STRING_VALUE",
        Value::Number(_) => "NUMBER_VALUE",
        Value::Bool(true) => "VALUE_TRUE",
        Value::Bool(false) => "VALUE_FALSE",
        Value::Null => "VALUE_NULL",
    };
    AwsError::serialization(format!(
        "{found} can not be converted to {expected} at '{}'",
        display_path(path)
    ))
}

fn display_path(path: &str) -> &str {
    if path.is_empty() {
        "(request body)"
    } else {
        path
    }
}

fn join(path: &str, member: &str) -> String {
    if path.is_empty() {
        member.to_owned()
    } else {
        format!("{path}.{member}")
    }
}

/// Coral's member names: the model's, first letter lower-cased (`ResourceARN` → `resourceARN`).
fn lower_camel(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn message(service: Service, op: &str, input: Value) -> String {
        validate_input(service, op, &input).unwrap_err().message
    }

    #[test]
    fn valid_input_passes() {
        let input = json!({"DatabaseName": "monitoring", "Tags": [{"Key": "k", "Value": ""}]});
        assert!(validate_input(Service::Write, "CreateDatabase", &input).is_ok());
    }

    #[test]
    fn missing_required_member() {
        assert_eq!(
            message(Service::Write, "DescribeDatabase", json!({})),
            "1 validation error detected: Value null at 'databaseName' failed to satisfy constraint: Member must not be null"
        );
    }

    #[test]
    fn name_length_and_pattern_are_counted_separately() {
        assert_eq!(
            message(Service::Write, "CreateDatabase", json!({"DatabaseName": "a!"})),
            "2 validation errors detected: Value 'a!' at 'databaseName' failed to satisfy constraint: Member must have length greater than or equal to 3; Value 'a!' at 'databaseName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"
        );
    }

    #[test]
    fn nested_list_paths_are_one_based() {
        let input = json!({
            "DatabaseName": "db", "TableName": "t",
            "Records": [{"MeasureName": "m"}, {"Dimensions": [{"Name": "h", "Value": "v", "DimensionValueType": "X"}]}]
        });
        assert_eq!(
            message(Service::Write, "WriteRecords", input),
            "1 validation error detected: Value 'X' at 'records.2.member.dimensions.1.member.dimensionValueType' failed to satisfy constraint: Member must satisfy enum value set: [VARCHAR]"
        );
    }

    #[test]
    fn ranges_on_nested_members() {
        let input = json!({"DatabaseName": "dbx", "TableName": "tbl",
            "RetentionProperties": {"MemoryStoreRetentionPeriodInHours": 0, "MagneticStoreRetentionPeriodInDays": 73001}});
        assert_eq!(
            message(Service::Write, "CreateTable", input),
            "2 validation errors detected: Value '0' at 'retentionProperties.memoryStoreRetentionPeriodInHours' failed to satisfy constraint: Member must have value greater than or equal to 1; Value '73001' at 'retentionProperties.magneticStoreRetentionPeriodInDays' failed to satisfy constraint: Member must have value less than or equal to 73000"
        );
    }

    #[test]
    fn list_sizes() {
        let err = message(
            Service::Write,
            "WriteRecords",
            json!({"DatabaseName": "d", "TableName": "t", "Records": []}),
        );
        assert_eq!(err, "1 validation error detected: Value '[]' at 'records' failed to satisfy constraint: Member must have length greater than or equal to 1");
    }

    #[test]
    fn wrong_json_types_are_serialization_errors() {
        let err = validate_input(
            Service::Write,
            "ListDatabases",
            &json!({"MaxResults": "10"}),
        )
        .unwrap_err();
        assert_eq!(err.code, ErrorCode::SerializationException);
        let err = validate_input(Service::Write, "ListDatabases", &json!({"MaxResults": 1.5}))
            .unwrap_err();
        assert_eq!(err.code, ErrorCode::SerializationException);
        let err = validate_input(
            Service::Write,
            "CreateDatabase",
            &json!({"DatabaseName": {"a": 1}}),
        )
        .unwrap_err();
        assert_eq!(err.code, ErrorCode::SerializationException);
        let err = validate_input(Service::Write, "CreateDatabase", &json!([])).unwrap_err();
        assert_eq!(err.code, ErrorCode::SerializationException);
    }

    #[test]
    fn query_model_is_used_for_query_operations() {
        assert_eq!(
            message(Service::Query, "ListTagsForResource", json!({"ResourceARN": "a", "MaxResults": 201})),
            "1 validation error detected: Value '201' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 200"
        );
    }

    #[test]
    fn sensitive_values_are_not_echoed() {
        let huge = "S".repeat(300 * 1024);
        let msg = message(Service::Query, "Query", json!({"QueryString": huge}));
        assert_eq!(
            msg,
            "1 validation error detected: Value at 'queryString' failed to satisfy constraint: Member must have length less than or equal to 262144"
        );
        let msg = message(
            Service::Query,
            "Query",
            json!({"QueryString": "SELECT 1", "ClientToken": "secret-token", "MaxRows": 0}),
        );
        assert_eq!(
            msg,
            "2 validation errors detected: Value at 'clientToken' failed to satisfy constraint: Member must have length greater than or equal to 32; Value '0' at 'maxRows' failed to satisfy constraint: Member must have value greater than or equal to 1"
        );
        assert!(!msg.contains("secret-token"));
        assert_eq!(
            message(Service::Query, "Query", json!({})),
            "1 validation error detected: Value null at 'queryString' failed to satisfy constraint: Member must not be null"
        );
        let msg = message(
            Service::Write,
            "CreateBatchLoadTask",
            json!({"ClientToken": "", "TargetDatabaseName": "db", "TargetTableName": "tbl",
                   "DataSourceConfiguration": {"DataSourceS3Configuration": {"BucketName": "b"}, "DataFormat": "CSV"},
                   "ReportConfiguration": {}}),
        );
        assert!(
            msg.contains("Value at 'clientToken' failed to satisfy constraint: Member must have length greater than or equal to 1"),
            "{msg}"
        );
    }

    /// Lists and structures are echoed whole (`[a, b]`, `{k=v}`) without looking at their
    /// members' shapes; that is only safe while no sensitive shape can sit inside one, i.e.
    /// while, in what validation walks, sensitive shapes are members of operation inputs only.
    #[test]
    fn sensitive_shapes_are_only_top_level_input_members() {
        fn children<'m>(m: &'m ServiceModel, name: &str) -> Vec<&'m str> {
            let Some(shape) = m.shape(name) else {
                return Vec::new();
            };
            let mut out: Vec<&str> = shape
                .members
                .iter()
                .map(|(_, r)| r.shape.as_str())
                .collect();
            out.extend(shape.member.as_ref().map(|r| r.shape.as_str()));
            out
        }
        for service in [Service::Write, Service::Query] {
            let m = model(service);
            for op in m.operations.values() {
                let Some(input) = &op.input else { continue };
                let mut stack: Vec<&str> = children(m, &input.shape);
                stack.retain(|c| !m.shape(c).is_some_and(|s| s.sensitive));
                let mut seen = std::collections::BTreeSet::new();
                while let Some(name) = stack.pop() {
                    if !seen.insert(name) {
                        continue;
                    }
                    for child in children(m, name) {
                        assert!(
                            !m.shape(child).is_some_and(|s| s.sensitive),
                            "{} nests sensitive {child} in {name}",
                            input.shape
                        );
                        stack.push(child);
                    }
                }
            }
        }
    }
}
