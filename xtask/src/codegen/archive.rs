//! Generator of the mechanical part of `rusteron-archive` (`crates/rusteron-archive/src/generated/`), read
//! with `syn` from the bindgen output of `aeron_archive.h` (and, for the three client callback typedefs the
//! archive client takes, of `aeronc.h`):
//!
//! - `handlers.rs`: per archive callback typedef with a `clientd`, a handler trait, a closure adapter, a
//!   logger, a blanket impl for `&mut T` and a panic-catching trampoline monomorphised per handler type;
//!   crate-private trampolines for the client's error and fragment handler traits (so that their panics
//!   follow this crate's rules); the `AeronArchiveHandlers` trait with the `Handlers::no_*` helpers;
//! - `context.rs`: getters and setters of `AeronArchiveContext` and
//!   `AeronArchivePersistentSubscriptionContext` (plain values, strings, handlers);
//! - `commands.rs`: methods of `AeronArchive`, `AeronArchiveReplayMerge` and
//!   `AeronArchivePersistentSubscription` for every C function whose arguments are plain values or strings
//!   and whose result is a return code, an out-parameter or a plain value;
//! - `constants.rs`: re-exports of the archive constants and Rust names for its enums.
//!
//! It also checks coverage: every public `aeron_archive_*` function of `aeron_archive.h` must be called from
//! the crate (generated or hand-written code, comments excluded) or be listed with a reason in
//! `archive_unwrapped.txt`.

use anyhow::{bail, Context, Result};
use quote::ToTokens;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::{rust_header, GeneratedFile};

/// Folder (relative to the workspace root) owned by this generator.
pub const OUT_DIR: &str = "crates/rusteron-archive/src/generated";
/// Hand-written sources of the crate (scanned for coverage and for methods that win over generated ones).
const SRC_DIR: &str = "crates/rusteron-archive/src";
/// The bindgen output of `aeron_archive.h`.
const BINDINGS: &str = "aeron-sys/src/generated/archive.rs";
/// The bindgen output of `aeronc.h` (for the client callback typedefs the archive client takes).
const CLIENT_BINDINGS: &str = "aeron-sys/src/generated/client.rs";
/// Reviewed list of C functions deliberately not wrapped: `name: reason` per line.
const UNWRAPPED: &str = include_str!("archive_unwrapped.txt");

/// Client callback typedefs used by archive functions: typedef -> (client trait, method).
const CLIENT_CALLBACKS: &[(&str, &str, &str)] = &[
    (
        "aeron_error_handler_t",
        "AeronErrorHandlerCallback",
        "handle_aeron_error_handler",
    ),
    (
        "aeron_fragment_handler_t",
        "AeronFragmentHandlerCallback",
        "handle_aeron_fragment_handler",
    ),
    (
        "aeron_controlled_fragment_handler_t",
        "AeronControlledFragmentHandlerCallback",
        "handle_aeron_controlled_fragment_handler",
    ),
];

/// Context types: raw type, function prefix, wrapper type.
const CONTEXTS: &[(&str, &str, &str)] = &[
    (
        "aeron_archive_context_t",
        "aeron_archive_context_",
        "AeronArchiveContext",
    ),
    (
        "aeron_archive_persistent_subscription_context_t",
        "aeron_archive_persistent_subscription_context_",
        "AeronArchivePersistentSubscriptionContext",
    ),
];

/// Context setters not generated: the safe API never lets C own (and close) the Rust `Aeron` client.
const CONTEXT_SETTERS_SKIPPED: &[&str] = &["aeron_archive_context_set_owns_aeron_client"];

/// Handle types for generated methods: raw type, function prefix, wrapper type.
const HANDLES: &[(&str, &str, &str)] = &[
    ("aeron_archive_t", "aeron_archive_", "AeronArchive"),
    (
        "aeron_archive_replay_merge_t",
        "aeron_archive_replay_merge_",
        "AeronArchiveReplayMerge",
    ),
    (
        "aeron_archive_persistent_subscription_t",
        "aeron_archive_persistent_subscription_",
        "AeronArchivePersistentSubscription",
    ),
];

/// Handle types borrowed with a lifetime parameter.
const LIFETIME_TYPES: &[&str] = &["AeronArchiveReplayMerge"];

/// Functions on handles that change ownership or lifetime; they are wrapped by hand (or not at all).
const NOT_COMMANDS: &[&str] = &[
    "aeron_archive_close",
    "aeron_archive_replay_merge_close",
    "aeron_archive_persistent_subscription_close",
];

const SCALARS: &[&str] = &[
    "i8", "u8", "i16", "u16", "i32", "u32", "i64", "u64", "usize", "bool", "c_int", "c_long",
];

/// Enum parameter types passed by value, with their Rust alias.
const ENUM_PARAMS: &[(&str, &str)] = &[(
    "aeron_archive_source_location_t",
    "AeronArchiveSourceLocation",
)];

#[derive(Debug, Clone)]
struct Param {
    name: String,
    ty: String,
}

#[derive(Debug, Clone)]
struct CFn {
    name: String,
    params: Vec<Param>,
    ret: String,
    doc: String,
}

#[derive(Debug, Clone)]
struct Callback {
    typedef: String,
    params: Vec<Param>,
    ret: String,
    doc: String,
}

#[derive(Default)]
struct Parsed {
    functions: Vec<CFn>,
    callbacks: Vec<Callback>,
    consts: Vec<String>,
    enums: Vec<String>,
}

/// Normalised type text: `*mut aeron_archive_t`, `*const c_char`, `i64`, `()`.
fn ty_text(ty: &syn::Type) -> String {
    let s = ty.to_token_stream().to_string();
    let s = s
        .replace(":: std :: os :: raw :: ", "")
        .replace(":: std :: ffi :: ", "");
    let s: String = s.split_whitespace().collect::<Vec<_>>().join("");
    s.replace("*mut", "*mut ").replace("*const", "*const ")
}

