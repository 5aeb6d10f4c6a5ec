//! The public policy page, in Arabic or English Markdown, and durations in words.
//!
//! Organizations must publish their service-level agreement and complaint procedure (seed
//! 002: "الالتزام بنشر اتفاقية مستوى الخدمة والية نظام معالجة الشكاوى"), so the page is
//! generated from the same file the SLA engine enforces: what is promised and what is measured
//! cannot drift apart. Arabic is written to read naturally, with the dual and plural forms
//! Arabic counting requires ("ساعتان", "3 ساعات", "48 ساعة"), and all text that comes from the
//! file is escaped so that it cannot change the page's structure.

use std::fmt::Write as _;

use super::{
    ChannelPolicy, EscalationAction, EscalationOwner, EscalationStage, EscalationTrigger, Policy,
    RequesterEscalation, TargetKind,
};
use crate::calendar::{CalendarSpec, DurationExpr};
use crate::{Channel, Complexity, Importance, StaffRole};

string_enum! {
    /// The language of a rendered page.
    pub enum Lang: "language" {
        Ar => "ar",
        En => "en",
    }
}

/// Picks the Arabic or the English text.
fn pick(lang: Lang, ar: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Ar => ar,
        Lang::En => en,
    }
}

// ---------------------------------------------------------------------------------------------
// Durations in words
// ---------------------------------------------------------------------------------------------

/// The grammatical case of an Arabic counted noun. Only the dual changes with case in
/// unvowelled text: "ساعتان" as a subject or table entry, "ساعتين" after "خلال" or "كل".
#[derive(Clone, Copy, PartialEq, Eq)]
enum Case {
    Nominative,
    Genitive,
}

/// The forms of one Arabic unit noun.
struct ArabicUnit {
    /// The singular, used for 1 and in "كل يوم عمل".
    singular: &'static str,
    /// The adjective "one" agreeing with the noun's gender ("ساعة واحدة", "يوم واحد").
    one: &'static str,
    /// The dual, free and as the first term of a construct ("ساعتان" / "ساعتا عمل").
    dual_nominative: &'static str,
    dual_genitive: &'static str,
    dual_construct_nominative: &'static str,
    dual_construct_genitive: &'static str,
    /// The plural, used after 3 to 10 ("3 ساعات").
    plural: &'static str,
    /// The accusative singular used after 11 and more when nothing follows ("15 يومًا");
    /// before "عمل" the bare singular is used ("15 يوم عمل").
    counted_free: &'static str,
}

const MINUTE: ArabicUnit = ArabicUnit {
    singular: "دقيقة",
    one: "واحدة",
    dual_nominative: "دقيقتان",
    dual_genitive: "دقيقتين",
    dual_construct_nominative: "دقيقتا",
    dual_construct_genitive: "دقيقتي",
    plural: "دقائق",
    counted_free: "دقيقة",
};

const HOUR: ArabicUnit = ArabicUnit {
    singular: "ساعة",
    one: "واحدة",
    dual_nominative: "ساعتان",
    dual_genitive: "ساعتين",
    dual_construct_nominative: "ساعتا",
    dual_construct_genitive: "ساعتي",
    plural: "ساعات",
    counted_free: "ساعة",
};

const DAY: ArabicUnit = ArabicUnit {
    singular: "يوم",
    one: "واحد",
    dual_nominative: "يومان",
    dual_genitive: "يومين",
    dual_construct_nominative: "يوما",
    dual_construct_genitive: "يومي",
    plural: "أيام",
    counted_free: "يومًا",
};

/// The parts of a counted duration: how many, of what, and whether working time.
fn parts(expr: &DurationExpr) -> Option<(u32, &'static ArabicUnit, &'static str, bool)> {
    match *expr {
        DurationExpr::CalendarMinutes(n) => Some((n, &MINUTE, "minute", false)),
        DurationExpr::CalendarHours(n) => Some((n, &HOUR, "hour", false)),
        DurationExpr::CalendarDays(n) => Some((n, &DAY, "day", false)),
        DurationExpr::WorkingMinutes(n) => Some((n, &MINUTE, "minute", true)),
        DurationExpr::WorkingHours(n) => Some((n, &HOUR, "hour", true)),
        DurationExpr::WorkingDays(n) => Some((n, &DAY, "day", true)),
        DurationExpr::SameWorkingDay => None,
    }
}

/// An Arabic count of a unit: "ساعة عمل واحدة", "ساعتا عمل", "3 أيام عمل", "48 ساعة عمل",
/// "15 يومًا". Numbers are written in digits, as in the published policies.
///
/// Arabic counting depends on the last two digits: 3 to 10 take the plural, 11 to 99 (and
/// round hundreds) the singular; 1 and 2 use the singular with "واحد" and the dual when the
/// number stands alone.
fn arabic_count(n: u32, unit: &ArabicUnit, working: bool, case: Case) -> String {
    let work = if working { " عمل" } else { "" };
    match n {
        1 => format!("{}{work} {}", unit.singular, unit.one),
        2 => match (working, case) {
            (false, Case::Nominative) => unit.dual_nominative.to_owned(),
            (false, Case::Genitive) => unit.dual_genitive.to_owned(),
            (true, Case::Nominative) => format!("{} عمل", unit.dual_construct_nominative),
            (true, Case::Genitive) => format!("{} عمل", unit.dual_construct_genitive),
        },
        _ if (3..=10).contains(&(n % 100)) => format!("{n} {}{work}", unit.plural),
        _ if working => format!("{n} {} عمل", unit.singular),
        _ => format!("{n} {}", unit.counted_free),
    }
}

