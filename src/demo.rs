//! `sanad demo`: a fictional training provider with staff and a few hundred tickets.
//!
//! The tickets are replayed through the same store operations the API uses, each at a simulated
//! moment of the last 45 days, so their events, numbers and statuses are what real use produces.
//! The texts come from `demo/corpus.json`: hand-written Arabic and English requests with
//! fictional people and `example.sa` addresses.

use anyhow::Context;
use jiff::{SignedDuration, Timestamp};
use sanad_domain::{
    Channel, Code, Complexity, ConductReason, EmailAddress, Importance, MessageBody, MessageKind,
    PersonName, PhoneNumber, RequesterType, Subject, TicketKind, TicketStatus,
};
use sanad_store::{
    Actor, NewMessage, NewRequester, NewTicket, RequesterContact, Store, TicketChanges,
    TransitionRequest,
};
use serde::Deserialize;

pub const DEMO_SLUG: &str = "online-diplomas";
/// The demo provider publishes seed 004's policy (shipped under `policies/`), so its tickets
/// carry service-level targets and the timer sweep escalates the ones left unanswered.
const DEMO_POLICY_FILE: &str = "policies/seed-004-diplomas-platform.toml";
const DEMO_POLICY: &str = include_str!("../policies/seed-004-diplomas-platform.toml");
/// The regulator's supervisor of the demo (fictional, like every demo account).
const DEMO_SUPERVISOR_EMAIL: &str = "supervisor@ncel.example.sa";
pub const DEMO_PASSWORD: &str = "sanad-demo-2026";
/// Each corpus ticket is replayed this many times, with other requesters and moments.
const REPLAYS: usize = 2;

#[derive(Deserialize)]
struct Corpus {
    requesters: Vec<CorpusRequester>,
    staff: Vec<CorpusStaff>,
    tickets: Vec<CorpusTicket>,
}

#[derive(Deserialize)]
struct CorpusRequester {
    name: String,
    email: Option<String>,
    phone: Option<String>,
    #[serde(rename = "type")]
    requester_type: RequesterType,
    lang: String,
}

#[derive(Deserialize)]
struct CorpusStaff {
    name: String,
    email: String,
    role: String,
    departments: Vec<String>,
}

#[derive(Deserialize)]
struct CorpusTicket {
    lang: String,
    kind: TicketKind,
    channel: Channel,
    category: String,
    complexity: Complexity,
    importance: Importance,
    subject: String,
    body: String,
    conversation: Vec<CorpusEntry>,
}

#[derive(Deserialize)]
struct CorpusEntry {
    author: String,
    visibility: String,
    body: String,
}

pub struct DemoSummary {
    pub organization: sanad_store::Organization,
    pub token: String,
    pub staff: Vec<(String, String, String)>,
    pub tickets: i64,
    /// A resolved ticket a newcomer can follow as its requester, with a fresh tracking code.
    pub requester_ticket: Option<(String, String)>,
}

/// Canned replies the demo desk starts with; `{{…}}` are filled per ticket.
const CANNED_REPLIES: &[(&str, &str)] = &[
    (
        "ترحيب واستلام",
        "مرحبًا {{requester_name}}،\n\nاستلمنا طلبك رقم {{ticket_number}} بعنوان «{{subject}}»، ونعمل عليه الآن وسنوافيك بالمستجدات.\n\nمع التحية،\n{{agent_name}}\n{{organization}}",
    ),
    (
        "طلب معلومات إضافية",
        "مرحبًا {{requester_name}}،\n\nلنتمكن من معالجة طلبك {{ticket_number}} نرجو تزويدنا برقم الهوية التدريبية ولقطة شاشة للمشكلة.\n\nمع التحية،\n{{agent_name}}",
    ),
    (
        "إغلاق بعد الحل",
        "مرحبًا {{requester_name}}،\n\nتم حل طلبك {{ticket_number}}. إن بقي لديك أي استفسار فبإمكانك الرد على هذه الرسالة خلال سبعة أيام لإعادة فتح الطلب، ويسعدنا تقييمك للخدمة.\n\n{{organization}}",
    ),
    (
        "Acknowledgement (English)",
        "Dear {{requester_name}},\n\nWe received your request {{ticket_number}} (\"{{subject}}\") and are working on it.\n\nKind regards,\n{{agent_name}}, {{organization}}",
    ),
];

