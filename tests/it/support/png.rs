//! Reading the PNG screenshots Chromium writes, to look at their pixels: the
//! chunks, zlib's inflate (RFC 1950/1951) and PNG's row filters, in plain Rust.
//!
//! A decoder crate would add compile time to every test build for one test;
//! this one is small, and zlib's Adler-32 checksum tells when it went wrong.

use std::path::Path;

/// A decoded image: RGB pixels, row by row (alpha, if any, is dropped).
pub struct Image {
    pub width: usize,
    pub height: usize,
    pub pixels: Vec<[u8; 3]>,
}

impl Image {
    /// Returns the first row (from the top) that is mostly one of `colours`, and which.
    pub fn first_band(&self, colours: [[u8; 3]; 2]) -> Option<(usize, [u8; 3])> {
        self.pixels
            .chunks(self.width)
            .enumerate()
            .find_map(|(row, pixels)| {
                colours.into_iter().find_map(|colour| {
                    let count = pixels.iter().filter(|pixel| **pixel == colour).count();
                    (count * 2 > self.width).then_some((row, colour))
                })
            })
    }

    /// Returns the most common colour and how many pixels have it.
    pub fn background(&self) -> ([u8; 3], usize) {
        let mut counts = std::collections::HashMap::new();
        for pixel in &self.pixels {
            *counts.entry(*pixel).or_insert(0usize) += 1;
        }
        counts
            .into_iter()
            .max_by_key(|(_, count)| *count)
            .unwrap_or(([0; 3], 0))
    }

    /// Returns how many distinct colours the image holds.
    pub fn colours(&self) -> usize {
        self.pixels
            .iter()
            .collect::<std::collections::HashSet<_>>()
            .len()
    }
}

/// Reads the PNG at `path` (8-bit RGB or RGBA, not interlaced).
pub fn read(path: &Path) -> Result<Image, String> {
    let bytes = std::fs::read(path).map_err(|err| format!("{}: {err}", path.display()))?;
    decode(&bytes).map_err(|err| format!("{}: {err}", path.display()))
}

/// Decodes a PNG held in memory.
pub fn decode(bytes: &[u8]) -> Result<Image, String> {
    let body = bytes
        .strip_prefix(b"\x89PNG\r\n\x1a\n")
        .ok_or("not a PNG signature")?;
    let (mut width, mut height, mut channels) = (0usize, 0usize, 0usize);
    let mut idat = Vec::new();
    let mut at = 0;
    while at + 8 <= body.len() {
        let len = u32::from_be_bytes(body[at..at + 4].try_into().unwrap()) as usize;
        let kind = &body[at + 4..at + 8];
        let data = body
            .get(at + 8..at + 8 + len)
            .ok_or("a chunk runs past the end")?;
        match kind {
            b"IHDR" => {
                width = u32::from_be_bytes(data[0..4].try_into().unwrap()) as usize;
                height = u32::from_be_bytes(data[4..8].try_into().unwrap()) as usize;
                channels = match (data[8], data[9], data[12]) {
                    (8, 2, 0) => 3,
                    (8, 6, 0) => 4,
                    other => {
                        return Err(format!(
                            "unsupported (depth, colour type, interlace) {other:?}"
                        ))
                    }
                };
            }
            b"IDAT" => idat.extend_from_slice(data),
            b"IEND" => break,
            _ => {}
        }
        at += 12 + len;
    }
    if channels == 0 {
        return Err("no IHDR".to_string());
    }
    let raw = zlib(&idat)?;
    let stride = width * channels;
    if raw.len() != height * (stride + 1) {
        return Err(format!("{} bytes of rows for {width}x{height}", raw.len()));
    }
    let mut previous = vec![0u8; stride];
    let mut pixels = Vec::with_capacity(width * height);
    for row in raw.chunks(stride + 1) {
        let mut line = row[1..].to_vec();
        for i in 0..stride {
            let left = if i >= channels { line[i - channels] } else { 0 };
            let up = previous[i];
            let up_left = if i >= channels {
                previous[i - channels]
            } else {
                0
            };
            let predicted = match row[0] {
                0 => 0,
                1 => left,
                2 => up,
                3 => ((u16::from(left) + u16::from(up)) / 2) as u8,
                4 => paeth(left, up, up_left),
                other => return Err(format!("filter type {other}")),
            };
            line[i] = line[i].wrapping_add(predicted);
        }
        pixels.extend(line.chunks(channels).map(|px| [px[0], px[1], px[2]]));
        previous = line;
    }
    Ok(Image {
        width,
        height,
        pixels,
    })
}

/// PNG's Paeth predictor.
fn paeth(a: u8, b: u8, c: u8) -> u8 {
    let p = i16::from(a) + i16::from(b) - i16::from(c);
    let (pa, pb, pc) = (
        (p - i16::from(a)).abs(),
        (p - i16::from(b)).abs(),
        (p - i16::from(c)).abs(),
    );
    if pa <= pb && pa <= pc {
        a
    } else if pb <= pc {
        b
    } else {
        c
    }
}

/// Inflates a zlib stream and checks its Adler-32.
fn zlib(data: &[u8]) -> Result<Vec<u8>, String> {
    if data.len() < 6
        || data[0] & 0x0f != 8
        || (u16::from(data[0]) << 8 | u16::from(data[1])) % 31 != 0
    {
        return Err("not a zlib stream".to_string());
    }
    let mut bits = Bits {
        data: &data[2..],
        pos: 0,
        held: 0,
        count: 0,
    };
    let out = inflate(&mut bits)?;
    let trailer = data.len() - 4;
    let want = u32::from_be_bytes(data[trailer..].try_into().unwrap());
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in &out {
        a = (a + u32::from(byte)) % 65521;
        b = (b + a) % 65521;
    }
    if (b << 16 | a) != want {
        return Err("Adler-32 mismatch: the inflate is wrong".to_string());
    }
    Ok(out)
}

