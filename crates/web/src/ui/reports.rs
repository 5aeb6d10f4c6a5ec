//! Managers' reports over a chosen date range: the page (tables and SVG bar charts), and the same
//! figures as a CSV file and an XLSX workbook.
//!
//! The figures come from `Store::report` (see `sanad_domain::reports` for what each one means).
//! All three outputs are built from one list of [`Section`]s, so the page, the CSV and the
//! workbook cannot disagree. Dates are days in the organization's time zone, both ends
//! included.
//!
//! Who may see: directors, executives and administrators. Team leads are refused for now,
//! because the figures cover every department and complaints stay within their departments;
//! a team lead's view filtered to their departments is left for later.

use super::chrome::{self, Chrome};
use super::dashboard::{BarChart, ChartSpec, RowInput, percent_text};
use super::i18n::{Lang, Tr};
use super::page_error::PageError;
use super::session::StaffContext;
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use sanad_domain::StaffRole;
use sanad_domain::reports::{AGING_BUCKETS, Dimension, Report, ReportRange, ReportRangeError};
use serde::Deserialize;
use std::collections::HashMap;

/// The range shown when none is chosen: the last 30 days, today included.
const DEFAULT_DAYS: i64 = 30;
/// The page lists at most this many breaches and comments; the exports carry them all.
const PAGE_LIST_LIMIT: usize = 200;

pub fn may_see_reports(staff: &StaffContext) -> bool {
    matches!(
        staff.user.role,
        StaffRole::Director | StaffRole::Executive | StaffRole::Admin
    )
}

#[derive(Deserialize, Default)]
pub struct ReportQuery {
    pub from: Option<String>,
    pub to: Option<String>,
}

/// The chosen days as typed, and the range they make.
#[derive(Debug)]
pub struct ChosenRange {
    pub from_text: String,
    pub to_text: String,
    pub range: ReportRange,
}

/// Parses `YYYY-MM-DD`, accepting Arabic-Indic digits as typed on an Arabic keyboard.
fn parse_day(raw: &str) -> Option<Date> {
    let western: String = raw
        .trim()
        .chars()
        .map(|c| match c {
            '٠'..='٩' => char::from(b'0' + (c as u32 - '٠' as u32) as u8),
            '۰'..='۹' => char::from(b'0' + (c as u32 - '۰' as u32) as u8),
            _ => c,
        })
        .collect();
    if western.len() != 10 {
        return None;
    }
    western.parse::<Date>().ok()
}

fn start_of(day: Date, zone: &TimeZone) -> Option<Timestamp> {
    day.to_zoned(zone.clone())
        .ok()
        .map(|zoned| zoned.timestamp())
}

/// The range of the query: `from` and `to` are days in the organization's zone, both included.
/// An empty field takes its default (the last 30 days up to today). The error is the message to
/// show, in the page's language.
pub fn choose_range(
    query: &ReportQuery,
    zone: &TimeZone,
    now: Timestamp,
    tr: &Tr,
) -> Result<ChosenRange, String> {
    let today = now.to_zoned(zone.clone()).date();
    let day = |raw: Option<&str>, default: Date| -> Result<Date, String> {
        match raw.map(str::trim).filter(|text| !text.is_empty()) {
            None => Ok(default),
            Some(text) => parse_day(text).ok_or_else(|| tr.t1("reports-error-date", "value", text)),
        }
    };
    let to_day = day(query.to.as_deref(), today)?;
    let from_default = to_day
        .checked_sub(jiff::Span::new().days(DEFAULT_DAYS - 1))
        .unwrap_or(to_day);
    let from_day = day(query.from.as_deref(), from_default)?;
    let end_day = to_day
        .tomorrow()
        .map_err(|_| tr.t1("reports-error-date", "value", &to_day.to_string()))?;
    let (Some(from), Some(to)) = (start_of(from_day, zone), start_of(end_day, zone)) else {
        return Err(tr.t1("reports-error-date", "value", &to_day.to_string()));
    };
    let range = ReportRange::new(from, to).map_err(|error| match error {
        ReportRangeError::Empty => tr.t("reports-error-order"),
        ReportRangeError::TooLong => tr.n(
            "reports-error-too-long",
            sanad_domain::reports::MAX_RANGE_DAYS,
        ),
    })?;
    Ok(ChosenRange {
        from_text: from_day.to_string(),
        to_text: to_day.to_string(),
        range,
    })
}

