"""The command line in the user's language: every command's help and options, and click's own words
(Usage, Options, its usage errors), from the package's gettext catalog.

The help texts stay English in the source (the msgids). `extract_help` is the Babel extractor that puts
them in the .pot (babel.cfg), with click's own messages, so they are translated like every other word.
"""
from __future__ import annotations

import ast
import importlib
import inspect
import io
import os
from pathlib import Path

import click

from ..i18n import translations

# click's modules whose messages a user sees; each imports gettext's `_` (and `ngettext`) by name
CLICK_MODULES = ("core", "exceptions", "formatting", "decorators", "types", "parser", "termui", "utils")
HELP_KEYWORDS = ("help", "short_help")


def N_(text: str) -> str:
    """Marks a word for the catalog that click translates from a variable (Babel cannot see those)."""
    return text


CLICK_WORDS = (N_("required"),)


def language_of(args: list[str]) -> str:
    """The language a command line asks for: `--lang X` before the command, else GKCATALOG_LANG, else zh."""
    for i, arg in enumerate(args):
        if arg == "--lang" and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
        if not arg.startswith("-") and (i == 0 or args[i - 1] not in ("--db", "--lang")):
            break  # the command's name: what follows is the command's own options
    return os.environ.get("GKCATALOG_LANG") or "zh"


def use_language(lang: str) -> None:
    """Word click's own messages in `lang` from now on in this process."""
    catalog = translations(lang)
    for name in CLICK_MODULES:
        module = importlib.import_module(f"click.{name}")
        if hasattr(module, "_"):
            module._ = catalog.gettext
        if hasattr(module, "ngettext"):
            module.ngettext = catalog.ngettext


def translate_command(command: click.Command, lang: str) -> click.Command:
    """Set the command's help and its options' help in `lang` (from the English kept aside the first
    time), and its subcommands' that are loaded."""
    text = translations(lang).gettext
    for owner, key in [(command, "help"), (command, "short_help"), *((p, "help") for p in command.params)]:
        english = owner.__dict__.setdefault("_gk_english", {}).setdefault(key, getattr(owner, key, None))
        if english:
            setattr(owner, key, text(inspect.cleandoc(english)))
    for sub in getattr(command, "commands", {}).values():
        translate_command(sub, lang)
    return command


def extract_help(fileobj, keywords, comment_tags, options):
    """Babel extractor for the command modules: their gettext calls, every click help text (a `help=` or
    `short_help=` keyword, a command's docstring) and, for main.py, click's own messages."""
    from babel.messages.extract import extract_python

    source = fileobj.read()
    yield from extract_python(io.BytesIO(source), keywords, comment_tags, options)
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            for keyword in node.keywords:
                if keyword.arg in HELP_KEYWORDS and isinstance(keyword.value, ast.Constant) \
                        and isinstance(keyword.value.value, str):
                    yield node.lineno, "gettext", inspect.cleandoc(keyword.value.value), []
        elif isinstance(node, ast.FunctionDef) and any("command" in ast.unparse(d) or "group" in ast.unparse(d)
                                                      for d in node.decorator_list):
            doc = ast.get_docstring(node, clean=True)
            if doc:
                yield node.lineno, "gettext", doc, []
    if getattr(fileobj, "name", "").endswith("main.py"):
        for name in CLICK_MODULES:
            path = Path(click.__file__).with_name(f"{name}.py")
            for _, funcname, message, _ in extract_python(io.BytesIO(path.read_bytes()), keywords, [], options):
                yield 0, funcname, message, []
