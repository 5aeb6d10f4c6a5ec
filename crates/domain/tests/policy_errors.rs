//! Broken policy files and their messages.
//!
//! Every file in `tests/policy_files/` except `valid.toml` is a copy of `valid.toml` with one
//! defect (`many-defects.toml` has several). Each message must name the file, the line and
//! column, the key path and what was expected, because the person fixing a policy has only
//! the message to go on.

use sanad_domain::policy::{Lang, Policy, PolicyErrors, render_markdown};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/policy_files");

fn read(name: &str) -> String {
    let path = format!("{FIXTURES}/{name}");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {path}: {e}"))
}

fn errors_of(name: &str) -> PolicyErrors {
    match Policy::parse(&read(name), name) {
        Ok(_) => panic!("{name} should be rejected"),
        Err(errors) => errors,
    }
}

/// `(file, expected fragments)`; every single-defect file must produce exactly one error, so
/// that a defect is never reported twice under different names.
const SINGLE_DEFECTS: &[(&str, &[&str])] = &[
    (
        "bad-duration.toml",
        &[
            "bad-duration.toml:33:11: ",
            "service_levels.closure.routine: ",
            "expected a unit after 3",
            "working days",
            "found \"wrking\"",
        ],
    ),
    (
        "unknown-calendar.toml",
        &[
            "unknown-calendar.toml:26:12: ",
            "channels[1].calendar: ",
            "unknown calendar \"sessions\"; declared calendars: support",
        ],
    ),
    (
        "duplicate-calendar.toml",
        &[
            "duplicate-calendar.toml:18:",
            "calendars[1].name: ",
            "calendar name \"support\" is defined more than once",
        ],
    ),
    (
        "duplicate-channel.toml",
        &[
            "duplicate-channel.toml:24:11: ",
            "channels[1].channel: ",
            "channel \"email\" is listed more than once (first on line 19)",
        ],
    ),
    (
        "unknown-channel.toml",
        &[
            "unknown-channel.toml:24:11: ",
            "channels[1].channel: ",
            "'telegram' is not a valid channel; expected one of: web_form, email, whatsapp",
        ],
    ),
    (
        "empty-contact.toml",
        &[
            "empty-contact.toml:20:11: ",
            "channels[0].contact: ",
            "must not be empty",
        ],
    ),
    (
        "duplicate-department.toml",
        &[
            "duplicate-department.toml:69:8: ",
            "departments[1].code: ",
            "department code \"technical-support\" is declared more than once",
        ],
    ),
    (
        "duplicate-category.toml",
        &[
            "duplicate-category.toml:76:8: ",
            "categories[1].code: ",
            "category code \"login-account\" is declared more than once",
        ],
    ),
    (
        "category-unknown-department.toml",
        &[
            "category-unknown-department.toml:73:14: ",
            "categories[0].department: ",
            "department \"finance\" is not declared under [[departments]]; declared: technical-support",
        ],
    ),
    (
        "bad-code.toml",
        &[
            "bad-code.toml:65:8: ",
            "departments[0].code: ",
            "'Technical Support' is not a valid code",
            "lower-case latin letters",
        ],
    ),
    (
        "alert-not-increasing.toml",
        &[
            "alert-not-increasing.toml:30:18: ",
            "service_levels.alert_at[1]: ",
            "strictly increasing, but 0.75 follows 0.9",
        ],
    ),
    (
        "alert-out-of-range.toml",
        &[
            "alert-out-of-range.toml:30:19: ",
            "service_levels.alert_at[1]: ",
            "1 is not a fraction strictly between 0 and 1",
        ],
    ),
    (
        "first-stage-after-previous.toml",
        &[
            "first-stage-after-previous.toml:39:",
            "escalation[0].trigger: ",
            "the first stage must use `breached",
        ],
    ),
    (
        "breached-undefined-target.toml",
        &[
            "breached-undefined-target.toml:39:24: ",
            "escalation[0].trigger.breached: ",
            "the policy defines no routing target",
            "add service_levels.routing",
            "(first_response, closure)",
        ],
    ),
    (
        "unknown-target.toml",
        &[
            "unknown-target.toml:39:24: ",
            "escalation[0].trigger.breached: ",
            "'first_reply' is not a valid service-level target; expected one of: first_response, routing, start_handling, closure, overall",
        ],
    ),
    (
        "both-trigger-keys.toml",
        &[
            "both-trigger-keys.toml:47:",
            "escalation[1].trigger: ",
            "exactly one of `breached` or `after_previous`",
        ],
    ),
    (
        "owner-not-email.toml",
        &[
            "owner-not-email.toml:48:20: ",
            "escalation[1].owner.person: ",
            "\"the director\" is not an e-mail address",
        ],
    ),
    (
        "unknown-role.toml",
        &[
            "unknown-role.toml:48:18: ",
            "escalation[1].owner.role: ",
            "\"manager\" cannot own a stage",
            "expected one of: agent, specialist, team_lead, director, executive, admin",
        ],
    ),
    (
        "supervisor-owner.toml",
        &[
            "supervisor-owner.toml:48:18: ",
            "escalation[1].owner.role: ",
            "supervisors may only read tickets",
        ],
    ),
    (
        "empty-actions.toml",
        &[
            "empty-actions.toml:50:11: ",
            "escalation[1].actions: ",
            "list at least one action; expected some of: notify, reassign, raise_importance",
        ],
    ),
    (
        "unknown-action.toml",
        &[
            "unknown-action.toml:50:22: ",
            "escalation[1].actions[1]: ",
            "'page' is not a valid escalation action",
        ],
    ),
    (
        "bad-time-zone.toml",
        &[
            "bad-time-zone.toml:8:13: ",
            "organization.time_zone: ",
            "\"Asia/Riyad\" is not a known IANA time zone",
            "expected for example \"Asia/Riyadh\"",
        ],
    ),
    (
        "bad-calendar-window.toml",
        &[
            "bad-calendar-window.toml:15:",
            "calendars[0].hours.wed: ",
            "window \"16:00-08:00\" is invalid: the end 08:00 is not after the start 16:00",
        ],
    ),
    (
        "bad-holiday.toml",
        &[
            "bad-holiday.toml:16:",
            "calendars[0].holidays[0]: ",
            "holidays entry \"2026-02-30\" is invalid",
        ],
    ),
    (
        "bad-requester-escalation.toml",
        &[
            "bad-requester-escalation.toml:53:11: ",
            "requester_escalation.allowed: ",
            "'yes' is not a valid requester escalation rule; expected one of: after_first_target_lapses, never",
        ],
    ),
    (
        "bad-root-cause.toml",
        &[
            "bad-root-cause.toml:3:37: ",
            "root_cause_categories[1]: ",
            "\"Third Party\" is not a category identifier",
        ],
    ),
    (
        "bad-roster-level.toml",
        &[
            "bad-roster-level.toml:62:9: ",
            "roster[0].level: ",
            "0 is not a support level",
        ],
    ),
    (
        "unknown-key.toml",
        &[
            "unknown-key.toml:21:1: ",
            "channels[0].first_respons: ",
            "unknown field `first_respons`",
            "`first_response`",
        ],
    ),
    (
        "wrong-type.toml",
        &[
            "wrong-type.toml:30:12: ",
            "service_levels.alert_at: ",
            "invalid type: string \"0.75\", expected a sequence",
        ],
    ),
    (
        "missing-key.toml",
        &[
            "missing-key.toml:5:1: ",
            "organization: ",
            "missing field `reopen_window`",
        ],
    ),
    (
        "syntax-error.toml",
        &[
            "syntax-error.toml:7:23: ",
            "organization.name_en: ",
            "invalid basic string",
        ],
    ),
];

