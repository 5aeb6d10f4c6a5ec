//! The five shipped policies: each parses, reproduces the key rules of its seed document,
//! gives the expected deadlines, and renders a public page that states those rules.

use jiff::Timestamp;
use sanad_domain::calendar::DurationExpr;
use sanad_domain::policy::{
    EscalationAction, EscalationOwner, EscalationTrigger, Lang, Policy, RequesterEscalation,
    TargetKind, render_markdown,
};
use sanad_domain::{Channel, Complexity, EmailAddress, Importance, StaffRole};

const SEED_000: &str = "seed-000-live-classrooms-center.toml";
const SEED_001: &str = "seed-001-engineering-tracks.toml";
const SEED_002: &str = "seed-002-tvtc-service-level-agreement.toml";
const SEED_003: &str = "seed-003-e-training-technical-support.toml";
const SEED_004: &str = "seed-004-diplomas-platform.toml";
const ALL_SEEDS: [&str; 5] = [SEED_000, SEED_001, SEED_002, SEED_003, SEED_004];

/// Reads and parses a shipped policy; tests may do I/O, the library does not.
fn load(file: &str) -> Policy {
    let path = format!("{}/../../policies/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {path}: {e}"));
    Policy::parse(&text, file).unwrap_or_else(|errors| panic!("{file} is invalid:\n{errors}"))
}

fn instant(text: &str) -> Timestamp {
    text.parse().expect("valid instant in test")
}

/// The deadline of one target for a ticket, formatted in the calendar's zone.
fn due(
    policy: &Policy,
    target: TargetKind,
    channel: Channel,
    importance: Option<Importance>,
    complexity: Option<Complexity>,
    start: &str,
) -> String {
    let (duration, calendar) = policy
        .target_duration(target, channel, importance, complexity)
        .unwrap_or_else(|| panic!("{target} is defined for {channel}"));
    let at = calendar
        .deadline(instant(start), duration)
        .expect("deadline exists");
    calendar.format_in_zone(at)
}

fn assert_contains_all(page: &str, fragments: &[&str], what: &str) {
    for fragment in fragments {
        assert!(
            page.contains(fragment),
            "{what} should contain {fragment:?}; page was:\n{page}"
        );
    }
}

#[test]
fn every_shipped_policy_parses_and_renders_in_both_languages() {
    for file in ALL_SEEDS {
        let policy = load(file);
        let arabic = render_markdown(&policy, Lang::Ar);
        let english = render_markdown(&policy, Lang::En);
        assert!(arabic.starts_with("# سياسة"), "{file}: {arabic}");
        assert!(
            english.starts_with("# Requests and complaints policy"),
            "{file}"
        );
        assert!(arabic.contains(&policy.organization().name_ar), "{file}");
        assert!(english.contains(&policy.organization().name_en), "{file}");
        for channel in policy.channels() {
            let shown = channel.contact.replace('_', "\\_");
            assert!(arabic.contains(&shown), "{file}: {}", channel.contact);
            assert!(english.contains(&shown), "{file}: {}", channel.contact);
        }
        assert!(
            arabic.ends_with('\n') && !arabic.ends_with("\n\n"),
            "{file}"
        );
    }
}

#[test]
fn shipped_policies_use_only_fictional_contacts() {
    for file in ALL_SEEDS {
        let policy = load(file);
        let mut contacts: Vec<&str> = policy
            .channels()
            .iter()
            .map(|c| c.contact.as_str())
            .collect();
        contacts.extend(policy.roster().iter().map(|r| r.contact.as_str()));
        contacts.extend(
            policy
                .departments()
                .iter()
                .filter_map(|d| d.contact.as_deref()),
        );
        contacts.extend(
            policy
                .escalation()
                .iter()
                .filter_map(|s| s.contact.as_deref()),
        );
        for contact in contacts {
            let fictional = contact.starts_with("+9665000000")
                || contact.contains("example.sa")
                || contact.contains("example_support")
                || !contact.chars().any(|c| c.is_ascii_digit() || c == '@');
            assert!(fictional, "{file}: {contact:?} does not look fictional");
        }
    }
}

