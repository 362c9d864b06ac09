//! Codec chain specifications: the readable form
//! `linear_quantize(max_abs_error=0.01) | spatial_delta(axis=[0,1,2]) | zstd(level=5)` and the JSON
//! codec list of zarr v3 metadata, both turned into the `codecs` list of an array's metadata.
//!
//! Readable names map to v3 names: our codecs are written by their codec id (`spatial_delta`,
//! `linear_quantize`, `lilcom`, `crc32`, … — every codec of the `ndcodecs-registry` list) and map
//! to their v3 name (`ndcodecs.spatial_delta`, …, `numcodecs.crc32`: numcodecs' checksum, for
//! numcodecs / zarr v2 readers; v3 chains should prefer zarr's core `crc32c`); anything else
//! (zarrs' own `bytes`, `zstd`,
//! `blosc`, `crc32c`, `sharding_indexed`, ..., or a full dotted name) is kept as written, except
//! that a bare numcodecs id zarrs knows only as `numcodecs.<id>` (`pcodec`) gets that prefix. A chain
//! without an array→bytes codec gets `bytes` (little endian) inserted after its array→array codecs.
//!
//! Parameters are `key=value`, values being numbers, `true`/`false`/`null`, quoted or bare strings,
//! `[lists]` and `{key: value}` objects. zarrs' required parameters get defaults (`zstd`: level 5,
//! no checksum; `blosc`: zstd level 5, no shuffle; `sharding_indexed`: index at the end with
//! `bytes | crc32c`). The `codecs` / `index_codecs` of `sharding_indexed` may be a readable chain
//! in a string: `sharding_indexed(chunk_shape=[32,32], codecs="linear_quantize(max_abs_error=0.1) | zstd")`.

use std::fmt;
use std::ops::Range;

use ndcodecs_core::CodecKind;
use ndcodecs_linear_quantize::max_abs_error_from_relative;
use serde_json::{Map, Value};
use zarrs::array::CodecMetadataOptions;
use zarrs::array::codec::api::Codec;
use zarrs::metadata::v3::MetadataV3;

use crate::npy::{NdArray, Samples};

/// The codecs of the zarr v3 core specification (and zarr-python's core set), whose bare names
/// stay as they are; any other bare name that zarrs knows as `numcodecs.<name>` gets the prefix.
const ZARR_CORE: [&str; 9] = [
    "bytes",
    "blosc",
    "crc32c",
    "gzip",
    "sharding_indexed",
    "transpose",
    "zstd",
    "vlen-utf8",
    "vlen-bytes",
];

/// A codec chain that could not be understood, with the part of the text at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError {
    /// The specification as given.
    pub spec: String,
    /// Byte range of the offending part of `spec`.
    pub span: Range<usize>,
    /// What is wrong.
    pub message: String,
}

impl SpecError {
    fn new(spec: &str, span: Range<usize>, message: impl Into<String>) -> Self {
        let start = span.start.min(spec.len());
        let end = span.end.clamp(start, spec.len());
        Self {
            spec: spec.to_string(),
            span: start..end,
            message: message.into(),
        }
    }
}

impl fmt::Display for SpecError {
    /// The message, then the line of the specification at fault with carets under the bad part
    /// (a window of the line around it when the line is long).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        /// Characters of context shown on each side of the bad part of a long line.
        const CONTEXT: usize = 40;
        let line_start = self.spec[..self.span.start]
            .rfind('\n')
            .map_or(0, |i| i + 1);
        let line_end = self.spec[self.span.start..]
            .find('\n')
            .map_or(self.spec.len(), |i| self.span.start + i);
        let before: Vec<char> = self.spec[line_start..self.span.start].chars().collect();
        let bad: Vec<char> = self.spec[self.span.start..self.span.end.min(line_end)]
            .chars()
            .collect();
        let after: Vec<char> = self.spec[self.span.end.min(line_end)..line_end]
            .chars()
            .collect();
        let (lead, before) = if before.len() > CONTEXT {
            ("…", &before[before.len() - CONTEXT..])
        } else {
            ("", &before[..])
        };
        let (bad, bad_cut) = if bad.len() > 2 * CONTEXT {
            (&bad[..2 * CONTEXT], true)
        } else {
            (&bad[..], false)
        };
        let (after, trail) = if bad_cut {
            (&[][..], "…")
        } else if after.len() > CONTEXT {
            (&after[..CONTEXT], "…")
        } else {
            (&after[..], "")
        };
        let text: String = before.iter().chain(bad).chain(after).collect();
        write!(
            f,
            "invalid codec chain: {}\n  {lead}{text}{trail}\n  {}{}",
            self.message,
            " ".repeat(lead.chars().count() + before.len()),
            "^".repeat(bad.len().max(1))
        )
    }
}

impl std::error::Error for SpecError {}

/// One codec of a parsed chain.
#[derive(Debug, Clone, PartialEq)]
pub struct CodecEntry {
    /// The v3 metadata name (after mapping readable names).
    pub name: String,
    /// The name as written in the specification (empty for a codec the parser inserted).
    pub written: String,
    /// The configuration (possibly empty).
    pub configuration: Map<String, Value>,
    /// The configuration keys the specification gave (or a resolution set), in order: what a
    /// readable label shows (defaults filled in are left out).
    pub given: Vec<String>,
    /// Byte range of this codec's name in the specification.
    pub span: Range<usize>,
}

impl CodecEntry {
    /// The `{"name": ..., "configuration": {...}}` metadata of this codec.
    #[must_use]
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("name".into(), Value::String(self.name.clone()));
        // Always an object, even when empty: zarr-python 3.1 cannot read the bare-name form
        // (`"numcodecs.crc32"`) that zarrs writes for a codec without a configuration.
        m.insert(
            "configuration".into(),
            Value::Object(self.configuration.clone()),
        );
        Value::Object(m)
    }
}

