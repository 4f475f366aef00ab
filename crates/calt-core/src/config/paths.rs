//! Where a relative path inside a config points.

use std::path::{Path, PathBuf};

/// Resolves `relative` as written in a config file located in `config_dir`.
///
/// CALT resolves against the working directory only; we look beside the config file first
/// (so a config folder can be moved as a whole), then fall back to the working directory so
/// CALT's layouts (`./configs/lexer.yaml` run from the example folder) keep working. `exists`
/// is injected so this stays free of file-system calls (and testable).
pub fn resolve_relative(
    relative: &Path,
    config_dir: &Path,
    exists: impl Fn(&Path) -> bool,
) -> PathBuf {
    if relative.is_absolute() {
        return relative.to_path_buf();
    }
    let beside_config = config_dir.join(relative);
    if exists(&beside_config) || !exists(relative) {
        beside_config
    } else {
        relative.to_path_buf()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefers_the_config_folder_then_the_working_directory() {
        let dir = Path::new("exp/configs");
        let only_cwd = |p: &Path| p == Path::new("data/train_raw.txt");
        assert_eq!(
            resolve_relative(Path::new("data/train_raw.txt"), dir, only_cwd),
            PathBuf::from("data/train_raw.txt")
        );
        let both = |_: &Path| true;
        assert_eq!(
            resolve_relative(Path::new("data/train_raw.txt"), dir, both),
            PathBuf::from("exp/configs/data/train_raw.txt")
        );
        // Neither exists: report the path beside the config (the one we recommend).
        assert_eq!(
            resolve_relative(Path::new("x.txt"), dir, |_: &Path| false),
            PathBuf::from("exp/configs/x.txt")
        );
    }
}
