/*
 * Hand-written encoders of the hand-computed byte vectors (see
 * crates/rusteron-archive-codecs/tests/common/vectors.rs), using the generated C codecs the way the
 * Aeron C archive client does. Each returns the message length including the header, or 0 on failure.
 */

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "c/aeron_archive_client/messageHeader.h"
#include "c/aeron_archive_client/authConnectRequest.h"
#include "c/aeron_archive_client/controlResponse.h"
#include "c/aeron_archive_client/listRecordingsForUriRequest.h"
#include "c/aeron_archive_client/recordingDescriptor.h"
#include "c/aeron_archive_client/recordingSignalEvent.h"
#include "c/aeron_archive_client/replayRequest.h"
#include "c/aeron_archive_client/startRecordingRequest2.h"

#define HDR_LEN (size_t)aeron_archive_client_messageHeader_encoded_length()

size_t vec_message_header(char *buf, size_t cap)
{
    struct aeron_archive_client_messageHeader hdr;
    if (NULL == aeron_archive_client_messageHeader_wrap(&hdr, buf, 0, 14, cap))
    {
        return 0;
    }
    aeron_archive_client_messageHeader_set_blockLength(&hdr, 32);
    aeron_archive_client_messageHeader_set_templateId(&hdr, 1);
    aeron_archive_client_messageHeader_set_schemaId(&hdr, aeron_archive_client_messageHeader_sbe_schema_id());
    aeron_archive_client_messageHeader_set_version(&hdr, aeron_archive_client_messageHeader_sbe_schema_version());
    return HDR_LEN;
}

size_t vec_control_response(char *buf, size_t cap)
{
    struct aeron_archive_client_controlResponse c;
    struct aeron_archive_client_messageHeader hdr;
    if (NULL == aeron_archive_client_controlResponse_wrap_and_apply_header(&c, buf, 0, cap, &hdr))
    {
        return 0;
    }
    aeron_archive_client_controlResponse_set_controlSessionId(&c, 1);
    aeron_archive_client_controlResponse_set_correlationId(&c, 2);
    aeron_archive_client_controlResponse_set_relevantId(&c, -1);
    aeron_archive_client_controlResponse_set_code(&c, aeron_archive_client_controlResponseCode_ERROR);
    aeron_archive_client_controlResponse_set_version(&c, 0x050200);
    if (NULL == aeron_archive_client_controlResponse_put_errorMessage(&c, "bad", 3))
    {
        return 0;
    }
    return HDR_LEN + (size_t)aeron_archive_client_controlResponse_encoded_length(&c);
}

size_t vec_auth_connect_request(char *buf, size_t cap)
{
    struct aeron_archive_client_authConnectRequest c;
    struct aeron_archive_client_messageHeader hdr;
    const char creds[2] = { (char)0xde, (char)0xad };
    if (NULL == aeron_archive_client_authConnectRequest_wrap_and_apply_header(&c, buf, 0, cap, &hdr))
    {
        return 0;
    }
    aeron_archive_client_authConnectRequest_set_correlationId(&c, INT64_C(0x1122334455667788));
    aeron_archive_client_authConnectRequest_set_responseStreamId(&c, 20);
    aeron_archive_client_authConnectRequest_set_version(&c, 0x050200);
    if (NULL == aeron_archive_client_authConnectRequest_put_responseChannel(&c, "aeron:ipc", 9) ||
        NULL == aeron_archive_client_authConnectRequest_put_encodedCredentials(&c, creds, 2) ||
        NULL == aeron_archive_client_authConnectRequest_put_clientInfo(&c, "c", 1))
    {
        return 0;
    }
    return HDR_LEN + (size_t)aeron_archive_client_authConnectRequest_encoded_length(&c);
}

size_t vec_start_recording_request2(char *buf, size_t cap)
{
    struct aeron_archive_client_startRecordingRequest2 c;
    struct aeron_archive_client_messageHeader hdr;
    if (NULL == aeron_archive_client_startRecordingRequest2_wrap_and_apply_header(&c, buf, 0, cap, &hdr))
    {
        return 0;
    }
    aeron_archive_client_startRecordingRequest2_set_controlSessionId(&c, 3);
    aeron_archive_client_startRecordingRequest2_set_correlationId(&c, 4);
    aeron_archive_client_startRecordingRequest2_set_streamId(&c, 1001);
    aeron_archive_client_startRecordingRequest2_set_sourceLocation(&c, aeron_archive_client_sourceLocation_REMOTE);
    aeron_archive_client_startRecordingRequest2_set_autoStop(&c, aeron_archive_client_booleanType_TRUE);
    if (NULL == aeron_archive_client_startRecordingRequest2_put_channel(&c, "aeron:ipc", 9))
    {
        return 0;
    }
    return HDR_LEN + (size_t)aeron_archive_client_startRecordingRequest2_encoded_length(&c);
}

