"""The layer rules of CONTRIBUTING.md, read from the code (imports as the AST has them).

- ``bot/study``, ``bot/db``, ``bot/content`` and ``scheduler/`` know nothing of Discord:
  they import neither ``discord`` nor ``bot.ui`` nor ``bot.exts``;
- ``scheduler/srs.py``, ``timeutil.py`` and ``ratelimit.py`` import nothing of the project;
- an extension never imports another extension;
- only the console, the tests and the benchmarks import ``localdiscord``;
- in ``bot/`` and ``scheduler/``: no module over 400 lines, no function over 60 lines, no
  single-letter names outside comprehensions and short lambdas, no two classes with one
  name, and every public function of ``bot/study`` and ``scheduler/`` has a docstring.
"""

from __future__ import annotations

import ast
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
APP = ("bot", "scheduler")
NO_DISCORD = ("bot/study", "bot/db", "bot/content", "scheduler")
FORBIDDEN_THERE = ("discord", "bot.ui", "bot.exts")
STANDALONE = ("scheduler/srs.py", "scheduler/timeutil.py", "scheduler/ratelimit.py")
PROJECT = ("bot", "scheduler", "localdiscord", "bench", "tests")
MAY_USE_LOCALDISCORD = ("bot/console.py", "tests", "bench", "localdiscord")
MAX_MODULE_LINES, MAX_FUNCTION_LINES = 400, 60


def sources(*where: str) -> list[Path]:
    found: list[Path] = []
    for place in where:
        path = ROOT / place
        found += [path] if path.is_file() else sorted(path.rglob("*.py"))
    return found


def rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def imports(path: Path) -> Iterator[tuple[int, str]]:
    """Every module ``path`` imports (``from a import b`` also counts ``a.b``), with its line."""
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module
            for alias in node.names:
                yield node.lineno, f"{node.module}.{alias.name}"


def within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def test_the_study_database_and_scheduler_layers_know_nothing_of_discord() -> None:
    bad = [
        f"{rel(path)}:{line} imports {module}"
        for path in sources(*NO_DISCORD)
        for line, module in imports(path)
        if any(within(module, forbidden) for forbidden in FORBIDDEN_THERE)
    ]
    assert bad == []


def test_the_pure_scheduling_modules_import_nothing_of_the_project() -> None:
    bad = [
        f"{rel(path)}:{line} imports {module}"
        for path in sources(*STANDALONE)
        for line, module in imports(path)
        if any(within(module, package) for package in PROJECT)
    ]
    assert bad == []


def test_no_extension_imports_another() -> None:
    bad = [
        f"{rel(path)}:{line} imports {module}"
        for path in sources("bot/exts")
        for line, module in imports(path)
        if within(module, "bot.exts")
    ]
    assert bad == []


def test_only_the_console_tests_and_benchmarks_use_the_local_discord() -> None:
    everything = [p for p in ROOT.rglob("*.py") if not any(part.startswith(".") or part == "build" for part in p.parts)]
    bad = [
        f"{rel(path)}:{line} imports {module}"
        for path in everything
        if not any(rel(path) == place or rel(path).startswith(place + "/") for place in MAY_USE_LOCALDISCORD)
        for line, module in imports(path)
        if within(module, "localdiscord")
    ]
    assert bad == []


def functions(tree: ast.AST) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node


def test_modules_and_functions_stay_small() -> None:
    too_long = [
        f"{rel(path)}: {n} lines"
        for path in sources(*APP)
        if (n := len(path.read_text().splitlines())) > MAX_MODULE_LINES
    ]
    for path in sources(*APP):
        for fn in functions(ast.parse(path.read_text())):
            length = (fn.end_lineno or fn.lineno) - fn.lineno + 1
            if length > MAX_FUNCTION_LINES:
                too_long.append(f"{rel(path)}:{fn.lineno} {fn.name}: {length} lines")
    assert too_long == []


class _Names(ast.NodeVisitor):
    """Single-letter names bound outside comprehensions and lambdas."""

    def __init__(self) -> None:
        self.found: list[tuple[int, str]] = []

    def _bind(self, node: ast.AST) -> None:
        for target in ast.walk(node):
            if isinstance(target, ast.Name) and len(target.id) == 1 and target.id != "_":
                self.found.append((target.lineno, target.id))

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            self._bind(target)
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self._bind(node.target)
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self._bind(node.target)
        self.generic_visit(node)

    def visit_For(self, node: ast.For) -> None:
        self._bind(node.target)
        self.generic_visit(node)

    visit_AsyncFor = visit_For

    def visit_With(self, node: ast.With) -> None:
        for item in node.items:
            if item.optional_vars is not None:
                self._bind(item.optional_vars)
        self.generic_visit(node)

    visit_AsyncWith = visit_With

    def visit_NamedExpr(self, node: ast.NamedExpr) -> None:
        self._bind(node.target)
        self.generic_visit(node)

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.name is not None and len(node.name) == 1:
            self.found.append((node.lineno, node.name))
        self.generic_visit(node)

    def _arguments(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        args = node.args
        for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]:
            if arg is not None and len(arg.arg) == 1 and arg.arg != "_":
                self.found.append((node.lineno, arg.arg))
        self.generic_visit(node)

    visit_FunctionDef = _arguments
    visit_AsyncFunctionDef = _arguments

    def visit_Lambda(self, node: ast.Lambda) -> None:
        pass  # short lambdas may name their parameters x

    def visit_ListComp(self, node: ast.AST) -> None:
        pass  # comprehension variables are fine

    visit_SetComp = visit_DictComp = visit_GeneratorExp = visit_ListComp


def test_names_a_reader_understands() -> None:
    bad = []
    for path in sources(*APP):
        names = _Names()
        names.visit(ast.parse(path.read_text()))
        bad += [f"{rel(path)}:{line} {name}" for line, name in names.found]
    assert bad == []


def test_no_two_classes_share_a_name() -> None:
    seen: Counter[str] = Counter()
    where: dict[str, list[str]] = {}
    for path in sources(*APP):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef):
                seen[node.name] += 1
                where.setdefault(node.name, []).append(rel(path))
    assert {name: where[name] for name, n in seen.items() if n > 1} == {}


@pytest.mark.parametrize("place", ["bot/study", "scheduler"])
def test_public_functions_say_what_they_promise(place: str) -> None:
    missing = []
    for path in sources(place):
        tree = ast.parse(path.read_text())
        public_classes = [
            node for node in tree.body if isinstance(node, ast.ClassDef) and not node.name.startswith("_")
        ]
        candidates = [node for node in tree.body if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)]
        for cls in public_classes:
            candidates += [node for node in cls.body if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)]
        for fn in candidates:
            decorated = {d.id for d in fn.decorator_list if isinstance(d, ast.Name)}
            if fn.name.startswith("_") or "property" in decorated or ast.get_docstring(fn):
                continue
            missing.append(f"{rel(path)}:{fn.lineno} {fn.name}")
    assert missing == []
