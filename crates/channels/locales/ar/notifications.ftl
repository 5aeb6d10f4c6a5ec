# Notifications sent to requesters (e-mail, WhatsApp, X, Messenger, SMS).
greeting = مرحبًا { $name }،
signature = فريق الدعم في { $organization }
rate-link = قيّم الخدمة
follow-link = تابع طلبك
tracking-code = رمز المتابعة
reply-hint = للرد، أجب على هذه الرسالة مباشرة أو تابع طلبك عبر الرابط.

receipt-subject = استلمنا طلبك: { $subject }
receipt-body = استلمنا طلبك «{ $subject }» وسجّلناه برقم { $number }.
receipt-promise = سنرد عليك { $within }.
receipt-promise-deadline = سنرد عليك { $within }، أي قبل { $deadline }.
receipt-code = احتفظ برمز المتابعة لتتابع طلبك وترد عليه من بوابة المستفيدين.

routed-subject = أُحيل طلبك { $number }
routed-body = أُحيل طلبك { $number } إلى { $departments } للمعالجة.

reply-subject = رد على طلبك: { $subject }
reply-intro = ردّ { $author } على طلبك { $number }:

escalated-subject = صُعّد طلبك { $number }
escalated-body = صُعّد طلبك { $number } إلى مستوى أعلى ({ $stage }) وفق سياسة الدعم، وسيتابعه المسؤول عن هذا المستوى.

resolved-subject = تم حل طلبك { $number }
resolved-body = تم حل طلبك { $number }. إن لم تُحل المشكلة يمكنك إعادة فتح الطلب خلال { $window } من بوابة المستفيدين، ويسعدنا أن تقيّم الخدمة.

status-update-subject = طلبك { $number } ما زال قيد المعالجة
status-update-body = نطمئنك أن طلبك { $number } ما زال قيد المعالجة، وحالته الآن: { $status }.

status-received = مستلم
status-registered = مسجّل
status-classified = مصنّف
status-routed = محال
status-in_progress = قيد المعالجة
status-waiting_on_requester = بانتظار ردك
status-resolved = محلول
status-closed = مغلق
status-cancelled = ملغى
status-merged = مدموج

cancelled-conduct-subject = أُلغي طلبك { $number } لمخالفة آداب التواصل
cancelled-conduct-body = أُلغي طلبك { $number } لمخالفته آداب التواصل المعلنة في سياسة الدعم. السبب: { $reason }
cancelled-conduct-hint = يمكنك تقديم طلب جديد مع الالتزام بآداب التواصل.
