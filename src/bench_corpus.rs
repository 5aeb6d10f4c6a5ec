//! A realistic, reproducible corpus of past tickets for `sanad bench seed`: what trainees of an
//! online-diploma platform write about (seed 004's categories), three in four in Arabic — some
//! with diacritics, some with Arabic-Indic digits, as people really type — and one in four in
//! English, with the desk's replies, follow-ups and internal notes.
//!
//! Every name, e-mail address and phone number is made up (`example.sa`, `+966 555 …`).

use jiff::{SignedDuration, Timestamp};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use sanad_domain::{Channel, Complexity, Importance, MessageKind, TicketKind, TicketStatus};
use sanad_store::{ImportedAuthor, ImportedMessage, ImportedTicket};

/// One subject of complaint or question, in both languages, with the category (seed 004) and
/// department it belongs to.
struct Topic {
    category: &'static str,
    department: &'static str,
    kind: TicketKind,
    subjects_ar: &'static [&'static str],
    subjects_en: &'static [&'static str],
    details_ar: &'static [&'static str],
    details_en: &'static [&'static str],
}

const TOPICS: &[Topic] = &[
    Topic {
        category: "registration-account",
        department: "student-support",
        kind: TicketKind::TechnicalIssue,
        subjects_ar: &[
            "لا أستطيع الدخول إلى حسابي في المنصة",
            "نسيت كلمة المرور ولم تصلني رسالة الاستعادة",
            "تعديل البريد الإلكتروني المسجل في الحساب",
            "الحساب مقفل بعد محاولات دخول خاطئة",
        ],
        subjects_en: &[
            "Cannot log in to my account",
            "Password reset email never arrived",
            "Please change the email address on my account",
        ],
        details_ar: &[
            "عند محاولة تسجيل الدخول تظهر رسالة {code} ولا يمكنني المتابعة.",
            "جربت إعادة تعيين كلمة المرور أكثر من مرة ولم تصل أي رسالة إلى بريدي.",
            "سجلت في برنامج {course} ولكن لا يظهر البرنامج في حسابي.",
            "أستخدم متصفح {browser} على {device} والمشكلة مستمرة منذ يوم {date}.",
            "رقم الهوية المسجل في الحساب غير صحيح وأرجو تصحيحه.",
        ],
        details_en: &[
            "When I try to sign in I get the error {code} and cannot continue.",
            "I requested a password reset several times but no email arrived.",
            "I enrolled in {course} but the programme does not show in my account.",
            "I am using {browser} on {device} and the problem started on {date}.",
        ],
    },
    Topic {
        category: "lectures-content",
        department: "student-support",
        kind: TicketKind::TechnicalIssue,
        subjects_ar: &[
            "لم يُحتسب حضوري في المحاضرة الافتراضية",
            "تسجيل المحاضرة غير متاح",
            "لا يعمل الفيديو في الوحدة الثالثة",
            "رابط المحاضرة المباشرة لا يفتح",
        ],
        subjects_en: &[
            "My attendance was not recorded for the virtual class",
            "Lecture recording is not available",
            "Video in unit three does not play",
        ],
        details_ar: &[
            "حضرت محاضرة {course} كاملة يوم {date} ولكن الحضور مسجل غياب.",
            "الفيديو يتوقف بعد دقيقتين وتظهر رسالة خطأ {code}.",
            "رابط الفصل الافتراضي على {platform} يطلب كلمة مرور لا أعرفها.",
            "المحتوى التدريبي للوحدة لا يظهر رغم إكمال الوحدة السابقة.",
            "أرجو رفع تسجيل المحاضرة لأنني انقطع الاتصال عندي أثناءها.",
        ],
        details_en: &[
            "I attended the whole {course} lecture on {date} but I am marked absent.",
            "The video stops after two minutes with the error {code}.",
            "The virtual classroom link on {platform} asks for a password I do not have.",
            "Please upload the recording, my connection dropped during the lecture.",
        ],
    },
    Topic {
        category: "withdrawal-postponement",
        department: "student-support",
        kind: TicketKind::Request,
        subjects_ar: &[
            "طلب تأجيل الفصل التدريبي",
            "الانسحاب من الدورة واسترداد الرسوم",
            "تأجيل موعد الاختبار النهائي لظرف صحي",
        ],
        subjects_en: &[
            "Request to postpone the term",
            "Withdrawal from the course",
            "Postpone my final exam",
        ],
        details_ar: &[
            "أرغب في تأجيل دراستي في برنامج {course} إلى الفصل القادم بسبب ظروف العمل.",
            "لدي تقرير طبي يغطي يوم الاختبار {date} وأرجو إعادة جدولة الاختبار.",
            "ما هي إجراءات الانسحاب وهل يمكن استرداد جزء من الرسوم؟",
        ],
        details_en: &[
            "I would like to postpone {course} to next term because of work.",
            "I have a medical report covering the exam day {date}; please reschedule.",
            "What is the withdrawal procedure and is any part of the fee refundable?",
        ],
    },
    Topic {
        category: "certificates-academic",
        department: "student-affairs",
        kind: TicketKind::Inquiry,
        subjects_ar: &[
            "لم تصلني شهادة إتمام الدورة",
            "خطأ في الاسم على الشهادة",
            "الاستفسار عن نتيجة الاختبار النهائي",
            "متى تصدر الشهادات المعتمدة؟",
        ],
        subjects_en: &[
            "Certificate not received",
            "My name is misspelled on the certificate",
            "Final exam result",
        ],
        details_ar: &[
            "أكملت برنامج {course} بنجاح منذ {days} يوماً ولم تصدر الشهادة حتى الآن.",
            "الاسم في الشهادة مكتوب بطريقة مختلفة عن الهوية الوطنية.",
            "درجتي في الاختبار النهائي لا تظهر في السجل الأكاديمي.",
            "أحتاج الشهادة لتقديمها لجهة العمل قبل تاريخ {date}.",
        ],
        details_en: &[
            "I completed {course} {days} days ago and the certificate has not been issued.",
            "My name on the certificate does not match my national ID.",
            "My final exam grade does not appear in my transcript.",
        ],
    },
    Topic {
        category: "invoices-fees",
        department: "financial-support",
        kind: TicketKind::Inquiry,
        subjects_ar: &[
            "طلب فاتورة ضريبية للرسوم",
            "استفسار عن رسوم البرنامج",
            "خصم الموظفين على الرسوم",
        ],
        subjects_en: &["VAT invoice for my fees", "Question about programme fees"],
        details_ar: &[
            "أحتاج فاتورة ضريبية باسم جهة العمل لرسوم برنامج {course}.",
            "هل يمكن تقسيط الرسوم على دفعتين؟",
            "تم خصم مبلغ {amount} ريال ولكن الفاتورة تظهر مبلغاً مختلفاً.",
        ],
        details_en: &[
            "I need a VAT invoice in my employer's name for {course}.",
            "Can the fees be paid in two instalments?",
            "I was charged {amount} SAR but the invoice shows a different amount.",
        ],
    },
    Topic {
        category: "refunds-transfers",
        department: "financial-support",
        kind: TicketKind::Complaint,
        subjects_ar: &[
            "تأخر استرداد الرسوم",
            "لم يصل المبلغ المسترد إلى حسابي البنكي",
            "شكوى بخصوص الاسترداد",
        ],
        subjects_en: &["Refund delayed", "Refund has not reached my bank account"],
        details_ar: &[
            "تمت الموافقة على الاسترداد منذ {days} يوماً ولم يصل المبلغ {amount} ريال.",
            "أرسلت رقم الآيبان الصحيح ولكن التحويل لم يتم.",
            "هذه ثالث مرة أتواصل فيها بخصوص نفس الطلب دون رد واضح.",
        ],
        details_en: &[
            "The refund was approved {days} days ago but {amount} SAR has not arrived.",
            "I sent the correct IBAN but the transfer was not made.",
        ],
    },
    Topic {
        category: "payment-confirmation",
        department: "financial-support",
        kind: TicketKind::TechnicalIssue,
        subjects_ar: &[
            "فشل الدفع الإلكتروني",
            "تم الدفع ولم يتم تأكيد التسجيل",
            "مشكلة في بوابة الدفع",
        ],
        subjects_en: &[
            "Online payment failed",
            "Paid but registration not confirmed",
        ],
        details_ar: &[
            "حاولت الدفع بالبطاقة عبر {platform} وظهرت رسالة {code}.",
            "تم خصم المبلغ من حسابي ولكن حالة التسجيل ما زالت بانتظار الدفع.",
            "رقم العملية {reference} وتاريخها {date}.",
        ],
        details_en: &[
            "I tried to pay by card and got the error {code}.",
            "The amount was taken from my account but my registration still says unpaid.",
            "Transaction reference {reference}, dated {date}.",
        ],
    },
    Topic {
        category: "technical-issues",
        department: "technical-support",
        kind: TicketKind::TechnicalIssue,
        subjects_ar: &[
            "المنصة بطيئة جداً أثناء الاختبار",
            "لا يمكن رفع الواجب على المنصة",
            "خطأ عند تسليم الاختبار الإلكتروني",
            "التطبيق يتوقف على الجوال",
        ],
        subjects_en: &[
            "Platform very slow during the exam",
            "Cannot upload my assignment",
            "App crashes on my phone",
        ],
        details_ar: &[
            "عند رفع ملف الواجب بصيغة PDF تظهر رسالة {code}.",
            "انقطع الاختبار الإلكتروني قبل التسليم وضاعت إجاباتي.",
            "التطبيق على {device} يغلق تلقائياً عند فتح المقرر.",
            "جربت متصفح {browser} وآخر غيره والمشكلة نفسها.",
        ],
        details_en: &[
            "Uploading my PDF assignment fails with {code}.",
            "The online exam disconnected before I could submit my answers.",
            "The app on my {device} closes when I open the course.",
        ],
    },
    Topic {
        category: "lectures-content",
        department: "student-affairs",
        kind: TicketKind::Complaint,
        subjects_ar: &[
            "شكوى على أسلوب المدرب",
            "تأخر المدرب عن المحاضرة",
            "المحتوى التدريبي غير محدث",
        ],
        subjects_en: &["Complaint about the trainer", "Course content is outdated"],
        details_ar: &[
            "تأخر المدرب عن محاضرة {course} أكثر من نصف ساعة دون إشعار.",
            "المدرب لا يجيب على أسئلة المتدربين في المنتدى.",
            "المادة العلمية في الوحدة الثانية قديمة ولا تتوافق مع الاختبار.",
        ],
        details_en: &[
            "The trainer was more than half an hour late to the {course} lecture.",
            "The trainer does not answer trainees' questions in the forum.",
        ],
    },
    Topic {
        category: "lectures-content",
        department: "student-affairs",
        kind: TicketKind::Suggestion,
        subjects_ar: &[
            "اقتراح إضافة محاضرات مسائية",
            "اقتراح تطبيق للجوال",
            "اقتراح لتحسين الاختبارات",
        ],
        subjects_en: &[
            "Suggestion: evening classes",
            "Suggestion: downloadable lecture notes",
        ],
        details_ar: &[
            "أقترح إضافة محاضرات مسائية لبرنامج {course} لأن أغلب المتدربين موظفون.",
            "سيكون من المفيد توفير ملخصات للمحاضرات قابلة للتحميل.",
            "أقترح إتاحة اختبارات تجريبية قبل الاختبار النهائي.",
        ],
        details_en: &[
            "Please add evening sessions for {course}; most of us work during the day.",
            "Downloadable lecture notes would help a lot.",
        ],
    },
];

