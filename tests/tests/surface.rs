//! Pins the public surface of the generated raw client.
//!
//! Parses `crates/dataarts-release-raw/src/generated.rs` with `syn` and renders one line per
//! fact a user of the client would notice: every operation (HTTP method, path, builder
//! setters with their Rust types, wire names of headers and query parameters, the `send()`
//! result and how each status is dispatched), every generated type (fields, serde names,
//! derives, allowed values, defaults) and every doc text taken from the spec. The summary is
//! snapshotted with insta, so any spec change that alters the generated code fails here
//! until the snapshot is reviewed (`cargo insta review`).
//!
//! The rendering survives rustfmt and changes to function bodies that do not alter
//! behaviour a caller can see.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::PathBuf;

use quote::ToTokens;
use syn::punctuated::Punctuated;
use syn::{
    Attribute, Expr, Fields, FnArg, GenericArgument, ImplItem, Item, ItemImpl, ItemMod, ItemStruct,
    Lit, Meta, PathArguments, ReturnType, Stmt, Token, Type, TypeParamBound, Visibility,
    WherePredicate,
};

/// The generated file, relative to this package.
const GENERATED: &str = "../crates/dataarts-release-raw/src/generated.rs";

/// The seven operations of `openapi/deploy.yaml`, with method and path.
const EXPECTED_OPERATIONS: [(&str, &str, &str); 7] = [
    (
        "cancel_factory_packages",
        "POST",
        "/v2/{project_id}/factory/release-packages/unpack",
    ),
    (
        "create_factory_pending_items_package",
        "POST",
        "/v2/{project_id}/factory/pending-items/package",
    ),
    (
        "deploy_factory_packages",
        "POST",
        "/v2/{project_id}/factory/release-packages/deploy",
    ),
    (
        "list_factory_pending_items",
        "GET",
        "/v2/{project_id}/factory/pending-items",
    ),
    (
        "list_factory_release_packages",
        "POST",
        "/v2/{project_id}/factory/release-packages",
    ),
    (
        "list_system_tasks",
        "GET",
        "/v1/{project_id}/system-tasks/{task_id}",
    ),
    (
        "show_factory_package_detail",
        "GET",
        "/v2/{project_id}/factory/release-packages/{package_id}",
    ),
];

// ---------------------------------------------------------------------------------------
// Rendering helpers
// ---------------------------------------------------------------------------------------

/// Renders tokens compactly, with `::std::...::` / `::core::...::` prefixes removed.
fn render(tokens: &impl ToTokens) -> String {
    tidy(&tokens.to_token_stream().to_string())
}

fn is_ident(token: &str) -> bool {
    token
        .chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
}

/// Tidies the space-separated output of `TokenStream::to_string()`.
fn tidy(tokens: &str) -> String {
    let toks: Vec<&str> = tokens.split_whitespace().collect();
    let mut kept: Vec<String> = Vec::with_capacity(toks.len());
    let mut i = 0;
    while i < toks.len() {
        // `::std :: a :: b :: Name` or `std :: a :: Name` -> `Name`
        let start = if toks[i] == "::" { i + 1 } else { i };
        let is_std_path = toks
            .get(start)
            .is_some_and(|t| matches!(*t, "std" | "core" | "alloc"))
            && toks.get(start + 1) == Some(&"::")
            && toks.get(start + 2).is_some_and(|t| is_ident(t));
        if is_std_path {
            let mut j = start + 2;
            while toks.get(j + 1) == Some(&"::") && toks.get(j + 2).is_some_and(|t| is_ident(t)) {
                // keep `Option::is_none`-style associated paths: stop at the first
                // upper-case segment
                if toks[j].chars().next().is_some_and(char::is_uppercase) {
                    break;
                }
                j += 2;
            }
            i = j;
            continue;
        }
        let tok = toks[i];
        if tok.starts_with('"') {
            kept.push(strip_std_in_str(tok));
        } else {
            kept.push(tok.to_string());
        }
        i += 1;
    }
    let mut s = kept.join(" ");
    let rules: [(&str, &str); 20] = [
        (" . ", "."),
        (" ..= ", "..="),
        (",)", ")"),
        (",>", ">"),
        ("{ ", "{"),
        (" }", "}"),
        (" :: ", "::"),
        (":: ", "::"),
        (" < ", "<"),
        ("< ", "<"),
        (" <", "<"),
        (" >", ">"),
        (" ,", ","),
        ("& ", "&"),
        ("( ", "("),
        (" )", ")"),
        (" (", "("),
        ("[ ", "["),
        (" ]", "]"),
        (" ;", ";"),
    ];
    loop {
        let before = s.clone();
        for (from, to) in rules {
            s = s.replace(from, to);
        }
        if s == before {
            break;
        }
    }
    // `-> Self` and `=` keep their spaces; `'a` lifetimes were split by the space join
    s.replace("' ", "'")
        .replace("->", " -> ")
        .replace("  ", " ")
}

