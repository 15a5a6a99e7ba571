"""The error of the case folder, in a module of its own: the command line names it at
start-up, before (and without) loading the database layer."""

from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class CaseError(Exception):
    """A problem with a case folder, worded for the person running the command."""


class NoCaseHere(CaseError):
    """No case folder at or above the folder a case was looked for from."""


class InputError(CaseError):
    """A value given for a named input (a command-line option, a form field) that cannot be
    used. The services name the input by its field; each face names it its own way, so a
    browser user never reads a command-line flag: `--cep 0: must be positive` on the
    command line, `cep 0: must be positive` beside the form field."""

    def __init__(self, field: str, value: object, problem: str) -> None:
        self.field, self.value, self.problem = field, value, problem
        super().__init__(self.naming(field))

    def naming(self, name: str) -> str:
        """The message with the input called ``name``."""
        shown = "" if self.value is None else f" {self.value}"
        return f"{name}{shown}: {self.problem}"


class InputErrors(CaseError):
    """Several inputs of one form or command that cannot be used, all named at once so the
    person corrects them in one go."""

    def __init__(self, errors: list[InputError]) -> None:
        self.errors = errors
        super().__init__("; ".join(str(error) for error in errors))


def each_input_checked(*checks: Callable[[], T]) -> tuple[T, ...]:
    """Run every check (each a call that returns a value or raises InputError) and return
    their values; raise the one InputError, or InputErrors naming all, if any failed."""
    values: list[T] = []
    failed: list[InputError] = []
    for check in checks:
        try:
            values.append(check())
        except InputError as error:
            failed.append(error)
    if len(failed) == 1:
        raise failed[0]
    if failed:
        raise InputErrors(failed)
    return tuple(values)