const COURSES_AR: &[&str] = &[
    "إدارة المشاريع الاحترافية",
    "الأمن السيبراني",
    "تحليل البيانات",
    "المحاسبة المالية",
    "الموارد البشرية",
    "التسويق الرقمي",
    "البرمجة بلغة بايثون",
    "اللغة الإنجليزية للأعمال",
];
const COURSES_EN: &[&str] = &[
    "Professional Project Management",
    "Cyber Security",
    "Data Analysis",
    "Financial Accounting",
    "Digital Marketing",
    "Python Programming",
];
const PLATFORMS: &[&str] = &["Zoom", "Microsoft Teams", "Blackboard", "Moodle"];
const BROWSERS: &[&str] = &["Chrome", "Safari", "Firefox", "Edge"];
const DEVICES_AR: &[&str] = &["الجوال", "الآيباد", "الحاسب المحمول", "جهاز ماك"];
const DEVICES_EN: &[&str] = &["iPhone", "Android phone", "laptop", "MacBook"];

const OPENINGS_AR: &[&str] = &[
    "السلام عليكم،",
    "مرحباً،",
    "السلام عليكم ورحمة الله،",
    "",
    "تحية طيبة،",
];
const CLOSINGS_AR: &[&str] = &[
    "وشكراً لكم.",
    "أرجو سرعة الرد.",
    "ولكم جزيل الشكر.",
    "",
    "مع التحية.",
];
const OPENINGS_EN: &[&str] = &["Hello,", "Hi,", "Dear support team,", ""];
const CLOSINGS_EN: &[&str] = &["Thank you.", "Regards.", "Please advise.", ""];

