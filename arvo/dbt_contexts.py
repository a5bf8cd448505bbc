"""dbt's Jinja contexts made with less Python: macro namespaces built a package at a time,
merged by their layers, and their garbage collected in batches while dbt builds.

Each node dbt compiles and runs gets Jinja contexts (one to compile it, one for its
materialization or test, one for each macro the adapter calls for it), and each
context holds every macro of the project and of dbt's own packages: 585 in Arvo's
project; a monthly build at 50,000 residents makes 472 such contexts, 276,000 macro
generators (counted on 2026-12-06). dbt 1.11 builds that
namespace through three method calls a macro (`MacroNamespaceBuilder.add_macros`,
`add_macro`, `_add_macro_to`), then copies it into the context key by key through
`MacroNamespace.__getitem__`, which walks its five layers again for each key. At 50,000
residents this was about 0.64 s of Python a build (what dbt adds to its SQL is 1.5 to 2
s), under the interpreter lock, so dbt's two threads could not overlap it; with the
methods below 0.35 s (docs/performance-history.md). Upstream, dbt-core pull request
15526 (dbt 1.12, which does not install here) makes the namespace lazy instead.

`install()` replaces two methods with ones that give the same result faster:
- `MacroNamespaceBuilder.build_namespace`: one `MacroGenerator` a macro, made by dbt's
  own constructor as before, put in its package's namespace and in the node's locals or
  the root package's globals with one dict comprehension a package (a package whose
  macros are not keyed by their own names and package takes dbt's own method).
- `ManifestContext.to_dict`: the namespace's layers (`MacroNamespace._search_order`,
  dbt's own order) merged last to first, so the first layer that has a name wins, as
  `MacroNamespace.__getitem__` decides; a namespace of another class (a test's) takes
  dbt's own method.

Each such context is a reference cycle (the context's dict holds its macro generators,
each generator holds the dict), so only Python's cyclic garbage collector frees it. At
its default threshold (a collection every 700 new objects) a build ran about 720
collections of the youngest generation, 66 of the middle and 6 full ones, 0.37 to
0.46 s; the contexts of nodes still running were carried into the older generations and
walked again. `collected_in_batches()`, around each dbt invocation (arvo.transform),
collects every 20,000 new objects instead: 23 to 28 collections, 0.25 to 0.34 s, no full one. The
dbt stage's peak memory stayed as it was (532 to 578 MB against 541 to 576 MB in the
benchmark's pairs at 50,000 residents).

If dbt's classes are not the ones this was written for (their methods' parameters, what
`__getitem__` and `__iter__` read, what `to_dict` and `build_namespace` call), dbt's
methods stay and builds are as slow as before, never different.
`tests/test_dbt_contexts.py` builds both ways on Arvo's parsed project and compares them.
"""

from __future__ import annotations

import gc
import inspect
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


def install() -> bool:
    """Build dbt's macro namespaces and contexts the faster way; True when in place."""
    try:
        from dbt.clients.jinja import MacroGenerator
        from dbt.context.macros import MacroNamespace, MacroNamespaceBuilder
        from dbt.context.manifest import ManifestContext
    except ImportError:
        return False
    built = _build_in_one_pass(MacroNamespaceBuilder, MacroNamespace, MacroGenerator)
    flattened = _flatten_by_layers(ManifestContext, MacroNamespace)
    return built and flattened


def _build_in_one_pass(builder_class: Any, namespace_class: Any, generator_class: Any) -> bool:
    """Replace `MacroNamespaceBuilder.build_namespace` by a pass a package."""
    original = builder_class.build_namespace
    if getattr(original, "arvo_one_pass", False):
        return True
    if (list(inspect.signature(original).parameters) != ["self", "macros_by_package", "ctx"]
            or not {"add_macros", "internal_package_names_order", "MacroNamespace"}
            <= set(original.__code__.co_names)
            or "_add_macro_to" not in builder_class.add_macro.__code__.co_names):
        return False

    def build_namespace(self: Any, macros_by_package: dict, ctx: dict) -> Any:
        if type(self) is not builder_class or self.packages or self.internal_packages \
                or self.locals or self.globals:
            return original(self, macros_by_package, ctx)
        node, stack = self.node, self.thread_ctx
        for package_name, macros in macros_by_package.items():
            if any(m.package_name != package_name or m.name != name
                   for name, m in macros.items()):
                self.packages, self.internal_packages = {}, {}
                self.locals, self.globals = {}, {}
                return original(self, macros_by_package, ctx)
            generators = {name: generator_class(macro, ctx, node, stack)
                          for name, macro in macros.items()}
            if package_name in self.internal_package_names:
                self.internal_packages[package_name] = generators
                continue
            self.packages[package_name] = generators
            if package_name == self.search_package:
                self.locals.update(generators)
            elif package_name == self.root_package:
                self.globals.update(generators)
        global_project_namespace: dict = {}
        for package_name in reversed(self.internal_package_names_order):
            global_project_namespace.update(self.internal_packages.get(package_name, {}))
        return namespace_class(global_namespace=self.globals, local_namespace=self.locals,
                               global_project_namespace=global_project_namespace,
                               packages=self.packages)

    build_namespace.arvo_one_pass = True  # type: ignore[attr-defined]
    build_namespace.__wrapped__ = original  # type: ignore[attr-defined]
    builder_class.build_namespace = build_namespace
    return True


def _flatten_by_layers(context_class: Any, namespace_class: Any) -> bool:
    """Replace `ManifestContext.to_dict` by one merging the namespace's layers."""
    original = context_class.to_dict
    if getattr(original, "arvo_by_layers", False):
        return True
    if (list(inspect.signature(original).parameters) != ["self"]
            or not {"namespace", "update", "TestMacroNamespace"} <= set(original.__code__.co_names)
            or "_search_order" not in namespace_class.__getitem__.__code__.co_names
            or "_keys" not in namespace_class.__iter__.__code__.co_names
            or "_search_order" not in namespace_class._keys.__code__.co_names):
        return False

    def to_dict(self: Any) -> dict:
        namespace = self.namespace
        if type(namespace) is not namespace_class:
            return original(self)
        dct = super(context_class, self).to_dict()
        dct.update(merged_layers(namespace))
        return dct

    to_dict.arvo_by_layers = True  # type: ignore[attr-defined]
    to_dict.__wrapped__ = original  # type: ignore[attr-defined]
    context_class.to_dict = to_dict
    return True


def merged_layers(namespace: Any) -> dict:
    """A `MacroNamespace` as one dict: each name from the first of dbt's layers
    (`_search_order`) that has it, as `MacroNamespace.__getitem__` looks it up."""
    merged: dict = {}
    for layer in reversed(list(namespace._search_order())):
        merged.update(layer)
    return merged


@contextmanager
def collected_in_batches(first_generation: int = 20_000) -> Iterator[None]:
    """Python's cyclic garbage collection every `first_generation` new objects, not 700."""
    before = gc.get_threshold()
    gc.set_threshold(max(first_generation, before[0]), *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)