fn ret_text(ret: &syn::ReturnType) -> String {
    match ret {
        syn::ReturnType::Default => "()".into(),
        syn::ReturnType::Type(_, t) => ty_text(t),
    }
}

fn doc_of(attrs: &[syn::Attribute]) -> String {
    let mut out = Vec::new();
    for a in attrs {
        if let syn::Meta::NameValue(nv) = &a.meta {
            if nv.path.is_ident("doc") {
                if let syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) = &nv.value
                {
                    out.push(s.value());
                }
            }
        }
    }
    out.join("\n")
}

fn param_name(n: Option<String>, i: usize) -> String {
    n.map(|n| n.trim_end_matches('_').to_string())
        .unwrap_or_else(|| format!("arg{}", i + 1))
}

fn parse(text: &str) -> Result<Parsed> {
    let file = syn::parse_file(text).context("parsing bindgen output")?;
    let mut p = Parsed::default();
    for item in &file.items {
        match item {
            syn::Item::ForeignMod(m) => {
                for fi in &m.items {
                    let syn::ForeignItem::Fn(f) = fi else {
                        continue;
                    };
                    let params = f
                        .sig
                        .inputs
                        .iter()
                        .enumerate()
                        .filter_map(|(i, a)| match a {
                            syn::FnArg::Typed(pt) => {
                                let name = match &*pt.pat {
                                    syn::Pat::Ident(id) => Some(id.ident.to_string()),
                                    _ => None,
                                };
                                Some(Param {
                                    name: param_name(name, i),
                                    ty: ty_text(&pt.ty),
                                })
                            }
                            _ => None,
                        })
                        .collect();
                    p.functions.push(CFn {
                        name: f.sig.ident.to_string(),
                        params,
                        ret: ret_text(&f.sig.output),
                        doc: doc_of(&f.attrs),
                    });
                }
            }
            syn::Item::Type(t) => {
                let syn::Type::Path(tp) = &*t.ty else {
                    continue;
                };
                let Some(last) = tp.path.segments.last() else {
                    continue;
                };
                if last.ident != "Option" {
                    continue;
                }
                let syn::PathArguments::AngleBracketed(ab) = &last.arguments else {
                    continue;
                };
                let Some(syn::GenericArgument::Type(syn::Type::BareFn(bf))) = ab.args.first()
                else {
                    continue;
                };
                let params = bf
                    .inputs
                    .iter()
                    .enumerate()
                    .map(|(i, a)| Param {
                        name: param_name(a.name.as_ref().map(|(id, _)| id.to_string()), i),
                        ty: ty_text(&a.ty),
                    })
                    .collect();
                p.callbacks.push(Callback {
                    typedef: t.ident.to_string(),
                    params,
                    ret: ret_text(&bf.output),
                    doc: doc_of(&t.attrs),
                });
            }
            syn::Item::Const(c) => {
                let name = c.ident.to_string();
                if name.starts_with("AERON_ARCHIVE_")
                    || name.starts_with("ARCHIVE_")
                    || name.starts_with("REPLAY_MERGE_")
                    || name == "AERON_NULL_POSITION"
                {
                    p.consts.push(name);
                }
            }
            syn::Item::Use(u) => {
                let s = u.tree.to_token_stream().to_string().replace(' ', "");
                if let Some((_, alias)) = s.strip_prefix("self::").and_then(|r| r.split_once("as"))
                {
                    p.enums.push(alias.to_string());
                }
            }
            _ => {}
        }
    }
    Ok(p)
}