fn corpus() -> anyhow::Result<Corpus> {
    serde_json::from_str(include_str!("demo/corpus.json"))
        .context("the embedded demo corpus is invalid")
}

/// A small deterministic mixer, so every demo database is the same.
fn mix(seed: usize) -> usize {
    let mut x = seed as u64 ^ 0x9E37_79B9_7F4A_7C15;
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    (x ^ (x >> 31)) as usize
}

/// Creates the demo organization on first run; later runs reuse it and only mint a new token.
pub async fn prepare(store: &Store) -> anyhow::Result<DemoSummary> {
    let corpus = corpus()?;
    let staff_logins: Vec<(String, String, String)> = corpus
        .staff
        .iter()
        .map(|staff| (staff.role.clone(), staff.name.clone(), staff.email.clone()))
        .collect();
    if let Some(organization) = store.organization_by_slug(DEMO_SLUG).await? {
        // A demo database made before the knowledge base existed gets its articles now.
        if store.kb_categories(organization.id).await?.is_empty() {
            seed_knowledge_base(store, &organization, None, Timestamp::now()).await?;
        }
        let token = crate::create_token(store, organization.id, "demo").await?;
        let tickets = store.count_tickets(organization.id).await?;
        let requester_ticket = requester_ticket(store, &organization).await?;
        return Ok(DemoSummary {
            organization,
            token,
            staff: staff_logins,
            tickets,
            requester_ticket,
        });
    }
    let created = crate::create_organization(
        store,
        DEMO_SLUG,
        "منصة الدبلومات الإلكترونية",
        Some("OD"),
        "Asia/Riyadh",
        168,
    )
    .await?;
    store
        .apply_policy(
            &created,
            DEMO_POLICY_FILE,
            DEMO_POLICY,
            sanad_store::RecomputeDeadlines::KeepRunning,
            Timestamp::now(),
        )
        .await?;
    // Read back so that tickets are created under the policy version now in force.
    let organization = store
        .organization_by_slug(DEMO_SLUG)
        .await?
        .context("the demo organization vanished")?;
    let password_hash = crate::hash_password(DEMO_PASSWORD)?;
    let now = Timestamp::now();
    let mut staff = Vec::new();
    for member in &corpus.staff {
        let mut new = crate::new_user(
            &member.email,
            &member.name,
            &member.role,
            &member.departments,
            None,
        )?;
        new.password_hash = Some(password_hash.clone());
        let user = store.create_user(organization.id, &new, now).await?;
        staff.push(user);
    }
    let start = now - SignedDuration::from_hours(24 * 45);
    let total = corpus.tickets.len() * REPLAYS;
    let step = SignedDuration::from_secs(45 * 24 * 3600 / total as i64);
    for index in 0..total {
        let ticket = &corpus.tickets[mix(index) % corpus.tickets.len()];
        let created_at =
            start + step * index as i32 + SignedDuration::from_secs((mix(index + 7) % 3000) as i64);
        replay_ticket(
            store,
            &organization,
            &corpus,
            &staff,
            ticket,
            index,
            created_at,
            now,
        )
        .await?;
    }
    escalate_a_few(store, &organization, &staff, now).await?;
    // A regulator's supervisor whom the demo organization granted figures only, so the
    // supervision pages and API have something to show.
    let supervisor_email = sanad_domain::EmailAddress::parse(DEMO_SUPERVISOR_EMAIL)?;
    store
        .create_supervisor(
            &supervisor_email,
            &sanad_domain::PersonName::parse("مكتب الإشراف (تجريبي)")?,
            Some(&password_hash),
            now,
        )
        .await?;
    store
        .grant_supervision(
            organization.id,
            &supervisor_email,
            sanad_domain::permissions::PersonalDataAccess::Hidden,
            None,
            now,
        )
        .await?;
    for (title, body) in CANNED_REPLIES {
        store
            .create_canned_reply(organization.id, title, body, now)
            .await?;
    }
    let author = staff
        .iter()
        .find(|user| user.role == sanad_domain::StaffRole::TeamLead)
        .map(|user| user.id);
    seed_knowledge_base(store, &organization, author, now).await?;
    let policy = sanad_domain::policy::Policy::parse(DEMO_POLICY, DEMO_POLICY_FILE)
        .map_err(|errors| anyhow::anyhow!("the demo policy is invalid: {errors}"))?;
    for channel in policy.channels() {
        store
            .set_channel_setting(
                organization.id,
                &sanad_store::ChannelSetting {
                    channel: channel.channel,
                    state: sanad_store::ChannelState::Enabled,
                    address: channel.contact.clone(),
                },
            )
            .await?;
    }
    let token = crate::create_token(store, organization.id, "demo").await?;
    let tickets = store.count_tickets(organization.id).await?;
    let requester_ticket = requester_ticket(store, &organization).await?;
    Ok(DemoSummary {
        organization,
        token,
        staff: staff_logins,
        tickets,
        requester_ticket,
    })
}

