"""The hot path's SQL, compiled by Django once per database connection and run with fresh values.

Compiling a query is most of what an ORM lookup costs here (an app with its org, run-as user
and lock-out: about 2 ms to compile, 0.1 ms to run). Only SQL text and the way to turn a row
into objects are kept; every run reads the database, so nothing served can be stale.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Model, QuerySet
from django.db.models.query import DEFAULT_FETCH_MODE, get_related_populators
from django.db.models.sql.subqueries import InsertQuery


@dataclass(frozen=True)
class _Param:
    name: str


@dataclass(frozen=True)
class _Plan:
    sql: str
    params: tuple[object, ...]  # a _Param where a value is bound, otherwise a constant
    compiler: Any  # the SQLCompiler that compiled `sql`: it decodes the rows
    converters: dict[int, Any]  # the compiler's, per column: database values to Python's
    build_row: Callable[[Any], Model]


class Lookup[Row: Model]:
    """A query for at most one row, written as a QuerySet `build(**values)`.

    The values are strings, each compared whole (`field=value`): the plan binds them where the
    query's SQL would. Any other operand is a constant of the query.
    """

    def __init__(self, build: Callable[..., QuerySet[Row]], *names: str) -> None:
        self._build = build
        self._names = names
        self._plans: weakref.WeakKeyDictionary[BaseDatabaseWrapper, _Plan] = (
            weakref.WeakKeyDictionary()
        )

    def first(self, **values: str) -> Row | None:
        if set(values) != set(self._names):
            raise TypeError(f"{self._names} are needed, {sorted(values)} given")
        connection = connections[DEFAULT_DB_ALIAS]
        plan = self._plans.get(connection) or self._compile(connection)
        bound: list[Any] = [values[p.name] if isinstance(p, _Param) else p for p in plan.params]
        with connection.cursor() as cursor:
            cursor.execute(plan.sql, bound)
            rows = cursor.fetchmany(1)
        if not rows:
            return None
        if plan.converters:
            rows = plan.compiler.apply_converters(rows, plan.converters)
        found: Row = plan.build_row(next(iter(rows)))  # type: ignore[assignment]
        return found

    def _compile(self, connection: BaseDatabaseWrapper) -> _Plan:
        markers = {name: f"\x00{name}\x00{id(self)}" for name in self._names}
        queryset = self._build(**markers)[:1]
        compiler = queryset.query.get_compiler(connection=connection)
        sql, compiled_params = compiler.as_sql()
        by_marker = {marker: _Param(name) for name, marker in markers.items()}
        params = tuple(by_marker.get(p, p) if isinstance(p, str) else p for p in compiled_params)
        if sorted(p.name for p in params if isinstance(p, _Param)) != sorted(self._names):
            raise ValueError("each value must be bound exactly once, compared whole")
        columns = [column[0] for column in compiler.select[: compiler.col_count]]
        plan = _Plan(
            sql,
            params,
            compiler,
            compiler.get_converters(columns),
            _row_builder(compiler, connection.alias),
        )
        self._plans[connection] = plan
        return plan


def _row_builder(compiler: Any, alias: str) -> Callable[[Any], Model]:
    """Turn a decoded row into the model with its select_related objects and annotations,
    as Django's ModelIterable does."""
    select, klass_info = compiler.select, compiler.klass_info
    annotations = dict(compiler.annotation_col_map or {})
    first, last = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
    attnames = [column[0].target.attname for column in select[first:last]]
    model = klass_info["model"]
    fetch_mode = DEFAULT_FETCH_MODE  # a Lookup's QuerySet keeps Django's default
    populators = get_related_populators(klass_info, select, alias, fetch_mode)

    def build(row: Any) -> Model:
        obj: Model = model.from_db(alias, attnames, row[first:last], fetch_mode=fetch_mode)
        for populator in populators:
            populator.populate(row, obj)
        for name, position in annotations.items():
            setattr(obj, name, row[position])
        return obj

    return build


@dataclass(frozen=True)
class _Insert:
    sql: str
    fields: Sequence[Field[Any, Any]]
    compiler: Any


_inserts: weakref.WeakKeyDictionary[BaseDatabaseWrapper, dict[type[Model], _Insert]] = (
    weakref.WeakKeyDictionary()
)


def insert(obj: Model) -> None:
    """INSERT a new instance as Model.save() would (defaults, pre_save, the returned primary
    key), without compiling the statement again; no signals are sent (none listens here)."""
    connection = connections[DEFAULT_DB_ALIAS]
    statements = _inserts.setdefault(connection, {})
    statement = statements.get(type(obj)) or _compile_insert(type(obj), obj, connection)
    statements[type(obj)] = statement
    params = [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in statement.fields]
    with connection.cursor() as cursor:
        cursor.execute(statement.sql, params)
        # SQLite and PostgreSQL both return the new key from the INSERT itself.
        ((obj.pk,),) = connection.ops.fetch_returned_rows(
            cursor, statement.compiler.returning_params
        )
    obj._state.adding = False
    obj._state.db = connection.alias


def _compile_insert(model: type[Model], obj: Model, connection: BaseDatabaseWrapper) -> _Insert:
    opts = model._meta
    fields = [f for f in opts.local_concrete_fields if f is not opts.auto_field]
    query = InsertQuery(model)
    query.insert_values(fields, [obj])
    compiler = query.get_compiler(connection=connection)
    compiler.returning_fields = [opts.pk]
    [(sql, _)] = compiler.as_sql()
    return _Insert(sql, fields, compiler)
