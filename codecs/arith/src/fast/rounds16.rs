//! Model 3's rANS rounds (sixteen states) with the states in AVX2 registers, through `pulp`'s
//! safe intrinsics (runtime detection: [`super::avx2_of`]); on other CPUs
//! [`RansEncoder::put_rounds`] writes the same stream (tested against it).
//!
//! A round codes the sixteen symbols of stream indices `16 t .. 16 t + 15` on states 0 to 15,
//! as [`RansEncoder::put_symbol`] does one by one (`specs/entropy/README.md`, *rANS*): for each
//! group of eight states, the eight intervals are loaded (one 16-byte [`Interval`] each) and
//! transposed into four vectors, then every state's renormalisation test, division by the
//! frequency (by the reciprocal `ceil(2^44 / freq)` in two 32 × 32-bit products, even and odd
//! lanes apart) and new value; the low halves of the states that renormalise are the words,
//! packed in the order the encoder emits them (state 15 first) by a byte shuffle per group
//! ([`EMIT`]).

use ndcodecs_entropy::{RANS_PROB_BITS, RANS_TOTAL, RansEncSymbol, RansEncoder};

use super::H;

/// A symbol's interval as the vector loop loads it: `[rcp mod 2^32, rcp >> 32,
/// (freq · 2^20 − 1) xor 2^31, (4096 − freq) | start << 16]` with `rcp = ceil(2^44 / freq)`
/// (the third: the bound on the state above which it renormalises, moved for a signed
/// comparison).
pub(super) type Interval = [u32; 4];

/// The [`Interval`] of `s`.
pub(super) const fn interval(s: RansEncSymbol) -> Interval {
    let rcp = s.rcp();
    #[allow(clippy::cast_possible_truncation)]
    [
        rcp as u32,
        (rcp >> 32) as u32,
        (s.freq() << (32 - RANS_PROB_BITS)).wrapping_sub(1) ^ 0x8000_0000,
        (RANS_TOTAL - s.freq()) | s.start() << 16,
    ]
}

/// For every 8-bit mask `m` of the states of a group that renormalise, the byte shuffle that
/// moves their 16-bit words (the group's eight words in state order) to the front, the highest
/// state first (the order the encoder emits them); the other bytes zero.
const EMIT: [[u8; 16]; 256] = {
    let mut t = [[0x80u8; 16]; 256];
    let mut m = 0;
    while m < 256 {
        let mut j = 0;
        let mut i = 8;
        while i > 0 {
            i -= 1;
            if m & (1 << i) != 0 {
                t[m][2 * j] = 2 * i as u8;
                t[m][2 * j + 1] = 2 * i as u8 + 1;
                j += 1;
            }
        }
        m += 1;
    }
    t
};

