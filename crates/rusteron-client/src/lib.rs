//! rusteron-client (work in progress).