fn english_count(n: u32, unit: &str, working: bool) -> String {
    let work = if working { "working " } else { "" };
    let plural = if n == 1 { "" } else { "s" };
    format!("{n} {work}{unit}{plural}")
}

/// A duration as a noun phrase: "48 ساعة عمل", "ساعتان", "نفس يوم العمل"; in English
/// "48 working hours", "the same working day". A zero duration reads "فورًا" / "immediately".
pub fn duration_phrase(expr: &DurationExpr, lang: Lang) -> String {
    match (parts(expr), lang) {
        (None, Lang::Ar) => "نفس يوم العمل".to_owned(),
        (None, Lang::En) => "the same working day".to_owned(),
        (Some((0, ..)), _) => pick(lang, "فورًا", "immediately").to_owned(),
        (Some((n, unit, _, working)), Lang::Ar) => arabic_count(n, unit, working, Case::Nominative),
        (Some((n, _, unit, working)), Lang::En) => english_count(n, unit, working),
    }
}

/// A deadline in words: "خلال 48 ساعة عمل", "خلال يومين", "في نفس يوم العمل"; in English
/// "within 48 working hours", "within the same working day". Zero reads "فورًا" /
/// "immediately".
pub fn within_phrase(expr: &DurationExpr, lang: Lang) -> String {
    match (parts(expr), lang) {
        (None, Lang::Ar) => "في نفس يوم العمل".to_owned(),
        (None, Lang::En) => "within the same working day".to_owned(),
        (Some((0, ..)), _) => pick(lang, "فورًا", "immediately").to_owned(),
        (Some((n, unit, _, working)), Lang::Ar) => {
            format!("خلال {}", arabic_count(n, unit, working, Case::Genitive))
        }
        (Some((n, _, unit, working)), Lang::En) => {
            format!("within {}", english_count(n, unit, working))
        }
    }
}

/// A period in words: "كل 5 أيام عمل", "كل يوم عمل", "كل ساعتين"; in English "every 5 working
/// days", "every working day", "every 2 hours".
pub fn every_phrase(expr: &DurationExpr, lang: Lang) -> String {
    match (parts(expr), lang) {
        (None, Lang::Ar) => "مرة في كل يوم عمل".to_owned(),
        (None, Lang::En) => "once every working day".to_owned(),
        (Some((0, ..)), _) => pick(lang, "باستمرار", "continuously").to_owned(),
        (Some((1, unit, _, working)), Lang::Ar) => {
            format!("كل {}{}", unit.singular, if working { " عمل" } else { "" })
        }
        (Some((n, unit, _, working)), Lang::Ar) => {
            format!("كل {}", arabic_count(n, unit, working, Case::Genitive))
        }
        (Some((1, _, unit, working)), Lang::En) => {
            format!("every {}{unit}", if working { "working " } else { "" })
        }
        (Some((n, _, unit, working)), Lang::En) => {
            format!("every {}", english_count(n, unit, working))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Markdown
// ---------------------------------------------------------------------------------------------

/// Escapes text from the policy file for inline use in Markdown: the characters that start
/// emphasis, links, HTML, code or table cells are backslash-escaped, a leading `#` cannot make
/// a heading, and line breaks become spaces so that a value stays inside its list item or
/// table cell.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for ch in text.trim().chars() {
        match ch {
            '\\' | '|' | '*' | '_' | '[' | ']' | '<' | '>' | '`' => {
                escaped.push('\\');
                escaped.push(ch);
            }
            '\n' | '\r' => escaped.push(' '),
            _ => escaped.push(ch),
        }
    }
    if escaped.starts_with('#') {
        escaped.insert(0, '\\');
    }
    escaped
}

/// Joins items the way each language lists them: "أ، ب وج" and "a, b and c".
fn join_list(items: &[String], lang: Lang) -> String {
    match items {
        [] => String::new(),
        [only] => only.clone(),
        [init @ .., last] => match lang {
            Lang::Ar => format!("{} و{last}", init.join("، ")),
            Lang::En => format!("{} and {last}", init.join(", ")),
        },
    }
}

fn bullet_list(out: &mut String, items: &[String]) {
    for item in items {
        let _ = writeln!(out, "- {}", escape(item));
    }
    out.push('\n');
}

fn heading(out: &mut String, level: usize, text: &str) {
    let _ = writeln!(out, "{} {text}\n", "#".repeat(level));
}

// ---------------------------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------------------------

const DAYS_AR: [&str; 7] = [
    "الأحد",
    "الاثنين",
    "الثلاثاء",
    "الأربعاء",
    "الخميس",
    "الجمعة",
    "السبت",
];
const DAYS_EN: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];
/// The `hours` keys, in the same order as the day names above.
const DAY_KEYS: [&str; 7] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

fn channel_name(channel: Channel, lang: Lang) -> &'static str {
    match channel {
        Channel::WebForm => pick(lang, "نموذج الموقع الإلكتروني", "Website form"),
        Channel::Email => pick(lang, "البريد الإلكتروني", "Email"),
        Channel::Whatsapp => pick(lang, "واتساب", "WhatsApp"),
        Channel::X => pick(lang, "منصة X (تويتر)", "X (Twitter)"),
        Channel::Facebook => pick(lang, "فيسبوك", "Facebook"),
        Channel::LiveChat => pick(lang, "الدردشة المباشرة", "Live chat"),
        Channel::Phone => pick(lang, "الهاتف", "Phone"),
        Channel::InClass => pick(lang, "داخل قاعة التدريب", "In the training room"),
        Channel::RemoteSession => pick(lang, "الدعم عن بُعد", "Remote-access session"),
        Channel::Api => pick(lang, "الربط البرمجي (API)", "API"),
        Channel::Sms => pick(lang, "الرسائل النصية القصيرة", "SMS"),
    }
}

