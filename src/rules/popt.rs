//! Splits an argument vector into options the way libpopt does for ipvsadm: short
//! clusters (`-Ln`, `-At1.2.3.4:80`, `-t=x`), `--long value` and `--long=value`, `--` to
//! end options, and words that are not options kept aside as "leftovers" (`--set`'s
//! values). Errors name the word being read, as popt's `poptBadOption` does.

use super::error::RuleError;
use super::options::{by_long, by_short, Arity, Opt};

/// One option as read: what it is, its value, and the word it came from (for messages).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found<'a> {
    pub opt: Opt,
    pub value: Option<&'a str>,
    /// The last word consumed while reading this option (popt's "bad option" text).
    pub word: &'a str,
}

pub struct Popt<'a, S: AsRef<str>> {
    args: &'a [S],
    next: usize,
    /// Rest of a short-option cluster still to read, and the word it belongs to.
    cluster: Option<(&'a str, &'a str)>,
    rest_are_leftovers: bool,
    leftovers: Vec<&'a str>,
}

impl<'a, S: AsRef<str>> Popt<'a, S> {
    pub fn new(args: &'a [S]) -> Self {
        Popt {
            args,
            next: 0,
            cluster: None,
            rest_are_leftovers: false,
            leftovers: Vec::new(),
        }
    }

    /// Words that were not options, in order.
    pub fn leftovers(&self) -> &[&'a str] {
        &self.leftovers
    }

    fn word(&self, i: usize) -> &'a str {
        self.args.get(i).map_or("", AsRef::as_ref)
    }

    /// The last word consumed, for error messages.
    fn last_word(&self) -> &'a str {
        self.word(self.next.saturating_sub(1))
    }

    /// The next option, `None` when the words are exhausted.
    pub fn next_opt(&mut self) -> Option<Result<Found<'a>, RuleError>> {
        if let Some((rest, word)) = self.cluster.take() {
            return Some(self.short(rest, word));
        }
        loop {
            let word = self.args.get(self.next)?.as_ref();
            self.next += 1;
            if self.rest_are_leftovers || !word.starts_with('-') || word == "-" {
                self.leftovers.push(word);
                continue;
            }
            if word == "--" {
                self.rest_are_leftovers = true;
                continue;
            }
            if let Some(long) = word.strip_prefix("--") {
                return Some(self.long(long, word));
            }
            return Some(self.short(&word[1..], word));
        }
    }

    fn long(&mut self, body: &'a str, word: &'a str) -> Result<Found<'a>, RuleError> {
        let (name, inline) = match body.split_once('=') {
            Some((name, value)) => (name, Some(value)),
            None => (body, None),
        };
        let spec = by_long(name).ok_or_else(|| RuleError::UnknownOption {
            token: word.to_string(),
        })?;
        if spec.arity == Arity::None {
            if inline.is_some() {
                return Err(RuleError::UnwantedArgument {
                    token: word.to_string(),
                });
            }
            return Ok(self.found(spec.opt, None));
        }
        match inline {
            Some(v) => Ok(self.found(spec.opt, Some(v))),
            None => self.value_from_next_word(spec.opt, spec.arity),
        }
    }

    /// Reads one short option from `rest` (non-empty part of `word` after the dash).
    fn short(&mut self, rest: &'a str, word: &'a str) -> Result<Found<'a>, RuleError> {
        let c = rest.as_bytes().first().copied().unwrap_or(b'-');
        let unknown = || RuleError::UnknownOption {
            token: word.to_string(),
        };
        let spec = by_short(c).ok_or_else(unknown)?;
        // The option letter is ASCII, so slicing after it is on a char boundary.
        let after = &rest[1..];
        if spec.arity == Arity::None {
            if after.starts_with('=') {
                return Err(RuleError::UnwantedArgument {
                    token: word.to_string(),
                });
            }
            if !after.is_empty() {
                self.cluster = Some((after, word));
            }
            return Ok(self.found(spec.opt, None));
        }
        let after = after.strip_prefix('=').unwrap_or(after);
        if !after.is_empty() {
            return Ok(self.found(spec.opt, Some(after)));
        }
        self.value_from_next_word(spec.opt, spec.arity)
    }

    fn value_from_next_word(&mut self, opt: Opt, arity: Arity) -> Result<Found<'a>, RuleError> {
        match self.args.get(self.next).map(AsRef::as_ref) {
            None if arity == Arity::Optional => Ok(self.found(opt, None)),
            None => Err(RuleError::MissingArgument {
                token: self.last_word().to_string(),
            }),
            Some(next) if arity == Arity::Optional && next.starts_with('-') => {
                Ok(self.found(opt, None))
            }
            Some(next) => {
                self.next += 1;
                Ok(self.found(opt, Some(next)))
            }
        }
    }

    fn found(&self, opt: Opt, value: Option<&'a str>) -> Found<'a> {
        Found {
            opt,
            value,
            word: self.last_word(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::options::Cmd;

    type Read = Result<(Opt, Option<String>, String), RuleError>;

    fn all(args: &[&str]) -> (Vec<Read>, Vec<String>) {
        let mut p = Popt::new(args);
        let mut out = Vec::new();
        while let Some(r) = p.next_opt() {
            let stop = r.is_err();
            out.push(r.map(|f| (f.opt, f.value.map(str::to_string), f.word.to_string())));
            if stop {
                break;
            }
        }
        let left = p.leftovers().iter().map(|s| s.to_string()).collect();
        (out, left)
    }

    #[test]
    fn clusters_and_attached_values() {
        let (opts, _) = all(&["-At1.2.3.4:80", "-srr"]);
        let got: Vec<_> = opts
            .into_iter()
            .map(|r| r.map(|(o, v, _)| (o, v)))
            .collect();
        assert_eq!(
            got,
            vec![
                Ok((Opt::Command(Cmd::Add), None)),
                Ok((Opt::Tcp, Some("1.2.3.4:80".to_string()))),
                Ok((Opt::Scheduler, Some("rr".to_string()))),
            ]
        );
    }

    #[test]
    fn optional_value_skips_dash_words() {
        let (opts, left) = all(&["-p", "-", "--persistent", "30"]);
        assert_eq!(opts[0], Ok((Opt::Persistent, None, "-p".to_string())));
        assert_eq!(
            opts[1],
            Ok((Opt::Persistent, Some("30".to_string()), "30".to_string()))
        );
        assert_eq!(left, vec!["-".to_string()]);
    }

    #[test]
    fn required_value_takes_dash_words() {
        let (opts, _) = all(&["-w", "-5"]);
        assert_eq!(
            opts[0],
            Ok((Opt::Weight, Some("-5".to_string()), "-5".to_string()))
        );
    }

    #[test]
    fn popt_errors_name_the_word() {
        assert_eq!(
            all(&["-Az"]).0[1],
            Err(RuleError::UnknownOption {
                token: "-Az".into()
            })
        );
        assert_eq!(
            all(&["--numeric=3"]).0[0],
            Err(RuleError::UnwantedArgument {
                token: "--numeric=3".into()
            })
        );
        assert_eq!(
            all(&["-t"]).0[0],
            Err(RuleError::MissingArgument { token: "-t".into() })
        );
        assert_eq!(
            all(&["--tcp-serv", "x"]).0[0],
            Err(RuleError::UnknownOption {
                token: "--tcp-serv".into()
            })
        );
    }

    #[test]
    fn double_dash_ends_options() {
        let (opts, left) = all(&["-C", "--", "-s", "x"]);
        assert_eq!(opts.len(), 1);
        assert_eq!(left, vec!["-s".to_string(), "x".to_string()]);
    }
}
