//! The progress bar on stderr, shown only when stderr is a terminal.

use std::io::IsTerminal;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::summary::Summary;

pub struct Progress {
    bar: Option<ProgressBar>,
    start: Instant,
}

impl Progress {
    /// A bar over `total` input bytes as stored on disk (compressed, for
    /// compressed inputs), or a spinner when the size is unknown.
    pub fn new(total: Option<u64>) -> Progress {
        let bar = std::io::stderr().is_terminal().then(|| {
            let (bar, template) = match total {
                Some(t) => (
                    ProgressBar::new(t),
                    "{elapsed_precise} [{bar:30}] {percent}% ETA {eta} {msg}",
                ),
                None => (
                    ProgressBar::new_spinner(),
                    "{elapsed_precise} {spinner} {msg}",
                ),
            };
            bar.set_draw_target(ProgressDrawTarget::stderr_with_hz(4));
            if let Ok(style) = ProgressStyle::with_template(template) {
                bar.set_style(style.progress_chars("=> "));
            }
            bar
        });
        Progress {
            bar,
            start: Instant::now(),
        }
    }

    pub fn update(&self, summary: &Summary) {
        if let Some(bar) = &self.bar {
            bar.set_position(summary.disk_position);
            let mb = summary.bytes_in as f64 / 1e6;
            let secs = self.start.elapsed().as_secs_f64().max(1e-9);
            bar.set_message(format!(
                "{} docs, {mb:.0} MB, {:.0} MB/s",
                summary.documents,
                mb / secs
            ));
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