/// `"::std::option::Option::is_none"` -> `"Option::is_none"` inside a string literal.
fn strip_std_in_str(lit: &str) -> String {
    let mut s = lit.to_string();
    for root in ["::std::", "::core::", "std::", "core::"] {
        while let Some(pos) = s.find(root) {
            let after = pos + root.len();
            // drop `root` and the module segment after it (`option::`, `vec::`, ...)
            match s[after..].find("::") {
                Some(end)
                    if s[after..after + end]
                        .chars()
                        .all(|c| c.is_lowercase() || c == '_') =>
                {
                    s.replace_range(pos..after + end + 2, "");
                }
                _ => {
                    s.replace_range(pos..after, "");
                }
            }
        }
    }
    s
}

/// Doc text of an item: its `#[doc]` attributes joined, split into paragraphs, each
/// paragraph's lines trimmed and joined by one space.
fn doc_paragraphs(attrs: &[Attribute]) -> Vec<String> {
    let text = doc_text(attrs);
    paragraphs(&text)
}

fn doc_text(attrs: &[Attribute]) -> String {
    let mut parts = Vec::new();
    for attr in attrs {
        if !attr.path().is_ident("doc") {
            continue;
        }
        if let Meta::NameValue(nv) = &attr.meta {
            if let Expr::Lit(lit) = &nv.value {
                if let Lit::Str(s) = &lit.lit {
                    parts.push(s.value());
                }
            }
        }
    }
    parts.join("\n")
}

fn paragraphs(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() {
            if !current.is_empty() {
                out.push(current.join(" "));
                current.clear();
            }
        } else {
            current.push(line);
        }
    }
    if !current.is_empty() {
        out.push(current.join(" "));
    }
    out
}

/// ` derive(A, B)` with the sorted last segments of every `#[derive(...)]` path, or "".
fn derives(attrs: &[Attribute]) -> String {
    let mut names = BTreeSet::new();
    for attr in attrs.iter().filter(|a| a.path().is_ident("derive")) {
        let paths = attr
            .parse_args_with(Punctuated::<syn::Path, Token![,]>::parse_terminated)
            .expect("derive list");
        for p in paths {
            names.insert(p.segments.last().expect("path segment").ident.to_string());
        }
    }
    if names.is_empty() {
        return String::new();
    }
    format!(
        " derive({})",
        names.into_iter().collect::<Vec<_>>().join(", ")
    )
}

/// The arguments of every `#[serde(...)]`: `rename` separately, the rest rendered.
#[derive(Default)]
struct SerdeArgs {
    rename: Option<String>,
    rest: Vec<String>,
}

impl SerdeArgs {
    fn of(attrs: &[Attribute]) -> Self {
        let mut out = Self::default();
        for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
            attr.parse_nested_meta(|meta| {
                let key = render(&meta.path);
                if meta.input.peek(Token![=]) {
                    let value: Expr = meta.value()?.parse()?;
                    match (&*key, &value) {
                        (
                            "rename",
                            Expr::Lit(syn::ExprLit {
                                lit: Lit::Str(s), ..
                            }),
                        ) => out.rename = Some(s.value()),
                        _ => out.rest.push(format!("{key} = {}", render(&value))),
                    }
                } else if meta.input.peek(syn::token::Paren) {
                    let content;
                    syn::parenthesized!(content in meta.input);
                    let inner: proc_macro2::TokenStream = content.parse()?;
                    out.rest
                        .push(format!("{key}({})", tidy(&inner.to_string())));
                } else {
                    out.rest.push(key);
                }
                Ok(())
            })
            .expect("serde attribute");
        }
        out
    }

    fn suffix(&self) -> String {
        let mut s = String::new();
        if let Some(r) = &self.rename {
            let _ = write!(s, " (json {r:?})");
        }
        if !self.rest.is_empty() {
            let _ = write!(s, " serde({})", self.rest.join(", "));
        }
        s
    }
}

/// A `use` item without its attributes.
fn render_use(u: &syn::ItemUse) -> String {
    let mut u = u.clone();
    u.attrs.clear();
    render(&u)
}

fn is_pub(vis: &Visibility) -> bool {
    matches!(vis, Visibility::Public(_))
}

