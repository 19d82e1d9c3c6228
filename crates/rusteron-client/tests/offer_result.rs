//! The typed publication results (`*_result` variants, `AeronOfferError`) against a real driver.

mod common;

use common::*;
use rusteron_client::*;
use std::error::Error as _;

#[test]
fn offer_result_is_not_connected_then_a_position_then_closed_errors_are_typed() {
    let env = env();
    let channel = "aeron:ipc";
    let publication = env
        .aeron
        .add_exclusive_publication(channel, 4101, TIMEOUT)
        .unwrap();
    let none = Handlers::no_reserved_value_supplier_handler();
    // No subscriber yet: retryable, and the same sentinel as the raw call.
    let e = publication.offer_result(b"hello", none).unwrap_err();
    assert_eq!(e, AeronOfferError::NotConnected);
    assert!(e.is_retryable() && !e.is_fatal());
    assert_eq!(
        e.code(),
        publication.offer(b"hello", Handlers::no_reserved_value_supplier_handler())
    );

    let sub = subscribe(&env.aeron, channel, 4101);
    let position = wait_for("connected offer", || {
        publication
            .offer_result(b"hello", Handlers::no_reserved_value_supplier_handler())
            .ok()
    });
    assert!(position > 0);
    let claimed = publication
        .try_claim_with_result(8, |buf| buf.copy_from_slice(b"claimed!"))
        .unwrap();
    assert!(claimed > position);
    let vectored = publication
        .offer_vectored_result(
            &[b"ab", b"cd"],
            Handlers::no_reserved_value_supplier_handler(),
        )
        .unwrap();
    assert!(vectored > claimed);
    let claim = publication.try_claim_result(4).unwrap();
    claim.commit().unwrap();
    assert_eq!(
        collect(&sub, 4),
        vec![
            b"hello".to_vec(),
            b"claimed!".to_vec(),
            b"abcd".to_vec(),
            vec![0; 4]
        ]
    );

    // A malformed block is refused before C sees it: a fatal error that says why, the BlockError as source.
    let e = publication.offer_block_result(&[0u8; 24]).unwrap_err();
    assert_eq!(e, AeronOfferError::InvalidBlock(BlockError::Length(24)));
    assert!(
        e.is_fatal() && e.to_string().contains("block length 24"),
        "{e}"
    );
    let cause = e.source().expect("the block error");
    assert_eq!(
        cause.downcast_ref::<BlockError>(),
        Some(&BlockError::Length(24))
    );
}

#[test]
fn concurrent_publication_results_are_typed_too() {
    let env = env();
    let publication = env
        .aeron
        .add_publication("aeron:ipc", 4102, TIMEOUT)
        .unwrap();
    assert_eq!(
        publication.offer_result(b"x", Handlers::no_reserved_value_supplier_handler()),
        Err(AeronOfferError::NotConnected)
    );
    assert!(matches!(
        publication.try_claim_result(8),
        Err(AeronOfferError::NotConnected)
    ));
    let _sub = subscribe(&env.aeron, "aeron:ipc", 4102);
    wait_for("connected offer", || {
        publication
            .offer_result(b"x", Handlers::no_reserved_value_supplier_handler())
            .ok()
    });
}

#[test]
fn a_nul_byte_error_says_where() {
    let ctx = AeronContext::new().unwrap();
    let e = ctx.set_client_name("a\0b").unwrap_err();
    assert!(e.msg.contains("NUL byte at 1"), "{e:?}");
}