/// Reads bits least significant first, as deflate stores them.
struct Bits<'a> {
    data: &'a [u8],
    pos: usize,
    held: u32,
    count: u32,
}

impl Bits<'_> {
    fn take(&mut self, n: u32) -> Result<u32, String> {
        while self.count < n {
            let byte = *self.data.get(self.pos).ok_or("deflate data ends early")?;
            self.pos += 1;
            self.held |= u32::from(byte) << self.count;
            self.count += 8;
        }
        let value = self.held & ((1u64 << n) - 1) as u32;
        self.held = if n == 32 { 0 } else { self.held >> n };
        self.count -= n;
        Ok(value)
    }
}

/// A canonical Huffman code: how many codes each length has, and the symbols in order.
struct Huffman {
    counts: [u16; 16],
    symbols: Vec<u16>,
}

impl Huffman {
    fn new(lengths: &[u8]) -> Huffman {
        let mut counts = [0u16; 16];
        for &len in lengths {
            counts[usize::from(len)] += 1;
        }
        counts[0] = 0;
        let mut offsets = [0u16; 16];
        for len in 1..15 {
            offsets[len + 1] = offsets[len] + counts[len];
        }
        let mut symbols = vec![0u16; lengths.len()];
        for (symbol, &len) in lengths.iter().enumerate() {
            if len != 0 {
                symbols[usize::from(offsets[usize::from(len)])] = symbol as u16;
                offsets[usize::from(len)] += 1;
            }
        }
        Huffman { counts, symbols }
    }

    fn decode(&self, bits: &mut Bits<'_>) -> Result<u16, String> {
        let (mut code, mut first, mut index) = (0i32, 0i32, 0i32);
        for len in 1..16 {
            code |= bits.take(1)? as i32;
            let count = i32::from(self.counts[len]);
            if code - first < count {
                return Ok(self.symbols[(index + code - first) as usize]);
            }
            index += count;
            first = (first + count) << 1;
            code <<= 1;
        }
        Err("bad Huffman code".to_string())
    }
}

const LENGTH_BASE: [u16; 29] = [
    3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131,
    163, 195, 227, 258,
];
const LENGTH_EXTRA: [u32; 29] = [
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
];
const DISTANCE_BASE: [u16; 30] = [
    1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
    2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
];
const DISTANCE_EXTRA: [u32; 30] = [
    0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13,
    13,
];

/// Inflates a raw deflate stream.
fn inflate(bits: &mut Bits<'_>) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    loop {
        let last = bits.take(1)? == 1;
        match bits.take(2)? {
            0 => {
                bits.held = 0;
                bits.count = 0;
                let at = bits.pos;
                let header = bits.data.get(at..at + 4).ok_or("stored block ends early")?;
                let len = usize::from(u16::from_le_bytes([header[0], header[1]]));
                let data = bits
                    .data
                    .get(at + 4..at + 4 + len)
                    .ok_or("stored block ends early")?;
                out.extend_from_slice(data);
                bits.pos = at + 4 + len;
            }
            1 => {
                let mut lengths = [8u8; 288];
                lengths[144..256].fill(9);
                lengths[256..280].fill(7);
                block(
                    bits,
                    &mut out,
                    &Huffman::new(&lengths),
                    &Huffman::new(&[5u8; 30]),
                )?;
            }
            2 => {
                let literals = bits.take(5)? as usize + 257;
                let distances = bits.take(5)? as usize + 1;
                let code_lengths = bits.take(4)? as usize + 4;
                const ORDER: [usize; 19] = [
                    16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15,
                ];
                let mut lengths = [0u8; 19];
                for &slot in &ORDER[..code_lengths] {
                    lengths[slot] = bits.take(3)? as u8;
                }
                let lengths_code = Huffman::new(&lengths);
                let mut all = Vec::with_capacity(literals + distances);
                while all.len() < literals + distances {
                    let symbol = lengths_code.decode(bits)?;
                    let (value, repeat) = match symbol {
                        0..=15 => (symbol as u8, 1),
                        16 => (
                            *all.last().ok_or("repeat with nothing before")?,
                            3 + bits.take(2)?,
                        ),
                        17 => (0, 3 + bits.take(3)?),
                        _ => (0, 11 + bits.take(7)?),
                    };
                    all.extend(std::iter::repeat_n(value, repeat as usize));
                }
                let (lits, dists) = all.split_at(literals);
                block(bits, &mut out, &Huffman::new(lits), &Huffman::new(dists))?;
            }
            _ => return Err("reserved block type".to_string()),
        }
        if last {
            return Ok(out);
        }
    }
}

/// Decodes one compressed block into `out`.
fn block(
    bits: &mut Bits<'_>,
    out: &mut Vec<u8>,
    literals: &Huffman,
    distances: &Huffman,
) -> Result<(), String> {
    loop {
        let symbol = usize::from(literals.decode(bits)?);
        match symbol {
            0..=255 => out.push(symbol as u8),
            256 => return Ok(()),
            _ => {
                let index = symbol - 257;
                let len = usize::from(*LENGTH_BASE.get(index).ok_or("bad length code")?)
                    + bits.take(LENGTH_EXTRA[index])? as usize;
                let code = usize::from(distances.decode(bits)?);
                let distance = usize::from(*DISTANCE_BASE.get(code).ok_or("bad distance code")?)
                    + bits.take(DISTANCE_EXTRA[code])? as usize;
                let start = out
                    .len()
                    .checked_sub(distance)
                    .ok_or("distance past the start")?;
                for i in 0..len {
                    let byte = out[start + i];
                    out.push(byte);
                }
            }
        }
    }
}
