nav-search = البحث
search-title = البحث في التذاكر
search-label = ابحث عن كلمات، أو رقم تذكرة، أو اسم مقدم الطلب أو بريده أو جواله
search-hint = لا فرق بين الهمزات والتشكيل وأشكال الأرقام؛ وتكفي بداية الكلمة الأخيرة.
search-submit = ابحث
search-nothing = لا توجد تذاكر تطابق هذا البحث مما يحق لك الاطلاع عليه.
search-count = { $count ->
    [zero] لا نتائج
    [one] نتيجة واحدة
    [two] نتيجتان
    [few] { $count } نتائج
    [many] { $count } نتيجة
   *[other] { $count } نتيجة
}
search-problem-empty = اكتب كلمة واحدة على الأقل من حروف أو أرقام.
search-problem-too-long = البحث طويل جداً؛ الحد الأقصى { $count } حرفاً.
search-problem-too-many-words = كلمات البحث كثيرة؛ الحد الأقصى { $count } كلمة.
queue-total-more-than = أكثر من { $count } تذكرة
