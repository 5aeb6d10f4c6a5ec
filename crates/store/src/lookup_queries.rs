// Look-ups of requesters by phone or e-mail and of logged contacts, written once and included
// beside `queries.rs` for each backend. Private helpers are prefixed with `lookup_` so that they
// never collide with the names of the files included beside this one.

use crate::lookup::*;

/// The statuses in which a ticket still waits for the organization: every status but resolved
/// and the terminal ones, as `TicketStatus::is_open` says.
fn lookup_open_statuses() -> Vec<&'static str> {
    TicketStatus::ALL
        .iter()
        .filter(|status| status.is_open())
        .map(|status| status.as_str())
        .collect()
}

pub(crate) async fn lookup_requester_by_key(
    pools: &Pool,
    org_id: i64,
    key: &RequesterKey,
) -> Result<Option<KnownRequester>, StoreError> {
    // Both columns carry a unique index per organization, and both values are stored in the
    // normalized form the domain's parsers produce, so an exact match is the right comparison.
    let (column, value) = match key {
        RequesterKey::Phone(phone) => ("phone", phone.as_str()),
        RequesterKey::Email(email) => ("email", email.as_str()),
    };
    let mut conn = pools.reader.acquire().await?;
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT id, name, email, phone, requester_type FROM requesters WHERE org_id = $1 AND {column} = $2"
    )))
    .bind(org_id)
    .bind(value)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let requester_id: i64 = row.try_get("id")?;
    let open = lookup_open_statuses();
    let mut builder = SqlBuilder::new(
        "SELECT t.id, t.number, t.kind, t.status, t.assignee_id FROM tickets t WHERE ",
    );
    builder.push(
        "t.org_id = ? AND t.requester_id = ?",
        [Param::Int(org_id), Param::Int(requester_id)],
    );
    builder.push(" AND t.status IN (", []);
    for (index, status) in open.iter().enumerate() {
        builder.push(
            if index == 0 { "?" } else { ", ?" },
            [Param::Text((*status).to_owned())],
        );
    }
    builder.push(") ORDER BY t.id", []);
    let ticket_rows = builder.fetch_all(&mut conn).await?;
    let mut tickets: Vec<(i64, OpenTicketRef)> = Vec::with_capacity(ticket_rows.len());
    for ticket in &ticket_rows {
        tickets.push((
            ticket.try_get("id")?,
            OpenTicketRef {
                number: ticket.try_get("number")?,
                kind: parse_stored(&ticket.try_get::<String, _>("kind")?)?,
                status: parse_stored(&ticket.try_get::<String, _>("status")?)?,
                departments: Vec::new(),
                assignee_id: ticket.try_get("assignee_id")?,
            },
        ));
    }
    if !tickets.is_empty() {
        let mut departments = SqlBuilder::new(
            "SELECT td.ticket_id, d.code FROM ticket_departments td JOIN departments d ON d.id = td.department_id WHERE td.ticket_id IN (",
        );
        for (index, (id, _)) in tickets.iter().enumerate() {
            departments.push(if index == 0 { "?" } else { ", ?" }, [Param::Int(*id)]);
        }
        departments.push(") ORDER BY d.code", []);
        for department in departments.fetch_all(&mut conn).await? {
            let ticket_id: i64 = department.try_get("ticket_id")?;
            if let Some((_, ticket)) = tickets.iter_mut().find(|(id, _)| *id == ticket_id) {
                ticket.departments.push(department.try_get("code")?);
            }
        }
    }
    Ok(Some(KnownRequester {
        id: requester_id,
        name: row.try_get("name")?,
        email: row.try_get("email")?,
        phone: row.try_get("phone")?,
        requester_type: parse_stored(&row.try_get::<String, _>("requester_type")?)?,
        open_tickets: tickets.into_iter().map(|(_, ticket)| ticket).collect(),
    }))
}

pub(crate) async fn lookup_contact_record(
    pools: &Pool,
    ticket_id: i64,
) -> Result<Option<ContactRecord>, StoreError> {
    let row = sqlx::query("SELECT details, logged_by FROM contact_details WHERE ticket_id = $1")
        .bind(ticket_id)
        .fetch_optional(&pools.reader)
        .await?;
    let Some(row) = row else { return Ok(None) };
    let text: String = row.try_get("details")?;
    let details = serde_json::from_str(&text).map_err(|error| {
        StoreError::Corrupt(format!("contact details of ticket {ticket_id}: {error}"))
    })?;
    Ok(Some(ContactRecord {
        details,
        logged_by: row.try_get("logged_by")?,
    }))
}
