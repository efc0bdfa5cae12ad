//! The `controlbook` command: parses arguments, dispatches to `cli/`, maps the outcome to
//! an exit code (0 ok, 1 findings at error level, 2 usage or input error).

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = match cli::Cli::try_parse() {
        Ok(args) => args,
        Err(e) => {
            let _ = e.print();
            // clap's help and version are successes; every other parse failure is usage.
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    use_a_worker_per_core_and_one_more();
    match cli::run(args) {
        Ok(code) => code.into(),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// rayon's workers block while rust_xlsxwriter writes a workbook's sheets on threads of its
/// own, and while files are written: with one worker per core, the cores were idle for a
/// sixth of a build. One more worker is one more baseline in flight, a few MB.
/// `RAYON_NUM_THREADS`, when set, decides instead.
fn use_a_worker_per_core_and_one_more() {
    if std::env::var_os("RAYON_NUM_THREADS").is_some() {
        return;
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    // Only fails when a pool exists already, which is then used as it is.
    let _ = rayon::ThreadPoolBuilder::new()
        .num_threads(cores + 1)
        .build_global();
}
