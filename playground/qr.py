"""QR codes drawn as inline SVG, for links a person opens on a phone (RFC 8628 §3.3.1)."""

from __future__ import annotations

import segno

# Error correction M survives a smudged or glare-struck screen and keeps the code small.
ERROR_CORRECTION = "m"


def render_svg(text: str, *, title: str) -> str:
    """An SVG element (no XML declaration) that scales to its box: dark modules on white,
    with the quiet zone the standard asks for, and no inline style for CSP to object to."""
    code = segno.make(text, error=ERROR_CORRECTION)
    svg: str = code.svg_inline(
        scale=4,
        dark="#000",
        light="#fff",
        omitsize=True,
        svgclass="qr__image",
        lineclass="qr__modules",
        title=title,
    )
    return svg
