"""The DDL create_tables(MODELS) runs for the bureau's models, per dialect: where a migration
script (bureau/migrations) starts from.

    python -m tools.bureau_ddl sqlite|postgresql

bureau/migrations/0001_initial.*.sql are this output for version 1's models; a later script takes
the statements of what it changes.  tests/bureau/test_migrations.py checks that the scripts end at
the models' schema.
"""

import sys

from peewee import Database, PostgresqlDatabase, SqliteDatabase, sort_models

from bureau.models import MODELS

DIALECTS: dict[str, type[Database]] = {"sqlite": SqliteDatabase, "postgresql": PostgresqlDatabase}


def tables(dialect: str) -> list[list[str]]:
    """Per table, in create_tables' order: its CREATE TABLE (a column a line) and CREATE INDEXes,
    each IF NOT EXISTS as create_tables(safe=True) makes them."""
    database = DIALECTS[dialect](None)  # never connected: its SQL context is all that is used
    out = []
    with database.bind_ctx(MODELS):
        for model in sort_models(MODELS):
            out.append(
                [
                    _one_column_a_line(_text(model._schema._create_table(safe=True))),
                    *(_text(index) for index in model._schema._create_indexes(safe=True)),
                ]
            )
    return out


def _text(context) -> str:
    sql, params = context.query()
    assert not params, sql  # DDL with values bound would not be a script's text
    return sql


def _one_column_a_line(create: str) -> str:
    head, _, body = create.partition(" (")
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(body[:-1]):  # body ends with the table's closing parenthesis
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if ch == "," and depth == 0:
            parts.append(body[start:i].strip())
            start = i + 1
    parts.append(body[start:-1].strip())
    return head + " (\n    " + ",\n    ".join(parts) + "\n)"


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0] not in DIALECTS:
        print(f"usage: python -m tools.bureau_ddl {'|'.join(DIALECTS)}", file=sys.stderr)
        return 2
    print("\n\n".join("\n".join(s + ";" for s in table) for table in tables(argv[0])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