/// Picks the newest resolved ticket and gives it a new tracking code, printed at start, so a
/// newcomer can follow it as its requester (reply, reopen, rate). Codes are stored only as
/// digests, so each start makes a new one.
async fn requester_ticket(
    store: &Store,
    organization: &sanad_store::Organization,
) -> anyhow::Result<Option<(String, String)>> {
    let page = store
        .list_tickets(
            organization.id,
            &sanad_store::TicketFilter {
                status: Some(TicketStatus::Resolved),
                limit: 1,
                ..sanad_store::TicketFilter::default()
            },
        )
        .await?;
    let Some(ticket) = page.tickets.into_iter().next() else {
        return Ok(None);
    };
    let code = sanad_web::ui::portal::new_tracking_code();
    store
        .set_tracking_code(
            organization.id,
            ticket.id,
            &sanad_store::secrets::token_digest(&code),
            Timestamp::now(),
        )
        .await?;
    Ok(Some((ticket.number, code)))
}

#[allow(clippy::too_many_arguments)]
async fn replay_ticket(
    store: &Store,
    organization: &sanad_store::Organization,
    corpus: &Corpus,
    staff: &[sanad_store::User],
    ticket: &CorpusTicket,
    index: usize,
    created_at: Timestamp,
    now: Timestamp,
) -> anyhow::Result<()> {
    let candidates: Vec<&CorpusRequester> = corpus
        .requesters
        .iter()
        .filter(|requester| requester.lang == ticket.lang)
        .collect();
    let requester = candidates[mix(index + 13) % candidates.len()];
    let contact = RequesterContact::from_parts(
        requester
            .email
            .as_deref()
            .map(EmailAddress::parse)
            .transpose()?,
        requester
            .phone
            .as_deref()
            .map(PhoneNumber::parse)
            .transpose()?,
    )
    .context("a demo requester has neither e-mail nor phone")?;
    let requester_actor_name = requester.name.clone();
    let new = NewTicket {
        kind: ticket.kind,
        channel: ticket.channel,
        subject: Subject::parse(&ticket.subject)?,
        body: MessageBody::parse(&ticket.body)?,
        category: Some(Code::parse(&ticket.category)?),
        requester: NewRequester {
            name: PersonName::parse(&requester.name)?,
            contact,
            requester_type: requester.requester_type,
        },
        attachments: Vec::new(),
    };
    let intake = if ticket.channel.is_staff_logged() {
        let agent = staff
            .iter()
            .find(|user| user.role == sanad_domain::StaffRole::Agent)
            .unwrap_or(&staff[0]);
        Actor::Staff {
            id: agent.id,
            name: agent.name.clone(),
        }
    } else {
        Actor::Token {
            id: 0,
            name: format!("{} channel", ticket.channel),
        }
    };
    let created = store
        .create_ticket(organization, &new, None, &intake, created_at)
        .await?;
    let number = created.ticket.number;
    let age = now.duration_since(created_at);
    // The newest tickets are still waiting to be classified, as on any real desk.
    if age < SignedDuration::from_hours(20) {
        return Ok(());
    }
    let departments = created.ticket.departments.clone();
    let handler = staff
        .iter()
        .find(|user| {
            matches!(
                user.role,
                sanad_domain::StaffRole::Agent | sanad_domain::StaffRole::Specialist
            ) && user
                .departments
                .iter()
                .any(|department| departments.contains(department))
        })
        .or_else(|| {
            staff
                .iter()
                .find(|user| user.role == sanad_domain::StaffRole::Agent)
        })
        .context("the demo corpus has no agent")?;
    let handler_actor = Actor::Staff {
        id: handler.id,
        name: handler.name.clone(),
    };
    let mut at = created_at + SignedDuration::from_mins(20 + (mix(index + 3) % 90) as i64);
    let mut extra_departments: Vec<Code> = departments
        .iter()
        .map(|code| Code::parse(code))
        .collect::<Result<_, _>>()?;
    if ticket.complexity == Complexity::Critical {
        // Critical cases need more than one department (seed 002).
        for code in ["customer-relations", "financial-support"] {
            let code = Code::parse(code)?;
            if !extra_departments.contains(&code) {
                extra_departments.push(code);
            }
        }
    }
    let changes = TicketChanges {
        complexity: Some(ticket.complexity),
        importance: Some(ticket.importance),
        departments: Some(extra_departments),
        assignee_id: Some(Some(handler.id)),
        ..TicketChanges::default()
    };
    store
        .change_ticket(organization, &number, &changes, &handler_actor, at)
        .await?;
    if age < SignedDuration::from_hours(30) {
        return Ok(());
    }
    at += SignedDuration::from_mins(15);
    let to_progress = TransitionRequest {
        to: TicketStatus::InProgress,
        reason: None,
        merge_into: None,
    };
    store
        .transition_ticket(organization, &number, &to_progress, &handler_actor, at)
        .await?;
    for entry in &ticket.conversation {
        at += SignedDuration::from_mins(35 + (mix(index + at.as_second() as usize) % 240) as i64);
        let (kind, actor) = match (entry.author.as_str(), entry.visibility.as_str()) {
            ("requester", _) => (
                MessageKind::RequesterMessage,
                Actor::Requester {
                    id: created.ticket.requester.id,
                    name: requester_actor_name.clone(),
                },
            ),
            (_, "internal") => (MessageKind::InternalNote, handler_actor.clone()),
            _ => (MessageKind::PublicReply, handler_actor.clone()),
        };
        let message = NewMessage {
            kind,
            body: MessageBody::parse(&entry.body)?,
            attachments: Vec::new(),
        };
        store
            .add_message(organization, &number, &message, &actor, at)
            .await?;
    }
    let outcome = mix(index + 101) % 10;
    let offensive = ticket
        .conversation
        .iter()
        .any(|entry| entry.visibility == "internal" && entry.body.contains("مشرف"))
        && ticket.kind == TicketKind::Complaint
        && outcome < 3;
    at += SignedDuration::from_hours(2);
    if offensive {
        let cancel = TransitionRequest {
            to: TicketStatus::Cancelled,
            reason: Some(ConductReason::parse(
                "مخالفة آداب التواصل: عبارات غير لائقة تجاه الموظفين (سياسة التواصل، البند 1)",
            )?),
            merge_into: None,
        };
        store
            .transition_ticket(organization, &number, &cancel, &handler_actor, at)
            .await?;
        return Ok(());
    }
    match outcome {
        0 | 1 if age < SignedDuration::from_hours(24 * 6) => {
            let wait = TransitionRequest {
                to: TicketStatus::WaitingOnRequester,
                reason: None,
                merge_into: None,
            };
            store
                .transition_ticket(organization, &number, &wait, &handler_actor, at)
                .await?;
        }
        2 if age < SignedDuration::from_hours(24 * 10) => {}
        _ if age > SignedDuration::from_hours(24 * 3) => {
            let resolve = TransitionRequest {
                to: TicketStatus::Resolved,
                reason: None,
                merge_into: None,
            };
            store
                .transition_ticket(organization, &number, &resolve, &handler_actor, at)
                .await?;
            if age > SignedDuration::from_hours(24 * 12) {
                let close = TransitionRequest {
                    to: TicketStatus::Closed,
                    reason: None,
                    merge_into: None,
                };
                store
                    .transition_ticket(
                        organization,
                        &number,
                        &close,
                        &Actor::System,
                        at + SignedDuration::from_hours(24 * 7),
                    )
                    .await?;
            }
        }
        _ => {}
    }
    Ok(())
}

