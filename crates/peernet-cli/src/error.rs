//! The command line's error: an HRESULT and a sentence, printed as
//! `error: NAME (0xXXXXXXXX): sentence` (or one JSON object with `--json`), exit status 1.

use peernet::HResult;
use peernet::hresult as hr;

use crate::output::OutputError;
use crate::passin::PassinError;

/// A failed command. Messages never contain passwords.
#[derive(Debug)]
pub struct CliError {
    /// The HRESULT (the facade's, or the closest Windows code for a local failure).
    pub code: HResult,
    /// What happened and what to do.
    pub message: String,
}

impl CliError {
    /// An error with a code and a message.
    pub fn new(code: HResult, message: impl Into<String>) -> Self {
        CliError {
            code,
            message: message.into(),
        }
    }

    /// `E_INVALIDARG` with a message.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(hr::E_INVALIDARG, message)
    }

    /// An I/O failure reading `what` (a path or a stream), with the closest Windows code.
    pub fn io(what: &str, e: &std::io::Error) -> Self {
        let reason = match e.kind() {
            std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
            std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
            _ => e.to_string(),
        };
        Self::new(HResult::from_io(e), format!("cannot read {what}: {reason}"))
    }

    /// The symbolic name of the code, when known.
    pub fn name(&self) -> Option<&'static str> {
        self.code.name()
    }

    /// The code as `0xXXXXXXXX`.
    pub fn hex(&self) -> String {
        format!("0x{:08X}", self.code.0)
    }

    /// The JSON form written to standard error with `--json`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "error": {
                "name": self.name(),
                "hresult": self.hex(),
                "message": self.message,
            }
        })
    }
}

impl std::fmt::Display for CliError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl From<peernet::Error> for CliError {
    fn from(e: peernet::Error) -> Self {
        CliError::new(e.hresult(), e.message())
    }
}

impl From<PassinError> for CliError {
    fn from(e: PassinError) -> Self {
        match &e {
            PassinError::Read { source, .. } => {
                CliError::new(HResult::from_io(source), e.to_string())
            }
            _ => CliError::invalid(e.to_string()),
        }
    }
}

impl From<OutputError> for CliError {
    fn from(e: OutputError) -> Self {
        match &e {
            OutputError::Exists(_) => CliError::new(hr::PEER_E_ALREADY_EXISTS, e.to_string()),
            OutputError::Io { source, .. } => {
                CliError::new(HResult::from_io(source), e.to_string())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_and_json() {
        let e = CliError::new(hr::PEER_E_NOT_FOUND, "no identity named 'x'");
        assert_eq!(
            e.to_string(),
            "PEER_E_NOT_FOUND (0x80070490): no identity named 'x'"
        );
        let j = e.to_json();
        assert_eq!(j["error"]["name"], "PEER_E_NOT_FOUND");
        assert_eq!(j["error"]["hresult"], "0x80070490");
        assert_eq!(j["error"]["message"], "no identity named 'x'");
    }

    #[test]
    fn io_codes() {
        let nf = std::io::Error::from(std::io::ErrorKind::NotFound);
        assert_eq!(CliError::io("'x'", &nf).code, hr::ERROR_FILE_NOT_FOUND);
        assert_eq!(
            CliError::from(PassinError::NoTerminal).code,
            hr::E_INVALIDARG
        );
    }
}
