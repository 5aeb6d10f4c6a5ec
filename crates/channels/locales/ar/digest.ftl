# سند — الملخص الأسبوعي المرسل إلى المديرين والتنفيذيين (العربية).
# الأرقام تصل نصوصًا جاهزة، فلا حاجة هنا إلى صيغ الجمع.

digest-subject = الملخص الأسبوعي لـ{ $organization }: من { $from } إلى { $to }
digest-title = الملخص الأسبوعي
digest-intro = أداء { $organization } في الأسبوع من { $from } إلى { $to } بتوقيت الجهة.
digest-none = لا شيء في هذا الأسبوع.
digest-total = المجموع: { $count }
digest-row = { $label }: { $count }

digest-received-title = الطلبات الواردة
digest-kind-complaint = شكوى
digest-kind-suggestion = مقترح
digest-kind-inquiry = استفسار
digest-kind-request = طلب
digest-kind-technical_issue = مشكلة تقنية

digest-compliance-title = الالتزام بمستويات الخدمة
digest-compliance-row = { $target }: نسبة الالتزام { $percent }٪ (محقق { $met }، متجاوز { $breached }، جارٍ { $pending })
digest-compliance-unsettled = { $target }: لم يُحسم أي مستهدف بعد (جارٍ { $pending })
digest-target-first_response = الرد الأول
digest-target-routing = الإحالة
digest-target-start_handling = بدء المعالجة
digest-target-closure = الإغلاق
digest-target-overall = المدة الكلية

digest-breaches-title = التجاوزات وأسبابها الجذرية
digest-breaches-count = عدد التجاوزات: { $count }
digest-breaches-unexplained = تجاوزات لم يُسجَّل سببها الجذري بعد: { $count }

digest-escalations-title = التصعيد بحسب مراحل السلّم
digest-escalation-row = المرحلة { $stage } ({ $name }): { $count }

digest-backlog-title = الطلبات المفتوحة في نهاية الأسبوع
digest-status-received = مستلم
digest-status-registered = مسجّل
digest-status-classified = مصنّف
digest-status-routed = محال
digest-status-in_progress = قيد المعالجة
digest-status-waiting_on_requester = بانتظار المستفيد
digest-status-resolved = محلول
digest-status-closed = مغلق
digest-status-cancelled = ملغى
digest-status-merged = مدموج

digest-satisfaction-title = رضا المستفيدين
digest-satisfaction-response = نسبة الاستجابة: { $percent }٪ ({ $answered } من { $asked })
digest-satisfaction-not-asked = لم يُدعَ أحد إلى التقييم في هذا الأسبوع.
digest-satisfaction-mean = { $dimension }: { $mean } من 5 (عدد الإجابات: { $count })
digest-satisfaction-no-answers = { $dimension }: لا إجابات
digest-question-overall = الإجمالي
digest-question-handling = التعامل مع الطلب
digest-question-clarity = وضوح الإجراءات
digest-question-closure = الإغلاق

digest-link = افتح التقرير الكامل
digest-link-note = يعرض التقرير أيامًا كاملة بتوقيت الجهة، من { $from } إلى { $to } شاملًا.
digest-footer = وصلتك هذه الرسالة لأنك من مديري { $organization } أو تنفيذييها. لا تحتوي على بيانات شخصية لأصحاب الطلبات.
