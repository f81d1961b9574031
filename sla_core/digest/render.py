"""The digest as an e-mail (HTML with inline charts, and plain text) and as one printable HTML page.

One HTML writer serves both: the e-mail refers to its charts by Content-ID (``cid:``, attached as
inline parts), the page and ``--dry-run`` carry them as ``data:`` URIs so the file opens in any
browser. Every piece of text is escaped (workspace and scenario names are the user's). Verdict colours
are the palette's (``theme.VERDICT``), shown as a bar beside dark text so the words stay readable.
"""
from __future__ import annotations

import base64
import html
from collections.abc import Callable, Sequence
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from sla_core import theme
from sla_core.digest.build import Digest
from sla_core.digest.images import Image

STYLE = f"""
body {{ font-family: Arial, Helvetica, sans-serif; color: {theme.INK}; margin: 0; padding: 16px; }}
.digest {{ max-width: 680px; margin: 0 auto; }}
h1 {{ font-size: 22px; margin: 0 0 4px; }}
h2 {{ font-size: 17px; margin: 24px 0 8px; border-bottom: 1px solid {theme.GRID}; padding-bottom: 4px; }}
.meta, .note, .foot {{ color: {theme.SLATE}; font-size: 13px; }}
.badge {{ display: inline-block; margin: 0 8px 6px 0; padding: 3px 8px; background: #F3F4F6; font-size: 14px; }}
.celebrate {{ background: #E6F5EF; padding: 8px 12px; margin: 12px 0; }}
.review {{ background: #FBEBE0; padding: 8px 12px; margin: 12px 0; }}
table.figures {{ border-collapse: collapse; width: 100%; font-size: 14px; }}
table.figures td, table.figures th {{ padding: 4px 6px; border-bottom: 1px solid {theme.GRID}; text-align: left; }}
table.figures td.value {{ text-align: right; white-space: nowrap; }}
img {{ max-width: 100%; height: auto; }}
@page {{ margin: 14mm; }}
@media print {{ body {{ padding: 0; }} h2 {{ break-after: avoid; }} img, table {{ break-inside: avoid; }} }}
"""
FOOT = ("Numbers as `python -m sla_core report` computes them for this month; verdicts as the dashboard's "
        "Overview decides them.")


def _e(text: object) -> str:
    return html.escape(str(text))


def _badge(part: str, word: str, verdict: str | None) -> str:
    color = theme.VERDICT.get(verdict or "", theme.NOT_MEASURED)
    return (f'<span class="badge" style="border-left: 6px solid {color};" data-verdict="{_e(part)}">'
            f"<b>{_e(part.capitalize())}</b>: {_e(word)}</span>")


def _paragraphs(lines: Sequence[str], css: str | None = None) -> list[str]:
    attr = f' class="{css}"' if css else ""
    return [f"<p{attr}>{_e(line)}</p>" for line in lines]


def _figures_table(d: Digest) -> list[str]:
    rows, section = ['<table class="figures">'], None
    for f in d.figures:
        if f.section != section:
            section = f.section
            rows.append(f'<tr><th colspan="2">{_e(section)}</th></tr>')
        rows.append(f'<tr><td>{_e(f.label)}</td><td class="value" data-figure="{_e(f.key)}">{_e(f.text)}</td></tr>')
    rows.append("</table>")
    return rows


def _charts(d: Digest, src: Callable[[Image], str]) -> list[str]:
    parts = ["<h2>Charts</h2>"]
    for image in d.images:
        parts.append(f'<p><img src="{_e(src(image))}" alt="{_e(image.alt)}" width="640"></p>')
    if d.speed_note:
        parts.append(f'<p class="note">{_e(d.speed_note)}</p>')
    return parts


def _link(d: Digest) -> list[str]:
    if d.link is None:
        return []
    parts = ["<h2>Open the dashboard</h2>"]
    if d.link.url:
        parts.append(f'<p><a href="{_e(d.link.url)}">{_e(d.link.url)}</a></p>')
    return [*parts, f'<p class="note">{_e(d.link.note)}</p>']


