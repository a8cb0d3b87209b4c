"""Every field of a CycloneDX ``modelCard`` and of a data component's ``data`` entries, as labelled
groups the renderers show as they are (HTML definition lists, Markdown bullet lists).

The card is someone else's text and may be hostile: only the fields the CycloneDX 1.5-1.7 schemas
define are read, each defensively (a wrong type is absent, nothing raises), and everything is bounded:
at most ``Limits.max_card_view_items`` entries per list (the rest counted in ``Field.more``), ``Limits.max_card_view_text``
characters per value and ``Limits.max_card_view_values`` values per card (then ``CardView.truncated``). The
nesting is the schema's, so hostile depth is never followed. Dataset ``ref`` entries and governance
parties given by bom-ref are resolved to the name of the component in the BOM. Image and attachment
content (base64) is never shown: a placeholder says what it is and how long.

Values are returned as plain text, not escaped; each renderer escapes them its own way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from aibom.bomdoc.view import ComponentView, items, obj
from aibom.limits import DEFAULT_LIMITS, Limits

Resolve = Callable[[str], "str | None"]
"""bom-ref -> name of the component in the BOM, or None."""


@dataclass(frozen=True)
class Field:
    """One labelled value: text values, nested records (``groups``), or both."""

    label: str
    values: tuple[str, ...] = ()
    groups: tuple[Group, ...] = ()
    more: int = 0
    """List entries left out (beyond ``Limits.max_card_view_items``)."""


@dataclass(frozen=True)
class Group:
    """One record (a dataset, a metric, a risk, a card section) with a title and its fields."""

    title: str | None
    fields: tuple[Field, ...]


@dataclass(frozen=True)
class CardView:
    sections: tuple[Group, ...] = ()
    truncated: bool = False
    """True when ``Limits.max_card_view_values`` was reached and later fields were left out."""

    @property
    def empty(self) -> bool:
        return not self.sections


@dataclass
class _Reader:
    resolve: Resolve
    limits: Limits = DEFAULT_LIMITS
    left: int = -1
    truncated: bool = False

    def __post_init__(self) -> None:
        if self.left < 0:
            self.left = self.limits.max_card_view_values

    # ------------------------------------------------------------------ scalars

    def text(self, value: Any) -> str | None:
        """A string, or a number shown as written; anything else is absent. Counts against the
        card's value budget and is cut at ``Limits.max_card_view_text`` characters."""
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            return None
        shown = value if isinstance(value, str) else _number(value)
        if not shown.strip():
            return None
        if self.left <= 0:
            self.truncated = True
            return None
        self.left -= 1
        return (
            shown
            if len(shown) <= self.limits.max_card_view_text
            else shown[: self.limits.max_card_view_text - 1] + "…"
        )

    def texts(self, value: Any) -> tuple[tuple[str, ...], int]:
        entries = items(value)
        shown = tuple(
            t for v in entries[: self.limits.max_card_view_items] if (t := self.text(v)) is not None
        )
        return shown, max(0, len(entries) - self.limits.max_card_view_items)

    # ------------------------------------------------------------------ fields

    def value(self, label: str, value: Any) -> Field | None:
        shown = self.text(value)
        return Field(label, (shown,)) if shown is not None else None

    def values(self, label: str, value: Any) -> Field | None:
        shown, more = self.texts(value)
        return Field(label, shown, more=more) if shown or more else None

    def records(
        self, label: str, value: Any, read: Callable[[Mapping[str, Any]], Group | None]
    ) -> Field | None:
        entries = items(value)
        groups = tuple(
            g
            for e in entries[: self.limits.max_card_view_items]
            if isinstance(e, Mapping) and (g := read(e))
        )
        more = max(0, len(entries) - self.limits.max_card_view_items)
        return Field(label, groups=groups, more=more) if groups or more else None

    def record(
        self, label: str, value: Any, read: Callable[[Mapping[str, Any]], Group | None]
    ) -> Field | None:
        group = read(value) if isinstance(value, Mapping) else None
        return Field(label, groups=(group,)) if group is not None else None

    # ------------------------------------------------------------------ model card

    def model_card(self, card: Mapping[str, Any]) -> tuple[Group, ...]:
        sections = (
            _group("Model parameters", self._parameters(obj(card.get("modelParameters")))),
            _group("Quantitative analysis", self._analysis(obj(card.get("quantitativeAnalysis")))),
            _group("Considerations", self._considerations(obj(card.get("considerations")))),
            _group("Card properties", [self.properties("Properties", card.get("properties"))]),
        )
        return tuple(s for s in sections if s is not None)

    def _parameters(self, params: Mapping[str, Any]) -> list[Field | None]:
        return [
            self.value("Approach", obj(params.get("approach")).get("type")),
            self.value("Task", params.get("task")),
            self.value("Architecture family", params.get("architectureFamily")),
            self.value("Model architecture", params.get("modelArchitecture")),
            self.records("Datasets", params.get("datasets"), self._dataset),
            self.values("Inputs", [obj(i).get("format") for i in items(params.get("inputs"))]),
            self.values("Outputs", [obj(i).get("format") for i in items(params.get("outputs"))]),
        ]

    def _dataset(self, entry: Mapping[str, Any]) -> Group | None:
        ref = entry.get("ref")
        if isinstance(ref, str) and "type" not in entry and "name" not in entry:
            return self.reference(ref)
        return self.data_entry(entry)

    def reference(self, ref: str) -> Group | None:
        """A dataset named by bom-ref: the component's name when it is in this BOM."""
        name = _resolve(self.resolve, ref)
        if name is not None:
            shown = self.text(name)
            return (
                Group(shown, (Field("Reference", ("a component of this BOM",)),)) if shown else None
            )
        shown = self.text(ref)
        return Group(shown, (Field("Reference", ("not in this BOM",)),)) if shown else None

    def _analysis(self, analysis: Mapping[str, Any]) -> list[Field | None]:
        return [
            self.records("Performance metrics", analysis.get("performanceMetrics"), self._metric),
            self.record("Graphics", analysis.get("graphics"), self.graphics),
        ]

    def _metric(self, metric: Mapping[str, Any]) -> Group | None:
        interval = obj(metric.get("confidenceInterval"))
        low, high = self.text(interval.get("lowerBound")), self.text(interval.get("upperBound"))
        bounds = f"{low or '?'} to {high or '?'}" if low or high else None
        return _group(
            None,
            [
                self.value("Type", metric.get("type")),
                self.value("Value", metric.get("value")),
                self.value("Slice", metric.get("slice")),
                Field("Confidence interval", (bounds,)) if bounds else None,
            ],
        )

    def graphics(self, graphics: Mapping[str, Any]) -> Group | None:
        return _group(
            None,
            [
                self.value("Description", graphics.get("description")),
                self.records("Images", graphics.get("collection"), self._graphic),
            ],
        )

    def _graphic(self, graphic: Mapping[str, Any]) -> Group | None:
        image = graphic.get("image")
        placeholder = _attachment(obj(image)) if isinstance(image, Mapping) else None
        return _group(
            self.text(graphic.get("name")) or "(unnamed image)",
            [Field("Image", (placeholder,)) if placeholder else None],
        )

    def _considerations(self, cons: Mapping[str, Any]) -> list[Field | None]:
        return [
            self.values("Users", cons.get("users")),
            self.values("Use cases", cons.get("useCases")),
            self.values("Technical limitations", cons.get("technicalLimitations")),
            self.values("Performance tradeoffs", cons.get("performanceTradeoffs")),
            self.records("Ethical considerations", cons.get("ethicalConsiderations"), self._risk),
            self.records("Fairness assessments", cons.get("fairnessAssessments"), self._fairness),
            self.record(
                "Environmental considerations",
                cons.get("environmentalConsiderations"),
                self._environment,
            ),
        ]

    def _risk(self, risk: Mapping[str, Any]) -> Group | None:
        return _group(
            None,
            [
                self.value("Risk", risk.get("name")),
                self.value("Mitigation strategy", risk.get("mitigationStrategy")),
            ],
        )

    def _fairness(self, entry: Mapping[str, Any]) -> Group | None:
        return _group(
            None,
            [
                self.value("Group at risk", entry.get("groupAtRisk")),
                self.value("Benefits", entry.get("benefits")),
                self.value("Harms", entry.get("harms")),
                self.value("Mitigation strategy", entry.get("mitigationStrategy")),
            ],
        )

    def _environment(self, env: Mapping[str, Any]) -> Group | None:
        return _group(
            None,
            [
                self.records("Energy consumption", env.get("energyConsumptions"), self._energy),
                self.properties("Properties", env.get("properties")),
            ],
        )

    def _energy(self, entry: Mapping[str, Any]) -> Group | None:
        return _group(
            None,
            [
                self.value("Activity", entry.get("activity")),
                self.records("Energy providers", entry.get("energyProviders"), self._provider),
                self.measure("Activity energy cost", entry.get("activityEnergyCost")),
                self.measure("CO2 cost equivalent", entry.get("co2CostEquivalent")),
                self.measure("CO2 cost offset", entry.get("co2CostOffset")),
                self.properties("Properties", entry.get("properties")),
            ],
        )

    def _provider(self, provider: Mapping[str, Any]) -> Group | None:
        return _group(
            None,
            [
                self.value("Description", provider.get("description")),
                self.value("Organization", self.organization(obj(provider.get("organization")))),
                self.value("Energy source", provider.get("energySource")),
                self.measure("Energy provided", provider.get("energyProvided")),
                self.values(
                    "External references", _references(provider, self.limits.max_card_view_items)
                ),
            ],
        )

    def measure(self, label: str, value: Any) -> Field | None:
        entry = obj(value)
        amount = entry.get("value")
        if isinstance(amount, bool) or not isinstance(amount, int | float | str):
            return None
        unit = entry.get("unit")
        shown = _number(amount) if not isinstance(amount, str) else amount
        return self.value(label, f"{shown} {unit}" if isinstance(unit, str) and unit else shown)

    def properties(self, label: str, value: Any) -> Field | None:
        pairs = [
            f"{name} = {val}" if isinstance(val, str) else name
            for entry in items(value)
            if isinstance(name := obj(entry).get("name"), str) and name
            for val in (obj(entry).get("value"),)
        ]
        return self.values(label, pairs)

    # ------------------------------------------------------------------ data entries

    def data_entry(self, entry: Mapping[str, Any]) -> Group | None:
        """One ``componentData`` (a data component's ``data[]`` or an inline card dataset)."""
        contents = obj(entry.get("contents"))
        attachment = contents.get("attachment")
        governance = obj(entry.get("governance"))
        fields = [
            self.value("Type", entry.get("type")),
            self.value("Description", entry.get("description")),
            self.value("Contents URL", contents.get("url")),
            *self.attachment(attachment),
            self.properties("Contents properties", contents.get("properties")),
            self.value("Classification", entry.get("classification")),
            self.values("Sensitive data", entry.get("sensitiveData")),
            self.record("Graphics", entry.get("graphics"), self.graphics),
            self.values("Owners", self.parties(governance.get("owners"))),
            self.values("Stewards", self.parties(governance.get("stewards"))),
            self.values("Custodians", self.parties(governance.get("custodians"))),
        ]
        name = self.text(entry.get("name"))
        return _group(name, fields) or (Group(name, ()) if name else None)

    def attachment(self, value: Any) -> list[Field | None]:
        """Inline text content is shown (it is text), with its type; encoded or binary content is
        described."""
        if not isinstance(value, Mapping):
            return []
        content, kind = value.get("content"), value.get("contentType")
        textual = (
            not isinstance(kind, str) or kind.startswith("text/") or kind == "application/json"
        )
        if isinstance(content, str) and value.get("encoding") is None and textual:
            return [self.value("Contents", content), self.value("Content type", kind)]
        return [self.value("Contents", _attachment(value))]

    def parties(self, value: Any) -> list[Any]:
        """Governance owners, stewards or custodians: an organisation or a contact each."""
        out: list[Any] = []
        for entry in items(value)[: self.limits.max_card_view_items]:
            party = obj(entry)
            if isinstance(party.get("organization"), Mapping):
                out.append(self.organization(obj(party.get("organization"))))
            elif isinstance(party.get("contact"), Mapping):
                out.append(self.contact(obj(party.get("contact"))))
            elif isinstance(party.get("individual"), Mapping):  # the XML form's name for contact
                out.append(self.contact(obj(party.get("individual"))))
        return out + [None] * max(0, len(items(value)) - self.limits.max_card_view_items)

    def organization(self, org: Mapping[str, Any]) -> str | None:
        name = _str(org.get("name"))
        ref = _str(org.get("bom-ref"))
        if name is None and ref is not None:
            name = _resolve(self.resolve, ref) or ref
        address = obj(org.get("address"))
        place = ", ".join(
            s
            for k in (
                "streetAddress",
                "postOfficeBoxNumber",
                "locality",
                "region",
                "postalCode",
                "country",
            )
            if (s := _str(address.get(k)))
        )
        urls = [
            u
            for u in items(org.get("url"))[: self.limits.max_card_view_items]
            if isinstance(u, str) and u
        ]
        contacts = [
            c
            for e in items(org.get("contact"))[: self.limits.max_card_view_items]
            if (c := self.contact(obj(e)))
        ]
        parts = [p for p in (name, place, *urls) if p]
        if contacts:
            parts.append("contact: " + "; ".join(contacts))
        return " · ".join(parts) or None

    def contact(self, contact: Mapping[str, Any]) -> str | None:
        name = _str(contact.get("name"))
        ref = _str(contact.get("bom-ref"))
        if name is None and ref is not None:
            name = _resolve(self.resolve, ref) or ref
        parts = [p for p in (name, _str(contact.get("email")), _str(contact.get("phone"))) if p]
        return ", ".join(parts) or None


