//! A SpreadsheetML (XLSX) writer for the workbooks controlbook renders, and for nothing
//! else: text cells, column widths, row heights, six styles, hyperlinks, drop-down lists,
//! frozen panes, autofilters and print settings.
//!
//! rust_xlsxwriter wrote these workbooks before, and took over a third of a build's CPU
//! time: a map entry per cell, a format hash per styled cell, a thread per sheet, a copy of
//! its string table on save. This writer appends each cell's XML to its sheet as the cell
//! comes, and writes the same bytes as rust_xlsxwriter does for the same calls: the tests
//! replay every workbook of the fixtures on rust_xlsxwriter and compare the files.

mod container;
mod sheet;
mod strings;
mod styles;

#[cfg(test)]
pub(crate) mod oracle;

use std::fmt::Write as _;

pub use sheet::{column_name, SheetWriter};
pub use styles::Style;

use container::Container;
use sheet::Sheet;
use strings::{escape_attribute, escape_content, SharedStrings};
use styles::Styles;

const XML_DECLARATION: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";
const MAIN_NS: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const RELATIONSHIPS_NS: &str =
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const PACKAGE_RELATIONSHIPS_NS: &str =
    "http://schemas.openxmlformats.org/package/2006/relationships";
/// Excel's default theme, as Excel and rust_xlsxwriter write it.
const THEME: &str = include_str!("theme1.xml");

/// Excel's limit for the text of one cell, counted as [`excel_len`] counts.
pub const MAX_CELL_TEXT: usize = 32_767;

/// A text's length as Excel counts it: in UTF-16 code units, two for a character outside
/// the Basic Multilingual Plane.
pub fn excel_len(text: &str) -> usize {
    text.chars().map(char::len_utf16).sum()
}

/// Whether `text` fits in one cell ([`MAX_CELL_TEXT`]). The byte length bounds the UTF-16
/// length from above, so most texts are never counted.
pub fn fits_a_cell(text: &str) -> bool {
    text.len() <= MAX_CELL_TEXT || excel_len(text) <= MAX_CELL_TEXT
}

