"""Inline SVG for the HTML report, made safe to embed.

The SVG comes from our own renderers (Graphviz, the chart module), which escape the log's
text; still, the report does not trust it blindly: scripts, foreign objects, event
handler attributes and links that leave the page are dropped before the picture is put
into the page.
"""

from __future__ import annotations

import re

from lxml import etree

__all__ = ["inline_svg"]

_SVG_NS = "http://www.w3.org/2000/svg"
_XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
# Elements that could run code or pull in HTML: never inlined.
_DROPPED = {"script", "foreignobject", "iframe", "object", "embed", "handler", "listener"}
_LOCAL_REF = re.compile(r"url\(\s*#([^)\s]+)\s*\)")


def _local(tag: str) -> str:
    return etree.QName(tag).localname.lower()


def _safe_link(value: str) -> bool:
    # Only links within the picture itself: external ones would make the report
    # depend on the network, javascript: ones would run code.
    return value.strip().startswith("#")


def inline_svg(svg_text: str, *, prefix: str, label: str) -> str:
    """SVG text as an element for an HTML page: without XML declaration, DOCTYPE and
    comments; without ``<script>`` (and other active) elements, ``on*`` attributes and
    links that leave the picture; every ``id`` prefixed with ``prefix`` (so several
    pictures on one page do not clash); ``role="img"`` and ``aria-label`` = ``label``.

    Raises
    ------
    ValueError
        When the text is not well-formed SVG.

    Examples
    --------
    >>> inline_svg('<svg xmlns="http://www.w3.org/2000/svg" onload="x()"><script>x()'
    ...            '</script><g id="a"/></svg>', prefix="p", label="A map")
    '<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="A map"><g id="p-a"/></svg>'
    """
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, remove_comments=True, remove_pis=True
    )
    try:
        root = etree.fromstring(svg_text.strip().encode("utf-8"), parser=parser)
    except etree.XMLSyntaxError as exc:
        raise ValueError(f"not well-formed SVG: {exc}") from exc
    if not isinstance(root.tag, str) or _local(root.tag) != "svg":
        raise ValueError("not an SVG picture: the root element is not <svg>")
    for element in list(root.iter()):
        if not isinstance(element.tag, str):  # entity references left unresolved
            parent = element.getparent()
            if parent is not None:
                parent.remove(element)
            continue
        if _local(element.tag) in _DROPPED:
            parent = element.getparent()
            if parent is not None:
                parent.remove(element)
            continue
        for name in list(element.attrib):
            local = etree.QName(name).localname.lower()
            value = element.attrib[name]
            if local.startswith("on") or (local == "href" and not _safe_link(value)):
                del element.attrib[name]
            elif local == "id":
                element.attrib[name] = f"{prefix}-{value}"
            elif local == "href":
                element.attrib[name] = f"#{prefix}-{value.strip()[1:]}"
            elif "url(" in value:
                element.attrib[name] = _LOCAL_REF.sub(rf"url(#{prefix}-\1)", value)
    for size in ("width", "height"):  # the page sizes the picture, from its viewBox
        if size in root.attrib:
            del root.attrib[size]
    root.set("role", "img")
    root.set("aria-label", label)
    return str(etree.tostring(root, encoding="unicode"))
