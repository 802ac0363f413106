//! The one error of the use-cases. It says what went wrong in the terms of the work — refused,
//! not found, a conflict, invalid input (with the field and a Chinese message), or storage — and
//! knows nothing of HTTP: the web crate maps it to a status in one place.

use liaison_domain::Invalid;
use liaison_domain::authz::Denied;
use liaison_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Nobody is signed in, or the session is over.
    #[error("{message}")]
    Unauthenticated { code: &'static str, message: String },
    /// Signed in, but not allowed.
    #[error("{message}")]
    Refused { message: String },
    #[error("not found")]
    NotFound,
    /// The change collides with what exists: a slug elsewhere, a refused transition.
    #[error("{message}")]
    Conflict { code: &'static str, message: String, field: Option<String> },
    /// The input is wrong: which field, and why in Chinese.
    #[error("{message}")]
    Invalid { code: &'static str, message: String, field: Option<String> },
    /// Several fields of one submission are wrong: each, in the order of the form.
    #[error("{}", .0.first().map(|e| e.message.as_str()).unwrap_or(""))]
    Fields(Vec<Invalid>),
    /// The request itself is malformed (a header that cannot be read).
    #[error("{message}")]
    Malformed { code: &'static str, message: String, field: Option<String> },
    /// More than the system accepts in one piece (a photo, a file).
    #[error("{message}")]
    TooLarge { message: String },
    /// Something the system needs is missing on this machine (a font); the message says what.
    #[error("{message}")]
    Unavailable { message: String },
    #[error(transparent)]
    Storage(StoreError),
    /// A broken invariant or a failed dependency; logged, never shown.
    #[error("{0}")]
    Internal(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn unavailable(message: impl Into<String>) -> Error {
        Error::Unavailable { message: message.into() }
    }

    pub fn refused() -> Error {
        Error::Refused { message: "您没有权限执行此操作".into() }
    }

    pub fn refused_because(message: impl Into<String>) -> Error {
        Error::Refused { message: message.into() }
    }

    pub fn invalid(code: &'static str, message: impl Into<String>) -> Error {
        Error::Invalid { code, message: message.into(), field: None }
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> Error {
        Error::Conflict { code, message: message.into(), field: None }
    }

    /// The errors of one submission's fields: one is reported as itself, several together.
    pub fn from_fields(mut errors: Vec<Invalid>) -> Error {
        if errors.len() == 1 { Error::from(errors.remove(0)) } else { Error::Fields(errors) }
    }

    pub fn internal(cause: impl std::fmt::Display) -> Error {
        Error::Internal(cause.to_string())
    }

    /// Names the input field at fault.
    pub fn field(self, f: impl Into<String>) -> Error {
        match self {
            Error::Invalid { code, message, .. } => Error::Invalid { code, message, field: Some(f.into()) },
            Error::Conflict { code, message, .. } => Error::Conflict { code, message, field: Some(f.into()) },
            Error::Malformed { code, message, .. } => Error::Malformed { code, message, field: Some(f.into()) },
            other => other,
        }
    }
}

impl From<Invalid> for Error {
    fn from(e: Invalid) -> Self {
        Error::Invalid { code: e.code, message: e.message, field: Some(e.field.to_owned()) }
    }
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(_) => Error::conflict("conflict", "与已有数据冲突"),
            StoreError::NotFound => Error::NotFound,
            other => Error::Storage(other),
        }
    }
}

impl From<Denied> for Error {
    fn from(d: Denied) -> Self {
        match d {
            Denied::Unauthenticated => {
                Error::Unauthenticated { code: "unauthenticated", message: "请先登录".into() }
            }
            Denied::Forbidden => Error::refused(),
        }
    }
}
