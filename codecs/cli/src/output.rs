//! What `compress` and `decompress` may replace, and writing outputs so that a failure leaves
//! what was there before.
//!
//! The rule: a path that exists is replaced only with `--overwrite`, and only when it holds what
//! the command itself writes — a zarr store (for `compress`) whose every file is zarr metadata or a
//! chunk key of an array in it, or a `.npy` file (for `decompress`). Anything else (a directory
//! holding other files, a regular file, a symbolic link) is refused even with `--overwrite`. An
//! empty directory is used as it is. The new output is first written beside the old one under a
//! temporary name and takes its place only once complete.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

/// The magic string every `.npy` file starts with.
const NPY_MAGIC: &[u8] = b"\x93NUMPY";

/// What was found at an output path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Existing {
    /// Nothing.
    Absent,
    /// An empty directory.
    EmptyDir,
    /// Something this command may replace (with `--overwrite`).
    Replaceable,
    /// Something else, with what it is.
    Foreign(String),
}

/// Classifies `path` as the output of `compress`: a zarr store is [`Existing::Replaceable`].
///
/// # Errors
/// When `path` or a directory inside it cannot be read.
pub fn classify_store(path: &Path) -> Result<Existing> {
    let Ok(meta) = fs::symlink_metadata(path) else {
        return Ok(Existing::Absent);
    };
    if meta.file_type().is_symlink() {
        return Ok(Existing::Foreign("a symbolic link".into()));
    }
    if !meta.is_dir() {
        return Ok(Existing::Foreign("a file, not a zarr store".into()));
    }
    if fs::read_dir(path)
        .with_context(|| format!("cannot read {}", path.display()))?
        .next()
        .is_none()
    {
        return Ok(Existing::EmptyDir);
    }
    Ok(match check_node(path, Path::new("")) {
        Ok(()) => Existing::Replaceable,
        Err(why) => Existing::Foreign(format!("not a zarr store: {why}")),
    })
}

/// Classifies `path` as the output of `decompress`: a `.npy` file is [`Existing::Replaceable`].
///
/// # Errors
/// When `path` exists but cannot be read.
pub fn classify_npy(path: &Path) -> Result<Existing> {
    let Ok(meta) = fs::symlink_metadata(path) else {
        return Ok(Existing::Absent);
    };
    if meta.file_type().is_symlink() {
        return Ok(Existing::Foreign("a symbolic link".into()));
    }
    if meta.is_dir() {
        return Ok(Existing::Foreign("a directory".into()));
    }
    let mut head = [0u8; NPY_MAGIC.len()];
    let n = fs::File::open(path)
        .and_then(|mut f| read_up_to(&mut f, &mut head))
        .with_context(|| format!("cannot read {}", path.display()))?;
    Ok(if head[..n] == *NPY_MAGIC {
        Existing::Replaceable
    } else {
        Existing::Foreign("a file that is not a .npy file".into())
    })
}

fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// Refuses an existing output unless `overwrite` is set and it is replaceable.
///
/// # Errors
/// When the output exists and may not be replaced, with the reason.
pub fn check(path: &Path, existing: &Existing, overwrite: bool) -> Result<()> {
    match existing {
        Existing::Absent | Existing::EmptyDir => Ok(()),
        Existing::Replaceable if overwrite => Ok(()),
        Existing::Replaceable => bail!("{} exists (use --overwrite to replace it)", path.display()),
        Existing::Foreign(what) => bail!(
            "{} exists and is {what}; refusing to replace it{}",
            path.display(),
            if overwrite {
                " even with --overwrite"
            } else {
                ""
            }
        ),
    }
}

/// A temporary path beside `path` for writing a new output (same directory, so that renaming it
/// into place is atomic).
#[must_use]
pub fn temporary_beside(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
    path.with_file_name(format!(".{name}.partial-{}", std::process::id()))
}

/// Moves the complete new output `tmp` to `path`, replacing what `existing` says is there (which
/// [`check`] has accepted).
///
/// # Errors
/// When the old output cannot be removed or the new one cannot be renamed.
pub fn commit(tmp: &Path, path: &Path, existing: &Existing) -> Result<()> {
    match existing {
        Existing::Absent => {}
        Existing::EmptyDir => fs::remove_dir(path)
            .with_context(|| format!("cannot replace the empty directory {}", path.display()))?,
        Existing::Replaceable => {
            let meta = fs::symlink_metadata(path)?;
            if meta.is_dir() {
                fs::remove_dir_all(path)
            } else {
                fs::remove_file(path)
            }
            .with_context(|| format!("cannot remove {}", path.display()))?;
        }
        Existing::Foreign(_) => unreachable!("refused by check"),
    }
    fs::rename(tmp, path)
        .with_context(|| format!("cannot move {} to {}", tmp.display(), path.display()))
}

