// An AeronArchive cannot be shared between threads (the C archive client is driven by one thread at a time).
use rusteron_archive::AeronArchive;

fn share<T: Sync>(_: &T) {}

fn check(archive: &AeronArchive) {
    share(archive);
}

fn main() {}
