//! `--psnr`: the largest error bound whose PSNR on the data meets a target.
//!
//! A chain may leave the bound of one lossy codec open — `linear_quantize` without
//! `max_abs_error`, `lilcom` without `tick_power` — and `--psnr 60` fills it in with the largest
//! bound (the largest tick for lilcom) whose PSNR on this array, measured as the report measures
//! it (peak = the value range of the measured elements), is at least 60 dB. PSNR falls as the
//! bound grows, but not strictly (the error of a quantizer depends on where the values fall
//! between its steps), so the search measures: it starts from the bound a uniform quantization
//! error would give, brackets the target by doubling or halving, bisects to 0.2 %, and finally
//! tries the result rounded down to three significant digits (the bound found is within about
//! 1.2 % of the largest that meets the target).

use std::cell::RefCell;

use anyhow::{Context, Result, bail};
use serde_json::Value;

use crate::fill::{self, Fill};
use crate::npy::NdArray;
use crate::report;
use crate::spec::Chain;

/// The lossy codec whose bound a PSNR target sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Knob {
    /// `max_abs_error` of the `linear_quantize` at this index of the chain.
    MaxAbsError(usize),
    /// `tick_power` of the `lilcom` at this index.
    TickPower(usize),
}

/// The open bound of `chain`, if it has one.
fn knob(chain: &Chain) -> Result<Option<Knob>> {
    let mut found = Vec::new();
    for (i, c) in chain.codecs.iter().enumerate() {
        match c.name.as_str() {
            "ndcodecs.linear_quantize" if !c.configuration.contains_key("max_abs_error") => {
                found.push(Knob::MaxAbsError(i));
            }
            // Its configuration holds zarrs' defaults spelled out: what counts is what was given.
            "ndcodecs.lilcom" if !c.given.iter().any(|k| k == "tick_power") => {
                found.push(Knob::TickPower(i));
            }
            _ => {}
        }
    }
    match found.as_slice() {
        [] => Ok(None),
        [k] => Ok(Some(*k)),
        _ => bail!(
            "chain `{}`: --psnr sets one bound, but several codecs leave theirs open",
            chain.spec
        ),
    }
}

/// The PSNR (dB) of `chain` on `data`, or `None` when the chain cannot encode it (a bound too
/// small for the codes, say): such a bound does not meet any target. The last such error is
/// kept in `failure`, to explain a search that finds nothing.
fn psnr_of(
    chain: &Chain,
    data: &NdArray,
    chunks: &[u64],
    fill: Option<Fill>,
    failure: &RefCell<Option<String>>,
) -> Option<f64> {
    match report::measure(data, chain, chunks, 1, fill, None) {
        Ok(row) => Some(row.errors.psnr_db),
        Err(e) => {
            *failure.borrow_mut() = Some(format!("{e:#}"));
            None
        }
    }
}

/// The error of a search that found no bound, with the last encoding failure when there was one.
fn nothing_meets(what: String, failure: &RefCell<Option<String>>) -> anyhow::Error {
    match failure.borrow().as_ref() {
        Some(last) => anyhow::anyhow!("{what}; the last bound tried failed to encode: {last}"),
        None => anyhow::anyhow!(what),
    }
}

