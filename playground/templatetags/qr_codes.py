"""{% load qr_codes %}: a link as an inline SVG QR code."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from playground.qr import render_svg

register = template.Library()


@register.filter
def qr_svg(link: str) -> SafeString:
    # Safe to mark: segno writes only its own elements and numbers; the link is encoded into
    # modules, and the title is our own text.
    return mark_safe(render_svg(link, title="QR code of the verification link"))
