//! Scalars: plain, quoted, flow sequences of them, and block scalars.

use std::borrow::Cow;

use super::{content_end, skip_spaces, Node, Parser, Scalar};

impl<'a> Parser<'a> {
    /// A literal (`|`) or folded (`>`) block scalar whose header is at `header`, inside a
    /// collection at `parent`'s indent, with clip, strip (`-`) or keep (`+`) chomping. Left
    /// to serde-saphyr: an indentation indicator, blank lines before the first line of text,
    /// blank lines with more spaces than the text's indent, more indented lines of a folded
    /// scalar, and a last line without a line break.
    pub(super) fn block_scalar(
        &mut self,
        parent: usize,
        header: usize,
        end: usize,
    ) -> Option<Node<'a>> {
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
            let spaces = skip_spaces(bytes, begin, stop) - begin;
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

    pub(super) fn plain(&self, start: usize, end: usize) -> Option<Scalar<'a>> {
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
    pub(super) fn quoted(&self, start: usize, end: usize) -> Option<(Scalar<'a>, usize)> {
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
    pub(super) fn flow_seq(&mut self, start: usize, end: usize) -> Option<Node<'a>> {
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
/// Only spaces, then the end of the line or a comment after at least one space.
pub(super) fn comment_or_end(bytes: &[u8], after: usize, end: usize) -> Option<()> {
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
