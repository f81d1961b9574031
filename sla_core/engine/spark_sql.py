"""The metric SQL, written once for DuckDB, as Spark SQL: macros expanded, then transpiled with sqlglot.

Spark has no macros, so ``sql/macros.sql`` is read as text and each call of a macro is replaced by
its body (arguments substituted) until none is left; a struct parameter (``$clock``, ``$goals``)
seen through a macro becomes one Spark parameter per field (``:clock__business``). Then the few
DuckDB functions Spark lacks or spells differently get their portable form, here and nowhere
else, and sqlglot writes Spark SQL. Done once per statement and cached: the text never changes.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache

import sqlglot
from sqlglot import exp

from sla_core import queries

MACRO = re.compile(r"^CREATE OR REPLACE MACRO (\w+)\(([^)]*)\) AS( TABLE)?\s+(.*?);[ \t]*$", re.S | re.M)
FIELD_SEP = "__"  # a struct parameter's field: $clock.business is bound as :clock__business
# DuckDB's unbounded instants have no Spark value: the earliest and latest instants Spark can hold stand in.
EARLIEST, LATEST = "0001-01-01 00:00:00", "9999-12-31 23:59:59.999999"
# Templates in Spark's own dialect (slots are upper case): an exclusive range of DuckDB as Spark's
# inclusive sequence up to the last value before the end (a microsecond before it for instants), empty
# when the start is past it (where Spark would raise). No lambda: the bounds may be subqueries.
FROM_JSON = "FROM_JSON"
JSON_SUFFIX = "__json"  # a typed list bound as JSON text: its own parameter, the list itself may be used as is too
WALL_TIMES = (exp.DataType.Type.TIMESTAMP, exp.DataType.Type.TIMESTAMPNTZ)  # DuckDB's TIMESTAMP: no zone
RANGE_ARRAY = "IF(START_ <= LAST_, SEQUENCE(START_, LAST_, STEP_), ARRAY())"


@dataclass(frozen=True)
class Statement:
    """A Spark SQL statement and the parameters it binds (struct fields spelled ``name__field``)."""

    text: str
    parameters: tuple[str, ...]
    json_parameters: tuple[str, ...] = ()  # typed lists, bound as JSON text (see _json_list)

    def bind(self, params: dict) -> dict:
        """The values of this statement's parameters, struct fields taken out of their struct."""
        values = {name: _value(params, name.removesuffix(JSON_SUFFIX)) for name in self.parameters}
        return {name: json.dumps(list(v)) if name in self.json_parameters and v is not None else v
                for name, v in values.items()}


def _value(params: dict, name: str):
    struct, _, field = name.partition(FIELD_SEP)
    if struct not in params:
        raise KeyError(f"parameter ${struct} is not bound")
    return params[struct][field] if field else params[struct]


@dataclass(frozen=True)
class Macro:
    name: str
    params: tuple[str, ...]
    body: exp.Expression
    table: bool


@cache
def macros() -> dict[str, Macro]:
    """The macros of ``sql/macros.sql``, parsed once."""
    found = {}
    for match in MACRO.finditer(queries.sql("macros")):
        name, params, table, body = match.groups()
        found[name] = Macro(name, tuple(p.strip() for p in params.split(",")), sqlglot.parse_one(body, read="duckdb"),
                            bool(table))
    return found


@cache
def statement(name: str) -> Statement:
    """The named statement of ``queries.sql`` as Spark SQL (translated once per process)."""
    return translate(queries.sql(name))


@cache
def query_of(name: str) -> Statement:
    """The query of the named ``CREATE … AS`` statement as Spark SQL: Spark keeps no parameters in a view's
    definition, so the engine runs the query with its values bound and holds the rows itself."""
    return _translated(sqlglot.parse_one(queries.sql(name), read="duckdb").expression)


def translate(duckdb_sql: str) -> Statement:
    return _translated(sqlglot.parse_one(duckdb_sql, read="duckdb"))


def _translated(tree: exp.Expression) -> Statement:
    tree = expand_macros(tree)
    tree = _bottom_up(tree, _portable)
    _ranges_to_sequences(tree)
    _zip_unnests(tree)
    names = tuple(dict.fromkeys(p.name for p in tree.find_all(exp.Placeholder)))
    json_names = tuple(name for name in names if name.endswith(JSON_SUFFIX))
    text = tree.sql(dialect="spark", comments=False, unsupported_level=sqlglot.ErrorLevel.RAISE)
    return Statement(text, names, json_names)


