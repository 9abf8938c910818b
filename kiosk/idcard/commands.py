"""`kiosk idcard test`: read one card and print its fields masked (and the SAM status)."""
from __future__ import annotations

import argparse
import contextlib
import datetime as dt
from typing import Any

from kiosk.config import load_settings
from kiosk.idcard.simulator import CARD_SCENARIOS, SCENARIOS


def register(subparsers: Any) -> None:
    """Add `kiosk idcard test` to the CLI."""
    idcard = subparsers.add_parser("idcard", help="resident ID card reader (GA 467)")
    sub = idcard.add_subparsers(dest="idcard_command", metavar="ACTION", required=True)
    test = sub.add_parser("test", help="read one card and print its fields, masked")
    test.add_argument("--wait", type=float, default=None, help="seconds to wait for a card (default [idcard] wait_s)")
    test.add_argument("--port", help="serial port (overrides [idcard] port; implies type ga467)")
    test.add_argument("--simulate", metavar="SCENARIO",
                      choices=SCENARIOS + CARD_SCENARIOS,
                      help="read from the built-in reader simulator on a socat pty instead of a reader")
    test.set_defaults(func=_test)


def _test(args: argparse.Namespace) -> int:
    from kiosk.idcard.card import card_fields
    from kiosk.idcard.reader import CardReader, Ga467Reader, ReadFailed, make_reader
    from kiosk.idcard.simulator import simulated_reader
    from kiosk.idcard.twin import demo_card
    from kiosk.voices import say

    settings = load_settings(args.config)
    conf = settings.idcard
    wait = args.wait if args.wait is not None else conf.wait_s
    reader: CardReader
    with contextlib.ExitStack() as stack:
        if args.simulate:
            host, _sim = stack.enter_context(
                simulated_reader(card_fields(demo_card()), args.simulate, pace=True, baud=conf.baud))
            reader = Ga467Reader(host, conf.baud)
        elif args.port:
            reader = Ga467Reader(args.port, conf.baud)
        else:
            made = make_reader(settings)
            if made is None:
                print("no ID card reader configured: set [idcard] type = \"ga467\" (or \"twin\") and port")
                return 1
            reader = made
        stack.callback(reader.close)
        sam = reader.sam()
        print(f"reader: {reader.description}")
        print(f"SAM: {'ready ' + sam.sam_id if sam.ok else 'NOT READY (' + sam.code + ')'}")
        print(f"place a card on the reader (waiting up to {wait:g} s) ...", flush=True)
        try:
            card = reader.read_card(wait, today=dt.date.today())
        except ReadFailed as err:
            print(f"no card read: {err.code}")
            print(f"the resident would hear: {say('idcard.fail.' + err.code)}")
            return 1
        for key, value in card.masked().items():
            print(f"  {key:<11} {value}")
        print("check digit and birth date agree; photo block read past and discarded")
    return 0
