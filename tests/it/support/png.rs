//! Reading the PNG screenshots Chromium writes, to look at their pixels, with
//! the `png` crate; this module only turns its output into RGB pixels and asks
//! the questions the report tests ask of them.

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

/// Reads the PNG at `path`.
pub fn read(path: &Path) -> Result<Image, String> {
    let bytes = std::fs::read(path).map_err(|err| format!("{}: {err}", path.display()))?;
    decode(&bytes).map_err(|err| format!("{}: {err}", path.display()))
}

/// Decodes a PNG held in memory, of any colour type and depth, into 8-bit RGB.
pub fn decode(bytes: &[u8]) -> Result<Image, String> {
    let mut decoder = ::png::Decoder::new(std::io::Cursor::new(bytes));
    // Palettes and depths under 8 bits become 8-bit samples; 16-bit ones become 8-bit.
    decoder.set_transformations(::png::Transformations::EXPAND | ::png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().map_err(|err| err.to_string())?;
    let size = reader
        .output_buffer_size()
        .ok_or("the image is too large for memory")?;
    let mut buffer = vec![0; size];
    let info = reader
        .next_frame(&mut buffer)
        .map_err(|err| err.to_string())?;
    let samples = info.color_type.samples();
    let pixels = buffer[..info.buffer_size()]
        .chunks_exact(info.line_size)
        .flat_map(|line| line[..info.width as usize * samples].chunks_exact(samples))
        .map(|pixel| match pixel {
            [grey] | [grey, _] => [*grey; 3],
            [red, green, blue, ..] => [*red, *green, *blue],
            [] => [0; 3],
        })
        .collect();
    Ok(Image {
        width: info.width as usize,
        height: info.height as usize,
        pixels,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_png_decodes_to_its_pixels() {
        // A 2x2 image written by the same crate: rows of RGBA and of grey.
        let mut bytes = Vec::new();
        let mut encoder = ::png::Encoder::new(&mut bytes, 2, 2);
        encoder.set_color(::png::ColorType::Rgba);
        encoder.set_depth(::png::BitDepth::Eight);
        let mut writer = encoder.write_header().unwrap();
        writer
            .write_image_data(&[
                255, 0, 0, 255, 0, 255, 0, 128, 0, 0, 255, 0, 255, 255, 255, 255,
            ])
            .unwrap();
        writer.finish().unwrap();
        let image = decode(&bytes).unwrap();
        assert_eq!((image.width, image.height), (2, 2));
        assert_eq!(
            image.pixels,
            [[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 255]]
        );
        assert_eq!(image.colours(), 4);
        assert!(decode(b"GIF89a").is_err());
    }
}
