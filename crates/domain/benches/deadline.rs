//! Deadline math must stay cheap enough to recompute for every open ticket on every change, so
//! the common case (`48 working hours` on a Sunday–Thursday 08:00–16:00 calendar) is measured
//! here. Run with `cargo bench -p sanad-domain --bench deadline`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use jiff::Timestamp;
use sanad_domain::calendar::{CalendarSpec, DurationExpr, WorkingCalendar};

const SUPPORT: &str = r#"
name = "support"
timezone = "Asia/Riyadh"
hours = { sun = ["08:00-16:00"], mon = ["08:00-16:00"], tue = ["08:00-16:00"],
          wed = ["08:00-16:00"], thu = ["08:00-16:00"] }
holidays = ["2026-09-23", "2026-03-19..2026-03-24", "2026-05-25..2026-05-30"]
extra = ["2026-11-21T18:00..2026-11-21T21:00"]
"#;

const LONDON: &str = r#"
name = "london"
timezone = "Europe/London"
hours = { mon = ["09:00-17:30"], tue = ["09:00-17:30"], wed = ["09:00-17:30"],
          thu = ["09:00-17:30"], fri = ["09:00-17:30"] }
holidays = ["2026-12-25", "2026-12-28"]
"#;

fn calendar(toml_text: &str) -> WorkingCalendar {
    let spec: CalendarSpec = toml::from_str(toml_text).expect("benchmark calendar parses");
    WorkingCalendar::from_spec(&spec).expect("benchmark calendar is valid")
}

fn bench(c: &mut Criterion) {
    let support = calendar(SUPPORT);
    let london = calendar(LONDON);
    let start: Timestamp = "2026-11-23T10:17:00+03:00".parse().expect("valid instant");
    let autumn: Timestamp = "2026-10-20T10:17:00+01:00".parse().expect("valid instant");
    let hours_48 = DurationExpr::WorkingHours(48);

    c.bench_function("48 working hours, Riyadh Sun-Thu 08-16", |b| {
        b.iter(|| support.deadline(black_box(start), black_box(&hours_48)))
    });
    c.bench_function("4 working hours, Riyadh Sun-Thu 08-16", |b| {
        let expr = DurationExpr::WorkingHours(4);
        b.iter(|| support.deadline(black_box(start), black_box(&expr)))
    });
    c.bench_function("10 working days, Riyadh Sun-Thu 08-16", |b| {
        let expr = DurationExpr::WorkingDays(10);
        b.iter(|| support.deadline(black_box(start), black_box(&expr)))
    });
    c.bench_function("2000 working hours, Riyadh Sun-Thu 08-16", |b| {
        let expr = DurationExpr::WorkingHours(2000);
        b.iter(|| support.deadline(black_box(start), black_box(&expr)))
    });
    c.bench_function("48 working hours, London across the October change", |b| {
        b.iter(|| london.deadline(black_box(autumn), black_box(&hours_48)))
    });
    c.bench_function("working time in a 9-day pause, Riyadh", |b| {
        let end: Timestamp = "2026-12-02T11:00:00+03:00".parse().expect("valid instant");
        b.iter(|| support.working_time_between(black_box(start), black_box(end)))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
