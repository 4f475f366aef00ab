//! `calt plot RUN_DIR`: training curves from `metrics.jsonl` as an SVG.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use plotters::prelude::*;

/// Draw loss and accuracy against step from a run folder's metrics.jsonl into an SVG.
#[derive(clap::Args)]
#[command(
    after_help = "Example:\n  calt plot runs/gf17_addition   # writes runs/gf17_addition/metrics.svg"
)]
pub struct PlotArgs {
    /// The run folder (holding metrics.jsonl).
    run_dir: PathBuf,
    /// Output file (default RUN_DIR/metrics.svg).
    #[arg(long, short)]
    output: Option<PathBuf>,
}

type Series = Vec<(f64, f64)>;

/// (train loss, eval loss, generation accuracy, teacher-forced token accuracy).
fn read_series(text: &str) -> (Series, Series, Series, Series) {
    let (mut loss, mut eval_loss, mut gen_acc, mut tok_acc) = (vec![], vec![], vec![], vec![]);
    for line in text.lines() {
        let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        let Some(step) = v.get("step").and_then(|s| s.as_f64()) else {
            continue;
        };
        let push = |key: &str, series: &mut Series| {
            if let Some(x) = v.get(key).and_then(|x| x.as_f64())
                && x.is_finite()
            {
                series.push((step, x));
            }
        };
        push("loss", &mut loss);
        push("eval_loss", &mut eval_loss);
        push("generation_accuracy", &mut gen_acc);
        push("eval_token_accuracy", &mut tok_acc);
    }
    (loss, eval_loss, gen_acc, tok_acc)
}

pub fn run(args: PlotArgs) -> anyhow::Result<ExitCode> {
    let metrics = args.run_dir.join("metrics.jsonl");
    let text = std::fs::read_to_string(&metrics)
        .with_context(|| format!("reading {}", metrics.display()))?;
    let (loss, eval_loss, gen_acc, tok_acc) = read_series(&text);
    if loss.is_empty() && eval_loss.is_empty() && gen_acc.is_empty() {
        anyhow::bail!("{}: no loss or accuracy records to plot", metrics.display());
    }
    let out = args
        .output
        .unwrap_or_else(|| args.run_dir.join("metrics.svg"));
    draw(&out, &loss, &eval_loss, &gen_acc, &tok_acc)
        .map_err(|e| anyhow::anyhow!("drawing {}: {e}", out.display()))?;
    println!("{}", out.display());
    Ok(ExitCode::SUCCESS)
}

const NO_EVALUATION: &str = "no evaluation in this run (eval_steps larger than the run?)";

fn markers(series: &Series, color: RGBColor) -> impl Iterator<Item = Circle<(f64, f64), u32>> + '_ {
    series
        .iter()
        .map(move |&point| Circle::new(point, 3, color.filled()))
}

fn draw(
    out: &std::path::Path,
    loss: &Series,
    eval_loss: &Series,
    gen_acc: &Series,
    tok_acc: &Series,
) -> Result<(), Box<dyn std::error::Error>> {
    let root = SVGBackend::new(out, (900, 700)).into_drawing_area();
    root.fill(&WHITE)?;
    let (top, bottom) = root.split_vertically(350);
    let all = || loss.iter().chain(eval_loss).chain(gen_acc).chain(tok_acc);
    let max_step = all().map(|p| p.0).fold(1.0, f64::max);
    let max_loss = loss
        .iter()
        .chain(eval_loss)
        .map(|p| p.1)
        .fold(1e-3, f64::max)
        * 1.05;

    let mut chart = ChartBuilder::on(&top)
        .caption("loss", ("sans-serif", 18))
        .margin(10)
        .x_label_area_size(30)
        .y_label_area_size(50)
        .build_cartesian_2d(0.0..max_step, 0.0..max_loss)?;
    chart.configure_mesh().x_desc("step").draw()?;
    chart
        .draw_series(LineSeries::new(loss.iter().copied(), &BLUE))?
        .label("train loss")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 15, y)], BLUE));
    chart
        .draw_series(LineSeries::new(eval_loss.iter().copied(), &RED))?
        .label("eval loss")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 15, y)], RED));
    chart.draw_series(markers(eval_loss, RED))?;
    chart.configure_series_labels().border_style(BLACK).draw()?;

    let mut chart = ChartBuilder::on(&bottom)
        .caption("accuracy", ("sans-serif", 18))
        .margin(10)
        .x_label_area_size(30)
        .y_label_area_size(50)
        .build_cartesian_2d(0.0..max_step, 0.0..1.0)?;
    chart.configure_mesh().x_desc("step").draw()?;
    chart
        .draw_series(LineSeries::new(gen_acc.iter().copied(), &GREEN))?
        .label("generation_accuracy (exact match)")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 15, y)], GREEN));
    chart
        .draw_series(LineSeries::new(tok_acc.iter().copied(), &MAGENTA))?
        .label("eval_token_accuracy (teacher-forced)")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 15, y)], MAGENTA));
    // Evaluations are few (often one, at the end of a short run): a line through one point
    // draws nothing, so every evaluation also gets a marker.
    chart.draw_series(markers(gen_acc, GREEN))?;
    chart.draw_series(markers(tok_acc, MAGENTA))?;
    if gen_acc.is_empty() && tok_acc.is_empty() {
        chart.draw_series(std::iter::once(Text::new(
            NO_EVALUATION,
            (max_step * 0.3, 0.5),
            ("sans-serif", 16),
        )))?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .border_style(BLACK)
        .draw()?;
    root.present()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn svg_of(metrics: &str) -> String {
        let dir = tempfile::tempdir().unwrap();
        let (loss, eval_loss, gen_acc, tok_acc) = read_series(metrics);
        let out = dir.path().join("metrics.svg");
        draw(&out, &loss, &eval_loss, &gen_acc, &tok_acc).unwrap();
        std::fs::read_to_string(out).unwrap()
    }

    const LOSSES: &str = "{\"step\": 2, \"loss\": 2.5}\n{\"step\": 4, \"loss\": 1.5}\n";

    #[test]
    fn a_single_evaluation_is_drawn_as_visible_points() {
        let one_eval = format!(
            "{LOSSES}{{\"step\": 4, \"eval_loss\": 1.4, \"generation_accuracy\": 0.75, \
             \"eval_token_accuracy\": 0.9}}\n"
        );
        let svg = svg_of(&one_eval);
        // One marker each for eval loss, generation accuracy and token accuracy.
        assert_eq!(svg.matches("<circle").count(), 3, "{svg}");
        assert!(!svg.contains(NO_EVALUATION));
    }

    #[test]
    fn a_run_without_evaluation_says_so() {
        let svg = svg_of(LOSSES);
        assert!(svg.contains(NO_EVALUATION), "{svg}");
        assert_eq!(svg.matches("<circle").count(), 0);
    }
}
