//! The published policy pages over HTTP, for every shipped seed policy: each file is applied
//! to an organization of a running Sanad, and its public page — in Arabic and in English — must
//! show every fact the policy file holds (read through the domain's `Policy` API, so the test
//! follows the file rather than a copy of it), a few phrases exactly as the original seed
//! document writes them, and, once a changed policy is applied, the change. Also the printable
//! layout. A pure rendering check, so SQLite is enough.

mod support;

use reqwest::StatusCode;
use sanad_domain::policy::{Lang, Policy, within_phrase};
use sanad_store::{NewOrganization, RecomputeDeadlines};
use sanad_web::Clock;
use support::{Backend, UiApp, browser, get_text, spawn_ui_app};

const START: &str = "2026-11-22T08:00:00Z";

/// Each shipped policy, the seed document it reproduces, and phrases picked by hand from that
/// document (as the seed writes them) that its public page must show in Arabic.
const SEEDS: &[(&str, &str, &[&str])] = &[
    (
        "seed-000-live-classrooms-center.toml",
        "000_",
        &[
            "مركز الاتصال المباشر",
            "الالتحاق بالدورات",
            "استخراج شهادة المتدرب",
            "24 ساعة",
        ],
    ),
    (
        "seed-001-engineering-tracks.toml",
        "001_",
        &[
            "مركز مسارات الهندسة للتدريب",
            "فريق دعم المستفيدين",
            "إدارة الشكاوى",
        ],
    ),
    (
        "seed-002-tvtc-service-level-agreement.toml",
        "002_",
        &[
            "المؤسسة العامة للتدريب التقني والمهني",
            "مركز الاتصال الموحد",
            "مكتب علاقات العملاء",
        ],
    ),
    (
        "seed-003-e-training-technical-support.toml",
        "003_",
        &[
            "نموذج الدعم الفني بالموقع الإلكتروني",
            "المدير العام",
            "مدير الهيئة التدريبية",
            "48 ساعة",
        ],
    ),
    (
        "seed-004-diplomas-platform.toml",
        "004_",
        &[
            "منصة الدبلومات الإلكترونية",
            "تصعيد للإدارة التنفيذية",
            "الالتزام بالاحترام المتبادل وعدم استخدام أي عبارات غير لائقة.",
            "تجنّب الخوض في النقاشات الدينية أو السياسية.",
            "48 ساعة",
        ],
    ),
];

fn repository_file(path: &str) -> String {
    std::fs::read_to_string(format!("{}/../../{path}", env!("CARGO_MANIFEST_DIR")))
        .unwrap_or_else(|error| panic!("{path}: {error}"))
}

/// The seed document whose file name starts with `prefix`, from the seeds folder beside the
/// repository (`SANAD_SEEDS_DIR` overrides it). The seeds are the project's requirements, kept
/// outside the repository; a checkout without them still checks every phrase against the
/// page, and only skips confirming that the phrases are the seed's own words.
fn seed_text(prefix: &str) -> Option<String> {
    let folder = std::env::var("SANAD_SEEDS_DIR")
        .unwrap_or_else(|_| format!("{}/../../../shared/seeds", env!("CARGO_MANIFEST_DIR")));
    if !std::path::Path::new(&folder).is_dir() {
        eprintln!("{folder} is missing: the seed documents' own wording is not compared");
        return None;
    }
    let entry = std::fs::read_dir(&folder)
        .unwrap_or_else(|error| panic!("{folder}: {error}"))
        .map(|entry| entry.unwrap().path())
        .find(|path| {
            path.file_name()
                .and_then(|name| name.to_str())
                .is_some_and(|name| name.starts_with(prefix))
        })
        .unwrap_or_else(|| panic!("no seed {prefix}* in {folder}"));
    Some(std::fs::read_to_string(entry).unwrap())
}