// ---- sections ---------------------------------------------------------------------------------

/// One value of a table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Int(i64),
    /// A figure with decimals (a share, a mean, hours), `None` when there is nothing to measure.
    Num(Option<f64>),
}

impl Cell {
    /// The value as the page and the CSV show it.
    pub fn text(&self) -> String {
        match self {
            Cell::Text(text) => text.clone(),
            Cell::Int(value) => value.to_string(),
            Cell::Num(Some(value)) => format!("{:.1}", (value * 10.0).round() / 10.0),
            Cell::Num(None) => "—".to_owned(),
        }
    }

    pub fn is_number(&self) -> bool {
        !matches!(self, Cell::Text(_))
    }
}

/// A table of the report: a stable id (the CSV's `section` column and the worksheet's order),
/// a title and column headers in the page's language, and rows.
#[derive(Debug, Clone)]
pub struct Section {
    pub id: &'static str,
    pub title: String,
    pub note: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

/// Display names of the organization's departments, categories and staff, by code or id.
pub struct Names {
    pub departments: HashMap<String, String>,
    pub categories: HashMap<String, String>,
    pub staff: HashMap<i64, String>,
    pub stages: Vec<String>,
}

impl Names {
    pub async fn load(
        state: &AppState,
        org: &sanad_store::Organization,
        lang: Lang,
    ) -> Result<Names, PageError> {
        let departments = state
            .store
            .departments(org.id)
            .await?
            .into_iter()
            .map(|d| (d.code.clone(), lang.pick(&d.name_ar, &d.name_en).to_owned()))
            .collect();
        let categories = state
            .store
            .categories(org.id)
            .await?
            .into_iter()
            .map(|c| (c.code.clone(), lang.pick(&c.name_ar, &c.name_en).to_owned()))
            .collect();
        let staff = state
            .store
            .users(org.id)
            .await?
            .into_iter()
            .map(|u| (u.id, u.name))
            .collect();
        let stages = state
            .store
            .policy_in_force(org)
            .await?
            .map(|policy| {
                policy
                    .escalation()
                    .iter()
                    .map(|stage| {
                        lang.pick(
                            &stage.name_ar,
                            stage.name_en.as_deref().unwrap_or(&stage.name),
                        )
                        .to_owned()
                    })
                    .collect()
            })
            .unwrap_or_default();
        Ok(Names {
            departments,
            categories,
            staff,
            stages,
        })
    }
}

fn hours(seconds: Option<i64>) -> Cell {
    Cell::Num(seconds.map(|s| s as f64 / 3600.0))
}

fn share(part: i64, whole: i64) -> Cell {
    Cell::Num((whole > 0).then(|| part as f64 * 100.0 / whole as f64))
}

fn dimension_value(dimension: Dimension, value: Option<&str>, names: &Names, tr: &Tr) -> String {
    match (dimension, value) {
        (Dimension::All, _) => tr.t("reports-all-tickets"),
        (_, None) => tr.t("reports-value-none"),
        (Dimension::Department, Some(code)) => names
            .departments
            .get(code)
            .cloned()
            .unwrap_or_else(|| code.to_owned()),
        (Dimension::Category, Some(code)) => names
            .categories
            .get(code)
            .cloned()
            .unwrap_or_else(|| code.to_owned()),
        (Dimension::Channel, Some(value)) => tr.value("channel", value),
        (Dimension::Complexity, Some(value)) => tr.value("complexity", value),
        (Dimension::Importance, Some(value)) => tr.value("importance", value),
    }
}

fn stage_name(stage: i64, fallback: &str, names: &Names) -> String {
    usize::try_from(stage - 1)
        .ok()
        .and_then(|index| names.stages.get(index))
        .cloned()
        .unwrap_or_else(|| fallback.to_owned())
}

/// Every table of the report, in the page's language.
pub fn sections(report: &Report, names: &Names, zone: &TimeZone, tr: &Tr) -> Vec<Section> {
    let h = |keys: &[&str]| keys.iter().map(|key| tr.t(key)).collect::<Vec<_>>();
    let mut sections = Vec::new();
    sections.push(Section {
        id: "compliance",
        title: tr.t("reports-compliance-title"),
        note: tr.t("reports-compliance-note"),
        headers: h(&[
            "reports-col-target",
            "reports-col-dimension",
            "reports-col-value",
            "reports-col-met",
            "reports-col-breached",
            "reports-col-pending",
            "reports-col-compliance",
        ]),
        rows: report
            .compliance
            .iter()
            .map(|row| {
                vec![
                    Cell::Text(tr.value("target", row.target.as_str())),
                    Cell::Text(tr.value("reports-dimension", row.dimension.as_str())),
                    Cell::Text(dimension_value(
                        row.dimension,
                        row.value.as_deref(),
                        names,
                        tr,
                    )),
                    Cell::Int(row.met),
                    Cell::Int(row.breached),
                    Cell::Int(row.pending),
                    Cell::Num(row.compliance_percent()),
                ]
            })
            .collect(),
    });
    sections.push(Section {
        id: "times",
        title: tr.t("reports-times-title"),
        note: tr.t("reports-times-note"),
        headers: h(&[
            "reports-col-measure",
            "reports-col-count",
            "reports-col-median-hours",
            "reports-col-p90-hours",
        ]),
        rows: [
            ("reports-first-response", &report.first_response),
            ("reports-closure", &report.closure),
        ]
        .into_iter()
        .map(|(key, d)| {
            vec![
                Cell::Text(tr.t(key)),
                Cell::Int(d.count),
                hours(d.median_seconds),
                hours(d.p90_seconds),
            ]
        })
        .collect(),
    });
    sections.push(Section {
        id: "backlog",
        title: tr.t("reports-backlog-title"),
        note: tr.t("reports-backlog-note"),
        headers: h(&["reports-col-status", "reports-col-tickets"]),
        rows: report
            .backlog
            .iter()
            .map(|(status, n)| {
                vec![
                    Cell::Text(tr.value("status", status.as_str())),
                    Cell::Int(*n),
                ]
            })
            .collect(),
    });
    sections.push(Section {
        id: "aging",
        title: tr.t("reports-aging-title"),
        note: tr.t("reports-backlog-note"),
        headers: h(&["reports-col-age", "reports-col-tickets"]),
        rows: AGING_BUCKETS
            .iter()
            .zip(report.aging)
            .map(|(bucket, n)| vec![Cell::Text(tr.value("reports-aging", bucket)), Cell::Int(n)])
            .collect(),
    });
    sections.push(Section {
        id: "escalations",
        title: tr.t("reports-escalations-title"),
        note: String::new(),
        headers: h(&[
            "reports-col-stage",
            "reports-col-stage-name",
            "reports-col-escalations",
        ]),
        rows: report
            .escalations
            .iter()
            .map(|row| {
                vec![
                    Cell::Int(row.stage),
                    Cell::Text(stage_name(row.stage, &row.name, names)),
                    Cell::Int(row.count),
                ]
            })
            .collect(),
    });
    sections.push(Section {
        id: "breaches",
        title: tr.t("reports-breaches-title"),
        note: String::new(),
        headers: h(&[
            "reports-col-ticket",
            "reports-col-target",
            "reports-col-breached-at",
            "reports-col-cause",
            "reports-col-cause-description",
        ]),
        rows: report
            .breaches
            .iter()
            .map(|row| {
                vec![
                    Cell::Text(row.number.clone()),
                    Cell::Text(tr.value("target", row.target.as_str())),
                    Cell::Text(
                        row.breached_at
                            .to_zoned(zone.clone())
                            .strftime("%Y-%m-%d %H:%M")
                            .to_string(),
                    ),
                    Cell::Text(
                        row.root_cause_category
                            .clone()
                            .unwrap_or_else(|| tr.t("reports-cause-missing")),
                    ),
                    Cell::Text(row.root_cause_description.clone().unwrap_or_default()),
                ]
            })
            .collect(),
    });
    sections.push(Section {
        id: "root_causes",
        title: tr.t("reports-root-causes-title"),
        note: String::new(),
        headers: h(&["reports-col-cause", "reports-col-breaches"]),
        rows: report
            .root_causes
            .iter()
            .map(|(category, n)| vec![Cell::Text(category.clone()), Cell::Int(*n)])
            .collect(),
    });
    let satisfaction = &report.satisfaction;
    sections.push(Section {
        id: "survey",
        title: tr.t("reports-survey-title"),
        note: tr.t("reports-survey-note"),
        headers: h(&[
            "reports-col-asked",
            "reports-col-answered",
            "reports-col-response-rate",
        ]),
        rows: vec![vec![
            Cell::Int(satisfaction.asked),
            Cell::Int(satisfaction.answered),
            share(satisfaction.answered, satisfaction.asked),
        ]],
    });
    sections.push(Section {
        id: "satisfaction",
        title: tr.t("reports-satisfaction-title"),
        note: String::new(),
        headers: {
            let mut headers = h(&[
                "reports-col-question",
                "reports-col-answers",
                "reports-col-mean",
            ]);
            headers.extend((1..=5).map(|score| tr.value("score", &score.to_string())));
            headers
        },
        rows: satisfaction
            .dimensions
            .iter()
            .map(|summary| {
                let mut row = vec![
                    Cell::Text(tr.value("reports-question", summary.dimension.as_str())),
                    Cell::Int(summary.count()),
                    Cell::Num(summary.mean()),
                ];
                row.extend(summary.by_score.iter().map(|n| Cell::Int(*n)));
                row
            })
            .collect(),
    });
    sections.push(Section {
        id: "comments",
        title: tr.t("reports-comments-title"),
        note: String::new(),
        headers: h(&[
            "reports-col-ticket",
            "reports-col-score",
            "reports-col-comment",
        ]),
        rows: satisfaction
            .comments
            .iter()
            .map(|c| {
                vec![
                    Cell::Text(c.number.clone()),
                    Cell::Int(i64::from(c.score)),
                    Cell::Text(c.comment.clone()),
                ]
            })
            .collect(),
    });
    sections.push(Section {
        id: "volume_kind",
        title: tr.t("reports-volume-kind-title"),
        note: tr.t("reports-volume-note"),
        headers: h(&["reports-col-kind", "reports-col-tickets"]),
        rows: report
            .volume_by_kind
            .iter()
            .map(|(kind, n)| vec![Cell::Text(tr.value("kind", kind.as_str())), Cell::Int(*n)])
            .collect(),
    });
    sections.push(Section {
        id: "volume_channel",
        title: tr.t("reports-volume-channel-title"),
        note: tr.t("reports-volume-note"),
        headers: h(&["reports-col-channel", "reports-col-tickets"]),
        rows: report
            .volume_by_channel
            .iter()
            .map(|(channel, n)| {
                vec![
                    Cell::Text(tr.value("channel", channel.as_str())),
                    Cell::Int(*n),
                ]
            })
            .collect(),
    });
    sections.push(Section {
        id: "workload",
        title: tr.t("reports-workload-title"),
        note: tr.t("reports-workload-note"),
        headers: h(&[
            "reports-col-agent",
            "reports-col-assigned",
            "reports-col-replies",
            "reports-col-resolved",
        ]),
        rows: report
            .workload
            .iter()
            .map(|row| {
                vec![
                    Cell::Text(
                        names
                            .staff
                            .get(&row.user_id)
                            .cloned()
                            .unwrap_or_else(|| format!("#{}", row.user_id)),
                    ),
                    Cell::Int(row.assigned),
                    Cell::Int(row.public_replies),
                    Cell::Int(row.resolved),
                ]
            })
            .collect(),
    });
    sections
}

// ---- charts -----------------------------------------------------------------------------------

fn charts(report: &Report, names: &Names, tr: &Tr, scope: &str) -> Vec<BarChart> {
    let lang = tr.lang;
    let tickets = tr.t("reports-col-tickets");
    let simple = |id, title: &str, label_header: &str, value_header: &str| ChartSpec {
        id,
        title: tr.t(title),
        label_header: tr.t(label_header),
        columns: vec![value_header.to_owned()],
        classes: &["bar"],
        legend: Vec::new(),
    };
    let mut charts = vec![
        BarChart::build(
            ChartSpec {
                id: "chart-compliance",
                title: tr.t("reports-compliance-title"),
                label_header: tr.t("reports-col-target"),
                columns: vec![
                    tr.t("reports-col-met"),
                    tr.t("reports-col-breached"),
                    tr.t("reports-col-compliance"),
                ],
                classes: &["bar", "bar-alt"],
                legend: vec![tr.t("reports-col-met"), tr.t("reports-col-breached")],
            },
            report
                .compliance
                .iter()
                .filter(|row| row.dimension == Dimension::All)
                .map(|row| {
                    let share = percent_text(row.met, row.met + row.breached, tr)
                        .unwrap_or_else(|| "—".to_owned());
                    RowInput {
                        label: tr.value("target", row.target.as_str()),
                        values: vec![row.met, row.breached],
                        value_text: share.clone(),
                        cells: vec![row.met.to_string(), row.breached.to_string(), share],
                    }
                })
                .collect(),
            lang,
        ),
        BarChart::build(
            simple(
                "chart-channel",
                "reports-volume-channel-title",
                "reports-col-channel",
                &tickets,
            ),
            report
                .volume_by_channel
                .iter()
                .map(|(c, n)| RowInput::simple(tr.value("channel", c.as_str()), *n))
                .collect(),
            lang,
        ),
        BarChart::build(
            simple(
                "chart-kind",
                "reports-volume-kind-title",
                "reports-col-kind",
                &tickets,
            ),
            report
                .volume_by_kind
                .iter()
                .map(|(k, n)| RowInput::simple(tr.value("kind", k.as_str()), *n))
                .collect(),
            lang,
        ),
        BarChart::build(
            simple(
                "chart-backlog",
                "reports-backlog-title",
                "reports-col-status",
                &tickets,
            ),
            report
                .backlog
                .iter()
                .map(|(s, n)| RowInput::simple(tr.value("status", s.as_str()), *n))
                .collect(),
            lang,
        ),
        BarChart::build(
            simple(
                "chart-aging",
                "reports-aging-title",
                "reports-col-age",
                &tickets,
            ),
            if report.aging.iter().all(|n| *n == 0) {
                Vec::new()
            } else {
                AGING_BUCKETS
                    .iter()
                    .zip(report.aging)
                    .map(|(b, n)| RowInput::simple(tr.value("reports-aging", b), n))
                    .collect()
            },
            lang,
        ),
        BarChart::build(
            simple(
                "chart-escalations",
                "reports-escalations-title",
                "reports-col-stage",
                &tr.t("reports-col-escalations"),
            ),
            report
                .escalations
                .iter()
                .map(|row| {
                    RowInput::simple(
                        format!(
                            "{} — {}",
                            tr.n("queue-stage", row.stage),
                            stage_name(row.stage, &row.name, names)
                        ),
                        row.count,
                    )
                })
                .collect(),
            lang,
        ),
        BarChart::build(
            simple(
                "chart-workload",
                "reports-workload-title",
                "reports-col-agent",
                &tr.t("reports-col-assigned"),
            ),
            report
                .workload
                .iter()
                .map(|row| {
                    RowInput::simple(
                        names
                            .staff
                            .get(&row.user_id)
                            .cloned()
                            .unwrap_or_else(|| format!("#{}", row.user_id)),
                        row.assigned,
                    )
                })
                .collect(),
            lang,
        ),
    ];
    let overall = report
        .satisfaction
        .dimensions
        .first()
        .filter(|summary| summary.count() > 0);
    charts.push(BarChart::build(
        simple(
            "chart-csat",
            "reports-satisfaction-title",
            "reports-col-score",
            &tr.t("reports-col-answers"),
        ),
        overall
            .map(|summary| {
                summary
                    .by_score
                    .iter()
                    .enumerate()
                    .map(|(i, n)| RowInput::simple(tr.value("score", &(i + 1).to_string()), *n))
                    .collect()
            })
            .unwrap_or_default(),
        lang,
    ));
    for chart in &mut charts {
        chart.scope = scope.to_owned();
    }
    charts
}

// ---- the page ---------------------------------------------------------------------------------

pub struct StatTile {
    pub label: String,
    pub value: String,
}

pub struct ShownSection {
    pub id: &'static str,
    pub title: String,
    pub note: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<(String, bool)>>,
    pub more: String,
}

#[derive(Template)]
#[template(path = "ui/reports.html")]
struct ReportsPage {
    chrome: Chrome,
    action: String,
    from: String,
    to: String,
    error: String,
    scope: String,
    csv_href: String,
    xlsx_href: String,
    stats: Vec<StatTile>,
    charts: Vec<BarChart>,
    sections: Vec<ShownSection>,
}

fn export_href(base: &str, extension: &str, chosen: &ChosenRange, lang: Lang) -> String {
    format!(
        "{base}.{extension}?from={}&to={}&lang={}",
        chosen.from_text,
        chosen.to_text,
        lang.code()
    )
}

pub async fn page(
    State(state): State<AppState>,
    staff: StaffContext,
    Query(query): Query<ReportQuery>,
) -> Result<Response, PageError> {
    if !may_see_reports(&staff) {
        return Err(PageError::Forbidden);
    }
    let tr = *staff.tr();
    let base = format!("/o/{}/desk/reports", staff.org.slug);
    let mut page = ReportsPage {
        chrome: chrome::desk(&staff, tr.t("reports-title"), "reports"),
        action: base.clone(),
        from: query.from.clone().unwrap_or_default(),
        to: query.to.clone().unwrap_or_default(),
        error: String::new(),
        scope: String::new(),
        csv_href: String::new(),
        xlsx_href: String::new(),
        stats: Vec::new(),
        charts: Vec::new(),
        sections: Vec::new(),
    };
    let chosen = match choose_range(&query, &staff.zone, state.clock.now(), &tr) {
        Ok(chosen) => chosen,
        Err(message) => {
            page.error = message;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response());
        }
    };
    let report = state.store.report(staff.org.id, &chosen.range).await?;
    let names = Names::load(&state, &staff.org, tr.lang).await?;
    let scope = tr.t1(
        "reports-scope",
        "range",
        &format!("{} – {}", chosen.from_text, chosen.to_text),
    );
    page.from = chosen.from_text.clone();
    page.to = chosen.to_text.clone();
    page.csv_href = export_href(&base, "csv", &chosen, tr.lang);
    page.xlsx_href = export_href(&base, "xlsx", &chosen, tr.lang);
    page.stats = stat_tiles(&report, &tr);
    page.charts = charts(&report, &names, &tr, &scope);
    page.scope = scope;
    page.sections = shown_sections(sections(&report, &names, &staff.zone, &tr), &tr);
    Ok(Html(page.render()?).into_response())
}

