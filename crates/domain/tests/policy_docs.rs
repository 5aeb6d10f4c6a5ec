//! `docs/policy.md` must not drift from the code: its example policies parse, the page
//! excerpts it shows are what `render_markdown` produces, and its validation transcript is what
//! `Policy::parse` reports for the matching fixture.

use sanad_domain::policy::{Lang, Policy, render_markdown};

const DOCS: &str = include_str!("../../../docs/policy.md");
const MANY_DEFECTS: &str = include_str!("policy_files/many-defects.toml");

/// The bodies of the fenced blocks with this info string, in document order.
fn fenced_blocks(info: &str) -> Vec<String> {
    let opening = format!("```{info}");
    let mut blocks = Vec::new();
    let mut current: Option<Vec<&str>> = None;
    for line in DOCS.lines() {
        match &mut current {
            None if line.trim_end() == opening => current = Some(Vec::new()),
            Some(_) if line.trim_end() == "```" => {
                blocks.push(current.take().unwrap_or_default().join("\n"));
            }
            Some(lines) => lines.push(line),
            None => {}
        }
    }
    blocks
}

fn example_policies() -> Vec<Policy> {
    fenced_blocks("toml")
        .into_iter()
        .filter(|block| block.contains("[organization]"))
        .map(|block| Policy::parse(&block, "docs/policy.md").unwrap_or_else(|e| panic!("{e}")))
        .collect()
}

#[test]
fn the_examples_are_valid_policies() {
    assert_eq!(example_policies().len(), 2);
}

#[test]
fn the_page_excerpts_are_rendered_output() {
    let pages: Vec<String> = example_policies()
        .iter()
        .flat_map(|policy| {
            [
                render_markdown(policy, Lang::Ar),
                render_markdown(policy, Lang::En),
            ]
        })
        .collect();
    let excerpts = fenced_blocks("markdown");
    assert!(excerpts.len() >= 3);
    for excerpt in excerpts {
        for line in excerpt.lines().filter(|line| !line.trim().is_empty()) {
            assert!(
                pages.iter().any(|page| page.lines().any(|l| l == line)),
                "docs/policy.md shows a line no example renders:\n{line}"
            );
        }
    }
}

#[test]
fn the_validation_transcript_matches_the_fixture() {
    let transcript = fenced_blocks("text")
        .into_iter()
        .find(|block| block.starts_with("many-defects.toml:"))
        .expect("the validation transcript");
    let errors = Policy::parse(MANY_DEFECTS, "many-defects.toml").expect_err("many defects");
    assert_eq!(errors.to_string(), transcript);
}