/// Checks that the directory `dir` (at `rel` inside the store) is a zarr node whose every entry
/// belongs to the store.
fn check_node(dir: &Path, rel: &Path) -> Result<(), String> {
    let v3 = dir.join("zarr.json");
    let (node_type, v2) = if v3.is_file() {
        let text = fs::read_to_string(&v3)
            .map_err(|e| format!("{}: {e}", rel.join("zarr.json").display()))?;
        let json: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| format!("{} is not JSON: {e}", rel.join("zarr.json").display()))?;
        if json.get("zarr_format").and_then(serde_json::Value::as_u64) != Some(3) {
            return Err(format!(
                "{} is not zarr v3 metadata",
                rel.join("zarr.json").display()
            ));
        }
        match json.get("node_type").and_then(serde_json::Value::as_str) {
            Some("array") => ("array", false),
            Some("group") => ("group", false),
            _ => {
                return Err(format!(
                    "{} has no node_type",
                    rel.join("zarr.json").display()
                ));
            }
        }
    } else if dir.join(".zarray").is_file() {
        ("array", true)
    } else if dir.join(".zgroup").is_file() {
        ("group", true)
    } else {
        return Err(format!(
            "{} holds no zarr metadata (zarr.json, .zarray or .zgroup)",
            if rel.as_os_str().is_empty() {
                Path::new(".")
            } else {
                rel
            }
            .display()
        ));
    };
    let metadata_files: &[&str] = if v2 {
        &[".zarray", ".zgroup", ".zattrs", ".zmetadata"]
    } else {
        &["zarr.json"]
    };
    for entry in fs::read_dir(dir).map_err(|e| format!("{}: {e}", rel.display()))? {
        let entry = entry.map_err(|e| format!("{}: {e}", rel.display()))?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let path = rel.join(&*name);
        let kind = entry
            .file_type()
            .map_err(|e| format!("{}: {e}", path.display()))?;
        if kind.is_symlink() {
            return Err(format!("{} is a symbolic link", path.display()));
        }
        if kind.is_file() && metadata_files.contains(&&*name) {
            continue;
        }
        match node_type {
            "array" => check_chunk_key(&entry.path(), &path, kind.is_dir())?,
            _ if kind.is_dir() => check_node(&entry.path(), &path)?,
            _ => return Err(format!("{} is not part of a zarr group", path.display())),
        }
    }
    Ok(())
}

/// Whether `name` is one part of a chunk key: `c`, an index, or indices joined by `.` (with or
/// without a leading `c.`), as zarr's `default` and `v2` chunk key encodings write them.
fn is_chunk_key_part(name: &str) -> bool {
    let rest = name.strip_prefix("c.").unwrap_or(name);
    name == "c"
        || (!rest.is_empty()
            && rest
                .split('.')
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit())))
}

/// Checks that `path` (at `rel` in the store) inside an array node is a chunk or a directory of
/// chunks.
fn check_chunk_key(path: &Path, rel: &Path, is_dir: bool) -> Result<(), String> {
    let name = rel
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if !is_chunk_key_part(&name) {
        return Err(format!("{} is not a chunk of the array", rel.display()));
    }
    if is_dir {
        for entry in fs::read_dir(path).map_err(|e| format!("{}: {e}", rel.display()))? {
            let entry = entry.map_err(|e| format!("{}: {e}", rel.display()))?;
            let kind = entry
                .file_type()
                .map_err(|e| format!("{}: {e}", rel.display()))?;
            let sub = rel.join(entry.file_name());
            if kind.is_symlink() {
                return Err(format!("{} is a symbolic link", sub.display()));
            }
            check_chunk_key(&entry.path(), &sub, kind.is_dir())?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunk_key_parts() {
        for ok in ["c", "0", "12", "c.0.3", "0.0", "3.4.5"] {
            assert!(is_chunk_key_part(ok), "{ok}");
        }
        for bad in [
            "",
            "c.",
            "notes.txt",
            "0.",
            ".0",
            "c0",
            "zarr.json.bak",
            "a",
        ] {
            assert!(!is_chunk_key_part(bad), "{bad}");
        }
    }

    #[test]
    fn stores_and_other_things() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        assert_eq!(classify_store(&d.join("none")).unwrap(), Existing::Absent);
        fs::create_dir(d.join("empty")).unwrap();
        assert_eq!(
            classify_store(&d.join("empty")).unwrap(),
            Existing::EmptyDir
        );
        // A group holding an array with chunks.
        let g = d.join("g.zarr");
        fs::create_dir_all(g.join("t/c/0")).unwrap();
        fs::write(
            g.join("zarr.json"),
            r#"{"zarr_format": 3, "node_type": "group"}"#,
        )
        .unwrap();
        fs::write(
            g.join("t/zarr.json"),
            r#"{"zarr_format": 3, "node_type": "array"}"#,
        )
        .unwrap();
        fs::write(g.join("t/c/0/1"), b"chunk").unwrap();
        assert_eq!(classify_store(&g).unwrap(), Existing::Replaceable);
        // A stray file anywhere makes it foreign.
        fs::write(g.join("t/c/notes.txt"), b"mine").unwrap();
        assert!(matches!(classify_store(&g).unwrap(), Existing::Foreign(_)));
        fs::remove_file(g.join("t/c/notes.txt")).unwrap();
        fs::write(g.join("README"), b"mine").unwrap();
        assert!(matches!(classify_store(&g).unwrap(), Existing::Foreign(_)));
        // A file is not a store; a .npy file is a decompress output.
        let f = d.join("x.npy");
        fs::write(&f, b"\x93NUMPY\x01\x00").unwrap();
        assert!(matches!(classify_store(&f).unwrap(), Existing::Foreign(_)));
        assert_eq!(classify_npy(&f).unwrap(), Existing::Replaceable);
        fs::write(&f, b"text").unwrap();
        assert!(matches!(classify_npy(&f).unwrap(), Existing::Foreign(_)));
        assert!(matches!(classify_npy(d).unwrap(), Existing::Foreign(_)));
    }
}
