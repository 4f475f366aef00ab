//! Fresh problems in the page: a test split of the task a bundle was trained on (its task
//! record), drawn by calt-generate exactly as `calt generate` draws it, with a seed and, where
//! the task allows it, parameters of the page's choosing.

use calt_algebra::TaskSpec;
use calt_core::config::TaskSection;
use calt_generate::task_record;
use calt_generate::task_spec::task_from_section;
use serde::{Deserialize, Serialize};

use crate::error::PlaygroundError;

/// What the page asks for (a plain JS object).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FreshRequest {
    /// The `task:` block: `name` and any parameters (the rest take the task's defaults).
    pub task: TaskSection,
    /// `root_seed` of the run: a number, or a string for seeds beyond 2^53.
    pub seed: Seed,
    pub count: u64,
    #[serde(default)]
    pub drop_duplicates: bool,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum Seed {
    Number(serde_json::Number),
    Text(String),
}

impl Seed {
    fn value(&self) -> Result<i64, PlaygroundError> {
        let text = match self {
            Seed::Number(n) => n.to_string(),
            Seed::Text(t) => t.trim().to_string(),
        };
        text.parse().map_err(|_| {
            PlaygroundError::Options(format!(
                "seed: `{text}` is not a whole number between {} and {}",
                i64::MIN,
                i64::MAX
            ))
        })
    }
}

/// The problems, as `calt generate` writes them.
#[derive(Debug, Serialize)]
pub struct FreshProblems {
    /// `test_raw.txt`'s text.
    pub text: String,
    pub count: u64,
    /// As text: JavaScript numbers hold integers only up to 2^53.
    pub seed: String,
    /// The task block that drew them, every parameter written out.
    pub task: TaskSection,
}

/// Draws the problems `request` asks for.
pub fn draw(request: &FreshRequest) -> Result<FreshProblems, PlaygroundError> {
    let seed = request.seed.value()?;
    let spec = task_from_section(&numbers_from_text(&request.task), "task", None)
        .map_err(|e| PlaygroundError::Options(e.to_string()))?;
    let split = task_record::fresh_problems(&spec, seed, request.count, request.drop_duplicates)
        .map_err(|e| PlaygroundError::Options(format!("{e:#}")))?;
    Ok(FreshProblems {
        text: split.raw,
        count: split.written,
        seed: seed.to_string(),
        task: task_record::section_of(&spec),
    })
}

/// `task` with each numeric parameter given as text (the page passes integers beyond 2^53
/// so, see [`crate::js_safe`]) read as the number it spells; other values as they are.
fn numbers_from_text(task: &TaskSection) -> TaskSection {
    let Ok(defaults) = TaskSpec::default_for(&task.name) else {
        return task.clone();
    };
    let defaults = task_record::section_of(&defaults).parameters;
    let mut task = task.clone();
    for (key, value) in task.parameters.iter_mut() {
        let (Some(serde_json::Value::Number(_)), serde_json::Value::String(text)) =
            (defaults.get(key), &value)
        else {
            continue;
        };
        let text = text.trim();
        let number = text
            .parse::<i64>()
            .map(serde_json::Number::from)
            .or_else(|_| text.parse::<u64>().map(serde_json::Number::from));
        if let Ok(number) = number {
            *value = serde_json::Value::Number(number);
        }
    }
    task
}