/// The string literals that follow each occurrence of `marker` in rendered tokens.
fn string_args_after(haystack: &str, marker: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = haystack;
    while let Some(pos) = rest.find(marker) {
        rest = &rest[pos + marker.len()..];
        let trimmed = rest.trim_start_matches([' ', '(']);
        if let Some(stripped) = trimmed.strip_prefix('"') {
            if let Some(end) = stripped.find('"') {
                out.push(stripped[..end].to_string());
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// The model
// ---------------------------------------------------------------------------------------

#[derive(Debug)]
struct Operation {
    http_method: String,
    path: String,
    builder: String,
    docs: Vec<String>,
    /// parameter name -> doc text, from the "Arguments:" list of the method doc
    param_docs: BTreeMap<String, String>,
}

#[derive(Debug, Default)]
struct Setter {
    /// the `T` of `TryInto<T>`, or the rendered bound
    target: String,
    /// `required`, `optional` or `has default`
    kind: String,
}

#[derive(Debug, Default)]
struct OpBuilder {
    setters: BTreeMap<String, Setter>,
    send: Option<String>,
    operation_id: Option<String>,
    headers: Vec<String>,
    query: Vec<String>,
    dispatch: Vec<String>,
    body: Option<String>,
}

struct Surface {
    lines: Vec<String>,
    operations: BTreeMap<String, Operation>,
    builders: BTreeMap<String, OpBuilder>,
    /// `Type.field` -> rendered field type and serde suffix
    fields: BTreeMap<String, String>,
}

/// Splits a generated operation doc into its description paragraphs, the
/// "Sends a `X` request to `path`" line and the "Arguments:" list.
/// The result has an empty `builder`.
fn parse_operation_doc(doc: &str) -> Option<Operation> {
    let sends = doc.find("Sends a `")?;
    let (description, rest) = doc.split_at(sends);
    let line = rest.lines().next()?;
    // Sends a `POST` request to `/v2/...`
    let mut ticks = line.split('`');
    let _ = ticks.next();
    let method = ticks.next()?.to_string();
    let _ = ticks.next();
    let path = ticks.next()?.to_string();

    let mut params = BTreeMap::new();
    if let Some(args_at) = rest.find("Arguments:") {
        let args = &rest[args_at + "Arguments:".len()..];
        let args = args.split("```").next().unwrap_or_default();
        let mut current: Option<(String, Vec<String>)> = None;
        for line in args.lines() {
            let line = line.trim();
            if let Some(item) = line.strip_prefix("- `") {
                if let Some((name, text)) = current.take() {
                    params.insert(name, text.join(" "));
                }
                let (name, text) = item.split_once('`').unwrap_or((item, ""));
                let text = text.trim_start_matches(':').trim();
                let mut lines = Vec::new();
                if !text.is_empty() {
                    lines.push(text.to_string());
                }
                current = Some((name.to_string(), lines));
            } else if !line.is_empty() {
                if let Some((_, lines)) = current.as_mut() {
                    lines.push(line.to_string());
                }
            }
        }
        if let Some((name, text)) = current.take() {
            params.insert(name, text.join(" "));
        }
    }
    Some(Operation {
        http_method: method,
        path,
        builder: String::new(),
        docs: paragraphs(description),
        param_docs: params,
    })
}

fn fn_signature(sig: &syn::Signature) -> String {
    let args: Vec<String> = sig
        .inputs
        .iter()
        .map(|a| match a {
            FnArg::Receiver(r) => render(r),
            FnArg::Typed(t) => format!("{}: {}", render(&t.pat), render(&t.ty)),
        })
        .collect();
    let ret = match &sig.output {
        ReturnType::Default => String::new(),
        ReturnType::Type(_, t) => format!(" -> {}", render(t)),
    };
    let asyncness = if sig.asyncness.is_some() {
        "async "
    } else {
        ""
    };
    format!("{asyncness}{}({}){ret}", sig.ident, args.join(", ")).replacen("async ", "async fn ", 1)
}

/// `Result<X, String>` -> `X`
fn result_ok_type(ty: &Type) -> Option<&Type> {
    let Type::Path(p) = ty else { return None };
    let seg = p.path.segments.last()?;
    if seg.ident != "Result" {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &seg.arguments else {
        return None;
    };
    match args.args.first()? {
        GenericArgument::Type(t) => Some(t),
        _ => None,
    }
}

fn is_option(ty: &Type) -> bool {
    matches!(ty, Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "Option"))
}

/// The `T` in a `V: TryInto<T>` where-clause bound, or the whole bound rendered.
fn setter_target(sig: &syn::Signature) -> String {
    let Some(wc) = &sig.generics.where_clause else {
        return sig
            .inputs
            .iter()
            .filter_map(|a| match a {
                FnArg::Typed(t) => Some(render(&t.ty)),
                FnArg::Receiver(_) => None,
            })
            .collect::<Vec<_>>()
            .join(", ");
    };
    let mut bounds = Vec::new();
    for pred in &wc.predicates {
        let WherePredicate::Type(pt) = pred else {
            continue;
        };
        // only bounds on the setter's own type parameter, not `<V as ..>::Error: Display`
        if !matches!(&pt.bounded_ty, Type::Path(p) if p.path.segments.len() == 1) {
            continue;
        }
        for bound in &pt.bounds {
            let TypeParamBound::Trait(tb) = bound else {
                continue;
            };
            let last = tb.path.segments.last().expect("bound path");
            if last.ident == "TryInto" {
                if let PathArguments::AngleBracketed(args) = &last.arguments {
                    if let Some(GenericArgument::Type(t)) = args.args.first() {
                        return render(t);
                    }
                }
            }
            bounds.push(render(tb));
        }
    }
    format!("impl {}", bounds.join(" + "))
}

/// How each status arm of `match response.status().as_u16()` is handled.
fn dispatch_arms(block: &syn::Block) -> Vec<String> {
    let mut arms = Vec::new();
    for stmt in &block.stmts {
        let Stmt::Expr(Expr::Match(m), _) = stmt else {
            continue;
        };
        for arm in &m.arms {
            let pat = render(&arm.pat).replace("u16", "");
            let body = render(&arm.body);
            let outcome = if body.contains("ErrorResponse") {
                "Err(ErrorResponse)"
            } else if body.contains("UnexpectedResponse") {
                "Err(UnexpectedResponse)"
            } else if body.contains("ResponseValue::empty") {
                "Ok(no body)"
            } else if body.contains("ResponseValue::stream") {
                "Ok(stream)"
            } else if body.contains("ResponseValue::from_response") {
                "Ok(json)"
            } else {
                "other"
            };
            arms.push(format!("{pat} => {outcome}"));
        }
    }
    arms
}

fn collect_op_builders(module: &ItemMod) -> BTreeMap<String, OpBuilder> {
    let items = &module.content.as_ref().expect("mod builder content").1;
    let mut builders: BTreeMap<String, OpBuilder> = BTreeMap::new();
    // field name -> (is option, initial value is Err) per builder
    let mut field_kinds: BTreeMap<(String, String), (bool, bool)> = BTreeMap::new();
    for item in items {
        match item {
            Item::Struct(s) => {
                let name = s.ident.to_string();
                builders.entry(name.clone()).or_default();
                for f in &s.fields {
                    let fname = f.ident.as_ref().expect("named field").to_string();
                    if fname == "client" {
                        continue;
                    }
                    let optional = result_ok_type(&f.ty).is_some_and(is_option);
                    field_kinds.insert((name.clone(), fname), (optional, false));
                }
            }
            Item::Impl(imp) if imp.trait_.is_none() => {
                let Type::Path(tp) = &*imp.self_ty else {
                    continue;
                };
                let name = tp
                    .path
                    .segments
                    .last()
                    .expect("self type")
                    .ident
                    .to_string();
                for ii in &imp.items {
                    let ImplItem::Fn(f) = ii else { continue };
                    let fname = f.sig.ident.to_string();
                    let tokens = render(&f.block);
                    match fname.as_str() {
                        "new" => {
                            // `Self { client: client, project_id: Err(..), workspace: Ok(None), .. }`
                            for stmt in &f.block.stmts {
                                let Stmt::Expr(Expr::Struct(init), _) = stmt else {
                                    continue;
                                };
                                for fv in &init.fields {
                                    let key = render(&fv.member);
                                    let is_err = matches!(&fv.expr, Expr::Call(c) if render(&c.func) == "Err");
                                    if let Some(k) = field_kinds.get_mut(&(name.clone(), key)) {
                                        k.1 = is_err;
                                    }
                                }
                            }
                        }
                        "send" => {
                            let b = builders.entry(name.clone()).or_default();
                            b.send = Some(fn_signature(&f.sig).replacen("send(self)", "send()", 1));
                            b.operation_id = string_args_after(&tokens, "operation_id :")
                                .into_iter()
                                .next();
                            b.headers = string_args_after(&tokens, "header_map.append(");
                            b.headers
                                .extend(string_args_after(&tokens, "HeaderName::from_static("));
                            b.headers.sort();
                            b.headers.dedup();
                            b.query = string_args_after(&tokens, "QueryParam::new(");
                            b.body = if tokens.contains(".json(&body)") {
                                Some("json".to_string())
                            } else if tokens.contains(".body(") {
                                Some("raw".to_string())
                            } else {
                                None
                            };
                            b.dispatch = dispatch_arms(&f.block);
                        }
                        _ if is_pub(&f.vis) => {
                            let target = setter_target(&f.sig);
                            builders.entry(name.clone()).or_default().setters.insert(
                                fname,
                                Setter {
                                    target,
                                    kind: String::new(),
                                },
                            );
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    for ((builder, field), (optional, starts_err)) in field_kinds {
        let b = builders.get_mut(&builder).expect("builder");
        let kind = match (optional, starts_err) {
            (true, _) => "optional",
            (false, true) => "required",
            (false, false) => "starts as Default",
        };
        match b.setters.get_mut(&field) {
            Some(s) => s.kind = kind.to_string(),
            None => {
                b.setters.insert(
                    field,
                    Setter {
                        target: "(no setter)".to_string(),
                        kind: kind.to_string(),
                    },
                );
            }
        }
    }
    builders
}

/// Which impl a line describes: `impl Trait for Type` with details.
fn describe_trait_impl(imp: &ItemImpl) -> String {
    let (_, path, _) = imp.trait_.as_ref().expect("trait impl");
    let generics = if imp.generics.params.is_empty() {
        String::new()
    } else {
        render(&imp.generics)
    };
    let mut line = format!(
        "impl{generics} {} for {}",
        render(path),
        render(&imp.self_ty)
    );
    let trait_name = path.segments.last().expect("trait path").ident.to_string();
    for ii in &imp.items {
        match ii {
            ImplItem::Type(t) => {
                let _ = write!(line, " [type {} = {}]", t.ident, render(&t.ty));
            }
            ImplItem::Fn(f) if trait_name == "Default" => {
                if let Some(Stmt::Expr(e, _)) = f.block.stmts.last() {
                    let _ = write!(line, " = {}", render(e));
                }
            }
            ImplItem::Fn(f) if trait_name == "TryFrom" => {
                let body = render(&f.block);
                if let Some(end) = body.find("].contains") {
                    if let Some(start) = body[..end].rfind('[') {
                        let _ = write!(line, " [allowed {}]", &body[start..=end]);
                    }
                }
            }
            _ => {}
        }
    }
    line
}

/// Everything in `mod types` (and its sub-modules), one block per type, sorted.
fn walk_types(items: &[Item], prefix: &str, out: &mut Surface) {
    let mut blocks: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut impls: Vec<String> = Vec::new();
    let mut inherent: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut submodules: Vec<&ItemMod> = Vec::new();

    for item in items {
        match item {
            Item::Struct(s) => {
                let (name, block) = describe_struct(s, prefix, out);
                blocks.insert(name, block);
            }
            Item::Enum(e) => {
                let name = format!("{prefix}{}", e.ident);
                let mut block = vec![format!(
                    "type {name} enum{}{}",
                    derives(&e.attrs),
                    SerdeArgs::of(&e.attrs).suffix()
                )];
                for p in doc_paragraphs(&e.attrs) {
                    block.push(format!("  doc {name}: {p}"));
                }
                for v in &e.variants {
                    let fields = match &v.fields {
                        Fields::Unit => String::new(),
                        other => render(other),
                    };
                    block.push(format!(
                        "  variant {name}::{}{fields}{}",
                        v.ident,
                        SerdeArgs::of(&v.attrs).suffix()
                    ));
                    for p in doc_paragraphs(&v.attrs) {
                        block.push(format!("    doc {name}::{}: {p}", v.ident));
                    }
                }
                blocks.insert(name, block);
            }
            Item::Type(t) => {
                let name = format!("{prefix}{}", t.ident);
                blocks.insert(
                    name.clone(),
                    vec![format!("type {name} = {}", render(&t.ty))],
                );
            }
            Item::Impl(imp) if imp.trait_.is_some() => impls.push(describe_trait_impl(imp)),
            Item::Impl(imp) => {
                let self_ty = render(&imp.self_ty);
                for ii in &imp.items {
                    if let ImplItem::Fn(f) = ii {
                        if is_pub(&f.vis) {
                            let sig = fn_signature(&f.sig);
                            let line = if sig == format!("builder() -> builder::{self_ty}") {
                                format!("  fn {prefix}{self_ty}::builder()")
                            } else {
                                format!("  fn {prefix}{self_ty}::{sig}")
                            };
                            inherent
                                .entry(format!("{prefix}{self_ty}"))
                                .or_default()
                                .push(line);
                        }
                    }
                }
            }
            Item::Mod(m) if m.ident == "builder" => {
                // The per-type builders mirror the struct fields; pin their setter names.
                let items = &m.content.as_ref().expect("types::builder content").1;
                for item in items {
                    let Item::Impl(imp) = item else { continue };
                    if imp.trait_.is_some() {
                        continue;
                    }
                    let names: Vec<String> = imp
                        .items
                        .iter()
                        .filter_map(|ii| match ii {
                            ImplItem::Fn(f) if is_pub(&f.vis) => Some(f.sig.ident.to_string()),
                            _ => None,
                        })
                        .collect();
                    inherent
                        .entry(format!("{prefix}{}", render(&imp.self_ty)))
                        .or_default()
                        .push(format!(
                            "  {prefix}builder::{} setters: {}",
                            render(&imp.self_ty),
                            names.join(", ")
                        ));
                }
            }
            Item::Mod(m) if m.ident == "defaults" => {
                for item in &m.content.as_ref().expect("defaults content").1 {
                    if let Item::Fn(f) = item {
                        let value = match f.block.stmts.last() {
                            Some(Stmt::Expr(e, _)) => render(e),
                            _ => render(&f.block),
                        };
                        impls.push(format!(
                            "default-fn {prefix}defaults::{} = {value}",
                            fn_signature(&f.sig)
                        ));
                    }
                }
            }
            Item::Mod(m) => submodules.push(m),
            Item::Use(u) if is_pub(&u.vis) => impls.push(format!("reexport {}", render_use(u))),
            Item::Use(_) => {}
            other => impls.push(format!("other item: {}", render(other))),
        }
    }

    for (ty, lines) in &inherent {
        match blocks.get_mut(ty) {
            Some(block) => block.extend(lines.iter().cloned()),
            None => impls.extend(lines.iter().map(|l| format!("inherent {}", l.trim()))),
        }
    }
    for block in blocks.values() {
        out.lines.extend(block.iter().cloned());
    }
    impls.sort();
    out.lines.extend(impls);
    for m in submodules {
        let inner = &m.content.as_ref().expect("module content").1;
        walk_types(inner, &format!("{prefix}{}::", m.ident), out);
    }
}

fn describe_struct(s: &ItemStruct, prefix: &str, out: &mut Surface) -> (String, Vec<String>) {
    let name = format!("{prefix}{}", s.ident);
    let serde = SerdeArgs::of(&s.attrs).suffix();
    let derive = derives(&s.attrs);
    let mut block = Vec::new();
    match &s.fields {
        Fields::Named(named) => {
            block.push(format!("type {name} struct{derive}{serde}"));
            for p in doc_paragraphs(&s.attrs) {
                block.push(format!("  doc {name}: {p}"));
            }
            let mut fields: Vec<&syn::Field> = named.named.iter().collect();
            fields.sort_by_key(|f| f.ident.as_ref().map(ToString::to_string));
            for f in fields {
                let fname = f.ident.as_ref().expect("named field").to_string();
                let vis = if is_pub(&f.vis) { "" } else { "(private) " };
                let rendered =
                    format!("{vis}{}{}", render(&f.ty), SerdeArgs::of(&f.attrs).suffix());
                block.push(format!("  field {name}.{fname}: {rendered}"));
                out.fields.insert(format!("{name}.{fname}"), rendered);
                for p in doc_paragraphs(&f.attrs) {
                    block.push(format!("    doc {name}.{fname}: {p}"));
                }
            }
        }
        Fields::Unnamed(unnamed) => {
            let inner: Vec<String> = unnamed
                .unnamed
                .iter()
                .map(|f| {
                    let vis = if is_pub(&f.vis) { "pub " } else { "" };
                    format!("{vis}{}", render(&f.ty))
                })
                .collect();
            block.push(format!(
                "type {name} newtype({}){derive}{serde}",
                inner.join(", ")
            ));
            for p in doc_paragraphs(&s.attrs) {
                block.push(format!("  doc {name}: {p}"));
            }
        }
        Fields::Unit => block.push(format!("type {name} unit{derive}{serde}")),
    }
    (name, block)
}

// ---------------------------------------------------------------------------------------
// The surface
// ---------------------------------------------------------------------------------------

fn surface() -> Surface {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(GENERATED);
    let source =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    let file = syn::parse_file(&source).expect("generated.rs parses");

    let mut out = Surface {
        lines: Vec::new(),
        operations: BTreeMap::new(),
        builders: BTreeMap::new(),
        fields: BTreeMap::new(),
    };
    let mut client_lines = Vec::new();
    let mut types_mod = None;
    let mut other_lines = Vec::new();

    for item in &file.items {
        match item {
            Item::Use(u) if is_pub(&u.vis) => {
                client_lines.push(format!("reexport {}", render_use(u)))
            }
            Item::Use(_) => {}
            Item::Struct(s) if s.ident == "Client" => {
                client_lines.push(format!("client struct Client{}", derives(&s.attrs)));
                for p in doc_paragraphs(&s.attrs) {
                    client_lines.push(format!("  doc Client: {p}"));
                }
                for f in &s.fields {
                    client_lines.push(format!(
                        "  field Client.{}: {} ({})",
                        f.ident.as_ref().expect("named"),
                        render(&f.ty),
                        render(&f.vis)
                    ));
                }
            }
            Item::Impl(imp) if imp.trait_.is_none() && render(&imp.self_ty) == "Client" => {
                for ii in &imp.items {
                    let ImplItem::Fn(f) = ii else { continue };
                    let doc = doc_text(&f.attrs);
                    match parse_operation_doc(&doc) {
                        Some(mut op) => {
                            op.builder = match &f.sig.output {
                                ReturnType::Type(_, t) => render(t),
                                ReturnType::Default => String::new(),
                            };
                            out.operations.insert(f.sig.ident.to_string(), op);
                        }
                        None => {
                            client_lines.push(format!("client fn Client::{}", fn_signature(&f.sig)))
                        }
                    }
                }
            }
            Item::Impl(imp) if imp.trait_.is_some() => {
                let mut line = format!("client {}", describe_trait_impl(imp));
                for ii in &imp.items {
                    let ImplItem::Fn(f) = ii else { continue };
                    if let Some(Stmt::Expr(Expr::Lit(l), _)) = f.block.stmts.last() {
                        let _ = write!(line, " [{} = {}]", f.sig.ident, render(l));
                    }
                }
                client_lines.push(line);
            }
            Item::Const(c) => {
                let tokens = render(c);
                let bound = tokens
                    .split_once(" where ")
                    .map(|(_, rest)| {
                        rest.split('{')
                            .next()
                            .unwrap_or_default()
                            .trim()
                            .trim_end_matches(',')
                    })
                    .unwrap_or("(no where clause)");
                client_lines.push(format!("client compile-time assertion: {bound}"));
            }
            Item::Mod(m) if m.ident == "types" => types_mod = Some(m),
            Item::Mod(m) if m.ident == "builder" => out.builders = collect_op_builders(m),
            Item::Mod(m) => {
                for inner in &m.content.as_ref().expect("module content").1 {
                    other_lines.push(format!("mod {}: {}", m.ident, render(inner)));
                }
            }
            other => other_lines.push(format!("other item: {}", render(other))),
        }
    }

    out.lines.push("## client".to_string());
    out.lines.append(&mut client_lines);
    out.lines.append(&mut other_lines);

    out.lines.push(String::new());
    out.lines.push("## operations".to_string());
    let mut op_lines = Vec::new();
    let mut used_builders = BTreeSet::new();
    for (id, op) in &out.operations {
        op_lines.push(format!(
            "op {id} {} {} -> {}",
            op.http_method, op.path, op.builder
        ));
        for p in &op.docs {
            op_lines.push(format!("  doc {id}: {p}"));
        }
        let builder_name = op
            .builder
            .trim_start_matches("builder::")
            .split('<')
            .next()
            .unwrap_or_default()
            .to_string();
        used_builders.insert(builder_name.clone());
        let Some(b) = out.builders.get(&builder_name) else {
            op_lines.push(format!("  (no builder struct {builder_name})"));
            continue;
        };
        for (name, s) in &b.setters {
            let kind = if s.kind.is_empty() {
                String::new()
            } else {
                format!(" {}", s.kind)
            };
            op_lines.push(format!(
                "  op-arg {builder_name}.{name}({}){kind}",
                s.target
            ));
            if let Some(d) = op.param_docs.get(name).filter(|d| !d.is_empty()) {
                op_lines.push(format!("    doc {id}.{name}: {d}"));
            }
        }
        for name in op.param_docs.keys() {
            if !b.setters.contains_key(name) {
                op_lines.push(format!("  (documented argument {name} has no setter)"));
            }
        }
        for h in &b.headers {
            op_lines.push(format!("  op-header {builder_name} {h}"));
        }
        for q in &b.query {
            op_lines.push(format!("  op-query {builder_name} {q}"));
        }
        if let Some(body) = &b.body {
            op_lines.push(format!("  op-body {builder_name} {body}"));
        }
        op_lines.push(format!(
            "  op-send {builder_name}: {}",
            b.send.as_deref().unwrap_or("(no send)")
        ));
        op_lines.push(format!(
            "  op-info {builder_name} operation_id = {}",
            b.operation_id.as_deref().unwrap_or("(none)")
        ));
        for arm in &b.dispatch {
            op_lines.push(format!("  op-status {builder_name} {arm}"));
        }
    }
    for name in out.builders.keys() {
        if !used_builders.contains(name) {
            op_lines.push(format!("builder {name} (not returned by any operation)"));
        }
    }
    out.lines.append(&mut op_lines);

    out.lines.push(String::new());
    out.lines.push("## types".to_string());
    let types_mod = types_mod.expect("generated.rs has `mod types`");
    walk_types(
        &types_mod.content.as_ref().expect("types content").1,
        "",
        &mut out,
    );
    out
}

#[test]
fn generated_surface_snapshot() {
    let s = surface();
    let text = s.lines.join("\n") + "\n";
    insta::with_settings!({
        description => "Public surface of crates/dataarts-release-raw/src/generated.rs, one line per fact \
                        (tests/tests/surface.rs). After `cargo xtask codegen`, review with `cargo insta review`.",
        omit_expression => true,
    }, {
        insta::assert_snapshot!("generated_surface", text);
    });
}

#[test]
fn generated_surface_has_the_seven_operations() {
    let s = surface();
    let ids: Vec<&str> = s.operations.keys().map(String::as_str).collect();
    let expected: Vec<&str> = EXPECTED_OPERATIONS.iter().map(|(id, _, _)| *id).collect();
    assert_eq!(ids.len(), 7, "operation count: {ids:?}");
    assert_eq!(ids, expected, "operation ids");
    for (id, method, path) in EXPECTED_OPERATIONS {
        let op = &s.operations[id];
        assert_eq!(op.http_method, method, "{id} method");
        assert_eq!(op.path, path, "{id} path");
        let builder_name = op
            .builder
            .trim_start_matches("builder::")
            .split('<')
            .next()
            .unwrap();
        let b = s
            .builders
            .get(builder_name)
            .unwrap_or_else(|| panic!("{id}: builder {builder_name} missing"));
        assert_eq!(
            b.operation_id.as_deref(),
            Some(id),
            "{id}: OperationInfo id"
        );
        let send = b
            .send
            .as_deref()
            .unwrap_or_else(|| panic!("{id}: no send()"));
        assert!(
            send.ends_with("Error<types::ErrorBody>>"),
            "{id}: error type is ErrorBody: {send}"
        );
        assert_eq!(b.setters["project_id"].kind, "required", "{id}: project_id");
        assert!(
            b.headers.iter().any(|h| h == "api-version"),
            "{id}: api-version header"
        );
        assert!(
            b.headers.iter().any(|h| h == "workspace"),
            "{id}: workspace header"
        );
    }
    // Exactly two operations require the workspace header.
    for (builder, kind) in [
        ("DeployFactoryPackages", "optional"),
        ("ListFactoryReleasePackages", "optional"),
        ("ShowFactoryPackageDetail", "optional"),
        ("CancelFactoryPackages", "optional"),
        ("ListFactoryPendingItems", "required"),
        ("CreateFactoryPendingItemsPackage", "required"),
        ("ListSystemTasks", "optional"),
    ] {
        assert_eq!(
            s.builders[builder].setters["workspace"].kind, kind,
            "{builder}.workspace"
        );
    }
}

#[test]
fn generated_surface_key_facts() {
    let s = surface();
    let deploy = &s.builders["DeployFactoryPackages"];
    assert_eq!(deploy.setters["body"].target, "types::DeployBody");
    assert_eq!(
        deploy.send.as_deref(),
        Some("async fn send() -> Result<ResponseValue<types::DeployResponse>, Error<types::ErrorBody>>")
    );
    assert_eq!(
        s.builders["CancelFactoryPackages"].send.as_deref(),
        Some("async fn send() -> Result<ResponseValue<()>, Error<types::ErrorBody>>"),
        "cancel has no success body"
    );
    let pending = &s.builders["ListFactoryPendingItems"];
    assert_eq!(
        pending.query,
        [
            "end_time",
            "item_name",
            "limit",
            "offset",
            "start_time",
            "submit_user_name",
            "task_type",
            "update_type"
        ]
    );
    assert_eq!(pending.setters["limit"].target, "NonZeroU32");
    // The deploy response's package_id is the one numeric package id.
    assert!(s.fields["DeployPackageDetail.package_id"].starts_with("Option<i64>"));
    assert!(s.fields["ReleasePackage.package_id"].starts_with("Option<String>"));
    // Both subtask keys decode.
    assert!(s.fields["SystemTask.sub_tasks"].contains("(json \"subTasks\")"));
    assert!(s.fields["SystemTask.subtasks"].starts_with("Vec<SubTask>"));
    // Timestamps use the hand-written EpochMillis.
    assert!(s.fields["PendingItem.submit_timestamp"].starts_with("Option<crate::EpochMillis>"));
    // Server-controlled statuses are plain values, never closed enums.
    assert!(s.fields["SystemTask.status"].starts_with("String"));
    assert!(s.fields["ReleasePackage.deploy_status"].starts_with("Option<i32>"));
    assert!(
        !s.lines
            .iter()
            .any(|l| l.starts_with("type ") && l.contains(" enum")),
        "no generated enums: a new server value must not break decoding"
    );
}

#[test]
fn tidy_strips_std_paths() {
    assert_eq!(
        tidy(":: std :: option :: Option < :: std :: vec :: Vec < :: std :: string :: String > >"),
        "Option<Vec<String>>"
    );
    assert_eq!(
        tidy("\"::std::option::Option::is_none\""),
        "\"Option::is_none\""
    );
    assert_eq!(
        tidy("std :: convert :: TryInto < types :: DeployBody >"),
        "TryInto<types::DeployBody>"
    );
    assert_eq!(tidy("crate :: EpochMillis"), "crate::EpochMillis");
}
