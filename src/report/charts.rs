//! The SVG charts of report.html, drawn with plotters' SVG backend into strings (no font or
//! system library; text is SVG `<text>`): one latency histogram per request name (from
//! `LatencyStats::buckets`) and the timeline of the measured phase (throughput with errors,
//! then p50/p95/p99 latency per second). Names from the plan are stripped of markup
//! characters before they reach a chart, so a chart can be inlined in HTML as it is.

use crate::load::outcome::{LatencyStats, LoadOutcome, TimelinePoint};
use plotters::prelude::*;
use serde::Serialize;

/// One rendered chart: a title (plain text) and an inline `<svg>` element.
#[derive(Clone, Debug, Serialize)]
pub struct Chart {
    pub title: String,
    pub svg: String,
}

const SIZE: (u32, u32) = (620, 280);

/// Reads one statistic of a second of the timeline.
type Statistic = fn(&TimelinePoint) -> f64;

/// Every chart of a load outcome: the histograms of each request, then the timeline.
pub fn for_load(outcome: &LoadOutcome) -> anyhow::Result<Vec<Chart>> {
    let mut charts = Vec::new();
    for stats in &outcome.requests {
        if let Some(svg) = latency_histogram(stats)? {
            charts.push(Chart {
                title: format!("Latency histogram: {}", plain(&stats.name)),
                svg,
            });
        }
    }
    if let Some(svg) = throughput(&outcome.timeline)? {
        charts.push(Chart {
            title: "Throughput per second".into(),
            svg,
        });
    }
    if let Some(svg) = latency_timeline(&outcome.timeline)? {
        charts.push(Chart {
            title: "Latency per second".into(),
            svg,
        });
    }
    Ok(charts)
}

/// Text without the characters that could open markup.
fn plain(text: &str) -> String {
    text.chars()
        .filter(|c| !matches!(c, '<' | '>' | '&' | '"' | '\'') && !c.is_control())
        .collect()
}

fn format_ms(ms: f64) -> String {
    if ms >= 1000.0 {
        format!("{:.1}s", ms / 1000.0)
    } else if ms >= 10.0 {
        format!("{ms:.0}")
    } else {
        format!("{ms:.1}")
    }
}

/// Bars of requests per latency bucket; `None` when the request has no buckets.
pub fn latency_histogram(stats: &LatencyStats) -> anyhow::Result<Option<String>> {
    let buckets: Vec<(f64, u64)> = stats
        .buckets
        .iter()
        .copied()
        .filter(|(bound, _)| bound.is_finite())
        .collect();
    if buckets.is_empty() {
        return Ok(None);
    }
    let top = buckets.iter().map(|b| b.1).max().unwrap_or(0).max(1);
    let count = buckets.len() as u32;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(
                format!("{}: requests per latency bucket", plain(&stats.name)),
                ("sans-serif", 16),
            )
            .margin(10)
            .x_label_area_size(40)
            .y_label_area_size(56)
            .build_cartesian_2d((0..count).into_segmented(), 0..headroom(top))?;
        let label = |value: &SegmentValue<u32>| match value {
            SegmentValue::CenterOf(i) | SegmentValue::Exact(i) => buckets
                .get(*i as usize)
                .map(|b| format!("≤{}", format_ms(b.0)))
                .unwrap_or_default(),
            SegmentValue::Last => String::new(),
        };
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(buckets.len().min(10))
            .x_label_formatter(&label)
            .x_desc("latency (ms)")
            .y_desc("requests")
            .draw()?;
        chart.draw_series(
            Histogram::vertical(&chart)
                .style(RGBColor(46, 110, 180).filled())
                .margin(2)
                .data(buckets.iter().enumerate().map(|(i, b)| (i as u32, b.1))),
        )?;
        root.present()?;
    }
    Ok(Some(svg))
}

/// The top of a count axis: a tenth above the highest value (saturating: counts come from
/// outside and may be absurd).
fn headroom(top: u64) -> u64 {
    top.saturating_add(top / 10).saturating_add(1)
}

fn last_second(points: &[TimelinePoint]) -> u32 {
    points.iter().map(|p| p.second).max().unwrap_or(0).max(1)
}

