"""The error of the case folder, in a module of its own: the command line names it at
start-up, before (and without) loading the database layer."""


class CaseError(Exception):
    """A problem with a case folder, worded for the person running the command."""
