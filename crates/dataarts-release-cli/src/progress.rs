//! The progress bar shown on stderr while waiting: only on a terminal, never with `-q`.

use std::io::IsTerminal;
use std::time::Duration;

use dataarts_release::Progress;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A progress bar over subtasks, or nothing when stderr is not a terminal.
#[derive(Debug)]
pub struct Bar {
    bar: Option<ProgressBar>,
}

impl Bar {
    /// A bar for `total` subtasks of `packages` releases (hidden unless `visible` and stderr
    /// is a terminal).
    pub fn new(visible: bool, total: usize, label: &str) -> Self {
        if !visible || !std::io::stderr().is_terminal() {
            return Self { bar: None };
        }
        let bar =
            ProgressBar::with_draw_target(Some(total.max(1) as u64), ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template(
            "{spinner} {prefix} [{bar:30}] {pos}/{len} subtasks  {elapsed}  {wide_msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
        bar.set_style(style);
        bar.set_prefix(label.to_string());
        bar.enable_steady_tick(Duration::from_millis(100));
        Self { bar: Some(bar) }
    }

    /// Applies a progress report from the wrapper.
    pub fn update(&self, p: &Progress) {
        let Some(bar) = &self.bar else { return };
        bar.set_length(p.overall_total.max(1) as u64);
        bar.set_position(p.overall_completed as u64);
        if let Some(id) = &p.package_id {
            if p.finished {
                bar.set_message(format!("{id} finished"));
            } else if let Some(s) = p.newly_completed.last() {
                bar.set_message(s.name.as_deref().unwrap_or("").to_string());
            }
        }
    }

    /// Removes the bar from the terminal.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        self.finish();
    }
}
