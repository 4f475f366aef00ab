//! Generators in any language: `n_jobs` copies of a shell command, each reading one seed per
//! line on stdin and answering one JSON line per seed on stdout:
//! `{"problem": P, "answer": A}` with P and A strings or (nested) lists of strings, or `null`
//! to skip the seed. Seeds of a batch are split into contiguous chunks, one per child, and the
//! answers are read back in seed order, so the output does not depend on the child count.

use super::sample::{Generated, SeedJob};
use super::seed_stream::Seeds;
use super::source::SampleSource;
use calt_algebra::tasks::SampleStats;
use calt_algebra::{Sample, Value};
use std::collections::VecDeque;
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How much of a child's stderr an error message quotes.
const STDERR_TAIL_BYTES: usize = 2000;

/// What the stdout reader thread of a child reports.
enum ReadEvent {
    Line(String),
    Eof,
    Failed(String),
}

/// One running copy of the command.
struct Worker {
    id: usize,
    child: Child,
    seeds: Option<Sender<u128>>,
    lines: Receiver<ReadEvent>,
    stderr_tail: Arc<Mutex<VecDeque<u8>>>,
    stderr_thread: Option<JoinHandle<()>>,
    lines_read: u64,
}

pub struct ExternalSource {
    command: String,
    timeout: Duration,
    workers: Vec<Worker>,
}

impl ExternalSource {
    pub fn start(command: &str, n_jobs: usize, timeout: Duration) -> anyhow::Result<Self> {
        let mut source = ExternalSource {
            command: command.to_string(),
            timeout,
            workers: Vec::new(),
        };
        for id in 0..n_jobs.max(1) {
            let worker = spawn_worker(command, id)?;
            source.workers.push(worker);
        }
        Ok(source)
    }

    fn fail(&mut self, worker: usize, job: &SeedJob, split: &str, what: String) -> anyhow::Error {
        let w = &mut self.workers[worker];
        // Generation stops here. Close the child's input so a well-behaved child exits and
        // its last words reach the stderr tail; stop it if it does not.
        w.seeds = None;
        let deadline = Instant::now() + Duration::from_secs(1);
        while !matches!(w.child.try_wait(), Ok(Some(_))) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        if !matches!(w.child.try_wait(), Ok(Some(_))) {
            kill_group(&mut w.child);
        }
        let deadline = Instant::now() + Duration::from_millis(500);
        while w.stderr_thread.as_ref().is_some_and(|t| !t.is_finished())
            && Instant::now() < deadline
        {
            std::thread::sleep(Duration::from_millis(10));
        }
        let tail = {
            let bytes = w
                .stderr_tail
                .lock()
                .map(|t| t.iter().copied().collect::<Vec<u8>>());
            String::from_utf8_lossy(&bytes.unwrap_or_default())
                .trim_end()
                .to_string()
        };
        let stderr = if tail.is_empty() {
            "its stderr was empty".to_string()
        } else {
            format!("its stderr ended with:\n{tail}")
        };
        anyhow::anyhow!(
            "external generator `{}` (child {}): seed {} (split {split}, index {}): {what}; {stderr}",
            self.command,
            w.id,
            job.seed,
            job.index
        )
    }
}

impl Drop for ExternalSource {
    fn drop(&mut self) {
        for w in &mut self.workers {
            w.seeds = None;
            if !matches!(w.child.try_wait(), Ok(Some(_))) {
                kill_group(&mut w.child);
            }
        }
    }
}

/// Starts `sh -c command` in its own process group (so a timeout can stop everything the
/// shell started) with a thread each for stdin, stdout and stderr.
fn spawn_worker(command: &str, id: usize) -> anyhow::Result<Worker> {
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(command)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    let mut child = cmd
        .spawn()
        .map_err(|e| anyhow::anyhow!("cannot start external generator `{command}`: {e}"))?;
    let stdin = child.stdin.take().expect("stdin is piped");
    let stdout = child.stdout.take().expect("stdout is piped");
    let stderr = child.stderr.take().expect("stderr is piped");

    let (seed_tx, seed_rx) = mpsc::channel::<u128>();
    std::thread::spawn(move || feed_seeds(stdin, seed_rx));

    let (line_tx, line_rx) = mpsc::channel();
    std::thread::spawn(move || read_lines(stdout, line_tx));

    let stderr_tail = Arc::new(Mutex::new(VecDeque::new()));
    let tail = Arc::clone(&stderr_tail);
    let stderr_thread = std::thread::spawn(move || keep_tail(stderr, tail));

    Ok(Worker {
        id,
        child,
        seeds: Some(seed_tx),
        lines: line_rx,
        stderr_tail,
        stderr_thread: Some(stderr_thread),
        lines_read: 0,
    })
}