/// The text a reader sees: tags dropped, entities decoded, runs of white space as one space.
fn visible_text(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for ch in html.chars() {
        match ch {
            '<' => {
                in_tag = true;
                text.push(' ');
            }
            '>' if in_tag => in_tag = false,
            _ if !in_tag => text.push(ch),
            _ => {}
        }
    }
    let decoded = text
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    decoded.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Creates an organization with `source` as its policy and returns its slug.
async fn organization(
    app: &UiApp,
    slug: &str,
    file: &str,
    source: &str,
) -> sanad_store::Organization {
    let new = NewOrganization {
        slug: sanad_domain::OrgSlug::parse(slug).unwrap(),
        name: format!("Organization {slug}"),
        ticket_prefix: sanad_domain::TicketPrefix::parse("PP").unwrap(),
        time_zone: jiff::tz::TimeZone::get("Asia/Riyadh").unwrap(),
        time_zone_name: "Asia/Riyadh".into(),
        reopen_window_hours: 168,
    };
    let org = app
        .store
        .create_organization(&new, app.clock.now())
        .await
        .unwrap();
    app.store
        .apply_policy(
            &org,
            file,
            source,
            RecomputeDeadlines::KeepRunning,
            app.clock.now(),
        )
        .await
        .unwrap();
    app.store.organization_by_slug(slug).await.unwrap().unwrap()
}

async fn page(app: &UiApp, slug: &str, query: &str) -> (String, String) {
    let (status, html) = get_text(&browser(), &app.url(&format!("/o/{slug}/policy?{query}"))).await;
    assert_eq!(status, StatusCode::OK, "{slug}?{query}");
    let text = visible_text(&html);
    (html, text)
}

/// Every fact of `policy` that its page in `lang` must show.
fn facts(policy: &Policy, lang: Lang) -> Vec<(String, String)> {
    let mut facts: Vec<(String, String)> = Vec::new();
    let mut add = |what: String, text: &str| {
        if !text.trim().is_empty() {
            facts.push((what, one_line(text)));
        }
    };
    let pick = |ar: &str, en: &str| -> String {
        match lang {
            Lang::Ar => ar.to_owned(),
            Lang::En => en.to_owned(),
        }
    };
    let org = policy.organization();
    add("organization".into(), &pick(&org.name_ar, &org.name_en));
    for channel in policy.channels() {
        add(format!("contact of {}", channel.channel), &channel.contact);
        if let Some(duration) = &channel.first_response {
            add(
                format!("first response on {}", channel.channel),
                &within_phrase(duration, lang),
            );
        }
        let note = match lang {
            Lang::Ar => channel.hours_note_ar.as_deref(),
            Lang::En => channel.hours_note_en.as_deref(),
        };
        add(
            format!("hours note of {}", channel.channel),
            note.unwrap_or_default(),
        );
    }
    for spec in policy.calendar_specs() {
        add(format!("time zone of {}", spec.name), &spec.timezone);
        for (day, windows) in &spec.hours {
            for window in windows {
                let (start, end) = window.split_once('-').unwrap();
                add(format!("{} {day} opens", spec.name), start.trim());
                add(format!("{} {day} closes", spec.name), end.trim());
            }
        }
    }
    let levels = policy.service_levels();
    for (what, duration) in [("routing", &levels.routing), ("overall", &levels.overall)] {
        if let Some(duration) = duration {
            add(what.into(), &within_phrase(duration, lang));
        }
    }
    for (importance, duration) in &levels.start_handling {
        add(
            format!("start of handling, {importance}"),
            &within_phrase(duration, lang),
        );
    }
    for (complexity, duration) in &levels.closure {
        add(
            format!("closure, {complexity}"),
            &within_phrase(duration, lang),
        );
    }
    add(
        "reopen window".into(),
        &within_phrase(&org.reopen_window, lang),
    );
    for stage in policy.escalation() {
        let name = match lang {
            Lang::Ar => stage.name_ar.clone(),
            Lang::En => stage.name_en.clone().unwrap_or_else(|| stage.name.clone()),
        };
        add(format!("stage {}", stage.name), &name);
        add(
            format!("deadline of stage {}", stage.name),
            &within_phrase(&stage.deadline, lang),
        );
    }
    let steps = policy.requester_escalation();
    for step in match lang {
        Lang::Ar => &steps.steps_ar,
        Lang::En => &steps.steps_en,
    } {
        add("requester escalation step".into(), step);
    }
    let texts = policy.public_texts();
    let lists = match lang {
        Lang::Ar => [
            &texts.beneficiaries_ar,
            &texts.services_ar,
            &texts.etiquette_ar,
            &texts.violation_actions_ar,
        ],
        Lang::En => [
            &texts.beneficiaries_en,
            &texts.services_en,
            &texts.etiquette_en,
            &texts.violation_actions_en,
        ],
    };
    for (what, items) in [
        "beneficiary",
        "service",
        "etiquette rule",
        "violation action",
    ]
    .into_iter()
    .zip(lists)
    {
        for item in items {
            add(what.into(), item);
        }
    }
    for entry in policy.roster() {
        let (name, title, responsibility) = match lang {
            Lang::Ar => (
                entry.name.clone(),
                &entry.title_ar,
                &entry.responsibility_ar,
            ),
            Lang::En => (
                entry.name_en.clone().unwrap_or_else(|| entry.name.clone()),
                &entry.title_en,
                &entry.responsibility_en,
            ),
        };
        add("roster name".into(), &name);
        add(format!("title of {name}"), title);
        add(format!("responsibility of {name}"), responsibility);
        add(format!("contact of {name}"), &entry.contact);
    }
    facts
}

async fn every_seed_policy_is_published_with_all_its_facts(backend: Backend) {
    let app = spawn_ui_app(backend, START).await;
    for (index, (file, seed_prefix, from_seed)) in SEEDS.iter().enumerate() {
        let source = repository_file(&format!("policies/{file}"));
        let policy = Policy::parse(&source, file).unwrap();
        let slug = format!("seed-{index}");
        organization(&app, &slug, file, &source).await;
        for (lang, query) in [(Lang::Ar, "lang=ar"), (Lang::En, "lang=en")] {
            let (html, text) = page(&app, &slug, query).await;
            let facts = facts(&policy, lang);
            assert!(facts.len() > 15, "{file}: only {} facts", facts.len());
            for (what, fact) in &facts {
                assert!(
                    text.contains(fact.as_str()),
                    "{file} ({query}): {what} «{fact}» is not on the page:\n{text}"
                );
            }
            // The printable header names the organization and the policy version.
            assert!(html.contains("id=\"policy-print-header\""), "{file}");
            let version = match lang {
                Lang::Ar => "إصدار السياسة 1",
                Lang::En => "Policy version 1",
            };
            assert!(text.contains(version), "{file} ({query}): {text}");
            assert!(
                html.contains(&format!("href=\"/o/{slug}/policy?print=1&#38;{query}\"")),
                "{file}: the print link {}",
                support::between(&html, "class=\"button\" href=\"", "\"")
            );
        }
        // Phrases of the seed document itself, as it writes them.
        let seed = seed_text(seed_prefix).map(|text| one_line(&text));
        let (_, arabic) = page(&app, &slug, "lang=ar").await;
        for phrase in *from_seed {
            if let Some(seed) = &seed {
                assert!(
                    seed.contains(phrase),
                    "{seed_prefix}: «{phrase}» is not in the seed"
                );
            }
            assert!(
                arabic.contains(phrase),
                "{file}: «{phrase}» from the seed is not on the page"
            );
        }
        let Some(seed) = seed else { continue };
        // Beyond the hand-picked phrases, at least one of the facts checked above is the
        // seed's own wording (names, etiquette, services, as the policy file quotes them).
        let quoted = facts(&policy, Lang::Ar)
            .into_iter()
            .filter(|(_, fact)| fact.chars().count() > 8 && seed.contains(fact.as_str()))
            .count();
        assert!(
            quoted >= 1,
            "{file}: only {quoted} facts are the seed's own words"
        );
    }
}

async fn changing_the_policy_changes_the_page(backend: Backend) {
    let app = spawn_ui_app(backend, START).await;
    let file = "seed-004-diplomas-platform.toml";
    let source = repository_file(&format!("policies/{file}"));
    let org = organization(&app, "changing", file, &source).await;
    let policy = Policy::parse(&source, file).unwrap();
    let old_rule = policy.public_texts().etiquette_ar[0].clone();
    let (_, before) = page(&app, "changing", "lang=ar").await;
    assert!(before.contains(&old_rule));

    let new_rule = "يُمنع إرسال الرسالة نفسها أكثر من مرة في اليوم.";
    let changed = source.replacen(&format!("\"{old_rule}\""), &format!("\"{new_rule}\""), 1);
    assert_ne!(changed, source);
    let changed_policy = Policy::parse(&changed, file).unwrap();
    let first_channel = &changed_policy.channels()[0];
    let changed = changed.replacen(
        &format!("contact = \"{}\"", first_channel.contact),
        "contact = \"+966500000777\"",
        1,
    );
    app.clock.advance(jiff::SignedDuration::from_hours(1));
    app.store
        .apply_policy(
            &org,
            file,
            &changed,
            RecomputeDeadlines::KeepRunning,
            app.clock.now(),
        )
        .await
        .unwrap();
    let (_, after) = page(&app, "changing", "lang=ar").await;
    assert!(after.contains(new_rule), "{after}");
    assert!(!after.contains(&old_rule), "the old rule is gone: {after}");
    assert!(after.contains("+966500000777"), "{after}");
    assert!(after.contains("إصدار السياسة 2"), "{after}");
    let (_, english) = page(&app, "changing", "lang=en").await;
    assert!(
        english.contains("+966500000777") && english.contains("Policy version 2"),
        "{english}"
    );
    // The portal's request form shows the live etiquette too.
    let (_, form) = get_text(&browser(), &app.url("/o/changing/new?lang=ar")).await;
    assert!(form.contains(new_rule) && !form.contains(&old_rule));
}

async fn the_policy_prints_without_script(backend: Backend) {
    let app = spawn_ui_app(backend, START).await;
    let (html, text) = page(&app, "diplomas", "lang=en").await;
    assert!(
        html.contains("data-print"),
        "the print link is enhanced by script when there is some"
    );
    assert!(!html.contains("print-view"), "the screen layout by default");
    assert!(text.contains("Print / save as PDF"));
    let (printed, printed_text) = page(&app, "diplomas", "print=1&lang=en").await;
    assert!(printed.contains("policy-document print-view"), "{printed}");
    assert!(printed_text.contains("Back to the page"));
    assert!(printed_text.contains("Policy version 1"));
    // The stylesheet carries the print rules the layout relies on.
    let css_href = support::between(&printed, "<link rel=\"stylesheet\" href=\"", "\"");
    let (status, css) = get_text(&browser(), &app.url(&css_href)).await;
    assert_eq!(status, StatusCode::OK);
    for rule in [
        "@media print",
        "@page",
        "break-inside: avoid",
        "attr(href)",
        ".print-header",
    ] {
        assert!(css.contains(rule), "the stylesheet lacks {rule}");
    }
}

// A rendering check: the page does not depend on the backend, so SQLite alone runs it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seed_policies_are_published_with_all_their_facts() {
    every_seed_policy_is_published_with_all_its_facts(Backend::Sqlite).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_changed_policy_changes_its_page() {
    changing_the_policy_changes_the_page(Backend::Sqlite).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_policy_page_prints() {
    the_policy_prints_without_script(Backend::Sqlite).await
}
