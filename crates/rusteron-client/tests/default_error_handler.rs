//! The C client's default error handler calls `exit()`. Every `AeronContext` replaces it with one that
//! reports the error, so a client error (here: the driver going away) cannot end the process.

mod common;

use common::*;
use rusteron_client::*;
use std::time::Duration;

#[test]
fn driver_timeout_is_reported_not_fatal() {
    let driver = rusteron_media_driver::TestMediaDriver::launch().unwrap();
    let ctx = client_context(driver.dir());
    ctx.set_driver_timeout_ms(500).unwrap();
    let aeron = Aeron::new(&ctx).unwrap();
    aeron.start().unwrap();
    let publication = aeron.add_publication("aeron:ipc", 1001, TIMEOUT).unwrap();
    drop(driver); // the driver stops: the client's conductor times out and reports the error
                  // With the C default handler the test process would exit here (status 1) instead of finishing.
    wait_for("the client to notice the driver is gone", || {
        aeron.is_closed().then_some(())
    });
    assert!(
        aeron.async_add_publication("aeron:ipc", 1002).is_err(),
        "a closed client refuses new work"
    );
    assert!(publication.offer(b"x", Handlers::no_reserved_value_supplier_handler()) < 0);
    std::thread::sleep(Duration::from_millis(100));
}