def to_html(d: Digest, src: Callable[[Image], str]) -> str:
    """The digest as a standalone HTML document; ``src`` gives each chart's image address."""
    body = [f"<h1>{_e(d.title)}</h1>", f'<p class="meta">{_e(d.month_title)} · {_e(d.context)}</p>']
    if d.celebrations:
        body += ['<div class="celebrate">', *_paragraphs(d.celebrations), "</div>"]
    body += ["<h2>Verdicts</h2>", "<p>" + "".join(_badge(b.part, b.word, b.verdict) for b in d.badges) + "</p>",
             *_paragraphs(d.sentences)]
    if d.closed:
        body += _paragraphs([d.closed])
    if d.reviews:
        body += ['<div class="review">', *_paragraphs(d.reviews), "</div>"]
    body += _charts(d, src) + ["<h2>Figures</h2>"] + _figures_table(d)
    if d.changes:
        body += ["<h2>What changed since the last digest</h2>", "<ul>",
                 *(f"<li>{_e(line)}</li>" for line in d.changes), "</ul>"]
    body += _link(d) + [f'<p class="foot">{_e(FOOT)}</p>']
    return "\n".join(['<!doctype html>', '<html lang="en"><head><meta charset="utf-8">',
                      '<meta name="viewport" content="width=device-width, initial-scale=1">',
                      f"<title>{_e(d.subject)}</title>", f"<style>{STYLE}</style></head>",
                      '<body><div class="digest">', *body, "</div></body></html>"])


def data_uri(image: Image) -> str:
    return "data:image/png;base64," + base64.b64encode(image.png).decode("ascii")


def page_html(d: Digest) -> str:
    """The digest as one printable page (charts inline as data: URIs): what ``--dry-run page.html`` writes."""
    return to_html(d, data_uri)


def _text_section(title: str, lines: Sequence[str]) -> list[str]:
    return ["", title.upper(), *lines] if lines else []


def to_text(d: Digest) -> str:
    """The plain-text part: everything but the charts."""
    out = [d.title, f"{d.month_title} · {d.context}", *(["", *d.celebrations] if d.celebrations else [])]
    out += _text_section("Verdicts", [*(f"  {b.part.capitalize()}: {b.word}" for b in d.badges), "",
                                      *d.sentences, *([d.closed] if d.closed else []), *d.reviews])
    figures, section = [], None
    for f in d.figures:
        if f.section != section:
            section = f.section
            figures.append(f"{section}")
        figures.append(f"  {f.label}: {f.text}")
    out += _text_section("Figures", figures)
    out += _text_section("What changed since the last digest", [f"  - {line}" for line in d.changes])
    if d.link is not None:
        out += _text_section("Open the dashboard", [*([d.link.url] if d.link.url else []), d.link.note])
    out += _text_section("Charts (in the HTML version of this e-mail)",
                         [*(f"  - {image.alt}" for image in d.images), *([d.speed_note] if d.speed_note else [])])
    out += ["", FOOT]
    return "\n".join(out) + "\n"


def message(d: Digest, sender: str, to: Sequence[str]) -> EmailMessage:
    """The e-mail: plain text, and HTML with the charts as inline parts its ``cid:`` addresses name."""
    msg = EmailMessage()
    msg["Subject"], msg["From"], msg["To"] = d.subject, sender, ", ".join(to)
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1])
    domain = sender.rsplit("@", 1)[-1]
    cids = {image.name: make_msgid(image.name, domain=domain) for image in d.images}
    msg.set_content(to_text(d))
    msg.add_alternative(to_html(d, lambda image: "cid:" + cids[image.name][1:-1]), subtype="html")
    html_part = msg.get_payload()[1]
    for image in d.images:
        html_part.add_related(image.png, "image", "png", cid=cids[image.name],
                              filename=f"{image.name}.png", disposition="inline")
    return msg