/// The report's tables as a page shows them: at most [`PAGE_LIST_LIMIT`] rows each, with a
/// note of how many more the exports carry.
pub fn shown_sections(sections: Vec<Section>, tr: &Tr) -> Vec<ShownSection> {
    sections
        .into_iter()
        .map(|section| {
            let total = section.rows.len();
            ShownSection {
                id: section.id,
                title: section.title,
                note: section.note,
                headers: section.headers,
                rows: section
                    .rows
                    .iter()
                    .take(PAGE_LIST_LIMIT)
                    .map(|row| {
                        row.iter()
                            .map(|cell| (cell.text(), cell.is_number()))
                            .collect()
                    })
                    .collect(),
                more: if total > PAGE_LIST_LIMIT {
                    tr.n("reports-more-in-exports", total - PAGE_LIST_LIMIT)
                } else {
                    String::new()
                },
            }
        })
        .collect()
}

fn stat_tiles(report: &Report, tr: &Tr) -> Vec<StatTile> {
    let created: i64 = report.volume_by_kind.iter().map(|(_, n)| n).sum();
    let (met, breached) = report
        .compliance
        .iter()
        .filter(|row| row.dimension == Dimension::All)
        .fold((0, 0), |(met, breached), row| {
            (met + row.met, breached + row.breached)
        });
    let open: i64 = report.backlog.iter().map(|(_, n)| n).sum();
    let overall = report.satisfaction.dimensions.first();
    vec![
        StatTile {
            label: tr.t("reports-stat-created"),
            value: created.to_string(),
        },
        StatTile {
            label: tr.t("reports-stat-compliance"),
            value: percent_text(met, met + breached, tr).unwrap_or_else(|| "—".to_owned()),
        },
        StatTile {
            label: tr.t("reports-stat-breaches"),
            value: report.breaches.len().to_string(),
        },
        StatTile {
            label: tr.t("reports-stat-open"),
            value: open.to_string(),
        },
        StatTile {
            label: tr.t("reports-stat-csat"),
            value: overall
                .and_then(|summary| summary.mean())
                .map(|mean| format!("{mean:.1}"))
                .unwrap_or_else(|| "—".to_owned()),
        },
    ]
}

