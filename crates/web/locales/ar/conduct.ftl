# سياسة آداب التواصل (البذرة 004): التنبيهات والمخالفات وقائمة الألفاظ.
admin-tab-conduct = آداب التواصل

conduct-flags-title = تنبيهات آداب التواصل
conduct-flags-lead = تحتوي رسائل مقدم الطلب هذه على ألفاظ من قائمة آداب التواصل لدى الجهة. استُلمت الرسائل وعُرضت كالمعتاد؛ راجعها، ولا تُلغِ الطلب لمخالفة آداب التواصل إلا إذا ثبتت المخالفة فعلاً.
conduct-flag-entries = الألفاظ المطابقة
conduct-flag-subject = الموضوع
conduct-flag-open = لم يُراجَع
conduct-reviewed-by = راجعه { $name }
conduct-review-submit = { $count ->
    [one] تأكيد مراجعة التنبيه
    [two] تأكيد مراجعة التنبيهين
    [few] تأكيد مراجعة { $count } تنبيهات
   *[other] تأكيد مراجعة { $count } تنبيهًا
}

conduct-requester-title = مخالفات آداب التواصل
conduct-violation-count = { $count ->
    [zero] لا توجد مخالفات مسجلة
    [one] مخالفة واحدة مسجلة
    [two] مخالفتان مسجلتان
    [few] { $count } مخالفات مسجلة
   *[other] { $count } مخالفة مسجلة
}
conduct-violations-all = كل مقدمي الطلبات الذين سُجلت عليهم مخالفات

conduct-event-flagged = نُبّه عليه وفق سياسة آداب التواصل: { $entries }
conduct-event-reviewed = رُوجعت تنبيهات آداب التواصل
conduct-event-violation = أُلغي لمخالفة آداب التواصل: { $reason }
conduct-event-other = سياسة آداب التواصل

conduct-flagged-title = الرسائل المنبَّه عليها
conduct-flagged-lead = الطلبات التي فيها رسائل من مقدمي الطلبات نبّهت عليها قائمة آداب التواصل ولم يراجعها أحد بعد، الأحدث أولاً.
conduct-flagged-none = لا توجد رسائل منبَّه عليها بانتظار المراجعة.
conduct-col-ticket = الطلب
conduct-col-subject = الموضوع
conduct-col-requester = مقدم الطلب
conduct-col-status = الحالة
conduct-col-flags = التنبيهات
conduct-col-flagged = آخر تنبيه
conduct-col-last = آخرها في

conduct-violations-title = مقدمو الطلبات المسجلة عليهم مخالفات لآداب التواصل
conduct-violations-lead = كل طلب أُلغي لمخالفة آداب التواصل يُسجَّل على مقدمه مع السبب الذي ذكره الموظف.
conduct-violations-none = لم تُسجَّل أي مخالفة لآداب التواصل.

conduct-lexicon-title = قائمة ألفاظ آداب التواصل
conduct-lexicon-lead = تُفحص رسائل مقدمي الطلبات الواردة من كل القنوات بهذه القائمة. المطابقة تنبّه موظفاً على الرسالة؛ ولا يُرفض شيء ولا يُخفى.
conduct-lexicon-default = القائمة الافتراضية المرفقة بالنظام هي المعمول بها
conduct-lexicon-custom = قائمة الجهة الخاصة هي المعمول بها (حُفظت { $updated })
conduct-lexicon-entries = { $count ->
    [zero] لا مدخلات
    [one] مدخل واحد
    [two] مدخلان
    [few] { $count } مدخلات
   *[other] { $count } مدخلاً
}
conduct-lexicon-source = الألفاظ والعبارات
conduct-lexicon-syntax = لفظ أو عبارة في كل سطر، بالعربية أو الإنجليزية. الأسطر التي تبدأ بـ # تعليقات. النجمة * في آخر الكلمة الأخيرة تطابق كل كلمة تبدأ بها. لا تُعتبر عند المقارنة الحركاتُ ولا صور الحروف مثل أ/ا وة/ه ولا السوابق مثل و وال.
conduct-lexicon-save = حفظ القائمة
conduct-lexicon-reset = العودة إلى القائمة الافتراضية
conduct-lexicon-reset-done = عادت القائمة الافتراضية معمولاً بها.
conduct-lexicon-not-saved = لم تُحفظ القائمة؛ صحّح السطر المذكور أدناه.
conduct-error-line = السطر { $count }
conduct-error-nothing = «{ $entry }» لا يحتوي حرفاً أو رقماً يمكن مطابقته.
conduct-error-wildcard = لا تأتي النجمة * إلا في آخر الكلمة الأخيرة من المدخل (مثل غبي*).
conduct-error-too-many-words = «{ $entry }» فيه كلمات كثيرة؛ الحد الأقصى للمدخل { $count } كلمات.
conduct-error-too-many-entries = في القائمة مدخلات كثيرة؛ الحد الأقصى { $count } مدخل.

# صفحة السياسة المنشورة القابلة للطباعة (هنا مع آداب التواصل التي تنشرها).
policy-print = طباعة / حفظ بصيغة PDF
policy-print-back = العودة إلى الصفحة
policy-print-version = { $count ->
   *[other] إصدار السياسة { $count }، المعمول به منذ { $applied }
}

# بوابة مقدم الطلب.
portal-cancelled-conduct = أُلغي هذا الطلب لمخالفته آداب التواصل المعلنة في سياسة الدعم. السبب المذكور:
