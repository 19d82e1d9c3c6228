//! Runnable demos of rusteron; see the `[[example]]` targets of this package
//! (`cargo run -p rusteron-examples --example record_and_replay`).