const REPLIES_AR: &[&str] = &[
    "شكراً لتواصلك معنا، تمت مراجعة طلبك وتم حل المشكلة. نرجو المحاولة مرة أخرى.",
    "نعتذر عن الإزعاج، تم تحويل طلبك إلى القسم المختص وسنوافيك بالنتيجة.",
    "تم تحديث بيانات حسابك، ويمكنك الآن الدخول إلى المنصة.",
    "تم إصدار الشهادة وإرسالها إلى بريدك الإلكتروني المسجل.",
    "نرجو تزويدنا بصورة من رسالة الخطأ ورقم الهوية لنتمكن من المساعدة.",
    "تمت إعادة احتساب الحضور بعد مراجعة سجل الفصل الافتراضي.",
    "تم تنفيذ الاسترداد وسيظهر المبلغ في حسابك خلال خمسة أيام عمل.",
];
const REPLIES_EN: &[&str] = &[
    "Thank you for contacting us; the problem has been fixed, please try again.",
    "Sorry for the trouble; your request has been passed to the team concerned.",
    "Your certificate has been issued and sent to your registered email.",
    "Please send us a screenshot of the error so that we can help.",
    "The refund has been made and should reach your account within five working days.",
];
const FOLLOW_UPS_AR: &[&str] = &[
    "شكراً لكم، تم حل المشكلة.",
    "ما زالت المشكلة قائمة للأسف.",
    "أرفقت صورة الشاشة كما طلبتم.",
    "متى يمكن أن أتوقع الرد؟",
];
const FOLLOW_UPS_EN: &[&str] = &[
    "Thanks, it works now.",
    "The problem is still there.",
    "Screenshot attached as requested.",
];
const NOTES: &[&str] = &[
    "تم التواصل مع المتدرب هاتفياً.",
    "بانتظار رد القسم المالي.",
    "Checked the LMS logs; session timed out.",
    "حالة مكررة، راجع التذكرة السابقة للمتدرب.",
];

