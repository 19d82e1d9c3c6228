// Handlers owned by an archive context must be Send: the archive may move to another thread.
use std::rc::Rc;

use rusteron_archive::{AeronArchiveContext, AeronArchiveRecordingSignal, AeronArchiveRecordingSignalConsumerFuncClosure};

fn check(ctx: &AeronArchiveContext) {
    let shared = Rc::new(());
    ctx.set_recording_signal_consumer(Some(AeronArchiveRecordingSignalConsumerFuncClosure::from(
        move |_s: &AeronArchiveRecordingSignal| {
            let _ = &shared;
        },
    )))
    .unwrap();
}

fn main() {}