/// A parsed and checked codec chain.
#[derive(Debug, Clone, PartialEq)]
pub struct Chain {
    /// The specification as given (used as the chain's label).
    pub spec: String,
    /// The codecs, in order, with `bytes` inserted where needed.
    pub codecs: Vec<CodecEntry>,
    /// What a resolved bound was asked as (`max_rel_error=0.001`, `PSNR ≥ 60 dB`), for the label.
    pub request: Option<String>,
}

impl Chain {
    /// Parses `spec` (readable or JSON form), maps names and checks every codec against the codecs
    /// zarrs knows (with ours registered), inserting `bytes` when the chain has no array→bytes codec.
    ///
    /// # Errors
    /// A [`SpecError`] pointing at the token, codec or JSON position at fault.
    pub fn parse(spec: &str) -> Result<Self, SpecError> {
        let trimmed = spec.trim_start();
        let mut codecs = if trimmed.starts_with('[') || trimmed.starts_with('{') {
            parse_json(spec)?
        } else {
            Parser::new(spec)?.chain()?
        };
        check_kinds(spec, &mut codecs)?;
        Ok(Self {
            spec: spec.trim().to_string(),
            codecs,
            request: None,
        })
    }

    /// The chain's label: the specification as given, or, once a bound has been resolved, the
    /// readable form with the resolved bound and what it was asked as.
    #[must_use]
    pub fn label(&self) -> String {
        match &self.request {
            None => self.spec.clone(),
            Some(request) => format!("{}  [{request}]", self.readable()),
        }
    }

    /// The chain in the readable form, each codec with the parameters the specification gave
    /// (and resolved bounds), the `bytes` codec the parser inserted left out.
    #[must_use]
    pub fn readable(&self) -> String {
        self.codecs
            .iter()
            .filter(|c| !c.written.is_empty())
            .map(|c| {
                let params: Vec<String> = c
                    .given
                    .iter()
                    .filter_map(|k| {
                        c.configuration
                            .get(k)
                            .map(|v| format!("{k}={}", readable_value(v)))
                    })
                    .collect();
                if params.is_empty() {
                    c.written.clone()
                } else {
                    format!("{}({})", c.written, params.join(", "))
                }
            })
            .collect::<Vec<_>>()
            .join(" | ")
    }

    /// Replaces `max_rel_error` in every `linear_quantize` and `interp_quantize` of the chain by
    /// the `max_abs_error` it stands for on the whole of `data`: the fraction of the value range
    /// of the finite elements other than the codec's `fill_value` (SZ3's REL mode, which SZ3
    /// applies to the whole array it is given; `ndcodecs_linear_quantize`'s
    /// `max_abs_error_from_relative`). Both codecs would otherwise take the range of each chunk,
    /// so that one `max_rel_error` gives each chunk its own bound; resolved here, the store has
    /// one bound, the same for either codec, and its configuration holds only that absolute
    /// bound.
    ///
    /// # Errors
    /// When the data are not float32/float64 or have no value range.
    pub fn resolve_relative(&mut self, data: &NdArray) -> Result<(), String> {
        let mut requests = Vec::new();
        self.visit_codecs_mut(&mut |name, cfg| {
            let Some(codec) = name
                .strip_prefix("ndcodecs.")
                .filter(|c| matches!(*c, "linear_quantize" | "interp_quantize"))
            else {
                return Ok(());
            };
            let Some(rel) = cfg.get("max_rel_error") else {
                return Ok(());
            };
            let rel = rel
                .as_f64()
                .ok_or_else(|| format!("{codec}: max_rel_error={rel} is not a number"))?;
            let fill = cfg.get("fill_value").and_then(Value::as_f64);
            let bound = match &data.samples {
                Samples::F32(v) => max_abs_error_from_relative(v.iter().copied(), rel, fill),
                Samples::F64(v) => max_abs_error_from_relative(v.iter().copied(), rel, fill),
                other => {
                    return Err(format!(
                        "{codec} quantizes float32/float64 data, not {}",
                        other.dtype_name()
                    ));
                }
            }
            .map_err(|e| e.to_string())?;
            cfg.remove("max_rel_error");
            cfg.insert("max_abs_error".into(), Value::from(bound.get()));
            requests.push(format!(
                "max_rel_error={}",
                readable_value(&Value::from(rel))
            ));
            Ok(())
        })?;
        if !requests.is_empty() {
            for c in &mut self.codecs {
                if let Some(k) = c.given.iter_mut().find(|k| *k == "max_rel_error") {
                    *k = "max_abs_error".into();
                }
            }
            self.request = Some(requests.join(", "));
        }
        Ok(())
    }

    /// The chain of the first `end` codecs (with `bytes` appended when they lack an array→bytes
    /// codec): enough to measure the error of a lossy codec at `end - 1` when what follows is
    /// lossless.
    ///
    /// # Errors
    /// When the shortened chain is not a valid chain.
    pub fn prefix(&self, end: usize) -> Result<Self, SpecError> {
        let mut codecs: Vec<CodecEntry> = self.codecs[..end.min(self.codecs.len())]
            .iter()
            .filter(|c| !c.written.is_empty() || c.name != "bytes")
            .cloned()
            .collect();
        check_kinds(&self.spec, &mut codecs)?;
        Ok(Self {
            spec: self.spec.clone(),
            codecs,
            request: self.request.clone(),
        })
    }

