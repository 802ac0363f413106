//! Storage errors: the conflicts and absences callers act on, and everything else.

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A uniqueness or foreign-key constraint refused the change.
    #[error("constraint violated: {0}")]
    Conflict(String),
    #[error("not found")]
    NotFound,
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("migration error: {0}")]
    Migration(String),
}

impl StoreError {
    /// Classifies a driver error: constraint violations become `Conflict`.
    pub(crate) fn from_sqlx(e: sqlx::Error) -> StoreError {
        if let sqlx::Error::Database(d) = &e
            && (d.is_unique_violation() || d.is_foreign_key_violation())
        {
            return StoreError::Conflict(d.message().to_owned());
        }
        StoreError::Db(e)
    }
}

pub(crate) trait ResultExt<T> {
    fn store(self) -> Result<T, StoreError>;
}

impl<T> ResultExt<T> for Result<T, sqlx::Error> {
    fn store(self) -> Result<T, StoreError> {
        self.map_err(StoreError::from_sqlx)
    }
}
