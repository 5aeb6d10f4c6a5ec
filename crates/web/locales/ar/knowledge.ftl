# سند — قاعدة المعرفة (العربية، اللغة الافتراضية). مركز المساعدة، والمقالات المقترحة بجانب
# نموذج الطلب الجديد، وصفحات المحررين، واختيار المقالات في الردود.

nav-help-centre = مركز المساعدة
nav-knowledge-base = قاعدة المعرفة

kb-help-centre-title = مركز المساعدة
kb-help-centre-lead = إجابات عن أكثر ما يسأل عنه المتدربون والمدربون. ابحث، أو تصفح حسب الموضوع.
kb-search-label = ابحث في مركز المساعدة
kb-search-hint = لا فرق بين الهمزات والتشكيل وأشكال الأرقام؛ وتكفي بداية الكلمة الأخيرة.
kb-search-submit = ابحث
kb-search-nothing = لا توجد مقالة تطابق هذا البحث. جرّب كلمات أخرى، أو أرسل إلينا طلبًا.
kb-search-count = { $count ->
    [one] مقالة واحدة
    [two] مقالتان
    [few] { $count } مقالات
   *[other] { $count } مقالة
}
kb-search-problem-empty = اكتب كلمة واحدة على الأقل من حروف أو أرقام.
kb-search-problem-too-long = البحث طويل جدًا؛ الحد الأقصى { $count } حرفًا.
kb-search-problem-too-many-words = كلمات البحث كثيرة؛ الحد الأقصى { $count } كلمة.
kb-empty = لم تُنشر أي مقالة بعد.
kb-all-articles = المقالات
kb-other-articles = مقالات أخرى
kb-language-ar = العربية
kb-language-en = الإنجليزية
kb-opens-in-new-tab = تفتح في علامة تبويب جديدة
kb-breadcrumbs = أنت هنا
kb-updated = آخر تحديث
kb-read-in-other-language = اقرأ بالإنجليزية
kb-attachments = الملفات
kb-size-kilobytes = { $size } ك.ب
kb-size-megabytes = { $size } م.ب
kb-staff-preview-draft = مسودة: لا يراها إلا الموظفون حتى تُنشر.
kb-staff-preview-archived = مؤرشفة: لا يراها إلا الموظفون.

kb-feedback-question = هل كانت هذه المقالة مفيدة؟
kb-feedback-yes = نعم
kb-feedback-no = لا
kb-feedback-thanks = شكرًا لك؛ إجابتك تساعدنا على تحسين هذه المقالة.
kb-feedback-comment-summary = لم تفدك؟ أخبرنا بما كان ينقصها
kb-feedback-comment = عمّ كنت تبحث؟ (اختياري)
kb-feedback-send = إرسال
kb-your-verdict-helpful = قلت إن هذه المقالة أفادتك، ويمكنك تغيير إجابتك.
kb-your-verdict-not_helpful = قلت إن هذه المقالة لم تفدك، ويمكنك تغيير إجابتك.
kb-helpful-count = { $count ->
    [one] وجدها قارئ واحد مفيدة.
    [two] وجدها قارئان مفيدة.
    [few] وجدها { $count } قرّاء مفيدة.
   *[other] وجدها { $count } قارئًا مفيدة.
}
kb-error-verdict = اختر «نعم» أو «لا».
kb-error-comment = { $count ->
    [one] لا يتجاوز التعليق حرفًا واحدًا.
   *[other] لا يتجاوز التعليق { $count } حرف.
}

kb-browse-help-centre = تصفح مركز المساعدة
kb-solved-question = هل أجابت هذه المقالة عن سؤالك؟
kb-solved-button = حلّت مشكلتي — لا أحتاج إلى إرسال الطلب
kb-solved-hint = لم تُحل مشكلتك؟ عد إلى طلبك في علامة التبويب الأخرى وأرسله، وسنرد عليك.
kb-solved-thanks = يسعدنا أن المقالة أفادتك.
kb-solved-thanks-detail = لم يُرسل طلبك، ولا يلزمك فعل شيء آخر. يمكنك إغلاق علامة التبويب هذه.
kb-error-visit = انتهت صلاحية هذا الرابط؛ افتح المقالة من نموذج الطلب مرة أخرى.