#[test]
fn the_base_fixture_is_valid() {
    let policy = Policy::parse(&read("valid.toml"), "valid.toml").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(policy.escalation().len(), 2);
}

#[test]
fn each_broken_file_reports_its_one_defect_precisely() {
    assert!(SINGLE_DEFECTS.len() >= 18);
    for (name, fragments) in SINGLE_DEFECTS {
        let errors = errors_of(name);
        let message = errors.to_string();
        assert_eq!(
            errors.len(),
            1,
            "{name} should report exactly one error, got:\n{message}"
        );
        for fragment in *fragments {
            assert!(
                message.contains(fragment),
                "{name}: expected {fragment:?} in\n{message}"
            );
        }
    }
}

#[test]
fn every_fixture_file_is_covered() {
    let mut listed: Vec<&str> = SINGLE_DEFECTS.iter().map(|(name, _)| *name).collect();
    listed.extend(["valid.toml", "many-defects.toml"]);
    let entries = std::fs::read_dir(FIXTURES).expect("fixtures folder");
    for entry in entries {
        let name = entry
            .expect("entry")
            .file_name()
            .into_string()
            .expect("utf-8 name");
        assert!(
            listed.contains(&name.as_str()),
            "{name} has no expectations"
        );
    }
}

#[test]
fn several_defects_are_all_reported_in_file_order() {
    let errors = errors_of("many-defects.toml");
    let lines: Vec<String> = errors.to_string().lines().map(str::to_owned).collect();
    let expected: [&[&str]; 7] = [
        &[
            "many-defects.toml:9:17: organization.reopen_window: ",
            "expected a non-negative whole number",
            "found \"a\"",
        ],
        &[
            "many-defects.toml:24:11: channels[1].channel: ",
            "listed more than once (first on line 19)",
        ],
        &[
            "many-defects.toml:26:12: channels[1].calendar: ",
            "unknown calendar \"sessions\"",
        ],
        &[
            "many-defects.toml:30:13: service_levels.alert_at[0]: ",
            "0 is not a fraction strictly between 0 and 1",
        ],
        &[
            "many-defects.toml:39:24: escalation[0].trigger.breached: ",
            "defines no overall target",
        ],
        &[
            "many-defects.toml:48:20: escalation[1].owner.person: ",
            "is not an e-mail address",
        ],
        &[
            "many-defects.toml:73:14: categories[0].department: ",
            "\"finance\" is not declared",
        ],
    ];
    assert_eq!(lines.len(), expected.len(), "{lines:#?}");
    for (line, fragments) in lines.iter().zip(expected) {
        for fragment in fragments {
            assert!(line.contains(fragment), "expected {fragment:?} in {line:?}");
        }
    }
    // The structured form carries the same facts.
    let first = &errors.errors()[0];
    assert_eq!(
        (first.line, first.column, first.key.as_str()),
        (9, 17, "organization.reopen_window")
    );
}

