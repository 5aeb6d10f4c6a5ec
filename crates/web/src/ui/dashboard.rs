//! The managers' dashboard: open work now and what happened to the tickets of a period, as
//! stat tiles and bar charts drawn on the server as inline SVG (no script, no chart library).
//!
//! Every chart carries its figures three times: as bars, in the SVG's `<title>`/`<desc>` (read
//! by screen readers, since the SVG is one `role="img"`), and in a table under a disclosure.
//! Geometry is computed here, in the page's reading direction: bars start at the inline start
//! (the right in Arabic) and grow towards the inline end.

use super::chrome::{self, Chrome};
use super::i18n::{Lang, Tr};
use super::page_error::PageError;
use super::session::StaffContext;
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Html;
use sanad_domain::TicketStatus;
use sanad_store::Dashboard;
use serde::Deserialize;

/// The periods a manager can choose, in days.
pub const PERIODS: &[i64] = &[7, 30, 90];
const DEFAULT_PERIOD: i64 = 30;

// ---- chart geometry -----------------------------------------------------------------------------

/// The width of every chart in SVG units; it scales to its column, so it is chosen near the
/// column's width in pixels to keep the 12-unit text readable.
pub const CHART_WIDTH: f64 = 320.0;
/// Room kept after the longest bar for its value.
const VALUE_ROOM: f64 = 56.0;
/// Each row is a label line with its bar below it.
const ROW_HEIGHT: f64 = 40.0;
const BAR_HEIGHT: f64 = 14.0;
const LABEL_BASELINE: f64 = 12.0;
const BAR_TOP: f64 = 17.0;
/// The value's baseline: the middle of the bar plus about a third of the text height.
const VALUE_BASELINE: f64 = BAR_TOP + BAR_HEIGHT / 2.0 + 4.0;
const VALUE_GAP: f64 = 6.0;
const LEGEND_HEIGHT: f64 = 24.0;
const LEGEND_SPACING: f64 = 150.0;
const SWATCH: f64 = 12.0;
/// A bar for a value above zero is never thinner than this, so that it stays visible.
const MIN_BAR: f64 = 2.0;
/// Labels longer than this are shortened in the SVG (the table shows them whole).
const MAX_LABEL_CHARS: usize = 40;
const PADDING_BOTTOM: f64 = 4.0;

