//! YAML input: one YAML 1.2 document → the same positioned [`JsonValue`] tree the
//! JSON reader produces, so scenarios and expectation tables written in YAML go
//! through exactly the code (and give exactly the `file:line:col: /pointer` errors)
//! their JSON twins do.
//!
//! The text is read with yaml-rust2's event parser (maintained, pure Rust, YAML 1.2,
//! a line/column marker on every event). Its pull API is used rather than
//! `Parser::load`, which recurses once per nesting level: pulling events and building
//! the tree on an explicit stack lets the depth limit stop hostile nesting before it
//! costs anything, and stops at the first problem.
//!
//! Only the part of YAML that maps onto JSON unambiguously is accepted:
//!
//! * mappings → objects (keys are scalars, read as strings; a key given twice is an
//!   error, as in the JSON reader), sequences → arrays;
//! * quoted and block (`|`, `>`) scalars → strings; plain scalars by the YAML 1.2 core
//!   schema: `null` `Null` `NULL` `~` or nothing → null, `true` `True` `TRUE` /
//!   `false` `False` `FALSE` → boolean, decimal integers and floats → number (its text
//!   kept as written, so `012345678901` loses nothing), anything else → string
//!   (`yes`, `no`, `on`, `0x1F`, `.inf`, `2012-10-17` stay strings);
//! * anchors, aliases and tags are refused: a policy value should read the same to
//!   every reader, and aliases are the classic "billion laughs" amplifier;
//! * exactly one document per file; nesting at most [`MAX_DEPTH`] levels.

use iamsim_engine::source::json::{
    escape_pointer_token, JsonKind, JsonMember, JsonValue, Position,
};
use std::collections::HashSet;
use std::fmt;
use yaml_rust2::parser::{Event, Parser, Tag};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// Deepest nesting of sequences and mappings accepted (as for JSON).
pub const MAX_DEPTH: usize = 128;

/// A YAML document that cannot be used: where, the JSON Pointer of the value being
/// read (`""` for the document), and what is wrong. Displays as `line:col: message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    /// Where the problem is (1-based line and column, columns in characters).
    pub position: Position,
    /// JSON Pointer (RFC 6901) of the innermost value being read, `""` at the top.
    pub pointer: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for YamlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.position, self.message)
    }
}

impl std::error::Error for YamlError {}

/// Whether `path` names a YAML file (`.yaml` or `.yml`, any case).
pub fn is_yaml_path(path: &std::path::Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"))
}

/// Parses one YAML document into a positioned JSON tree. `first_line` is the line
/// number of the text's first line (1 for a whole file). Never panics; every problem,
/// syntax errors included, is a [`YamlError`].
pub fn parse_yaml(text: &str, first_line: u32) -> Result<JsonValue, YamlError> {
    // YAML allows a byte order mark at the start; editors do not show it, so columns
    // are counted without it.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut builder = Builder {
        first_line,
        stack: Vec::new(),
        root: None,
        documents: 0,
    };
    let mut parser = Parser::new_from_str(text);
    loop {
        let (event, mark) = parser
            .next_token()
            .map_err(|e| builder.error(*e.marker(), e.info()))?;
        if builder.event(event, mark)? {
            break;
        }
    }
    match builder.root {
        Some(value) => Ok(value),
        None => Err(YamlError {
            position: Position {
                line: first_line,
                column: 1,
            },
            pointer: String::new(),
            message: "empty document".into(),
        }),
    }
}

/// A sequence or mapping being read.
enum Frame {
    Sequence {
        position: Position,
        items: Vec<JsonValue>,
    },
    Mapping {
        position: Position,
        members: Vec<JsonMember>,
        names: HashSet<Box<str>>,
        /// The key read, waiting for its value.
        key: Option<(Box<str>, Position)>,
    },
}

struct Builder {
    first_line: u32,
    stack: Vec<Frame>,
    root: Option<JsonValue>,
    documents: u32,
}

