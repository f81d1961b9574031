"""A small table shown as one HTML element: the reps, their bandwidth, SLA health month by month.

``st.table`` draws every cell as a Markdown element of its own: the Sales page's two tables were 405 of
its 512 Markdown elements, and the browser spent more of a visit to the page on them than on its four
charts. One HTML table is drawn at once. Every header and cell is escaped here (a rep's name is data);
the styles come from this code, never from a file.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass

import pandas as pd

# Streamlit's own table look (light theme): thin row rules, muted headers, the page's font; wide tables
# scroll sideways inside their box on a phone instead of widening the page.
STYLE = """<style>
.sla-table{overflow-x:auto;margin-bottom:.5rem}
.sla-table table{border-collapse:collapse;width:100%;font-size:.875rem;line-height:1.4}
.sla-table th{color:rgba(49,51,63,.6);font-weight:400;text-align:left;vertical-align:bottom;
border-bottom:1px solid rgba(49,51,63,.2);padding:.25rem .5rem}
.sla-table td{border-bottom:1px solid rgba(49,51,63,.1);padding:.25rem .5rem;vertical-align:top}
</style>"""
UNIT_SPACE = re.compile(r"(?<=\d) (?=%|h\b|min\b)")  # "-41.0 h" never breaks into "-41.0" and "h" in a narrow column


@dataclass(frozen=True, eq=False)
class Table:
    """The cells as shown (text) and, optionally, one CSS declaration per cell (same index and columns)."""

    frame: pd.DataFrame
    styles: pd.DataFrame | None = None

    def html(self) -> str:
        """The table as HTML: the header, then one row per row of ``frame``, each cell escaped."""
        head = "".join(f"<th>{_text(c)}</th>" for c in self.frame.columns)
        body = "".join(f"<tr>{self._cells(i)}</tr>" for i in range(len(self.frame)))
        return f'{STYLE}<div class="sla-table"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'

    def _cells(self, row: int) -> str:
        values = self.frame.iloc[row]
        styles = self.styles.iloc[row] if self.styles is not None else [""] * len(values)
        return "".join(f"<td{_style(s)}>{_text(v)}</td>" for v, s in zip(values, styles, strict=True))


def _text(value: object) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return html.escape(UNIT_SPACE.sub("\u00a0", str(value)))


def _style(declaration: str) -> str:
    return f' style="{html.escape(declaration)}"' if declaration else ""
