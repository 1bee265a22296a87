//! The `okra-eventlog` binary: parses flags and environment, starts the
//! service, prints where it listens and the token, and stops cleanly on
//! Ctrl-C or SIGTERM.

use std::io::Write;
use std::process::ExitCode;

use okra_eventlog::config::{self, Command, USAGE};
use okra_eventlog::priority;
use okra_eventlog::Server;

fn main() -> ExitCode {
    let command = match config::parse(std::env::args().skip(1), |k| std::env::var(k).ok()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("okra-eventlog: {e}");
            return ExitCode::from(2);
        }
    };
    let config = match command {
        Command::Help => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Command::Version => {
            println!("okra-eventlog {}", env!("CARGO_PKG_VERSION"));
            return ExitCode::SUCCESS;
        }
        Command::Run(c) => *c,
    };
    okra_eventlog::server::raise_fd_limit();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .on_thread_start(|| priority::lower_current_thread(priority::HELPER_NICENESS))
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("okra-eventlog: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async move {
        let server = match Server::bind(&config).await {
            Ok(s) => s,
            Err(e) => {
                eprintln!("okra-eventlog: {e}");
                return ExitCode::FAILURE;
            }
        };
        print!("{}", server.banner());
        let _ = std::io::stdout().flush();
        match server.run(shutdown_signal()).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("okra-eventlog: {e}");
                ExitCode::FAILURE
            }
        }
    })
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
