# Sanad — الدردشة المباشرة على موقع الجهة (العربية، اللغة الافتراضية).
# تصل هذه النصوص إلى الأداة المضمّنة في موقع الجهة عبر /o/<slug>/chat/status.

chat-launcher = تحدّث مع فريق الدعم
chat-title = تحدّث معنا
chat-close = إغلاق المحادثة
chat-online = فريق الدعم متصل الآن، اكتب سؤالك وسنرد عليك هنا.
chat-offline = نحن خارج أوقات العمل الآن. اترك رسالتك وبريدك الإلكتروني وسنرد عليك.
chat-name = الاسم
chat-email = البريد الإلكتروني
chat-email-optional = البريد الإلكتروني (اختياري)
chat-message = رسالتك
chat-start = ابدأ المحادثة
chat-leave = أرسل رسالتك
chat-send = إرسال
# { $number } يبقى كما هو: تضع الأداة رقم الطلب مكانه.
chat-ticket = رقم طلبك { $number }.
chat-error = تعذّر الإرسال، حاول مرة أخرى.
chat-error-name = اكتب اسمك (حتى 200 حرف).
chat-error-email = اكتب بريدًا إلكترونيًا صحيحًا لنتمكن من الرد عليك، مثل name@example.sa.
chat-error-phone = اكتب رقم الجوال بصيغة 05XXXXXXXX.
chat-error-message = { $count ->
    [one] اكتب رسالتك، في حدود حرف واحد.
   *[other] اكتب رسالتك، في حدود { $count } حرف.
}
chat-error-busy = أرسلت رسائل كثيرة في وقت قصير، انتظر دقيقة ثم أعد المحاولة.
chat-ended = انتهت هذه المحادثة، ويمكنك بدء محادثة جديدة.
