//! Writes one split's `{split}_raw.txt` and `{split}_data.jsonl` so that they appear complete
//! or not at all: lines go to hidden temporary files in the same folder, which are renamed
//! into place only when the split is finished (and removed if generation fails).

use super::early_sync::EarlySyncFile;
use anyhow::Context;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// One output file being written under a temporary name.
pub(crate) struct PendingFile {
    tmp: PathBuf,
    target: PathBuf,
    out: BufWriter<EarlySyncFile>,
}

impl PendingFile {
    pub(crate) fn create(dir: &Path, name: &str) -> anyhow::Result<Self> {
        let target = dir.join(name);
        let tmp = dir.join(format!(".{name}.partial-{}", std::process::id()));
        let file =
            File::create(&tmp).with_context(|| format!("cannot create {}", tmp.display()))?;
        Ok(PendingFile {
            tmp,
            target,
            // Small enough that bytes reach the kernel (and the early syncs) as they come.
            out: BufWriter::with_capacity(64 * 1024, EarlySyncFile::new(file)),
        })
    }

    pub(crate) fn write_line(&mut self, line: &str) -> anyhow::Result<()> {
        self.out
            .write_all(line.as_bytes())
            .and_then(|()| self.out.write_all(b"\n"))
            .with_context(|| format!("cannot write {}", self.tmp.display()))
    }

    /// Flushes the buffer and waits until the file is on disk.
    pub(crate) fn sync(&mut self) -> anyhow::Result<()> {
        self.out
            .flush()
            .and_then(|()| self.out.get_mut().sync_all())
            .with_context(|| format!("cannot write {}", self.tmp.display()))
    }

    /// Moves the (synced) file to its final name.
    pub(crate) fn into_place(self) -> anyhow::Result<PathBuf> {
        let PendingFile { tmp, target, out } = self;
        drop(out);
        std::fs::rename(&tmp, &target)
            .with_context(|| format!("cannot move {} to {}", tmp.display(), target.display()))?;
        Ok(target)
    }

    /// Removes the temporary file.
    pub(crate) fn discard(self) {
        drop(self.out);
        let _ = std::fs::remove_file(&self.tmp);
    }
}

/// The text and JSON files of one split.
pub struct SplitWriter {
    text: Option<PendingFile>,
    json: Option<PendingFile>,
}

impl SplitWriter {
    pub fn create(
        dir: &Path,
        split: &str,
        save_text: bool,
        save_json: bool,
    ) -> anyhow::Result<Self> {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let text = save_text
            .then(|| PendingFile::create(dir, &format!("{split}_raw.txt")))
            .transpose()?;
        let json = save_json
            .then(|| PendingFile::create(dir, &format!("{split}_data.jsonl")))
            .transpose()?;
        Ok(SplitWriter { text, json })
    }

    pub fn write_text(&mut self, line: &str) -> anyhow::Result<()> {
        match &mut self.text {
            Some(f) => f.write_line(line),
            None => Ok(()),
        }
    }

    pub fn write_json(&mut self, line: &str) -> anyhow::Result<()> {
        match &mut self.json {
            Some(f) => f.write_line(line),
            None => Ok(()),
        }
    }

    /// Syncs every file to disk, side by side (each `fsync` mostly waits for the disk), then
    /// renames them into place; returns the final paths. If one cannot be synced, none is
    /// renamed and the temporary files are removed.
    pub fn finish(mut self) -> anyhow::Result<Vec<PathBuf>> {
        let mut files: Vec<PendingFile> = [self.text.take(), self.json.take()]
            .into_iter()
            .flatten()
            .collect();
        let synced = std::thread::scope(|scope| {
            let syncing: Vec<_> = files
                .iter_mut()
                .map(|f| scope.spawn(move || f.sync()))
                .collect();
            syncing
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                })
                .collect::<anyhow::Result<Vec<()>>>()
        });
        if let Err(e) = synced {
            files.into_iter().for_each(PendingFile::discard);
            return Err(e);
        }
        files.into_iter().map(PendingFile::into_place).collect()
    }
}

impl Drop for SplitWriter {
    /// A split that was not finished leaves no file behind.
    fn drop(&mut self) {
        for f in [self.text.take(), self.json.take()].into_iter().flatten() {
            f.discard();
        }
    }
}

/// Writes `bytes` to `path` through a temporary file in the same folder.
pub fn write_file_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    calt_core::native::write_atomically(path, bytes)
        .with_context(|| format!("cannot write {}", path.display()))
}
