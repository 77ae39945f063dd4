#!/usr/bin/env python3
"""Renders a `tmux capture-pane -p -e` dump (text with SGR colour escapes) to SVG, one cell
per character at its column, honouring colours, bold and reverse video. Used by
regenerate.sh to turn real runs of the console into the README's screenshots.

usage: render.py CAPTURE COLS ROWS OUT.svg
"""
import html
import sys

import pyte

CELL_W, CELL_H, FONT = 8.4, 17, 14
PALETTE = {
    "black": "#1c1c1c", "red": "#cd3131", "green": "#0dbc79", "brown": "#e5e510",
    "yellow": "#e5e510", "blue": "#2472c8", "magenta": "#bc3fbc", "cyan": "#11a8cd",
    "white": "#e5e5e5", "brightblack": "#666666", "brightred": "#f14c4c",
    "brightgreen": "#23d18b", "brightyellow": "#f5f543", "brightblue": "#3b8eea",
    "brightmagenta": "#d670d6", "brightcyan": "#29b8db", "brightwhite": "#ffffff",
}
DEFAULT_FG, DEFAULT_BG = "#d4d4d4", "#1e1e1e"


def colour(name, default):
    if name == "default":
        return default
    if name in PALETTE:
        return PALETTE[name]
    if len(name) == 6 and all(c in "0123456789abcdefABCDEF" for c in name):
        return "#" + name
    return default


def main():
    capture, cols, rows, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    screen = pyte.Screen(cols, rows)
    stream = pyte.Stream(screen)
    with open(capture, encoding="utf-8", errors="replace") as f:
        text = f.read()
    # capture-pane separates lines with \n only: return to column 0 on each.
    # No newline after the last row, or the screen scrolls by one.
    stream.feed(text.rstrip("\n").replace("\n", "\r\n"))
    w, h = cols * CELL_W, rows * CELL_H
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w:.0f}" height="{h:.0f}">',
        f'<rect width="100%" height="100%" fill="{DEFAULT_BG}"/>',
        f'<g font-family="DejaVu Sans Mono" font-size="{FONT}">',
    ]
    for y in range(rows):
        line = screen.buffer[y]
        for x in range(cols):
            ch = line[x]
            fg, bg = colour(ch.fg, DEFAULT_FG), colour(ch.bg, DEFAULT_BG)
            if ch.reverse:
                fg, bg = bg, fg
            if bg != DEFAULT_BG:
                parts.append(
                    f'<rect x="{x * CELL_W:.1f}" y="{y * CELL_H}" width="{CELL_W + 0.1:.1f}" '
                    f'height="{CELL_H}" fill="{bg}"/>'
                )
            if ch.data.strip():
                weight = ' font-weight="bold"' if ch.bold else ""
                parts.append(
                    f'<text x="{x * CELL_W:.1f}" y="{y * CELL_H + 13}" fill="{fg}"{weight}>'
                    f"{html.escape(ch.data)}</text>"
                )
    parts.append("</g></svg>")
    with open(out, "w", encoding="utf-8") as f:
        f.write("\n".join(parts))


if __name__ == "__main__":
    main()
