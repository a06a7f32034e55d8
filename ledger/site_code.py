"""Where the site's code comes from: the spec's tests and the reference code they exercise, read from the sources.

Nothing here imports the spec or Keras: the files are parsed (``ast``), so the site builds in seconds.

- ``SpecIndex``: every test function of ``spec/`` (its file and line) and the ``reference`` functions and
  classes its body uses, directly or through a helper of the spec (``spec.dcgan_lesson.tiny_gan`` ...).
- ``excerpt``: a piece of ``reference/`` by marker (``# --8<-- [start:name]`` ... ``# --8<-- [end:name]``,
  pymdownx.snippets' syntax) or by name (``reference/gans/dcgan.py::DocumentStyleTrainer.train_step``).
- ``figure_captions_zh``: the Chinese captions written in the lessons' ``evidence.figure(..., caption_zh=...)``
  calls, for a ledger snapshot recorded before they existed.
"""

from __future__ import annotations

import ast
import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

MARKER = re.compile(r"#\s*--8<--\s*\[(start|end):([\w.-]+)\]")


@dataclass
class Ref:
    """A function or class of ``reference/``: its file (relative to the repository) and first line."""

    path: str
    name: str
    line: int


@dataclass
class TestSource:
    path: str
    name: str
    line: int
    refs: list[Ref] = field(default_factory=list)


def _module_file(root: Path, module: str) -> Path | None:
    base = root / Path(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


class _Definitions:
    """Top-level functions and classes (and their methods) of the repository's modules, parsed once."""

    def __init__(self, root: Path):
        self.root = root
        self._cache: dict[str, dict[str, tuple[int, int, ast.AST]]] = {}

    def of(self, module: str) -> dict[str, tuple[int, int, ast.AST]]:
        if module not in self._cache:
            found: dict[str, tuple[int, int, ast.AST]] = {}
            path = _module_file(self.root, module)
            tree = _parse(path) if path is not None else None
            if tree is not None:
                for node in tree.body:
                    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                        found[node.name] = (_first_line(node), node.end_lineno, node)
                        if isinstance(node, ast.ClassDef):
                            for sub in node.body:
                                if isinstance(sub, ast.FunctionDef | ast.AsyncFunctionDef):
                                    found[f"{node.name}.{sub.name}"] = (_first_line(sub), sub.end_lineno, sub)
            self._cache[module] = found
        return self._cache[module]

    def path(self, module: str) -> str | None:
        path = _module_file(self.root, module)
        return path.relative_to(self.root).as_posix() if path else None


def _parse(path: Path) -> ast.Module | None:
    """A module's syntax tree; None for a file that does not parse (being edited): the site then links less."""
    try:
        return ast.parse(path.read_text(encoding="utf-8"))
    except SyntaxError:
        return None


def _first_line(node) -> int:
    return min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])


def _imports(tree: ast.Module) -> tuple[dict[str, str], dict[str, tuple[str, str]]]:
    """Module aliases (``dcgan`` -> ``reference.gans.dcgan``) and imported names (``tiny_gan`` -> (module, name))."""
    modules: dict[str, str] = {}
    names: dict[str, tuple[str, str]] = {}
    for node in tree.body:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    modules[alias.asname] = alias.name
                else:
                    modules[alias.name] = alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                local = alias.asname or alias.name
                # ``from reference.gans import dcgan`` imports a module; ``from reference.gans.dcgan import f`` a name
                names[local] = (node.module, alias.name)
    return modules, names


def _dotted(node) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


