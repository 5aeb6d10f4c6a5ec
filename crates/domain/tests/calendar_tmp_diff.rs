use sanad_domain::calendar::{CalendarsSpec, DurationExpr};
#[test]
#[ignore]
fn diff() {
    let src = include_str!("deadlines.rs");
    let cal = |name: &str| {
        let key = format!("const {name}: &str = r#\"");
        let i = src.find(&key).unwrap() + key.len();
        let j = i + src[i..].find("\"#;").unwrap();
        let f: CalendarsSpec = toml::from_str(&src[i..j]).unwrap();
        f.build().unwrap().remove(0)
    };
    let cases = std::fs::read_to_string("/tmp/oracle/cases.txt").unwrap();
    let mut out = String::new();
    for line in cases.lines() {
        let p: Vec<&str> = line.split('|').collect();
        let c = cal(p[0]);
        let got = c.deadline(p[1].parse().unwrap(), &DurationExpr::parse(p[2]).unwrap());
        let s = match got {
            Ok(t) => c.format_in_zone(t),
            Err(_) => "ERR".into(),
        };
        out.push_str(&format!("{line}|{s}\n"));
    }
    std::fs::write("/tmp/oracle/rust.txt", out).unwrap();
}
