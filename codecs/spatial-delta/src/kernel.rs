//! The delta kernel, written once for every integer dtype.
//!
//! The data are a C-order (row-major) slice with a shape; along axis `k` the array is viewed as
//! `outer × n × inner` with `outer = shape[..k].product()`, `n = shape[k]` and
//! `inner = shape[k+1..].product()`, so that one "row" of `inner` contiguous elements is one slice
//! along the axis. Rows are combined element-wise (vectorisable); only the last axis
//! (`inner == 1`) runs along a sequential dependency.

use ndcodecs_core::dtype::Int;

/// `(outer, n, inner)` of `shape` around `axis`.
fn split(shape: &[usize], axis: usize) -> (usize, usize, usize) {
    let outer = shape[..axis].iter().product();
    let inner = shape[axis + 1..].iter().product();
    (outer, shape[axis], inner)
}

#[inline]
fn sub_rows<T: Int>(out: &mut [T], cur: &[T], prev: &[T]) {
    for ((o, &c), &p) in out.iter_mut().zip(cur).zip(prev) {
        *o = c.wrapping_sub(p);
    }
}

#[inline]
fn add_row_in_place<T: Int>(row: &mut [T], prev: &[T]) {
    for (r, &p) in row.iter_mut().zip(prev) {
        *r = r.wrapping_add(p);
    }
}

/// Writes the differences of `input` along `axis` to `out` (same length): the first slice along
/// the axis is copied, every other slice becomes its difference with the previous one.
fn delta_out_of_place<T: Int>(input: &[T], out: &mut [T], shape: &[usize], axis: usize) {
    let (outer, n, inner) = split(shape, axis);
    let block = n * inner;
    if block == 0 {
        return;
    }
    for b in 0..outer {
        let src = &input[b * block..(b + 1) * block];
        let dst = &mut out[b * block..(b + 1) * block];
        if inner == 1 {
            dst[0] = src[0];
            let (cur, prev, out) = (&src[1..n], &src[..n - 1], &mut dst[1..n]);
            for i in 0..n - 1 {
                out[i] = cur[i].wrapping_sub(prev[i]);
            }
        } else {
            dst[..inner].copy_from_slice(&src[..inner]);
            for i in 1..n {
                sub_rows(
                    &mut dst[i * inner..(i + 1) * inner],
                    &src[i * inner..(i + 1) * inner],
                    &src[(i - 1) * inner..i * inner],
                );
            }
        }
    }
}

/// Replaces `data` by its differences along `axis`, in place.
fn delta_in_place<T: Int>(data: &mut [T], shape: &[usize], axis: usize) {
    let (outer, n, inner) = split(shape, axis);
    let block = n * inner;
    if block == 0 {
        return;
    }
    for blk in data.chunks_exact_mut(block).take(outer) {
        if inner == 1 {
            let mut prev = blk[0];
            for x in &mut blk[1..] {
                let cur = *x;
                *x = cur.wrapping_sub(prev);
                prev = cur;
            }
        } else {
            // Last row first, so that each row still sees its unmodified predecessor.
            for i in (1..n).rev() {
                let (head, tail) = blk.split_at_mut(i * inner);
                let prev = &head[(i - 1) * inner..];
                for (r, &p) in tail[..inner].iter_mut().zip(prev) {
                    *r = r.wrapping_sub(p);
                }
            }
        }
    }
}

/// Undoes [`delta_in_place`]: cumulative (wrapping) sums along `axis`, in place.
fn cumsum_in_place<T: Int>(data: &mut [T], shape: &[usize], axis: usize) {
    let (outer, n, inner) = split(shape, axis);
    let block = n * inner;
    if block == 0 {
        return;
    }
    for blk in data.chunks_exact_mut(block).take(outer) {
        if inner == 1 {
            let mut acc = blk[0];
            for x in &mut blk[1..] {
                acc = acc.wrapping_add(*x);
                *x = acc;
            }
        } else {
            for i in 1..n {
                let (head, tail) = blk.split_at_mut(i * inner);
                add_row_in_place(&mut tail[..inner], &head[(i - 1) * inner..]);
            }
        }
    }
}

/// Writes the cumulative (wrapping) sums of `input` along `axis` to `out` (same length): the
/// inverse of [`delta_out_of_place`], reading the input once and writing the output once.
fn cumsum_out_of_place<T: Int>(input: &[T], out: &mut [T], shape: &[usize], axis: usize) {
    let (outer, n, inner) = split(shape, axis);
    let block = n * inner;
    if block == 0 {
        return;
    }
    for (src, dst) in input
        .chunks_exact(block)
        .zip(out.chunks_exact_mut(block))
        .take(outer)
    {
        if inner == 1 {
            let mut acc = T::default();
            for (o, &x) in dst.iter_mut().zip(src) {
                acc = acc.wrapping_add(x);
                *o = acc;
            }
        } else {
            dst[..inner].copy_from_slice(&src[..inner]);
            for i in 1..n {
                let (head, tail) = dst.split_at_mut(i * inner);
                let prev = &head[(i - 1) * inner..];
                let cur = &src[i * inner..(i + 1) * inner];
                for ((o, &c), &p) in tail[..inner].iter_mut().zip(cur).zip(prev) {
                    *o = c.wrapping_add(p);
                }
            }
        }
    }
}

