//! Handlers added to a running client and removed again by dropping their registration:
//! [`Aeron::add_available_counter_handler`], [`Aeron::add_unavailable_counter_handler`] and
//! [`Aeron::add_close_handler`] (`aeron_add_*_handler` / `aeron_remove_*_handler`).
//!
//! Ownership: the handler is parked in the client's graveyard, so it lives at least as long as C can call
//! it. Dropping the [`AeronHandlerRegistration`] removes it from the client conductor (the C call waits
//! until the conductor has processed the removal, after which C never calls it again) and frees it. If the
//! client has closed first, the handler was freed when the client closed. If a removal fails (the
//! conductor did not answer in time) the handler stays parked and is freed when the client closes.

use std::ffi::c_void;
use std::sync::{Arc, Weak};

use aeron_sys::*;

use crate::aeron::AeronInner;
use crate::handler_box::HandlerBox;
use crate::{
    aeron_on_available_counter_trampoline, aeron_on_close_client_trampoline,
    aeron_on_unavailable_counter_trampoline, Aeron, AeronAvailableCounterCallback, AeronCError,
    AeronCloseClientCallback, AeronUnavailableCounterCallback,
};

/// Which C list the handler is in, with the function pointer C compares on removal.
#[derive(Clone, Copy)]
enum Registered {
    AvailableCounter(aeron_on_available_counter_t),
    UnavailableCounter(aeron_on_unavailable_counter_t),
    Close(aeron_on_close_client_t),
}

/// A handler registered with a running client; dropping it removes and frees the handler.
///
/// Holds no strong reference to the client: a registration does not keep the client open, and dropping it
/// after the client has closed is a no-op.
#[must_use = "dropping the registration removes the handler at once"]
pub struct AeronHandlerRegistration {
    client: Weak<AeronInner>,
    /// The handler's `clientd`, which is also its key in the client's graveyard.
    clientd: usize,
    registered: Registered,
}

impl std::fmt::Debug for AeronHandlerRegistration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self.registered {
            Registered::AvailableCounter(_) => "available_counter",
            Registered::UnavailableCounter(_) => "unavailable_counter",
            Registered::Close(_) => "close",
        };
        f.debug_struct("AeronHandlerRegistration")
            .field("kind", &kind)
            .finish()
    }
}

impl Aeron {
    /// Adds a handler called on the client conductor thread whenever a counter becomes available
    /// (`aeron_add_available_counter_handler`), in addition to the context's handler. The client must be
    /// started. Dropping the returned registration removes the handler.
    pub fn add_available_counter_handler<T: AeronAvailableCounterCallback + Send + 'static>(
        &self,
        handler: T,
    ) -> Result<AeronHandlerRegistration, AeronCError> {
        let f: aeron_on_available_counter_t = Some(aeron_on_available_counter_trampoline::<T>);
        self.register(
            HandlerBox::new(handler),
            Registered::AvailableCounter(f),
            |client, clientd| {
                let mut pair = aeron_on_available_counter_pair_t {
                    handler: f,
                    clientd,
                };
                // SAFETY: live, started client; the pair is copied by C; clientd is the boxed `T` the
                // trampoline expects, parked until removal or client close.
                unsafe { aeron_add_available_counter_handler(client, &mut pair) }
            },
        )
    }

    /// Adds a handler called on the client conductor thread whenever a counter becomes unavailable
    /// (`aeron_add_unavailable_counter_handler`). Dropping the returned registration removes it.
    pub fn add_unavailable_counter_handler<T: AeronUnavailableCounterCallback + Send + 'static>(
        &self,
        handler: T,
    ) -> Result<AeronHandlerRegistration, AeronCError> {
        let f: aeron_on_unavailable_counter_t = Some(aeron_on_unavailable_counter_trampoline::<T>);
        self.register(
            HandlerBox::new(handler),
            Registered::UnavailableCounter(f),
            |client, clientd| {
                let mut pair = aeron_on_unavailable_counter_pair_t {
                    handler: f,
                    clientd,
                };
                // SAFETY: as in add_available_counter_handler.
                unsafe { aeron_add_unavailable_counter_handler(client, &mut pair) }
            },
        )
    }

    /// Adds a handler called once when the client closes (`aeron_add_close_handler`). The handler runs
    /// only if the registration is still alive when the last reference to the client is dropped.
    pub fn add_close_handler<T: AeronCloseClientCallback + Send + 'static>(
        &self,
        handler: T,
    ) -> Result<AeronHandlerRegistration, AeronCError> {
        let f: aeron_on_close_client_t = Some(aeron_on_close_client_trampoline::<T>);
        self.register(
            HandlerBox::new(handler),
            Registered::Close(f),
            |client, clientd| {
                let mut pair = aeron_on_close_client_pair_t {
                    handler: f,
                    clientd,
                };
                // SAFETY: as in add_available_counter_handler.
                unsafe { aeron_add_close_handler(client, &mut pair) }
            },
        )
    }

    fn register(
        &self,
        handler: HandlerBox,
        registered: Registered,
        add: impl FnOnce(*mut aeron_t, *mut c_void) -> i32,
    ) -> Result<AeronHandlerRegistration, AeronCError> {
        if !self.is_started() {
            return Err(AeronCError::illegal_state(
                "the client must be started before adding handlers",
            ));
        }
        let clientd = handler.clientd();
        // Parked before C sees it: even a failed add may have reached the conductor's queue, so the handler
        // is only freed by a confirmed removal or by the client's close.
        self.inner.graveyard.park(handler);
        AeronCError::check(add(self.ptr(), clientd))?;
        Ok(AeronHandlerRegistration {
            client: Arc::downgrade(&self.inner),
            clientd: clientd as usize,
            registered,
        })
    }
}

impl Drop for AeronHandlerRegistration {
    fn drop(&mut self) {
        let Some(inner) = self.client.upgrade() else {
            return; // the client closed and freed the handler
        };
        let client = Aeron { inner };
        let (clientd, registered) = (self.clientd, self.registered);
        if crate::panic::in_callback() {
            // Possibly on the conductor thread, which the removal waits for: remove from a helper thread.
            std::thread::spawn(move || remove(client, clientd, registered));
        } else {
            remove(client, clientd, registered);
        }
    }
}

/// Removes a handler from the client conductor and frees it (see the module docs).
fn remove(client: Aeron, clientd: usize, registered: Registered) {
    let clientd = clientd as *mut c_void;
    // SAFETY (all three): live client; the pair names exactly what was added. The C call returns once
    // the conductor has removed the handler, so afterwards C never calls it again.
    let rc = match registered {
        Registered::AvailableCounter(handler) => unsafe {
            aeron_remove_available_counter_handler(
                client.ptr(),
                &mut aeron_on_available_counter_pair_t { handler, clientd },
            )
        },
        Registered::UnavailableCounter(handler) => unsafe {
            aeron_remove_unavailable_counter_handler(
                client.ptr(),
                &mut aeron_on_unavailable_counter_pair_t { handler, clientd },
            )
        },
        Registered::Close(handler) => unsafe {
            aeron_remove_close_handler(
                client.ptr(),
                &mut aeron_on_close_client_pair_t { handler, clientd },
            )
        },
    };
    if rc >= 0 {
        client.inner.graveyard.release(clientd);
    } else {
        log::warn!(
            "removing a client handler failed ({}); it is freed when the client closes",
            AeronCError::last()
        );
    }
}
