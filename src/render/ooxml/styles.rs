//! The cell styles the workbooks use, and `xl/styles.xml`.

/// A cell style. A cell without one takes its column's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// Wrapped text at the top of the cell: every data column.
    Wrap,
    /// White bold text on dark blue, a thin line below: header rows.
    Header,
    /// Blue underlined wrapped text: hyperlinks.
    Link,
    /// Green fill: a supported feature in the matrix.
    Supported,
    /// Orange fill: an unsupported feature.
    Unsupported,
    /// Grey text: a feature that does not apply.
    Muted,
}

impl Style {
    fn font(self) -> Option<&'static str> {
        match self {
            Style::Header => Some(r#"<b/><sz val="11"/><color rgb="FFFFFFFF"/>"#),
            Style::Link => Some(r#"<u/><sz val="11"/><color rgb="FF0563C1"/>"#),
            Style::Muted => Some(r#"<sz val="11"/><color rgb="FF7F7F7F"/>"#),
            Style::Wrap | Style::Supported | Style::Unsupported => None,
        }
    }

    fn fill(self) -> Option<&'static str> {
        match self {
            Style::Header => Some("FF1F4E79"),
            Style::Supported => Some("FFE2EFDA"),
            Style::Unsupported => Some("FFFCE4D6"),
            Style::Wrap | Style::Link | Style::Muted => None,
        }
    }

    fn bottom_border(self) -> bool {
        self == Style::Header
    }

    fn alignment(self) -> &'static str {
        match self {
            Style::Wrap | Style::Header | Style::Link => {
                r#"<alignment vertical="top" wrapText="1"/>"#
            }
            Style::Supported | Style::Unsupported | Style::Muted => {
                r#"<alignment vertical="top"/>"#
            }
        }
    }
}

/// The styles in order of first use: Excel numbers them (`s="n"` on a cell) from 1, after
/// the default style 0, and `styles.xml` lists only the ones used.
#[derive(Default)]
pub(super) struct Styles {
    used: Vec<Style>,
}

impl Styles {
    /// The style's number, given on its first use.
    pub(super) fn index(&mut self, style: Style) -> u32 {
        let at = match self.used.iter().position(|&s| s == style) {
            Some(at) => at,
            None => {
                self.used.push(style);
                self.used.len() - 1
            }
        };
        at as u32 + 1
    }

    pub(super) fn xml(&self) -> String {
        const FONT_TAIL: &str =
            r#"<name val="Calibri"/><family val="2"/><scheme val="minor"/></font>"#;
        // Fonts, fills and borders are listed once each, in order of first use, after the
        // defaults (one font, two fills and one border that Excel requires).
        let mut fonts = vec![r#"<sz val="11"/><color theme="1"/>"#];
        let mut fills: Vec<&str> = Vec::new();
        let mut borders = 1;
        let mut xfs =
            String::from(r#"<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>"#);
        for &style in &self.used {
            let font = style.font().map_or(0, |f| position_or_push(&mut fonts, f));
            let fill = style
                .fill()
                .map_or(0, |f| position_or_push(&mut fills, f) + 2);
            let border = if style.bottom_border() {
                borders = 2;
                1
            } else {
                0
            };
            xfs.push_str(&format!(
                r#"<xf numFmtId="0" fontId="{font}" fillId="{fill}" borderId="{border}" xfId="0"{}{}{} applyAlignment="1">{}</xf>"#,
                if font > 0 { r#" applyFont="1""# } else { "" },
                if fill > 0 { r#" applyFill="1""# } else { "" },
                if border > 0 { r#" applyBorder="1""# } else { "" },
                style.alignment(),
            ));
        }

        let mut xml = String::with_capacity(2048);
        xml.push_str(super::XML_DECLARATION);
        xml.push_str(&format!(r#"<styleSheet xmlns="{}">"#, super::MAIN_NS));
        xml.push_str(&format!(r#"<fonts count="{}">"#, fonts.len()));
        for font in &fonts {
            xml.push_str("<font>");
            xml.push_str(font);
            xml.push_str(FONT_TAIL);
        }
        xml.push_str(&format!(r#"</fonts><fills count="{}">"#, fills.len() + 2));
        xml.push_str(r#"<fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>"#);
        for rgb in &fills {
            xml.push_str(&format!(
                r#"<fill><patternFill patternType="solid"><fgColor rgb="{rgb}"/><bgColor indexed="64"/></patternFill></fill>"#
            ));
        }
        xml.push_str(&format!(r#"</fills><borders count="{borders}">"#));
        xml.push_str("<border><left/><right/><top/><bottom/><diagonal/></border>");
        if borders == 2 {
            xml.push_str(r#"<border><left/><right/><top/><bottom style="thin"><color auto="1"/></bottom><diagonal/></border>"#);
        }
        xml.push_str(r#"</borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>"#);
        xml.push_str(&format!(r#"<cellXfs count="{}">"#, self.used.len() + 1));
        xml.push_str(&xfs);
        xml.push_str(r#"</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles><dxfs count="0"/><tableStyles count="0" defaultTableStyle="TableStyleMedium9" defaultPivotStyle="PivotStyleLight16"/></styleSheet>"#);
        xml
    }
}

fn position_or_push<'a>(list: &mut Vec<&'a str>, item: &'a str) -> usize {
    list.iter().position(|&i| i == item).unwrap_or_else(|| {
        list.push(item);
        list.len() - 1
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn styles_are_numbered_from_one_in_order_of_first_use() {
        let mut styles = Styles::default();
        assert_eq!(styles.index(Style::Header), 1);
        assert_eq!(styles.index(Style::Wrap), 2);
        assert_eq!(styles.index(Style::Header), 1);
        let xml = styles.xml();
        assert!(xml.contains(r#"<cellXfs count="3">"#), "{xml}");
        assert!(xml.contains(r#"<fonts count="2">"#), "{xml}");
        assert!(xml.contains(r#"<fills count="3">"#), "{xml}");
        assert!(xml.contains(r#"<borders count="2">"#), "{xml}");
    }

    #[test]
    fn shared_fonts_and_fills_are_listed_once() {
        let mut styles = Styles::default();
        for style in [
            Style::Wrap,
            Style::Supported,
            Style::Unsupported,
            Style::Muted,
        ] {
            styles.index(style);
        }
        let xml = styles.xml();
        assert!(xml.contains(r#"<fonts count="2">"#), "{xml}");
        assert!(xml.contains(r#"<fills count="4">"#), "{xml}");
        assert!(xml.contains(r#"<borders count="1">"#), "{xml}");
    }
}
