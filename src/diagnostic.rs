//! Errors and warnings about user input, each located in the scenario file (or in a `--set`
//! argument) and rendered with the offending line, a caret and a hint of what to write instead.
//!
//! Everything the user controls is reported through this module; nothing the user writes may
//! panic. Reading and compiling a scenario collects *all* problems it can find, so that one run
//! of `relsim validate` lists every mistake at once.

use std::fmt;
use std::ops::Range;

use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label};
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term::{self, Config};

/// Index of a source text (the scenario file or one `--set` argument) in [`Sources`].
pub type SourceId = usize;

/// Where a value came from: a byte range in one source text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    /// Which source text.
    pub source: SourceId,
    /// Byte range of the value (or key) in that text.
    pub span: Range<usize>,
}

impl Origin {
    /// An origin covering `span` in `source`.
    pub fn new(source: SourceId, span: Range<usize>) -> Self {
        Origin { source, span }
    }
}

/// The texts diagnostics point into: the scenario file and every `--set` argument.
#[derive(Default)]
pub struct Sources {
    files: SimpleFiles<String, String>,
}

impl Sources {
    /// An empty set of sources.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers a text under a display name (a path, or `--set`) and returns its id.
    pub fn add(&mut self, name: impl Into<String>, text: impl Into<String>) -> SourceId {
        self.files.add(name.into(), text.into())
    }

    /// The display name of a source.
    pub fn name(&self, id: SourceId) -> &str {
        self.files.get(id).map(|f| f.name().as_str()).unwrap_or("?")
    }

    /// The text of a source.
    pub fn text(&self, id: SourceId) -> &str {
        self.files.get(id).map(|f| f.source().as_str()).unwrap_or("")
    }

    /// `name:line:column` of the start of an origin (1-based line and column).
    pub fn location(&self, origin: &Origin) -> String {
        let text = self.text(origin.source);
        let start = origin.span.start.min(text.len());
        let before = &text[..floor_char_boundary(text, start)];
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().map(|l| l.chars().count()).unwrap_or(0) + 1;
        format!("{}:{}:{}", self.name(origin.source), line, col)
    }
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    /// The input cannot be used.
    Error,
    /// The input is usable but probably not what the user meant.
    Warning,
}

/// One problem found in the input.
#[derive(Clone, Debug)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// What is wrong, starting with the key path it concerns.
    pub message: String,
    /// Where, if the problem has a place.
    pub origin: Option<Origin>,
    /// A short note under the caret.
    pub label: Option<String>,
    /// What to write instead (one or more lines).
    pub help: Vec<String>,
}

impl Diagnostic {
    /// An error at a place.
    pub fn error(origin: &Origin, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            message: message.into(),
            origin: Some(origin.clone()),
            label: None,
            help: Vec::new(),
        }
    }

    /// A warning at a place.
    pub fn warning(origin: &Origin, message: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Warning, ..Self::error(origin, message) }
    }

    /// An error that has no place in a source text (for example an unreadable file).
    pub fn unlocated(message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            message: message.into(),
            origin: None,
            label: None,
            help: Vec::new(),
        }
    }

    /// Adds a hint of what to write instead.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help.push(help.into());
        self
    }

    /// Sets the note shown under the caret.
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }
}

/// A collection of diagnostics gathered while reading and compiling input.
#[derive(Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// An empty collection.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a diagnostic.
    pub fn push(&mut self, d: Diagnostic) {
        self.items.push(d);
    }

    /// Whether any error (not warning) was recorded.
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
    }

    /// All diagnostics in the order found.
    pub fn items(&self) -> &[Diagnostic] {
        &self.items
    }

    /// Consumes the collection.
    pub fn into_items(self) -> Vec<Diagnostic> {
        self.items
    }
}

/// A scenario that could not be used: every diagnostic plus the texts they point into.
pub struct InputError {
    /// The scenario file and `--set` texts.
    pub sources: Sources,
    /// Everything found (errors and warnings).
    pub diagnostics: Vec<Diagnostic>,
}

impl InputError {
    /// An input error without a source text (for example, the file cannot be read).
    pub fn unlocated(message: impl Into<String>, help: Option<String>) -> Self {
        let mut d = Diagnostic::unlocated(message);
        if let Some(h) = help {
            d = d.help(h);
        }
        InputError { sources: Sources::new(), diagnostics: vec![d] }
    }

