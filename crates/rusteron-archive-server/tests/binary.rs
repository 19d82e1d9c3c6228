//! The `rusteron-archive-server` binary as a process: `--help`, a properties file, the ArchivingMediaDriver
//! `-D` drop-in mode with the official C archive client connecting, and a clean stop on SIGTERM.

mod ops_support;

use std::process::Command;

use ops_support::*;
use rusteron_archive_server::storage::mark_file::{read_mark_file, MARK_FILE_NAME, SEMANTIC_VERSION};

#[test]
fn help_names_the_java_properties() {
    let out = Command::new(SERVER).arg("--help").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for name in ["aeron.archive.control.channel", "aeron.archive.file.sync.level", "--properties", "aeron.dir"] {
        assert!(text.contains(name), "--help lacks {name}:\n{text}");
    }
    let bad = Command::new(SERVER).arg("--no-such-flag").output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
    let bad_value = Command::new(SERVER).args(["--file-sync-level", "9"]).output().unwrap();
    assert_eq!(bad_value.status.code(), Some(2));
    // A Java authenticator class it cannot load: refused before anything starts, never "accept everyone".
    let unknown_class = Command::new(SERVER)
        .args(["-Daeron.archive.authenticator.supplier=com.acme.LdapAuthenticatorSupplier", "-Daeron.dir=/nonexistent"])
        .output()
        .unwrap();
    assert_eq!(unknown_class.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&unknown_class.stderr);
    assert!(stderr.contains("io.aeron.samples.archive.SampleAuthenticatorSupplier"), "{stderr}");
    // A checksum class it cannot map: refused before anything starts, as Java's Checksums.newInstance fails.
    let unknown_checksum = Command::new(SERVER)
        .args(["-Daeron.archive.record.checksum=com.acme.Adler32", "-Daeron.dir=/nonexistent"])
        .output()
        .unwrap();
    assert_eq!(unknown_checksum.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&unknown_checksum.stderr);
    assert!(stderr.contains("failed to create Checksum instance for class: com.acme.Adler32"), "{stderr}");
    assert!(stderr.contains("io.aeron.archive.checksum.Crc32c"), "{stderr}");
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
    assert!(server.ready_line.contains("archive_id=777"), "{}", server.ready_line);
    let h = read_mark_file(&setup.archive_dir.join(MARK_FILE_NAME)).unwrap();
    assert_eq!((h.archive_id, h.events_stream_id, h.version), (777, 31, SEMANTIC_VERSION));
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
    let server = ServerProcess::start(&setup.drop_in_args(&["-Daeron.archive.id=4242", "-Dagrona.disable.bounds.checks=true"]));
    let pid = server.child.id();
    assert!(server.ready_line.contains("mode=ArchivingMediaDriver"), "{}", server.ready_line);

    // As the C test harness does: the mark file exists and is at least the 8 KiB header long.
    let mark_path = setup.archive_dir.join(MARK_FILE_NAME);
    assert!(std::fs::metadata(&mark_path).unwrap().len() >= 8192);
    let h = read_mark_file(&mark_path).unwrap();
    assert_eq!(h.version, SEMANTIC_VERSION);
    assert_eq!(h.pid, i64::from(pid));
    assert_eq!(h.archive_id, 4242);
    assert!(h.activity_timestamp > 0);
    // The activity timestamp is refreshed while alive.
    wait_until(|| read_mark_file(&mark_path).unwrap().activity_timestamp > h.activity_timestamp, "activity update");

    let client = CArchive::connect(&setup).expect("C archive client connects");
    assert_eq!(client.archive_id(), 4242);
    assert!(client.list_recordings().unwrap().is_empty());
    // A second archive on the same dirs is refused while this one lives.
    // (Its own driver dir: a driver with delete-on-start must not take over the live driver's dir.)
    let other = Setup { aeron_dir: base.path().join("aeron-2"), ..Setup::new(base.path()) };
    let second = Command::new(SERVER).args(other.drop_in_args(&[])).output().unwrap();
    assert!(String::from_utf8_lossy(&second.stderr).contains("active archive mark file"));
    assert_eq!(second.status.code(), Some(1), "second archive on a live mark file must fail");
    drop(client);

    assert_eq!(server.terminate(), Some(0), "clean exit code");
    assert!(!process_exists(pid), "no leftover process");
    assert_eq!(read_mark_file(&mark_path).unwrap().activity_timestamp, -1, "clean stop marked");
}
