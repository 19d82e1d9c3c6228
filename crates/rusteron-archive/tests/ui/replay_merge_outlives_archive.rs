// A replay merge borrows its archive: the archive cannot be dropped while the merge is alive.
use rusteron_archive::{AeronArchive, AeronArchiveReplayMerge, AeronSubscription};

fn check(archive: AeronArchive, sub: &AeronSubscription) {
    let merge = AeronArchiveReplayMerge::new(sub, &archive, "aeron:udp", "aeron:udp", "aeron:udp", 0, 0, 0, 5000).unwrap();
    drop(archive);
    let _ = merge.is_merged();
}

fn main() {}