/// [`RansEncoder::put_rounds`]`(rounds, |t, k| table-of(codes[k][t]))` on AVX2: rounds
/// `rounds − 1` down to 0 of the sixteen lanes, lane `k`'s symbol of round `t` being the
/// interval `table[codes[k][t] mod H]` (every `codes[k]` holds at least `rounds` codes).
#[cfg(target_arch = "x86_64")]
#[inline(always)]
pub(super) fn put_rounds(
    simd: pulp::x86::V3,
    enc: RansEncoder<16>,
    rounds: usize,
    codes: &[&[u16]; 16],
    table: &[Interval; H],
) -> RansEncoder<16> {
    use pulp::bytemuck::cast;
    use std::arch::x86_64::{__m128i, __m256i};

    let codes = codes.map(|c| &c[..rounds]);
    let (states, mut words) = enc.into_parts();
    let base = words.len();
    // at most one word per symbol, and room for a group's eight-word store
    words.resize(base + 16 * rounds + 8, 0);
    let out = &mut words[base..];
    let mut k = 0usize;
    let a = simd.avx2;
    let sign = simd.avx._mm256_set1_epi32(i32::MIN);
    let low16 = simd.avx._mm256_set1_epi32(0xFFFF);
    let mut x: [__m256i; 2] = cast::<[u32; 16], [__m256i; 2]>(states);
    for t in (0..rounds).rev() {
        let mut masks = [0usize; 2];
        let mut lows = [low16; 2];
        for g in 0..2 {
            let e = |l: usize| table[usize::from(codes[8 * g + l][t]) & (H - 1)];
            // rows: intervals of lanes (0, 4), (1, 5), (2, 6), (3, 7) of the group
            let row = |l: usize| {
                simd.avx._mm256_set_m128i(
                    cast::<Interval, __m128i>(e(l + 4)),
                    cast::<Interval, __m128i>(e(l)),
                )
            };
            let r = [row(0), row(1), row(2), row(3)];
            let t0 = a._mm256_unpacklo_epi32(r[0], r[1]);
            let t1 = a._mm256_unpacklo_epi32(r[2], r[3]);
            let t2 = a._mm256_unpackhi_epi32(r[0], r[1]);
            let t3 = a._mm256_unpackhi_epi32(r[2], r[3]);
            // the four fields, lanes 0 to 7
            let lo = a._mm256_unpacklo_epi64(t0, t1);
            let hi = a._mm256_unpackhi_epi64(t0, t1);
            let bound = a._mm256_unpacklo_epi64(t2, t3);
            let cs = a._mm256_unpackhi_epi64(t2, t3);
            let xg = x[g];
            // x >= freq · 2^20: the low 16 bits go out
            let big = a._mm256_cmpgt_epi32(a._mm256_xor_si256(xg, sign), bound);
            let y = a._mm256_blendv_epi8(xg, a._mm256_srli_epi32::<16>(xg), big);
            // q = floor(y · rcp / 2^44), even and odd lanes
            let qe = a._mm256_srli_epi64::<12>(a._mm256_add_epi64(
                a._mm256_mul_epu32(y, hi),
                a._mm256_srli_epi64::<32>(a._mm256_mul_epu32(y, lo)),
            ));
            let yo = a._mm256_srli_epi64::<32>(y);
            let qo = a._mm256_srli_epi64::<12>(a._mm256_add_epi64(
                a._mm256_mul_epu32(yo, a._mm256_srli_epi64::<32>(hi)),
                a._mm256_srli_epi64::<32>(a._mm256_mul_epu32(yo, a._mm256_srli_epi64::<32>(lo))),
            ));
            let q = a._mm256_blend_epi32::<0b1010_1010>(qe, a._mm256_slli_epi64::<32>(qo));
            // q · 2^12 + (y − q · freq) + start = y + q · (4096 − freq) + start
            let next = a._mm256_add_epi32(
                a._mm256_add_epi32(y, a._mm256_mullo_epi32(q, a._mm256_and_si256(cs, low16))),
                a._mm256_srli_epi32::<16>(cs),
            );
            #[allow(clippy::cast_sign_loss)]
            {
                masks[g] = simd
                    .avx
                    ._mm256_movemask_ps(simd.avx._mm256_castsi256_ps(big))
                    as usize
                    & 0xFF;
            }
            lows[g] = a._mm256_and_si256(xg, low16);
            x[g] = next;
        }
        // the sixteen low halves in state order, then each group's words, lanes 15 to 8 first
        let w =
            a._mm256_permute4x64_epi64::<0b11_01_10_00>(a._mm256_packus_epi32(lows[0], lows[1]));
        let halves = [
            simd.avx._mm256_castsi256_si128(w),
            a._mm256_extracti128_si256::<1>(w),
        ];
        for g in [1, 0] {
            let emitted = simd
                .ssse3
                ._mm_shuffle_epi8(halves[g], cast::<[u8; 16], __m128i>(EMIT[masks[g]]));
            if let Some(dst) = out.get_mut(k..k + 8) {
                dst.copy_from_slice(&cast::<__m128i, [u16; 8]>(emitted));
            }
            k += masks[g].count_ones() as usize;
        }
    }
    words.truncate(base + k);
    RansEncoder::from_parts(cast::<[__m256i; 2], [u32; 16]>(x), words)
}

