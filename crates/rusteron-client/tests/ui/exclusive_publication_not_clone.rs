// An exclusive publication cannot be cloned (two owners could write from two threads).
use rusteron_client::AeronExclusivePublication;

fn two_owners(p: AeronExclusivePublication) -> (AeronExclusivePublication, AeronExclusivePublication) {
    (p.clone(), p)
}

fn main() {}
