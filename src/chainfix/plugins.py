"""The plugin manager: built-in plugins plus ``chainfix`` entry points, each loaded in isolation.

``CHAINFIX_LOAD_PLUGINS`` is a comma-separated allow-list of entry-point names (or distribution
names) to load; set but empty, it loads no external plugin. Built-in plugins always load.
A plugin that fails to import or register is recorded with its error, never fatal.
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import pluggy

from chainfix import hookspecs
from chainfix.plugin_index import plugin_entries

ENV_LOAD = "CHAINFIX_LOAD_PLUGINS"

BUILTIN_PLUGINS: tuple[str, ...] = ("chainfix.sources.builtin",)


@dataclass(slots=True)
class PluginInfo:
    """One plugin as ``chainfix plugins`` lists it."""

    name: str
    builtin: bool
    distribution: str | None = None
    version: str | None = None
    hooks: list[str] = field(default_factory=list)
    error: str | None = None


@dataclass(slots=True)
class PluginHost:
    """The plugin manager plus what happened while loading."""

    pm: pluggy.PluginManager
    infos: dict[str, PluginInfo]

    def call_each(self, hook_name: str, **kwargs: Any) -> None:
        """Call every implementation of a hook separately, so one failing plugin spoils nothing."""
        hook = getattr(self.pm.hook, hook_name)
        for impl in hook.get_hookimpls():
            name = self.pm.get_name(impl.plugin) or repr(impl.plugin)
            try:
                impl.function(**{k: v for k, v in kwargs.items() if k in impl.argnames})
            except Exception as exc:  # noqa: BLE001 - plugin isolation
                info = self.infos.setdefault(name, PluginInfo(name=name, builtin=False))
                info.error = f"{hook_name} failed: {type(exc).__name__}: {exc}"


def _allowed() -> set[str] | None:
    raw = os.environ.get(ENV_LOAD)
    if raw is None:
        return None
    return {part.strip() for part in raw.split(",") if part.strip()}


def _short_error(exc: BaseException) -> str:
    import traceback  # only for a plugin that failed (every start otherwise)

    frames = traceback.extract_tb(exc.__traceback__)
    where = f" ({frames[-1].filename}:{frames[-1].lineno})" if frames else ""
    return f"{type(exc).__name__}: {exc}{where}"


def build_host() -> PluginHost:
    """Build a fresh plugin manager: hookspecs, built-ins, then allowed entry points."""
    pm = pluggy.PluginManager("chainfix")
    pm.add_hookspecs(hookspecs)
    infos: dict[str, PluginInfo] = {}
    for module_name in BUILTIN_PLUGINS:
        module = importlib.import_module(module_name)
        pm.register(module, name=module_name)
        infos[module_name] = PluginInfo(name=module_name, builtin=True)
    allowed = _allowed()
    for ep in plugin_entries():
        dist = ep.distribution
        if allowed is not None and ep.name not in allowed and (dist not in allowed):
            continue
        info = PluginInfo(name=ep.name, builtin=False, distribution=dist, version=ep.version)
        infos[ep.name] = info
        try:
            plugin = ep.load()
            pm.register(plugin, name=ep.name)
        except Exception as exc:  # noqa: BLE001 - a broken plugin must not break chainfix
            info.error = f"failed to load: {_short_error(exc)}"
    for name, info in infos.items():
        plugin = pm.get_plugin(name)
        if plugin is not None:
            info.hooks = sorted(h.name for h in pm.get_hookcallers(plugin) or [])
    return PluginHost(pm=pm, infos=infos)


@cache
def host() -> PluginHost:
    """The process-wide plugin host, built on first use (never at import time)."""
    return build_host()


def reset() -> None:
    """Forget the cached host (tests, or after installing a plugin)."""
    host.cache_clear()
    _sources.cache_clear()


@cache
def _sources() -> tuple[Any, ...]:
    from chainfix.sources.base import Source

    found: list[Source] = []
    seen: set[str] = set()
    h = host()

    def register(source: Source) -> None:
        if not isinstance(source, Source):
            raise TypeError(f"register() expects a chainfix.Source, got {type(source).__name__}")
        if source.name in seen:
            raise ValueError(f"a source named {source.name!r} is already registered")
        seen.add(source.name)
        found.append(source)

    h.call_each("register_sources", register=register)
    return tuple(sorted(found, key=lambda s: (-s.priority, s.name)))


def sources() -> tuple[Any, ...]:
    """Every registered :class:`chainfix.Source`, highest priority first."""
    return _sources()


def register_commands(cli: Any) -> None:
    """Let plugins add CLI commands."""
    host().call_each("register_commands", cli=cli)


def hook_names() -> list[str]:
    """Names of every hookspec (for docs and the docs test)."""
    return sorted(
        name
        for name in dir(hookspecs)
        if callable(getattr(hookspecs, name)) and hasattr(getattr(hookspecs, name), "chainfix_spec")
    )
