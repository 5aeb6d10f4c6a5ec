//! Staff search over tickets on SQLite (FTS5) and PostgreSQL (`tsvector`): one relevance table,
//! run unchanged on both backends, of queries as people type them — Arabic with and without
//! diacritics, alef and hamza forms, taa marbuta written as haa, tatweel, Arabic-Indic and Persian
//! digits, English with inflections, mixed Arabic and English, type-ahead prefixes, ticket numbers,
//! phone numbers and e-mail addresses — and what each must find. Then who may find what, the
//! snippets, keeping the index in step with edits, and rebuilding it.

use sanad_domain::permissions::Principal;
use sanad_domain::search::SearchQuery;
use sanad_domain::{
    Channel, Code, EmailAddress, MessageBody, MessageKind, PersonName, PhoneNumber, RequesterType,
    StaffRole, Subject, TicketKind,
};
use sanad_store::*;
use std::collections::HashMap;

mod support;
use support::{TestDb, at};

on_both_backends!(
    the_relevance_table_holds,
    search_sees_only_what_the_searcher_may_see,
    snippets_highlight_the_words_as_written,
    the_index_follows_new_messages_and_subject_changes,
    who_may_find_a_complaint_follows_its_routing_assignment_and_kind,
    a_rebuild_reindexes_everything_the_same_way,
);

