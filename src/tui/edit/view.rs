//! The edit dialogs drawn over the table: a form, a preview of the ipvsadm lines, a
//! confirmation (No first), and the `:` bar at the bottom.

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::Frame;

use super::confirm::Confirm;
use super::form::{Form, Input};
use super::Preview;
use super::{Dialog, EditState};
use crate::tui::ui::popup;
use crate::tui::ui::theme::{Slot, Theme};

pub fn render(frame: &mut Frame<'_>, area: Rect, edit: &EditState, theme: &Theme) {
    let Some(dialog) = &edit.dialog else {
        return;
    };
    let (title, lines) = match dialog {
        Dialog::Form(f) => (f.title(), form_lines(f, theme)),
        Dialog::Preview(p) => ("Review the change".to_string(), preview_lines(p, theme)),
        Dialog::Confirm(c) => ("Confirm".to_string(), confirm_lines(c, theme)),
        Dialog::Command(c) => {
            let mut l = vec![Line::from(vec![
                Span::styled(":", theme.style(Slot::Accent)),
                Span::styled(c.text(), theme.style(Slot::Text)),
                Span::styled("█", theme.style(Slot::Accent)),
            ])];
            if let Some(e) = &c.error {
                l.push(Line::styled(e.clone(), theme.style(Slot::Failure)));
            }
            let h = (l.len() as u16 + 2).min(area.height);
            let bar = Rect {
                y: area.y + area.height.saturating_sub(h + 1),
                height: h,
                ..area
            };
            popup::draw(frame, bar, " ipvsadm ", l, theme);
            return;
        }
    };
    let at = popup::centred(area, &lines, (title.chars().count() as u16 + 6).max(50));
    popup::draw(frame, at, &format!(" {title} "), lines, theme);
}

fn form_lines<'a>(f: &Form, theme: &Theme) -> Vec<Line<'a>> {
    let label_w = f
        .fields
        .iter()
        .map(|x| x.id.label().len())
        .max()
        .unwrap_or(0);
    let mut out = Vec::new();
    for (i, field) in f.fields.iter().enumerate() {
        let focused = i == f.focus;
        let marker = if focused { "▶ " } else { "  " };
        let mut value = field.input.shown();
        if focused && matches!(field.input, Input::Text(_)) {
            value.push('█');
        }
        let value_style = if field.locked {
            theme.style(Slot::Muted)
        } else if focused {
            theme.style(Slot::Selection)
        } else {
            theme.style(Slot::Text)
        };
        let mut spans = vec![
            Span::styled(marker, theme.style(Slot::Accent)),
            Span::styled(
                format!("{:<label_w$} ", field.id.label()),
                theme.style(Slot::Key),
            ),
            Span::styled(value.clone(), value_style),
        ];
        if value.is_empty() || (focused && value == "█") {
            spans.push(Span::styled(
                format!("  {}", field.id.hint()),
                theme.style(Slot::Muted),
            ));
        }
        out.push(Line::from(spans));
        if let Some(e) = &field.error {
            out.push(Line::styled(
                format!("  {:label_w$}  ⚠ {e}", ""),
                theme.style(Slot::Failure),
            ));
        }
    }
    if let Some(e) = &f.error {
        out.push(Line::styled(format!("⚠ {e}"), theme.style(Slot::Failure)));
    }
    out.push(Line::default());
    out.push(Line::styled(
        "ipvsadm ".to_string() + &f.args().join(" "),
        theme.style(Slot::Muted),
    ));
    out
}

fn change_lines<'a>(title: &str, lines: Vec<String>, theme: &Theme) -> Vec<Line<'a>> {
    let mut out = vec![
        Line::styled(title.to_string(), theme.style(Slot::Text)),
        Line::default(),
    ];
    for l in lines {
        out.push(Line::styled(format!("  {l}"), theme.style(Slot::Accent)));
    }
    out.push(Line::default());
    out
}

fn error_line<'a>(e: &Option<String>, theme: &Theme) -> Option<Line<'a>> {
    e.as_ref()
        .map(|e| Line::styled(format!("⚠ {e}"), theme.style(Slot::Failure)))
}

fn preview_lines<'a>(p: &Preview, theme: &Theme) -> Vec<Line<'a>> {
    let mut out = change_lines(&p.change.title, p.change.lines(), theme);
    out.extend(error_line(&p.error, theme));
    out.push(Line::styled(
        "Enter: apply   Esc: back",
        theme.style(Slot::Muted),
    ));
    out
}

fn confirm_lines<'a>(c: &Confirm, theme: &Theme) -> Vec<Line<'a>> {
    let mut out = change_lines(&c.change.title, c.change.lines(), theme);
    match &c.typed {
        Some(t) => {
            out.push(Line::styled(
                format!(
                    "This cannot be undone in one key. Type {} to confirm:",
                    t.expect
                ),
                theme.style(Slot::Warning),
            ));
            out.push(Line::from(vec![
                Span::styled("> ", theme.style(Slot::Accent)),
                Span::styled(t.input.lines().concat(), theme.style(Slot::Text)),
                Span::styled("█", theme.style(Slot::Accent)),
            ]));
        }
        None => {
            let button = |label: &'static str, on: bool| {
                let style = if on {
                    theme.style(Slot::Selection)
                } else {
                    Style::default()
                };
                Span::styled(format!("[ {label} ]"), style)
            };
            out.push(Line::from(vec![
                Span::raw("Apply it?  "),
                button("No", !c.yes),
                Span::raw("  "),
                button("Yes", c.yes),
            ]));
        }
    }
    out.extend(error_line(&c.error, theme));
    out
}
