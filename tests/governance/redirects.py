"""`next=` values that must never be followed: other sites, scheme-relative and script URLs."""

UNSAFE_NEXT_URLS = [
    "https://evil.example/",
    "//evil.example/path",
    "http://testserver.evil.example/",
    "javascript:alert(1)",
]
