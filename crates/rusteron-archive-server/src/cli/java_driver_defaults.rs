//! Where the C media driver's defaults make it behave observably unlike Java's `MediaDriver`, the values
//! the Java drop-in gives the embedded C driver so that it behaves as the Java class named on the
//! command line.
//!
//! Only settings that Java's driver does not have as a property (so no Java command line can set them)
//! and whose C default changes what a Java user's program sees belong here. Each is applied only when
//! neither the command line (`-D<property>`) nor the environment (the C driver's own `AERON_*` variable)
//! sets it.
//!
//! * `aeron.network.publication.max.messages.per.send` = `1`: Java's `NetworkPublication` sends one
//!   datagram (up to one MTU) per publication per sender duty cycle; the C driver batches up to 4
//!   (`AERON_NETWORK_PUBLICATION_MAX_MESSAGES_PER_SEND`). The C receiver, for its part, reads one datagram
//!   per socket per duty cycle on Linux, as Java's does (`recvmmsg` with a zero timeout returns after the
//!   first datagram). With 4 sent for every 1 read, a subscriber on the same driver as a UDP publisher
//!   falls behind the wire by up to three quarters of what was sent and keeps processing the backlog
//!   after the publisher stopped; with Java's pacing it reads each datagram in the duty cycle it was sent.
//!   Aeron's own persistent-subscription tests depend on that: they flood an MDC publication past a slow
//!   local subscriber's window and expect its image to stop receiving, then to time out; with the C
//!   batching, backlog datagrams that the moving window then accepts kept the image alive (about one test
//!   run in ten failed on a loaded machine; see "Conformance" in `docs/archive-server.md`).

/// `(property, value)` the drop-in gives the C media driver unless told otherwise.
pub const JAVA_DRIVER_DEFAULTS: &[(&str, &str)] =
    &[("aeron.network.publication.max.messages.per.send", "1")];

/// The [`JAVA_DRIVER_DEFAULTS`] to add to `given` (the driver properties of the command line): those the
/// command line does not set and whose `AERON_*` variable `env_is_set` reports unset.
pub fn missing(
    given: &[(String, String)],
    env_is_set: impl Fn(&str) -> bool,
) -> Vec<(String, String)> {
    JAVA_DRIVER_DEFAULTS
        .iter()
        .filter(|(name, _)| !given.iter().any(|(k, _)| k == name))
        .filter(|(name, _)| !env_is_set(&super::driver_env_var(name)))
        .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_apply_unless_the_command_line_or_the_environment_sets_them() {
        let none = |_: &str| false;
        assert_eq!(
            missing(&[], none),
            vec![(
                "aeron.network.publication.max.messages.per.send".to_owned(),
                "1".to_owned()
            )]
        );
        let given = vec![(
            "aeron.network.publication.max.messages.per.send".to_owned(),
            "4".to_owned(),
        )];
        assert!(missing(&given, none).is_empty(), "a -D value wins");
        assert!(
            missing(&[], |var| var
                == "AERON_NETWORK_PUBLICATION_MAX_MESSAGES_PER_SEND")
            .is_empty(),
            "the C driver's own variable wins"
        );
    }
}
