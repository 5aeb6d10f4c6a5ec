# Sanad — لوحة المؤشرات والإدارة (العربية، اللغة الافتراضية).

## لوحة المؤشرات

dash-title = لوحة المؤشرات
dash-lead = صورة العمل المفتوح الآن، وما جرى للتذاكر خلال الفترة المختارة.
dash-period = الفترة
dash-period-apply = عرض
dash-period-days = { $count ->
    [one] آخر يوم
    [two] آخر يومين
    [few] آخر { $count } أيام
    [many] آخر { $count } يومًا
   *[other] آخر { $count } يوم
}
dash-stats-title = المؤشرات الرئيسية
dash-stat-open = التذاكر المفتوحة
dash-stat-breaches = مواعيد متجاوزة في تذاكر مفتوحة
dash-stat-breaches-hint = تحتاج إلى معالجة الآن.
dash-stat-compliance = نسبة الالتزام بالمواعيد
dash-compliance-basis = { $count ->
    [zero] لا توجد مواعيد منتهية في الفترة
    [one] محسوبة على موعد واحد
    [two] محسوبة على موعدين
    [few] محسوبة على { $count } مواعيد
    [many] محسوبة على { $count } موعدًا
   *[other] محسوبة على { $count } موعد
}
dash-stat-escalations = حالات التصعيد
dash-stat-csat = متوسط رضا المستفيدين
dash-csat-value = { $value } من 5
dash-ratings = { $count ->
    [zero] لا توجد تقييمات
    [one] تقييم واحد
    [two] تقييمان
    [few] { $count } تقييمات
    [many] { $count } تقييمًا
   *[other] { $count } تقييم
}
dash-percent = { $value }٪
dash-no-data = لا توجد بيانات لعرضها.
dash-show-figures = عرض الأرقام في جدول
dash-scope-now = التذاكر المفتوحة الآن
dash-scope-period = { $count ->
    [one] خلال آخر يوم
    [two] خلال آخر يومين
    [few] خلال آخر { $count } أيام
    [many] خلال آخر { $count } يومًا
   *[other] خلال آخر { $count } يوم
}
dash-chart-status = التذاكر المفتوحة حسب الحالة
dash-chart-department = التذاكر المفتوحة حسب الإدارة
dash-chart-compliance = الالتزام بالمواعيد حسب نوع الموعد
dash-chart-escalations = حالات التصعيد حسب المرحلة
dash-chart-aging = أعمار التذاكر المفتوحة
dash-chart-workload = عبء العمل لكل موظف
dash-chart-csat = توزيع تقييمات الرضا
dash-col-tickets = عدد التذاكر
dash-col-target = الموعد
dash-col-met = أُنجز في موعده
dash-col-breached = تجاوز موعده
dash-col-compliance = نسبة الالتزام
dash-col-stage = المرحلة
dash-col-escalations = عدد حالات التصعيد
dash-col-age = العمر
dash-col-agent = الموظف
dash-col-assigned = التذاكر المفتوحة المسندة
dash-col-score = التقييم
dash-col-ratings = عدد التقييمات
dash-aging-0 = أقل من يوم
dash-aging-1 = من يوم إلى 3 أيام
dash-aging-2 = من 3 أيام إلى 7 أيام
dash-aging-3 = أكثر من 7 أيام

## الإدارة: عام

