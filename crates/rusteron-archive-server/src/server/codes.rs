//! Archive error codes carried in `relevantId` of an ERROR response (Java's `ArchiveException` codes).

/// Generic error.
pub const GENERIC: i64 = 0;
/// A listing is already in progress.
pub const ACTIVE_LISTING: i64 = 1;
/// The recording is active.
pub const ACTIVE_RECORDING: i64 = 2;
/// A recording subscription already exists for the channel and stream.
pub const ACTIVE_SUBSCRIPTION: i64 = 3;
/// No such recording subscription.
pub const UNKNOWN_SUBSCRIPTION: i64 = 4;
/// No such recording.
pub const UNKNOWN_RECORDING: i64 = 5;
/// No such replay.
pub const UNKNOWN_REPLAY: i64 = 6;
/// Too many replays.
pub const MAX_REPLAYS: i64 = 7;
/// Too many recordings.
pub const MAX_RECORDINGS: i64 = 8;
/// The extension does not match the recording.
pub const INVALID_EXTENSION: i64 = 9;
/// Authentication rejected.
pub const AUTHENTICATION_REJECTED: i64 = 10;
/// Storage space is low.
pub const STORAGE_SPACE: i64 = 11;
/// No such replication.
pub const UNKNOWN_REPLICATION: i64 = 12;
/// The action is not authorised.
pub const UNAUTHORISED_ACTION: i64 = 13;
/// Connecting to the source archive failed.
pub const REPLICATION_CONNECTION_FAILURE: i64 = 14;
/// The replay would be empty.
pub const EMPTY_RECORDING: i64 = 15;
/// The position is not valid for the recording.
pub const INVALID_POSITION: i64 = 16;