def expand_macros(tree: exp.Expression) -> exp.Expression:
    """Replace every macro call by its body until none is left (macros call macros)."""
    known = macros()
    for _ in range(20):
        calls = [n for n in tree.find_all(exp.Anonymous) if n.name.lower() in known]
        if not calls:
            return tree
        for call in calls:
            if call.parent is not None or call is tree:
                replacement = _body(known[call.name.lower()], call.expressions)
                if call is tree:
                    tree = replacement
                else:
                    call.replace(replacement)
    raise ValueError("macros nest deeper than 20 levels")


def _body(macro: Macro, args: list[exp.Expression]) -> exp.Expression:
    if len(args) != len(macro.params):
        raise ValueError(f"macro {macro.name} takes {len(macro.params)} arguments, got {len(args)}")
    bound = dict(zip(macro.params, args, strict=True))

    def substitute(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Column) and not node.table and node.name in bound:
            return _grouped(bound[node.name].copy())
        if isinstance(node, exp.Column) and node.table in bound and not node.args.get("db"):
            return _field(bound[node.table], node.name)
        if isinstance(node, exp.TimestampTrunc) and isinstance(node.args.get("unit"), exp.Var) \
                and node.args["unit"].name.lower() in bound:
            return exp.Anonymous(this="DATE_TRUNC", expressions=[bound[node.args["unit"].name.lower()].copy(),
                                                                node.this.transform(substitute)])
        return node

    body = _bottom_up(macro.body.copy(), substitute)
    return exp.Subquery(this=body) if macro.table else _grouped(body)


def _bottom_up(tree: exp.Expression, rewrite) -> exp.Expression:
    """Apply ``rewrite`` to every node, children before their parent, so a rewritten node is built from
    rewritten parts."""
    for node in reversed(list(tree.dfs())):
        new = rewrite(node)
        if new is not node:
            if node is tree:
                tree = new
            else:
                node.replace(new)
    return tree


def _grouped(node: exp.Expression) -> exp.Expression:
    """An argument or body kept whole where it lands (``a - b`` times 7 is not ``a - b * 7``)."""
    atomic = (exp.Column, exp.Literal, exp.Placeholder, exp.Paren, exp.Func, exp.Cast, exp.Subquery, exp.Dot,
              exp.Boolean, exp.Null, exp.Bracket)
    return node if isinstance(node, atomic) else exp.Paren(this=node)


def _field(struct: exp.Expression, field: str) -> exp.Expression:
    if isinstance(struct, exp.Placeholder):
        return exp.Placeholder(this=f"{struct.name}{FIELD_SEP}{field}")
    return exp.Dot(this=struct.copy(), expression=exp.to_identifier(field))


def _spark(template: str, **slots: exp.Expression) -> exp.Expression:
    """A Spark expression from a template whose upper-case column slots take the given expressions."""
    tree = sqlglot.parse_one(template, read="spark")
    return tree.transform(lambda n: _grouped(slots[n.name].copy())
                          if isinstance(n, exp.Column) and n.name in slots else n)


def _portable(node: exp.Expression) -> exp.Expression:
    """One DuckDB construct in the form both engines compute alike."""
    if isinstance(node, exp.Dot) and isinstance(node.this, exp.Placeholder):  # a struct field written out: $clock.x
        return _field(node.this, node.expression.name)
    if isinstance(node, exp.Anonymous):
        return _function(node)
    if isinstance(node, exp.Bracket) and len(node.expressions) == 1:
        # DuckDB lists count from 1 and give NULL outside; Spark's get() counts from 0 and does too. sqlglot
        # has already moved a literal index to count from 0, an expression not.
        index = node.expressions[0]
        return _spark("GET(A, I)" if index.is_number else "GET(A, I - 1)", A=node.this, I=index)
    if isinstance(node, exp.PercentileCont):  # both interpolate linearly between the closest ranks
        return _spark("PERCENTILE(X, Q)", X=node.this, Q=node.expression)
    if isinstance(node, exp.Length):  # the metric SQL's len() is always of a list
        return _spark("SIZE(L)", L=node.this)
    if isinstance(node, exp.Cast) and node.this.is_string and node.this.name in ("infinity", "-infinity"):
        return _infinity(node)
    if isinstance(node, exp.Cast) and isinstance(node.this, exp.Placeholder) and node.to.is_type("array") \
            and not any(t.is_type(*exp.DataType.TEMPORAL_TYPES) for t in node.to.find_all(exp.DataType)):
        return _json_list(node)
    return node