const FIRST_NAMES: &[&str] = &[
    "ليلى",
    "سارة",
    "نورة",
    "ريم",
    "هند",
    "منى",
    "عبير",
    "أمل",
    "فهد",
    "خالد",
    "عبدالله",
    "محمد",
    "سلمان",
    "ياسر",
    "تركي",
    "ماجد",
    "عمر",
    "يوسف",
    "دانة",
    "لمى",
];
const FIRST_NAMES_LATIN: &[&str] = &[
    "layla", "sara", "noura", "reem", "hind", "mona", "abeer", "amal", "fahad", "khalid",
    "abdullah", "mohammed", "salman", "yasser", "turki", "majed", "omar", "yousef", "dana", "lama",
];
const FAMILY_NAMES: &[&str] = &[
    "التجريبي",
    "المثالي",
    "النموذجي",
    "الافتراضي",
    "العيّنة",
    "الاختباري",
    "المستعار",
];
const FAMILY_NAMES_LATIN: &[&str] = &[
    "altajribi",
    "almithali",
    "alnamudhaji",
    "aliftiradi",
    "alayyina",
    "alikhtibari",
    "almustaar",
];

/// Arabic short vowels that some people type; added to a few words so the corpus holds them as
/// real text does.
const HARAKAT: &[char] = &['\u{064E}', '\u{064F}', '\u{0650}', '\u{0651}', '\u{0652}'];