/// A ticket of the fixture: its key in the table, kind, category (routing it to a department),
/// subject, first message, and requester (name, e-mail, phone).
struct Fixture {
    key: &'static str,
    kind: TicketKind,
    category: &'static str,
    subject: &'static str,
    body: &'static str,
    requester: (&'static str, &'static str, &'static str),
}

const FIXTURES: &[Fixture] = &[
    Fixture {
        key: "T1",
        kind: TicketKind::Inquiry,
        category: "certificates-academic",
        subject: "لم تصلني شهادة إتمام الدورة",
        body: "أكملت برنامج إدارة المشاريع الاحترافية منذ شهر ولم تصدر الشهادة حتى الآن",
        requester: ("ليلى التجريبي", "layla.t@example.sa", "+966555000101"),
    },
    Fixture {
        key: "T2",
        kind: TicketKind::Inquiry,
        category: "certificates-academic",
        subject: "خطأ في الاسم على الشهادات",
        body: "الاسم في الشهادات مكتوب بطريقة مختلفة عن الهوية",
        requester: ("سارة المثالي", "sara.m@example.sa", "+966555000102"),
    },
    Fixture {
        key: "T3",
        kind: TicketKind::Inquiry,
        category: "certificates-academic",
        subject: "Certificate not received",
        body: "I completed Data Analysis weeks ago and the certificate has not been issued",
        requester: ("Noura Example", "noura.e@example.sa", "+966555000103"),
    },
    Fixture {
        key: "T4",
        kind: TicketKind::Complaint,
        category: "refunds-transfers",
        subject: "تأخر استرداد الرسوم",
        body: "تمت الموافقة على الاسترداد منذ ٢٠ يوماً ولم يصل المبلغ ٣٥٠٠ ريال",
        requester: ("فهد النموذجي", "fahad.n@example.sa", "+966555000104"),
    },
    Fixture {
        key: "T5",
        kind: TicketKind::Inquiry,
        category: "refunds-transfers",
        subject: "Refund delayed",
        body: "The refund was approved but 3500 SAR has not arrived yet",
        requester: ("Omar Sample", "omar.s@example.sa", "+966555000105"),
    },
    Fixture {
        key: "T6",
        kind: TicketKind::TechnicalIssue,
        category: "registration-account",
        subject: "لا أستطيع الدخول إلى حسابي",
        body: "عند محاولة تسجيل الدخول تظهر رسالة ERR-4031 ولا يمكنني المتابعة",
        requester: ("خالد الافتراضي", "khalid.a@example.sa", "+966555000106"),
    },
    Fixture {
        key: "T7",
        kind: TicketKind::TechnicalIssue,
        category: "registration-account",
        subject: "نسيت كلمة المرور",
        body: "لم تصلني رسالة استعادة كلمة المرور على البريد",
        requester: ("ريم العينة", "reem.a@example.sa", "+966555000107"),
    },
    Fixture {
        key: "T8",
        kind: TicketKind::TechnicalIssue,
        category: "registration-account",
        subject: "Cannot log in",
        body: "I get error ERR-4031 when signing in with Chrome",
        requester: ("Yousef Test", "yousef.t@example.sa", "+966555000108"),
    },
    Fixture {
        key: "T9",
        kind: TicketKind::TechnicalIssue,
        category: "lectures-content",
        subject: "لم يُحتسب حضوري في المحاضرة الافتراضية",
        body: "حضرت المحاضرة كاملة على Zoom ولكن الحضور مسجل غياب",
        requester: ("منى المستعار", "mona.m@example.sa", "+966555000109"),
    },
    Fixture {
        key: "T10",
        kind: TicketKind::Inquiry,
        category: "lectures-content",
        subject: "المحاضرات المسجلة غير متاحة",
        body: "أرجو رفع تسجيل المحاضرة الماضية",
        requester: ("عبير التجريبي", "abeer.t@example.sa", "+966555000110"),
    },
    Fixture {
        key: "T11",
        kind: TicketKind::TechnicalIssue,
        category: "technical-issues",
        subject: "الاختبار النهائي انقطع",
        body: "انقطع الاختبار الإلكتروني قبل التسليم وضاعت الإجابات",
        requester: ("ماجد المثالي", "majed.m@example.sa", "+966555000111"),
    },
    Fixture {
        key: "T12",
        kind: TicketKind::Request,
        category: "withdrawal-postponement",
        subject: "إعادة جدولة الإختبار",
        body: "لدي تقرير طبي يغطي يوم الاختبار",
        requester: ("تركي النموذجي", "turki.n@example.sa", "+966555000112"),
    },
    Fixture {
        key: "T13",
        kind: TicketKind::Complaint,
        category: "lectures-content",
        subject: "شكوى على المدرّب",
        body: "تأخر المدرب عن المحاضرة أكثر من نصف ساعة دون إشعار",
        requester: ("دانة الافتراضي", "dana.a@example.sa", "+966555000113"),
    },
    Fixture {
        key: "T14",
        kind: TicketKind::Suggestion,
        category: "lectures-content",
        subject: "اقتراح محاضرات مسائية",
        body: "أقترح إضافة محاضرات مسائية لأن أغلب المتدربين موظفون",
        requester: ("لمى العينة", "lama.a@example.sa", "+966555000114"),
    },
    Fixture {
        key: "T15",
        kind: TicketKind::TechnicalIssue,
        category: "technical-issues",
        subject: "المنصّة بطيئة جداً",
        body: "المنصة بطيئة أثناء الاختبار على الجوال",
        requester: ("أمل الاختباري", "amal.a@example.sa", "+966555000115"),
    },
    Fixture {
        key: "T16",
        kind: TicketKind::Inquiry,
        category: "invoices-fees",
        subject: "فاتورة ضريبية",
        body: "أحتاج فاتورة ضريبية باسم جهة العمل",
        requester: ("سلمان المستعار", "salman.m@example.sa", "+966555000116"),
    },
    Fixture {
        key: "T17",
        kind: TicketKind::TechnicalIssue,
        category: "technical-issues",
        subject: "Python course videos do not play",
        body: "The videos in unit three of Python Programming stop after two minutes",
        requester: ("Hind Sample", "hind.s@example.sa", "+966555000117"),
    },
    Fixture {
        key: "T18",
        kind: TicketKind::TechnicalIssue,
        category: "technical-issues",
        subject: "مشكلة في تطبيق الجوال",
        body: "التطبيق يتوقف على الآيفون عند فتح المقرر",
        requester: ("ياسر التجريبي", "yasser.t@example.sa", "+966555000118"),
    },
    Fixture {
        key: "T19",
        kind: TicketKind::Inquiry,
        category: "lectures-content",
        subject: "استفسار عن مستوى متقدم",
        body: "هل يوجد مستوى متقدم في البرنامج؟",
        requester: ("عمر النموذجي", "omar.n@example.sa", "+966555000119"),
    },
    Fixture {
        key: "T20",
        kind: TicketKind::Inquiry,
        category: "registration-account",
        subject: "تسجيل من مدرسة الخبر",
        body: "نحن مجموعة معلمات من المدرسة نريد التسجيل",
        requester: ("هيا المثالي", "haya.m@example.sa", "+966555000120"),
    },
    Fixture {
        key: "T21",
        kind: TicketKind::Request,
        category: "registration-account",
        subject: "تحديث بيانات الهويّة الوطنيّة",
        body: "رقم الهوية ١٠٢٣٤٥٦٧٨٩ المسجل غير صحيح",
        requester: ("نوف العينة", "nouf.a@example.sa", "+966555000121"),
    },
    Fixture {
        key: "T22",
        kind: TicketKind::TechnicalIssue,
        category: "technical-issues",
        subject: "مشكلة في Moodle",
        body: "لا يمكن رفع الواجب على Moodle بصيغة PDF",
        requester: ("بدر الافتراضي", "badr.a@example.sa", "+966555000122"),
    },
    Fixture {
        key: "T23",
        kind: TicketKind::Request,
        category: "withdrawal-postponement",
        subject: "طلب تأجيل الفصل",
        body: "أرغب في تأجيــــل دراستي إلى الفصل القادم بسبب العمل",
        requester: ("جود الاختباري", "jood.a@example.sa", "+966555000123"),
    },
    Fixture {
        key: "T24",
        kind: TicketKind::Inquiry,
        category: "lectures-content",
        subject: "سؤال عن الدورات الصيفية",
        body: "متى تبدأ الدورات الصيفية هذا العام؟",
        requester: ("هند المثالي", "hind.almithali@example.sa", "+966555000124"),
    },
    Fixture {
        key: "T25",
        kind: TicketKind::Inquiry,
        category: "invoices-fees",
        subject: "Invoice for my employer",
        body: "Please send a VAT invoice in my employer's name",
        requester: ("Faisal Example", "faisal.e@example.sa", "+966555000125"),
    },
    Fixture {
        key: "T26",
        kind: TicketKind::TechnicalIssue,
        category: "payment-confirmation",
        subject: "الدفع الإلكتروني فشل",
        body: "ظهرت رسالة خطأ من بوابة الدفع عند إدخال البطاقة",
        requester: ("رنا المستعار", "rana.m@example.sa", "+966555000126"),
    },
    Fixture {
        key: "T27",
        kind: TicketKind::TechnicalIssue,
        category: "technical-issues",
        subject: "Connection problems in class",
        body: "Connecting to the virtual classroom fails and the connection drops",
        requester: ("Sami Test", "sami.t@example.sa", "+966555000127"),
    },
    Fixture {
        key: "T28",
        kind: TicketKind::Inquiry,
        category: "registration-account",
        subject: "طلب معلومات",
        body: "أرجو الاتصال بي",
        requester: ("وليد العينة", "waleed.a@example.sa", "+966555000128"),
    },
    Fixture {
        key: "T29",
        kind: TicketKind::Inquiry,
        category: "registration-account",
        subject: "آلية التسجيل في البرنامج",
        body: "ما هي خطوات التسجيل؟",
        requester: ("شهد التجريبي", "shahad.t@example.sa", "+966555000129"),
    },
    Fixture {
        key: "T30",
        kind: TicketKind::Inquiry,
        category: "lectures-content",
        subject: "حضور مؤتمر التدريب",
        body: "هل يحتسب حضور المؤتمر ضمن الساعات؟",
        requester: ("غادة النموذجي", "ghada.n@example.sa", "+966555000130"),
    },
    Fixture {
        key: "T31",
        kind: TicketKind::Inquiry,
        category: "lectures-content",
        subject: "أسئلة الاختبار التجريبي",
        body: "أين أجد نماذج الاختبار التجريبي؟",
        requester: ("مها الافتراضي", "maha.a@example.sa", "+966555000131"),
    },
];

/// What a query must find: the best result, results that must be among those found, the exact
/// set found, or nothing.
enum Expect {
    First(&'static str),
    Includes(&'static [&'static str]),
    Exactly(&'static [&'static str]),
    Nothing,
}
use Expect::*;

