/*
 * What a C user of the generated archive codecs can observe beyond the bytes: the error numbers left in
 * errno (SBE's negative E100..E110, told apart from system errno values), `sbe_strerror`, the character
 * encoding of var-data, and the encoded length of composites. Each function returns what it saw; the Rust
 * test (tests/sbe_fidelity.rs) compares with what SBE's own C generator writes.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "c/aeron_archive_client/authConnectRequest.h"
#include "c/aeron_archive_client/controlResponse.h"
#include "c/aeron_archive_client/controlResponseCode.h"
#include "c/aeron_archive_client/messageHeader.h"
#include "c/aeron_archive_client/varAsciiEncoding.h"
#include "c/aeron_archive_client/varDataEncoding.h"

/* errno after wrapping a message header over a 4-byte buffer (0 if the wrap succeeded). */
int fid_errno_header_too_short(void)
{
    char buf[4] = { 0 };
    struct aeron_archive_client_messageHeader hdr;
    errno = 0;
    if (NULL != aeron_archive_client_messageHeader_wrap(&hdr, buf, 0, 0, sizeof(buf)))
    {
        return 0;
    }
    return errno;
}

/* errno after reading an unknown ControlResponseCode value (0 if it was accepted). */
int fid_errno_unknown_enum(void)
{
    enum aeron_archive_client_controlResponseCode code;
    errno = 0;
    if (aeron_archive_client_controlResponseCode_get(9999, &code))
    {
        return 0;
    }
    return errno;
}

/* errno after putting an error message longer than the buffer (0 if the put succeeded). */
int fid_errno_var_data_too_long(void)
{
    char buf[64];
    char text[128];
    struct aeron_archive_client_controlResponse msg;
    memset(text, 'x', sizeof(text));
    if (NULL == aeron_archive_client_controlResponse_wrap_for_encode(&msg, buf, 0, sizeof(buf)))
    {
        return 1;
    }
    errno = 0;
    if (NULL != aeron_archive_client_controlResponse_put_errorMessage(&msg, text, sizeof(text)))
    {
        return 0;
    }
    return errno;
}

int fid_e100(void) { return E100; }
int fid_e103(void) { return E103; }
int fid_e107(void) { return E107; }
int fid_e110(void) { return E110; }

const char *fid_strerror(const int errnum)
{
    return sbe_strerror(errnum);
}

const char *fid_binary_data_character_encoding(void)
{
    return aeron_archive_client_authConnectRequest_encodedCredentials_character_encoding();
}

const char *fid_ascii_data_character_encoding(void)
{
    return aeron_archive_client_authConnectRequest_responseChannel_character_encoding();
}

uint64_t fid_var_data_encoding_encoded_length(void)
{
    return aeron_archive_client_varDataEncoding_encoded_length();
}

uint64_t fid_var_ascii_encoding_encoded_length(void)
{
    return aeron_archive_client_varAsciiEncoding_encoded_length();
}

uint64_t fid_message_header_encoded_length(void)
{
    return aeron_archive_client_messageHeader_encoded_length();
}

/* 1 if a var-data composite still wraps a buffer that holds just its length field, at offset 0. */
int fid_var_data_composite_wraps_its_length_field(void)
{
    char buf[4] = { 0 };
    struct aeron_archive_client_varDataEncoding v;
    return NULL != aeron_archive_client_varDataEncoding_wrap(&v, buf, 0, 0, sizeof(buf));
}

/* The PRESENCE meta attribute of AuthConnectRequest.version (optional) and ControlResponse.correlationId. */
const char *fid_optional_field_presence(void)
{
    return aeron_archive_client_authConnectRequest_version_meta_attribute(
        aeron_archive_client_authConnectRequest_meta_attribute_PRESENCE);
}

const char *fid_required_field_presence(void)
{
    return aeron_archive_client_controlResponse_correlationId_meta_attribute(
        aeron_archive_client_controlResponse_meta_attribute_PRESENCE);
}

/* 1 if `_mut_buffer` of a wrapped message and of a wrapped composite is the wrapped buffer. */
int fid_mut_buffer_is_the_wrapped_buffer(void)
{
    char buf[64] = { 0 };
    struct aeron_archive_client_controlResponse msg;
    struct aeron_archive_client_messageHeader hdr;
    if (NULL == aeron_archive_client_controlResponse_wrap_for_encode(&msg, buf, 8, sizeof(buf)) ||
        NULL == aeron_archive_client_messageHeader_wrap(&hdr, buf, 0, 0, sizeof(buf)))
    {
        return 0;
    }
    return aeron_archive_client_controlResponse_mut_buffer(&msg) == buf &&
        aeron_archive_client_messageHeader_mut_buffer(&hdr) == buf;
}
