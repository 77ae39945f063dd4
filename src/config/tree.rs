//! Tokens into the keyword tree: `keyword args... [{ children }]`.
//!
//! As in keepalived, the `{` of a block may be on the keyword's line or on a following line
//! (nothing else in between), and `}` may share its line with anything. An unbalanced brace
//! is an error naming where the block began or where the stray brace is.

use super::diag::{Diagnostics, Location};
use super::include::Located;
use super::lexer::Token;

/// One configuration statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub keyword: String,
    pub args: Vec<String>,
    /// `Some` when the statement has a `{ }` block, even an empty one.
    pub block: Option<Vec<Item>>,
    pub at: Location,
}

impl Item {
    /// The block's items, or none.
    pub fn children(&self) -> &[Item] {
        self.block.as_deref().unwrap_or(&[])
    }

    pub fn arg(&self, i: usize) -> Option<&str> {
        self.args.get(i).map(String::as_str)
    }
}

/// An open block: its owner (None for a stray `{`) and the items read so far.
struct Frame {
    owner: Option<Item>,
    opened: Location,
    items: Vec<Item>,
}

/// Builds the tree; problems go to `diags` and the tree keeps what could be understood.
pub fn build(tokens: &[Located], diags: &mut Diagnostics) -> Vec<Item> {
    let mut stack: Vec<Frame> = Vec::new();
    let mut top: Vec<Item> = Vec::new();
    // The statement being collected: words of one line up to a brace.
    let mut words: Vec<String> = Vec::new();
    let mut words_at: Option<(Location, usize)> = None;

    fn current<'a>(stack: &'a mut [Frame], top: &'a mut Vec<Item>) -> &'a mut Vec<Item> {
        match stack.last_mut() {
            Some(f) => &mut f.items,
            None => top,
        }
    }

    let finish = |words: &mut Vec<String>,
                  words_at: &mut Option<(Location, usize)>,
                  stack: &mut Vec<Frame>,
                  top: &mut Vec<Item>|
     -> bool {
        let Some((at, _)) = words_at.take() else {
            return false;
        };
        let mut it = std::mem::take(words).into_iter();
        let keyword = it.next().unwrap_or_default();
        current(stack, top).push(Item {
            keyword,
            args: it.collect(),
            block: None,
            at,
        });
        true
    };

    for tok in tokens {
        match &tok.token {
            Token::Word(w) => {
                if words_at.as_ref().is_some_and(|(_, id)| *id != tok.line_id) {
                    finish(&mut words, &mut words_at, &mut stack, &mut top);
                }
                if words_at.is_none() {
                    words_at = Some((tok.at.clone(), tok.line_id));
                }
                words.push(w.clone());
            }
            Token::Open => {
                // Only a statement still being collected (nothing between it and the
                // brace but line ends) owns the block.
                let owner = if finish(&mut words, &mut words_at, &mut stack, &mut top) {
                    current(&mut stack, &mut top).pop()
                } else {
                    None
                };
                if owner.is_none() {
                    diags.error(&tok.at, "'{' without a keyword before it");
                }
                stack.push(Frame {
                    owner,
                    opened: tok.at.clone(),
                    items: Vec::new(),
                });
            }
            Token::Close => {
                finish(&mut words, &mut words_at, &mut stack, &mut top);
                match stack.pop() {
                    Some(frame) => close(frame, &mut stack, &mut top),
                    None => diags.error(&tok.at, "extra '}' with no block to close"),
                }
            }
        }
    }
    finish(&mut words, &mut words_at, &mut stack, &mut top);
    while let Some(frame) = stack.pop() {
        let what = frame
            .owner
            .as_ref()
            .map(|o| format!("block '{}'", o.keyword))
            .unwrap_or_else(|| "block".to_string());
        diags.error(&frame.opened, format!("{what} opened here is never closed"));
        close(frame, &mut stack, &mut top);
    }
    top
}

fn close(frame: Frame, stack: &mut [Frame], top: &mut Vec<Item>) {
    if let Some(mut owner) = frame.owner {
        owner.block = Some(frame.items);
        match stack.last_mut() {
            Some(f) => f.items.push(owner),
            None => top.push(owner),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::config::include::load_text;

    fn tree(text: &str) -> (Vec<Item>, Diagnostics) {
        let mut d = Diagnostics::default();
        let toks = load_text(text, Path::new("t.conf"), &mut d);
        (build(&toks, &mut d), d)
    }

    #[test]
    fn nested_blocks_and_lines() {
        let (items, d) = tree("a 1 {\n b 2\n c {\n  d\n }\n}\ne\n");
        assert!(d.items.is_empty());
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].args, vec!["1"]);
        let kids = items[0].children();
        assert_eq!(kids[0].keyword, "b");
        assert_eq!(kids[1].children()[0].keyword, "d");
        assert_eq!(kids[1].children()[0].at.line, 4);
        assert_eq!(items[1].block, None);
    }

    #[test]
    fn brace_on_next_line_belongs_to_previous_statement() {
        let (items, _) = tree("a\n\n# c\n{\n b\n}\n");
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].children()[0].keyword, "b");
    }

    #[test]
    fn empty_block_is_some() {
        let (items, _) = tree("a {}\n");
        assert_eq!(items[0].block, Some(vec![]));
    }

    #[test]
    fn one_line_blocks() {
        let (items, d) = tree("a { b 1 } c { d }\n");
        assert!(d.items.is_empty());
        assert_eq!(items.len(), 2);
        assert_eq!(items[1].children()[0].keyword, "d");
    }
}