/// The relevance table. `{T1}` in a query stands for ticket T1's number.
const RELEVANCE: &[(&str, Expect)] = &[
    // Arabic words, their inflections, diacritics and spelling variants.
    ("شهادة", Includes(&["T1", "T2"])),
    ("الشهادة", Includes(&["T1", "T2"])),
    ("شَهَادَة", Includes(&["T1", "T2"])),
    ("الشهادات", Includes(&["T1", "T2"])),
    ("الشهاده", Includes(&["T1", "T2"])),
    ("استرداد", Includes(&["T4"])),
    ("الاسترداد", Includes(&["T4"])),
    ("إسترداد", Includes(&["T4"])),
    ("كلمة المرور", First("T7")),
    ("كلمه المرور", First("T7")),
    ("الدخول", Includes(&["T6"])),
    ("تسجيل الدخول", First("T6")),
    ("حضوري", Includes(&["T9"])),
    ("المحاضرة الافتراضية", First("T9")),
    ("المحاضره الافتراضيه", First("T9")),
    ("المُحاضَرة", Includes(&["T9", "T10", "T13", "T14"])),
    ("المحاضرات المسجلة", First("T10")),
    ("الاختبار", Includes(&["T11", "T12", "T15", "T31"])),
    ("الإختبار النهائي", First("T11")),
    ("اختبار", Includes(&["T11", "T12"])),
    ("المدرب", Includes(&["T13"])),
    ("المدرّب", Includes(&["T13"])),
    ("مسائية", Exactly(&["T14"])),
    ("المنصة", Exactly(&["T15"])),
    ("المنصّة", Exactly(&["T15"])),
    ("فاتورة ضريبية", First("T16")),
    ("التطبيق", Includes(&["T18"])),
    ("الآيفون", Exactly(&["T18"])),
    ("الايفون", Exactly(&["T18"])),
    ("مستوي", Exactly(&["T19"])),
    ("مستوى", Exactly(&["T19"])),
    ("المدرسه", Includes(&["T20"])),
    ("تأجيل", Includes(&["T23"])),
    ("تأجـــيل", Includes(&["T23"])),
    ("اليه التسجيل", First("T29")),
    ("موتمر", Exactly(&["T30"])),
    ("اسيله", Exactly(&["T31"])),
    ("الدفع", Includes(&["T26"])),
    ("بوابة الدفع", First("T26")),
    // Internal notes are searched too (only staff search tickets).
    ("التواصل هاتفياً", Exactly(&["T28"])),
    // English, with inflections.
    ("certificate", First("T3")),
    ("certificates", Includes(&["T3"])),
    ("CERTIFICATE", Includes(&["T3"])),
    ("refund", First("T5")),
    ("refunds", Includes(&["T5"])),
    ("invoice", First("T25")),
    ("VAT invoice", Exactly(&["T25"])),
    ("python", First("T17")),
    ("video", Includes(&["T17"])),
    ("connected", Exactly(&["T27"])),
    ("connecting", Exactly(&["T27"])),
    ("zoom", Exactly(&["T9"])),
    ("log", Exactly(&["T8"])),
    // Mixed Arabic and English.
    ("Moodle الواجب", First("T22")),
    ("moodle", Exactly(&["T22"])),
    ("Chrome ERR-4031", Exactly(&["T8"])),
    // Codes and numbers, in every digit script.
    ("ERR-4031", Exactly(&["T6", "T8"])),
    ("err 4031", Exactly(&["T6", "T8"])),
    ("3500", Exactly(&["T4", "T5"])),
    ("٣٥٠٠", Exactly(&["T4", "T5"])),
    ("1023456789", Exactly(&["T21"])),
    ("١٠٢٣٤٥٦٧٨٩", Exactly(&["T21"])),
    ("۱۰۲۳۴۵۶۷۸۹", Exactly(&["T21"])),
    // Ticket numbers, as printed and as typed.
    ("{T1}", First("T1")),
    ("{t1}", First("T1")),
    ("{T24}", Exactly(&["T24"])),
    // The requester: name, e-mail, phone in every form.
    ("هند المثالي", First("T24")),
    ("hind.almithali@example.sa", Exactly(&["T24"])),
    ("0555000124", Exactly(&["T24"])),
    ("٠٥٥٥٠٠٠١٢٤", Exactly(&["T24"])),
    ("+966555000124", Exactly(&["T24"])),
    // Type-ahead: the last word is a prefix.
    ("شها", Includes(&["T1", "T2"])),
    ("الشها", Includes(&["T1", "T2"])),
    ("certif", Includes(&["T3"])),
    ("refu", Includes(&["T5"])),
    ("بوابة الد", First("T26")),
    // Every word must match.
    ("xyzzy", Nothing),
    ("شهادة xyzzy", Nothing),
    ("certificate refund", Nothing),
];

