//! Search analysis runs over every ticket during a bulk import (a million tickets of about 150
//! words each), so `index_terms` on a typical ~2 KB mixed Arabic/English message is measured
//! here, with throughput in bytes, alongside query parsing, scoring and excerpts, which run per
//! result on every search. Run with `cargo bench -p sanad-domain --bench analysis`.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sanad_domain::search::{SearchQuery, index_terms, score, snippet};

/// A requester's message as they come in: Arabic with English product words, a ticket number,
/// a phone number, diacritics on a few words, Arabic-Indic digits and punctuation.
const MESSAGE: &str = "السلام عليكم ورحمة الله وبركاته،

أكتب إليكم بخصوص التذكرة ET-2026-000123 المتعلقة بالدورة التدريبية \"إدارة المشاريع الاحترافية\" \
التي أنهيتها في الأسبوع الماضي. حضرتُ جميع المحاضرات واجتزتُ الاختبار النهائي بنجاح، لكن الشَّهَادَة \
لم تصلني حتى الآن على بريدي الإلكتروني، ولم تظهر في حسابي على المنصة. حاولت تسجيل الدخول من \
جهاز آخر ومن تطبيق الجوال (iPhone 15, iOS 18.2) وظهرت رسالة الخطأ: \"Certificate not found, \
please contact support\". كما أن رابط التحقق من الشهادة لا يعمل.

رقم جوالي ٠٥٥٥١٢٣٤٥٦ ويمكنكم التواصل معي في أي وقت من الساعة 9:00 إلى 17:00. أرجو إرسال \
الشهادة في أقرب وقت لأنني أحتاجها لتقديمها إلى جهة العمل قبل نهاية الشهر، وشكراً لتعاونكم.

Hello, I am writing again about my certificate for the Project Management course. I completed \
all the sessions and passed the final exam, but the certificate was never issued. The payment \
receipt number is INV-88231 and I registered with ahmed.ali@example.com. Please check the \
registration records and resend the certificate, or let me know if any documents are missing.

ملاحظة: سبق أن أرسلت طلباً مماثلاً عبر الواتساب يوم الأحد ٢٠٢٦/٠٣/١٥ ولم يصلني أي رد، \
وأرفقت صورة من بطاقة الهوية وإيصال الدفع. أتمنى ألا يتأخر الرد هذه المرة.

مع خالص الشكر والتقدير،
أحمد علي";

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("analysis");
    group.throughput(Throughput::Bytes(MESSAGE.len() as u64));
    group.bench_function("index_terms, 2 KB mixed Arabic/English", |b| {
        b.iter(|| index_terms(black_box(MESSAGE)))
    });
    group.finish();

    let terms = index_terms(MESSAGE);
    let subject = index_terms("لم تصلني شهادة الدورة");
    let query = SearchQuery::parse("شهادة الدورة").expect("benchmark query parses");
    c.bench_function("parse a two-word query", |b| {
        b.iter(|| SearchQuery::parse(black_box("شهادة الدورة")))
    });
    c.bench_function("score, subject + 2 KB body", |b| {
        b.iter(|| {
            score(
                black_box(&query),
                black_box(&[(3.0, &subject), (1.0, &terms)]),
            )
        })
    });
    c.bench_function("snippet of 160 chars from 2 KB", |b| {
        b.iter(|| snippet(black_box(MESSAGE), black_box(&query), 160))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