def _json_list(node: exp.Cast) -> exp.Expression:
    """A typed list parameter read from JSON text: Spark binds only literal arrays, and an array literal with a
    NULL element (a goal rule without its own goal) is typed by a cast, which a bound argument may not hold."""
    schema = exp.Literal.string(node.to.sql(dialect="spark"))
    text = exp.Placeholder(this=f"{node.this.name}{JSON_SUFFIX}")
    return exp.Anonymous(this=FROM_JSON, expressions=[text, schema])


def _function(node: exp.Anonymous) -> exp.Expression:
    name, args = node.name.lower(), node.expressions
    if name == "timezone":  # an instant as wall time in a zone, or a wall time (TIMESTAMP) as the instant
        wall = isinstance(args[1], exp.Cast) and args[1].to.this in WALL_TIMES
        template = "TO_UTC_TIMESTAMP(T, Z)" if wall else "FROM_UTC_TIMESTAMP(T, Z)"
        return _spark(template, T=args[1], Z=args[0])
    if name == "epoch_us":
        return _spark("UNIX_MICROS(T)", T=args[0])
    if name == "list_position":  # DuckDB: NULL when absent; Spark: 0
        return _spark("NULLIF(ARRAY_POSITION(L, X), 0)", L=args[0], X=args[1])
    return node


def _infinity(node: exp.Cast) -> exp.Expression:
    early = node.this.name.startswith("-")
    if node.to.this == exp.DataType.Type.DATE:
        return exp.cast(exp.Literal.string("0001-01-01" if early else "9999-12-31"), "DATE")
    return exp.cast(exp.Literal.string(EARLIEST if early else LATEST), node.to.copy())


def _range_array(series: exp.GenerateSeries) -> exp.Expression:
    start, end, step = series.args.get("start"), series.args["end"], series.args.get("step")
    start = start if start is not None else exp.Literal.number(0)
    step = step if step is not None else exp.Literal.number(1)
    if step.find(exp.Interval):  # a range of instants: one type at both ends
        start = exp.cast(start.copy(), "TIMESTAMP")
        last = _spark("CAST(END_ AS TIMESTAMP) - INTERVAL '1' MICROSECOND", END_=end)
    else:
        last = _spark("END_ - 1", END_=end)
    return _spark(RANGE_ARRAY, START_=start, LAST_=last, STEP_=step)


def _ranges_to_sequences(tree: exp.Expression) -> None:
    """DuckDB's ``range`` table as a Spark LATERAL VIEW of an exploded sequence (its column still ``range``);
    ``range`` as a list as the sequence itself."""
    for series in list(tree.find_all(exp.GenerateSeries)):
        table = series.parent
        if not isinstance(table, exp.Table):
            series.replace(_range_array(series))
            continue
        select = table.find_ancestor(exp.Select)
        alias = table.alias or "range_"
        lateral = exp.Lateral(this=exp.Explode(this=_range_array(series)), view=True,
                              alias=exp.TableAlias(this=exp.to_identifier(alias),
                                                   columns=[exp.to_identifier("range")]))
        if table.parent is select.args.get("from_"):
            select.set("from_", exp.From(this=exp.select("1 AS one").subquery("range_base")))
        else:
            table.find_ancestor(exp.Join).pop()
        select.append("laterals", lateral)


def _zip_unnests(tree: exp.Expression) -> None:
    """``SELECT unnest(a) AS x, unnest(b) AS y`` (lists zipped, the shorter padded with NULL) as Spark's
    ``SELECT inline(arrays_zip(a, b)) AS (x, y)``, which pads alike."""
    for select in list(tree.find_all(exp.Select)):
        items = select.expressions
        if not items or not all(isinstance(i, exp.Alias) and isinstance(i.this, (exp.Unnest, exp.Explode))
                                for i in items):
            continue
        lists = [i.this.expressions[0] if isinstance(i.this, exp.Unnest) else i.this.this for i in items]
        zipped = exp.Anonymous(this="INLINE", expressions=[exp.Anonymous(this="ARRAYS_ZIP", expressions=lists)])
        select.set("expressions", [exp.Aliases(this=zipped, expressions=[exp.to_identifier(i.alias) for i in items])])
