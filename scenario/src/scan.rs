//! An in-place reader for the plain JSON that request rows and case lines almost
//! always are: `batch` and `check` read such lines without building a JSON tree or
//! copying a string, and hand anything else to `iamsim_engine::source::json`.

/// A cursor over one line of JSON that reads a plain subset exactly as
/// `iamsim_engine::source::json` would read it, borrowing every string. Every method returns
/// `None` for anything outside that subset (escapes it does not skip, duplicate
/// names, nesting it does not know, malformed text); callers then use the full
/// parser, which reads everything and words every error.
pub struct Scan<'a> {
    /// The line.
    pub text: &'a str,
    /// The byte offset reached.
    pub i: usize,
}

/// Members per object [`Scan::object`] checks for duplicates; more go to the parser.
pub const SCAN_MEMBERS: usize = 32;

impl<'a> Scan<'a> {
    pub fn byte(&self) -> Option<u8> {
        self.text.as_bytes().get(self.i).copied()
    }

    pub fn skip_ws(&mut self) {
        while matches!(self.byte(), Some(b' ' | b'\t' | b'\r' | b'\n')) {
            self.i += 1;
        }
    }

    pub fn expect_byte(&mut self, b: u8) -> Option<()> {
        self.skip_ws();
        (self.byte()? == b).then(|| self.i += 1)
    }