kb-desk-title = قاعدة المعرفة
kb-new-article = مقالة جديدة
kb-open-help-centre = افتح مركز المساعدة
kb-deflection-title = طلبات أجابت عنها مقالة (آخر 30 يومًا)
kb-deflection-percent = { $percent }٪
kb-deflection-none = لم تُعرض اقتراحات بعد
kb-deflection-detail = { $count ->
    [one] { $deflected } من زيارة واحدة عُرضت فيها اقتراحات
    [two] { $deflected } من زيارتين عُرضت فيهما اقتراحات
    [few] { $deflected } من { $count } زيارات عُرضت فيها اقتراحات
   *[other] { $deflected } من { $count } زيارة عُرضت فيها اقتراحات
}
kb-list-empty = لا توجد مقالات مطابقة.
kb-field-title = العنوان
kb-field-language = اللغة
kb-field-status = الحالة
kb-field-category = التصنيف
kb-field-slug = العنوان في الرابط
kb-field-slug-hint = حروف لاتينية صغيرة وأرقام وشرطات، مثل reset-your-password. إن تُرك فارغًا أُخذ من العنوان الإنجليزي (أو رُقّم للعنوان العربي).
kb-field-body = النص
kb-field-body-hint = بصيغة Markdown: ‏# عنوان، ‏**غامق**، ‏- قائمة، ‏[رابط](https://…). يظهر HTML نصًا كما هو.
kb-no-category = بلا تصنيف
kb-translation = الترجمة
kb-col-helpful = مفيدة
kb-col-not-helpful = غير مفيدة
kb-col-suggested = اقتُرحت
kb-col-opened = فُتحت من الاقتراحات
kb-col-deflected = أغنت عن طلب
kb-col-updated = آخر تحديث
kb-view-public = اعرضها في مركز المساعدة
kb-view-preview = اعرضها كما يراها القارئ
kb-status-draft = مسودة
kb-status-published = منشورة
kb-status-archived = مؤرشفة
kb-move-draft = أعدها مسودة
kb-move-published = انشرها
kb-move-archived = أرشفها
kb-verdict-helpful = مفيدة
kb-verdict-not_helpful = غير مفيدة
kb-back-to-list = العودة إلى قاعدة المعرفة
kb-article-content = المقالة
kb-article-details = عن المقالة
kb-read-only = لا يعدّل المقالة المنشورة أو المؤرشفة إلا قادة الفرق والمديرون ومديرو النظام؛ اطلب من أحدهم إعادتها مسودة.
kb-read-only-role = يمكنك قراءة هذه المقالة وإدراج رابطها في الردود؛ يكتب الأخصائيون المسودات، وينشرها قادة الفرق والمديرون ومديرو النظام.
kb-preview = معاينة
kb-translation-none = غير مرتبطة بترجمة.
kb-translation-no-candidates = لا توجد مقالة باللغة الأخرى متاحة للربط؛ اكتبها أولًا.
kb-translation-choose = ترجمتها
kb-translation-link = اربط
kb-translation-unlink = ألغِ الربط
kb-attachments-none = لا توجد ملفات بعد.
kb-attachment-markdown = لإظهاره في النص
kb-attachment-insert = أدرجه في النص
kb-attachment-remove = احذف
kb-attachments-add = أضف ملفات
kb-attachments-upload = ارفع
kb-figures = الأرقام
kb-feedback-comments = ما قال القرّاء إنه ينقصها
kb-flash-created = أُنشئت المقالة.
kb-flash-saved = حُفظت التغييرات.
kb-flash-status = تغيّرت الحالة.
kb-flash-linked = رُبطت الترجمتان.
kb-flash-unlinked = أُلغي ربط الترجمتين.
kb-flash-uploaded = أُرفقت الملفات.
kb-flash-removed = حُذف الملف.
kb-error-title = { $count ->
    [one] العنوان مطلوب، ولا يتجاوز حرفًا واحدًا.
   *[other] العنوان مطلوب، ولا يتجاوز { $count } حرف.
}
kb-error-slug = استخدم من 3 إلى 80 من الحروف اللاتينية الصغيرة والأرقام والشرطات المفردة، يبدأ وينتهي بحرف أو رقم.
kb-error-slug-reserved = هذا العنوان يستخدمه مركز المساعدة نفسه؛ اختر غيره.
kb-error-slug-taken = لمقالة أخرى هذا العنوان نفسه.
kb-error-language = اختر العربية أو الإنجليزية.
kb-error-language-linked = هذه المقالة مرتبطة بترجمتها؛ ألغِ الربط قبل تغيير لغتها.
kb-error-category = اختر تصنيفًا من القائمة.
kb-error-body = { $count ->
    [one] النص مطلوب، ولا يتجاوز حرفًا واحدًا.
   *[other] النص مطلوب، ولا يتجاوز { $count } حرف.
}
kb-error-status = لا يمكن نقل المقالة إلى هذه الحالة من حالتها الحالية.
kb-error-unavailable = تعذّر التحقق الآن؛ حاول مرة أخرى.
kb-error-translation-choose = اختر المقالة التي تريد ربطها.
kb-error-translation = لا يمكن ربط هاتين المقالتين: الترجمة تكون باللغة الأخرى، ولكل مقالة ترجمة واحدة على الأكثر.
kb-error-no-file = اختر ملفًا واحدًا على الأقل.

