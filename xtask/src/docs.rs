//! `cargo xtask docs [--check]`: the HTML API reference.
//!
//! The page is Swagger UI, from the npm package `swagger-ui-dist` pinned in
//! `tools/node/package-lock.json`, on our own `index.html` and `reference.js`. Its files are
//! vendored into the emulator crate (`crates/dataarts-emulator/reference/`), which serves the
//! page at `/reference/`. This command refreshes the vendored files from `node_modules`, makes
//! sure the raw crate's copies of the spec are current, and writes a self-contained site to
//! `target/api-reference/` that works from disk (`file://`) and from any static host: there,
//! `openapi.js` carries the description, because a page opened from disk may not fetch files.
//! `--check` changes nothing and fails when a vendored file or a spec copy is stale.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};

/// The npm project that pins the JavaScript tools.
pub const TOOLS_DIR: &str = "tools/node";
/// Where the emulator crate keeps the page and the vendored Swagger UI files.
pub const REFERENCE_DIR: &str = "crates/dataarts-emulator/reference";
/// Where the static site is written.
pub const SITE_DIR: &str = "target/api-reference";
/// The npm package the page is rendered with.
pub const PACKAGE: &str = "swagger-ui-dist";
/// The package's files we vendor, unmodified.
pub const VENDORED: [&str; 5] = [
    "swagger-ui-bundle.js",
    "swagger-ui.css",
    "swagger-ui-bundle.js.LICENSE.txt",
    "LICENSE",
    "NOTICE",
];
/// Our own files of the page.
pub const OWN: [&str; 2] = ["index.html", "reference.js"];
/// The line of `index.html` the static site replaces with the embedded description.
pub const EMBED_MARKER: &str = "<!-- embedded spec -->";

/// Whether a repository path is one of the vendored third-party files (which the repository's
/// own text rules, such as the tidy checks, must not judge).
pub fn is_vendored(path: &str) -> bool {
    path.strip_prefix(REFERENCE_DIR)
        .and_then(|rest| rest.strip_prefix('/'))
        .is_some_and(|name| VENDORED.contains(&name))
}

/// Runs `cargo xtask docs` with its arguments.
pub fn run(args: &[&str]) -> anyhow::Result<()> {
    match args {
        [] => build(),
        ["--check"] => check(),
        _ => bail!("usage: cargo xtask docs [--check]"),
    }
}

/// The version of `swagger-ui-dist` that `package-lock.json` pins.
pub fn pinned_version(lock_json: &str) -> anyhow::Result<String> {
    let lock: serde_json::Value =
        serde_json::from_str(lock_json).context("tools/node/package-lock.json is not JSON")?;
    lock["packages"][format!("node_modules/{PACKAGE}")]["version"]
        .as_str()
        .map(str::to_owned)
        .with_context(|| format!("tools/node/package-lock.json does not pin {PACKAGE}"))
}

/// The version of an installed npm package, from its `package.json`.
fn installed_version(package_json: &str) -> anyhow::Result<String> {
    let pkg: serde_json::Value = serde_json::from_str(package_json)?;
    pkg["version"]
        .as_str()
        .map(str::to_owned)
        .context("package.json has no version")
}