    /// A string without escapes.
    pub fn string(&mut self) -> Option<&'a str> {
        if self.byte()? != b'"' {
            return None;
        }
        let start = self.i + 1;
        let end = string_stop(self.text.as_bytes(), start);
        if self.text.as_bytes().get(end) != Some(&b'"') {
            return None;
        }
        self.i = end + 1;
        self.text.get(start..end)
    }

    /// Skips a string, checking its escapes as the parser does.
    pub fn skip_string(&mut self) -> Option<()> {
        self.i += 1;
        loop {
            self.i = string_stop(self.text.as_bytes(), self.i);
            match self.byte()? {
                b'"' => {
                    self.i += 1;
                    return Some(());
                }
                b'\\' => match self.text.as_bytes().get(self.i + 1)? {
                    b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => self.i += 2,
                    b'u' => self.skip_unicode_escape()?,
                    _ => return None,
                },
                _ => return None,
            }
        }
    }

    /// Skips `\\uXXXX` (and the low half of a surrogate pair), refusing what the
    /// parser refuses: bad hex digits, a lone or reversed surrogate.
    pub fn skip_unicode_escape(&mut self) -> Option<()> {
        let hex = |at: usize| {
            self.text
                .get(at..at + 4)
                .filter(|d| d.bytes().all(|b| b.is_ascii_hexdigit()))
                .and_then(|d| u32::from_str_radix(d, 16).ok())
        };
        let high = hex(self.i + 2)?;
        if (0xD800..0xDC00).contains(&high) {
            if self.text.as_bytes().get(self.i + 6..self.i + 8) != Some(b"\\u".as_slice()) {
                return None;
            }
            let low = hex(self.i + 8)?;
            (0xDC00..0xE000).contains(&low).then_some(())?;
            self.i += 12;
        } else {
            char::from_u32(high)?;
            self.i += 6;
        }
        Some(())
    }

    /// A number's text, by the parser's grammar (and its refusal of `01`, `1x`).
    pub fn number(&mut self) -> Option<&'a str> {
        let start = self.i;
        let digits = |s: &mut Self| {
            let from = s.i;
            while matches!(s.byte(), Some(b'0'..=b'9')) {
                s.i += 1;
            }
            s.i > from
        };
        if self.byte() == Some(b'-') {
            self.i += 1;
        }
        match self.byte()? {
            b'0' => self.i += 1,
            b'1'..=b'9' => {
                digits(self);
            }
            _ => return None,
        }
        if self.byte() == Some(b'.') {
            self.i += 1;
            digits(self).then_some(())?;
        }
        if matches!(self.byte(), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.byte(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            digits(self).then_some(())?;
        }
        if matches!(
            self.byte(),
            Some(b'0'..=b'9' | b'a'..=b'z' | b'A'..=b'Z' | b'.')
        ) {
            return None;
        }
        self.text.get(start..self.i)
    }

    pub fn literal(&mut self, word: &'static str) -> Option<&'a str> {
        let text = self.text.get(self.i..self.i + word.len())?;
        (text == word).then(|| {
            self.i += word.len();
            text
        })
    }

    /// A context scalar's text: a string's contents, a number as written, or
    /// `true`/`false` (as `context_from_json` keeps them).
    pub fn scalar(&mut self) -> Option<&'a str> {
        match self.byte()? {
            b'"' => self.string(),
            b'-' | b'0'..=b'9' => self.number(),
            b't' => self.literal("true"),
            b'f' => self.literal("false"),
            _ => None,
        }
    }

    /// Skips a value nobody reads (`doc`, unknown members): scalars and arrays of
    /// them; objects are left to the parser, which checks their member names.
    pub fn skip_value(&mut self, depth: usize) -> Option<()> {
        match self.byte()? {
            b'"' => self.skip_string(),
            b'n' => self.literal("null").map(drop),
            b'[' if depth < 16 => self.array(|s| s.skip_value(depth + 1)),
            _ => self.scalar().map(drop),
        }
    }

    /// Reads an array, `item` reading each element.
    pub fn array(&mut self, item: impl FnMut(&mut Self) -> Option<()>) -> Option<()> {
        self.list(b'[', b']', item)
    }

    /// Reads an object, `member` reading each member's value; a member name with
    /// escapes, or given twice, is left to the parser.
    pub fn object(
        &mut self,
        mut member: impl FnMut(&mut Self, &'a str) -> Option<()>,
    ) -> Option<()> {
        let mut seen = [""; SCAN_MEMBERS];
        let mut count = 0;
        self.list(b'{', b'}', |s| {
            let name = s.string()?;
            if seen.get(..count)?.contains(&name) {
                return None;
            }
            *seen.get_mut(count)? = name;
            count += 1;
            s.expect_byte(b':')?;
            s.skip_ws();
            member(s, name)
        })
    }

    /// Reads `open`, comma-separated items and `close`.
    pub fn list(
        &mut self,
        open: u8,
        close: u8,
        mut item: impl FnMut(&mut Self) -> Option<()>,
    ) -> Option<()> {
        self.expect_byte(open)?;
        self.skip_ws();
        if self.byte()? == close {
            self.i += 1;
            return Some(());
        }
        loop {
            self.skip_ws();
            item(self)?;
            self.skip_ws();
            match self.byte()? {
                b',' => self.i += 1,
                b if b == close => {
                    self.i += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// The text of the object or array starting here, brackets matched and strings
    /// skipped, without checking anything else: only for `policies` texts, which are
    /// used only when equal to one the parser has accepted.
    pub fn balanced(&mut self) -> Option<&'a str> {
        let b = self.text.as_bytes();
        let start = self.i;
        let mut depth = 0usize;
        loop {
            match b.get(self.i)? {
                b'"' => loop {
                    self.i = string_stop(b, self.i + 1);
                    match b.get(self.i)? {
                        b'\\' => self.i += 1,
                        b'"' => break,
                        _ => {}
                    }
                },
                b'{' | b'[' => depth += 1,
                b'}' | b']' => {
                    depth = depth.checked_sub(1)?;
                    if depth == 0 {
                        self.i += 1;
                        return self.text.get(start..self.i);
                    }
                }
                _ => {}
            }
            self.i += 1;
        }
    }
}

/// The index of the first `"`, `\\` or control character of `b` from `i` on (or
/// `b.len()`): where a JSON string's plain run ends. Eight bytes at a time, because
/// most of a case file is string contents.
pub fn string_stop(b: &[u8], mut i: usize) -> usize {
    const ONES: u64 = u64::from_le_bytes([1; 8]);
    const HIGH: u64 = u64::from_le_bytes([0x80; 8]);
    // `(w - ONES) & !w & HIGH` flags zero bytes, and `(w - n * ONES) & !w & HIGH`
    // bytes below `n`; a flag can be wrong only above a true one, so the lowest
    // flag is the first stop.
    let below = |w: u64, n: u8| w.wrapping_sub(ONES * u64::from(n)) & !w;
    while let Some(chunk) = b.get(i..i + 8) {
        let Ok(bytes) = <[u8; 8]>::try_from(chunk) else {
            break;
        };
        let w = u64::from_le_bytes(bytes);
        let stops = (below(w ^ (ONES * u64::from(b'"')), 1)
            | below(w ^ (ONES * u64::from(b'\\')), 1)
            | below(w, 0x20))
            & HIGH;
        if stops != 0 {
            return i + (stops.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while matches!(b.get(i), Some(&c) if c != b'"' && c != b'\\' && c >= 0x20) {
        i += 1;
    }
    i.min(b.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Where a plain string run stops, found byte by byte.
    fn slow_stop(b: &[u8], i: usize) -> usize {
        (i..b.len())
            .find(|&j| matches!(b[j], b'"' | b'\\' | 0..=0x1f))
            .unwrap_or(b.len().max(i))
    }

    #[test]
    fn word_at_a_time_string_stop_agrees_with_byte_at_a_time() {
        // Every placement of each stop byte (and of bytes one off from them, or with
        // the high bit set) in runs of 0..40 bytes, with a second stop after it.
        let fillers = [
            b'a', b' ', b'!', b'#', b'[', b']', 0x7f, 0x80, 0xa2, 0xdc, 0xff,
        ];
        let specials = [b'"', b'\\', 0x00, 0x01, 0x1f, 0x20, 0x21, 0x5b, 0x5d];
        let mut checked = 0;
        for len in 0..40 {
            for &fill in &fillers {
                for &special in &specials {
                    for at in 0..=len {
                        for second in [None, Some(b'"'), Some(b'\\'), Some(0x1f)] {
                            let mut bytes = vec![fill; len];
                            if at < len {
                                bytes[at] = special;
                            }
                            if let Some(b) = second {
                                bytes.push(b);
                            }
                            for start in 0..bytes.len().min(3) {
                                assert_eq!(
                                    string_stop(&bytes, start),
                                    slow_stop(&bytes, start),
                                    "{bytes:?} from {start}"
                                );
                                checked += 1;
                            }
                        }
                    }
                }
            }
        }
        assert!(checked > 100_000, "{checked}");
    }
}
