//! The publishers' reference: every message is a pure function of (seed, publication key, message index),
//! so what a publisher sent can be regenerated at any time, and a replay can be checked byte for byte.
//!
//! A message is `"SOAK"`, the publication key (u32 LE), the message index (u64 LE), the message length
//! (u32 LE), then bytes from a splitmix64 stream seeded with all four. Lengths vary per message (mixed sizes,
//! all within one MTU so no message is fragmented).

/// First four bytes of every message.
pub const MAGIC: &[u8; 4] = b"SOAK";
/// Bytes of the message header (magic, key, index, length).
pub const HEADER: usize = 20;
/// Message lengths the publishers mix (the largest fills a 1408-byte MTU frame).
pub const LENGTHS: [usize; 6] = [HEADER, 64, 200, 333, 777, 1376];
/// Aeron's data frame header length.
const FRAME_HEADER: i64 = 32;
/// Aeron's frame alignment.
const FRAME_ALIGNMENT: i64 = 32;

/// splitmix64: a small, good, reproducible mixer.
pub fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn state(seed: u64, key: u32, index: u64) -> u64 {
    mix(seed ^ mix(u64::from(key) << 32 ^ mix(index)))
}

/// Length of message `index` of publication `key`.
pub fn length(seed: u64, key: u32, index: u64) -> usize {
    LENGTHS[(state(seed, key, index) % LENGTHS.len() as u64) as usize]
}

/// Message `index` of publication `key`, exactly as the publisher sends it.
pub fn message(seed: u64, key: u32, index: u64) -> Vec<u8> {
    let len = length(seed, key, index);
    let mut m = Vec::with_capacity(len);
    m.extend_from_slice(MAGIC);
    m.extend_from_slice(&key.to_le_bytes());
    m.extend_from_slice(&index.to_le_bytes());
    m.extend_from_slice(&(len as u32).to_le_bytes());
    let mut s = state(seed, key, index);
    while m.len() < len {
        s = mix(s);
        let take = (len - m.len()).min(8);
        m.extend_from_slice(&s.to_le_bytes()[..take]);
    }
    m
}

/// The stream position after a message of `len` bytes appended at `position` (Aeron's term appender:
/// a frame that does not fit the rest of the term is preceded by padding up to the term's end).
pub fn next_position(position: i64, len: usize, term_length: i64) -> i64 {
    let aligned = (len as i64 + FRAME_HEADER + FRAME_ALIGNMENT - 1) & !(FRAME_ALIGNMENT - 1);
    let offset = position % term_length;
    let start = if offset + aligned > term_length {
        position - offset + term_length
    } else {
        position
    };
    start + aligned
}

/// Checks replayed messages of one recording against the reference, in order.
#[derive(Debug)]
pub struct Verifier {
    seed: u64,
    term_length: i64,
    key: Option<u32>,
    next_index: u64,
    /// Stream position up to which every byte matched the reference.
    pub position: i64,
    /// The first difference, if any.
    pub error: Option<String>,
}

impl Verifier {
    /// A verifier of a recording that starts at `start`: 0 when the recording started before the first
    /// message (the publishers' own), or anywhere when the recording joined a publication late (a restarted
    /// archive recording a killed worker's publication that lingers in a surviving driver).
    pub fn new(seed: u64, term_length: i64, start: i64) -> Verifier {
        Verifier {
            seed,
            term_length,
            key: None,
            next_index: 0,
            position: start,
            error: None,
        }
    }

    /// For a recording that joined late: the first replayed message must be the one the publisher sent at
    /// the recording's start (the reference gives every message's position: replay the lengths from 0).
    fn join(&mut self, key: u32, index: u64, len: usize) {
        let mut end_before = 0;
        for i in 0..index {
            end_before = next_position(end_before, length(self.seed, key, i), self.term_length);
        }
        let end = next_position(end_before, len, self.term_length);
        let aligned = (len as i64 + FRAME_HEADER + FRAME_ALIGNMENT - 1) & !(FRAME_ALIGNMENT - 1);
        if self.position < end_before || self.position > end - aligned {
            self.error = Some(format!(
                "recording starts at {} but its first message key={key} index={index} was sent at {}",
                self.position,
                end - aligned
            ));
        }
        self.next_index = index;
        self.position = end_before;
    }