#[test]
fn seed_004_has_three_escalation_stages_in_order() {
    let policy = load(SEED_004);
    let stages = policy.escalation();
    assert_eq!(stages.len(), 3);

    assert_eq!(stages[0].name, "team-lead-reminder");
    assert_eq!(stages[0].name_ar, "تذكير الفريق المختص");
    assert_eq!(
        stages[0].trigger,
        EscalationTrigger::Breached(TargetKind::FirstResponse)
    );
    assert_eq!(stages[0].owner, EscalationOwner::Role(StaffRole::TeamLead));
    assert_eq!(stages[0].deadline, DurationExpr::WorkingHours(24));

    assert_eq!(
        stages[1].trigger,
        EscalationTrigger::AfterPrevious(DurationExpr::WorkingHours(24))
    );
    assert_eq!(stages[1].owner, EscalationOwner::Role(StaffRole::Director));
    assert_eq!(stages[1].deadline, DurationExpr::WorkingHours(24));

    assert_eq!(
        stages[2].trigger,
        EscalationTrigger::AfterPrevious(DurationExpr::WorkingHours(24))
    );
    assert_eq!(stages[2].owner, EscalationOwner::Role(StaffRole::Executive));
    assert_eq!(stages[2].deadline, DurationExpr::SameWorkingDay);
    assert!(
        stages[2]
            .actions
            .contains(&EscalationAction::RaiseImportance)
    );

    assert_eq!(
        policy.requester_escalation().allowed,
        RequesterEscalation::AfterFirstTargetLapses
    );
}

#[test]
fn a_policy_can_be_shared_between_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Policy>();
    let policy = load(SEED_004);
    let (position, stage) = policy
        .escalation_stage("department-director")
        .expect("stage exists");
    assert_eq!(
        (position, stage.name_ar.as_str()),
        (1, "تصعيد للإدارة المباشرة")
    );
    assert!(policy.escalation_stage("nobody").is_none());
}

#[test]
fn seed_004_response_times_per_channel() {
    let policy = load(SEED_004);
    let whatsapp = policy.channel(Channel::Whatsapp).expect("whatsapp");
    assert_eq!(
        whatsapp.first_response,
        Some(DurationExpr::WorkingHours(48))
    );
    let email = policy.channel(Channel::Email).expect("email");
    assert_eq!(email.first_response, Some(DurationExpr::WorkingHours(24)));
    assert_eq!(email.calendar, "support");
    // The phone is answered live; the seed sets it no target, so no ticket gets one.
    assert!(
        policy
            .target_duration(TargetKind::FirstResponse, Channel::Phone, None, None)
            .is_none()
    );
    // Separate mailboxes for students and for finance (seed 004's «حسب الفئة»).
    let finance = policy
        .departments()
        .iter()
        .find(|d| d.code.as_str() == "financial-support")
        .expect("financial support");
    assert_eq!(finance.contact.as_deref(), Some("finance@example.sa"));
    let refunds = policy
        .categories()
        .iter()
        .find(|c| c.code.as_str() == "refunds-transfers")
        .expect("refunds category");
    assert_eq!(refunds.department.as_str(), "financial-support");
    assert_eq!(policy.public_texts().etiquette_ar.len(), 4);
    assert_eq!(policy.public_texts().violation_actions_ar.len(), 3);
}

