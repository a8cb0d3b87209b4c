"""Where the CycloneDX JSON form is not the shape of the XML, shared by the XML reader
(``aibom.bomdoc.fromxml``) and writer (``aibom.bom.xml``) so that the two cannot drift apart.

Everything else follows the XSD (``aibom.bomdoc.xsd``): a key is its element's or attribute's name.
"""

from __future__ import annotations

ATTRIBUTE_NAMES = {"content-type": "contentType", "license-identifier": "licenseIdentifier"}
"""XML attribute name -> JSON key (attachments' ``content-type``)."""
TEXT_KEYS = {
    "hashType": "content",
    "attachedTextType": "content",
    "propertyType": "value",
    "dataClassificationType": "classification",
    "licenseExpressionType": "expression",
}
"""The JSON key of the text of an element with attributes (``<hash alg="...">text</hash>``), by schema
type; any other such type's text is ``content``."""
DEPENDENCY_LISTS = frozenset({"dependency", "provides"})
"""Inside a ``<dependency ref>``: nested ``<dependency ref>``/``<provides ref>`` are JSON arrays of refs
(``dependsOn``, ``provides``)."""
CHILD_KEYS = {
    "responses": "response",
    "details": "expressionDetails",
    "cryptoRef": "cryptoRefArray",
}
"""XML element name -> JSON key (a vulnerability analysis' ``responses`` is ``response``, 1.7's
``<expression-detailed><details>`` is ``expressionDetails``, 1.6's protocol properties' repeated
``<cryptoRef>`` is ``cryptoRefArray``)."""
PARTY_CHOICES = {
    "patentAssignee": ("organization", "individual"),
    "asserter": ("organization", "contact"),
}
"""Elements holding a choice of an organisation or a person (1.7's patents), whose JSON form is the
chosen object itself, untagged (elsewhere, as in licensing and data governance, JSON keeps the tag)."""
DATAFLOW_CLASSIFICATION = "classification"
"""In a 1.5+ ``<dataflow>``: ``<classification flow="...">text</classification>`` is two JSON keys of the
dataflow, ``classification`` (the text) and ``flow``."""
REF_CHOICES = frozenset({"asserter"})
"""Elements holding an object or a ``<ref>``, whose JSON form is then the ref itself (a string)."""
SCALARS = frozenset({"email", "phone", "supplier", "manufacture"})
"""Elements CycloneDX 1.2's XSD lets repeat but whose JSON form is one value."""
JSON_ONLY = frozenset({"$schema", "bomFormat", "specVersion", "signature"})
"""Top-level and signature fields with no XML counterpart (XML is signed with XML Signature)."""


def child_key(local: str, lists: frozenset[str] = frozenset()) -> str:
    if local == "dependency" and local in lists:
        return "dependsOn"
    return CHILD_KEYS.get(local, local)


def xml_name(key: str, lists: frozenset[str] = frozenset()) -> str:
    """The inverse of ``child_key``."""
    if key == "dependsOn" and "dependency" in lists:
        return "dependency"
    for local, json_key in CHILD_KEYS.items():
        if key == json_key:
            return local
    return key
