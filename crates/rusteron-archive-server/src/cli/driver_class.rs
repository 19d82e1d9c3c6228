//! Java class names in media driver properties, translated to what the C media driver understands.
//!
//! A Java command line configures pluggable driver parts by class name
//! (`-Daeron.driver.termination.validator=io.aeron.driver.DefaultAllowTerminationValidator`); the C driver
//! reads the same properties from `AERON_*` variables but knows those parts by its own names (`allow`,
//! `aeron_max_multicast_flow_control_strategy_supplier`, ...) and refuses anything else at start. Known
//! Java classes are translated; any other class-valued property is refused before anything starts, naming
//! the property, since the C driver cannot load Java classes.

use crate::config::ConfigError;

/// `(property, Java class, C driver name)` for every class the C driver has an equivalent of.
const TRANSLATIONS: &[(&str, &str, &str)] = &[
    (
        "aeron.driver.termination.validator",
        "io.aeron.driver.DefaultAllowTerminationValidator",
        "allow",
    ),
    (
        "aeron.driver.termination.validator",
        "io.aeron.driver.DefaultDenyTerminationValidator",
        "deny",
    ),
    (
        "aeron.MulticastFlowControl.supplier",
        "io.aeron.driver.MaxMulticastFlowControlSupplier",
        "aeron_max_multicast_flow_control_strategy_supplier",
    ),
    (
        "aeron.MulticastFlowControl.supplier",
        "io.aeron.driver.DefaultMulticastFlowControlSupplier",
        "aeron_max_multicast_flow_control_strategy_supplier",
    ),
    (
        "aeron.MulticastFlowControl.supplier",
        "io.aeron.driver.MinMulticastFlowControlSupplier",
        "aeron_min_flow_control_strategy_supplier",
    ),
    (
        "aeron.MulticastFlowControl.supplier",
        "io.aeron.driver.TaggedMulticastFlowControlSupplier",
        "aeron_tagged_flow_control_strategy_supplier",
    ),
    (
        "aeron.UnicastFlowControl.supplier",
        "io.aeron.driver.DefaultUnicastFlowControlSupplier",
        "aeron_unicast_flow_control_strategy_supplier",
    ),
    (
        "aeron.CongestionControl.supplier",
        "io.aeron.driver.DefaultCongestionControlSupplier",
        "aeron_congestion_control_default_strategy_supplier",
    ),
    (
        "aeron.CongestionControl.supplier",
        "io.aeron.driver.ext.CubicCongestionControlSupplier",
        "aeron_cubic_congestion_control_strategy_supplier",
    ),
];

/// Agrona idle strategy classes and the C driver's names for them (any `*.idle.strategy` property).
const IDLE_STRATEGIES: &[(&str, &str)] = &[
    ("org.agrona.concurrent.NoOpIdleStrategy", "noop"),
    ("org.agrona.concurrent.BusySpinIdleStrategy", "spin"),
    ("org.agrona.concurrent.YieldingIdleStrategy", "yield"),
    ("org.agrona.concurrent.SleepingIdleStrategy", "sleep-ns"),
    ("org.agrona.concurrent.BackoffIdleStrategy", "backoff"),
];

/// The value to give the C media driver for driver property `name`: `value` itself unless it is a Java
/// class name, which is translated, or refused if the C driver has no equivalent.
pub fn translate(name: &str, value: &str) -> Result<String, ConfigError> {
    if !is_class_name(value) {
        return Ok(value.to_owned());
    }
    let known = TRANSLATIONS
        .iter()
        .find(|(prop, class, _)| *prop == name && *class == value)
        .map(|(_, _, c)| *c)
        .or_else(|| {
            name.ends_with(".idle.strategy")
                .then(|| {
                    IDLE_STRATEGIES
                        .iter()
                        .find(|(class, _)| *class == value)
                        .map(|(_, c)| *c)
                })
                .flatten()
        });
    match known {
        Some(c) => {
            log::debug!("{name}={value}: the C media driver's {c}");
            Ok(c.to_owned())
        }
        None => Err(ConfigError::InvalidValue {
            name: name.to_owned(),
            value: value.to_owned(),
            why:
                "a Java class the C media driver has no equivalent of (it cannot load Java classes)"
                    .into(),
        }),
    }
}

/// `true` for a fully qualified Java class name: dotted Java identifiers, the package parts first and at
/// least one part starting with an upper-case letter (`io.aeron.driver.DefaultAllowTerminationValidator`);
/// host names, numbers, sizes and channel URIs are not.
fn is_class_name(value: &str) -> bool {
    let parts: Vec<&str> = value.split('.').collect();
    parts.len() >= 2
        && parts.iter().all(|p| {
            let mut chars = p.chars();
            chars
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
                && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
        })
        && parts[0].starts_with(|c: char| c.is_ascii_lowercase())
        && parts
            .iter()
            .any(|p| p.starts_with(|c: char| c.is_ascii_uppercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java_classes_become_c_driver_names() {
        let t = |n, v| translate(n, v).unwrap();
        assert_eq!(
            t(
                "aeron.driver.termination.validator",
                "io.aeron.driver.DefaultAllowTerminationValidator"
            ),
            "allow"
        );
        assert_eq!(
            t(
                "aeron.driver.termination.validator",
                "io.aeron.driver.DefaultDenyTerminationValidator"
            ),
            "deny"
        );
        assert_eq!(
            t(
                "aeron.shared.idle.strategy",
                "org.agrona.concurrent.YieldingIdleStrategy"
            ),
            "yield"
        );
        assert_eq!(
            t(
                "aeron.sender.idle.strategy",
                "org.agrona.concurrent.BusySpinIdleStrategy"
            ),
            "spin"
        );
        assert_eq!(
            t(
                "aeron.MulticastFlowControl.supplier",
                "io.aeron.driver.MinMulticastFlowControlSupplier"
            ),
            "aeron_min_flow_control_strategy_supplier"
        );
        assert_eq!(
            t(
                "aeron.CongestionControl.supplier",
                "io.aeron.driver.ext.CubicCongestionControlSupplier"
            ),
            "aeron_cubic_congestion_control_strategy_supplier"
        );
    }

    #[test]
    fn plain_values_pass_unchanged() {
        for v in [
            "yield",
            "allow",
            "64k",
            "true",
            "SHARED",
            "localhost",
            "127.0.0.1",
            "my.host.example",
            "10ms",
        ] {
            assert_eq!(translate("aeron.any.property", v).unwrap(), v);
        }
        assert_eq!(
            translate("aeron.dir", "/dev/shm/Aeron.Dir").unwrap(),
            "/dev/shm/Aeron.Dir"
        );
    }

    #[test]
    fn unknown_classes_are_refused_naming_the_property() {
        let e =
            translate("aeron.driver.termination.validator", "com.acme.MyValidator").unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.contains("aeron.driver.termination.validator")
                && msg.contains("com.acme.MyValidator"),
            "{msg}"
        );
        // A class valid for one property is not taken for another.
        assert!(translate(
            "aeron.UnicastFlowControl.supplier",
            "io.aeron.driver.DefaultAllowTerminationValidator"
        )
        .is_err());
        assert!(translate(
            "aeron.SendChannelEndpoint.supplier",
            "io.aeron.driver.ext.DebugSendChannelEndpointSupplier"
        )
        .is_err());
    }
}
