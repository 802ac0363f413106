//! `liaison`: see `liaison --help`.

use clap::Parser;

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
