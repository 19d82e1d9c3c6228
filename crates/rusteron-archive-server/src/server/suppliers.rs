//! `aeron.archive.authenticator.supplier` and `aeron.archive.authorisation.service.supplier`: the Java
//! archive names a class to load; this archive knows the names of Aeron's own suppliers and maps each to
//! its Rust counterpart. Any other name is refused (a typo must not open the archive to everyone).

use super::{
    AcceptAllAuthenticator, AllowAllAuthoriser, Authenticator, Authoriser, DenyAllAuthoriser,
    SampleAuthenticator,
};
use crate::config::ConfigError;

/// Property naming the authenticator supplier.
pub const AUTHENTICATOR_SUPPLIER_PROP: &str = "aeron.archive.authenticator.supplier";
/// Property naming the authorisation service supplier.
pub const AUTHORISATION_SERVICE_SUPPLIER_PROP: &str =
    "aeron.archive.authorisation.service.supplier";

/// Java's default authenticator supplier (accepts every session): [`AcceptAllAuthenticator`].
pub const DEFAULT_AUTHENTICATOR_SUPPLIER: &str = "io.aeron.security.DefaultAuthenticatorSupplier";
/// The sample supplier Aeron's own C and C++ archive client tests start the archive with:
/// [`SampleAuthenticator`].
pub const SAMPLE_AUTHENTICATOR_SUPPLIER: &str =
    "io.aeron.samples.archive.SampleAuthenticatorSupplier";
/// Java's name for the allow-all authorisation service (also the default): [`AllowAllAuthoriser`].
pub const ALLOW_ALL_AUTHORISATION: &str = "ALLOW_ALL";
/// Java's name for the deny-all authorisation service: [`DenyAllAuthoriser`].
pub const DENY_ALL_AUTHORISATION: &str = "DENY_ALL";

/// The authenticator for an `aeron.archive.authenticator.supplier` value (`None` or empty: the default).
pub fn authenticator_for(name: Option<&str>) -> Result<Box<dyn Authenticator>, ConfigError> {
    match name.map(str::trim).unwrap_or("") {
        "" | DEFAULT_AUTHENTICATOR_SUPPLIER => Ok(Box::new(AcceptAllAuthenticator)),
        SAMPLE_AUTHENTICATOR_SUPPLIER => Ok(Box::new(SampleAuthenticator)),
        other => Err(unsupported(
            AUTHENTICATOR_SUPPLIER_PROP,
            other,
            &[
                DEFAULT_AUTHENTICATOR_SUPPLIER,
                SAMPLE_AUTHENTICATOR_SUPPLIER,
            ],
        )),
    }
}

/// The authoriser for an `aeron.archive.authorisation.service.supplier` value (`None` or empty: allow all,
/// Java's default).
pub fn authoriser_for(name: Option<&str>) -> Result<Box<dyn Authoriser>, ConfigError> {
    match name.map(str::trim).unwrap_or("") {
        "" | ALLOW_ALL_AUTHORISATION => Ok(Box::new(AllowAllAuthoriser)),
        DENY_ALL_AUTHORISATION => Ok(Box::new(DenyAllAuthoriser)),
        other => Err(unsupported(
            AUTHORISATION_SERVICE_SUPPLIER_PROP,
            other,
            &[ALLOW_ALL_AUTHORISATION, DENY_ALL_AUTHORISATION],
        )),
    }
}

fn unsupported(property: &str, value: &str, known: &[&str]) -> ConfigError {
    ConfigError::Invalid(format!(
        "{property}={value}: a Java class this archive cannot load; supported values: {} (in Rust, pass an \
         implementation to ArchiveServer::launch_with)",
        known.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::AuthDecision;

    #[test]
    fn aerons_own_suppliers_map_to_their_rust_counterparts() {
        let mut default = authenticator_for(None).unwrap();
        assert_eq!(default.on_connect(1, b"", 0), AuthDecision::Accept);
        let mut named = authenticator_for(Some(DEFAULT_AUTHENTICATOR_SUPPLIER)).unwrap();
        assert_eq!(named.on_connect(1, b"anyone", 0), AuthDecision::Accept);
        let mut sample = authenticator_for(Some(SAMPLE_AUTHENTICATOR_SUPPLIER)).unwrap();
        assert_eq!(
            sample.on_connect(1, b"admin:admin", 0),
            AuthDecision::Accept
        );
        assert_eq!(sample.on_connect(1, b"", 0), AuthDecision::Reject);
        assert!(authoriser_for(None).unwrap().is_authorised(101, 2, b""));
        assert!(authoriser_for(Some("ALLOW_ALL"))
            .unwrap()
            .is_authorised(101, 2, b""));
        assert!(!authoriser_for(Some("DENY_ALL"))
            .unwrap()
            .is_authorised(101, 2, b""));
    }

    #[test]
    fn unknown_class_names_are_refused_with_the_supported_ones_named() {
        let e = authenticator_for(Some("com.acme.LdapAuthenticatorSupplier"))
            .err()
            .unwrap()
            .to_string();
        assert!(
            e.contains("aeron.archive.authenticator.supplier=com.acme.LdapAuthenticatorSupplier"),
            "{e}"
        );
        assert!(e.contains(SAMPLE_AUTHENTICATOR_SUPPLIER), "{e}");
        let e = authoriser_for(Some("com.acme.Rbac"))
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("DENY_ALL"), "{e}");
    }
}
