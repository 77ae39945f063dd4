//! One physical line of keepalived.conf into words and braces, the way keepalived's
//! `decomment`, `read_line` and `alloc_strvec` see it:
//! - `#` and `!` outside double quotes start a comment (`\#` and `\!` are literal);
//! - `"..."` is one word with its spaces kept (an unquoted `"` also ends the word before it);
//! - `{` and `}` outside quotes are tokens of their own wherever they are on the line,
//!   because keepalived splits a line at them (`}vrrp_instance X {state MASTER` is four lines);
//! - `include PATTERN` (also `includer`, `includem`, `includew`, `includeb`, `includea`) is
//!   recognised before any of that, as keepalived does.
//!
//! keepalived has no general line continuation: a trailing `\` only continues `$NAME=`
//! definitions, which lvsdeck does not support (the loader warns about them).

/// A lexical unit of one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token {
    Word(String),
    Open,
    Close,
}

/// What one line holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    Tokens(Vec<Token>),
    Include(String),
}

/// Why a line cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LexError {
    #[error("unterminated quote")]
    UnterminatedQuote,
}

/// Removes the comment, honouring double quotes and `\#` / `\!` escapes.
pub fn decomment(line: &str) -> Result<String, LexError> {
    let mut out = String::with_capacity(line.len());
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                quoted = !quoted;
                out.push(c);
            }
            '\\' => match chars.peek() {
                Some(&n) if !quoted && (n == '#' || n == '!') => {
                    out.push(n);
                    chars.next();
                }
                Some(&n) => {
                    out.push(c);
                    out.push(n);
                    chars.next();
                }
                None => out.push(c),
            },
            '#' | '!' if !quoted => break,
            _ => out.push(c),
        }
    }
    if quoted {
        return Err(LexError::UnterminatedQuote);
    }
    Ok(out.trim().to_string())
}

/// The include pattern if the (decommented) line is an include directive.
fn include_pattern(line: &str) -> Option<String> {
    let rest = line.strip_prefix("include")?;
    let rest = match rest.chars().next() {
        Some(c) if c.is_whitespace() => rest,
        Some(c) if "rmwba".contains(c) => {
            let after = &rest[c.len_utf8()..];
            if after.starts_with(char::is_whitespace) {
                after
            } else {
                return None;
            }
        }
        _ => return None,
    };
    let pattern = rest.trim();
    let pattern = pattern
        .strip_prefix('"')
        .and_then(|p| p.strip_suffix('"'))
        .unwrap_or(pattern);
    Some(pattern.to_string())
}

/// Splits one physical line.
pub fn lex_line(raw: &str) -> Result<Line, LexError> {
    let line = decomment(raw)?;
    if let Some(p) = include_pattern(&line) {
        return Ok(Line::Include(p));
    }
    let mut tokens = Vec::new();
    let mut word = String::new();
    let mut chars = line.chars().peekable();
    let flush = |word: &mut String, tokens: &mut Vec<Token>| {
        if !word.is_empty() {
            tokens.push(Token::Word(std::mem::take(word)));
        }
    };
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                flush(&mut word, &mut tokens);
                let mut quoted = String::new();
                let mut closed = false;
                for q in chars.by_ref() {
                    if q == '"' {
                        closed = true;
                        break;
                    }
                    quoted.push(q);
                }
                if !closed {
                    return Err(LexError::UnterminatedQuote);
                }
                // An empty "" is still a word: `script ""` has an (empty) argument.
                tokens.push(Token::Word(quoted));
            }
            '{' => {
                flush(&mut word, &mut tokens);
                tokens.push(Token::Open);
            }
            '}' => {
                flush(&mut word, &mut tokens);
                tokens.push(Token::Close);
            }
            c if c.is_whitespace() => flush(&mut word, &mut tokens),
            c => word.push(c),
        }
    }
    flush(&mut word, &mut tokens);
    Ok(Line::Tokens(tokens))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(raw: &str) -> Vec<Token> {
        match lex_line(raw) {
            Ok(Line::Tokens(t)) => t,
            other => panic!("{other:?}"),
        }
    }

    fn w(s: &str) -> Token {
        Token::Word(s.to_string())
    }

    #[test]
    fn comments_whole_and_trailing() {
        assert!(words("# all comment").is_empty());
        assert!(words("   ! bang comment").is_empty());
        assert_eq!(
            words("priority 100 # the prio"),
            vec![w("priority"), w("100")]
        );
        assert_eq!(words("priority 100!x"), vec![w("priority"), w("100")]);
    }

    #[test]
    fn escaped_comment_chars_are_literal() {
        assert_eq!(
            words(r"auth_pass a\#b\!c"),
            vec![w("auth_pass"), w("a#b!c")]
        );
    }

    #[test]
    fn quotes_keep_spaces_and_comment_chars() {
        assert_eq!(
            words(r#"script "/usr/bin/killall -0 nginx # not a comment" # comment"#),
            vec![w("script"), w("/usr/bin/killall -0 nginx # not a comment")]
        );
        assert_eq!(words(r#"script """#), vec![w("script"), w("")]);
        assert_eq!(words(r#"a"b c"d"#), vec![w("a"), w("b c"), w("d")]);
    }

    #[test]
    fn unterminated_quote_is_an_error() {
        assert_eq!(lex_line(r#"script "abc"#), Err(LexError::UnterminatedQuote));
    }

    #[test]
    fn braces_are_tokens_anywhere() {
        assert_eq!(
            words("}vrrp_instance VI_1 {state MASTER"),
            vec![
                Token::Close,
                w("vrrp_instance"),
                w("VI_1"),
                Token::Open,
                w("state"),
                w("MASTER")
            ]
        );
        assert_eq!(words(r#"x "{" }"#), vec![w("x"), w("{"), Token::Close]);
    }

    #[test]
    fn include_forms() {
        assert_eq!(
            lex_line("include a/*.conf # c"),
            Ok(Line::Include("a/*.conf".into()))
        );
        assert_eq!(
            lex_line("  includer \"b.conf\""),
            Ok(Line::Include("b.conf".into()))
        );
        assert_eq!(words("include_foo 1"), vec![w("include_foo"), w("1")]);
    }
}
