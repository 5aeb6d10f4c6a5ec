// Bulk import of requesters and past tickets, written once and included beside `queries.rs` for
// each backend. Rows go in many to a statement (`sqlx::QueryBuilder`), kept under both
// backends' parameter limits. Private helpers are prefixed with `import_`.

use crate::import::*;

/// Rows per multi-row INSERT: SQLite accepts 32,766 parameters in one statement and PostgreSQL
/// 65,535; the widest row here has thirteen columns.
const IMPORT_ROWS_PER_STATEMENT: usize = 2_000;

pub(crate) async fn import_requesters(pools: &Pool, org_id: i64, requesters: &[NewRequester], now: Timestamp) -> Result<Vec<i64>, StoreError> {
    let mut tx = pools.writer.begin().await?;
    let mut ids = Vec::with_capacity(requesters.len());
    for chunk in requesters.chunks(IMPORT_ROWS_PER_STATEMENT) {
        let mut builder: sqlx::QueryBuilder<Db> = sqlx::QueryBuilder::new("INSERT INTO requesters (org_id, name, email, phone, requester_type, created_at) ");
        builder.push_values(chunk, |mut row, requester| {
            row.push_bind(org_id)
                .push_bind(requester.name.as_str().to_owned())
                .push_bind(requester.contact.email().map(|email| email.as_str().to_owned()))
                .push_bind(requester.contact.phone().map(|phone| phone.as_str().to_owned()))
                .push_bind(requester.requester_type.as_str())
                .push_bind(to_micros(now));
        });
        builder.push(" RETURNING id");
        for row in builder.build().fetch_all(&mut *tx).await? {
            ids.push(row.try_get::<i64, _>("id")?);
        }
    }
    tx.commit().await?;
    Ok(ids)
}

