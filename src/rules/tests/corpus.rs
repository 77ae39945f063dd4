//! Operators' command lines against what the real ipvsadm 1.31 saved for them on a real
//! IPVS kernel (`corpus_save.txt`, recorded in the lab VM by
//! `tests/support/corpus_lab.sh` from `corpus_cases.txt`): parsing the line and printing
//! the `Op` must give ipvsadm's `-S -n` line byte for byte.

use crate::ipvs::Op;
use crate::rules::{dest_line, parse, service_line, Command, Numeric, SaveFormat};

const SAVED: &str = include_str!("corpus_save.txt");

struct Recorded<'a> {
    case: &'a str,
    rc: &'a str,
    saved: Vec<&'a str>,
}

fn recorded() -> Vec<Recorded<'static>> {
    let mut out = Vec::new();
    let mut lines = SAVED.lines();
    while let Some(line) = lines.next() {
        let Some(case) = line.strip_prefix("case: ") else {
            continue;
        };
        let rc = lines
            .next()
            .and_then(|l| l.strip_prefix("rc: "))
            .unwrap_or("?");
        let saved = lines.by_ref().take_while(|l| *l != "end").collect();
        out.push(Recorded { case, rc, saved });
    }
    out
}

/// What our printer says ipvsadm -S -n prints for the entry `op` creates or changes.
fn our_saved_line(op: &Op) -> Option<String> {
    match op {
        Op::AddService(s) | Op::EditService(s) => Some(service_line("-A", s, &Numeric)),
        Op::AddDest(k, d) | Op::EditDest(k, d) => {
            Some(dest_line("-a", k, d, SaveFormat::default()))
        }
        _ => None,
    }
}

#[test]
fn operator_lines_print_as_ipvsadm_saves_them() {
    let cases = recorded();
    assert!(
        cases.len() >= 40,
        "corpus_save.txt has {} cases",
        cases.len()
    );
    let mut failures = Vec::new();
    for r in &cases {
        assert_eq!(r.rc, "0", "ipvsadm refused `{}` in the lab", r.case);
        let words: Vec<&str> = r.case.split(' ').collect();
        let op = match parse(&words, &crate::rules::NoResolver) {
            Ok(Command::Change(op)) => op,
            other => {
                failures.push(format!("`{}` parsed as {other:?}", r.case));
                continue;
            }
        };
        let Some(ours) = our_saved_line(&op) else {
            failures.push(format!("`{}` is not a service or server change", r.case));
            continue;
        };
        let prefix = &ours[..2];
        let theirs = r.saved.iter().find(|l| l.starts_with(prefix));
        if theirs != Some(&ours.as_str()) {
            failures.push(format!(
                "`{}`: ipvsadm saved {theirs:?}, we print {ours:?}",
                r.case
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
