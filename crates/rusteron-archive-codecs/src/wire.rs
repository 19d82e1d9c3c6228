//! Bounds-checked byte access used by the generated codecs (not a stable API).
//!
//! `le` and `be` hold the same functions for little- and big-endian schemas. Readers return `None` and
//! writers return `false` instead of panicking when the access falls outside the buffer.

macro_rules! byte_order_module {
    ($module:ident, $from:ident, $to:ident, $doc:literal) => {
        #[doc = $doc]
        pub mod $module {
            use crate::{CodecError, Result, VarDataMeta};

            macro_rules! int_access {
                ($get:ident, $put:ident, $t:ty) => {
                    /// Reads a value at `off`, or `None` if it lies outside `buf`.
                    #[inline]
                    pub fn $get(buf: &[u8], off: usize) -> Option<$t> {
                        let end = off.checked_add(core::mem::size_of::<$t>())?;
                        let bytes = buf.get(off..end)?;
                        Some(<$t>::$from(bytes.try_into().ok()?))
                    }

                    /// Writes a value at `off`; returns `false` (writing nothing) if it lies outside `buf`.
                    #[inline]
                    pub fn $put(buf: &mut [u8], off: usize, value: $t) -> bool {
                        let Some(end) = off.checked_add(core::mem::size_of::<$t>()) else {
                            return false;
                        };
                        match buf.get_mut(off..end) {
                            Some(bytes) => {
                                bytes.copy_from_slice(&value.$to());
                                true
                            }
                            None => false,
                        }
                    }
                };
            }

            int_access!(get_i8, put_i8, i8);
            int_access!(get_i16, put_i16, i16);
            int_access!(get_i32, put_i32, i32);
            int_access!(get_i64, put_i64, i64);
            int_access!(get_u8, put_u8, u8);
            int_access!(get_u16, put_u16, u16);
            int_access!(get_u32, put_u32, u32);
            int_access!(get_u64, put_u64, u64);

            /// Reads an `f32` at `off`.
            #[inline]
            pub fn get_f32(buf: &[u8], off: usize) -> Option<f32> {
                get_u32(buf, off).map(f32::from_bits)
            }

            /// Writes an `f32` at `off`.
            #[inline]
            pub fn put_f32(buf: &mut [u8], off: usize, value: f32) -> bool {
                put_u32(buf, off, value.to_bits())
            }

            /// Reads an `f64` at `off`.
            #[inline]
            pub fn get_f64(buf: &[u8], off: usize) -> Option<f64> {
                get_u64(buf, off).map(f64::from_bits)
            }

            /// Writes an `f64` at `off`.
            #[inline]
            pub fn put_f64(buf: &mut [u8], off: usize, value: f64) -> bool {
                put_u64(buf, off, value.to_bits())
            }

            fn get_length(buf: &[u8], off: usize, size: usize) -> Option<u64> {
                match size {
                    1 => get_u8(buf, off).map(u64::from),
                    2 => get_u16(buf, off).map(u64::from),
                    4 => get_u32(buf, off).map(u64::from),
                    _ => get_u64(buf, off),
                }
            }

            fn put_length(buf: &mut [u8], off: usize, size: usize, value: u64) -> bool {
                match size {
                    1 => put_u8(buf, off, value as u8),
                    2 => put_u16(buf, off, value as u16),
                    4 => put_u32(buf, off, value as u32),
                    _ => put_u64(buf, off, value),
                }
            }

            fn too_short(needed: usize, available: usize) -> CodecError {
                CodecError::BufferTooShort { needed, available }
            }

            /// Reads the var-data field at `pos`: returns its bytes and the position after it.
            fn read_one<'a>(
                buf: &'a [u8],
                pos: usize,
                meta: &VarDataMeta,
            ) -> Result<(&'a [u8], usize)> {
                let start = pos
                    .checked_add(meta.length_size)
                    .ok_or(too_short(usize::MAX, buf.len()))?;
                let length =
                    get_length(buf, pos, meta.length_size).ok_or(too_short(start, buf.len()))?;
                let length =
                    usize::try_from(length).map_err(|_| too_short(usize::MAX, buf.len()))?;
                let end = start
                    .checked_add(length)
                    .ok_or(too_short(usize::MAX, buf.len()))?;
                let data = buf.get(start..end).ok_or(too_short(end, buf.len()))?;
                Ok((data, end))
            }

            /// Returns the var-data field `index` of a block of `block_length` bytes at the start of `buf`,
            /// walking the preceding var-data fields. Fields newer than `acting_version` are empty.
            pub fn var_data<'a>(
                buf: &'a [u8],
                block_length: usize,
                acting_version: u16,
                layout: &[VarDataMeta],
                index: usize,
            ) -> Result<&'a [u8]> {
                let mut pos = block_length;
                for (i, meta) in layout.iter().enumerate().take(index + 1) {
                    if acting_version < meta.since_version {
                        if i == index {
                            return Ok(&[]);
                        }
                        continue;
                    }
                    let (data, next) = read_one(buf, pos, meta)?;
                    if i == index {
                        return Ok(data);
                    }
                    pos = next;
                }
                Ok(&[])
            }

            /// Returns the end of the last var-data field, i.e. the encoded length after the header.
            pub fn var_data_end(
                buf: &[u8],
                block_length: usize,
                acting_version: u16,
                layout: &[VarDataMeta],
            ) -> Result<usize> {
                let mut pos = block_length;
                if buf.len() < pos {
                    return Err(too_short(pos, buf.len()));
                }
                for meta in layout {
                    if acting_version >= meta.since_version {
                        pos = read_one(buf, pos, meta)?.1;
                    }
                }
                Ok(pos)
            }

            /// Writes the var-data field `index` at `*limit`, first writing empty values for skipped fields.
            pub fn put_var_data(
                buf: &mut [u8],
                limit: &mut usize,
                next: &mut usize,
                layout: &[VarDataMeta],
                index: usize,
                data: &[u8],
            ) -> Result<()> {
                let Some(meta) = layout.get(index) else {
                    return Ok(());
                };
                if index < *next {
                    return Err(CodecError::VarDataOutOfOrder { field: meta.name });
                }
                let max = meta.max_length.unwrap_or(match meta.length_size {
                    1 => u8::MAX.into(),
                    2 => u16::MAX.into(),
                    4 => u32::MAX.into(),
                    _ => u64::MAX,
                });
                if data.len() as u64 > max {
                    return Err(CodecError::VarDataTooLong {
                        field: meta.name,
                        length: data.len(),
                        max,
                    });
                }
                // Check the whole write (skipped fields, prefix and data) fits before touching the buffer.
                let skipped: usize = layout[*next..index].iter().map(|m| m.length_size).sum();
                let needed = limit
                    .checked_add(skipped)
                    .and_then(|n| n.checked_add(meta.length_size))
                    .and_then(|n| n.checked_add(data.len()))
                    .ok_or(too_short(usize::MAX, buf.len()))?;
                if needed > buf.len() {
                    return Err(too_short(needed, buf.len()));
                }
                for m in &layout[*next..index] {
                    put_length(buf, *limit, m.length_size, 0);
                    *limit += m.length_size;
                }
                put_length(buf, *limit, meta.length_size, data.len() as u64);
                *limit += meta.length_size;
                buf[*limit..needed].copy_from_slice(data);
                *limit = needed;
                *next = index + 1;
                Ok(())
            }

            /// Writes empty values for every var-data field not written yet.
            pub fn finish_var_data(
                buf: &mut [u8],
                limit: &mut usize,
                next: &mut usize,
                layout: &[VarDataMeta],
            ) -> Result<()> {
                if *next < layout.len() {
                    put_var_data(buf, limit, next, layout, layout.len() - 1, &[])?;
                }
                Ok(())
            }
        }
    };
}

byte_order_module!(le, from_le_bytes, to_le_bytes, "Little-endian access.");
byte_order_module!(be, from_be_bytes, to_be_bytes, "Big-endian access.");
