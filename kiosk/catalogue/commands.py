"""`kiosk forms check [PATH...]`: validate form files and list every problem for staff."""
from __future__ import annotations

import argparse

from kiosk.catalogue.loader import load_catalogue, load_files


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `forms` command group."""
    forms = subparsers.add_parser("forms", help="service forms (forms/*.yaml)")
    sub = forms.add_subparsers(dest="forms_command", metavar="ACTION")
    check = sub.add_parser("check", help="validate form files; exit 1 if any problem")
    check.add_argument("paths", nargs="*", metavar="PATH",
                       help="form files or directories (default: forms_dir from settings)")
    check.set_defaults(func=check_forms)
    forms.set_defaults(func=lambda args: (forms.print_help(), 2)[1])


def check_forms(args: argparse.Namespace) -> int:
    """Print each problem, then 'N forms OK'; 1 when anything is wrong, 2 on bad settings."""
    from kiosk.config import load_settings

    if args.paths:
        catalogue = load_files(args.paths)
    else:
        catalogue = load_catalogue(load_settings(args.config).forms_dir)
    from kiosk.catalogue.spec import SiteSpec
    from kiosk.printing.check import receipt_problems  # the receipt must fit the paper

    site = SiteSpec() if args.paths else load_settings(args.config).site
    for form_id, form in list(catalogue.forms.items()):
        found = receipt_problems(form, site, catalogue.sources[form_id].name)
        if found:
            catalogue.problems += found
            del catalogue.forms[form_id]
    for problem in catalogue.problems:
        print(problem)
    print(f"{len(catalogue.forms)} forms OK")
    return 1 if catalogue.problems else 0