class SpecIndex:
    """The spec's test functions and the reference code each one exercises."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.defs = _Definitions(self.root)
        self.tests: dict[str, list[TestSource]] = {}
        self._helpers: dict[tuple[str, str], list[Ref]] = {}
        for path in sorted((self.root / "spec").glob("test_*.py")):
            self._read(path)

    def _resolve(self, dotted: str, modules: dict, names: dict) -> Ref | None:
        """``dcgan.DocumentStyleTrainer`` or ``build_mlp`` as written in a spec module -> the reference definition."""
        head, _, rest = dotted.partition(".")
        candidates = []
        if head in names:
            module, name = names[head]
            candidates += [(f"{module}.{name}", rest), (module, f"{name}.{rest}".strip("."))]
        if head in modules:
            candidates.append((modules[head], rest))
        for module, attr in candidates:
            # a dotted module path may continue in ``attr`` (``reference.backends.resolve_device``)
            parts = attr.split(".") if attr else []
            for cut in range(len(parts) + 1):
                mod = ".".join([module, *parts[:cut]])
                qual = parts[cut:]
                if not mod.startswith(("reference", "spec")) or not qual:
                    continue
                defs = self.defs.of(mod)
                for size in (2, 1):
                    name = ".".join(qual[:size])
                    if name in defs:
                        path = self.defs.path(mod)
                        if mod.startswith("spec"):
                            return Ref(path, name, defs[name][0])
                        return Ref(path, name, defs[name][0])
        return None

    def _refs_in(self, body_node, modules, names, own_module: str, depth: int = 0) -> list[Ref]:
        found: list[Ref] = []
        for node in ast.walk(body_node):
            # a reference module run whole, in a subprocess: run_with_backend("jax", "reference.distributed", ...)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("reference."):
                main = self.defs.of(node.value).get("main")
                if main is not None:
                    found.append(Ref(self.defs.path(node.value), "main", main[0]))
            dotted = _dotted(node) if isinstance(node, ast.Attribute | ast.Name) else None
            if not dotted:
                continue
            ref = self._resolve(dotted, modules, names)
            if ref is None and isinstance(node, ast.Name):
                local = self.defs.of(own_module).get(node.id)
                if local is not None and not node.id.startswith("test_"):
                    ref = Ref(self.defs.path(own_module), node.id, local[0])
            if ref is None:
                continue
            if ref.path.startswith("reference/"):
                found.append(ref)
            elif ref.path.startswith("spec/") and depth < 2:
                found += self._helper_refs(ref, depth + 1)
        unique: dict[tuple[str, str], Ref] = {}
        for ref in found:
            unique.setdefault((ref.path, ref.name), ref)
        return list(unique.values())

    def _helper_refs(self, ref: Ref, depth: int) -> list[Ref]:
        """The reference code a spec helper (``spec.dcgan_lesson.tiny_gan``) uses."""
        key = (ref.path, ref.name)
        if key not in self._helpers:
            self._helpers[key] = []
            module = ref.path[: -len(".py")].replace("/", ".")
            tree = _parse(self.root / ref.path)
            if tree is None:
                return []
            modules, names = _imports(tree)
            node = self.defs.of(module).get(ref.name)
            if node is not None:
                self._helpers[key] = self._refs_in(node[2], modules, names, module, depth)
        return self._helpers[key]

    def _read(self, path: Path) -> None:
        rel = path.relative_to(self.root).as_posix()
        module = rel[: -len(".py")].replace("/", ".")
        tree = _parse(path)
        if tree is None:
            return
        modules, names = _imports(tree)
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                refs = self._refs_in(node, modules, names, module)
                self.tests.setdefault(node.name, []).append(TestSource(rel, node.name, node.lineno, refs))

    def find(self, nodeid: str) -> TestSource | None:
        """The test a ledger entry names (``spec/test_x.py::test_y[case]``), also after its module was renamed."""
        path, _, name = nodeid.partition("::")
        name = re.sub(r"\[.*\]$", "", name)
        candidates = self.tests.get(name, [])
        for candidate in candidates:
            if candidate.path == path:
                return candidate
        return candidates[0] if len(candidates) == 1 else None


def _markers(lines: list[str], name: str) -> tuple[int, int]:
    start = end = None
    for i, line in enumerate(lines):
        match = MARKER.search(line)
        if match and match.group(2) == name:
            if match.group(1) == "start":
                start = i + 1
            else:
                end = i
    if start is None or end is None or end < start:
        raise KeyError(f"no marker pair [start:{name}] ... [end:{name}]")
    return start, end


def excerpt(root: Path, spec: str) -> tuple[str, int, int, str]:
    """(path, first line, last line, code) of ``path#marker`` or ``path::Qual.name`` (lines 1-based, inclusive)."""
    if "#" in spec:
        path, name = spec.split("#", 1)
        lines = (root / path).read_text(encoding="utf-8").splitlines()
        start, end = _markers(lines, name)  # 0-based [start, end)
        first, last = start + 1, end
    else:
        path, name = spec.split("::", 1)
        module = path[: -len(".py")].replace("/", ".")
        found = _Definitions(root).of(module).get(name)
        if found is None:
            raise KeyError(f"{name} is not defined in {path}")
        lines = (root / path).read_text(encoding="utf-8").splitlines()
        first, last = found[0], found[1]
    body = [line for line in lines[first - 1 : last] if not MARKER.search(line)]
    return path, first, last, textwrap.dedent("\n".join(body)).strip("\n")


def figure_captions_zh(root: Path) -> dict[str, str]:
    """Figure name -> Chinese caption, read from the lessons' ``evidence.figure(fig, name, caption, caption_zh=...)``."""
    captions: dict[str, str] = {}
    for path in sorted((Path(root) / "spec").glob("*.py")):
        for node in ast.walk(_parse(path) or ast.Module(body=[], type_ignores=[])):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "figure"):
                continue
            zh = next((k.value for k in node.keywords if k.arg == "caption_zh"), None)
            name = node.args[1] if len(node.args) > 1 else None
            if isinstance(zh, ast.Constant) and isinstance(name, ast.Constant):
                captions[str(name.value)] = str(zh.value)
    return captions
