//! Request streams for `iamsim batch`: rows are read by one reader thread into a
//! small, fixed pool of recycled chunk buffers (at most `chunk_size` rows and
//! [`CHUNK_BYTES`] bytes each, lines capped at [`MAX_LINE_BYTES`]). JSON Lines are
//! only split here (with the memchr crate's SIMD search) and parsed by the workers;
//! CSV rows are parsed by the reader.

use super::rows::{CsvRows, Row, RowParseError};
use std::io::{BufRead, Read};
use std::sync::mpsc;

/// Longest JSON Lines row accepted; a longer line becomes an error row.
pub const MAX_LINE_BYTES: usize = 1 << 20;
/// A chunk of JSON Lines input ends once it holds this many bytes, even if it has
/// fewer than `--chunk-size` rows (keeps memory bounded for long rows).
pub const CHUNK_BYTES: usize = 8 << 20;
/// Where rows come from.
pub enum RowSource {
    /// JSON Lines, split here and parsed by the workers.
    Jsonl(Box<dyn BufRead + Send>),
    /// CSV, parsed by the reader thread.
    Csv(Box<CsvRows<Box<dyn Read + Send>>>),
}

/// One line of JSON Lines input inside a chunk's byte buffer.
#[derive(Debug, Clone, Copy)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte (line break excluded).
    pub end: usize,
    /// 1-based input line.
    pub line: u64,
    /// The line was longer than [`MAX_LINE_BYTES`]; its text was dropped.
    pub too_long: bool,
}

/// A chunk of input rows; its buffers are recycled between chunks.
#[derive(Default)]
pub struct Chunk {
    /// JSON Lines input: the lines' bytes.
    pub data: Vec<u8>,
    /// JSON Lines input: where each non-blank line sits in `data`.
    pub spans: Vec<Span>,
    /// CSV input: rows parsed by the reader.
    pub rows: Vec<Result<Row, RowParseError>>,
    /// The input ended with (or at) this chunk.
    pub last: bool,
    /// A read error that ended the input.
    pub error: Option<String>,
}

impl Chunk {
    /// Rows in the chunk.
    pub fn len(&self) -> usize {
        self.spans.len() + self.rows.len()
    }

    /// No rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The reader thread: fills recycled chunks until the input ends.
pub fn read_chunks(
    mut rows: RowSource,
    source: &str,
    chunk_size: usize,
    free: mpsc::Receiver<Chunk>,
    filled: mpsc::Sender<Chunk>,
) {
    let mut next_line = 1u64;
    while let Ok(mut chunk) = free.recv() {
        chunk.data.clear();
        chunk.spans.clear();
        chunk.rows.clear();
        chunk.error = None;
        chunk.last = false;
        let result = match &mut rows {
            RowSource::Jsonl(r) => fill_jsonl(r.as_mut(), &mut chunk, chunk_size, &mut next_line),
            RowSource::Csv(r) => {
                chunk.rows.extend(r.by_ref().take(chunk_size));
                Ok(chunk.rows.len() < chunk_size)
            }
        };
        match result {
            Ok(eof) => chunk.last = eof,
            Err(e) => {
                chunk.last = true;
                chunk.error = Some(format!("{source}:{next_line}: cannot read: {e}"));
            }
        }
        let last = chunk.last;
        if filled.send(chunk).is_err() || last {
            return;
        }
    }
}

/// Reads up to `max_rows` non-blank lines into `chunk`; `Ok(true)` at end of input.
fn fill_jsonl(
    r: &mut (dyn BufRead + Send),
    chunk: &mut Chunk,
    max_rows: usize,
    next_line: &mut u64,
) -> std::io::Result<bool> {
    while chunk.spans.len() < max_rows && chunk.data.len() < CHUNK_BYTES {
        let mut start = chunk.data.len();
        let n = read_line(r, &mut chunk.data, MAX_LINE_BYTES + 1)?;
        if n == 0 {
            return Ok(true);
        }
        let line = *next_line;
        *next_line += 1;
        let mut end = chunk.data.len();
        if chunk.data[end - 1] == b'\n' {
            end -= 1;
            if end > start && chunk.data[end - 1] == b'\r' {
                end -= 1;
            }
        } else if n == MAX_LINE_BYTES + 1 {
            chunk.data.truncate(start);
            skip_rest_of_line(r)?;
            chunk.spans.push(Span {
                start,
                end: start,
                line,
                too_long: true,
            });
            continue;
        }
        if line == 1 && chunk.data[start..end].starts_with(b"\xEF\xBB\xBF") {
            start += 3;
        }
        if chunk.data[start..end].iter().all(u8::is_ascii_whitespace) {
            chunk.data.truncate(start);
            continue;
        }
        chunk.spans.push(Span {
            start,
            end,
            line,
            too_long: false,
        });
    }
    Ok(false)
}

/// Appends the next line, `\n` included, to `data`, but at most `limit` bytes of it;
/// returns the bytes appended (0 at end of input). `BufRead::read_until` does this
/// with a byte-at-a-time-per-word search; the memchr crate's SIMD search is several
/// times faster on the long lines of a batch file.
fn read_line(
    r: &mut (dyn BufRead + Send),
    data: &mut Vec<u8>,
    limit: usize,
) -> std::io::Result<usize> {
    let mut read = 0;
    while read < limit {
        let buf = match r.fill_buf() {
            Ok(buf) => buf,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buf.is_empty() {
            break;
        }
        let window = &buf[..buf.len().min(limit - read)];
        let (take, done) = match memchr::memchr(b'\n', window) {
            Some(i) => (i + 1, true),
            None => (window.len(), false),
        };
        data.extend_from_slice(&window[..take]);
        r.consume(take);
        read += take;
        if done {
            break;
        }
    }
    Ok(read)
}

fn skip_rest_of_line(r: &mut (dyn BufRead + Send)) -> std::io::Result<()> {
    loop {
        let buf = r.fill_buf()?;
        if buf.is_empty() {
            return Ok(());
        }
        match buf.iter().position(|&b| b == b'\n') {
            Some(i) => {
                r.consume(i + 1);
                return Ok(());
            }
            None => {
                let n = buf.len();
                r.consume(n);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::BufReader;

    /// `read_line` must split exactly as `Read::take(limit).read_until(b'\n')`,
    /// whatever the reader's buffer size and wherever the limit falls.
    #[test]
    fn read_line_splits_like_read_until() {
        let inputs: [&[u8]; 6] = [
            b"",
            b"abc",
            b"abc\n",
            b"ab\ncd\r\n\nefgh\nijklmnop",
            b"abcdefgh\nabcdefg\nabcdefghi\n",
            b"\n\n\nxyz",
        ];
        for input in inputs {
            for capacity in [1, 2, 3, 8, 64] {
                for limit in [1, 2, 4, 8, 9, 10, 100] {
                    let mut ours = BufReader::with_capacity(capacity, input);
                    let mut theirs = BufReader::with_capacity(capacity, input);
                    loop {
                        let (mut a, mut b) = (Vec::new(), Vec::new());
                        let n = read_line(&mut ours, &mut a, limit).expect("reads");
                        let m = Read::take(&mut theirs, limit as u64)
                            .read_until(b'\n', &mut b)
                            .expect("reads");
                        let case = format!("{input:?} capacity {capacity} limit {limit}");
                        assert_eq!((n, &a), (m, &b), "{case}");
                        if n == 0 {
                            break;
                        }
                    }
                }
            }
        }
    }
}
