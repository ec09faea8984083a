"""An SMTP server for Lethe's tests (aiosmtpd): listens on 127.0.0.1 on a free port, prints
the port on stdout, saves each message it accepts as NNNN.json (envelope) and NNNN.eml (raw
data) in --dir, and stops when its stdin closes (so it never outlives the test process).

Options: --starttls or --implicit-tls with --cert/--key; SINK_AUTH_USER and SINK_AUTH_PASS in
the environment to require AUTH (PLAIN or LOGIN); --fail-first N to answer 451 to the first
N messages.
"""

import argparse
import asyncio
import json
import os
import ssl
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Sink:
    def __init__(self, directory, fail_first):
        self.directory = directory
        self.fail_first = fail_first
        self.seen = 0
        self.saved = 0

    async def handle_DATA(self, server, session, envelope):
        self.seen += 1
        if self.seen <= self.fail_first:
            return "451 4.3.0 Try again later (test sink)"
        self.saved += 1
        stem = os.path.join(self.directory, "%04d" % self.saved)
        raw = envelope.original_content or envelope.content
        with open(stem + ".eml.tmp", "wb") as f:
            f.write(raw)
        meta = {"mail_from": envelope.mail_from, "rcpt_tos": list(envelope.rcpt_tos)}
        with open(stem + ".json.tmp", "w") as f:
            json.dump(meta, f)
        os.rename(stem + ".eml.tmp", stem + ".eml")
        # The JSON file last: a reader that sees it finds the message complete.
        os.rename(stem + ".json.tmp", stem + ".json")
        return "250 OK queued as sink-%d" % self.saved


def authenticator(user, password):
    def check(server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == user.encode()
            and auth_data.password == password.encode()
        )
        return AuthResult(success=ok, handled=False)

    return check


async def main():
    p = argparse.ArgumentParser()
    p.add_argument("--dir", required=True)
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--starttls", action="store_true")
    p.add_argument("--implicit-tls", action="store_true")
    p.add_argument("--fail-first", type=int, default=0)
    args = p.parse_args()

    context = None
    if args.starttls or args.implicit_tls:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.cert, args.key)
    user = os.environ.get("SINK_AUTH_USER")
    password = os.environ.get("SINK_AUTH_PASS", "")
    sink = Sink(args.dir, args.fail_first)

    def factory():
        kwargs = {}
        if args.starttls:
            kwargs.update(tls_context=context, require_starttls=True)
        if user is not None:
            kwargs.update(
                auth_required=True,
                # Implicit TLS is TLS all the same, but aiosmtpd only counts STARTTLS.
                auth_require_tls=args.starttls,
                authenticator=authenticator(user, password),
            )
        return SMTP(sink, hostname="sink.test", ident="Lethe test sink", **kwargs)

    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        factory, host="127.0.0.1", port=0, ssl=context if args.implicit_tls else None
    )
    print(server.sockets[0].getsockname()[1], flush=True)
    await loop.run_in_executor(None, sys.stdin.read)
    server.close()


if __name__ == "__main__":
    asyncio.run(main())
