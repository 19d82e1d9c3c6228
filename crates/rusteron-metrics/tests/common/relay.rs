//! A UDP relay between a publication and a subscription on 127.0.0.1 that counts what the publisher's
//! driver sends, by Aeron frame type.

use std::net::{SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// Aeron frame types (`aeron_udp_protocol.h`).
const HDR_TYPE_DATA: u16 = 0x01;
const HDR_TYPE_SETUP: u16 = 0x05;
const HDR_TYPE_RTTM: u16 = 0x06;

/// Length of a data frame header (a heartbeat is a header alone).
const HEADER_LENGTH: usize = 32;

/// Forwards publisher → `subscriber_port` and back; counts the publisher's datagrams.
pub struct UdpRelay {
    /// The port publications send to (`aeron:udp?endpoint=127.0.0.1:<listen_port>`).
    pub listen_port: u16,
    /// The port the subscription listens on.
    pub subscriber_port: u16,
    data_bytes: Arc<AtomicU64>,
    control_bytes: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl UdpRelay {
    pub fn start() -> Self {
        Self::start_dropping(None)
    }

    /// A relay that drops the `nth` (1-based) datagram carrying data, to make the receiver see a gap.
    pub fn start_dropping(nth: Option<u64>) -> Self {
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        socket
            .set_read_timeout(Some(Duration::from_millis(10)))
            .unwrap();
        let listen_port = socket.local_addr().unwrap().port();
        let subscriber_port = UdpSocket::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let subscriber: SocketAddr = ([127, 0, 0, 1], subscriber_port).into();
        let data_bytes = Arc::new(AtomicU64::new(0));
        let control_bytes = Arc::new(AtomicU64::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (data, control, stopping) = (data_bytes.clone(), control_bytes.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            let mut buf = vec![0u8; 65536];
            let mut publisher: Option<SocketAddr> = None;
            let mut data_datagrams = 0u64;
            while !stopping.load(Ordering::Acquire) {
                let Ok((n, from)) = socket.recv_from(&mut buf) else {
                    continue;
                };
                if from == subscriber {
                    if let Some(p) = publisher {
                        let _ = socket.send_to(&buf[..n], p);
                    }
                    continue;
                }
                publisher = Some(from);
                let frame_type = if n >= 8 {
                    u16::from_le_bytes([buf[6], buf[7]])
                } else {
                    0
                };
                // The sender's "bytes sent" counts data and heartbeat frames, not setup or RTT frames.
                let counter = if frame_type == HDR_TYPE_SETUP || frame_type == HDR_TYPE_RTTM {
                    &control
                } else {
                    &data
                };
                counter.fetch_add(n as u64, Ordering::AcqRel);
                if frame_type == HDR_TYPE_DATA && n > HEADER_LENGTH {
                    data_datagrams += 1;
                    if Some(data_datagrams) == nth {
                        continue; // lost on the way
                    }
                }
                let _ = socket.send_to(&buf[..n], subscriber);
            }
        });
        UdpRelay {
            listen_port,
            subscriber_port,
            data_bytes,
            control_bytes,
            stop,
            thread: Some(thread),
        }
    }

    /// Bytes of data and heartbeat datagrams the publisher sent.
    pub fn data_bytes(&self) -> u64 {
        self.data_bytes.load(Ordering::Acquire)
    }

    /// Bytes of setup and RTT datagrams the publisher sent.
    pub fn control_bytes(&self) -> u64 {
        self.control_bytes.load(Ordering::Acquire)
    }
}

impl Drop for UdpRelay {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