struct World {
    org: Organization,
    numbers: HashMap<&'static str, String>,
    director: Principal,
    technical_agent: Principal,
    technical_agent_id: i64,
}

async fn world(store: &Store) -> World {
    let now = at("2026-11-20T08:00:00Z");
    let org = support::organization_with_policy(
        store,
        &support::new_organization("diplomas", "Online diplomas", "DI"),
        "seed-004.toml",
        &support::policy_file("seed-004-diplomas-platform.toml"),
        now,
    )
    .await;
    let mut numbers = HashMap::new();
    for (index, fixture) in FIXTURES.iter().enumerate() {
        let (name, email, phone) = fixture.requester;
        let ticket = NewTicket {
            kind: fixture.kind,
            channel: Channel::WebForm,
            subject: Subject::parse(fixture.subject).unwrap(),
            body: MessageBody::parse(fixture.body).unwrap(),
            category: Some(Code::parse(fixture.category).unwrap()),
            requester: NewRequester {
                name: PersonName::parse(name).unwrap(),
                contact: RequesterContact::Both(
                    EmailAddress::parse(email).unwrap(),
                    PhoneNumber::parse(phone).unwrap(),
                ),
                requester_type: RequesterType::Trainee,
            },
            attachments: Vec::new(),
        };
        let created = store
            .create_ticket(
                &org,
                &ticket,
                None,
                &Actor::System,
                now + jiff::SignedDuration::from_mins(index as i64),
            )
            .await
            .unwrap();
        numbers.insert(fixture.key, created.ticket.number);
    }
    // An internal note on T28, searched by staff like any message.
    store
        .add_message(
            &org,
            &numbers["T28"],
            &NewMessage {
                kind: MessageKind::InternalNote,
                body: MessageBody::parse("تم التواصل هاتفياً مع المتدرب").unwrap(),
                attachments: Vec::new(),
            },
            &Actor::System,
            now + jiff::SignedDuration::from_hours(2),
        )
        .await
        .unwrap();
    let user = |email: &str, role: StaffRole, departments: &[&str]| NewUser {
        email: EmailAddress::parse(email).unwrap(),
        name: PersonName::parse("موظف تجريبي").unwrap(),
        role,
        departments: departments
            .iter()
            .map(|code| Code::parse(code).unwrap())
            .collect(),
        password_hash: None,
    };
    let director = store
        .create_user(
            org.id,
            &user("director@example.sa", StaffRole::Director, &[]),
            now,
        )
        .await
        .unwrap();
    let agent = store
        .create_user(
            org.id,
            &user("agent@example.sa", StaffRole::Agent, &["technical-support"]),
            now,
        )
        .await
        .unwrap();
    World {
        org,
        numbers,
        director: Principal::Staff {
            user_id: director.id,
            role: director.role,
            departments: director.departments,
        },
        technical_agent: Principal::Staff {
            user_id: agent.id,
            role: agent.role,
            departments: agent.departments,
        },
        technical_agent_id: agent.id,
    }
}

