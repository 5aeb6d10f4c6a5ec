# Sanad — Arabic strings (the default language).
app-name = سند
language-name = العربية
skip-to-content = انتقل إلى المحتوى
nav-label = التنقل الرئيسي
footer-powered = يعمل بمنصة سند لخدمة المستفيدين
sign-in = تسجيل الدخول
sign-out = تسجيل الخروج
save = حفظ

nav-new-request = طلب جديد
nav-track = متابعة طلب
nav-policy = سياسة الدعم
nav-queues = قوائم العمل
nav-log-contact = تسجيل تواصل
nav-dashboard = لوحة المؤشرات
nav-admin = الإدارة
nav-account = حسابي

portal-title = الدعم والشكاوى
portal-lead = نستقبل شكاواك ومقترحاتك واستفساراتك وطلبات الدعم الفني، ونلتزم بالرد خلال المدد المعلنة في سياستنا.
portal-actions = ماذا تريد أن تفعل؟
portal-card-complaint = تقديم شكوى
portal-card-complaint-text = أبلغنا بما لم يرضك في خدماتنا التدريبية، وسنعالجه بسرية تامة.
portal-card-suggestion = تقديم مقترح
portal-card-suggestion-text = شاركنا فكرة تحسّن تجربة التعلّم.
portal-card-support = طلب دعم فني
portal-card-support-text = مشكلة في الدخول أو المنصة أو الاختبارات أو الشهادات.
portal-card-track = متابعة طلب سابق
portal-card-track-text = برقم الطلب ورمز المتابعة المرسل إليك.
portal-channels = قنوات التواصل ومدد الرد
portal-channel = القناة
portal-contact = وسيلة التواصل
portal-response = مدة الرد الأول
portal-read-policy = اقرأ سياسة الدعم والشكاوى كاملة

policy-title = سياسة الدعم الفني والشكاوى
policy-none = لم تنشر الجهة سياستها بعد.

new-title = تقديم طلب جديد
field-kind = نوع الطلب
field-category = التصنيف
field-category-unsure = لست متأكدًا
field-subject = الموضوع
field-description = التفاصيل
field-attachments = المرفقات
field-attachments-hint = حتى { $files } ملفات، لا يتجاوز كل منها { $count } ميغابايت (PDF أو صور أو مستندات Office أو نص).
field-contact = بيانات التواصل
field-name = الاسم
field-requester-name = اسم المستفيد
field-email = البريد الإلكتروني
field-phone = رقم الجوال
field-requester-type = صفة مقدّم الطلب
field-password = كلمة المرور
field-code = رمز التحقق
field-role = الدور
field-status = الحالة
field-department = الإدارة
field-departments = الإدارات المختصة
field-importance = الأهمية
field-complexity = درجة التعقيد
field-channel = القناة
etiquette-title = آداب التواصل
etiquette-accept = اطّلعت على آداب التواصل وألتزم بها
submit-request = إرسال الطلب
kb-title = قد تجد الإجابة هنا
kb-hint = ستظهر مقالات من قاعدة المعرفة تطابق موضوع طلبك أثناء الكتابة.
form-has-errors = { $count ->
    [one] في النموذج خطأ واحد؛ صحّحه ثم أعد الإرسال.
    [two] في النموذج خطآن؛ صحّحهما ثم أعد الإرسال.
    [few] في النموذج { $count } أخطاء؛ صحّحها ثم أعد الإرسال.
   *[other] في النموذج { $count } خطأً؛ صحّحها ثم أعد الإرسال.
}

