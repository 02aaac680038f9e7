"""The package's import structure, read from the source with ``ast``: every hyoka module imports,
hyoka modules import each other only at module top, the module import graph has no cycle, and no
private name (``_x``) is imported from another module.

Lazy imports of heavy third-party libraries (great_expectations, openpyxl, rapidfuzz, …) inside
functions are allowed; a function-level import of a hyoka module hides a cycle instead. The one
exception is the command line (hyoka.cli.*): each command imports the stages it runs when it runs,
so that `hyoka --help` and a usage error do not load pandas. The cycle test counts those imports
as edges all the same.
"""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

import hyoka

ROOT = Path(hyoka.__file__).resolve().parent
#: names another helper removes on its own branch (hyoka.output.annotate._CELL, used by formats)
KNOWN_PRIVATE = {("hyoka.output.formats", "hyoka.output.annotate", "_CELL")}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(ROOT.rglob("*.py")) if "_data" not in p.parts}


def _imports(name: str) -> list[tuple[ast.AST, str, list[str], bool]]:
    """(node, imported hyoka module, names imported from it, at module top?) of one module."""
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    top = {id(n) for n in tree.body}
    # an `if TYPE_CHECKING:` block or a try at module level is still module top
    for n in tree.body:
        if isinstance(n, (ast.If, ast.Try)):
            top |= {id(c) for c in ast.walk(n) if isinstance(c, (ast.Import, ast.ImportFrom))}
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name == "hyoka" or a.name.startswith("hyoka."):
                    out.append((node, a.name, [], id(node) in top))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                out.append(
                    (node, "." * node.level + (node.module or ""), [a.name for a in node.names], id(node) in top)
                )
                continue
            mod = node.module or ""
            if mod == "hyoka" or mod.startswith("hyoka."):
                names = [a.name for a in node.names]
                # `from hyoka.check import findings` imports the module hyoka.check.findings
                subs = [f"{mod}.{n}" for n in names if f"{mod}.{n}" in MODULES]
                targets = subs or [mod]
                for t in targets:
                    out.append((node, t, [] if subs else names, id(node) in top))
    return out


@pytest.mark.parametrize("name", sorted(n for n in MODULES if not n.endswith(".__main__")))  # __main__ runs the CLI
def test_every_module_imports(name):
    importlib.import_module(name)


def test_no_relative_or_function_level_hyoka_imports():
    bad = [
        f"{name}:{node.lineno} imports {target}"
        for name in MODULES
        for node, target, _, at_top in _imports(name)
        if target.startswith(".") or (not at_top and not name.startswith("hyoka.cli"))
    ]
    assert not bad, "\n".join(bad)


def test_no_private_names_across_modules():
    bad = [
        f"{name}:{node.lineno} imports {n} from {target}"
        for name in MODULES
        for node, target, names, _ in _imports(name)
        for n in names
        if n.startswith("_") and not n.startswith("__") and (name, target, n) not in KNOWN_PRIVATE
    ]
    assert not bad, "\n".join(bad)


def test_import_graph_has_no_cycle():
    graph = {name: sorted({t for _, t, _, _ in _imports(name) if t in MODULES and t != name}) for name in MODULES}
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in graph[node]:
            if state.get(nxt) == 1:
                cycle = path[path.index(nxt) :] + [nxt] if nxt in path else [node, nxt]
                pytest.fail("import cycle: " + " → ".join(cycle))
            if nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])


#: typer itself loads pydantic to parse a command's options (typer 0.29), and help texts may come
#: from a YAML file (PyYAML loads in 0.02 s), so neither is listed
HEAVY = ("pandas", "numpy", "pandera", "openpyxl", "jinja2", "starlette", "uvicorn")


@pytest.mark.parametrize(
    "argv", [["--help"], ["check", "--help"], ["init", "--help"], ["serve", "--help"], ["--version"]]
)
def test_help_does_not_load_the_heavy_libraries(argv):
    """`hyoka --help` (and a command's help, and --version) in a fresh interpreter loads none of
    pandas, numpy, pandera, openpyxl or jinja2: help costs typer alone (about 0.1 s
    instead of pandas' 0.5 s; bench/startup.py measures it). Before #14 `hyoka.cli.check` imported
    hyoka.check.findings at its top, so every help loaded pandas."""
    code = (
        "import sys\n"
        f"sys.argv = ['hyoka', *{argv!r}]\n"
        "from hyoka.cli.app import main\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    assert exc.code in (0, None), exc.code\n"
        f"print('loaded:', ','.join(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT.parent, timeout=60, check=True
    )
    last = done.stdout.rstrip("\n").rsplit("\n", 1)[-1]  # after the help text
    assert last == "loaded: ", f"hyoka {' '.join(argv)}: {last}"
