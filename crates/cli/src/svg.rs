//! A log-log line plot written as SVG by hand: benchmark throughput spans six decades
//! (F_p multiplications to decapsulations), which only log axes show, and one small
//! module is lighter than a plotting crate.

use std::fmt::Write;

/// One line of the plot.
#[derive(Debug, Clone)]
pub struct Series {
    pub label: String,
    /// Any SVG colour, e.g. "#1f77b4".
    pub color: String,
    /// An SVG stroke-dasharray such as "6 4"; empty for a solid line.
    pub dash: String,
    /// (x, y) in data units; points with a non-positive or non-finite coordinate are
    /// left out, as a log axis cannot place them.
    pub points: Vec<(f64, f64)>,
}

/// A whole figure.
#[derive(Debug, Clone)]
pub struct Plot {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub series: Vec<Series>,
}

/// A base-10 logarithmic axis spanning whole decades, 10^lo to 10^hi.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogAxis {
    pub lo: i32,
    pub hi: i32,
}

impl LogAxis {
    /// The smallest whole-decade range holding every positive finite value (at least one
    /// decade wide; 1 to 10 when there is none).
    pub fn fit(values: impl IntoIterator<Item = f64>) -> LogAxis {
        let mut lo = i32::MAX;
        let mut hi = i32::MIN;
        for v in values.into_iter().filter(|v| plottable(*v)) {
            let l = v.log10();
            lo = lo.min(l.floor() as i32);
            hi = hi.max(l.ceil() as i32);
        }
        if lo > hi {
            return LogAxis { lo: 0, hi: 1 };
        }
        LogAxis {
            lo,
            hi: hi.max(lo + 1),
        }
    }

    /// Where `v` lies along the axis: 0 at 10^lo, 1 at 10^hi.
    pub fn fraction(&self, v: f64) -> f64 {
        (v.log10() - f64::from(self.lo)) / f64::from(self.hi - self.lo)
    }

    /// The exponents of the labelled ticks, one per decade.
    pub fn decades(&self) -> impl Iterator<Item = i32> {
        self.lo..=self.hi
    }

    /// Unlabelled ticks at 2..9 times each decade, inside the axis.
    pub fn minor_ticks(&self) -> impl Iterator<Item = f64> + '_ {
        (self.lo..self.hi).flat_map(|k| (2..10).map(move |m| f64::from(m) * 10f64.powi(k)))
    }
}

fn plottable(v: f64) -> bool {
    v.is_finite() && v > 0.0
}