error-choose = اختر قيمة من القائمة.
error-choose-kind = اختر نوع الطلب.
error-choose-category = اختر تصنيفًا من القائمة.
error-choose-score = اختر تقييمًا من 1 إلى 5.
error-text-length = { $count ->
    [one] هذا الحقل مطلوب، ولا يتجاوز حرفًا واحدًا.
   *[other] هذا الحقل مطلوب، ولا يتجاوز { $count } حرف.
}
error-name = اكتب الاسم (حتى 200 حرف).
error-email = هذا ليس بريدًا إلكترونيًا صحيحًا، مثل name@example.sa.
error-phone = اكتب رقم الجوال بصيغة 05XXXXXXXX أو مع رمز الدولة مثل +966500000101.
error-contact-required = اكتب البريد الإلكتروني أو رقم الجوال لنتمكن من الرد عليك.
error-etiquette = يلزم الإقرار بآداب التواصل قبل الإرسال.
error-attachment-count = { $count ->
    [one] يُسمح بملف واحد فقط.
    [two] يُسمح بملفين فقط.
    [few] يُسمح بـ { $count } ملفات فقط.
   *[other] يُسمح بـ { $count } ملفًا فقط.
}
error-attachment-size = الملف «{ $file }» أكبر من { $count } ميغابايت.
error-attachment-empty = الملف «{ $file }» فارغ.
error-attachment-type = نوع الملف «{ $file }» غير مقبول؛ أرسل PDF أو صورة أو مستند Office أو ملفًا نصيًا.
error-attachment-content = محتوى الملف «{ $file }» لا يطابق نوعه (كبرنامج أو صفحة ويب باسم صورة أو ملف PDF)؛ لم يُقبل.
error-required = هذا الحقل مطلوب.
error-minutes = اكتب عدد الدقائق (من 0 إلى 1440).
error-cancel-reason = اكتب سبب الإلغاء لمخالفة آداب التواصل.
error-merge-target = اكتب رقم التذكرة التي يُدمج فيها هذا الطلب.
error-escalation-note = اكتب سبب التصعيد.
error-root-cause-description = صف السبب الجذري للتأخير.
error-root-cause-action = صف الإجراء التصحيحي.

receipt-title = تم استلام طلبك
receipt-heading = تم استلام طلبك بنجاح
receipt-promise = سنرد { $within }.
receipt-promise-unset = سنرد عليك في أقرب وقت ممكن.
receipt-number = رقم الطلب
receipt-code = رمز المتابعة
receipt-received = وقت الاستلام
receipt-keep-code = احتفظ برقم الطلب ورمز المتابعة، فستحتاجهما لمتابعة طلبك من أي جهاز. يبقى هذا المتصفح متصلًا بطلبك ثلاثين يومًا.
receipt-track = متابعة الطلب

track-title = متابعة طلب
track-lead = اكتب رقم الطلب ورمز المتابعة كما وصلاك.
track-submit = عرض الطلب
track-not-found = لم نجد طلبًا بهذا الرقم وهذا الرمز. تأكد منهما وحاول مرة أخرى.

ticket-received = استُلم في
ticket-deadlines = المواعيد الملتزم بها
ticket-messages = المراسلات
ticket-reply = أضف ردًا
ticket-your-message = رسالتك
ticket-send = إرسال
ticket-escalate = تصعيد الطلب
ticket-escalate-text = انقضت المدة المعلنة دون رد كافٍ، ويحق لك تصعيد طلبك إلى المستوى الأعلى.
ticket-escalate-note = ما الذي تودّ إضافته؟ (اختياري)
ticket-escalate-submit = تصعيد
ticket-escalated = صُعّد طلبك إلى المستوى الأعلى، وسيتواصل معك المسؤول.
escalate-default-note = طلب المستفيد تصعيد الطلب بعد انقضاء المدة المعلنة.
ticket-reopen = إعادة فتح الطلب
ticket-reopen-why = لماذا تعيد فتح الطلب؟
ticket-reopen-submit = إعادة الفتح
ticket-rate = قيّم الخدمة
ticket-rate-question = ما مدى رضاك عن معالجة طلبك؟
ticket-rate-comment = ملاحظات (اختياري)
ticket-rate-submit = إرسال التقييم
ticket-rated = شكرًا لتقييمك:
rate-not-yet = يمكن التقييم بعد حل الطلب.
author-you = أنت
author-staff = فريق { $org }
flash-reply = أُرسلت رسالتك.
flash-reopen = أُعيد فتح طلبك.
flash-escalate = صُعّد طلبك.
flash-rate = شكرًا لتقييمك.

