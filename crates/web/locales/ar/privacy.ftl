# الرضا (الوثيقة 002) والخصوصية (نظام حماية البيانات الشخصية) في البوابة والمكتب.
rate-question-handling = ما مدى رضاك عن التعامل مع طلبك؟
rate-question-clarity = ما مدى وضوح الإجراءات؟
rate-question-closure = ما مدى رضاك عن إغلاق طلبك؟
rate-label-handling = التعامل مع الطلب
rate-label-clarity = وضوح الإجراءات
rate-label-closure = الإغلاق
rate-error-handling = اختر درجة من 1 إلى 5 للتعامل مع طلبك.
rate-error-clarity = اختر درجة من 1 إلى 5 لوضوح الإجراءات.
rate-error-closure = اختر درجة من 1 إلى 5 للإغلاق.
rate-editable-until = يمكنك تعديل تقييمك حتى { $until }.
rate-final = لم يعد بالإمكان تعديل تقييمك.
rate-scores-short = (التعامل/الوضوح/الإغلاق)
event-satisfaction = قيّم المستفيد الخدمة
event-satisfaction-edited = عدّل المستفيد تقييمه
rate-window-closed = لم يعد بالإمكان تعديل تقييمك: كان التعديل متاحًا حتى { $until }.

# الخصوصية (نظام حماية البيانات الشخصية): بيانات المستفيد في البوابة.
privacy-link = بياناتك: نزّلها أو اطلب حذفها
privacy-title = بياناتك
privacy-back = العودة إلى الطلب
privacy-lead = يحق لك بموجب نظام حماية البيانات الشخصية الحصول على نسخة من بياناتك الشخصية التي نحتفظ بها، وطلب حذفها.
privacy-held = ما نحتفظ به عنك
privacy-export-title = تنزيل بياناتك
privacy-export-text = ملف (JSON) يضم اسمك وبيانات التواصل معك، وطلباتك، والرسائل المتبادلة بشأنها، وتقييماتك. لا يتضمن ملاحظاتنا الداخلية لأنها ليست من بياناتك الشخصية.
privacy-export-submit = نزّل بياناتي
privacy-erasure-title = طلب الحذف
privacy-erasure-what = عندما تنفّذ الجهة طلبك:
privacy-erasure-removed = يُحذف اسمك وبيانات التواصل معك، وعناوين طلباتك ورسائلها، وتعليقاتك والملفات المرفقة؛
privacy-erasure-kept = تبقى طلباتك سجلات مجهولة الهوية فقط (النوع والتواريخ وأوقات الخدمة) لتبقى الإحصاءات صحيحة، ولا شيء فيها يدل عليك؛
privacy-erasure-access = لن تتمكن بعدها من متابعة طلباتك في هذه البوابة.
privacy-erasure-confirm = أفهم ذلك، وأطلب حذف بياناتي الشخصية.
privacy-erasure-submit = اطلب الحذف
privacy-erasure-confirm-required = ضع علامة في المربع لتأكيد طلب الحذف.
privacy-erasure-received = استلمنا طلب الحذف. ستُخفي الجهة هويتك بحذف بياناتك الشخصية، وتبقى إحصاءات طلباتك دون ما يدل عليك.
privacy-erasure-pending = استلمنا طلب الحذف المقدَّم في { $when }، وهو بانتظار تنفيذ الجهة له.