#[test]
fn columns_count_characters_after_arabic_text() {
    // The bad value follows Arabic text on the same line, whose characters take two bytes
    // each; the column must still point at the value's opening quote in an editor.
    let text = read("valid.toml").replace(
        "name_ar = \"تذكير الفريق المختص\"",
        "name_ar = \"تذكير الفريق المختص\"\nnote = 1",
    );
    let errors = Policy::parse(&text, "arabic.toml").expect_err("unknown key");
    assert!(
        errors
            .to_string()
            .starts_with("arabic.toml:39:1: escalation[0].note: unknown field `note`"),
        "{errors}"
    );
    let text = read("valid.toml").replace("name_en = \"Test Center\"", "name_en = \"\"");
    let errors = Policy::parse(&text, "blank.toml").expect_err("blank name");
    assert_eq!(
        errors.to_string(),
        "blank.toml:7:11: organization.name_en: must not be empty"
    );
}

#[test]
fn arbitrary_damage_never_panics() {
    // Every prefix of a real policy (cut at character boundaries) and every file with one line
    // removed must give a policy or errors, never a panic; a policy that parses must render.
    let text = read("valid.toml");
    let boundaries: Vec<usize> = text
        .char_indices()
        .map(|(index, _)| index)
        .chain([text.len()])
        .collect();
    for &cut in &boundaries {
        if let Ok(policy) = Policy::parse(&text[..cut], "cut.toml") {
            render_markdown(&policy, Lang::Ar);
            render_markdown(&policy, Lang::En);
        }
    }
    let lines: Vec<&str> = text.lines().collect();
    for skip in 0..lines.len() {
        let damaged: Vec<&str> = lines
            .iter()
            .enumerate()
            .filter(|(index, _)| *index != skip)
            .map(|(_, line)| *line)
            .collect();
        if let Ok(policy) = Policy::parse(&damaged.join("\n"), "line.toml") {
            render_markdown(&policy, Lang::Ar);
        }
    }
    for odd in [
        "",
        "\u{feff}",
        "[[",
        "a = nan",
        "= 1",
        "\0",
        "[organization]\nname_ar = 1",
    ] {
        let _ = Policy::parse(odd, "odd.toml");
    }
}

#[test]
fn user_text_cannot_change_the_page_structure() {
    let text = read("valid.toml").replace(
        "contact = \"help@example.sa\"",
        "contact = \"# <b>help</b> | *x* [y](z) `code`\"",
    );
    let policy = Policy::parse(&text, "escape.toml").unwrap_or_else(|e| panic!("{e}"));
    let page = render_markdown(&policy, Lang::En);
    assert!(
        page.contains(r"\# \<b\>help\</b\> \| \*x\* \[y\](z) \`code\`"),
        "{page}"
    );
}

#[test]
fn nan_alert_fractions_are_rejected() {
    let text = read("valid.toml").replace("alert_at = [0.75, 0.9]", "alert_at = [nan]");
    let errors = Policy::parse(&text, "nan.toml").expect_err("nan");
    assert!(
        errors
            .to_string()
            .contains("nan.toml:30:13: service_levels.alert_at[0]: NaN is not a fraction"),
        "{errors}"
    );
}