fn pick<'a>(rng: &mut StdRng, items: &'a [&'a str]) -> &'a str {
    items[rng.random_range(0..items.len())]
}

/// Arabic-Indic digits for a Western-digit string, as many phones type them.
fn arabic_indic(text: &str) -> String {
    text.chars()
        .map(|character| match character.to_digit(10) {
            Some(digit) => char::from_u32(0x0660 + digit).unwrap_or(character),
            None => character,
        })
        .collect()
}

/// Adds a vowel mark after some Arabic letters, as a careful writer does.
fn with_some_harakat(rng: &mut StdRng, text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    for character in text.chars() {
        out.push(character);
        if ('\u{0621}'..='\u{064A}').contains(&character) && rng.random_bool(0.15) {
            out.push(HARAKAT[rng.random_range(0..HARAKAT.len())]);
        }
    }
    out
}

/// The generator: deterministic for a seed, so two runs build the same corpus.
pub struct Corpus {
    rng: StdRng,
    now: Timestamp,
}

/// A fictional requester: name, e-mail and phone.
pub struct FakeRequester {
    pub name: String,
    pub email: String,
    pub phone: String,
}

/// The staff a generated ticket can be assigned to and answered by.
pub struct Staff {
    pub user_id: i64,
    pub name: String,
    pub department: String,
}

impl Corpus {
    pub fn new(seed: u64, now: Timestamp) -> Corpus {
        Corpus {
            rng: StdRng::seed_from_u64(seed),
            now,
        }
    }

    /// The `index`th requester: unique e-mail and phone for each index.
    pub fn requester(&mut self, index: u64) -> FakeRequester {
        let first = self.rng.random_range(0..FIRST_NAMES.len());
        let family = self.rng.random_range(0..FAMILY_NAMES.len());
        FakeRequester {
            name: format!("{} {}", FIRST_NAMES[first], FAMILY_NAMES[family]),
            email: format!(
                "{}.{}{index}@example.sa",
                FIRST_NAMES_LATIN[first], FAMILY_NAMES_LATIN[family]
            ),
            // +966 555 xxx xxx: a range that no Saudi operator assigns, so no real person is
            // reached; the index keeps each number unique.
            phone: format!("+966555{:06}", index % 1_000_000),
        }
    }

    fn fill(&mut self, template: &str, arabic: bool) -> String {
        let mut text = template.to_owned();
        let date = (self.now - SignedDuration::from_hours(24 * self.rng.random_range(1..900)))
            .to_zoned(jiff::tz::TimeZone::UTC)
            .date()
            .to_string();
        let replacements: [(&str, String); 9] = [
            (
                "{course}",
                if arabic {
                    pick(&mut self.rng, COURSES_AR)
                } else {
                    pick(&mut self.rng, COURSES_EN)
                }
                .to_owned(),
            ),
            ("{platform}", pick(&mut self.rng, PLATFORMS).to_owned()),
            ("{browser}", pick(&mut self.rng, BROWSERS).to_owned()),
            (
                "{device}",
                if arabic {
                    pick(&mut self.rng, DEVICES_AR)
                } else {
                    pick(&mut self.rng, DEVICES_EN)
                }
                .to_owned(),
            ),
            (
                "{code}",
                format!("ERR-{}", self.rng.random_range(1000..9999)),
            ),
            (
                "{reference}",
                format!("TX{}", self.rng.random_range(10_000_000..99_999_999)),
            ),
            ("{amount}", self.rng.random_range(300..9000).to_string()),
            ("{days}", self.rng.random_range(5..60).to_string()),
            ("{date}", date),
        ];
        for (slot, value) in replacements {
            if text.contains(slot) {
                text = text.replace(slot, &value);
            }
        }
        if arabic && self.rng.random_bool(0.2) {
            text = arabic_indic(&text);
        }
        if arabic && self.rng.random_bool(0.1) {
            text = with_some_harakat(&mut self.rng, &text);
        }
        text
    }

    /// One past ticket from `requester_id`, created within the last three years.
    pub fn ticket(&mut self, requester_id: i64, staff: &[Staff]) -> ImportedTicket {
        let topic = &TOPICS[self.rng.random_range(0..TOPICS.len())];
        let arabic = self.rng.random_bool(0.75);
        let subject = if arabic {
            pick(&mut self.rng, topic.subjects_ar)
        } else {
            pick(&mut self.rng, topic.subjects_en)
        };
        let subject = self.fill(subject, arabic);
        let mut body = Vec::new();
        let (openings, closings, details) = if arabic {
            (OPENINGS_AR, CLOSINGS_AR, topic.details_ar)
        } else {
            (OPENINGS_EN, CLOSINGS_EN, topic.details_en)
        };
        let opening = pick(&mut self.rng, openings);
        if !opening.is_empty() {
            body.push(opening.to_owned());
        }
        for _ in 0..self.rng.random_range(1..=3) {
            let detail = pick(&mut self.rng, details);
            body.push(self.fill(detail, arabic));
        }
        let closing = pick(&mut self.rng, closings);
        if !closing.is_empty() {
            body.push(closing.to_owned());
        }
        let age_minutes = self.rng.random_range(30..(3 * 365 * 24 * 60));
        let created_at = self.now - SignedDuration::from_mins(age_minutes);
        let mut at = created_at;
        let mut messages = vec![ImportedMessage {
            kind: MessageKind::RequesterMessage,
            body: body.join(" "),
            author: ImportedAuthor::Requester,
            at,
        }];
        let departmental: Vec<&Staff> = staff
            .iter()
            .filter(|member| member.department == topic.department)
            .collect();
        let assignee = if departmental.is_empty() {
            None
        } else {
            Some(departmental[self.rng.random_range(0..departmental.len())])
        };
        // Most of a million tickets are history: closed or resolved; the rest are open at every stage.
        let roll = self.rng.random_range(0..100);
        let status = match roll {
            0..=79 => TicketStatus::Closed,
            80..=89 => TicketStatus::Resolved,
            90..=91 => TicketStatus::Registered,
            92..=93 => TicketStatus::Routed,
            94..=96 => TicketStatus::InProgress,
            97..=98 => TicketStatus::WaitingOnRequester,
            _ => TicketStatus::Cancelled,
        };
        let answered = !matches!(status, TicketStatus::Registered | TicketStatus::Routed)
            || self.rng.random_bool(0.3);
        if let (true, Some(agent)) = (answered, assignee) {
            at += SignedDuration::from_mins(self.rng.random_range(5..2000));
            messages.push(ImportedMessage {
                kind: MessageKind::PublicReply,
                body: pick(&mut self.rng, if arabic { REPLIES_AR } else { REPLIES_EN }).to_owned(),
                author: ImportedAuthor::Staff {
                    user_id: agent.user_id,
                    name: agent.name.clone(),
                },
                at,
            });
            if self.rng.random_bool(0.3) {
                at += SignedDuration::from_mins(self.rng.random_range(5..3000));
                messages.push(ImportedMessage {
                    kind: MessageKind::RequesterMessage,
                    body: pick(
                        &mut self.rng,
                        if arabic { FOLLOW_UPS_AR } else { FOLLOW_UPS_EN },
                    )
                    .to_owned(),
                    author: ImportedAuthor::Requester,
                    at,
                });
            }
            if self.rng.random_bool(0.1) {
                at += SignedDuration::from_mins(self.rng.random_range(1..300));
                messages.push(ImportedMessage {
                    kind: MessageKind::InternalNote,
                    body: pick(&mut self.rng, NOTES).to_owned(),
                    author: ImportedAuthor::Staff {
                        user_id: agent.user_id,
                        name: agent.name.clone(),
                    },
                    at,
                });
            }
        }
        let at = at.min(self.now);
        let resolved_at = matches!(status, TicketStatus::Resolved | TicketStatus::Closed)
            .then(|| (at + SignedDuration::from_mins(self.rng.random_range(1..600))).min(self.now));
        let channels = [
            Channel::WebForm,
            Channel::Email,
            Channel::Whatsapp,
            Channel::LiveChat,
            Channel::Phone,
            Channel::X,
        ];
        ImportedTicket {
            kind: topic.kind,
            channel: channels[self.rng.random_range(0..channels.len())],
            status,
            subject,
            category: Some(topic.category.to_owned()),
            complexity: Some(
                [
                    Complexity::Routine,
                    Complexity::Routine,
                    Complexity::Complex,
                    Complexity::Critical,
                ][self.rng.random_range(0..4)],
            ),
            importance: Some(
                [
                    Importance::Low,
                    Importance::Medium,
                    Importance::Medium,
                    Importance::High,
                ][self.rng.random_range(0..4)],
            ),
            departments: vec![topic.department.to_owned()],
            assignee_id: assignee
                .filter(|_| !matches!(status, TicketStatus::Registered))
                .map(|agent| agent.user_id),
            requester_id,
            created_at,
            resolved_at,
            messages,
        }
    }
}
