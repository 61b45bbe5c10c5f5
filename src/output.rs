//! Writing the output folder so that its files are always whole: complete or absent.
//!
//! A run's files are first written into a hidden staging folder inside the output folder
//! (`.relsim-tmp-PID-N`, on the same file system), and only when every one of them is written
//! are they moved into place, each by a rename (atomic on one file system). A run that fails or
//! is interrupted before that removes the staging folder, and the output folder if the run
//! created it, so it leaves nothing behind: no half-written report, no plot from one run beside
//! a summary from another. Single files (a shard's `partial.json`, a JUnit report) go through
//! a temporary name beside them the same way ([`write_atomic`]).
//!
//! [`check_writable`] tries all of this up front, so a run whose output folder cannot be used
//! fails at once rather than after hours of simulation.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::{bail, Context};

/// The prefix of staging folders and temporary files.
pub const TEMP_PREFIX: &str = ".relsim-tmp-";

/// A unique suffix per process and call, so concurrent writers never share a temporary name.
fn unique() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    format!("{}-{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed))
}

/// Creates `dir` (and its parents) if needed; says whether it had to, and explains a path that
/// cannot be a folder.
fn ensure_dir(dir: &Path) -> anyhow::Result<bool> {
    match std::fs::metadata(dir) {
        Ok(m) if m.is_dir() => Ok(false),
        Ok(_) => bail!("the output folder {} is a file, not a folder", dir.display()),
        Err(_) => {
            std::fs::create_dir_all(dir).with_context(|| format!("cannot create the output folder {}", dir.display()))?;
            Ok(true)
        }
    }
}

/// A staging folder inside an output folder; see the module documentation.
pub struct Staging {
    dir: PathBuf,
    tmp: PathBuf,
    /// Whether `dir` did not exist before (it is removed again, if empty, when nothing is
    /// committed).
    created: bool,
    committed: bool,
}

impl Staging {
    /// Creates the output folder `dir` if needed and a fresh staging folder in it.
    pub fn new(dir: &Path) -> anyhow::Result<Staging> {
        let created = ensure_dir(dir)?;
        let tmp = dir.join(format!("{TEMP_PREFIX}{}", unique()));
        let staging = Staging { dir: dir.to_path_buf(), tmp, created, committed: false };
        std::fs::create_dir(&staging.tmp).with_context(|| format!("cannot write in the output folder {}", dir.display()))?;
        Ok(staging)
    }

    /// Where to write the files, under their final names.
    pub fn path(&self) -> &Path {
        &self.tmp
    }

    /// Moves `files` (paths inside [`Staging::path`]) into the output folder, replacing files of
    /// the same names, and returns their final paths. Refuses, leaving the output folder as it
    /// was, when a signal asked the run to stop.
    pub fn commit(mut self, files: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
        crate::interrupt::check()?;
        let mut out = Vec::with_capacity(files.len());
        for f in files {
            let name = f.file_name().with_context(|| format!("{} has no file name", f.display()))?;
            let to = self.dir.join(name);
            std::fs::rename(f, &to).with_context(|| format!("cannot move {} to {}", f.display(), to.display()))?;
            out.push(to);
        }
        self.committed = true;
        // Anything not committed goes with the staging folder.
        let _ = std::fs::remove_dir_all(&self.tmp);
        Ok(out)
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.tmp);
        if self.created && !self.committed {
            // Only removes an empty folder: what someone else put there stays.
            let _ = std::fs::remove_dir(&self.dir);
        }
    }
}

/// Checks that `dir` can be used as an output folder: it is a folder (created if missing) and
/// files can be written in it. Leaves no trace (a folder it created is removed again).
pub fn check_writable(dir: &Path) -> anyhow::Result<()> {
    let staging = Staging::new(dir)?;
    let probe = staging.path().join("probe");
    std::fs::write(&probe, b"relsim").with_context(|| format!("cannot write in the output folder {}", dir.display()))?;
    Ok(())
}

/// Checks that the file `path` could be written: its folder exists (or can be made) and takes
/// files, and `path` is not a folder. Leaves no trace.
pub fn check_file_writable(path: &Path) -> anyhow::Result<()> {
    if path.is_dir() {
        bail!("{} is a folder; give a file name", path.display());
    }
    let parent = parent_of(path);
    check_writable(parent)
}

fn parent_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Writes `bytes` to `path` through a temporary file beside it, renamed into place: `path`
/// holds either its old content or all of the new, never part of it.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let parent = parent_of(path);
    let name = path.file_name().with_context(|| format!("{} has no file name", path.display()))?;
    let tmp = parent.join(format!("{TEMP_PREFIX}{}-{}", unique(), name.to_string_lossy()));
    let written = std::fs::write(&tmp, bytes)
        .with_context(|| format!("cannot write {}", path.display()))
        .and_then(|()| std::fs::rename(&tmp, path).with_context(|| format!("cannot move {} to {}", tmp.display(), path.display())));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        v.sort();
        v
    }

    #[test]
    fn files_appear_only_when_committed() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("out");
        let staging = Staging::new(&dir).unwrap();
        let a = staging.path().join("a.json");
        std::fs::write(&a, "{}").unwrap();
        assert_eq!(names(&dir).len(), 1, "only the staging folder");
        let done = staging.commit(&[a]).unwrap();
        assert_eq!(done, vec![dir.join("a.json")]);
        assert_eq!(names(&dir), vec!["a.json"]);
    }

    #[test]
    fn an_abandoned_staging_leaves_nothing() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("new");
        {
            let staging = Staging::new(&dir).unwrap();
            std::fs::write(staging.path().join("half.csv"), "x").unwrap();
        }
        assert!(!dir.exists(), "a folder the run created is removed again");
        let existing = root.path().join("old");
        std::fs::create_dir(&existing).unwrap();
        std::fs::write(existing.join("keep.txt"), "mine").unwrap();
        drop(Staging::new(&existing).unwrap());
        assert_eq!(names(&existing), vec!["keep.txt"]);
    }

    #[test]
    fn unusable_folders_are_found_before_any_work() {
        let root = tempfile::tempdir().unwrap();
        let file = root.path().join("f");
        std::fs::write(&file, "x").unwrap();
        let e = check_writable(&file).unwrap_err().to_string();
        assert!(e.contains("is a file"), "{e}");
        assert!(check_writable(&file.join("sub")).is_err());
        let fresh = root.path().join("fresh");
        check_writable(&fresh).unwrap();
        assert!(!fresh.exists());
        assert!(check_file_writable(root.path()).is_err());
        check_file_writable(&root.path().join("j.xml")).unwrap();
        assert_eq!(names(root.path()), vec!["f"]);
    }

    #[test]
    fn atomic_writes_replace_whole_files() {
        let root = tempfile::tempdir().unwrap();
        let p = root.path().join("partial.json");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "two");
        assert_eq!(names(root.path()), vec!["partial.json"]);
        assert!(write_atomic(&root.path().join("missing").join("x"), b"y").is_err());
    }
}
