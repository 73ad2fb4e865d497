//! The README holds together: its contents list names every section and
//! subsection in order, and every link to a heading of the page leads to one.

use crate::support::crate_root;

/// Returns the README's headings outside code blocks: level (2 for `##`) and title.
fn headings(readme: &str) -> Vec<(usize, &str)> {
    let mut found = Vec::new();
    let mut fenced = false;
    for line in readme.lines() {
        if line.starts_with("```") {
            fenced = !fenced;
        } else if !fenced && line.starts_with('#') {
            let level = line.chars().take_while(|c| *c == '#').count();
            if let Some(title) = line[level..].strip_prefix(' ') {
                found.push((level, title));
            }
        }
    }
    found
}

/// Returns the anchor GitHub gives a heading: lower case, punctuation dropped, spaces as `-`.
fn anchor(title: &str) -> String {
    title
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_'))
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

#[test]
fn the_contents_list_names_every_section_in_order() {
    let readme = std::fs::read_to_string(crate_root().join("README.md")).unwrap();
    let headings = headings(&readme);
    let contents = headings
        .iter()
        .position(|(_, title)| *title == "Contents")
        .expect("README.md has a Contents section");
    // The contents follow the two commands at the top, and list what comes after them.
    assert_eq!(
        headings[..contents].last(),
        Some(&(2, "Two commands for a fresh machine"))
    );
    let expected: Vec<String> = headings[contents + 1..]
        .iter()
        .filter(|(level, _)| *level <= 3)
        .map(|(level, title)| format!("{}- [{title}](#{})", "  ".repeat(level - 2), anchor(title)))
        .collect();
    let listed: Vec<&str> = readme
        .split("\n## Contents\n\n")
        .nth(1)
        .unwrap_or_default()
        .lines()
        .take_while(|line| !line.is_empty())
        .collect();
    assert_eq!(listed, expected);
}

#[test]
fn every_link_to_a_heading_of_the_readme_leads_to_one() {
    let readme = std::fs::read_to_string(crate_root().join("README.md")).unwrap();
    let anchors: Vec<String> = headings(&readme)
        .iter()
        .map(|(_, title)| anchor(title))
        .collect();
    let links: Vec<&str> = readme
        .split("](#")
        .skip(1)
        .filter_map(|rest| rest.split(')').next())
        .collect();
    assert!(links.len() > 10, "{links:?}");
    for link in links {
        assert!(
            anchors.iter().any(|a| a == link),
            "no heading has the anchor #{link}"
        );
    }
}
