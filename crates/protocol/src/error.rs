//! The one error type the server encodes: an AWS error shape, its message and its modeled members.

use serde_json::{Map, Value};

/// Every error code timestream-local can answer with. Modeled shapes come from `api-models/`;
/// the others are the generic Coral/AWS JSON-protocol errors (wire-protocol.md §1.3, §2.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// Input failed model validation (Coral's own `ValidationException`, §5.10).
    InputValidation,
    /// A modeled, business-level `ValidationException`.
    ValidationException,
    ResourceNotFoundException,
    ConflictException,
    ServiceQuotaExceededException,
    AccessDeniedException,
    ThrottlingException,
    InternalServerException,
    InvalidEndpointException,
    RejectedRecordsException,
    QueryExecutionException,
    UnknownOperationException,
    SerializationException,
    MissingAuthenticationTokenException,
    IncompleteSignatureException,
    InvalidSignatureException,
    UnrecognizedClientException,
    ExpiredTokenException,
    /// An operation of the model that timestream-local does not implement yet (ours).
    UnsupportedOperationException,
}

impl ErrorCode {
    /// The shape name SDKs match on (what follows `#` in `__type`).
    pub fn name(self) -> &'static str {
        match self {
            Self::InputValidation | Self::ValidationException => "ValidationException",
            Self::ResourceNotFoundException => "ResourceNotFoundException",
            Self::ConflictException => "ConflictException",
            Self::ServiceQuotaExceededException => "ServiceQuotaExceededException",
            Self::AccessDeniedException => "AccessDeniedException",
            Self::ThrottlingException => "ThrottlingException",
            Self::InternalServerException => "InternalServerException",
            Self::InvalidEndpointException => "InvalidEndpointException",
            Self::RejectedRecordsException => "RejectedRecordsException",
            Self::QueryExecutionException => "QueryExecutionException",
            Self::UnknownOperationException => "UnknownOperationException",
            Self::SerializationException => "SerializationException",
            Self::MissingAuthenticationTokenException => "MissingAuthenticationTokenException",
            Self::IncompleteSignatureException => "IncompleteSignatureException",
            Self::InvalidSignatureException => "InvalidSignatureException",
            Self::UnrecognizedClientException => "UnrecognizedClientException",
            Self::ExpiredTokenException => "ExpiredTokenException",
            Self::UnsupportedOperationException => "UnsupportedOperationException",
        }
    }

    /// HTTP status: the model's `@httpError` for modeled shapes (§1.3), 400 for Coral's own.
    pub fn status(self) -> u16 {
        match self {
            Self::InputValidation
            | Self::ValidationException
            | Self::QueryExecutionException
            | Self::UnknownOperationException
            | Self::SerializationException
            | Self::MissingAuthenticationTokenException
            | Self::IncompleteSignatureException
            | Self::InvalidSignatureException
            | Self::UnrecognizedClientException
            | Self::ExpiredTokenException => 400,
            Self::ServiceQuotaExceededException => 402,
            Self::AccessDeniedException => 403,
            Self::ResourceNotFoundException => 404,
            Self::ConflictException => 409,
            Self::RejectedRecordsException => 419,
            Self::InvalidEndpointException => 421,
            Self::ThrottlingException => 429,
            Self::InternalServerException => 500,
            // Not 500: SDKs retry 500/502/503/504, and retrying cannot help here.
            Self::UnsupportedOperationException => 501,
        }
    }

    /// The namespace AWS puts before `#` in `__type`.
    fn namespace(self) -> &'static str {
        match self {
            Self::InputValidation => "com.amazon.coral.validate",
            Self::UnknownOperationException
            | Self::SerializationException
            | Self::MissingAuthenticationTokenException
            | Self::IncompleteSignatureException
            | Self::InvalidSignatureException
            | Self::UnrecognizedClientException
            | Self::ExpiredTokenException => "com.amazon.coral.service",
            Self::UnsupportedOperationException => "timestream.local",
            Self::ValidationException
            | Self::ResourceNotFoundException
            | Self::ConflictException
            | Self::ServiceQuotaExceededException
            | Self::AccessDeniedException
            | Self::ThrottlingException
            | Self::InternalServerException
            | Self::InvalidEndpointException
            | Self::RejectedRecordsException
            | Self::QueryExecutionException => "com.amazonaws.timestream.v20181101",
        }
    }
}

/// An AWS error as it goes on the wire: shape, message, and the shape's extra members
/// (`RejectedRecords`, `ScheduledQueryArn`) as top-level keys beside `Message`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}: {message}", code.name())]
pub struct AwsError {
    pub code: ErrorCode,
    pub message: String,
    pub members: Map<String, Value>,
}

impl AwsError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            members: Map::new(),
        }
    }

    pub fn validation(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::ValidationException, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::ResourceNotFoundException, message)
    }

    pub fn serialization(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::SerializationException, message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InternalServerException, message)
    }

    /// Adds a modeled member such as `RejectedRecords`.
    pub fn with_member(mut self, name: &str, value: Value) -> Self {
        self.members.insert(name.to_owned(), value);
        self
    }

    pub fn status(&self) -> u16 {
        self.code.status()
    }

    /// `__type` as AWS sends it, e.g. `com.amazonaws.timestream.v20181101#ConflictException`.
    pub fn type_string(&self) -> String {
        format!("{}#{}", self.code.namespace(), self.code.name())
    }

    /// The JSON body. `Message` and `message` carry the same text: the Rust SDK reads only the
    /// former into modeled errors, while botocore and JS accept either (§1.3).
    pub fn to_body(&self) -> Vec<u8> {
        let mut body = Map::new();
        body.insert("__type".into(), Value::String(self.type_string()));
        body.insert("Message".into(), Value::String(self.message.clone()));
        body.insert("message".into(), Value::String(self.message.clone()));
        for (k, v) in &self.members {
            body.insert(k.clone(), v.clone());
        }
        serde_json::to_vec(&Value::Object(body)).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_carries_type_message_and_members() {
        let e = AwsError::new(ErrorCode::RejectedRecordsException, "rejected")
            .with_member("RejectedRecords", serde_json::json!([{"RecordIndex": 0}]));
        let v: Value = serde_json::from_slice(&e.to_body()).unwrap();
        assert_eq!(
            v["__type"],
            "com.amazonaws.timestream.v20181101#RejectedRecordsException"
        );
        assert_eq!(v["Message"], "rejected");
        assert_eq!(v["RejectedRecords"][0]["RecordIndex"], 0);
        assert_eq!(e.status(), 419);
    }

    #[test]
    fn coral_validation_has_its_own_namespace() {
        let e = AwsError::new(ErrorCode::InputValidation, "1 validation error detected: x");
        assert_eq!(
            e.type_string(),
            "com.amazon.coral.validate#ValidationException"
        );
        assert_eq!(e.status(), 400);
    }
}
