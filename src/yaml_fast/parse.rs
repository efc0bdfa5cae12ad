//! The subset of YAML that the fast reader takes: block mappings with simple keys, block
//! sequences (also at their key's indent), one-line plain, single- and double-quoted
//! scalars, literal and folded block scalars, flow sequences of one-line scalars, and
//! comments; LF or CRLF line breaks. Anything else (multi-line plain and quoted scalars,
//! flow mappings, anchors, tags, document markers, tabs, control characters, empty values,
//! and the rarer forms of block scalars) gives `None`, and serde-saphyr reads the file.

use std::borrow::Cow;

/// Deeper documents go to serde-saphyr, whose budget refuses them with a message.
const MAX_DEPTH: usize = 64;
const MAX_NODES: usize = 1_000_000;

pub(super) enum Node<'a> {
    Scalar(Scalar<'a>),
    Seq(Vec<Node<'a>>),
    Map(Vec<(&'a str, Node<'a>)>),
}

pub(super) struct Scalar<'a> {
    pub text: Cow<'a, str>,
    /// Plain scalars are the ones YAML resolves: `null`, `true`, numbers.
    pub plain: bool,
    /// Byte range in the document, quotes included, as serde-saphyr's spans give it.
    pub start: usize,
    pub end: usize,
}

#[derive(Clone, Copy)]
struct Line {
    /// Offset of the line's first byte.
    begin: usize,
    /// Offset of the first byte that is not a space; after `- ` for a sequence item whose
    /// content is on the same line.
    start: usize,
    /// Offset of the line break (or the end of the text).
    end: usize,
    /// `start - begin`: the column of the content.
    indent: usize,
    comment: bool,
}

/// The document as a tree, or `None` if it uses anything outside the subset.
pub(super) fn document(src: &str) -> Option<Node<'_>> {
    // A byte-order mark is skipped; offsets stay the file's.
    let body = if src.starts_with('\u{feff}') { 3 } else { 0 };
    if has_unusual_bytes(&src.as_bytes()[body..]) {
        return None;
    }
    let mut parser = Parser {
        src,
        lines: lines(src, body)?,
        at: 0,
        nodes: 0,
    };
    let root = parser.node(None, 0)?;
    // Nothing but comments may follow the root node.
    match parser.next_content() {
        None => Some(root),
        Some(_) => None,
    }
}

/// Bytes that YAML forbids or treats specially: control characters (tab and CR included,
/// which the subset leaves out), DEL, the C1 controls and NEL, the line and paragraph
/// separators, a byte order mark, and the non-characters U+FFFE and U+FFFF.
fn has_unusual_bytes(bytes: &[u8]) -> bool {
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b < 0x80 {
            let crlf = b == b'\r' && bytes.get(i + 1) == Some(&b'\n');
            if (b < 0x20 && b != b'\n' && !crlf) || b == 0x7f {
                return true;
            }
            i += 1;
            continue;
        }
        let next = bytes.get(i + 1).copied().unwrap_or(0);
        let third = bytes.get(i + 2).copied().unwrap_or(0);
        match b {
            0xc2 if next < 0xa0 => return true,
            0xe2 if next == 0x80 && (third == 0xa8 || third == 0xa9) => return true,
            0xef if next == 0xbb && third == 0xbf => return true,
            0xef if next == 0xbf && (third == 0xbe || third == 0xbf) => return true,
            _ => {}
        }
        i += 1;
    }
    false
}

