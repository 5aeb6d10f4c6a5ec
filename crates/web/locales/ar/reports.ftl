# سند — تقارير المديرين (العربية).

nav-reports = التقارير
reports-title = التقارير
reports-lead = الالتزام بمستويات الخدمة، وأزمنة الرد والإغلاق، والمتراكم، والتصعيد، والتجاوزات، والرضا، والحجم، وعبء العمل للأيام التي تختارها.
reports-from = من
reports-to = إلى (شاملًا)
reports-apply = اعرض التقرير
reports-zone-note = الأيام بتوقيت الجهة، ويدخل اليومان الأول والأخير
reports-download-csv = تنزيل ملف CSV
reports-download-xlsx = تنزيل مصنف Excel
reports-stats-title = باختصار
reports-scope = { $range }
reports-error-date = «{ $value }» ليس تاريخًا؛ اكتبه بالصيغة YYYY-MM-DD، مثل 2026-11-01.
reports-error-order = يجب ألا يكون تاريخ البداية بعد تاريخ النهاية.
reports-error-too-long = { $count ->
    [few] يغطي التقرير { $count } أيام على الأكثر؛ اختر مدة أقصر.
    [many] يغطي التقرير { $count } يومًا على الأكثر؛ اختر مدة أقصر.
   *[other] يغطي التقرير { $count } يوم على الأكثر؛ اختر مدة أقصر.
}
reports-more-in-exports = { $count ->
    [one] يوجد صف آخر في ملفي CSV وExcel.
    [two] يوجد صفان آخران في ملفي CSV وExcel.
    [few] توجد { $count } صفوف أخرى في ملفي CSV وExcel.
    [many] يوجد { $count } صفًا آخر في ملفي CSV وExcel.
   *[other] يوجد { $count } صف آخر في ملفي CSV وExcel.
}

reports-stat-created = الطلبات الواردة
reports-stat-compliance = المستهدفات المحققة في وقتها
reports-stat-breaches = التجاوزات
reports-stat-open = المفتوحة في النهاية
reports-stat-csat = متوسط الرضا (من 5)

reports-all-tickets = جميع الطلبات
reports-value-none = غير محدد
reports-dimension-all = الكل
reports-dimension-department = الإدارة
reports-dimension-channel = القناة
reports-dimension-category = التصنيف
reports-dimension-complexity = درجة التعقيد
reports-dimension-importance = درجة الأهمية

reports-compliance-title = الالتزام بمستويات الخدمة
reports-compliance-note = المحقق والمتجاوز يعدّان المستهدفات التي حُسمت خلال المدة؛ والجاري يعدّ المستهدفات التي ما زالت تسري في نهايتها. تُستبعد الطلبات الملغاة. نسبة الالتزام هي المحقق من مجموع المحقق والمتجاوز.
reports-times-title = أزمنة الرد والإغلاق
reports-times-note = ساعات منقضية (تقويمية) منذ الورود، وليست ساعات عمل: الوسيط والمئين التسعون.
reports-first-response = أول رد علني
reports-closure = الحل
reports-backlog-title = المتراكم في نهاية المدة
reports-backlog-note = الطلبات التي بقيت مفتوحة في نهاية اليوم الأخير، بحسب حالتها حينها.
reports-aging-title = أعمار الطلبات المفتوحة
reports-aging-under_1_day = أقل من يوم
reports-aging-1_to_3_days = من يوم إلى 3 أيام
reports-aging-3_to_7_days = من 3 إلى 7 أيام
reports-aging-7_to_14_days = من 7 إلى 14 يومًا
reports-aging-over_14_days = أكثر من 14 يومًا
reports-escalations-title = التصعيد بحسب مراحل السلّم
reports-breaches-title = التجاوزات وأسبابها الجذرية
reports-cause-missing = لم يُسجَّل بعد
reports-root-causes-title = الأسباب الجذرية للتجاوزات
reports-survey-title = استبيان الرضا
reports-survey-note = يُدعى أصحاب الطلبات التي حُلّت خلال المدة إلى تقييمها.
reports-satisfaction-title = درجات الرضا
reports-question-overall = الإجمالي
reports-question-handling = التعامل مع الطلب
reports-question-clarity = وضوح الإجراءات
reports-question-closure = الإغلاق
reports-comments-title = تعليقات أصحاب الطلبات
reports-volume-kind-title = الطلبات الواردة بحسب النوع
reports-volume-channel-title = الطلبات الواردة بحسب القناة
reports-volume-note = الطلبات التي وردت خلال المدة.
reports-workload-title = عبء العمل لكل موظف
reports-workload-note = الإسنادات والردود العلنية خلال المدة، والطلبات التي حُلّت خلال المدة بحسب المسند إليه.

reports-col-target = المستهدف
reports-col-dimension = التقسيم بحسب
reports-col-value = القيمة
reports-col-met = محقق
reports-col-breached = متجاوز
reports-col-pending = جارٍ
reports-col-compliance = نسبة الالتزام (٪)
reports-col-measure = المقياس
reports-col-count = الطلبات
reports-col-median-hours = الوسيط (ساعات منقضية)
reports-col-p90-hours = المئين التسعون (ساعات منقضية)
reports-col-status = الحالة
reports-col-tickets = الطلبات
reports-col-age = العمر
reports-col-stage = المرحلة
reports-col-stage-name = اسم المرحلة
reports-col-escalations = مرات التصعيد
reports-col-ticket = الطلب
reports-col-breached-at = وقت التجاوز
reports-col-cause = السبب الجذري
reports-col-cause-description = الوصف
reports-col-breaches = التجاوزات
reports-col-asked = المدعوون
reports-col-answered = المجيبون
reports-col-response-rate = نسبة الاستجابة (٪)
reports-col-question = السؤال
reports-col-answers = الإجابات
reports-col-mean = المتوسط
reports-col-score = الدرجة
reports-col-comment = التعليق
reports-col-kind = النوع
reports-col-channel = القناة
reports-col-agent = الموظف
reports-col-assigned = أُسند إليه
reports-col-replies = الردود العلنية
reports-col-resolved = المحلولة
reports-csv-section = القسم
reports-csv-row = الصف
reports-csv-column = العمود
reports-csv-value = القيمة
