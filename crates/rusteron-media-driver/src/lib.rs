//! rusteron-media-driver (work in progress).
