//! The departments and categories a new organization starts with, taken from the published
//! policies: student support and financial support (seed 004), student affairs and technical
//! support (seed 004's escalation), the academic director (seed 000) and the customer-relations
//! office (seed 002). Organizations edit them afterwards; codes stay stable.

/// `(code, Arabic name, English name)`.
pub const DEFAULT_DEPARTMENTS: &[(&str, &str, &str)] = &[
    ("student-support", "دعم المتدربين", "Student support"),
    ("financial-support", "الدعم المالي", "Financial support"),
    ("student-affairs", "شؤون الطلاب", "Student affairs"),
    ("technical-support", "الدعم الفني", "Technical support"),
    ("academic-affairs", "الشؤون الأكاديمية", "Academic affairs"),
    ("customer-relations", "علاقات العملاء", "Customer relations"),
];

/// `(code, Arabic name, English name, default department code)`.
pub const DEFAULT_CATEGORIES: &[(&str, &str, &str, &str)] = &[
    (
        "enrollment",
        "الالتحاق والتسجيل",
        "Enrollment and registration",
        "student-support",
    ),
    (
        "login-account",
        "تسجيل الدخول والحساب",
        "Login and account",
        "technical-support",
    ),
    (
        "live-session-attendance",
        "حضور المحاضرات والبث المباشر",
        "Live-session attendance",
        "technical-support",
    ),
    (
        "content-access",
        "الوصول إلى المحتوى",
        "Access to content",
        "technical-support",
    ),
    (
        "withdrawal-postponement",
        "الانسحاب والتأجيل",
        "Withdrawal and postponement",
        "student-affairs",
    ),
    (
        "certificates",
        "الشهادات",
        "Certificates",
        "student-affairs",
    ),
    (
        "invoices-payments-refunds",
        "الفواتير والمدفوعات والاسترجاع",
        "Invoices, payments and refunds",
        "financial-support",
    ),
    (
        "trainer-content-management",
        "إدارة محتوى المدربين",
        "Trainer content management",
        "academic-affairs",
    ),
    (
        "platform-training",
        "التدريب على استخدام المنصة",
        "Platform training",
        "student-support",
    ),
    (
        "service-quality",
        "جودة الخدمة والتعامل",
        "Service quality and conduct",
        "customer-relations",
    ),
    ("general", "أخرى", "Other", "customer-relations"),
];
