//! The zip container of a workbook, byte for byte as zip 9's streaming writer makes it for
//! rust_xlsxwriter (the oracle test holds it to that): each part deflated, sizes and CRC
//! in a data descriptor after it, fixed 1980-01-01 times, Unix mode 0600.
//!
//! Why not the zip crate: it makes a new deflate state for every part, and zlib-rs zeroes
//! its 128 KB hash table twice in doing so, for parts of 1 to 20 KB; that was a tenth of a
//! workbook's time. Here each thread keeps one state and resets it. And a part whose text
//! was deflated before is copied: see [`Store`].

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, LazyLock, Mutex};

use flate2::{Compress, Compression, FlushCompress, Status};

use super::Error;

const LOCAL_HEADER: u32 = 0x0403_4b50;
const DATA_DESCRIPTOR: u32 = 0x0807_4b50;
const CENTRAL_HEADER: u32 = 0x0201_4b50;
const END_OF_CENTRAL_DIRECTORY: u32 = 0x0605_4b50;
/// Deflate needs version 2.0; "made by" says Unix (3) and 2.0.
const VERSION_NEEDED: u16 = 20;
const VERSION_MADE_BY: u16 = 0x0314;
/// Bit 3: sizes and CRC follow the data.
const FLAGS: u16 = 0x0008;
const DEFLATED: u16 = 8;
/// 1980-01-01 00:00 in MS-DOS form.
const DOS_TIME: u16 = 0;
const DOS_DATE: u16 = 0x0021;
/// A regular file, mode 0600, in the high half.
const EXTERNAL_ATTRIBUTES: u32 = 0o100_600 << 16;
/// Larger parts are always deflated: a part this large is a sheet of many rows, which
/// hardly ever repeats.
const MAX_STORED_PART: usize = 64 * 1024;
/// The store's bound, in bytes of text and deflated data; past it, parts are deflated each
/// time.
const MAX_STORED_BYTES: usize = 16 << 20;
/// Texts seen once are forgotten past this many (`serve` makes new ones on every save).
const MAX_SEEN: usize = 1 << 16;

/// Parts deflated before, by their text, so that a part that many workbooks have is
/// deflated twice per process and copied after. That is most parts: the theme, styles,
/// relationships, content types and properties are the same in every workbook of a kind,
/// and a sheet holds its texts as numbers into the shared strings, so baselines of the
/// same shape have sheets of the same XML: of the 1,809 parts of the corpus of 120
/// baselines, 617 are deflated and 1,192 copied (720 before, when only the parts of fixed
/// text were). A text is kept when it is seen the second time, so that the parts every
/// workbook has its own (shared strings, core properties) do not fill the store.
#[derive(Default)]
struct Store {
    /// Level, CRC-32 and length of the texts deflated once.
    seen: HashSet<Key>,
    /// The texts deflated twice or more, and their deflated bytes.
    kept: HashMap<Key, Vec<Arc<Kept>>>,
    bytes: usize,
}

type Key = (u8, u32, usize);

struct Kept {
    text: Box<[u8]>,
    deflated: Box<[u8]>,
}

static STORE: LazyLock<Mutex<Store>> = LazyLock::new(Mutex::default);

impl Store {
    /// The deflated bytes of `text`, when it is kept.
    fn find(key: Key, text: &[u8]) -> Option<Arc<Kept>> {
        let store = STORE.lock().ok()?;
        let kept = store.kept.get(&key)?;
        kept.iter().find(|k| *k.text == *text).cloned()
    }

    /// Notes that `text` deflates to `deflated`: kept if it was seen before.
    fn remember(key: Key, text: &[u8], deflated: &[u8]) {
        let Ok(mut store) = STORE.lock() else {
            return;
        };
        if store.seen.len() >= MAX_SEEN {
            store.seen.clear();
        }
        if store.seen.insert(key) {
            return;
        }
        let size = text.len() + deflated.len();
        if store.bytes + size > MAX_STORED_BYTES {
            return;
        }
        let kept = store.kept.entry(key).or_default();
        if kept.iter().any(|k| *k.text == *text) {
            // Another thread deflated it meanwhile.
            return;
        }
        kept.push(Arc::new(Kept {
            text: text.into(),
            deflated: deflated.into(),
        }));
        store.bytes += size;
    }
}

struct Entry {
    name: Box<str>,
    offset: u32,
    crc: u32,
    compressed: u32,
    size: u32,
}

/// A zip file being written in memory.
pub(super) struct Container {
    bytes: Vec<u8>,
    entries: Vec<Entry>,
    level: u8,
}

impl Container {
    pub fn new(level: u8, capacity: usize) -> Self {
        Container {
            bytes: Vec::with_capacity(capacity),
            entries: Vec::new(),
            level,
        }
    }

