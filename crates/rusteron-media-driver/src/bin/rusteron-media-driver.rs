//! `rusteron-media-driver`: runs the Aeron C media driver until Ctrl-C (or for a given duration).

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use clap::Parser;
use rusteron_media_driver::{MediaDriverBuilder, ThreadingMode};

/// Runs an Aeron 1.54.0 media driver embedded in this process.
#[derive(Parser, Debug)]
#[command(name = "rusteron-media-driver", version, about)]
struct Args {
    /// Aeron directory (default: Aeron's default, honouring AERON_DIR).
    #[arg(long)]
    dir: Option<String>,
    /// Threading mode: dedicated, shared_network or shared.
    #[arg(long, default_value = "dedicated")]
    threading_mode: ThreadingMode,
    /// Idle strategy for every driver thread (e.g. backoff, sleeping, yield, noop, spin).
    #[arg(long)]
    idle_strategy: Option<String>,
    /// Term buffer length of network publications, in bytes.
    #[arg(long)]
    term_length: Option<usize>,
    /// Term buffer length of IPC publications, in bytes.
    #[arg(long)]
    ipc_term_length: Option<usize>,
    /// Delete the directory on start.
    #[arg(long)]
    delete_on_start: bool,
    /// Delete the directory on shutdown.
    #[arg(long)]
    delete_on_shutdown: bool,
    /// Stop after this many seconds (default: run until Ctrl-C / SIGTERM).
    #[arg(long)]
    run_for_secs: Option<u64>,
}

static STOP: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_: i32) {
    STOP.store(true, Ordering::SeqCst);
}

fn main() {
    let args = Args::parse();
    let mut b = MediaDriverBuilder::new()
        .threading_mode(args.threading_mode)
        .dir_delete_on_start(args.delete_on_start)
        .dir_delete_on_shutdown(args.delete_on_shutdown);
    if let Some(d) = &args.dir {
        b = b.dir(d.clone());
    }
    if let Some(i) = &args.idle_strategy {
        b = b.idle_strategy(i);
    }
    if let Some(t) = args.term_length {
        b = b.term_buffer_length(t);
    }
    if let Some(t) = args.ipc_term_length {
        b = b.ipc_term_buffer_length(t);
    }
    let driver = match b.launch() {
        Ok(d) => d,
        Err(e) => {
            eprintln!("rusteron-media-driver: {e}");
            std::process::exit(1);
        }
    };
    // SAFETY: installing a handler that only stores to an atomic is async-signal-safe.
    unsafe {
        libc_signal(2, on_signal);
        libc_signal(15, on_signal);
    }
    println!(
        "rusteron-media-driver: Aeron {} running in {}",
        rusteron_media_driver::aeron_version(),
        driver.dir()
    );
    let start = Instant::now();
    while !STOP.load(Ordering::SeqCst) {
        if args
            .run_for_secs
            .is_some_and(|s| start.elapsed() >= Duration::from_secs(s))
        {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    drop(driver);
    println!("rusteron-media-driver: stopped");
}

extern "C" {
    fn signal(signum: i32, handler: extern "C" fn(i32)) -> usize;
}

/// # Safety
/// `handler` must be async-signal-safe.
unsafe fn libc_signal(signum: i32, handler: extern "C" fn(i32)) {
    // SAFETY: `signal` from the C library with a valid function pointer.
    unsafe { signal(signum, handler) };
}
