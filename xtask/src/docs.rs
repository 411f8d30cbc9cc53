//! `cargo xtask completions` and `cargo xtask man`: generated from the clap grammar of
//! `peernet` (`peernet_cli::command()`), never committed.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap_complete::Shell;

/// Prints the outcome of a generator.
pub fn report(result: Result<Vec<PathBuf>, String>) -> ExitCode {
    match result {
        Ok(files) => {
            for f in &files {
                println!("wrote {}", f.display());
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Writes completion scripts for every shell clap_complete supports into `dir`.
pub fn completions(dir: &Path) -> Result<Vec<PathBuf>, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut written = Vec::new();
    for shell in [
        Shell::Bash,
        Shell::Zsh,
        Shell::Fish,
        Shell::Elvish,
        Shell::PowerShell,
    ] {
        let mut cmd = peernet_cli::command();
        let path = clap_complete::generate_to(shell, &mut cmd, "peernet", dir)
            .map_err(|e| format!("{shell} completions: {e}"))?;
        written.push(path);
    }
    Ok(written)
}

/// Writes `peernet.1` and a page per subcommand into `dir`.
pub fn man(dir: &Path) -> Result<Vec<PathBuf>, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut written = Vec::new();
    let mut cmd = peernet_cli::command();
    cmd.build(); // propagates the global options into every subcommand's page
    write_pages(&cmd, "peernet", dir, &mut written)?;
    Ok(written)
}

fn write_pages(
    cmd: &clap::Command,
    name: &str,
    dir: &Path,
    written: &mut Vec<PathBuf>,
) -> Result<(), String> {
    // clap's names are `&'static str` without its `string` feature; a short-lived tool
    // may leak the few page names.
    let static_name: &'static str = Box::leak(name.to_string().into_boxed_str());
    let cmd = cmd.clone().name(static_name);
    let mut buf = Vec::new();
    clap_mangen::Man::new(cmd.clone())
        .render(&mut buf)
        .map_err(|e| format!("{name}: {e}"))?;
    let path = dir.join(format!("{name}.1"));
    std::fs::write(&path, buf).map_err(|e| format!("{}: {e}", path.display()))?;
    written.push(path);
    for sub in cmd.get_subcommands() {
        if sub.get_name() == "help" {
            continue;
        }
        write_pages(sub, &format!("{name}-{}", sub.get_name()), dir, written)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generates_completions_and_pages() {
        let dir = tempfile_dir();
        let c = completions(&dir.join("c")).unwrap();
        assert_eq!(c.len(), 5);
        let bash = std::fs::read_to_string(dir.join("c/peernet.bash")).unwrap();
        assert!(
            bash.contains("export-config"),
            "bash completion lacks subcommands"
        );
        let pages = man(&dir.join("m")).unwrap();
        assert!(pages.iter().any(|p| p.ends_with("peernet.1")));
        assert!(
            pages
                .iter()
                .any(|p| p.ends_with("peernet-group-import-config.1"))
        );
        let top = std::fs::read_to_string(dir.join("m/peernet.1")).unwrap();
        assert!(
            top.contains(".TH peernet"),
            "{}",
            &top[..top.len().min(200)]
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    fn tempfile_dir() -> PathBuf {
        let d = std::env::temp_dir().join(format!("xtask-docs-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        d
    }
}