/// The non-blank lines from offset `body`. `None` for a document marker or a directive.
fn lines(src: &str, body: usize) -> Option<Vec<Line>> {
    let bytes = src.as_bytes();
    let mut lines = Vec::with_capacity(bytes.len() / 40);
    let mut begin = body;
    while begin < bytes.len() {
        let next = memchr::memchr(b'\n', &bytes[begin..]).map_or(bytes.len(), |n| begin + n);
        let end = content_end(bytes, begin, next);
        let start = begin + bytes[begin..end].iter().take_while(|&&b| b == b' ').count();
        if start < end {
            let content = &bytes[start..end];
            let at_margin = start == begin;
            if at_margin
                && (content[0] == b'%'
                    || ((content.starts_with(b"---") || content.starts_with(b"..."))
                        && matches!(content.get(3), None | Some(b' '))))
            {
                return None;
            }
            lines.push(Line {
                begin,
                start,
                end,
                indent: start - begin,
                comment: content[0] == b'#',
            });
        }
        begin = next + 1;
    }
    Some(lines)
}

/// The end of a line's text: before its `\n` at `next`, and before a CR that precedes it.
fn content_end(bytes: &[u8], begin: usize, next: usize) -> usize {
    if next > begin && bytes[next - 1] == b'\r' {
        next - 1
    } else {
        next
    }
}

struct Parser<'a> {
    src: &'a str,
    lines: Vec<Line>,
    at: usize,
    nodes: usize,
}

