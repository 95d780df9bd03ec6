"""The command palette's entries: every action of the focused place, once.

Terminals swallow some keys, so every action the agent could press is also a palette
entry. The entries come from the focus chain's own bindings — our own actions carry an
id, by which a user keymap rebinds them — rather than the active ones, so that a key
shadowed by a widget (`enter` in a table) or consumed by an input (letters) still has
its entry. An action its node's ``check_action`` hides (a write key when read-only) is
not offered. Textual's own system commands (``App.get_system_commands``) are listed
with them, in one order of titles. Public Textual API only: class ``BINDINGS``,
``check_action``, ``run_action``, ``get_key_display``, ``get_system_commands`` and a
:class:`~textual.command.Provider`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from textual.actions import parse
from textual.app import App
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.dom import DOMNode
from textual.screen import Screen

__all__ = ["PaletteEntry", "PlaceAction", "PlaceCommands", "palette_entries", "place_actions"]


@dataclass(frozen=True)
class PlaceAction:
    """One action of the focused place: the node it runs on, its binding, its live keys."""

    node: DOMNode
    binding: Binding
    keys: tuple[str, ...]

    @property
    def state(self) -> bool | None:
        """``check_action``'s answer: False hides the action, None shows it disabled."""
        namespace, name, parameters = parse(self.binding.action)
        target = self.node
        if namespace == "app":
            target = self.node.app
        elif namespace == "screen":
            target = self.node.screen
        return target.check_action(name, parameters)


@dataclass(frozen=True)
class PaletteEntry:
    title: str
    help: str
    run: Callable[[], Any]
    discover: bool = True
    """Listed before anything is typed (else found only by a search)."""


def own_bindings(node: DOMNode) -> list[Binding]:
    """The bindings with an id declared by the node's class and its bases (nearest first)."""
    found: list[Binding] = []
    for cls in type(node).__mro__:
        declared = cls.__dict__.get("BINDINGS")
        if declared:
            found.extend(b for b in Binding.make_bindings(declared) if b.id)
    return found


def place_actions(screen: Screen[object], keymap: Mapping[str, str]) -> Iterator[PlaceAction]:
    """The focus chain's own actions, nearest first, each with the keymap's keys."""
    focused = screen.focused
    chain: list[DOMNode] = list(focused.ancestors_with_self) if focused else [screen, screen.app]
    for node in chain:
        bindings = own_bindings(node)
        done: set[str] = set()
        for binding in bindings:
            if binding.id is None or binding.id in done:
                continue
            done.add(binding.id)
            if binding.id in keymap:
                keys = tuple(k.strip() for k in keymap[binding.id].split(",") if k.strip())
            else:
                keys = tuple(b.key for b in bindings if b.id == binding.id)
            yield PlaceAction(node, binding, keys)


NOT_LISTED = {"command_palette"}
"""Actions the palette does not offer (opening itself)."""


def resolved(action: PlaceAction) -> tuple[int, str, tuple[object, ...]]:
    """What ``action`` runs: its target node, name and parameters (``app.quit`` bound on a
    screen and ``quit`` bound on the App are one action)."""
    namespace, name, parameters = parse(action.binding.action)
    target = action.node
    if namespace == "app":
        target = action.node.app
    elif namespace == "screen":
        target = action.node.screen
    return id(target), name, parameters


def palette_entries(screen: Screen[object], keymap: Mapping[str, str]) -> list[PaletteEntry]:
    """The palette's entries for ``screen``'s focused place: each action once (with every
    key that runs it), described, not hidden."""
    app = screen.app
    found: dict[tuple[int, str, tuple[object, ...]], tuple[PlaceAction, list[str]]] = {}
    for action in place_actions(screen, keymap):
        binding = action.binding
        if not binding.description or action.state is False:
            continue
        if parse(binding.action)[1] in NOT_LISTED:
            continue
        keys = [app.get_key_display(binding.with_key(key)) for key in action.keys]
        same = found.get(resolved(action))
        if same is None:
            found[resolved(action)] = (action, keys)
        else:
            same[1].extend(key for key in keys if key not in same[1])
    entries: list[PaletteEntry] = []
    for action, keys in found.values():
        binding = action.binding

        async def run(name: str = binding.action, target: DOMNode = action.node) -> None:
            await app.run_action(name, target)

        help_text = binding.tooltip or f"key: {', '.join(keys)}"
        entries.append(PaletteEntry(binding.description, help_text, run))
    return entries


def keymap_of(app: App[object]) -> Mapping[str, str]:
    """The user's keymap (binding id → keys) when the app holds one as ``keymap``."""
    keymap = getattr(app, "keymap", None)
    return keymap if isinstance(keymap, Mapping) else {}


class PlaceCommands(Provider):
    """The palette provider: the focused place's actions (see the module) and the app's
    system commands (``App.get_system_commands``: keys, theme, quit…), listed together in
    the order of their titles."""

    def entries(self) -> list[PaletteEntry]:
        system = [
            PaletteEntry(command.title, command.help, command.callback, command.discover)
            for command in self.app.get_system_commands(self.screen)
        ]
        return [*palette_entries(self.screen, keymap_of(self.app)), *system]

    async def discover(self) -> Hits:
        for entry in sorted(self.entries(), key=lambda entry: entry.title):
            if entry.discover:
                yield DiscoveryHit(entry.title, entry.run, help=entry.help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for entry in self.entries():
            score = matcher.match(entry.title)
            if score > 0:
                yield Hit(score, matcher.highlight(entry.title), entry.run, help=entry.help)