    /// Where the checked bytes end, counting the padding frame the publisher's next message put at the
    /// end of the term if it did not fit (padding is not replayed as a message).
    pub fn reached(&self) -> i64 {
        match self.key {
            Some(key) if self.error.is_none() => {
                let len = length(self.seed, key, self.next_index);
                let next = next_position(self.position, len, self.term_length);
                let aligned =
                    (len as i64 + FRAME_HEADER + FRAME_ALIGNMENT - 1) & !(FRAME_ALIGNMENT - 1);
                if next - aligned > self.position {
                    next - aligned
                } else {
                    self.position
                }
            }
            _ => self.position,
        }
    }

    /// One replayed message.
    pub fn on_message(&mut self, msg: &[u8]) {
        if self.error.is_some() {
            return;
        }
        if msg.len() < HEADER || &msg[..4] != MAGIC {
            self.error = Some(format!(
                "at {}: a {}-byte message that is not the publisher's",
                self.position,
                msg.len()
            ));
            return;
        }
        let key = u32::from_le_bytes(msg[4..8].try_into().expect("4 bytes"));
        let index = u64::from_le_bytes(msg[8..16].try_into().expect("8 bytes"));
        if self.key.is_none() {
            self.key = Some(key);
            if self.position != 0 || index != 0 {
                self.join(key, index, msg.len());
                if self.error.is_some() {
                    return;
                }
            }
        }
        if self.key != Some(key) || index != self.next_index {
            self.error = Some(format!(
                "at {}: message key={key} index={index}, expected key={:?} index={}",
                self.position, self.key, self.next_index
            ));
            return;
        }
        if msg != message(self.seed, key, index).as_slice() {
            self.error = Some(format!(
                "at {}: message key={key} index={index} differs from what was sent",
                self.position
            ));
            return;
        }
        self.next_index += 1;
        self.position = next_position(self.position, msg.len(), self.term_length);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_reproducible_and_verify() {
        let mut v = Verifier::new(7, 65536, 0);
        let mut pos = 0;
        for i in 0..500 {
            let m = message(7, 3, i);
            assert_eq!(m, message(7, 3, i));
            pos = next_position(pos, m.len(), 65536);
            v.on_message(&m);
        }
        assert_eq!((v.position, v.error.as_deref()), (pos, None));
        let mut bad = message(7, 3, 500);
        *bad.last_mut().unwrap() ^= 1;
        v.on_message(&bad);
        assert!(v.error.unwrap().contains("differs"));
    }

    #[test]
    fn padding_before_the_next_message_counts_as_reached() {
        let mut v = Verifier::new(5, 65536, 0);
        let mut i = 0;
        while v.reached() < 65536 {
            v.on_message(&message(5, 2, i));
            i += 1;
        }
        assert_eq!(v.error, None);
        assert!(v.position <= 65536);
        assert!(
            v.reached() == 65536
                || v.position == 65536 + (length(5, 2, i - 1) as i64 + 32 + 31) / 32 * 32
        );
    }

    #[test]
    fn a_recording_that_joined_late_is_checked_from_its_first_message() {
        let (mut pos, mut at_5) = (0, 0);
        for i in 0..5 {
            pos = next_position(pos, length(9, 1, i), 65536);
        }
        at_5 = at_5.max(pos);
        let mut v = Verifier::new(9, 65536, at_5);
        for i in 5..50 {
            v.on_message(&message(9, 1, i));
        }
        assert_eq!(v.error, None);
        let mut wrong = Verifier::new(9, 65536, at_5);
        wrong.on_message(&message(9, 1, 6));
        assert!(wrong.error.unwrap().contains("was sent at"));
    }

    #[test]
    fn a_frame_that_does_not_fit_the_term_is_padded_to_the_next() {
        assert_eq!(next_position(65536 - 64, 100, 65536), 65536 + 160);
        assert_eq!(next_position(65536 - 160, 100, 65536), 65536);
    }
}
