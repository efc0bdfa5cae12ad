//! One worksheet: its cells, written to XML as they arrive, and what comes around them.

use std::fmt::Write as _;

use super::strings::{escape_attribute, escape_content, escape_url, SharedStrings};
use super::styles::{Style, Styles};
use super::{excel_len, fits_a_cell, Error};

/// Excel's limits, and the hyperlink one in UTF-16 units (see [`super::MAX_CELL_TEXT`]).
const ROW_MAX: u32 = 1_048_576;
const COL_MAX: u16 = 16_384;
const MAX_URL_UTF16: usize = 2_080;

/// Calibri 11's digit width and column padding, in pixels: Excel's column unit.
const DIGIT_PX: u32 = 7;
const PADDING_PX: u32 = 5;
const DEFAULT_COLUMN_PX: u32 = 64;
const DEFAULT_ROW_PX: u32 = 20;

/// The sheet's state. Rows are written in order, and a row's cells from left to right.
pub(super) struct Sheet {
    pub(super) name: &'static str,
    pub(super) selected: bool,
    /// Width in pixels and style number of each column set, from the first.
    columns: Vec<(u32, u32)>,
    /// Finished `<row>` elements.
    rows: String,
    /// Rows of the current block of 16: Excel's `spans` give the columns used in the
    /// block, which are known only at its end.
    block: Vec<PendingRow>,
    block_cells: String,
    block_cols: Option<(u16, u16)>,
    has_rows: bool,
    /// First and last row and column, as rust_xlsxwriter keeps them (its `dimensions`).
    first_row: u32,
    first_col: u16,
    last_row: u32,
    last_col: u16,
    /// The row being written, and the column of its last cell.
    row: Option<u32>,
    last_cell_col: Option<u16>,
    hyperlinks: Vec<Hyperlink>,
    /// Range (`sqref`) and the validation's XML, sorted by range when written.
    validations: Vec<(String, String)>,
    freeze: Option<(u32, u16)>,
    pub(super) autofilter: Option<(u32, u16, u32, u16)>,
    landscape: bool,
    fit_to_height: Option<u16>,
    pub(super) repeat_rows: Option<(u32, u32)>,
}

struct PendingRow {
    row: u32,
    height_px: u32,
    cells: std::ops::Range<usize>,
}

struct Hyperlink {
    row: u32,
    col: u16,
    target: String,
    anchor: String,
}

impl Sheet {
    pub(super) fn new(name: &'static str) -> Self {
        Sheet {
            name,
            selected: false,
            columns: Vec::new(),
            rows: String::new(),
            block: Vec::new(),
            block_cells: String::new(),
            block_cols: None,
            has_rows: false,
            first_row: ROW_MAX,
            first_col: COL_MAX,
            last_row: 0,
            last_col: 0,
            row: None,
            last_cell_col: None,
            hyperlinks: Vec::new(),
            validations: Vec::new(),
            freeze: None,
            autofilter: None,
            landscape: false,
            fit_to_height: None,
            repeat_rows: None,
        }
    }

    pub(super) fn has_hyperlinks(&self) -> bool {
        !self.hyperlinks.is_empty()
    }

    fn extend_dimensions(&mut self, row: u32, col: u16) {
        self.first_row = self.first_row.min(row);
        self.first_col = self.first_col.min(col);
        self.last_row = self.last_row.max(row);
        self.last_col = self.last_col.max(col);
    }