#[test]
fn seed_004_deadlines() {
    let policy = load(SEED_004);
    // Thursday 26 November 2026, 15:00 in Riyadh, on Sunday–Thursday 08:00–16:00 (eight working
    // hours a day). Email, 24 working hours: one hour on Thursday, eight each on Sunday and
    // Monday (17), and the last seven on Tuesday: Tuesday 1 December at 15:00.
    assert_eq!(
        due(
            &policy,
            TargetKind::FirstResponse,
            Channel::Email,
            None,
            None,
            "2026-11-26T15:00:00+03:00"
        ),
        "2026-12-01T15:00:00+03:00"
    );
    // WhatsApp, 48 working hours: 1 + 8 × 5 (Sunday to Thursday) = 41, then seven hours on
    // the following Sunday.
    assert_eq!(
        due(
            &policy,
            TargetKind::FirstResponse,
            Channel::Whatsapp,
            None,
            None,
            "2026-11-26T15:00:00+03:00"
        ),
        "2026-12-06T15:00:00+03:00"
    );
    // The executive's "same working day", reached on Wednesday 2 December at 10:00, closes at
    // 16:00 that day; reached at 17:00 it is the next working day's close.
    let executive = &policy.escalation()[2];
    let calendar = policy.default_calendar();
    let at = calendar
        .deadline(instant("2026-12-02T10:00:00+03:00"), &executive.deadline)
        .expect("deadline");
    assert_eq!(calendar.format_in_zone(at), "2026-12-02T16:00:00+03:00");
    let at = calendar
        .deadline(instant("2026-12-02T17:00:00+03:00"), &executive.deadline)
        .expect("deadline");
    assert_eq!(calendar.format_in_zone(at), "2026-12-03T16:00:00+03:00");
    // National Day (Wednesday 23 September 2026) is a holiday: email received on Tuesday 22
    // September at 12:00 has four hours that day, none on Wednesday, eight on Thursday, and
    // its last twelve on Sunday (8) and Monday (4).
    assert_eq!(
        due(
            &policy,
            TargetKind::FirstResponse,
            Channel::Email,
            None,
            None,
            "2026-09-22T12:00:00+03:00"
        ),
        "2026-09-28T12:00:00+03:00"
    );
}

#[test]
fn seed_004_page_states_the_rules() {
    let policy = load(SEED_004);
    let arabic = render_markdown(&policy, Lang::Ar);
    assert_contains_all(
        &arabic,
        &[
            "+966500000041",
            "students@example.sa",
            "finance@example.sa",
            "خلال 48 ساعة عمل",
            "خلال 24 ساعة عمل",
            "من الأحد إلى الخميس: من 08:00 إلى 16:00",
            "الجمعة والسبت: مغلق",
            "1. **تذكير الفريق المختص**",
            "2. **تصعيد للإدارة المباشرة**",
            "3. **تصعيد للإدارة التنفيذية**",
            "ويكون الرد في نفس يوم العمل",
            "آداب التواصل",
            "تجنّب الخوض في النقاشات الدينية أو السياسية.",
            "إلغاء البلاغ أو الشكوى من نظام الدعم الفني في المنصة.",
            "2027-01-09 من 18:00 إلى 21:00",
        ],
        "seed 004 Arabic page",
    );
    let english = render_markdown(&policy, Lang::En);
    assert_contains_all(
        &english,
        &[
            "within 48 working hours",
            "within 24 working hours",
            "Sunday to Thursday: 08:00–16:00",
            "who replies within the same working day",
            "Communication etiquette",
        ],
        "seed 004 English page",
    );
}

#[test]
fn seed_003_response_alerts_escalation_and_roster() {
    let policy = load(SEED_003);
    for channel in policy.channels() {
        assert_eq!(
            channel.first_response,
            Some(DurationExpr::WorkingHours(48)),
            "{}",
            channel.channel
        );
    }
    let levels = policy.service_levels();
    assert!(levels.alert_at.contains(&0.75));
    assert_eq!(
        policy.escalation()[0].trigger,
        EscalationTrigger::Breached(TargetKind::FirstResponse)
    );
    assert_eq!(policy.roster().len(), 3);
    assert_eq!(policy.roster()[0].title_ar, "المدير العام");
    assert!(
        policy
            .root_cause_categories()
            .contains(&"third_party".to_owned())
    );

    // Every day 10:00–16:00 (six working hours a day). From Sunday 22 November 2026 at 15:00:
    // one hour on Sunday, then six a day from Monday to Sunday (43), and five on Monday 30
    // November: 15:00.
    assert_eq!(
        due(
            &policy,
            TargetKind::FirstResponse,
            Channel::Whatsapp,
            None,
            None,
            "2026-11-22T15:00:00+03:00"
        ),
        "2026-11-30T15:00:00+03:00"
    );

    let arabic = render_markdown(&policy, Lang::Ar);
    assert_contains_all(
        &arabic,
        &[
            "طوال أيام الأسبوع: من 10:00 إلى 16:00",
            "خلال 48 ساعة عمل",
            "عند مضي 75% و90% منها",
            "| 1 | بدر التجريبي | المدير العام | الإشراف العام |",
            "تحليل الأسباب",
            "جهة خارجية",
        ],
        "seed 003 Arabic page",
    );
    let english = render_markdown(&policy, Lang::En);
    assert_contains_all(
        &english,
        &[
            "Every day: 10:00–16:00",
            "when 75% and 90% of it has passed",
            "Roles and responsibilities",
        ],
        "seed 003 English page",
    );
}