impl<'a> Parser<'a> {
    fn bytes(&self) -> &'a [u8] {
        self.src.as_bytes()
    }

    /// The next line that is not a comment, not consumed.
    fn next_content(&mut self) -> Option<Line> {
        while let Some(line) = self.lines.get(self.at) {
            if !line.comment {
                return Some(*line);
            }
            self.at += 1;
        }
        None
    }

    fn count(&mut self) -> Option<()> {
        self.nodes += 1;
        (self.nodes <= MAX_NODES).then_some(())
    }

    /// A block node whose lines are indented more than `parent` (any indent at the root).
    fn node(&mut self, parent: Option<usize>, depth: usize) -> Option<Node<'a>> {
        if depth > MAX_DEPTH {
            return None;
        }
        let line = self.next_content()?;
        if parent.is_some_and(|p| line.indent <= p) {
            return None;
        }
        if self.is_item(line) {
            self.seq(line.indent, depth)
        } else {
            self.map(line.indent, depth)
        }
    }

    fn is_item(&self, line: Line) -> bool {
        let bytes = self.bytes();
        bytes[line.start] == b'-' && (line.start + 1 == line.end || bytes[line.start + 1] == b' ')
    }

    /// The end of a simple key (`[A-Za-z0-9_-]+`) followed by `:` and a space or the end of
    /// the line.
    fn key_end(&self, line: Line) -> Option<usize> {
        let bytes = self.bytes();
        let len = bytes[line.start..line.end]
            .iter()
            .take_while(|&&b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
            .count();
        let colon = line.start + len;
        let follows = bytes.get(colon + 1).copied();
        (len > 0
            && bytes.get(colon) == Some(&b':')
            && (colon + 1 == line.end || follows == Some(b' ')))
        .then_some(colon)
    }

    fn seq(&mut self, indent: usize, depth: usize) -> Option<Node<'a>> {
        let mut items = Vec::new();
        while let Some(line) = self.next_content() {
            if line.indent < indent || !self.is_item(line) {
                break;
            }
            if line.indent > indent {
                return None;
            }
            self.count()?;
            let bytes = self.bytes();
            let content = line.start
                + 1
                + bytes[line.start + 1..line.end]
                    .iter()
                    .take_while(|&&b| b == b' ')
                    .count();
            let item = if content == line.end || bytes[content] == b'#' {
                // The item's node is on the lines below.
                self.at += 1;
                self.node(Some(indent), depth + 1)?
            } else {
                let inner = Line {
                    start: content,
                    indent: content - line.begin,
                    ..line
                };
                if self.is_item(inner) || self.key_end(inner).is_some() {
                    self.lines[self.at] = inner;
                    self.node(Some(indent), depth + 1)?
                } else if matches!(bytes[content], b'|' | b'>') {
                    self.block_scalar(indent, content, line.end)?
                } else {
                    let value = self.inline(content, line.end)?;
                    self.at += 1;
                    self.no_continuation(indent)?;
                    value
                }
            };
            items.push(item);
        }
        Some(Node::Seq(items))
    }

    fn map(&mut self, indent: usize, depth: usize) -> Option<Node<'a>> {
        let mut entries = Vec::new();
        while let Some(line) = self.next_content() {
            if line.indent < indent {
                break;
            }
            if line.indent > indent || self.is_item(line) {
                return None;
            }
            self.count()?;
            let colon = self.key_end(line)?;
            let key = &self.src[line.start..colon];
            let bytes = self.bytes();
            let value_start = colon
                + 1
                + bytes[colon + 1..line.end]
                    .iter()
                    .take_while(|&&b| b == b' ')
                    .count();
            let value = if value_start == line.end || bytes[value_start] == b'#' {
                self.at += 1;
                match self.next_content() {
                    Some(next) if next.indent > indent => self.node(Some(indent), depth + 1)?,
                    // A sequence may sit at its key's indent.
                    Some(next) if next.indent == indent && self.is_item(next) => {
                        self.seq(indent, depth + 1)?
                    }
                    // An empty value is null, which serde-saphyr resolves.
                    _ => return None,
                }
            } else if matches!(bytes[value_start], b'|' | b'>') {
                self.block_scalar(indent, value_start, line.end)?
            } else {
                let value = self.inline(value_start, line.end)?;
                self.at += 1;
                self.no_continuation(indent)?;
                value
            };
            entries.push((key, value));
        }
        (!entries.is_empty()).then_some(Node::Map(entries))
    }

    /// A literal (`|`) or folded (`>`) block scalar whose header is at `header`, inside a
    /// collection at `parent`'s indent, with clip, strip (`-`) or keep (`+`) chomping. Left
    /// to serde-saphyr: an indentation indicator, blank lines before the first line of text,
    /// blank lines with more spaces than the text's indent, more indented lines of a folded
    /// scalar, and a last line without a line break.
    fn block_scalar(&mut self, parent: usize, header: usize, end: usize) -> Option<Node<'a>> {
        let bytes = self.bytes();
        let folded = bytes[header] == b'>';
        let mut i = header + 1;
        let chomp = match bytes.get(i) {
            Some(&c @ (b'-' | b'+')) if i < end => {
                i += 1;
                c
            }
            _ => b' ',
        };
        comment_or_end(bytes, i, end)?;
        // The lines of text, `None` for a blank one, up to the first less indented line.
        let mut texts: Vec<Option<(usize, usize)>> = Vec::new();
        let mut indent = None;
        let mut begin = memchr::memchr(b'\n', &bytes[end..]).map(|n| end + n + 1)?;
        let block_end = loop {
            if begin >= bytes.len() {
                break bytes.len();
            }
            let next = memchr::memchr(b'\n', &bytes[begin..]).map_or(bytes.len(), |n| begin + n);
            let stop = content_end(bytes, begin, next);
            let spaces = bytes[begin..stop]
                .iter()
                .take_while(|&&b| b == b' ')
                .count();
            if begin + spaces == stop {
                if indent.is_none_or(|indent| spaces > indent) {
                    return None;
                }
                texts.push(None);
            } else {
                let indent = *indent.get_or_insert(spaces);
                if spaces < indent || spaces <= parent {
                    // serde-saphyr's span ends where the next token starts.
                    break begin + spaces;
                }
                if (folded && spaces > indent) || next == bytes.len() {
                    return None;
                }
                texts.push(Some((begin + indent, stop)));
            }
            begin = next + 1;
        };
        let indent = indent?;
        if indent <= parent {
            return None;
        }
        let trailing = texts.iter().rev().take_while(|t| t.is_none()).count();
        let lines = &texts[..texts.len() - trailing];
        let mut text = String::new();
        let mut blanks = 0;
        for (n, line) in lines.iter().enumerate() {
            match line {
                None => blanks += 1,
                Some((from, to)) => {
                    if n > 0 {
                        if folded {
                            if blanks == 0 {
                                text.push(' ');
                            }
                            text.extend(std::iter::repeat_n('\n', blanks));
                        } else {
                            text.extend(std::iter::repeat_n('\n', blanks + 1));
                        }
                    }
                    blanks = 0;
                    text.push_str(&self.src[*from..*to]);
                }
            }
        }
        match chomp {
            b'-' => {}
            b'+' => text.extend(std::iter::repeat_n('\n', 1 + trailing)),
            _ => text.push('\n'),
        }
        let start = lines.first().copied().flatten()?.0;
        while self.lines.get(self.at).is_some_and(|l| l.start < block_end) {
            self.at += 1;
        }
        self.count()?;
        Some(Node::Scalar(Scalar {
            text: Cow::Owned(text),
            plain: false,
            start,
            end: block_end,
        }))
    }

    /// After a value on its key's or item's line: a more indented line below would continue
    /// it as a multi-line scalar (or be an error), which the subset leaves out.
    fn no_continuation(&self, indent: usize) -> Option<()> {
        match self.lines.get(self.at) {
            Some(next) if next.indent > indent => None,
            _ => Some(()),
        }
    }

    /// A value that starts and ends on this line.
    fn inline(&mut self, start: usize, end: usize) -> Option<Node<'a>> {
        let bytes = self.bytes();
        match bytes[start] {
            b'"' | b'\'' => {
                let (scalar, after) = self.quoted(start, end)?;
                comment_or_end(bytes, after, end)?;
                Some(Node::Scalar(scalar))
            }
            b'[' => self.flow_seq(start, end),
            _ => self.plain(start, end).map(Node::Scalar),
        }
    }

    fn plain(&self, start: usize, end: usize) -> Option<Scalar<'a>> {
        let bytes = self.bytes();
        let first = bytes[start];
        let next = bytes.get(start + 1).copied();
        let indicator = matches!(
            first,
            b'{' | b'}'
                | b'['
                | b']'
                | b','
                | b'&'
                | b'*'
                | b'!'
                | b'|'
                | b'>'
                | b'%'
                | b'@'
                | b'`'
                | b'#'
                | b'\''
                | b'"'
        ) || (matches!(first, b'-' | b'?' | b':')
            && (start + 1 == end || next == Some(b' ')));
        if indicator {
            return None;
        }
        // A comment starts at ` #`; `: ` or a final `:` would make a mapping.
        let mut stop = end;
        let mut from = start;
        while let Some(n) = memchr::memchr2(b':', b'#', &bytes[from..end]) {
            let at = from + n;
            if bytes[at] == b'#' {
                if bytes[at - 1] == b' ' {
                    stop = at;
                    break;
                }
            } else if at + 1 == end || bytes[at + 1] == b' ' {
                return None;
            }
            from = at + 1;
        }
        let text_end = start
            + bytes[start..stop]
                .iter()
                .rposition(|&b| b != b' ')
                .map_or(0, |n| n + 1);
        Some(Scalar {
            text: Cow::Borrowed(&self.src[start..text_end]),
            plain: true,
            start,
            end: text_end,
        })
    }

    /// A quoted scalar closed on this line, and the offset after its closing quote.
    fn quoted(&self, start: usize, end: usize) -> Option<(Scalar<'a>, usize)> {
        let bytes = self.bytes();
        let quote = bytes[start];
        let body = start + 1;
        let mut owned: Option<String> = None;
        let mut copied = body;
        let mut i = body;
        let close = loop {
            let n = memchr::memchr2(quote, b'\\', &bytes[i..end])?;
            let at = i + n;
            if quote == b'\'' {
                if bytes.get(at + 1) == Some(&b'\'') {
                    let text = owned.get_or_insert_with(String::new);
                    text.push_str(&self.src[copied..=at]);
                    i = at + 2;
                    copied = i;
                    continue;
                }
                if bytes[at] == b'\\' {
                    i = at + 1;
                    continue;
                }
                break at;
            }
            if bytes[at] == b'"' {
                break at;
            }
            let text = owned.get_or_insert_with(String::new);
            text.push_str(&self.src[copied..at]);
            let (c, len) = escape(bytes, at + 1, end)?;
            text.push(c);
            i = at + 1 + len;
            copied = i;
        };
        let text = match owned {
            Some(mut text) => {
                text.push_str(&self.src[copied..close]);
                Cow::Owned(text)
            }
            None => Cow::Borrowed(&self.src[body..close]),
        };
        Some((
            Scalar {
                text,
                plain: false,
                start,
                end: close + 1,
            },
            close + 1,
        ))
    }

    /// `[a, "b", 'c']` on one line: scalars only.
    fn flow_seq(&mut self, start: usize, end: usize) -> Option<Node<'a>> {
        let bytes = self.bytes();
        let mut items = Vec::new();
        let mut i = skip_spaces(bytes, start + 1, end);
        if bytes.get(i) == Some(&b']') && i < end {
            comment_or_end(bytes, i + 1, end)?;
            return Some(Node::Seq(items));
        }
        loop {
            if i >= end {
                return None;
            }
            self.count()?;
            let after = if matches!(bytes[i], b'"' | b'\'') {
                let (scalar, after) = self.quoted(i, end)?;
                items.push(Node::Scalar(scalar));
                after
            } else {
                let stop = i + bytes[i..end].iter().position(|&b| b == b',' || b == b']')?;
                let text = &bytes[i..stop];
                if text
                    .iter()
                    .any(|&b| matches!(b, b'[' | b'{' | b'}' | b'#' | b':'))
                {
                    return None;
                }
                let scalar = self.plain(i, stop)?;
                if scalar.text.is_empty() {
                    return None;
                }
                items.push(Node::Scalar(scalar));
                stop
            };
            i = skip_spaces(bytes, after, end);
            match bytes.get(i) {
                Some(b',') if i < end => {
                    i = skip_spaces(bytes, i + 1, end);
                    // A trailing comma is left to serde-saphyr.
                    if bytes.get(i) == Some(&b']') {
                        return None;
                    }
                }
                Some(b']') if i < end => {
                    comment_or_end(bytes, i + 1, end)?;
                    return Some(Node::Seq(items));
                }
                _ => return None,
            }
        }
    }
}