# الخصوصية في الإدارة.
admin-tab-privacy = الخصوصية
privacy-requests-title = طلبات الحذف
privacy-requests-lead = طلبات المستفيدين حذف بياناتهم الشخصية. تنفيذ الطلب يُخفي هوية المستفيد في جميع طلباته؛ تبقى الطلبات بتصنيفها وأوقاتها فلا تتغير التقارير. لا يمكن التراجع عنه.
privacy-requests-empty = لا توجد طلبات حذف.
privacy-col-requester = المستفيد
privacy-col-requested = تاريخ الطلب
privacy-col-state = الحالة
privacy-col-actions = الإجراءات
privacy-col-action = الإجراء
privacy-col-who = المنفّذ
privacy-col-tickets = الطلبات
privacy-via-portal = عبر البوابة
privacy-via-staff = سجّله الموظفون
privacy-state-pending = بانتظار التنفيذ
privacy-state-done = نُفّذ
privacy-export-requester = صدّر بيانات هذا المستفيد
privacy-carry-out-confirm = تأكيد
privacy-carry-out = نفّذ الحذف
privacy-carry-out-confirm-required = ضع علامة على «تأكيد» بجانب الطلب لتنفيذ الحذف.
privacy-carry-out-already = نُفّذ طلب الحذف هذا من قبل.
privacy-erased-tickets = { $count ->
    [zero] أُخفيت هوية المستفيد ولم تكن له طلبات.
    [one] أُخفيت هوية المستفيد في طلب واحد.
    [two] أُخفيت هوية المستفيد في طلبين.
    [few] أُخفيت هوية المستفيد في { $count } طلبات.
   *[other] أُخفيت هوية المستفيد في { $count } طلبًا.
}
privacy-erased-files = { $count ->
    [zero] لم تُحذف ملفات مرفقة.
    [one] حُذف ملف مرفق واحد.
    [two] حُذف ملفان مرفقان.
    [few] حُذفت { $count } ملفات مرفقة.
   *[other] حُذف { $count } ملفًا مرفقًا.
}
privacy-export-title-staff = تصدير بيانات مستفيد
privacy-export-lead-staff = لمستفيد يطلب بياناته هاتفيًا أو كتابيًا أو حضوريًا: ابحث عنه بالبريد الإلكتروني أو رقم الجوال الذي قدّمه. يُسجَّل التصدير في سجل الخصوصية.
privacy-contact = البريد الإلكتروني أو رقم الجوال
privacy-contact-hint = مثل layla@example.sa أو 0500000101.
privacy-error-contact = أدخل بريدًا إلكترونيًا أو رقم جوال.
privacy-error-no-requester = لا يوجد مستفيد لدى هذه الجهة بهذا البريد الإلكتروني أو رقم الجوال.
privacy-settings-title = التقييمات ومدة الاحتفاظ
privacy-edit-window = ساعات إتاحة تعديل التقييم
privacy-edit-window-hint = من أول إجابة للمستفيد؛ 0 يعني أن الإجابة لا تُعدَّل.
privacy-threshold = حد المتابعة
privacy-threshold-hint = الإجابة التي فيها أي درجة تساوي هذا الحد أو تقل عنه تطلب من قادة الفرق متابعة الطلب؛ 0 يعني عدم الطلب أبدًا.
privacy-retention = مدة الاحتفاظ (بالأيام)
privacy-retention-hint = تُخفى البيانات الشخصية للطلبات المغلقة والملغاة والمدموجة بعد هذا العدد من الأيام من آخر تغيير عليها. اتركه فارغًا للاحتفاظ بها.
privacy-error-edit-window = أدخل عددًا صحيحًا من الساعات من 0 إلى { $count }.
privacy-error-threshold = أدخل درجة من 0 (أبدًا) إلى 5.
privacy-error-retention = أدخل عددًا صحيحًا من الأيام من 1 إلى { $count }، أو اترك الحقل فارغًا للاحتفاظ بالبيانات.
privacy-audit-title = سجل الخصوصية
privacy-audit-lead = عمليات تصدير البيانات الشخصية وحذفها، الأحدث أولًا. لا يحوي السجل نفسه بيانات شخصية.
privacy-audit-empty = لم يُسجَّل شيء بعد.
privacy-action-export = صُدّرت البيانات
privacy-action-erasure_requested = طُلب الحذف
privacy-action-erasure = نُفّذ الحذف
privacy-action-retention = طُبّقت مدة الاحتفاظ
privacy-actor-staff = أحد الموظفين
privacy-actor-requester = المستفيد
privacy-actor-system = تلقائيًا
