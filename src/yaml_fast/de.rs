//! serde over the fast reader's tree. Every value that YAML could resolve in more than
//! one way (`null`, `True`, numbers, empty values) is an error here, so that serde-saphyr
//! reads the file and decides; what this gives is what serde-saphyr gives.

use serde::de::{self, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Visitor};

use super::parse::{Node, Scalar};
use super::{Bail, SPANNED};

pub(super) struct De<'n, 'a>(pub &'n Node<'a>);

/// serde-saphyr reads these plain scalars as null.
fn is_null(scalar: &Scalar<'_>) -> bool {
    scalar.plain && matches!(&*scalar.text, "" | "~" | "null" | "Null" | "NULL")
}

/// A plain scalar that no YAML schema reads as anything but a string: it starts with a
/// letter and is none of the words YAML 1.1 and 1.2 give another type.
fn is_plain_word(text: &str) -> bool {
    const WORDS: [&str; 12] = [
        "null", "true", "false", "yes", "no", "on", "off", "y", "n", "inf", "infinity", "nan",
    ];
    text.starts_with(|c: char| c.is_ascii_alphabetic())
        && !WORDS.iter().any(|w| w.eq_ignore_ascii_case(text))
}

macro_rules! bail {
    ($($method:ident)*) => {
        $(fn $method<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Bail> {
            Err(Bail)
        })*
    };
}

impl<'de> de::Deserializer<'de> for De<'_, '_> {
    type Error = Bail;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Bail> {
        match self.0 {
            Node::Scalar(s) if !s.plain => visitor.visit_str(&s.text),
            Node::Scalar(s) => match &*s.text {
                "true" => visitor.visit_bool(true),
                "false" => visitor.visit_bool(false),
                text if is_plain_word(text) => visitor.visit_str(text),
                _ => Err(Bail),
            },
            Node::Seq(items) => visitor.visit_seq(Items(items.iter())),
            Node::Map(entries) => visitor.visit_map(Entries {
                entries: entries.iter(),
                value: None,
            }),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Bail> {
        match self.0 {
            Node::Scalar(s) if s.plain && s.text == "true" => visitor.visit_bool(true),
            Node::Scalar(s) if s.plain && s.text == "false" => visitor.visit_bool(false),
            _ => Err(Bail),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Bail> {
        match self.0 {
            Node::Scalar(s) if !is_null(s) => visitor.visit_str(&s.text),
            _ => Err(Bail),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Bail> {
        self.deserialize_str(visitor)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Bail> {
        self.deserialize_str(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Bail> {
        match self.0 {
            Node::Scalar(s) if is_null(s) => Err(Bail),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Bail> {
        match self.0 {
            Node::Seq(items) => visitor.visit_seq(Items(items.iter())),
            _ => Err(Bail),
        }
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Bail> {
        match self.0 {
            Node::Map(entries) => visitor.visit_map(Entries {
                entries: entries.iter(),
                value: None,
            }),
            _ => Err(Bail),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Bail> {
        self.deserialize_map(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Bail> {
        match self.0 {
            Node::Scalar(s) if s.plain && !is_null(s) => {
                visitor.visit_enum(IntoDeserializer::<Bail>::into_deserializer(&*s.text))
            }
            _ => Err(Bail),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        visitor: V,
    ) -> Result<V::Value, Bail> {
        visitor.visit_newtype_struct(self)
    }

    /// [`SPANNED`]: the scalar's start and end offsets, then its value.
    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        _: usize,
        visitor: V,
    ) -> Result<V::Value, Bail> {
        match self.0 {
            Node::Scalar(s) if name == SPANNED => visitor.visit_seq(SpanFields {
                node: self.0,
                start: s.start,
                end: s.end,
                next: 0,
            }),
            _ => Err(Bail),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Bail> {
        visitor.visit_unit()
    }

    fn is_human_readable(&self) -> bool {
        // How `model::Spanned` tells this reader from serde-saphyr; see `SPANNED`.
        false
    }

    bail! {
        deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64 deserialize_i128
        deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64 deserialize_u128
        deserialize_f32 deserialize_f64 deserialize_char deserialize_bytes
        deserialize_byte_buf deserialize_unit
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: V,
    ) -> Result<V::Value, Bail> {
        Err(Bail)
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _: usize, _: V) -> Result<V::Value, Bail> {
        Err(Bail)
    }
}

struct Items<'n, 'a>(std::slice::Iter<'n, Node<'a>>);

impl<'de> SeqAccess<'de> for Items<'_, '_> {
    type Error = Bail;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Bail> {
        self.0
            .next()
            .map(|node| seed.deserialize(De(node)))
            .transpose()
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.0.len())
    }
}

struct Entries<'n, 'a> {
    entries: std::slice::Iter<'n, (&'a str, Node<'a>)>,
    value: Option<&'n Node<'a>>,
}

impl<'de> MapAccess<'de> for Entries<'_, '_> {
    type Error = Bail;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Bail> {
        let Some((key, value)) = self.entries.next() else {
            return Ok(None);
        };
        self.value = Some(value);
        seed.deserialize(IntoDeserializer::<Bail>::into_deserializer(*key))
            .map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Bail> {
        let node = self.value.take().ok_or(Bail)?;
        seed.deserialize(De(node))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

struct SpanFields<'n, 'a> {
    node: &'n Node<'a>,
    start: usize,
    end: usize,
    next: u8,
}

impl<'de> SeqAccess<'de> for SpanFields<'_, '_> {
    type Error = Bail;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Bail> {
        self.next += 1;
        match self.next {
            1 => seed
                .deserialize(IntoDeserializer::<Bail>::into_deserializer(self.start))
                .map(Some),
            2 => seed
                .deserialize(IntoDeserializer::<Bail>::into_deserializer(self.end))
                .map(Some),
            3 => seed.deserialize(De(self.node)).map(Some),
            _ => Ok(None),
        }
    }
}
