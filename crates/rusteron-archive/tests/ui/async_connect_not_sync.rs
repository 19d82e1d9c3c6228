// A pending connect is polled from one thread at a time.
use rusteron_archive::AeronArchiveAsyncConnect;

fn share<T: Sync>(_: &T) {}

fn check(c: &AeronArchiveAsyncConnect) {
    share(c);
}

fn main() {}
