//! Rendering syn items as compact, stable text.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use quote::ToTokens;
use syn::punctuated::Punctuated;
use syn::{
    Attribute, Expr, FnArg, ImplItem, ItemImpl, Lit, Meta, ReturnType, Stmt, Token, Visibility,
};

/// Renders tokens compactly, with `::std::...::` / `::core::...::` prefixes removed.
pub(crate) fn render(tokens: &impl ToTokens) -> String {
    tidy(&tokens.to_token_stream().to_string())
}

pub(crate) fn is_ident(token: &str) -> bool {
    token
        .chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
}

/// Tidies the space-separated output of `TokenStream::to_string()`.
pub(crate) fn tidy(tokens: &str) -> String {
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
pub(crate) fn strip_std_in_str(lit: &str) -> String {
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
pub(crate) fn doc_paragraphs(attrs: &[Attribute]) -> Vec<String> {
    let text = doc_text(attrs);
    paragraphs(&text)
}

pub(crate) fn doc_text(attrs: &[Attribute]) -> String {
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

pub(crate) fn paragraphs(text: &str) -> Vec<String> {
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
pub(crate) fn derives(attrs: &[Attribute]) -> String {
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
pub(crate) struct SerdeArgs {
    pub(crate) rename: Option<String>,
    pub(crate) rest: Vec<String>,
}

impl SerdeArgs {
    pub(crate) fn of(attrs: &[Attribute]) -> Self {
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

    pub(crate) fn suffix(&self) -> String {
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
pub(crate) fn render_use(u: &syn::ItemUse) -> String {
    let mut u = u.clone();
    u.attrs.clear();
    render(&u)
}

pub(crate) fn is_pub(vis: &Visibility) -> bool {
    matches!(vis, Visibility::Public(_))
}

/// The string literals that follow each occurrence of `marker` in rendered tokens.
pub(crate) fn string_args_after(haystack: &str, marker: &str) -> Vec<String> {
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

pub(crate) fn fn_signature(sig: &syn::Signature) -> String {
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

/// Which impl a line describes: `impl Trait for Type` with details.
pub(crate) fn describe_trait_impl(imp: &ItemImpl) -> String {
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
