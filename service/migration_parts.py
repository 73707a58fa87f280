"""The building blocks the migrations share from 0015 on: a column by its type and nullability, a
cascading foreign key, and one table of each migration's indexed columns driving both its upgrade and
its downgrade.

Migrations already released call these: change none of what they make (a new block is fine).
"""

from collections.abc import Mapping, Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

Indexed = Mapping[str, Sequence[str]]  # table -> its indexed columns, tables in the order they are made


def string(name: str, length: int, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sqlmodel.sql.sqltypes.AutoString(length=length), nullable=nullable)


def required(name: str, type_: sa.types.TypeEngine) -> sa.Column:
    return sa.Column(name, type_, nullable=False)


def optional(name: str, type_: sa.types.TypeEngine) -> sa.Column:
    return sa.Column(name, type_, nullable=True)


def stamp(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sqlmodel.sql.sqltypes.UTCDateTime(), nullable=nullable)


def cascade(column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [target], ondelete="CASCADE")


def create_indexes(indexed: Indexed) -> None:
    for table, columns in indexed.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                batch_op.create_index(batch_op.f(f"ix_{table}_{column}"), [column], unique=False)


def drop_tables(indexed: Indexed) -> None:
    """Drop the tables of ``indexed`` and their indexes, newest first: a migration's downgrade."""
    for table, columns in reversed(indexed.items()):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in reversed(columns):
                batch_op.drop_index(batch_op.f(f"ix_{table}_{column}"))
        op.drop_table(table)
