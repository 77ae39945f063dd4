//! Manual pages and shell completions, generated from the command-line definitions, checked
//! against those definitions as an operator meets them: `man -l` renders every page without
//! a warning, `lvsdeck-adm(8)` describes every option `lvsdeck adm -h` lists, every
//! subcommand `lvsdeck --help` names has its page, and bash really completes a subcommand
//! and its options from `lvsdeck completions bash`. Needs man-db and bash.

// Tests state what they expect with unwrap/expect/panic (the lints are for the library).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

fn lvsdeck(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_lvsdeck"))
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "lvsdeck {args:?}: {:?}", out);
    String::from_utf8_lossy(&out.stdout).to_string()
}

/// `man -l` output of a page, asserting it rendered without warnings.
fn render(page: &Path) -> String {
    let out = Command::new("man")
        .args(["--warnings", "-l", "-P", "cat"])
        .arg(page)
        .env("MANWIDTH", "100")
        .output()
        .expect("man (man-db)");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && err.trim().is_empty(),
        "{}: {err}",
        page.display()
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

fn pages() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("lvsdeck-man-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    lvsdeck(&["man", dir.to_str().unwrap()]);
    dir
}

#[test]
fn every_page_renders_and_adm_describes_every_ipvsadm_option() {
    let dir = pages();
    // One page per subcommand `lvsdeck --help` lists (completions included), and the top.
    let help = lvsdeck(&["--help"]);
    let subcommands: Vec<&str> = help
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|s| *s != "help")
        .collect();
    assert!(
        subcommands.contains(&"daemon") && subcommands.contains(&"adm"),
        "{help}"
    );
    render(&dir.join("lvsdeck.8"));
    for s in &subcommands {
        let text = render(&dir.join(format!("lvsdeck-{s}.8")));
        assert!(text.contains(&format!("lvsdeck-{s}")), "{s}: {text}");
    }
    // Every option ipvsadm's help (lvsdeck adm -h) names is in the adm page.
    let adm_help = Command::new(env!("CARGO_BIN_EXE_lvsdeck"))
        .args(["adm", "-h"])
        .output()
        .unwrap();
    let adm_help = String::from_utf8_lossy(&adm_help.stdout).to_string();
    let options: BTreeSet<String> = adm_help
        .split(|c: char| c.is_whitespace() || c == '|')
        .filter(|w| w.starts_with("--") && w.len() > 2)
        .map(|w| w.trim_end_matches(',').to_string())
        .collect();
    assert!(options.len() > 40, "{options:?}");
    let page = render(&dir.join("lvsdeck-adm.8"));
    for o in &options {
        assert!(page.contains(o.as_str()), "lvsdeck-adm(8) lacks {o}");
    }
    // The synopsis is ipvsadm's usage forms.
    assert!(
        page.contains("lvsdeck adm -R") && page.contains("lvsdeck adm -S [-n]"),
        "{page}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Runs bash's completion function for `line` (the word being completed last) and returns
/// what it offers.
fn complete(script: &Path, words: &[&str]) -> Vec<String> {
    let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
    let line = words.join(" ");
    let prog = format!(
        "source '{}'; COMP_WORDS=({}); COMP_CWORD={}; COMP_LINE='{line}'; COMP_POINT={}; \
         _lvsdeck lvsdeck '{}' '{}'; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        script.display(),
        quoted.join(" "),
        words.len() - 1,
        line.len(),
        words[words.len() - 1],
        words[words.len().saturating_sub(2)],
    );
    let out = Command::new("bash").args(["-c", &prog]).output().unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn bash_completes_subcommands_and_their_options() {
    let dir = std::env::temp_dir().join(format!("lvsdeck-compl-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let script = dir.join("lvsdeck.bash");
    std::fs::write(&script, lvsdeck(&["completions", "bash"])).unwrap();
    assert_eq!(complete(&script, &["lvsdeck", "da"]), vec!["daemon"]);
    let opts = complete(&script, &["lvsdeck", "daemon", "--dont"]);
    assert_eq!(opts, vec!["--dont-release-ipvs", "--dont-release-vrrp"]);
    // The other shells' scripts are generated from the same definition.
    for shell in ["zsh", "fish"] {
        let s = lvsdeck(&["completions", shell]);
        assert!(s.contains("dont-release-ipvs"), "{shell}: {s}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