/// One part of a bar (a simple bar has one; a stacked bar one per series).
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    pub class: &'static str,
    pub value: i64,
    /// The physical left edge, already mirrored for right-to-left pages.
    pub x: f64,
    pub width: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BarRow {
    /// The whole label, for the table and the SVG's description.
    pub label: String,
    /// The label as drawn, shortened if needed.
    pub short_label: String,
    pub value_text: String,
    pub segments: Vec<Segment>,
    /// The figures of the table row, after the label.
    pub cells: Vec<String>,
    pub label_x: f64,
    pub label_y: f64,
    pub bar_y: f64,
    pub value_x: f64,
    pub value_y: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LegendItem {
    pub class: &'static str,
    pub label: String,
    pub swatch_x: f64,
    pub text_x: f64,
}

/// What a caller gives for one row: the label, the value of each series, the text shown after
/// the bar and the table cells.
#[derive(Debug, Clone)]
pub struct RowInput {
    pub label: String,
    pub values: Vec<i64>,
    pub value_text: String,
    pub cells: Vec<String>,
}

impl RowInput {
    /// A row of a simple chart: one value, shown as is.
    pub fn simple(label: String, value: i64) -> RowInput {
        RowInput {
            label,
            values: vec![value],
            value_text: value.to_string(),
            cells: vec![value.to_string()],
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct BarChart {
    /// The element id prefix, unique on the page.
    pub id: &'static str,
    pub title: String,
    /// What the figures cover: open work now, or the chosen period.
    pub scope: String,
    /// The figures in words, for the SVG's `<desc>`.
    pub summary: String,
    pub label_header: String,
    pub columns: Vec<String>,
    pub rows: Vec<BarRow>,
    pub legend: Vec<LegendItem>,
    pub legend_y: f64,
    pub width: f64,
    pub height: f64,
    pub bar_height: f64,
    pub direction: &'static str,
}

/// Rounds to a tenth of a unit, so the SVG stays short.
fn units(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}

/// Places a span measured from the inline start: unchanged left to right, mirrored right to
/// left.
fn place(rtl: bool, start: f64, width: f64) -> f64 {
    units(if rtl {
        CHART_WIDTH - start - width
    } else {
        start
    })
}

fn shorten(label: &str) -> String {
    if label.chars().count() <= MAX_LABEL_CHARS {
        label.to_owned()
    } else {
        let mut short: String = label.chars().take(MAX_LABEL_CHARS - 1).collect();
        short.push('…');
        short
    }
}

/// The chart's geometry. `classes` names the series (one per value of each row) and `legend`
/// their labels; a legend is drawn only for more than one series.
pub struct ChartSpec {
    pub id: &'static str,
    pub title: String,
    pub label_header: String,
    pub columns: Vec<String>,
    pub classes: &'static [&'static str],
    pub legend: Vec<String>,
}

impl BarChart {
    pub fn build(spec: ChartSpec, inputs: Vec<RowInput>, lang: Lang) -> BarChart {
        let rtl = lang == Lang::Ar;
        let plot = CHART_WIDTH - VALUE_ROOM;
        let largest = inputs
            .iter()
            .map(|row| row.values.iter().map(|v| (*v).max(0)).sum::<i64>())
            .max()
            .unwrap_or(0);
        let with_legend = spec.classes.len() > 1;
        let top = if with_legend { LEGEND_HEIGHT } else { 0.0 };
        let legend = if with_legend {
            spec.legend
                .iter()
                .zip(spec.classes)
                .enumerate()
                .map(|(index, (label, class))| {
                    let start = index as f64 * LEGEND_SPACING;
                    LegendItem {
                        class,
                        label: label.clone(),
                        swatch_x: place(rtl, start, SWATCH),
                        text_x: place(rtl, start + SWATCH + 4.0, 0.0),
                    }
                })
                .collect()
        } else {
            Vec::new()
        };
        let rows: Vec<BarRow> = inputs
            .into_iter()
            .enumerate()
            .map(|(index, input)| {
                let row_top = top + index as f64 * ROW_HEIGHT;
                let mut offset = 0.0;
                let mut segments = Vec::new();
                for (value, class) in input.values.iter().zip(spec.classes.iter().cycle()) {
                    let value = (*value).max(0);
                    if value == 0 || largest == 0 {
                        continue;
                    }
                    let width = (value as f64 / largest as f64 * plot).max(MIN_BAR);
                    segments.push(Segment {
                        class,
                        value,
                        x: place(rtl, offset, width),
                        width: units(width),
                    });
                    offset += width;
                }
                BarRow {
                    short_label: shorten(&input.label),
                    label: input.label,
                    value_text: input.value_text,
                    segments,
                    cells: input.cells,
                    label_x: place(rtl, 0.0, 0.0),
                    label_y: units(row_top + LABEL_BASELINE),
                    bar_y: units(row_top + BAR_TOP),
                    value_x: place(rtl, offset + VALUE_GAP, 0.0),
                    value_y: units(row_top + VALUE_BASELINE),
                }
            })
            .collect();
        let summary = rows
            .iter()
            .map(|row| format!("{}: {}", row.label, row.value_text))
            .collect::<Vec<_>>()
            .join(match lang {
                Lang::Ar => "؛ ",
                Lang::En => "; ",
            });
        BarChart {
            id: spec.id,
            title: spec.title,
            scope: String::new(),
            summary,
            label_header: spec.label_header,
            columns: spec.columns,
            height: units(top + rows.len() as f64 * ROW_HEIGHT + PADDING_BOTTOM),
            rows,
            legend,
            legend_y: 2.0,
            width: CHART_WIDTH,
            bar_height: BAR_HEIGHT,
            direction: lang.dir(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn swatch_size(&self) -> f64 {
        SWATCH
    }

    /// The baseline of the legend's text, beside its swatches.
    pub fn legend_text_y(&self) -> f64 {
        self.legend_y + SWATCH - 1.0
    }
}

// ---- figures ------------------------------------------------------------------------------------

/// A share as a page shows it: one decimal, without a trailing `.0`.
pub fn percent_text(part: i64, whole: i64, tr: &Tr) -> Option<String> {
    if whole <= 0 {
        return None;
    }
    let tenths = (part as f64 * 1000.0 / whole as f64).round() as i64;
    let number = if tenths % 10 == 0 {
        (tenths / 10).to_string()
    } else {
        format!("{}.{}", tenths / 10, tenths % 10)
    };
    Some(tr.t1("dash-percent", "value", &number))
}

/// The mean score of the ratings, with one decimal.
pub fn satisfaction_average(by_score: &[i64; 5]) -> Option<f64> {
    let count: i64 = by_score.iter().sum();
    if count <= 0 {
        return None;
    }
    let total: i64 = by_score
        .iter()
        .enumerate()
        .map(|(index, n)| (index as i64 + 1) * n)
        .sum();
    Some((total as f64 / count as f64 * 10.0).round() / 10.0)
}

pub struct StatTile {
    pub label: String,
    pub value: String,
    pub hint: String,
    pub class: &'static str,
}

pub struct PeriodChoice {
    pub days: i64,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "ui/dashboard.html")]
struct DashboardPage {
    chrome: Chrome,
    action: String,
    periods: Vec<PeriodChoice>,
    period_label: String,
    stats: Vec<StatTile>,
    charts: Vec<BarChart>,
}

#[derive(Deserialize, Default)]
pub struct DashboardQuery {
    days: Option<String>,
}

/// The chosen period; anything but the offered choices falls back to the default.
pub fn period_days(raw: Option<&str>) -> i64 {
    raw.and_then(|text| text.trim().parse::<i64>().ok())
        .filter(|days| PERIODS.contains(days))
        .unwrap_or(DEFAULT_PERIOD)
}

pub async fn dashboard(
    State(state): State<AppState>,
    staff: StaffContext,
    Query(query): Query<DashboardQuery>,
) -> Result<Html<String>, PageError> {
    if !staff.is_manager() {
        return Err(PageError::Forbidden);
    }
    let tr = *staff.tr();
    let days = period_days(query.days.as_deref());
    let now = state.clock.now();
    let since = now - jiff::SignedDuration::from_hours(days * 24);
    let figures = state.store.dashboard(staff.org.id, since, now).await?;
    let policy = state.store.policy_in_force(&staff.org).await?;
    let stage_names: Vec<String> = policy
        .as_deref()
        .map(|policy| {
            policy
                .escalation()
                .iter()
                .map(|stage| {
                    tr.lang
                        .pick(
                            &stage.name_ar,
                            stage.name_en.as_deref().unwrap_or(&stage.name),
                        )
                        .to_owned()
                })
                .collect()
        })
        .unwrap_or_default();
    let page = DashboardPage {
        chrome: chrome::desk(&staff, tr.t("dash-title"), "dashboard"),
        action: format!("/o/{}/desk/dashboard", staff.org.slug),
        periods: PERIODS
            .iter()
            .map(|choice| PeriodChoice {
                days: *choice,
                label: tr.n("dash-period-days", *choice),
                selected: *choice == days,
            })
            .collect(),
        period_label: tr.n("dash-period-days", days),
        stats: stat_tiles(&figures, &tr),
        charts: charts(&figures, &stage_names, days, &tr),
    };
    Ok(Html(page.render()?))
}

fn stat_tiles(figures: &Dashboard, tr: &Tr) -> Vec<StatTile> {
    let open: i64 = figures.open_by_status.iter().map(|(_, n)| n).sum();
    let met: i64 = figures.compliance.iter().map(|c| c.met).sum();
    let breached: i64 = figures.compliance.iter().map(|c| c.breached).sum();
    let escalations: i64 = figures.escalations_by_stage.iter().map(|s| s.count).sum();
    let satisfaction = &figures.satisfaction;
    let ratings: i64 = satisfaction.by_score.iter().sum();
    vec![
        StatTile {
            label: tr.t("dash-stat-open"),
            value: open.to_string(),
            hint: String::new(),
            class: "",
        },
        StatTile {
            label: tr.t("dash-stat-breaches"),
            value: figures.open_breaches.to_string(),
            hint: tr.t("dash-stat-breaches-hint"),
            class: if figures.open_breaches > 0 {
                "stat-alert"
            } else {
                ""
            },
        },
        StatTile {
            label: tr.t("dash-stat-compliance"),
            value: percent_text(met, met + breached, tr).unwrap_or_else(|| "—".to_owned()),
            hint: tr.n("dash-compliance-basis", met + breached),
            class: "",
        },
        StatTile {
            label: tr.t("dash-stat-escalations"),
            value: escalations.to_string(),
            hint: String::new(),
            class: "",
        },
        StatTile {
            label: tr.t("dash-stat-csat"),
            value: satisfaction_average(&satisfaction.by_score)
                .map(|mean| tr.t1("dash-csat-value", "value", &format!("{mean:.1}")))
                .unwrap_or_else(|| "—".to_owned()),
            hint: tr.n("dash-ratings", ratings),
            class: "",
        },
    ]
}

fn charts(figures: &Dashboard, stage_names: &[String], days: i64, tr: &Tr) -> Vec<BarChart> {
    let lang = tr.lang;
    let tickets = tr.t("dash-col-tickets");
    let simple = |id, title: &str, label_header: &str, value_header: &str| ChartSpec {
        id,
        title: tr.t(title),
        label_header: tr.t(label_header),
        columns: vec![value_header.to_owned()],
        classes: &["bar"],
        legend: Vec::new(),
    };
    let by_status = BarChart::build(
        simple(
            "chart-status",
            "dash-chart-status",
            "field-status",
            &tickets,
        ),
        figures
            .open_by_status
            .iter()
            .map(|(status, count)| RowInput::simple(status_label(*status, tr), *count))
            .collect(),
        lang,
    );
    let by_department = BarChart::build(
        simple(
            "chart-department",
            "dash-chart-department",
            "field-department",
            &tickets,
        ),
        figures
            .open_by_department
            .iter()
            .map(|d| RowInput::simple(lang.pick(&d.name_ar, &d.name_en).to_owned(), d.count))
            .collect(),
        lang,
    );
    let compliance = BarChart::build(
        ChartSpec {
            id: "chart-compliance",
            title: tr.t("dash-chart-compliance"),
            label_header: tr.t("dash-col-target"),
            columns: vec![
                tr.t("dash-col-met"),
                tr.t("dash-col-breached"),
                tr.t("dash-col-compliance"),
            ],
            classes: &["bar", "bar-alt"],
            legend: vec![tr.t("dash-col-met"), tr.t("dash-col-breached")],
        },
        figures
            .compliance
            .iter()
            .map(|c| {
                let share =
                    percent_text(c.met, c.met + c.breached, tr).unwrap_or_else(|| "—".to_owned());
                RowInput {
                    label: tr.value("target", c.target.as_str()),
                    values: vec![c.met, c.breached],
                    value_text: share.clone(),
                    cells: vec![c.met.to_string(), c.breached.to_string(), share],
                }
            })
            .collect(),
        lang,
    );
    let escalations = BarChart::build(
        simple(
            "chart-escalations",
            "dash-chart-escalations",
            "dash-col-stage",
            &tr.t("dash-col-escalations"),
        ),
        figures
            .escalations_by_stage
            .iter()
            .map(|s| {
                let name = usize::try_from(s.stage)
                    .ok()
                    .and_then(|index| stage_names.get(index))
                    .cloned()
                    .unwrap_or_else(|| s.stage_name.clone());
                let label = format!("{} — {name}", tr.n("queue-stage", s.stage + 1));
                RowInput::simple(label, s.count)
            })
            .collect(),
        lang,
    );
    let aging = BarChart::build(
        simple("chart-aging", "dash-chart-aging", "dash-col-age", &tickets),
        figures
            .aging
            .iter()
            .enumerate()
            .map(|(index, count)| RowInput::simple(tr.t(&format!("dash-aging-{index}")), *count))
            .collect(),
        lang,
    );
    let workload = BarChart::build(
        simple(
            "chart-workload",
            "dash-chart-workload",
            "dash-col-agent",
            &tr.t("dash-col-assigned"),
        ),
        figures
            .workload
            .iter()
            .map(|agent| RowInput::simple(agent.name.clone(), agent.open_assigned))
            .collect(),
        lang,
    );
    let satisfaction = BarChart::build(
        simple(
            "chart-csat",
            "dash-chart-csat",
            "dash-col-score",
            &tr.t("dash-col-ratings"),
        ),
        if figures.satisfaction.by_score.iter().sum::<i64>() == 0 {
            Vec::new()
        } else {
            figures
                .satisfaction
                .by_score
                .iter()
                .enumerate()
                .map(|(index, count)| {
                    RowInput::simple(tr.value("score", &(index + 1).to_string()), *count)
                })
                .collect()
        },
        lang,
    );
    let now = tr.t("dash-scope-now");
    let period = tr.n("dash-scope-period", days);
    [
        (by_status, &now),
        (by_department, &now),
        (compliance, &period),
        (escalations, &period),
        (aging, &now),
        (workload, &now),
        (satisfaction, &period),
    ]
    .into_iter()
    .map(|(mut chart, scope)| {
        chart.scope = scope.clone();
        chart
    })
    .collect()
}

fn status_label(status: TicketStatus, tr: &Tr) -> String {
    tr.value("status", status.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(classes: &'static [&'static str]) -> ChartSpec {
        ChartSpec {
            id: "chart-test",
            title: "Test".to_owned(),
            label_header: "Label".to_owned(),
            columns: vec!["Value".to_owned()],
            classes,
            legend: vec!["Met".to_owned(), "Breached".to_owned()],
        }
    }

    fn rows() -> Vec<RowInput> {
        vec![
            RowInput::simple("Ten".to_owned(), 10),
            RowInput::simple("Five".to_owned(), 5),
            RowInput::simple("None".to_owned(), 0),
        ]
    }

    #[test]
    fn the_largest_value_fills_the_plot_and_others_scale_to_it() {
        let chart = BarChart::build(spec(&["bar"]), rows(), Lang::En);
        let plot = CHART_WIDTH - VALUE_ROOM;
        assert_eq!(chart.rows[0].segments[0].width, plot);
        assert_eq!(chart.rows[1].segments[0].width, plot / 2.0);
        assert!(chart.rows[2].segments.is_empty(), "a zero draws no bar");
        // Left to right: bars and labels start at the left edge, values follow the bar.
        assert_eq!(chart.rows[0].segments[0].x, 0.0);
        assert_eq!(chart.rows[0].label_x, 0.0);
        assert_eq!(chart.rows[1].value_x, plot / 2.0 + VALUE_GAP);
        assert_eq!(chart.rows[2].value_x, VALUE_GAP);
        assert_eq!(chart.direction, "ltr");
        assert_eq!(chart.height, 3.0 * ROW_HEIGHT + PADDING_BOTTOM);
        assert_eq!(chart.rows[1].bar_y, ROW_HEIGHT + BAR_TOP);
        assert_eq!(chart.summary, "Ten: 10; Five: 5; None: 0");
    }

    #[test]
    fn right_to_left_mirrors_every_position() {
        let ltr = BarChart::build(spec(&["bar"]), rows(), Lang::En);
        let rtl = BarChart::build(spec(&["bar"]), rows(), Lang::Ar);
        assert_eq!(rtl.direction, "rtl");
        for (left, right) in ltr.rows.iter().zip(&rtl.rows) {
            assert_eq!(right.label_x, CHART_WIDTH - left.label_x);
            assert_eq!(right.value_x, CHART_WIDTH - left.value_x);
            assert_eq!(right.bar_y, left.bar_y);
            for (a, b) in left.segments.iter().zip(&right.segments) {
                assert_eq!(b.width, a.width);
                // The bar's far edge in one direction is its near edge in the other.
                assert_eq!(b.x + b.width, CHART_WIDTH - a.x);
            }
        }
        // In Arabic the longest bar ends flush with the right edge.
        let bar = &rtl.rows[0].segments[0];
        assert_eq!(bar.x + bar.width, CHART_WIDTH);
        assert_eq!(rtl.rows[0].label_x, CHART_WIDTH);
    }

    #[test]
    fn stacked_segments_follow_each_other_and_tiny_values_stay_visible() {
        let inputs = vec![
            RowInput {
                label: "First response".to_owned(),
                values: vec![300, 1],
                value_text: "99.7%".to_owned(),
                cells: Vec::new(),
            },
            RowInput {
                label: "Closure".to_owned(),
                values: vec![0, 0],
                value_text: "—".to_owned(),
                cells: Vec::new(),
            },
        ];
        let chart = BarChart::build(spec(&["bar", "bar-alt"]), inputs, Lang::En);
        let segments = &chart.rows[0].segments;
        assert_eq!(segments.len(), 2);
        assert_eq!(segments[0].class, "bar");
        assert_eq!(segments[1].class, "bar-alt");
        assert_eq!(segments[1].width, MIN_BAR);
        assert!((segments[1].x - (segments[0].x + segments[0].width)).abs() < 0.11);
        assert!(chart.rows[1].segments.is_empty());
        // Two series get a legend, and the rows move down to make room for it.
        assert_eq!(chart.legend.len(), 2);
        assert_eq!(chart.rows[0].bar_y, LEGEND_HEIGHT + BAR_TOP);
        let rtl = BarChart::build(
            spec(&["bar", "bar-alt"]),
            vec![RowInput::simple("x".to_owned(), 1)],
            Lang::Ar,
        );
        assert_eq!(rtl.legend[0].swatch_x, CHART_WIDTH - SWATCH);
        assert_eq!(
            rtl.legend[1].swatch_x,
            CHART_WIDTH - LEGEND_SPACING - SWATCH
        );
    }

    #[test]
    fn empty_and_all_zero_charts_have_no_bars() {
        let empty = BarChart::build(spec(&["bar"]), Vec::new(), Lang::Ar);
        assert!(empty.is_empty());
        let zeros = BarChart::build(
            spec(&["bar"]),
            vec![RowInput::simple("a".to_owned(), 0)],
            Lang::Ar,
        );
        assert!(zeros.rows[0].segments.is_empty());
    }

    #[test]
    fn long_labels_are_shortened_only_in_the_drawing() {
        let long = "ا".repeat(80);
        let chart = BarChart::build(
            spec(&["bar"]),
            vec![RowInput::simple(long.clone(), 3)],
            Lang::Ar,
        );
        assert_eq!(chart.rows[0].label, long);
        assert_eq!(chart.rows[0].short_label.chars().count(), MAX_LABEL_CHARS);
        assert!(chart.rows[0].short_label.ends_with('…'));
    }

    #[test]
    fn percentages_and_means_read_well() {
        let english = Tr::new(Lang::En);
        assert_eq!(percent_text(7, 8, &english).as_deref(), Some("87.5%"));
        assert_eq!(percent_text(3, 3, &english).as_deref(), Some("100%"));
        assert_eq!(percent_text(1, 3, &english).as_deref(), Some("33.3%"));
        assert_eq!(percent_text(0, 0, &english), None);
        assert_eq!(
            percent_text(1, 2, &Tr::new(Lang::Ar)).as_deref(),
            Some("50٪")
        );
        assert_eq!(satisfaction_average(&[0, 0, 0, 0, 0]), None);
        assert_eq!(satisfaction_average(&[1, 0, 0, 0, 3]), Some(4.0));
        assert_eq!(satisfaction_average(&[0, 0, 1, 1, 1]), Some(4.0));
        assert_eq!(satisfaction_average(&[0, 1, 0, 0, 2]), Some(4.0));
        assert_eq!(satisfaction_average(&[0, 0, 0, 2, 1]), Some(4.3));
    }

    #[test]
    fn only_offered_periods_are_accepted() {
        assert_eq!(period_days(None), 30);
        assert_eq!(period_days(Some("7")), 7);
        assert_eq!(period_days(Some("90")), 90);
        assert_eq!(period_days(Some("365")), 30);
        assert_eq!(period_days(Some("abc")), 30);
        assert_eq!(period_days(Some("-7")), 30);
    }

    #[test]
    fn arabic_period_names_use_the_right_plural() {
        let arabic = Tr::new(Lang::Ar);
        assert_eq!(arabic.n("dash-period-days", 7_i64), "آخر 7 أيام");
        assert_eq!(arabic.n("dash-period-days", 30_i64), "آخر 30 يومًا");
        assert_eq!(arabic.n("dash-period-days", 90_i64), "آخر 90 يومًا");
        assert_eq!(arabic.n("dash-ratings", 0_i64), "لا توجد تقييمات");
        assert_eq!(arabic.n("dash-ratings", 2_i64), "تقييمان");
        assert_eq!(arabic.n("dash-ratings", 12_i64), "12 تقييمًا");
        assert_eq!(arabic.n("dash-ratings", 100_i64), "100 تقييم");
        let english = Tr::new(Lang::En);
        assert_eq!(english.n("dash-period-days", 7_i64), "Last 7 days");
        assert_eq!(english.n("dash-ratings", 1_i64), "1 rating");
    }
}
