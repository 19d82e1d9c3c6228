// A descriptor is borrowed for the callback only: the reference cannot escape it (clone it instead).
use rusteron_archive::{AeronArchive, AeronArchiveRecordingDescriptor};

fn check(archive: &AeronArchive) {
    let mut kept: Option<&AeronArchiveRecordingDescriptor> = None;
    archive.list_recordings(0, 10, |d| kept = Some(d)).unwrap();
    println!("{kept:?}");
}

fn main() {}