async fn found(store: &Store, world: &World, viewer: &Principal, raw: &str) -> Vec<&'static str> {
    let query = SearchQuery::parse(raw)
        .unwrap_or_else(|error| panic!("the query {raw:?} does not parse: {error}"));
    let hits = store
        .search_tickets(world.org.id, viewer, &query, 50)
        .await
        .unwrap();
    hits.iter()
        .map(|hit| {
            world
                .numbers
                .iter()
                .find(|(_, number)| **number == hit.number)
                .map(|(key, _)| *key)
                .unwrap_or_else(|| panic!("{raw:?} found an unknown ticket {}", hit.number))
        })
        .collect()
}

async fn the_relevance_table_holds(db: TestDb) {
    assert!(
        RELEVANCE.len() >= 50,
        "the issue asks for at least 50 queries"
    );
    let world = world(&db.store).await;
    let mut failures = Vec::new();
    for (raw, expect) in RELEVANCE {
        let mut query = (*raw).to_owned();
        for (key, number) in &world.numbers {
            query = query.replace(&format!("{{{key}}}"), number).replace(
                &format!("{{{}}}", key.to_lowercase()),
                &number.to_lowercase(),
            );
        }
        let keys = found(&db.store, &world, &world.director, &query).await;
        let holds = match expect {
            First(key) => keys.first() == Some(key),
            Includes(wanted) => wanted.iter().all(|key| keys.contains(key)),
            Exactly(wanted) => {
                let mut sorted = keys.clone();
                sorted.sort_unstable();
                let mut wanted = wanted.to_vec();
                wanted.sort_unstable();
                sorted == wanted
            }
            Nothing => keys.is_empty(),
        };
        if !holds {
            let expected = match expect {
                First(key) => format!("{key} first"),
                Includes(wanted) => format!("including {wanted:?}"),
                Exactly(wanted) => format!("exactly {wanted:?}"),
                Nothing => "nothing".to_owned(),
            };
            failures.push(format!("{query:?}: expected {expected}, found {keys:?}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} queries failed:\n{}",
        failures.len(),
        RELEVANCE.len(),
        failures.join("\n")
    );
}

async fn search_sees_only_what_the_searcher_may_see(db: TestDb) {
    let world = world(&db.store).await;
    // T13 is a complaint routed to student support: confidential to that department.
    assert_eq!(
        found(&db.store, &world, &world.director, "المدرب").await,
        vec!["T13"]
    );
    assert!(
        found(&db.store, &world, &world.technical_agent, "المدرب")
            .await
            .is_empty()
    );
    // Inquiries are visible to every agent, whatever their department.
    assert_eq!(
        found(&db.store, &world, &world.technical_agent, "مستوى").await,
        vec!["T19"]
    );
    // Another organization's tickets are never found.
    let other = support::new_organization("other", "Other", "OT");
    let other = db
        .store
        .create_organization(&other, at("2026-11-20T08:00:00Z"))
        .await
        .unwrap();
    let stranger = NewTicket {
        kind: TicketKind::Inquiry,
        channel: Channel::Email,
        subject: Subject::parse("مستوى متقدم في منظمة أخرى").unwrap(),
        body: MessageBody::parse("مستوى").unwrap(),
        category: None,
        requester: NewRequester {
            name: PersonName::parse("شخص آخر").unwrap(),
            contact: RequesterContact::Email(EmailAddress::parse("other@example.sa").unwrap()),
            requester_type: RequesterType::Other,
        },
        attachments: Vec::new(),
    };
    db.store
        .create_ticket(
            &other,
            &stranger,
            None,
            &Actor::System,
            at("2026-11-20T09:00:00Z"),
        )
        .await
        .unwrap();
    assert_eq!(
        found(&db.store, &world, &world.director, "مستوى").await,
        vec!["T19"]
    );
    // A supervisor (regulator) sees no ticket through the desk.
    let supervisor = Principal::Staff {
        user_id: 999_999,
        role: StaffRole::Supervisor,
        departments: Vec::new(),
    };
    assert!(
        found(&db.store, &world, &supervisor, "مستوى")
            .await
            .is_empty()
    );
}

/// The director's first ten hits for `raw`, and among them T9's.
async fn t9_hit(store: &Store, world: &World, raw: &str) -> Option<TicketSearchHit> {
    let query = SearchQuery::parse(raw).unwrap();
    let hits = store
        .search_tickets(world.org.id, &world.director, &query, 10)
        .await
        .unwrap();
    hits.into_iter()
        .find(|hit| hit.number == world.numbers["T9"])
}

async fn snippets_highlight_the_words_as_written(db: TestDb) {
    let world = world(&db.store).await;
    let hit = t9_hit(&db.store, &world, "حضور")
        .await
        .expect("T9 is found");
    let marked: Vec<&str> = hit
        .snippet
        .segments
        .iter()
        .filter(|segment| segment.highlighted)
        .map(|segment| segment.text.as_str())
        .collect();
    assert!(
        !marked.is_empty(),
        "the snippet highlights something: {:?}",
        hit.snippet
    );
    assert!(
        hit.snippet.plain_text().contains("Zoom"),
        "the snippet comes from the message: {:?}",
        hit.snippet.plain_text()
    );
    // A diacritized query highlights the word as the requester wrote it (here with its damma).
    let hit = t9_hit(&db.store, &world, "يحتسب")
        .await
        .expect("T9 is found by its subject");
    assert!(
        hit.snippet
            .segments
            .iter()
            .any(|segment| segment.highlighted && segment.text == "يُحتسب"),
        "{:?}",
        hit.snippet
    );
}

async fn the_index_follows_new_messages_and_subject_changes(db: TestDb) {
    let world = world(&db.store).await;
    let org = &world.org;
    assert!(
        found(&db.store, &world, &world.director, "بلوتوث")
            .await
            .is_empty()
    );
    db.store
        .add_message(
            org,
            &world.numbers["T18"],
            &NewMessage {
                kind: MessageKind::RequesterMessage,
                body: MessageBody::parse("المشكلة تظهر أيضاً مع سماعة البلوتوث").unwrap(),
                attachments: Vec::new(),
            },
            &Actor::System,
            at("2026-11-21T08:00:00Z"),
        )
        .await
        .unwrap();
    assert_eq!(
        found(&db.store, &world, &world.director, "بلوتوث").await,
        vec!["T18"]
    );
    let changes = TicketChanges {
        subject: Some(Subject::parse("Bluetooth headset problem").unwrap()),
        ..no_changes()
    };
    db.store
        .change_ticket(
            org,
            &world.numbers["T18"],
            &changes,
            &Actor::System,
            at("2026-11-21T09:00:00Z"),
        )
        .await
        .unwrap();
    assert_eq!(
        found(&db.store, &world, &world.director, "headset").await,
        vec!["T18"]
    );
    // "الجوال" was only in the old subject.
    assert!(
        !found(&db.store, &world, &world.director, "الجوال")
            .await
            .contains(&"T18"),
        "the old subject is gone from the index"
    );
}

/// Changes one of T13's facts, as an agent would from the ticket page.
async fn change_t13(store: &Store, world: &World, changes: TicketChanges, minute: i64) {
    store
        .change_ticket(
            &world.org,
            &world.numbers["T13"],
            &changes,
            &Actor::System,
            at("2026-11-21T10:00:00Z") + jiff::SignedDuration::from_mins(minute),
        )
        .await
        .unwrap();
}

fn no_changes() -> TicketChanges {
    TicketChanges {
        kind: None,
        category: None,
        complexity: None,
        importance: None,
        departments: None,
        assignee_id: None,
        subject: None,
    }
}

/// The index holds who may find each ticket (its access terms); they must follow every change
/// of routing, assignee and kind, or an agent would miss a ticket they may see (or the index
/// would offer one they may not, which the store's own check then drops).
async fn who_may_find_a_complaint_follows_its_routing_assignment_and_kind(db: TestDb) {
    let world = world(&db.store).await;
    let agent_finds_t13 = || async {
        found(&db.store, &world, &world.technical_agent, "المدرب").await == vec!["T13"]
    };
    assert!(
        !agent_finds_t13().await,
        "T13 starts in student support only"
    );

    let routed = |codes: &[&str]| TicketChanges {
        departments: Some(
            codes
                .iter()
                .map(|code| Code::parse(code).unwrap())
                .collect(),
        ),
        ..no_changes()
    };
    change_t13(
        &db.store,
        &world,
        routed(&["student-support", "technical-support"]),
        1,
    )
    .await;
    assert!(
        agent_finds_t13().await,
        "routed to the agent's department too"
    );
    change_t13(&db.store, &world, routed(&["student-support"]), 2).await;
    assert!(!agent_finds_t13().await, "routed away again");

    let assigned = |assignee: Option<i64>| TicketChanges {
        assignee_id: Some(assignee),
        ..no_changes()
    };
    change_t13(
        &db.store,
        &world,
        assigned(Some(world.technical_agent_id)),
        3,
    )
    .await;
    assert!(agent_finds_t13().await, "assigned to the agent");
    change_t13(&db.store, &world, assigned(None), 4).await;
    assert!(!agent_finds_t13().await, "unassigned");

    let kind = |kind: TicketKind| TicketChanges {
        kind: Some(kind),
        ..no_changes()
    };
    change_t13(&db.store, &world, kind(TicketKind::Inquiry), 5).await;
    assert!(
        agent_finds_t13().await,
        "no longer a complaint: every agent may see it"
    );
    change_t13(&db.store, &world, kind(TicketKind::Complaint), 6).await;
    assert!(!agent_finds_t13().await, "a complaint again");

    // A rebuild writes the same access terms as the edits did.
    change_t13(
        &db.store,
        &world,
        assigned(Some(world.technical_agent_id)),
        7,
    )
    .await;
    db.store
        .rebuild_search_index(ReindexScope::Everything, 3)
        .await
        .unwrap();
    assert!(agent_finds_t13().await, "still assigned after a rebuild");
    // The director sees it throughout.
    assert_eq!(
        found(&db.store, &world, &world.director, "المدرب").await,
        vec!["T13"]
    );
}

async fn a_rebuild_reindexes_everything_the_same_way(db: TestDb) {
    let world = world(&db.store).await;
    let before = found(&db.store, &world, &world.director, "المحاضرة").await;
    let agent_before = found(&db.store, &world, &world.technical_agent, "المحاضرة").await;
    assert_ne!(
        before, agent_before,
        "the agent does not see T13, a complaint of another department"
    );
    let report = db
        .store
        .rebuild_search_index(ReindexScope::Everything, 7)
        .await
        .unwrap();
    assert_eq!(report.tickets, FIXTURES.len() as u64);
    assert_eq!(
        found(&db.store, &world, &world.director, "المحاضرة").await,
        before
    );
    assert_eq!(
        found(&db.store, &world, &world.technical_agent, "المحاضرة").await,
        agent_before
    );
    // Nothing is stale afterwards.
    let report = db
        .store
        .rebuild_search_index(ReindexScope::Stale, 7)
        .await
        .unwrap();
    assert_eq!(report, ReindexReport::default());
}