fn channel_label(entry: &ChannelPolicy, lang: Lang) -> String {
    let custom = match lang {
        Lang::Ar => entry.label_ar.as_deref(),
        Lang::En => entry.label_en.as_deref(),
    };
    custom.map_or_else(|| channel_name(entry.channel, lang).to_owned(), escape)
}

fn target_name(target: TargetKind, lang: Lang) -> &'static str {
    match target {
        TargetKind::FirstResponse => pick(lang, "مدة الرد الأولى", "the first-response target"),
        TargetKind::Routing => pick(
            lang,
            "مدة توجيه الطلب إلى الإدارة المختصة",
            "the routing target",
        ),
        TargetKind::StartHandling => pick(lang, "مدة بدء المعالجة", "the start-of-handling target"),
        TargetKind::Closure => pick(lang, "مدة الإغلاق", "the closure target"),
        TargetKind::Overall => pick(lang, "المدة القصوى للإغلاق", "the overall closure cap"),
    }
}

fn role_name(role: StaffRole, lang: Lang) -> &'static str {
    match role {
        StaffRole::Agent => pick(lang, "موظف مركز الاتصال", "a call-centre agent"),
        StaffRole::Specialist => pick(lang, "المختص في المستوى الثاني", "a level-2 specialist"),
        StaffRole::TeamLead => pick(
            lang,
            "مسؤول الفريق في الإدارة المعنية",
            "the team lead of the department concerned",
        ),
        StaffRole::Director => pick(
            lang,
            "مدير الإدارة المختصة",
            "the director of the department concerned",
        ),
        StaffRole::Executive => pick(lang, "الإدارة التنفيذية", "the executive management"),
        StaffRole::Admin => pick(lang, "مدير النظام", "the system administrator"),
        StaffRole::Supervisor => pick(lang, "المشرف", "the supervisor"),
    }
}

fn action_name(action: EscalationAction, lang: Lang) -> &'static str {
    match action {
        EscalationAction::Notify => pick(lang, "إشعار المسؤول", "notify the owner"),
        EscalationAction::Reassign => pick(lang, "إعادة إسناد الطلب", "reassign the ticket"),
        EscalationAction::RaiseImportance => pick(lang, "رفع درجة الأهمية", "raise the importance"),
    }
}

fn importance_name(importance: Importance, lang: Lang) -> &'static str {
    match importance {
        Importance::High => pick(lang, "مرتفعة", "High"),
        Importance::Medium => pick(lang, "متوسطة", "Medium"),
        Importance::Low => pick(lang, "منخفضة", "Low"),
    }
}

/// The complexity levels with seed 002's descriptions.
fn complexity_name(complexity: Complexity, lang: Lang) -> (&'static str, &'static str) {
    match complexity {
        Complexity::Routine => (
            pick(lang, "روتينية", "Routine"),
            pick(lang, "تحتاج إلى إجراءات سهلة", "Needs simple steps"),
        ),
        Complexity::Critical => (
            pick(lang, "حرجة", "Critical"),
            pick(
                lang,
                "تحتاج إلى تدخل أكثر من إدارة",
                "Needs more than one department",
            ),
        ),
        Complexity::Complex => (
            pick(lang, "معقدة", "Complex"),
            pick(lang, "تحتاج إلى إجراءات مطولة", "Needs lengthy procedures"),
        ),
    }
}

/// Labels for the usual root-cause identifiers; others are shown as written.
fn root_cause_name(code: &str, lang: Lang) -> String {
    let known = match code {
        "staffing" => Some(pick(
            lang,
            "الموارد البشرية وضغط العمل",
            "Staffing and workload",
        )),
        "process" => Some(pick(lang, "الإجراءات", "Process")),
        "technical" => Some(pick(lang, "أسباب تقنية", "Technical")),
        "third_party" => Some(pick(lang, "جهة خارجية", "Third party")),
        "requester" => Some(pick(lang, "من جهة المستفيد", "On the requester's side")),
        "other" => Some(pick(lang, "أخرى", "Other")),
        _ => None,
    };
    known.map_or_else(|| escape(code), str::to_owned)
}

fn level_name(level: u8, lang: Lang) -> String {
    const ORDINALS_AR: [&str; 5] = ["الأول", "الثاني", "الثالث", "الرابع", "الخامس"];
    match lang {
        Lang::Ar => match ORDINALS_AR.get(usize::from(level).wrapping_sub(1)) {
            Some(ordinal) => format!("المستوى {ordinal}"),
            None => format!("المستوى {level}"),
        },
        Lang::En => format!("Level {level}"),
    }
}

/// A fraction as a percentage without needless decimals: 0.75 → "75%", 0.875 → "87.5%".
fn percent(fraction: f64) -> String {
    let value = (fraction * 10_000.0).round() / 100.0;
    format!("{value}%")
}

// ---------------------------------------------------------------------------------------------
// Calendars
// ---------------------------------------------------------------------------------------------

/// A weekly window `HH:MM-HH:MM` as its two times; the calendar was validated, so anything
/// else is shown as written.
fn window_times(raw: &str) -> Option<(String, String)> {
    let (start, end) = raw.split_once('-')?;
    Some((start.trim().to_owned(), end.trim().to_owned()))
}

fn windows_text(windows: &[String], lang: Lang) -> String {
    let parts: Vec<String> = windows
        .iter()
        .map(|raw| match (window_times(raw), lang) {
            (Some((start, end)), Lang::Ar) => format!("من {start} إلى {end}"),
            (Some((start, end)), Lang::En) => format!("{start}–{end}"),
            (None, _) => escape(raw),
        })
        .collect();
    match lang {
        Lang::Ar => parts.join(" و"),
        Lang::En => parts.join(", "),
    }
}