size_t vec_replay_request(char *buf, size_t cap)
{
    struct aeron_archive_client_replayRequest c;
    struct aeron_archive_client_messageHeader hdr;
    if (NULL == aeron_archive_client_replayRequest_wrap_and_apply_header(&c, buf, 0, cap, &hdr))
    {
        return 0;
    }
    aeron_archive_client_replayRequest_set_controlSessionId(&c, 5);
    aeron_archive_client_replayRequest_set_correlationId(&c, 6);
    aeron_archive_client_replayRequest_set_recordingId(&c, 7);
    aeron_archive_client_replayRequest_set_position(&c, 0);
    aeron_archive_client_replayRequest_set_length(&c, -1);
    aeron_archive_client_replayRequest_set_replayStreamId(&c, 1002);
    aeron_archive_client_replayRequest_set_fileIoMaxLength(&c, 4096);
    aeron_archive_client_replayRequest_set_replayToken(&c, -1);
    if (NULL == aeron_archive_client_replayRequest_put_replayChannel(&c, "aeron:ipc", 9))
    {
        return 0;
    }
    return HDR_LEN + (size_t)aeron_archive_client_replayRequest_encoded_length(&c);
}

size_t vec_list_recordings_for_uri_request(char *buf, size_t cap)
{
    struct aeron_archive_client_listRecordingsForUriRequest c;
    struct aeron_archive_client_messageHeader hdr;
    if (NULL == aeron_archive_client_listRecordingsForUriRequest_wrap_and_apply_header(&c, buf, 0, cap, &hdr))
    {
        return 0;
    }
    aeron_archive_client_listRecordingsForUriRequest_set_controlSessionId(&c, 8);
    aeron_archive_client_listRecordingsForUriRequest_set_correlationId(&c, 9);
    aeron_archive_client_listRecordingsForUriRequest_set_fromRecordingId(&c, 10);
    aeron_archive_client_listRecordingsForUriRequest_set_recordCount(&c, 100);
    aeron_archive_client_listRecordingsForUriRequest_set_streamId(&c, 1001);
    if (NULL == aeron_archive_client_listRecordingsForUriRequest_put_channel(&c, "ipc", 3))
    {
        return 0;
    }
    return HDR_LEN + (size_t)aeron_archive_client_listRecordingsForUriRequest_encoded_length(&c);
}

size_t vec_recording_descriptor(char *buf, size_t cap)
{
    struct aeron_archive_client_recordingDescriptor c;
    struct aeron_archive_client_messageHeader hdr;
    const char *original = "aeron:ipc?term-length=64k";
    if (NULL == aeron_archive_client_recordingDescriptor_wrap_and_apply_header(&c, buf, 0, cap, &hdr))
    {
        return 0;
    }
    aeron_archive_client_recordingDescriptor_set_controlSessionId(&c, 1);
    aeron_archive_client_recordingDescriptor_set_correlationId(&c, 2);
    aeron_archive_client_recordingDescriptor_set_recordingId(&c, 3);
    aeron_archive_client_recordingDescriptor_set_startTimestamp(&c, INT64_C(1700000000000));
    aeron_archive_client_recordingDescriptor_set_stopTimestamp(&c, INT64_C(1700000001000));
    aeron_archive_client_recordingDescriptor_set_startPosition(&c, 0);
    aeron_archive_client_recordingDescriptor_set_stopPosition(&c, 4096);
    aeron_archive_client_recordingDescriptor_set_initialTermId(&c, -5);
    aeron_archive_client_recordingDescriptor_set_segmentFileLength(&c, 128 * 1024 * 1024);
    aeron_archive_client_recordingDescriptor_set_termBufferLength(&c, 65536);
    aeron_archive_client_recordingDescriptor_set_mtuLength(&c, 1408);
    aeron_archive_client_recordingDescriptor_set_sessionId(&c, -123);
    aeron_archive_client_recordingDescriptor_set_streamId(&c, 1001);
    if (NULL == aeron_archive_client_recordingDescriptor_put_strippedChannel(&c, "aeron:ipc", 9) ||
        NULL == aeron_archive_client_recordingDescriptor_put_originalChannel(&c, original, (uint32_t)strlen(original)) ||
        NULL == aeron_archive_client_recordingDescriptor_put_sourceIdentity(&c, "aeron:ipc", 9))
    {
        return 0;
    }
    return HDR_LEN + (size_t)aeron_archive_client_recordingDescriptor_encoded_length(&c);
}

