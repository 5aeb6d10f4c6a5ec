//! `/api/v1/departments` and `/api/v1/categories`: the organization's routing catalogue.

use crate::AppState;
use crate::dto::*;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, ApiPath, OrgAccess};
use axum::extract::State;
use axum::http::StatusCode;
use sanad_store as store;

/// List departments (archived ones included, marked).
#[utoipa::path(get, path = "/api/v1/departments", tag = "catalogue",
    responses((status = 200, body = Vec<DepartmentView>)), security(("bearer" = [])))]
pub async fn list_departments(
    State(state): State<AppState>,
    access: OrgAccess,
) -> Result<axum::Json<Vec<DepartmentView>>, ApiError> {
    let departments = state.store.departments(access.organization.id).await?;
    Ok(axum::Json(
        departments.into_iter().map(DepartmentView::from).collect(),
    ))
}

/// Create a department.
#[utoipa::path(post, path = "/api/v1/departments", tag = "catalogue", request_body = DepartmentBody,
    responses((status = 201, body = DepartmentView), (status = 409, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn create_department(
    State(state): State<AppState>,
    access: OrgAccess,
    ApiJson(body): ApiJson<DepartmentBody>,
) -> Result<(StatusCode, axum::Json<DepartmentView>), ApiError> {
    let input = store::DepartmentInput::try_from(&body)?;
    let department = state
        .store
        .create_department(access.organization.id, &input, state.clock.now())
        .await?;
    Ok((StatusCode::CREATED, axum::Json(department.into())))
}

/// Rename a department (its code cannot change).
#[utoipa::path(put, path = "/api/v1/departments/{code}", tag = "catalogue", params(("code" = String, Path)),
    request_body = DepartmentBody,
    responses((status = 200, body = DepartmentView), (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn update_department(
    State(state): State<AppState>,
    access: OrgAccess,
    ApiPath(code): ApiPath<String>,
    ApiJson(body): ApiJson<DepartmentBody>,
) -> Result<axum::Json<DepartmentView>, ApiError> {
    let input = store::DepartmentInput::try_from(&body)?;
    let department = state
        .store
        .update_department(access.organization.id, &code, &input)
        .await?;
    Ok(axum::Json(department.into()))
}

/// Archive a department: it is no longer offered, and its history stays.
#[utoipa::path(delete, path = "/api/v1/departments/{code}", tag = "catalogue", params(("code" = String, Path)),
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn archive_department(
    State(state): State<AppState>,
    access: OrgAccess,
    ApiPath(code): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    state
        .store
        .archive_department(access.organization.id, &code, state.clock.now())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// List categories with their default departments.
#[utoipa::path(get, path = "/api/v1/categories", tag = "catalogue",
    responses((status = 200, body = Vec<CategoryView>)), security(("bearer" = [])))]
pub async fn list_categories(
    State(state): State<AppState>,
    access: OrgAccess,
) -> Result<axum::Json<Vec<CategoryView>>, ApiError> {
    let categories = state.store.categories(access.organization.id).await?;
    Ok(axum::Json(
        categories.into_iter().map(CategoryView::from).collect(),
    ))
}

/// Create a category.
#[utoipa::path(post, path = "/api/v1/categories", tag = "catalogue", request_body = CategoryBody,
    responses((status = 201, body = CategoryView), (status = 409, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn create_category(
    State(state): State<AppState>,
    access: OrgAccess,
    ApiJson(body): ApiJson<CategoryBody>,
) -> Result<(StatusCode, axum::Json<CategoryView>), ApiError> {
    let input = store::CategoryInput::try_from(&body)?;
    let category = state
        .store
        .create_category(access.organization.id, &input, state.clock.now())
        .await?;
    Ok((StatusCode::CREATED, axum::Json(category.into())))
}

/// Rename a category or change its default department.
#[utoipa::path(put, path = "/api/v1/categories/{code}", tag = "catalogue", params(("code" = String, Path)),
    request_body = CategoryBody,
    responses((status = 200, body = CategoryView), (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn update_category(
    State(state): State<AppState>,
    access: OrgAccess,
    ApiPath(code): ApiPath<String>,
    ApiJson(body): ApiJson<CategoryBody>,
) -> Result<axum::Json<CategoryView>, ApiError> {
    let input = store::CategoryInput::try_from(&body)?;
    let category = state
        .store
        .update_category(access.organization.id, &code, &input)
        .await?;
    Ok(axum::Json(category.into()))
}

/// Archive a category.
#[utoipa::path(delete, path = "/api/v1/categories/{code}", tag = "catalogue", params(("code" = String, Path)),
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn archive_category(
    State(state): State<AppState>,
    access: OrgAccess,
    ApiPath(code): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    state
        .store
        .archive_category(access.organization.id, &code, state.clock.now())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
