//! The subset of YAML that the fast reader takes: block mappings with simple keys, block
//! sequences (also at their key's indent), one-line plain, single- and double-quoted
//! scalars, literal and folded block scalars, flow sequences of one-line scalars, and
//! comments; LF or CRLF line breaks. Anything else (multi-line plain and quoted scalars,
//! flow mappings, anchors, tags, document markers, tabs, control characters, empty values,
//! and the rarer forms of block scalars) gives `None`, and serde-saphyr reads the file.

use std::borrow::Cow;

mod scalars;

use scalars::comment_or_end;

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
        let start = skip_spaces(bytes, begin, end);
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
            let content = skip_spaces(bytes, line.start + 1, line.end);
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
                } else {
                    self.value_here(indent, content, line.end)?
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
            let value_start = skip_spaces(bytes, colon + 1, line.end);
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
            } else {
                self.value_here(indent, value_start, line.end)?
            };
            entries.push((key, value));
        }
        (!entries.is_empty()).then_some(Node::Map(entries))
    }

    /// The value that starts at `start` on the line of its key or item, in a collection at
    /// `indent`: a block scalar, or a value that ends on this line.
    fn value_here(&mut self, indent: usize, start: usize, end: usize) -> Option<Node<'a>> {
        if matches!(self.bytes()[start], b'|' | b'>') {
            return self.block_scalar(indent, start, end);
        }
        let value = self.inline(start, end)?;
        self.at += 1;
        self.no_continuation(indent)?;
        Some(value)
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
}

fn skip_spaces(bytes: &[u8], mut i: usize, end: usize) -> usize {
    while i < end && bytes[i] == b' ' {
        i += 1;
    }
    i
}