/// The sorted windows of each day, Sunday first.
fn weekly_windows(spec: &CalendarSpec) -> [Vec<String>; 7] {
    let mut days: [Vec<String>; 7] = Default::default();
    for (index, key) in DAY_KEYS.iter().enumerate() {
        if let Some(windows) = spec.hours.get(*key) {
            let mut sorted: Vec<String> = windows.iter().map(|w| w.trim().to_owned()).collect();
            // Zero-padded HH:MM sorts by time as text.
            sorted.sort();
            days[index] = sorted;
        }
    }
    days
}

/// Runs of consecutive days (Sunday first) with the same windows, as (first, last, windows).
fn day_runs(days: &[Vec<String>; 7]) -> Vec<(usize, usize, &[String])> {
    let mut runs: Vec<(usize, usize, &[String])> = Vec::new();
    for (index, windows) in days.iter().enumerate() {
        match runs.last_mut() {
            Some((_, last, run_windows)) if *run_windows == windows.as_slice() => *last = index,
            _ => runs.push((index, index, windows.as_slice())),
        }
    }
    runs
}

fn days_label(first: usize, last: usize, lang: Lang) -> String {
    let names = match lang {
        Lang::Ar => DAYS_AR,
        Lang::En => DAYS_EN,
    };
    match (last - first, lang) {
        (0, _) => names[first].to_owned(),
        (6, _) => pick(lang, "طوال أيام الأسبوع", "Every day").to_owned(),
        (1, Lang::Ar) => format!("{} و{}", names[first], names[last]),
        (1, Lang::En) => format!("{} and {}", names[first], names[last]),
        (_, Lang::Ar) => format!("من {} إلى {}", names[first], names[last]),
        (_, Lang::En) => format!("{} to {}", names[first], names[last]),
    }
}

/// One line summarising a calendar's working days, for the channels table.
fn hours_summary(spec: &CalendarSpec, lang: Lang) -> String {
    let days = weekly_windows(spec);
    let mut parts: Vec<String> = day_runs(&days)
        .into_iter()
        .filter(|(_, _, windows)| !windows.is_empty())
        .map(|(first, last, windows)| {
            format!(
                "{}: {}",
                days_label(first, last, lang),
                windows_text(windows, lang)
            )
        })
        .collect();
    if !spec.extra.is_empty() {
        parts.push(
            pick(
                lang,
                "إضافة إلى الأوقات الإضافية المعلنة أدناه",
                "plus the extra sessions listed below",
            )
            .to_owned(),
        );
    }
    parts.join(pick(lang, "؛ ", "; "))
}

fn holiday_text(raw: &str, lang: Lang) -> String {
    match raw.split_once("..") {
        Some((first, last)) => {
            let (first, last) = (escape(first), escape(last));
            match lang {
                Lang::Ar => format!("من {first} إلى {last}"),
                Lang::En => format!("{first} to {last}"),
            }
        }
        None => escape(raw),
    }
}

fn split_local(text: &str) -> Option<(&str, &str)> {
    text.trim().split_once(['T', 't', ' '])
}

fn extra_text(raw: &str, lang: Lang) -> String {
    let parsed = raw
        .split_once("..")
        .and_then(|(start, end)| Some((split_local(start)?, split_local(end)?)));
    let Some(((start_date, start_time), (end_date, end_time))) = parsed else {
        return escape(raw);
    };
    let (start_date, start_time) = (escape(start_date), escape(start_time.trim()));
    let (end_date, end_time) = (escape(end_date), escape(end_time.trim()));
    match (start_date == end_date, lang) {
        (true, Lang::Ar) => format!("{start_date} من {start_time} إلى {end_time}"),
        (true, Lang::En) => format!("{start_date}, {start_time}–{end_time}"),
        (false, Lang::Ar) => format!("من {start_date} {start_time} إلى {end_date} {end_time}"),
        (false, Lang::En) => format!("{start_date} {start_time} to {end_date} {end_time}"),
    }
}

// ---------------------------------------------------------------------------------------------
// The page
// ---------------------------------------------------------------------------------------------

