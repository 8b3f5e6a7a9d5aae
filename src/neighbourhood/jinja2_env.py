"""The Jinja2 environment: our templates first, then NHS.UK frontend's component macros."""

from pathlib import Path

from django.apps import apps
from django.contrib import messages
from django.templatetags.static import static
from django.urls import reverse
from jinja2 import ChainableUndefined, ChoiceLoader, Environment, FileSystemLoader, PackageLoader

from neighbourhood import formhelpers, presenters
from neighbourhood.disclosure import safe_count
from neighbourhood.web.navigation import navigation_items
from neighbourhood.web.sessions import session_timeout


def _our_template_dirs() -> list[str]:
    dirs = []
    for config in apps.get_app_configs():
        if config.name.startswith("neighbourhood."):
            folder = Path(config.path) / "templates"
            if folder.is_dir():
                dirs.append(str(folder))
    return dirs


def url(name: str, *args, **kwargs) -> str:
    return reverse(name, args=args or None, kwargs=kwargs or None)


def environment(**options) -> Environment:
    options["undefined"] = ChainableUndefined
    options["loader"] = ChoiceLoader(
        [
            FileSystemLoader(_our_template_dirs()),
            PackageLoader("nhsuk_frontend_jinja", package_path="templates/nhsuk/components"),
            PackageLoader("nhsuk_frontend_jinja", package_path="templates/nhsuk/macros"),
            PackageLoader("nhsuk_frontend_jinja"),
        ]
    )
    env = Environment(**options)  # noqa: S701 - Django's backend sets autoescape=True in options
    env.globals.update(
        static=static,
        url=url,
        get_messages=messages.get_messages,
        navigation_items=navigation_items,
        session_timeout=session_timeout,
        error_summary_items=formhelpers.error_summary_items,
        field_params=formhelpers.field_params,
        choice_params=formhelpers.choice_params,
        checkbox_params=formhelpers.checkbox_params,
    )
    env.filters.update(
        nhs_number=presenters.nhs_number,
        long_date=presenters.long_date,
        short_date=presenters.short_date,
        date_time=presenters.date_time,
        age=presenters.age,
        gbp=presenters.gbp,
        suppressed=lambda count: safe_count(int(count)).text,
    )
    return env
