"""Plain records for the device agent: a dataclass's equality, hash and repr over `__slots__`, without the
dataclasses module, whose import (inspect, ast, dis, tokenize) cost the agent ~19 ms of CPU on every start,
a third of `show`'s Python (the audit starts it once per device, every night)."""

from __future__ import annotations


class Record:
    """Subclasses name their fields in `__slots__` and set each in `__init__`."""

    __slots__: tuple[str, ...] = ()

    def _values(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Record) and type(other) is type(self) and self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        values = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"{type(self).__name__}({values})"


class MutableRecord(Record):
    """A record whose fields change after it is made: equal by value, never hashed (as a dataclass)."""

    __slots__ = ()
    __hash__ = None  # type: ignore[assignment]