pub fn print_welcome(summary: &DemoSummary, config: &crate::config::Config) {
    let url = format!("http://{}", config.listen);
    println!();
    println!("  سند — Sanad demo");
    println!(
        "  Organization : {} ({}), {} tickets",
        summary.organization.name, summary.organization.slug, summary.tickets
    );
    println!("  Open         : {url}/");
    println!("  API docs     : {url}/api/docs/");
    println!(
        "  Policy       : {DEMO_POLICY_FILE} (targets, alerts and the escalation ladder are live)"
    );
    println!("  API token    : {}", summary.token);
    println!(
        "  Try          : curl -H 'Authorization: Bearer {}' {url}/api/v1/tickets?limit=5",
        summary.token
    );
    println!();
    let slug = &summary.organization.slug;
    println!("  Requester portal : {url}/o/{slug}");
    if let Some((number, code)) = &summary.requester_ticket {
        println!("  As a requester   : ticket {number}, tracking code {code}");
        println!("                     {url}/o/{slug}/track/{number}?code={code}");
    }
    println!("  Help centre      : {url}/o/{slug}/kb");
    println!("  Staff sign-in    : {url}/o/{slug}/login");
    println!("  Live chat widget : <script src=\"{url}/o/{slug}/chat/widget.js\" defer></script>");
    println!(
        "                     (paste on any page; offline outside the policy's working hours)"
    );
    println!();
    println!("  Supervisors      : {url}/supervision  ({DEMO_SUPERVISOR_EMAIL}, figures only)");
    println!();
    println!("  Staff accounts (password for all: {DEMO_PASSWORD}):");
    for (role, name, email) in &summary.staff {
        println!("    {role:<11} {email:<40} {name}");
    }
    println!();
}

