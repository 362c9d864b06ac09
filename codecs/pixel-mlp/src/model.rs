//! The shipped models: weight files inside the crate, named by the model id every chunk stores.
//!
//! A released model is never changed or regenerated: a chunk names its model, and that model
//! must decode it forever. New weights get a new id.

use std::sync::OnceLock;

use ndcodecs_core::CodecError;
use ndcodecs_learned::{Mlp, model::ModelFile};

use crate::CODEC_ID;
use crate::coding::Adaptation;
use crate::context::{COND_FEATURES, OWN_FEATURES};

/// The model new chunks are coded with.
pub const LATEST_MODEL: u32 = 3;

/// Number of networks of a model: first plane (no conditioning), second channel (one), third
/// and fourth channel (two), next slice of a volume (one).
pub const NETS: usize = 4;

/// The weight files, by model id (`training/README.md` reproduces them), with each model's online
/// adaptation (`specs/pixel_mlp/README.md`, "Adaptation").
const FILES: &[(u32, Adaptation, &[u8])] = &[
    (
        1,
        Adaptation::Octave,
        include_bytes!("../model/pixel_mlp_m1.bin"),
    ),
    (
        2,
        Adaptation::OctavePattern,
        include_bytes!("../model/pixel_mlp_m2.bin"),
    ),
    (
        3,
        Adaptation::OctavePatternLms,
        include_bytes!("../model/pixel_mlp_m3.bin"),
    ),
];

/// A loaded model.
#[derive(Debug)]
pub struct Model {
    /// its id
    pub id: u32,
    /// the networks, indexed as [`NETS`] describes
    pub nets: Vec<Mlp>,
    /// the online correction of mean and scale
    pub adaptation: Adaptation,
}

impl Model {
    /// Number of parameters of all networks.
    #[must_use]
    pub fn parameters(&self) -> usize {
        self.nets.iter().map(Mlp::parameters).sum()
    }
}

fn load(id: u32, adaptation: Adaptation, bytes: &[u8]) -> Result<Model, CodecError> {
    let file = ModelFile::parse(CODEC_ID, bytes)?;
    let bad = |m: String| CodecError::Corrupt {
        codec: CODEC_ID,
        message: format!("shipped model {id}: {m}"),
    };
    if file.id != id {
        return Err(bad(format!("file names model {}", file.id)));
    }
    if file.nets.len() != NETS {
        return Err(bad(format!("{} networks", file.nets.len())));
    }
    for (k, net) in file.nets.iter().enumerate() {
        let want = OWN_FEATURES + COND_FEATURES * [0, 1, 2, 1][k];
        if net.n_in() != want || net.n_out() != 2 {
            return Err(bad(format!(
                "network {k} has {} inputs and {} outputs",
                net.n_in(),
                net.n_out()
            )));
        }
    }
    Ok(Model {
        id,
        nets: file.nets,
        adaptation,
    })
}

/// The model with id `id`.
///
/// # Errors
///
/// [`CodecError::Corrupt`] if no shipped model has this id (a damaged header, or a chunk from a
/// newer ndcodecs: the message says so).
pub fn model(id: u32) -> Result<&'static Model, CodecError> {
    static MODELS: OnceLock<Vec<Result<Model, CodecError>>> = OnceLock::new();
    let models = MODELS.get_or_init(|| {
        FILES
            .iter()
            .map(|&(id, adaptation, b)| load(id, adaptation, b))
            .collect()
    });
    match FILES.iter().position(|&(i, ..)| i == id) {
        Some(k) => models[k].as_ref().map_err(Clone::clone),
        None => Err(CodecError::Corrupt {
            codec: CODEC_ID,
            message: format!(
                "unknown model id {id} (this ndcodecs ships models up to {LATEST_MODEL}; a newer ndcodecs may know it)"
            ),
        }),
    }
}
