//! Step 0, the source: text → JSON tree with source positions.
//!
//! serde_json does not report where a value sits in the file, nor does it refuse
//! duplicate member names, and both matter here: IAM rejects duplicate keys, and every
//! error and explanation must name line:column and a JSON Pointer. This parser is a
//! small recursive-descent reader with a depth limit (so hostile nesting is an error,
//! not a stack overflow) that keeps the position of every value and member name.

use std::fmt;

/// Where a value starts in the source: 1-based line and column (in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, PartialOrd, Ord, Hash)]
pub struct Position {
    /// 1-based line.
    pub line: u32,
    /// 1-based column, counted in characters.
    pub column: u32,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// A JSON value with the position where it starts.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonValue {
    /// The value.
    pub kind: JsonKind,
    /// Where it starts.
    pub position: Position,
}

/// An object member: its name, where the name starts, and the value.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonMember {
    /// The member name, unescaped.
    pub name: Box<str>,
    /// Where the name's opening quote is.
    pub name_position: Position,
    /// The member value.
    pub value: JsonValue,
}

/// The kinds of JSON value. Numbers keep their source text so that `10` and `10.0`
/// can be told apart where it matters and no precision is lost.
#[derive(Debug, Clone, PartialEq)]
pub enum JsonKind {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// A number, as written.
    Number(Box<str>),
    /// A string, unescaped.
    String(Box<str>),
    /// An array.
    Array(Vec<JsonValue>),
    /// An object, members in source order (names are unique: duplicates are an error).
    Object(Vec<JsonMember>),
}

impl JsonValue {
    /// The member named `name` (exact case), if this is an object that has it.
    pub fn get(&self, name: &str) -> Option<&JsonValue> {
        match &self.kind {
            JsonKind::Object(members) => {
                members.iter().find(|m| &*m.name == name).map(|m| &m.value)
            }
            _ => None,
        }
    }

    /// The string content, if this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            JsonKind::String(s) => Some(s),
            _ => None,
        }
    }

    /// A short name of the value's type, for messages (`string`, `object`, …).
    pub fn type_name(&self) -> &'static str {
        match self.kind {
            JsonKind::Null => "null",
            JsonKind::Bool(_) => "boolean",
            JsonKind::Number(_) => "number",
            JsonKind::String(_) => "string",
            JsonKind::Array(_) => "array",
            JsonKind::Object(_) => "object",
        }
    }
}

/// Limits that keep hostile input from exhausting the stack.
#[derive(Debug, Clone, Copy)]
pub struct JsonLimits {
    /// Deepest nesting of arrays and objects accepted.
    pub max_depth: usize,
}

impl Default for JsonLimits {
    fn default() -> Self {
        Self { max_depth: 128 }
    }
}

/// A syntax error, with the position and the JSON Pointer of the innermost value
/// being read when it happened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{position}: {kind}")]
pub struct JsonError {
    /// Where the problem is.
    pub position: Position,
    /// JSON Pointer (RFC 6901) of the value being read, `""` for the document.
    pub pointer: String,
    /// What is wrong.
    pub kind: JsonErrorKind,
}

/// What is wrong with the JSON text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JsonErrorKind {
    /// The input ended inside a value.
    #[error("unexpected end of input")]
    UnexpectedEnd,
    /// A character that cannot start or continue a value here.
    #[error("unexpected character `{}`", .0.escape_debug())]
    UnexpectedChar(char),
    /// Text after the top-level value.
    #[error("unexpected `{0}` after the end of the document")]
    TrailingCharacters(char),
    /// A malformed number.
    #[error("invalid number `{0}`")]
    InvalidNumber(String),
    /// A malformed escape sequence in a string.
    #[error("invalid escape sequence in string")]
    InvalidEscape,
    /// A raw control character inside a string.
    #[error("control character U+{0:04X} inside a string must be escaped")]
    ControlCharacter(u32),
    /// A member name used twice in one object (IAM rejects such documents).
    #[error("duplicate member name `{0}`")]
    DuplicateMember(String),
    /// Nesting deeper than [`JsonLimits::max_depth`].
    #[error("nesting deeper than {0} levels")]
    TooDeep(usize),
    /// The input is empty or only white space.
    #[error("empty document")]
    Empty,
    /// A comma after the last element of an array or member of an object (`["a",]`).
    #[error("trailing comma before `{0}`: JSON allows no comma after the last {what}", what = if *.0 == ']' { "element" } else { "member" })]
    TrailingComma(char),
    /// The text starts with a UTF-8 byte order mark, which JSON texts must not carry.
    #[error("the file starts with a byte order mark (U+FEFF); save it as UTF-8 without BOM")]
    ByteOrderMark,
}

