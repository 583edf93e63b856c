//! `Error`: what ends a command before it can give a verdict, split by exit code: bad usage or
//! configuration (2) against an unreachable target or a fault of the harness itself (3).
//! Test verdicts (conformance, metrics, load failures) are not errors.

use std::fmt;

#[derive(Debug)]
pub enum Error {
    /// Bad flags, environment or configuration: exit 2.
    Usage(String),
    /// Target unreachable or the harness failed: exit 3.
    Harness(anyhow::Error),
}

impl Error {
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Usage(_) => crate::exit::USAGE,
            Error::Harness(_) => crate::exit::HARNESS,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Usage(message) => write!(f, "{message}"),
            // `{:#}` joins the context chain on one line.
            Error::Harness(error) => write!(f, "{error:#}"),
        }
    }
}

impl std::error::Error for Error {}

impl From<anyhow::Error> for Error {
    fn from(error: anyhow::Error) -> Self {
        Error::Harness(error)
    }
}
