//! Typed n-d arrays read from and written to NumPy `.npy` files.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::Path;

use anyhow::{Context, Result, bail};
use npyz::{DType, TypeChar, WriterBuilder};

/// The elements of an array, one variant per supported dtype.
#[derive(Debug, Clone, PartialEq)]
pub enum Samples {
    /// `uint8`
    U8(Vec<u8>),
    /// `uint16`
    U16(Vec<u16>),
    /// `uint32`
    U32(Vec<u32>),
    /// `uint64`
    U64(Vec<u64>),
    /// `int8`
    I8(Vec<i8>),
    /// `int16`
    I16(Vec<i16>),
    /// `int32`
    I32(Vec<i32>),
    /// `int64`
    I64(Vec<i64>),
    /// `float32`
    F32(Vec<f32>),
    /// `float64`
    F64(Vec<f64>),
}

/// Runs `$body` with `$v` bound to the typed vector inside a [`Samples`]: the one dispatch point
/// over dtypes. `$t` names the element type inside `$body`.
macro_rules! with_samples {
    ($samples:expr, $v:ident : $t:ident => $body:expr) => {
        match $samples {
            $crate::npy::Samples::U8($v) => {
                type $t = u8;
                $body
            }
            $crate::npy::Samples::U16($v) => {
                type $t = u16;
                $body
            }
            $crate::npy::Samples::U32($v) => {
                type $t = u32;
                $body
            }
            $crate::npy::Samples::U64($v) => {
                type $t = u64;
                $body
            }
            $crate::npy::Samples::I8($v) => {
                type $t = i8;
                $body
            }
            $crate::npy::Samples::I16($v) => {
                type $t = i16;
                $body
            }
            $crate::npy::Samples::I32($v) => {
                type $t = i32;
                $body
            }
            $crate::npy::Samples::I64($v) => {
                type $t = i64;
                $body
            }
            $crate::npy::Samples::F32($v) => {
                type $t = f32;
                $body
            }
            $crate::npy::Samples::F64($v) => {
                type $t = f64;
                $body
            }
        }
    };
}

pub(crate) use with_samples;

macro_rules! impl_from_vec {
    ($($t:ty => $v:ident),*) => {$(
        impl From<Vec<$t>> for Samples {
            #[doc = concat!("Wraps a `Vec<", stringify!($t), ">`.")]
            fn from(v: Vec<$t>) -> Self { Self::$v(v) }
        }
    )*};
}
impl_from_vec!(u8 => U8, u16 => U16, u32 => U32, u64 => U64, i8 => I8, i16 => I16, i32 => I32, i64 => I64, f32 => F32, f64 => F64);

/// Conversion of an element to `f64` for error measures.
pub trait ToF64: Copy {
    /// The value as `f64` (64-bit integers beyond 2^53 round).
    fn to_f64(self) -> f64;
}

macro_rules! impl_to_f64 {
    ($($t:ty),*) => {$(
        impl ToF64 for $t {
            #[allow(clippy::cast_precision_loss, clippy::cast_lossless)]
            fn to_f64(self) -> f64 { self as f64 }
        }
    )*};
}
impl_to_f64!(u8, u16, u32, u64, i8, i16, i32, i64, f32, f64);

/// What the error measures need of an element type, beyond [`ToF64`].
pub trait Element: ToF64 + PartialEq {
    /// The elements of `samples` if they are of this type.
    fn slice(samples: &Samples) -> Option<&[Self]>;
    /// The value's bits (two's complement for integers), for bit-exact comparisons.
    fn bits(self) -> u64;
    /// Whether the value is finite (integers always are).
    fn is_finite(self) -> bool;
}

macro_rules! impl_element {
    ($($t:ty => $v:ident, $bits:expr, $finite:expr);* $(;)?) => {$(
        impl Element for $t {
            fn slice(samples: &Samples) -> Option<&[Self]> {
                match samples {
                    Samples::$v(v) => Some(v),
                    _ => None,
                }
            }
            #[allow(clippy::cast_sign_loss, clippy::cast_lossless, clippy::redundant_closure_call)]
            fn bits(self) -> u64 {
                ($bits)(self)
            }
            #[allow(clippy::redundant_closure_call)]
            fn is_finite(self) -> bool {
                ($finite)(self)
            }
        }
    )*};
}
impl_element!(
    u8 => U8, |x| x as u64, |_| true;
    u16 => U16, |x| x as u64, |_| true;
    u32 => U32, |x| x as u64, |_| true;
    u64 => U64, |x| x, |_| true;
    i8 => I8, |x| x as u64, |_| true;
    i16 => I16, |x| x as u64, |_| true;
    i32 => I32, |x| x as u64, |_| true;
    i64 => I64, |x| x as u64, |_| true;
    f32 => F32, |x: f32| u64::from(x.to_bits()), f32::is_finite;
    f64 => F64, f64::to_bits, f64::is_finite;
);

impl Samples {
    /// The zarr v3 data type name (`"float32"`, `"int16"`, ...).
    #[must_use]
    pub fn dtype_name(&self) -> &'static str {
        match self {
            Self::U8(_) => "uint8",
            Self::U16(_) => "uint16",
            Self::U32(_) => "uint32",
            Self::U64(_) => "uint64",
            Self::I8(_) => "int8",
            Self::I16(_) => "int16",
            Self::I32(_) => "int32",
            Self::I64(_) => "int64",
            Self::F32(_) => "float32",
            Self::F64(_) => "float64",
        }
    }

    /// Whether the elements are floating point.
    #[must_use]
    pub fn is_float(&self) -> bool {
        matches!(self, Self::F32(_) | Self::F64(_))
    }

    /// Number of elements.
    #[must_use]
    pub fn len(&self) -> usize {
        with_samples!(self, v: _T => v.len())
    }

    /// Size of one element in bytes.
    #[must_use]
    pub fn element_size(&self) -> usize {
        with_samples!(self, _v: T => std::mem::size_of::<T>())
    }

    /// The elements as `f64`.
    #[must_use]
    pub fn to_f64(&self) -> Vec<f64> {
        with_samples!(self, v: _T => v.iter().map(|x| x.to_f64()).collect())
    }
}

