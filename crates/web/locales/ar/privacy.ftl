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