kb-categories-title = تصنيفات قاعدة المعرفة
kb-categories-lead = تجمع التصنيفات مقالات مركز المساعدة، مرتبة حسب موضعها.
kb-categories-list = التصنيفات
kb-categories-none = لا توجد تصنيفات بعد.
kb-category-archived = مؤرشف
kb-category-name-ar = الاسم بالعربية
kb-category-name-en = الاسم بالإنجليزية
kb-category-position = الموضع
kb-category-archive = أرشفه
kb-category-add = أضف تصنيفًا
kb-category-code = الرمز
kb-category-code-hint = حروف لاتينية صغيرة وأرقام وشرطات، مثل accounts. لا يمكن تغييره لاحقًا.
kb-category-flash-created = أُضيف التصنيف.
kb-category-flash-saved = حُفظت التغييرات.
kb-category-flash-archived = أُرشف التصنيف؛ وتظهر مقالاته تحت «مقالات أخرى».
kb-error-category-name = { $count ->
    [one] الاسم مطلوب، ولا يتجاوز حرفًا واحدًا.
   *[other] الاسم مطلوب، ولا يتجاوز { $count } حرف.
}
kb-error-position = الموضع عدد صحيح من 0 إلى 9999.
kb-error-category-code = استخدم من 2 إلى 63 من الحروف اللاتينية الصغيرة والأرقام والشرطات المفردة، يبدأ بحرف.
kb-error-category-code-taken = لتصنيف آخر هذا الرمز نفسه.

kb-picker-open = أدرج مقالة من مركز المساعدة
kb-picker-label = ابحث عن مقالة منشورة
kb-picker-hint = اكتب بضع كلمات؛ يضع زر «أدرج» رابط المقالة حيث المؤشر في ردك.
kb-picker-search = ابحث
kb-picker-nothing = لا توجد مقالة منشورة مطابقة.
kb-picker-insert = أدرج
kb-links-title = روابط مركز المساعدة
kb-links-back = العودة إلى الطلب { $number }
kb-links-hint = انسخ رابطًا إلى ردك: العنوان كما هو، أو صيغة Markdown مع عنوان المقالة.
kb-links-url = الرابط
kb-links-markdown = رابط بصيغة Markdown