/// Two of the newest unanswered requests were escalated by hand up to the director's stage, so
/// the demo's directors find work in "escalated to me" and the ladder shows on a ticket.
async fn escalate_a_few(
    store: &Store,
    organization: &sanad_store::Organization,
    staff: &[sanad_store::User],
    now: Timestamp,
) -> anyhow::Result<()> {
    let Some(lead) = staff
        .iter()
        .find(|user| user.role == sanad_domain::StaffRole::TeamLead)
    else {
        return Ok(());
    };
    let actor = Actor::Staff {
        id: lead.id,
        name: lead.name.clone(),
    };
    let newest = store
        .list_tickets(
            organization.id,
            &sanad_store::TicketFilter {
                limit: 40,
                ..sanad_store::TicketFilter::default()
            },
        )
        .await?;
    let chosen = newest
        .tickets
        .iter()
        .filter(|ticket| ticket.status.is_open() && !ticket.departments.is_empty())
        .filter(|ticket| matches!(ticket.channel, Channel::Email | Channel::Whatsapp))
        .take(2);
    let note = MessageBody::parse("صعّدته لأن المتدرب ينتظر منذ أيام، ويحتاج قرارًا من مدير الإدارة.")?;
    for ticket in chosen {
        for _stage in 0..2 {
            store
                .escalate_by_staff(organization, &ticket.number, &note, &actor, now)
                .await?;
        }
    }
    Ok(())
}

/// The demo's knowledge-base categories: code, Arabic and English names.
const KB_CATEGORIES: &[(&str, &str, &str)] = &[
    ("accounts", "الحساب وتسجيل الدخول", "Account and sign-in"),
    ("exams", "الاختبارات", "Exams"),
    ("certificates", "الشهادات", "Certificates"),
    ("virtual-classes", "الفصول الافتراضية", "Virtual classes"),
];

