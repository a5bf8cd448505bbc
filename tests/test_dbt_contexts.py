"""dbt's macro namespaces built a package at a time and merged by layers, and dbt's
builds' garbage collected in batches (arvo/dbt_contexts.py): in place with the pinned dbt,
on Arvo's parsed project giving what dbt's own methods give, and the collector's
threshold put back after a build."""

from __future__ import annotations

import gc

import pytest
from dbt.adapters.factory import get_adapter_package_names
from dbt.clients.jinja import MacroGenerator, MacroStack
from dbt.context.macros import MacroNamespace, MacroNamespaceBuilder
from dbt.context.manifest import ManifestContext

from arvo import dbt_contexts, transform
from tests.conftest import TINY_PERIODS


def test_it_is_in_place_with_the_pinned_dbt():
    """An upgrade of dbt that changes the builder or the context fails here, not silently."""
    assert dbt_contexts.install() is True
    assert getattr(MacroNamespaceBuilder.build_namespace, "arvo_one_pass", False)
    assert getattr(ManifestContext.to_dict, "arvo_by_layers", False)
    assert dbt_contexts.install() is True  # once: installing again replaces nothing twice
    assert not getattr(MacroNamespaceBuilder.build_namespace.__wrapped__, "arvo_one_pass", False)
    assert not getattr(ManifestContext.to_dict.__wrapped__, "arvo_by_layers", False)


@pytest.fixture(scope="module")
def macros_by_package(tiny_warehouse):
    """Arvo's parsed project's macros (dbt's, dbt-duckdb's and Arvo's), by package."""
    settings = tiny_warehouse["settings"]
    transform.prepare(settings)
    macros = transform._manifest(settings).get_macros_by_package()
    assert {"dbt", "dbt_duckdb", "arvo"} <= set(macros)
    return macros


class _Node:
    """Stands for the node a namespace is built for; the generators only hold it."""


def _built(build, macros_by_package: dict, search_package: str) -> tuple:
    ctx, node = {}, _Node()
    builder = MacroNamespaceBuilder("arvo", search_package, MacroStack(),
                                    get_adapter_package_names("duckdb"), node)
    return build(builder, macros_by_package, ctx), ctx, node, builder.thread_ctx


def _layout(namespace: MacroNamespace, ctx: dict, node: object, stack: object) -> dict:
    """Each layer of `namespace`: its names in order, and what each generator holds."""
    layers = {"local": namespace.local_namespace, "global": namespace.global_namespace,
              "dbt and its adapter": namespace.global_project_namespace,
              **{f"package {name}": layer for name, layer in namespace.packages.items()}}
    return {name: [(key, type(g), g.macro.unique_id, g.context is ctx, g.node is node,
                    g.stack is stack, set(vars(g))) for key, g in layer.items()]
            for name, layer in layers.items()}


@pytest.mark.parametrize("search_package", ["arvo", "dbt", "a_package_of_its_own"])
def test_a_namespace_holds_what_dbts_own_builder_puts_in_it(macros_by_package, search_package):
    ours = _layout(*_built(MacroNamespaceBuilder.build_namespace, macros_by_package,
                           search_package))
    dbts = _layout(*_built(MacroNamespaceBuilder.build_namespace.__wrapped__,
                           macros_by_package, search_package))
    assert ours == dbts
    assert len(ours["dbt and its adapter"]) > 400
    assert len(ours["local" if search_package == "arvo" else "global"]) == \
        len(macros_by_package["arvo"])


def test_the_merged_layers_give_each_name_as_dbts_lookup_does(macros_by_package):
    namespace = _built(MacroNamespaceBuilder.build_namespace, macros_by_package, "arvo")[0]
    merged = dbt_contexts.merged_layers(namespace)
    assert list(merged) and set(merged) == set(namespace)
    assert all(merged[name] is namespace[name] for name in namespace)
    # a name in several layers: the first layer in dbt's search order wins
    shadowed = MacroNamespace(global_namespace={"m": "root", "r": "root"},
                              local_namespace={"m": "local"},
                              global_project_namespace={"m": "dbt", "r": "dbt", "d": "dbt"},
                              packages={"arvo": {"m": "arvo"}, "dbt": {"p": "pkg"}})
    assert dbt_contexts.merged_layers(shadowed) == {name: shadowed[name] for name in shadowed}
    assert dbt_contexts.merged_layers(shadowed)["m"] == "local"


def test_a_dbt_run_gets_the_contexts_dbts_own_method_gives(tiny_warehouse, monkeypatch):
    """Every context of a run of dbt's unit tests of one model (they compile the model and
    its fixtures, and run their macros), made both ways: the same names, and each macro
    the same generator; and the run's garbage collected in batches (arvo.transform)."""
    ours = ManifestContext.to_dict
    compared, thresholds = [], set()

    def both(self):
        dbts = dict(ManifestContext.to_dict.__wrapped__(self))
        merged = ours(self)
        thresholds.add(gc.get_threshold()[0])
        compared.append((set(merged) == set(dbts),
                         [name for name, value in dbts.items()
                          if isinstance(value, MacroGenerator) and merged[name] is not value]))
        return merged

    both.__wrapped__ = ours.__wrapped__
    monkeypatch.setattr(ManifestContext, "to_dict", both)
    transform.run_unit_tests(tiny_warehouse["settings"], TINY_PERIODS[1],
                             select="test_type:unit,int_episodes_paired")
    assert len(compared) >= 5  # one context or more for each of its unit tests
    assert all(same_names and not other_generators for same_names, other_generators in compared)
    assert thresholds == {20_000}


def test_dbt_builds_collect_garbage_in_batches_and_leave_the_threshold_as_it_was():
    before = gc.get_threshold()
    with dbt_contexts.collected_in_batches():
        assert gc.get_threshold() == (20_000, *before[1:])
        with dbt_contexts.collected_in_batches(first_generation=100):  # never lowered
            assert gc.get_threshold()[0] == 20_000
    assert gc.get_threshold() == before
    with pytest.raises(RuntimeError), dbt_contexts.collected_in_batches():
        raise RuntimeError("a failed build")
    assert gc.get_threshold() == before
