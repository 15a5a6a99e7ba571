"""The report as PDF: the HTML of `evidencelab.publish.html_report` laid out by WeasyPrint.

The HTML carries its own print stylesheet (A4, running header and footer, page numbers in
the contents) and embeds everything (thumbnails as data URIs, maps and timeline as inline
SVG), so no file or network access is needed: the URL fetcher allows the ``data`` scheme
only. Fonts are the system fonts the stylesheet names (DejaVu, Noto Serif, Noto Naskh
Arabic, Noto Sans Arabic), embedded as subsets.
"""

from __future__ import annotations

from PIL import ImageFile

_TRUNCATED_BEFORE = ImageFile.LOAD_TRUNCATED_IMAGES
import weasyprint  # noqa: E402
from weasyprint.urls import URLFetcher  # noqa: E402

# Importing WeasyPrint makes Pillow accept truncated images in the whole process. Evidence
# extraction must see truncation (a cut-off file is an extraction error, not a picture), and
# the report only embeds its own complete thumbnails: put Pillow's setting back.
ImageFile.LOAD_TRUNCATED_IMAGES = _TRUNCATED_BEFORE


def html_to_pdf(html: str) -> bytes:
    """PDF bytes of a self-contained HTML report (its print stylesheet applies)."""
    fetcher = URLFetcher(allowed_protocols={"data"})
    document = weasyprint.HTML(string=html, url_fetcher=fetcher, media_type="print")
    pdf = document.write_pdf()
    if not isinstance(pdf, bytes):  # write_pdf returns the bytes when given no target
        raise TypeError("WeasyPrint returned no PDF bytes")
    return pdf