/// The axes split for a single fused pass: the outermost listed axis `a0`, how many more times
/// it is listed, and the other axes relative to one slice along `a0` (`axis - a0 - 1`).
///
/// Differences (and cumulative sums) along any axes commute, so the order of the list does not
/// change the result; the fused pass handles `a0` slice by slice and applies the other axes to
/// each slice while it is still in cache.
fn plan(axes: &[usize]) -> Option<(usize, usize, Vec<usize>)> {
    let a0 = *axes.iter().min()?;
    let repeats = axes.iter().filter(|&&a| a == a0).count() - 1;
    let inner = axes
        .iter()
        .filter(|&&a| a > a0)
        .map(|&a| a - a0 - 1)
        .collect();
    Some((a0, repeats, inner))
}

/// Encodes `input` (C order, `shape` outermost first) with differences along each of `axes`,
/// writing to `out`, in one pass over memory when the axes allow. `axes` must be resolved (each
/// `< shape.len()`) and `input.len() == out.len() == shape.product()`.
pub fn encode_into<T: Int>(input: &[T], out: &mut [T], shape: &[usize], axes: &[usize]) {
    let Some((a0, repeats, inner_axes)) = plan(axes) else {
        out.copy_from_slice(input);
        return;
    };
    if inner_axes.is_empty() {
        delta_out_of_place(input, out, shape, a0);
    } else {
        let (outer, n, inner) = split(shape, a0);
        let slice_shape = &shape[a0 + 1..];
        let block = n * inner;
        for b in 0..outer {
            let src = &input[b * block..(b + 1) * block];
            let dst = &mut out[b * block..(b + 1) * block];
            for i in 0..n {
                let row = &mut dst[i * inner..(i + 1) * inner];
                if i == 0 {
                    row.copy_from_slice(&src[..inner]);
                } else {
                    sub_rows(
                        row,
                        &src[i * inner..(i + 1) * inner],
                        &src[(i - 1) * inner..i * inner],
                    );
                }
                for &axis in &inner_axes {
                    delta_in_place(row, slice_shape, axis);
                }
            }
        }
    }
    for _ in 0..repeats {
        delta_in_place(out, shape, a0);
    }
}

/// Decodes in place what [`encode_into`] wrote: cumulative sums along `axes`, in one pass over
/// memory when the axes allow.
pub fn decode_in_place<T: Int>(data: &mut [T], shape: &[usize], axes: &[usize]) {
    let Some((a0, repeats, inner_axes)) = plan(axes) else {
        return;
    };
    for _ in 0..repeats {
        cumsum_in_place(data, shape, a0);
    }
    if inner_axes.is_empty() {
        cumsum_in_place(data, shape, a0);
        return;
    }
    let (outer, n, inner) = split(shape, a0);
    let slice_shape = &shape[a0 + 1..];
    let block = n * inner;
    if block == 0 {
        return;
    }
    for blk in data.chunks_exact_mut(block).take(outer) {
        for i in 0..n {
            let (head, tail) = blk.split_at_mut(i * inner);
            let row = &mut tail[..inner];
            for &axis in inner_axes.iter().rev() {
                cumsum_in_place(row, slice_shape, axis);
            }
            if i > 0 {
                add_row_in_place(row, &head[(i - 1) * inner..]);
            }
        }
    }
}

/// Decodes `input` (what [`encode_into`] wrote) into `out`, in one pass over memory when the axes
/// allow: each slice along the outermost listed axis is copied from the input while it is in
/// cache, its inner axes summed in place, and the previous slice added.
pub fn decode_into<T: Int>(input: &[T], out: &mut [T], shape: &[usize], axes: &[usize]) {
    let Some((a0, repeats, inner_axes)) = plan(axes) else {
        out.copy_from_slice(input);
        return;
    };
    if repeats > 0 {
        // An axis listed more than once: the in-place passes, after one copy.
        out.copy_from_slice(input);
        decode_in_place(out, shape, axes);
        return;
    }
    if inner_axes.is_empty() {
        cumsum_out_of_place(input, out, shape, a0);
        return;
    }
    let (outer, n, inner) = split(shape, a0);
    let slice_shape = &shape[a0 + 1..];
    let block = n * inner;
    if block == 0 {
        return;
    }
    for (src, blk) in input
        .chunks_exact(block)
        .zip(out.chunks_exact_mut(block))
        .take(outer)
    {
        for i in 0..n {
            let (head, tail) = blk.split_at_mut(i * inner);
            let row = &mut tail[..inner];
            row.copy_from_slice(&src[i * inner..(i + 1) * inner]);
            for &axis in inner_axes.iter().rev() {
                cumsum_in_place(row, slice_shape, axis);
            }
            if i > 0 {
                add_row_in_place(row, &head[(i - 1) * inner..]);
            }
        }
    }
}