admin-title = الإدارة
admin-tabs = أقسام الإدارة
admin-tab-organization = إعدادات الجهة
admin-tab-policy = سياسة الدعم
admin-tab-departments = الإدارات
admin-tab-categories = التصنيفات
admin-tab-staff = الموظفون والأدوار
admin-tab-canned = الردود الجاهزة
admin-tab-channels = القنوات
admin-tab-audit = سجل الاطلاع على الشكاوى
admin-done-saved = حُفظت التغييرات.
admin-done-created = أُضيف بنجاح.
admin-done-archived = نُقل إلى الأرشيف.
admin-done-password = أُعيد تعيين كلمة المرور، وأُنهيت جميع جلسات الموظف.
admin-done-disabled = أُوقف الحساب، وأُنهيت جميع جلساته.
admin-done-applied = { $count ->
    [zero] طُبّق الإصدار { $version } من السياسة، ولم يُعَد حساب مواعيد أي تذكرة مفتوحة.
    [one] طُبّق الإصدار { $version } من السياسة، وأُعيد حساب مواعيد تذكرة مفتوحة واحدة.
    [two] طُبّق الإصدار { $version } من السياسة، وأُعيد حساب مواعيد تذكرتين مفتوحتين.
    [few] طُبّق الإصدار { $version } من السياسة، وأُعيد حساب مواعيد { $count } تذاكر مفتوحة.
    [many] طُبّق الإصدار { $version } من السياسة، وأُعيد حساب مواعيد { $count } تذكرةً مفتوحة.
   *[other] طُبّق الإصدار { $version } من السياسة، وأُعيد حساب مواعيد { $count } تذكرة مفتوحة.
}
admin-comma = { "، " }
admin-add = إضافة
admin-edit = تعديل
admin-edit-named = تعديل «{ $name }»
admin-cancel = إلغاء
admin-archive = نقل إلى الأرشيف
admin-actions = الإجراءات
admin-none-yet = لا توجد عناصر بعد.
admin-state-active = قيد الاستخدام
admin-state-archived = في الأرشيف

## إعدادات الجهة

admin-org-name = اسم الجهة
admin-org-zone = المنطقة الزمنية
admin-org-zone-hint = اسم منطقة زمنية من قاعدة IANA، مثل Asia/Riyadh. تُعرض بها الأوقات وتُحسب بها أيام العمل.
admin-org-reopen = مهلة إعادة الفتح (بالساعات)
admin-org-reopen-hint = المدة التي يحق فيها للمستفيد إعادة فتح طلبه بعد حله: من ساعة واحدة إلى 8760 ساعة (سنة).
admin-org-slug = المعرّف في الروابط
admin-org-prefix = بادئة أرقام التذاكر
admin-error-name = اكتب الاسم (من حرف واحد إلى 200 حرف، دون رموز تحكم).
admin-error-zone = «{ $zone }» ليست منطقة زمنية معروفة؛ اكتب اسمًا مثل Asia/Riyadh.
admin-error-reopen = اكتب عددًا صحيحًا من الساعات بين 1 و8760.

## السياسة

admin-policy-current = السياسة المعمول بها
admin-policy-version = الإصدار
admin-policy-file = اسم الملف
admin-policy-applied = تاريخ التطبيق
admin-policy-public = عرض صفحة السياسة المنشورة
admin-policy-none = لم تُطبَّق أي سياسة بعد.
admin-policy-new = تطبيق إصدار جديد
admin-policy-lead = عدّل نص السياسة أو ارفع ملفها، ثم اطلب التحقق والتطبيق. لا يُطبَّق شيء ما دام في الملف خطأ واحد.
admin-policy-file-hint = يظهر في رسائل الأخطاء ويُحفظ مع الإصدار.
admin-policy-source = نص السياسة (TOML)
admin-policy-upload = أو ارفع ملف السياسة
admin-policy-upload-hint = إذا اخترت ملفًا اعتُمد بدل النص المكتوب أعلاه.
admin-policy-recompute = مواعيد التذاكر المفتوحة
admin-policy-keep = أبقِ مواعيد التذاكر المفتوحة كما هي (لا يتغير وعد قُطع للمستفيد بأثر رجعي)
admin-policy-recompute-open = أعد حساب مواعيد التذاكر المفتوحة وفق السياسة الجديدة
admin-policy-apply = التحقق والتطبيق
admin-policy-errors-title = الأخطاء في الملف
admin-policy-key = المفتاح
admin-policy-line = السطر { $count }
admin-policy-column = العمود { $count }
admin-policy-has-errors = { $count ->
    [one] في السياسة خطأ واحد، ولم تُطبَّق.
    [two] في السياسة خطآن، ولم تُطبَّق.
    [few] في السياسة { $count } أخطاء، ولم تُطبَّق.
    [many] في السياسة { $count } خطأً، ولم تُطبَّق.
   *[other] في السياسة { $count } خطأ، ولم تُطبَّق.
}
admin-policy-error-empty = النص فارغ؛ الصق نص السياسة أو ارفع ملفها.
admin-policy-error-utf8 = الملف المرفوع ليس نصًا بترميز UTF-8.