// ---- exports ----------------------------------------------------------------------------------

async fn export_sections(
    state: &AppState,
    staff: &StaffContext,
    query: &ReportQuery,
) -> Result<(ChosenRange, Vec<Section>), PageError> {
    if !may_see_reports(staff) {
        return Err(PageError::Forbidden);
    }
    let tr = *staff.tr();
    let chosen =
        choose_range(query, &staff.zone, state.clock.now(), &tr).map_err(PageError::rejected)?;
    let report = state.store.report(staff.org.id, &chosen.range).await?;
    let names = Names::load(state, &staff.org, tr.lang).await?;
    let sections = sections(&report, &names, &staff.zone, &tr);
    Ok((chosen, sections))
}

fn attachment(content_type: &'static str, file_name: String, body: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}\""),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        body,
    )
        .into_response()
}

/// The CSV: one row per figure, `section, row, column, value`, with the page language's
/// headers, in UTF-8 with a byte-order mark so that spreadsheet programs read Arabic correctly.
pub fn csv_bytes(sections: &[Section], tr: &Tr) -> Result<Vec<u8>, csv::Error> {
    let mut writer = csv::Writer::from_writer(vec![0xEF, 0xBB, 0xBF]);
    writer.write_record([
        tr.t("reports-csv-section"),
        tr.t("reports-csv-row"),
        tr.t("reports-csv-column"),
        tr.t("reports-csv-value"),
    ])?;
    for section in sections {
        for row in &section.rows {
            let label = row.first().map(Cell::text).unwrap_or_default();
            for (header, cell) in section.headers.iter().zip(row.iter()).skip(1) {
                let value = match cell {
                    Cell::Num(Some(value)) => format!("{value:.2}"),
                    Cell::Num(None) => String::new(),
                    other => other.text(),
                };
                writer.write_record([
                    section.id,
                    label.as_str(),
                    header.as_str(),
                    value.as_str(),
                ])?;
            }
        }
    }
    writer
        .into_inner()
        .map_err(|error| csv::Error::from(error.into_error()))
}

