// An async add handle is polled from one thread at a time.
use rusteron_client::AeronAsyncAddPublication;

fn assert_sync<T: Sync>() {}

fn main() {
    assert_sync::<AeronAsyncAddPublication>();
}