/// Parses one JSON document. `first_line` is the line number of the text's first line
/// (1 for a whole file; the line number within the file for one line of JSON Lines).
pub fn parse(text: &str, first_line: u32, limits: JsonLimits) -> Result<JsonValue, JsonError> {
    let mut parser = Parser {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        line: first_line,
        line_start: 0,
        limits,
        column_cache: std::cell::Cell::new((0, 0, 1)),
    };
    if text.starts_with('\u{feff}') {
        return Err(parser.error(JsonErrorKind::ByteOrderMark));
    }
    parser.skip_ws();
    if parser.pos >= parser.bytes.len() {
        return Err(parser.error(JsonErrorKind::Empty));
    }
    let value = parser.value(0)?;
    parser.skip_ws();
    if let Some(c) = parser.peek_char() {
        return Err(parser.error(JsonErrorKind::TrailingCharacters(c)));
    }
    Ok(value)
}

/// Escapes one JSON Pointer reference token (`~` → `~0`, `/` → `~1`).
pub fn escape_pointer_token(token: &str) -> std::borrow::Cow<'_, str> {
    if token.contains(['~', '/']) {
        token.replace('~', "~0").replace('/', "~1").into()
    } else {
        token.into()
    }
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    line: u32,
    line_start: usize,
    limits: JsonLimits,
    /// (line start, byte position, column) of the last position computed.
    column_cache: std::cell::Cell<(usize, usize, u32)>,
}

impl<'a> Parser<'a> {
    fn position(&self) -> Position {
        // Positions are asked for in increasing order within a line, so count the
        // characters only since the last answer (recounting from the start of the
        // line made long JSON Lines quadratic).
        let (cached_line_start, cached_pos, cached_column) = self.column_cache.get();
        let (from, base) = if cached_line_start == self.line_start && cached_pos <= self.pos {
            (cached_pos, cached_column)
        } else {
            (self.line_start, 1)
        };
        let text = self.text.get(from..self.pos).unwrap_or("");
        // Counting UTF-8 lead bytes counts characters.
        let column = base + text.bytes().filter(|b| (b & 0xC0) != 0x80).count() as u32;
        self.column_cache.set((self.line_start, self.pos, column));
        Position {
            line: self.line,
            column,
        }
    }