/// One article of the demo help centre in both languages: its category, the Arabic article's
/// address (an English one is made from the English title), and each language's title and
/// Markdown body.
struct KbPair {
    category: &'static str,
    slug_ar: &'static str,
    title_ar: &'static str,
    body_ar: &'static str,
    title_en: &'static str,
    body_en: &'static str,
}

const KB_PAIRS: &[KbPair] = &[
    KbPair {
        category: "accounts",
        slug_ar: "reset-your-password",
        title_ar: "إعادة تعيين كلمة المرور",
        body_ar: "إذا نسيت كلمة المرور فيمكنك تعيين كلمة جديدة بنفسك خلال دقائق.\n\n# الخطوات\n\n1. افتح صفحة الدخول إلى المنصة التدريبية واضغط «نسيت كلمة المرور».\n2. اكتب بريدك الإلكتروني المسجل لدينا، مثل name@example.sa.\n3. افتح الرسالة التي تصلك واضغط الرابط خلال 30 دقيقة.\n4. اختر كلمة مرور جديدة من 10 أحرف على الأقل.\n\n# إن لم تصلك الرسالة\n\n- تحقق من مجلد الرسائل غير المرغوب فيها.\n- تأكد أن البريد هو نفسه المسجل في ملفك التدريبي.\n- إن تغيّر بريدك فأرسل إلينا طلب دعم فني مع رقم هويتك التدريبية.",
        title_en: "How to reset your password",
        body_en: "If you forgot your password you can set a new one yourself in a few minutes.\n\n# Steps\n\n1. Open the training platform's sign-in page and choose **Forgot password**.\n2. Type the e-mail address we have on file, such as name@example.sa.\n3. Open the message you receive and follow the link within 30 minutes.\n4. Choose a new password of at least 10 characters.\n\n# If the message does not arrive\n\n- Look in your spam folder.\n- Make sure it is the address in your trainee record.\n- If your address changed, send us a technical-support request with your trainee ID.",
    },
    KbPair {
        category: "exams",
        slug_ar: "reschedule-an-exam",
        title_ar: "إعادة جدولة موعد الاختبار",
        body_ar: "يمكن تأجيل موعد الاختبار النهائي مرة واحدة في كل مقرر، بشرط أن تطلب ذلك قبل موعده بثمانٍ وأربعين ساعة على الأقل.\n\n# كيف أطلب التأجيل؟\n\n1. افتح المقرر في المنصة ثم صفحة «الاختبارات».\n2. اختر «طلب تغيير الموعد» واختر موعدًا من المواعيد المتاحة.\n3. يصلك تأكيد بالموعد الجديد على بريدك.\n\n# ظرف طارئ قبل الاختبار بأقل من 48 ساعة؟\n\nأرسل إلينا طلبًا من نوع «استفسار» وأرفق ما يثبت الظرف (تقرير طبي مثلًا)، وسينظر فيه قسم شؤون المتدربين.",
        title_en: "Rescheduling an exam",
        body_en: "A final exam can be moved once per course, if you ask at least 48 hours before it starts.\n\n# How do I ask?\n\n1. Open the course on the platform, then its **Exams** page.\n2. Choose **Request a new date** and pick one of the available slots.\n3. You receive the new date by e-mail.\n\n# An emergency less than 48 hours before the exam?\n\nSend us an inquiry with proof of the circumstances (a medical report, for example); student affairs will review it.",
    },
    KbPair {
        category: "certificates",
        slug_ar: "get-your-certificate",
        title_ar: "الحصول على شهادة إتمام البرنامج",
        body_ar: "تصدر الشهادة إلكترونيًا خلال يومي عمل من اجتياز الاختبار النهائي وإكمال نسبة الحضور المطلوبة (75٪).\n\n# أين أجد شهادتي؟\n\nفي المنصة، من قائمة حسابك اختر «شهاداتي»، ثم «تنزيل PDF». تحمل كل شهادة رمز تحقق يمكن لجهة عملك التأكد منه.\n\n# لم تصدر الشهادة بعد يومي عمل؟\n\nتحقق من اكتمال الحضور في صفحة المقرر، ثم أرسل إلينا طلبًا من نوع «دعم فني» في تصنيف الشهادات مع اسم البرنامج.",
        title_en: "Getting your completion certificate",
        body_en: "Your certificate is issued electronically within two working days of passing the final exam, provided your attendance reached the required 75%.\n\n# Where do I find it?\n\nOn the platform, open your account menu and choose **My certificates**, then **Download PDF**. Each certificate carries a verification code your employer can check.\n\n# Not issued after two working days?\n\nCheck that your attendance is complete on the course page, then send us a technical-support request in the certificates category with the programme's name.",
    },
    KbPair {
        category: "virtual-classes",
        slug_ar: "virtual-class-attendance",
        title_ar: "تسجيل الحضور في الفصول الافتراضية",
        body_ar: "يُسجَّل حضورك تلقائيًا عند دخولك الفصل الافتراضي من رابط المقرر في المنصة، لا من رابط مرسل في رسالة.\n\n# ليُحتسب حضورك كاملًا\n\n- ادخل قبل بداية المحاضرة بخمس دقائق على الأقل.\n- ابق متصلًا حتى نهاية المحاضرة؛ الخروج قبل مضي 80٪ من وقتها يُسجَّل غيابًا جزئيًا.\n- استخدم اسمك كما هو في ملفك التدريبي.\n\n# انقطع اتصالك؟\n\nعد إلى الفصل من الرابط نفسه فورًا؛ تُجمع مدد الحضور. إن ظهر غيابك خطأً فأرسل إلينا طلبًا مع تاريخ المحاضرة خلال ثلاثة أيام.",
        title_en: "Attendance in virtual classes",
        body_en: "Your attendance is recorded automatically when you join a virtual class from the course link on the platform, not from a link sent by e-mail.\n\n# For your attendance to count in full\n\n- Join at least five minutes before the lecture starts.\n- Stay until the end; leaving before 80% of the lecture is recorded as partial absence.\n- Use your name as it is in your trainee record.\n\n# Lost your connection?\n\nRejoin from the same link at once; the periods you attended are added up. If you were marked absent by mistake, send us a request with the lecture's date within three days.",
    },
];