## الإدارات والتصنيفات

admin-departments-lead = الإدارات التي تُحال إليها التذاكر. لا يتغير رمز الإدارة بعد إنشائها لأن التذاكر والسياسة تشير إليه.
admin-categories-lead = تصنيفات الطلبات التي يختار منها المستفيدون والموظفون، ولكل تصنيف إدارة تُحال إليها طلباته افتراضيًا.
admin-departments-list = الإدارات الحالية
admin-categories-list = التصنيفات الحالية
admin-department-add = إضافة إدارة
admin-category-add = إضافة تصنيف
admin-field-code = الرمز
admin-field-code-hint = من 2 إلى 63 حرفًا: حروف إنجليزية صغيرة وأرقام وشرطات، ويبدأ بحرف، مثل it-support.
admin-field-name-ar = الاسم بالعربية
admin-field-name-en = الاسم بالإنجليزية
admin-field-default-department = الإدارة الافتراضية
admin-no-department = بلا إدارة افتراضية
admin-archive-department-hint = تختفي الإدارة المؤرشفة من الخيارات، وتبقى في سجل التذاكر السابقة.
admin-archive-category-hint = يختفي التصنيف المؤرشف من الخيارات، ويبقى في سجل التذاكر السابقة.
admin-error-code = اكتب رمزًا من 2 إلى 63 حرفًا: حروف إنجليزية صغيرة وأرقام وشرطات، يبدأ بحرف.
admin-error-code-taken = هذا الرمز مستخدم من قبل؛ اختر رمزًا آخر.
admin-error-name-ar = اكتب الاسم بالعربية (حتى 200 حرف).
admin-error-name-en = الاسم بالإنجليزية لا يتجاوز 200 حرف، ولا يحتوي على رموز تحكم.
admin-error-department = اختر إدارة من القائمة.

## الموظفون والأدوار

admin-staff-lead = أضف الموظفين وحدد أدوارهم وإداراتهم. يُنهي إيقاف الحساب أو إعادة تعيين كلمة مروره جميع جلساته فورًا.
admin-staff-list = الموظفون
admin-staff-add = إضافة موظف
admin-field-state = حالة الحساب
admin-field-departments = الإدارات
admin-field-initial-password = كلمة المرور الأولية
admin-departments-hint = لا يطّلع على الشكاوى إلا موظفو الإدارات المحالة إليها.
admin-disable-hint = الحساب الموقوف لا يستطيع الدخول، وتبقى أعماله السابقة في السجل.
admin-user-state-active = نشط
admin-user-state-disabled = موقوف
admin-no-password = بلا كلمة مرور
admin-totp-on = مفعّل
admin-totp-off = غير مفعّل
admin-you = (أنت)
admin-reset-password = إعادة تعيين كلمة المرور
admin-reset-password-hint = تُنهى جميع جلسات الموظف، ويدخل بعدها بكلمة المرور الجديدة.
admin-password-hint = { $count ->
    [one] لا تقل عن حرف واحد.
    [two] لا تقل عن حرفين.
    [few] لا تقل عن { $count } أحرف.
    [many] لا تقل عن { $count } حرفًا.
   *[other] لا تقل عن { $count } حرف.
}
admin-error-email-taken = يوجد موظف بهذا البريد الإلكتروني.
admin-error-self = لا يمكنك إيقاف حسابك ولا سحب صلاحية الإدارة من نفسك.
admin-error-own-password = غيّر كلمة مرورك من صفحة «حسابي».
admin-error-password-hash = تعذّر حفظ كلمة المرور؛ حاول مرة أخرى.