/// Renders the public policy page an organization publishes, in Arabic or English Markdown.
///
/// Sections without content in the file are left out, so a policy that has, say, no roster
/// produces no empty table.
pub fn render_markdown(policy: &Policy, lang: Lang) -> String {
    let mut out = String::new();
    let org = policy.organization();
    let public = policy.public_texts();
    let name = match lang {
        Lang::Ar => &org.name_ar,
        Lang::En => &org.name_en,
    };
    heading(
        &mut out,
        1,
        &format!(
            "{} — {}",
            pick(
                lang,
                "سياسة استقبال الطلبات والشكاوى",
                "Requests and complaints policy"
            ),
            escape(name)
        ),
    );
    let introduction = match lang {
        Lang::Ar => public.introduction_ar.as_deref(),
        Lang::En => public.introduction_en.as_deref(),
    };
    if let Some(text) = introduction {
        let _ = writeln!(out, "{}\n", escape(text));
    }

    channels_section(&mut out, policy, lang);
    hours_section(&mut out, policy, lang);
    service_levels_section(&mut out, policy, lang);
    escalation_section(&mut out, policy, lang);
    requester_section(&mut out, policy, lang);

    let lists: [(&str, &str, &Vec<String>, &Vec<String>); 4] = [
        (
            "المستفيدون من الخدمة",
            "Who the service is for",
            &public.beneficiaries_ar,
            &public.beneficiaries_en,
        ),
        (
            "الخدمات المشمولة",
            "Services covered",
            &public.services_ar,
            &public.services_en,
        ),
        (
            "آداب التواصل",
            "Communication etiquette",
            &public.etiquette_ar,
            &public.etiquette_en,
        ),
        (
            "الإجراءات عند مخالفة آداب التواصل",
            "What happens when the etiquette is not respected",
            &public.violation_actions_ar,
            &public.violation_actions_en,
        ),
    ];
    for (title_ar, title_en, items_ar, items_en) in lists {
        let items = match lang {
            Lang::Ar => items_ar,
            Lang::En => items_en,
        };
        if !items.is_empty() {
            heading(&mut out, 2, pick(lang, title_ar, title_en));
            bullet_list(&mut out, items);
        }
    }

    departments_section(&mut out, policy, lang);
    roster_section(&mut out, policy, lang);
    root_cause_section(&mut out, policy, lang);

    let paragraphs = [
        (
            "سرية البيانات وخصوصيتها",
            "Confidentiality",
            &public.confidentiality_ar,
            &public.confidentiality_en,
        ),
        (
            "قياس رضا المستفيدين",
            "Measuring satisfaction",
            &public.satisfaction_ar,
            &public.satisfaction_en,
        ),
    ];
    for (title_ar, title_en, text_ar, text_en) in paragraphs {
        let text = match lang {
            Lang::Ar => text_ar,
            Lang::En => text_en,
        };
        if let Some(text) = text {
            heading(&mut out, 2, pick(lang, title_ar, title_en));
            let _ = writeln!(out, "{}\n", escape(text));
        }
    }
    // One trailing newline, as text files end.
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

fn spec_named<'p>(policy: &'p Policy, name: &str) -> Option<&'p CalendarSpec> {
    policy
        .calendar_specs()
        .iter()
        .find(|spec| spec.name.trim() == name)
}

fn channels_section(out: &mut String, policy: &Policy, lang: Lang) {
    if policy.channels().is_empty() {
        return;
    }
    heading(out, 2, pick(lang, "قنوات التواصل", "How to reach us"));
    let _ = writeln!(
        out,
        "{}\n| --- | --- | --- | --- |",
        pick(
            lang,
            "| القناة | وسيلة التواصل | وقت الرد المتوقع | أوقات العمل |",
            "| Channel | Contact | Expected response | Hours |",
        )
    );
    for entry in policy.channels() {
        let response = entry
            .first_response
            .as_ref()
            .map_or_else(|| "—".to_owned(), |d| within_phrase(d, lang));
        let mut hours = spec_named(policy, &entry.calendar)
            .map(|spec| hours_summary(spec, lang))
            .unwrap_or_default();
        let note = match lang {
            Lang::Ar => entry.hours_note_ar.as_deref(),
            Lang::En => entry.hours_note_en.as_deref(),
        };
        if let Some(note) = note {
            if !hours.is_empty() {
                hours.push_str(pick(lang, "؛ ", "; "));
            }
            hours.push_str(&escape(note));
        }
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            channel_label(entry, lang),
            escape(&entry.contact),
            response,
            hours
        );
    }
    out.push('\n');
}

fn hours_section(out: &mut String, policy: &Policy, lang: Lang) {
    heading(out, 2, pick(lang, "ساعات العمل", "Working hours"));
    let several = policy.calendar_specs().len() > 1;
    for spec in policy.calendar_specs() {
        if several {
            heading(
                out,
                3,
                &match lang {
                    Lang::Ar => format!("تقويم «{}»", escape(&spec.name)),
                    Lang::En => format!("Calendar “{}”", escape(&spec.name)),
                },
            );
        }
        let _ = writeln!(
            out,
            "{}: {}\n",
            pick(lang, "المنطقة الزمنية", "Time zone"),
            escape(&spec.timezone)
        );
        let days = weekly_windows(spec);
        for (first, last, windows) in day_runs(&days) {
            let hours = if windows.is_empty() {
                pick(lang, "مغلق", "Closed").to_owned()
            } else {
                windows_text(windows, lang)
            };
            let _ = writeln!(out, "- {}: {hours}", days_label(first, last, lang));
        }
        out.push('\n');
        if !spec.holidays.is_empty() {
            let holidays: Vec<String> = spec
                .holidays
                .iter()
                .map(|h| holiday_text(h, lang))
                .collect();
            let _ = writeln!(
                out,
                "{}: {}.\n",
                pick(
                    lang,
                    "الإجازات (لا تُحتسب من أوقات العمل)",
                    "Holidays (not counted as working time)"
                ),
                holidays.join(pick(lang, "، ", ", "))
            );
        }
        if !spec.extra.is_empty() {
            let _ = writeln!(
                out,
                "{}:\n",
                pick(
                    lang,
                    "أوقات عمل إضافية (مثل مواعيد الدورات التدريبية)",
                    "Extra working time (such as scheduled course sessions)"
                )
            );
            for extra in &spec.extra {
                let _ = writeln!(out, "- {}", extra_text(extra, lang));
            }
            out.push('\n');
        }
    }
}