login-title = دخول الموظفين
login-failed = البريد الإلكتروني أو كلمة المرور غير صحيحة.
login-code-lead = اكتب الرمز المكوّن من 6 أرقام الظاهر في تطبيق المصادقة.
login-code-failed = الرمز غير صحيح أو انتهت صلاحيته.
login-verify = تحقق

account-title = حسابي
account-password = تغيير كلمة المرور
account-current-password = كلمة المرور الحالية
account-new-password = كلمة المرور الجديدة
account-confirm-password = تأكيد كلمة المرور الجديدة
account-wrong-password = كلمة المرور الحالية غير صحيحة.
account-passwords-differ = كلمتا المرور الجديدتان غير متطابقتين.
account-password-too-short = { $count ->
    [few] يجب ألا تقل كلمة المرور عن { $count } أحرف.
   *[other] يجب ألا تقل كلمة المرور عن { $count } حرفًا.
}
account-password-changed = تغيّرت كلمة المرور.
account-totp = التحقق بخطوتين
account-totp-explain = أضف هذا المفتاح إلى تطبيق المصادقة، ثم اكتب الرمز الذي يظهر فيه لتفعيل التحقق بخطوتين.
account-totp-link = فتح في تطبيق المصادقة
account-totp-is-on = التحقق بخطوتين مفعّل. لإيقافه اكتب رمزًا حاليًا.
account-totp-enable = تفعيل
account-totp-disable = إيقاف
account-totp-on = فُعّل التحقق بخطوتين.
account-totp-off = أُوقف التحقق بخطوتين.

queues-title = قوائم العمل
queue-mine = المسندة إليّ
queue-departments = إدارتي
queue-unassigned = غير المسندة
queue-breaching = توشك على التأخر
queue-escalated = المصعّدة إليّ
queue-waiting = بانتظار المستفيد
queue-open = كل المفتوحة
queue-all = الكل
queue-total = { $count ->
    [zero] لا توجد تذاكر
    [one] تذكرة واحدة
    [two] تذكرتان
    [few] { $count } تذاكر
   *[other] { $count } تذكرة
}
queue-empty = لا توجد تذاكر في هذه القائمة.
queue-stage = المرحلة { $count }
filter-search = بحث
filter-any = الكل
filter-sort = الترتيب
filter-apply = تطبيق
sort-newest = الأحدث أولًا
sort-oldest = الأقدم أولًا
sort-updated = آخر تحديث
sort-deadline = الأقرب موعدًا
sort-importance = الأهم أولًا
col-number = الرقم
col-subject = الموضوع
col-status = الحالة
col-deadline = الموعد القادم
col-department = الإدارة
col-assignee = المسؤول
col-created = الاستلام
pagination = الصفحات
page = صفحة
page-previous = السابقة
page-next = التالية

left-days = { $count ->
    [one] يوم واحد
    [two] يومان
    [few] { $count } أيام
   *[other] { $count } يومًا
}
left-hours = { $count ->
    [one] ساعة واحدة
    [two] ساعتان
    [few] { $count } ساعات
   *[other] { $count } ساعة
}
left-minutes = { $count ->
    [one] دقيقة واحدة
    [two] دقيقتان
    [few] { $count } دقائق
   *[other] { $count } دقيقة
}
left-remaining = متبقٍ { $span }
left-overdue = متأخر { $span }

