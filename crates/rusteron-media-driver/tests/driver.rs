//! The embedded media driver: launch, configuration, cleanup on drop, and the binary's `--help`.

use rusteron_media_driver::*;
use std::path::Path;
use std::time::Duration;

#[test]
fn launch_configure_and_clean_up_on_drop() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("aeron-driver-test");
    let driver = MediaDriverBuilder::new()
        .dir(dir.to_str().unwrap())
        .threading_mode(ThreadingMode::Shared)
        .shared_idle_strategy("sleeping")
        .term_buffer_length(64 * 1024)
        .ipc_term_buffer_length(128 * 1024)
        .client_liveness_timeout(Duration::from_secs(5))
        .dir_delete_on_start(true)
        .dir_delete_on_shutdown(true)
        .configure(|ctx| ctx.apply(aeron_sys::aeron_driver_context_set_mtu_length, 4096usize))
        .configure(|ctx| {
            // SAFETY: the aeronmd.h string setters copy their argument.
            unsafe {
                ctx.apply_str(
                    aeron_sys::aeron_driver_context_set_conductor_idle_strategy,
                    "backoff",
                )
            }
        })
        .launch()
        .unwrap();
    assert_eq!(driver.dir(), dir.to_str().unwrap());
    assert!(Path::new(driver.dir()).join("cnc.dat").exists());
    drop(driver);
    assert!(
        !dir.exists(),
        "dir_delete_on_shutdown removes the directory"
    );
}

#[test]
fn invalid_configuration_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    let err = MediaDriverBuilder::new()
        .dir(tmp.path().join("bad").to_str().unwrap())
        .term_buffer_length(1000) // not a power of two
        .launch()
        .unwrap_err();
    assert!(err.code != 0, "{err}");
    assert!("shared".parse::<ThreadingMode>().is_ok());
    assert!("bogus".parse::<ThreadingMode>().is_err());
}

#[test]
fn test_media_drivers_are_independent() {
    let a = TestMediaDriver::launch().unwrap();
    let b = TestMediaDriver::launch_with(|b| b.spies_simulate_connection(true)).unwrap();
    assert_ne!(a.dir(), b.dir());
    assert!(Path::new(a.dir()).join("cnc.dat").exists());
    assert!(Path::new(b.dir()).join("cnc.dat").exists());
    assert_eq!(aeron_version(), "1.54.0");
}

#[test]
fn binary_help_and_timed_run() {
    let exe = env!("CARGO_BIN_EXE_rusteron-media-driver");
    let out = std::process::Command::new(exe)
        .arg("--help")
        .output()
        .unwrap();
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(
        help.contains("--threading-mode") && help.contains("--dir"),
        "{help}"
    );
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("bin-driver");
    let out = std::process::Command::new(exe)
        .args([
            "--dir",
            dir.to_str().unwrap(),
            "--threading-mode",
            "shared",
            "--idle-strategy",
            "sleeping",
        ])
        .args([
            "--delete-on-start",
            "--delete-on-shutdown",
            "--run-for-secs",
            "1",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("running in"));
}