    fn error(&self, kind: JsonErrorKind) -> JsonError {
        JsonError {
            position: self.position(),
            pointer: String::new(),
            kind,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn peek_char(&self) -> Option<char> {
        self.text.get(self.pos..).and_then(|s| s.chars().next())
    }

    fn skip_ws(&mut self) {
        while let Some(b) = self.peek() {
            match b {
                b' ' | b'\t' | b'\r' => self.pos += 1,
                b'\n' => {
                    self.pos += 1;
                    self.line += 1;
                    self.line_start = self.pos;
                }
                _ => break,
            }
        }
    }

    fn unexpected(&self) -> JsonError {
        match self.peek_char() {
            Some(c) => self.error(JsonErrorKind::UnexpectedChar(c)),
            None => self.error(JsonErrorKind::UnexpectedEnd),
        }
    }

    fn value(&mut self, depth: usize) -> Result<JsonValue, JsonError> {
        let position = self.position();
        let kind = match self.peek() {
            None => return Err(self.error(JsonErrorKind::UnexpectedEnd)),
            Some(b'{') => self.object(depth)?,
            Some(b'[') => self.array(depth)?,
            Some(b'"') => JsonKind::String(self.string()?.into_boxed_str()),
            Some(b't') => self.literal("true", JsonKind::Bool(true))?,
            Some(b'f') => self.literal("false", JsonKind::Bool(false))?,
            Some(b'n') => self.literal("null", JsonKind::Null)?,
            Some(b'-' | b'0'..=b'9') => self.number()?,
            Some(_) => return Err(self.unexpected()),
        };
        Ok(JsonValue { kind, position })
    }

    fn literal(&mut self, word: &str, kind: JsonKind) -> Result<JsonKind, JsonError> {
        if self.bytes.get(self.pos..self.pos + word.len()) == Some(word.as_bytes()) {
            self.pos += word.len();
            Ok(kind)
        } else {
            Err(self.unexpected())
        }
    }

    fn number(&mut self) -> Result<JsonKind, JsonError> {
        let start = self.pos;
        let start_position = self.position();
        let digits = |p: &mut Self| {
            let s = p.pos;
            while matches!(p.peek(), Some(b'0'..=b'9')) {
                p.pos += 1;
            }
            p.pos - s
        };
        let mut ok = true;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                digits(self);
            }
            _ => ok = false,
        }
        if ok && self.peek() == Some(b'.') {
            self.pos += 1;
            ok = digits(self) > 0;
        }
        if ok && matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            ok = digits(self) > 0;
        }
        // A number must not run straight into more number-like text (`01`, `1x`).
        if ok
            && matches!(
                self.peek(),
                Some(b'0'..=b'9' | b'a'..=b'z' | b'A'..=b'Z' | b'.')
            )
        {
            ok = false;
            while matches!(
                self.peek(),
                Some(b'0'..=b'9' | b'a'..=b'z' | b'A'..=b'Z' | b'.')
            ) {
                self.pos += 1;
            }
        }
        let text = self.text.get(start..self.pos).unwrap_or("");
        if ok {
            Ok(JsonKind::Number(text.into()))
        } else {
            Err(JsonError {
                position: start_position,
                pointer: String::new(),
                kind: JsonErrorKind::InvalidNumber(text.to_owned()),
            })
        }
    }

    fn string(&mut self) -> Result<String, JsonError> {
        // Opening quote.
        self.pos += 1;
        let mut out = String::new();
        loop {
            let run_start = self.pos;
            while let Some(b) = self.peek() {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            out.push_str(self.text.get(run_start..self.pos).unwrap_or(""));
            match self.peek() {
                None => return Err(self.error(JsonErrorKind::UnexpectedEnd)),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    // Escape errors point at the backslash: the character after it may
                    // be a newline, which must not be consumed unseen by line counting.
                    let at = self.position();
                    self.pos += 1;
                    let c = self.escape().map_err(|mut e| {
                        e.position = at;
                        e
                    })?;
                    out.push(c);
                }
                Some(b) => return Err(self.error(JsonErrorKind::ControlCharacter(u32::from(b)))),
            }
        }
    }

    fn escape(&mut self) -> Result<char, JsonError> {
        let b = self
            .peek()
            .ok_or_else(|| self.error(JsonErrorKind::UnexpectedEnd))?;
        self.pos += 1;
        Ok(match b {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let high = self.hex4()?;
                if (0xD800..0xDC00).contains(&high) {
                    // A high surrogate must be followed by `\u` and a low surrogate.
                    if self.bytes.get(self.pos..self.pos + 2) != Some(b"\\u".as_slice()) {
                        return Err(self.error(JsonErrorKind::InvalidEscape));
                    }
                    self.pos += 2;
                    let low = self.hex4()?;
                    if !(0xDC00..0xE000).contains(&low) {
                        return Err(self.error(JsonErrorKind::InvalidEscape));
                    }
                    let code = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
                    char::from_u32(code).ok_or_else(|| self.error(JsonErrorKind::InvalidEscape))?
                } else {
                    char::from_u32(high).ok_or_else(|| self.error(JsonErrorKind::InvalidEscape))?
                }
            }
            _ => return Err(self.error(JsonErrorKind::InvalidEscape)),
        })
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let digits = self
            .text
            .get(self.pos..self.pos + 4)
            .ok_or_else(|| self.error(JsonErrorKind::InvalidEscape))?;
        let value = u32::from_str_radix(digits, 16)
            .map_err(|_| self.error(JsonErrorKind::InvalidEscape))?;
        if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(self.error(JsonErrorKind::InvalidEscape));
        }
        self.pos += 4;
        Ok(value)
    }

    /// Consumes the comma between two elements; a comma followed (after white space)
    /// by the closing `close` is reported at the comma, in the container being read,
    /// not at the bracket on a later line and not in an element that does not exist.
    fn comma(&mut self, close: u8) -> Result<(), JsonError> {
        // The error is located only when there is one (locating every comma was 4 %
        // of a policy's parse + compile).
        let at = (self.pos, self.line, self.line_start);
        self.pos += 1;
        self.skip_ws();
        if self.peek() == Some(close) {
            (self.pos, self.line, self.line_start) = at;
            return Err(self.error(JsonErrorKind::TrailingComma(char::from(close))));
        }
        Ok(())
    }

    fn enter(&self, depth: usize) -> Result<usize, JsonError> {
        if depth >= self.limits.max_depth {
            Err(self.error(JsonErrorKind::TooDeep(self.limits.max_depth)))
        } else {
            Ok(depth + 1)
        }
    }

    fn array(&mut self, depth: usize) -> Result<JsonKind, JsonError> {
        let depth = self.enter(depth)?;
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(JsonKind::Array(items));
        }
        loop {
            self.skip_ws();
            let index = items.len();
            let item = self
                .value(depth)
                .map_err(|e| prefix(e, &index.to_string()))?;
            items.push(item);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.comma(b']')?,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(JsonKind::Array(items));
                }
                _ => return Err(self.unexpected()),
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<JsonKind, JsonError> {
        let depth = self.enter(depth)?;
        self.pos += 1;
        let mut members: Vec<JsonMember> = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(JsonKind::Object(members));
        }
        loop {
            self.skip_ws();
            if self.peek() != Some(b'"') {
                return Err(self.unexpected());
            }
            let name_position = self.position();
            let name = self.string()?;
            if members.iter().any(|m| *m.name == *name) {
                return Err(JsonError {
                    position: name_position,
                    pointer: format!("/{}", escape_pointer_token(&name)),
                    kind: JsonErrorKind::DuplicateMember(name),
                });
            }
            self.skip_ws();
            if self.peek() != Some(b':') {
                return Err(prefix(self.unexpected(), &name));
            }
            self.pos += 1;
            self.skip_ws();
            let value = self.value(depth).map_err(|e| prefix(e, &name))?;
            members.push(JsonMember {
                name: name.into_boxed_str(),
                name_position,
                value,
            });
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.comma(b'}')?,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(JsonKind::Object(members));
                }
                _ => return Err(self.unexpected()),
            }
        }
    }
}

