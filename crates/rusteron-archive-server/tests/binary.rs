//! The `rusteron-archive-server` binary as a process: `--help`, a properties file, the Java drop-in modes
//! (ArchivingMediaDriver, MediaDriver plus an Archive attached to it) with the official C archive client
//! connecting, a clean stop on SIGTERM, and quick non-zero exits with the reason when it cannot start.

mod ops_support;

use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use ops_support::*;
use rusteron_archive_server::storage::mark_file::{
    read_mark_file, MARK_FILE_NAME, SEMANTIC_VERSION,
};

#[test]
fn help_names_the_java_properties() {
    let out = Command::new(SERVER).arg("--help").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for name in [
        "aeron.archive.control.channel",
        "aeron.archive.file.sync.level",
        "--properties",
        "aeron.dir",
    ] {
        assert!(text.contains(name), "--help lacks {name}:\n{text}");
    }
    let bad = Command::new(SERVER).arg("--no-such-flag").output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
    let bad_value = Command::new(SERVER)
        .args(["--file-sync-level", "9"])
        .output()
        .unwrap();
    assert_eq!(bad_value.status.code(), Some(2));
    // A Java authenticator class it cannot load: refused before anything starts, never "accept everyone".
    let unknown_class = Command::new(SERVER)
        .args([
            "-Daeron.archive.authenticator.supplier=com.acme.LdapAuthenticatorSupplier",
            "-Daeron.dir=/nonexistent",
        ])
        .output()
        .unwrap();
    assert_eq!(unknown_class.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&unknown_class.stderr);
    assert!(
        stderr.contains("io.aeron.samples.archive.SampleAuthenticatorSupplier"),
        "{stderr}"
    );
    // A checksum class it cannot map: refused before anything starts, as Java's Checksums.newInstance fails.
    let unknown_checksum = Command::new(SERVER)
        .args([
            "-Daeron.archive.record.checksum=com.acme.Adler32",
            "-Daeron.dir=/nonexistent",
        ])
        .output()
        .unwrap();
    assert_eq!(unknown_checksum.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&unknown_checksum.stderr);
    assert!(
        stderr.contains("failed to create Checksum instance for class: com.acme.Adler32"),
        "{stderr}"
    );
    assert!(
        stderr.contains("io.aeron.archive.checksum.Crc32c"),
        "{stderr}"
    );
}

#[test]
fn properties_file_configures_the_archive_and_its_embedded_driver() {
    let base = tempfile::tempdir().unwrap();
    let setup = Setup::new(base.path());
    let props = base.path().join("archive.properties");
    std::fs::write(
        &props,
        format!(
            "# archive\naeron.dir={}\naeron.dir.delete.on.start=true\naeron.threading.mode=SHARED\n\
             aeron.archive.dir={}\naeron.archive.control.channel={}\naeron.archive.control.stream.id=10\n\
             aeron.archive.id=777\naeron.archive.recording.events.stream.id=31\n",
            setup.aeron_dir.display(),
            setup.archive_dir.display(),
            setup.control_channel
        ),
    )
    .unwrap();
    let server = ServerProcess::start(&[
        "--properties".to_owned(),
        props.display().to_string(),
        "--embedded-driver".to_owned(),
    ]);
    assert!(
        server.ready_line.contains("archive_id=777"),
        "{}",
        server.ready_line
    );
    let h = read_mark_file(&setup.archive_dir.join(MARK_FILE_NAME)).unwrap();
    assert_eq!(
        (h.archive_id, h.events_stream_id, h.version),
        (777, 31, SEMANTIC_VERSION)
    );
    assert_eq!(h.control_channel, setup.control_channel);
    assert_eq!(h.aeron_directory, setup.aeron_dir.display().to_string());
    let client = CArchive::connect(&setup).expect("C archive client connects");
    assert_eq!(client.archive_id(), 777);
    drop(client);
    assert_eq!(server.terminate(), Some(0));
}

