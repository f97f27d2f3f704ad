#!/usr/bin/python3
"""A tiny SMTP sink for rosterd's tests and demo, on Debian's python3-aiosmtpd.

usage: smtp_sink.py DIR [PORT] [--cert FILE --key FILE (--starttls | --smtps)]
                               [--auth-user NAME --auth-password-file FILE]

Listens on 127.0.0.1 (PORT 0 or absent: any free port), writes each accepted message to
DIR/NNNNNN.eml with the envelope recipient in an X-Sink-Rcpt header (and X-Sink-TLS, X-Sink-Auth:
whether it came over TLS, and the login it authenticated as), and the port it listens on to
DIR/port once it accepts connections. Recipients listed in DIR/refuse (one per line, read at each
RCPT) are refused with 550, as a mail server refuses an unknown mailbox.

TLS: --starttls offers STARTTLS and refuses MAIL before it; --smtps serves TLS from the first byte
(implicit TLS, as on port 465). --auth-user requires AUTH (PLAIN or LOGIN) with that user and the
password in the file. DIR/log gets one line per AUTH attempt and per MAIL command, so that a test
can tell that nothing was sent in clear text and that a wrong password was refused; the log never
holds a password.
"""
import argparse
import asyncio
import os
import ssl

from aiosmtpd.smtp import SMTP, AuthResult


def on_tls(server):
    transport = server.transport
    return transport is not None and transport.get_extra_info("ssl_object") is not None


class Sink:
    def __init__(self, directory, user=None, password=None):
        self.directory = directory
        self.user = user
        self.password = password
        self.count = len([n for n in os.listdir(directory) if n.endswith(".eml")])

    def log(self, line):
        with open(os.path.join(self.directory, "log"), "a", encoding="utf-8") as f:
            f.write(line + "\n")

    def refused(self):
        try:
            with open(os.path.join(self.directory, "refuse"), encoding="utf-8") as f:
                return {line.strip().lower() for line in f if line.strip()}
        except FileNotFoundError:
            return set()

    # aiosmtpd's authenticator: (server, session, envelope, mechanism, auth_data).
    def authenticate(self, server, session, envelope, mechanism, auth_data):
        login = auth_data.login.decode("utf-8", "replace")
        ok = login == self.user and auth_data.password.decode("utf-8", "replace") == self.password
        self.log("AUTH %s %s %s tls=%d" % (mechanism, login, "ok" if ok else "refused",
                                          on_tls(server)))
        # handled=False: aiosmtpd answers 535 itself (with True it would answer nothing).
        return AuthResult(success=ok, handled=False, auth_data=login if ok else None)

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        self.log("MAIL %s tls=%d auth=%s" % (address, on_tls(server), session.auth_data or "-"))
        if self.user and not session.authenticated:
            return "530 5.7.0 Authentication required"
        if server.tls_context and not on_tls(server):
            return "530 5.7.0 Must issue a STARTTLS command first"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refused():
            return "550 5.1.1 <%s>: mailbox unavailable" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        name = os.path.join(self.directory, "%06d.eml" % self.count)
        data = envelope.original_content or envelope.content
        if isinstance(data, str):
            data = data.encode("utf-8")
        login = session.auth_data or "-"
        header = ("X-Sink-Rcpt: %s\r\nX-Sink-From: %s\r\nX-Sink-TLS: %s\r\nX-Sink-Auth: %s\r\n" %
                  (",".join(envelope.rcpt_tos), envelope.mail_from,
                   "yes" if on_tls(server) else "no", login)).encode("utf-8")
        with open(name + ".tmp", "wb") as f:
            f.write(header + data)
        os.rename(name + ".tmp", name)  # readers never see half a message
        return "250 Message accepted for delivery"


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("directory")
    parser.add_argument("port", nargs="?", type=int, default=0)
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--starttls", action="store_true")
    parser.add_argument("--smtps", action="store_true")
    parser.add_argument("--auth-user")
    parser.add_argument("--auth-password-file")
    args = parser.parse_args()
    os.makedirs(args.directory, exist_ok=True)
    password = None
    if args.auth_password_file:
        with open(args.auth_password_file, encoding="utf-8") as f:
            password = f.read().rstrip("\r\n")
    sink = Sink(args.directory, args.auth_user, password)
    context = None
    if args.starttls or args.smtps:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.cert, args.key)
    options = {"hostname": "sink.test"}
    if args.auth_user:
        options["authenticator"] = sink.authenticate
        options["auth_required"] = True
    if args.starttls:
        options["tls_context"] = context
        options["require_starttls"] = True
    if args.smtps:
        # The socket is TLS already: aiosmtpd only knows about STARTTLS, so it must not insist
        # on it before AUTH (handle_MAIL still checks the connection is TLS).
        options["auth_require_tls"] = False
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(sink, **options), "127.0.0.1", args.port,
                                      ssl=context if args.smtps else None)
    bound = server.sockets[0].getsockname()[1]
    with open(os.path.join(args.directory, "port.tmp"), "w") as f:
        f.write(str(bound))
    os.rename(os.path.join(args.directory, "port.tmp"), os.path.join(args.directory, "port"))
    await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