    /// Renders every diagnostic, optionally with colours.
    pub fn render(&self, color: bool) -> String {
        render(&self.sources, &self.diagnostics, color)
    }
}

impl fmt::Debug for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(false))
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(false))
    }
}

impl std::error::Error for InputError {}

/// At most this many diagnostics are shown; the rest are counted.
pub const MAX_SHOWN: usize = 50;

/// Renders diagnostics as text: `error: …`, `--> file:line:col`, the source line with a caret,
/// and `= help: …` lines. With `color`, ANSI colours are used. Beyond [`MAX_SHOWN`] they are
/// only counted.
pub fn render(sources: &Sources, diagnostics: &[Diagnostic], color: bool) -> String {
    let config = Config::default();
    let mut out = String::new();
    for d in diagnostics.iter().take(MAX_SHOWN) {
        let mut cs = match d.severity {
            Severity::Error => CsDiagnostic::error(),
            Severity::Warning => CsDiagnostic::warning(),
        }
        .with_message(d.message.clone());
        if let Some(origin) = &d.origin {
            let text_len = sources.text(origin.source).len();
            let start = origin.span.start.min(text_len);
            let end = origin.span.end.clamp(start, text_len);
            let mut label = Label::primary(origin.source, start..end);
            if let Some(l) = &d.label {
                label = label.with_message(l.clone());
            }
            cs = cs.with_labels(vec![label]);
        }
        cs = cs.with_notes(d.help.iter().map(|h| format!("help: {h}")).collect());
        let rendered = if color {
            let mut buf = Vec::new();
            let mut writer = term::termcolor::Ansi::new(&mut buf);
            match term::emit_to_write_style(&mut writer, &config, &sources.files, &cs) {
                Ok(()) => String::from_utf8_lossy(&buf).into_owned(),
                Err(_) => plain(d),
            }
        } else {
            term::emit_into_string(&config, &sources.files, &cs).unwrap_or_else(|_| plain(d))
        };
        out.push_str(&rendered);
    }
    if diagnostics.len() > MAX_SHOWN {
        out.push_str(&format!("... and {} more; fix these and run again\n", diagnostics.len() - MAX_SHOWN));
    }
    out
}

fn plain(d: &Diagnostic) -> String {
    let mut s = format!(
        "{}: {}\n",
        if d.severity == Severity::Error { "error" } else { "warning" },
        d.message
    );
    for h in &d.help {
        s.push_str(&format!("  = help: {h}\n"));
    }
    s
}

/// The closest of `candidates` to `word`, if one is close enough to be a likely typo.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let mut best: Option<(&str, f64)> = None;
    for c in candidates {
        let score = strsim::jaro_winkler(&word.to_lowercase(), &c.to_lowercase());
        if score >= 0.8 && best.is_none_or(|(_, s)| score > s) {
            best = Some((c, score));
        }
    }
    best.map(|(c, _)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn location_is_one_based_line_and_column() {
        let mut s = Sources::new();
        let id = s.add("x.toml", "a = 1\nbb = \"é2\"\n");
        assert_eq!(s.location(&Origin::new(id, 0..1)), "x.toml:1:1");
        assert_eq!(s.location(&Origin::new(id, 11..13)), "x.toml:2:6");
    }

    #[test]
    fn rendering_shows_file_line_column_and_help() {
        let mut s = Sources::new();
        let id = s.add("x.toml", "[simulation]\nhorizon = 5\n");
        let d = Diagnostic::error(&Origin::new(id, 23..24), "simulation.horizon: expected a duration")
            .help("write horizon = \"1y\"");
        let text = render(&s, &[d], false);
        assert!(text.contains("x.toml:2:11"), "{text}");
        assert!(text.contains("help: write horizon = \"1y\""), "{text}");
    }

    #[test]
    fn did_you_mean_finds_typos_only() {
        assert_eq!(did_you_mean("falure", ["failure", "repair"]), Some("failure"));
        assert_eq!(did_you_mean("zzz", ["failure", "repair"]), None);
    }
}