fn camel(snake: &str) -> String {
    snake
        .split('_')
        .filter(|s| !s.is_empty())
        .map(|s| {
            let mut c = s.chars();
            match c.next() {
                Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

/// `aeron_archive_recording_signal_consumer_func` -> `no_recording_signal_consumer_func_handler`.
fn no_helper(base: &str) -> String {
    let s = base
        .trim_start_matches("aeron_archive_")
        .trim_start_matches("aeron_");
    format!("no_{s}_handler")
}

fn doc_lines(doc: &str, indent: &str) -> String {
    let mut s = String::new();
    for line in doc.lines() {
        let line = line.strip_prefix(' ').unwrap_or(line);
        let line = line
            .replace("<p>", "")
            .replace("</p>", "")
            .replace("<code>", "`")
            .replace("</code>", "`");
        let line = if let Some(rest) = line.strip_prefix("@param ") {
            format!("- `{}`", rest.replacen(' ', "`: ", 1))
        } else if let Some(rest) = line.strip_prefix("@return ") {
            let _ = writeln!(s, "{indent}///");
            format!("C returns {rest}")
        } else if let Some(rest) = line.strip_prefix("@see ") {
            format!("See `{rest}`.")
        } else {
            line
        };
        if line.trim().is_empty() {
            let _ = writeln!(s, "{indent}///");
        } else {
            let _ = writeln!(
                s,
                "{indent}/// {}",
                line.trim_end().replace('[', "\\[").replace(']', "\\]")
            );
        }
    }
    s
}

fn c_ty_rust(ty: &str) -> String {
    match ty {
        "c_int" | "c_void" | "c_char" | "c_long" | "c_uint" => format!("std::ffi::{ty}"),
        t if t.starts_with("*mut ") => format!("*mut {}", c_ty_rust(&t[5..])),
        t if t.starts_with("*const ") => format!("*const {}", c_ty_rust(&t[7..])),
        t => t.to_string(),
    }
}

// ------------------------------------------------------------------------------------------------------
// Handlers
// ------------------------------------------------------------------------------------------------------

/// A Rust parameter of a handler method and how the trampoline makes it from the C arguments.
struct RustArg {
    name: String,
    ty: String,
    /// Conversion from the C argument(s), or None when passed as is.
    conv: Option<String>,
    /// Passed to the handler by reference (`&value`).
    by_ref: bool,
}

struct Handler {
    typedef: String,
    base: String,
    stem: String,
    doc: String,
    c_params: Vec<Param>,
    c_ret: String,
    clientd: String,
    args: Vec<RustArg>,
    ret: String,
    panic_default: String,
    logger_default: String,
}

/// Plain-value structs passed to archive callbacks, with the owned Rust type the handler sees.
const VALUE_STRUCTS: &[(&str, &str)] = &[
    (
        "*mut aeron_archive_recording_descriptor_t",
        "AeronArchiveRecordingDescriptor",
    ),
    (
        "*mut aeron_archive_recording_subscription_descriptor_t",
        "AeronArchiveRecordingSubscriptionDescriptor",
    ),
    (
        "*mut aeron_archive_recording_signal_t",
        "AeronArchiveRecordingSignal",
    ),
];

fn classify(cb: &Callback) -> Option<Handler> {
    let clientd = cb
        .params
        .iter()
        .find(|p| p.ty == "*mut c_void" && (p.name == "clientd" || p.name == "state"))?
        .name
        .clone();
    let mut args = Vec::new();
    let ps = &cb.params;
    let mut i = 0;
    while i < ps.len() {
        let p = &ps[i];
        let next = ps.get(i + 1);
        match p.ty.as_str() {
            "*mut c_void" if p.name == clientd => {}
            "*const u8" if next.is_some_and(|n| n.ty == "usize") => {
                let n = next.unwrap();
                // Log data handed to fragment handlers: the length comes from a frame header in shared
                // memory, so the slice is bounded by the term as in the client (docs/safety.md).
                let conv = match ps.get(i + 2).filter(|h| h.ty == "*mut aeron_header_t") {
                    Some(h) => format!(
                        "rusteron_client::__private::fragment_bytes({}, {}, {})",
                        p.name, n.name, h.name
                    ),
                    None => format!("crate::util::bytes({}, {})", p.name, n.name),
                };
                args.push(RustArg {
                    name: p.name.clone(),
                    ty: "&[u8]".into(),
                    conv: Some(conv),
                    by_ref: false,
                });
                i += 1;
            }
            "*const c_char" => args.push(RustArg {
                name: p.name.clone(),
                ty: "&str".into(),
                conv: Some(format!("crate::util::borrowed_str({})", p.name)),
                by_ref: false,
            }),
            "*mut aeron_header_t" => args.push(RustArg {
                name: p.name.clone(),
                ty: "AeronHeader<'_>".into(),
                conv: Some(format!("AeronHeader::from_raw({})", p.name)),
                by_ref: false,
            }),
            t if VALUE_STRUCTS.iter().any(|(c, _)| *c == t) => {
                let rust = VALUE_STRUCTS.iter().find(|(c, _)| *c == t).unwrap().1;
                args.push(RustArg {
                    name: p.name.clone(),
                    ty: format!("&{rust}"),
                    conv: Some(format!("{rust}::from_raw({})", p.name)),
                    by_ref: true,
                });
            }
            t if SCALARS.contains(&t) => args.push(RustArg {
                name: p.name.clone(),
                ty: if t == "c_int" {
                    "i32".into()
                } else {
                    t.to_string()
                },
                conv: None,
                by_ref: false,
            }),
            _ => return None,
        }
        i += 1;
    }
    let (ret, panic_default, logger_default) = match cb.ret.as_str() {
        "()" => ("()".to_string(), "()".to_string(), "()".to_string()),
        "aeron_controlled_fragment_handler_action_t" => (
            "AeronControlledFragmentHandlerAction".into(),
            "AeronControlledFragmentHandlerAction::AERON_ACTION_ABORT".into(),
            "AeronControlledFragmentHandlerAction::AERON_ACTION_CONTINUE".into(),
        ),
        _ => return None,
    };
    let base = cb.typedef.trim_end_matches("_t").to_string();
    Some(Handler {
        typedef: cb.typedef.clone(),
        stem: camel(&base),
        base,
        doc: cb.doc.clone(),
        c_params: cb.params.clone(),
        c_ret: cb.ret.clone(),
        clientd,
        args,
        ret,
        panic_default,
        logger_default,
    })
}

/// The `extern "C"` trampoline for `h`, dispatching to `trait_name::method`.
fn trampoline(s: &mut String, h: &Handler, name: &str, vis: &str, trait_name: &str, method: &str) {
    let c_params: String = h
        .c_params
        .iter()
        .map(|p| format!("    {}: {},\n", p.name, c_ty_rust(&p.ty)))
        .collect();
    let c_ret = if h.c_ret == "()" {
        String::new()
    } else {
        format!(" -> {}", h.c_ret)
    };
    let call_args: Vec<String> = h
        .args
        .iter()
        .map(|a| {
            if a.by_ref {
                format!("&{}", a.name)
            } else {
                a.name.clone()
            }
        })
        .collect();
    let _ = writeln!(
        s,
        "/// The `{}` entry point for handlers of type `T`.",
        h.typedef
    );
    let _ = writeln!(s, "///\n/// Catches panics of the handler (see the crate docs); C gets a neutral result instead.");
    let _ = writeln!(s, "///\n/// # Safety\n/// `{}` must point to a live `T` that nothing else uses during the call, and the other", h.clientd);
    let _ = writeln!(
        s,
        "/// arguments must be valid as documented for `{}`.",
        h.typedef
    );
    let _ = writeln!(s, "#[allow(unused_variables)]");
    let _ = writeln!(
        s,
        "{vis}unsafe extern \"C\" fn {name}<T: {trait_name}>(\n{c_params}){c_ret} {{"
    );
    let _ = writeln!(s, "    crate::panic::catch({}, || {{", h.panic_default);
    let _ = writeln!(s, "        // SAFETY: guaranteed by the caller (see # Safety): `{}` is a live, exclusively used `T`", h.clientd);
    let _ = writeln!(
        s,
        "        // and the pointers describe data valid for the duration of this callback."
    );
    let _ = writeln!(
        s,
        "        let handler = unsafe {{ &mut *({} as *mut T) }};",
        h.clientd
    );
    for a in &h.args {
        if let Some(conv) = &a.conv {
            let _ = writeln!(s, "        // SAFETY: as above; the value is made during this call and does not outlive it.");
            let _ = writeln!(s, "        let {} = unsafe {{ {conv} }};", a.name);
        }
    }
    let _ = writeln!(s, "        handler.{method}({})", call_args.join(", "));
    let _ = writeln!(s, "    }})\n}}\n");
}

fn gen_handlers(handlers: &[Handler], foreign: &[(Handler, &str, &str)]) -> String {
    let mut s = rust_header("aeron_archive.h (callback typedefs)");
    s.push_str(
        "\n//! Handler traits, closure adapters, loggers and `extern \"C\"` trampolines, one set per C callback\n\
         //! typedef of `aeron_archive.h` that carries a `clientd`, plus trampolines for the client handler\n\
         //! traits the archive client calls.\n\n\
         #![allow(clippy::unused_unit, dead_code)]\n\n\
         use rusteron_client::bindings::*;\n\
         use rusteron_client::{AeronControlledFragmentHandlerAction, AeronControlledFragmentHandlerCallback, AeronErrorHandlerCallback, AeronFragmentHandlerCallback, AeronHeader, Handlers};\n\n\
         use crate::{AeronArchiveRecordingDescriptor, AeronArchiveRecordingSignal, AeronArchiveRecordingSubscriptionDescriptor};\n",
    );
    for h in handlers {
        let trait_name = format!("{}Callback", h.stem);
        let closure = format!("{}Closure", h.stem);
        let logger = format!("{}Logger", h.stem);
        let method = format!("handle_{}", h.base);
        let sig_args: String = h
            .args
            .iter()
            .map(|a| format!(", {}: {}", a.name, a.ty))
            .collect();
        let fn_args = h
            .args
            .iter()
            .map(|a| a.ty.clone())
            .collect::<Vec<_>>()
            .join(", ");
        let call_args = h
            .args
            .iter()
            .map(|a| a.name.clone())
            .collect::<Vec<_>>()
            .join(", ");
        let ret_sig = if h.ret == "()" {
            String::new()
        } else {
            format!(" -> {}", h.ret)
        };

        let _ = writeln!(s, "\n// ---- {} ----\n", h.typedef);
        s.push_str(&doc_lines(&h.doc, ""));
        let _ = writeln!(
            s,
            "///\n/// Handler trait for the C callback `{}`.",
            h.typedef
        );
        let _ = writeln!(s, "pub trait {trait_name} {{");
        let _ = writeln!(s, "    /// Called for each `{}` callback.", h.typedef);
        let _ = writeln!(s, "    fn {method}(&mut self{sig_args}){ret_sig};\n}}\n");

        let _ = writeln!(
            s,
            "impl<T: {trait_name} + ?Sized> {trait_name} for &mut T {{"
        );
        let _ = writeln!(
            s,
            "    #[inline]\n    fn {method}(&mut self{sig_args}){ret_sig} {{"
        );
        let _ = writeln!(s, "        (**self).{method}({call_args})\n    }}\n}}\n");

        let _ = writeln!(s, "/// A [`{trait_name}`] that logs each call (through the `log` crate) and does nothing else.");
        let _ = writeln!(
            s,
            "#[derive(Debug, Default, Clone, Copy)]\npub struct {logger};\n"
        );
        let _ = writeln!(s, "impl {trait_name} for {logger} {{");
        let _ = writeln!(s, "    fn {method}(&mut self{sig_args}){ret_sig} {{");
        let fmt: String = h
            .args
            .iter()
            .map(|a| format!(" {}={{:?}}", a.name))
            .collect();
        let fmt_args: String = h.args.iter().map(|a| format!(", {}", a.name)).collect();
        let _ = writeln!(s, "        log::info!(\"{method}{fmt}\"{fmt_args});");
        let _ = writeln!(s, "        {}\n    }}\n}}\n", h.logger_default);

        let _ = writeln!(s, "/// Adapts a closure `FnMut({fn_args})` to [`{trait_name}`]; arguments are borrowed for the call.");
        let _ = writeln!(s, "pub struct {closure}<F> {{\n    closure: F,\n}}\n");
        let _ = writeln!(s, "impl<F: FnMut({fn_args}){ret_sig}> {closure}<F> {{");
        let _ = writeln!(s, "    /// Wraps `closure`.\n    pub fn new(closure: F) -> Self {{\n        {closure} {{ closure }}\n    }}\n");
        // An inherent `from` next to the `From` impl: `{closure}::from(|a, b| ...)` resolves to it, and its
        // bound gives the closure its argument types (through the trait alone the compiler cannot infer them
        // and reports "FnOnce is not general enough" for reference arguments).
        let _ = writeln!(
            s,
            "    /// Wraps `closure` (as [`new`](Self::new); its argument types are inferred from this type).\n    #[allow(clippy::should_implement_trait)]\n    pub fn from(closure: F) -> Self {{\n        {closure} {{ closure }}\n    }}\n}}\n"
        );
        let _ = writeln!(
            s,
            "impl<F: FnMut({fn_args}){ret_sig}> From<F> for {closure}<F> {{"
        );
        let _ = writeln!(
            s,
            "    fn from(closure: F) -> Self {{\n        {closure} {{ closure }}\n    }}\n}}\n"
        );
        let _ = writeln!(
            s,
            "impl<F: FnMut({fn_args}){ret_sig}> {trait_name} for {closure}<F> {{"
        );
        let _ = writeln!(
            s,
            "    #[inline]\n    fn {method}(&mut self{sig_args}){ret_sig} {{"
        );
        let _ = writeln!(s, "        (self.closure)({call_args})\n    }}\n}}\n");

        trampoline(
            &mut s,
            h,
            &format!("{}_trampoline", h.base),
            "pub(crate) ",
            &trait_name,
            &method,
        );
    }
    let _ = writeln!(
        s,
        "\n// ---- client handler traits called by the archive client ----\n"
    );
    for (h, trait_name, method) in foreign {
        trampoline(
            &mut s,
            h,
            &format!("archive_{}_trampoline", h.base),
            "pub(crate) ",
            trait_name,
            method,
        );
    }

    s.push_str("\n/// Typed `None`s for the optional archive handler arguments, callable on the client's `Handlers`\n");
    s.push_str("/// (e.g. `Handlers::no_recording_signal_consumer_func_handler()`) while this trait is in scope.\n");
    s.push_str("pub trait AeronArchiveHandlers {\n");
    for h in handlers {
        let _ = writeln!(s, "    /// No `{}` handler.", h.typedef);
        let _ = writeln!(
            s,
            "    fn {}() -> Option<{}Logger> {{\n        None\n    }}",
            no_helper(&h.base),
            h.stem
        );
    }
    s.push_str("}\n\nimpl AeronArchiveHandlers for Handlers {}\n");
    s
}

// ------------------------------------------------------------------------------------------------------
// Context accessors
// ------------------------------------------------------------------------------------------------------

fn gen_context(
    fns: &[CFn],
    handlers: &BTreeMap<String, &Handler>,
    hand: &BTreeSet<(String, String)>,
) -> String {
    let mut s = rust_header("aeron_archive.h (context accessors)");
    s.push_str(
        "\n//! Getters and setters of `AeronArchiveContext` and `AeronArchivePersistentSubscriptionContext`.\n\n\
         use rusteron_client::bindings::*;\nuse rusteron_client::AeronCError;\n\nuse crate::handler_box::HandlerBox;\nuse crate::*;\n",
    );
    for (raw, prefix, ty) in CONTEXTS {
        let mut methods = String::new();
        let setter_prefix = format!("{prefix}set_");
        let getter_prefix = format!("{prefix}get_");
        for f in fns {
            let Some(prop) = f.name.strip_prefix(&setter_prefix) else {
                continue;
            };
            if CONTEXT_SETTERS_SKIPPED.contains(&f.name.as_str())
                || f.params.first().map(|p| p.ty.as_str()) != Some(&format!("*mut {raw}"))
                || f.ret != "c_int"
                || hand.contains(&(ty.to_string(), format!("set_{prop}")))
            {
                continue;
            }
            let doc = if f.doc.is_empty() {
                format!("Sets `{prop}` (`{}`).", f.name)
            } else {
                f.doc.clone()
            };
            match f.params.len() {
                2 if f.params[1].ty == "*const c_char" => {
                    methods.push_str(&doc_lines(&doc, "    "));
                    let _ = writeln!(
                        methods,
                        "    ///\n    /// Fails while the context is in use."
                    );
                    let _ = writeln!(
                        methods,
                        "    pub fn set_{prop}(&self, value: &str) -> Result<i32, AeronCError> {{"
                    );
                    let _ = writeln!(methods, "        let value = crate::util::cstring(value)?;");
                    let _ = writeln!(methods, "        // SAFETY: `write` passes the live context while nothing uses it; C copies the string.");
                    let _ = writeln!(
                        methods,
                        "        self.write(|ctx| unsafe {{ {}(ctx, value.as_ptr()) }})\n    }}\n",
                        f.name
                    );
                }
                2 if SCALARS.contains(&f.params[1].ty.as_str()) => {
                    methods.push_str(&doc_lines(&doc, "    "));
                    let _ = writeln!(
                        methods,
                        "    ///\n    /// Fails while the context is in use."
                    );
                    let _ = writeln!(
                        methods,
                        "    pub fn set_{prop}(&self, value: {}) -> Result<i32, AeronCError> {{",
                        f.params[1].ty
                    );
                    let _ = writeln!(
                        methods,
                        "        // SAFETY: `write` passes the live context while nothing uses it."
                    );
                    let _ = writeln!(
                        methods,
                        "        self.write(|ctx| unsafe {{ {}(ctx, value) }})\n    }}\n",
                        f.name
                    );
                }
                3 if f.params[2].ty == "*mut c_void" => {
                    let Some(h) = handlers.get(&f.params[1].ty) else {
                        continue;
                    };
                    let trait_name = if h.stem.is_empty() {
                        continue;
                    } else {
                        trait_of(h)
                    };
                    let tramp = trampoline_of(h);
                    methods.push_str(&doc_lines(&doc, "    "));
                    let _ = writeln!(methods, "    ///\n    /// The handler is owned by the context and freed with it; it runs on the thread that calls the");
                    let _ = writeln!(methods, "    /// archive (hence `Send`). `None` restores the C default (none). Fails while the context is in use.");
                    let _ = writeln!(methods, "    pub fn set_{prop}<T: {trait_name} + Send + 'static>(&self, handler: Option<T>) -> Result<i32, AeronCError> {{");
                    let _ = writeln!(methods, "        self.install_handler(\"{prop}\", handler.map(HandlerBox::new), |ctx, clientd| match clientd {{");
                    let _ = writeln!(methods, "            // SAFETY: live context that nothing uses; clientd is the boxed `T` the context keeps until");
                    let _ = writeln!(methods, "            // it is closed or the handler replaced, which matches the trampoline's type.");
                    let _ = writeln!(methods, "            Some(clientd) => unsafe {{ {}(ctx, Some({tramp}::<T>), clientd) }},", f.name);
                    let _ = writeln!(methods, "            // SAFETY: live context that nothing uses; no handler is the C default.");
                    let _ = writeln!(
                        methods,
                        "            None => unsafe {{ {}(ctx, None, std::ptr::null_mut()) }},",
                        f.name
                    );
                    let _ = writeln!(methods, "        }})\n    }}\n");
                }
                _ => {}
            }
        }
        for f in fns {
            let Some(prop) = f.name.strip_prefix(&getter_prefix) else {
                continue;
            };
            if f.params.len() != 1
                || f.params[0].ty != format!("*mut {raw}")
                || hand.contains(&(ty.to_string(), format!("get_{prop}")))
            {
                continue;
            }
            let doc = if f.doc.is_empty() {
                format!("Gets `{prop}` (`{}`).", f.name)
            } else {
                f.doc.clone()
            };
            if f.ret == "*const c_char" {
                methods.push_str(&doc_lines(&doc, "    "));
                let _ = writeln!(methods, "    pub fn get_{prop}(&self) -> String {{");
                let _ = writeln!(methods, "        // SAFETY: `read` passes the live context; the string is copied while the lock is held.");
                let _ = writeln!(methods, "        self.read(|ctx| unsafe {{ crate::util::owned_str({}(ctx)) }})\n    }}\n", f.name);
            } else if SCALARS.contains(&f.ret.as_str()) {
                methods.push_str(&doc_lines(&doc, "    "));
                let _ = writeln!(
                    methods,
                    "    pub fn get_{prop}(&self) -> {} {{",
                    f.ret.replace("c_int", "i32")
                );
                let _ = writeln!(
                    methods,
                    "        // SAFETY: `read` passes the live context."
                );
                let _ = writeln!(
                    methods,
                    "        self.read(|ctx| unsafe {{ {}(ctx) }})\n    }}\n",
                    f.name
                );
            }
        }
        if !methods.is_empty() {
            let _ = writeln!(
                s,
                "\nimpl {ty} {{\n{}}}",
                methods.trim_end_matches('\n').to_string() + "\n"
            );
        }
    }
    s
}

fn trait_of(h: &Handler) -> String {
    match CLIENT_CALLBACKS.iter().find(|(t, _, _)| *t == h.typedef) {
        Some((_, tr, _)) => tr.to_string(),
        None => format!("{}Callback", h.stem),
    }
}

fn trampoline_of(h: &Handler) -> String {
    if CLIENT_CALLBACKS.iter().any(|(t, _, _)| *t == h.typedef) {
        format!("crate::generated::handlers::archive_{}_trampoline", h.base)
    } else {
        format!("crate::generated::handlers::{}_trampoline", h.base)
    }
}

// ------------------------------------------------------------------------------------------------------
// Commands on handles
// ------------------------------------------------------------------------------------------------------

/// A Rust argument for a plain C argument: (declaration, prelude, C expression).
fn plain_arg(p: &Param) -> Option<(String, String, String)> {
    if p.ty == "*const c_char" {
        return Some((
            format!("{}: &str", p.name),
            format!("        let {0} = crate::util::cstring({0})?;\n", p.name),
            format!("{}.as_ptr()", p.name),
        ));
    }
    if SCALARS.contains(&p.ty.as_str()) {
        let ty = if p.ty == "c_int" {
            "i32".to_string()
        } else {
            p.ty.clone()
        };
        return Some((format!("{}: {ty}", p.name), String::new(), p.name.clone()));
    }
    if let Some((_, alias)) = ENUM_PARAMS.iter().find(|(c, _)| *c == p.ty) {
        return Some((
            format!("{}: {alias}", p.name),
            String::new(),
            p.name.clone(),
        ));
    }
    None
}

fn gen_commands(fns: &[CFn], hand: &BTreeSet<(String, String)>) -> String {
    let mut s = rust_header("aeron_archive.h (commands and queries on handles)");
    s.push_str(
        "\n//! Methods of the handle types, one per C function taking plain values and strings. Every call runs\n\
         //! under `crate::panic::call`, so a panic of a handler the C call invokes (error handler, recording\n\
         //! signal consumer, ...) is resumed once the C function has returned. Commands (the calls returning a\n\
         //! C status) run through the handle's `enter`, which refuses them with `ReentrantCall` from inside a\n\
         //! handler of a call of the same archive (`reentry.rs`, docs/safety.md).\n\n\
         #![allow(clippy::too_many_arguments)]\n\n\
         use rusteron_client::bindings::*;\nuse rusteron_client::AeronCError;\n\nuse crate::*;\n",
    );
    for (raw, prefix, ty) in HANDLES {
        let handle_ty = format!("*mut {raw}");
        let mut body = String::new();
        for f in fns {
            if NOT_COMMANDS.contains(&f.name.as_str()) {
                continue;
            }
            let Some(method) = f.name.strip_prefix(prefix) else {
                continue;
            };
            if hand.contains(&(ty.to_string(), method.to_string())) {
                continue;
            }
            // Layouts: (handle, args...) or (out, handle, args...).
            let (out, args) = match f.params.as_slice() {
                [first, rest @ ..] if first.ty == handle_ty => (None, rest),
                [out, h, rest @ ..] if h.ty == handle_ty => match out.ty.strip_prefix("*mut ") {
                    Some(o) if SCALARS.contains(&o) => (Some(o.to_string()), rest),
                    _ => continue,
                },
                _ => continue,
            };
            let Some(conv): Option<Vec<_>> = args.iter().map(plain_arg).collect() else {
                continue;
            };
            let decl: String = conv.iter().map(|(d, _, _)| format!(", {d}")).collect();
            let prelude: String = conv.iter().map(|(_, p, _)| p.as_str()).collect();
            let call: String = conv.iter().map(|(_, _, e)| format!(", {e}")).collect();
            let doc = if f.doc.is_empty() {
                format!("`{}`.", f.name)
            } else {
                f.doc.clone()
            };
            let fails = prelude.is_empty();
            match (&out, f.ret.as_str()) {
                (Some(o), "c_int") => {
                    let o_rust = if o == "c_int" { "i32" } else { o.as_str() };
                    body.push_str(&doc_lines(&doc, "    "));
                    let _ = writeln!(
                        body,
                        "    pub fn {method}(&self{decl}) -> Result<{o_rust}, AeronCError> {{"
                    );
                    body.push_str(&prelude);
                    let _ = writeln!(body, "        let mut out: {o_rust} = Default::default();");
                    let _ = writeln!(body, "        // SAFETY: live handle owned by `self`, a valid out-pointer and NUL-terminated strings that");
                    let _ = writeln!(body, "        // outlive the call.");
                    let _ = writeln!(body, "        crate::util::check(self.enter(|| unsafe {{ {}(&mut out, self.ptr(){call}) }})?)?;", f.name);
                    let _ = writeln!(body, "        Ok(out)\n    }}\n");
                }
                (None, "c_int") => {
                    body.push_str(&doc_lines(&doc, "    "));
                    let _ = writeln!(
                        body,
                        "    pub fn {method}(&self{decl}) -> Result<(), AeronCError> {{"
                    );
                    body.push_str(&prelude);
                    let _ = writeln!(body, "        // SAFETY: live handle owned by `self` and NUL-terminated strings that outlive the call.");
                    let _ = writeln!(body, "        crate::util::check(self.enter(|| unsafe {{ {}(self.ptr(){call}) }})?)?;", f.name);
                    let _ = writeln!(body, "        Ok(())\n    }}\n");
                }
                (None, r) if SCALARS.contains(&r) && fails => {
                    body.push_str(&doc_lines(&doc, "    "));
                    let _ = writeln!(body, "    pub fn {method}(&self{decl}) -> {r} {{");
                    let _ = writeln!(body, "        // SAFETY: live handle owned by `self`.");
                    let _ = writeln!(body, "        crate::panic::call(|| unsafe {{ {}(self.ptr(){call}) }})\n    }}\n", f.name);
                }
                _ => {}
            }
        }
        if !body.is_empty() {
            let full = if LIFETIME_TYPES.contains(ty) {
                format!("{ty}<'_>")
            } else {
                ty.to_string()
            };
            let _ = writeln!(
                s,
                "\nimpl {full} {{\n{}}}",
                body.trim_end_matches('\n').to_string() + "\n"
            );
        }
    }
    s
}

fn gen_constants(p: &Parsed) -> String {
    let mut s = rust_header("aeron_archive.h (constants and enums)");
    s.push_str("\n//! Re-exports of the archive constants of `aeron_archive.h` and Rust names for its enums.\n\n");
    s.push_str("pub use rusteron_client::bindings::{\n");
    for c in &p.consts {
        let _ = writeln!(s, "    {c},");
    }
    s.push_str("};\n");
    for e in &p.enums {
        let name = camel(e.trim_end_matches("_t"));
        let _ = writeln!(
            s,
            "\n/// `{e}` (a bindgen newtype; its values are associated constants).\npub type {name} = rusteron_client::bindings::{e};"
        );
    }
    s
}

fn gen_mod() -> String {
    let mut s = rust_header("aeron_archive.h");
    s.push_str(
        "\n//! Generated part of the wrapper; the hand-written modules next to it take precedence.\n\n\
         pub(crate) mod commands;\npub(crate) mod constants;\npub(crate) mod context;\npub(crate) mod handlers;\n\n\
         pub use constants::*;\npub use handlers::*;\n",
    );
    s
}

// ------------------------------------------------------------------------------------------------------
// Hand-written code scan and coverage
// ------------------------------------------------------------------------------------------------------

fn rust_files(dir: &Path, skip: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    if !dir.exists() {
        return Ok(out);
    }
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).with_context(|| format!("reading {}", d.display()))? {
            let p = e?.path();
            if p == skip {
                continue;
            }
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "rs") {
                out.push(p);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// `(Type, method)` pairs defined in hand-written inherent `impl` blocks.
fn hand_written_methods(texts: &[String]) -> BTreeSet<(String, String)> {
    let mut set = BTreeSet::new();
    for text in texts {
        let Ok(file) = syn::parse_file(text) else {
            continue;
        };
        for item in file.items {
            let syn::Item::Impl(imp) = item else { continue };
            if imp.trait_.is_some() {
                continue;
            }
            let syn::Type::Path(tp) = &*imp.self_ty else {
                continue;
            };
            let ty = tp.path.segments.last().unwrap().ident.to_string();
            for ii in imp.items {
                if let syn::ImplItem::Fn(m) = ii {
                    set.insert((ty.clone(), m.sig.ident.to_string()));
                }
            }
        }
    }
    set
}

/// Identifiers starting with `aeron_` used in code (line comments stripped).
fn used_identifiers(texts: &[String]) -> BTreeSet<String> {
    let mut set = BTreeSet::new();
    for text in texts {
        for line in text.lines() {
            let code = line.split("//").next().unwrap_or("");
            for word in code.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')) {
                if word.starts_with("aeron_") {
                    set.insert(word.to_string());
                }
            }
        }
    }
    set
}

fn unwrapped_list() -> Result<BTreeMap<String, String>> {
    let mut m = BTreeMap::new();
    for (n, line) in UNWRAPPED.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((name, reason)) = line.split_once(':') else {
            bail!(
                "archive_unwrapped.txt line {}: expected `name: reason`",
                n + 1
            );
        };
        if reason.trim().is_empty() {
            bail!(
                "archive_unwrapped.txt line {}: {} has no reason",
                n + 1,
                name.trim()
            );
        }
        m.insert(name.trim().to_string(), reason.trim().to_string());
    }
    Ok(m)
}

fn bindings_text(root: &Path, bindings: &[GeneratedFile], path: &str) -> Result<String> {
    match bindings.iter().find(|f| f.path == Path::new(path)) {
        Some(f) => Ok(f.contents.clone()),
        None => std::fs::read_to_string(root.join(path)).with_context(|| format!("reading {path}")),
    }
}

/// Generates `crates/rusteron-archive/src/generated/` from the bindgen output among `bindings` (or the
/// committed one) and checks the coverage of `aeron_archive.h`.
pub fn generate(root: &Path, bindings: &[GeneratedFile]) -> Result<Vec<GeneratedFile>> {
    let parsed = parse(&bindings_text(root, bindings, BINDINGS)?)?;
    let client = parse(&bindings_text(root, bindings, CLIENT_BINDINGS)?)?;
    // Only the archive's own functions: the bindings also carry a few `aeron_common.h` helpers.
    let functions: Vec<CFn> = parsed
        .functions
        .iter()
        .filter(|f| f.name.starts_with("aeron_archive_"))
        .cloned()
        .collect();

    let handlers: Vec<Handler> = parsed
        .callbacks
        .iter()
        .filter(|c| {
            c.typedef.starts_with("aeron_archive_") || c.typedef == "aeron_idle_strategy_func_t"
        })
        .filter_map(classify)
        .collect();
    let mut foreign = Vec::new();
    for (typedef, trait_name, method) in CLIENT_CALLBACKS {
        let cb = client.callbacks.iter().find(|c| c.typedef == *typedef);
        let Some(h) = cb.and_then(classify) else {
            bail!("client callback {typedef} not found or not classifiable")
        };
        foreign.push((h, *trait_name, *method));
    }
    let mut by_typedef: BTreeMap<String, &Handler> =
        handlers.iter().map(|h| (h.typedef.clone(), h)).collect();
    for (h, _, _) in &foreign {
        by_typedef.insert(h.typedef.clone(), h);
    }

    let generated_dir = root.join(OUT_DIR);
    let hand_files = rust_files(&root.join(SRC_DIR), &generated_dir)?;
    let mut hand_texts = Vec::new();
    for f in &hand_files {
        hand_texts.push(std::fs::read_to_string(f)?);
    }
    let hand = hand_written_methods(&hand_texts);

    let out = PathBuf::from(OUT_DIR);
    let files = [
        ("mod.rs", gen_mod()),
        ("handlers.rs", gen_handlers(&handlers, &foreign)),
        ("context.rs", gen_context(&functions, &by_typedef, &hand)),
        ("commands.rs", gen_commands(&functions, &hand)),
        ("constants.rs", gen_constants(&parsed)),
    ];
    let files: Vec<GeneratedFile> = files
        .into_iter()
        .map(|(name, code)| {
            Ok(GeneratedFile {
                path: out.join(name),
                contents: rustfmt(&code)?,
            })
        })
        .collect::<Result<_>>()?;

    // Coverage: every public function is called somewhere in the crate, or listed with a reason.
    let mut texts: Vec<String> = files.iter().map(|f| f.contents.clone()).collect();
    texts.extend(hand_texts);
    let used = used_identifiers(&texts);
    let listed = unwrapped_list()?;
    let public: BTreeSet<&str> = functions.iter().map(|f| f.name.as_str()).collect();
    let wrapped = public.iter().filter(|n| used.contains(**n)).count();
    let mut problems = Vec::new();
    for n in &public {
        match (used.contains(*n), listed.contains_key(*n)) {
            (false, false) => problems.push(format!(
                "{n} is neither wrapped nor listed in archive_unwrapped.txt"
            )),
            (true, true) => problems.push(format!(
                "{n} is wrapped but still listed in archive_unwrapped.txt"
            )),
            _ => {}
        }
    }
    for n in listed.keys() {
        if !public.contains(n.as_str()) {
            problems.push(format!(
                "{n} is listed in archive_unwrapped.txt but is not a function of aeron_archive.h"
            ));
        }
    }
    println!(
        "xtask codegen: rusteron-archive coverage of aeron_archive.h: {} / {} public functions wrapped ({:.1}%), {} listed as deliberately unwrapped",
        wrapped,
        public.len(),
        100.0 * wrapped as f64 / public.len().max(1) as f64,
        listed.len()
    );
    if !problems.is_empty() {
        let warn_only = std::env::var_os("XTASK_COVERAGE_WARN_ONLY").is_some();
        for p in &problems {
            eprintln!("xtask codegen: coverage: {p}");
        }
        if !warn_only {
            bail!(
                "aeron_archive.h coverage check failed ({} problems)",
                problems.len()
            );
        }
    }
    Ok(files)
}

/// Formats generated code with `rustfmt` (default settings), so that `cargo fmt --check` accepts it.
fn rustfmt(code: &str) -> Result<String> {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new("rustfmt")
        .args(["--edition", "2021", "--emit", "stdout"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("running rustfmt on generated code")?;
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(code.as_bytes())?;
    let out = child.wait_with_output()?;
    if !out.status.success() {
        bail!(
            "rustfmt failed on generated archive code: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(String::from_utf8(out.stdout)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helper_names_follow_the_seed() {
        assert_eq!(
            camel("aeron_archive_recording_signal_consumer_func"),
            "AeronArchiveRecordingSignalConsumerFunc"
        );
        assert_eq!(
            no_helper("aeron_archive_recording_signal_consumer_func"),
            "no_recording_signal_consumer_func_handler"
        );
        assert_eq!(
            no_helper("aeron_idle_strategy_func"),
            "no_idle_strategy_func_handler"
        );
    }

    #[test]
    fn commands_take_out_parameters_first() {
        let f = CFn {
            name: "aeron_archive_get_stop_position".into(),
            params: vec![
                Param {
                    name: "stop_position_p".into(),
                    ty: "*mut i64".into(),
                },
                Param {
                    name: "aeron_archive".into(),
                    ty: "*mut aeron_archive_t".into(),
                },
                Param {
                    name: "recording_id".into(),
                    ty: "i64".into(),
                },
            ],
            ret: "c_int".into(),
            doc: String::new(),
        };
        let code = gen_commands(&[f], &BTreeSet::new());
        assert!(
            code.contains(
                "pub fn get_stop_position(&self, recording_id: i64) -> Result<i64, AeronCError>"
            ),
            "{code}"
        );
    }

    #[test]
    fn comments_do_not_count_as_use() {
        let used = used_identifiers(&[
            "// aeron_archive_close\nlet x = aeron_archive_connect(a);".to_string()
        ]);
        assert!(used.contains("aeron_archive_connect"));
        assert!(!used.contains("aeron_archive_close"));
    }
}