/// An n-d array in C (row-major) order.
#[derive(Debug, Clone, PartialEq)]
pub struct NdArray {
    /// The shape.
    pub shape: Vec<u64>,
    /// The elements, in C order.
    pub samples: Samples,
}

impl NdArray {
    /// Size of the elements in bytes.
    #[must_use]
    pub fn nbytes(&self) -> usize {
        self.samples.len() * self.samples.element_size()
    }
}

/// Reads a `.npy` file.
///
/// # Errors
/// When the file cannot be read, is not a `.npy` file, or holds a dtype other than an integer,
/// float32 or float64. Fortran-order files are reordered into C order.
pub fn read(path: &Path) -> Result<NdArray> {
    let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    read_from(BufReader::new(file)).with_context(|| format!("cannot read {}", path.display()))
}

/// Reads a `.npy` file from bytes in memory.
///
/// # Errors
/// As [`read`].
pub fn read_bytes(bytes: &[u8]) -> Result<NdArray> {
    read_from(bytes)
}

fn read_from(reader: impl Read) -> Result<NdArray> {
    let npy = npyz::NpyFile::new(reader)?;
    let fortran = npy.order() == npyz::Order::Fortran && npy.shape().len() > 1;
    let shape = npy.shape().to_vec();
    let DType::Plain(ts) = npy.dtype() else {
        bail!(
            "structured or array dtypes are not supported: {:?}",
            npy.dtype()
        );
    };
    let samples = match (ts.type_char(), ts.size_field()) {
        (TypeChar::Uint, 1) => Samples::U8(npy.into_vec()?),
        (TypeChar::Uint, 2) => Samples::U16(npy.into_vec()?),
        (TypeChar::Uint, 4) => Samples::U32(npy.into_vec()?),
        (TypeChar::Uint, 8) => Samples::U64(npy.into_vec()?),
        (TypeChar::Int, 1) => Samples::I8(npy.into_vec()?),
        (TypeChar::Int, 2) => Samples::I16(npy.into_vec()?),
        (TypeChar::Int, 4) => Samples::I32(npy.into_vec()?),
        (TypeChar::Int, 8) => Samples::I64(npy.into_vec()?),
        (TypeChar::Float, 4) => Samples::F32(npy.into_vec()?),
        (TypeChar::Float, 8) => Samples::F64(npy.into_vec()?),
        _ => bail!("unsupported dtype {ts}: integers, float32 and float64 are"),
    };
    let samples = if fortran {
        with_samples!(samples, v: _T => Samples::from(fortran_to_c(&v, &shape)))
    } else {
        samples
    };
    Ok(NdArray { shape, samples })
}

/// Reorders elements stored in Fortran (column-major) order into C (row-major) order.
fn fortran_to_c<T: Copy>(data: &[T], shape: &[u64]) -> Vec<T> {
    let shape: Vec<usize> = shape
        .iter()
        .map(|&n| usize::try_from(n).unwrap_or(usize::MAX))
        .collect();
    // Strides of each axis in the Fortran layout.
    let mut strides = vec![1usize; shape.len()];
    for k in 1..shape.len() {
        strides[k] = strides[k - 1] * shape[k - 1];
    }
    let mut out = Vec::with_capacity(data.len());
    let mut index = vec![0usize; shape.len()];
    for _ in 0..data.len() {
        let offset: usize = index.iter().zip(&strides).map(|(i, s)| i * s).sum();
        out.push(data[offset]);
        // Next C-order index: the last axis moves fastest.
        for k in (0..shape.len()).rev() {
            index[k] += 1;
            if index[k] < shape[k] {
                break;
            }
            index[k] = 0;
        }
    }
    out
}

/// Writes a new `.npy` file of `shape` (little-endian, C order) whose elements `produce` hands
/// over in slabs, in order, through the function it is given; an existing file is an error.
///
/// # Errors
/// When the file cannot be written, `produce` fails, or the slabs do not add up to `shape`.
pub fn write_slabs<T: npyz::AutoSerialize + Copy>(
    path: &Path,
    shape: &[u64],
    produce: impl FnOnce(&mut dyn FnMut(Vec<T>) -> Result<()>) -> Result<()>,
) -> Result<()> {
    let file =
        File::create_new(path).with_context(|| format!("cannot create {}", path.display()))?;
    let mut out = BufWriter::new(file);
    let mut w = npyz::WriteOptions::<T>::new()
        .default_dtype()
        .shape(shape)
        .writer(&mut out)
        .begin_nd()?;
    produce(&mut |part: Vec<T>| {
        w.extend(part)
            .with_context(|| format!("cannot write {}", path.display()))
    })?;
    w.finish()
        .with_context(|| format!("cannot write {}", path.display()))?;
    out.flush()
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fortran_order_is_reordered() {
        // [[0, 1, 2], [3, 4, 5]] stored column by column.
        let f = [0, 3, 1, 4, 2, 5];
        assert_eq!(fortran_to_c(&f, &[2, 3]), vec![0, 1, 2, 3, 4, 5]);
    }
}
