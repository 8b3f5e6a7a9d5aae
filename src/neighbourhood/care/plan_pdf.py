"""The care and support plan as a PDF (WeasyPrint), with who it is about on every page."""

from django.template.loader import render_to_string

from neighbourhood.care import plan_queries
from neighbourhood.care.models import CarePlan

# The running header takes the banner's text (string-set) so that the name is never written into CSS.
PDF_STYLESHEET = """
@page {
  size: A4;
  margin: 28mm 16mm 20mm;
  @top-left { content: string(who); font: 9pt "DejaVu Sans", sans-serif; color: #212b32; width: 100%; }
  @bottom-left { content: "Personalised care and support plan"; font: 8pt "DejaVu Sans", sans-serif; }
  @bottom-right { content: "Page " counter(page) " of " counter(pages); font: 8pt "DejaVu Sans", sans-serif; }
}
body { font: 10pt/1.4 "DejaVu Sans", sans-serif; color: #212b32; }
.who { string-set: who content(); font-weight: bold; border-bottom: 1px solid #212b32; padding-bottom: 4pt; }
h1 { font-size: 16pt; margin: 0 0 6pt; }
h2 { font-size: 12pt; margin: 14pt 0 4pt; border-bottom: 1px solid #d8dde0; break-after: avoid; }
dl { margin: 0; }
dt { font-weight: bold; margin-top: 4pt; }
dd { margin: 0 0 2pt; white-space: pre-wrap; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; border-bottom: 1px solid #d8dde0; padding: 3pt 4pt; }
tr { break-inside: avoid; }
.meta { color: #4c6272; font-size: 9pt; }
"""


class PdfUnavailable(RuntimeError):
    """WeasyPrint cannot run here: its system libraries (Pango) are missing."""


def _html_class():
    try:
        from weasyprint import CSS, HTML
    except (ImportError, OSError) as error:  # OSError: WeasyPrint could not load Pango
        raise PdfUnavailable(str(error)) from error
    return HTML, CSS


def plan_pdf(plan: CarePlan) -> bytes:
    HTML, CSS = _html_class()
    person = plan.person
    html = render_to_string(
        "care/plan_pdf.jinja",
        {
            "person": person,
            "plan": plan,
            "headings": plan_queries.heading_views(plan.content),
            "updated_by": plan_queries.name_of(plan.updated_by),
        },
    )
    return HTML(string=html).write_pdf(stylesheets=[CSS(string=PDF_STYLESHEET)])
