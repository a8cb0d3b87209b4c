"""Element names the CycloneDX XSD gives the items of ML arrays, shared by the XML writer
(``aibom.bom.xml``) and reader (``aibom.bomdoc.fromxml``) so the two cannot drift apart."""

from __future__ import annotations

SINGULAR = {
    "inputs": "input",
    "outputs": "output",
    "performanceMetrics": "performanceMetric",
    "users": "user",
    "useCases": "useCase",
    "technicalLimitations": "technicalLimitation",
    "performanceTradeoffs": "performanceTradeoff",
    "ethicalConsiderations": "ethicalConsideration",
    "fairnessAssessments": "fairnessAssessment",
    "energyConsumptions": "energyConsumption",
    "energyProviders": "energyProvider",
    "custodians": "custodian",
    "stewards": "steward",
    "owners": "owner",
    "collection": "graphic",
}
"""modelCard/data arrays whose items the XSD wraps (``<useCases><useCase>``)."""
UNWRAPPED = frozenset({"sensitiveData"})
"""Arrays whose items repeat the element name with no wrapper."""