/// The site's `index.html`: the emulator's page with `openapi.js` loaded before the page
/// starts Swagger UI.
pub fn site_index(template: &str) -> anyhow::Result<String> {
    if template.matches(EMBED_MARKER).count() != 1 {
        bail!("{REFERENCE_DIR}/index.html must contain the line `{EMBED_MARKER}` exactly once (where the static site loads openapi.js)");
    }
    Ok(template.replace(EMBED_MARKER, r#"<script src="openapi.js"></script>"#))
}

/// The site's `openapi.js`: the description as a script, which a page opened from disk may
/// run although it may not fetch `openapi.yaml`.
pub fn openapi_js(spec_json: &str) -> String {
    format!(
        "// The API description (openapi.json) for the reference page opened from disk.\n\
         window.DATAARTS_OPENAPI = {};\n",
        spec_json.trim_end()
    )
}

/// Whether the page's credit line names the version it is rendered with.
pub fn page_names_version(index_html: &str, version: &str) -> bool {
    index_html.contains(&format!("Swagger UI {version}"))
}

/// The names whose contents differ between what is vendored and what the package ships
/// (a file missing on either side differs).
pub fn stale_files(
    vendored: &[(&str, Option<Vec<u8>>)],
    package: &[(&str, Option<Vec<u8>>)],
) -> Vec<String> {
    vendored
        .iter()
        .filter(|(name, ours)| {
            let theirs = package
                .iter()
                .find(|(n, _)| n == name)
                .and_then(|(_, b)| b.as_ref());
            ours.is_none() || theirs.is_none() || ours.as_ref() != theirs
        })
        .map(|(name, _)| name.to_string())
        .collect()
}

/// The state of the vendored files and of the spec copies against their sources.
struct Survey {
    root: PathBuf,
    version: String,
    package_dir: PathBuf,
    stale_vendored: Vec<String>,
    /// (path, fresh content) of the raw crate's spec copies that differ.
    stale_copies: Vec<(&'static str, String)>,
}

fn read_opt(path: &Path) -> Option<Vec<u8>> {
    std::fs::read(path).ok()
}

fn survey() -> anyhow::Result<Survey> {
    let root = crate::workspace_root();
    let tools = root.join(TOOLS_DIR);
    crate::tools::npm_ci(&tools, crate::process::DEFAULT_COMMAND_LIMIT)?;
    let lock = std::fs::read_to_string(tools.join("package-lock.json"))
        .context("reading tools/node/package-lock.json")?;
    let version = pinned_version(&lock)?;
    let package_dir = tools.join("node_modules").join(PACKAGE);
    let installed = std::fs::read_to_string(package_dir.join("package.json"))
        .map_err(anyhow::Error::from)
        .and_then(|t| installed_version(&t))
        .with_context(|| format!("{PACKAGE} is not installed in {TOOLS_DIR}/node_modules: run `npm ci --ignore-scripts` there"))?;
    if installed != version {
        bail!("{TOOLS_DIR}/node_modules has {PACKAGE} {installed}, but package-lock.json pins {version}: run `npm ci --ignore-scripts` in {TOOLS_DIR}");
    }
    let ours: Vec<(&str, Option<Vec<u8>>)> = VENDORED
        .iter()
        .map(|n| (*n, read_opt(&root.join(REFERENCE_DIR).join(n))))
        .collect();
    let theirs: Vec<(&str, Option<Vec<u8>>)> = VENDORED
        .iter()
        .map(|n| (*n, read_opt(&package_dir.join(n))))
        .collect();
    if let Some((name, _)) = theirs.iter().find(|(_, b)| b.is_none()) {
        bail!("{PACKAGE} {version} has no file {name}: update VENDORED in xtask/src/docs.rs");
    }
    let spec = std::fs::read_to_string(root.join(crate::codegen::SPEC_PATH))
        .with_context(|| format!("reading {}", crate::codegen::SPEC_PATH))?;
    let copies = [
        (crate::codegen::SPEC_COPY_YAML, spec.clone()),
        (
            crate::codegen::SPEC_COPY_JSON,
            crate::codegen::spec_json(&spec)?,
        ),
    ];
    let stale_copies = copies
        .into_iter()
        .filter(|(path, fresh)| {
            std::fs::read_to_string(root.join(path)).ok().as_deref() != Some(fresh.as_str())
        })
        .collect();
    Ok(Survey {
        stale_vendored: stale_files(&ours, &theirs),
        root,
        version,
        package_dir,
        stale_copies,
    })
}

fn check() -> anyhow::Result<()> {
    let s = survey()?;
    let mut problems = Vec::new();
    for name in &s.stale_vendored {
        problems.push(format!(
            "{REFERENCE_DIR}/{name} differs from {PACKAGE} {} (pinned in {TOOLS_DIR}/package-lock.json)",
            s.version
        ));
    }
    for (path, _) in &s.stale_copies {
        problems.push(format!(
            "{path} does not match {}",
            crate::codegen::SPEC_PATH
        ));
    }
    let index = std::fs::read_to_string(s.root.join(REFERENCE_DIR).join("index.html"))
        .with_context(|| format!("reading {REFERENCE_DIR}/index.html"))?;
    site_index(&index)?;
    if !page_names_version(&index, &s.version) {
        problems.push(format!(
            "{REFERENCE_DIR}/index.html does not credit \"Swagger UI {}\"",
            s.version
        ));
    }
    if !problems.is_empty() {
        bail!(
            "the API reference is stale:\n  {}\nRun `cargo xtask docs` (it refreshes the files; edit the credit line of index.html by hand) and commit.",
            problems.join("\n  ")
        );
    }
    println!(
        "the API reference files match {PACKAGE} {} and {}",
        s.version,
        crate::codegen::SPEC_PATH
    );
    Ok(())
}

fn write(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))
}

fn build() -> anyhow::Result<()> {
    let s = survey()?;
    let reference = s.root.join(REFERENCE_DIR);
    for name in &s.stale_vendored {
        let bytes = std::fs::read(s.package_dir.join(name))?;
        write(&reference.join(name), &bytes)?;
        println!(
            "refreshed {REFERENCE_DIR}/{name} from {PACKAGE} {}",
            s.version
        );
    }
    for (path, fresh) in &s.stale_copies {
        write(&s.root.join(path), fresh.as_bytes())?;
        println!("wrote {path}");
    }
    let index = std::fs::read_to_string(reference.join("index.html"))
        .with_context(|| format!("reading {REFERENCE_DIR}/index.html"))?;
    if !page_names_version(&index, &s.version) {
        eprintln!(
            "warning: {REFERENCE_DIR}/index.html does not credit \"Swagger UI {}\": update its credit line",
            s.version
        );
    }
    let site = s.root.join(SITE_DIR);
    if site.exists() {
        std::fs::remove_dir_all(&site).with_context(|| format!("clearing {}", site.display()))?;
    }
    std::fs::create_dir_all(&site).with_context(|| format!("creating {}", site.display()))?;
    let spec = std::fs::read_to_string(s.root.join(crate::codegen::SPEC_PATH))?;
    let json = crate::codegen::spec_json(&spec)?;
    write(&site.join("index.html"), site_index(&index)?.as_bytes())?;
    write(&site.join("openapi.yaml"), spec.as_bytes())?;
    write(&site.join("openapi.json"), json.as_bytes())?;
    write(&site.join("openapi.js"), openapi_js(&json).as_bytes())?;
    for name in VENDORED
        .iter()
        .chain(OWN.iter().filter(|n| **n != "index.html"))
    {
        let bytes = std::fs::read(reference.join(name))
            .with_context(|| format!("reading {REFERENCE_DIR}/{name}"))?;
        write(&site.join(name), &bytes)?;
    }
    println!(
        "wrote the API reference to {}/index.html (open it from disk or serve the folder)",
        site.display()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pinned_version_comes_from_the_lock_file() {
        let lock = r#"{"packages": {"node_modules/swagger-ui-dist": {"version": "5.35.0"}}}"#;
        assert_eq!(pinned_version(lock).unwrap(), "5.35.0");
        let err = pinned_version(r#"{"packages": {}}"#).unwrap_err();
        assert!(format!("{err:#}").contains("does not pin swagger-ui-dist"));
        assert!(pinned_version("not json").is_err());
        let real = std::fs::read_to_string(
            crate::workspace_root()
                .join(TOOLS_DIR)
                .join("package-lock.json"),
        )
        .unwrap();
        assert!(pinned_version(&real).is_ok());
    }

    #[test]
    fn the_site_page_loads_the_embedded_description_before_the_page_script() {
        let template = std::fs::read_to_string(
            crate::workspace_root()
                .join(REFERENCE_DIR)
                .join("index.html"),
        )
        .unwrap();
        let page = site_index(&template).unwrap();
        let embedded = page.find(r#"<script src="openapi.js"></script>"#).unwrap();
        let start = page
            .find(r#"<script src="reference.js"></script>"#)
            .unwrap();
        let bundle = page
            .find(r#"<script src="swagger-ui-bundle.js"></script>"#)
            .unwrap();
        assert!(bundle < embedded && embedded < start, "{page}");
        assert!(!page.contains(EMBED_MARKER));
        let err = site_index("<html></html>").unwrap_err();
        assert!(format!("{err:#}").contains(EMBED_MARKER));
        assert!(site_index(&format!("{EMBED_MARKER}{EMBED_MARKER}")).is_err());
    }

    #[test]
    fn openapi_js_assigns_the_json() {
        let js = openapi_js("{\n  \"openapi\": \"3.0.3\"\n}\n");
        assert!(
            js.contains("window.DATAARTS_OPENAPI = {\n  \"openapi\": \"3.0.3\"\n};\n"),
            "{js}"
        );
    }

    #[test]
    fn stale_files_are_the_different_or_missing_ones() {
        let ours = [
            ("a", Some(b"1".to_vec())),
            ("b", Some(b"2".to_vec())),
            ("c", None),
            ("d", Some(b"4".to_vec())),
        ];
        let theirs = [
            ("a", Some(b"1".to_vec())),
            ("b", Some(b"two".to_vec())),
            ("c", Some(b"3".to_vec())),
        ];
        assert_eq!(stale_files(&ours, &theirs), ["b", "c", "d"]);
    }

    #[test]
    fn vendored_paths() {
        assert!(is_vendored(
            "crates/dataarts-emulator/reference/swagger-ui-bundle.js"
        ));
        assert!(is_vendored("crates/dataarts-emulator/reference/NOTICE"));
        assert!(!is_vendored(
            "crates/dataarts-emulator/reference/index.html"
        ));
        assert!(!is_vendored(
            "crates/dataarts-emulator/reference/swagger-ui-bundle.js.map"
        ));
        assert!(!is_vendored("LICENSE"));
    }

    #[test]
    fn the_credit_line_names_the_version() {
        assert!(page_names_version("by Swagger UI 5.35.0, Apache", "5.35.0"));
        assert!(!page_names_version(
            "by Swagger UI 5.35.0, Apache",
            "5.36.0"
        ));
    }
}
