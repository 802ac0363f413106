//! Typed ids for the records whose ids cross crate boundaries, so that a deputy's id can never
//! be passed where a case's belongs. Each wraps the database's `BIGINT`.

use serde::{Deserialize, Serialize};

macro_rules! id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl $name {
            pub fn get(self) -> i64 {
                self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id!(
    /// A case (意见建议).
    CaseId
);
id!(
    /// A station of any kind (联络站、联络点、代表之家、中心户).
    StationId
);
id!(
    /// A deputy (人大代表).
    DeputyId
);
id!(
    /// An agency (承办单位).
    AgencyId
);
id!(
    /// A staff account.
    UserId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_print_as_their_number() {
        assert_eq!(CaseId(42).to_string(), "42");
        assert_eq!(DeputyId(7).get(), 7);
    }
}
