//! Aligned text tables and `key: value` lines for people.

use crate::exit::one_line;

/// A text table: a header row and aligned columns separated by two spaces.
#[derive(Debug, Default)]
pub struct Table {
    headers: Vec<&'static str>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these column headers.
    pub fn new(headers: &[&'static str]) -> Self {
        Self {
            headers: headers.to_vec(),
            rows: Vec::new(),
        }
    }

    /// Adds a row; cells are made single-line.
    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells.iter().map(|c| one_line(c)).collect());
    }

    /// The table as text (the last column is not padded).
    pub fn render(&self) -> String {
        let n = self.headers.len();
        let mut widths: Vec<usize> = self.headers.iter().map(|h| h.chars().count()).collect();
        for r in &self.rows {
            for (i, c) in r.iter().enumerate().take(n) {
                widths[i] = widths[i].max(c.chars().count());
            }
        }
        let mut out = String::new();
        let mut line = |cells: &mut dyn Iterator<Item = &str>| {
            let mut s = String::new();
            for (i, c) in cells.enumerate().take(n) {
                if i + 1 < n {
                    s.push_str(c);
                    s.extend(std::iter::repeat_n(' ', widths[i] - c.chars().count() + 2));
                } else {
                    s.push_str(c);
                }
            }
            out.push_str(s.trim_end());
            out.push('\n');
        };
        line(&mut self.headers.iter().copied());
        for r in &self.rows {
            line(&mut r.iter().map(String::as_str));
        }
        out
    }
}

/// `key: value` lines, keys aligned.
pub fn fields(pairs: &[(&str, String)]) -> String {
    let w = pairs.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    let mut out = String::new();
    for (k, v) in pairs {
        out.push_str(&format!(
            "{:<w$}  {}\n",
            format!("{k}:"),
            one_line(v),
            w = w + 1
        ));
    }
    out
}

/// `-` for a missing value.
pub fn or_dash(v: Option<impl ToString>) -> String {
    v.map(|v| v.to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "-".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_aligns_columns() {
        let mut t = Table::new(&["ID", "NAME", "STATUS"]);
        t.row(vec!["1".into(), "short".into(), "ok".into()]);
        t.row(vec!["1234".into(), "a longer name".into(), "x".into()]);
        assert_eq!(
            t.render(),
            "ID    NAME           STATUS\n1     short          ok\n1234  a longer name  x\n"
        );
    }

    #[test]
    fn fields_align_keys() {
        assert_eq!(
            fields(&[("id", "1".into()), ("status", "released".into())]),
            "id:      1\nstatus:  released\n"
        );
    }
}
