//! The generated types: structs, enums, fields and their serde names.

use std::collections::BTreeMap;

use syn::{Fields, ImplItem, Item, ItemMod, ItemStruct, Stmt};

use super::model::*;
use super::render::*;

/// Everything in `mod types` (and its sub-modules), one block per type, sorted.
pub(crate) fn walk_types(items: &[Item], prefix: &str, out: &mut Surface) {
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

pub(crate) fn describe_struct(
    s: &ItemStruct,
    prefix: &str,
    out: &mut Surface,
) -> (String, Vec<String>) {
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