    /// Moves the rows of a finished block to `rows`, with their spans.
    fn flush_block(&mut self) {
        let spans = self
            .block_cols
            .take()
            .map(|(first, last)| format!(r#" spans="{}:{}""#, first + 1, last + 1))
            .unwrap_or_default();
        for pending in self.block.drain(..) {
            self.rows.push_str(r#"<row r=""#);
            push_number(&mut self.rows, pending.row + 1);
            self.rows.push('"');
            self.rows.push_str(&spans);
            if pending.height_px != DEFAULT_ROW_PX {
                self.rows.push_str(r#" ht=""#);
                push_points(&mut self.rows, pending.height_px);
                self.rows.push_str(r#"" customHeight="1""#);
            }
            if pending.cells.is_empty() {
                self.rows.push_str("/>");
            } else {
                self.rows.push('>');
                self.rows.push_str(&self.block_cells[pending.cells]);
                self.rows.push_str("</row>");
            }
        }
        self.block_cells.clear();
    }

    /// The part `xl/worksheets/sheetN.xml`, made around the rows in their own buffer: a
    /// copy would double the memory of the largest sheets (20 MB of rows in
    /// `all-baselines.xlsx` at 1,200 baselines), and the part is deflated in one piece,
    /// since pieces deflate to other bytes.
    pub(super) fn xml(&mut self) -> &str {
        self.flush_block();
        let mut xml = String::with_capacity(2048);
        xml.push_str(super::XML_DECLARATION);
        let _ = write!(
            xml,
            r#"<worksheet xmlns="{}" xmlns:r="{}">"#,
            super::MAIN_NS,
            super::RELATIONSHIPS_NS
        );
        if self.fit_to_height.is_some() {
            xml.push_str(r#"<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>"#);
        }
        let dimension = if self.first_row == ROW_MAX && self.first_col == COL_MAX {
            "A1".to_string()
        } else {
            cell_range(self.first_row, self.first_col, self.last_row, self.last_col)
        };
        let _ = write!(
            xml,
            r#"<dimension ref="{dimension}"/><sheetViews><sheetView"#
        );
        if self.selected {
            xml.push_str(r#" tabSelected="1""#);
        }
        xml.push_str(r#" workbookViewId="0""#);
        match self.freeze {
            None => xml.push_str("/>"),
            Some((row, col)) => {
                xml.push('>');
                write_panes(&mut xml, row, col);
                xml.push_str("</sheetView>");
            }
        }
        xml.push_str(r#"</sheetViews><sheetFormatPr defaultRowHeight="15"/>"#);
        self.write_columns(&mut xml);
        let mut tail = String::with_capacity(512);
        if self.has_rows {
            xml.push_str("<sheetData>");
            tail.push_str("</sheetData>");
        } else {
            xml.push_str("<sheetData/>");
        }
        let head = std::mem::replace(&mut xml, tail);
        if let Some((r1, c1, r2, c2)) = self.autofilter {
            let _ = write!(xml, r#"<autoFilter ref="{}"/>"#, cell_range(r1, c1, r2, c2));
        }
        if !self.validations.is_empty() {
            self.validations.sort_by(|a, b| a.0.cmp(&b.0));
            let _ = write!(
                xml,
                r#"<dataValidations count="{}">"#,
                self.validations.len()
            );
            for (_, validation) in &self.validations {
                xml.push_str(validation);
            }
            xml.push_str("</dataValidations>");
        }
        if !self.hyperlinks.is_empty() {
            xml.push_str("<hyperlinks>");
            for (id, link) in (1..).zip(&self.hyperlinks) {
                xml.push_str(r#"<hyperlink ref=""#);
                push_column_name(&mut xml, link.col);
                push_number(&mut xml, link.row + 1);
                xml.push_str(r#"" r:id="rId"#);
                push_number(&mut xml, id);
                xml.push('"');
                if !link.anchor.is_empty() {
                    xml.push_str(r#" location=""#);
                    escape_attribute(&mut xml, &link.anchor);
                    xml.push('"');
                }
                xml.push_str("/>");
            }
            xml.push_str("</hyperlinks>");
        }
        xml.push_str(r#"<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>"#);
        if self.landscape || self.fit_to_height.is_some() {
            xml.push_str("<pageSetup");
            if let Some(height) = self.fit_to_height.filter(|&h| h != 1) {
                let _ = write!(xml, r#" fitToHeight="{height}""#);
            }
            let orientation = if self.landscape {
                "landscape"
            } else {
                "portrait"
            };
            let _ = write!(
                xml,
                r#" orientation="{orientation}" horizontalDpi="200" verticalDpi="200"/>"#
            );
        }
        xml.push_str("</worksheet>");
        self.rows.reserve_exact(head.len() + xml.len());
        self.rows.insert_str(0, &head);
        self.rows.push_str(&xml);
        &self.rows
    }

    /// Adjacent columns of the same width and style share one `<col>`.
    fn write_columns(&self, xml: &mut String) {
        if self.columns.is_empty() {
            return;
        }
        xml.push_str("<cols>");
        let mut first = 0;
        for c in 0..self.columns.len() {
            if c + 1 < self.columns.len() && self.columns[c + 1] == self.columns[c] {
                continue;
            }
            let (px, style) = self.columns[c];
            let _ = write!(
                xml,
                r#"<col min="{}" max="{}" width="{}""#,
                first + 1,
                c + 1,
                f64::from(px * 256 / DIGIT_PX) / 256.0
            );
            if style > 0 {
                let _ = write!(xml, r#" style="{style}""#);
            }
            if px != DEFAULT_COLUMN_PX {
                xml.push_str(r#" customWidth="1""#);
            }
            xml.push_str("/>");
            first = c + 1;
        }
        xml.push_str("</cols>");
    }

    /// The part `xl/worksheets/_rels/sheetN.xml.rels`: the hyperlinks' targets.
    pub(super) fn relationships_xml(&self) -> String {
        let mut xml = String::with_capacity(256 + 200 * self.hyperlinks.len());
        xml.push_str(super::XML_DECLARATION);
        let _ = write!(
            xml,
            r#"<Relationships xmlns="{}">"#,
            super::PACKAGE_RELATIONSHIPS_NS
        );
        for (id, link) in (1..).zip(&self.hyperlinks) {
            xml.push_str(r#"<Relationship Id="rId"#);
            push_number(&mut xml, id);
            xml.push_str(r#"" Type=""#);
            xml.push_str(super::RELATIONSHIPS_NS);
            xml.push_str(r#"/hyperlink" Target=""#);
            escape_attribute(&mut xml, &link.target);
            xml.push_str(r#"" TargetMode="External"/>"#);
        }
        xml.push_str("</Relationships>");
        xml
    }
}

/// Writes one sheet's cells and settings; the workbook's string and style tables are shared
/// by every sheet.
pub struct SheetWriter<'a> {
    pub(super) sheet: &'a mut Sheet,
    pub(super) strings: &'a mut SharedStrings,
    pub(super) styles: &'a mut Styles,
}

impl SheetWriter<'_> {
    /// Column widths in characters, each column with `style` for the cells that have none.
    /// Comes before any row.
    pub fn columns(&mut self, widths: &[f64], style: Style) -> Result<(), Error> {
        #[cfg(test)]
        super::oracle::record(|| super::oracle::Op::Columns(widths.to_vec(), style));
        if widths.len() > usize::from(COL_MAX) {
            return Err(self.too_big("columns"));
        }
        self.sheet.columns.clear();
        for (col, &width) in (0u16..).zip(widths) {
            // As rust_xlsxwriter's `set_column_format`, a column's style counts it into the
            // sheet's dimensions.
            let sheet = &mut *self.sheet;
            let min_row = if sheet.first_row == ROW_MAX {
                0
            } else {
                sheet.first_row
            };
            sheet.extend_dimensions(min_row, col);
            let style = self.styles.index(style);
            self.sheet
                .columns
                .push((column_width_px(width).min(1790), style));
        }
        Ok(())
    }

    /// Starts row `row` (from 0), `height` points high. Rows come in increasing order.
    pub fn row(&mut self, row: u32, height: f64) -> Result<(), Error> {
        #[cfg(test)]
        super::oracle::record(|| super::oracle::Op::Row(row, height));
        debug_assert!(self.sheet.row.is_none_or(|r| r < row), "rows in order");
        if row >= ROW_MAX {
            return Err(self.too_big("rows"));
        }
        let sheet = &mut *self.sheet;
        if sheet.block.first().is_some_and(|p| p.row / 16 != row / 16) {
            sheet.flush_block();
        }
        let min_col = if sheet.first_col == COL_MAX {
            0
        } else {
            sheet.first_col
        };
        sheet.extend_dimensions(row, min_col);
        let at = sheet.block_cells.len();
        sheet.block.push(PendingRow {
            row,
            height_px: (height * 4.0 / 3.0).round() as u32,
            cells: at..at,
        });
        sheet.has_rows = true;
        sheet.row = Some(row);
        sheet.last_cell_col = None;
        Ok(())
    }

    /// A text cell in the current row, with `style` or else its column's. An empty text
    /// without a style is no cell at all, as in Excel.
    pub fn text(&mut self, col: u16, text: &str, style: Option<Style>) -> Result<(), Error> {
        #[cfg(test)]
        super::oracle::record(|| super::oracle::Op::Text(col, text.to_string(), style));
        self.push_text(col, text, style)
    }

    fn push_text(&mut self, col: u16, text: &str, style: Option<Style>) -> Result<(), Error> {
        if text.is_empty() {
            return match style {
                Some(style) => self.push_blank(col, style),
                None => Ok(()),
            };
        }
        if !fits_a_cell(text) {
            return Err(Error::TextTooLong {
                sheet: self.sheet.name,
                cell: self.cell_name(col),
            });
        }
        let row = self.position(col)?;
        let style = self.style_of(col, style);
        let index = self.strings.index(text);
        self.push_cell(row, col, style, Some(index));
        Ok(())
    }

    /// A cell without a value, for its style.
    pub fn blank(&mut self, col: u16, style: Style) -> Result<(), Error> {
        #[cfg(test)]
        super::oracle::record(|| super::oracle::Op::Blank(col, style));
        self.push_blank(col, style)
    }

    fn push_blank(&mut self, col: u16, style: Style) -> Result<(), Error> {
        let row = self.position(col)?;
        let style = self.style_of(col, Some(style));
        self.push_cell(row, col, style, None);
        Ok(())
    }

    /// A cell that links to the web address `url` (which has a scheme, as `https://`),
    /// showing `text`, or the address when `text` is empty.
    pub fn link(&mut self, col: u16, url: &str, text: &str, style: Style) -> Result<(), Error> {
        #[cfg(test)]
        super::oracle::record(|| {
            super::oracle::Op::Link(col, url.to_string(), text.to_string(), style)
        });
        let (target, anchor) = url.split_once('#').unwrap_or((url, ""));
        if excel_len(target) > MAX_URL_UTF16 || excel_len(anchor) > MAX_URL_UTF16 {
            return Err(Error::UrlTooLong {
                sheet: self.sheet.name,
                cell: self.cell_name(col),
            });
        }
        self.push_text(col, if text.is_empty() { url } else { text }, Some(style))?;
        let row = self.current_row();
        self.sheet.hyperlinks.push(Hyperlink {
            row,
            col,
            target: escape_url(target).into_owned(),
            anchor: anchor.to_string(),
        });
        Ok(())
    }

    /// A drop-down list of `items` over a range; other values are refused with `error`.
    pub fn list_validation(
        &mut self,
        (first_row, first_col): (u32, u16),
        (last_row, last_col): (u32, u16),
        items: &[&str],
        error: &str,
    ) {
        #[cfg(test)]
        super::oracle::record(|| {
            let items = items.iter().map(|i| i.to_string()).collect();
            let first = (first_row, first_col);
            super::oracle::Op::List(first, (last_row, last_col), items, error.to_string())
        });
        let range = cell_range(first_row, first_col, last_row, last_col);
        let mut xml = String::from(
            r#"<dataValidation type="list" allowBlank="1" showInputMessage="1" showErrorMessage="1" error=""#,
        );
        escape_attribute(&mut xml, error);
        let _ = write!(xml, r#"" sqref="{range}"><formula1>"#);
        let list = format!("\"{}\"", items.join(",").replace('"', "\"\""));
        escape_content(&mut xml, &list, false);
        xml.push_str("</formula1></dataValidation>");
        self.sheet.validations.push((range, xml));
    }

    /// Keeps `rows` rows and `cols` columns in view when scrolling.
    pub fn freeze_panes(&mut self, rows: u32, cols: u16) {
        #[cfg(test)]
        super::oracle::record(|| super::oracle::Op::Freeze(rows, cols));
        self.sheet.freeze = Some((rows, cols));
    }

    /// Filter buttons on the first row of a range.
    pub fn autofilter(&mut self, first: (u32, u16), last: (u32, u16)) {
        #[cfg(test)]
        super::oracle::record(|| super::oracle::Op::Autofilter(first, last));
        self.sheet.autofilter = Some((first.0, first.1, last.0, last.1));
    }

    /// Prints landscape.
    pub fn landscape(&mut self) {
        #[cfg(test)]
        super::oracle::record(|| super::oracle::Op::Landscape);
        self.sheet.landscape = true;
    }

    /// Prints one page wide and as many pages high as it takes.
    pub fn fit_to_page_width(&mut self) {
        #[cfg(test)]
        super::oracle::record(|| super::oracle::Op::FitToPageWidth);
        self.sheet.fit_to_height = Some(0);
    }

    /// Prints these rows at the top of every page.
    pub fn repeat_rows(&mut self, first: u32, last: u32) {
        #[cfg(test)]
        super::oracle::record(|| super::oracle::Op::RepeatRows(first, last));
        self.sheet.repeat_rows = Some((first, last));
    }

    fn style_of(&mut self, col: u16, style: Option<Style>) -> u32 {
        match style {
            Some(style) => self.styles.index(style),
            None => self
                .sheet
                .columns
                .get(usize::from(col))
                .map_or(0, |&(_, style)| style),
        }
    }

    fn current_row(&self) -> u32 {
        self.sheet.row.unwrap_or(0)
    }

    fn cell_name(&self, col: u16) -> String {
        format!("{}{}", column_name(u32::from(col)), self.current_row() + 1)
    }

    fn too_big(&self, what: &'static str) -> Error {
        Error::TooBig {
            sheet: self.sheet.name,
            what,
        }
    }

    /// The current row, where a cell may go in column `col`.
    fn position(&self, col: u16) -> Result<u32, Error> {
        if col >= COL_MAX {
            return Err(self.too_big("columns"));
        }
        let Some(row) = self.sheet.row else {
            return Err(Error::NoRow {
                sheet: self.sheet.name,
            });
        };
        debug_assert!(
            self.sheet.last_cell_col.is_none_or(|c| c < col),
            "cells in order"
        );
        Ok(row)
    }

    /// A cell's XML, written piece by piece: `write!` took a twentieth of a build here.
    fn push_cell(&mut self, row: u32, col: u16, style: u32, string: Option<u32>) {
        let sheet = &mut *self.sheet;
        sheet.extend_dimensions(row, col);
        sheet.block_cols = Some(match sheet.block_cols {
            Some((first, last)) => (first.min(col), last.max(col)),
            None => (col, col),
        });
        let cells = &mut sheet.block_cells;
        cells.push_str("<c r=\"");
        push_column_name(cells, col);
        push_number(cells, row + 1);
        if style > 0 {
            cells.push_str("\" s=\"");
            push_number(cells, style);
        }
        match string {
            Some(index) => {
                cells.push_str("\" t=\"s\"><v>");
                push_number(cells, index);
                cells.push_str("</v></c>");
            }
            None => cells.push_str("\"/>"),
        }
        if let Some(pending) = sheet.block.last_mut() {
            pending.cells.end = sheet.block_cells.len();
        }
        sheet.last_cell_col = Some(col);
    }
}

fn push_column_name(out: &mut String, col: u16) {
    if col < 26 {
        out.push(char::from(b'A' + col as u8));
    } else {
        out.push_str(&column_name(u32::from(col)));
    }
}

fn push_number(out: &mut String, n: u32) {
    out.push_str(itoa::Buffer::new().format(n));
}

/// `px` pixels in points (three quarters of a pixel each), as `f64`'s `Display` writes
/// them: a quarter is exact in binary, so the shortest form is the integer and at most
/// two decimals. `write!` of the `f64` cost 640 instructions a row.
fn push_points(out: &mut String, px: u32) {
    let quarters = u64::from(px) * 3;
    push_number(out, (quarters / 4) as u32);
    out.push_str(["", ".25", ".5", ".75"][(quarters % 4) as usize]);
}

fn column_width_px(width: f64) -> u32 {
    if width <= 0.0 {
        0
    } else if width < 1.0 {
        (width * f64::from(DIGIT_PX + PADDING_PX)).round() as u32
    } else {
        (width * f64::from(DIGIT_PX)).round() as u32 + PADDING_PX
    }
}

/// `pane` and `selection` elements for frozen rows and columns.
fn write_panes(xml: &mut String, row: u32, col: u16) {
    let top_left = cell_name(row, col);
    let (active, splits) = match (row > 0, col > 0) {
        (true, true) => ("bottomRight", format!(r#"xSplit="{col}" ySplit="{row}""#)),
        (false, true) => ("topRight", format!(r#"xSplit="{col}""#)),
        _ => ("bottomLeft", format!(r#"ySplit="{row}""#)),
    };
    let _ = write!(
        xml,
        r#"<pane {splits} topLeftCell="{top_left}" activePane="{active}" state="frozen"/>"#
    );
    if row > 0 && col > 0 {
        let right = cell_name(0, col);
        let below = cell_name(row, 0);
        let _ = write!(
            xml,
            r#"<selection pane="topRight" activeCell="{right}" sqref="{right}"/><selection pane="bottomLeft" activeCell="{below}" sqref="{below}"/>"#
        );
    }
    let _ = write!(xml, r#"<selection pane="{active}"/>"#);
}

/// `A`, `B`, … `Z`, `AA`, … for a column from 0.
pub fn column_name(mut col: u32) -> String {
    let mut name = Vec::with_capacity(3);
    loop {
        name.push(b'A' + (col % 26) as u8);
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    name.reverse();
    String::from_utf8(name).unwrap_or_default()
}

pub(super) fn cell_name(row: u32, col: u16) -> String {
    format!("{}{}", column_name(u32::from(col)), row + 1)
}

/// `A1:C5`, or `A1` for one cell.
pub(super) fn cell_range(r1: u32, c1: u16, r2: u32, c2: u16) -> String {
    let (first, last) = (cell_name(r1, c1), cell_name(r2, c2));
    if first == last {
        first
    } else {
        format!("{first}:{last}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_are_written_as_f64_displays_them() {
        for px in (0..2_000).chain([u32::MAX / 3, u32::MAX]) {
            let mut out = String::new();
            push_points(&mut out, px);
            assert_eq!(out, (f64::from(px) * 0.75).to_string(), "{px} px");
        }
    }

    #[test]
    fn numbers_are_written_in_decimal() {
        for n in [0, 7, 10, 99, 1_048_576, u32::MAX] {
            let mut out = String::from("x");
            push_number(&mut out, n);
            assert_eq!(out, format!("x{n}"));
        }
    }

    #[test]
    fn columns_are_named_as_excel_names_them() {
        assert_eq!(column_name(0), "A");
        assert_eq!(column_name(25), "Z");
        assert_eq!(column_name(26), "AA");
        assert_eq!(column_name(701), "ZZ");
        assert_eq!(column_name(702), "AAA");
        assert_eq!(column_name(u32::from(COL_MAX) - 1), "XFD");
        assert_eq!(cell_range(0, 0, 4, 2), "A1:C5");
        assert_eq!(cell_range(1, 4, 1, 4), "E2");
    }

    #[test]
    fn widths_are_in_excel_character_units() {
        assert_eq!(column_width_px(22.0), 159);
        assert_eq!(f64::from(159 * 256 / DIGIT_PX) / 256.0, 22.7109375);
        assert_eq!(column_width_px(0.5), 6);
    }
}