/// The events that replay to an imported ticket's facts: created (as received), a change per
/// classified field, and a message event per message.
struct ImportEvent {
    ticket_index: usize,
    at: i64,
    actor: (&'static str, Option<i64>, String),
    kind: EventKind,
    field: Option<TicketField>,
    before: Option<String>,
    after: Option<String>,
}

pub(crate) async fn import_tickets(pools: &Pool, org: &Organization, tickets: &[ImportedTicket]) -> Result<Vec<String>, StoreError> {
    if tickets.is_empty() {
        return Ok(Vec::new());
    }
    let time_zone = jiff::tz::TimeZone::get(&org.time_zone).map_err(|error| StoreError::Corrupt(format!("organization time zone '{}': {error}", org.time_zone)))?;
    let prefix = sanad_domain::TicketPrefix::parse(&org.ticket_prefix).map_err(|error| StoreError::Corrupt(error.to_string()))?;
    let mut tx = pools.writer.begin().await?;

    // Numbers: reserve a run of sequences per year from the organization's counter.
    let years: Vec<i16> = tickets.iter().map(|ticket| ticket.created_at.to_zoned(time_zone.clone()).year()).collect();
    let mut next_sequence: std::collections::HashMap<i16, i64> = std::collections::HashMap::new();
    let mut distinct: Vec<i16> = years.clone();
    distinct.sort_unstable();
    distinct.dedup();
    for year in distinct {
        let count = years.iter().filter(|candidate| **candidate == year).count() as i64;
        let last: i64 = sqlx::query(
            "INSERT INTO ticket_counters (org_id, year, last_sequence) VALUES ($1, $2, $3) \
             ON CONFLICT (org_id, year) DO UPDATE SET last_sequence = ticket_counters.last_sequence + $3 RETURNING last_sequence",
        )
        .bind(org.id)
        .bind(i64::from(year))
        .bind(count)
        .fetch_one(&mut *tx)
        .await?
        .try_get("last_sequence")?;
        next_sequence.insert(year, last - count + 1);
    }
    let mut numbers = Vec::with_capacity(tickets.len());
    for year in &years {
        let sequence = next_sequence.get_mut(year).ok_or_else(|| StoreError::Corrupt("a ticket year without a counter".into()))?;
        numbers.push(sanad_domain::TicketNumber::new(prefix.clone(), *year, *sequence as u64).to_string());
        *sequence += 1;
    }

    // Categories and departments by code, and the requesters' names for message authorship.
    let mut category_ids: std::collections::HashMap<String, i64> = std::collections::HashMap::new();
    for row in sqlx::query("SELECT id, code FROM categories WHERE org_id = $1").bind(org.id).fetch_all(&mut *tx).await? {
        category_ids.insert(row.try_get("code")?, row.try_get("id")?);
    }
    let mut department_ids: std::collections::HashMap<String, i64> = std::collections::HashMap::new();
    for row in sqlx::query("SELECT id, code FROM departments WHERE org_id = $1").bind(org.id).fetch_all(&mut *tx).await? {
        department_ids.insert(row.try_get("code")?, row.try_get("id")?);
    }
    let mut requester_ids: Vec<i64> = tickets.iter().map(|ticket| ticket.requester_id).collect();
    requester_ids.sort_unstable();
    requester_ids.dedup();
    let mut requesters: std::collections::HashMap<i64, (String, Option<String>, Option<String>)> = std::collections::HashMap::new();
    for chunk in requester_ids.chunks(IMPORT_ROWS_PER_STATEMENT) {
        let mut builder: sqlx::QueryBuilder<Db> = sqlx::QueryBuilder::new("SELECT id, name, email, phone FROM requesters WHERE org_id = ");
        builder.push_bind(org.id).push(" AND id IN (");
        let mut separated = builder.separated(", ");
        for id in chunk {
            separated.push_bind(*id);
        }
        builder.push(")");
        for row in builder.build().fetch_all(&mut *tx).await? {
            requesters.insert(row.try_get("id")?, (row.try_get("name")?, row.try_get("email")?, row.try_get("phone")?));
        }
    }
    for ticket in tickets {
        if !requesters.contains_key(&ticket.requester_id) {
            return Err(StoreError::NotFound { what: "requester", key: ticket.requester_id.to_string() });
        }
        if let Some(code) = &ticket.category
            && !category_ids.contains_key(code)
        {
            return Err(StoreError::NotFound { what: "category", key: code.clone() });
        }
        if let Some(code) = ticket.departments.iter().find(|code| !department_ids.contains_key(*code)) {
            return Err(StoreError::NotFound { what: "department", key: code.clone() });
        }
    }

    // Tickets.
    let mut ticket_ids = Vec::with_capacity(tickets.len());
    let indexed: Vec<(usize, &ImportedTicket)> = tickets.iter().enumerate().collect();
    for chunk in indexed.chunks(IMPORT_ROWS_PER_STATEMENT / 2) {
        let mut builder: sqlx::QueryBuilder<Db> = sqlx::QueryBuilder::new(
            "INSERT INTO tickets (org_id, number, kind, channel, status, subject, category_id, complexity, importance, assignee_id, requester_id, created_at, updated_at, resolved_at) ",
        );
        builder.push_values(chunk, |mut row, (index, ticket)| {
            let updated = ticket.messages.iter().map(|message| message.at).chain(ticket.resolved_at).chain([ticket.created_at]).max().unwrap_or(ticket.created_at);
            row.push_bind(org.id)
                .push_bind(numbers[*index].clone())
                .push_bind(ticket.kind.as_str())
                .push_bind(ticket.channel.as_str())
                .push_bind(ticket.status.as_str())
                .push_bind(ticket.subject.clone())
                .push_bind(ticket.category.as_ref().and_then(|code| category_ids.get(code).copied()))
                .push_bind(ticket.complexity.map(Complexity::as_str))
                .push_bind(ticket.importance.map(Importance::as_str))
                .push_bind(ticket.assignee_id)
                .push_bind(ticket.requester_id)
                .push_bind(to_micros(ticket.created_at))
                .push_bind(to_micros(updated))
                .push_bind(ticket.resolved_at.map(to_micros));
        });
        builder.push(" RETURNING id");
        let rows = builder.build().fetch_all(&mut *tx).await?;
        if rows.len() != chunk.len() {
            return Err(StoreError::Corrupt("a multi-row insert returned fewer ids than rows".into()));
        }
        for row in rows {
            ticket_ids.push(row.try_get::<i64, _>("id")?);
        }
    }
    // RETURNING gives ids in insertion order on both backends for a single VALUES list, and ids
    // are assigned in that order; sorting guards the pairing should a backend ever differ.
    ticket_ids.sort_unstable();

    // Departments.
    let routes: Vec<(i64, i64)> = tickets
        .iter()
        .zip(&ticket_ids)
        .flat_map(|(ticket, id)| ticket.departments.iter().map(move |code| (*id, code)))
        .filter_map(|(id, code)| department_ids.get(code).map(|department| (id, *department)))
        .collect();
    for chunk in routes.chunks(IMPORT_ROWS_PER_STATEMENT) {
        let mut builder: sqlx::QueryBuilder<Db> = sqlx::QueryBuilder::new("INSERT INTO ticket_departments (org_id, ticket_id, department_id) ");
        builder.push_values(chunk, |mut row, (ticket_id, department_id)| {
            row.push_bind(org.id).push_bind(*ticket_id).push_bind(*department_id);
        });
        builder.build().execute(&mut *tx).await?;
    }

    // Messages, then their ids for the message events.
    let messages: Vec<(usize, &ImportedMessage)> = tickets.iter().enumerate().flat_map(|(index, ticket)| ticket.messages.iter().map(move |message| (index, message))).collect();
    let author = |index: usize, message: &ImportedMessage| -> (&'static str, Option<i64>, String) {
        match &message.author {
            ImportedAuthor::Requester => ("requester", Some(tickets[index].requester_id), requesters.get(&tickets[index].requester_id).map(|r| r.0.clone()).unwrap_or_default()),
            ImportedAuthor::Staff { user_id, name } => ("staff", Some(*user_id), name.clone()),
        }
    };
    let mut message_ids = Vec::with_capacity(messages.len());
    for chunk in messages.chunks(IMPORT_ROWS_PER_STATEMENT / 2) {
        let mut builder: sqlx::QueryBuilder<Db> = sqlx::QueryBuilder::new("INSERT INTO messages (org_id, ticket_id, kind, body, actor_kind, actor_id, actor_label, created_at) ");
        builder.push_values(chunk, |mut row, (index, message)| {
            let (kind, id, label) = author(*index, message);
            row.push_bind(org.id)
                .push_bind(ticket_ids[*index])
                .push_bind(message.kind.as_str())
                .push_bind(message.body.clone())
                .push_bind(kind)
                .push_bind(id)
                .push_bind(label)
                .push_bind(to_micros(message.at));
        });
        builder.push(" RETURNING id");
        for row in builder.build().fetch_all(&mut *tx).await? {
            message_ids.push(row.try_get::<i64, _>("id")?);
        }
    }
    message_ids.sort_unstable();

    // Events that replay to the imported facts.
    let mut events = Vec::new();
    let mut message_cursor = 0;
    for (index, ticket) in tickets.iter().enumerate() {
        let created = to_micros(ticket.created_at);
        let requester_name = requesters.get(&ticket.requester_id).map(|r| r.0.clone()).unwrap_or_default();
        let received = TicketFacts {
            status: TicketStatus::Received,
            kind: ticket.kind,
            channel: ticket.channel,
            subject: ticket.subject.clone(),
            category: None,
            complexity: None,
            importance: None,
            departments: Vec::new(),
            assignee: None,
            merged_into: None,
            cancel_reason: None,
            resolved_at: None,
        };
        let json = |value: serde_json::Value| Some(value.to_string());
        events.push(ImportEvent {
            ticket_index: index,
            at: created,
            actor: ("requester", Some(ticket.requester_id), requester_name.clone()),
            kind: EventKind::Created,
            field: None,
            before: None,
            after: Some(serde_json::to_string(&received).map_err(|error| StoreError::Corrupt(error.to_string()))?),
        });
        let change = |field: TicketField, before: serde_json::Value, after: serde_json::Value| ImportEvent {
            ticket_index: index,
            at: created,
            actor: ("system", None, "system".to_owned()),
            kind: EventKind::Changed,
            field: Some(field),
            before: json(before),
            after: json(after),
        };
        let mut changes = Vec::new();
        if let Some(code) = &ticket.category {
            changes.push(change(TicketField::Category, serde_json::Value::Null, serde_json::json!(code)));
        }
        if let Some(complexity) = ticket.complexity {
            changes.push(change(TicketField::Complexity, serde_json::Value::Null, serde_json::json!(complexity)));
        }
        if let Some(importance) = ticket.importance {
            changes.push(change(TicketField::Importance, serde_json::Value::Null, serde_json::json!(importance)));
        }
        if !ticket.departments.is_empty() {
            changes.push(change(TicketField::Departments, serde_json::json!([]), serde_json::json!(ticket.departments)));
        }
        if let Some(assignee) = ticket.assignee_id {
            changes.push(change(TicketField::Assignee, serde_json::Value::Null, serde_json::json!(assignee)));
        }
        events.extend(changes);
        for message in &ticket.messages {
            events.push(ImportEvent {
                ticket_index: index,
                at: to_micros(message.at),
                actor: author(index, message),
                kind: EventKind::MessageAdded,
                field: None,
                before: None,
                after: json(serde_json::json!({ "message_id": message_ids[message_cursor], "kind": message.kind })),
            });
            message_cursor += 1;
        }
        let last = ticket.messages.iter().map(|message| to_micros(message.at)).max().unwrap_or(created);
        if let Some(resolved_at) = ticket.resolved_at {
            events.push(ImportEvent {
                ticket_index: index,
                at: to_micros(resolved_at),
                actor: ("system", None, "system".to_owned()),
                kind: EventKind::Changed,
                field: Some(TicketField::ResolvedAt),
                before: json(serde_json::Value::Null),
                after: json(serde_json::json!(resolved_at.to_string())),
            });
        }
        if ticket.status != TicketStatus::Received {
            events.push(ImportEvent {
                ticket_index: index,
                at: ticket.resolved_at.map(to_micros).unwrap_or(last),
                actor: ("system", None, "system".to_owned()),
                kind: EventKind::Changed,
                field: Some(TicketField::Status),
                before: json(serde_json::json!(TicketStatus::Received)),
                after: json(serde_json::json!(ticket.status)),
            });
        }
    }
    // Imported events are chained like any other (see `audit.rs`): each ticket's events are
    // contiguous and in order here, and rows get their ids in the order of the VALUES.
    let mut heads: Vec<crate::audit::ChainHead> =
        ticket_ids.iter().map(|ticket_id| crate::audit::ChainHead { ticket_id: *ticket_id, seq: 0, hash: None }).collect();
    let links: Vec<crate::audit::ChainLink> = events
        .iter()
        .map(|event| {
            heads[event.ticket_index].append(&crate::audit::EventContent {
                org_id: org.id,
                ticket_id: ticket_ids[event.ticket_index],
                at: event.at,
                actor_kind: event.actor.0,
                actor_id: event.actor.1,
                actor_label: &event.actor.2,
                kind: event.kind.as_str(),
                field: event.field.map(|field| field.as_str()),
                before: event.before.as_deref(),
                after: event.after.as_deref(),
            })
        })
        .collect();
    for (chunk, chunk_links) in events.chunks(IMPORT_ROWS_PER_STATEMENT / 2).zip(links.chunks(IMPORT_ROWS_PER_STATEMENT / 2)) {
        let mut builder: sqlx::QueryBuilder<Db> = sqlx::QueryBuilder::new(
            "INSERT INTO ticket_events (org_id, ticket_id, at, actor_kind, actor_id, actor_label, kind, field, before_value, after_value, chain_seq, content_hash, chain_hash) ",
        );
        builder.push_values(chunk.iter().zip(chunk_links), |mut row, (event, link)| {
            row.push_bind(org.id)
                .push_bind(ticket_ids[event.ticket_index])
                .push_bind(event.at)
                .push_bind(event.actor.0)
                .push_bind(event.actor.1)
                .push_bind(event.actor.2.clone())
                .push_bind(event.kind.as_str())
                .push_bind(event.field.map(|field| field.as_str()))
                .push_bind(event.before.clone())
                .push_bind(event.after.clone())
                .push_bind(link.seq)
                .push_bind(link.content_hash.clone())
                .push_bind(link.chain_hash.clone());
        });
        builder.build().execute(&mut *tx).await?;
    }
    audit_set_heads(&mut tx, &heads).await?;

    // Search entries, analyzed here rather than appended message by message.
    let version = i64::from(sanad_domain::search::ANALYZER_VERSION);
    let mut entries = Vec::with_capacity(tickets.len());
    for (index, ticket) in tickets.iter().enumerate() {
        let (name, email, phone) = requesters.get(&ticket.requester_id).cloned().unwrap_or_default();
        let mut body = String::new();
        for message in &ticket.messages {
            let terms = sanad_domain::search::index_terms(&message.body);
            if terms.is_empty() {
                continue;
            }
            let cap = usize::try_from(MAX_BODY_TERMS_CHARS).unwrap_or(usize::MAX);
            if body.is_empty() {
                body = search_capped(terms);
            } else if body.chars().count() + 1 + terms.chars().count() <= cap {
                body.push(' ');
                body.push_str(&terms);
            }
        }
        let departments: Vec<i64> = ticket.departments.iter().filter_map(|code| department_ids.get(code).copied()).collect();
        entries.push((
            ticket_ids[index],
            sanad_domain::search::index_terms(&ticket.subject),
            search_identity_terms(&numbers[index], &name, email.as_deref(), phone.as_deref()),
            body,
            access_terms(ticket.kind, ticket.assignee_id, &departments),
        ));
    }
    for chunk in entries.chunks(IMPORT_ROWS_PER_STATEMENT / 2) {
        let mut builder: sqlx::QueryBuilder<Db> =
            sqlx::QueryBuilder::new("INSERT INTO ticket_search (ticket_id, org_id, analyzer_version, subject_terms, identity_terms, body_terms, access_terms) ");
        builder.push_values(chunk, |mut row, (ticket_id, subject, identity, body, access)| {
            row.push_bind(*ticket_id)
                .push_bind(org.id)
                .push_bind(version)
                .push_bind(subject.clone())
                .push_bind(identity.clone())
                .push_bind(body.clone())
                .push_bind(access.clone());
        });
        builder.build().execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(numbers)
}