/// Writes seeds as they come, flushing whenever no more are queued. Stops quietly when the
/// child stops reading (its death is reported by the stdout side).
fn feed_seeds(stdin: ChildStdin, seeds: Receiver<u128>) {
    let mut out = BufWriter::new(stdin);
    while let Ok(seed) = seeds.recv() {
        if writeln!(out, "{seed}").is_err() {
            return;
        }
        while let Ok(seed) = seeds.try_recv() {
            if writeln!(out, "{seed}").is_err() {
                return;
            }
        }
        if out.flush().is_err() {
            return;
        }
    }
}

fn read_lines(stdout: impl Read, lines: Sender<ReadEvent>) {
    let mut reader = BufReader::new(stdout);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        let event = match reader.read_until(b'\n', &mut buf) {
            Ok(0) => ReadEvent::Eof,
            Ok(_) => match String::from_utf8(std::mem::take(&mut buf)) {
                Ok(s) => ReadEvent::Line(s.trim_end_matches(['\n', '\r']).to_string()),
                Err(_) => ReadEvent::Failed("printed a line that is not UTF-8".into()),
            },
            Err(e) => ReadEvent::Failed(format!("cannot read its output: {e}")),
        };
        let last = !matches!(event, ReadEvent::Line(_));
        if lines.send(event).is_err() || last {
            return;
        }
    }
}

fn keep_tail(stderr: impl Read, tail: Arc<Mutex<VecDeque<u8>>>) {
    let mut reader = BufReader::new(stderr);
    let mut buf = [0u8; 4096];
    while let Ok(n) = reader.read(&mut buf) {
        if n == 0 {
            return;
        }
        if let Ok(mut t) = tail.lock() {
            t.extend(&buf[..n]);
            let excess = t.len().saturating_sub(STDERR_TAIL_BYTES);
            t.drain(..excess);
        }
    }
}

/// Stops the child and everything in its process group (the child leads its own group).
///
/// `pkill -g`, not `kill -KILL -PGID`: Debian 12's procps 4.0.2 `kill` mis-parses a negative
/// process-group argument and signals every process the user may signal.
fn kill_group(child: &mut Child) {
    #[cfg(unix)]
    {
        let _ = Command::new("pkill")
            .args(["-KILL", "-g", &child.id().to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
    let _ = child.kill();
    let _ = child.wait();
}

impl SampleSource for ExternalSource {
    /// Closes every child's stdin and gives it a few seconds to exit before it is stopped.
    fn close(&mut self) -> anyhow::Result<()> {
        for w in &mut self.workers {
            w.seeds = None;
        }
        let deadline = Instant::now() + Duration::from_secs(5);
        for w in &mut self.workers {
            while !matches!(w.child.try_wait(), Ok(Some(_))) && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(10));
            }
        }
        Ok(())
    }

    fn generate(&mut self, split: &str, seeds: &Seeds) -> anyhow::Result<Vec<Option<Generated>>> {
        let jobs = &seeds.jobs;
        let n = self.workers.len();
        let chunk = jobs.len().div_ceil(n).max(1);
        let started = Instant::now();
        for (w, part) in self.workers.iter().zip(jobs.chunks(chunk)) {
            for job in part {
                // A closed channel means the feeder stopped: the child died, and reading its
                // answers below reports that with its stderr.
                if let Some(tx) = &w.seeds {
                    let _ = tx.send(job.seed);
                }
            }
        }
        let mut out = Vec::with_capacity(jobs.len());
        for (wi, part) in jobs.chunks(chunk).enumerate() {
            let mut last = started;
            for job in part {
                let event = self.workers[wi].lines.recv_timeout(self.timeout);
                let line = match event {
                    Ok(ReadEvent::Line(line)) => line,
                    Ok(ReadEvent::Eof) | Err(RecvTimeoutError::Disconnected) => {
                        let status = wait_briefly(&mut self.workers[wi].child);
                        return Err(self.fail(
                            wi,
                            job,
                            split,
                            format!("the child {status} before answering"),
                        ));
                    }
                    Ok(ReadEvent::Failed(what)) => {
                        let line_no = self.workers[wi].lines_read + 1;
                        return Err(self.fail(
                            wi,
                            job,
                            split,
                            format!("output line {line_no}: {what}"),
                        ));
                    }
                    Err(RecvTimeoutError::Timeout) => {
                        let secs = self.timeout.as_secs_f64();
                        kill_group(&mut self.workers[wi].child);
                        return Err(self.fail(
                            wi,
                            job,
                            split,
                            format!("no answer within {secs} s (the child was stopped)"),
                        ));
                    }
                };
                self.workers[wi].lines_read += 1;
                let line_no = self.workers[wi].lines_read;
                let parsed = parse_answer(&line).map_err(|why| {
                    let shown: String = line.chars().take(200).collect();
                    format!("output line {line_no} `{shown}`: {why}")
                });
                let sample = match parsed {
                    Ok(s) => s,
                    Err(what) => return Err(self.fail(wi, job, split, what)),
                };
                let now = Instant::now();
                let seconds = now.duration_since(last).as_secs_f64();
                last = now;
                out.push(
                    sample.map(|sample| Generated::new(&sample, SampleStats::default(), seconds)),
                );
            }
        }
        Ok(out)
    }
}

/// `exited with status N` / `was killed` / `closed its output`, after waiting up to 1 s.
fn wait_briefly(child: &mut Child) -> String {
    let deadline = Instant::now() + Duration::from_secs(1);
    loop {
        match child.try_wait() {
            Ok(Some(status)) => {
                return match status.code() {
                    Some(code) => format!("exited with status {code}"),
                    None => "was killed by a signal".to_string(),
                };
            }
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(10)),
            _ => return "closed its output".to_string(),
        }
    }
}

