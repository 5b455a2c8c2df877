"""The code's shape, read from its source: imports point one way (no circle, counting those inside
functions, and none inside a function at all among Jalon's modules), routes are imported by the app
alone, and who is an administrator is asked of domain/access.py only."""
import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("cli", "documents", "domain", "guide", "migrations", "routes")


def project_modules():
    """{module name: path} of Jalon's own modules (not the tests, benchmarks or scripts)."""
    modules = {path.stem: path for path in ROOT.glob("*.py")}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return modules


MODULES = project_modules()


def imports_of(name, path):
    """[(imported module, inside a function?)] of Jalon's modules that `name` imports."""
    found = []
    tree = ast.parse(path.read_text(), str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    functions = [node for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]
    nested = {id(inner) for function in functions for inner in ast.walk(function) if inner is not function}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[:len(package.split(".")) - node.level + 1] + ([base] if base else []))
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in MODULES:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.append((target, id(node) in nested))
    return found


GRAPH = {name: imports_of(name, path) for name, path in MODULES.items()}


def test_no_module_imports_another_inside_a_function():
    inside = sorted((name, target) for name, edges in GRAPH.items() for target, in_function in edges if in_function)
    assert inside == []


def test_there_is_no_import_circle():
    edges = {name: {target for target, _ in targets} for name, targets in GRAPH.items()}
    # A package importing its own submodules (cli registering its commands) is not a circle back to it.
    for name in edges:
        edges[name] = {t for t in edges[name] if not (t.startswith(name + ".") and MODULES[name].name == "__init__.py")}
    state, stack, circles = {}, [], []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for target in sorted(edges[node]):
            if state.get(target) == "open":
                circles.append(stack[stack.index(target):] + [target])
            elif target not in state:
                visit(target)
        stack.pop()
        state[node] = "done"

    for node in sorted(edges):
        if node not in state:
            visit(node)
    assert circles == []


def test_routes_are_imported_by_the_app_and_the_routes_only():
    outside = sorted(name for name, targets in GRAPH.items() if name not in ("app", "routes")
                     and not name.startswith("routes.") and any(t == "routes" or t.startswith("routes.")
                                                                 for t, _ in targets))
    assert outside == []


def test_the_lower_layers_import_no_domain_module_and_no_flask():
    for name in ("models", "database", "statements", "formats", "config"):
        source = MODULES[name].read_text()
        assert not [t for t, _ in GRAPH[name] if t.split(".")[0] in ("domain", "documents", "routes", "cli")], name
        assert not re.search(r"^\s*(from|import) flask[\s.]", source, re.M), name


def test_is_admin_is_asked_of_access_only():
    """`is_admin` is written in models.py (the role) and domain/access.py (the rights) only: routes and
    templates ask the rights by name."""
    files = [*MODULES.values(), *(ROOT / "templates").rglob("*.html")]
    writing = sorted(str(path.relative_to(ROOT)) for path in files if "is_admin" in path.read_text())
    assert writing == ["domain/access.py", "models.py"]