/// The demo help centre: four categories and four articles, each in Arabic and English and
/// linked as translations, all published.
async fn seed_knowledge_base(
    store: &Store,
    organization: &sanad_store::Organization,
    author: Option<i64>,
    now: Timestamp,
) -> anyhow::Result<()> {
    use sanad_domain::knowledge::{
        ArticleBody, ArticleLanguage, ArticleSlug, ArticleStatus, ArticleTitle, KbCategoryCode,
        KbCategoryName,
    };
    for (position, (code, name_ar, name_en)) in KB_CATEGORIES.iter().enumerate() {
        store
            .create_kb_category(
                organization.id,
                &KbCategoryCode::parse(code)?,
                &sanad_store::KbCategoryInput {
                    name_ar: KbCategoryName::parse(name_ar)?,
                    name_en: KbCategoryName::parse(name_en)?,
                    position: i64::try_from(position)?,
                },
                now,
            )
            .await?;
    }
    for pair in KB_PAIRS {
        let category = Some(KbCategoryCode::parse(pair.category)?);
        let arabic = store
            .create_kb_article(
                organization.id,
                &sanad_store::KbArticleInput {
                    slug: Some(ArticleSlug::parse(pair.slug_ar)?),
                    language: ArticleLanguage::Ar,
                    title: ArticleTitle::parse(pair.title_ar)?,
                    body: ArticleBody::parse(pair.body_ar)?,
                    category: category.clone(),
                    status: ArticleStatus::Published,
                },
                author,
                now,
            )
            .await?;
        let english = store
            .create_kb_article(
                organization.id,
                &sanad_store::KbArticleInput {
                    slug: None,
                    language: ArticleLanguage::En,
                    title: ArticleTitle::parse(pair.title_en)?,
                    body: ArticleBody::parse(pair.body_en)?,
                    category,
                    status: ArticleStatus::Published,
                },
                author,
                now,
            )
            .await?;
        store
            .link_kb_translation(organization.id, arabic.id, english.id, now)
            .await?;
    }
    Ok(())
}