    /// Adds a part: deflated now, or copied when its text was deflated before (see
    /// [`Store`]).
    pub fn part(&mut self, name: &str, text: &[u8]) -> Result<(), Error> {
        let size = u32::try_from(text.len()).map_err(|_| too_large())?;
        let crc = crc32fast::hash(text);
        let key = (self.level, crc, text.len());
        let offset = self.local_header(name)?;
        let start = self.bytes.len();
        let storable = text.len() <= MAX_STORED_PART;
        match storable.then(|| Store::find(key, text)).flatten() {
            Some(kept) => self.bytes.extend_from_slice(&kept.deflated),
            None => {
                deflate(self.level, text, &mut self.bytes)?;
                if storable {
                    Store::remember(key, text, &self.bytes[start..]);
                }
            }
        }
        let compressed = u32::try_from(self.bytes.len() - start).map_err(|_| too_large())?;
        self.finish_entry(name, offset, crc, compressed, size);
        Ok(())
    }

    /// The zip file: the central directory after the parts.
    pub fn finish(mut self) -> Result<Vec<u8>, Error> {
        let directory = u32::try_from(self.bytes.len()).map_err(|_| too_large())?;
        let count = u16::try_from(self.entries.len()).map_err(|_| too_large())?;
        for entry in &self.entries {
            let out = &mut self.bytes;
            put32(out, CENTRAL_HEADER);
            put16(out, VERSION_MADE_BY);
            put16(out, VERSION_NEEDED);
            put16(out, FLAGS);
            put16(out, DEFLATED);
            put16(out, DOS_TIME);
            put16(out, DOS_DATE);
            put32(out, entry.crc);
            put32(out, entry.compressed);
            put32(out, entry.size);
            put16(out, name_len(&entry.name)?);
            put16(out, 0); // extra field
            put16(out, 0); // comment
            put16(out, 0); // disk
            put16(out, 0); // internal attributes
            put32(out, EXTERNAL_ATTRIBUTES);
            put32(out, entry.offset);
            out.extend_from_slice(entry.name.as_bytes());
        }
        let size = u32::try_from(self.bytes.len()).map_err(|_| too_large())? - directory;
        let out = &mut self.bytes;
        put32(out, END_OF_CENTRAL_DIRECTORY);
        put16(out, 0); // this disk
        put16(out, 0); // the directory's disk
        put16(out, count);
        put16(out, count);
        put32(out, size);
        put32(out, directory);
        put16(out, 0); // comment
        Ok(self.bytes)
    }

    fn local_header(&mut self, name: &str) -> Result<u32, Error> {
        let offset = u32::try_from(self.bytes.len()).map_err(|_| too_large())?;
        let out = &mut self.bytes;
        put32(out, LOCAL_HEADER);
        put16(out, VERSION_NEEDED);
        put16(out, FLAGS);
        put16(out, DEFLATED);
        put16(out, DOS_TIME);
        put16(out, DOS_DATE);
        // CRC and sizes are in the data descriptor.
        put32(out, 0);
        put32(out, 0);
        put32(out, 0);
        put16(out, name_len(name)?);
        put16(out, 0);
        out.extend_from_slice(name.as_bytes());
        Ok(offset)
    }

    fn finish_entry(&mut self, name: &str, offset: u32, crc: u32, compressed: u32, size: u32) {
        let out = &mut self.bytes;
        put32(out, DATA_DESCRIPTOR);
        put32(out, crc);
        put32(out, compressed);
        put32(out, size);
        self.entries.push(Entry {
            name: name.into(),
            offset,
            crc,
            compressed,
            size,
        });
    }
}

thread_local! {
    /// The thread's deflate state and its level, reset for each part.
    static STATE: RefCell<Option<(u8, Compress)>> = const { RefCell::new(None) };
}

/// Deflates `text` onto `out` with the thread's state.
fn deflate(level: u8, text: &[u8], out: &mut Vec<u8>) -> Result<(), Error> {
    #[cfg(test)]
    tests::DEFLATED_HERE.set(tests::DEFLATED_HERE.get() + 1);
    STATE.with(|state| {
        let mut state = state.borrow_mut();
        let (at, compress) = state.get_or_insert_with(|| (level, new_state(level)));
        if *at != level {
            (*at, *compress) = (level, new_state(level));
        }
        deflate_with(compress, text, out)
    })
}

fn new_state(level: u8) -> Compress {
    // Raw deflate (no zlib header), as zip stores it.
    Compress::new(Compression::new(u32::from(level)), false)
}

/// The input goes in without flushing and then the stream is finished, as zip's writer
/// does it: deflate's blocks, and so its bytes, depend on when it is told the input has
/// ended.
fn deflate_with(compress: &mut Compress, text: &[u8], out: &mut Vec<u8>) -> Result<(), Error> {
    compress.reset();
    let start_in = compress.total_in();
    // Workbook XML deflates to a third or less; `out` grows when deflate runs out of room.
    out.reserve(text.len() / 2 + 64);
    let mut finishing = false;
    loop {
        let consumed = usize::try_from(compress.total_in() - start_in).unwrap_or(usize::MAX);
        let rest = text.get(consumed..).ok_or_else(deflate_error)?;
        finishing |= rest.is_empty();
        let (flush, input) = if finishing {
            (FlushCompress::Finish, &[][..])
        } else {
            (FlushCompress::None, rest)
        };
        let before = (compress.total_in(), compress.total_out());
        let status = compress
            .compress_vec(input, out, flush)
            .map_err(|_| deflate_error())?;
        if finishing && status == Status::StreamEnd {
            return Ok(());
        }
        // No progress: deflate needs more room for its output.
        if (compress.total_in(), compress.total_out()) == before || out.len() == out.capacity() {
            out.reserve(out.capacity().max(4096));
        }
    }
}