    /// Checks that every `linear_quantize` of the chain has its bound (after
    /// [`Chain::resolve_relative`] and any PSNR tuning).
    ///
    /// # Errors
    /// Naming the codec without a bound.
    pub fn check_bounds(&mut self) -> Result<(), String> {
        self.visit_codecs_mut(&mut |name, cfg| {
            if name == "ndcodecs.linear_quantize" && !cfg.contains_key("max_abs_error") {
                Err(
                    "linear_quantize needs a bound: max_abs_error=…, max_rel_error=… (a fraction \
                     of the value range), or --psnr with a target"
                        .to_string(),
                )
            } else {
                Ok(())
            }
        })
    }

    /// The `codecs` list of zarr v3 array metadata.
    #[must_use]
    pub fn to_json(&self) -> Value {
        Value::Array(self.codecs.iter().map(CodecEntry::to_json).collect())
    }

    /// The error bound the chain promises, if a codec states one (those nested in shards
    /// included): what our codecs guarantee for their configuration (`linear_quantize`:
    /// `max_abs_error`; `lilcom`: `2^(tick_power-1)`), or a `max_abs_error` parameter of another
    /// codec; the largest when several do.
    #[must_use]
    pub fn error_bound(&self) -> Option<f64> {
        let mut bounds = Vec::new();
        let _ = self.clone().visit_codecs_mut(
            &mut |name, cfg| -> Result<(), std::convert::Infallible> {
                let bound = match ndcodecs_registry::find_v3(name) {
                    Some(ours) => ours
                        .max_abs_error(&Value::Object(cfg.clone()))
                        .ok()
                        .flatten(),
                    None => cfg.get("max_abs_error").and_then(Value::as_f64),
                };
                bounds.extend(bound);
                Ok(())
            },
        );
        bounds.into_iter().reduce(f64::max)
    }
}

impl Chain {
    /// Calls `f` with the name and configuration of every codec of the chain, those nested in a
    /// `sharding_indexed` configuration (`codecs`, `index_codecs`) included.
    ///
    /// # Errors
    /// The first error `f` returns.
    pub fn visit_codecs_mut<E>(
        &mut self,
        f: &mut impl FnMut(&str, &mut Map<String, Value>) -> Result<(), E>,
    ) -> Result<(), E> {
        fn nested<E>(
            configuration: &mut Map<String, Value>,
            f: &mut impl FnMut(&str, &mut Map<String, Value>) -> Result<(), E>,
        ) -> Result<(), E> {
            for key in NESTED_CHAINS {
                if let Some(Value::Array(list)) = configuration.get_mut(key) {
                    for item in list {
                        let Some(obj) = item.as_object_mut() else {
                            continue;
                        };
                        let name = obj
                            .get("name")
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_string();
                        let cfg = obj
                            .entry("configuration")
                            .or_insert_with(|| Value::Object(Map::new()));
                        if let Some(cfg) = cfg.as_object_mut() {
                            f(&name, cfg)?;
                            nested(cfg, f)?;
                        }
                    }
                }
            }
            Ok(())
        }
        for c in &mut self.codecs {
            f(&c.name, &mut c.configuration)?;
            nested(&mut c.configuration, f)?;
        }
        Ok(())
    }

    /// Whether the chain (shards included) has a codec of v3 name `name`.
    #[must_use]
    pub fn uses(&self, name: &str) -> bool {
        let mut found = false;
        let _ =
            self.clone()
                .visit_codecs_mut(&mut |n, _| -> Result<(), std::convert::Infallible> {
                    found |= n == name;
                    Ok(())
                });
        found
    }

    /// Gives `fill_value` to every codec of the chain that takes one (`linear_quantize`,
    /// `interp_quantize`) and has none configured (nothing for NaN and ±inf, which they keep
    /// anyway).
    ///
    /// # Errors
    /// When such a codec is configured with another fill value.
    pub fn set_fill_value(&mut self, fill_value: f64) -> Result<(), String> {
        if !fill_value.is_finite() {
            // NaN and ±inf have codes of their own in linear_quantize and interp_quantize, kept
            // bit-exactly.
            return Ok(());
        }
        self.visit_codecs_mut(&mut |name, cfg| {
            let Some(codec) = name
                .strip_prefix("ndcodecs.")
                .filter(|c| matches!(*c, "linear_quantize" | "interp_quantize"))
            else {
                return Ok(());
            };
            match cfg.get("fill_value") {
                None | Some(Value::Null) => {
                    let v =
                        serde_json::Number::from_f64(fill_value).map_or(Value::Null, Value::Number);
                    if v.is_null() {
                        return Err(format!(
                            "{codec} takes only a finite fill_value, not --fill-value {fill_value}"
                        ));
                    }
                    cfg.insert("fill_value".into(), v);
                    Ok(())
                }
                Some(v) if v.as_f64() == Some(fill_value) => Ok(()),
                Some(v) => Err(format!(
                    "{codec} has fill_value={v} but --fill-value is {fill_value}"
                )),
            }
        })
    }
}

