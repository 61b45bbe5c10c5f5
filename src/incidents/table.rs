//! A CSV file as rows of trimmed fields, each field with its byte range in the file's text, so
//! that every problem with a value can be reported at its line and column.
//!
//! The csv crate does the parsing (quotes, embedded newlines, CRLF); it gives each record's
//! starting byte, and [`field_spans`] walks the raw text from there to find each field's range.

use std::ops::Range;

use crate::diagnostic::{did_you_mean, Diagnostic, Origin, SourceId};

/// One data row.
#[derive(Clone, Debug)]
pub struct Row {
    /// 1-based line of the row's start in the file.
    pub line: usize,
    /// The trimmed fields.
    pub fields: Vec<String>,
    /// Each field's byte range in the text (quotes included).
    pub spans: Vec<Range<usize>>,
    /// The byte range of the whole row.
    pub span: Range<usize>,
}

impl Row {
    /// The trimmed value of column `i` (empty when the row is short).
    pub fn get(&self, i: usize) -> &str {
        self.fields.get(i).map_or("", String::as_str)
    }

    /// Where column `i` is (the row's end when the row is short).
    pub fn origin(&self, source: SourceId, i: usize) -> Origin {
        let span = self.spans.get(i).cloned().unwrap_or(self.span.end..self.span.end);
        Origin::new(source, span)
    }
}

/// A whole CSV file: the header and the rows.
#[derive(Clone, Debug)]
pub struct Table {
    /// The text's source id in the diagnostics.
    pub source: SourceId,
    /// Column names as written (trimmed).
    pub header: Vec<String>,
    /// Byte ranges of the header's names.
    pub header_spans: Vec<Range<usize>>,
    /// The data rows, in file order.
    pub rows: Vec<Row>,
}

impl Table {
    /// Reads `text` (without a byte order mark). Rows whose number of fields differs from the
    /// header's are errors, one per row; the rest of the file is still read.
    pub fn read(source: SourceId, text: &str, errors: &mut Vec<Diagnostic>) -> Option<Table> {
        let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
        let mut header: Option<(Vec<String>, Vec<Range<usize>>)> = None;
        let mut rows = Vec::new();
        let mut record = csv::StringRecord::new();
        loop {
            let at = reader.position().clone();
            match reader.read_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {}
                Err(e) => {
                    let byte = e.position().map_or(at.byte() as usize, |p| p.byte() as usize);
                    errors.push(Diagnostic::error(&Origin::new(source, byte..byte), format!("this row cannot be read as CSV: {e}")).help("each row is comma-separated values; quote a value that holds a comma or a newline with \"...\""));
                    return None;
                }
            }
            let pos = record.position().map_or(at.byte() as usize, |p| p.byte() as usize);
            let line = record.position().map_or(at.line() as usize, |p| p.line() as usize);
            let spans = field_spans(text, pos, record.len());
            let end = spans.last().map_or(pos, |s| s.end);
            let fields: Vec<String> = record.iter().map(|f| f.trim().to_string()).collect();
            if fields.iter().all(String::is_empty) {
                continue;
            }
            match &header {
                None => header = Some((fields, spans)),
                Some((names, _)) => {
                    if fields.len() != names.len() {
                        let origin = Origin::new(source, pos..end);
                        errors.push(
                            Diagnostic::error(&origin, format!("this row has {} values but the header has {} columns", fields.len(), names.len()))
                                .label(format!("{} values", fields.len()))
                                .help(format!("give every row one value per column ({}), leaving a value empty where there is none", names.join(", ")))
                                .help("a value that holds a comma must be quoted: \"Elevated errors, API\""),
                        );
                        continue;
                    }
                    rows.push(Row { line, fields, spans, span: pos..end });
                }
            }
        }
        let Some((header, header_spans)) = header else {
            errors.push(Diagnostic::error(&Origin::new(source, 0..0), "the file is empty: it has no header row").help("the first row names the columns, for example: component,start,end,impact"));
            return None;
        };
        Some(Table { source, header, header_spans, rows })
    }

    /// The index of column `name` (case-insensitive), if present.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h.eq_ignore_ascii_case(name))
    }

    /// The index of a required column, or an error at the header saying what to add.
    pub fn required(&self, name: &str, what: &str, errors: &mut Vec<Diagnostic>) -> Option<usize> {
        let found = self.column(name);
        if found.is_none() {
            let close = did_you_mean(name, self.header.iter().map(String::as_str));
            let mut d = Diagnostic::error(&self.header_origin(), format!("the header has no `{name}` column ({what})"))
                .label("the header row")
                .help(format!("the columns are: {}", self.header.join(", ")));
            if let Some(c) = close {
                d = d.help(format!("did you mean `{c}`? rename the column to `{name}`"));
            }
            errors.push(d);
        }
        found
    }

    /// The header row's place.
    pub fn header_origin(&self) -> Origin {
        let start = self.header_spans.first().map_or(0, |s| s.start);
        let end = self.header_spans.last().map_or(start, |s| s.end);
        Origin::new(self.source, start..end)
    }
}

/// The byte ranges of the first `n` fields of the record starting at byte `start` of `text`,
/// following the same quoting rules as the csv crate (a field starting with `"` runs to the
/// closing quote; `""` inside is a quote).
pub fn field_spans(text: &str, start: usize, n: usize) -> Vec<Range<usize>> {
    let b = text.as_bytes();
    let mut spans = Vec::with_capacity(n);
    let mut i = start.min(b.len());
    let stop = |c: u8| c == b',' || c == b'\n' || c == b'\r';
    while spans.len() < n {
        let s = i;
        if i < b.len() && b[i] == b'"' {
            i += 1;
            while i < b.len() {
                if b[i] == b'"' {
                    if i + 1 < b.len() && b[i + 1] == b'"' {
                        i += 2;
                        continue;
                    }
                    i += 1;
                    break;
                }
                i += 1;
            }
        }
        while i < b.len() && !stop(b[i]) {
            i += 1;
        }
        spans.push(s..i);
        if i >= b.len() || b[i] != b',' {
            break;
        }
        i += 1;
    }
    while spans.len() < n {
        spans.push(i..i);
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_follow_quotes_and_newlines() {
        let text = "a,b,c\n1,\"x, \"\"y\"\"\nz\",3\r\n";
        let spans = field_spans(text, 6, 3);
        assert_eq!(&text[spans[0].clone()], "1");
        assert_eq!(&text[spans[1].clone()], "\"x, \"\"y\"\"\nz\"");
        assert_eq!(&text[spans[2].clone()], "3");
    }

    #[test]
    fn rows_carry_lines_and_short_rows_are_errors() {
        let text = "component,start,end\napi,2024-01-01,\"2024-01-02\"\n\nbad,row\napi,\"multi\nline\",x\nlast,1,2";
        let mut errors = Vec::new();
        let t = Table::read(0, text, &mut errors).unwrap();
        assert_eq!(t.header, ["component", "start", "end"]);
        assert_eq!(t.rows.len(), 3);
        assert_eq!(t.rows[0].line, 2);
        assert_eq!(t.rows[0].get(2), "2024-01-02");
        assert_eq!(t.rows[1].line, 5);
        assert_eq!(t.rows[2].line, 7);
        assert_eq!(&text[t.rows[2].spans[1].clone()], "1");
        assert_eq!(errors.len(), 1);
        assert!(errors[0].message.contains("2 values but the header has 3"), "{}", errors[0].message);
        assert_eq!(t.column("START"), Some(1));
    }
}
