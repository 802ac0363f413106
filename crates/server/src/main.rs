//! `liaison`: see `liaison --help`.

use clap::Parser;

/// mimalloc returns freed memory to the system; glibc's per-thread arenas held on to it
/// (docs/performance.md, "Memory").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = liaison_server::cli::Cli::parse();
    match liaison_server::cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("错误 error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