#[test]
fn drop_in_mode_serves_the_c_client_and_stops_cleanly_on_sigterm() {
    let base = tempfile::tempdir().unwrap();
    let setup = Setup::new(base.path());
    let server = ServerProcess::start(&setup.drop_in_args(&[
        "-Daeron.archive.id=4242",
        "-Dagrona.disable.bounds.checks=true",
    ]));
    let pid = server.child.id();
    assert!(
        server.ready_line.contains("mode=ArchivingMediaDriver"),
        "{}",
        server.ready_line
    );

    // As the C test harness does: the mark file exists and is at least the 8 KiB header long.
    let mark_path = setup.archive_dir.join(MARK_FILE_NAME);
    assert!(std::fs::metadata(&mark_path).unwrap().len() >= 8192);
    let h = read_mark_file(&mark_path).unwrap();
    assert_eq!(h.version, SEMANTIC_VERSION);
    assert_eq!(h.pid, i64::from(pid));
    assert_eq!(h.archive_id, 4242);
    assert!(h.activity_timestamp > 0);
    // The activity timestamp is refreshed while alive.
    wait_until(
        || read_mark_file(&mark_path).unwrap().activity_timestamp > h.activity_timestamp,
        "activity update",
    );

    let client = CArchive::connect(&setup).expect("C archive client connects");
    assert_eq!(client.archive_id(), 4242);
    assert!(client.list_recordings().unwrap().is_empty());
    // A second archive on the same dirs is refused while this one lives.
    // (Its own driver dir: a driver with delete-on-start must not take over the live driver's dir.)
    let other = Setup {
        aeron_dir: base.path().join("aeron-2"),
        ..Setup::new(base.path())
    };
    let second = Command::new(SERVER)
        .args(other.drop_in_args(&[]))
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&second.stderr).contains("active archive mark file"));
    assert_eq!(
        second.status.code(),
        Some(1),
        "second archive on a live mark file must fail"
    );
    drop(client);

    assert_eq!(server.terminate(), Some(0), "clean exit code");
    assert!(!process_exists(pid), "no leftover process");
    assert_eq!(
        read_mark_file(&mark_path).unwrap().activity_timestamp,
        -1,
        "clean stop marked"
    );
}