ticket-changed-live = أُضيف جديد إلى هذه التذكرة.
ticket-reload = تحديث الصفحة
ticket-escalations = التصعيد
ticket-owner = المسؤول
ticket-owner-deadline = مهلته حتى
ticket-timeline = السجل
ticket-reply-or-note = رد أو ملاحظة داخلية
reply-kind = نوع الرسالة
reply-canned = رد جاهز
reply-text = النص
reply-then = ثم
reply-then-keep = أبقِ الحالة كما هي
message-kind-requester = رسالة المستفيد
message-kind-reply = رد للمستفيد
message-kind-note = ملاحظة داخلية
ticket-details = تفاصيل التذكرة
ticket-requester = المستفيد
ticket-rating = التقييم
ticket-status-actions = تغيير الحالة
ticket-classify = التصنيف والتوجيه
ticket-assign = الإسناد
ticket-assign-me = أسندها إليّ
ticket-escalate-staff = تصعيد إلى المرحلة التالية
ticket-escalate-why = سبب التصعيد
ticket-root-cause = السبب الجذري للتأخير
ticket-root-cause-hint = لا تُغلق التذكرة قبل تسجيل السبب الجذري لكل موعد تجاوزته.
ticket-root-cause-target = الموعد المتجاوز
ticket-root-cause-category = فئة السبب
ticket-root-cause-description = وصف السبب
ticket-root-cause-action = الإجراء التصحيحي
ticket-root-causes = الأسباب الجذرية المسجلة
ticket-merge = دمج في تذكرة أخرى
ticket-merge-into = رقم التذكرة الأصلية
ticket-merge-submit = دمج
ticket-cancel-conduct = إلغاء لمخالفة آداب التواصل
ticket-cancel-reason = سبب الإلغاء (يُبلَّغ به المستفيد)
ticket-cancel-submit = إلغاء الطلب
shortcuts-hint = اختصارات: r رد، n ملاحظة، g q القوائم، / بحث.
presence-viewing = { $name } يطّلع على هذه التذكرة الآن
presence-replying = { $name } يكتب ردًا الآن
actor-system = النظام
value-none = لا أحد
event-created = أُنشئت التذكرة

log-title = تسجيل تواصل
log-lead = سجّل طلبًا وصل بالهاتف أو في قاعة التدريب أو أثناء جلسة دعم عن بُعد.
log-what-was-said = ما طلبه المستفيد
log-channel-details = تفاصيل القناة
log-details-hint = املأ ما يخص القناة المختارة: مدة المكالمة، أو مدير القاعة والجلسة التدريبية، أو أداة الجلسة عن بُعد ومعرّفها ومدتها.
log-submit = تسجيل التذكرة
contact-field-call_minutes = مدة المكالمة (دقائق)
contact-field-room_manager = مدير القاعة
contact-field-course_session = الجلسة التدريبية
contact-field-remote_tool = أداة الجلسة عن بُعد
contact-field-remote_session_id = معرّف الجلسة
contact-field-remote_minutes = مدة الجلسة (دقائق)