/// Errors travel up the value stack; each level puts its own reference token in front.
fn prefix(mut error: JsonError, token: &str) -> JsonError {
    error.pointer = format!("/{}{}", escape_pointer_token(token), error.pointer);
    error
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(text: &str) -> Result<JsonValue, JsonError> {
        parse(text, 1, JsonLimits::default())
    }

    #[test]
    fn positions_are_line_and_column() {
        let v = p("{\n  \"a\": [1, \"x\"],\n  \"b\": true\n}").unwrap();
        let b = v.get("b").unwrap();
        assert_eq!(b.position, Position { line: 3, column: 8 });
        let a = v.get("a").unwrap();
        match &a.kind {
            JsonKind::Array(items) => assert_eq!(
                items[1].position,
                Position {
                    line: 2,
                    column: 12
                }
            ),
            _ => panic!("not an array"),
        }
    }

    #[test]
    fn duplicate_member_is_an_error_with_pointer() {
        let e = p(r#"{"Statement": {"Effect": "Allow", "Effect": "Deny"}}"#).unwrap_err();
        assert_eq!(e.kind, JsonErrorKind::DuplicateMember("Effect".into()));
        assert_eq!(e.pointer, "/Statement/Effect");
        assert_eq!(e.position.column, 35);
    }

    #[test]
    fn errors_carry_pointer_of_innermost_value() {
        let e = p(r#"{"Statement": [{"Effect": "Allow"}, {"Action": tru}]}"#).unwrap_err();
        assert_eq!(e.pointer, "/Statement/1/Action");
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let text = "[".repeat(100_000);
        let e = p(&text).unwrap_err();
        assert_eq!(e.kind, JsonErrorKind::TooDeep(128));
    }

    #[test]
    fn escapes_and_surrogates() {
        let v = p(r#""a\u00e9\ud83d\ude00\n""#).unwrap();
        assert_eq!(v.as_str(), Some("aé😀\n"));
        assert!(p(r#""\ud83d""#).is_err());
        assert!(p("\"a\u{1}\"").is_err());
    }

    #[test]
    fn numbers_keep_text_and_reject_junk() {
        assert_eq!(p("10.50").unwrap().kind, JsonKind::Number("10.50".into()));
        assert!(p("01").is_err());
        assert!(p("1.").is_err());
        assert!(p("-").is_err());
        assert!(p("1e5").is_ok());
    }

    #[test]
    fn trailing_and_empty() {
        assert_eq!(
            p("{} x").unwrap_err().kind,
            JsonErrorKind::TrailingCharacters('x')
        );
        assert_eq!(p("  ").unwrap_err().kind, JsonErrorKind::Empty);
        assert_eq!(p("{\"a\":").unwrap_err().kind, JsonErrorKind::UnexpectedEnd);
    }

    /// Found by fuzzing: an escaped newline used to be reported past the end of its line.
    #[test]
    fn escape_errors_point_at_the_backslash() {
        let e = p("\"\\\n").unwrap_err();
        assert_eq!(e.kind, JsonErrorKind::InvalidEscape);
        assert_eq!(e.position, Position { line: 1, column: 2 });
    }

    /// A trailing comma is reported at the comma, with the pointer of the array or
    /// object that holds it (a pointer to the element after it would name nothing).
    #[test]
    fn trailing_comma_is_reported_at_the_comma() {
        let e = p("{\"Resource\": [\"a\", \"b\",\n]}").unwrap_err();
        assert_eq!(e.kind, JsonErrorKind::TrailingComma(']'));
        assert_eq!(
            e.position,
            Position {
                line: 1,
                column: 23
            }
        );
        assert_eq!(e.pointer, "/Resource");
        assert_eq!(
            e.to_string(),
            "1:23: trailing comma before `]`: JSON allows no comma after the last element"
        );
        let e = p("{\"a\": 1,\n  }").unwrap_err();
        assert_eq!(e.kind, JsonErrorKind::TrailingComma('}'));
        assert_eq!(e.position, Position { line: 1, column: 8 });
        assert_eq!(e.pointer, "");
        assert_eq!(
            e.kind.to_string(),
            "trailing comma before `}`: JSON allows no comma after the last member"
        );
        // A comma followed by something else is still the usual error, after it.
        let e = p("[1,,2]").unwrap_err();
        assert_eq!(e.kind, JsonErrorKind::UnexpectedChar(','));
        assert_eq!(e.pointer, "/1");
    }

    #[test]
    fn byte_order_mark_is_named() {
        assert_eq!(
            p("\u{feff}{}").unwrap_err().kind,
            JsonErrorKind::ByteOrderMark
        );
    }

    #[test]
    fn first_line_offsets_positions() {
        let e = parse("{\"a\" 1}", 41, JsonLimits::default()).unwrap_err();
        assert_eq!(e.position.line, 41);
    }
}
