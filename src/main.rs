//! The `mosde` command line. Thin: parse, call the library, write, print.

mod cli;

fn main() -> std::process::ExitCode {
    // The Vulkan loader's window-system probe complains twice on stderr when
    // XDG_RUNTIME_DIR is unset (batch jobs, cron, CI), which reads like a
    // real error. An empty private folder quiets it; it is removed on exit.
    let _runtime_dir = private_runtime_dir();
    cli::main()
}

/// Sets XDG_RUNTIME_DIR to a new private (0700) folder under the temporary
/// folder when it is unset or empty, and returns the folder's guard.
fn private_runtime_dir() -> Option<tempfile::TempDir> {
    if std::env::var_os("XDG_RUNTIME_DIR").is_some_and(|v| !v.is_empty()) {
        return None;
    }
    // tempfile creates the folder with mode 0700 on Unix.
    let dir = tempfile::Builder::new()
        .prefix("mosde-xdg-")
        .tempdir()
        .ok()?;
    // SAFETY: this runs first thing in main, before any thread exists, so no
    // other thread can read or write the environment concurrently.
    unsafe { std::env::set_var("XDG_RUNTIME_DIR", dir.path()) };
    Some(dir)
}
