//! The generated C codecs behave as those of SBE's own C generator wherever a C user can tell: the error
//! numbers in `errno` (SBE's negative `E100`/`E103`/`E107`, so that the Aeron C client, which reports a codec
//! failure through `errno`, does not show an unrelated system error text), `sbe_strerror`, `"null"` as the
//! character encoding of binary var-data, `(uint64_t)-1` as the encoded length of var-data composites, the `_meta_attribute` functions and
//! `_mut_buffer`.

use archive_codec_conformance::sbe_fidelity::*;

#[test]
fn error_numbers_are_sbes_negative_ones() {
    assert_eq!(error_macros(), [-50100, -50103, -50107, -50110]);
    let [short_composite, unknown_enum, past_the_end] = errno_after_failures();
    assert_eq!(
        short_composite, -50107,
        "composite over a short buffer: E107"
    );
    assert_eq!(unknown_enum, -50103, "unknown enum value: E103");
    assert_eq!(
        past_the_end, -50100,
        "write past the end of the buffer: E100"
    );
}

#[test]
fn sbe_strerror_names_each_codec_error() {
    assert_eq!(strerror(-50100), "buffer too short");
    assert_eq!(strerror(-50103), "unknown value for enum");
    assert_eq!(strerror(-50107), "buffer too short for flyweight");
    assert_eq!(strerror(-50110), "count outside of allowed range");
    assert_eq!(
        strerror(100),
        "unknown error",
        "a system errno is not a codec error"
    );
}

#[test]
fn binary_var_data_has_the_null_character_encoding() {
    assert_eq!(
        character_encodings(),
        ("null".to_owned(), "US-ASCII".to_owned())
    );
}

#[test]
fn var_data_composites_have_the_variable_encoded_length() {
    assert_eq!(
        composite_encoded_lengths(),
        [u64::MAX, u64::MAX, 8],
        "fixed composites keep their size"
    );
    // Unlike SBE's `offset + -1` bounds check, a var-data composite at offset 0 over its length field wraps.
    assert!(var_data_composite_wraps_its_length_field());
}

#[test]
fn fields_have_sbes_meta_attributes_and_codecs_their_mut_buffer() {
    assert_eq!(
        field_presences(),
        ("optional".to_owned(), "required".to_owned())
    );
    assert!(mut_buffer_is_the_wrapped_buffer());
}