#[test]
fn seed_002_complexity_table_and_importance_rules() {
    let policy = load(SEED_002);
    let levels = policy.service_levels();
    assert_eq!(
        levels.closure.get(&Complexity::Routine),
        Some(&DurationExpr::WorkingDays(3))
    );
    assert_eq!(
        levels.closure.get(&Complexity::Critical),
        Some(&DurationExpr::WorkingDays(5))
    );
    assert_eq!(
        levels.closure.get(&Complexity::Complex),
        Some(&DurationExpr::WorkingDays(7))
    );
    assert_eq!(
        levels.start_handling.get(&Importance::High),
        Some(&DurationExpr::WorkingHours(1))
    );
    assert_eq!(
        levels.start_handling.get(&Importance::Medium),
        Some(&DurationExpr::SameWorkingDay)
    );
    // Low importance follows the closure target rather than a start target of its own.
    assert_eq!(levels.start_handling.get(&Importance::Low), None);
    assert!(
        policy
            .target_duration(
                TargetKind::StartHandling,
                Channel::Email,
                Some(Importance::Low),
                None
            )
            .is_none()
    );
    assert!(policy.public_texts().confidentiality_ar.is_some());
    assert!(policy.public_texts().satisfaction_ar.is_some());
    assert!(policy.escalation().is_empty());

    // Complex, received Tuesday 1 December 2026 at 09:00 (after the 07:30 opening), so day one
    // is Wednesday: Wed, Thu, Sun, Mon, Tue, Wed, Thu → Thursday 10 December at the 14:30 close.
    assert_eq!(
        due(
            &policy,
            TargetKind::Closure,
            Channel::WebForm,
            None,
            Some(Complexity::Complex),
            "2026-12-01T09:00:00+03:00"
        ),
        "2026-12-10T14:30:00+03:00"
    );
    // High importance, received Thursday 3 December at 14:00: half an hour on Thursday, the
    // other half from Sunday's 07:30 opening.
    assert_eq!(
        due(
            &policy,
            TargetKind::StartHandling,
            Channel::Phone,
            Some(Importance::High),
            None,
            "2026-12-03T14:00:00+03:00"
        ),
        "2026-12-06T08:00:00+03:00"
    );

    let arabic = render_markdown(&policy, Lang::Ar);
    assert_contains_all(
        &arabic,
        &[
            "| روتينية | تحتاج إلى إجراءات سهلة | خلال 3 أيام عمل |",
            "| حرجة | تحتاج إلى تدخل أكثر من إدارة | خلال 5 أيام عمل |",
            "| معقدة | تحتاج إلى إجراءات مطولة | خلال 7 أيام عمل |",
            "| مرتفعة | خلال ساعة عمل واحدة |",
            "| متوسطة | في نفس يوم العمل |",
            "| منخفضة | حسب مؤشر أداء الإغلاق |",
            "سرية البيانات وخصوصيتها",
            "قياس رضا المستفيدين",
            "@example\\_support",
            "cso@example.sa",
        ],
        "seed 002 Arabic page",
    );
    let english = render_markdown(&policy, Lang::En);
    assert_contains_all(
        &english,
        &[
            "| Complex | Needs lengthy procedures | within 7 working days |",
            "| High | within 1 working hour |",
            "| Low | according to the closure target |",
            "Confidentiality",
            "Measuring satisfaction",
        ],
        "seed 002 English page",
    );
}

