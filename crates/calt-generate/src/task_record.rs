//! The task a dataset was generated from, kept with what was made of it: `calt generate`
//! writes it beside the split files (`task.yaml`), `calt train` copies it into the model
//! bundle, and the playground draws fresh problems of the same task from it.

use calt_algebra::TaskSpec;
use calt_core::config::{ConfigError, TaskSection, parse_yaml};
use serde::{Deserialize, Serialize};

use crate::in_memory::{SplitText, generate_split};
use crate::task_spec::task_from_section;
use crate::{Dedupe, NoProgress};

/// The record's file name in a dataset folder.
pub const TASK_RECORD_FILE: &str = "task.yaml";

/// The most fresh problems one request may ask for: a test set, not a training set.
pub const MAX_FRESH_PROBLEMS: u64 = 100_000;

/// A built-in task with every parameter written out, and the data.yaml options that decide
/// which samples a seed gives.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskRecord {
    /// The `task:` block, defaults included (a later calt with other defaults draws the same
    /// samples from it).
    pub task: TaskSection,
    /// `dataset.root_seed` of the generating run.
    pub root_seed: i64,
    /// `dataset.drop_duplicates` of the generating run.
    #[serde(default)]
    pub drop_duplicates: bool,
}

impl TaskRecord {
    pub fn new(spec: &TaskSpec, root_seed: i64, drop_duplicates: bool) -> Self {
        TaskRecord {
            task: section_of(spec),
            root_seed,
            drop_duplicates,
        }
    }

    /// The record as `task.yaml` holds it.
    pub fn to_yaml(&self) -> String {
        let body = serde_saphyr::to_string(self)
            .expect("a task record is plain maps, strings, numbers and booleans");
        format!(
            "# The built-in task this folder's splits were generated from (`calt generate`).\n\
             # `calt train` keeps it in the model bundle, so that the playground can draw\n\
             # fresh problems of the same task.\n{body}"
        )
    }

    /// Reads a record and builds its task; errors name `source`, the key and, for a bad
    /// parameter, its line.
    pub fn parse(text: &str, source: &str) -> Result<(TaskRecord, TaskSpec), ConfigError> {
        let record: TaskRecord = parse_yaml(text, source)?;
        let spec = task_from_section(&record.task, source, Some(text))?;
        Ok((record, spec))
    }
}

/// `spec` as a `task:` block with every parameter.
pub fn section_of(spec: &TaskSpec) -> TaskSection {
    let value = serde_json::to_value(spec).expect("task parameters serialise to JSON");
    serde_json::from_value(value).expect("a serialised task is a map with a name")
}

/// `count` problems of `task` drawn from `seed`: the test split `calt generate` writes for a
/// data.yaml with this task, `root_seed: seed` and `num_test_samples: count` (test-in-train
/// de-duplication aside, which needs the train split).
pub fn fresh_problems(
    task: &TaskSpec,
    seed: i64,
    count: u64,
    drop_duplicates: bool,
) -> anyhow::Result<SplitText> {
    anyhow::ensure!(
        (1..=MAX_FRESH_PROBLEMS).contains(&count),
        "the number of problems must be between 1 and {MAX_FRESH_PROBLEMS}, got {count}"
    );
    let mut dedupe = Dedupe::new(drop_duplicates, false);
    generate_split(task, seed, "test", count, &mut dedupe, &NoProgress)
}

/// Writing and reading the record in a dataset folder.
#[cfg(not(target_arch = "wasm32"))]
pub mod folder {
    use std::path::Path;

    use super::{TASK_RECORD_FILE, TaskRecord};
    use calt_algebra::TaskSpec;
    use calt_core::native::LoadError;

    /// Puts `record` into `dir` (atomically), or, for a run without a built-in task, removes
    /// a record an earlier run left there: a stale record would name the wrong task.
    pub fn save(dir: &Path, record: Option<&TaskRecord>) -> anyhow::Result<()> {
        let path = dir.join(TASK_RECORD_FILE);
        match record {
            Some(record) => {
                crate::writer::write_file_atomically(&path, record.to_yaml().as_bytes())
            }
            None => match std::fs::remove_file(&path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    Err(anyhow::Error::new(e).context(format!("removing {}", path.display())))
                }
                _ => Ok(()),
            },
        }
    }

    /// The record in `dir`, if there is one.
    pub fn load(dir: &Path) -> Result<Option<(TaskRecord, TaskSpec)>, LoadError> {
        let path = dir.join(TASK_RECORD_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(LoadError::Io { path, source }),
        };
        Ok(Some(TaskRecord::parse(&text, &path.display().to_string())?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_task_reads_back_from_its_record() {
        let mut specs: Vec<TaskSpec> = TaskSpec::NAMES
            .iter()
            .map(|name| TaskSpec::default_for(name).unwrap())
            .collect();
        let block = "name: polynomial_reduction\nfield: GF(7)\norder: lex\nmax_coeff: 4\n";
        let section: TaskSection = parse_yaml(block, "b").unwrap();
        specs.push(task_from_section(&section, "b", None).unwrap());
        let block = "name: polynomial_addition\nfield: QQ\nsampler: sympy\nsymbols: x,y\n";
        let section: TaskSection = parse_yaml(block, "b").unwrap();
        specs.push(task_from_section(&section, "b", None).unwrap());
        for spec in specs {
            let record = TaskRecord::new(&spec, -3, true);
            let (read, read_spec) = TaskRecord::parse(&record.to_yaml(), "task.yaml").unwrap();
            assert_eq!((read, read_spec), (record, spec));
        }
    }

    #[test]
    fn a_bad_record_names_the_file_line_and_key() {
        let text = "task:\n  name: gf17_addition\n  prime: 8\nroot_seed: 1\n";
        let e = TaskRecord::parse(text, "data/task.yaml").unwrap_err();
        assert!(e.to_string().contains("data/task.yaml"), "{e}");
        assert!(e.message.contains("prime"), "{e}");
        let text = "task:\n  name: gf17_addition\nroot_seed: 1\nroot_sed: 2\n";
        let e = TaskRecord::parse(text, "t.yaml").unwrap_err();
        assert_eq!((e.key_path.as_str(), e.line), ("root_sed", Some(4)), "{e}");
    }

    #[test]
    fn fresh_problems_are_the_test_split_of_that_seed() {
        let spec = TaskSpec::default_for("gf17_addition").unwrap();
        let fresh = fresh_problems(&spec, 7, 20, false).unwrap();
        let mut dedupe = Dedupe::new(false, false);
        let (_, test) =
            crate::in_memory::generate_dataset(&spec, 7, (5, 20), &mut dedupe, &NoProgress)
                .unwrap();
        assert_eq!(fresh.raw, test.raw);
        assert_eq!(fresh.raw.lines().count(), 20);
        for count in [0, MAX_FRESH_PROBLEMS + 1] {
            let e = fresh_problems(&spec, 7, count, false).unwrap_err();
            assert!(e.to_string().contains("between 1 and"), "{e}");
        }
    }
}