def _group(title: str | None, fields: list[Field | None]) -> Group | None:
    kept = tuple(f for f in fields if f is not None)
    return Group(title, kept) if kept else None


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _number(value: int | float) -> str:
    return str(value) if isinstance(value, int) else f"{value:g}"


def _attachment(attachment: Mapping[str, Any]) -> str:
    kind = _str(attachment.get("contentType")) or "content"
    encoding = _str(attachment.get("encoding"))
    content = attachment.get("content")
    size = f", {len(content):,} characters" if isinstance(content, str) else ""
    how = f", {encoding}" if encoding else ""
    return f"{kind}{how}{size} (not shown in this report)"


def _references(entry: Mapping[str, Any], cap: int) -> list[str]:
    out = []
    for ref in items(entry.get("externalReferences"))[:cap]:
        url, kind = _str(obj(ref).get("url")), _str(obj(ref).get("type"))
        if url:
            out.append(f"{kind}: {url}" if kind else url)
    return out


def _resolve(resolve: Resolve, ref: str) -> str | None:
    """``ref`` itself, or the fragment of a BOM-Link (``urn:cdx:serial/version#ref``)."""
    name = resolve(ref)
    if name is None and ref.startswith("urn:cdx:") and "#" in ref:
        name = resolve(ref.rsplit("#", 1)[1])
    return name


def _no_names(_ref: str) -> str | None:
    return None


def model_card_view(
    component: ComponentView, resolve: Resolve = _no_names, limits: Limits = DEFAULT_LIMITS
) -> CardView:
    """Every field of ``component.model_card``; empty when it has none."""
    reader = _Reader(resolve, limits)
    sections = reader.model_card(component.model_card)
    return CardView(sections, reader.truncated)


def data_view(
    component: ComponentView, resolve: Resolve = _no_names, limits: Limits = DEFAULT_LIMITS
) -> CardView:
    """Every ``data[]`` entry of a data component, one group each; empty when it has none."""
    reader = _Reader(resolve, limits)
    entries = component.data
    cap = limits.max_card_view_items
    groups = [g for e in entries[:cap] if isinstance(e, Mapping) and (g := reader.data_entry(e))]
    more = len(entries) - cap
    if more > 0:
        groups.append(Group(None, (Field("Data entries", more=more),)))
    return CardView(tuple(groups), reader.truncated)