/// Java command lines as Aeron's C test harness builds them (`TestMediaDriver.h`, `TestStandaloneArchive.h`).
fn java_line(props: &[String], main_class: &str) -> Vec<String> {
    let mut args: Vec<String> = [
        "--add-opens",
        "java.base/jdk.internal.misc=ALL-UNNAMED",
        "--add-opens",
        "java.base/java.util.zip=ALL-UNNAMED",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.extend(props.iter().cloned());
    args.extend([
        "-cp".to_owned(),
        "aeron-all.jar".to_owned(),
        main_class.to_owned(),
    ]);
    args
}

/// Runs the binary to its exit, with an empty environment; panics if it is still running after [`WAIT`].
fn run_to_exit(args: &[String]) -> Output {
    let mut child = Command::new(SERVER)
        .args(args)
        .env_clear()
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + WAIT;
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the server neither started nor exited: it left its caller waiting");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

#[test]
fn media_driver_main_class_runs_a_driver_alone_and_archive_main_class_attaches_to_it() {
    let base = tempfile::tempdir().unwrap();
    let setup = Setup::new(base.path());
    let aeron_dir = format!("-Daeron.dir={}", setup.aeron_dir.display());
    let driver = ServerProcess::start(&java_line(
        &[
            "-Daeron.dir.delete.on.start=true".into(),
            "-Daeron.threading.mode=SHARED".into(),
            "-Daeron.shared.idle.strategy=org.agrona.concurrent.SleepingIdleStrategy".into(),
            "-Daeron.driver.termination.validator=io.aeron.driver.DefaultAllowTerminationValidator"
                .into(),
            "-Daeron.spies.simulate.connection=true".into(),
            aeron_dir.clone(),
        ],
        "io.aeron.driver.MediaDriver",
    ));
    assert!(
        driver.ready_line.contains("mode=MediaDriver"),
        "{}",
        driver.ready_line
    );
    assert!(setup.aeron_dir.join("cnc.dat").is_file());
    assert!(
        !setup.archive_dir.exists(),
        "a media driver alone starts no archive"
    );

    // As TestStandaloneArchive: an archive attached to the running driver (Java's io.aeron.archive.Archive),
    // its mark file in the aeron dir. Before the fix it started a driver of its own and failed.
    let archive = ServerProcess::start(&java_line(
        &[
            "-Daeron.archive.max.catalog.entries=128".into(),
            "-Daeron.archive.threading.mode=SHARED".into(),
            "-Daeron.archive.control.response.channel=aeron:udp?endpoint=localhost:0".into(),
            "-Daeron.archive.dir.delete.on.start=true".into(),
            "-Daeron.archive.segment.file.length=128k".into(),
            "-Daeron.archive.id=10001".into(),
            format!("-Daeron.archive.control.channel={}", setup.control_channel),
            "-Daeron.archive.replication.channel=aeron:udp?endpoint=127.0.0.1:0".into(),
            format!("-Daeron.archive.dir={}", setup.archive_dir.display()),
            format!(
                "-Daeron.archive.mark.file.dir={}",
                setup.aeron_dir.display()
            ),
            aeron_dir,
        ],
        "io.aeron.archive.Archive",
    ));
    assert!(
        archive.ready_line.contains("mode=Archive "),
        "{}",
        archive.ready_line
    );
    assert!(setup.aeron_dir.join(MARK_FILE_NAME).is_file());
    let client =
        CArchive::connect(&setup).expect("C archive client connects to the attached archive");
    assert_eq!(client.archive_id(), 10001);
    drop(client);
    assert_eq!(archive.terminate(), Some(0));
    assert!(
        setup.aeron_dir.join("cnc.dat").is_file(),
        "stopping the archive leaves the driver running"
    );
    assert_eq!(driver.terminate(), Some(0));
}

/// An archive attached to a media driver that dies (`kill -9`) must not run on without it, answering
/// nothing: once its Aeron client reports the driver timeout it stops and exits with status 1.
#[test]
fn an_archive_whose_media_driver_dies_exits_non_zero() {
    let base = tempfile::tempdir().unwrap();
    let setup = Setup::new(base.path());
    let aeron_dir = format!("-Daeron.dir={}", setup.aeron_dir.display());
    let driver = ServerProcess::start(&java_line(
        &[
            "-Daeron.dir.delete.on.start=true".into(),
            "-Daeron.threading.mode=SHARED".into(),
            "-Daeron.shared.idle.strategy=org.agrona.concurrent.SleepingIdleStrategy".into(),
            aeron_dir.clone(),
        ],
        "io.aeron.driver.MediaDriver",
    ));
    let mut archive = ServerProcess::start_with_env(
        &java_line(
            &[
                "-Daeron.archive.threading.mode=SHARED".into(),
                "-Daeron.archive.dir.delete.on.start=true".into(),
                format!("-Daeron.archive.control.channel={}", setup.control_channel),
                "-Daeron.archive.replication.channel=aeron:udp?endpoint=127.0.0.1:0".into(),
                format!("-Daeron.archive.dir={}", setup.archive_dir.display()),
                format!(
                    "-Daeron.archive.mark.file.dir={}",
                    setup.aeron_dir.display()
                ),
                aeron_dir,
            ],
            "io.aeron.archive.Archive",
        ),
        &[("AERON_DRIVER_TIMEOUT", "2000")],
    );
    assert_eq!(
        archive.wait_exit(Duration::from_millis(500)),
        None,
        "the archive runs while its driver does"
    );
    driver.kill9();
    assert_eq!(
        archive.wait_exit(Duration::from_secs(30)),
        Some(Some(1)),
        "an archive without its driver must stop with exit status 1"
    );
}

#[test]
fn an_unknown_main_class_is_refused_with_exit_code_2() {
    let out = run_to_exit(&java_line(
        &["-Daeron.dir=/nonexistent".into()],
        "io.aeron.cluster.ClusteredMediaDriver",
    ));
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("io.aeron.cluster.ClusteredMediaDriver") && err.contains("main class"),
        "{err}"
    );
}

#[test]
fn a_java_class_the_c_driver_cannot_load_is_refused_naming_the_property() {
    let base = tempfile::tempdir().unwrap();
    let setup = Setup::new(base.path());
    let out = run_to_exit(&java_line(
        &[
            format!("-Daeron.dir={}", setup.aeron_dir.display()),
            "-Daeron.driver.termination.validator=com.acme.CustomTerminationValidator".into(),
        ],
        "io.aeron.archive.ArchivingMediaDriver",
    ));
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("aeron.driver.termination.validator")
            && err.contains("com.acme.CustomTerminationValidator"),
        "{err}"
    );
    assert!(!setup.aeron_dir.exists(), "nothing started");
}