/// The workbook: one worksheet per section, headers in the page language, numbers as numbers,
/// and right to left when the page is Arabic.
pub fn xlsx_bytes(
    sections: &[Section],
    lang: Lang,
    scope: &str,
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let decimals = Format::new().set_num_format("0.0");
    for section in sections {
        let sheet = workbook.add_worksheet();
        // Sheet names are at most 31 characters and the ids are short ASCII, so they are safe.
        sheet.set_name(section.id)?;
        if lang == Lang::Ar {
            sheet.set_right_to_left(true);
        }
        sheet.write_string_with_format(0, 0, &section.title, &bold)?;
        sheet.write_string(1, 0, scope)?;
        for (column, header) in section.headers.iter().enumerate() {
            sheet.write_string_with_format(3, column as u16, header, &bold)?;
        }
        for (index, row) in section.rows.iter().enumerate() {
            let line = 4 + index as u32;
            for (column, cell) in row.iter().enumerate() {
                let column = column as u16;
                match cell {
                    Cell::Text(text) => sheet.write_string(line, column, text)?,
                    Cell::Int(value) => sheet.write_number(line, column, *value as f64)?,
                    Cell::Num(Some(value)) => sheet.write_number_with_format(
                        line,
                        column,
                        (value * 100.0).round() / 100.0,
                        &decimals,
                    )?,
                    Cell::Num(None) => sheet.write_string(line, column, "")?,
                };
            }
        }
        sheet.set_column_width(0, 28)?;
    }
    workbook.save_to_buffer()
}