fn put16(out: &mut Vec<u8>, value: u16) {
    out.extend_from_slice(&value.to_le_bytes());
}

fn put32(out: &mut Vec<u8>, value: u32) {
    out.extend_from_slice(&value.to_le_bytes());
}

fn name_len(name: &str) -> Result<u16, Error> {
    u16::try_from(name.len()).map_err(|_| too_large())
}

fn too_large() -> Error {
    Error::Io(std::io::Error::other(
        "a workbook part is larger than a zip file without ZIP64 can hold (4 GiB)",
    ))
}

fn deflate_error() -> Error {
    Error::Io(std::io::Error::other("deflate failed"))
}

#[cfg(test)]
mod tests {
    use std::io::{Cursor, Write};

    use zip::write::SimpleFileOptions;
    use zip::{CompressionMethod, DateTime, ZipWriter};

    use super::*;

    /// The same parts through zip 9's streaming writer, with rust_xlsxwriter's options.
    fn zip_crate(level: u8, parts: &[(&str, &[u8])]) -> Vec<u8> {
        let options = SimpleFileOptions::default()
            .compression_method(CompressionMethod::Deflated)
            .compression_level(Some(i64::from(level)))
            .unix_permissions(0o600)
            .last_modified_time(DateTime::default())
            .large_file(false);
        let mut zip = ZipWriter::new_stream(Cursor::new(Vec::new()));
        for (name, text) in parts {
            zip.start_file(*name, options).unwrap();
            zip.write_all(text).unwrap();
        }
        zip.finish().unwrap().into_inner().into_inner()
    }

    /// Bytes that deflate cannot shrink, so that the output outgrows its first buffer.
    fn noise(len: usize) -> Vec<u8> {
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        (0..len)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x.to_le_bytes()[0]
            })
            .collect()
    }

    thread_local! {
        /// Parts deflated on this thread, counted by [`deflate`].
        pub(super) static DEFLATED_HERE: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    }

    /// A part's text is deflated the first and second time it comes, then copied, under
    /// any name; and the copies are the same bytes as the zip crate's.
    #[test]
    fn a_text_deflated_twice_is_copied_after() {
        // A text no other test has, so that the store has not seen it.
        let text = format!("<x>{:?}</x>", std::time::SystemTime::now()).repeat(50);
        let mut deflated = Vec::new();
        for n in 0..4 {
            let before = DEFLATED_HERE.get();
            let name = format!("part{n}.xml");
            let mut container = Container::new(1, 16);
            container.part(&name, text.as_bytes()).unwrap();
            let ours = container.finish().unwrap();
            assert!(ours == zip_crate(1, &[(&name, text.as_bytes())]), "{n}");
            deflated.push(DEFLATED_HERE.get() - before);
        }
        assert_eq!(deflated, [1, 1, 0, 0]);
        // At another level, the text is another part.
        let before = DEFLATED_HERE.get();
        let mut container = Container::new(6, 16);
        container.part("part.xml", text.as_bytes()).unwrap();
        assert_eq!(DEFLATED_HERE.get() - before, 1);
        assert!(container.finish().unwrap() == zip_crate(6, &[("part.xml", text.as_bytes())]));
        // Too large to keep: deflated each time.
        let large = text.repeat(MAX_STORED_PART / text.len() + 1);
        let before = DEFLATED_HERE.get();
        for _ in 0..3 {
            Container::new(1, 16)
                .part("large.xml", large.as_bytes())
                .unwrap();
        }
        assert_eq!(DEFLATED_HERE.get() - before, 3);
    }

    #[test]
    fn the_container_is_the_zip_crates_byte_for_byte() {
        let xml = "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c></row>".repeat(20_000);
        let noise = noise(300_000);
        let parts: [(&str, &[u8]); 5] = [
            ("[Content_Types].xml", b"<Types/>"),
            ("xl/theme/theme1.xml", super::super::THEME.as_bytes()),
            ("xl/worksheets/sheet1.xml", xml.as_bytes()),
            ("xl/media/noise.bin", &noise),
            ("empty.xml", b""),
        ];
        for level in [1, 6] {
            // Three times, so that the third workbook copies the parts it may keep.
            for _ in 0..3 {
                let mut container = Container::new(level, 16);
                for (name, text) in parts {
                    container.part(name, text).unwrap();
                }
                let ours = container.finish().unwrap();
                assert!(ours == zip_crate(level, &parts), "level {level}");
            }
        }
    }
}