impl Builder {
    fn position(&self, mark: Marker) -> Position {
        let line = u32::try_from(mark.line().saturating_sub(1)).unwrap_or(u32::MAX);
        Position {
            line: self.first_line.saturating_add(line).max(1),
            column: u32::try_from(mark.col())
                .unwrap_or(u32::MAX)
                .saturating_add(1),
        }
    }

    /// The JSON Pointer of the value about to be read.
    fn pointer(&self) -> String {
        let mut out = String::new();
        for frame in &self.stack {
            match frame {
                Frame::Sequence { items, .. } => {
                    out.push('/');
                    out.push_str(&items.len().to_string());
                }
                Frame::Mapping {
                    key: Some((k, _)), ..
                } => {
                    out.push('/');
                    out.push_str(&escape_pointer_token(k));
                }
                Frame::Mapping { key: None, .. } => {}
            }
        }
        out
    }

    fn error(&self, mark: Marker, message: impl Into<String>) -> YamlError {
        YamlError {
            position: self.position(mark),
            pointer: self.pointer(),
            message: message.into(),
        }
    }

    fn expects_key(&self) -> bool {
        matches!(self.stack.last(), Some(Frame::Mapping { key: None, .. }))
    }

    /// Handles one event; `Ok(true)` at the end of the stream.
    fn event(&mut self, event: Event, mark: Marker) -> Result<bool, YamlError> {
        match event {
            Event::Nothing | Event::StreamStart | Event::DocumentEnd => {}
            Event::StreamEnd => return Ok(true),
            Event::DocumentStart => {
                if self.documents > 0 {
                    return Err(self.error(
                        mark,
                        "a second YAML document: a file holds exactly one (remove the `---` \
                         or split the file)",
                    ));
                }
                self.documents += 1;
            }
            Event::Alias(_) => {
                return Err(self.error(
                    mark,
                    "aliases (`*name`) are not accepted: write the value out",
                ))
            }
            Event::Scalar(text, style, anchor, tag) => {
                self.refuse_anchor_and_tag(mark, anchor, tag.as_ref())?;
                let position = self.position(mark);
                if self.expects_key() {
                    self.key(text, style, position, mark)?;
                } else {
                    let kind = resolve_scalar(text, style);
                    self.value(JsonValue { kind, position });
                }
            }
            Event::SequenceStart(anchor, ref tag) | Event::MappingStart(anchor, ref tag) => {
                self.refuse_anchor_and_tag(mark, anchor, tag.as_ref())?;
                if self.expects_key() {
                    return Err(self.error(
                        mark,
                        "a mapping key must be a scalar (a name), not a sequence or mapping",
                    ));
                }
                if self.stack.len() >= MAX_DEPTH {
                    return Err(self.error(mark, format!("nesting deeper than {MAX_DEPTH} levels")));
                }
                let position = self.position(mark);
                self.stack.push(match event {
                    Event::SequenceStart(..) => Frame::Sequence {
                        position,
                        items: Vec::new(),
                    },
                    _ => Frame::Mapping {
                        position,
                        members: Vec::new(),
                        names: HashSet::new(),
                        key: None,
                    },
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let value = match self.stack.pop() {
                    Some(Frame::Sequence { position, items }) => JsonValue {
                        kind: JsonKind::Array(items),
                        position,
                    },
                    Some(Frame::Mapping {
                        position, members, ..
                    }) => JsonValue {
                        kind: JsonKind::Object(members),
                        position,
                    },
                    // The parser balances starts and ends; if it ever did not, say so
                    // rather than panic.
                    None => return Err(self.error(mark, "unbalanced end of a collection")),
                };
                self.value(value);
            }
        }
        Ok(false)
    }

    fn refuse_anchor_and_tag(
        &self,
        mark: Marker,
        anchor: usize,
        tag: Option<&Tag>,
    ) -> Result<(), YamlError> {
        if anchor != 0 {
            return Err(self.error(
                mark,
                "anchors (`&name`) are not accepted: write each value out",
            ));
        }
        if let Some(tag) = tag {
            return Err(self.error(
                mark,
                format!(
                    "tags (`{}{}`) are not accepted: values are typed by how they are written \
                     (quote a value to make it a string)",
                    if tag.handle == "tag:yaml.org,2002:" {
                        "!!"
                    } else {
                        &tag.handle
                    },
                    tag.suffix
                ),
            ));
        }
        Ok(())
    }

    /// A mapping key: any scalar, read as its text; a plain empty key (null) and a key
    /// given twice are errors.
    fn key(
        &mut self,
        text: String,
        style: TScalarStyle,
        position: Position,
        mark: Marker,
    ) -> Result<(), YamlError> {
        if style == TScalarStyle::Plain && text.is_empty() {
            return Err(self.error(mark, "a mapping key is missing (empty key)"));
        }
        let duplicate = match self.stack.last() {
            Some(Frame::Mapping { names, .. }) => names.contains(text.as_str()),
            _ => false,
        };
        if duplicate {
            let mut e = self.error(mark, format!("duplicate key `{text}`"));
            e.pointer.push('/');
            e.pointer.push_str(&escape_pointer_token(&text));
            return Err(e);
        }
        if let Some(Frame::Mapping {
            names,
            key,
            position: start,
            ..
        }) = self.stack.last_mut()
        {
            // A block mapping's start event is marked at its first `:`; the mapping
            // starts where its first key does.
            if names.is_empty() && position < *start {
                *start = position;
            }
            let name: Box<str> = text.into();
            names.insert(name.clone());
            *key = Some((name, position));
        }
        Ok(())
    }

    /// A finished value: the document, a sequence item or a mapping value.
    fn value(&mut self, value: JsonValue) {
        match self.stack.last_mut() {
            None => self.root = Some(value),
            Some(Frame::Sequence { items, .. }) => items.push(value),
            Some(Frame::Mapping { members, key, .. }) => {
                if let Some((name, name_position)) = key.take() {
                    members.push(JsonMember {
                        name,
                        name_position,
                        value,
                    });
                }
            }
        }
    }
}

/// The value of a scalar by the YAML 1.2 core schema, restricted to what JSON holds.
fn resolve_scalar(text: String, style: TScalarStyle) -> JsonKind {
    if style != TScalarStyle::Plain {
        return JsonKind::String(text.into());
    }
    match text.as_str() {
        "" | "~" | "null" | "Null" | "NULL" => JsonKind::Null,
        "true" | "True" | "TRUE" => JsonKind::Bool(true),
        "false" | "False" | "FALSE" => JsonKind::Bool(false),
        t if is_decimal_number(t) => JsonKind::Number(text.into()),
        _ => JsonKind::String(text.into()),
    }
}

/// The core schema's decimal integer `[-+]?[0-9]+` and float
/// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`.
fn is_decimal_number(t: &str) -> bool {
    fn digits(s: &[u8]) -> usize {
        s.iter().take_while(|b| b.is_ascii_digit()).count()
    }
    let s = t.as_bytes();
    let mut i = usize::from(matches!(s.first(), Some(b'-' | b'+')));
    let int = digits(&s[i..]);
    i += int;
    let mut frac = 0;
    if s.get(i) == Some(&b'.') {
        i += 1;
        frac = digits(&s[i..]);
        i += frac;
    }
    if int == 0 && frac == 0 {
        return false;
    }
    if matches!(s.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(s.get(i), Some(b'-' | b'+')) {
            i += 1;
        }
        let exp = digits(&s[i..]);
        if exp == 0 {
            return false;
        }
        i += exp;
    }
    i == s.len()
}

#[cfg(test)]
mod tests {
    use super::is_decimal_number;

    #[test]
    fn decimal_numbers() {
        for yes in [
            "0", "-1", "+7", "012", "1.5", "1.", ".5", "-.5", "1e3", "1.5E-3", "+2e+2",
        ] {
            assert!(is_decimal_number(yes), "{yes}");
        }
        for no in [
            "",
            "-",
            "+",
            ".",
            "1e",
            "e3",
            "1.2.3",
            "0x1F",
            "0o17",
            ".inf",
            ".nan",
            "1_000",
            "2012-10-17",
            "1 ",
            " 1",
            "١",
        ] {
            assert!(!is_decimal_number(no), "{no}");
        }
    }
}
