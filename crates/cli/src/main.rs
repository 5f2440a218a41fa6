//! `sakke`: MIKEY-SAKKE key processing from the command line (see
//! `sakke_cli::command_line`).

fn main() -> std::process::ExitCode {
    sakke_cli::run(std::env::args_os())
}
