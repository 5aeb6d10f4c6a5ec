//! The supervisors' read-only API (`/api/v1/supervision/…`) for a regulator's own systems.
//! It takes only supervisor tokens (created by a supervisor on their tokens page): an
//! organization's integration token or a staff member's personal token is unknown here, and a
//! supervisor token is unknown to every other endpoint. Every route is `GET`.
//!
//! What a supervisor reads is decided exactly as on their pages: an organization exists for
//! them only through an active grant (404 otherwise), and personal data is removed from a
//! report unless the grant includes it (`ui::supervision::report_for_supervisor`).

use crate::AppState;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiPath, ApiQuery};
use crate::ui::supervision::report_for_supervisor;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use sanad_domain::permissions::PersonalDataAccess;
use sanad_domain::reports::{AGING_BUCKETS, Report, ReportRange, SatisfactionDimension};
use sanad_domain::service_levels::TargetKind;
use sanad_store::{SupervisionGrant, SupervisorRecord};

/// A supervisor proven by `Authorization: Bearer` with one of their own tokens.
pub struct SupervisorAccess {
    pub supervisor: SupervisorRecord,
}

impl FromRequestParts<AppState> for SupervisorAccess {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = crate::extract::bearer_secret(parts, "a supervisor token")?;
        let supervisor = state
            .store
            .supervisor_by_token_hash(&sanad_store::secrets::token_digest(token))
            .await?
            .ok_or_else(|| {
                ApiError::unauthorized(
                    "the token is not a supervisor token, or it was revoked (organization and \
                     personal tokens are not accepted here)",
                )
            })?;
        Ok(SupervisorAccess { supervisor })
    }
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RangeParams {
    /// The first day, `YYYY-MM-DD`, in the organization's time zone (default: 30 days ago).
    pub from: Option<String>,
    /// The last day, inclusive, `YYYY-MM-DD` (default: today).
    pub to: Option<String>,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct SupervisedOrganization {
    pub slug: String,
    pub name: String,
    /// `hidden` (figures only) or `granted` (staff names and requesters' comments too).
    pub personal_data: String,
}

impl SupervisedOrganization {
    fn of(grant: &SupervisionGrant) -> SupervisedOrganization {
        SupervisedOrganization {
            slug: grant.org_slug.clone(),
            name: grant.org_name.clone(),
            personal_data: grant.personal_data.as_str().to_owned(),
        }
    }
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct SupervisedOrganizations {
    pub organizations: Vec<SupervisedOrganization>,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct CountOf {
    /// The value counted: a status, a kind, a channel, an age bucket, a root-cause category.
    pub key: String,
    pub count: i64,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ComplianceFigure {
    /// first_response, routing, start_handling, closure or overall.
    pub target: String,
    /// all, department, channel, category, complexity or importance.
    pub dimension: String,
    /// The department or category code, channel, complexity or importance; absent for `all`
    /// and for tickets without a value.
    pub value: Option<String>,
    pub met: i64,
    pub breached: i64,
    pub pending: i64,
    /// Met as a share of met and breached, in per cent; absent when nothing was settled.
    pub compliance_percent: Option<f64>,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct DistributionFigure {
    pub count: i64,
    /// Elapsed (calendar) seconds from arrival.
    pub median_seconds: Option<i64>,
    pub p90_seconds: Option<i64>,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct EscalationFigure {
    /// The ladder stage, from 1.
    pub stage: i64,
    pub name: String,
    pub count: i64,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct BreachFigure {
    pub number: String,
    pub target: String,
    /// RFC 3339.
    pub breached_at: String,
    pub root_cause_category: Option<String>,
    /// Present only when the organization granted access to personal data.
    pub root_cause_description: Option<String>,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ScoreFigure {
    /// handling, clarity or closure.
    pub dimension: String,
    /// How many answers gave 1, 2, 3, 4 and 5.
    pub by_score: Vec<i64>,
    pub mean: Option<f64>,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct CommentFigure {
    pub number: String,
    pub score: u8,
    pub comment: String,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct SatisfactionFigure {
    pub asked: i64,
    pub answered: i64,
    pub response_percent: Option<f64>,
    pub dimensions: Vec<ScoreFigure>,
    /// Requesters' comments; empty unless the organization granted access to personal data.
    pub comments: Vec<CommentFigure>,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct WorkloadFigure {
    /// The staff member's name when personal data is granted, otherwise `agent-N`.
    pub agent: String,
    pub assigned: i64,
    pub public_replies: i64,
    pub resolved: i64,
}

/// One organization's report, as its managers see it, less personal data unless granted.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct SupervisionReport {
    pub organization: SupervisedOrganization,
    /// RFC 3339, inclusive.
    pub from: String,
    /// RFC 3339, exclusive.
    pub to: String,
    pub compliance: Vec<ComplianceFigure>,
    pub first_response: DistributionFigure,
    pub closure: DistributionFigure,
    pub backlog: Vec<CountOf>,
    pub aging: Vec<CountOf>,
    pub escalations: Vec<EscalationFigure>,
    pub breaches: Vec<BreachFigure>,
    pub root_causes: Vec<CountOf>,
    pub satisfaction: SatisfactionFigure,
    pub volume_by_kind: Vec<CountOf>,
    pub volume_by_channel: Vec<CountOf>,
    pub workload: Vec<WorkloadFigure>,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct TargetCompliance {
    pub target: String,
    pub compliance_percent: Option<f64>,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct SatisfactionMean {
    pub dimension: String,
    pub mean: Option<f64>,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ComparisonEntry {
    pub organization: SupervisedOrganization,
    pub from: String,
    pub to: String,
    pub volume: i64,
    pub compliance: Vec<TargetCompliance>,
    pub breaches: i64,
    pub escalations: i64,
    pub response_percent: Option<f64>,
    pub satisfaction: Vec<SatisfactionMean>,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Comparison {
    pub organizations: Vec<ComparisonEntry>,
}

fn counts<K>(rows: &[(K, i64)], key: impl Fn(&K) -> String) -> Vec<CountOf> {
    rows.iter()
        .map(|(value, count)| CountOf {
            key: key(value),
            count: *count,
        })
        .collect()
}

fn distribution(figure: &sanad_domain::reports::Distribution) -> DistributionFigure {
    DistributionFigure {
        count: figure.count,
        median_seconds: figure.median_seconds,
        p90_seconds: figure.p90_seconds,
    }
}

/// The JSON shape of a report already stripped for the grant; `names` maps staff ids to names
/// and is consulted only when personal data is granted.
fn report_json(
    grant: &SupervisionGrant,
    report: &Report,
    names: &std::collections::HashMap<i64, String>,
) -> SupervisionReport {
    SupervisionReport {
        organization: SupervisedOrganization::of(grant),
        from: report.range.from().to_string(),
        to: report.range.to().to_string(),
        compliance: report
            .compliance
            .iter()
            .map(|row| ComplianceFigure {
                target: row.target.as_str().to_owned(),
                dimension: row.dimension.as_str().to_owned(),
                value: row.value.clone(),
                met: row.met,
                breached: row.breached,
                pending: row.pending,
                compliance_percent: row.compliance_percent(),
            })
            .collect(),
        first_response: distribution(&report.first_response),
        closure: distribution(&report.closure),
        backlog: counts(&report.backlog, |status| status.as_str().to_owned()),
        aging: AGING_BUCKETS
            .iter()
            .zip(report.aging.iter())
            .map(|(bucket, count)| CountOf {
                key: (*bucket).to_owned(),
                count: *count,
            })
            .collect(),
        escalations: report
            .escalations
            .iter()
            .map(|row| EscalationFigure {
                stage: row.stage,
                name: row.name.clone(),
                count: row.count,
            })
            .collect(),
        breaches: report
            .breaches
            .iter()
            .map(|row| BreachFigure {
                number: row.number.clone(),
                target: row.target.as_str().to_owned(),
                breached_at: row.breached_at.to_string(),
                root_cause_category: row.root_cause_category.clone(),
                root_cause_description: row.root_cause_description.clone(),
            })
            .collect(),
        root_causes: counts(&report.root_causes, Clone::clone),
        satisfaction: SatisfactionFigure {
            asked: report.satisfaction.asked,
            answered: report.satisfaction.answered,
            response_percent: report.satisfaction.response_percent(),
            dimensions: report
                .satisfaction
                .dimensions
                .iter()
                .map(|summary| ScoreFigure {
                    dimension: summary.dimension.as_str().to_owned(),
                    by_score: summary.by_score.to_vec(),
                    mean: summary.mean(),
                })
                .collect(),
            comments: report
                .satisfaction
                .comments
                .iter()
                .map(|comment| CommentFigure {
                    number: comment.number.clone(),
                    score: comment.score,
                    comment: comment.comment.clone(),
                })
                .collect(),
        },
        volume_by_kind: counts(&report.volume_by_kind, |kind| kind.as_str().to_owned()),
        volume_by_channel: counts(&report.volume_by_channel, |channel| {
            channel.as_str().to_owned()
        }),
        workload: report
            .workload
            .iter()
            .enumerate()
            .map(|(index, row)| WorkloadFigure {
                agent: match grant.personal_data {
                    PersonalDataAccess::Granted => names
                        .get(&row.user_id)
                        .cloned()
                        .unwrap_or_else(|| format!("agent-{}", index + 1)),
                    PersonalDataAccess::Hidden => format!("agent-{}", index + 1),
                },
                assigned: row.assigned,
                public_replies: row.public_replies,
                resolved: row.resolved,
            })
            .collect(),
    }
}

/// The report of one granted organization over the asked range, stripped for the grant.
pub async fn supervised_report(
    state: &AppState,
    grant: &SupervisionGrant,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<Report, ApiError> {
    let organization = state
        .store
        .organization_by_slug(&grant.org_slug)
        .await?
        .ok_or_else(|| ApiError::not_found("no such organization"))?;
    let zone = crate::ui::supervision::organization_zone(&organization);
    // The API speaks English, as its other problems do.
    let english = crate::ui::i18n::Tr::new(crate::ui::i18n::Lang::En);
    let range: ReportRange = crate::ui::reports::choose_range(
        &crate::ui::reports::ReportQuery {
            from: from.map(str::to_owned),
            to: to.map(str::to_owned),
        },
        &zone,
        state.clock.now(),
        &english,
    )
    .map_err(ApiError::bad_request)?
    .range;
    let report = state.store.report(grant.org_id, &range).await?;
    Ok(report_for_supervisor(report, grant.personal_data))
}

/// The organizations that granted this supervisor access.
#[utoipa::path(
    get, path = "/api/v1/supervision/organizations", tag = "supervision",
    responses(
        (status = 200, body = SupervisedOrganizations),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn list_organizations(
    State(state): State<AppState>,
    access: SupervisorAccess,
) -> Result<axum::Json<SupervisedOrganizations>, ApiError> {
    let grants = state
        .store
        .supervised_organizations(access.supervisor.id)
        .await?;
    Ok(axum::Json(SupervisedOrganizations {
        organizations: grants.iter().map(SupervisedOrganization::of).collect(),
    }))
}

/// One organization's report over a range of days. Personal data (staff names, requesters'
/// comments, root-cause descriptions) is included only if the organization granted it.
#[utoipa::path(
    get, path = "/api/v1/supervision/organizations/{slug}/report", tag = "supervision",
    params(("slug" = String, Path, description = "The organization"), RangeParams),
    responses(
        (status = 200, body = SupervisionReport),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn organization_report(
    State(state): State<AppState>,
    access: SupervisorAccess,
    ApiPath(slug): ApiPath<String>,
    ApiQuery(params): ApiQuery<RangeParams>,
) -> Result<axum::Json<SupervisionReport>, ApiError> {
    let grant = state
        .store
        .supervision_grant(access.supervisor.id, &slug)
        .await?
        .ok_or_else(|| {
            ApiError::not_found("no organization with this slug has granted you access")
        })?;
    let report =
        supervised_report(&state, &grant, params.from.as_deref(), params.to.as_deref()).await?;
    let names = match grant.personal_data {
        PersonalDataAccess::Granted => state
            .store
            .users(grant.org_id)
            .await?
            .into_iter()
            .map(|user| (user.id, user.name))
            .collect(),
        PersonalDataAccess::Hidden => Default::default(),
    };
    Ok(axum::Json(report_json(&grant, &report, &names)))
}

/// Every granted organization's headline figures side by side: requests, compliance per
/// target, breaches, escalations and satisfaction.
#[utoipa::path(
    get, path = "/api/v1/supervision/comparison", tag = "supervision",
    params(RangeParams),
    responses(
        (status = 200, body = Comparison),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn comparison(
    State(state): State<AppState>,
    access: SupervisorAccess,
    ApiQuery(params): ApiQuery<RangeParams>,
) -> Result<axum::Json<Comparison>, ApiError> {
    let grants = state
        .store
        .supervised_organizations(access.supervisor.id)
        .await?;
    let mut organizations = Vec::with_capacity(grants.len());
    for grant in &grants {
        let report =
            supervised_report(&state, grant, params.from.as_deref(), params.to.as_deref()).await?;
        organizations.push(ComparisonEntry {
            organization: SupervisedOrganization::of(grant),
            from: report.range.from().to_string(),
            to: report.range.to().to_string(),
            volume: report.volume_by_kind.iter().map(|(_, count)| count).sum(),
            compliance: TargetKind::ALL
                .iter()
                .map(|target| TargetCompliance {
                    target: target.as_str().to_owned(),
                    compliance_percent: report
                        .overall_compliance(*target)
                        .and_then(|row| row.compliance_percent()),
                })
                .collect(),
            breaches: report.breaches.len() as i64,
            escalations: report.escalations.iter().map(|row| row.count).sum(),
            response_percent: report.satisfaction.response_percent(),
            satisfaction: SatisfactionDimension::ALL
                .iter()
                .map(|dimension| SatisfactionMean {
                    dimension: dimension.as_str().to_owned(),
                    mean: report
                        .satisfaction
                        .dimensions
                        .iter()
                        .find(|summary| summary.dimension == *dimension)
                        .and_then(|summary| summary.mean()),
                })
                .collect(),
        });
    }
    Ok(axum::Json(Comparison { organizations }))
}