fn skip_spaces(bytes: &[u8], mut i: usize, end: usize) -> usize {
    while i < end && bytes[i] == b' ' {
        i += 1;
    }
    i
}

/// Only spaces, then the end of the line or a comment after at least one space.
fn comment_or_end(bytes: &[u8], after: usize, end: usize) -> Option<()> {
    let i = skip_spaces(bytes, after, end);
    (i == end || (bytes[i] == b'#' && i > after)).then_some(())
}

/// A double-quoted escape whose letter is at `at`: the character and the bytes it took.
/// Escapes that give a control character other than tab, LF and CR are left to
/// serde-saphyr.
fn escape(bytes: &[u8], at: usize, end: usize) -> Option<(char, usize)> {
    if at >= end {
        return None;
    }
    let simple = match bytes[at] {
        b't' => '\t',
        b'n' => '\n',
        b'r' => '\r',
        b' ' => ' ',
        b'"' => '"',
        b'/' => '/',
        b'\\' => '\\',
        b'_' => '\u{a0}',
        b'x' | b'u' | b'U' => {
            let digits = match bytes[at] {
                b'x' => 2,
                b'u' => 4,
                _ => 8,
            };
            let hex = bytes.get(at + 1..at + 1 + digits)?;
            if at + digits >= end {
                return None;
            }
            if !hex.iter().all(u8::is_ascii_hexdigit) {
                return None;
            }
            let code = u32::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?;
            let c = char::from_u32(code)?;
            if (c.is_control() && !matches!(c, '\t' | '\n' | '\r')) || c == '\u{85}' {
                return None;
            }
            return Some((c, 1 + digits));
        }
        _ => return None,
    };
    Some((simple, 1))
}
