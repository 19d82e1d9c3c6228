//! Generator of the mechanical part of `rusteron-client` (`crates/rusteron-client/src/generated/`), read
//! from the bindgen output of `aeronc.h` with `syn`:
//!
//! - `handlers.rs`: per C callback typedef with a `clientd`, a handler trait, a closure adapter, a logger,
//!   a blanket impl for `&mut T`, a panic-catching `extern "C"` trampoline monomorphised per handler type,
//!   and the `Handlers::no_*` helpers;
//! - `context.rs`: `AeronContext` getters and setters (plain values, strings and handlers) and the
//!   captured C default handlers;
//! - `queries.rs`: simple `&self` query methods on handles (positions, ids, status, constants);
//! - `constants.rs`: re-exports of the `AERON_*` constants and enum aliases.
//!
//! It also checks coverage: every public `aeron_*` function of `aeronc.h` must be called from the crate
//! (generated or hand-written code) or be listed with a reason in `client_unwrapped.txt`.

use anyhow::{bail, Context, Result};
use quote::ToTokens;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::{rust_header, GeneratedFile};

/// Folder (relative to the workspace root) owned by this generator.
pub const OUT_DIR: &str = "crates/rusteron-client/src/generated";
/// Hand-written sources of the crate (scanned for coverage and for methods that win over generated ones).
const SRC_DIR: &str = "crates/rusteron-client/src";
/// The bindgen output this generator reads.
const BINDINGS: &str = "aeron-sys/src/generated/client.rs";
/// Reviewed list of C functions deliberately not wrapped: `name: reason` per line.
const UNWRAPPED: &str = include_str!("client_unwrapped.txt");

/// Context setters not exposed by the safe API.
const CONTEXT_SETTERS_SKIPPED: &[&str] = &[
    // Invoker mode makes every client call single-threaded; the safe client is Send + Sync.
    "aeron_context_set_use_conductor_agent_invoker",
];

/// Declared in `aeronc.h` 1.54.0 but not defined by the C client library (calling them fails to link).
const NOT_DEFINED_IN_C: &[&str] = &[
    "aeron_context_set_agent_on_start_function",
    "aeron_context_get_agent_on_start_function",
    "aeron_context_get_agent_on_start_state",
];

/// Handle types for generated query methods: raw first-parameter type, function prefix, wrapper types.
const HANDLES: &[(&str, &str, &[&str])] = &[
    ("aeron_t", "aeron_", &["Aeron"]),
    (
        "aeron_publication_t",
        "aeron_publication_",
        &["AeronPublication"],
    ),
    (
        "aeron_exclusive_publication_t",
        "aeron_exclusive_publication_",
        &["AeronExclusivePublication"],
    ),
    (
        "aeron_subscription_t",
        "aeron_subscription_",
        &["AeronSubscription"],
    ),
    (
        "aeron_image_t",
        "aeron_image_",
        &["AeronImage", "AeronImageRef"],
    ),
    ("aeron_counter_t", "aeron_counter_", &["AeronCounter"]),
    (
        "aeron_counters_reader_t",
        "aeron_counters_reader_",
        &["AeronCountersReader"],
    ),
    ("aeron_header_t", "aeron_header_", &["AeronHeader"]),
];

/// Handle types borrowed with a lifetime parameter.
const LIFETIME_TYPES: &[&str] = &["AeronImage", "AeronImageRef", "AeronHeader"];

/// One-parameter functions that look like queries but change state; they are wrapped by hand.
const NOT_QUERIES: &[&str] = &[
    "aeron_start",
    "aeron_close",
    "aeron_main_do_work",
    "aeron_image_release",
];

const SCALARS: &[&str] = &[
    "i8", "u8", "i16", "u16", "i32", "u32", "i64", "u64", "usize", "bool", "c_int", "c_long",
];

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

struct Parsed {
    functions: Vec<CFn>,
    callbacks: Vec<Callback>,
    consts: Vec<String>,
    enums: Vec<String>,
}

/// Normalised type text: `*mut aeron_t`, `*const c_char`, `aeron_fragment_handler_t`, `i64`, `()`.
fn ty_text(ty: &syn::Type) -> String {
    let s: String = ty
        .to_token_stream()
        .to_string()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let s = s
        .replace(":: std :: os :: raw :: ", "")
        .replace("* mut ", "*mut ")
        .replace("* const ", "*const ");
    s.replace(" ", "")
        .replace("*mut", "*mut ")
        .replace("*const", "*const ")
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

fn params_of<'a>(inputs: impl Iterator<Item = (Option<String>, &'a syn::Type)>) -> Vec<Param> {
    inputs
        .enumerate()
        .map(|(i, (n, t))| Param {
            name: n.unwrap_or_else(|| format!("arg{}", i + 1)),
            ty: ty_text(t),
        })
        .collect()
}

