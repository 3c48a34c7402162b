//! The `mosde` command line. Thin: parse, call the library, write, print.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
