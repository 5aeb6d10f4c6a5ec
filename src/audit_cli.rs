//! `sanad audit verify [--org SLUG]`: checks the tamper-evident audit log (the hash chain of
//! every ticket's events, see `crates/store/src/audit.rs`) and exits non-zero naming the
//! organization, ticket and event where it first breaks.

use anyhow::bail;
use clap::Subcommand;
use sanad_store::Store;

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Verify the event log's hash chains: every row's content, every link, every head. Prints
    /// one line per organization with a digest of its chain heads, worth recording elsewhere.
    Verify {
        /// One organization by its slug (all by default).
        #[arg(long, value_name = "SLUG")]
        org: Option<String>,
    },
}

pub async fn run(store: &Store, command: &AuditCommand) -> anyhow::Result<()> {
    match command {
        AuditCommand::Verify { org } => {
            let org_id = match org {
                Some(slug) => match store.organization_by_slug(slug).await? {
                    Some(organization) => Some(organization.id),
                    None => bail!("no organization '{slug}'"),
                },
                None => None,
            };
            let started = std::time::Instant::now();
            let verification = store.verify_audit_chain(org_id).await?;
            let mut broken = Vec::new();
            for audit in &verification.organizations {
                match &audit.first_break {
                    None => println!(
                        "{}: intact — {} tickets, {} events ({} erased lawfully), heads digest {}",
                        audit.slug, audit.tickets, audit.events, audit.redacted, audit.digest
                    ),
                    Some(found) => {
                        let ticket = found
                            .ticket_number
                            .as_deref()
                            .map(|number| format!(" ticket {number}"))
                            .unwrap_or_default();
                        let event = found
                            .event_id
                            .map(|id| format!(" event {id}"))
                            .unwrap_or_default();
                        println!(
                            "{}: BROKEN at{ticket}{event}: {}",
                            audit.slug, found.problem
                        );
                        broken.push(audit.slug.clone());
                    }
                }
            }
            eprintln!(
                "verified {} organization(s) in {:.1} s",
                verification.organizations.len(),
                started.elapsed().as_secs_f64()
            );
            if !broken.is_empty() {
                bail!(
                    "the audit log was tampered with in organization(s): {}",
                    broken.join(", ")
                );
            }
            Ok(())
        }
    }
}