#[cfg(all(test, target_arch = "x86_64"))]
mod tests {
    use super::*;
    use crate::fast::tests::xorshift;
    use ndcodecs_entropy::RANS_L;

    /// The AVX2 rounds write the stream of the scalar rounds ([`RansEncoder::put_rounds`]) and of
    /// [`RansEncoder::put_symbol`] symbol by symbol, and end in the same states: random tables
    /// with the extreme frequencies (1, where nearly every symbol renormalises, 4095 and 4096,
    /// where none does) beside random ones, so that some lanes of a round renormalise and others
    /// do not; states starting anywhere in `[2^16, 2^32)`, at both ends and on either side of a
    /// lane's renormalisation bound; 0 to 40 rounds, after words already emitted.
    #[test]
    fn avx2_rounds_match_the_scalar_encoder() {
        let Some(simd) = pulp::x86::V3::try_new() else {
            eprintln!("no AVX2 on this CPU: the vector rounds are not run");
            return;
        };
        let mut next = xorshift(0x9E37_79B9_7F4A_7C15);
        for case in 0..400u64 {
            let mut packed = Box::new([RansEncSymbol::default(); H]);
            for s in packed.iter_mut() {
                #[allow(clippy::cast_possible_truncation)]
                let freq = match next() % 6 {
                    0 => 1,
                    1 => 4095,
                    2 => 4096,
                    3 => 1 + (next() % 16) as u32,
                    _ => 1 + (next() % u64::from(RANS_TOTAL)) as u32,
                };
                #[allow(clippy::cast_possible_truncation)]
                let start = (next() % u64::from(RANS_TOTAL - freq + 1)) as u32;
                *s = RansEncSymbol::new(start, freq);
            }
            let table: Box<[Interval; H]> = Box::new(packed.map(interval));
            #[allow(clippy::cast_possible_truncation)]
            let rounds = (case % 41) as usize;
            // codes above H - 1 are taken mod H, as the encoder's codes are
            #[allow(clippy::cast_possible_truncation)]
            let lanes: Vec<Vec<u16>> = (0..16)
                .map(|_| (0..rounds).map(|_| next() as u16).collect())
                .collect();
            let codes: [&[u16]; 16] = std::array::from_fn(|k| &lanes[k][..]);
            let sym = |t: usize, k: usize| packed[usize::from(codes[k][t]) & (H - 1)];
            let states: [u32; 16] = std::array::from_fn(|k| {
                let bound = rounds
                    .checked_sub(1)
                    .map_or(1u64 << 32, |t| u64::from(sym(t, k).freq()) << 20);
                #[allow(clippy::cast_possible_truncation)]
                let x = match next() % 6 {
                    0 => u64::from(RANS_L),
                    1 => u64::from(u32::MAX),
                    2 => bound - 1,
                    3 => bound,
                    _ => next() >> 32,
                };
                #[allow(clippy::cast_possible_truncation)]
                let x = x.clamp(u64::from(RANS_L), u64::from(u32::MAX)) as u32;
                x
            });
            #[allow(clippy::cast_possible_truncation)]
            let before: Vec<u16> = (0..next() % 5).map(|_| next() as u16).collect();

            let mut scalar = RansEncoder::<16>::from_parts(states, before.clone());
            scalar.put_rounds(rounds, sym);
            let mut one_by_one = RansEncoder::<16>::from_parts(states, before.clone());
            for i in (0..16 * rounds).rev() {
                one_by_one.put_symbol(i, sym(i / 16, i % 16));
            }
            let vector = put_rounds(
                simd,
                RansEncoder::<16>::from_parts(states, before.clone()),
                rounds,
                &codes,
                &table,
            );
            let reference = one_by_one.into_parts();
            assert_eq!(scalar.into_parts(), reference, "case {case}: scalar rounds");
            assert_eq!(vector.into_parts(), reference, "case {case}: AVX2 rounds");
        }
    }
}
