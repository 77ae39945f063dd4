//! A fleet: named pairs of directors, each an SSH destination, read from a TOML file, and
//! the overview's row of each director.
//!
//! ```toml
//! # The directors this team runs.
//! [[pair]]
//! name = "web-eu"
//! directors = ["root@lb1.eu", "root@lb2.eu"]
//!
//! [[pair]]
//! name = "dns"
//! directors = ["lb-dns-a", "lb-dns-b"]
//! # Optional: the transport for this pair instead of `ssh DEST lvsdeck serve --stdio`;
//! # {dest} is replaced by each director's destination.
//! command = "ssh -J bastion {dest} sudo lvsdeck serve --stdio"
//! ```

use std::collections::BTreeSet;

use serde::Deserialize;

use super::state::DirectorState;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fleet {
    pub pairs: Vec<Pair>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pair {
    pub name: String,
    /// SSH destinations (two for a pair; one or three are accepted: a lone director, a
    /// director with two backups).
    pub directors: Vec<String>,
    /// The transport command, `{dest}` standing for the destination.
    pub command: Option<String>,
}

impl Pair {
    /// The command that reaches `dest`, if this pair has its own.
    pub fn command_for(&self, dest: &str) -> Option<String> {
        self.command.as_ref().map(|c| c.replace("{dest}", dest))
    }
}

/// A fleet file refused: where and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct FleetError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileForm {
    #[serde(default)]
    pair: Vec<toml::Spanned<PairForm>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PairForm {
    name: String,
    directors: Vec<String>,
    #[serde(default)]
    command: Option<String>,
}

fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// The fleet in `text`, read from `file` (for the messages).
pub fn parse(file: &str, text: &str) -> Result<Fleet, FleetError> {
    let err = |line: usize, message: String| FleetError {
        file: file.to_string(),
        line,
        message,
    };
    let form: FileForm = toml::from_str(text).map_err(|e| {
        err(
            e.span().map_or(1, |s| line_of(text, s.start)),
            e.message().to_string(),
        )
    })?;
    if form.pair.is_empty() {
        return Err(err(
            1,
            "no [[pair]] table: name each pair and its directors (name = \"web\", directors = [\"lb1\", \"lb2\"])"
                .into(),
        ));
    }
    let mut names = BTreeSet::new();
    let mut dests = BTreeSet::new();
    let mut pairs = Vec::new();
    for p in form.pair {
        let line = line_of(text, p.span().start);
        let p = p.into_inner();
        if p.name.trim().is_empty() {
            return Err(err(line, "a pair's name is empty".into()));
        }
        if !names.insert(p.name.clone()) {
            return Err(err(line, format!("pair `{}` is named twice", p.name)));
        }
        if p.directors.is_empty() || p.directors.len() > 3 {
            return Err(err(
                line,
                format!(
                    "pair `{}` has {} directors: give one to three SSH destinations",
                    p.name,
                    p.directors.len()
                ),
            ));
        }
        for d in &p.directors {
            if d.trim().is_empty() || d.starts_with('-') || d.contains(char::is_whitespace) {
                return Err(err(
                    line,
                    format!("pair `{}`: `{d}` is not an SSH destination", p.name),
                ));
            }
            if !dests.insert(d.clone()) {
                return Err(err(line, format!("director `{d}` is in two pairs")));
            }
        }
        if let Some(c) = &p.command {
            if !c.contains("{dest}") {
                return Err(err(
                    line,
                    format!(
                        "pair `{}`: command has no {{dest}} for the director",
                        p.name
                    ),
                ));
            }
        }
        pairs.push(Pair {
            name: p.name,
            directors: p.directors,
            command: p.command,
        });
    }
    Ok(Fleet { pairs })
}

/// One director's line in the fleet overview.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Row {
    pub pair: String,
    pub director: String,
    /// `51 MASTER, 52 BACKUP`.
    pub roles: String,
    pub services: usize,
    pub servers: usize,
    pub cps: u64,
    pub in_bps: u64,
    pub out_bps: u64,
    /// `18/20 up`, empty when no daemon reports health.
    pub health: String,
    /// The pair's raised alerts (counted on each of its directors' rows).
    pub alerts: usize,
    /// `None` while reachable; else the age of the last state in seconds (or `None` inside
    /// for never reached) and why.
    pub unreachable: Option<(Option<u64>, String)>,
}

impl Row {
    /// The row for `director` of `pair` from its picture (`None`: none received yet).
    pub fn of(pair: &str, director: &str, state: Option<&DirectorState>) -> Row {
        let mut row = Row {
            pair: pair.to_string(),
            director: director.to_string(),
            ..Row::default()
        };
        let Some(s) = state else { return row };
        let mut roles: Vec<(u8, String)> = s.vrrp().map(|v| (v.vrid, v.state.clone())).collect();
        roles.sort();
        row.roles = roles
            .iter()
            .map(|(id, st)| format!("{id} {st}"))
            .collect::<Vec<_>>()
            .join(", ");
        for (_, svc) in s.services() {
            row.services += 1;
            row.cps += svc.stats.cps;
            row.in_bps += svc.stats.inbps;
            row.out_bps += svc.stats.outbps;
        }
        row.servers = s.servers().count();
        let (mut up, mut all) = (0, 0);
        for h in s.health() {
            if h.health.is_some() {
                all += 1;
                if h.health.as_deref() == Some("up") {
                    up += 1;
                }
            }
        }
        if all > 0 {
            row.health = format!("{up}/{all} up");
        }
        row
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fleet_file_as_operators_write_it() {
        let f = parse(
            "fleet.toml",
            "# ours\n[[pair]]\nname = \"web\"\ndirectors = [\"root@lb1\", \"lb2\"]\n\n[[pair]]\nname = \"dns\"\ndirectors = [\"a\", \"b\"]\ncommand = \"ssh -J bastion {dest} lvsdeck serve --stdio\"\n",
        )
        .unwrap();
        assert_eq!(f.pairs.len(), 2);
        assert_eq!(f.pairs[0].directors, ["root@lb1", "lb2"]);
        assert_eq!(f.pairs[0].command_for("lb2"), None);
        assert_eq!(
            f.pairs[1].command_for("b").as_deref(),
            Some("ssh -J bastion b lvsdeck serve --stdio")
        );
    }

    #[test]
    fn mistakes_are_named_with_their_line() {
        let e = |t: &str| parse("f.toml", t).unwrap_err().to_string();
        assert_eq!(
            e("[[pair]]\nname = \"a\"\ndirectors = [\"x\"]\n\n[[pair]]\nname = \"a\"\ndirectors = [\"y\"]\n"),
            "f.toml:5: pair `a` is named twice"
        );
        assert!(
            e("[[pair]]\nname = \"a\"\ndirectors = [\"x\", \"-oProxyCommand=x\"]\n")
                .contains("is not an SSH destination")
        );
        assert!(e("[[pair]]\nname = \"a\"\ndirectors = [\"x\"]\n[[pair]]\nname = \"b\"\ndirectors = [\"x\"]\n")
            .contains("director `x` is in two pairs"));
        let unknown = e("[[pair]]\nname = \"a\"\ndirectors = [\"x\"]\nport = 22\n");
        assert!(unknown.starts_with("f.toml:"), "{unknown}");
        assert!(unknown.contains("unknown field `port`"), "{unknown}");
        assert!(e("").contains("no [[pair]] table"));
        assert!(
            e("[[pair]]\nname = \"a\"\ndirectors = [\"x\"]\ncommand = \"ssh x\"\n")
                .contains("{dest}")
        );
    }
}
