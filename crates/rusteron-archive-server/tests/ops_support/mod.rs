//! Helpers of the process-level tests (`binary.rs`, `recovery.rs`): the `rusteron-archive-server` binary as a
//! child process, and the official C archive client (raw `aeron-sys` calls) talking to it.

#![allow(dead_code)]

use std::ffi::{c_void, CStr, CString};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::ptr;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use aeron_sys::*;
use rusteron_client::{Aeron, AeronContext, AeronSubscription};

/// Default timeout of waits.
pub const WAIT: Duration = Duration::from_secs(30);
/// Path of the server binary built for these tests.
pub const SERVER: &str = env!("CARGO_BIN_EXE_rusteron-archive-server");

/// A free UDP port on 127.0.0.1.
pub fn free_port() -> u16 {
    std::net::UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The dirs and channels of one archive under test.
#[derive(Debug, Clone)]
pub struct Setup {
    pub aeron_dir: PathBuf,
    pub archive_dir: PathBuf,
    pub control_channel: String,
}

impl Setup {
    /// Dirs below `base`, control channel on a free port.
    pub fn new(base: &Path) -> Setup {
        Setup {
            aeron_dir: base.join("aeron"),
            archive_dir: base.join("archive"),
            control_channel: format!("aeron:udp?endpoint=127.0.0.1:{}", free_port()),
        }
    }

    /// ArchivingMediaDriver-style `-D` arguments (plus `extra`), with JVM noise mixed in.
    pub fn drop_in_args(&self, extra: &[&str]) -> Vec<String> {
        let mut args = vec![
            "-Xmx1g".to_owned(),
            "-XX:+UseParallelGC".to_owned(),
            "-cp".to_owned(),
            "aeron-all-1.54.0.jar".to_owned(),
            format!("-Daeron.dir={}", self.aeron_dir.display()),
            "-Daeron.dir.delete.on.start=true".to_owned(),
            "-Daeron.threading.mode=SHARED".to_owned(),
            "-Daeron.shared.idle.strategy=sleeping".to_owned(),
            "-Daeron.spies.simulate.connection=true".to_owned(),
            format!("-Daeron.archive.dir={}", self.archive_dir.display()),
            format!("-Daeron.archive.control.channel={}", self.control_channel),
            "-Daeron.archive.replication.channel=aeron:udp?endpoint=127.0.0.1:0".to_owned(),
            "-Daeron.archive.segment.file.length=128k".to_owned(),
        ];
        args.extend(extra.iter().map(|s| s.to_string()));
        args.push("io.aeron.archive.ArchivingMediaDriver".to_owned());
        args
    }
}

/// The server as a child process; killed (SIGKILL) if still running when dropped.
pub struct ServerProcess {
    pub child: Child,
    pub ready_line: String,
    lines: mpsc::Receiver<String>,
}

impl ServerProcess {
    /// Spawns the server with `args` and waits for its readiness line.
    pub fn start(args: &[String]) -> ServerProcess {
        Self::start_with_env(args, &[])
    }

    /// As [`ServerProcess::start`], with extra environment variables.
    pub fn start_with_env(args: &[String], env: &[(&str, &str)]) -> ServerProcess {
        let mut child = Command::new(SERVER)
            .args(args)
            .env("RUSTERON_LOG", "info")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .spawn()
            .expect("spawn rusteron-archive-server");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let deadline = Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(line) if line.starts_with("rusteron-archive-server ready:") => {
                    return ServerProcess {
                        child,
                        ready_line: line,
                        lines: rx,
                    }
                }
                Ok(_) => {}
                Err(_) => {
                    let _ = child.kill();
                    panic!("server not ready: exit {:?}", child.wait());
                }
            }
        }
    }

    /// Sends SIGTERM and waits for the exit (panics after [`WAIT`]); returns the exit code.
    pub fn terminate(mut self) -> Option<i32> {
        let pid = self.child.id() as libc::pid_t;
        // SAFETY: kill(2) on our own child, not yet reaped.
        assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code();
            }
            assert!(Instant::now() < deadline, "server did not stop on SIGTERM");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits up to `timeout` for the process to exit by itself; returns its exit code, or `None` if it
    /// is still running.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<Option<i32>> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status.code());
            }
            if Instant::now() > deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// SIGKILL, then reap.
    pub fn kill9(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// Lines printed after the readiness line, so far.
    pub fn more_lines(&self) -> Vec<String> {
        self.lines.try_iter().collect()
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// An error of the C archive client.
#[derive(Debug)]
pub struct CError(pub String);

fn check(rc: i32) -> Result<(), CError> {
    if rc < 0 {
        // SAFETY: thread-local error state of the C library; NUL-terminated message.
        let msg = unsafe { CStr::from_ptr(aeron_errmsg()) }
            .to_string_lossy()
            .into_owned();
        Err(CError(format!("errcode={} {msg}", unsafe {
            aeron_errcode()
        })))
    } else {
        Ok(())
    }
}

/// An Aeron client on `aeron_dir`.
pub fn aeron(aeron_dir: &Path) -> Aeron {
    let ctx = AeronContext::new().unwrap();
    ctx.set_dir(aeron_dir.to_str().unwrap()).unwrap();
    ctx.set_idle_sleep_duration_ns(1_000_000).unwrap();
    Aeron::connect(&ctx).unwrap()
}

/// The official C archive client, connected over the UDP control channel.
pub struct CArchive {
    pub archive: *mut aeron_archive_t,
    /// The archive context: the C client keeps using it (strings, idle strategy) until it is closed.
    context: *mut aeron_archive_context_t,
    pub aeron: Aeron,
}

unsafe extern "C" fn on_descriptor(
    d: *mut aeron_archive_recording_descriptor_t,
    clientd: *mut c_void,
) {
    // SAFETY: clientd is the caller's Vec<(id, start, stop)>; d is valid during the callback.
    let (out, d) = unsafe { (&mut *(clientd as *mut Vec<(i64, i64, i64)>), &*d) };
    out.push((d.recording_id, d.start_position, d.stop_position));
}

impl CArchive {
    /// Connects to the archive of `setup`.
    pub fn connect(setup: &Setup) -> Result<CArchive, CError> {
        let aeron = aeron(&setup.aeron_dir);
        let request = CString::new(setup.control_channel.as_str()).unwrap();
        let response = CString::new("aeron:udp?endpoint=127.0.0.1:0").unwrap();
        let mut ctx = ptr::null_mut();
        let mut client = ptr::null_mut();
        // SAFETY: valid out-pointers; the context copies the strings and lives as long as the client (closed
        // after it in Drop); the Aeron client outlives both (owned by the returned value, dropped last).
        unsafe {
            check(aeron_archive_context_init(&mut ctx))?;
            check(aeron_archive_context_set_aeron(ctx, aeron.as_raw()))?;
            check(aeron_archive_context_set_control_request_channel(
                ctx,
                request.as_ptr(),
            ))?;
            check(aeron_archive_context_set_control_request_stream_id(ctx, 10))?;
            check(aeron_archive_context_set_control_response_channel(
                ctx,
                response.as_ptr(),
            ))?;
            check(aeron_archive_context_set_message_timeout_ns(
                ctx,
                10_000_000_000,
            ))?;
            let rc = aeron_archive_connect(&mut client, ctx);
            if let Err(e) = check(rc) {
                aeron_archive_context_close(ctx);
                return Err(e);
            }
        }
        Ok(CArchive {
            archive: client,
            context: ctx,
            aeron,
        })
    }

    /// The archive id reported by the server.
    pub fn archive_id(&self) -> i64 {
        // SAFETY: live client.
        unsafe { aeron_archive_get_archive_id(self.archive) }
    }

    /// StartRecording (local source) of `channel`/`stream_id`.
    pub fn start_recording(&self, channel: &str, stream_id: i32) -> Result<i64, CError> {
        let c = CString::new(channel).unwrap();
        let mut sub_id = 0;
        // SAFETY: live client, valid pointers.
        check(unsafe {
            aeron_archive_start_recording(
                &mut sub_id,
                self.archive,
                c.as_ptr(),
                stream_id,
                aeron_archive_source_location_en::AERON_ARCHIVE_SOURCE_LOCATION_LOCAL,
                false,
            )
        })?;
        Ok(sub_id)
    }

    /// `(recording id, start, stop)` of every recording (the first 100).
    pub fn list_recordings(&self) -> Result<Vec<(i64, i64, i64)>, CError> {
        self.list_recordings_from(0, 100)
    }

    /// `(recording id, start, stop)` of up to `count` recordings from id `from` on.
    pub fn list_recordings_from(
        &self,
        from: i64,
        count: i32,
    ) -> Result<Vec<(i64, i64, i64)>, CError> {
        let mut out: Vec<(i64, i64, i64)> = Vec::new();
        let mut n = 0;
        // SAFETY: live client; the consumer fills `out` during the call only.
        check(unsafe {
            aeron_archive_list_recordings(
                &mut n,
                self.archive,
                from,
                count,
                Some(on_descriptor),
                &mut out as *mut _ as *mut c_void,
            )
        })?;
        Ok(out)
    }

    /// StopRecording of the recording subscription `subscription_id` (returned by [`Self::start_recording`]).
    pub fn stop_recording_subscription(&self, subscription_id: i64) -> Result<(), CError> {
        // SAFETY: live client.
        check(unsafe { aeron_archive_stop_recording_subscription(self.archive, subscription_id) })?;
        Ok(())
    }

    /// PurgeRecording of a stopped recording: its descriptor is invalidated and its segment files deleted.
    /// Returns the number of segment files deleted.
    pub fn purge_recording(&self, recording_id: i64) -> Result<i64, CError> {
        let mut deleted = 0;
        // SAFETY: live client, valid out-pointer.
        check(unsafe { aeron_archive_purge_recording(&mut deleted, self.archive, recording_id) })?;
        Ok(deleted)
    }

    /// Current recorded position of an active recording (-1 if not active).
    pub fn recording_position(&self, recording_id: i64) -> Result<i64, CError> {
        let mut p = 0;
        // SAFETY: live client.
        check(unsafe { aeron_archive_get_recording_position(&mut p, self.archive, recording_id) })?;
        Ok(p)
    }

    /// Replays `[position, position + length)` onto `channel`/`stream_id`; returns the subscription.
    pub fn replay(
        &self,
        id: i64,
        channel: &str,
        stream_id: i32,
        position: i64,
        length: i64,
    ) -> Result<AeronSubscription, CError> {
        let c = CString::new(channel).unwrap();
        let mut params: aeron_archive_replay_params_t = unsafe { std::mem::zeroed() };
        // SAFETY: initialises the plain-data parameter struct.
        check(unsafe { aeron_archive_replay_params_init(&mut params) })?;
        params.position = position;
        params.length = length;
        let mut sub = ptr::null_mut();
        // SAFETY: live client, valid pointers; the subscription belongs to `self.aeron`.
        check(unsafe {
            aeron_archive_replay(
                &mut sub,
                self.archive,
                id,
                c.as_ptr(),
                stream_id,
                &mut params,
            )
        })?;
        // SAFETY: a live subscription of `self.aeron`, now owned by the wrapper.
        Ok(unsafe { AeronSubscription::from_raw(&self.aeron, sub) })
    }
}

impl Drop for CArchive {
    fn drop(&mut self) {
        // SAFETY: closed exactly once: the client first, then the context it used, both before the Aeron client
        // (a field dropped after this).
        unsafe {
            aeron_archive_close(self.archive);
            aeron_archive_context_close(self.context);
        }
    }
}

/// Waits for `cond` (panics with `what` after [`WAIT`]).
pub fn wait_until(mut cond: impl FnMut() -> bool, what: &str) {
    let deadline = Instant::now() + WAIT;
    while !cond() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// `true` if a process with this pid still exists (zombies excluded: callers reap first).
pub fn process_exists(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}