## الردود الجاهزة

admin-canned-list = الردود الحالية
admin-canned-add = إضافة رد جاهز
admin-canned-variables = المتغيرات المتاحة
admin-canned-variables-lead = اكتب أيًّا من هذه المتغيرات في نص الرد، فيُستبدل به ما يقابله حين يُدرج الرد في تذكرة:
admin-canned-body-hint = يمكن استخدام المتغيرات المذكورة أعلاه فقط.
admin-field-title = العنوان
admin-field-body = نص الرد
admin-var-requester_name = اسم المستفيد
admin-var-ticket_number = رقم التذكرة
admin-var-agent_name = اسم الموظف الذي يرد
admin-var-organization = اسم الجهة
admin-var-subject = موضوع التذكرة
admin-archive-canned-hint = يختفي الرد المؤرشف من قائمة الردود الجاهزة في التذاكر.
admin-error-title = اكتب عنوانًا (حتى 200 حرف).
admin-error-unknown-variable = متغيرات غير معروفة: { $names }. استخدم المتغيرات المذكورة أعلاه فقط.

## القنوات

admin-channels-lead = فعّل القنوات التي تستقبل منها الجهة الطلبات، واكتب عنوان كل قناة كما يراه المستفيدون: بريد أو رقم أو حساب.
admin-channel-enabled = مفعّلة
admin-field-address = العنوان العام
admin-error-address = { $count ->
    [few] العنوان سطر واحد لا يتجاوز { $count } أحرف.
    [many] العنوان سطر واحد لا يتجاوز { $count } حرفًا.
   *[other] العنوان سطر واحد لا يتجاوز { $count } حرف.
}

## سجل الاطلاع على الشكاوى

admin-audit-lead = { $count ->
    [one] آخر اطلاع لموظف على شكوى. الشكاوى سرية، ويُسجَّل كل اطلاع عليها.
    [two] آخر اطلاعين لموظفين على شكاوى، الأحدث أولًا. الشكاوى سرية، ويُسجَّل كل اطلاع عليها.
    [few] آخر { $count } اطلاعات لموظفين على شكاوى، الأحدث أولًا. الشكاوى سرية، ويُسجَّل كل اطلاع عليها.
    [many] آخر { $count } اطلاعًا لموظفين على شكاوى، الأحدث أولًا. الشكاوى سرية، ويُسجَّل كل اطلاع عليها.
   *[other] آخر { $count } اطلاع لموظفين على شكاوى، الأحدث أولًا. الشكاوى سرية، ويُسجَّل كل اطلاع عليها.
}
admin-audit-empty = لم يُسجَّل أي اطلاع على الشكاوى بعد.
admin-audit-when = الوقت
admin-audit-who = الموظف
admin-audit-ticket = الشكوى

