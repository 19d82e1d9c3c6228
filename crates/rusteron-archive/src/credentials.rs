//! Credentials suppliers for authenticated archive connections.

use std::ffi::c_void;

use rusteron_client::bindings::*;

/// Supplies encoded credentials when connecting to an archive that authenticates its clients.
///
/// Owned by the [`AeronArchiveContext`](crate::AeronArchiveContext) it is set on; called on the thread
/// that polls the connect (hence `Send`). Returning `None` sends no credentials.
pub trait AeronArchiveCredentialsSupplier: Send + 'static {
    /// The credentials sent with the connect request.
    fn encoded_credentials(&mut self) -> Option<Vec<u8>>;

    /// The credentials answering an encoded challenge of the archive. The default sends none.
    fn on_challenge(&mut self, encoded_challenge: &[u8]) -> Option<Vec<u8>> {
        let _ = encoded_challenge;
        None
    }
}

/// A supplier that always sends the same credentials and answers challenges with a fixed response.
#[derive(Debug, Clone, Default)]
pub struct AeronArchiveStaticCredentials {
    /// Sent with the connect request.
    pub credentials: Vec<u8>,
    /// Sent in answer to any challenge (`None`: do not answer).
    pub challenge_response: Option<Vec<u8>>,
}

impl AeronArchiveCredentialsSupplier for AeronArchiveStaticCredentials {
    fn encoded_credentials(&mut self) -> Option<Vec<u8>> {
        Some(self.credentials.clone())
    }

    fn on_challenge(&mut self, _encoded_challenge: &[u8]) -> Option<Vec<u8>> {
        self.challenge_response.clone()
    }
}

/// Credentials handed to C: the C struct first, so a pointer to it is a pointer to the whole value.
#[repr(C)]
struct OwnedCredentials {
    raw: aeron_archive_encoded_credentials_t,
    _data: Vec<u8>,
}

/// Boxes `data` for C; freed by [`on_free_trampoline`].
fn into_c(data: Option<Vec<u8>>) -> *mut aeron_archive_encoded_credentials_t {
    let Some(data) = data else {
        return std::ptr::null_mut();
    };
    let raw = aeron_archive_encoded_credentials_t {
        data: data.as_ptr() as *const std::ffi::c_char,
        length: data.len() as u32,
    };
    Box::into_raw(Box::new(OwnedCredentials { raw, _data: data }))
        as *mut aeron_archive_encoded_credentials_t
}

/// The boxed supplier kept by the context.
pub(crate) struct CredentialsBox(crate::handler_box::HandlerBox);

impl CredentialsBox {
    pub(crate) fn new<S: AeronArchiveCredentialsSupplier>(supplier: S) -> Self {
        CredentialsBox(crate::handler_box::HandlerBox::new(supplier))
    }

    pub(crate) fn clientd(&self) -> *mut c_void {
        self.0.clientd()
    }
}

/// `aeron_archive_credentials_encoded_credentials_supplier_func_t` for suppliers of type `S`.
///
/// # Safety
/// `clientd` must be the live `S` of a [`CredentialsBox`], used by nothing else during the call.
pub(crate) unsafe extern "C" fn encoded_credentials_trampoline<
    S: AeronArchiveCredentialsSupplier,
>(
    clientd: *mut c_void,
) -> *mut aeron_archive_encoded_credentials_t {
    crate::panic::catch(std::ptr::null_mut(), || {
        // SAFETY: guaranteed by the caller.
        let supplier = unsafe { &mut *(clientd as *mut S) };
        into_c(supplier.encoded_credentials())
    })
}

/// `aeron_archive_credentials_challenge_supplier_func_t` for suppliers of type `S`.
///
/// # Safety
/// As [`encoded_credentials_trampoline`]; `challenge` is NULL or valid for the call.
pub(crate) unsafe extern "C" fn on_challenge_trampoline<S: AeronArchiveCredentialsSupplier>(
    challenge: *mut aeron_archive_encoded_credentials_t,
    clientd: *mut c_void,
) -> *mut aeron_archive_encoded_credentials_t {
    crate::panic::catch(std::ptr::null_mut(), || {
        // SAFETY: guaranteed by the caller.
        let supplier = unsafe { &mut *(clientd as *mut S) };
        let bytes = if challenge.is_null() {
            &[][..]
        } else {
            // SAFETY: C passes the challenge it decoded, `length` bytes at `data`, valid for this call.
            unsafe {
                crate::util::bytes((*challenge).data as *const u8, (*challenge).length as usize)
            }
        };
        into_c(supplier.on_challenge(bytes))
    })
}

/// `aeron_archive_credentials_free_func_t`: frees credentials made by [`into_c`].
///
/// # Safety
/// `credentials` must be NULL or a pointer returned by one of the trampolines above, freed once.
pub(crate) unsafe extern "C" fn on_free_trampoline(
    credentials: *mut aeron_archive_encoded_credentials_t,
    _clientd: *mut c_void,
) {
    if !credentials.is_null() {
        // SAFETY: guaranteed by the caller: the pointer came from `into_c`'s Box::into_raw.
        drop(unsafe { Box::from_raw(credentials as *mut OwnedCredentials) });
    }
}