size_t vec_recording_signal_event(char *buf, size_t cap)
{
    struct aeron_archive_client_recordingSignalEvent c;
    struct aeron_archive_client_messageHeader hdr;
    if (NULL == aeron_archive_client_recordingSignalEvent_wrap_and_apply_header(&c, buf, 0, cap, &hdr))
    {
        return 0;
    }
    aeron_archive_client_recordingSignalEvent_set_controlSessionId(&c, 1);
    aeron_archive_client_recordingSignalEvent_set_correlationId(&c, 2);
    aeron_archive_client_recordingSignalEvent_set_recordingId(&c, 3);
    aeron_archive_client_recordingSignalEvent_set_subscriptionId(&c, 4);
    aeron_archive_client_recordingSignalEvent_set_position(&c, 5);
    aeron_archive_client_recordingSignalEvent_set_signal(&c, aeron_archive_client_recordingSignal_STOP);
    return HDR_LEN + (size_t)aeron_archive_client_recordingSignalEvent_encoded_length(&c);
}

/* Decodes a RecordingDescriptor the way aeron_archive_recording_descriptor_poller.c does; 0 if it matches. */
int vec_check_recording_descriptor(const char *buf, size_t len)
{
    struct aeron_archive_client_recordingDescriptor d;
    struct aeron_archive_client_recordingDescriptor_string_view view;
    if (NULL == aeron_archive_client_recordingDescriptor_wrap_for_decode(
        &d,
        (char *)buf,
        aeron_archive_client_messageHeader_encoded_length(),
        aeron_archive_client_recordingDescriptor_sbe_block_length(),
        aeron_archive_client_recordingDescriptor_sbe_schema_version(),
        len))
    {
        return -1;
    }
    if (aeron_archive_client_recordingDescriptor_recordingId(&d) != 3 ||
        aeron_archive_client_recordingDescriptor_startTimestamp(&d) != INT64_C(1700000000000) ||
        aeron_archive_client_recordingDescriptor_initialTermId(&d) != -5 ||
        aeron_archive_client_recordingDescriptor_sessionId(&d) != -123 ||
        aeron_archive_client_recordingDescriptor_streamId(&d) != 1001)
    {
        return 1;
    }
    view = aeron_archive_client_recordingDescriptor_get_strippedChannel_as_string_view(&d);
    if (view.length != 9 || 0 != memcmp(view.data, "aeron:ipc", 9))
    {
        return 2;
    }
    view = aeron_archive_client_recordingDescriptor_get_originalChannel_as_string_view(&d);
    if (view.length != 25 || 0 != memcmp(view.data, "aeron:ipc?term-length=64k", 25))
    {
        return 3;
    }
    view = aeron_archive_client_recordingDescriptor_get_sourceIdentity_as_string_view(&d);
    if (view.length != 9 || 0 != memcmp(view.data, "aeron:ipc", 9))
    {
        return 4;
    }
    return 0;
}

/* Decodes a ControlResponse the way aeron_archive_control_response_poller.c does; 0 if it matches. */
int vec_check_control_response(const char *buf, size_t len)
{
    struct aeron_archive_client_messageHeader hdr;
    struct aeron_archive_client_controlResponse r;
    enum aeron_archive_client_controlResponseCode code;
    char msg[16];
    uint32_t n;
    if (NULL == aeron_archive_client_messageHeader_wrap(&hdr, (char *)buf, 0, aeron_archive_client_messageHeader_sbe_schema_version(), len))
    {
        return -1;
    }
    if (aeron_archive_client_messageHeader_schemaId(&hdr) != aeron_archive_client_messageHeader_sbe_schema_id() ||
        aeron_archive_client_messageHeader_templateId(&hdr) != AERON_ARCHIVE_CLIENT_CONTROL_RESPONSE_SBE_TEMPLATE_ID)
    {
        return -2;
    }
    aeron_archive_client_controlResponse_wrap_for_decode(
        &r,
        (char *)buf,
        aeron_archive_client_messageHeader_encoded_length(),
        aeron_archive_client_controlResponse_sbe_block_length(),
        aeron_archive_client_controlResponse_sbe_schema_version(),
        len);
    if (aeron_archive_client_controlResponse_controlSessionId(&r) != 1 ||
        aeron_archive_client_controlResponse_correlationId(&r) != 2 ||
        aeron_archive_client_controlResponse_relevantId(&r) != -1 ||
        aeron_archive_client_controlResponse_version(&r) != 0x050200)
    {
        return 1;
    }
    if (!aeron_archive_client_controlResponse_code(&r, &code) || code != aeron_archive_client_controlResponseCode_ERROR)
    {
        return 2;
    }
    n = aeron_archive_client_controlResponse_errorMessage_length(&r);
    if (n != 3 || aeron_archive_client_controlResponse_get_errorMessage(&r, msg, n) != 3 || 0 != memcmp(msg, "bad", 3))
    {
        return 3;
    }
    return 0;
}