fn service_levels_section(out: &mut String, policy: &Policy, lang: Lang) {
    let levels = policy.service_levels();
    let org = policy.organization();
    heading(out, 2, pick(lang, "مستويات الخدمة", "Service levels"));
    let basis = pick(
        lang,
        "تُحسب أيام العمل وساعاته وفق ساعات العمل أعلاه",
        "Working days and hours are counted on the working hours above",
    );
    // With one calendar there is nothing to choose between, so its name would only be noise.
    if policy.calendar_specs().len() > 1 {
        let calendar = escape(&levels.calendar);
        let _ = match lang {
            Lang::Ar => writeln!(out, "{basis}، على تقويم «{calendar}».\n"),
            Lang::En => writeln!(out, "{basis}, on the calendar “{calendar}”.\n"),
        };
    } else {
        let _ = writeln!(out, "{basis}.\n");
    }
    let mut items: Vec<String> = Vec::new();
    if let Some(routing) = &levels.routing {
        items.push(format!(
            "{}: {}.",
            pick(
                lang,
                "توجيه الطلب إلى الإدارة المختصة",
                "Routing to the competent department"
            ),
            within_phrase(routing, lang)
        ));
    }
    if let Some(overall) = &levels.overall {
        items.push(format!(
            "{}: {} {}.",
            pick(lang, "المدة القصوى لإغلاق الطلب", "Maximum time to closure"),
            within_phrase(overall, lang),
            pick(lang, "من تاريخ استلامه", "from receipt")
        ));
    }
    if let Some(every) = &org.status_update_every {
        items.push(format!(
            "{}: {}.",
            pick(
                lang,
                "نرسل تحديثًا عن حالة الطلب المفتوح",
                "We send an update on open requests"
            ),
            every_phrase(every, lang)
        ));
    }
    items.push(format!(
        "{}: {} {}.",
        pick(lang, "إعادة فتح الطلب", "Reopening a request"),
        within_phrase(&org.reopen_window, lang),
        pick(lang, "من إغلاقه", "of its closure")
    ));
    if !levels.alert_at.is_empty() {
        let percentages: Vec<String> = levels.alert_at.iter().map(|f| percent(*f)).collect();
        items.push(format!(
            "{} {} {}.",
            pick(
                lang,
                "يصل تنبيه إلى الفريق المختص قبل انتهاء المدة المحددة، عند مضي",
                "The team concerned is alerted before a target lapses, when"
            ),
            join_list(&percentages, lang),
            pick(lang, "منها", "of it has passed")
        ));
    }
    for item in &items {
        let _ = writeln!(out, "- {item}");
    }
    out.push('\n');

    if !levels.start_handling.is_empty() {
        heading(
            out,
            3,
            pick(
                lang,
                "بدء المعالجة حسب درجة الأهمية",
                "Start of handling by importance",
            ),
        );
        let _ = writeln!(
            out,
            "{}\n| --- | --- |",
            pick(
                lang,
                "| الأهمية | بدء المعالجة |",
                "| Importance | Handling starts |"
            )
        );
        for importance in Importance::ALL {
            let when = match levels.start_handling.get(importance) {
                Some(duration) => within_phrase(duration, lang),
                None if !levels.closure.is_empty() => pick(
                    lang,
                    "حسب مؤشر أداء الإغلاق",
                    "according to the closure target",
                )
                .to_owned(),
                None => "—".to_owned(),
            };
            let _ = writeln!(out, "| {} | {when} |", importance_name(*importance, lang));
        }
        out.push('\n');
    }
    if !levels.closure.is_empty() {
        heading(
            out,
            3,
            pick(lang, "الإغلاق حسب درجة التعقيد", "Closure by complexity"),
        );
        let _ = writeln!(
            out,
            "{}\n| --- | --- | --- |",
            pick(
                lang,
                "| التصنيف | الوصف | مؤشر أداء الإغلاق |",
                "| Complexity | Description | Closure target |"
            )
        );
        for (complexity, duration) in &levels.closure {
            let (name, description) = complexity_name(*complexity, lang);
            let _ = writeln!(
                out,
                "| {name} | {description} | {} |",
                within_phrase(duration, lang)
            );
        }
        out.push('\n');
    }
}

fn trigger_text(trigger: &EscalationTrigger, lang: Lang) -> String {
    match (trigger, lang) {
        (EscalationTrigger::Breached(target), Lang::Ar) => {
            format!("بعد انتهاء {} دون رد", target_name(*target, lang))
        }
        (EscalationTrigger::Breached(target), Lang::En) => {
            format!("When {} lapses without a reply", target_name(*target, lang))
        }
        (EscalationTrigger::AfterPrevious(duration), Lang::Ar) => format!(
            "إذا لم يتم الرد {} من المرحلة السابقة",
            within_phrase(duration, lang)
        ),
        (EscalationTrigger::AfterPrevious(duration), Lang::En) => format!(
            "If there is still no reply {} of the previous stage",
            within_phrase(duration, lang)
        ),
    }
}

fn owner_text(owner: &EscalationOwner, lang: Lang) -> String {
    match owner {
        EscalationOwner::Role(role) => role_name(*role, lang).to_owned(),
        EscalationOwner::Person(address) => escape(address.as_str()),
    }
}

fn stage_text(stage: &EscalationStage, lang: Lang) -> String {
    let name = match lang {
        Lang::Ar => stage.name_ar.as_str(),
        Lang::En => stage.name_en.as_deref().unwrap_or(&stage.name),
    };
    let deadline = within_phrase(&stage.deadline, lang);
    let sentence = match lang {
        Lang::Ar => format!(
            "{}، يُحال الطلب إلى {}، ويكون الرد {deadline}.",
            trigger_text(&stage.trigger, lang),
            owner_text(&stage.owner, lang)
        ),
        Lang::En => format!(
            "{}, the request goes to {}, who replies {deadline}.",
            trigger_text(&stage.trigger, lang),
            owner_text(&stage.owner, lang)
        ),
    };
    format!("**{}**: {sentence}", escape(name))
}