/// Requests and errors per second; `None` without a timeline.
pub fn throughput(points: &[TimelinePoint]) -> anyhow::Result<Option<String>> {
    if points.is_empty() {
        return Ok(None);
    }
    let top = points.iter().map(|p| p.requests).max().unwrap_or(0).max(1);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(&root)
            .caption("requests per second", ("sans-serif", 16))
            .margin(10)
            .x_label_area_size(40)
            .y_label_area_size(56)
            .build_cartesian_2d(0..last_second(points), 0..headroom(top))?;
        chart
            .configure_mesh()
            .x_desc("second of the measured phase")
            .y_desc("requests")
            .draw()?;
        let blue = RGBColor(46, 110, 180);
        chart
            .draw_series(LineSeries::new(
                points.iter().map(|p| (p.second, p.requests)),
                blue.stroke_width(2),
            ))?
            .label("requests")
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 18, y)], blue.stroke_width(2)));
        chart
            .draw_series(LineSeries::new(
                points.iter().map(|p| (p.second, p.errors)),
                RED.stroke_width(2),
            ))?
            .label("errors")
            .legend(|(x, y)| PathElement::new([(x, y), (x + 18, y)], RED.stroke_width(2)));
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()?;
        root.present()?;
    }
    Ok(Some(svg))
}

/// p50, p95 and p99 per second; `None` without a timeline.
pub fn latency_timeline(points: &[TimelinePoint]) -> anyhow::Result<Option<String>> {
    if points.is_empty() {
        return Ok(None);
    }
    let finite = |v: f64| if v.is_finite() { v.max(0.0) } else { 0.0 };
    let top = points
        .iter()
        .map(|p| finite(p.p99_ms).max(finite(p.p95_ms)).max(finite(p.p50_ms)))
        .fold(0.0_f64, f64::max)
        .clamp(1.0, 1.0e9);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(&root)
            .caption("latency per second (ms)", ("sans-serif", 16))
            .margin(10)
            .x_label_area_size(40)
            .y_label_area_size(56)
            .build_cartesian_2d(0..last_second(points), 0.0..top * 1.1)?;
        chart
            .configure_mesh()
            .x_desc("second of the measured phase")
            .y_desc("ms")
            .draw()?;
        let series: [(&str, Statistic, RGBColor); 3] = [
            ("p50", |p| p.p50_ms, RGBColor(46, 140, 80)),
            ("p95", |p| p.p95_ms, RGBColor(220, 140, 20)),
            ("p99", |p| p.p99_ms, RGBColor(200, 40, 40)),
        ];
        for (name, read, color) in series {
            chart
                .draw_series(LineSeries::new(
                    points.iter().map(|p| (p.second, finite(read(p)))),
                    color.stroke_width(2),
                ))?
                .label(name)
                .legend(move |(x, y)| {
                    PathElement::new([(x, y), (x + 18, y)], color.stroke_width(2))
                });
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()?;
        root.present()?;
    }
    Ok(Some(svg))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_histogram_is_an_svg_whose_names_carry_no_markup() {
        let stats = LatencyStats {
            name: "history<script>".into(),
            buckets: vec![(1.0, 3), (2.0, 10), (4.0, 2), (f64::INFINITY, 1)],
            ..LatencyStats::default()
        };
        let svg = latency_histogram(&stats).unwrap().unwrap();
        assert!(svg.starts_with("<svg"), "{}", &svg[..80]);
        assert!(svg.contains("<rect"), "bars are drawn");
        assert!(!svg.contains("<script"), "names lose their markup");
        assert!(
            latency_histogram(&LatencyStats::default())
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn timelines_draw_lines_and_survive_non_finite_values() {
        let points: Vec<TimelinePoint> = (0..5)
            .map(|s| TimelinePoint {
                second: s,
                requests: 100 + u64::from(s),
                errors: u64::from(s % 2),
                p50_ms: 2.0,
                p95_ms: if s == 3 { f64::NAN } else { 5.0 },
                p99_ms: 9.0,
            })
            .collect();
        for svg in [
            throughput(&points).unwrap().unwrap(),
            latency_timeline(&points).unwrap().unwrap(),
        ] {
            assert!(svg.contains("<polyline") || svg.contains("<path"), "lines");
            assert!(!svg.contains("NaN"));
        }
        assert!(throughput(&[]).unwrap().is_none());
    }
}
