//! The hand-computed byte vectors, encoded with the C codecs (csrc/vectors.c) and decoded as the C client does.

#[path = "../../rusteron-archive-codecs/tests/common/vectors.rs"]
mod vectors;

use archive_codec_conformance::vectors::{
    c_check_control_response, c_check_recording_descriptor, c_encode, C_VECTORS,
};

fn expected(name: &str) -> Vec<u8> {
    match name {
        "messageHeader" => vectors::HEADER.to_vec(),
        "ControlResponse" => vectors::CONTROL_RESPONSE.to_vec(),
        "AuthConnectRequest" => vectors::auth_connect_request(),
        "StartRecordingRequest2" => vectors::start_recording_request2(),
        "ReplayRequest" => vectors::replay_request(),
        "ListRecordingsForUriRequest" => vectors::list_recordings_for_uri_request(),
        "RecordingDescriptor" => vectors::recording_descriptor(),
        "RecordingSignalEvent" => vectors::RECORDING_SIGNAL_EVENT.to_vec(),
        other => panic!("no vector for {other}"),
    }
}

#[test]
fn c_encoders_produce_the_hand_computed_vectors() {
    assert_eq!(C_VECTORS.len(), 8);
    for (name, encoder) in C_VECTORS {
        let got = c_encode(*encoder, 512).unwrap_or_else(|| panic!("{name}: C encode failed"));
        assert_eq!(got, expected(name), "{name}");
        // Too small a buffer is refused.
        assert!(c_encode(*encoder, got.len() - 1).is_none(), "{name}");
    }
}

#[test]
fn c_decoders_read_the_hand_computed_vectors() {
    assert_eq!(c_check_control_response(&vectors::CONTROL_RESPONSE), 0);
    assert_eq!(
        c_check_recording_descriptor(&vectors::recording_descriptor()),
        0
    );
    // A corrupted error message is noticed.
    let mut bad = vectors::CONTROL_RESPONSE;
    bad[44] = b'x';
    assert_eq!(c_check_control_response(&bad), 3);
    // An unknown response code is rejected by the enum getter, as the C client requires.
    let mut bad = vectors::CONTROL_RESPONSE;
    bad[8 + 24] = 4;
    assert_eq!(c_check_control_response(&bad), 2);
}