fn parse(text: &str) -> Result<Parsed> {
    let file = syn::parse_file(text).context("parsing the bindgen output of aeronc.h")?;
    let mut p = Parsed {
        functions: Vec::new(),
        callbacks: Vec::new(),
        consts: Vec::new(),
        enums: Vec::new(),
    };
    for item in &file.items {
        match item {
            syn::Item::ForeignMod(m) => {
                for fi in &m.items {
                    if let syn::ForeignItem::Fn(f) = fi {
                        if f.sig.variadic.is_some() {
                            p.functions.push(CFn {
                                name: f.sig.ident.to_string(),
                                params: vec![],
                                ret: ret_text(&f.sig.output),
                                doc: doc_of(&f.attrs),
                            });
                            continue;
                        }
                        let params = params_of(f.sig.inputs.iter().filter_map(|a| match a {
                            syn::FnArg::Typed(pt) => {
                                let name = match &*pt.pat {
                                    syn::Pat::Ident(i) => {
                                        Some(i.ident.to_string().trim_end_matches('_').to_string())
                                    }
                                    _ => None,
                                };
                                Some((name, &*pt.ty))
                            }
                            _ => None,
                        }));
                        p.functions.push(CFn {
                            name: f.sig.ident.to_string(),
                            params,
                            ret: ret_text(&f.sig.output),
                            doc: doc_of(&f.attrs),
                        });
                    }
                }
            }
            syn::Item::Type(t) => {
                // pub type aeron_x_t = Option<unsafe extern "C" fn(...) -> R>;
                let name = t.ident.to_string();
                if let syn::Type::Path(tp) = &*t.ty {
                    let last = tp.path.segments.last().expect("path");
                    if last.ident == "Option" {
                        if let syn::PathArguments::AngleBracketed(ab) = &last.arguments {
                            if let Some(syn::GenericArgument::Type(syn::Type::BareFn(bf))) =
                                ab.args.first()
                            {
                                let params = params_of(bf.inputs.iter().map(|a| {
                                    (
                                        a.name.as_ref().map(|(i, _)| {
                                            i.to_string().trim_end_matches('_').to_string()
                                        }),
                                        &a.ty,
                                    )
                                }));
                                p.callbacks.push(Callback {
                                    typedef: name,
                                    params,
                                    ret: ret_text(&bf.output),
                                    doc: doc_of(&t.attrs),
                                });
                            }
                        }
                    }
                }
            }
            syn::Item::Const(c) => {
                let name = c.ident.to_string();
                if name.starts_with("AERON_") {
                    p.consts.push(name);
                }
            }
            syn::Item::Use(u) => {
                // pub use self::aeron_x_en as aeron_x_t;
                let s = u.tree.to_token_stream().to_string().replace(' ', "");
                if let Some(rest) = s.strip_prefix("self::") {
                    if let Some((_, alias)) = rest.split_once("as") {
                        p.enums.push(alias.to_string());
                    }
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

/// `aeron_on_available_image_t` -> `aeron_on_available_image`.
fn base_name(typedef: &str) -> &str {
    typedef.trim_end_matches("_t")
}

/// `aeron_on_available_image` -> `AeronAvailableImage` (the seed's naming: `on_` dropped).
fn type_stem(base: &str) -> String {
    camel(&base.replacen("aeron_on_", "aeron_", 1))
}

/// `aeron_on_available_image` -> `no_available_image_handler`.
fn no_helper(base: &str) -> String {
    let s = base
        .trim_start_matches("aeron_")
        .trim_start_matches("on_")
        .trim_end_matches("_handler");
    format!("no_{s}_handler")
}

/// The earlier rusteron's name of the same helper: `aeron_error_handler` -> `no_error_handler_handler`.
fn seed_no_helper(base: &str) -> String {
    format!(
        "no_{}_handler",
        base.trim_start_matches("aeron_").trim_start_matches("on_")
    )
}

// ------------------------------------------------------------------------------------------------------
// Callback classification
// ------------------------------------------------------------------------------------------------------

/// A Rust parameter of a handler method and how the trampoline makes it from the C arguments.
struct RustArg {
    name: String,
    ty: String,
    conv: String,
}

struct Handler {
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
    /// C parameters that the handler does not see, with why.
    dropped: Vec<String>,
}

/// A length argument as `usize`.
fn len_expr(p: &Param) -> String {
    if p.ty == "usize" {
        p.name.clone()
    } else {
        format!("{}.max(0) as usize", p.name)
    }
}

/// Callbacks that C only invokes inside a call the wrapper makes from Rust on the same thread (poll,
/// offer, for-each, readers): their panics are re-raised after that call. All others are detached.
const IN_CALL_HANDLERS: &[&str] = &[
    "aeron_fragment_handler",
    "aeron_controlled_fragment_handler",
    "aeron_block_handler",
    "aeron_reserved_value_supplier",
    "aeron_counters_reader_foreach_counter_func",
    "aeron_error_log_reader_func",
    "aeron_loss_reporter_read_entry_func",
];

fn classify(cb: &Callback) -> Option<Handler> {
    let clientd = cb
        .params
        .iter()
        .find(|p| p.ty == "*mut c_void" && (p.name == "clientd" || p.name == "state"))?
        .name
        .clone();
    let mut args = Vec::new();
    let mut dropped = Vec::new();
    let ps = &cb.params;
    let mut i = 0;
    while i < ps.len() {
        let p = &ps[i];
        let next = ps.get(i + 1);
        let is_len = |n: &Param| {
            (n.ty == "usize" || n.ty == "i32")
                && (n.name.ends_with("length") || n.name.ends_with("_len"))
        };
        match p.ty.as_str() {
            "*mut c_void" if p.name == clientd => {}
            "*const u8" if next.is_some_and(|n| n.ty == "usize") => {
                let n = next.unwrap();
                // Log data handed to fragment / block handlers: the length comes from a frame header in
                // shared memory, so the slice is bounded by the term (docs/safety.md), never trusted.
                let header = ps.get(i + 2).filter(|h| h.ty == "*mut aeron_header_t");
                let conv = if let Some(h) = header {
                    format!(
                        "crate::log_data::fragment_bytes({}, {}, {})",
                        p.name,
                        len_expr(n),
                        h.name
                    )
                } else if cb.typedef.contains("block_handler") {
                    format!("crate::log_data::block_bytes({}, {})", p.name, len_expr(n))
                } else {
                    format!("crate::context::bytes({}, {})", p.name, len_expr(n))
                };
                args.push(RustArg {
                    name: p.name.clone(),
                    ty: "&[u8]".into(),
                    conv,
                });
                i += 1;
            }
            "*mut u8" if next.is_some_and(|n| n.ty == "usize") => {
                let n = next.unwrap();
                args.push(RustArg {
                    name: p.name.clone(),
                    ty: "&mut [u8]".into(),
                    conv: format!("crate::context::bytes_mut({}, {})", p.name, n.name),
                });
                i += 1;
            }
            "*const c_char" if next.is_some_and(is_len) => {
                let n = next.unwrap();
                args.push(RustArg {
                    name: p.name.clone(),
                    ty: "&str".into(),
                    conv: format!("crate::context::str_n({}, {})", p.name, len_expr(n)),
                });
                i += 1;
            }
            "*const c_char" => args.push(RustArg {
                name: p.name.clone(),
                ty: "&str".into(),
                conv: format!("crate::context::borrowed_str({})", p.name),
            }),
            "*mut aeron_header_t" => args.push(RustArg {
                name: p.name.clone(),
                ty: "AeronHeader<'_>".into(),
                conv: format!("AeronHeader::from_raw({})", p.name),
            }),
            "*mut aeron_image_t" => args.push(RustArg {
                name: p.name.clone(),
                ty: "AeronImageRef<'_>".into(),
                conv: format!("AeronImageRef::from_raw({})", p.name),
            }),
            "*mut aeron_publication_error_values_t" => args.push(RustArg {
                name: p.name.clone(),
                ty: "AeronPublicationErrorValues<'_>".into(),
                conv: format!("AeronPublicationErrorValues::from_raw({})", p.name),
            }),
            "*mut aeron_subscription_t" => dropped.push(format!(
                "`{}` (the subscription the handler was registered with)",
                p.name
            )),
            "*mut aeron_counters_reader_t" => {
                dropped.push(format!("`{}` (use `Aeron::counters_reader`)", p.name))
            }
            t if SCALARS.contains(&t) => args.push(RustArg {
                name: p.name.clone(),
                ty: if t == "c_int" {
                    "i32".into()
                } else {
                    t.to_string()
                },
                conv: p.name.clone(),
            }),
            _ => return None,
        }
        i += 1;
    }
    let (ret, panic_default, logger_default) = match cb.ret.as_str() {
        "()" => ("()".to_string(), "()".to_string(), "()".to_string()),
        "i64" => ("i64".into(), "0".into(), "0".into()),
        "aeron_controlled_fragment_handler_action_t" => (
            "AeronControlledFragmentHandlerAction".into(),
            "AeronControlledFragmentHandlerAction::AERON_ACTION_ABORT".into(),
            "AeronControlledFragmentHandlerAction::AERON_ACTION_CONTINUE".into(),
        ),
        _ => return None,
    };
    let base = base_name(&cb.typedef).to_string();
    Some(Handler {
        stem: type_stem(&base),
        base,
        doc: cb.doc.clone(),
        c_params: cb.params.clone(),
        c_ret: cb.ret.clone(),
        clientd,
        args,
        ret,
        panic_default,
        logger_default,
        dropped,
    })
}

fn doc_lines(doc: &str, indent: &str) -> String {
    let mut s = String::new();
    for line in doc.lines() {
        let line = line.strip_prefix(' ').unwrap_or(line);
        // Keep the C doc readable as Markdown: `@param x` lines become list items.
        let line = line
            .replace("<code>", "`")
            .replace("</code>", "`")
            .replace("<p>", "")
            .replace("</p>", "");
        let line = if let Some(rest) = line.strip_prefix("@param ") {
            format!("- `{}`", rest.replacen(' ', "`: ", 1))
        } else {
            line
        };
        let line = if let Some(rest) = line.strip_prefix("@return ") {
            // A paragraph of its own, not a continuation of the parameter list.
            let _ = writeln!(s, "{indent}///");
            format!("Returns {rest}")
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

fn c_ret_rust(ret: &str) -> String {
    match ret {
        "()" => String::new(),
        "aeron_controlled_fragment_handler_action_t" => {
            " -> aeron_controlled_fragment_handler_action_t".into()
        }
        r => format!(" -> {r}"),
    }
}

fn c_ty_rust(ty: &str) -> String {
    match ty {
        "c_int" | "c_void" | "c_char" | "c_long" => format!("std::ffi::{ty}"),
        t if t.starts_with("*mut ") || t.starts_with("*const ") => {
            let (ptr, rest) = t.split_at(if t.starts_with("*mut ") { 5 } else { 7 });
            format!("{ptr}{}", c_ty_rust(rest))
        }
        t => t.to_string(),
    }
}

fn gen_handlers(handlers: &[Handler]) -> String {
    let mut s = rust_header("aeronc.h (callback typedefs)");
    s.push_str(
        "\n//! Handler traits, closure adapters, loggers and `extern \"C\"` trampolines, one set per C callback\n\
         //! typedef of `aeronc.h` that carries a `clientd`.\n\n\
         #![allow(clippy::too_many_arguments, clippy::unused_unit)]\n\n\
         use aeron_sys::*;\n\n\
         use crate::{AeronControlledFragmentHandlerAction, AeronHeader, AeronImageRef, AeronPublicationErrorValues};\n",
    );
    for h in handlers {
        let trait_name = format!("{}Callback", h.stem);
        let closure = format!("{}Closure", h.stem);
        let logger = format!("{}Logger", h.stem);
        let method = format!("handle_{}", h.base);
        let trampoline = format!("{}_trampoline", h.base);
        let typedef = format!("{}_t", h.base);
        let sig_args: String = h
            .args
            .iter()
            .map(|a| format!(", {}: {}", a.name, a.ty))
            .collect();
        let fn_args: String = h
            .args
            .iter()
            .map(|a| a.ty.clone())
            .collect::<Vec<_>>()
            .join(", ");
        let call_args: String = h
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
        let fn_ret = if h.ret == "()" {
            String::new()
        } else {
            format!(" -> {}", h.ret)
        };

        let _ = writeln!(s, "\n// ---- {typedef} ----\n");
        s.push_str(&doc_lines(&h.doc, ""));
        let _ = writeln!(s, "///\n/// Handler trait for the C callback `{typedef}`.");
        if !h.dropped.is_empty() {
            let _ = writeln!(
                s,
                "/// Not passed to the handler: {}.",
                h.dropped.join(", ")
            );
        }
        let _ = writeln!(s, "pub trait {trait_name} {{");
        let _ = writeln!(s, "    /// Called for each `{typedef}` callback.");
        let _ = writeln!(s, "    fn {method}(&mut self{sig_args}){ret_sig};");
        let _ = writeln!(s, "}}\n");

        let _ = writeln!(
            s,
            "impl<T: {trait_name} + ?Sized> {trait_name} for &mut T {{"
        );
        let _ = writeln!(s, "    #[inline]");
        let _ = writeln!(s, "    fn {method}(&mut self{sig_args}){ret_sig} {{");
        let _ = writeln!(s, "        (**self).{method}({call_args})");
        let _ = writeln!(s, "    }}\n}}\n");

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
        let _ = writeln!(s, "        {}", h.logger_default);
        let _ = writeln!(s, "    }}\n}}\n");

        let _ = writeln!(s, "/// Adapts a closure `FnMut({fn_args}){fn_ret}` to [`{trait_name}`]; arguments are borrowed for the call.");
        let _ = writeln!(s, "pub struct {closure}<F> {{\n    closure: F,\n}}\n");
        let _ = writeln!(s, "impl<F: FnMut({fn_args}){fn_ret}> {closure}<F> {{");
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
            "impl<F: FnMut({fn_args}){fn_ret}> From<F> for {closure}<F> {{"
        );
        let _ = writeln!(
            s,
            "    fn from(closure: F) -> Self {{\n        {closure} {{ closure }}\n    }}\n}}\n"
        );
        let _ = writeln!(
            s,
            "impl<F: FnMut({fn_args}){fn_ret}> {trait_name} for {closure}<F> {{"
        );
        let _ = writeln!(s, "    #[inline]");
        let _ = writeln!(s, "    fn {method}(&mut self{sig_args}){ret_sig} {{");
        let _ = writeln!(s, "        (self.closure)({call_args})");
        let _ = writeln!(s, "    }}\n}}\n");

        let c_params: String = h
            .c_params
            .iter()
            .map(|p| format!("    {}: {},\n", p.name, c_ty_rust(&p.ty)))
            .collect();
        let _ = writeln!(
            s,
            "/// The `{typedef}` entry point for handlers of type `T`."
        );
        let in_call = IN_CALL_HANDLERS.contains(&h.base.as_str());
        if in_call {
            let _ = writeln!(s, "///\n/// An in-call handler: a panic is caught and re-raised once the C call that invoked it returns");
            let _ = writeln!(
                s,
                "/// (see `crate::panic`); the C side gets a neutral result meanwhile."
            );
        } else {
            let _ = writeln!(s, "///\n/// A detached handler (client conductor thread): a panic is caught, reported and contained (see");
            let _ = writeln!(
                s,
                "/// `crate::panic`); the C side gets a neutral result instead."
            );
        }
        let _ = writeln!(s, "///\n/// # Safety\n/// `{}` must point to a live `T` that nothing else uses during the call, and the other", h.clientd);
        let _ = writeln!(
            s,
            "/// arguments must be valid as documented for `{typedef}`."
        );
        let _ = writeln!(s, "#[allow(unused_variables)]");
        let _ = writeln!(
            s,
            "pub unsafe extern \"C\" fn {trampoline}<T: {trait_name}>(\n{c_params}){} {{",
            c_ret_rust(&h.c_ret)
        );
        let catch = if in_call { "catch" } else { "catch_detached" };
        let _ = writeln!(s, "    crate::panic::{catch}({}, || {{", h.panic_default);
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
            if a.conv != a.name {
                let _ = writeln!(
                    s,
                    "        // SAFETY: as above; the value only lives for this call."
                );
                let _ = writeln!(s, "        let {} = unsafe {{ {} }};", a.name, a.conv);
            }
        }
        let _ = writeln!(s, "        handler.{method}({call_args})");
        let _ = writeln!(s, "    }})\n}}");
    }

    s.push_str("\n/// Typed `None`s for optional handler arguments, e.g. `Handlers::no_reserved_value_supplier_handler()`.\n");
    s.push_str("pub struct Handlers;\n\nimpl Handlers {\n");
    for h in handlers {
        let _ = writeln!(s, "    /// No `{}_t` handler.", h.base);
        let _ = writeln!(
            s,
            "    pub fn {}() -> Option<{}Logger> {{\n        None\n    }}",
            no_helper(&h.base),
            h.stem
        );
        // The earlier rusteron's name keeps the typedef's `_handler` (`no_error_handler_handler`).
        let seed = seed_no_helper(&h.base);
        if seed != no_helper(&h.base) {
            let _ = writeln!(
                s,
                "    /// No `{}_t` handler (the earlier rusteron's name).\n    #[deprecated(note = \"renamed to `Handlers::{}`\")]\n    pub fn {seed}() -> Option<{}Logger> {{\n        None\n    }}",
                h.base,
                no_helper(&h.base),
                h.stem
            );
        }
    }
    s.push_str("}\n");
    s
}

// ------------------------------------------------------------------------------------------------------
// Context accessors
// ------------------------------------------------------------------------------------------------------

fn gen_context(fns: &[CFn], handlers: &BTreeMap<String, &Handler>) -> Result<String> {
    let mut s = rust_header("aeronc.h (aeron_context_* accessors)");
    s.push_str(
        "\n//! Getters and setters of `AeronContext`, and the C default handlers captured at creation.\n\n\
         use std::ffi::c_void;\n\nuse aeron_sys::*;\n\nuse crate::handler_box::HandlerBox;\nuse crate::*;\n",
    );
    let by_name: BTreeMap<&str, &CFn> = fns.iter().map(|f| (f.name.as_str(), f)).collect();
    let mut defaults = Vec::new(); // (field, getter, clientd getter, typedef)
    let mut methods = String::new();
    for f in fns {
        let Some(prop) = f.name.strip_prefix("aeron_context_set_") else {
            continue;
        };
        if CONTEXT_SETTERS_SKIPPED.contains(&f.name.as_str()) {
            continue;
        }
        if f.params.first().map(|p| p.ty.as_str()) != Some("*mut aeron_context_t")
            || f.ret != "c_int"
        {
            continue;
        }
        let doc = if f.doc.is_empty() {
            format!("Sets `{prop}` (`{}`).", f.name)
        } else {
            f.doc.clone()
        };
        match f.params.len() {
            2 => {
                let p = &f.params[1];
                if p.ty == "*const c_char" {
                    methods.push_str(&doc_lines(&doc, "    "));
                    let _ = writeln!(
                        methods,
                        "    pub fn set_{prop}(&self, value: &str) -> Result<i32, AeronCError> {{"
                    );
                    let _ = writeln!(
                        methods,
                        "        let value = crate::context::cstring(value)?;"
                    );
                    let _ = writeln!(methods, "        // SAFETY: `write` passes the live context while no client uses it; C copies the string.");
                    let _ = writeln!(
                        methods,
                        "        self.write(|ctx| unsafe {{ {}(ctx, value.as_ptr()) }})\n    }}\n",
                        f.name
                    );
                } else if SCALARS.contains(&p.ty.as_str()) {
                    methods.push_str(&doc_lines(&doc, "    "));
                    let _ = writeln!(
                        methods,
                        "    pub fn set_{prop}(&self, value: {}) -> Result<i32, AeronCError> {{",
                        p.ty
                    );
                    let _ = writeln!(methods, "        // SAFETY: `write` passes the live context while no client uses it.");
                    let _ = writeln!(
                        methods,
                        "        self.write(|ctx| unsafe {{ {}(ctx, value) }})\n    }}\n",
                        f.name
                    );
                }
            }
            3 if f.params[2].ty == "*mut c_void" => {
                let typedef = &f.params[1].ty;
                let Some(h) = handlers.get(typedef.as_str()) else {
                    continue;
                };
                let getter = format!("aeron_context_get_{prop}");
                // The clientd getter: `<getter>_clientd`, or the `*mut c_void` getter sharing the longest prefix.
                let clientd_getter = by_name
                    .keys()
                    .filter(|n| {
                        n.starts_with("aeron_context_get_") && by_name[*n].ret == "*mut c_void"
                    })
                    .max_by_key(|n| {
                        n.chars()
                            .zip(getter.chars())
                            .take_while(|(a, b)| a == b)
                            .count()
                    })
                    .map(|n| n.to_string());
                let (Some(_), Some(clientd_getter)) =
                    (by_name.get(getter.as_str()), clientd_getter)
                else {
                    bail!("no getters found for {}", f.name);
                };
                defaults.push((prop.to_string(), getter, clientd_getter, typedef.clone()));
                let trait_name = format!("{}Callback", h.stem);
                let tramp = format!("{}_trampoline", h.base);
                methods.push_str(&doc_lines(&doc, "    "));
                let _ = writeln!(methods, "    ///\n    /// The handler is owned by the context and called on the client conductor thread (hence `Send`);");
                let _ = writeln!(
                    methods,
                    "    /// `None` restores the C default. Fails once a client uses the context."
                );
                let _ = writeln!(methods, "    pub fn set_{prop}<T: {trait_name} + Send + 'static>(&self, handler: Option<T>) -> Result<i32, AeronCError> {{");
                let _ = writeln!(methods, "        let defaults = &self.inner.defaults;");
                let _ = writeln!(methods, "        self.install_handler(\"{prop}\", handler.map(HandlerBox::new), |ctx, clientd| match clientd {{");
                let _ = writeln!(methods, "            // SAFETY: live context, unused by any client; clientd is the boxed `T` the context keeps");
                let _ = writeln!(
                    methods,
                    "            // until it is closed, which matches the trampoline's type."
                );
                let _ = writeln!(methods, "            Some(clientd) => unsafe {{ {}(ctx, Some({tramp}::<T>), clientd) }},", f.name);
                let _ = writeln!(
                    methods,
                    "            // SAFETY: restores the values C had at creation."
                );
                let _ = writeln!(methods, "            None => unsafe {{ {}(ctx, defaults.{prop}, defaults.{prop}_clientd) }},", f.name);
                let _ = writeln!(methods, "        }})\n    }}\n");
            }
            _ => {}
        }
    }
    for f in fns {
        let Some(prop) = f.name.strip_prefix("aeron_context_get_") else {
            continue;
        };
        if f.params.len() != 1 || f.params[0].ty != "*mut aeron_context_t" {
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
            let _ = writeln!(methods, "        self.read(|ctx| crate::context::owned_str(unsafe {{ {}(ctx) }}))\n    }}\n", f.name);
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
    s.push_str("\n/// The handlers (and their clientd) a fresh C context has, restored by `set_*(None)`.\n");
    s.push_str("pub(crate) struct HandlerDefaults {\n");
    for (prop, _, _, typedef) in &defaults {
        let _ = writeln!(
            s,
            "    pub(crate) {prop}: {typedef},\n    pub(crate) {prop}_clientd: *mut c_void,"
        );
    }
    s.push_str(
        "}\n\nimpl HandlerDefaults {\n    /// Reads the current handlers of `ctx`.\n    ///\n",
    );
    s.push_str("    /// # Safety\n    /// `ctx` must be a live context.\n");
    s.push_str("    pub(crate) unsafe fn capture(ctx: *mut aeron_context_t) -> Self {\n");
    s.push_str("        // SAFETY: guaranteed by the caller; the getters only read.\n        unsafe {\n            HandlerDefaults {\n");
    for (prop, getter, cgetter, _) in &defaults {
        let _ = writeln!(s, "                {prop}: {getter}(ctx),\n                {prop}_clientd: {cgetter}(ctx),");
    }
    s.push_str("            }\n        }\n    }\n}\n\nimpl AeronContext {\n");
    s.push_str(&methods);
    s.push_str("}\n");
    Ok(s)
}

// ------------------------------------------------------------------------------------------------------
// Query methods
// ------------------------------------------------------------------------------------------------------

fn gen_queries(
    fns: &[CFn],
    structs: &BTreeSet<String>,
    hand: &BTreeSet<(String, String)>,
) -> String {
    let mut s = rust_header("aeronc.h (simple queries on handles)");
    s.push_str("\n//! `&self` query methods of the handle types, one per simple C getter.\n\nuse aeron_sys::*;\n\nuse crate::*;\n");
    for (raw, prefix, types) in HANDLES {
        for ty in *types {
            let mut body = String::new();
            for f in fns {
                if NOT_QUERIES.contains(&f.name.as_str()) {
                    continue;
                }
                let Some(first) = f.params.first() else {
                    continue;
                };
                if first.ty != format!("*mut {raw}") {
                    continue;
                }
                let Some(method) = f.name.strip_prefix(prefix) else {
                    continue;
                };
                if f.name.contains("_add_")
                    || f.name.contains("_remove_")
                    || method.starts_with("add_")
                    || method.starts_with("remove_")
                {
                    continue; // registrations, not queries
                }
                if hand.contains(&(ty.to_string(), method.to_string())) {
                    continue; // hand-written code wins
                }
                let doc = if f.doc.is_empty() {
                    format!("`{}`.", f.name)
                } else {
                    f.doc.clone()
                };
                let ret = f.ret.replace("c_int", "i32");
                if f.params.len() == 1 && SCALARS.contains(&f.ret.as_str()) {
                    body.push_str(&doc_lines(&doc, "    "));
                    let _ = writeln!(body, "    pub fn {method}(&self) -> {ret} {{");
                    let _ = writeln!(body, "        // SAFETY: `as_raw` is the live handle this value owns or borrows.");
                    let _ = writeln!(
                        body,
                        "        unsafe {{ {}(self.as_raw()) }}\n    }}\n",
                        f.name
                    );
                } else if f.params.len() == 1 && f.ret == "*const c_char" {
                    body.push_str(&doc_lines(&doc, "    "));
                    let _ = writeln!(body, "    pub fn {method}(&self) -> &str {{");
                    let _ = writeln!(body, "        // SAFETY: the string belongs to the live handle and lives as long as it (and `&self`).");
                    let _ = writeln!(body, "        unsafe {{ crate::context::borrowed_str({}(self.as_raw())) }}\n    }}\n", f.name);
                } else if f.params.len() >= 2 && f.ret == "c_int" {
                    let last = f.params.last().unwrap();
                    let Some(out) = last.ty.strip_prefix("*mut ") else {
                        continue;
                    };
                    let middle = &f.params[1..f.params.len() - 1];
                    if !middle.iter().all(|p| SCALARS.contains(&p.ty.as_str())) {
                        continue;
                    }
                    let init = if SCALARS.contains(&out) {
                        format!("let mut out: {out} = Default::default();")
                    } else if structs.contains(out)
                        && (out.ends_with("_constants_t")
                            || out.ends_with("_values_t")
                            || out.ends_with("_buffers_t"))
                    {
                        format!("let mut out = {out}::default();")
                    } else {
                        continue;
                    };
                    let args: String = middle
                        .iter()
                        .map(|p| format!(", {}: {}", p.name, p.ty))
                        .collect();
                    let call: String = middle.iter().map(|p| format!("{}, ", p.name)).collect();
                    body.push_str(&doc_lines(&doc, "    "));
                    let _ = writeln!(
                        body,
                        "    pub fn {method}(&self{args}) -> Result<{out}, AeronCError> {{"
                    );
                    let _ = writeln!(body, "        {init}");
                    let _ = writeln!(
                        body,
                        "        // SAFETY: live handle and a valid out-pointer."
                    );
                    let _ = writeln!(body, "        AeronCError::check(unsafe {{ {}(self.as_raw(), {call}&mut out) }})?;", f.name);
                    let _ = writeln!(body, "        Ok(out)\n    }}\n");
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
    }
    s
}

fn gen_constants(p: &Parsed) -> String {
    let mut s = rust_header("aeronc.h (constants and enums)");
    s.push_str("\n//! Re-exports of the `AERON_*` constants of `aeronc.h` and Rust names for its enums.\n\n");
    s.push_str("pub use aeron_sys::{\n");
    for c in &p.consts {
        let _ = writeln!(s, "    {c},");
    }
    s.push_str("};\n");
    for e in &p.enums {
        let name = camel(e.trim_end_matches("_t"));
        let _ = writeln!(s, "\n/// `{e}` (a bindgen newtype; its values are associated constants).\npub type {name} = aeron_sys::{e};");
    }
    s
}

fn gen_mod() -> String {
    let mut s = rust_header("aeronc.h");
    s.push_str(
        "\n//! Generated part of the wrapper; the hand-written modules next to it take precedence.\n\n\
         pub(crate) mod constants;\npub(crate) mod context;\npub(crate) mod handlers;\npub(crate) mod queries;\n\n\
         pub use constants::*;\npub(crate) use context::HandlerDefaults;\npub use handlers::*;\n",
    );
    s
}

// ------------------------------------------------------------------------------------------------------
// Hand-written code scan and coverage
// ------------------------------------------------------------------------------------------------------

fn rust_files(dir: &Path, skip: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
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

/// `(Type, method)` pairs defined in hand-written `impl Type { fn method }` blocks.
fn hand_written_methods(files: &[PathBuf]) -> Result<BTreeSet<(String, String)>> {
    let mut set = BTreeSet::new();
    for f in files {
        let text = std::fs::read_to_string(f)?;
        let Ok(file) = syn::parse_file(&text) else {
            continue;
        };
        for item in file.items {
            if let syn::Item::Impl(imp) = item {
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
    }
    Ok(set)
}

/// Identifiers `aeron_*` used in code (comments stripped).
fn used_identifiers(texts: &[String]) -> BTreeSet<String> {
    let mut set = BTreeSet::new();
    for text in texts {
        for line in text.lines() {
            let code = match line.find("//") {
                Some(i) => &line[..i],
                None => line,
            };
            let bytes = code.as_bytes();
            let mut i = 0;
            while i < bytes.len() {
                if (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_')
                    && (i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_'))
                {
                    let start = i;
                    while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_')
                    {
                        i += 1;
                    }
                    let word = &code[start..i];
                    if word.starts_with("aeron_") {
                        set.insert(word.to_string());
                    }
                } else {
                    i += 1;
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
                "client_unwrapped.txt line {}: expected `name: reason`",
                n + 1
            );
        };
        if reason.trim().is_empty() {
            bail!(
                "client_unwrapped.txt line {}: {} has no reason",
                n + 1,
                name.trim()
            );
        }
        m.insert(name.trim().to_string(), reason.trim().to_string());
    }
    Ok(m)
}

/// Generates the files of `crates/rusteron-client/src/generated/` from the bindgen output among `bindings`
/// (or the committed one) and checks the coverage of `aeronc.h`.
pub fn generate(root: &Path, bindings: &[GeneratedFile]) -> Result<Vec<GeneratedFile>> {
    let text = match bindings.iter().find(|f| f.path == Path::new(BINDINGS)) {
        Some(f) => f.contents.clone(),
        None => std::fs::read_to_string(root.join(BINDINGS))
            .with_context(|| format!("reading {BINDINGS}"))?,
    };
    let mut parsed = parse(&text)?;
    let all_functions = parsed.functions.clone();
    parsed
        .functions
        .retain(|f| !NOT_DEFINED_IN_C.contains(&f.name.as_str()));
    let handlers: Vec<Handler> = parsed.callbacks.iter().filter_map(classify).collect();
    let by_typedef: BTreeMap<String, &Handler> = handlers
        .iter()
        .map(|h| (format!("{}_t", h.base), h))
        .collect();
    let structs: BTreeSet<String> = text
        .lines()
        .filter_map(|l| {
            l.strip_prefix("pub type ")
                .and_then(|r| r.split_once(" = "))
                .map(|(n, _)| n.to_string())
        })
        .filter(|n| n.ends_with("_t"))
        .collect();

    let src = root.join(SRC_DIR);
    let generated_dir = root.join(OUT_DIR);
    let hand_files = rust_files(&src, &generated_dir)?;
    let hand = hand_written_methods(&hand_files)?;

    let out = PathBuf::from(OUT_DIR);
    let files = vec![
        GeneratedFile {
            path: out.join("mod.rs"),
            contents: gen_mod(),
        },
        GeneratedFile {
            path: out.join("handlers.rs"),
            contents: gen_handlers(&handlers),
        },
        GeneratedFile {
            path: out.join("context.rs"),
            contents: gen_context(&parsed.functions, &by_typedef)?,
        },
        GeneratedFile {
            path: out.join("queries.rs"),
            contents: gen_queries(&parsed.functions, &structs, &hand),
        },
        GeneratedFile {
            path: out.join("constants.rs"),
            contents: gen_constants(&parsed),
        },
    ];

    let files: Vec<GeneratedFile> = files
        .into_iter()
        .map(|f| {
            Ok(GeneratedFile {
                contents: rustfmt(&f.contents)?,
                path: f.path,
            })
        })
        .collect::<Result<_>>()?;

    // Coverage: every public function is called somewhere in the crate, or listed with a reason.
    let mut texts: Vec<String> = files.iter().map(|f| f.contents.clone()).collect();
    for f in &hand_files {
        texts.push(std::fs::read_to_string(f)?);
    }
    let used = used_identifiers(&texts);
    let listed = unwrapped_list()?;
    let public: BTreeSet<&str> = all_functions.iter().map(|f| f.name.as_str()).collect();
    let wrapped: Vec<&str> = public
        .iter()
        .copied()
        .filter(|n| used.contains(*n))
        .collect();
    let mut problems = Vec::new();
    for n in &public {
        match (used.contains(*n), listed.contains_key(*n)) {
            (false, false) => problems.push(format!(
                "{n} is neither wrapped nor listed in client_unwrapped.txt"
            )),
            (true, true) => problems.push(format!(
                "{n} is wrapped but still listed in client_unwrapped.txt"
            )),
            _ => {}
        }
    }
    for n in listed.keys() {
        if !public.contains(n.as_str()) {
            problems.push(format!(
                "{n} is listed in client_unwrapped.txt but is not a function of aeronc.h"
            ));
        }
    }
    println!(
        "xtask codegen: rusteron-client coverage of aeronc.h: {} / {} public functions wrapped ({:.1}%), {} listed as deliberately unwrapped",
        wrapped.len(),
        public.len(),
        100.0 * wrapped.len() as f64 / public.len().max(1) as f64,
        listed.len()
    );
    // `XTASK_COVERAGE_WARN_ONLY=1` reports coverage problems without failing (while wrapping new functions).
    if !problems.is_empty() {
        let warn_only = std::env::var_os("XTASK_COVERAGE_WARN_ONLY").is_some();
        for p in &problems {
            eprintln!("xtask codegen: coverage: {p}");
        }
        if !warn_only {
            bail!(
                "aeronc.h coverage check failed ({} problems)",
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
            "rustfmt failed on generated code: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(String::from_utf8(out.stdout)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_seed() {
        assert_eq!(type_stem("aeron_on_available_image"), "AeronAvailableImage");
        assert_eq!(type_stem("aeron_fragment_handler"), "AeronFragmentHandler");
        assert_eq!(
            no_helper("aeron_reserved_value_supplier"),
            "no_reserved_value_supplier_handler"
        );
        assert_eq!(
            no_helper("aeron_on_available_image"),
            "no_available_image_handler"
        );
        assert_eq!(no_helper("aeron_error_handler"), "no_error_handler");
    }

    #[test]
    fn identifiers_in_comments_do_not_count() {
        let used = used_identifiers(&[
            "// aeron_a()\nlet x = aeron_b(1); // aeron_c\nfoo_aeron_d();".into(),
        ]);
        assert_eq!(
            used.into_iter().collect::<Vec<_>>(),
            vec!["aeron_b".to_string()]
        );
    }
}