/// Sets the open bound of `chain` to the largest that meets `target_db` on `data`, and notes the
/// request in the chain's label. Returns `false`, changing nothing, when the chain has no open
/// bound.
///
/// # Errors
/// When the data have no value range, or no bound meets the target.
pub fn tune(
    chain: &mut Chain,
    data: &NdArray,
    chunks: &[u64],
    fill: Option<Fill>,
    target_db: f64,
) -> Result<bool> {
    let Some(knob) = knob(chain)? else {
        return Ok(false);
    };
    if !target_db.is_finite() {
        bail!("--psnr {target_db}: give a finite target in dB");
    }
    let valid = fill::valid_mask(data, fill);
    let range = report::value_range(&data.samples.to_f64(), &valid);
    if !(range > 0.0 && range.is_finite()) {
        bail!("--psnr: the data have no value range (constant, or no finite value), so no PSNR");
    }
    // The mean squared error the target allows (PSNR = 20 log10(range) - 10 log10(MSE)).
    let mse = range * range * 10f64.powf(-target_db / 10.0);
    let failure = RefCell::new(None);
    let (index, key, value) = match knob {
        Knob::MaxAbsError(i) => {
            let prefix = chain.prefix(i + 1).context("--psnr")?;
            let measure = |e: f64| {
                let mut c = prefix.clone();
                c.codecs[i]
                    .configuration
                    .insert("max_abs_error".into(), Value::from(e));
                psnr_of(&c, data, chunks, fill, &failure).filter(|p| *p >= target_db)
            };
            // A quantizer with step 63/32·e makes a uniform error of variance (63/32·e)²/12.
            let start = (mse * 12.0).sqrt() / 1.968_75;
            let bound = largest_meeting(start, &measure).ok_or_else(|| {
                nothing_meets(
                    format!("no max_abs_error meets PSNR {target_db} dB on this array"),
                    &failure,
                )
            })?;
            (i, "max_abs_error", Value::from(bound))
        }
        Knob::TickPower(i) => {
            let prefix = chain.prefix(i + 1).context("--psnr")?;
            let measure = |tp: i64| {
                let mut c = prefix.clone();
                c.codecs[i]
                    .configuration
                    .insert("tick_power".into(), Value::from(tp));
                psnr_of(&c, data, chunks, fill, &failure).filter(|p| *p >= target_db)
            };
            // Ticks of 2^tp make a uniform error of variance 4^tp/12.
            #[allow(clippy::cast_possible_truncation)]
            let start = ((12.0 * mse).log2() / 2.0).floor().clamp(-20.0, 20.0) as i64;
            let tp = largest_tick_meeting(start, &measure).ok_or_else(|| {
                nothing_meets(
                    format!(
                        "no lilcom tick_power in -20..=20 meets PSNR {target_db} dB on this array"
                    ),
                    &failure,
                )
            })?;
            (i, "tick_power", Value::from(tp))
        }
    };
    let codec = &mut chain.codecs[index];
    codec.configuration.insert(key.into(), value);
    codec.given.push(key.into());
    let request = format!("PSNR ≥ {} dB", report::number(target_db));
    chain.request = Some(match chain.request.take() {
        Some(r) => format!("{r}, {request}"),
        None => request,
    });
    Ok(true)
}

/// The largest bound `e` (to 0.2 %, then rounded down to three significant digits when that still
/// meets) for which `meets(e)` holds, searching from `start`.
fn largest_meeting(start: f64, meets: &impl Fn(f64) -> Option<f64>) -> Option<f64> {
    let (mut lo, mut hi);
    if meets(start).is_some() {
        lo = start;
        hi = start * 2.0;
        let mut steps = 0;
        while meets(hi).is_some() {
            lo = hi;
            hi *= 2.0;
            steps += 1;
            if steps > 60 || !hi.is_finite() {
                return Some(lo);
            }
        }
    } else {
        hi = start;
        lo = start / 2.0;
        let mut steps = 0;
        while meets(lo).is_none() {
            hi = lo;
            lo /= 2.0;
            steps += 1;
            if steps > 60 || lo == 0.0 {
                return None;
            }
        }
    }
    while hi / lo > 1.002 {
        let mid = (lo * hi).sqrt();
        if meets(mid).is_some() {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let digits = 10f64.powf(lo.log10().floor() - 2.0);
    let rounded = (lo / digits).floor() * digits;
    // Print-and-parse drops the binary noise of the multiplication.
    let rounded: f64 = format!("{rounded:.3e}").parse().unwrap_or(rounded);
    Some(if rounded > 0.0 && meets(rounded).is_some() {
        rounded
    } else {
        lo
    })
}

/// The largest tick power in -20..=20 for which `meets` holds, searching from `start`.
fn largest_tick_meeting(start: i64, meets: &impl Fn(i64) -> Option<f64>) -> Option<i64> {
    if meets(start).is_some() {
        let mut tp = start;
        while tp < 20 && meets(tp + 1).is_some() {
            tp += 1;
        }
        Some(tp)
    } else {
        (-20..start).rev().find(|&tp| meets(tp).is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_finds_the_largest_bound() {
        // A monotone stand-in: bounds up to 0.0123456 meet.
        let meets = |e: f64| (e <= 0.012_345_6).then_some(0.0);
        for start in [1e-6, 0.012, 0.5, 300.0] {
            let e = largest_meeting(start, &meets).unwrap();
            assert!(
                (0.012_345_6 * 0.988..=0.012_345_6).contains(&e),
                "{start}: {e}"
            );
            assert_eq!(e, 0.0123, "{start}: {e}");
        }
        assert_eq!(largest_meeting(1.0, &|_| None), None);
        let tick = |tp: i64| (tp <= -3).then_some(0.0);
        for start in [-20, -5, -3, 0, 20] {
            assert_eq!(largest_tick_meeting(start, &tick), Some(-3));
        }
        assert_eq!(largest_tick_meeting(0, &|_| None), None);
    }
}