/// Why a workbook could not be written.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("a text in cell {cell} of sheet '{sheet}' is longer than Excel's 32,767 characters")]
    TextTooLong { sheet: &'static str, cell: String },
    #[error("the link in cell {cell} of sheet '{sheet}' is longer than Excel's 2,080 characters")]
    UrlTooLong { sheet: &'static str, cell: String },
    #[error("sheet '{sheet}' has more {what} than Excel allows")]
    TooBig {
        sheet: &'static str,
        what: &'static str,
    },
    #[error("a cell of sheet '{sheet}' was written before its row was started")]
    NoRow { sheet: &'static str },
    #[error("the creation time {0} is outside Excel's years 1900 to 9999")]
    Timestamp(i64),
    #[error("cannot write the zip container: {0}")]
    Io(#[from] std::io::Error),
}

/// What the file says about itself (`docProps/core.xml`).
pub struct Properties {
    pub title: String,
    pub subject: String,
    pub author: String,
    /// Seconds since the Unix epoch.
    pub created: i64,
}

/// A workbook being written: add sheets in order, fill each, then [`Workbook::finish`].
pub struct Workbook {
    properties: Properties,
    zip_level: u8,
    sheets: Vec<Sheet>,
    active: usize,
    strings: SharedStrings,
    styles: Styles,
}

impl Workbook {
    pub fn new(properties: Properties, zip_level: u8) -> Self {
        #[cfg(test)]
        oracle::record(|| oracle::Op::New {
            title: properties.title.clone(),
            subject: properties.subject.clone(),
            author: properties.author.clone(),
            created: properties.created,
            zip_level,
        });
        Workbook {
            properties,
            zip_level,
            sheets: Vec::new(),
            active: 0,
            strings: SharedStrings::default(),
            styles: Styles::default(),
        }
    }

    /// A new sheet, after the others. Names are the renderers' own: at most 31 characters,
    /// none of `[]:*?/\`, and distinct.
    pub fn add_sheet(&mut self, name: &'static str) -> SheetWriter<'_> {
        #[cfg(test)]
        oracle::record(|| oracle::Op::AddSheet(name));
        self.sheets.push(Sheet::new(name));
        let at = self.sheets.len() - 1;
        SheetWriter {
            sheet: &mut self.sheets[at],
            strings: &mut self.strings,
            styles: &mut self.styles,
        }
    }

    /// The sheet shown when the file opens (the first one otherwise).
    pub fn set_active(&mut self, index: usize) {
        #[cfg(test)]
        oracle::record(|| oracle::Op::SetActive(index));
        self.active = index;
    }

    /// The file's bytes. Parts come in rust_xlsxwriter's order.
    pub fn finish(mut self) -> Result<Vec<u8>, Error> {
        let created = w3c_datetime(self.properties.created)?;
        // A workbook has a sheet, and its active sheet is one of them.
        if self.sheets.is_empty() {
            self.add_sheet("Sheet1");
        }
        if self.active >= self.sheets.len() {
            self.active = 0;
        }
        self.sheets[self.active].selected = true;
        // A baseline's workbook is about 30 KB.
        let mut zip = Container::new(self.zip_level, 48 * 1024);
        let defined_names = self.defined_names();
        zip.part("[Content_Types].xml", self.content_types().as_bytes())?;
        zip.part("_rels/.rels", ROOT_RELATIONSHIPS.as_bytes())?;
        zip.part(
            "xl/_rels/workbook.xml.rels",
            self.workbook_relationships().as_bytes(),
        )?;
        zip.part("xl/theme/theme1.xml", THEME.as_bytes())?;
        zip.part("xl/styles.xml", self.styles.xml().as_bytes())?;
        zip.part(
            "xl/workbook.xml",
            self.workbook_xml(&defined_names).as_bytes(),
        )?;
        for (n, sheet) in (1..).zip(&mut self.sheets) {
            zip.part(
                &format!("xl/worksheets/sheet{n}.xml"),
                sheet.xml().as_bytes(),
            )?;
            if sheet.has_hyperlinks() {
                let name = format!("xl/worksheets/_rels/sheet{n}.xml.rels");
                zip.part(&name, sheet.relationships_xml().as_bytes())?;
            }
        }
        if !self.strings.is_empty() {
            zip.part("xl/sharedStrings.xml", self.strings.xml().as_bytes())?;
        }
        zip.part("docProps/core.xml", self.core_xml(&created).as_bytes())?;
        zip.part("docProps/app.xml", self.app_xml(&defined_names).as_bytes())?;
        zip.finish()
    }

    fn content_types(&self) -> String {
        const SHEET: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml";
        let mut xml = String::from(XML_DECLARATION);
        xml.push_str(concat!(
            r#"<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">"#,
            r#"<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>"#,
            r#"<Default Extension="xml" ContentType="application/xml"/>"#,
            r#"<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>"#,
            r#"<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>"#,
        ));
        let _ = write!(
            xml,
            r#"<Override PartName="/xl/styles.xml" ContentType="{SHEET}.styles+xml"/><Override PartName="/xl/theme/theme1.xml" ContentType="application/vnd.openxmlformats-officedocument.theme+xml"/><Override PartName="/xl/workbook.xml" ContentType="{SHEET}.sheet.main+xml"/>"#
        );
        for n in 1..=self.sheets.len() {
            let _ = write!(
                xml,
                r#"<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{SHEET}.worksheet+xml"/>"#
            );
        }
        if !self.strings.is_empty() {
            let _ = write!(
                xml,
                r#"<Override PartName="/xl/sharedStrings.xml" ContentType="{SHEET}.sharedStrings+xml"/>"#
            );
        }
        xml.push_str("</Types>");
        xml
    }

    fn workbook_relationships(&self) -> String {
        let mut xml = String::from(XML_DECLARATION);
        let _ = write!(xml, r#"<Relationships xmlns="{PACKAGE_RELATIONSHIPS_NS}">"#);
        let mut id = 0;
        let mut relationship = |xml: &mut String, kind: &str, target: &str| {
            id += 1;
            let _ = write!(
                xml,
                r#"<Relationship Id="rId{id}" Type="{RELATIONSHIPS_NS}/{kind}" Target="{target}"/>"#
            );
        };
        for n in 1..=self.sheets.len() {
            relationship(&mut xml, "worksheet", &format!("worksheets/sheet{n}.xml"));
        }
        relationship(&mut xml, "theme", "theme/theme1.xml");
        relationship(&mut xml, "styles", "styles.xml");
        if !self.strings.is_empty() {
            relationship(&mut xml, "sharedStrings", "sharedStrings.xml");
        }
        xml.push_str("</Relationships>");
        xml
    }

    /// Autofilter ranges and print titles, sorted as Excel sorts them.
    fn defined_names(&self) -> Vec<DefinedName> {
        let mut names = Vec::new();
        for (index, sheet) in self.sheets.iter().enumerate() {
            let quoted = quote_sheet_name(sheet.name);
            if let Some((r1, c1, r2, c2)) = sheet.autofilter {
                let (first, last) = (absolute(r1, c1), absolute(r2, c2));
                let range = if first == last {
                    first
                } else {
                    format!("{first}:{last}")
                };
                names.push(DefinedName {
                    sort_key: "_filterdatabase{}",
                    name: "_xlnm._FilterDatabase",
                    index,
                    range: format!("{quoted}!{range}"),
                    app_name: None,
                });
            }
            if let Some((first, last)) = sheet.repeat_rows {
                names.push(DefinedName {
                    sort_key: "print_titles",
                    name: "_xlnm.Print_Titles",
                    index,
                    range: format!("{quoted}!${}:${}", first + 1, last + 1),
                    app_name: Some(format!("{quoted}!Print_Titles")),
                });
            }
        }
        names.sort_by(|a, b| (a.sort_key, &a.range).cmp(&(b.sort_key, &b.range)));
        names
    }

    fn workbook_xml(&self, defined_names: &[DefinedName]) -> String {
        let mut xml = String::from(XML_DECLARATION);
        let _ = write!(
            xml,
            r#"<workbook xmlns="{MAIN_NS}" xmlns:r="{RELATIONSHIPS_NS}"><fileVersion appName="xl" lastEdited="4" lowestEdited="4" rupBuild="4505"/><workbookPr defaultThemeVersion="124226"/><bookViews><workbookView xWindow="240" yWindow="15" windowWidth="16095" windowHeight="9660""#
        );
        if self.active > 0 {
            let _ = write!(xml, r#" activeTab="{}""#, self.active);
        }
        xml.push_str("/></bookViews><sheets>");
        for (n, sheet) in (1..).zip(&self.sheets) {
            xml.push_str(r#"<sheet name=""#);
            escape_attribute(&mut xml, sheet.name);
            let _ = write!(xml, r#"" sheetId="{n}" r:id="rId{n}"/>"#);
        }
        xml.push_str("</sheets>");
        if !defined_names.is_empty() {
            xml.push_str("<definedNames>");
            for name in defined_names {
                let _ = write!(
                    xml,
                    r#"<definedName name="{}" localSheetId="{}"{}>"#,
                    name.name,
                    name.index,
                    if name.app_name.is_none() {
                        r#" hidden="1""#
                    } else {
                        ""
                    }
                );
                escape_content(&mut xml, &name.range, false);
                xml.push_str("</definedName>");
            }
            xml.push_str("</definedNames>");
        }
        xml.push_str(r#"<calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>"#);
        xml
    }

    fn core_xml(&self, created: &str) -> String {
        let p = &self.properties;
        let mut xml = String::from(XML_DECLARATION);
        xml.push_str(r#"<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">"#);
        let element = |xml: &mut String, tag: &str, text: &str| {
            let _ = write!(xml, "<{tag}>");
            escape_content(xml, text, false);
            let _ = write!(xml, "</{tag}>");
        };
        if !p.title.is_empty() {
            element(&mut xml, "dc:title", &p.title);
        }
        if !p.subject.is_empty() {
            element(&mut xml, "dc:subject", &p.subject);
        }
        element(&mut xml, "dc:creator", &p.author);
        element(&mut xml, "cp:lastModifiedBy", &p.author);
        let _ = write!(
            xml,
            r#"<dcterms:created xsi:type="dcterms:W3CDTF">{created}</dcterms:created><dcterms:modified xsi:type="dcterms:W3CDTF">{created}</dcterms:modified></cp:coreProperties>"#
        );
        xml
    }

    fn app_xml(&self, defined_names: &[DefinedName]) -> String {
        let titles: Vec<&str> = defined_names
            .iter()
            .filter_map(|n| n.app_name.as_deref())
            .collect();
        let mut xml = String::from(XML_DECLARATION);
        xml.push_str(r#"<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"><Application>Microsoft Excel</Application><DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop><HeadingPairs>"#);
        let mut pairs = vec![("Worksheets", self.sheets.len())];
        if !titles.is_empty() {
            pairs.push(("Named Ranges", titles.len()));
        }
        let _ = write!(
            xml,
            r#"<vt:vector size="{}" baseType="variant">"#,
            pairs.len() * 2
        );
        for (name, count) in pairs {
            let _ = write!(
                xml,
                "<vt:variant><vt:lpstr>{name}</vt:lpstr></vt:variant><vt:variant><vt:i4>{count}</vt:i4></vt:variant>"
            );
        }
        let _ = write!(
            xml,
            r#"</vt:vector></HeadingPairs><TitlesOfParts><vt:vector size="{}" baseType="lpstr">"#,
            self.sheets.len() + titles.len()
        );
        for title in self.sheets.iter().map(|s| s.name).chain(titles) {
            xml.push_str("<vt:lpstr>");
            escape_content(&mut xml, title, false);
            xml.push_str("</vt:lpstr>");
        }
        xml.push_str("</vt:vector></TitlesOfParts><Company></Company><LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc><HyperlinksChanged>false</HyperlinksChanged><AppVersion>12.0000</AppVersion></Properties>");
        xml
    }
}

const ROOT_RELATIONSHIPS: &str = concat!(
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n",
    r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
    r#"<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>"#,
    r#"<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>"#,
    r#"<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/>"#,
    "</Relationships>",
);

struct DefinedName {
    sort_key: &'static str,
    name: &'static str,
    index: usize,
    range: String,
    /// How `docProps/app.xml` lists it, if it does.
    app_name: Option<String>,
}

/// `'Sheet Name'` when the name is more than letters, digits, `_` and `.`, or starts with
/// a digit or `.`; quotes in it doubled.
fn quote_sheet_name(name: &str) -> String {
    let plain = name
        .chars()
        .all(|c| c.is_alphanumeric() || c == '_' || c == '.')
        && !name.starts_with(|c: char| c.is_ascii_digit() || c == '.');
    if plain {
        name.to_string()
    } else {
        format!("'{}'", name.replace('\'', "''"))
    }
}

/// `$A$1`.
fn absolute(row: u32, col: u16) -> String {
    format!("${}${}", column_name(u32::from(col)), row + 1)
}

/// `2000-01-01T00:00:00Z`, in Excel's range of years.
fn w3c_datetime(timestamp: i64) -> Result<String, Error> {
    let days = timestamp.div_euclid(86_400);
    let seconds = timestamp.rem_euclid(86_400);
    // Howard Hinnant's days-to-civil algorithm.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    if !(1900..=9999).contains(&year) {
        return Err(Error::Timestamp(timestamp));
    }
    Ok(format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60
    ))
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use super::sheet::cell_name;
    use super::*;

    #[test]
    fn a_workbook_always_has_an_active_sheet() {
        let properties = || Properties {
            title: String::new(),
            subject: String::new(),
            author: "a".into(),
            created: 0,
        };
        let bytes = Workbook::new(properties(), 1).finish().unwrap();
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        assert!(zip.by_name("xl/worksheets/sheet1.xml").is_ok());

        let mut workbook = Workbook::new(properties(), 1);
        workbook.add_sheet("One");
        workbook.set_active(7);
        let bytes = workbook.finish().unwrap();
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut xml = String::new();
        std::io::Read::read_to_string(&mut zip.by_name("xl/workbook.xml").unwrap(), &mut xml)
            .unwrap();
        assert!(!xml.contains("activeTab"), "{xml}");
        xml.clear();
        std::io::Read::read_to_string(
            &mut zip.by_name("xl/worksheets/sheet1.xml").unwrap(),
            &mut xml,
        )
        .unwrap();
        assert!(xml.contains(r#"tabSelected="1""#), "{xml}");
    }

    #[test]
    fn cells_need_a_row_and_texts_fit_a_cell() {
        let mut workbook = Workbook::new(
            Properties {
                title: String::new(),
                subject: String::new(),
                author: "a".into(),
                created: 0,
            },
            1,
        );
        let mut sheet = workbook.add_sheet("One");
        let e = sheet.text(0, "early", None).unwrap_err();
        assert_eq!(
            e.to_string(),
            "a cell of sheet 'One' was written before its row was started"
        );
        sheet.row(0, 15.0).unwrap();
        let e = sheet.text(1, &"x".repeat(32_768), None).unwrap_err();
        assert_eq!(
            e.to_string(),
            "a text in cell B1 of sheet 'One' is longer than Excel's 32,767 characters"
        );
        sheet.text(1, &"é".repeat(32_767), None).unwrap();
        let e = sheet.link(
            2,
            &format!("https://a.b/{}", "x".repeat(2_100)),
            "t",
            Style::Link,
        );
        assert!(e.unwrap_err().to_string().contains("cell C1"));
    }

    #[test]
    fn timestamps_are_written_in_utc() {
        assert_eq!(w3c_datetime(946_684_800).unwrap(), "2000-01-01T00:00:00Z");
        assert_eq!(w3c_datetime(0).unwrap(), "1970-01-01T00:00:00Z");
        assert_eq!(w3c_datetime(1_709_210_096).unwrap(), "2024-02-29T12:34:56Z");
        assert_eq!(
            w3c_datetime(-2_208_988_800).unwrap(),
            "1900-01-01T00:00:00Z"
        );
        assert!(w3c_datetime(-2_208_988_801).is_err());
        assert!(w3c_datetime(253_402_300_800).is_err());
    }

    #[test]
    fn sheet_names_are_quoted_when_they_must_be() {
        assert_eq!(quote_sheet_name("Matrix"), "Matrix");
        assert_eq!(quote_sheet_name("Feature Summary"), "'Feature Summary'");
        assert_eq!(quote_sheet_name("Bob's"), "'Bob''s'");
        assert_eq!(quote_sheet_name("2024"), "'2024'");
        assert_eq!(absolute(0, 0), "$A$1");
        assert_eq!(cell_name(1, 1), "B2");
    }
}