fn escalation_section(out: &mut String, policy: &Policy, lang: Lang) {
    if policy.escalation().is_empty() {
        return;
    }
    heading(out, 2, pick(lang, "إجراءات التصعيد", "Escalation"));
    for (index, stage) in policy.escalation().iter().enumerate() {
        let _ = writeln!(out, "{}. {}", index + 1, stage_text(stage, lang));
        let description = match lang {
            Lang::Ar => stage.description_ar.as_deref(),
            Lang::En => stage.description_en.as_deref(),
        };
        if let Some(description) = description {
            let _ = writeln!(out, "   - {}", escape(description));
        }
        if let Some(contact) = &stage.contact {
            let _ = writeln!(
                out,
                "   - {}: {}",
                pick(lang, "للتواصل", "Contact"),
                escape(contact)
            );
        }
        let actions: Vec<String> = stage
            .actions
            .iter()
            .map(|action| action_name(*action, lang).to_owned())
            .collect();
        let _ = writeln!(
            out,
            "   - {}: {}",
            pick(lang, "ما يحدث", "What happens"),
            join_list(&actions, lang)
        );
    }
    out.push('\n');
}

fn requester_section(out: &mut String, policy: &Policy, lang: Lang) {
    let rule = policy.requester_escalation();
    heading(
        out,
        2,
        pick(
            lang,
            "تصعيد الطلب من المستفيد",
            "Escalating a request yourself",
        ),
    );
    let text = match rule.allowed {
        RequesterEscalation::AfterFirstTargetLapses => pick(
            lang,
            "يحق للمستفيد تصعيد طلبه بنفسه إذا انقضت أي من المدد المحددة أعلاه دون رد.",
            "You may escalate your request yourself once any of the times above has passed without a reply.",
        ),
        RequesterEscalation::Never => pick(
            lang,
            "يتولى فريقنا تصعيد الطلبات وفق مستويات الخدمة أعلاه، ولا يلزم المستفيد تقديم طلب تصعيد.",
            "Our staff escalate requests according to the service levels above; you do not need to escalate yourself.",
        ),
    };
    let _ = writeln!(out, "{text}\n");
    let steps = match lang {
        Lang::Ar => &rule.steps_ar,
        Lang::En => &rule.steps_en,
    };
    for (index, step) in steps.iter().enumerate() {
        let _ = writeln!(out, "{}. {}", index + 1, escape(step));
    }
    if !steps.is_empty() {
        out.push('\n');
    }
}

fn departments_section(out: &mut String, policy: &Policy, lang: Lang) {
    if policy.departments().is_empty() {
        return;
    }
    heading(
        out,
        2,
        pick(
            lang,
            "الأقسام المختصة وعناوينها",
            "Departments and their contacts",
        ),
    );
    let _ = writeln!(
        out,
        "{}\n| --- | --- | --- |",
        pick(
            lang,
            "| القسم | وسيلة التواصل | للاستفسار عن |",
            "| Department | Contact | For |"
        )
    );
    for department in policy.departments() {
        let name = match lang {
            Lang::Ar => &department.name_ar,
            Lang::En => &department.name_en,
        };
        let topics: Vec<String> = policy
            .categories()
            .iter()
            .filter(|category| category.department == department.code)
            .map(|category| match lang {
                Lang::Ar => escape(&category.name_ar),
                Lang::En => escape(&category.name_en),
            })
            .collect();
        let contact = department
            .contact
            .as_deref()
            .map_or_else(|| "—".to_owned(), escape);
        let topics = if topics.is_empty() {
            "—".to_owned()
        } else {
            topics.join(pick(lang, "، ", ", "))
        };
        let _ = writeln!(out, "| {} | {contact} | {topics} |", escape(name));
    }
    out.push('\n');
}

fn roster_section(out: &mut String, policy: &Policy, lang: Lang) {
    if policy.roster().is_empty() {
        return;
    }
    heading(
        out,
        2,
        pick(lang, "الأدوار والمسؤوليات", "Roles and responsibilities"),
    );
    let _ = writeln!(
        out,
        "{}\n| --- | --- | --- | --- | --- | --- |",
        pick(
            lang,
            "| م | الاسم | المسمى الوظيفي | الدور والمسؤوليات | وسيلة التواصل | المستوى |",
            "| # | Name | Title | Responsibilities | Contact | Level |"
        )
    );
    for (index, entry) in policy.roster().iter().enumerate() {
        let (name, title, responsibility) = match lang {
            Lang::Ar => (&entry.name, &entry.title_ar, &entry.responsibility_ar),
            Lang::En => (
                entry.name_en.as_ref().unwrap_or(&entry.name),
                &entry.title_en,
                &entry.responsibility_en,
            ),
        };
        let level = entry
            .level
            .map_or_else(|| "—".to_owned(), |level| level_name(level, lang));
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {level} |",
            index + 1,
            escape(name),
            escape(title),
            escape(responsibility),
            escape(&entry.contact)
        );
    }
    out.push('\n');
}