admin-cred-title = إعدادات الاتصال بالقنوات
admin-cred-lead = أدخل بيانات الاتصال التي يعطيها مزوّد كل قناة. لا تُعرض الأسرار المحفوظة أبدًا؛ اترك حقل السر فارغًا للإبقاء عليه، أو اكتب قيمة جديدة لاستبداله.
admin-cred-configured = مهيّأة
admin-cred-not-configured = غير مهيّأة
admin-cred-invalid = الإعدادات المحفوظة غير صالحة
admin-cred-invalid-hint = لا تستطيع القناة استخدام الإعدادات المحفوظة؛ راجع الحقول واحفظها من جديد.
admin-cred-webhook = عنوان الاستقبال (Webhook) الذي يستدعيه المزوّد
admin-cred-stored = محفوظة — اترك الحقل فارغًا للإبقاء عليها.
admin-cred-not-stored = لا قيمة محفوظة.
admin-cred-retype = لم تُحفظ القيمة التي كتبتها لأن في النموذج أخطاء؛ اكتبها مرة أخرى.
admin-cred-clear = احذف القيمة المحفوظة
admin-cred-save = حفظ إعدادات { $channel }
admin-cred-group-smtp = الإرسال (SMTP)
admin-cred-group-imap = قراءة صندوق الوارد (IMAP)
admin-cred-hint-imap = اترك الخادم فارغًا إن كان البريد يصل إلى سند من خادم البريد مباشرة لا بقراءة صندوق.
admin-cred-hint-base_url = اتركه فارغًا لاستخدام العنوان المعتاد للمزوّد.
admin-cred-hint-verify_token = رمز تختاره أنت وتكتبه أيضًا في إعدادات Webhook لدى Meta.
admin-cred-hint-template_name = قالب معتمد لدى واتساب بمتغير واحد يحمل نص الإشعار، يُستخدم بعد مضي 24 ساعة على آخر رسالة من المستفيد.
admin-cred-hint-human_agent_tag_approved = فعّله إن منحت Meta التطبيق إذن الموظف البشري، فيمكن الرد حتى 7 أيام بعد آخر رسالة.
admin-cred-hint-signing_secret = إن وُجد، تحمل كل رسالة إلى البوابة توقيعًا بهذا السر.
admin-cred-field-address = البريد الذي يراسله المستفيدون
admin-cred-field-display_name = اسم المرسل الظاهر
admin-cred-field-host = الخادم
admin-cred-field-port = المنفذ
admin-cred-field-security = الحماية
admin-cred-field-username = اسم المستخدم
admin-cred-field-password = كلمة المرور
admin-cred-field-timeout_seconds = مهلة الاتصال (ثوانٍ)
admin-cred-field-folder = المجلد
admin-cred-field-poll_seconds = الفحص كل (ثوانٍ)
admin-cred-field-base_url = عنوان الواجهة البرمجية
admin-cred-field-phone_number_id = معرّف رقم الهاتف (Phone number ID)
admin-cred-field-access_token = رمز الوصول
admin-cred-field-app_secret = سر التطبيق (App secret)
admin-cred-field-verify_token = رمز التحقق (Verify token)
admin-cred-field-template_name = اسم القالب البديل
admin-cred-field-template_language = رمز لغة القالب
admin-cred-field-page_id = معرّف الصفحة (Page ID)
admin-cred-field-page_access_token = رمز وصول الصفحة
admin-cred-field-human_agent_tag_approved = مُنح إذن الموظف البشري (Human Agent)
admin-cred-field-account_user_id = المعرّف الرقمي للحساب
admin-cred-field-consumer_secret = سر المستهلك (API key secret)
admin-cred-field-user_access_token = رمز وصول المستخدم (OAuth 2.0)
admin-cred-field-url = عنوان بوابة الرسائل
admin-cred-field-api_key = مفتاح الواجهة البرمجية
admin-cred-field-sender_id = اسم المرسل أو رقمه
admin-cred-field-signing_secret = سر التوقيع
admin-cred-security-tls = TLS (465 أو 993)
admin-cred-security-start_tls = STARTTLS (587 أو 143)
admin-cred-security-plain = بلا تشفير (خادم محلي فقط)
admin-cred-error-port = أدخل منفذًا بين 1 و65535.
admin-cred-error-seconds = أدخل عددًا صحيحًا من الثواني بين 1 و{ $count }.
admin-cred-error-url = أدخل عنوانًا كاملًا يبدأ بـ https://
admin-cred-error-text = أدخل نصًا في سطر واحد لا يزيد على { $count } حرف.
admin-cred-error-pair = اكتب اسم المستخدم وكلمة المرور معًا، أو اتركهما فارغين.
admin-cred-error-invalid = لم تقبل القناة هذه الإعدادات: { $reason }