/// One answer line: `{"problem": …, "answer": …}` or `null` (skip this seed).
pub fn parse_answer(line: &str) -> Result<Option<Sample>, String> {
    let value: serde_json::Value =
        serde_json::from_str(line).map_err(|e| format!("not valid JSON ({e})"))?;
    let object = match value {
        serde_json::Value::Null => return Ok(None),
        serde_json::Value::Object(o) => o,
        _ => return Err("expected an object {\"problem\": …, \"answer\": …} or null".into()),
    };
    if let Some(key) = object.keys().find(|k| *k != "problem" && *k != "answer") {
        return Err(format!(
            "unexpected key `{key}` (expected `problem` and `answer`)"
        ));
    }
    let get = |key: &str| -> Result<Value, String> {
        let v = object
            .get(key)
            .ok_or_else(|| format!("missing key `{key}`"))?;
        to_value(v, 0).map_err(|why| format!("`{key}` {why}"))
    };
    let sample = Sample {
        problem: get("problem")?,
        answer: get("answer")?,
    };
    Ok(Some(sample))
}

/// A string, a list of strings, or a list of strings and lists of strings (CALT's depth 2).
fn to_value(v: &serde_json::Value, depth: usize) -> Result<Value, String> {
    match v {
        serde_json::Value::String(s) => Ok(Value::Str(s.clone())),
        serde_json::Value::Array(items) if depth < 2 => items
            .iter()
            .map(|x| to_value(x, depth + 1))
            .collect::<Result<_, _>>()
            .map(Value::List),
        serde_json::Value::Array(_) => Err("nests lists deeper than two levels".into()),
        other => Err(format!(
            "must be a string or a list of strings, found {}",
            match other {
                serde_json::Value::Number(_) => "a number",
                serde_json::Value::Bool(_) => "a boolean",
                serde_json::Value::Null => "null",
                _ => "an object",
            }
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_parsed_with_calt_structure() {
        let s = parse_answer(r#"{"problem": [["9", "3"], "6"], "answer": ["5"]}"#)
            .unwrap()
            .unwrap();
        assert_eq!(s.text_line().unwrap(), "9 | 3 || 6 # 5");
        assert_eq!(parse_answer("null").unwrap(), None);
        assert!(
            parse_answer(r#"{"problem": 5, "answer": "x"}"#)
                .unwrap_err()
                .contains("a number")
        );
        assert!(
            parse_answer(r#"{"problem": "x"}"#)
                .unwrap_err()
                .contains("missing key `answer`")
        );
        assert!(
            parse_answer(r#"{"problem": [[["x"]]], "answer": "y"}"#)
                .unwrap_err()
                .contains("deeper")
        );
        assert!(
            parse_answer("{oops")
                .unwrap_err()
                .contains("not valid JSON")
        );
    }
}