/// 10^k as a short label: 1, 10, 100, 1k, ..., 100G, and 0.1, 0.01, 1e-3 below one.
pub fn decade_label(k: i32) -> String {
    const SUFFIX: [&str; 5] = ["", "k", "M", "G", "T"];
    match k {
        0.. if (k / 3) < SUFFIX.len() as i32 => {
            let unit = SUFFIX[(k / 3) as usize];
            format!("{}{unit}", 10u64.pow((k % 3) as u32))
        }
        -2..=-1 => format!("{}", 10f64.powi(k)),
        _ => format!("1e{k}"),
    }
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

fn dash_attr(dash: &str) -> String {
    if dash.is_empty() {
        String::new()
    } else {
        format!(r#" stroke-dasharray="{}""#, escape(dash))
    }
}

const LEFT: f64 = 80.0;
const TOP: f64 = 50.0;
const PLOT_W: f64 = 560.0;
const PLOT_H: f64 = 420.0;
const LEGEND_X: f64 = LEFT + PLOT_W + 30.0;
const LEGEND_ROW: f64 = 18.0;
const WIDTH: f64 = LEGEND_X + 300.0;

/// The plot as a standalone SVG document.
pub fn render(plot: &Plot) -> String {
    let points = || {
        plot.series
            .iter()
            .flat_map(|s| s.points.iter().copied())
            .filter(|(x, y)| plottable(*x) && plottable(*y))
    };
    let x_axis = LogAxis::fit(points().map(|(x, _)| x));
    let y_axis = LogAxis::fit(points().map(|(_, y)| y));
    let px = |x: f64| LEFT + x_axis.fraction(x) * PLOT_W;
    let py = |y: f64| TOP + (1.0 - y_axis.fraction(y)) * PLOT_H;
    let bottom = TOP + PLOT_H;
    let legend_bottom = TOP + LEGEND_ROW * plot.series.len() as f64;
    let height = (bottom + 60.0).max(legend_bottom + 20.0);

    let mut s = String::new();
    // Writing to a String cannot fail; the results are discarded for that reason.
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(
        s,
        r#"<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="white"/>"#
    );
    let _ = writeln!(
        s,
        r#"<text x="{}" y="28" text-anchor="middle" font-size="15">{}</text>"#,
        LEFT + PLOT_W / 2.0,
        escape(&plot.title)
    );

    // Grid: faint minor lines, darker decade lines with labels.
    s.push_str("<g stroke=\"#eeeeee\">\n");
    for x in x_axis.minor_ticks() {
        let _ = writeln!(
            s,
            r#"<line x1="{0:.1}" y1="{TOP}" x2="{0:.1}" y2="{bottom}"/>"#,
            px(x)
        );
    }
    for y in y_axis.minor_ticks() {
        let _ = writeln!(
            s,
            r#"<line x1="{LEFT}" y1="{0:.1}" x2="{1}" y2="{0:.1}"/>"#,
            py(y),
            LEFT + PLOT_W
        );
    }
    s.push_str("</g>\n<g stroke=\"#cccccc\">\n");
    for k in x_axis.decades() {
        let _ = writeln!(
            s,
            r#"<line x1="{0:.1}" y1="{TOP}" x2="{0:.1}" y2="{bottom}"/>"#,
            px(10f64.powi(k))
        );
    }
    for k in y_axis.decades() {
        let _ = writeln!(
            s,
            r#"<line x1="{LEFT}" y1="{0:.1}" x2="{1}" y2="{0:.1}"/>"#,
            py(10f64.powi(k)),
            LEFT + PLOT_W
        );
    }
    s.push_str("</g>\n<g fill=\"#333333\">\n");
    for k in x_axis.decades() {
        let _ = writeln!(
            s,
            r#"<text x="{:.1}" y="{}" text-anchor="middle">{}</text>"#,
            px(10f64.powi(k)),
            bottom + 18.0,
            decade_label(k)
        );
    }
    for k in y_axis.decades() {
        let _ = writeln!(
            s,
            r#"<text x="{}" y="{:.1}" text-anchor="end">{}</text>"#,
            LEFT - 8.0,
            py(10f64.powi(k)) + 4.0,
            decade_label(k)
        );
    }
    s.push_str("</g>\n");
    let _ = writeln!(
        s,
        r##"<rect x="{LEFT}" y="{TOP}" width="{PLOT_W}" height="{PLOT_H}" fill="none" stroke="#333333"/>"##
    );
    let _ = writeln!(
        s,
        r#"<text x="{}" y="{}" text-anchor="middle">{}</text>"#,
        LEFT + PLOT_W / 2.0,
        bottom + 42.0,
        escape(&plot.x_label)
    );
    let _ = writeln!(
        s,
        r#"<text x="20" y="{0}" text-anchor="middle" transform="rotate(-90 20 {0})">{1}</text>"#,
        TOP + PLOT_H / 2.0,
        escape(&plot.y_label)
    );

    // Lines, with a dot on every measured point (a single point shows as a dot).
    for series in &plot.series {
        let pts: Vec<(f64, f64)> = series
            .points
            .iter()
            .copied()
            .filter(|(x, y)| plottable(*x) && plottable(*y))
            .map(|(x, y)| (px(x), py(y)))
            .collect();
        let color = escape(&series.color);
        let dash = dash_attr(&series.dash);
        if pts.len() >= 2 {
            let coords: Vec<String> = pts.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
            let _ = writeln!(
                s,
                r#"<polyline points="{}" fill="none" stroke="{color}" stroke-width="2"{dash}/>"#,
                coords.join(" ")
            );
        }
        for (x, y) in &pts {
            let _ = writeln!(
                s,
                r#"<circle cx="{x:.1}" cy="{y:.1}" r="3" fill="{color}"/>"#
            );
        }
    }

    // Legend beside the plot.
    for (i, series) in plot.series.iter().enumerate() {
        let y = TOP + LEGEND_ROW * i as f64 + 6.0;
        let dash = dash_attr(&series.dash);
        let _ = writeln!(
            s,
            r#"<line x1="{LEGEND_X}" y1="{y}" x2="{}" y2="{y}" stroke="{}" stroke-width="2"{dash}/>"#,
            LEGEND_X + 28.0,
            escape(&series.color)
        );
        let _ = writeln!(
            s,
            r#"<text x="{}" y="{}">{}</text>"#,
            LEGEND_X + 36.0,
            y + 4.0,
            escape(&series.label)
        );
    }
    s.push_str("</svg>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_fits_whole_decades() {
        let a = LogAxis::fit([1.0, 16.0, 256.0, 4096.0]);
        assert_eq!(a, LogAxis { lo: 0, hi: 4 });
        assert_eq!(a.fraction(1.0), 0.0);
        assert!((a.fraction(100.0) - 0.5).abs() < 1e-12);
        assert!((a.fraction(10_000.0) - 1.0).abs() < 1e-12);
        assert_eq!(a.decades().collect::<Vec<_>>(), [0, 1, 2, 3, 4]);
        assert_eq!(a.minor_ticks().count(), 4 * 8);

        assert_eq!(
            LogAxis::fit([0.5, 3.0e6, 0.0, -2.0, f64::NAN]),
            LogAxis { lo: -1, hi: 7 }
        );
        // A single exact decade still gets a decade of room; no data gets 1 to 10.
        assert_eq!(LogAxis::fit([100.0]), LogAxis { lo: 2, hi: 3 });
        assert_eq!(LogAxis::fit([]), LogAxis { lo: 0, hi: 1 });
    }

    #[test]
    fn decade_labels() {
        let labels: Vec<String> = (-4..=10).map(decade_label).collect();
        assert_eq!(
            labels,
            [
                "1e-4", "1e-3", "0.01", "0.1", "1", "10", "100", "1k", "10k", "100k", "1M", "10M",
                "100M", "1G", "10G"
            ]
        );
        assert_eq!(decade_label(15), "1e15");
    }

    #[test]
    fn renders_lines_ticks_and_legend() {
        let plot = Plot {
            title: "ops <&> rates".into(),
            x_label: "batch size".into(),
            y_label: "ops/s".into(),
            series: vec![
                Series {
                    label: "cpu 1t decap".into(),
                    color: "#1f77b4".into(),
                    dash: String::new(),
                    points: vec![(1.0, 100.0), (16.0, 150.0), (256.0, 160.0)],
                },
                Series {
                    label: "cpu 2t fp-mul".into(),
                    color: "#ff7f0e".into(),
                    dash: "6 4".into(),
                    points: vec![(1.0, 2.0e6), (0.0, 5.0)],
                },
            ],
        };
        let svg = render(&plot);
        assert!(svg.starts_with("<svg"));
        assert!(svg.trim_end().ends_with("</svg>"));
        assert_eq!(svg.matches("<polyline").count(), 1);
        assert_eq!(svg.matches("<circle").count(), 4);
        assert!(svg.contains("ops &lt;&amp;&gt; rates"));
        assert!(svg.contains(">1k</text>"));
        assert!(svg.contains(">1M</text>"));
        assert!(svg.contains("cpu 2t fp-mul"));
        assert!(svg.contains("stroke-dasharray"));
        // x from 1 to 1k, y from 100 to 10M: the first point is the bottom-left corner.
        let y = TOP + PLOT_H;
        assert!(svg.contains(&format!("{LEFT:.1},{y:.1}")), "{svg}");
    }
}