/// A configuration value as the readable form writes it: bare identifiers and numbers, quoted
/// other strings, `[a, b]` lists, `{k: v}` objects.
fn readable_value(v: &Value) -> String {
    match v {
        Value::String(s)
            if !s.is_empty()
                && s.chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
                && !matches!(s.as_str(), "true" | "false" | "null") =>
        {
            s.clone()
        }
        Value::String(s) => format!("{s:?}"),
        Value::Number(n) => n
            .as_f64()
            .filter(|_| n.is_f64())
            .map_or_else(|| n.to_string(), crate::report::number),
        Value::Array(items) => format!(
            "[{}]",
            items
                .iter()
                .map(readable_value)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Value::Object(m) => format!(
            "{{{}}}",
            m.iter()
                .map(|(k, v)| format!("{k}: {}", readable_value(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        other => other.to_string(),
    }
}

/// The v3 name of a codec written `name` in a chain: ours by codec id (from the
/// `ndcodecs-registry` list), anything else as written.
#[must_use]
pub fn map_name(name: &str) -> String {
    ndcodecs_registry::find(name).map_or_else(|| name.to_string(), |c| c.zarr_v3_name.to_string())
}

fn check_kinds(spec: &str, codecs: &mut Vec<CodecEntry>) -> Result<(), SpecError> {
    if codecs.is_empty() {
        return Err(SpecError::new(
            spec,
            0..spec.len(),
            "the chain has no codec",
        ));
    }
    let mut kinds: Vec<CodecKind> = Vec::with_capacity(codecs.len());
    for c in codecs.iter_mut() {
        // A `linear_quantize` whose bound is resolved later (`max_rel_error`, or none for a PSNR
        // target) is checked with a stand-in bound.
        let mut probe = c.clone();
        if c.name == "ndcodecs.linear_quantize" && !c.configuration.contains_key("max_abs_error") {
            probe.configuration.remove("max_rel_error");
            probe
                .configuration
                .insert("max_abs_error".into(), Value::from(1.0));
        } else if c.name == "ndcodecs.linear_quantize"
            && c.configuration.contains_key("max_rel_error")
        {
            return Err(SpecError::new(
                spec,
                c.span.clone(),
                "linear_quantize: give max_abs_error or max_rel_error, not both",
            ));
        }
        let is_probe = probe != *c;
        let metadata: MetadataV3 = serde_json::from_value(probe.to_json()).map_err(|e| {
            SpecError::new(spec, c.span.clone(), format!("codec `{}`: {e}", c.name))
        })?;
        let mut created = Codec::from_metadata(&metadata);
        if !c.name.contains('.') && !ZARR_CORE.contains(&c.name.as_str()) {
            // numcodecs' codecs in zarr v3 are `numcodecs.<id>` (`pcodec`, `bitround`): the name
            // zarr-python knows them by, even where zarrs also accepts the bare id.
            let prefixed = CodecEntry {
                name: format!("numcodecs.{}", c.name),
                ..c.clone()
            };
            let mut probe_prefixed = probe.clone();
            probe_prefixed.name.clone_from(&prefixed.name);
            if let Ok(md) = serde_json::from_value::<MetadataV3>(probe_prefixed.to_json())
                && let Ok(codec) = Codec::from_metadata(&md)
            {
                *c = prefixed;
                created = Ok(codec);
            }
        }
        if c.configuration.is_empty()
            && !is_probe
            && let Ok(codec) = &created
            && let Some(full) = codec.configuration_v3(&CodecMetadataOptions::default())
        {
            // zarrs writes a codec with an empty configuration as a bare name, which zarr-python
            // 3.1 refuses for numcodecs' codecs (`numcodecs.pcodec`): write zarrs' own full
            // configuration, its defaults spelled out.
            c.configuration = full.into();
        }
        let kind = match created {
            Ok(Codec::ArrayToArray(_)) => CodecKind::ArrayToArray,
            Ok(Codec::ArrayToBytes(_)) => CodecKind::ArrayToBytes,
            Ok(Codec::BytesToBytes(_)) => CodecKind::BytesToBytes,
            Err(e) => {
                return Err(SpecError::new(
                    spec,
                    c.span.clone(),
                    format!("codec `{}`: {e}", c.name),
                ));
            }
        };
        kinds.push(kind);
    }
    for (i, pair) in kinds.windows(2).enumerate() {
        if pair[1] < pair[0]
            || (pair[0] == CodecKind::ArrayToBytes && pair[1] == CodecKind::ArrayToBytes)
        {
            let c = &codecs[i + 1];
            let what = match pair[1] {
                CodecKind::ArrayToArray => "an array→array codec",
                CodecKind::ArrayToBytes => "an array→bytes codec",
                CodecKind::BytesToBytes => "a bytes→bytes codec",
            };
            let prev = &codecs[i].name;
            return Err(SpecError::new(
                spec,
                c.span.clone(),
                format!(
                    "`{}` is {what} and cannot follow `{prev}` (order: array→array codecs, one array→bytes codec, bytes→bytes codecs)",
                    c.name
                ),
            ));
        }
    }
    if !kinds.contains(&CodecKind::ArrayToBytes) {
        let at = kinds
            .iter()
            .take_while(|k| **k == CodecKind::ArrayToArray)
            .count();
        let mut configuration = Map::new();
        configuration.insert("endian".into(), Value::String("little".into()));
        codecs.insert(
            at,
            CodecEntry {
                name: "bytes".into(),
                written: String::new(),
                configuration,
                given: Vec::new(),
                span: 0..0,
            },
        );
    }
    Ok(())
}

/// Parameters whose value is itself a codec chain (sharding), which a readable chain may give as
/// a string in the readable form.
const NESTED_CHAINS: [&str; 2] = ["codecs", "index_codecs"];

/// Fills in the parameters zarrs requires but a readable chain may leave out.
fn add_defaults(name: &str, configuration: &mut Map<String, Value>) {
    let defaults: &[(&str, Value)] = match name {
        "zstd" => &[("level", Value::from(5)), ("checksum", Value::from(false))],
        "gzip" => &[("level", Value::from(5))],
        "bytes" => &[("endian", Value::from("little"))],
        // zarrs writes a codec with an empty configuration without the key, which zarr-python
        // 3.1 refuses for numcodecs' crc32: give it its default explicitly (zarrs' own
        // configuration of it omits the default).
        "crc32" | "numcodecs.crc32" => &[("location", Value::from("start"))],
        "sharding_indexed" => &[
            ("index_location", Value::from("end")),
            (
                "index_codecs",
                Value::Array(vec![
                    serde_json::json!({"name": "bytes", "configuration": {"endian": "little"}}),
                    serde_json::json!({"name": "crc32c"}),
                ]),
            ),
            (
                "codecs",
                Value::Array(vec![
                    serde_json::json!({"name": "bytes", "configuration": {"endian": "little"}}),
                ]),
            ),
        ],
        "blosc" => &[
            ("cname", Value::from("zstd")),
            ("clevel", Value::from(5)),
            ("shuffle", Value::from("noshuffle")),
            ("blocksize", Value::from(0)),
        ],
        _ => &[],
    };
    for (k, v) in defaults {
        configuration.entry(*k).or_insert_with(|| v.clone());
    }
}

fn parse_json(spec: &str) -> Result<Vec<CodecEntry>, SpecError> {
    let value: Value = serde_json::from_str(spec).map_err(|e| {
        let offset = line_col_to_offset(spec, e.line(), e.column());
        SpecError::new(spec, offset..offset + 1, format!("JSON: {e}"))
    })?;
    let list = match value {
        Value::Array(list) => list,
        obj @ Value::Object(_) => vec![obj],
        _ => unreachable!("starts with [ or {{"),
    };
    let mut search_from = 0;
    let mut out = Vec::with_capacity(list.len());
    for (i, item) in list.into_iter().enumerate() {
        let Value::Object(mut obj) = item else {
            return Err(SpecError::new(
                spec,
                0..spec.len(),
                format!("JSON: codec #{} is not an object", i + 1),
            ));
        };
        let Some(Value::String(name)) = obj.remove("name") else {
            return Err(SpecError::new(
                spec,
                0..spec.len(),
                format!("JSON: codec #{} has no string \"name\"", i + 1),
            ));
        };
        // Locate the name in the text so that later errors can point at it.
        let quoted = format!("\"{name}\"");
        let span = match spec[search_from..].find(&quoted) {
            Some(p) => {
                let start = search_from + p;
                search_from = start + quoted.len();
                start..start + quoted.len()
            }
            None => 0..spec.len(),
        };
        let configuration = match obj.remove("configuration") {
            None | Some(Value::Null) => Map::new(),
            Some(Value::Object(m)) => m,
            Some(_) => {
                return Err(SpecError::new(
                    spec,
                    span,
                    format!("JSON: the configuration of `{name}` is not an object"),
                ));
            }
        };
        if let Some(key) = obj.keys().next() {
            return Err(SpecError::new(
                spec,
                span,
                format!("JSON: codec `{name}` has an unknown field \"{key}\""),
            ));
        }
        out.push(CodecEntry {
            name: map_name(&name),
            given: configuration.keys().cloned().collect(),
            written: name,
            configuration,
            span,
        });
    }
    Ok(out)
}

fn line_col_to_offset(text: &str, line: usize, column: usize) -> usize {
    let mut offset = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            let col_bytes: usize = l
                .chars()
                .take(column.saturating_sub(1))
                .map(char::len_utf8)
                .sum();
            return (offset + col_bytes).min(text.len().saturating_sub(1));
        }
        offset += l.len();
    }
    text.len().saturating_sub(1)
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Number(serde_json::Number),
    Str(String),
    Punct(char),
    End,
}

impl Tok {
    fn describe(&self) -> String {
        match self {
            Self::Ident(s) => format!("`{s}`"),
            Self::Number(n) => format!("number {n}"),
            Self::Str(s) => format!("string {s:?}"),
            Self::Punct(c) => format!("`{c}`"),
            Self::End => "the end".to_string(),
        }
    }
}

/// Deepest nesting of `[lists]`, `{objects}` and chains in strings that a readable chain may
/// have: far more than any codec configuration needs, few enough that parsing a hostile
/// specification cannot exhaust the stack (the parser is recursive).
const MAX_DEPTH: usize = 64;

struct Parser<'a> {
    spec: &'a str,
    toks: Vec<(Tok, Range<usize>)>,
    pos: usize,
    /// Nesting depth of the value being parsed (lists, objects, nested chains).
    depth: usize,
}

impl<'a> Parser<'a> {
    fn new(spec: &'a str) -> Result<Self, SpecError> {
        let mut toks = Vec::new();
        let bytes = spec.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let c = spec[i..].chars().next().expect("in bounds");
            let start = i;
            if c.is_whitespace() {
                i += c.len_utf8();
            } else if c.is_ascii_alphabetic() || c == '_' {
                while i < bytes.len()
                    && (bytes[i].is_ascii_alphanumeric() || matches!(bytes[i], b'_' | b'.' | b'-'))
                {
                    i += 1;
                }
                toks.push((Tok::Ident(spec[start..i].to_string()), start..i));
            } else if c.is_ascii_digit() || c == '-' || c == '+' {
                i += 1;
                while i < bytes.len()
                    && (bytes[i].is_ascii_alphanumeric() || matches!(bytes[i], b'.' | b'+' | b'-'))
                {
                    i += 1;
                }
                let text = spec[start..i].trim_start_matches('+');
                let n: serde_json::Number = serde_json::from_str(text).map_err(|_| {
                    SpecError::new(
                        spec,
                        start..i,
                        format!("`{}` is not a number", &spec[start..i]),
                    )
                })?;
                toks.push((Tok::Number(n), start..i));
            } else if c == '"' || c == '\'' {
                i += 1;
                let mut s = String::new();
                loop {
                    let Some(ch) = spec[i..].chars().next() else {
                        return Err(SpecError::new(spec, start..i, "unterminated string"));
                    };
                    i += ch.len_utf8();
                    if ch == c {
                        break;
                    }
                    if ch == '\\' {
                        if let Some(esc) = spec[i..].chars().next() {
                            i += esc.len_utf8();
                            s.push(esc);
                        }
                        continue;
                    }
                    s.push(ch);
                }
                toks.push((Tok::Str(s), start..i));
            } else if "()[]{},=:|".contains(c) {
                i += 1;
                toks.push((Tok::Punct(c), start..i));
            } else {
                let end = i + c.len_utf8();
                return Err(SpecError::new(
                    spec,
                    start..end,
                    format!("unexpected character `{c}`"),
                ));
            }
        }
        toks.push((Tok::End, spec.len()..spec.len()));
        Ok(Self {
            spec,
            toks,
            pos: 0,
            depth: 0,
        })
    }

    fn peek(&self) -> &(Tok, Range<usize>) {
        &self.toks[self.pos]
    }

    fn next(&mut self) -> (Tok, Range<usize>) {
        let t = self.toks[self.pos].clone();
        if self.pos + 1 < self.toks.len() {
            self.pos += 1;
        }
        t
    }

    fn err(&self, span: Range<usize>, msg: impl Into<String>) -> SpecError {
        SpecError::new(self.spec, span, msg)
    }

    fn expect_punct(&mut self, c: char, context: &str) -> Result<(), SpecError> {
        let (t, span) = self.next();
        if t == Tok::Punct(c) {
            Ok(())
        } else {
            Err(self.err(
                span,
                format!("expected `{c}` {context}, found {}", t.describe()),
            ))
        }
    }

    fn chain(&mut self) -> Result<Vec<CodecEntry>, SpecError> {
        if self.peek().0 == Tok::End {
            return Err(self.err(0..self.spec.len(), "the chain has no codec"));
        }
        let mut out = vec![self.codec()?];
        loop {
            let (t, span) = self.next();
            match t {
                Tok::End => return Ok(out),
                Tok::Punct('|') => out.push(self.codec()?),
                other => {
                    return Err(self.err(
                        span,
                        format!("expected `|` between codecs, found {}", other.describe()),
                    ));
                }
            }
        }
    }

    fn codec(&mut self) -> Result<CodecEntry, SpecError> {
        let (t, span) = self.next();
        let Tok::Ident(name) = t else {
            return Err(self.err(
                span,
                format!("expected a codec name, found {}", t.describe()),
            ));
        };
        let mut configuration = Map::new();
        let mut given = Vec::new();
        if self.peek().0 == Tok::Punct('(') {
            self.next();
            loop {
                let (t, kspan) = self.next();
                match t {
                    Tok::Punct(')') => break,
                    Tok::Ident(key) => {
                        self.expect_punct('=', &format!("after parameter `{key}`"))?;
                        let value_start = self.peek().1.start;
                        let mut value = self.value()?;
                        if let (true, Value::String(inner)) =
                            (NESTED_CHAINS.contains(&key.as_str()), &value)
                        {
                            // A nested chain written as a string: `codecs="zstd(level=3)"`.
                            value = self.nested_chain(inner, value_start)?;
                        }
                        given.push(key.clone());
                        if configuration.insert(key.clone(), value).is_some() {
                            return Err(self.err(kspan, format!("parameter `{key}` given twice")));
                        }
                        let (t, sep) = self.next();
                        match t {
                            Tok::Punct(',') => {}
                            Tok::Punct(')') => break,
                            other => {
                                return Err(self.err(
                                    sep,
                                    format!(
                                        "expected `,` or `)` in the parameters of `{name}`, found {}",
                                        other.describe()
                                    ),
                                ));
                            }
                        }
                    }
                    other => {
                        return Err(self.err(
                            kspan,
                            format!(
                                "expected a parameter name (`key=value`) in `{name}(...)`, found {}",
                                other.describe()
                            ),
                        ));
                    }
                }
            }
        }
        let written = name;
        let name = map_name(&written);
        add_defaults(&name, &mut configuration);
        Ok(CodecEntry {
            name,
            written,
            configuration,
            given,
            span,
        })
    }

    /// Parses `inner`, the text of a string token starting at byte `at` of the specification, as a
    /// codec chain; errors point into the outer specification.
    fn nested_chain(&self, inner: &str, at: usize) -> Result<Value, SpecError> {
        let shift = |e: SpecError| {
            // +1 for the opening quote (escapes inside the string would shift this slightly).
            let offset = at + 1;
            SpecError::new(
                self.spec,
                e.span.start + offset..e.span.end + offset,
                e.message,
            )
        };
        if self.depth >= MAX_DEPTH {
            return Err(self.err(
                at..at + inner.len() + 2,
                format!("codec chains nested more than {MAX_DEPTH} deep"),
            ));
        }
        let depth = self.depth + 1;
        let mut codecs = Parser::new(inner)
            .and_then(|mut p| {
                p.depth = depth;
                p.chain()
            })
            .map_err(shift)?;
        for c in &mut codecs {
            c.span = c.span.start + at + 1..c.span.end + at + 1;
        }
        check_kinds(self.spec, &mut codecs)?;
        Ok(Value::Array(
            codecs.iter().map(CodecEntry::to_json).collect(),
        ))
    }

    fn value(&mut self) -> Result<Value, SpecError> {
        let (t, span) = self.next();
        if matches!(t, Tok::Punct('[' | '{')) {
            if self.depth >= MAX_DEPTH {
                return Err(self.err(
                    span,
                    format!("lists and objects nested more than {MAX_DEPTH} deep"),
                ));
            }
            self.depth += 1;
            let value = self.compound(t);
            self.depth -= 1;
            return value;
        }
        match t {
            Tok::Number(n) => Ok(Value::Number(n)),
            Tok::Str(s) => Ok(Value::String(s)),
            Tok::Ident(s) => Ok(match s.as_str() {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                "null" => Value::Null,
                _ => Value::String(s),
            }),
            other => Err(self.err(
                span,
                format!("expected a value, found {}", other.describe()),
            )),
        }
    }

    /// The rest of a list or an object whose opening bracket `open` has been read.
    fn compound(&mut self, open: Tok) -> Result<Value, SpecError> {
        match open {
            Tok::Punct('[') => {
                let mut items = Vec::new();
                if self.peek().0 == Tok::Punct(']') {
                    self.next();
                    return Ok(Value::Array(items));
                }
                loop {
                    items.push(self.value()?);
                    let (t, sep) = self.next();
                    match t {
                        Tok::Punct(',') => {}
                        Tok::Punct(']') => return Ok(Value::Array(items)),
                        other => {
                            return Err(self.err(
                                sep,
                                format!(
                                    "expected `,` or `]` in a list, found {}",
                                    other.describe()
                                ),
                            ));
                        }
                    }
                }
            }
            Tok::Punct('{') => {
                let mut map = Map::new();
                if self.peek().0 == Tok::Punct('}') {
                    self.next();
                    return Ok(Value::Object(map));
                }
                loop {
                    let (t, kspan) = self.next();
                    let key = match t {
                        Tok::Ident(k) | Tok::Str(k) => k,
                        other => {
                            return Err(self.err(
                                kspan,
                                format!("expected a key, found {}", other.describe()),
                            ));
                        }
                    };
                    let (t, sep) = self.next();
                    if !matches!(t, Tok::Punct(':' | '=')) {
                        return Err(self.err(
                            sep,
                            format!("expected `:` after key `{key}`, found {}", t.describe()),
                        ));
                    }
                    let v = self.value()?;
                    map.insert(key, v);
                    let (t, sep) = self.next();
                    match t {
                        Tok::Punct(',') => {}
                        Tok::Punct('}') => return Ok(Value::Object(map)),
                        other => {
                            return Err(self.err(
                                sep,
                                format!(
                                    "expected `,` or `}}` in an object, found {}",
                                    other.describe()
                                ),
                            ));
                        }
                    }
                }
            }
            _ => unreachable!("called after `[` or `{{`"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every codec of the registry list is known to the command line under its codec id, maps to
    /// its v3 name, is accepted where its kind belongs in a chain, and reports its error bound.
    #[test]
    fn every_listed_codec_has_a_readable_name() {
        assert!(!ndcodecs_registry::CODECS.is_empty());
        for entry in ndcodecs_registry::CODECS {
            let example: Map<String, Value> = serde_json::from_str(entry.example_config).unwrap();
            let params: Vec<String> = example.iter().map(|(k, v)| format!("{k}={v}")).collect();
            let readable = format!("{}({})", entry.codec_id, params.join(", "));
            assert_eq!(map_name(entry.codec_id), entry.zarr_v3_name);
            let spec = match entry.kind {
                CodecKind::ArrayToArray => format!("{readable} | bytes"),
                CodecKind::ArrayToBytes => readable.clone(),
                CodecKind::BytesToBytes => format!("bytes | {readable}"),
            };
            let chain = Chain::parse(&spec)
                .unwrap_or_else(|e| panic!("{}: `{spec}` does not parse: {e}", entry.codec_id));
            let ours: Vec<_> = chain
                .codecs
                .iter()
                .filter(|c| c.name == entry.zarr_v3_name)
                .collect();
            assert_eq!(ours.len(), 1, "{}: {:?}", entry.codec_id, chain.codecs);
            // A codec given without parameters is written with its full default configuration
            // (zarr-python needs one): the example's parameters must be kept as given.
            for (key, value) in &example {
                assert_eq!(
                    ours[0].configuration.get(key),
                    Some(value),
                    "{}: {key}",
                    entry.codec_id
                );
            }
            assert_eq!(
                chain.error_bound(),
                entry.max_abs_error(&Value::Object(example)).unwrap(),
                "{}",
                entry.codec_id
            );
        }
    }

    #[test]
    fn readable_chain_gets_bytes_inserted() {
        let c = Chain::parse("zstd(level=5)").unwrap();
        let names: Vec<_> = c.codecs.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["bytes", "zstd"]);
        assert_eq!(c.codecs[1].configuration["level"], 5);
    }

    #[test]
    fn json_chain() {
        let c = Chain::parse(r#"[{"name": "bytes", "configuration": {"endian": "little"}}, {"name": "zstd", "configuration": {"level": 3, "checksum": false}}]"#).unwrap();
        assert_eq!(c.codecs.len(), 2);
    }

    #[test]
    fn caret_under_unknown_codec() {
        let e = Chain::parse("bytes | zsdt(level=5)").unwrap_err();
        assert_eq!(e.span, 8..12);
        let text = e.to_string();
        assert!(
            text.ends_with("\n  bytes | zsdt(level=5)\n          ^^^^"),
            "{text}"
        );
    }

    #[test]
    fn caret_under_syntax_error() {
        let e = Chain::parse("zstd(level 5)").unwrap_err();
        assert_eq!(&e.spec[e.span.clone()], "5");
        let e = Chain::parse("zstd(level=5) zstd").unwrap_err();
        assert_eq!(&e.spec[e.span.clone()], "zstd");
        assert_eq!(e.span.start, 14);
    }

    #[test]
    fn wrong_order() {
        let e = Chain::parse("zstd | bytes").unwrap_err();
        assert_eq!(&e.spec[e.span.clone()], "bytes");
    }

    #[test]
    fn json_syntax_error_points_at_position() {
        let e = Chain::parse(r#"[{"name": "zstd",, }]"#).unwrap_err();
        assert_eq!(e.span.start, 17);
    }

    #[test]
    fn sharding_with_a_nested_readable_chain() {
        let c = Chain::parse(
            r#"sharding_indexed(chunk_shape=[8, 8], codecs="linear_quantize(max_abs_error=0.1) | zstd")"#,
        )
        .unwrap();
        assert_eq!(c.codecs.len(), 1);
        let inner = &c.codecs[0].configuration["codecs"];
        assert_eq!(inner[0]["name"], "ndcodecs.linear_quantize");
        assert_eq!(inner[1]["name"], "bytes");
        assert_eq!(inner[2]["name"], "zstd");
        assert_eq!(c.codecs[0].configuration["index_location"], "end");
        let e = Chain::parse(r#"sharding_indexed(chunk_shape=[8, 8], codecs="bytes | zsdt")"#)
            .unwrap_err();
        assert_eq!(&e.spec[e.span.clone()], "zsdt");
    }

    #[test]
    fn json_codec_errors_point_at_the_name() {
        let spec = r#"[{"name": "bytes"}, {"name": "zsdt", "configuration": {"level": 1}}]"#;
        let e = Chain::parse(spec).unwrap_err();
        assert_eq!(&spec[e.span.clone()], "\"zsdt\"");
        let spec = r#"[{"name": "bytes"}, {"name": "zstd", "configuration": {"levle": 1}}]"#;
        let e = Chain::parse(spec).unwrap_err();
        assert_eq!(&spec[e.span.clone()], "\"zstd\"");
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        for depth in [MAX_DEPTH + 1, 20_000] {
            let spec = format!("zstd(level={}{})", "[".repeat(depth), "]".repeat(depth));
            let e = Chain::parse(&spec).unwrap_err();
            assert!(e.message.contains("nested more than"), "{e}");
            assert_eq!(e.span.start, "zstd(level=".len() + MAX_DEPTH);
            // A long line is shown as a window around the fault.
            assert!(
                e.to_string().lines().all(|l| l.chars().count() < 200),
                "{e}"
            );
            let spec = format!("zstd(a={}", "{a:".repeat(depth));
            assert!(
                Chain::parse(&spec)
                    .unwrap_err()
                    .message
                    .contains("nested more than")
            );
        }
        // Nesting up to the limit parses (and then fails for what it is: not a zstd level).
        let spec = format!(
            "zstd(level={}1{})",
            "[".repeat(MAX_DEPTH),
            "]".repeat(MAX_DEPTH)
        );
        let e = Chain::parse(&spec).unwrap_err();
        assert!(!e.message.contains("nested more than"), "{e}");
    }

    #[test]
    fn every_codec_gets_a_configuration() {
        let c = Chain::parse("linear_quantize(max_abs_error=1) | pcodec").unwrap();
        assert_eq!(c.codecs[1].name, "numcodecs.pcodec");
        let cfg = &c.codecs[1].configuration;
        assert_eq!(cfg["level"], 8, "{cfg:?}");
        assert_eq!(cfg["mode_spec"], "auto", "{cfg:?}");
        let c = Chain::parse("spatial_delta | zstd | crc32 | crc32c").unwrap();
        assert_eq!(c.codecs[3].configuration["location"], "start");
        // zarr-python knows numcodecs' codecs only as `numcodecs.<id>`.
        let c = Chain::parse("bitround(keepbits=8) | zstd").unwrap();
        assert_eq!(c.codecs[0].name, "numcodecs.bitround");
        assert_eq!(c.codecs[2].name, "zstd");
    }

    #[test]
    fn fill_values_reach_linear_quantize_everywhere() {
        let mut c = Chain::parse(
            r#"linear_quantize(max_abs_error=1) | sharding_indexed(chunk_shape=[4], codecs="zstd")"#,
        )
        .unwrap();
        c.set_fill_value(-999.0).unwrap();
        assert_eq!(c.codecs[0].configuration["fill_value"], -999.0);
        let mut c = Chain::parse(
            r#"sharding_indexed(chunk_shape=[4], codecs="linear_quantize(max_abs_error=1) | zstd")"#,
        )
        .unwrap();
        c.set_fill_value(9.96921e36).unwrap();
        let inner = &c.codecs[0].configuration["codecs"][0];
        assert_eq!(inner["configuration"]["fill_value"], 9.96921e36);
        let mut c = Chain::parse("linear_quantize(max_abs_error=1, fill_value=5) | zstd").unwrap();
        assert!(c.set_fill_value(5.0).is_ok());
        assert!(c.set_fill_value(6.0).unwrap_err().contains("fill_value=5"));
        assert!(c.set_fill_value(f64::NAN).is_ok());
    }

    #[test]
    fn values() {
        let mut p = Parser::new(r#"x(a=[0, -1], b='s', c=true, d={k: 1.5e3}, e=little)"#).unwrap();
        let c = p.chain().unwrap();
        let cfg = &c[0].configuration;
        assert_eq!(cfg["a"], serde_json::json!([0, -1]));
        assert_eq!(cfg["b"], "s");
        assert_eq!(cfg["c"], true);
        assert_eq!(cfg["d"]["k"], 1500.0);
        assert_eq!(cfg["e"], "little");
    }
}
