//! Reads `generated.rs` with `syn` and renders its public surface, one line per fact, for
//! `surface.rs`. Kept out of the test file so each file holds one concern.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::PathBuf;

use syn::{Expr, ImplItem, Item, ReturnType, Stmt};

mod model;
mod ops;
mod render;
mod types;

pub(crate) use model::Surface;
use ops::{collect_op_builders, parse_operation_doc};
pub(crate) use render::tidy;
use render::{
    derives, describe_trait_impl, doc_paragraphs, doc_text, fn_signature, is_pub, render,
    render_use,
};
use types::walk_types;

/// The generated file, relative to this package.
const GENERATED: &str = "../crates/dataarts-release-raw/src/generated.rs";

/// Parses `generated.rs` and renders its surface.
pub(crate) fn surface() -> Surface {
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