pub async fn csv(
    State(state): State<AppState>,
    staff: StaffContext,
    Query(query): Query<ReportQuery>,
) -> Result<Response, PageError> {
    let (chosen, sections) = export_sections(&state, &staff, &query).await?;
    let body = csv_bytes(&sections, staff.tr()).map_err(|error| {
        tracing::error!(%error, "report CSV failed");
        PageError::Internal
    })?;
    let name = format!(
        "report-{}-{}-{}.csv",
        staff.org.slug, chosen.from_text, chosen.to_text
    );
    Ok(attachment("text/csv; charset=utf-8", name, body))
}

pub async fn xlsx(
    State(state): State<AppState>,
    staff: StaffContext,
    Query(query): Query<ReportQuery>,
) -> Result<Response, PageError> {
    let (chosen, sections) = export_sections(&state, &staff, &query).await?;
    let tr = *staff.tr();
    let scope = format!("{} – {}", chosen.from_text, chosen.to_text);
    let body = xlsx_bytes(&sections, tr.lang, &scope).map_err(|error| {
        tracing::error!(%error, "report workbook failed");
        PageError::Internal
    })?;
    let name = format!(
        "report-{}-{}-{}.xlsx",
        staff.org.slug, chosen.from_text, chosen.to_text
    );
    Ok(attachment(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        name,
        body,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_read_in_the_organization_zone_with_both_ends_included() {
        let zone = TimeZone::get("Asia/Riyadh").unwrap();
        let tr = Tr::new(Lang::En);
        let now: Timestamp = "2026-11-22T10:00:00Z".parse().unwrap();
        let query = |from: &str, to: &str| ReportQuery {
            from: Some(from.to_owned()),
            to: Some(to.to_owned()),
        };
        let chosen = choose_range(&query("2026-11-01", "٢٠٢٦-١١-٠٣"), &zone, now, &tr).unwrap();
        assert_eq!(
            chosen.range.from(),
            "2026-10-31T21:00:00Z".parse::<Timestamp>().unwrap()
        );
        assert_eq!(
            chosen.range.to(),
            "2026-11-03T21:00:00Z".parse::<Timestamp>().unwrap(),
            "the last day is included"
        );
        let default = choose_range(&ReportQuery::default(), &zone, now, &tr).unwrap();
        assert_eq!(
            (default.from_text.as_str(), default.to_text.as_str()),
            ("2026-10-24", "2026-11-22")
        );
        assert!(
            choose_range(&query("2026-13-01", ""), &zone, now, &tr)
                .unwrap_err()
                .contains("2026-13-01")
        );
        assert!(choose_range(&query("2026-11-05", "2026-11-01"), &zone, now, &tr).is_err());
        assert!(choose_range(&query("2020-01-01", "2026-11-01"), &zone, now, &tr).is_err());
    }
}