#[test]
fn the_harness_termination_validator_starts_and_a_failed_start_exits_non_zero_with_the_reason() {
    let base = tempfile::tempdir().unwrap();
    let setup = Setup::new(base.path());
    // The validator TestArchive passes used to make the C driver fail with EINVAL; now it starts.
    let server = ServerProcess::start(&setup.drop_in_args(&[
        "-Daeron.driver.termination.validator=io.aeron.driver.DefaultAllowTerminationValidator",
    ]));
    assert!(
        server.ready_line.contains("mode=ArchivingMediaDriver"),
        "{}",
        server.ready_line
    );
    assert_eq!(server.terminate(), Some(0));

    // An archive attached to a driver that is not there: exits 1 and says why, instead of waiting forever.
    let other = Setup::new(base.path().join("nothing-here").as_path());
    let out = run_to_exit(&java_line(
        &[
            format!("-Daeron.dir={}", other.aeron_dir.display()),
            format!("-Daeron.archive.dir={}", other.archive_dir.display()),
            format!("-Daeron.archive.control.channel={}", other.control_channel),
        ],
        "io.aeron.archive.Archive",
    ));
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("rusteron-archive-server:") && err.len() > 30,
        "{err}"
    );
}

#[test]
fn a_driver_termination_request_stops_the_drop_in_cleanly() {
    let base = tempfile::tempdir().unwrap();
    let setup = Setup::new(base.path());
    // As Aeron's TestArchive falls back to when SIGTERM cannot be sent: ask the driver to terminate; the
    // validator Java's harness passes allows it, and the whole process stops as Java's would.
    let mut server = ServerProcess::start(&setup.drop_in_args(&[
        "-Daeron.driver.termination.validator=io.aeron.driver.DefaultAllowTerminationValidator",
    ]));
    let dir = std::ffi::CString::new(setup.aeron_dir.to_str().unwrap()).unwrap();
    // SAFETY: a NUL-terminated directory name; no token.
    let sent = unsafe {
        aeron_sys::aeron_context_request_driver_termination(dir.as_ptr(), std::ptr::null(), 0)
    };
    assert_eq!(sent, 1, "termination request sent");
    let deadline = Instant::now() + WAIT;
    let status = loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "the drop-in kept running after the driver was told to terminate"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(0));
    let mark = read_mark_file(&setup.archive_dir.join(MARK_FILE_NAME)).unwrap();
    assert_eq!(mark.activity_timestamp, -1, "archive stopped cleanly");
}

/// Runs the binary with `args` and an empty environment until it is ready, stops it with SIGTERM and
/// returns everything it wrote to stdout (the C driver's own output is flushed at exit).
fn stdout_of_a_run(args: &[String]) -> String {
    use std::io::BufRead;
    let mut child = Command::new(SERVER)
        .args(args)
        .env_clear()
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            let _ = tx.send(line);
        }
    });
    let mut out = String::new();
    let deadline = Instant::now() + WAIT;
    let mut ready = false;
    while !ready {
        match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(line) => {
                ready = line.starts_with("rusteron-archive-server ready:");
                out.push_str(&line);
                out.push('\n');
            }
            Err(_) => break,
        }
    }
    if ready {
        // SAFETY: kill(2) on our own child, not yet reaped.
        unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
    } else {
        let _ = child.kill();
    }
    let status = child.wait().unwrap();
    reader.join().unwrap();
    out.extend(rx.try_iter().map(|line| line + "\n"));
    assert!(
        ready && status.success(),
        "the server did not start and stop cleanly ({status}): {out}"
    );
    out
}

#[test]
fn the_embedded_driver_sends_as_javas_media_driver_does_unless_told_otherwise() {
    // Java's MediaDriver sends one datagram per publication per sender duty cycle, the C driver up to 4
    // by default; Aeron's persistent-subscription tests depend on Java's pacing (see java_driver_defaults).
    // The C driver prints the configuration it runs with when asked (`aeron.print.configuration`).
    let base = tempfile::tempdir().unwrap();
    let setup = Setup::new(base.path());
    let config = |extra: &[&str]| {
        let mut props = vec![
            format!("-Daeron.dir={}", setup.aeron_dir.display()),
            "-Daeron.dir.delete.on.start=true".to_owned(),
            "-Daeron.threading.mode=SHARED".to_owned(),
            "-Daeron.print.configuration=true".to_owned(),
        ];
        props.extend(extra.iter().map(|s| s.to_string()));
        stdout_of_a_run(&java_line(&props, "io.aeron.driver.MediaDriver"))
    };
    let default = config(&[]);
    assert!(
        default.contains("network_publication_max_messages_per_send=1\n"),
        "{default}"
    );
    let told = config(&["-Daeron.network.publication.max.messages.per.send=4"]);
    assert!(
        told.contains("network_publication_max_messages_per_send=4\n"),
        "{told}"
    );
}
