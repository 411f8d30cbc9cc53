//! A spinner on standard error for operations that can take more than a second (the
//! 600,000-iteration key derivation of modern-profile exports and imports). Hidden when
//! standard error is not a terminal, with `-q`, and with `--json`.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

/// Runs `f` while a spinner shows `message` (when `visible` and stderr is a terminal).
pub fn with_spinner<T>(visible: bool, message: &str, f: impl FnOnce() -> T) -> T {
    if !visible || !std::io::stderr().is_terminal() {
        return f();
    }
    let bar = ProgressBar::new_spinner();
    if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} ({elapsed})") {
        bar.set_style(style);
    }
    bar.set_message(message.to_string());
    bar.enable_steady_tick(Duration::from_millis(100));
    let out = f();
    bar.finish_and_clear();
    out
}