kind-complaint = شكوى
kind-suggestion = مقترح
kind-inquiry = استفسار
kind-request = طلب
kind-technical_issue = مشكلة تقنية
status-received = مستلم
status-registered = مسجّل
status-classified = مصنّف
status-routed = محال
status-in_progress = قيد المعالجة
status-waiting_on_requester = بانتظار المستفيد
status-resolved = محلول
status-closed = مغلق
status-cancelled = ملغى
status-merged = مدموج
action-status-in_progress = بدء المعالجة
action-status-waiting_on_requester = بانتظار المستفيد
action-status-resolved = تم الحل
action-status-closed = إغلاق
channel-web_form = نموذج الموقع
channel-email = البريد الإلكتروني
channel-whatsapp = واتساب
channel-x = منصة X
channel-facebook = فيسبوك
channel-live_chat = المحادثة المباشرة
channel-phone = الهاتف
channel-in_class = قاعة التدريب
channel-remote_session = جلسة عن بُعد
channel-api = واجهة برمجية
channel-sms = رسائل نصية قصيرة
importance-critical = حرجة
importance-high = عالية
importance-medium = متوسطة
importance-low = منخفضة
complexity-routine = اعتيادية
complexity-critical = حرجة
complexity-complex = معقدة
requester-type-trainee = متدرب
requester-type-trainer = مدرب
requester-type-supervisor = جهة إشرافية
requester-type-other = أخرى
role-agent = موظف دعم
role-specialist = أخصائي
role-team_lead = قائد فريق
role-director = مدير
role-executive = إدارة عليا
role-admin = مسؤول النظام
role-supervisor = جهة رقابية
target-first_response = الرد الأول
target-routing = الإحالة
target-start_handling = بدء المعالجة
target-closure = الإغلاق
target-overall = المدة الكلية
target-short-first_response = رد
target-short-routing = إحالة
target-short-start_handling = بدء
target-short-closure = إغلاق
target-short-overall = كلي
target-state-running = جارٍ
target-state-paused = متوقف مؤقتًا
target-state-met = مُنجز
target-state-breached = متجاوز
target-state-cancelled = ملغى
sla-event-started = بدأ احتساب
sla-event-met = أُنجز موعد
sla-event-met_late = أُنجز متأخرًا موعد
sla-event-paused = توقف مؤقتًا موعد
sla-event-resumed = استؤنف موعد
sla-event-cancelled = أُلغي موعد
sla-event-reopened = أُعيد احتساب
sla-event-breached = تجاوزت التذكرة موعد
sla-event-no_longer_applies = لم يعد ينطبق موعد
sla-event-recomputed = أُعيد حساب موعد
sla-event-alert = تنبيه قبل تجاوز موعد
sla-event-root_cause_recorded = سُجل السبب الجذري لموعد
sla-event-escalated = صُعّدت التذكرة
sla-event-other = حدث في مستوى الخدمة
escalation-reason-breached = تجاوز موعد
escalation-reason-no_response = لم يرد المسؤول
escalation-reason-requester = طلب المستفيد
escalation-reason-staff = قرار الموظف
field-value = قيمة
field-assignee = المسؤول
field-merged_into = دُمج في
field-cancel_reason = سبب الإلغاء
field-resolved_at = وقت الحل
score-1 = ★ غير راضٍ إطلاقًا
score-2 = ★★ غير راضٍ
score-3 = ★★★ محايد
score-4 = ★★★★ راضٍ
score-5 = ★★★★★ راضٍ جدًا

month-1 = يناير
month-2 = فبراير
month-3 = مارس
month-4 = أبريل
month-5 = مايو
month-6 = يونيو
month-7 = يوليو
month-8 = أغسطس
month-9 = سبتمبر
month-10 = أكتوبر
month-11 = نوفمبر
month-12 = ديسمبر
hijri-month-1 = محرم
hijri-month-2 = صفر
hijri-month-3 = ربيع الأول
hijri-month-4 = ربيع الآخر
hijri-month-5 = جمادى الأولى
hijri-month-6 = جمادى الآخرة
hijri-month-7 = رجب
hijri-month-8 = شعبان
hijri-month-9 = رمضان
hijri-month-10 = شوال
hijri-month-11 = ذو القعدة
hijri-month-12 = ذو الحجة
event-change = { $field }: من «{ $before }» إلى «{ $after }»

deliveries-title = ما أُرسل إلى المستفيد
deliveries-none = لم يُرسل إلى المستفيد شيء بعد.
deliveries-created = أُعدّ في
deliveries-next-attempt = المحاولة التالية في
deliveries-provider-state = حالة المزوّد
deliveries-no-attempts = لم تُجرَ أي محاولة إرسال بعد.
deliveries-attempts = محاولات الإرسال
deliveries-attempt-number = المحاولة { $count }
notification-receipt = إشعار الاستلام
notification-routed = إشعار الإحالة
notification-reply = الرد
notification-escalated = إشعار التصعيد
notification-resolved = إشعار الحل
notification-status_update = تحديث الحالة
delivery-state-pending = قيد الإرسال
delivery-state-delivered = أُرسل
delivery-state-failed = تعذّر الإرسال
delivery-outcome-delivered = نجحت
delivery-outcome-transient_failure = تعذّرت مؤقتًا
delivery-outcome-permanent_failure = فشلت نهائيًا
provider-state-sent = أُرسلت
provider-state-delivered = وصلت
provider-state-read = قُرئت
provider-state-failed = فشلت
known-requester = مستفيد معروف: { $name }
known-requester-open = التذاكر المفتوحة:
known-requester-no-open = لا تذاكر مفتوحة
