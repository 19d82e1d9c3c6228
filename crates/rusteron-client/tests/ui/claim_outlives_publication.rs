// A buffer claim borrows its publication (whose log must stay mapped until commit).
use rusteron_client::AeronPublication;

fn commit_after_close(p: AeronPublication) {
    let claim = p.try_claim(8).unwrap();
    drop(p);
    claim.commit().unwrap();
}

fn main() {}