fn root_cause_section(out: &mut String, policy: &Policy, lang: Lang) {
    if policy.root_cause_categories().is_empty() {
        return;
    }
    heading(out, 2, pick(lang, "تحليل الأسباب", "Root-cause analysis"));
    let names: Vec<String> = policy
        .root_cause_categories()
        .iter()
        .map(|code| root_cause_name(code, lang))
        .collect();
    let _ = writeln!(
        out,
        "{} {}.\n",
        pick(
            lang,
            "عند تجاوز أي مدة محددة نحلل سبب التأخير ونتخذ ما يلزم لتجنب تكراره، ونصنّف السبب ضمن:",
            "When a target is missed we analyse why and act to prevent it happening again; each cause is classed as:"
        ),
        join_list(&names, lang)
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hours(n: u32) -> DurationExpr {
        DurationExpr::CalendarHours(n)
    }

    #[test]
    fn arabic_counts_use_dual_plural_and_singular_forms() {
        let cases = [
            (
                DurationExpr::WorkingHours(1),
                "ساعة عمل واحدة",
                "خلال ساعة عمل واحدة",
            ),
            (DurationExpr::WorkingHours(2), "ساعتا عمل", "خلال ساعتي عمل"),
            (
                DurationExpr::WorkingHours(3),
                "3 ساعات عمل",
                "خلال 3 ساعات عمل",
            ),
            (
                DurationExpr::WorkingHours(10),
                "10 ساعات عمل",
                "خلال 10 ساعات عمل",
            ),
            (
                DurationExpr::WorkingHours(11),
                "11 ساعة عمل",
                "خلال 11 ساعة عمل",
            ),
            (
                DurationExpr::WorkingHours(48),
                "48 ساعة عمل",
                "خلال 48 ساعة عمل",
            ),
            (
                DurationExpr::WorkingHours(103),
                "103 ساعات عمل",
                "خلال 103 ساعات عمل",
            ),
            (hours(1), "ساعة واحدة", "خلال ساعة واحدة"),
            (hours(2), "ساعتان", "خلال ساعتين"),
            (hours(24), "24 ساعة", "خلال 24 ساعة"),
            (DurationExpr::CalendarDays(2), "يومان", "خلال يومين"),
            (DurationExpr::CalendarDays(7), "7 أيام", "خلال 7 أيام"),
            (DurationExpr::CalendarDays(15), "15 يومًا", "خلال 15 يومًا"),
            (
                DurationExpr::WorkingDays(1),
                "يوم عمل واحد",
                "خلال يوم عمل واحد",
            ),
            (DurationExpr::WorkingDays(2), "يوما عمل", "خلال يومي عمل"),
            (DurationExpr::WorkingDays(3), "3 أيام عمل", "خلال 3 أيام عمل"),
            (
                DurationExpr::WorkingDays(15),
                "15 يوم عمل",
                "خلال 15 يوم عمل",
            ),
            (DurationExpr::CalendarMinutes(2), "دقيقتان", "خلال دقيقتين"),
            (DurationExpr::CalendarMinutes(5), "5 دقائق", "خلال 5 دقائق"),
            (
                DurationExpr::WorkingMinutes(30),
                "30 دقيقة عمل",
                "خلال 30 دقيقة عمل",
            ),
            (
                DurationExpr::SameWorkingDay,
                "نفس يوم العمل",
                "في نفس يوم العمل",
            ),
            (DurationExpr::WorkingHours(0), "فورًا", "فورًا"),
        ];
        for (expr, phrase, within) in cases {
            assert_eq!(duration_phrase(&expr, Lang::Ar), phrase, "{expr}");
            assert_eq!(within_phrase(&expr, Lang::Ar), within, "{expr}");
        }
    }

    #[test]
    fn english_phrases() {
        assert_eq!(
            within_phrase(&DurationExpr::WorkingHours(1), Lang::En),
            "within 1 working hour"
        );
        assert_eq!(
            within_phrase(&DurationExpr::WorkingDays(3), Lang::En),
            "within 3 working days"
        );
        assert_eq!(
            within_phrase(&DurationExpr::SameWorkingDay, Lang::En),
            "within the same working day"
        );
        assert_eq!(
            duration_phrase(&DurationExpr::CalendarMinutes(30), Lang::En),
            "30 minutes"
        );
        assert_eq!(
            every_phrase(&DurationExpr::WorkingDays(5), Lang::En),
            "every 5 working days"
        );
        assert_eq!(
            every_phrase(&DurationExpr::WorkingDays(1), Lang::En),
            "every working day"
        );
    }

    #[test]
    fn arabic_periods() {
        assert_eq!(
            every_phrase(&DurationExpr::WorkingDays(5), Lang::Ar),
            "كل 5 أيام عمل"
        );
        assert_eq!(
            every_phrase(&DurationExpr::WorkingDays(1), Lang::Ar),
            "كل يوم عمل"
        );
        assert_eq!(every_phrase(&hours(2), Lang::Ar), "كل ساعتين");
    }

    #[test]
    fn markdown_significant_characters_are_escaped() {
        assert_eq!(
            escape("# a|b *c* _d_ [e](f) <g> `h` \\"),
            "\\# a\\|b \\*c\\* \\_d\\_ \\[e\\](f) \\<g\\> \\`h\\` \\\\"
        );
        assert_eq!(escape("line\nbreak"), "line break");
        assert_eq!(escape("  #x"), "\\#x");
    }

    #[test]
    fn percentages_drop_needless_decimals() {
        assert_eq!(percent(0.75), "75%");
        assert_eq!(percent(0.875), "87.5%");
        assert_eq!(percent(0.9), "90%");
    }

    #[test]
    fn day_runs_group_consecutive_days() {
        let spec = CalendarSpec {
            name: "s".into(),
            timezone: "Asia/Riyadh".into(),
            hours: DAY_KEYS[..5]
                .iter()
                .map(|day| ((*day).to_owned(), vec!["08:00-16:00".to_owned()]))
                .collect(),
            holidays: vec![],
            extra: vec![],
        };
        assert_eq!(
            hours_summary(&spec, Lang::Ar),
            "من الأحد إلى الخميس: من 08:00 إلى 16:00"
        );
        assert_eq!(
            hours_summary(&spec, Lang::En),
            "Sunday to Thursday: 08:00–16:00"
        );
        assert_eq!(days_label(5, 6, Lang::Ar), "الجمعة والسبت");
        assert_eq!(days_label(0, 6, Lang::En), "Every day");
    }
}
