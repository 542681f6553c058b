//! The client's operations and their builders.

use std::collections::BTreeMap;

use syn::{
    Expr, FnArg, GenericArgument, ImplItem, Item, ItemMod, PathArguments, Stmt, Type,
    TypeParamBound, WherePredicate,
};

use super::model::*;
use super::render::*;

/// Splits a generated operation doc into its description paragraphs, the
/// "Sends a `X` request to `path`" line and the "Arguments:" list.
/// The result has an empty `builder`.
pub(crate) fn parse_operation_doc(doc: &str) -> Option<Operation> {
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

/// `Result<X, String>` -> `X`
pub(crate) fn result_ok_type(ty: &Type) -> Option<&Type> {
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

pub(crate) fn is_option(ty: &Type) -> bool {
    matches!(ty, Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "Option"))
}

/// The `T` in a `V: TryInto<T>` where-clause bound, or the whole bound rendered.
pub(crate) fn setter_target(sig: &syn::Signature) -> String {
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
pub(crate) fn dispatch_arms(block: &syn::Block) -> Vec<String> {
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

pub(crate) fn collect_op_builders(module: &ItemMod) -> BTreeMap<String, OpBuilder> {
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