#[test]
fn seed_001_closure_cap_requester_escalation_and_updates() {
    let policy = load(SEED_001);
    assert_eq!(
        policy.service_levels().overall,
        Some(DurationExpr::WorkingDays(15))
    );
    assert_eq!(
        policy.requester_escalation().allowed,
        RequesterEscalation::AfterFirstTargetLapses
    );
    assert!(policy.organization().status_update_every.is_some());
    assert_eq!(
        policy.escalation()[0].trigger,
        EscalationTrigger::Breached(TargetKind::Overall)
    );
    let kinds: Vec<Channel> = policy.channels().iter().map(|c| c.channel).collect();
    assert_eq!(kinds, [Channel::LiveChat, Channel::Email, Channel::Phone]);

    // Received Sunday 22 November 2026 at 10:00, after the 09:00 opening, so day one is
    // Monday: 4 days that week, 5 the next, 5 the one after (14), and the 15th is Sunday 13
    // December, closing at 16:00.
    assert_eq!(
        due(
            &policy,
            TargetKind::Overall,
            Channel::Email,
            None,
            None,
            "2026-11-22T10:00:00+03:00"
        ),
        "2026-12-13T16:00:00+03:00"
    );

    let arabic = render_markdown(&policy, Lang::Ar);
    assert_contains_all(
        &arabic,
        &[
            "المدة القصوى لإغلاق الطلب: خلال 15 يوم عمل من تاريخ استلامه.",
            "كل 5 أيام عمل",
            "من الأحد إلى الخميس: من 09:00 إلى 16:00",
            "+966500000010",
            "يحق للمستفيد تصعيد طلبه بنفسه",
        ],
        "seed 001 Arabic page",
    );
    let english = render_markdown(&policy, Lang::En);
    assert_contains_all(
        &english,
        &[
            "Maximum time to closure: within 15 working days from receipt.",
            "every 5 working days",
            "You may escalate your request yourself",
        ],
        "seed 001 English page",
    );
}

#[test]
fn seed_000_routing_hours_sessions_and_director() {
    let policy = load(SEED_000);
    assert_eq!(
        policy.service_levels().routing,
        Some(DurationExpr::CalendarHours(24))
    );
    let spec = &policy.calendar_specs()[0];
    for day in ["sun", "mon", "tue", "wed", "thu"] {
        assert_eq!(spec.hours[day], ["08:00-21:00"], "{day}");
    }
    assert!(!spec.hours.contains_key("fri"));
    let stage = &policy.escalation()[0];
    assert_eq!(
        stage.trigger,
        EscalationTrigger::Breached(TargetKind::Routing)
    );
    assert_eq!(
        stage.owner,
        EscalationOwner::Person(
            EmailAddress::parse("academic.director@example.sa").expect("email")
        )
    );
    let levels: Vec<Option<u8>> = policy.roster().iter().map(|r| r.level).collect();
    assert_eq!(levels, [Some(1), Some(2), None]);

    // Routing counts elapsed hours: Thursday 20:00 to Friday 20:00, whatever the calendar.
    assert_eq!(
        due(
            &policy,
            TargetKind::Routing,
            Channel::WebForm,
            None,
            None,
            "2026-11-26T20:00:00+03:00"
        ),
        "2026-11-27T20:00:00+03:00"
    );
    // Email, 30 working minutes, received Thursday at 20:45: fifteen minutes before the 21:00
    // close, then fifteen in Saturday's 18:00 course session.
    assert_eq!(
        due(
            &policy,
            TargetKind::FirstResponse,
            Channel::Email,
            None,
            None,
            "2026-11-26T20:45:00+03:00"
        ),
        "2026-11-28T18:15:00+03:00"
    );

    let arabic = render_markdown(&policy, Lang::Ar);
    assert_contains_all(
        &arabic,
        &[
            "من الأحد إلى الخميس: من 08:00 إلى 21:00",
            "توجيه الطلب إلى الإدارة المختصة: خلال 24 ساعة.",
            "خلال ساعة عمل واحدة",
            "خلال 15 دقيقة عمل",
            "خلال 30 دقيقة عمل",
            "academic.director@example.sa",
            "+966500000003",
            "المستوى الأول",
            "المستوى الثاني",
            "2026-11-28 من 18:00 إلى 21:00",
        ],
        "seed 000 Arabic page",
    );
    let english = render_markdown(&policy, Lang::En);
    assert_contains_all(
        &english,
        &[
            "Sunday to Thursday: 08:00–21:00",
            "Routing to the competent department: within 24 hours.",
            "within 30 working minutes",
            "Level 1",
        ],
        "seed 000 English page",
    );
}
