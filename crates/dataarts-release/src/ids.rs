//! Opaque identifier newtypes.

use std::fmt;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $example:literal) => {
        $(#[$doc])*
        ///
        /// An opaque string: never parse it. It converts from `&str` and `String`, and is
        /// checked before any request uses it: it must go into a URL path as exactly one
        /// unchanged segment (ASCII letters, digits and `-._~!$&'()*+,;=:@`; not `.`, and
        /// no `..`, `/`, `?`, `#`, `%`, whitespace or control characters).
        ///
        /// ```
        #[doc = concat!("use dataarts_release::", stringify!($name), ";")]
        #[doc = concat!("let id = ", stringify!($name), "::from(\"", $example, "\");")]
        #[doc = concat!("assert_eq!(id.as_str(), \"", $example, "\");")]
        #[doc = concat!("assert_eq!(id.to_string(), \"", $example, "\");")]
        #[doc = concat!("assert_eq!(format!(\"{:>4}|{:<4}|\", ", stringify!($name), "::from(\"7\"), ", stringify!($name), "::from(\"8\")), \"   7|8   |\");")]
        /// ```
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Wraps a string.
            pub fn new(id: impl Into<String>) -> Self {
                Self(id.into())
            }

            /// The id as a string slice.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The id as an owned string.
            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(&self.0, f)
            }
        }

        /// Honours width, fill and alignment, so ids line up in tables.
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.pad(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self(s.to_string())
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                Self(s)
            }
        }

        impl From<&String> for $name {
            fn from(s: &String) -> Self {
                Self(s.clone())
            }
        }

        impl From<&$name> for $name {
            fn from(s: &$name) -> Self {
                s.clone()
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }
    };
}

id_type!(
    /// A release package id, e.g. `"23"` (a string everywhere, even where the API sends a number).
    PackageId,
    "23"
);
id_type!(
    /// A system task id (32 hex characters), e.g. a deploy's `asy_task_id`.
    TaskId,
    "ff8080818c81c8ab018c8b43f85d0008"
);
id_type!(
    /// A pending item ("release task") id, e.g. `"26"`.
    PendingItemId,
    "26"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_honours_width_and_alignment() {
        let id = PackageId::from("23");
        assert_eq!(format!("{id:>6}|"), "    23|");
        assert_eq!(format!("{id:<6}|"), "23    |");
        assert_eq!(format!("{id:^6}|"), "  23  |");
        assert_eq!(format!("{id:*>5}"), "***23");
        assert_eq!(format!("{:.1}", TaskId::from("ff80")), "f");
        assert_eq!(format!("{:>3}", PendingItemId::from("26")), " 26");
        assert_eq!(format!("{id}"), "23");
    }
}
