//! Errors in a policy file, located by line, column and key path.
//!
//! A policy is written by hand, often by someone who is not a programmer, so every error says
//! where it is (`file:line:column`), which key it concerns (`escalation[1].trigger.breached`)
//! and what would have been accepted. Errors are collected rather than returned one at a time,
//! so that one run of `sanad policy check` shows everything that needs fixing.

use std::fmt;
use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// One problem in a policy file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyError {
    /// The file name given to [`Policy::parse`](super::Policy::parse), used only in messages.
    pub file: String,
    /// The 1-based line of the offending value (or key, or table header).
    pub line: usize,
    /// The 1-based column, counted in characters rather than bytes, because Arabic text before
    /// the error would otherwise make the column point to the wrong place in an editor.
    pub column: usize,
    /// The dotted key path with array indices, such as `escalation[1].trigger.breached`; empty
    /// when the error concerns the file as a whole or its position has no key (a syntax error
    /// between entries).
    pub key: String,
    /// What is wrong and, where possible, what was expected.
    pub message: String,
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: ", self.file, self.line, self.column)?;
        if !self.key.is_empty() {
            write!(f, "{}: ", self.key)?;
        }
        f.write_str(&self.message)
    }
}

/// Every problem found in a policy file, sorted by position. Never empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyErrors {
    errors: Vec<PolicyError>,
}

impl PolicyErrors {
    /// Sorts the errors by position so that they read from the top of the file down; errors
    /// at the same position keep the order in which they were found.
    pub(crate) fn new(mut errors: Vec<PolicyError>) -> PolicyErrors {
        errors.sort_by_key(|e| (e.line, e.column));
        PolicyErrors { errors }
    }

    /// The errors, sorted by line and column.
    pub fn errors(&self) -> &[PolicyError] {
        &self.errors
    }

    /// How many errors were found.
    pub fn len(&self) -> usize {
        self.errors.len()
    }

    /// Always false: a `PolicyErrors` holds at least one error. Provided for symmetry with
    /// [`len`](Self::len).
    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }
}

impl fmt::Display for PolicyErrors {
    /// One error per line, without a trailing newline.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, error) in self.errors.iter().enumerate() {
            if index > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{error}")?;
        }
        Ok(())
    }
}

impl std::error::Error for PolicyErrors {}

/// Turns byte offsets into `line:column` and byte positions into key paths, for one source.
pub(crate) struct SourceMap<'a> {
    file: &'a str,
    source: &'a str,
    /// Every key and value in the document with its dotted path, in document order, so that a
    /// position reported by the TOML parser or deserializer can be named.
    paths: Vec<(String, Range<usize>)>,
}

impl<'a> SourceMap<'a> {
    pub(crate) fn new(source: &'a str, file: &'a str) -> SourceMap<'a> {
        SourceMap {
            file,
            source,
            paths: Vec::new(),
        }
    }

    /// Records the path of every key and value of a parsed document.
    pub(crate) fn index_document(&mut self, root: &Spanned<DeTable<'_>>) {
        let mut paths = Vec::new();
        index_table(root.get_ref(), "", &mut paths);
        self.paths = paths;
    }

    /// The 1-based line and character column of a byte offset. Offsets past the end or inside
    /// a multi-byte character are clamped to the nearest character boundary before them.
    pub(crate) fn line_column(&self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.source.len());
        while !self.source.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &self.source[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |newline| newline + 1);
        let column = before[line_start..].chars().count() + 1;
        (line, column)
    }

    /// An error at a byte span with an explicit key path.
    pub(crate) fn error(
        &self,
        span: &Range<usize>,
        key: impl Into<String>,
        message: impl Into<String>,
    ) -> PolicyError {
        let (line, column) = self.line_column(span.start);
        PolicyError {
            file: self.file.to_owned(),
            line,
            column,
            key: key.into(),
            message: message.into(),
        }
    }

    /// An error reported by the TOML parser or the deserializer, whose key path is recovered
    /// from the position: the deepest key or value whose span contains it.
    pub(crate) fn toml_error(&self, error: &toml::de::Error) -> PolicyError {
        let span = error.span().unwrap_or(0..0);
        let key = self.path_at(span.start).unwrap_or_default();
        self.error(&span, key, error.message().trim_end())
    }

    /// The span of the key or value with exactly this path, if the document has one. Used to
    /// point at fields of structures (such as calendar specifications) that carry no spans.
    pub(crate) fn span_of(&self, path: &str) -> Option<Range<usize>> {
        self.paths
            .iter()
            .find(|(candidate, _)| candidate == path)
            .map(|(_, span)| span.clone())
    }

    /// The deepest key or value containing `position`; failing that (a syntax error often
    /// sits just past the value it breaks, such as an unclosed string at the end of its line),
    /// the last key or value that starts earlier on the same line.
    fn path_at(&self, position: usize) -> Option<String> {
        let containing = self
            .paths
            .iter()
            .filter(|(_, span)| {
                span.contains(&position) || (span.is_empty() && span.start == position)
            })
            .max_by_key(|(path, _)| path.len());
        let line = self.line_column(position).0;
        let earlier_on_line = || {
            self.paths
                .iter()
                .filter(|(_, span)| {
                    span.start <= position && self.line_column(span.start).0 == line
                })
                .max_by_key(|(path, span)| (span.start, path.len()))
        };
        containing
            .or_else(earlier_on_line)
            .map(|(path, _)| path.clone())
    }
}

fn index_table(table: &DeTable<'_>, prefix: &str, paths: &mut Vec<(String, Range<usize>)>) {
    for (key, value) in table.iter() {
        let path = if prefix.is_empty() {
            key.get_ref().to_string()
        } else {
            format!("{prefix}.{}", key.get_ref())
        };
        paths.push((path.clone(), key.span()));
        index_value(value, &path, paths);
    }
}

fn index_value(value: &Spanned<DeValue<'_>>, path: &str, paths: &mut Vec<(String, Range<usize>)>) {
    paths.push((path.to_owned(), value.span()));
    match value.get_ref() {
        DeValue::Table(table) => index_table(table, path, paths),
        DeValue::Array(array) => {
            for (index, element) in array.iter().enumerate() {
                index_value(element, &format!("{path}[{index}]"), paths);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_characters_not_bytes() {
        let source = "name_ar = \"مركز\"\nx = 1\n";
        let map = SourceMap::new(source, "f.toml");
        let x = source.find("x =").expect("x is in the source");
        assert_eq!(map.line_column(x), (2, 1));
        let closing_quote = source.rfind('"').expect("quote");
        assert_eq!(map.line_column(closing_quote), (1, 16));
        // An offset inside a multi-byte character is clamped rather than panicking.
        assert_eq!(map.line_column(12), (1, 12));
        assert_eq!(map.line_column(10_000), (3, 1));
    }

    #[test]
    fn errors_display_one_per_line_in_position_order() {
        let map = SourceMap::new("a\nb\nc\n", "p.toml");
        let errors = PolicyErrors::new(vec![
            map.error(&(4..5), "c", "third"),
            map.error(&(0..1), "", "first"),
        ]);
        assert_eq!(
            errors.to_string(),
            "p.toml:1:1: first\np.toml:3:1: c: third"
        );
    }
}
