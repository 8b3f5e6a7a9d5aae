"""Read rendered pages the way a person (or a screen reader) would: visible text, labels, form fields."""

from html.parser import HTMLParser

_NOT_SHOWN = {"script", "style", "title", "head"}


class _Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []
        self.text_parts: list[str] = []
        self.labels: dict[str, str] = {}
        self._open_label: str | None = None
        self._label_text: list[str] = []
        self._hidden_depth = 0

    def handle_starttag(self, tag, attrs):
        attributes = {name: value if value is not None else "" for name, value in attrs}
        self.elements.append((tag, attributes))
        if tag in _NOT_SHOWN:
            self._hidden_depth += 1
        if tag == "label":
            self._open_label, self._label_text = attributes.get("for", ""), []

    def handle_endtag(self, tag):
        if tag in _NOT_SHOWN:
            self._hidden_depth -= 1
        if tag == "label" and self._open_label is not None:
            self.labels[self._open_label] = " ".join(" ".join(self._label_text).split())
            self._open_label = None

    def handle_data(self, data):
        if self._hidden_depth == 0:
            self.text_parts.append(data)
            if self._open_label is not None:
                self._label_text.append(data)


def parse(html: str | bytes) -> _Page:
    page = _Page()
    page.feed(html.decode() if isinstance(html, bytes) else html)
    return page


def visible_text(html: str | bytes) -> str:
    return " ".join(" ".join(parse(html).text_parts).split())


def elements(html: str | bytes, tag: str, **attributes: str) -> list[dict]:
    """Start tags named `tag` whose attributes include `attributes` (class_ for class)."""
    wanted = {name.rstrip("_").replace("_", "-"): value for name, value in attributes.items()}
    return [
        found
        for name, found in parse(html).elements
        if name == tag and all(found.get(key) == value for key, value in wanted.items())
    ]


def labels(html: str | bytes) -> dict[str, str]:
    """{id of the labelled field: label text}"""
    return parse(html).labels
